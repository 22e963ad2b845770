"""Lowering of whole-array ops (`array.map`, `array.assign`, `array.reduce`) into loop nests.

After this pass the IR holds only the array ops the backend lowers (array.dim, load,
store, alloc, subview, transpose): each whole-array op becomes

- NumPy broadcasting of its array operands: the extents come from `array.dim`, or from
  the op that built the array when it is known (`array_facts.static_dim`: slice counts,
  alloc extents, 1 for `np.newaxis`); on each axis the result extent is the one that is
  not 1, and a mismatch raises ValueError with NumPy's wording through a formatted
  `cf.assert` (one check per broadcast group: see `fuse_arrays` for the `groups`
  attribute). Extents known to be 1, or that are the same SSA value, need no check;
- `array.alloc` of the result (map, reduce with an axis);
- a nest of `scf.for` over the result extents, axis 0 outermost (the last axis
  innermost, so C-contiguous data is walked with unit stride; an F-layout destination is
  walked the other way), loading each operand at the broadcast index and inlining the
  op's region (`clone_op`). An operand axis whose extent is known to be 1 is indexed by 0,
  one whose extent is the result's by the loop index. Any other extent is only known at
  run time to be 1 or the result's: the nest is then emitted twice under an `scf.if`,
  a fast version (all such extents equal the result's: plain indices, which LLVM
  vectorizes) and a general one indexing `min(iv, extent - 1)` (right for both cases,
  and no loop-invariant condition for LLVM to unswitch on: before, one
  `iv * (extent != 1)` per operand let LLVM's unswitching multiply the loop 2^k times).

Zero-trip loops make empty arrays work; a 0-d result is one iteration of no loop.

`array.reduce` over a single-use `array.map` of the same block (no memory write between
them) iterates the map's broadcast shape and computes the element inline: no temporary.

An `array.assign` of a view to itself, unchanged (`a[1:] += x` ends with `a[1:] = <that
view>` once CSE has merged the two subviews), is dropped. After lowering,
`array_facts.drop_known_asserts` removes checks implied by earlier ones (the broadcast
checks type inference already made, the second bounds check of `h[k] += 1`).

Overlap rule of `array.assign` (NumPy copies when source and destination memory overlap):
an element operand is copied into a fresh temporary before the loop unless it is the
destination value itself (same SSA value: each element is read before it is written at the
same index) or it provably lives in other memory: the roots of both (following
array.subview / array.transpose) are different fresh allocations (array.alloc,
array.map, array.reduce), or one is a fresh allocation and the other a function argument.
Everything else (two arguments, values through scf results, call results) may overlap and
is copied.
"""
from __future__ import annotations

from typing import Callable

from ember.ir.builder import Builder
from ember.ir.clone import clone_op
from ember.ir.core import Block, FuncOp, Module, Operation, OpResult, Region, Value
from ember.ir.passes.array_facts import (ONE, const_int, drop_known_asserts, is_self_copy,
                                         may_overlap, static_dim)
from ember.ir.passes.fuse_arrays import ARRAY_OPS, element_operands, groups_of, may_write
from ember.ir.passes.per_function import apply_per_function
from ember.ir.types import BOOL, I64, ArrayType, Type

__all__ = ["run", "apply", "run_func", "has_array_ops", "emit_map_shape"]

Shape = list[Value]
Element = Callable[[list[Value], bool], Value]  # (indices, general path?) -> element


def has_array_ops(module: Module) -> bool:
    """Does any function hold a whole-array op (one cheap walk)?"""
    return any(op.name in ARRAY_OPS for f in module for op in f.walk())


