"""Linear algebra on 1-D and 2-D arrays: np.dot, np.matmul and `@`, np.outer, np.trace,
np.linalg.norm, and the `a.dot(b)` method.

Products are emitted as scf.for loop nests over array.load / array.store (no BLAS):
2-D @ 2-D runs in i-k-j order so the innermost loop walks a row of the right operand and of
the result (both C-contiguous: an operand of another layout or dtype is first copied into a
C array of the result dtype), which LLVM vectorizes. Sums run in loop order, so floating
results differ from NumPy's (BLAS, pairwise) in the last bits; integer results wrap exactly
as NumPy's do. Result dtype is NumPy's promotion of the operand dtypes; element arithmetic is
NumPy's (bool: `and` / `or`). Shape mismatches raise NumPy's ValueError messages at run time.
"""
from __future__ import annotations

import math

from ember.ir.core import Block, Operation, Region, Value
from ember.ir.types import BOOL, F32, F64, I64, NONE, ArrayType, ScalarType, Type

from . import array_emit as ae
from .array_reduce import array_reduce, for_loop, result_dtype
from .array_ufuncs import element, np_cast, result_type
from .emit import Emitter
from .npcalls import Call, method, npfunc
from .rules import fail

TILES = (8, 4, 1)  # column tiles of a row of the result (2-D @ 2-D)
LANES = 8  # partial sums of a 1-D inner product
ROWS = 4  # rows of the result computed together (they share the loads of b)
MATMUL_SIG = "(n?,k),(k,m?)->(n?,m?)"
MATMUL_MISMATCH = ("matmul: Input operand 1 has a mismatch in its core dimension 0, with "
                   f"gufunc signature {MATMUL_SIG} (size {{}} is different from {{}})")


def _shape_fmt(n: int) -> str:
    return "({},)" if n == 1 else "(" + ",".join(["{}"] * n) + ")"


def py_type_name(t: Type) -> str:
    """The name Python's TypeError gives a scalar of this type."""
    if isinstance(t, ScalarType):
        if t == BOOL:
            return "bool"
        if t == I64:
            return "int"
        if t == F64:
            return "float"
        if str(t) == "c128":
            return "complex"
        return f"numpy.{ {'i': 'int', 'u': 'uint', 'f': 'float', 'c': 'complex'}[t.kind]}{t.bits}"
    return str(t)


# ---- products: types ----------------------------------------------------------------------
def product_type(op: Operation, fn: str, ta: Type, tb: Type) -> Type:
    """The type of `fn` ("@", "matmul", "dot") of operands of types ta, tb."""
    for t in (ta, tb):
        if not isinstance(t, (ArrayType, ScalarType)):
            raise fail(op, f"unsupported operand type {t} for numpy.{fn}")
        dt = t.dtype if isinstance(t, ArrayType) else t
        if dt.is_complex:
            raise fail(op, f"{fn} of complex arrays is not supported yet")
    if not isinstance(ta, ArrayType) and not isinstance(tb, ArrayType) and fn == "@":
        raise fail(op, f"unsupported operand type(s) for @: '{py_type_name(ta)}' and "
                       f"'{py_type_name(tb)}'")
    if fn == "dot" and (not isinstance(ta, ArrayType) or ta.ndim == 0
                        or not isinstance(tb, ArrayType) or tb.ndim == 0):
        return result_type("multiply", [ta, tb], op)  # np.dot with a scalar multiplies
    for k, t in enumerate((ta, tb)):
        nd = t.ndim if isinstance(t, ArrayType) else 0
        if nd == 0:
            raise fail(op, f"matmul: Input operand {k} does not have enough dimensions (has 0, "
                           f"gufunc core with signature {MATMUL_SIG} requires 1)")
        if nd > 2:
            raise fail(op, f"numpy.{fn} of arrays with more than 2 dimensions is not "
                           "supported yet")
    assert isinstance(ta, ArrayType) and isinstance(tb, ArrayType)
    dt = _dtype(ta, tb, op)
    nd = ta.ndim + tb.ndim - 2
    return dt if nd == 0 else ArrayType(dt, nd, "C")


def _dtype(ta: ArrayType, tb: ArrayType, op: Operation) -> ScalarType:
    rt = result_type("multiply", [ArrayType(ta.dtype, 1, "C"), ArrayType(tb.dtype, 1, "C")], op)
    assert isinstance(rt, ArrayType)
    return rt.dtype


