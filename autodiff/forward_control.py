"""Forward rules of structured control flow and calls: scf.for, scf.while, scf.if, func.call.

Loops, branches and try/except are rebuilt with the tangents of their active values as extra carried
values / results (one per tangent leaf, zeros where a path has none), so a loop stays one
loop and its trip count is decided by the primal values alone. A call of a helper with
active arguments calls the helper's derivative for that pattern of active arguments
(ForwardContext.derive_callee), made once per pattern.

Each rule returns the result tangents of every channel (a list per channel: see
Forward.channels); the carried leaves are those of channel 0, then channel 1, ...
"""
from __future__ import annotations

from typing import Iterator, Sequence

from ember.autodiff.activity import states_of
from ember.autodiff.forward import Forward, callee_of, callee_symbol, in_library, rule
from ember.autodiff.forward_emit import Tangent, leaf_paths, normalize, unflatten
from ember.ir.core import Block, Operation, Region, Value
from ember.ir.errors import DifferentiationError
from ember.ir.types import I64, TupleType


def _active(fw: Forward, values: Sequence[Value]) -> list[int]:
    return [i for i, v in enumerate(values) if fw.active(v)]


def _names(fw: Forward, values: Sequence[Value], which: Sequence[int]) -> list[str | None]:
    return [f"{values[i].name}_dot" if values[i].name else None
            for i in which for _ in leaf_paths(values[i].type)] * fw.channels


def _structs(originals: Sequence[Value], which: Sequence[int], it: Iterator[Value]) -> list[Tangent]:
    """Per original value, the tangent held by the next leaves of `it` (for indices in
    `which`)."""
    out: list[Tangent] = [None] * len(originals)
    for i in which:
        out[i] = normalize(unflatten(originals[i].type, it))
    return out


def _bind(fw: Forward, originals: Sequence[Value], news: Sequence[Value], which: Sequence[int],
          leaves: Sequence[Value]) -> list[list[Tangent]]:
    """Map originals to news and their tangents (every channel's) to `leaves`; the
    tangents per channel."""
    fw.vmap.update(zip(originals, news))
    it = iter(leaves)
    per_channel = []
    for c in range(fw.channels):
        structs = _structs(originals, which, it)
        for v, t in zip(originals, structs):
            if t is not None:
                fw.tmaps[c][v] = t
        per_channel.append(structs)
    return per_channel


def _body(fw: Forward, src: Block, dst: Block, extra: list[Value] | None = None,
          which: Sequence[int] = ()) -> None:
    """Copy src's ops into dst; its terminator gets the tangent leaves of `which` operands
    (counting operands after the condition for scf.condition)."""
    with fw.b.at(dst):
        fw.block(src)
        term = src.terminator
        assert term is not None
        with fw.b.located(term.loc or fw.b.loc):
            ops = term.operands
            head = [fw.p(ops[0])] if term.name == "scf.condition" else []
            vals = ops[1:] if term.name == "scf.condition" else ops
            fw.b.op(term.name, head + [fw.p(v) for v in vals] + fw.leaves_of(vals, which))


@rule("scf.for")
def _for(fw: Forward, op: Operation, _: Operation) -> list[list[Tangent]]:
    body = op.regions[0].block
    carried = body.args[1:]
    which = _active(fw, carried)
    inits = op.operands[3:]
    ltypes = fw.leaf_types(carried, which)
    names = _names(fw, carried, which)
    block = Block([I64] + [a.type for a in carried] + ltypes,
                  [body.args[0].name] + [a.name for a in carried] + names)
    operands = [fw.p(v) for v in op.operands] + fw.leaves_of(inits, which)
    new = fw.b.op("scf.for", operands, [r.type for r in op.results] + ltypes,
                  dict(op.attributes), [Region([block])],
                  [r.name for r in op.results] + _names(fw, op.results, which))
    n = len(carried)
    fw.vmap[body.args[0]] = block.args[0]
    _bind(fw, carried, block.args[1:n + 1], which, block.args[n + 1:])
    _body(fw, body, block, which=which)
    return _bind(fw, op.results, new.results[:n], which, new.results[n:])


@rule("scf.while")
def _while(fw: Forward, op: Operation, _: Operation) -> list[list[Tangent]]:
    before, after = op.regions[0].block, op.regions[1].block
    wb = _active(fw, before.args)
    wa = _active(fw, after.args)
    btypes, atypes = fw.leaf_types(before.args, wb), fw.leaf_types(after.args, wa)
    nb, na = len(before.args), len(after.args)
    new_before = Block([a.type for a in before.args] + btypes,
                       [a.name for a in before.args] + _names(fw, before.args, wb))
    new_after = Block([a.type for a in after.args] + atypes,
                      [a.name for a in after.args] + _names(fw, after.args, wa))
    operands = [fw.p(v) for v in op.operands] + fw.leaves_of(op.operands, wb)
    new = fw.b.op("scf.while", operands, [r.type for r in op.results] + atypes,
                  dict(op.attributes), [Region([new_before]), Region([new_after])],
                  [r.name for r in op.results] + _names(fw, op.results, wa))
    _bind(fw, before.args, new_before.args[:nb], wb, new_before.args[nb:])
    _body(fw, before, new_before, which=wa)
    _bind(fw, after.args, new_after.args[:na], wa, new_after.args[na:])
    _body(fw, after, new_after, which=wb)
    return _bind(fw, op.results, new.results[:na], wa, new.results[na:])


