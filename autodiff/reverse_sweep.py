"""The reverse-mode emitter: forward sweep (primal code, or a replay of a loop body), then
the reverse sweep walking the same ops backwards through the rule registry.

State (one `Sweep` per derived function):
- `env`: original value -> its value in the code being emitted now (the primal at the top
  level, the replayed clone inside a reverse loop); also holds synthetic keys
  `("s", v)` (the shadow array of array `v`) and `(op, ...)` (the tapes of loop `op`), so
  that an `scf.if` can export whatever its branches defined (reverse_branches.py).
- `adj`: original value -> its adjoint (`reverse_values.Adj`), one dict per region being
  reversed; adjoints of values from outside a region leave it as yielded values.
- flags: `replay` (re-running a loop body: stores and checks are skipped, loads from
  written arrays read the load tape), `record` (a reverse follows at this level: loops
  tape their carried values, shadows of new arrays are made), `in_loop` (loads from
  written arrays go through the load tape).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ember.autodiff import reverse_values as rv
from ember.autodiff.reverse_activity import FACTOR_AHEAD, LIST_WRITES, READS, TAPED_MATH, VIEWS, Activity
from ember.ir.builder import Builder
from ember.ir.clone import clone_op
from ember.ir.core import Block, BlockArgument, FuncOp, Module, Operation, Region, Value
from ember.ir.errors import DifferentiationError
from ember.ir.types import I64, ArrayType, ListType, ScalarType, Type

Rule = Callable[["Sweep", Operation, list], None]
RULES: dict[str, Rule] = {}
# math op -> its derivative factor d(sw, x, y) (x operand, y result), for FACTOR_AHEAD ops:
# computed by the forward sweep next to the op, kept in env[("d", op)] for the rule
FACTORS: dict[str, Callable[["Sweep", Value, Value], Value]] = {}
NO_ADJOINT = {"arith.constant", "arith.cmpf", "arith.cmpi", "arith.cmpif", "math.isnan",
              "math.isinf", "math.isfinite", "array.dim", "arith.fptosi"}
CHECKS = ("cf.assert", "math.check", "cf.raise")


def rule(*names: str) -> Callable[[Rule], Rule]:
    def deco(fn: Rule) -> Rule:
        for n in names:
            RULES[n] = fn
        return fn
    return deco


def describe(op: Operation) -> str:
    callee = op.attributes.get("callee")
    return f"a call of {callee}" if callee is not None else f"`{op.name}`"


class Sweep:
    def __init__(self, module: Module, act: Activity, func: FuncOp,
                 derive_call: Callable[[str, list[int]], str]) -> None:
        self.module = module
        self.act = act
        self.func = func
        self.derive_call = derive_call
        self.b = Builder(func.body.block)
        self.env: dict[Any, Value] = {}
        self.adj: dict[Value, rv.Adj] = {}
        self.replay = False
        self.record = True
        self.in_loop = False
        self.lists: dict[Type, Value] = {}
        self.cursor: dict[Type, Value] = {}
        # positions of the taped loads of the loop body being emitted (see reverse_loops)
        self.slots: dict[Type, list] = {}
        self.tapes: list[Value] = []
        # snapshots of the arrays passed to helpers that write into them (reverse_calls.py)
        self.call_tapes: dict[Type, Value] = {}
        self._call_roots: set[Value] | None = None  # arrays passed to helper calls (_refilled)
        # (body, outer) while a reverse scf.for body is built: shadows of arrays local to
        # one replay are allocated once in `outer`, before the loop (hoisted_zeros)
        self.hoist: tuple[Block, Block] | None = None
        for op in act.func.walk():
            if act.writing_call(op):
                for v in op.operands:
                    dt = v.type.dtype if isinstance(v.type, ArrayType) else None
                    if dt is not None and dt not in self.call_tapes:
                        self.call_tapes[dt] = self.tape(self.v("list.new", [self.i64(64)], ListType(dt)))

    # ---- small emitters -----------------------------------------------------------------
    def p(self, v: Value) -> Value:
        """The value of original `v` in the code being emitted."""
        return self.env[v]

    def v(self, name: str, operands: list[Value], t: Type, **attrs: Any) -> Value:
        return self.b.value(name, operands, t, attrs or None)

    def const(self, x: float, t: Type) -> Value:
        return self.b.constant(x if t.kind != "f" else float(x), t)  # type: ignore[union-attr]

    def i64(self, x: int) -> Value:
        return self.b.constant(x, I64)

    def f(self, name: str, *xs: Value) -> Value:
        """A float op on operands of one type (arith.* or math.*)."""
        return self.b.value(name, list(xs), xs[0].type)

    def tape(self, v: Value) -> Value:
        """Register a tape (reverse_tapes drops it if nothing reads it)."""
        self.tapes.append(v)
        return v

    def shadow(self, v: Value) -> Value | None:
        s = self.env.get(("s", v))
        op = getattr(v, "op", None)
        if s is None and isinstance(v.type, ArrayType) and (
                isinstance(v, BlockArgument) or (op is not None and op.name in ("scf.for", "scf.while"))):
            # an array a loop passes through unchanged: the same memory as its initial value
            root = self.act.root(v)
            if root is not v:
                s = self.env.get(("s", root))
        return s

    @contextmanager
    def mode(self, **kw: Any) -> Iterator[None]:
        saved = {k: getattr(self, k) for k in kw}
        for k, x in kw.items():
            setattr(self, k, x)
        try:
            yield
        finally:
            for k, x in saved.items():
                setattr(self, k, x)

    @contextmanager
    def into(self, block: Block) -> Iterator[None]:
        with self.b.at(block):
            yield

    # ---- adjoints -----------------------------------------------------------------------
    def acc(self, v: Value, a: rv.Adj) -> None:
        """adj[v] += a (nothing for inactive values, arrays or a zero contribution)."""
        if a is None or isinstance(v.type, (ArrayType, ListType)) or not self.act.is_active(v):
            return
        self.adj[v] = rv.add(self.b, self.adj.get(v), a)

    def leaves(self, values: list[Value]) -> list[tuple[Value, rv.Path, ScalarType]]:
        """The float leaves of the adjoints of `values` (what a region yields for them)."""
        return [(v, p, t) for v in values for p, t in rv.scalar_leaves(v.type, True)]

    def leaf_values(self, spec: list[tuple[Value, rv.Path, ScalarType]],
                    adj: dict[Value, rv.Adj]) -> list[Value]:
        out = []
        for v, p, t in spec:
            x = rv.get_leaf(adj.get(v), p)
            out.append(x if x is not None else rv.zero(self.b, t))
        return out

    def acc_leaves(self, spec: list[tuple[Value, rv.Path, ScalarType]], vals: list[Value]) -> None:
        # one value may appear twice (a loop's init that the body also uses): add both
        for (v, p, _), x in zip(spec, vals):
            self.acc(v, rv.from_leaves(v.type, {p: x}))

    # ---- forward sweep ------------------------------------------------------------------
    def forward(self, ops: list[Operation]) -> None:
        for op in ops:
            if op is not ops[-1] or op.name not in ("scf.yield", "scf.condition", "func.return"):
                with self.b.located(op.loc):
                    self.forward_op(op)

    def forward_op(self, op: Operation) -> None:
        from ember.autodiff import reverse_loops
        name = op.name
        if name in ("scf.for", "scf.while"):
            reverse_loops.forward_loop(self, op)
            return
        if name == "scf.if":
            self.forward_if(op)
            return
        if name in LIST_WRITES and self.act.is_active(op.operands[1 if name == "list.set" else 0]):
            self._list_write(op)
            return
        if name in CHECKS or name == "array.store" or name in LIST_WRITES:
            if not self.replay or (name == "array.store" and self._refilled(op)):
                self.b.block.append(clone_op(op, self.env))
            return
        if name in READS and self.in_loop and self.act.tapes_load(op):
            self._taped_load(op)
            return
        if name in TAPED_MATH and self.in_loop and self.act.taped_read(op) is not None:
            self._taped_load(op)
            return
        if op.regions:
            if self.replay or self.act.needs_reverse(op):
                raise DifferentiationError(
                    f"reverse mode cannot differentiate through {describe(op)}", op.loc)
            self.b.block.append(clone_op(op, self.env))
            return
        if name == "func.call" and self.act.writing_call(op):
            from ember.autodiff.reverse_calls import forward_writing_call
            new = forward_writing_call(self, op)
        elif name == "func.call" and self.replay and self.act.call_stores(op):
            raise DifferentiationError(
                f"reverse mode cannot replay {describe(op)} inside a loop: it writes into an "
                "array", op.loc)
        else:
            new = self.b.block.append(clone_op(op, self.env))
        if name in FACTOR_AHEAD and self.act.tapes_factor(op):
            self._factor_ahead(op, new.results[0])
        for r, x in zip(op.results, new.results):
            if isinstance(r.type, ListType) and self.act.is_active(r) and self.act.root(r) is r:
                if name != "list.new" or self.in_loop:
                    raise DifferentiationError(
                        "reverse mode follows lists of derivative-carrying values only when "
                        "they are made outside any loop", op.loc)
                self.env[("s", r)] = self.v("list.new", [self.p(op.operands[0])], r.type)
        if not self.record:
            return
        for r, x in zip(op.results, new.results):
            if isinstance(r.type, ArrayType) and self.act.is_active(r):
                if name in VIEWS:
                    self._shadow_view(op)
                elif self.act.root(r) is r:
                    self.env[("s", r)] = self.hoisted_zeros(r, x) or self.zeros_like(x)
                elif ("s", self.act.roots[r]) in self.env:
                    # an array taken out of a tuple: the tuple element's shadow
                    self.env[("s", r)] = self.env[("s", self.act.roots[r])]
                else:
                    raise DifferentiationError(
                        f"reverse mode cannot follow array '{r.name or '?'}' taken out of a "
                        "tuple or dict that is not an argument", op.loc)

    def _refilled(self, op: Operation) -> bool:
        """Does a replay run this store again? Only into an array the loop body allocates
        (the replay allocates it afresh) that the body passes to a helper call: the
        helper's vjp reads the array itself, not the load tape (a custom_jvp norm of
        `p[i + 1] - p[i]`)."""
        if self._call_roots is None:
            self._call_roots = {self.act.root(v) for o in self.act.func.walk()
                                if o.name == "func.call" for v in o.operands
                                if isinstance(v.type, ArrayType)}
        root = self.act.root(op.operands[1])
        maker = getattr(root, "op", None)
        return (root in self._call_roots and maker is not None
                and maker.parent is not self.act.func.body.block)

    def _taped_load(self, op: Operation) -> None:
        dt = op.result.type
        if not isinstance(dt, ScalarType):
            raise DifferentiationError(
                f"reverse mode cannot replay a loop that reads {dt} values from a list it "
                "changes", op.loc)
        self.env[op.result] = self.taped_value(
            dt, lambda: self.b.block.append(clone_op(op, self.env)).result)
        if op.name in TAPED_MATH and self.act.tapes_factor(op):
            # the slot after the result (Activity.load_counts counts it)
            self.env[("d", op)] = self.taped_value(dt, lambda: FACTORS[op.name](
                self, self.p(op.operands[0]), self.env[op.result]))

    def _factor_ahead(self, op: Operation, y: Value) -> None:
        """The derivative factor of a FACTOR_AHEAD op, next to it, where the reverse sweep
        will read it (the primal at the top level, a replay); elsewhere (a loop's forward
        run, which its replay repeats) none, so a rule never sees a stale one."""
        if self.record:
            self.env[("d", op)] = FACTORS[op.name](self, self.p(op.operands[0]), y)
        else:
            self.env.pop(("d", op), None)

    def taped_value(self, dt: Type, make: Callable[[], Value]) -> Value:
        """A value read in a loop body: in the forward sweep `make()` computes it and the
        load tape keeps it; in a replay it is read back from the tape at the cursor."""
        tape = self.lists[dt]
        if self.replay:
            cur = self.cursor[dt]
            self.cursor[dt] = self.v("arith.addi", [cur, self.i64(1)], I64)
            return self.v("list.get", [tape, cur], dt)
        value = make()
        slot = self.slots.get(dt)
        if slot is None:
            self.b.op("list.append", [tape, value])
            return value
        pos = slot[0] if slot[1] == 0 else self.v("arith.addi", [slot[0], self.i64(slot[1])], I64)
        slot[1] += 1
        self.b.op("list.set", [value, tape, pos])
        return value

    def _list_write(self, op: Operation) -> None:
        """A write into a list with a shadow: the shadow keeps the same length (an append
        also appends a zero, at a position the reverse sweep can find again)."""
        lst = op.operands[1 if op.name == "list.set" else 0]
        shadow = self.env[("s", self.act.root(lst))]
        if op.name == "list.append":
            def position() -> Value:
                return self.v("list.len", [self.p(lst)], I64)
            pos = self.taped_value(I64, position) if self.in_loop else position()
            self.env[("pos", op)] = pos
        if self.replay:
            return
        self.b.block.append(clone_op(op, self.env))
        elem = lst.type.elem  # type: ignore[union-attr]
        if op.name == "list.append":
            self.b.op("list.append", [shadow, rv.zero(self.b, elem)])
        elif op.name == "list.resize":
            self.b.op("list.resize", [shadow, self.p(op.operands[1])])

    def _shadow_view(self, op: Operation) -> None:
        src = self.shadow(op.operands[0])
        if src is None:
            return
        t: ArrayType = op.result.type  # type: ignore[assignment]
        same = src.type.layout == op.operands[0].type.layout  # type: ignore[union-attr]
        if op.name == "array.reshape" and src.type.layout != "C":  # type: ignore[union-attr]
            raise DifferentiationError("reverse mode cannot reshape the adjoint of a non-contiguous "
                                       "array", op.loc)
        rt = ArrayType(t.dtype, t.ndim, t.layout if same else "A")
        self.env[("s", op.result)] = self.v(op.name, [src] + [self.p(x) for x in op.operands[1:]],
                                            rt, **op.attributes)

    def zeros_like(self, a: Value) -> Value:
        """A new C-contiguous array of zeros with the shape of array `a`."""
        t: ArrayType = a.type  # type: ignore[assignment]
        dims = [self.v("array.dim", [a], I64, axis=k) for k in range(t.ndim)]
        z = self.v("array.alloc", dims, ArrayType(t.dtype, t.ndim, "C"))
        self.fill(z, dims, lambda idx: None)
        return z

    def hoisted_zeros(self, r: Value, x: Value) -> Value | None:
        """The shadow of array `r` (replayed as `x`) made in a reverse loop's body: when
        `r` never leaves one iteration (Activity.local_array) and its extents are known
        before the loop, one array allocated before the loop and zeroed here, instead of
        a new array per iteration (malloc / free per step: docs/higher-order.md)."""
        if self.hoist is None or not self.replay or getattr(x, "op", None) is None \
                or x.op.name != "array.alloc" or not self.act.local_array(r):
            return None
        _, outer = self.hoist
        made: dict[Value, Value] = {}
        with self.into(outer):
            dims = [_before_loop(self.b, e, outer, made, 6) for e in x.op.operands]
            if any(d is None for d in dims):
                return None
            z = self.v("array.alloc", dims, x.type)  # type: ignore[arg-type]
        self.fill(z, dims, lambda idx: None)  # type: ignore[arg-type]
        return z

    def fill(self, dst: Value, dims: list[Value], value: Callable[[list[Value]], Value | None]) -> None:
        """dst[idx] = value(idx) (zero when it gives None) over all of `dims`, as loops."""
        zero = rv.zero(self.b, dst.type.dtype)  # type: ignore[union-attr]
        c0, c1 = self.i64(0), self.i64(1)

        def nest(k: int, idx: list[Value]) -> None:
            if k == len(dims):
                x = value(idx)
                self.b.op("array.store", [x if x is not None else zero, dst] + idx)
                return
            body = Block([I64])
            loop = Operation("scf.for", [c0, dims[k], c1], [], regions=[Region([body])])
            self.b.block.append(loop)
            with self.into(body):
                nest(k + 1, idx + [body.args[0]])
                self.b.op("scf.yield")
        nest(0, [])

    def forward_if(self, op: Operation) -> None:
        from ember.autodiff import reverse_branches
        reverse_branches.forward_if(self, op)

    # ---- reverse sweep ------------------------------------------------------------------
    def reverse(self, ops: list[Operation]) -> None:
        for op in reversed(ops):
            if op is ops[-1] and op.name in ("scf.yield", "scf.condition", "func.return"):
                continue
            if self.act.needs_reverse(op):
                with self.b.located(op.loc):
                    self.reverse_op(op)

    def reverse_op(self, op: Operation) -> None:
        from ember.autodiff import reverse_loops
        if op.name == "scf.if":
            self.reverse_if(op)
            return
        if op.name in ("scf.for", "scf.while"):
            reverse_loops.reverse_loop(self, op)
            return
        if op.name in NO_ADJOINT or op.name in CHECKS:
            return
        fn = RULES.get(op.name)
        if fn is None:
            raise DifferentiationError(
                f"reverse mode has no derivative rule for {describe(op)}", op.loc)
        adjs = [self.adj.get(r) for r in op.results]
        if op.results and not self.act.writing_call(op) and all(a is None and not isinstance(r.type, ArrayType)
                              for a, r in zip(adjs, op.results)):
            return
        fn(self, op, adjs)

    def reverse_region(self, ops: list[Operation], seeds: list[tuple[Value, rv.Adj]],
                       spec: list[tuple[Value, rv.Path, ScalarType]],
                       initial: dict[Value, rv.Adj] | None = None) -> list[Value]:
        """Reverse `ops` with a fresh adjoint scope: seed, walk back, return the float
        leaves of the adjoints named by `spec` (zero where none)."""
        saved = self.adj
        self.adj = dict(initial or {})
        try:
            for v, a in seeds:
                self.acc(v, a)
            self.reverse(ops)
            return self.leaf_values(spec, self.adj)
        finally:
            self.adj = saved

    def reverse_if(self, op: Operation) -> None:
        from ember.autodiff import reverse_branches
        reverse_branches.reverse_if(self, op)


# What an extent computed in a loop body may be copied out of it through: ops that cannot
# fail or trap wherever they run (no division: its divisor may be 0 where the body's
# own check would stop it).
_EXTENT_OPS = frozenset({"array.dim", "arith.constant", "arith.addi", "arith.subi", "arith.muli",
                         "arith.select", "arith.cmpi", "arith.andi", "arith.ori"})


def _defined_in(v: Value, block: Block) -> bool:
    owner = v.block if isinstance(v, BlockArgument) else getattr(v, "op", None) and v.op.parent
    return owner is block


def _before_loop(b: Builder, v: Value, outer: Block, made: dict[Value, Value],
                 depth: int) -> Value | None:
    """`v` (an extent computed in the loop body under construction) as a value in
    `outer`: itself when defined there, else a copy of its array.dim / integer arith
    ops appended to `outer` (unused copies are left for dce), else None."""
    if _defined_in(v, outer):
        return v
    if v in made:
        return made[v]
    op = getattr(v, "op", None)
    if op is None or depth == 0 or op.name not in _EXTENT_OPS:
        return None
    ops = [_before_loop(b, x, outer, made, depth - 1) for x in op.operands]
    if any(x is None for x in ops):
        return None
    new = b.block.append(clone_op(op, dict(zip(op.operands, ops))))  # type: ignore[arg-type]
    made[v] = new.results[0]
    return new.results[0]


__all__ = ["Sweep", "RULES", "FACTORS", "rule", "describe"]
