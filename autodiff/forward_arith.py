"""Forward rules of arithmetic: arith.* float ops, casts, select, and complex.* ops.

Each rule gets (fw, op, new): the original op and its primal copy (whose results are the
primal results, reused so nothing is computed twice), and returns the result tangents.
A None operand tangent is a zero and generates no code. Conventions (docs/autodiff.md):
pow follows JAX (d/dx = y * x**(y-1), d/dy = log(x) * x**y with log(0) taken as 0);
floor division has derivative 0; Python's % has d/dx = 1, d/dy = -(x // y); NumPy's
maximum/minimum split a tie 0.5 / 0.5 and give 0 to both at nan (JAX's _balanced_eq).
"""
from __future__ import annotations

from ember.autodiff.forward import Forward, rule
from ember.autodiff.forward_emit import Tangent, unflatten
from ember.ir.core import Operation, Value
from ember.ir.types import BOOL, ScalarType


# ---- small algebra on possibly-zero tangents --------------------------------------------
def add(fw: Forward, a: Value | None, b: Value | None, name: str = "arith.addf") -> Value | None:
    if a is None:
        return b
    if b is None:
        return a
    return fw.em.op(name, [a, b], a.type)


def neg(fw: Forward, a: Value | None, name: str = "arith.negf") -> Value | None:
    return None if a is None else fw.em.op(name, [a], a.type)


def mul(fw: Forward, a: Value | None, b: Value, name: str = "arith.mulf") -> Value | None:
    """a * b with a a tangent (None: zero) and b a primal factor."""
    return None if a is None else fw.em.op(name, [a, b], a.type)


def scalar_tangent(fw: Forward, v: Value) -> Value | None:
    t = fw.t(v)
    assert t is None or isinstance(t, Value)
    return t


def _binary(fw: Forward, op: Operation) -> tuple[Value, Value, Value | None, Value | None]:
    x, y = op.operands
    return fw.p(x), fw.p(y), scalar_tangent(fw, x), scalar_tangent(fw, y)