# ---- products: code -----------------------------------------------------------------------
def product(em: Emitter, op: Operation, fn: str, a: Value, b: Value) -> Value:
    rt = product_type(op, fn, a.type, b.type)
    ta, tb = a.type, b.type
    if not (isinstance(ta, ArrayType) and ta.ndim and isinstance(tb, ArrayType) and tb.ndim):
        from .array_math import elementwise
        return elementwise(em, "multiply", [a, b], op)
    dt = rt.dtype if isinstance(rt, ArrayType) else rt
    assert isinstance(dt, ScalarType)
    da, db = ae.shape(em, a), ae.shape(em, b)
    ka, kb = da[-1], db[0]
    ok = em.cmpi("eq", ka, kb)
    if fn == "dot":
        msg = (f"shapes {_shape_fmt(ta.ndim)} and {_shape_fmt(tb.ndim)} not aligned: "
               f"{{}} (dim {ta.ndim - 1}) != {{}} (dim 0)")
        em.b.op("cf.assert", [ok] + da + db + [ka, kb], [], {"exc": "ValueError", "msg": msg})
    else:
        em.b.op("cf.assert", [ok, kb, ka], [], {"exc": "ValueError", "msg": MATMUL_MISMATCH})
    if tb.ndim == 2:
        b = _contiguous(em, b, dt, op)  # the inner loops walk rows of b
    if ta.ndim == 1 and tb.ndim == 1:
        return _inner(em, a, b, ka, dt)
    if ta.ndim == 2 and tb.ndim == 1:
        out = ae.alloc(em, dt, [da[0]])
        def row(e: Emitter, i: Value) -> None:
            s = _inner(e, a, b, ka, dt, lambda k: [i, k])
            e.b.op("array.store", [s, out, i], [])
        ae.for_loop(em, ae.i64(em, 0), da[0], row)
        return out
    m = db[1]
    rows = [da[0]] if ta.ndim == 2 else []
    out = ae.alloc(em, dt, rows + [m])
    if not rows:
        _rows_times_matrix(em, a, [[]], b, out, ka, m, dt)
        return out
    n = rows[0]
    whole = ae.add(em, ae.i64(em, 0), _round_down(em, n, ROWS))

    def block(e: Emitter, i0: Value) -> None:
        leads = [[i0]] + [[ae.add(e, i0, ae.i64(e, d))] for d in range(1, ROWS)]
        _rows_times_matrix(e, a, leads, b, out, ka, m, dt)
    ae.for_loop(em, ae.i64(em, 0), whole, block, step=ae.i64(em, ROWS))
    ae.for_loop(em, whole, n, lambda e, i: _rows_times_matrix(e, a, [[i]], b, out, ka, m, dt))
    return out


def _round_down(em: Emitter, x: Value, k: int) -> Value:
    return em.op("arith.muli", [em.op("arith.floordivsi", [x, ae.i64(em, k)], I64),
                                ae.i64(em, k)], I64)


def _rows_times_matrix(em: Emitter, a: Value, leads: list[list[Value]], b: Value, out: Value,
                       kn: Value, m: Value, dt: ScalarType) -> None:
    """out[r, :] = a[r, :] @ b for the rows r in `leads` (each [] for a 1-D `a`, else [i]);
    b and out are C-contiguous.

    Register tiles: for each block of `width` columns, len(leads) * width accumulators are
    carried through the k loop (b[k, j:j+width] is loaded once for all rows, contiguously,
    and the SLP vectorizer packs the independent chains into vector registers), then stored
    once. Every element is still the sum over k in order, as a plain loop computes it.
    Narrower tiles finish the row."""
    ta = a.type
    assert isinstance(ta, ArrayType)
    start = ae.i64(em, 0)
    for width in TILES:
        stop = ae.add(em, start, _round_down(em, ae.sub(em, m, start), width))

        def tile(e: Emitter, j0: Value, width: int = width) -> None:
            js = [j0] + [ae.add(e, j0, ae.i64(e, d)) for d in range(1, width)]

            def over_k(k: Value, acc: list[Value]) -> list[Value]:
                bk = [e.op("array.load", [b, k, j], dt) for j in js]
                nxt = []
                for r, lead in enumerate(leads):
                    x = np_cast(e, e.op("array.load", [a] + lead + [k], ta.dtype), dt)
                    for c, y in zip(acc[r * width:(r + 1) * width], bk):
                        nxt.append(element(e, "add", [c, element(e, "multiply", [x, y], dt)], dt))
                return nxt
            sums = for_loop(e, kn, [e.const(0, dt)] * (width * len(leads)), over_k)
            for r, lead in enumerate(leads):
                for s, j in zip(sums[r * width:(r + 1) * width], js):
                    e.b.op("array.store", [s, out] + lead + [j], [])
        ae.for_loop(em, start, stop, tile, step=ae.i64(em, width))
        start = stop