@rule("scf.if")
def _if(fw: Forward, op: Operation, _: Operation) -> list[list[Tangent]]:
    which = _active(fw, op.results)
    ltypes = fw.leaf_types(op.results, which)
    blocks = [Block() for _ in op.regions]
    new = fw.b.op("scf.if", [fw.p(op.operands[0])], [r.type for r in op.results] + ltypes,
                  dict(op.attributes), [Region([b]) for b in blocks],
                  [r.name for r in op.results] + _names(fw, op.results, which))
    for region, block in zip(op.regions, blocks):
        _body(fw, region.block, block, which=which)
    n = len(op.results)
    return _bind(fw, op.results, new.results[:n], which, new.results[n:])


@rule("scf.try")
def _try(fw: Forward, op: Operation, _: Operation) -> list[list[Tangent]]:
    # the handlers' state (what scf.try_state recorded last) gains the tangents of its
    # active values, so a handler continues from the primal and tangent state alike
    handlers = [r.block for r in op.regions[1:]]
    state = handlers[0].args if handlers else []
    ws = _active(fw, state)
    for st in states_of(op):
        fw.state_which[st] = ws
    which = _active(fw, op.results)
    ltypes, stypes = fw.leaf_types(op.results, which), fw.leaf_types(state, ws)
    body = Block()
    hblocks = [Block([a.type for a in h.args] + stypes, [a.name for a in h.args] + _names(fw, h.args, ws))
               for h in handlers]
    new = fw.b.op("scf.try", [], [r.type for r in op.results] + ltypes, dict(op.attributes),
                  [Region([body])] + [Region([hb]) for hb in hblocks],
                  [r.name for r in op.results] + _names(fw, op.results, which))
    _body(fw, op.regions[0].block, body, which=which)
    for h, hb in zip(handlers, hblocks):
        n = len(h.args)
        _bind(fw, h.args, hb.args[:n], ws, hb.args[n:])
        _body(fw, h, hb, which=which)
    n = len(op.results)
    return _bind(fw, op.results, new.results[:n], which, new.results[n:])


@rule("scf.try_state")
def _try_state(fw: Forward, op: Operation, _: Operation) -> list[list[Tangent]]:
    ws = fw.state_which.get(op, [])
    fw.b.op("scf.try_state", [fw.p(v) for v in op.operands] + fw.leaves_of(op.operands, ws), [],
            dict(op.attributes))
    return [[] for _ in range(fw.channels)]


@rule("func.call")
def _call(fw: Forward, op: Operation, _: Operation) -> list[list[Tangent]]:
    pattern = fw.act.call_patterns.get(op)
    attrs = dict(op.attributes)
    names = [r.name for r in op.results]
    none = [[None] * len(op.results) for _ in range(fw.channels)]
    if pattern is None:  # no active argument: the plain call
        new = fw.b.op("func.call", [fw.p(v) for v in op.operands], [r.type for r in op.results],
                      attrs, names=names)
        fw.vmap.update(zip(op.results, new.results))
        return none
    name = callee_of(op)
    try:
        symbol = fw.ctx.derive_callee(name, pattern)
    except DifferentiationError as e:
        if e.loc is not None and not in_library(e.loc.file):
            raise
        # the helper is ember's own library code (a dict or list method): point at the
        # user's call of it instead
        raise fw.fail(op, e.message) from None
    summary = fw.ctx.analyzer.summaries[(name, pattern)]
    attrs["callee"] = callee_symbol(op, symbol)
    which = [i for i, on in enumerate(pattern) if on]
    operands = [fw.p(v) for v in op.operands] + fw.leaves_of(op.operands, which)
    if not summary.result_active:
        new = fw.b.op("func.call", operands, [r.type for r in op.results], attrs, names=names)
        fw.vmap.update(zip(op.results, new.results))
        return none
    res = op.results[0]
    ltypes = [t for _, t in leaf_paths(res.type)] * fw.channels
    whole = fw.b.op("func.call", operands, [TupleType((res.type,) + tuple(ltypes))], attrs).result
    fw.vmap[res] = fw.em.op("tuple.get", [whole], res.type, index=0)
    fw.vmap[res].name = res.name
    leaves = iter([fw.em.op("tuple.get", [whole], t, index=k + 1) for k, t in enumerate(ltypes)])
    return [[unflatten(res.type, leaves)] for _ in range(fw.channels)]
