"""Fusion of whole-array expressions: no temporary arrays for `a * b + c`.

An `array.map` whose result is used exactly once, as an element operand of an
`array.map` or `array.assign` in the same block, is merged into that consumer:
the producer's operands become operands of the consumer (an operand both use is
passed once) and the producer's region is inlined where the consumer's region
read the producer's element. A map read twice (`(a + 1) * (a + 1)` after CSE)
stays a temporary. `np.sum((x - y) ** 2)` keeps its single-use map
feeding the `array.reduce` (the reduce op takes exactly one array); the
lowering (`lower_arrays`) emits that pair as one loop nest with no temporary.

Rules that keep NumPy's meaning:
- Only a producer in the same block as its consumer is fused (never into a loop
  body, which would recompute it every iteration), and only when no op between
  the two may write memory (`array.store`, `array.assign`, `func.call`, or a
  region holding one): the fused loop reads the operands later than the producer
  would have. A broadcast error may then be reported after an unrelated error of
  an op in between, never instead of a correct result.
- Broadcasting composes, but NumPy reports a mismatch between the two operands
  of the failing operator. The fused op therefore records the original
  expression tree in the string attribute `groups`, e.g. `((0 1) 2)` for
  `(a * b) + c` (numbers are region argument positions); `lower_arrays` checks
  each group with its own "operands could not be broadcast together with shapes
  ..." message. Without the attribute the operands form one flat group.
- `array.dim` of the producer's result (type inference reads the extents of an
  expression to check an assignment) does not block fusion: the producer's
  broadcast shape is computed, with its checks, where the producer stood, and the
  dims read it.
- A producer whose shape broadcasts up in the consumer is recomputed for each
  consumer element it meets (cheaper than a temporary for elementwise code).
"""
from __future__ import annotations

from ember.ir.clone import clone_op
from ember.ir.core import Block, FuncOp, Module, Operation, OpResult, Region, Value
from ember.ir.passes.per_function import apply_per_function
from ember.ir.passes.uses import UseMap
from ember.ir.types import ArrayType, Type

__all__ = ["run", "apply", "run_func", "parse_groups", "format_groups", "element_operands",
           "may_write", "ARRAY_OPS"]

ARRAY_OPS = frozenset({"array.map", "array.assign", "array.reduce"})
_WRITES = frozenset({"array.store", "array.assign", "func.call", "array.release"})

Tree = "int | list[Tree]"


def parse_groups(text: str) -> list:
    """`((0 1) 2)` -> [[0, 1], 2]."""
    stack: list[list] = [[]]
    num = ""
    for ch in text + " ":
        if ch.isdigit():
            num += ch
            continue
        if num:
            stack[-1].append(int(num))
            num = ""
        if ch == "(":
            stack.append([])
        elif ch == ")":
            done = stack.pop()
            stack[-1].append(done)
    if len(stack) != 1 or len(stack[0]) != 1 or not isinstance(stack[0][0], list):
        raise ValueError(f"bad groups attribute {text!r}")
    return stack[0][0]


def format_groups(tree: object) -> str:
    if isinstance(tree, int):
        return str(tree)
    return "(" + " ".join(format_groups(t) for t in tree) + ")"  # type: ignore[union-attr]


def groups_of(op: Operation) -> list:
    """The broadcast tree of a map/assign (flat over its element operands by default)."""
    text = op.attributes.get("groups")
    if isinstance(text, str):
        return parse_groups(text)
    return list(range(len(element_operands(op))))


def element_operands(op: Operation) -> list[Value]:
    """The operands that feed the region's arguments (assign: all but the destination)."""
    return op.operands[1:] if op.name == "array.assign" else list(op.operands)


def may_write(op: Operation) -> bool:
    """May `op` (or anything nested in it) write or free memory an array value points to?"""
    return any(inner.name in _WRITES for inner in op.walk())


def _renumber(tree: object, mapping: list[int]) -> object:
    if isinstance(tree, int):
        return mapping[tree]
    return [_renumber(t, mapping) for t in tree]  # type: ignore[union-attr]


def _substitute_leaf(tree: object, leaf: int, sub: object) -> object:
    if isinstance(tree, int):
        return sub if tree == leaf else tree
    return [_substitute_leaf(t, leaf, sub) for t in tree]  # type: ignore[union-attr]