class _Emitter:
    """Builds the lowering of one op into a fresh block at the op's location."""

    def __init__(self, op: Operation, deferred: dict[Value, Operation],
                 known: dict[Value, Shape] | None = None,
                 dims: dict[tuple[Value, int], Value] | None = None) -> None:
        self.known = known if known is not None else {}
        self.block = Block()
        self.b = Builder(self.block, op.loc)
        self.deferred = deferred
        self.c0 = self.b.constant(0, I64)
        self.c1 = self.b.constant(1, I64)
        # Extents read so far in this block and the blocks around it (they dominate).
        self._dims: dict[tuple[Value, int], Value] = dims if dims is not None else {}
        self._checked: dict[tuple, Shape] = {}

    # -- small helpers ------------------------------------------------------------------
    def dim(self, v: Value, k: int) -> Value:
        """Extent `k` of `v`: the value it was built from when known (see array_facts)."""
        key = (v, k)
        if key not in self._dims:
            s = static_dim(v, k, self.known)
            if s is ONE:
                s = self.c1
            elif s is None:
                s = self.b.value("array.dim", [v], I64, {"axis": k})
            self._dims[key] = s  # type: ignore[assignment]
        return self._dims[key]

    def dims(self, v: Value) -> Shape:
        t = v.type
        assert isinstance(t, ArrayType)
        return [self.dim(v, k) for k in range(t.ndim)]

    def is_one(self, x: Value) -> bool:
        return x is self.c1 or const_int(x) == 1

    def cmp(self, pred: str, x: Value, y: Value) -> Value:
        return self.b.value("arith.cmpi", [x, y], BOOL, {"predicate": pred})

    def both(self, x: Value | None, y: Value) -> Value:
        return y if x is None else self.b.value("arith.andi", [x, y], BOOL)

    def check(self, ok: Value | None, msg: str, args: list[Value]) -> None:
        if ok is not None:
            self.b.op("cf.assert", [ok] + args, attributes={"exc": "ValueError", "msg": msg})

    # -- broadcasting ---------------------------------------------------------------------
    def broadcast(self, shapes: list[Shape]) -> Shape:
        """NumPy's broadcast of `shapes` with one check naming them all. Extents known to
        be 1 and extents that are one SSA value need neither a select nor a check."""
        if len(shapes) == 1:
            return shapes[0]
        key = tuple(tuple(s) for s in shapes)
        if key in self._checked:  # the same operand shapes met again in the expression tree
            return self._checked[key]
        n = max(len(s) for s in shapes)
        out: Shape = []
        ok: Value | None = None
        for j in range(n):
            cands: list[Value] = []
            for s in shapes:
                x = s[j - (n - len(s))] if j - (n - len(s)) >= 0 else None
                if x is not None and not self.is_one(x) and all(x is not c for c in cands):
                    cands.append(x)
            if not cands:
                out.append(self.c1)
                continue
            e = cands[0]
            for x in cands[1:]:
                e = self.b.value("arith.select", [self.cmp("eq", e, self.c1), x, e], I64)
            if len(cands) > 1:
                for x in cands:
                    ok = self.both(ok, self.b.value(
                        "arith.ori", [self.cmp("eq", x, e), self.cmp("eq", x, self.c1)], BOOL))
            out.append(e)
        text = " ".join(_shape_text(s) for s in shapes)
        self.check(ok, f"operands could not be broadcast together with shapes {text} ",
                   [x for s in shapes for x in s])
        self._checked[key] = out
        return out

    def tree_shape(self, tree: object, shapes: list[Shape | None]) -> Shape | None:
        if isinstance(tree, int):
            return shapes[tree]
        kids = [self.tree_shape(t, shapes) for t in tree]  # type: ignore[union-attr]
        known = [k for k in kids if k is not None]
        if not known:
            return None
        # Identical operand shapes (the same array twice) need no check.
        distinct: list[Shape] = []
        for k in known:
            if not any(len(k) == len(d) and all(a is b for a, b in zip(k, d)) for d in distinct):
                distinct.append(k)
        return self.broadcast(distinct)

    def assign_check(self, src: Shape, dest: Shape) -> None:
        ok: Value | None = None
        extra = len(src) - len(dest)
        for j, x in enumerate(src):
            if self.is_one(x):
                continue
            if j < extra:
                ok = self.both(ok, self.cmp("eq", x, self.c1))
                continue
            d = dest[j - extra]
            if x is not d:
                ok = self.both(ok, self.b.value(
                    "arith.ori", [self.cmp("eq", x, d), self.cmp("eq", x, self.c1)], BOOL))
        self.check(ok, f"could not broadcast input array from shape {_shape_text(src)} into "
                       f"shape {_shape_text(dest)}", src + dest)

    def map_shape(self, op: Operation) -> Shape:
        """The broadcast shape of a map's operands, with its checks."""
        elems = element_operands(op)
        shapes: list[Shape | None] = [self.dims(v) if isinstance(v.type, ArrayType) else None
                                      for v in elems]
        return self.tree_shape(groups_of(op), shapes) or []

    def index_plan(self, shape: Shape, result: Shape, fast: list[Value]) -> list[Callable[[list[Value], bool], Value]]:
        """For each axis of an operand of `shape` broadcast to `result`: (ivs, general) ->
        its index. An extent that is neither 1 nor the result's extent at compile time is
        the result's extent on the fast path (its test is added to `fast`); on the general
        path it is 1 or that extent, so min(iv, extent - 1) is the index either way (a
        loop-variant select LLVM neither unswitches nor vectorizes: the code stays small)."""
        plan: list[Callable[[list[Value], bool], Value]] = []
        lead = len(result) - len(shape)
        for k, e in enumerate(shape):
            j = k + lead
            if j < 0 or self.is_one(e):
                plan.append(lambda ivs, g: self.c0)
            elif e is result[j]:
                plan.append(lambda ivs, g, j=j: ivs[j])
            else:
                fast.append(self.cmp("eq", e, result[j]))
                last = self.b.value("arith.subi", [e, self.c1], I64)

                def index(ivs: list[Value], general: bool, j: int = j, last: Value = last) -> Value:
                    if not general:
                        return ivs[j]
                    below = self.cmp("ult", ivs[j], last)
                    return self.b.value("arith.select", [below, ivs[j], last], I64)
                plan.append(index)
        return plan

    def versions(self, fast: list[Value], types: list[Type],
                 build: Callable[[bool], list[Value]]) -> list[Value]:
        """`build(False)` under the fast-path test when there is one, else `build(True)`;
        without tests only the fast version."""
        if not fast:
            return build(False)
        cond = fast[0]
        for c in fast[1:]:
            cond = self.both(cond, c)
        regions = []
        for general in (False, True):
            blk = Block()
            with self.b.at(blk):
                self.b.op("scf.yield", build(general))
            regions.append(Region([blk]))
        return list(self.b.op("scf.if", [cond], types, regions=regions).results)

    # -- elements -----------------------------------------------------------------------
    def elementwise(self, op: Operation, result: Shape | None = None,
                    ) -> tuple[Shape, Element, list[Value]]:
        """Broadcast shape of a map/assign's element operands, an element generator and the
        fast-path tests (see index_plan). With `result` (assign) the operands are indexed
        against that shape instead."""
        elems = element_operands(op)
        shapes: list[Shape | None] = [self.dims(v) if isinstance(v.type, ArrayType) else None
                                      for v in elems]
        shape = self.tree_shape(groups_of(op), shapes) or []
        target = shape if result is None else result
        if result is not None and any(s is not None for s in shapes):
            self.assign_check(shape, result)
        fast: list[Value] = []
        plans = [self.index_plan(s, target, fast) if s is not None else None for s in shapes]
        region = op.regions[0]

        def element(ivs: list[Value], general: bool) -> Value:
            args = []
            for v, plan in zip(elems, plans):
                if plan is None:
                    args.append(v)
                else:
                    idx = [p(ivs, general) for p in plan]
                    args.append(self.b.value("array.load", [v] + idx, v.type.dtype))  # type: ignore[attr-defined]
            return self.inline(region, args)

        return target, element, fast

    def source(self, v: Value) -> tuple[Shape, Element, list[Value]]:
        """Shape, element generator and fast-path tests of a reduce operand (a deferred
        map is fused)."""
        producer = self.deferred.get(v)
        if producer is not None:
            return self.elementwise(producer)
        shape = self.dims(v)
        return shape, lambda ivs, g: self.b.value("array.load", [v] + ivs, v.type.dtype), []  # type: ignore[attr-defined]

    def inline(self, region: Region, args: list[Value]) -> Value:
        blk = region.block
        vmap: dict[Value, Value] = dict(zip(blk.args, args))
        for inner in blk.ops[:-1]:
            self.b.block.append(clone_op(inner, vmap))
        out = blk.ops[-1].operands[0]
        return vmap.get(out, out)

    # -- loops --------------------------------------------------------------------------
    def nest(self, extents: Shape, order: list[int], carried: list[Value],
             body: Callable[[dict[int, Value], list[Value]], list[Value]],
             ivs: dict[int, Value] | None = None) -> list[Value]:
        ivs = dict(ivs or {})
        if not order:
            return body(ivs, carried)
        ax = order[0]
        blk = Block([I64] + [c.type for c in carried], [f"i{ax}"] + [c.name for c in carried])
        loop = self.b.op("scf.for", [self.c0, extents[ax], self.c1] + carried,
                         [c.type for c in carried], regions=[Region([blk])])
        with self.b.at(blk):
            ivs[ax] = blk.args[0]
            out = self.nest(extents, order[1:], list(blk.args[1:]), body, ivs)
            self.b.op("scf.yield", out)
        return list(loop.results)

    def copy(self, v: Value) -> Value:
        """A fresh C-contiguous copy of `v` (for overlapping assignments)."""
        t = v.type
        assert isinstance(t, ArrayType)
        shape = self.dims(v)
        new = self.b.value("array.alloc", shape, ArrayType(t.dtype, t.ndim, "C"), hint=v.name)

        def body(ivs: dict[int, Value], _: list[Value]) -> list[Value]:
            idx = [ivs[k] for k in range(t.ndim)]
            x = self.b.value("array.load", [v] + idx, t.dtype)
            self.b.op("array.store", [x, new] + idx)
            return []

        self.nest(shape, _order(t), [], body)
        return new

    # -- the three ops ------------------------------------------------------------------
    def lower_map(self, op: Operation) -> Value:
        shape, element, fast = self.elementwise(op)
        rt = op.results[0].type
        assert isinstance(rt, ArrayType) and rt.ndim == len(shape), f"{op.name} result {rt}"
        out = self.b.value("array.alloc", shape, ArrayType(rt.dtype, rt.ndim, "C"),
                           hint=op.results[0].name)

        def build(general: bool) -> list[Value]:
            def body(ivs: dict[int, Value], _: list[Value]) -> list[Value]:
                idx = [ivs[k] for k in range(len(shape))]
                self.b.op("array.store", [element(idx, general), out] + idx)
                return []
            return self.nest(shape, list(range(len(shape))), [], body)

        self.versions(fast, [], build)
        self.known[op.results[0]] = shape
        return out

    def lower_assign(self, op: Operation) -> None:
        dest = op.operands[0]
        if is_self_copy(op):
            return  # `a[1:] += x` ends with `a[1:] = <that same view>`: nothing to do
        for i, v in enumerate(op.operands[1:], start=1):
            if isinstance(v.type, ArrayType) and v is not dest and may_overlap(v, dest):
                op.operands[i] = self.copy(v)
        dt = dest.type
        assert isinstance(dt, ArrayType)
        shape, element, fast = self.elementwise(op, self.dims(dest))

        def build(general: bool) -> list[Value]:
            def body(ivs: dict[int, Value], _: list[Value]) -> list[Value]:
                idx = [ivs[k] for k in range(len(shape))]
                self.b.op("array.store", [element(idx, general), dest] + idx)
                return []
            return self.nest(shape, _order(dt), [], body)

        self.versions(fast, [], build)

    def lower_reduce(self, op: Operation) -> Value:
        src, init = op.operands
        shape, element, fast = self.source(src)
        axis = op.attributes.get("axis", -1)
        region = op.regions[0]
        st = src.type
        assert isinstance(st, ArrayType) and isinstance(axis, int)

        def stepper(general: bool) -> Callable[[dict[int, Value], list[Value]], list[Value]]:
            def step(ivs: dict[int, Value], acc: list[Value]) -> list[Value]:
                x = element([ivs[k] for k in range(len(shape))], general)
                return [self.inline(region, [acc[0], x])]
            return step

        if axis < 0:
            return self.versions(fast, [init.type], lambda g: self.nest(
                shape, _order(st, len(shape)), [init], stepper(g)))[0]
        rt = op.results[0].type
        assert isinstance(rt, ArrayType) and rt.ndim == len(shape) - 1
        kept = [k for k in range(len(shape)) if k != axis]
        out = self.b.value("array.alloc", [shape[k] for k in kept],
                           ArrayType(rt.dtype, rt.ndim, "C"), hint=op.results[0].name)

        def build(general: bool) -> list[Value]:
            def outer(ivs: dict[int, Value], _: list[Value]) -> list[Value]:
                acc = self.nest(shape, [axis], [init], stepper(general), ivs)[0]
                self.b.op("array.store", [acc, out] + [ivs[k] for k in kept])
                return []
            return self.nest(shape, kept, [], outer)

        self.versions(fast, [], build)
        return out


