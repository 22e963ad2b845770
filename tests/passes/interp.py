"""A tiny reference interpreter of typed IR, to check that a pass preserves meaning.

Leaf ops are evaluated with the folder's semantics (`ember.ir.passes.fold`); the
structure (scf.if/for/while, func.call, cf.assert, math.check) is interpreted here.
Exceptions that the IR would raise come back as ("raise", exc) tuples.
"""
from __future__ import annotations

from ember.ir.core import Block, Module, Operation, Value
from ember.ir.passes.fold import evaluate, math_check_passes
from ember.ir.passes.inline import callee_name


class Raised(Exception):
    pass


def run_func(m: Module, name: str, args: list) -> object:
    try:
        return _call(m, name, list(args))
    except Raised as e:
        return ("raise", e.args[0])


def _call(m: Module, name: str, args: list) -> object:
    f = m.funcs[name]
    env: dict[Value, object] = dict(zip(f.args, args))
    out = _block(m, f.body.block, env)
    return out[0] if out else None


def _block(m: Module, block: Block, env: dict) -> list:
    for op in block.ops:
        if op.name in ("scf.yield", "func.return", "scf.condition"):
            return [env[v] for v in op.operands]
        _op(m, op, env)
    raise AssertionError("block without terminator")


def _op(m: Module, op: Operation, env: dict) -> None:
    vals = [env[v] for v in op.operands]
    name = op.name
    if name == "arith.constant":
        env[op.results[0]] = op.attributes["value"]
    elif name == "cf.assert":
        if not vals[0]:
            raise Raised(op.attributes["exc"])
    elif name == "math.check":
        if not math_check_passes(vals):
            raise Raised("math")
    elif name == "func.call":
        r = _call(m, callee_name(op), vals)
        if op.results:
            env[op.results[0]] = r
    elif name == "tuple.make":
        env[op.results[0]] = tuple(vals)
    elif name == "tuple.get":
        env[op.results[0]] = vals[0][op.attributes["index"]]
    elif name == "scf.if":
        region = op.regions[0 if vals[0] else 1]
        for r, v in zip(op.results, _block(m, region.block, env)):
            env[r] = v
    elif name == "scf.for":
        lb, ub, step, carried = vals[0], vals[1], vals[2], vals[3:]
        body = op.regions[0].block
        for i in range(lb, ub, step):
            env.update(zip(body.args, [i] + carried))
            carried = _block(m, body, env)
        env.update(zip(op.results, carried))
    elif name == "scf.while":
        before, after = op.regions[0].block, op.regions[1].block
        carried = vals
        while True:
            env.update(zip(before.args, carried))
            cond, *fwd = _block(m, before, env)
            if not cond:
                env.update(zip(op.results, fwd))
                break
            env.update(zip(after.args, fwd))
            carried = _block(m, after, env)
    else:
        r = evaluate(op, vals)
        if r is None:
            raise Raised(f"cannot evaluate {name} on {vals}")
        env[op.results[0]] = r
