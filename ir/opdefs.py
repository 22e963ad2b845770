"""The op catalog: every op name the IR may contain, what it means, and how to check it.

This file is the contract between the stages. The frontend emits `py.*` ops
(untyped Python operators) plus typed constants, math calls, calls, tuples and
structured control flow; type inference replaces every `py.*` op by typed ops
with CPython's semantics made explicit (casts, `cf.assert` checks); the backend
lowers exactly the typed ops (`TYPED` below). A stage that meets a name it does
not handle must fail loudly: tests check every typed op has a lowering.

Semantics of typed ops (operands and results all of the stated types):

arith.constant {value}          : T                 a scalar constant (int, float or bool value)
arith.addi/subi/muli            (iN, iN) -> iN      two's complement, wrapping
arith.floordivsi/floormodsi     (iN, iN) -> iN      Python // and % (floor); divisor != 0 is
                                                    guaranteed by a preceding cf.assert; MIN // -1 wraps
arith.addf/subf/mulf/divf       (fN, fN) -> fN      IEEE (divisor != 0 guarded by cf.assert)
arith.floordivf/floormodf       (fN, fN) -> fN      CPython float // and % (sign of divisor, -0.0 rules)
arith.negf                      fN -> fN
arith.maximumf/minimumf         (fN, fN) -> fN      NumPy's maximum/minimum: x if isnan(x) or x > y
                                                    (< for min) else y: nan propagates from either,
                                                    ties (0.0 vs -0.0) give y; derivative splits ties
arith.andi/ori/xori             (T, T) -> T         T int or bool
arith.shli/shrsi                (iN, iN) -> iN      count >= 0 (guarded); count >= N gives Python's
                                                    value truncated to N bits (shl: 0, shr: 0 or -1)
arith.powi                      (iN, iN) -> iN      exponent >= 0 (guarded); wraps
arith.powf                      (fN, fN) -> fN      C pow()
arith.cmpi {predicate}          (T, T) -> bool      T int or bool; eq ne slt sle sgt sge ult ule ugt uge
arith.cmpf {predicate}          (fN, fN) -> bool    oeq one olt ole ogt oge ueq une ult ule ugt uge ord uno
arith.cmpif {predicate}         (iN, fM) -> bool    exact int-vs-float comparison as CPython does it
                                                    (no rounding of the int); eq ne lt le gt ge; nan is
                                                    unequal to everything
arith.select                    (bool, T, T) -> T
arith.sitofp/uitofp             int|bool -> fN      (uitofp for bool and unsigned)
arith.fptosi                    fN -> iN            truncation toward zero; finite and in range (guarded)
arith.extsi/extui/trunci        int|bool -> int     widen signed / widen unsigned (bool: 0 or 1) / narrow
arith.extf/truncf               f32 <-> f64
math.<unary>                    fN -> fN            sin cos tan asin acos atan sinh cosh tanh asinh acosh
                                                    atanh exp expm1 exp2 log log2 log10 log1p sqrt cbrt
                                                    fabs floor ceil trunc roundeven erf erfc gamma lgamma
math.<binary>                   (fN, fN) -> fN      atan2 hypot copysign pow fmod
math.isnan/isinf/isfinite       fN -> bool
math.check {overflow}           (result, args...)   no results. Raises ValueError("math domain error") if
                                                    result is nan and no arg is; if result is inf and every
                                                    arg finite, raises OverflowError("math range error")
                                                    when overflow is true, else ValueError("math domain error")
cf.assert {exc, msg}            (bool, i64...)      no results: raise builtin exception `exc`(msg) if false;
                                                    each `{}` in msg is replaced by the next i64 operand
                                                    (printed in decimal), e.g. "index {} is out of bounds
                                                    for axis {} with size {}"
cf.raise {exc, msg}             (i64|f64|bool...)   no results, never returns: raise builtin exception
                                                    `exc`(msg.format(*operands)); msg is a str.format
                                                    template (constant braces doubled) whose fields may
                                                    carry a format spec or !r/!s (e.g. "x = {:.3f}"),
                                                    formatted in Python as CPython would (bools print
                                                    True/False). The region it is in still ends in its
                                                    usual terminator: code after cf.raise is unreachable
                                                    (the backend lowers it to a return of the error
                                                    status, then continues in a dead block). `raise`,
                                                    `assert` (frontend/raises.py); no try/except yet.
scf.try {catch}                 -> (T...)           regions body, handler_1..handler_n: try/except. catch is
                                                    "A,B|C|BaseException": per handler the builtin exception
                                                    classes it catches ('|' between handlers). The body (no
                                                    args) ends in scf.yield of the results; an exception
                                                    raised in it (any non-zero status) runs the first handler
                                                    whose classes match (issubclass), else propagates. Each
                                                    handler takes the state S (block args, the same types in
                                                    every handler: the values last stored by scf.try_state)
                                                    and ends in scf.yield of the results.
scf.try_state {depth}           (S...)              no results: record the values the handlers of the
                                                    enclosing scf.try `depth` levels out (0: innermost whose
                                                    body holds this op) receive if an exception happens after
                                                    this point
cf.reraise                      ()                  re-raise the exception the innermost enclosing handler
                                                    caught (never returns; like cf.raise)
cf.poison                       () -> T             a value of any type on a path that never continues (after
                                                    cf.raise / cf.reraise, where a region must still yield)
tuple.make                      (T1..Tn) -> tuple<T1..Tn>
tuple.get {index}               tuple -> T_index
none.make                       () -> none          the None value: a hole in a derivative's structure (the
                                                    tangent of an int inside a tuple or record); an empty
                                                    struct in LLVM, boxed to Python's None
func.call {callee}              args -> R           calls a function of the same module; may raise
                                                    (propagates the callee's exception); none result: 0 results
func.return                     value?              terminator of a function body (no operand for none)
scf.if                          bool -> (T...)      regions then, else; each ends in scf.yield of the results
scf.for                         (lb, ub, step: i64, inits...) -> (carried...)
                                                    Python range(lb, ub, step) semantics, step != 0
                                                    (guarded); body block args: (iv: i64, carried...),
                                                    ends in scf.yield of the carried types
scf.while                       (inits...) -> (fwd...)
                                                    region before: args = carried, ends in
                                                    scf.condition(cond, fwd...); region after: args = fwd
                                                    types, ends in scf.yield of carried; results = fwd at exit
scf.yield / scf.condition       terminators of scf regions

Arrays (typed; docs/arrays.md has the runtime layout and the ownership rules). Every op whose
result is an array returns an OWNED reference; ir/passes/ownership.py (run last) inserts
array.retain / array.release so that each reference is released exactly once. Indices reaching
these ops are already normalized and checked (type inference emits the IndexError checks).
array.dim {axis}                array -> i64        the extent of one axis
array.load                      (array, i64 * ndim) -> dtype
array.store                     (dtype, array, i64 * ndim)   no results
array.alloc                     (i64 * ndim) -> array<T, ndim, C>   uninitialized, extents >= 0
array.subview {kinds}           (array, operands...) -> array<T, m, L>
                                a view sharing memory. `kinds` has one letter per entry: 'i' an
                                integer index into the next source axis (1 operand, in range), 's'
                                a slice of the next source axis (3 operands: start, count, step;
                                start in range when count > 0, count >= 0, step != 0), 'n' a new axis
                                of extent 1 (0 operands); source axes not covered are kept whole
array.transpose                 array -> array      axes reversed (C <-> F)
array.reshape                   (array<T, n, C>, i64 * m) -> array<T, m, C>
                                a C-contiguous view of the same memory with the given extents
                                (>= 0, their product equal to the source's size: checked before)
array.retain / array.release    array               no results: reference counting (ownership pass)
array.map                       (operands...) -> array<T, n, C>
                                elementwise: operands are arrays or scalars; NumPy broadcasting of
                                the array operands' shapes (ValueError "operands could not be
                                broadcast together with shapes ..." at run time); one region whose
                                block takes one scalar per operand (the element type, or the scalar)
                                and ends in array.yield of the result element. The region is pure.
array.assign                    (dest array, operands...)   no results: like array.map but writes
                                into dest; operands broadcast to dest's shape (ValueError otherwise)
array.reduce {axis}             (array, init) -> T or array
                                region (acc: T, x: dtype) -> array.yield T; axis -1 reduces every
                                element to a scalar, axis k >= 0 gives an array without axis k
array.yield                     terminator of array.map / array.assign / array.reduce regions

Complex numbers (cN holds two f(N/2) parts: c128 = {f64 re, f64 im}, c64 = {f32, f32}).
CPython's scalar semantics and NumPy's element semantics differ only in division:
complex.make                    (fN, fN) -> c(2N)   re + im*j
complex.re / complex.im         cN -> f(N/2)        one part
complex.add/sub/mul             (cN, cN) -> cN      componentwise / (ac - bd) + (ad + bc)j, no special
                                                    handling of infinities (as CPython and NumPy)
complex.neg / complex.conj      cN -> cN            -z / re - im*j
complex.div                     (cN, cN) -> cN      CPython's quotient (Smith's method, dividing by the
                                                    scaled denominator); divisor != 0 guarded by
                                                    cf.assert; a nan divisor part gives nan+nanj
complex.npdiv                   (cN, cN) -> cN      NumPy's quotient (Smith's method, multiplying by
                                                    the reciprocal); a zero divisor gives re/0, im/0
complex.abs                     cN -> f(N/2)        hypot(re, im) (inf if either part is inf)
array.real / array.imag         array<cN, n, L> -> array<f(N/2), n, A>
                                a view of one part of every element (same byte strides, data
                                offset by 0 or N/16 bytes); readonly stays readonly

Untyped ops (frontend output, all removed by type inference; results are `?` unless known):
py.add sub mul truediv floordiv mod pow lshift rshift bitand bitor bitxor   binary operators
                                                   matmul (a @ b); {inplace = true} marks x op= y
py.neg pos invert not                                                       unary operators
py.lt le gt ge eq ne                                                        comparisons -> bool
py.truth                                                                    bool(x) for a condition
py.abs int float bool round(1-2 operands) min max(n >= 2) divmod            builtins
py.complex (0-2 operands: real, imag)                                       complex(re, im)
py.getitem (obj, index...)  py.setitem (obj, value, index...)                subscripts; one operand per
                                                                            index element (py.slice,
                                                                            py.none = newaxis, py.ellipsis)
py.getattr {name}  py.callmethod {name, kwnames} (obj, args..., kwargs...)  attributes and methods
py.npcall {fn, kwnames} (args..., kwargs...)                                numpy.<fn> (fn may be dotted:
                                                                            "linalg.norm"); kwnames is a
                                                                            comma-separated list naming the
                                                                            trailing operands
py.dtype {dtype}  py.none  py.ellipsis  py.slice (start, stop, step)  py.len     literals and helpers
py.str {value}                                                              a string literal that is a direct
                                                                            argument of a numpy call or method
                                                                            (kind='stable', ord='fro')
py.ndindex_size (shape)  py.ndindex_get (shape, k)                            `for idx in np.ndindex(shape)`:
                                                                            the number of index tuples, and
                                                                            the k-th one (row-major) as a
                                                                            tuple of i64
py.in (item, container)                                                     `item in container` -> bool
py.undef                                                                    a variable unassigned on
                                                                            some path (typeinfer makes it
                                                                            a zero of the merged type)
py.raise {exc, msg} (values...)                                             `raise exc(msg)`: msg as cf.raise's;
                                                                            typeinfer widens ints to i64
                                                                            and floats to f64 (cf.raise)
math.* and func.call and tuple.* also appear with `?` types before inference.

Records (a dict with string keys known at compile time; docs/language.md "Dicts with literal
keys"). A record is a value (a struct, like a tuple): writes are functional updates.
record.make {keys}              (T1..Tn) -> record<k1: T1, ..., kn: Tn>
                                keys: the key strings joined by "," (keys hold no comma)
record.get {key}                record -> T_key     the value of a key the record has
record.set {key}                (record, T) -> record
                                the same record with `key` bound to the value: an existing key
                                takes the value's type (in place, same position); a new key is
                                appended
record.has {key}                (untyped) `"key" in d`; typeinfer folds it to a bool constant
The frontend emits record.make / record.set / record.has with `?` types; reads are
`py.getitem (d, py.str)` and `d.get("k", x)` is `py.callmethod {name = "get"}`.

Strings (docs/language.md "Strings"). A str value is UTF-8 bytes {ptr data, i64 nbytes},
never owned by compiled code (module constants or a Python argument's UTF-8 buffer): no
reference counting. A string literal is a compile-time `py.str` until a run-time value is
needed (typeinfer/strings.py).
str.constant {value}            : str               a string constant (value: a Python str)
str.eq                          (str, str) -> bool  equal bytes (same length, memcmp)
str.lt                          (str, str) -> bool  bytewise less-than (= code point order)
str.len                         str -> i64          number of code points
str.hash                        str -> i64          64-bit hash of the bytes (equal strings hash equal;
                                                    not Python's hash())
cf.raise operands may also be str (the message formats it as CPython formats a str).

Lists (docs/containers.md). A list<T> value is a pointer to a runtime object {refcount,
len, cap, items}; copying the value shares the object (Python's reference semantics). Like
arrays, an op making a list returns an OWNED reference and the ownership pass inserts
list.retain / list.release. Elements that hold references (arrays, lists, tuples of them)
are owned by the list: list.set / list.append consume the stored value, list.get returns a
borrowed element (the ownership pass retains it at once), and a list releases its elements
when it is freed. Indices reaching these ops are normalized and checked already. None of
them is pure: a list is mutable memory.
list.new                        i64 -> list<T>      an empty list with room for that many elements
                                                    (MemoryError if the allocation fails)
list.len                        list -> i64
list.get                        (list<T>, i64) -> T
list.set                        (T, list<T>, i64)   no results: replaces (and releases) element i
list.append                     (list<T>, T)        no results: grows the list (capacity doubles)
list.resize                     (list, i64)         no results: sets the length (>= 0); new slots are
                                                    zero bytes, dropped elements are released
list.to_array                   list<T> -> array<T, 1, C>   a new uninitialized array of the list's
                                                    length (T a scalar; the library fills it)
list.retain / list.release      list                reference counting (ownership pass)
py.list (elems...)              (untyped) a new list of the operands; the element type comes from
                                every store into the list (typeinfer/sites.py)
py.delitem (container, index...)  (untyped) `del container[index]`

Dicts with keys known at run time (docs/containers.md): a dict<K, V> value is its five lists
(keys: list<K>, values: list<V>, hashes, table, meta: list<i64>), a struct of five list
references; the hash map itself is Python compiled by ember (typeinfer/dictlib.py).
dict.new                        -> dict<K, V>       an empty dict (five empty lists)
dict.parts                      dict<K, V> -> tuple<list<K>, list<V>, list<i64>, list<i64>, list<i64>>
                                its lists, BORROWED from the dict (the ownership pass neither
                                retains nor releases them: library code reads a dict argument)
dict.retain / dict.release      dict                reference counting (each of its lists)
hash.of                         T -> i64            a hash of an int, bool or float (equal values
                                                    equal hashes; -0.0 as 0.0); any i64
py.dict (k1, v1, k2, v2, ...)   (untyped) a new runtime dict of those pairs
py.iterable (x)                 (untyped) what `for v in x` walks when x is a parameter used as
                                a runtime dict: a dict's keys (a list snapshot), any other x itself
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .core import Operation
from .types import (BOOL, BOTTOM, F64, I64, STR, UNKNOWN, ArrayType, DictType, ListType, NoneType,
                    RecordType, ScalarType, TupleType, Type)

Check = Callable[[Operation], "str | None"]


@dataclass(frozen=True)
class OpDef:
    """What the verifier and the passes know about an op name.

    operands: exact count, or (min, max) with max None for unbounded.
    pure: no side effect and cannot raise (DCE may drop it, CSE may merge it).
    typed: the backend lowers it (it may appear after type inference).
    check: type rule for typed IR; returns an error message or None.
    """

    name: str
    operands: int | tuple[int, int | None]
    results: int | tuple[int, int | None]
    regions: int = 0
    terminator: bool = False
    pure: bool = True
    typed: bool = True
    attrs: tuple[str, ...] = ()
    check: Check | None = None


OPS: dict[str, OpDef] = {}


def _def(name: str, operands, results, **kw) -> None:
    OPS[name] = OpDef(name, operands, results, **kw)


def _known(t: Type) -> bool:
    return t is not UNKNOWN and t is not BOTTOM and t != UNKNOWN and t != BOTTOM


def _sc(t: Type, *kinds: str) -> bool:
    return isinstance(t, ScalarType) and t.kind in kinds


def _same(kinds: str) -> Check:
    """All operands and the result share one scalar type whose kind is in `kinds`."""
    def check(op: Operation) -> str | None:
        types = [v.type for v in op.operands] + [r.type for r in op.results]
        first = types[0]
        if not _sc(first, *kinds):
            return f"{op.name} needs {kinds!r}-kind scalars, got {first}"
        for t in types[1:]:
            if t != first:
                return f"{op.name} operand/result types differ: {first} vs {t}"
        return None
    return check


def _cmp(kinds: str, preds: set[str], mixed: bool = False) -> Check:
    def check(op: Operation) -> str | None:
        a, b = (v.type for v in op.operands)
        if op.results[0].type != BOOL:
            return f"{op.name} result must be bool, got {op.results[0].type}"
        if op.attributes.get("predicate") not in preds:
            return f"{op.name} bad predicate {op.attributes.get('predicate')!r}"
        if mixed:
            if not (_sc(a, "i", "u") and _sc(b, "f")):
                return f"{op.name} needs (int, float) operands, got ({a}, {b})"
            return None
        if a != b or not _sc(a, *kinds):
            return f"{op.name} operands must be one {kinds!r}-kind type, got ({a}, {b})"
        return None
    return check


def _cast(src: str, dst: str, widen: int = 0) -> Check:
    """widen: +1 result strictly wider, -1 strictly narrower, 0 any."""
    def check(op: Operation) -> str | None:
        s, d = op.operands[0].type, op.results[0].type
        if not (_sc(s, *src) and _sc(d, *dst)):
            return f"{op.name} cannot cast {s} to {d}"
        if widen > 0 and not d.bits > s.bits:  # type: ignore[union-attr]
            return f"{op.name} must widen: {s} to {d}"
        if widen < 0 and not d.bits < s.bits:  # type: ignore[union-attr]
            return f"{op.name} must narrow: {s} to {d}"
        return None
    return check


def _pred(op: Operation) -> str | None:
    if not _sc(op.operands[0].type, "f"):
        return f"{op.name} needs a float operand, got {op.operands[0].type}"
    if op.results[0].type != BOOL:
        return f"{op.name} result must be bool, got {op.results[0].type}"
    return None


def _constant(op: Operation) -> str | None:
    v = op.attributes.get("value")
    t = op.results[0].type
    if not isinstance(t, ScalarType):
        return f"arith.constant must be scalar, got {t}"
    if t.is_bool and not isinstance(v, bool):
        return f"arith.constant of bool needs true/false, got {v!r}"
    if t.is_int and (isinstance(v, bool) or not isinstance(v, int)):
        return f"arith.constant of {t} needs an int value, got {v!r}"
    if t.is_float and not isinstance(v, float):
        return f"arith.constant of {t} needs a float value, got {v!r}"
    return None


def _select(op: Operation) -> str | None:
    c, a, b = (v.type for v in op.operands)
    if c != BOOL:
        return f"arith.select condition must be bool, got {c}"
    if not (a == b == op.results[0].type):
        return f"arith.select arms and result differ: {a}, {b} -> {op.results[0].type}"
    return None


def _assert(op: Operation) -> str | None:
    if op.operands[0].type != BOOL:
        return f"cf.assert condition must be bool, got {op.operands[0].type}"
    msg = op.attributes.get("msg")
    if not isinstance(op.attributes.get("exc"), str) or not isinstance(msg, str):
        return "cf.assert needs string attributes exc and msg"
    if any(v.type != I64 for v in op.operands[1:]):
        return "cf.assert message arguments must be i64"
    if msg.count("{}") != len(op.operands) - 1:
        return f"cf.assert message has {msg.count('{}')} placeholders for {len(op.operands) - 1} arguments"
    return None


def _raise(op: Operation) -> str | None:
    msg = op.attributes.get("msg")
    if not isinstance(op.attributes.get("exc"), str) or not isinstance(msg, str):
        return "cf.raise needs string attributes exc and msg"
    if any(v.type not in (I64, F64, BOOL, STR) for v in op.operands):
        return "cf.raise message arguments must be i64, f64, bool or str"
    return None


def _array_operand(op: Operation) -> str | None:
    if not isinstance(op.operands[0].type, ArrayType):
        return f"{op.name} needs an array operand, got {op.operands[0].type}"
    return None


def _array_dim(op: Operation) -> str | None:
    t = op.operands[0].type
    ax = op.attributes.get("axis")
    if not isinstance(t, ArrayType) or not isinstance(ax, int) or not 0 <= ax < t.ndim:
        return f"array.dim axis {ax!r} invalid for {t}"
    if op.results[0].type != I64:
        return "array.dim result must be i64"
    return None


def _array_load(op: Operation) -> str | None:
    t = op.operands[0].type
    if not isinstance(t, ArrayType) or len(op.operands) != 1 + t.ndim:
        return f"array.load needs an array and one index per axis, got {t} and {len(op.operands) - 1}"
    if any(v.type != I64 for v in op.operands[1:]):
        return "array.load indices must be i64"
    if op.results[0].type != t.dtype:
        return f"array.load result {op.results[0].type} is not the element type {t.dtype}"
    return None


def _array_store(op: Operation) -> str | None:
    v, t = op.operands[0].type, op.operands[1].type
    if not isinstance(t, ArrayType) or len(op.operands) != 2 + t.ndim:
        return f"array.store needs a value, an array and one index per axis, got {t}"
    if t.readonly:
        return f"array.store into a readonly array {t}"
    if any(x.type != I64 for x in op.operands[2:]):
        return "array.store indices must be i64"
    if v != t.dtype:
        return f"array.store value {v} is not the element type {t.dtype}"
    return None


def _array_alloc(op: Operation) -> str | None:
    t = op.results[0].type
    if not isinstance(t, ArrayType) or t.layout != "C" or t.readonly or len(op.operands) != t.ndim:
        return f"array.alloc makes a writable C array with one extent per axis, got {t}"
    if any(v.type != I64 for v in op.operands):
        return "array.alloc extents must be i64"
    return None


def _array_subview(op: Operation) -> str | None:
    t, r = op.operands[0].type, op.results[0].type
    kinds = op.attributes.get("kinds")
    if not isinstance(t, ArrayType) or not isinstance(r, ArrayType) or not isinstance(kinds, str):
        return "array.subview needs an array operand and result and a kinds string"
    if set(kinds) - set("isn"):
        return f"array.subview kinds {kinds!r} may only use i, s, n"
    used = kinds.count("i") + kinds.count("s")
    if used > t.ndim:
        return f"array.subview indexes {used} axes of {t}"
    if len(op.operands) != 1 + kinds.count("i") + 3 * kinds.count("s"):
        return f"array.subview operand count does not match kinds {kinds!r}"
    if r.ndim != t.ndim - kinds.count("i") + kinds.count("n") or r.dtype != t.dtype:
        return f"array.subview result {r} does not fit {t} with kinds {kinds!r}"
    if t.readonly and not r.readonly:
        return "array.subview of a readonly array stays readonly"
    return None


def _array_transpose(op: Operation) -> str | None:
    t, r = op.operands[0].type, op.results[0].type
    if not isinstance(t, ArrayType) or not isinstance(r, ArrayType) or (t.dtype, t.ndim, t.readonly) != (r.dtype, r.ndim, r.readonly):
        return f"array.transpose cannot turn {t} into {r}"
    return None


def _array_reshape(op: Operation) -> str | None:
    t, r = op.operands[0].type, op.results[0].type
    if not isinstance(t, ArrayType) or not isinstance(r, ArrayType) or t.layout != "C" \
            or r.layout != "C" or t.dtype != r.dtype or t.readonly > r.readonly:
        return f"array.reshape makes a C view of a C array of the same dtype, got {t} -> {r}"
    if len(op.operands) != 1 + r.ndim or any(v.type != I64 for v in op.operands[1:]):
        return f"array.reshape needs one i64 extent per axis of {r}"
    return None


def _math_check(op: Operation) -> str | None:
    for v in op.operands:
        if not _sc(v.type, "f"):
            return f"math.check operands must be floats, got {v.type}"
    if not isinstance(op.attributes.get("overflow"), bool):
        return "math.check needs a bool attribute overflow"
    return None


def _tuple_make(op: Operation) -> str | None:
    t = op.results[0].type
    if not isinstance(t, TupleType) or list(t.elements) != [v.type for v in op.operands]:
        return f"tuple.make result {t} does not match operands {[str(v.type) for v in op.operands]}"
    return None


def _none_make(op: Operation) -> str | None:
    if not isinstance(op.results[0].type, NoneType):
        return f"none.make result must be none, got {op.results[0].type}"
    return None


def _tuple_get(op: Operation) -> str | None:
    t = op.operands[0].type
    i = op.attributes.get("index")
    if not isinstance(t, TupleType) or not isinstance(i, int) or not 0 <= i < len(t.elements):
        return f"tuple.get index {i!r} invalid for {t}"
    if t.elements[i] != op.results[0].type:
        return f"tuple.get result {op.results[0].type} is not element {i} of {t}"
    return None


def _i64_operands(n: int) -> Check:
    def check(op: Operation) -> str | None:
        for v in op.operands[:n]:
            if v.type != I64:
                return f"{op.name} bound must be i64, got {v.type}"
        return None
    return check


def _try(op: Operation) -> str | None:
    catch = op.attributes.get("catch")
    if not isinstance(catch, str) or len(catch.split("|")) != len(op.regions) - 1:
        return "scf.try needs a string attribute catch with one clause per handler region"
    state = [a.type for a in op.regions[1].block.args] if len(op.regions) > 1 else []
    for r in op.regions[1:]:
        if [a.type for a in r.block.args] != state:
            return "scf.try handler regions must take the same state arguments"
    return None


def _try_state(op: Operation) -> str | None:
    if not isinstance(op.attributes.get("depth"), int):
        return "scf.try_state needs an int attribute depth"
    return None


def _cond(op: Operation) -> str | None:
    if op.operands[0].type != BOOL:
        return f"{op.name} condition must be bool, got {op.operands[0].type}"
    return None


# ---- typed ops -------------------------------------------------------------
_def("arith.constant", 0, 1, attrs=("value",), check=_constant)
for _n in ("addi", "subi", "muli", "floordivsi", "floormodsi", "shli", "shrsi", "powi"):
    _def(f"arith.{_n}", 2, 1, check=_same("iu"))
for _n in ("addf", "subf", "mulf", "divf", "floordivf", "floormodf", "powf"):
    _def(f"arith.{_n}", 2, 1, check=_same("f"))
_def("arith.negf", 1, 1, check=_same("f"))
for _n in ("maximumf", "minimumf"):  # np.maximum/np.minimum (typeinfer/array_ufuncs.py)
    _def(f"arith.{_n}", 2, 1, check=_same("f"))
for _n in ("andi", "ori", "xori"):
    _def(f"arith.{_n}", 2, 1, check=_same("iub"))
_def("arith.cmpi", 2, 1, attrs=("predicate",),
     check=_cmp("iub", {"eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge"}))
_def("arith.cmpf", 2, 1, attrs=("predicate",),
     check=_cmp("f", {"oeq", "one", "olt", "ole", "ogt", "oge", "ueq", "une", "ult", "ule",
                      "ugt", "uge", "ord", "uno"}))
_def("arith.cmpif", 2, 1, attrs=("predicate",),
     check=_cmp("", {"eq", "ne", "lt", "le", "gt", "ge"}, mixed=True))
_def("arith.select", 3, 1, check=_select)
_def("arith.sitofp", 1, 1, check=_cast("i", "f"))
_def("arith.uitofp", 1, 1, check=_cast("ub", "f"))
_def("arith.fptosi", 1, 1, check=_cast("f", "i"))
_def("arith.extsi", 1, 1, check=_cast("i", "i", 1))
_def("arith.extui", 1, 1, check=_cast("ub", "iu", 1))
_def("arith.trunci", 1, 1, check=_cast("iu", "iub", -1))
_def("arith.extf", 1, 1, check=_cast("f", "f", 1))
_def("arith.truncf", 1, 1, check=_cast("f", "f", -1))

MATH_UNARY = ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
              "acosh", "atanh", "exp", "expm1", "exp2", "log", "log2", "log10", "log1p", "sqrt",
              "cbrt", "fabs", "floor", "ceil", "trunc", "roundeven", "erf", "erfc", "gamma",
              "lgamma")
MATH_BINARY = ("atan2", "hypot", "copysign", "pow", "fmod")
for _n in MATH_UNARY:
    _def(f"math.{_n}", 1, 1, check=_same("f"))
for _n in MATH_BINARY:
    _def(f"math.{_n}", 2, 1, check=_same("f"))
for _n in ("isnan", "isinf", "isfinite"):
    _def(f"math.{_n}", 1, 1, check=_pred)
_def("math.check", (1, None), 0, pure=False, attrs=("overflow",), check=_math_check)
_def("cf.assert", (1, None), 0, pure=False, attrs=("exc", "msg"), check=_assert)
_def("cf.raise", (0, None), 0, pure=False, attrs=("exc", "msg"), check=_raise)
_def("array.dim", 1, 1, attrs=("axis",), check=_array_dim)
_def("array.load", (1, None), 1, check=_array_load)
_def("array.store", (2, None), 0, pure=False, check=_array_store)
_def("array.alloc", (0, None), 1, pure=False, check=_array_alloc)
_def("array.subview", (1, None), 1, attrs=("kinds",), check=_array_subview)
_def("array.transpose", 1, 1, check=_array_transpose)
_def("array.reshape", (1, None), 1, check=_array_reshape)
_def("array.retain", 1, 0, pure=False, check=_array_operand)
_def("array.release", 1, 0, pure=False, check=_array_operand)
_def("array.map", (0, None), 1, regions=1, pure=False)
_def("array.assign", (1, None), 0, regions=1, pure=False, check=_array_operand)
_def("array.reduce", 2, 1, regions=1, pure=False, attrs=("axis",), check=_array_operand)
_def("array.yield", 1, 0, terminator=True, pure=False)
_def("tuple.make", (0, None), 1, check=_tuple_make)
_def("tuple.get", 1, 1, attrs=("index",), check=_tuple_get)
_def("none.make", 0, 1, check=_none_make)
_def("func.call", (0, None), (0, 1), pure=False, attrs=("callee",))
_def("func.return", (0, 1), 0, terminator=True, pure=False)
_def("scf.if", 1, (0, None), regions=2, pure=False, check=_cond)
_def("scf.for", (3, None), (0, None), regions=1, pure=False, check=_i64_operands(3))
_def("scf.while", (0, None), (0, None), regions=2, pure=False)
# try/except (frontend/trys.py, backend/lower_try.py)
_def("scf.try", 0, (0, None), regions=(1, None), pure=False, attrs=("catch",), check=_try)
_def("scf.try_state", (0, None), 0, pure=False, attrs=("depth",), check=_try_state)
_def("cf.reraise", 0, 0, pure=False)
_def("cf.poison", 0, 1)
_def("scf.yield", (0, None), 0, terminator=True, pure=False)
_def("scf.condition", (1, None), 0, terminator=True, pure=False, check=_cond)

# ---- complex ----------------------------------------------------------------
def _part(c: Type) -> "ScalarType | None":
    """The part type of a complex scalar type (c128 -> f64), None if not complex."""
    if not _sc(c, "c"):
        return None
    return ScalarType("f", c.bits // 2)  # type: ignore[union-attr]


def _complex_make(op: Operation) -> str | None:
    a, b = (v.type for v in op.operands)
    part = _part(op.results[0].type)
    if part is None or a != part or b != part:
        return f"complex.make needs two {part or 'float'} parts for {op.results[0].type}, got ({a}, {b})"
    return None


def _complex_part(op: Operation) -> str | None:
    part = _part(op.operands[0].type)
    if part is None or op.results[0].type != part:
        return f"{op.name} cannot take a {op.results[0].type} part of {op.operands[0].type}"
    return None


def _array_part(op: Operation) -> str | None:
    t, r = op.operands[0].type, op.results[0].type
    if not isinstance(t, ArrayType) or not isinstance(r, ArrayType):
        return f"{op.name} needs an array operand and result"
    want = ArrayType(_part(t.dtype), t.ndim, "A", t.readonly) if _part(t.dtype) else None
    if r != want:
        return f"{op.name} of {t} must give {want}, got {r}"
    return None


_def("complex.make", 2, 1, check=_complex_make)
_def("complex.re", 1, 1, check=_complex_part)
_def("complex.im", 1, 1, check=_complex_part)
_def("complex.abs", 1, 1, check=_complex_part)
for _n in ("add", "sub", "mul", "div", "npdiv"):
    _def(f"complex.{_n}", 2, 1, check=_same("c"))
for _n in ("neg", "conj"):
    _def(f"complex.{_n}", 1, 1, check=_same("c"))
_def("array.real", 1, 1, check=_array_part)
_def("array.imag", 1, 1, check=_array_part)

# ---- untyped ops (frontend only) ---------------------------------------------
PY_BINARY = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift",
             "bitand", "bitor", "bitxor", "matmul")
PY_UNARY = ("neg", "pos", "invert", "not")
PY_COMPARE = ("lt", "le", "gt", "ge", "eq", "ne")
for _n in PY_BINARY + PY_COMPARE:
    _def(f"py.{_n}", 2, 1, typed=False)
for _n in PY_UNARY + ("truth", "abs", "int", "float", "bool"):
    _def(f"py.{_n}", 1, 1, typed=False)
_def("py.round", (1, 2), 1, typed=False)
_def("py.complex", (0, 2), 1, typed=False)
_def("py.min", (2, None), 1, typed=False)
_def("py.max", (2, None), 1, typed=False)
_def("py.divmod", 2, 1, typed=False)
_def("py.undef", 0, 1, typed=False)
_def("py.raise", (0, None), 0, pure=False, typed=False, attrs=("exc", "msg"))
_def("py.getitem", (2, None), 1, typed=False)
_def("py.setitem", (3, None), 0, pure=False, typed=False)
_def("py.getattr", 1, 1, typed=False, attrs=("name",))
_def("py.callmethod", (1, None), 1, pure=False, typed=False, attrs=("name", "kwnames"))
_def("py.npcall", (0, None), 1, pure=False, typed=False, attrs=("fn", "kwnames"))
_def("py.dtype", 0, 1, typed=False, attrs=("dtype",))
_def("py.str", 0, 1, typed=False, attrs=("value",))
_def("py.none", 0, 1, typed=False)
_def("py.ellipsis", 0, 1, typed=False)
_def("py.slice", 3, 1, typed=False)
_def("py.len", 1, 1, typed=False)
_def("py.ndindex_size", 1, 1, typed=False)
_def("py.ndindex_get", 2, 1, typed=False)
_def("py.in", 2, 1, typed=False)  # `item in container` (not in: py.not of it)
_def("py.list", (0, None), 1, pure=False, typed=False)
_def("py.delitem", (2, None), 0, pure=False, typed=False)
_def("py.dict", (0, None), 1, pure=False, typed=False)
_def("py.iterable", 1, 1, typed=False)


# ---- lists --------------------------------------------------------------------
def _list_of(t: Type) -> Type | None:
    return t.elem if isinstance(t, ListType) else None


def _list_new(op: Operation) -> str | None:
    if op.operands[0].type != I64 or _list_of(op.results[0].type) is None:
        return f"list.new needs an i64 capacity and a list result, got {op.operands[0].type} -> {op.results[0].type}"
    return None


def _list_operand(op: Operation) -> str | None:
    if _list_of(op.operands[0].type) is None:
        return f"{op.name} needs a list operand, got {op.operands[0].type}"
    return None


def _list_len(op: Operation) -> str | None:
    return _list_operand(op) or (None if op.results[0].type == I64 else "list.len gives i64")


def _list_get(op: Operation) -> str | None:
    bad = _list_operand(op)
    if bad or op.operands[1].type != I64 or op.results[0].type != _list_of(op.operands[0].type):
        return bad or f"list.get of {op.operands[0].type} at {op.operands[1].type} cannot give {op.results[0].type}"
    return None


def _list_set(op: Operation) -> str | None:
    v, lst, i = (x.type for x in op.operands)
    if _list_of(lst) != v or i != I64:
        return f"list.set needs (T, list<T>, i64), got ({v}, {lst}, {i})"
    return None


def _list_append(op: Operation) -> str | None:
    lst, v = (x.type for x in op.operands)
    if _list_of(lst) != v:
        return f"list.append needs (list<T>, T), got ({lst}, {v})"
    return None


def _list_resize(op: Operation) -> str | None:
    return _list_operand(op) or (None if op.operands[1].type == I64 else "list.resize needs an i64 length")


def _list_to_array(op: Operation) -> str | None:
    e, r = _list_of(op.operands[0].type), op.results[0].type
    if not isinstance(e, ScalarType) or r != ArrayType(e, 1, "C"):
        return f"list.to_array of {op.operands[0].type} cannot give {r}"
    return None


_def("list.new", 1, 1, pure=False, check=_list_new)
_def("list.len", 1, 1, pure=False, check=_list_len)
_def("list.get", 2, 1, pure=False, check=_list_get)
_def("list.set", 3, 0, pure=False, check=_list_set)
_def("list.append", 2, 0, pure=False, check=_list_append)
_def("list.resize", 2, 0, pure=False, check=_list_resize)
_def("list.to_array", 1, 1, pure=False, check=_list_to_array)
_def("list.retain", 1, 0, pure=False, check=_list_operand)


# ---- dicts ------------------------------------------------------------------------------
def _dict_parts_type(t: Type) -> Type | None:
    if not isinstance(t, DictType):
        return None
    return TupleType((ListType(t.key), ListType(t.value), ListType(I64), ListType(I64), ListType(I64)))


def _dict_new(op: Operation) -> str | None:
    return None if isinstance(op.results[0].type, DictType) else "dict.new gives a dict"


def _dict_operand(op: Operation) -> str | None:
    return None if isinstance(op.operands[0].type, DictType) else f"{op.name} needs a dict operand"


def _dict_parts(op: Operation) -> str | None:
    want = _dict_parts_type(op.operands[0].type)
    if want is None or op.results[0].type != want:
        return f"dict.parts of {op.operands[0].type} cannot give {op.results[0].type}"
    return None


def _hash_of(op: Operation) -> str | None:
    t = op.operands[0].type
    if not (isinstance(t, ScalarType) and not t.is_complex) or op.results[0].type != I64:
        return f"hash.of takes an int, bool or float and gives i64, not {t}"
    return None


_def("dict.new", 0, 1, pure=False, check=_dict_new)
_def("dict.parts", 1, 1, pure=False, check=_dict_parts)
_def("dict.retain", 1, 0, pure=False, check=_dict_operand)
_def("dict.release", 1, 0, pure=False, check=_dict_operand)
_def("hash.of", 1, 1, check=_hash_of)
_def("list.release", 1, 0, pure=False, check=_list_operand)


# ---- records ------------------------------------------------------------------
def record_keys(attr: object) -> tuple[str, ...]:
    """The keys of a `record.make {keys}` attribute."""
    return tuple(str(attr).split(",")) if attr != "" else ()


def _record_make(op: Operation) -> str | None:
    t = op.results[0].type
    keys = record_keys(op.attributes.get("keys"))
    if (not isinstance(t, RecordType) or t.keys != keys
            or list(t.types) != [v.type for v in op.operands]):
        return (f"record.make result {t} does not match keys {list(keys)} and operands "
                f"{[str(v.type) for v in op.operands]}")
    return None


def _record_get(op: Operation) -> str | None:
    t = op.operands[0].type
    key = op.attributes.get("key")
    if not isinstance(t, RecordType) or not isinstance(key, str) or key not in t.keys:
        return f"record.get key {key!r} invalid for {t}"
    if t.field(key) != op.results[0].type:
        return f"record.get result {op.results[0].type} is not the type of key {key!r} in {t}"
    return None


def _record_set(op: Operation) -> str | None:
    t, v = op.operands[0].type, op.operands[1].type
    key = op.attributes.get("key")
    r = op.results[0].type
    if not isinstance(t, RecordType) or not isinstance(key, str):
        return f"record.set needs a record operand and a str key, got {t} and {key!r}"
    if key in t.keys:
        i = t.keys.index(key)
        want = RecordType(t.keys, t.types[:i] + (v,) + t.types[i + 1:])
    else:
        want = RecordType(t.keys + (key,), t.types + (v,))
    if r != want:
        return f"record.set result {r} should be {want}"
    return None


_def("record.make", (0, None), 1, attrs=("keys",), check=_record_make)
_def("record.get", 1, 1, attrs=("key",), check=_record_get)
_def("record.set", 2, 1, attrs=("key",), check=_record_set)
_def("record.has", 1, 1, typed=False, attrs=("key",))


# ---- strings ------------------------------------------------------------------
def _str_sig(n: int, result: Type) -> Check:
    def check(op: Operation) -> str | None:
        if any(v.type != STR for v in op.operands) or op.results[0].type != result:
            return (f"{op.name} needs {n} str operand(s) and gives {result}, got "
                    f"{[str(v.type) for v in op.operands]} -> {op.results[0].type}")
        if op.name == "str.constant" and not isinstance(op.attributes.get("value"), str):
            return f"str.constant needs a str value, got {op.attributes.get('value')!r}"
        return None
    return check


_def("str.constant", 0, 1, attrs=("value",), check=_str_sig(0, STR))
_def("str.eq", 2, 1, check=_str_sig(2, BOOL))
_def("str.lt", 2, 1, check=_str_sig(2, BOOL))
_def("str.len", 1, 1, check=_str_sig(1, I64))
_def("str.hash", 1, 1, check=_str_sig(1, I64))


TYPED: frozenset[str] = frozenset(n for n, d in OPS.items() if d.typed)


def opdef(name: str) -> OpDef:
    """The definition of an op name; KeyError names the unknown op."""
    try:
        return OPS[name]
    except KeyError:
        raise KeyError(f"unknown op {name!r}") from None


def is_pure(op: Operation) -> bool:
    d = OPS.get(op.name)
    return d is not None and d.pure and not op.regions

