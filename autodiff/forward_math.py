"""Forward rules of math.* functions (the math module and NumPy's elementwise functions).

Each unary rule gives d f(x) / dx from the operand x and the primal result y (reused, not
recomputed) and multiplies (or divides) the tangent by it. Conventions follow JAX, as
measured with jax.grad (docs/autodiff.md): d|x| at 0 is +1 (JAX selects on x >= 0);
sqrt and cbrt at 0 give inf; asin/acos at +-1 give inf; floor, ceil, trunc and
roundeven have derivative 0 (activity.ZERO_DERIVATIVE: no tangent at all); gamma and
lgamma have no rule (the IR has no digamma) and raise DifferentiationError.
"""
from __future__ import annotations

import math
from typing import Callable

from ember.autodiff.forward import Forward, rule
from ember.autodiff.forward_arith import add, mul, neg, scalar_tangent
from ember.autodiff.forward_emit import Emit, Tangent
from ember.ir.core import Operation, Value
from ember.ir.types import BOOL, Type

# (em, x, y, type) -> ("mul", factor) or ("div", denominator)
Deriv = Callable[[Emit, Value, Value, Type], "tuple[str, Value]"]
UNARY: dict[str, Deriv] = {}


def unary(name: str) -> Callable[[Deriv], Deriv]:
    def register(fn: Deriv) -> Deriv:
        UNARY[f"math.{name}"] = fn
        return fn
    return register


def _sq(em: Emit, v: Value, t: Type) -> Value:
    return em.op("arith.mulf", [v, v], t)


def _f(em: Emit, name: str, args: list[Value], t: Type) -> Value:
    return em.op(name if "." in name else f"arith.{name}", args, t)


@unary("sin")
def _sin(em, x, y, t):
    return "mul", em.op("math.cos", [x], t)


@unary("cos")
def _cos(em, x, y, t):
    return "mul", _f(em, "negf", [em.op("math.sin", [x], t)], t)


@unary("tan")
def _tan(em, x, y, t):
    return "mul", _f(em, "addf", [em.const(1.0, t), _sq(em, y, t)], t)


def _one_minus_sq(em: Emit, x: Value, t: Type) -> Value:
    return _f(em, "subf", [em.const(1.0, t), _sq(em, x, t)], t)


@unary("asin")
def _asin(em, x, y, t):
    return "div", em.op("math.sqrt", [_one_minus_sq(em, x, t)], t)


@unary("acos")
def _acos(em, x, y, t):
    return "div", _f(em, "negf", [em.op("math.sqrt", [_one_minus_sq(em, x, t)], t)], t)


@unary("atan")
def _atan(em, x, y, t):
    return "div", _f(em, "addf", [em.const(1.0, t), _sq(em, x, t)], t)


@unary("sinh")
def _sinh(em, x, y, t):
    return "mul", em.op("math.cosh", [x], t)


@unary("cosh")
def _cosh(em, x, y, t):
    return "mul", em.op("math.sinh", [x], t)


@unary("tanh")
def _tanh(em, x, y, t):
    return "mul", _one_minus_sq(em, y, t)


@unary("asinh")
def _asinh(em, x, y, t):
    return "div", em.op("math.sqrt", [_f(em, "addf", [_sq(em, x, t), em.const(1.0, t)], t)], t)


@unary("acosh")
def _acosh(em, x, y, t):
    one = em.const(1.0, t)
    prod = _f(em, "mulf", [_f(em, "subf", [x, one], t), _f(em, "addf", [x, one], t)], t)
    return "div", em.op("math.sqrt", [prod], t)


@unary("atanh")
def _atanh(em, x, y, t):
    return "div", _one_minus_sq(em, x, t)


@unary("exp")
def _exp(em, x, y, t):
    return "mul", y


@unary("expm1")
def _expm1(em, x, y, t):
    return "mul", _f(em, "addf", [y, em.const(1.0, t)], t)


@unary("exp2")
def _exp2(em, x, y, t):
    return "mul", _f(em, "mulf", [y, em.const(math.log(2.0), t)], t)


@unary("log")
def _log(em, x, y, t):
    return "div", x


@unary("log2")
def _log2(em, x, y, t):
    return "div", _f(em, "mulf", [x, em.const(math.log(2.0), t)], t)


@unary("log10")
def _log10(em, x, y, t):
    return "div", _f(em, "mulf", [x, em.const(math.log(10.0), t)], t)


