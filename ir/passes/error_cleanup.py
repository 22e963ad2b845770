"""Release on error paths: what a function owns when it raises is released (runs right
after `ownership`).

`ownership` releases every counted value (array, list, dict, tuple of them) after its last
use on the normal path. When an op raises (a failed check, `raise`, a callee that raised,
an allocation that failed) the function leaves early and those releases never run. This
pass finds, for each op that may raise, the references its block still owns at that point
(counted from the retain/release ops `ownership` wrote and the values ops consume), and
when there are some, wraps the op in a catch-all `scf.try` whose handler releases them
and re-raises:

    %r = scf.try {catch = "BaseException", cleanup = true} : T (
      { <op>; scf.yield <op's results> },
      { array.release %a; cf.reraise; %p = cf.poison : T; scf.yield %p })

The happy path is unchanged (a failing check branches to the handler instead of
returning). An op holding regions counts as raising when something inside it may raise;
its own blocks are handled first, so each level releases exactly what it owns: a loop
body its carried values and temporaries, the enclosing block the values live across the
loop.

Records are walked like tuples: a path step is a tuple index (int) or a record key (str),
`record.get` reads a field like `tuple.get`, and `record.set` (which consumes its record)
hands back the field it replaces, which `ownership` releases right after it.

Left as before (documented leaks): values an `scf.try_state` hands to a user's handler
(the handler takes them over, so they must stay alive), and functions that were counted
before this pass existed.
"""
from __future__ import annotations

from ember.ir.core import Block, FuncOp, Module, Operation, Region, Value
from ember.ir.passes.inline import callee_name
from ember.ir.passes.ownership import _RC_OPS, _consumed, _counted, _owned_args
from ember.ir.types import RecordType, TupleType, Type

__all__ = ["run", "apply"]

_RAISING = frozenset({"cf.assert", "cf.raise", "cf.reraise", "math.check", "array.alloc"})
_READS = frozenset({"tuple.get", "list.get", "dict.get", "record.get"})
Step = int | str  # a tuple index or a record key
Key = tuple[Value, tuple[Step, ...]]  # a root value and a path of tuple indices / record keys


def _leaves(t: Type, path: tuple[Step, ...] = ()) -> list[tuple[tuple[Step, ...], Type]]:
    """The counted parts of a value of type `t`: (path of tuple indices / record keys, type)."""
    if isinstance(t, TupleType):
        return [leaf for i, e in enumerate(t.elements) if _counted(e)
                for leaf in _leaves(e, path + (i,))]
    if isinstance(t, RecordType):
        return [leaf for k, e in zip(t.keys, t.types) if _counted(e)
                for leaf in _leaves(e, path + (k,))]
    return [(path, t)]


def _step(v: Value, step: Step, loc) -> Operation:
    """The op reading part `step` of the tuple or record `v`."""
    t = v.type
    if isinstance(step, str):
        assert isinstance(t, RecordType)
        return Operation("record.get", [v], [t.field(step)], {"key": step}, loc=loc)
    assert isinstance(t, TupleType)
    return Operation("tuple.get", [v], [t.elements[step]], {"index": step}, loc=loc)