def emit_map_shape(op: Operation) -> tuple[list[Operation], Shape]:
    """Ops computing (and checking) the broadcast shape of array.map `op`, to place
    right before it, and the extents they compute."""
    em = _Emitter(op, {})
    shape = em.map_shape(op)
    return em.block.ops, shape


def _order(t: ArrayType, n: int | None = None) -> list[int]:
    n = t.ndim if n is None else n
    return list(range(n - 1, -1, -1)) if t.layout == "F" else list(range(n))


def _shape_text(shape: Shape) -> str:
    if len(shape) == 1:
        return "({},)"
    return "(" + ",".join("{}" for _ in shape) + ")"


class _Lowerer:
    def __init__(self, func: FuncOp) -> None:
        self.subst: dict[Value, Value] = {}
        self.shapes: dict[Value, Shape] = {}  # lowered map -> its extents (they dominate it)
        self.changed = False

    def block(self, block: Block, dims: dict[tuple[Value, int], Value] | None = None) -> None:
        dims = dict(dims or {})
        deferred = _deferred_maps(block)
        new_ops: list[Operation] = []
        for op in block.ops:
            for region in op.regions:
                if op.name not in ARRAY_OPS:
                    for b in region.blocks:
                        self.block(b, dims)
            if op.name not in ARRAY_OPS:
                new_ops.append(op)
                continue
            self.changed = True
            if op.name == "array.map" and op.results[0] in deferred:
                op.parent = None
                continue  # emitted inside the reduce that reads it
            self._resolve(op, deferred)
            em = _Emitter(op, deferred, self.shapes, dims)
            if op.name == "array.map":
                self.subst[op.results[0]] = em.lower_map(op)
            elif op.name == "array.assign":
                em.lower_assign(op)
            else:
                self.subst[op.results[0]] = em.lower_reduce(op)
            op.parent = None
            for new in em.block.ops:
                new.parent = block
                new_ops.append(new)
        block.ops = new_ops

    def _resolve(self, op: Operation, deferred: dict[Value, Operation]) -> None:
        """Operands replaced by an earlier lowering in this block (a lowered map's array)."""
        for inner in [op] + list(deferred.values()):
            inner.operands = [self.subst.get(v, v) for v in inner.operands]


