"""Forward-mode Jacobians K directions per jvp call: the part of jacobian_loops._Jac that
drives the K-channel jvp (autodiff/forward.py, `jvp(..., channels=K)`).

One call of `<entry>__jvpK` carries K one-hot tangents and returns K output tangents, so
the primal (and, for a Hessian, the gradient's reverse sweep) runs once per K directions;
the loop over an input leaf's elements steps by K (docs/higher-order.md, "Several
directions per call").
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ember.autodiff.forward_emit import Emit
from ember.ir.builder import Builder
from ember.ir.core import Block, Module, Region, Value
from ember.ir.types import BOOL, I64, ArrayType, Type

if TYPE_CHECKING:
    from ember.autodiff.jacobian_loops import _Leaf

# Directions per jvp call of forward-mode Jacobians and Hessians whose one pass has work
# worth sharing (`chunk_for`): the K tangents share one primal run (and, for a Hessian,
# one reverse sweep); the code grows with K, and so does the compile time.
FWD_CHUNK = 2
_LOOPS = ("scf.for", "scf.while")


def _heavy_loop(m: Module, name: str, in_loop: bool, seen: set[str]) -> bool:
    """Does `name` (or a function it calls) run a loop inside a loop, or allocate an array
    or call a function inside a loop?"""
    from ember.autodiff.activity import callee_of
    if name in seen or name not in m.funcs:
        return False
    seen = seen | {name}

    def walk(ops, inside: bool) -> bool:  # type: ignore[no-untyped-def]
        for op in ops:
            if inside and (op.name in _LOOPS or op.name == "array.alloc"):
                return True
            if op.name == "func.call":
                if inside or _heavy_loop(m, callee_of(op), False, seen):
                    return True
            deeper = inside or op.name in _LOOPS
            for region in op.regions:
                for blk in region.blocks:
                    if walk(blk.ops, deeper):
                        return True
        return False
    return walk(m[name].body.block.ops, in_loop)


def chunk_for(m: Module, entry: str) -> int:
    """FWD_CHUNK when a pass of `entry` is costly enough for sharing it among directions
    to pay for the larger code (loop nests, arrays or calls inside loops: an RK4
    integrator's gradient), else 1 (a single flat loop, like Rosenbrock's: the steady
    gain is small and the compile time would double)."""
    return FWD_CHUNK if _heavy_loop(m, entry, False, set()) else 1


class ChunkedDirections:
    """Mixed into jacobian_loops._Jac, which provides the attributes below and the methods
    call, get, seeded, zeros and place."""

    m: Module
    entry: str
    argnums: list[int]
    chunk: int
    b: Builder
    e: Emit
    TR: Type | None

    def chunked_jvp(self) -> str | None:
        """The K-channel jvp of the entry, or None (and the module as it was) when it cannot
        be built (a custom_jvp rule inside): then one direction per call."""
        from ember.autodiff.forward import Unbatched, jvp
        before = set(self.m.funcs)
        try:
            return jvp(self.m, self.entry, self.argnums, channels=self.chunk)
        except Unbatched:
            for name in set(self.m.funcs) - before:
                del self.m.funcs[name]
            return None

    def when(self, cond: Value | None, fn: Callable[[], None]) -> None:
        """fn's ops, under `scf.if cond` unless cond is None."""
        if cond is None:
            fn()
            return
        then, other = Block(), Block()
        self.b.op("scf.if", [cond], [], regions=[Region([then]), Region([other])])
        with self.b.at(then):
            fn()
            self.b.op("scf.yield", [])
        with self.b.at(other):
            self.b.op("scf.yield", [])

    def chunk_directions(self, seq: "list[_Leaf]", k: int, arrays: dict[int, Value],
                         flats: dict[int, Value], derived: str, result: Type,
                         types: list[Type], blocks: dict, outs: "list[_Leaf]",
                         primals: list[Value]) -> None:
        """The columns of input leaf k, K directions per call of the K-channel jvp: channel
        c is direction j0 + c (a one-hot array of its own; past the end it stays zero and
        its result is dropped). A scalar leaf is one direction, in channel 0."""
        from ember.pytrees import ir_leaves
        K, leaf = self.chunk, seq[k]

        def seeds(hot_arrays: list[Value] | None) -> list[Value]:
            out: list[Value] = []
            for c in range(K):
                arr = dict(arrays)
                if hot_arrays is not None:
                    arr[k] = hot_arrays[c]
                out.extend(self.seeded(seq, k if (c == 0 or hot_arrays is not None) else -1,
                                       arr, types))
            return out

        def put(res: Value, c: int, j: Value | None) -> None:
            got = ir_leaves(self.b, self.get(res, 1 + c), self.TR)  # type: ignore[arg-type]
            for a, o in enumerate(outs):
                self.place(blocks, (a, k), o, leaf, j, got[a], True)
        if not leaf.is_array:
            put(self.call(derived, primals + seeds(None), result), 0, None)
            return
        t = leaf.type
        assert isinstance(t, ArrayType) and leaf.size is not None
        hots, hflats = [arrays[k]], [flats[k]]
        for _ in range(K - 1):
            z, zf = self.zeros(leaf)
            hots.append(z)
            hflats.append(zf)
        one, zero = self.e.const(1.0, t.dtype), self.e.const(0.0, t.dtype)
        block = Block([I64])
        self.b.op("scf.for", [self.e.const(0, I64), leaf.size, self.e.const(K, I64)], [],
                  regions=[Region([block])])
        with self.b.at(block):
            j0 = block.args[0]
            js = [j0] + [self.e.op("arith.addi", [j0, self.e.const(c, I64)], I64)
                         for c in range(1, K)]
            ok = [None] + [self.e.op("arith.cmpi", [j, leaf.size], BOOL, predicate="slt")
                           for j in js[1:]]
            for c in range(K):
                self.when(ok[c], lambda c=c: self.b.op("array.store", [one, hflats[c], js[c]]))
            res = self.call(derived, primals + seeds(hots), result)
            for c in range(K):
                def done(c: int = c) -> None:
                    put(res, c, js[c])
                    self.b.op("array.store", [zero, hflats[c], js[c]])
                self.when(ok[c], done)
            self.b.op("scf.yield", [])
