"""Reverse-mode rule for `func.call`: the helper is differentiated through, not inlined.
Its vjp (`<callee>__vjp`, derived once per callee and set of active arguments) is called
at the replay point with the result's adjoint; it recomputes its own forward sweep.
An array gradient it returns is added into the caller's shadow of that argument."""
from __future__ import annotations

from ember.autodiff import reverse_values as rv
from ember.autodiff.reverse_activity import callee_of
from ember.autodiff.reverse_sweep import Sweep, rule
from ember.ir.builder import Builder
from ember.ir.clone import clone_op
from ember.ir.core import FuncOp, Operation, SymbolRef, Value
from ember.ir.errors import DifferentiationError
from ember.ir.types import NONE, ArrayType, ListType, TupleType


@rule("func.call")
def _call(sw: Sweep, op: Operation, adjs: list) -> None:
    callee = callee_of(op)
    if callee not in sw.module.funcs:
        raise DifferentiationError(f"reverse mode cannot differentiate a call of {callee}", op.loc)
    if sw.act.writing_call(op):
        reverse_writing_call(sw, op, adjs)
        return
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


# ---- helpers that write into their array arguments ---------------------------------------
# The caller copies the arrays it passes to such a helper to a snapshot tape (one flat list
# per dtype) before the call; a replay runs the helper on copies restored from it (so the
# primal arrays are never written twice), and the reverse sweep differentiates
# `<callee>__io`: the helper returning (its result, its array arguments), whose vjp takes
# the shadows of the arrays after the call as cotangents and gives them back for the
# arrays' contents before the call.

def _snapshot_arrays(sw: Sweep, op: Operation) -> list[int]:
    idx = [j for j, v in enumerate(op.operands) if isinstance(v.type, ArrayType)]
    roots = [sw.act.root(op.operands[j]) for j in idx]
    dts = {op.operands[j].type.dtype for j in idx}  # type: ignore[union-attr]
    if any(_holds_memory(v.type) for v in op.operands):
        raise DifferentiationError(
            f"reverse mode cannot differentiate a call of {callee_of(op)} that writes into "
            "memory passed inside a list, tuple or dict", op.loc)
    if len(set(map(id, roots))) != len(roots) or len(dts) != 1 \
            or any(op.operands[j].type.layout != "C" for j in idx):  # type: ignore[union-attr]
        raise DifferentiationError(
            f"reverse mode cannot differentiate a call of {callee_of(op)} that writes into "
            "its array arguments unless they are distinct C-contiguous arrays of one dtype",
            op.loc)
    return idx


def _holds_memory(t) -> bool:
    """A list, or a tuple / record holding arrays or lists (memory a snapshot misses)."""
    if isinstance(t, ListType):
        return True
    if rv.is_struct(t):
        return any(isinstance(e, ArrayType) or _holds_memory(e) for e in rv.elements(t))
    return False


def _copy_args(sw: Sweep, op: Operation, pos: Value, to_tape: bool) -> dict[int, Value]:
    """Copy the array operands of `op` to the snapshot tape at `pos` (to_tape), or fresh
    arrays restored from it."""
    from ember.autodiff.reverse_tapes import copy_flat, flat_size
    out: dict[int, Value] = {}
    off = pos
    for j in _snapshot_arrays(sw, op):
        v = sw.p(op.operands[j])
        t: ArrayType = v.type  # type: ignore[assignment]
        tape = sw.call_tapes[t.dtype]
        dims = [sw.v("array.dim", [v], rv.I64, axis=d) for d in range(t.ndim)]
        end = sw.v("arith.addi", [off, flat_size(sw, dims)], rv.I64)
        if to_tape:
            sw.b.op("list.resize", [tape, end])
            copy_flat(sw, v, tape, off, dims, True)
        else:
            out[j] = sw.v("array.alloc", dims, t)
            copy_flat(sw, out[j], tape, off, dims, False)
        off = end
    return out