@unary("log1p")
def _log1p(em, x, y, t):
    return "div", _f(em, "addf", [x, em.const(1.0, t)], t)


@unary("sqrt")
def _sqrt(em, x, y, t):  # 0.5 / y: inf at 0, as JAX
    return "mul", _f(em, "divf", [em.const(0.5, t), y], t)


@unary("cbrt")
def _cbrt(em, x, y, t):  # (1/3) / y**2: inf at 0, as JAX
    return "mul", _f(em, "divf", [em.const(1.0 / 3.0, t), _sq(em, y, t)], t)


@unary("fabs")
def _fabs(em, x, y, t):  # +1 at 0: JAX's select(x >= 0, g, -g)
    nonneg = em.op("arith.cmpf", [x, em.const(0.0, t)], BOOL, predicate="oge")
    return "mul", em.op("arith.select", [nonneg, em.const(1.0, t), em.const(-1.0, t)], t)


@unary("erf")
def _erf(em, x, y, t):
    e = em.op("math.exp", [_f(em, "negf", [_sq(em, x, t)], t)], t)
    return "mul", _f(em, "mulf", [em.const(2.0 / math.sqrt(math.pi), t), e], t)


@unary("erfc")
def _erfc(em, x, y, t):
    e = em.op("math.exp", [_f(em, "negf", [_sq(em, x, t)], t)], t)
    return "mul", _f(em, "mulf", [em.const(-2.0 / math.sqrt(math.pi), t), e], t)


def _unary_rule(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    x = op.operands[0]
    tx = scalar_tangent(fw, x)
    if tx is None:
        return [None]
    kind, d = UNARY[op.name](fw.em, fw.p(x), new.results[0], tx.type)
    return [fw.em.op("arith.mulf" if kind == "mul" else "arith.divf", [tx, d], tx.type)]


rule(*UNARY)(_unary_rule)


# ---- binary ---------------------------------------------------------------------------------
@rule("math.atan2")
def _atan2(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    # atan2(a, b): (b da - a db) / (a^2 + b^2)
    a, b = (fw.p(v) for v in op.operands)
    ta, tb = (scalar_tangent(fw, v) for v in op.operands)
    em, t = fw.em, a.type
    num = add(fw, mul(fw, ta, b), neg(fw, mul(fw, tb, a)))
    if num is None:
        return [None]
    den = _f(em, "addf", [_sq(em, a, t), _sq(em, b, t)], t)
    return [em.op("arith.divf", [num, den], t)]


@rule("math.hypot")
def _hypot(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    a, b = (fw.p(v) for v in op.operands)
    ta, tb = (scalar_tangent(fw, v) for v in op.operands)
    num = add(fw, mul(fw, ta, a), mul(fw, tb, b))
    return [None if num is None else fw.em.op("arith.divf", [num, new.results[0]], a.type)]


@rule("math.copysign")
def _copysign(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    # |a| with the sign of b: d/da = sign(a) * sign(b) with sign(0) = +1 (abs's rule), d/db = 0
    a, b = (fw.p(v) for v in op.operands)
    ta = scalar_tangent(fw, op.operands[0])
    if ta is None:
        return [None]
    em, t = fw.em, a.type
    sb = em.op("math.copysign", [em.const(1.0, t), b], t)
    nonneg = em.op("arith.cmpf", [a, em.const(0.0, t)], BOOL, predicate="oge")
    sign = em.op("arith.select", [nonneg, sb, _f(em, "negf", [sb], t)], t)
    return [em.op("arith.mulf", [ta, sign], t)]


@rule("math.fmod")
def _fmod(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    # fmod(a, b) = a - trunc(a / b) * b
    a, b = (fw.p(v) for v in op.operands)
    ta, tb = (scalar_tangent(fw, v) for v in op.operands)
    if tb is None:
        return [ta]
    em, t = fw.em, a.type
    q = em.op("math.trunc", [em.op("arith.divf", [a, b], t)], t)
    return [add(fw, ta, neg(fw, mul(fw, tb, q)))]


@rule("math.check")
def _check(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    return []  # the primal check is copied; it has no results


@rule("math.gamma", "math.lgamma")
def _no_digamma(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    raise fw.fail(op, f"no derivative rule for {op.name} (its derivative needs digamma, "
                      "which ember does not provide yet)")
