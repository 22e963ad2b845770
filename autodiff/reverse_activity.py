"""What reverse mode must know before it emits anything: activity and array roots.

- `root(a)`: the array whose memory a view (subview, reshape, transpose) or a loop-carried
  array that is passed through unchanged refers to; shadows and writes are per root.
- `written`: roots that some `array.store` (or a helper call that stores) may modify.
  Loads from them inside loops are taped in the forward sweep, because memory may have
  changed by the time the body is replayed.
- `active`: values that depend on a `wrt` argument and carry a derivative (for arrays:
  their root). Only active values get adjoints; an op with no rule that touches an active
  value is an error.
"""
from __future__ import annotations

from ember.autodiff.tangents import is_differentiable
from ember.ir.core import FuncOp, Module, Operation, SymbolRef, Value
from ember.ir.opdefs import is_pure
from ember.ir.types import F32, F64, I64, ArrayType, ListType, RecordType, ScalarType, TupleType, Type

VIEWS = ("array.subview", "array.reshape", "array.transpose")
LIST_WRITES = ("list.append", "list.set", "list.resize")
READS = ("array.load", "list.get", "list.len")


def _loop_depth(op: Operation) -> int:
    """How many loops enclose `op` in its function."""
    n = 0
    blk = op.parent
    while blk is not None and blk.parent is not None and isinstance(blk.parent.parent, Operation):
        owner = blk.parent.parent
        n += owner.name in ("scf.for", "scf.while")
        blk = owner.parent
    return n


# Library calls inside nested loops (two or more deep): a replay reads them back from the
# load tape instead of calling again (the innermost body of a depth-d nest is replayed d
# times; one tape slot costs far less than a transcendental). Not in single loops, where
# it would save one call of two but put derivative-carrying floats in a list, which a
# second reverse pass refuses when the derivative runs inside a loop (jacrev of jacrev).
TAPED_MATH = frozenset(f"math.{n}" for n in (
    "exp", "expm1", "exp2", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin",
    "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf",
    "erfc", "cbrt", "pow", "hypot", "fmod"))

# Functions whose derivative is another library call of the operand (sin -> cos): the
# forward sweep computes that factor next to the function (LLVM fuses sin and cos of one
# value into one sincos) and, where the result is taped, tapes the factor in the slot
# after it, so the reverse sweep (and forward mode over it) calls no libm function.
FACTOR_AHEAD = frozenset(f"math.{n}" for n in ("sin", "cos", "sinh", "cosh", "erf", "erfc"))


def callee_of(op: Operation) -> str:
    c = op.attributes["callee"]
    return c.name if isinstance(c, SymbolRef) else str(c).lstrip("@")


def _stores(module: Module, name: str, seen: set[str]) -> bool:
    """Does function `name` (or anything it calls) write into memory its arguments reach?
    Writes into arrays / lists it makes itself do not count: replaying such a helper
    makes fresh ones again."""
    if name in seen or name not in module.funcs:
        return False
    seen.add(name)
    f = module[name]
    reach: set[Value] = {a for a in f.args if _is_ref(a.type)}
    changed = True
    while changed:
        changed = False
        for op in f.walk():
            ins = [v for v in op.operands if v in reach]
            if not ins:
                continue
            if _writes(module, op, reach, seen):
                return True
            new: list[Value] = []
            if op.name not in _PURE_READS:
                new += [r for r in op.results if _is_ref(r.type)]
            for r in op.regions:       # conservative: any reference a region receives
                for blk in r.blocks:
                    new += [a for a in blk.args if _is_ref(a.type)]
            if op.name in ("scf.yield", "scf.condition") and op.parent is not None:
                owner = _owner(f, op)
                if owner is not None:
                    new += [r for r in owner.results if _is_ref(r.type)]
                    for r in owner.regions:
                        for blk in r.blocks:
                            new += [a for a in blk.args if _is_ref(a.type)]
            for v in new:
                if v not in reach:
                    reach.add(v)
                    changed = True
    return False


_PURE_READS = ("array.load", "array.dim", "list.get", "list.len")


def _is_ref(t: Type) -> bool:
    return not isinstance(t, ScalarType)


def _writes(module: Module, op: Operation, reach: set[Value], seen: set[str]) -> bool:
    if op.name == "array.store":
        return op.operands[1] in reach
    if op.name in ("array.assign",) or op.name in LIST_WRITES:
        return True
    if op.name == "func.call":
        return _stores(module, callee_of(op), seen)
    if op.name.startswith("dict.") and not is_pure(op):
        return True
    return False


def _owner(f: FuncOp, term: Operation) -> Operation | None:
    for op in f.walk():
        for r in op.regions:
            if any(term in blk.ops for blk in r.blocks):
                return op
    return None


