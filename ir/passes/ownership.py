"""Reference counting: inserts `array.retain` / `array.release` (and `list.*` / `dict.*` for
lists and dicts, which are counted the same way) (run LAST).

Perceus-style on structured SSA, following docs/arrays-internals.md:

- every op with an array result gives an OWNED reference to its block (array.alloc,
  array.subview, array.transpose, array.map, array.reduce, func.call, scf results);
- function arguments are borrowed; a value used inside a region but defined outside it
  is borrowed there (the region op counts as a use of it in the outer block);
- loop-carried block arguments (`scf.for` body, both `scf.while` regions) are owned by
  their region;
- CONSUMING uses take over a reference: the array operands of `func.return`,
  `scf.yield`, `scf.condition`, `array.yield`, and the initial values of `scf.for` /
  `scf.while` (they become the owned carried arguments, and the loop results when no
  iteration runs). Every other use borrows (func.call arguments included);
- an owned value is released right after its last use in its block (right after its
  definition if unused). If that last use consumes it once (and the op does not also
  borrow it, e.g. inside the loop it starts), the reference moves and no release is
  needed; each other consuming occurrence (of a borrowed value, or of a value still
  needed afterwards) is preceded by an `array.retain`.

Tuples holding arrays are counted too: `tuple.make` consumes its array (or tuple)
operands, releasing or retaining a tuple releases or retains each array in it (through
`tuple.get`), and the array a `tuple.get` reads out of a tuple is retained at once so
that it is an owned value like any other op result.

Records (literal-key dicts) holding arrays are counted like tuples: `record.make`
consumes its operands, releasing or retaining a record does so for each counted field
(through `record.get`). `record.set` consumes the record and the new value, and the
reference the record held in the replaced field is released right after it (`record.get`
of the old record, then a release). A field read with `record.get` is borrowed from its
record, like a dict's lists (below): a use of it is a use of the record, which is kept
alive until then, and it is counted only where something consumes it (a retain then). So
`p["a"][i]` in a loop costs no reference counting, as an array argument would not.

Lists and dicts (docs/containers.md) are counted like arrays. `list.set` / `list.append`
consume the stored value (the container owns its elements) and `list.get` is a read like
`tuple.get`. The lists `dict.parts` hands out are borrowed from the dict: a use of one of
them is a use of the dict (kept alive until then), and they are never counted themselves.

No pass may run after this one: it would drop or duplicate counted references. A
function that already holds `array.retain`/`array.release` was counted before and is
left alone (running the pipeline twice must not count twice).
"""
from __future__ import annotations

from ember.ir.core import Block, FuncOp, Module, Operation, Value
from ember.ir.passes.per_function import apply_per_function
from ember.ir.types import ArrayType, DictType, ListType, RecordType, TupleType, Type

__all__ = ["run", "apply", "run_func"]

_CONSUMING_TERMINATORS = frozenset({"func.return", "scf.yield", "scf.condition", "array.yield"})
# container stores: the operand positions they consume
_STORES = {"list.set": (0,), "list.append": (1,), "dict.set": (2,)}
# reads giving a borrowed element, retained at once so that it is owned like any result
_READS = frozenset({"tuple.get", "list.get", "dict.get"})  # record.get: a borrowed part
_RC_OPS = {ArrayType: "array", ListType: "list", DictType: "dict"}


def _counted(t: Type) -> bool:
    """Does a value of type `t` hold references (an array, list or dict, or a tuple or
    record with one)?"""
    if isinstance(t, (ArrayType, ListType, DictType)):
        return True
    if isinstance(t, RecordType):
        return any(_counted(e) for e in t.types)
    return isinstance(t, TupleType) and any(_counted(e) for e in t.elements)


def holds_references(t: Type) -> bool:
    """Public name of `_counted`: the pass pipeline asks it whether to run this pass."""
    return _counted(t)


def _is_array(v: Value) -> bool:
    return _counted(v.type)


def _consumed(op: Operation) -> list[int]:
    """Operand positions of `op` that take over a reference."""
    if op.name in _CONSUMING_TERMINATORS or op.name in ("scf.while", "tuple.make", "record.make",
                                                        "record.set"):
        return list(range(len(op.operands)))
    if op.name in _STORES:  # the stored value becomes the container's
        return list(_STORES[op.name])
    if op.name == "scf.for":
        return list(range(3, len(op.operands)))
    return []


def _owned_args(block: Block) -> list[Value]:
    region = block.parent
    owner = region.parent if region is not None else None
    if isinstance(owner, Operation) and owner.name in ("scf.for", "scf.while"):
        return [a for a in block.args if _is_array(a)]
    return []


def _nested_uses(op: Operation) -> dict[Value, None]:
    """Array values used inside op's regions, in program order (a dict as an ordered set)."""
    return dict.fromkeys(v for inner in op.walk() if inner is not op
                         for v in inner.operands if _is_array(v))