def _deferred_maps(block: Block) -> dict[Value, Operation]:
    """Single-use maps read only by a later array.reduce of this block, with no write
    between: lowered inside that reduce."""
    out: dict[Value, Operation] = {}
    index = {id(op): i for i, op in enumerate(block.ops)}
    for i, op in enumerate(block.ops):
        if op.name != "array.reduce":
            continue
        v = op.operands[0]
        if not (isinstance(v, OpResult) and v.op.name == "array.map" and v.op.parent is block):
            continue
        j = index[id(v.op)]
        if _use_count(block, v) != 1 or any(may_write(x) for x in block.ops[j + 1:i]):
            continue
        out[v] = v.op
    return out


def _use_count(block: Block, v: Value) -> int:
    # A map result is only visible in its block and the regions nested there.
    return sum(1 for op in block.ops for inner in op.walk() for x in inner.operands if x is v)


def run_func(func: FuncOp) -> bool:
    lw = _Lowerer(func)
    lw.block(func.body.block)
    if lw.subst:
        for op in func.walk():
            op.operands = [_chase(lw.subst, v) for v in op.operands]
    return drop_known_asserts(func) or lw.changed


def _chase(m: dict[Value, Value], v: Value) -> Value:
    while v in m:
        v = m[v]
    return v


def apply(module: Module) -> bool:
    """True if anything changed."""
    return apply_per_function(run_func, module)


def run(module: Module) -> Module:
    apply(module)
    return module
