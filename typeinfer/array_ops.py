"""Whole-array operations: Python operators on arrays, numpy ufuncs, where, clip and the
reductions (as functions and methods), handed to `array_math` (the emitters of
`array.map` / `array.reduce` / `array.assign` with NumPy's promotion and scalar
semantics).

The scalar operator rules of pyops/builtins stay as they are: each is wrapped so that an
operation with an array operand takes the array path. `x op= y` (the frontend marks it
`inplace`) with an array `x` writes into `x` (NumPy's same_kind casting is checked at
compile time) and gives `x` back; like NumPy's fn(x, y, out=x) it requires the broadcast
shape of (x, y) to be x's shape (array_math.check_inplace). axis / keepdims / ddof must be
compile-time constants.
"""
from __future__ import annotations

import math

from ember.ir.core import Operation, Value
from ember.ir.numpy_api import NUMPY_FUNCTIONS
from ember.ir.types import F64, NONE, ArrayType, ScalarType, Type

from .emit import Emitter
from .npcalls import Call, method, npfunc
from .rules import RULES, Rule, fail

BINARY_UFUNC = {"add": "add", "sub": "subtract", "mul": "multiply", "truediv": "true_divide",
                "floordiv": "floor_divide", "mod": "remainder", "pow": "power",
                "lshift": "left_shift", "rshift": "right_shift", "bitand": "bitwise_and",
                "bitor": "bitwise_or", "bitxor": "bitwise_xor", "lt": "less",
                "le": "less_equal", "gt": "greater", "ge": "greater_equal", "eq": "equal",
                "ne": "not_equal"}
UNARY_UFUNC = {"neg": "negative", "pos": "positive", "invert": "invert", "abs": "absolute"}


def _am():
    from . import array_math  # written beside this file by the array-math engineer
    return array_math


def _has_array(types: list[Type]) -> bool:
    return any(isinstance(t, ArrayType) for t in types)


def _no_complex(op: Operation, types: list[Type]) -> None:
    """Complex operands are accepted: which functions support them is decided per
    function by array_ufuncs / complex_ufuncs / array_reduce."""


# ---- operators ----------------------------------------------------------------------
def _same_kind(src: ScalarType, dst: ScalarType) -> bool:
    order = "biufc"
    if src.kind == dst.kind:
        return True
    if src.kind == "u" and dst.kind == "i":
        return True
    return order.index(src.kind) <= order.index(dst.kind) and not (src.kind == "i" and
                                                                   dst.kind == "u")


def _inplace(op: Operation, types: list[Type]) -> bool:
    return bool(op.attributes.get("inplace")) and isinstance(types[0], ArrayType)


def _operator_type(op: Operation, fn: str, types: list[Type]) -> Type:
    _no_complex(op, types)
    for t in types:
        if not isinstance(t, (ArrayType, ScalarType)):
            raise fail(op, f"unsupported operand type {t} for numpy.{fn} on arrays")
    rt = _am().elementwise_type(fn, types)
    if not _inplace(op, types):
        return rt
    dest = types[0]
    assert isinstance(dest, ArrayType)
    if dest.readonly:
        name = op.operands[0].name
        raise fail(op, f"cannot write to a read-only array{f' {name!r}' if name else ''}")
    got = rt.dtype if isinstance(rt, ArrayType) else rt
    if isinstance(got, ScalarType) and not _same_kind(got, dest.dtype):
        raise fail(op, f"Cannot cast ufunc '{fn}' output from {got} to {dest.dtype} with "
                       "casting rule 'same_kind'")
    return dest


def _operator_lower(em: Emitter, op: Operation, fn: str, vals: list[Value]) -> Value:
    am = _am()
    inplace = _inplace(op, [v.type for v in vals])
    if inplace and len(vals) == 2:
        # NumPy's fn(x, y, out=x): y may not grow x (not even `() += (1,)`), and the errors
        # are the iterator's, raised before any element is computed.
        am.check_inplace(em, vals[0], vals[1])
    r = am.elementwise(em, fn, vals, op)
    if inplace:
        am.assign(em, vals[0], r, op)
        return vals[0]
    return r


def _wrap(name: str, fn: str) -> None:
    scalar = RULES.get(name)

    def infer(op: Operation, types: list[Type]) -> list[Type]:
        if _has_array(types):
            return [_operator_type(op, fn, types)]
        if scalar is None:
            raise fail(op, f"unsupported operand types for {name[3:]}: {types}")
        return scalar.infer(op, types)

    def lower(em: Emitter, op: Operation, vals: list) -> list:
        if _has_array([v.type for v in vals]):
            return [_operator_lower(em, op, fn, vals)]
        assert scalar is not None
        return scalar.lower(em, op, vals)
    RULES[name] = Rule(infer, lower)


for _k, _fn in {**BINARY_UFUNC, **UNARY_UFUNC}.items():
    _wrap(f"py.{_k}", _fn)


def _matmul_infer(op: Operation, types: list[Type]) -> list[Type]:
    from .linalg import infer_matmul_operator  # `a @ b`: typeinfer/linalg.py
    return infer_matmul_operator(op, types)


def _matmul_lower(em: Emitter, op: Operation, vals: list) -> list:
    from .linalg import lower_matmul_operator
    return lower_matmul_operator(em, op, vals)


RULES["py.matmul"] = Rule(_matmul_infer, _matmul_lower)


# ---- ufuncs, where, clip ----------------------------------------------------------------
def _operands(call: Call) -> list:
    entry = NUMPY_FUNCTIONS[call.fn[len("numpy."):]]
    return [call.args[p] for p in entry.params if p in call.args]