def _fuse(consumer: Operation, pos: int, producer: Operation) -> None:
    """Merge `producer` (an array.map) into `consumer` at element operand `pos`."""
    head = consumer.operands[:1] if consumer.name == "array.assign" else []
    old_elems = element_operands(consumer)
    c_block, p_block = consumer.regions[0].block, producer.regions[0].block
    # New element operand list: the consumer's minus `pos`, then the producer's, deduplicated.
    new_elems: list[Value] = []
    index: dict[Value, int] = {}

    def slot(v: Value) -> int:
        if v not in index:
            index[v] = len(new_elems)
            new_elems.append(v)
        return index[v]

    c_map = [slot(v) if i != pos else _HOLE for i, v in enumerate(old_elems)]
    p_map = [slot(v) for v in producer.operands]
    block = Block([_elem_type(v) for v in new_elems])
    vmap: dict[Value, Value] = {a: block.args[p_map[i]] for i, a in enumerate(p_block.args)}
    for op in p_block.ops[:-1]:
        block.append(clone_op(op, vmap))
    p_val = p_block.ops[-1].operands[0]
    p_val = vmap.get(p_val, p_val)
    vmap = {a: (block.args[c_map[i]] if i != pos else p_val) for i, a in enumerate(c_block.args)}
    for op in c_block.ops:
        block.append(clone_op(op, vmap))
    c_tree = _renumber(groups_of(consumer), c_map)
    p_tree = _renumber(groups_of(producer), p_map)
    tree = _substitute_leaf(c_tree, _HOLE, p_tree)
    consumer.operands = head + new_elems
    region = Region([block])
    region.parent = consumer
    consumer.regions = [region]
    consumer.attributes["groups"] = format_groups(tree)


_HOLE = -1  # the leaf of the consumer's tree where the producer's tree goes


def _elem_type(v: Value) -> Type:
    return v.type.dtype if isinstance(v.type, ArrayType) else v.type


class _Fuser:
    def __init__(self, func: FuncOp) -> None:
        self.uses = UseMap(func)
        self.changed = False

    def block(self, block: Block) -> None:
        i = 0
        while i < len(block.ops):
            op = block.ops[i]
            for region in op.regions:
                for b in region.blocks:
                    self.block(b)
            if op.name in ("array.map", "array.assign") and self._fuse_one(block, op):
                i = block.ops.index(op)  # the producer before it is gone: look again
                continue
            i += 1

    def _fuse_one(self, block: Block, consumer: Operation) -> bool:
        for pos, v in enumerate(element_operands(consumer)):
            producer = fusable_producer(block, consumer, v, self.uses)
            if producer is None:
                continue
            self._replace_dims(block, producer)
            # _fuse rebuilds the consumer's operands and region (ops nested in it are
            # clones): forget every use both ops make and record the consumer's anew, so
            # later fusions in this block see exact use counts.
            self.uses.forget_op(producer)
            self.uses.forget_op(consumer)
            _fuse(consumer, pos, producer)
            block.ops.remove(producer)
            producer.parent = None
            self.uses.add_op(consumer)
            self.changed = True
            return True
        return False

    def _replace_dims(self, block: Block, producer: Operation) -> None:
        v = producer.results[0]
        dims = [u for u in self.uses.uses(v) if u.name == "array.dim"]
        if not dims:
            return
        from ember.ir.passes.lower_arrays import emit_map_shape  # it builds on this module
        new_ops, shape = emit_map_shape(producer)
        at = block.ops.index(producer)
        for op in new_ops:
            op.parent = block
            for x in op.operands:
                self.uses.users[x].append(op)
        block.ops[at:at] = new_ops
        for d in dims:
            self.uses.replace(d.results[0], shape[d.attributes["axis"]])  # type: ignore[index]
            self.uses.drop_use(v, d)
            d.operands = []
            block_of = d.parent
            if block_of is not None:
                block_of.ops.remove(d)
                d.parent = None


def fusable_producer(block: Block, consumer: Operation, v: Value, uses: UseMap) -> Operation | None:
    """The array.map defining `v` if it may be fused into `consumer` (see the module doc)."""
    if not isinstance(v, OpResult) or v.op.name != "array.map" or v.op.parent is not block:
        return None
    if sum(1 for u in uses.uses(v) if u.name != "array.dim") != 1:
        return None
    producer = v.op
    start, end = block.ops.index(producer), block.ops.index(consumer)
    if any(may_write(op) for op in block.ops[start + 1:end]):
        return None
    return producer


def run_func(func: FuncOp) -> bool:
    f = _Fuser(func)
    f.block(func.body.block)
    return f.changed


def apply(module: Module) -> bool:
    """True if anything changed."""
    return apply_per_function(run_func, module)


def run(module: Module) -> Module:
    apply(module)
    return module