@rule("arith.addf")
def _addf(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    _, _, tx, ty = _binary(fw, op)
    return [add(fw, tx, ty)]


@rule("arith.subf")
def _subf(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    _, _, tx, ty = _binary(fw, op)
    if ty is None:
        return [tx]
    if tx is None:
        return [neg(fw, ty)]
    return [fw.em.op("arith.subf", [tx, ty], tx.type)]


@rule("arith.mulf")
def _mulf(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    x, y, tx, ty = _binary(fw, op)
    return [add(fw, mul(fw, tx, y), mul(fw, ty, x))]


@rule("arith.divf")
def _divf(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    # d(x/y) = (dx - (x/y) dy) / y: the quotient is the primal result, already computed
    x, y, tx, ty = _binary(fw, op)
    num = tx
    if ty is not None:
        q_dy = fw.em.op("arith.mulf", [new.results[0], ty], ty.type)
        num = neg(fw, q_dy) if tx is None else fw.em.op("arith.subf", [tx, q_dy], tx.type)
    return [None if num is None else fw.em.op("arith.divf", [num, y], num.type)]


@rule("arith.negf")
def _negf(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    return [neg(fw, scalar_tangent(fw, op.operands[0]))]


@rule("arith.powf", "math.pow")
def _powf(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    x, y, tx, ty = _binary(fw, op)
    em = fw.em
    t = x.type
    out = None
    if tx is not None:  # y * x ** (y - 1)
        ym1 = em.op("arith.subf", [y, em.const(1.0, t)], t)
        dx = em.op("arith.mulf", [y, em.op("math.pow", [x, ym1], t)], t)
        out = mul(fw, tx, dx)
    if ty is not None:  # log(x) * x ** y, log(0) replaced by log(1) as JAX does
        zero = em.const(0.0, t)
        is0 = em.op("arith.cmpf", [x, zero], BOOL, predicate="oeq")
        safe = em.op("arith.select", [is0, em.const(1.0, t), x], t)
        dy = em.op("arith.mulf", [em.op("math.log", [safe], t), new.results[0]], t)
        out = add(fw, out, mul(fw, ty, dy))
    return [out]


@rule("arith.floormodf")
def _floormodf(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    # x % y = x - (x // y) * y with x // y piecewise constant
    x, y, tx, ty = _binary(fw, op)
    if ty is None:
        return [tx]
    q = fw.em.op("arith.floordivf", [x, y], x.type)
    return [add(fw, tx, neg(fw, mul(fw, ty, q)))]


@rule("arith.maximumf", "arith.minimumf")
def _max_min_f(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    x, y, tx, ty = _binary(fw, op)
    wx, wy = tie_weights(fw.em.op, fw.em.const, x, y, new.results[0])
    return [add(fw, mul(fw, tx, wx), mul(fw, ty, wy))]


def tie_weights(op, const, x: Value, y: Value, z: Value) -> tuple[Value, Value]:
    """JAX's _balanced_eq for z = maximum/minimum(x, y): the weight of x is 1 where z == x
    only, 0.5 where z equals both (a tie), 0 where z == y only or z is nan (so is y's).
    `op(name, operands, type, **attrs)` and `const(value, type)` emit (shared with reverse
    mode, which passes its own emitters)."""
    t = x.type
    ex = op("arith.cmpf", [x, z], BOOL, predicate="oeq")
    ey = op("arith.cmpf", [y, z], BOOL, predicate="oeq")
    half, one, zero = const(0.5, t), const(1.0, t), const(0.0, t)
    wx = op("arith.select", [ex, op("arith.select", [ey, half, one], t), zero], t)
    wy = op("arith.select", [ey, op("arith.select", [ex, half, one], t), zero], t)
    return wx, wy


@rule("arith.select")
def _select(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    c, a, b = op.operands
    return [select(fw, fw.p(c), fw.p(a), fw.t(a), fw.p(b), fw.t(b))]


def select(fw: Forward, c: Value, pa: Value, ta: Tangent, pb: Value, tb: Tangent) -> Tangent:
    """The tangent of select(c, a, b), leaf by leaf (zeros where one side has none)."""
    if ta is None and tb is None:
        return None
    la, lb = fw.em.leaves(pa, ta), fw.em.leaves(pb, tb)
    picked = [fw.em.op("arith.select", [c, u, v], u.type) for u, v in zip(la, lb)]
    return unflatten(pa.type, iter(picked))


@rule("arith.extf", "arith.truncf")
def _fcast(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    t = scalar_tangent(fw, op.operands[0])
    return [None if t is None else fw.em.op(op.name, [t], op.results[0].type)]


# ---- complex ------------------------------------------------------------------------------
@rule("complex.add")
def _cadd(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    _, _, tx, ty = _binary(fw, op)
    return [add(fw, tx, ty, "complex.add")]


@rule("complex.sub")
def _csub(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    _, _, tx, ty = _binary(fw, op)
    if ty is None:
        return [tx]
    if tx is None:
        return [neg(fw, ty, "complex.neg")]
    return [fw.em.op("complex.sub", [tx, ty], tx.type)]


@rule("complex.neg", "complex.conj")
def _clinear(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    t = scalar_tangent(fw, op.operands[0])
    return [None if t is None else fw.em.op(op.name, [t], t.type)]


@rule("complex.mul")
def _cmul(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    x, y, tx, ty = _binary(fw, op)
    return [add(fw, mul(fw, tx, y, "complex.mul"), mul(fw, ty, x, "complex.mul"), "complex.add")]


@rule("complex.div", "complex.npdiv")
def _cdiv(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    x, y, tx, ty = _binary(fw, op)
    num = tx
    if ty is not None:
        q_dy = fw.em.op("complex.mul", [new.results[0], ty], ty.type)
        num = neg(fw, q_dy, "complex.neg") if tx is None else fw.em.op("complex.sub", [tx, q_dy], tx.type)
    return [None if num is None else fw.em.op(op.name, [num, y], num.type)]


@rule("complex.make")
def _cmake(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    re, im = op.operands
    tre, tim = scalar_tangent(fw, re), scalar_tangent(fw, im)
    if tre is None and tim is None:
        return [None]
    part = re.type
    tre = tre if tre is not None else fw.em.const(0.0, part)
    tim = tim if tim is not None else fw.em.const(0.0, part)
    return [fw.em.op("complex.make", [tre, tim], op.results[0].type)]


@rule("complex.re", "complex.im")
def _cpart(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    t = scalar_tangent(fw, op.operands[0])
    return [None if t is None else fw.em.op(op.name, [t], op.results[0].type)]


@rule("complex.abs")
def _cabs(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    # d|z| = (re dre + im dim) / |z|, 0 at z = 0 (JAX replaces the zero denominator)
    z, t = fw.p(op.operands[0]), scalar_tangent(fw, op.operands[0])
    if t is None:
        return [None]
    em = fw.em
    part: ScalarType = op.results[0].type  # type: ignore[assignment]
    re, im = em.op("complex.re", [z], part), em.op("complex.im", [z], part)
    tre, tim = em.op("complex.re", [t], part), em.op("complex.im", [t], part)
    dot = em.op("arith.addf", [em.op("arith.mulf", [re, tre], part),
                               em.op("arith.mulf", [im, tim], part)], part)
    r = new.results[0]
    is0 = em.op("arith.cmpf", [r, em.const(0.0, part)], BOOL, predicate="oeq")
    safe = em.op("arith.select", [is0, em.const(1.0, part), r], part)
    return [em.op("arith.divf", [dot, safe], part)]