class _Ownership:
    def __init__(self, func: FuncOp) -> None:
        self.changed = False
        # borrowed parts: a dict's lists (dict.parts and its tuple.gets), a record's fields
        # (record.get, and the tuple.gets of a field)
        self.parts: set[Value] = set()
        self.dict_of: dict[Value, Value] = {}  # each of those -> the dict / record it is part of
        for op in func.walk():
            if op.name == "dict.parts":
                self.dict_of[op.results[0]] = op.operands[0]
            elif op.name == "record.get":
                self.dict_of[op.results[0]] = self.dict_of.get(op.operands[0], op.operands[0])
            elif op.name == "tuple.get" and op.operands[0] in self.dict_of:
                self.dict_of[op.results[0]] = self.dict_of[op.operands[0]]

    def block(self, block: Block) -> None:
        for op in block.ops:
            for region in op.regions:
                for b in region.blocks:
                    self.block(b)
        ops = block.ops
        borrowed_in: list[dict[Value, None]] = [_nested_uses(op) for op in ops]
        last: dict[Value, int] = {}
        for k, op in enumerate(ops):
            for v in list(op.operands) + list(borrowed_in[k]):
                if _is_array(v):
                    last[v] = k
                    dict_of = self.dict_of.get(v)
                    if dict_of is not None:  # a use of a dict's list keeps the dict alive
                        last[dict_of] = k
        owned: set[Value] = set(_owned_args(block))
        out: list[Operation] = []
        for a in _owned_args(block):
            if a not in last:
                out += self._rc("release", a, block, ops[0] if ops else None)
        for k, op in enumerate(ops):
            consumed = _consumed(op)
            counts: dict[Value, int] = {}
            for i in consumed:
                v = op.operands[i]
                if _is_array(v):
                    counts[v] = counts.get(v, 0) + 1
            other = dict.fromkeys(v for i, v in enumerate(op.operands)
                                  if i not in consumed and _is_array(v))
            after: list[Value] = []
            for v, c in counts.items():
                moves = v in owned and last[v] == k and v not in other and v not in borrowed_in[k]
                for _ in range(c - 1 if moves else c):
                    out += self._rc("retain", v, block, op)
                if v in owned and last[v] == k and not moves:
                    after.append(v)
            kept = [self.dict_of[v] for v in list(op.operands) + list(borrowed_in[k])
                    if v in self.dict_of]
            for v in list(other) + list(borrowed_in[k]) + kept:
                if v in owned and last[v] == k and v not in counts and v not in after:
                    after.append(v)
            if op.name in _CONSUMING_TERMINATORS:
                # nothing may follow a terminator: what dies here (a record whose borrowed
                # field the terminator takes, after the retain of that field) dies before it
                for v in after:
                    out += self._rc("release", v, block, op)
                after = []
            out.append(op)
            # a dict's lists are borrowed while the dict is (library code reads an argument),
            # a record's fields while the record is
            parts = op.name in ("dict.parts", "record.get") or (
                op.name == "tuple.get" and op.operands[0] in self.parts)
            if parts:
                self.parts.update(op.results)
            elif op.name in _READS and op.results and _is_array(op.results[0]):
                out += self._rc("retain", op.results[0], block, op)
            for r in op.results:
                if _is_array(r) and not parts:
                    owned.add(r)
                    if r not in last:
                        after.append(r)
            for v in after:
                out += self._rc("release", v, block, op)
            if op.name == "record.set":
                out += self._release_replaced(op, block)
        block.ops = out

    def _release_replaced(self, op: Operation, block: Block) -> list[Operation]:
        """After `record.set`: release the reference the old record held for the key (the
        new record holds the new value there instead)."""
        src, key = op.operands[0], str(op.attributes["key"])
        assert isinstance(src.type, RecordType)
        old_t = src.type.field(key)
        if old_t is None or not _counted(old_t):
            return []
        get = Operation("record.get", [src], [old_t], {"key": key}, loc=op.loc)
        get.parent = block
        return [get] + self._rc("release", get.results[0], block, op)

    def _rc(self, what: str, v: Value, block: Block, near: Operation | None) -> list[Operation]:
        """`what` ("retain" or "release") of every reference `v` holds."""
        self.changed = True
        loc = near.loc if near is not None else None
        t = v.type
        kind = _RC_OPS.get(type(t))
        if kind is not None:
            op = Operation(f"{kind}.{what}", [v], [], loc=loc)
            op.parent = block
            return [op]
        out: list[Operation] = []
        if isinstance(t, RecordType):
            for key, e in zip(t.keys, t.types):
                if _counted(e):
                    get = Operation("record.get", [v], [e], {"key": key}, loc=loc)
                    get.parent = block
                    out += [get] + self._rc(what, get.results[0], block, near)
            return out
        assert isinstance(t, TupleType)
        for i, e in enumerate(t.elements):
            if _counted(e):
                get = Operation("tuple.get", [v], [e], {"index": i}, loc=loc)
                get.parent = block
                out += [get] + self._rc(what, get.results[0], block, near)
        return out


def run_func(func: FuncOp) -> bool:
    if any(op.name.endswith((".retain", ".release")) for op in func.walk()):
        return False
    o = _Ownership(func)
    o.block(func.body.block)
    return o.changed


def apply(module: Module) -> bool:
    """True if anything changed."""
    return apply_per_function(run_func, module)


def run(module: Module) -> Module:
    apply(module)
    return module
