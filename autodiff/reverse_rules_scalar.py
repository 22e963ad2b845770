"""Reverse-mode rules for float arithmetic and math functions: adj(operand) += adj(result)
times the partial derivative. Conventions at kinks are those forward mode measured with
JAX (docs/autodiff.md): d|x| at 0 is +1, a select (max/min) gives everything to the
operand chosen, NumPy's maximum/minimum (arith.maximumf/minimumf) split a tie 0.5 / 0.5, floor/ceil/trunc/round have derivative 0, sqrt at 0 gives inf, d(x**y)/dy
takes log(0) as 0."""
from __future__ import annotations

import math

from ember.autodiff.forward_arith import tie_weights
from ember.autodiff.reverse_activity import FACTOR_AHEAD
from ember.autodiff.reverse_sweep import FACTORS, Sweep, rule
from ember.ir.core import Operation, Value
from ember.ir.types import BOOL


def _neg(sw: Sweep, x: Value) -> Value:
    return sw.f("arith.negf", x)


def _mul(sw: Sweep, *xs: Value) -> Value:
    out = xs[0]
    for x in xs[1:]:
        out = sw.f("arith.mulf", out, x)
    return out


def _div(sw: Sweep, a: Value, b: Value) -> Value:
    return sw.f("arith.divf", a, b)


def _c(sw: Sweep, x: float, like: Value) -> Value:
    return sw.const(x, like.type)


def _cmp(sw: Sweep, pred: str, a: Value, b: Value) -> Value:
    return sw.v("arith.cmpf", [a, b], BOOL, predicate=pred)


def _sel(sw: Sweep, c: Value, a: Value, b: Value) -> Value:
    return sw.v("arith.select", [c, a, b], a.type)


def sign(sw: Sweep, x: Value) -> Value:
    """+1 for x >= 0, else -1: the derivative of |x| as JAX takes it (1 at 0)."""
    one = _c(sw, 1.0, x)
    return _sel(sw, _cmp(sw, "oge", x, _c(sw, 0.0, x)), one, _neg(sw, one))


def _args(sw: Sweep, op: Operation) -> list[Value]:
    return [sw.p(v) for v in op.operands]


def _want(sw: Sweep, v: Value) -> bool:
    return sw.act.is_active(v)


@rule("arith.addf")
def _addf(sw: Sweep, op: Operation, adjs: list) -> None:
    sw.acc(op.operands[0], adjs[0])
    sw.acc(op.operands[1], adjs[0])


@rule("arith.subf")
def _subf(sw: Sweep, op: Operation, adjs: list) -> None:
    sw.acc(op.operands[0], adjs[0])
    if _want(sw, op.operands[1]):
        sw.acc(op.operands[1], _neg(sw, adjs[0]))


@rule("arith.negf")
def _negf(sw: Sweep, op: Operation, adjs: list) -> None:
    sw.acc(op.operands[0], _neg(sw, adjs[0]))


@rule("arith.mulf")
def _mulf(sw: Sweep, op: Operation, adjs: list) -> None:
    a, b = _args(sw, op)
    g = adjs[0]
    if _want(sw, op.operands[0]):
        sw.acc(op.operands[0], _mul(sw, g, b))
    if _want(sw, op.operands[1]):
        sw.acc(op.operands[1], _mul(sw, g, a))


@rule("arith.divf")
def _divf(sw: Sweep, op: Operation, adjs: list) -> None:
    a, b = _args(sw, op)
    ga = _div(sw, adjs[0], b)
    sw.acc(op.operands[0], ga)
    if _want(sw, op.operands[1]):
        sw.acc(op.operands[1], _neg(sw, _mul(sw, ga, sw.p(op.result))))


@rule("arith.floordivf", "math.floor", "math.ceil", "math.trunc", "math.roundeven")
def _flat(sw: Sweep, op: Operation, adjs: list) -> None:
    """Piecewise constant: derivative 0 (as JAX)."""


@rule("arith.floormodf")
def _floormodf(sw: Sweep, op: Operation, adjs: list) -> None:
    a, b = _args(sw, op)
    sw.acc(op.operands[0], adjs[0])
    if _want(sw, op.operands[1]):
        q = sw.f("math.floor", _div(sw, a, b))
        sw.acc(op.operands[1], _neg(sw, _mul(sw, adjs[0], q)))