def _ufunc_name(call: Call) -> str:
    return call.fn[len("numpy."):]


def infer_ufunc(call: Call) -> Type:
    name = _ufunc_name(call)
    items = _operands(call)
    types = [x if isinstance(x, Type) else x.type for x in items]
    _no_complex(call.op, types)
    for t in types:
        if not isinstance(t, (ArrayType, ScalarType)):
            raise fail(call.op, f"numpy.{name}() does not support an argument of type {t}")
    if name in ("real", "conj", "conjugate"):
        return types[0]
    if name == "imag":
        return types[0]
    if name == "angle":
        return _am().elementwise_type("arctan2", [F64, types[0]])
    return _am().elementwise_type(name, types)


_UFUNCS = [n for n, e in NUMPY_FUNCTIONS.items() if e.kind == "ufunc"]


@npfunc(*_UFUNCS, infer=infer_ufunc)
def lower_ufunc(em: Emitter, call: Call) -> Value:
    name = _ufunc_name(call)
    vals = _operands(call)
    x = vals[0]
    if name in ("real", "conj", "conjugate"):
        return x  # real values: conj(x) == real(x) == x
    if name == "imag":
        if isinstance(x.type, ArrayType):
            from .creation import filled
            from .array_emit import shape
            return filled(em, x.type.dtype, shape(em, x), em.const(0, x.type.dtype))
        return em.const(0, x.type)
    if name == "angle":
        r = _am().elementwise(em, "arctan2", [em.const(0.0, F64), x], call.op)
        if "deg" in call.raw and call.bool("deg", False):
            r = _am().elementwise(em, "multiply", [r, em.const(180.0 / math.pi, F64)], call.op)
        return r
    return _am().elementwise(em, name, vals, call.op)


# ---- numpy scalar types called as functions ------------------------------------------------
def infer_scalar(call: Call) -> Type:
    from ember.ir.types import SCALARS
    from .static import dtype_of_attr
    t = dtype_of_attr(_ufunc_name(call))
    assert t is not None and t.kind in "biufc" and t in SCALARS.values()
    if "x" not in call.args:
        return t
    xt = call.type("x")
    if isinstance(xt, ArrayType):
        return ArrayType(t, xt.ndim, "C")
    if not isinstance(xt, ScalarType) or (xt.is_complex and not t.is_complex):
        raise fail(call.op, f"{call.fn}() cannot convert a value of type {xt}")
    return t


_SCALARS = [n for n, e in NUMPY_FUNCTIONS.items() if e.kind == "scalar"]


@npfunc(*_SCALARS, infer=infer_scalar)
def lower_scalar(em: Emitter, call: Call) -> Value:
    t = infer_scalar(call)
    if "x" not in call.args:
        return em.const(0, t)
    x = call.args["x"]
    if isinstance(t, ArrayType):
        return _am().copy(em, x, t.dtype, call.op)
    from .array_emit import numpy_cast
    return numpy_cast(em, x, t)


# ---- reductions ------------------------------------------------------------------------
KIND = {"amin": "min", "amax": "max"}


def _reduce_args(call: Call) -> tuple[str, ArrayType, int | None, bool, int]:
    kind = _ufunc_name(call) if call.fn.startswith("numpy.") else call.fn
    kind = KIND.get(kind, kind)
    t = call.type("a")
    if not isinstance(t, ArrayType):
        raise fail(call.op, f"{call.fn}() of a {t} is not supported (it needs an array)")
    _no_complex(call.op, [t])
    if call.has("dtype") and call.type("dtype") != NONE:
        raise fail(call.op, f"the dtype= argument of {call.fn}() is not supported yet")
    axis = call.int("axis", None, allow_none=True)
    if axis is not None:
        if not -t.ndim <= axis < max(t.ndim, 1) or t.ndim == 0:
            from .static import StaticAxisError
            raise StaticAxisError(f"axis {axis} is out of bounds for array of dimension "
                                  f"{t.ndim}", call.op.loc)
        axis %= t.ndim
    keepdims = call.bool("keepdims", False)
    ddof = call.int("ddof", 0) or 0
    return kind, t, axis, keepdims, ddof


def infer_reduction(call: Call) -> Type:
    kind, t, axis, keepdims, _ = _reduce_args(call)
    return _am().reduction_type(kind, t, axis, keepdims)


_REDUCTIONS = [n for n, e in NUMPY_FUNCTIONS.items() if e.kind == "reduction"]


def _reduction_lower(em: Emitter, call: Call) -> Value:
    kind, _, axis, keepdims, ddof = _reduce_args(call)
    return _am().reduction(em, kind, call.args["a"], axis, keepdims, ddof, call.op)


npfunc(*_REDUCTIONS, infer=infer_reduction)(_reduction_lower)
for _name, _params in {
        "sum": ("a", "axis", "dtype", "keepdims"), "prod": ("a", "axis", "dtype", "keepdims"),
        "mean": ("a", "axis", "dtype", "keepdims"),
        "min": ("a", "axis", "keepdims"), "max": ("a", "axis", "keepdims"),
        "all": ("a", "axis", "keepdims"), "any": ("a", "axis", "keepdims"),
        "var": ("a", "axis", "dtype", "ddof", "keepdims"),
        "std": ("a", "axis", "dtype", "ddof", "keepdims"),
        "argmin": ("a", "axis", "keepdims"), "argmax": ("a", "axis", "keepdims"),
        "cumsum": ("a", "axis", "dtype"), "cumprod": ("a", "axis", "dtype")}.items():
    method(_name, params=_params, infer=infer_reduction)(_reduction_lower)

