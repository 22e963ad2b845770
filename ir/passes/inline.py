"""Inlining of `func.call` to functions of the same module.

A call to `@g` is replaced by a copy of g's body when g is in the module, is not
(mutually) recursive, and is small (fewer than `MAX_OPS` ops, nested ones
included) or called from exactly one site in the module. Functions are
processed callees first, so an inlined body has already had its own calls
inlined.

Afterwards functions no longer reachable from a root are dropped. Roots are
the `entry` symbol passed to `run`/`apply` and every function whose
`FuncOp.attributes` has `"entry": True`. With no root at all nothing is dropped
(the pass cannot tell which function the caller wants to keep).
"""
from __future__ import annotations

from ember.ir.core import Block, FuncOp, Module, Operation, Region, SymbolRef, Value
from ember.ir.passes.uses import Substitution, count_ops

MAX_OPS = 60


def callee_name(op: Operation) -> str | None:
    c = op.attributes.get("callee")
    if isinstance(c, SymbolRef):
        return c.name
    if isinstance(c, str):
        return c.lstrip("@")
    return None


def _calls(func: FuncOp) -> list[Operation]:
    return [op for op in func.walk() if op.name == "func.call"]


def _call_graph(module: Module) -> dict[str, list[str]]:
    graph: dict[str, list[str]] = {}
    for f in module:
        names = [callee_name(op) for op in _calls(f)]
        graph[f.name] = [n for n in names if n is not None and n in module.funcs]
    return graph


def _cyclic(graph: dict[str, list[str]]) -> set[str]:
    """Functions that can reach themselves through calls."""
    out: set[str] = set()
    for start in graph:
        seen: set[str] = set()
        stack = list(graph[start])
        while stack:
            n = stack.pop()
            if n == start:
                out.add(start)
                break
            if n not in seen:
                seen.add(n)
                stack.extend(graph.get(n, ()))
    return out


def _post_order(graph: dict[str, list[str]]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()
    for root in graph:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(graph[root]))]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                order.append(node)
            elif nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, iter(graph.get(nxt, ()))))
    return order


def _clone_op(op: Operation, vmap: dict[Value, Value]) -> Operation:
    def get(v: Value) -> Value:
        try:
            return vmap[v]
        except KeyError:
            raise ValueError(f"inline: {op.name} uses {v!r} defined outside the callee") from None

    regions = []
    for region in op.regions:
        new_region = Region()
        for block in region.blocks:
            nb = Block([a.type for a in block.args], [a.name for a in block.args])
            for a, na in zip(block.args, nb.args):
                vmap[a] = na
            for inner in block.ops:
                nb.append(_clone_op(inner, vmap))
            new_region.add_block(nb)
        regions.append(new_region)
    new = Operation(op.name, [get(v) for v in op.operands], [r.type for r in op.results],
                    dict(op.attributes), regions, op.loc, [r.name for r in op.results])
    for r, nr in zip(op.results, new.results):
        vmap[r] = nr
    return new


def _inlinable_body(g: FuncOp) -> bool:
    """One block ending in the only `func.return`, as the frontend builds functions."""
    ops = g.body.block.ops
    if not ops or ops[-1].name != "func.return":
        return False
    return sum(1 for op in g.walk() if op.name == "func.return") == 1


def inline_call(call: Operation, g: FuncOp, subst: Substitution) -> bool:
    """Replace `call` by a copy of g's body; the call's result goes into `subst`."""
    block = call.parent
    ret = g.body.block.ops[-1]
    if block is None or len(call.operands) != len(g.args) or len(call.results) > len(ret.operands):
        return False
    if any(r.type != v.type for r, v in zip(call.results, ret.operands)):
        return False
    vmap: dict[Value, Value] = dict(zip(g.args, call.operands))
    new_ops = [_clone_op(op, vmap) for op in g.body.block.ops[:-1]]
    for op in new_ops:
        op.parent = block
    i = block.ops.index(call)
    block.ops[i:i + 1] = new_ops
    call.parent = None
    for r, v in zip(call.results, ret.operands):
        subst.add(r, vmap[v])
    return True


def _reachable(module: Module, roots: set[str]) -> set[str]:
    graph = _call_graph(module)
    seen: set[str] = set()
    stack = [r for r in roots if r in module.funcs]
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(graph.get(n, ()))
    return seen


def apply(module: Module, entry: str | None = None) -> bool:
    """Inline eligible calls and drop functions unreachable from the roots; True if changed."""
    graph = _call_graph(module)
    cyclic = _cyclic(graph)
    sites: dict[str, int] = {}
    for callees in graph.values():
        for n in callees:
            sites[n] = sites.get(n, 0) + 1
    changed = False
    for name in _post_order(graph):
        f = module.funcs[name]
        subst = Substitution()
        for call in _calls(f):
            g = module.funcs.get(callee_name(call) or "")
            if g is None or g is f or g.name in cyclic or not _inlinable_body(g):
                continue
            if g.attributes.get("noinline") is True:
                continue  # kept as a call on purpose (autodiff/jacobian_loops.py)
            if getattr(g.attributes.get("custom_rule"), "name", None) == g.name:
                continue  # autodiff must see the call: it uses the function's custom rule
            if count_ops(g) >= MAX_OPS and sites.get(g.name, 0) != 1:
                continue
            changed |= inline_call(call, g, subst)
        if subst:
            for op in f.walk():
                subst.apply(op)
    roots = {n for n, f in module.funcs.items() if f.attributes.get("entry") is True}
    if entry is not None:
        roots.add(entry)
    if roots:
        keep = _reachable(module, roots)
        for n in [n for n in module.funcs if n not in keep]:
            del module.funcs[n]
            changed = True
    return changed


def run(module: Module, entry: str | None = None) -> Module:
    apply(module, entry)
    return module