@rule("math.fmod")
def _fmod(sw: Sweep, op: Operation, adjs: list) -> None:
    a, b = _args(sw, op)
    sw.acc(op.operands[0], adjs[0])
    if _want(sw, op.operands[1]):
        q = sw.f("math.trunc", _div(sw, a, b))
        sw.acc(op.operands[1], _neg(sw, _mul(sw, adjs[0], q)))


@rule("arith.powf", "math.pow")
def _pow(sw: Sweep, op: Operation, adjs: list) -> None:
    x, y = _args(sw, op)
    g = adjs[0]
    zero, one = _c(sw, 0.0, x), _c(sw, 1.0, x)
    if _want(sw, op.operands[0]):
        d = _mul(sw, y, sw.f("math.pow", x, sw.f("arith.subf", y, one)))
        sw.acc(op.operands[0], _mul(sw, g, d))
    if _want(sw, op.operands[1]):
        safe = _sel(sw, _cmp(sw, "oeq", x, zero), one, x)
        sw.acc(op.operands[1], _mul(sw, g, sw.f("math.log", safe), sw.p(op.result)))


@rule("arith.maximumf", "arith.minimumf")
def _max_min_f(sw: Sweep, op: Operation, adjs: list) -> None:
    """NumPy's maximum/minimum as JAX: a tie splits 0.5 / 0.5, a nan gives 0 to both."""
    x, y = _args(sw, op)
    wx, wy = tie_weights(sw.v, sw.const, x, y, sw.p(op.result))
    if _want(sw, op.operands[0]):
        sw.acc(op.operands[0], _mul(sw, adjs[0], wx))
    if _want(sw, op.operands[1]):
        sw.acc(op.operands[1], _mul(sw, adjs[0], wy))


@rule("arith.select")
def _select(sw: Sweep, op: Operation, adjs: list) -> None:
    c = sw.p(op.operands[0])

    def pick(g, first: bool):
        if g is None:
            return None
        if isinstance(g, list):
            return [pick(x, first) for x in g]
        zero = _c(sw, 0.0, g)
        return _sel(sw, c, g, zero) if first else _sel(sw, c, zero, g)
    if _want(sw, op.operands[1]):
        sw.acc(op.operands[1], pick(adjs[0], True))
    if _want(sw, op.operands[2]):
        sw.acc(op.operands[2], pick(adjs[0], False))


@rule("arith.extf")
def _extf(sw: Sweep, op: Operation, adjs: list) -> None:
    sw.acc(op.operands[0], sw.v("arith.truncf", [adjs[0]], op.operands[0].type))


@rule("arith.truncf")
def _truncf(sw: Sweep, op: Operation, adjs: list) -> None:
    sw.acc(op.operands[0], sw.v("arith.extf", [adjs[0]], op.operands[0].type))


def _unary(name: str):
    """Register math.<name> whose derivative is d(sw, x, y) (x operand, y result). For a
    FACTOR_AHEAD op the forward sweep has computed (or taped) d already: use that."""
    def deco(d):
        def fn(sw: Sweep, op: Operation, adjs: list) -> None:
            ahead = sw.env.get(("d", op))
            factor = ahead if ahead is not None else d(sw, sw.p(op.operands[0]), sw.p(op.result))
            sw.acc(op.operands[0], _mul(sw, adjs[0], factor))
        rule(f"math.{name}")(fn)
        if f"math.{name}" in FACTOR_AHEAD:
            FACTORS[f"math.{name}"] = d
        return d
    return deco


def _one_minus_sq(sw: Sweep, x: Value) -> Value:
    return sw.f("arith.subf", _c(sw, 1.0, x), _mul(sw, x, x))


_unary("sin")(lambda sw, x, y: sw.f("math.cos", x))
_unary("cos")(lambda sw, x, y: _neg(sw, sw.f("math.sin", x)))
_unary("tan")(lambda sw, x, y: sw.f("arith.addf", _c(sw, 1.0, x), _mul(sw, y, y)))
_unary("asin")(lambda sw, x, y: _div(sw, _c(sw, 1.0, x), sw.f("math.sqrt", _one_minus_sq(sw, x))))
_unary("acos")(lambda sw, x, y: _div(sw, _c(sw, -1.0, x), sw.f("math.sqrt", _one_minus_sq(sw, x))))
_unary("atan")(lambda sw, x, y: _div(sw, _c(sw, 1.0, x),
                                     sw.f("arith.addf", _c(sw, 1.0, x), _mul(sw, x, x))))