class _Cleanup:
    def __init__(self, func: FuncOp, raising_callees: set[str]) -> None:
        self.raising_callees = raising_callees
        self.changed = False
        self.key: dict[Value, Key] = {}
        self.parts: set[Value] = set()  # a dict's borrowed lists: never counted
        self.handed_over: set[Value] = set()  # scf.try_state operands (see the docstring)
        for op in func.walk():
            if op.name == "scf.try_state":
                self.handed_over.update(op.operands)
        self.subst: dict[Value, Value] = {}
        self.keep: set[int] = set()  # ids of the wrappers' body yields (refer to the old values)
        self._raises: dict[int, bool] = {}

    def may_raise(self, op: Operation) -> bool:
        known = self._raises.get(id(op))
        if known is None:
            if op.name in _RAISING:
                known = True
            elif op.name == "func.call":
                name = callee_name(op)
                known = name is None or name in self.raising_callees
            else:
                known = any(self.may_raise(inner) for region in op.regions
                            for b in region.blocks for inner in b.ops)
            self._raises[id(op)] = known
        return known

    def _key(self, v: Value) -> Key:
        return self.key.get(v, (v, ()))

    def block(self, block: Block) -> None:
        for op in block.ops:
            for region in op.regions:
                for b in region.blocks:
                    self.block(b)
        counts: dict[Key, int] = {}

        def add(v: Value | Key, n: int) -> None:
            k = v if isinstance(v, tuple) else self._key(v)  # a value, or a path into one
            counts[k] = counts.get(k, 0) + n

        for a in _owned_args(block):
            add(a, 1)
        out: list[Operation] = []
        for op in block.ops:
            if self.may_raise(op):
                owned = self._owned_at(counts, op)
                if owned:
                    op = self._wrap(op, owned, block)
            out.append(op)
            self._count(op, add)
        block.ops = out

    def _count(self, op: Operation, add) -> None:
        """Update the owned counts across `op` (for a wrapper: across the op inside it)."""
        inner = op.regions[0].blocks[0].ops[0] if op.attributes.get("cleanup") else op
        for i in _consumed(inner):
            if _counted(inner.operands[i].type):
                add(inner.operands[i], -1)
        name = inner.name
        if name.endswith(".retain") and name.split(".")[0] in ("array", "list", "dict"):
            add(inner.operands[0], 1)
        elif name.endswith(".release") and name.split(".")[0] in ("array", "list", "dict"):
            add(inner.operands[0], -1)
        if name == "dict.parts" or (name == "tuple.get" and inner.operands[0] in self.parts):
            self.parts.update(inner.results)
            return
        if name == "record.set":  # the replaced field comes back, to be released next
            src, key = inner.operands[0], str(inner.attributes["key"])
            old_t = src.type.field(key) if isinstance(src.type, RecordType) else None
            if old_t is not None and _counted(old_t):
                root, path = self._key(src)
                add((root, path + (key,)), 1)
        if name == "tuple.get":
            root, path = self._key(inner.operands[0])
            self.key[inner.results[0]] = (root, path + (int(inner.attributes["index"]),))
            return
        if name == "record.get":
            root, path = self._key(inner.operands[0])
            self.key[inner.results[0]] = (root, path + (str(inner.attributes["key"]),))
            return
        if name in _READS:
            return
        for r in inner.results:
            if _counted(r.type):
                add(r, 1)

    def _owned_at(self, counts: dict[Key, int], op: Operation) -> list[tuple[Value, tuple[Step, ...], Type, int]]:
        """The references owned just before `op` that it does not take over: (root, path,
        type, how many)."""
        after = dict(counts)
        for i in _consumed(op):
            if _counted(op.operands[i].type):
                k = self._key(op.operands[i])
                after[k] = after.get(k, 0) - 1
        owned = []
        for root in dict.fromkeys(r for r, _ in after):
            if root in self.handed_over:
                continue
            leaves = _leaves(root.type)
            nets = [sum(n for (r, p), n in after.items() if r is root and leaf[:len(p)] == p)
                    for leaf, _ in leaves]
            if any(n < 0 for n in nets):  # not a pattern `ownership` writes: leave it alone
                continue
            owned += [(root, leaf, t, n) for (leaf, t), n in zip(leaves, nets) if n > 0]
        return owned

    def _wrap(self, op: Operation, owned, block: Block) -> Operation:
        self.changed = True
        loc = op.loc
        body, handler = Block(), Block()
        _deepen_try_states(op)
        body.ops = [op]
        op.parent = body
        yield_body = Operation("scf.yield", list(op.results), [], loc=loc)
        self.keep.add(id(yield_body))
        body.ops.append(yield_body)
        ops: list[Operation] = []
        for root, path, t, n in owned:
            v = root
            for step in path:
                get = _step(v, step, loc)
                ops.append(get)
                v = get.results[0]
            kind = _RC_OPS[type(t)]
            ops += [Operation(f"{kind}.release", [v], [], loc=loc) for _ in range(n)]
        ops.append(Operation("cf.reraise", [], [], loc=loc))
        poisons = [Operation("cf.poison", [], [r.type], loc=loc) for r in op.results]
        ops += poisons
        ops.append(Operation("scf.yield", [p.results[0] for p in poisons], [], loc=loc))
        handler.ops = ops
        for o in ops:
            o.parent = handler
        wrapper = Operation("scf.try", [], [r.type for r in op.results],
                            {"catch": "BaseException", "cleanup": True},
                            [Region([body]), Region([handler])], loc=loc)
        for r, w in zip(op.results, wrapper.results):
            w.name = r.name
            self.subst[r] = w
            if r in self.key:
                self.key[w] = self.key[r]
        wrapper.parent = block
        return wrapper

    def substitute(self, func: FuncOp) -> None:
        if not self.subst:
            return
        for op in func.walk():
            if id(op) in self.keep:
                continue
            op.operands = [self.subst.get(v, v) for v in op.operands]


def _deepen_try_states(op: Operation) -> None:
    """`op` moves one scf.try deeper: its scf.try_state ops that name a try outside it
    count one more level."""
    def visit(o: Operation, between: int) -> None:
        if o.name == "scf.try_state" and int(o.attributes["depth"]) >= between:
            o.attributes["depth"] = int(o.attributes["depth"]) + 1
        for k, region in enumerate(o.regions):
            # only an scf.try's body (region 0) is inside that try
            inner = between + 1 if o.name == "scf.try" and k == 0 else between
            for b in region.blocks:
                for x in b.ops:
                    visit(x, inner)
    visit(op, 0)


def _raising_functions(module: Module) -> set[str]:
    """Functions that may raise: a raising op, or a call of one (to a fixed point)."""
    raising: set[str] = set()
    changed = True
    while changed:
        changed = False
        for f in module:
            if f.name in raising:
                continue
            for op in f.walk():
                if op.name in _RAISING or (op.name == "func.call" and (
                        callee_name(op) is None or callee_name(op) in raising)):
                    raising.add(f.name)
                    changed = True
                    break
    return raising


def apply(module: Module) -> bool:
    """True if anything changed."""
    raising = _raising_functions(module)
    changed = False
    for f in module:
        if any(op.name == "scf.try" and op.attributes.get("cleanup") for op in f.walk()):
            continue  # already cleaned up (the pipeline ran twice)
        c = _Cleanup(f, raising)
        c.block(f.body.block)
        c.substitute(f)
        changed |= c.changed
    return changed


def run(module: Module) -> Module:
    apply(module)
    return module
