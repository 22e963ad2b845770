"""numpy array creation: empty zeros ones full, the *_like forms, arange linspace eye
identity, array (from scalars and nested tuples / list literals) and copy.

Every creation is `array.alloc` (C layout) then scf.for fill loops of `array.store`;
negative extents raise NumPy's ValueError at run time. The default dtype is float64
(full: the fill value's type; arange: int64 unless an argument is a float).
"""
from __future__ import annotations

from ember.ir.core import Value
from ember.ir.types import BOOL, F32, F64, I64, ArrayType, ListType, ScalarType, TupleType, Type

from . import array_emit as ae
from .emit import Emitter
from .lattice import is_float, is_int_like, unify
from .npcalls import Call, npfunc
from .rules import fail
from .static import StaticValueError


# ---- shapes and dtypes -------------------------------------------------------------
def shape_ndim(call: Call, name: str = "shape") -> int:
    t = call.type(name)
    if is_int_like(t) and t != BOOL:
        return 1
    if isinstance(t, TupleType) and all(is_int_like(e) and e != BOOL for e in t.elements):
        return len(t.elements)
    raise fail(call.op, f"{call.fn}() shape must be an int or a tuple of ints, got {t}")


def extents(em: Emitter, v: Value) -> list[Value]:
    t = v.type
    if isinstance(t, TupleType):
        return [em.to_i64(em.op("tuple.get", [v], e, index=k)) for k, e in enumerate(t.elements)]
    return [em.to_i64(v)]


def real_dtype(call: Call, t: ScalarType) -> ScalarType:
    if t.is_complex and call.fn in ("numpy.arange", "numpy.linspace"):
        raise fail(call.op, f"{call.fn}() with a complex dtype is not supported by ember")
    return t


def scalar_arg(call: Call, name: str) -> ScalarType:
    t = call.type(name)
    if not isinstance(t, ScalarType):
        raise fail(call.op, f"{call.fn}() argument '{name}' must be a number, got {t}")
    return real_dtype(call, t)


def new_array(em: Emitter, dtype: ScalarType, ext: list[Value]) -> Value:
    ae.check_extents(em, ext)
    return ae.alloc(em, dtype, ext)


def filled(em: Emitter, dtype: ScalarType, ext: list[Value], value: Value | None) -> Value:
    a = new_array(em, dtype, ext)
    if value is not None:
        ae.fill(em, a, ae.numpy_cast(em, value, dtype))
    return a


# ---- empty zeros ones full ----------------------------------------------------------
def infer_fill(call: Call) -> Type:
    ndim = shape_ndim(call)
    if call.fn == "numpy.full":
        default = scalar_arg(call, "fill_value")
    else:
        default = F64
    return ArrayType(real_dtype(call, call.dtype() or default), ndim, "C")


@npfunc("empty", "zeros", "ones", "full", infer=infer_fill)
def lower_fill(em: Emitter, call: Call) -> Value:
    t = infer_fill(call)
    ext = extents(em, call.args["shape"])
    value = {"numpy.empty": None, "numpy.zeros": em.const(0, t.dtype),
             "numpy.ones": em.const(1, t.dtype)}.get(call.fn) if call.fn != "numpy.full" \
        else call.args["fill_value"]
    return filled(em, t.dtype, ext, value)


def infer_like(call: Call) -> Type:
    a = call.type("a")
    if not isinstance(a, ArrayType):
        raise fail(call.op, f"{call.fn}() needs an array, got {a}")
    if call.fn == "numpy.full_like":
        scalar_arg(call, "fill_value")
    return ArrayType(real_dtype(call, call.dtype() or a.dtype), a.ndim, "C")


@npfunc("empty_like", "zeros_like", "ones_like", "full_like", infer=infer_like)
def lower_like(em: Emitter, call: Call) -> Value:
    t = infer_like(call)
    ext = ae.shape(em, call.args["a"])
    value = {"numpy.empty_like": None, "numpy.zeros_like": em.const(0, t.dtype),
             "numpy.ones_like": em.const(1, t.dtype)}.get(call.fn) \
        if call.fn != "numpy.full_like" else call.args["fill_value"]
    return filled(em, t.dtype, ext, value)


# ---- arange -------------------------------------------------------------------------
def _arange_parts(call: Call) -> list[str]:
    return [p for p in ("start", "stop", "step") if p in call.args
            and call.type(p) != _none()]


def _none() -> Type:
    from ember.ir.types import NONE
    return NONE


def infer_arange(call: Call) -> Type:
    parts = _arange_parts(call)
    types = [scalar_arg(call, p) for p in parts]
    natural = F64 if any(is_float(t) for t in types) else I64
    return ArrayType(real_dtype(call, call.dtype() or natural), 1, "C")