def _float_list(t: Type) -> bool:
    return isinstance(t, ListType) and isinstance(t.elem, ScalarType) and t.elem.kind in "fc"


def defined_in(region_ops: list[Operation], args: list[Value] = ()) -> set[Value]:
    """Every value defined by these ops (nested regions included) and `args`."""
    out: set[Value] = set(args)
    for top in region_ops:
        for op in top.walk():
            out.update(op.results)
            for r in op.regions:
                for blk in r.blocks:
                    out.update(blk.args)
    return out


class Activity:
    def __init__(self, module: Module, func: FuncOp, wrt: list[int]) -> None:
        self.module = module
        self.func = func
        self.roots: dict[Value, Value] = {}
        self.written: set[Value] = set()
        self.active: set[Value] = set()
        self._needs: dict[int, bool] = {}
        self._find_roots()
        for i in wrt:
            self.active.add(self.root(func.args[i]))
        self._propagate()

    # ---- arrays ---------------------------------------------------------------------
    def root(self, v: Value) -> Value:
        while v in self.roots:
            v = self.roots[v]
        return v

    def _find_roots(self) -> None:
        # arrays inside tuple / dict arguments: one placeholder root per (argument, path),
        # whatever tuple.get / record.get reaches it
        self.leaf_roots: dict[tuple[Value, tuple[int, ...]], Value] = {}
        self.merged: set[Value] = set()   # arrays a branch picks from different roots
        path_of: dict[Value, tuple[Value, tuple[int, ...]]] = {
            a: (a, ()) for a in self.func.args if isinstance(a.type, (TupleType, RecordType))}
        for op in self.func.walk():
            if op.name in ("tuple.get", "record.get"):
                src = op.operands[0]
                t = src.type
                i = op.attributes["index"] if op.name == "tuple.get" \
                    else t.keys.index(op.attributes["key"])  # type: ignore[union-attr]
                if src in path_of:
                    base, path = path_of[src]
                    path_of[op.result] = (base, path + (i,))
                    if isinstance(op.result.type, ArrayType):
                        key = (base, path + (i,))
                        if key not in self.leaf_roots:
                            self.leaf_roots[key] = Value(op.result.type, op.result.name)
                        self.roots[op.result] = self.leaf_roots[key]
                elif getattr(src, "op", None) is not None and src.op.name in ("tuple.make", "record.make") \
                        and isinstance(op.result.type, ArrayType):
                    self.roots[op.result] = src.op.operands[i]
            elif op.name in VIEWS + ("array.real", "array.imag"):
                self.roots[op.result] = op.operands[0]
            elif op.name == "scf.if":
                for i, r in enumerate(op.results):
                    if isinstance(r.type, ArrayType):
                        a, b = (self.root(reg.block.terminator.operands[i]) for reg in op.regions)
                        if a is b:
                            self.roots[r] = a
                        else:
                            self.merged.add(r)
            elif op.name == "scf.for":
                body = op.regions[0].block
                for i, res in enumerate(op.results):
                    if isinstance(res.type, (ArrayType, ListType)) and body.terminator.operands[i] is body.args[i + 1]:
                        self.roots[body.args[i + 1]] = op.operands[3 + i]
                        self.roots[res] = op.operands[3 + i]
            elif op.name == "scf.while":
                before, after = op.regions[0].block, op.regions[1].block
                cond, yld = before.terminator, after.terminator
                for i, a in enumerate(before.args):
                    if isinstance(a.type, (ArrayType, ListType)) and i < len(after.args) \
                            and cond.operands[1 + i] is a and yld.operands[i] is after.args[i]:
                        self.roots[a] = op.operands[i]
                        self.roots[after.args[i]] = op.operands[i]
                        self.roots[op.results[i]] = op.operands[i]
        # written_from[i]: roots stored into by top-level op i or any op after it
        self._top: dict[int, int] = {}
        tops = self.func.body.block.ops
        per_top: list[set[Value]] = []
        for i, top in enumerate(tops):
            stored: set[Value] = set()
            for op in top.walk():
                self._top[id(op)] = i
                if op.name == "array.store":
                    stored.add(self.root(op.operands[1]))
                elif op.name == "func.call" and _stores(self.module, callee_of(op), set()):
                    stored.update(self.root(v) for v in op.operands if isinstance(v.type, ArrayType))
            per_top.append(stored)
        self.written_from: list[set[Value]] = [set() for _ in tops] + [set()]
        for i in range(len(tops) - 1, -1, -1):
            self.written_from[i] = per_top[i] | self.written_from[i + 1]
        self.written = self.written_from[0] if tops else set()
        self.lists_written = any(
            op.name in LIST_WRITES or (op.name == "func.call" and self.call_stores(op))
            for op in self.func.walk())

    def call_stores(self, op: Operation) -> bool:
        return _stores(self.module, callee_of(op), set())

    def _call_stores_cached(self, op: Operation) -> bool:
        key = ("cs", id(op))
        if key not in self._needs:
            self._needs[key] = self.call_stores(op)  # type: ignore[index]
        return self._needs[key]  # type: ignore[index]

    def writing_call(self, op: Operation) -> bool:
        """A call to a helper that writes into memory its array arguments reach, with an
        active operand: the caller snapshots those arrays before it (reverse_calls.py)."""
        key = ("wc", id(op))
        if key not in self._needs:
            self._needs[key] = self._writing_call(op)  # type: ignore[index]
        return self._needs[key]  # type: ignore[index]

    def _writing_call(self, op: Operation) -> bool:
        return op.name == "func.call" and callee_of(op) in self.module.funcs \
            and any(isinstance(v.type, ArrayType) for v in op.operands) \
            and any(self.is_active(v) for v in op.operands) and self._call_stores_cached(op)

    # ---- activity -------------------------------------------------------------------
    def is_active(self, v: Value) -> bool:
        if isinstance(v.type, (ArrayType, ListType)):
            return self.root(v) in self.active
        return v in self.active

    def _mark(self, v: Value) -> bool:
        if not (is_differentiable(v.type) or _float_list(v.type)):
            return False
        key = self.root(v) if isinstance(v.type, (ArrayType, ListType)) else v
        if key in self.active:
            return False
        self.active.add(key)
        return True

    def _propagate(self) -> None:
        changed = True
        while changed:
            changed = False
            for op in self.func.walk():
                changed |= self._visit(op)

    def _visit(self, op: Operation) -> bool:
        act = self.is_active
        ch = False
        if op.name == "array.store":
            if act(op.operands[0]):
                ch |= self._mark(op.operands[1])
        elif op.name in ("list.append", "list.set"):
            # a list holding active floats has a shadow list (reverse_rules_list.py)
            lst, v = op.operands if op.name == "list.append" else op.operands[1::-1]
            if act(v):
                ch |= self._mark(lst)
        elif op.name == "scf.for":
            body = op.regions[0].block
            yld = body.terminator
            for i, res in enumerate(op.results):
                if act(op.operands[3 + i]) or act(yld.operands[i]):
                    ch |= self._mark(body.args[i + 1])
                    ch |= self._mark(res)
        elif op.name == "scf.while":
            before, after = op.regions[0].block, op.regions[1].block
            cond, yld = before.terminator, after.terminator
            for i, a in enumerate(before.args):
                if act(op.operands[i]) or act(yld.operands[i]):
                    ch |= self._mark(a)
            for i, res in enumerate(op.results):
                if act(cond.operands[1 + i]):
                    ch |= self._mark(after.args[i])
                    ch |= self._mark(res)
        elif op.name == "scf.if":
            for blk in (op.regions[0].block, op.regions[1].block):
                for v, res in zip(blk.terminator.operands, op.results):
                    if act(v):
                        ch |= self._mark(res)
        elif op.regions:
            return False
        elif any(act(v) for v in op.operands):
            for r in op.results:
                ch |= self._mark(r)
            if op.name == "func.call" and self._call_stores_cached(op):
                # a helper writing into its array arguments: they now hold derivatives
                for v in op.operands:
                    if isinstance(v.type, ArrayType):
                        ch |= self._mark(v)
        return ch

    # ---- what the reverse sweep must visit ------------------------------------------
    def needs_reverse(self, op: Operation) -> bool:
        """Does `op` (or an op nested in it) have an adjoint to emit?"""
        key = id(op)
        if key not in self._needs:
            self._needs[key] = any(self._touches(o) for o in op.walk())
        return self._needs[key]

    def _touches(self, op: Operation) -> bool:
        if op.name in ("array.store", "array.load"):
            return self.is_active(op.operands[0 if op.name == "array.load" else 1])
        if op.name == "func.call":
            return any(self.is_active(v) for v in op.operands)
        if op.name in ("list.append", "list.set"):
            return self.is_active(op.operands[0 if op.name == "list.append" else 1])
        if op.regions:
            return False
        return any(self.is_active(r) for r in op.results)

    @property
    def entry_snaps(self) -> dict[int, list[Value]]:
        """Top-level loop id -> arrays it copies at each iteration entry (reverse_entry_snaps)."""
        if not hasattr(self, "_entry_snaps"):
            from ember.autodiff.reverse_entry_snaps import analyse
            self._entry_snaps, self._snap_loads = analyse(self)
        return self._entry_snaps

    @property
    def snap_loads(self) -> set[int]:
        self.entry_snaps
        return self._snap_loads

    def tapes_load(self, op: Operation) -> bool:
        """Must this array.load (inside a loop) be taped? Only when its array may be
        written after it runs: by the top-level op that holds it (a loop writes in later
        iterations) or by anything after that op. Writes before it cannot change what a
        replay would read."""
        if op.name != "array.load":
            return self.lists_written   # list reads: any list write may change them
        if id(op) in self.snap_loads:
            return False    # its loop snapshots the array at each iteration entry
        if self._only_stored(op.result):
            return False    # a copy (`u[i] = v[i]`): no adjoint reads the value
        written = self.written_from[self._top[id(op)]]
        root = self.root(op.operands[0])
        # an array a branch chose: any write may reach it
        return root in written or (root in self.merged and bool(written))

    def _use_map(self) -> "dict[Value, list[tuple[Operation, int]]]":
        if not hasattr(self, "_uses"):
            self._uses: dict[Value, list[tuple[Operation, int]]] = {}
            for o in self.func.walk():
                for k, x in enumerate(o.operands):
                    self._uses.setdefault(x, []).append((o, k))
        return self._uses

    def local_array(self, r: Value) -> bool:
        """Is `r` an array.alloc result that is only loaded, stored into, measured and
        viewed (no view of it yielded, returned, passed to a call or put in a tuple)?
        Then its shadow lives for one replay of its loop body only (reverse_loops can
        allocate it once outside the reverse loop)."""
        if getattr(r, "op", None) is None or r.op.name != "array.alloc":
            return False
        uses = self._use_map()
        todo, seen = [r], set()
        while todo:
            v = todo.pop()
            if v in seen:
                continue
            seen.add(v)
            for o, k in uses.get(v, []):
                if o.name in VIEWS and k == 0:
                    todo.append(o.results[0])
                elif not (o.name in ("array.load", "array.dim") or (o.name == "array.store" and k == 1)):
                    return False
        return True

    def _only_stored(self, v: Value) -> bool:
        """Is `v` used only as the value of array stores? Then neither the adjoints nor a
        replay (which skips stores) need it."""
        uses = self._use_map().get(v, [])
        return bool(uses) and all(o.name == "array.store" and k == 0 for o, k in uses)

    def taped_read(self, o: Operation) -> Type | None:
        """The type of the value op `o` puts on the load tape inside a loop, or None: a
        read of memory that may change later, or the position of an append into a list
        with a shadow (its reverse must find the slot)."""
        if o.name in READS and self.tapes_load(o):
            return o.results[0].type
        if o.name in TAPED_MATH and o.results[0].type in (F64, F32) and _loop_depth(o) >= 2:
            return o.results[0].type
        if o.name == "list.append" and self.is_active(o.operands[0]):
            return I64
        if o.name == "func.call" and self.writing_call(o):
            return I64      # where its snapshot starts
        return None

    def has_taped_loads(self, op: Operation) -> bool:
        return any(self.taped_read(o) is not None for o in op.walk())

    def fixed_loads(self, op: Operation) -> bool:
        """Are all taped loads of loop `op` directly in its body (the same number every
        iteration, so iteration k's loads start at start + k * count)?"""
        body = op.regions[0].block
        return all(o.parent is body for o in op.walk() if self.taped_read(o) is not None)

    def tapes_factor(self, o: Operation) -> bool:
        """Does taped math op `o` also tape its derivative factor (FACTOR_AHEAD), in the
        slot after its result? Only when the reverse sweep will need it."""
        return o.name in FACTOR_AHEAD and self.is_active(o.operands[0])

    def load_counts(self, op: Operation) -> dict:
        """Taped loads (tape slots) per dtype directly in the body of loop `op`."""
        out: dict = {}
        for o in op.regions[0].block.ops:
            t = self.taped_read(o)
            if t is not None:
                out[t] = out.get(t, 0) + 1 + (o.name in TAPED_MATH and self.tapes_factor(o))
        return out

    def taped_dtypes(self) -> list:
        """The dtypes of loads that loops tape (one load tape per dtype)."""
        out = []
        for op in self.func.walk():
            if op.name in ("scf.for", "scf.while"):
                for o in op.walk():
                    t = self.taped_read(o)
                    if t is not None and t not in out and isinstance(t, ScalarType):
                        out.append(t)
        return out

    def free_scalars(self, ops: list[Operation], args: list[Value] = ()) -> list[Value]:
        """Active non-array values used by `ops` but defined outside them: their adjoints
        leave a region's reverse as yielded (or carried) values."""
        inside = defined_in(ops, args)
        out: list[Value] = []
        seen: set[Value] = set()
        for top in ops:
            for op in top.walk():
                for v in op.operands:
                    if v not in inside and v not in seen and self.is_active(v) \
                            and not isinstance(v.type, (ArrayType, ListType)):
                        seen.add(v)
                        out.append(v)
        return out


__all__ = ["Activity", "VIEWS", "TAPED_MATH", "FACTOR_AHEAD", "callee_of", "defined_in"]