def forward_writing_call(sw: Sweep, op: Operation) -> Operation:
    """The call in the forward sweep (snapshot, then the call) or in a replay (the call on
    copies restored from the snapshot)."""
    idx = _snapshot_arrays(sw, op)
    tape = sw.call_tapes[op.operands[idx[0]].type.dtype]  # type: ignore[union-attr]

    def position() -> Value:
        return sw.v("list.len", [tape], rv.I64)
    pos = sw.taped_value(rv.I64, position) if sw.in_loop else position()
    sw.env[("callpos", op)] = pos
    if not sw.replay:
        _copy_args(sw, op, pos, True)
        return sw.b.block.append(clone_op(op, sw.env))
    vmap = dict(sw.env)
    for j, c in _copy_args(sw, op, pos, False).items():
        vmap[op.operands[j]] = c
    new = sw.b.block.append(clone_op(op, vmap))
    for r, x in zip(op.results, new.results):
        sw.env[r] = x
    return new


def io_helper(module, callee: str, loc) -> str:
    """`<callee>__io`: the helper's body returning (its result, if any, then its array
    arguments), so that its vjp carries the arrays' adjoints through the writes."""
    name = f"{callee}__io"
    if name in module.funcs:
        return name
    f = module[callee]
    ret = f.body.block.ops[-1] if f.body.block.ops else None
    if ret is None or ret.name != "func.return":
        raise DifferentiationError(f"reverse mode cannot differentiate a call of {callee}", loc)
    arrays = [a for a in f.args if isinstance(a.type, ArrayType)]
    head = list(ret.operands[:1]) if f.return_type != NONE else []
    rt = TupleType(tuple([v.type for v in head] + [a.type for a in arrays]))
    new = FuncOp(name, f.arg_types, rt, [a.name for a in f.args], f.loc,
                 {k: v for k, v in f.attributes.items() if k != "entry"})
    vmap = dict(zip(f.args, new.args))
    b = Builder(new.body.block)
    for o in f.body.block.ops[:-1]:
        b.block.append(clone_op(o, vmap))
    with b.located(ret.loc):
        out = b.value("tuple.make", [vmap.get(v, v) for v in head] + [vmap[a] for a in arrays], rt)
        b.op("func.return", [out])
    module.add(new)
    return name


def reverse_writing_call(sw: Sweep, op: Operation, adjs: list) -> None:
    callee = callee_of(op)
    h = io_helper(sw.module, callee, op.loc)
    copies = _copy_args(sw, op, sw.env[("callpos", op)], False)
    wrt = [i for i, v in enumerate(op.operands) if sw.act.is_active(v)]
    name = sw.derive_call(h, wrt, op.loc)
    vjp_fn = sw.module.funcs[name]
    parts = []
    if op.results and sw.module[callee].return_type != NONE:
        res = op.result
        if isinstance(res.type, ArrayType):
            parts.append(sw.shadow(res) or sw.zeros_like(sw.p(res)))
        else:
            parts.append(rv.materialize(sw.b, res.type, adjs[0] if adjs else None))
    for j in sorted(copies):
        parts.append(sw.shadow(op.operands[j]) or sw.zeros_like(copies[j]))
    ct_type = vjp_fn.arg_types[-1]
    ct = sw.v("tuple.make", parts, ct_type)
    operands = [copies.get(j, sw.p(v)) for j, v in enumerate(op.operands)]
    out = sw.v("func.call", operands + [ct], vjp_fn.return_type, callee=SymbolRef(name))
    grads = sw.v("tuple.get", [out], vjp_fn.return_type.elements[1], index=1)  # type: ignore[union-attr]
    gt: TupleType = grads.type  # type: ignore[assignment]
    for k, i in enumerate(wrt):
        arg = op.operands[i]
        g = sw.v("tuple.get", [grads], gt.elements[k], index=k)
        if isinstance(arg.type, ArrayType):
            shadow = sw.shadow(arg)
            if shadow is not None:
                # the adjoint before the call replaces the one after it
                dims = [sw.v("array.dim", [shadow], rv.I64, axis=d) for d in range(shadow.type.ndim)]
                dt = shadow.type.dtype
                sw.fill(shadow, dims, lambda idx: sw.v("array.load", [g] + idx, dt))
        else:
            sw.acc(arg, rv.split(sw.b, arg.type, g))
