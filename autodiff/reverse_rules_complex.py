"""Reverse-mode rules for complex scalars. Inside the sweep the adjoint of a complex
value is dL/d(re) + i dL/d(im), so the adjoint of a holomorphic op is the result's
adjoint times the conjugate derivative; at the function boundary (cotangent in,
gradient out) it is conjugated to JAX's convention (reverse_values.materialize/split)."""
from __future__ import annotations

from ember.autodiff.reverse_sweep import Sweep, rule
from ember.ir.core import Operation, Value
from ember.ir.types import BOOL, ScalarType


def _part_type(t: ScalarType) -> ScalarType:
    return ScalarType("f", t.bits // 2)


def _make(sw: Sweep, re: Value, im: Value, t: ScalarType) -> Value:
    return sw.v("complex.make", [re, im], t)


def _c(sw: Sweep, name: str, *xs: Value) -> Value:
    return sw.b.value(name, list(xs), xs[0].type)


def _conj(sw: Sweep, x: Value) -> Value:
    return _c(sw, "complex.conj", x)


def _want(sw: Sweep, v: Value) -> bool:
    return sw.act.is_active(v)


@rule("complex.make")
def _complex_make(sw: Sweep, op: Operation, adjs: list) -> None:
    g = adjs[0]
    part = _part_type(g.type)
    sw.acc(op.operands[0], sw.v("complex.re", [g], part))
    sw.acc(op.operands[1], sw.v("complex.im", [g], part))


@rule("complex.re", "complex.im")
def _complex_part(sw: Sweep, op: Operation, adjs: list) -> None:
    g = adjs[0]
    zero = sw.const(0.0, g.type)
    t = op.operands[0].type
    pair = (g, zero) if op.name == "complex.re" else (zero, g)
    sw.acc(op.operands[0], _make(sw, *pair, t))


@rule("complex.add")
def _complex_add(sw: Sweep, op: Operation, adjs: list) -> None:
    sw.acc(op.operands[0], adjs[0])
    sw.acc(op.operands[1], adjs[0])


@rule("complex.sub")
def _complex_sub(sw: Sweep, op: Operation, adjs: list) -> None:
    sw.acc(op.operands[0], adjs[0])
    if _want(sw, op.operands[1]):
        sw.acc(op.operands[1], _c(sw, "complex.neg", adjs[0]))


@rule("complex.neg")
def _complex_neg(sw: Sweep, op: Operation, adjs: list) -> None:
    sw.acc(op.operands[0], _c(sw, "complex.neg", adjs[0]))


@rule("complex.conj")
def _complex_conj(sw: Sweep, op: Operation, adjs: list) -> None:
    sw.acc(op.operands[0], _conj(sw, adjs[0]))


@rule("complex.mul")
def _complex_mul(sw: Sweep, op: Operation, adjs: list) -> None:
    u, v = (sw.p(x) for x in op.operands)
    if _want(sw, op.operands[0]):
        sw.acc(op.operands[0], _c(sw, "complex.mul", adjs[0], _conj(sw, v)))
    if _want(sw, op.operands[1]):
        sw.acc(op.operands[1], _c(sw, "complex.mul", adjs[0], _conj(sw, u)))


@rule("complex.div", "complex.npdiv")
def _complex_div(sw: Sweep, op: Operation, adjs: list) -> None:
    v = sw.p(op.operands[1])
    gu = _c(sw, "complex.npdiv", adjs[0], _conj(sw, v))
    sw.acc(op.operands[0], gu)
    if _want(sw, op.operands[1]):
        w = sw.p(op.result)
        sw.acc(op.operands[1], _c(sw, "complex.neg", _c(sw, "complex.mul", gu, _conj(sw, w))))


@rule("complex.abs")
def _complex_abs(sw: Sweep, op: Operation, adjs: list) -> None:
    """d|z| = (re dre + im dim) / |z|; 0 at z = 0 (as forward mode)."""
    z = sw.p(op.operands[0])
    r = sw.p(op.result)
    g = adjs[0]
    zero = sw.const(0.0, r.type)
    at0 = sw.v("arith.cmpf", [r, zero], BOOL, predicate="oeq")
    s = sw.v("arith.select", [at0, zero, sw.f("arith.divf", g, r)], r.type)
    re = sw.f("arith.mulf", s, sw.v("complex.re", [z], r.type))
    im = sw.f("arith.mulf", s, sw.v("complex.im", [z], r.type))
    sw.acc(op.operands[0], _make(sw, re, im, op.operands[0].type))
