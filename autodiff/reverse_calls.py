"""Reverse-mode rule for `func.call`: the helper is differentiated through, not inlined.
Its vjp (`<callee>__vjp`, derived once per callee and set of active arguments) is called
at the replay point with the result's adjoint; it recomputes its own forward sweep.
An array gradient it returns is added into the caller's shadow of that argument."""
from __future__ import annotations

from ember.autodiff import reverse_values as rv
from ember.autodiff.reverse_activity import callee_of
from ember.autodiff.reverse_sweep import Sweep, rule
from ember.ir.core import Operation, SymbolRef
from ember.ir.errors import DifferentiationError
from ember.ir.types import ArrayType, TupleType


@rule("func.call")
def _call(sw: Sweep, op: Operation, adjs: list) -> None:
    callee = callee_of(op)
    if callee not in sw.module.funcs:
        raise DifferentiationError(f"reverse mode cannot differentiate a call of {callee}", op.loc)
    if not op.results:
        raise DifferentiationError(
            f"reverse mode cannot differentiate a call of {callee} that returns nothing "
            "(a helper that writes into an array argument)", op.loc)
    wrt = [i for i, v in enumerate(op.operands) if sw.act.is_active(v)]
    name = sw.derive_call(callee, wrt, op.loc)
    res = op.result
    if isinstance(res.type, ArrayType):
        cot = sw.shadow(res)
        if cot is None:
            return
    else:
        cot = rv.materialize(sw.b, res.type, adjs[0])
    vjp_fn = sw.module.funcs[name]
    out = sw.v("func.call", [sw.p(v) for v in op.operands] + [cot], vjp_fn.return_type,
               callee=SymbolRef(name))
    grads = sw.v("tuple.get", [out], vjp_fn.return_type.elements[1], index=1)  # type: ignore[union-attr]
    gt: TupleType = grads.type  # type: ignore[assignment]
    for j, i in enumerate(wrt):
        arg = op.operands[i]
        g = sw.v("tuple.get", [grads], gt.elements[j], index=j)
        if isinstance(arg.type, ArrayType):
            shadow = sw.shadow(arg)
            if shadow is not None:
                add_into(sw, shadow, g)
        else:
            sw.acc(arg, rv.split(sw.b, arg.type, g))


def add_into(sw: Sweep, shadow, g) -> None:
    """shadow += g elementwise (same shape)."""
    nd = shadow.type.ndim
    dims = [sw.v("array.dim", [shadow], rv.I64, axis=k) for k in range(nd)]
    dt = shadow.type.dtype

    def value(idx):
        a = sw.v("array.load", [shadow] + idx, dt)
        return sw.f("arith.addf", a, sw.v("array.load", [g] + idx, dt))
    sw.fill(shadow, dims, value)