@npfunc("arange", infer=infer_arange)
def lower_arange(em: Emitter, call: Call) -> Value:
    t = infer_arange(call)
    given = [call.args[p] for p in _arange_parts(call)]
    work = F64 if any(is_float(v.type) for v in given) else I64
    vals = [em.cast(v, work) for v in given]
    zero, one = em.const(0, work), em.const(1, work)
    if len(vals) == 1:
        start, stop, step = zero, vals[0], one
    elif len(vals) == 2:
        (start, stop), step = vals, one
    else:
        start, stop, step = vals
    if work == I64:
        em.check(em.cmpi("ne", step, zero), "ZeroDivisionError", "division by zero")
        q = em.op("arith.floordivsi", [ae.sub(em, start, stop), step], I64)
        n = ae.sub(em, zero, q)  # ceil((stop - start) / step)
        n = em.select(em.cmpi("slt", n, zero), zero, n)
        delta = step
    else:
        em.check(em.cmpf("une", step, zero), "ZeroDivisionError", "float division by zero")
        span = em.op("math.ceil", [em.op("arith.divf", [em.op("arith.subf", [stop, start], F64),
                                                          step], F64)], F64)
        em.check(em.not_(em.fpred("isnan", span)), "ValueError", "arange: cannot compute length")
        em.check(em.cmpf("olt", span, em.const(2.0 ** 62, F64)), "ValueError",
                 "Maximum allowed size exceeded")
        span = em.select(em.cmpf("olt", span, zero), zero, span)
        n = em.op("arith.fptosi", [span], I64)
        # NumPy stores start, start + step, then start + i * (second - first)
        second = em.op("arith.addf", [start, step], F64)
        delta = em.op("arith.subf", [second, start], F64)
    out = ae.alloc(em, t.dtype, [n])

    def body(e: Emitter, i: Value) -> None:
        fi = e.cast(i, work)
        v = e.op("arith.addi" if work == I64 else "arith.addf",
                 [start, e.op("arith.muli" if work == I64 else "arith.mulf", [fi, delta], work)],
                 work)
        if work == F64:
            v = e.select(e.cmpi("eq", i, ae.i64(e, 1)), second, v)
        e.b.op("array.store", [ae.numpy_cast(e, v, t.dtype), out, i], [])
    ae.for_loop(em, ae.i64(em, 0), n, body)
    return out


# ---- linspace -----------------------------------------------------------------------
def infer_linspace(call: Call) -> Type:
    s, e = scalar_arg(call, "start"), scalar_arg(call, "stop")
    if "num" in call.args and not (is_int_like(call.type("num")) and call.type("num") != BOOL):
        raise fail(call.op, f"numpy.linspace() num must be an int, got {call.type('num')}")
    if "endpoint" in call.args:
        call.bool("endpoint", True)
    natural = F32 if s == F32 and e == F32 else F64
    return ArrayType(real_dtype(call, call.dtype() or natural), 1, "C")


@npfunc("linspace", infer=infer_linspace)
def lower_linspace(em: Emitter, call: Call) -> Value:
    t = infer_linspace(call)
    ft = F32 if t.dtype == F32 else F64
    start, stop = em.cast(call.args["start"], ft), em.cast(call.args["stop"], ft)
    num = em.to_i64(call.args["num"]) if "num" in call.args else ae.i64(em, 50)
    endpoint = call.bool("endpoint", True)
    zero = ae.i64(em, 0)
    # NumPy's message names the value: build it from the operand
    em.b.op("cf.assert", [em.cmpi("sge", num, zero), num], [],
            {"exc": "ValueError", "msg": "Number of samples, {}, must be non-negative."})
    div = ae.sub(em, num, ae.i64(em, 1)) if endpoint else num
    delta = em.op("arith.subf", [stop, start], ft)
    fdiv = em.cast(div, ft)
    step = em.op("arith.divf", [delta, fdiv], ft)
    step_zero = em.cmpf("oeq", step, em.const(0.0, ft))
    positive = em.cmpi("sgt", div, zero)
    out = ae.alloc(em, t.dtype, [num])

    def body(e: Emitter, i: Value) -> None:
        fi = e.cast(i, ft)
        regular = e.op("arith.mulf", [fi, step], ft)
        tiny = e.op("arith.mulf", [e.op("arith.divf", [fi, fdiv], ft), delta], ft)
        y = e.select(positive, e.select(step_zero, tiny, regular), e.op("arith.mulf", [fi, delta], ft))
        y = e.op("arith.addf", [y, start], ft)
        if endpoint:
            last = e.and_(e.cmpi("eq", i, ae.sub(e, num, ae.i64(e, 1))),
                          e.cmpi("sgt", num, ae.i64(e, 1)))
            y = e.select(last, stop, y)
        e.b.op("array.store", [ae.numpy_cast(e, y, t.dtype), out, i], [])
    ae.for_loop(em, zero, num, body)
    return out


# ---- eye, identity --------------------------------------------------------------------
def _int_arg(call: Call, name: str) -> None:
    if name in call.args and call.type(name) != _none():
        t = call.type(name)
        if not (is_int_like(t) and t != BOOL):
            raise fail(call.op, f"{call.fn}() argument '{name}' must be an int, got {t}")


def infer_eye(call: Call) -> Type:
    for p in ("N", "M", "k", "n"):
        _int_arg(call, p)
    return ArrayType(real_dtype(call, call.dtype() or F64), 2, "C")