_unary("sinh")(lambda sw, x, y: sw.f("math.cosh", x))
_unary("cosh")(lambda sw, x, y: sw.f("math.sinh", x))
_unary("tanh")(lambda sw, x, y: _one_minus_sq(sw, y))
_unary("asinh")(lambda sw, x, y: _div(sw, _c(sw, 1.0, x), sw.f(
    "math.sqrt", sw.f("arith.addf", _mul(sw, x, x), _c(sw, 1.0, x)))))
_unary("acosh")(lambda sw, x, y: _div(sw, _c(sw, 1.0, x), _mul(
    sw, sw.f("math.sqrt", sw.f("arith.subf", x, _c(sw, 1.0, x))),
    sw.f("math.sqrt", sw.f("arith.addf", x, _c(sw, 1.0, x))))))
_unary("atanh")(lambda sw, x, y: _div(sw, _c(sw, 1.0, x), _one_minus_sq(sw, x)))
_unary("exp")(lambda sw, x, y: y)
_unary("expm1")(lambda sw, x, y: sw.f("arith.addf", y, _c(sw, 1.0, x)))
_unary("exp2")(lambda sw, x, y: _mul(sw, y, _c(sw, math.log(2.0), x)))
_unary("log")(lambda sw, x, y: _div(sw, _c(sw, 1.0, x), x))
_unary("log2")(lambda sw, x, y: _div(sw, _c(sw, 1.0, x), _mul(sw, x, _c(sw, math.log(2.0), x))))
_unary("log10")(lambda sw, x, y: _div(sw, _c(sw, 1.0, x), _mul(sw, x, _c(sw, math.log(10.0), x))))
_unary("log1p")(lambda sw, x, y: _div(sw, _c(sw, 1.0, x), sw.f("arith.addf", x, _c(sw, 1.0, x))))
_unary("sqrt")(lambda sw, x, y: _div(sw, _c(sw, 0.5, x), y))
_unary("cbrt")(lambda sw, x, y: _div(sw, _c(sw, 1.0, x), _mul(sw, _c(sw, 3.0, x), y, y)))
_unary("fabs")(lambda sw, x, y: sign(sw, x))
_unary("erf")(lambda sw, x, y: _mul(sw, _c(sw, 2.0 / math.sqrt(math.pi), x),
                                    sw.f("math.exp", _neg(sw, _mul(sw, x, x)))))
_unary("erfc")(lambda sw, x, y: _mul(sw, _c(sw, -2.0 / math.sqrt(math.pi), x),
                                     sw.f("math.exp", _neg(sw, _mul(sw, x, x)))))


@rule("math.atan2")
def _atan2(sw: Sweep, op: Operation, adjs: list) -> None:
    a, b = _args(sw, op)
    r2 = sw.f("arith.addf", _mul(sw, a, a), _mul(sw, b, b))
    g = _div(sw, adjs[0], r2)
    if _want(sw, op.operands[0]):
        sw.acc(op.operands[0], _mul(sw, g, b))
    if _want(sw, op.operands[1]):
        sw.acc(op.operands[1], _neg(sw, _mul(sw, g, a)))


@rule("math.hypot")
def _hypot(sw: Sweep, op: Operation, adjs: list) -> None:
    a, b = _args(sw, op)
    g = _div(sw, adjs[0], sw.p(op.result))
    if _want(sw, op.operands[0]):
        sw.acc(op.operands[0], _mul(sw, g, a))
    if _want(sw, op.operands[1]):
        sw.acc(op.operands[1], _mul(sw, g, b))


@rule("math.copysign")
def _copysign(sw: Sweep, op: Operation, adjs: list) -> None:
    """copysign(a, b) = +-|a|: d/da = sign(a) * (the sign bit of b as +-1); d/db = 0."""
    a, b = _args(sw, op)
    if _want(sw, op.operands[0]):
        s = _mul(sw, sign(sw, a), sw.f("math.copysign", _c(sw, 1.0, a), b))
        sw.acc(op.operands[0], _mul(sw, adjs[0], s))


__all__ = ["sign"]
