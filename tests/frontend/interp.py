"""A reference interpreter of the frontend's untyped IR, with CPython semantics for `py.*`.

Running the built IR on the same arguments as the Python function and comparing results
checks the frontend's lowering (flags, carried values, short-circuits) without type
inference or the backend. `py.undef` is a sentinel that fails loudly if used in arithmetic.
"""
from __future__ import annotations

import builtins
import math
import operator
from typing import Any

from ember.frontend import build_function
from ember.ir.core import Block, FuncOp, Operation, Value


class Undef:
    def __repr__(self) -> str:
        return "<undef>"


UNDEF = Undef()

_PY = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow,
    "lshift": operator.lshift, "rshift": operator.rshift, "bitand": operator.and_,
    "bitor": operator.or_, "bitxor": operator.xor, "neg": operator.neg, "pos": operator.pos,
    "invert": operator.invert, "not": operator.not_, "lt": operator.lt, "le": operator.le,
    "gt": operator.gt, "ge": operator.ge, "eq": operator.eq, "ne": operator.ne, "truth": bool,
    "abs": abs, "int": int, "float": float, "bool": bool, "round": round, "min": min,
    "max": max, "divmod": divmod,
}


class _Return(Exception):
    pass


class Interpreter:
    def __init__(self, max_steps: int = 10 ** 6) -> None:
        self.steps = max_steps
        self.cache: dict[Any, FuncOp] = {}

    def call(self, func: FuncOp, args: list[Any]) -> Any:
        env: dict[Value, Any] = dict(zip(func.args, args))
        try:
            self.block(func.body.block, env)
        except _Return as r:
            return r.args[0]
        raise AssertionError("function body ended without func.return")

    def block(self, block: Block, env: dict[Value, Any]) -> list[Any]:
        """Run a block; returns the operands of its scf terminator."""
        for op in block.ops:
            if op.name in ("scf.yield", "scf.condition"):
                return [env[v] for v in op.operands]
            if op.name == "func.return":
                raise _Return(env[op.operands[0]] if op.operands else None)
            vals = self.op(op, env)
            for r, v in zip(op.results, vals):
                env[r] = v
        raise AssertionError("block without terminator")

    def region(self, op: Operation, i: int, args: list[Any], env: dict[Value, Any]) -> list[Any]:
        block = op.regions[i].block
        inner = dict(env)
        inner.update(zip(block.args, args))
        return self.block(block, inner)

    def op(self, op: Operation, env: dict[Value, Any]) -> list[Any]:
        self.steps -= 1
        if self.steps < 0:
            raise RuntimeError("step budget exhausted (infinite loop?)")
        name = op.name
        a = [env[v] for v in op.operands]
        if any(x is UNDEF for x in a) and name not in ("scf.if", "scf.for", "scf.while",
                                                         "tuple.make", "func.call"):
            raise AssertionError(f"{name} used an undefined value")
        if name == "arith.constant":
            return [op.attributes["value"]]
        if name == "py.undef":
            return [UNDEF]
        if name.startswith("py."):
            return [_PY[name[3:]](*a)]
        if name.startswith("math."):
            return [getattr(math, name[5:])(*a)]
        if name == "tuple.make":
            return [tuple(a)]
        if name == "tuple.get":
            return [a[0][op.attributes["index"]]]
        if name == "cf.assert":
            if not a[0]:
                raise getattr(builtins, op.attributes["exc"])(op.attributes["msg"])
            return []
        if name == "func.call":
            target = op.attributes["callee"].target
            f = self.cache.get(target)
            if f is None:
                f = self.cache[target] = build_function(target)
            return [self.call(f, a)]
        if name == "scf.if":
            return self.region(op, 0 if a[0] else 1, [], env)
        if name == "scf.for":
            lb, ub, step, *carried = a
            for iv in range(lb, ub, step):
                carried = self.region(op, 0, [iv, *carried], env)
            return carried
        if name == "scf.while":
            carried = a
            while True:
                cond, *fwd = self.region(op, 0, carried, env)
                assert isinstance(cond, bool), f"scf.condition on {cond!r}"
                if not cond:
                    return fwd
                carried = self.region(op, 1, fwd, env)
        raise AssertionError(f"the interpreter does not know {name}")


def run(pyfunc: Any, *args: Any) -> Any:
    """Build `pyfunc` and interpret its IR on `args`."""
    return Interpreter().call(build_function(pyfunc), list(args))