@npfunc("eye", "identity", infer=infer_eye)
def lower_eye(em: Emitter, call: Call) -> Value:
    t = infer_eye(call)
    if call.fn == "numpy.identity":
        n = em.to_i64(call.args["n"])
        m, k = n, ae.i64(em, 0)
    else:
        n = em.to_i64(call.args["N"])
        has_m = "M" in call.args and call.type("M") != _none()
        m = em.to_i64(call.args["M"]) if has_m else n
        k = em.to_i64(call.args["k"]) if "k" in call.args else ae.i64(em, 0)
    a = filled(em, t.dtype, [n, m], em.const(0, t.dtype))
    one = em.const(1, t.dtype)

    def body(e: Emitter, i: Value) -> None:
        j = ae.add(e, i, k)
        inside = e.and_(e.cmpi("sge", j, ae.i64(e, 0)), e.cmpi("slt", j, m))

        def store(e2: Emitter) -> None:
            e2.b.op("array.store", [one, a, i, j], [])
        _if(e, inside, store)
    ae.for_loop(em, ae.i64(em, 0), n, body)
    return a


def _if(em: Emitter, cond: Value, then) -> None:
    from ember.ir.builder import Builder
    from ember.ir.core import Block, Region
    tb, eb = Block(), Block()
    then(Emitter(Builder(tb, em.b.loc)))
    tb.append(_yield(em))
    eb.append(_yield(em))
    em.b.op("scf.if", [cond], [], regions=[Region([tb]), Region([eb])])


def _yield(em: Emitter):
    from ember.ir.core import Operation
    return Operation("scf.yield", [], [], loc=em.b.loc)


# ---- array(...) ------------------------------------------------------------------------
def nested_shape(call: Call, t: Type) -> tuple[list[int], list[ScalarType]]:
    """The shape of nested tuples and their leaf types (row-major)."""
    if isinstance(t, ScalarType):
        return [], [real_dtype(call, t)]
    if isinstance(t, TupleType):
        shapes, leaves = [], []
        for e in t.elements:
            s, l = nested_shape(call, e)
            shapes.append(s)
            leaves += l
        if any(s != shapes[0] for s in shapes):
            raise StaticValueError(
                "setting an array element with a sequence. The requested array has an "
                "inhomogeneous shape", call.op.loc)
        return [len(t.elements)] + (shapes[0] if shapes else []), leaves
    if isinstance(t, ArrayType):
        raise fail(call.op, "numpy.array() of a tuple of arrays is not supported yet; use "
                            "np.stack")
    raise fail(call.op, f"numpy.array() cannot make an array from {t}")


def infer_array(call: Call) -> Type:
    t = call.type("object")
    if isinstance(t, ArrayType):
        return ArrayType(real_dtype(call, call.dtype() or t.dtype), t.ndim, "C")
    if isinstance(t, ListType):  # a list of numbers: copied by typeinfer/listlib.py
        from .lists import list_to_array_type
        made = list_to_array_type(call.op, t)
        if not isinstance(made, ArrayType):
            return made
        return ArrayType(real_dtype(call, call.dtype() or made.dtype), 1, "C")
    shape, leaves = nested_shape(call, t)
    dtype: Type = leaves[0] if leaves else F64
    for l in leaves[1:]:
        dtype = unify(dtype, l) or F64
    assert isinstance(dtype, ScalarType)
    return ArrayType(real_dtype(call, call.dtype() or dtype), len(shape), "C")


def _leaves(em: Emitter, v: Value, path: list[int], out: list) -> None:
    if isinstance(v.type, TupleType):
        for k, e in enumerate(v.type.elements):
            _leaves(em, em.op("tuple.get", [v], e, index=k), path + [k], out)
    else:
        out.append((path, v))


@npfunc("array", infer=infer_array)
def lower_array(em: Emitter, call: Call) -> Value:
    t = infer_array(call)
    v = call.args["object"]
    if isinstance(v.type, ListType):
        from .lists import list_to_array
        v = list_to_array(em, call.op, v)
        if v.type == t:
            return v
    if isinstance(v.type, ArrayType):
        from . import array_math
        return array_math.copy(em, v, t.dtype, call.op)
    shape, _ = nested_shape(call, v.type)
    a = ae.alloc(em, t.dtype, [ae.i64(em, d) for d in shape])
    leaves: list = []
    _leaves(em, v, [], leaves)
    for path, x in leaves:
        em.b.op("array.store", [ae.numpy_cast(em, x, t.dtype), a] + [ae.i64(em, k) for k in path], [])
    return a


def infer_copy(call: Call) -> Type:
    a = call.type("a")
    if not isinstance(a, ArrayType):
        raise fail(call.op, f"{call.fn}() needs an array, got {a}")
    return ArrayType(real_dtype(call, a.dtype), a.ndim, "C")


@npfunc("copy", infer=infer_copy)
def lower_copy(em: Emitter, call: Call) -> Value:
    from . import array_math
    a = call.args["a"]
    return array_math.copy(em, a, a.type.dtype, call.op)