def _contiguous(em: Emitter, x: Value, dt: ScalarType, op: Operation) -> Value:
    t = x.type
    assert isinstance(t, ArrayType)
    if t.layout == "C" and t.dtype == dt:
        return x
    from .array_math import copy
    return copy(em, x, dt, op)


def _inner(em: Emitter, a: Value, b: Value, n: Value, dt: ScalarType,
           a_index=lambda k: [k]) -> Value:
    """sum over k < n of a[a_index(k)] * b[k] in dtype dt: LANES partial sums (k mod LANES,
    so the loop vectorizes: floating results differ from a sequential sum in the last bits,
    as BLAS's do) added pairwise at the end."""
    ta, tb = a.type, b.type
    assert isinstance(ta, ArrayType) and isinstance(tb, ArrayType)

    def term(k: Value) -> Value:
        x = np_cast(em, em.op("array.load", [a] + a_index(k), ta.dtype), dt)
        y = np_cast(em, em.op("array.load", [b, k], tb.dtype), dt)
        return element(em, "multiply", [x, y], dt)

    def add(x: Value, y: Value) -> Value:
        return element(em, "add", [x, y], dt)
    whole = _round_down(em, n, LANES)
    lanes = LANES

    def body(k0: Value, acc: list[Value]) -> list[Value]:
        k = ae.mul(em, k0, ae.i64(em, lanes))
        return [add(c, term(ae.add(em, k, ae.i64(em, d)))) for d, c in enumerate(acc)]
    acc = for_loop(em, em.op("arith.floordivsi", [n, ae.i64(em, LANES)], I64),
                   [em.const(0, dt)] * LANES, body)
    while len(acc) > 1:
        acc = [add(acc[i], acc[i + 1]) for i in range(0, len(acc), 2)]

    def rest(e: Emitter, k: Value, carried: list[Value]) -> list[Value]:
        return [add(carried[0], term(k))]
    lb, step = whole, ae.i64(em, 1)
    block = Block([I64, dt])
    with em.b.at(block):
        em.b.op("scf.yield", rest(em, block.args[0], [block.args[1]]), [])
    return em.b.op("scf.for", [lb, n, step, acc[0]], [dt], regions=[Region([block])]).result


def _infer_product(fn: str):
    def infer(call: Call) -> Type:
        x, y = ("x1", "x2") if fn == "matmul" else ("a", "b")
        return product_type(call.op, fn, call.type(x), call.type(y))
    return infer


@npfunc("matmul", infer=_infer_product("matmul"))
def lower_matmul(em: Emitter, call: Call) -> Value:
    return product(em, call.op, "matmul", call.args["x1"], call.args["x2"])


@npfunc("dot", infer=_infer_product("dot"))
def lower_dot(em: Emitter, call: Call) -> Value:
    return product(em, call.op, "dot", call.args["a"], call.args["b"])


method("dot", params=("a", "b"), required=2, infer=_infer_product("dot"))(lower_dot)


def infer_matmul_operator(op: Operation, types: list[Type]) -> list[Type]:
    """`a @ b` (py.matmul; array_ops routes it here)."""
    return [product_type(op, "@", types[0], types[1])]


