"""A reference interpreter of typed IR with arrays, tracking reference counts.

Arrays are `Ref`s: a NumPy view plus the `Buffer` it lives in (None for memory the
caller owns: function arguments). Every op with an array result makes an owned
reference exactly as docs/arrays-internals.md says (array.alloc/map/reduce a new buffer
with count 1, array.subview/transpose a retain of their source's buffer);
array.retain/release count, and any count below 0 or access to a freed buffer fails the
test. Whole-array ops (array.map/assign/reduce) are interpreted directly with NumPy's
broadcasting, so a module can be run before and after lowering and compared.
Scalar ops use the folder's exact semantics (`ember.ir.passes.fold.evaluate`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ember.ir.core import Block, Module, Operation, Value
from ember.ir.passes.fold import evaluate, math_check_passes
from ember.ir.passes.inline import callee_name
from ember.ir.types import ArrayType

NP_DTYPES = {"bool": np.bool_, "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64,
             "u8": np.uint8, "u16": np.uint16, "u32": np.uint32, "u64": np.uint64,
             "f32": np.float32, "f64": np.float64}


class Raised(Exception):
    pass


@dataclass(eq=False)
class Buffer:
    count: int = 1

    @property
    def freed(self) -> bool:
        return self.count == 0


@dataclass(eq=False)
class Ref:
    a: np.ndarray
    buf: Buffer | None = None

    def live(self) -> np.ndarray:
        assert self.buf is None or not self.buf.freed, "use of a freed array"
        return self.a


@dataclass
class Interp:
    module: Module
    buffers: list[Buffer] = field(default_factory=list)
    ops_run: dict[str, int] = field(default_factory=dict)

    def call(self, name: str, args: list) -> object:
        """Run @name; arrays may be given as numpy arrays (borrowed, like the caller's)."""
        args = [Ref(a) if isinstance(a, np.ndarray) else a for a in args]
        try:
            return self._call(name, args)
        except Raised as e:
            return ("raise",) + tuple(e.args)

    def _call(self, name: str, args: list) -> object:
        f = self.module.funcs[name]
        env: dict[Value, object] = dict(zip(f.args, args))
        out = self.block(f.body.block, env)
        return out[0] if out else None

    def new(self, a: np.ndarray) -> Ref:
        buf = Buffer()
        self.buffers.append(buf)
        return Ref(a, buf)

    def block(self, block: Block, env: dict) -> list:
        for op in block.ops:
            if op.name in ("scf.yield", "func.return", "scf.condition", "array.yield"):
                return [env[v] for v in op.operands]
            self.op(op, env)
        raise AssertionError("block without terminator")

    def op(self, op: Operation, env: dict) -> None:
        vals = [env[v] for v in op.operands]
        name = op.name
        self.ops_run[name] = self.ops_run.get(name, 0) + 1
        res = op.results
        if name == "arith.constant":
            env[res[0]] = op.attributes["value"]
        elif name == "cf.assert":
            if not vals[0]:
                raise Raised(op.attributes["exc"], op.attributes["msg"].format(*vals[1:]))
        elif name == "math.check":
            if not math_check_passes(vals):
                raise Raised("math")
        elif name == "func.call":
            r = self._call(callee_name(op), vals)
            if res:
                env[res[0]] = r
        elif name == "tuple.make":
            env[res[0]] = tuple(vals)
        elif name == "tuple.get":
            env[res[0]] = vals[0][op.attributes["index"]]
        elif name.startswith("scf."):
            self.scf(op, vals, env)
        elif name.startswith("array."):
            self.array(op, vals, env)
        else:
            r = evaluate(op, vals)
            if r is None:
                raise Raised(f"cannot evaluate {name} on {vals}")
            env[res[0]] = r

    def scf(self, op: Operation, vals: list, env: dict) -> None:
        if op.name == "scf.if":
            region = op.regions[0 if vals[0] else 1]
            env.update(zip(op.results, self.block(region.block, env)))
        elif op.name == "scf.for":
            lb, ub, step, carried = vals[0], vals[1], vals[2], vals[3:]
            body = op.regions[0].block
            for i in range(lb, ub, step):
                env.update(zip(body.args, [i] + carried))
                carried = self.block(body, env)
            env.update(zip(op.results, carried))
        elif op.name == "scf.while":
            before, after = op.regions[0].block, op.regions[1].block
            carried = vals
            while True:
                env.update(zip(before.args, carried))
                cond, *fwd = self.block(before, env)
                if not cond:
                    env.update(zip(op.results, fwd))
                    break
                env.update(zip(after.args, fwd))
                carried = self.block(after, env)
        else:
            raise AssertionError(op.name)

    def array(self, op: Operation, vals: list, env: dict) -> None:
        name, res = op.name, op.results
        if name == "array.dim":
            env[res[0]] = vals[0].live().shape[op.attributes["axis"]]
        elif name == "array.load":
            env[res[0]] = vals[0].live()[tuple(vals[1:])].item()
        elif name == "array.store":
            vals[1].live()[tuple(vals[2:])] = vals[0]
        elif name == "array.alloc":
            env[res[0]] = self.new(np.full(tuple(vals), 77, NP_DTYPES[str(res[0].type.dtype)]))
        elif name in ("array.subview", "array.transpose"):
            src: Ref = vals[0]
            a = src.live().T if name == "array.transpose" else _subview(src.live(), op, vals[1:])
            if src.buf is not None:
                src.buf.count += 1
            env[res[0]] = Ref(a, src.buf)
        elif name in ("array.retain", "array.release"):
            buf = vals[0].buf
            if buf is not None:
                assert not buf.freed, f"{name} of a freed array"
                buf.count += 1 if name == "array.retain" else -1
        elif name == "array.map":
            env[res[0]] = self.new(self.elementwise(op, vals, None))
        elif name == "array.assign":
            dest = vals[0].live()
            out = self.elementwise(op, vals[1:], dest.shape)
            dest[...] = out
        elif name == "array.reduce":
            env[res[0]] = self.reduce(op, vals)
        else:
            raise AssertionError(name)

    def elementwise(self, op: Operation, vals: list, dest_shape) -> np.ndarray:
        if dest_shape is not None:  # NumPy drops leading 1-extents of an assigned source
            vals = [Ref(_drop_leading(v.live(), len(dest_shape)), v.buf) if isinstance(v, Ref) else v
                    for v in vals]
        arrays = [v.live() for v in vals if isinstance(v, Ref)]
        try:
            shape = np.broadcast_shapes(*[a.shape for a in arrays]) if arrays else ()
            if dest_shape is not None:
                np.broadcast_to(np.empty(shape), dest_shape)
                shape = dest_shape
        except ValueError as e:
            raise Raised("ValueError", str(e)) from None
        views = [np.broadcast_to(v.live(), shape).copy() if isinstance(v, Ref) else v for v in vals]
        dt = NP_DTYPES[str(op.regions[0].block.ops[-1].operands[0].type)]
        out = np.empty(shape, dt)
        for idx in np.ndindex(*shape):
            args = [v[idx].item() if isinstance(v, np.ndarray) else v for v in views]
            env = dict(zip(op.regions[0].block.args, args))
            out[idx] = self.block(op.regions[0].block, env)[0]
        return out

    def reduce(self, op: Operation, vals: list) -> object:
        a, init = vals[0].live(), vals[1]
        axis = op.attributes["axis"]
        blk = op.regions[0].block

        def fold(xs: np.ndarray) -> object:
            acc = init
            for x in xs.ravel(order="K" if False else "C"):
                acc = self.block(blk, dict(zip(blk.args, [acc, x.item()])))[0]
            return acc

        if axis < 0:
            return fold(a)
        moved = np.moveaxis(a, axis, -1)
        out = np.empty(moved.shape[:-1], NP_DTYPES[str(op.results[0].type.dtype)])
        for idx in np.ndindex(*out.shape):
            out[idx] = fold(moved[idx])
        return self.new(out)


def _drop_leading(a: np.ndarray, ndim: int) -> np.ndarray:
    while a.ndim > ndim and a.shape[0] == 1:
        a = a[0]
    return a


def _subview(a: np.ndarray, op: Operation, args: list) -> np.ndarray:
    index: list = []
    it = iter(args)
    for k in op.attributes["kinds"]:
        if k == "i":
            index.append(next(it))
        elif k == "s":
            start, count, step = next(it), next(it), next(it)
            stop = start + count * step
            index.append(slice(start, stop if stop >= 0 else None, step))
        else:
            index.append(None)
    return a[tuple(index)]