def lower_matmul_operator(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    r = product(em, op, "@", vals[0], vals[1])
    if op.attributes.get("inplace"):
        from .array_math import assign
        assign(em, vals[0], r, op)
        return [vals[0]]
    return [r]


# ---- outer, trace ---------------------------------------------------------------------------
def _flat(em: Emitter, x: Value) -> Value:
    """x as a 1-D array (a view for 0-d / 1-d, a C copy for more axes)."""
    t = x.type
    if isinstance(t, ScalarType):
        from .creation import filled
        return filled(em, t, [ae.i64(em, 1)], x)
    assert isinstance(t, ArrayType)
    if t.ndim == 1:
        return x
    if t.ndim == 0:
        return em.op("array.subview", [x], ArrayType(t.dtype, 1, "A", t.readonly), kinds="n")
    from .reshape import copy_into_shape
    return copy_into_shape(em, x, [ae.size(em, x)])


def infer_outer(call: Call) -> Type:
    ta, tb = call.type("a"), call.type("b")
    for t in (ta, tb):
        if not isinstance(t, (ArrayType, ScalarType)) or \
                (t.dtype if isinstance(t, ArrayType) else t).is_complex:
            raise fail(call.op, f"numpy.outer() does not support an argument of type {t}")
    ea = ta.dtype if isinstance(ta, ArrayType) else ta
    eb = tb.dtype if isinstance(tb, ArrayType) else tb
    return ArrayType(_dtype(ArrayType(ea, 1, "C"), ArrayType(eb, 1, "C"), call.op), 2, "C")


@npfunc("outer", infer=infer_outer)
def lower_outer(em: Emitter, call: Call) -> Value:
    a, b = _flat(em, call.args["a"]), _flat(em, call.args["b"])
    na, nb = ae.dim(em, a, 0), ae.dim(em, b, 0)
    zero, one = ae.i64(em, 0), ae.i64(em, 1)
    ta, tb = a.type, b.type
    col = em.op("array.subview", [a, zero, na, one], ArrayType(ta.dtype, 2, "A", ta.readonly),
                kinds="sn")
    row = em.op("array.subview", [b], ArrayType(tb.dtype, 2, "A", tb.readonly), kinds="n")
    from .array_math import copy, elementwise
    r = elementwise(em, "multiply", [col, row], call.op)
    want = infer_outer(call)
    return r if r.type == want else copy(em, r, want.dtype, call.op)  # type: ignore[union-attr]


def infer_trace(call: Call) -> Type:
    t = call.type("a")
    if not isinstance(t, ArrayType) or t.ndim != 2:
        raise fail(call.op, f"numpy.trace() supports 2-D arrays only, got {t}")
    if t.dtype.is_complex:
        raise fail(call.op, "numpy.trace() of complex arrays is not supported yet")
    for p, default in (("axis1", 0), ("axis2", 1)):
        if call.has(p) and call.int(p) != default:
            raise fail(call.op, f"numpy.trace() argument '{p}' other than {default} is not "
                                "supported")
    if call.dtype() is not None:
        raise fail(call.op, "the dtype= argument of numpy.trace() is not supported yet")
    if call.has("offset") and not (isinstance(call.type("offset"), ScalarType)
                                   and call.type("offset").kind in "iub"):
        raise fail(call.op, "numpy.trace() argument 'offset' must be an integer")
    return result_dtype("sum", t.dtype, call.op)


@npfunc("trace", infer=infer_trace)
def lower_trace(em: Emitter, call: Call) -> Value:
    dt = infer_trace(call)
    a = call.args["a"]
    n, m = ae.dim(em, a, 0), ae.dim(em, a, 1)
    zero = ae.i64(em, 0)
    off = em.to_i64(call.args["offset"]) if call.has("offset") else zero
    neg = em.cmpi("slt", off, zero)
    r0 = em.select(neg, ae.sub(em, zero, off), zero)
    c0 = em.select(neg, zero, off)
    nr, nc = ae.sub(em, n, r0), ae.sub(em, m, c0)
    cnt = em.select(em.cmpi("slt", nr, nc), nr, nc)
    cnt = em.select(em.cmpi("slt", cnt, zero), zero, cnt)

    def body(k: Value, carried: list[Value]) -> list[Value]:
        x = em.op("array.load", [a, ae.add(em, r0, k), ae.add(em, c0, k)], a.type.dtype)
        return [element(em, "add", [carried[0], np_cast(em, x, dt)], dt)]
    return for_loop(em, cnt, [em.const(0, dt)], body)[0]


# ---- norm ---------------------------------------------------------------------------------
def _norm_ord(call: Call):
    """ord as None, a string ('fro') or a float (compile-time)."""
    if not call.has("ord") or call.type("ord") == NONE:
        return None
    from .static import NotConstant, StringLiteral, const_value
    if isinstance(call.type("ord"), StringLiteral):
        return call.type("ord").value  # type: ignore[attr-defined]
    raw = call.raw["ord"]
    try:
        x = const_value(raw)
    except NotConstant:
        raise fail(call.op, "numpy.linalg.norm() argument 'ord' must be a constant known at "
                            "compile time") from None
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise fail(call.op, f"numpy.linalg.norm(): invalid ord {x!r}")
    return float(x)


def infer_norm(call: Call) -> Type:
    t = call.type("x")
    if not isinstance(t, ArrayType):
        raise fail(call.op, f"numpy.linalg.norm() of a {t} is not supported (it needs an array)")
    if t.dtype.is_complex:
        raise fail(call.op, "numpy.linalg.norm() of complex arrays is not supported yet")
    if call.has("axis") and call.type("axis") != NONE:
        raise fail(call.op, "numpy.linalg.norm() supports axis=None only")
    if call.bool("keepdims", False):
        raise fail(call.op, "numpy.linalg.norm() supports keepdims=False only")
    _check_norm_ord(call, t.ndim, _norm_ord(call))
    return t.dtype if t.dtype.is_float else F64


def _check_norm_ord(call: Call, ndim: int, o) -> None:
    """NumPy's ValueErrors for an ord that fits no norm (at compile time), and a TypingError
    for the matrix norms ember does not compute."""
    from .static import StaticValueError
    if o is None:
        return
    if ndim == 1:
        if isinstance(o, str):
            raise StaticValueError(f"Invalid norm order {o!r} for vectors", call.op.loc)
        return
    if ndim != 2:
        raise StaticValueError("Improper number of dimensions to norm.", call.op.loc)
    if o in ("fro", "f"):
        return
    if o in ("nuc", 2.0, -2.0, 1.0, -1.0, math.inf, -math.inf):
        raise fail(call.op, f"numpy.linalg.norm() of a matrix with ord={o!r} is not supported "
                            "by ember (only ord=None and 'fro')")
    raise StaticValueError("Invalid norm order for matrices.", call.op.loc)


@npfunc("linalg.norm", infer=infer_norm)
def lower_norm(em: Emitter, call: Call) -> Value:
    dt = infer_norm(call)
    o = _norm_ord(call)
    x = call.args["x"]

    def absval(v: Value) -> Value:
        return em.op("math.fabs", [np_cast(em, v, dt)], dt)

    def add_reduce(f) -> Value:
        return array_reduce(em, x, em.const(0.0, dt), -1,
                            lambda acc, v: em.op("arith.addf", [acc, f(v)], dt))
    if o is None or o in ("fro", "f") or o == 2.0:
        def sq(v: Value) -> Value:
            c = np_cast(em, v, dt)
            return em.op("arith.mulf", [c, c], dt)
        return em.op("math.sqrt", [add_reduce(sq)], dt)
    if o == 1.0:
        return add_reduce(absval)
    if o in (math.inf, -math.inf):
        pred = "ogt" if o > 0 else "olt"
        if o < 0:
            em.check(em.cmpi("sgt", ae.size(em, x), ae.i64(em, 0)), "ValueError",
                     "zero-size array to reduction operation minimum which has no identity")

        def pick(acc: Value, v: Value) -> Value:
            y = absval(v)
            take = em.or_(em.cmpf(pred, y, acc), em.fpred("isnan", y))
            return em.select(take, y, acc)
        return array_reduce(em, x, em.const(0.0 if o > 0 else math.inf, dt), -1, pick)
    if o == 0.0:
        return add_reduce(lambda v: em.op("arith.uitofp", [em.cmpf("une", np_cast(em, v, dt),
                                                                    em.const(0.0, dt))], dt))
    p = em.const(o, dt)
    s = add_reduce(lambda v: em.op("math.pow", [absval(v), p], dt))
    return em.op("math.pow", [s, em.const(1.0 / o, dt)], dt)


__all__ = ["product_type", "product", "infer_matmul_operator", "lower_matmul_operator",
           "py_type_name", "F32"]
