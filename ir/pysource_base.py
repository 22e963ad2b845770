"""The core of the Python-source emitter: names, inlining, blocks and statements.

An `Emitter` turns one FuncOp into an `ast.FunctionDef`. Op emitters (registered in
`EMITTERS` with `@emits`: ir/pysource_ops.py, _containers, _control, _dicts, _wholearray)
either return the expression of the op's single result, which the emitter binds to a name
or inlines into its one user, or append statements themselves with `Emitter.emit`.

Inlining, so the text reads like the source: a scalar constant is written as a literal at
every use (CSE shares one constant between unrelated uses: its name would mislead); an
unnamed pure op with exactly one use in its own block is written into that use (a read of
an array only when nothing is written between), up to MAX_INLINED ops an expression. A
value named after a user variable always gets its own assignment. Inlining never moves a
computation past a write of anything it reads: pure ops read only SSA values, and a Python
name is reassigned only where the coalescing rules (carried_names, prefer_yielded) have
checked that nothing reads it later.
"""
from __future__ import annotations

import ast
import builtins
import keyword
import re
from typing import Callable, Iterable

from ember.ir import pysource_runtime as runtime
from ember.ir.core import Block, FuncOp, Operation, OpResult, Value
from ember.ir.opdefs import is_pure

EmitFn = Callable[["Emitter", Operation], "ast.expr | None"]
EMITTERS: dict[str, EmitFn] = {}

TERMINATORS = ("scf.yield", "scf.condition", "array.yield")
# Pure ops that still must not move: they read memory that a later store may change.
_MEMORY_READS = frozenset({"array.load"})
# Impure ops (for the passes) whose Python form may still move: `dict.parts` is the dict.
_READS_NOTHING = frozenset({"dict.parts"})
# Ops that only group values: never cut by a name for their size.
_STRUCTURAL = frozenset({"tuple.make", "record.make"})
# At most this many ops are written as one expression (a longer one is cut by a name).
MAX_INLINED = 4

# Names the text uses for itself: Python's, and the run-time helpers'.
RESERVED = frozenset(keyword.kwlist) | frozenset(dir(builtins)) | frozenset(runtime.__all__)
_NOT_NAME_CHAR = re.compile(r"[^A-Za-z0-9_]")


def emits(*names: str) -> Callable[[EmitFn], EmitFn]:
    """Register the decorated function as the emitter of the op names."""
    def register(fn: EmitFn) -> EmitFn:
        for n in names:
            EMITTERS[n] = fn
        return fn
    return register


def identifier(hint: str | None) -> str | None:
    """A Python identifier made of a name hint, None for no usable hint."""
    if not hint:
        return None
    cleaned = _NOT_NAME_CHAR.sub("_", hint)
    if cleaned.isdigit():
        return None
    if cleaned[0].isdigit():
        cleaned = "v" + cleaned
    if cleaned in RESERVED:
        cleaned += "_"
    return cleaned


class ModuleNames:
    """The Python names of the module's functions (symbols such as `f__f64` or `g.jvp`)."""

    def __init__(self, symbols: Iterable[str]) -> None:
        self._names: dict[str, str] = {}
        taken: set[str] = set()
        for s in symbols:
            base = identifier(s) or "func"
            name, k = base, 1
            while name in taken:
                name, k = f"{base}_{k}", k + 1
            taken.add(name)
            self._names[s] = name

    def of(self, symbol: str) -> str:
        return self._names[symbol]

    def all(self) -> set[str]:
        return set(self._names.values())


def _uses(func: FuncOp) -> dict[Value, list[Operation]]:
    users: dict[Value, list[Operation]] = {}
    for op in func.walk():
        for v in op.operands:
            users.setdefault(v, []).append(op)
    return users


class Emitter:
    """Emits one function."""

    def __init__(self, func: FuncOp, modnames: ModuleNames) -> None:
        self.func = func
        self.modnames = modnames
        self.names: dict[Value, str] = {}
        self.taken: set[str] = set(RESERVED) | modnames.all()
        self.counter = 0
        self.inline: dict[Value, ast.expr] = {}
        self.users = _uses(func)
        # the nesting, read from the function itself (an op's `parent` may be stale after
        # a pass moved it): op -> its block, block -> the op holding it and which region
        self.block_of: dict[Operation, Block] = {}
        self.owner_of: dict[Block, Operation | None] = {}
        self.region_of: dict[Block, int] = {}
        self._nest(func.body.block, None, 0)
        self.out: list[ast.stmt] = []
        self._inlinable: dict[Operation, bool] = {}
        self.try_state: dict[Operation, list[str]] = {}  # scf.try -> its handlers' state names
        # values that live in a variable chosen by their user (coalescing, see prefer_yielded)
        self.preferred: dict[Value, str] = {}

    def _nest(self, block: Block, owner: Operation | None, region: int) -> None:
        self.owner_of[block] = owner
        self.region_of[block] = region
        for op in block.ops:
            self.block_of[op] = block
            for k, r in enumerate(op.regions):
                for b in r.blocks:
                    self._nest(b, op, k)

    # ---- the function ----------------------------------------------------------------
    def function(self) -> ast.FunctionDef:
        params = [ast.arg(arg=self.define(a)) for a in self.func.args]
        body = self.block(self.func.body.block, None)
        return ast.FunctionDef(
            name=self.modnames.of(self.func.name),
            args=ast.arguments(posonlyargs=[], args=params, vararg=None, kwonlyargs=[],
                               kw_defaults=[], kwarg=None, defaults=[]),
            body=body, decorator_list=[], returns=None, type_comment=None)

    def callee_name(self, symbol: str) -> str:
        return self.modnames.of(symbol)

    # ---- names -------------------------------------------------------------------------
    def define(self, v: Value) -> str:
        """The Python name of `v`, chosen the first time: its hint, `hint_1`, ... or `vN`."""
        if v in self.names:
            return self.names[v]
        if v in self.preferred:
            self.names[v] = self.preferred[v]
            return self.names[v]
        base = identifier(v.name)
        if base is None:
            while f"v{self.counter}" in self.taken:
                self.counter += 1
            name = f"v{self.counter}"
        else:
            name, k = base, 1
            while name in self.taken:
                name, k = f"{base}_{k}", k + 1
        self.taken.add(name)
        self.names[v] = name
        return name

    def fresh(self, base: str) -> str:
        """A new variable name that no value uses (`base`, `base_1`, ...)."""
        name, k = base, 1
        while name in self.taken:
            name, k = f"{base}_{k}", k + 1
        self.taken.add(name)
        return name

    def element_function(self, block: Block, base: str, op: Operation) -> str:
        """Emit `def base(args): ...; return yielded` for an array op's element region (a
        closure: it may read the values around it) and return its name."""
        params = [ast.arg(arg=self.define(a)) for a in block.args]
        fname = self.fresh(base)
        body = self.block(block, lambda y: self.emit(ast.Return(value=self.use(y.operands[0])), y))
        self.emit(ast.FunctionDef(
            name=fname, args=ast.arguments(posonlyargs=[], args=params, vararg=None,
                                           kwonlyargs=[], kw_defaults=[], kwarg=None,
                                           defaults=[]),
            body=body, decorator_list=[], returns=None, type_comment=None), op)
        return fname

    def alias(self, v: Value, name: str) -> None:
        """Let `v` live in an existing variable (a loop result in its carried variable)."""
        self.names[v] = name

    def use(self, v: Value) -> ast.expr:
        """The expression that reads `v`: its inlined expression or its name."""
        e = self.inline.get(v)
        if e is not None:
            return _copy(e)
        return ast.Name(id=self.define(v), ctx=ast.Load())

    def uses(self, values: Iterable[Value]) -> list[ast.expr]:
        return [self.use(v) for v in values]

    # ---- inlining ------------------------------------------------------------------------
    def inlinable(self, op: Operation) -> bool:
        """Is `op`'s single result written into its use rather than bound to a name?"""
        known = self._inlinable.get(op)
        if known is None:
            known = self._decide(op)
            self._inlinable[op] = known
        return known

    def _decide(self, op: Operation) -> bool:
        if op.name in ("arith.constant", "str.constant"):
            return True  # a literal reads best at its use, even where CSE shared it
        if len(op.results) != 1 or identifier(op.results[0].name) is not None:
            return False
        users = self.users.get(op.results[0], [])
        if len(users) != 1 or self.block_of[users[0]] is not self.block_of[op]:
            return False
        if op.name not in _STRUCTURAL and self.expression_size(op) > MAX_INLINED:
            return False  # long enough: a name keeps the line readable
        if op.name == "scf.if":
            return self.is_expression_if(op)
        if op.name in _MEMORY_READS:
            return self._nothing_writes_between(op, self._last_inlined_user(op))
        return (is_pure(op) or op.name in _READS_NOTHING) and op.name in EMITTERS

    def expression_size(self, op: Operation) -> int:
        """How many ops an expression of `op` holds: itself and its inlined operands."""
        size = 1
        for v in op.operands:
            if isinstance(v, OpResult) and v.op.name != "arith.constant" \
                    and self.block_of.get(v.op) is self.block_of[op] \
                    and self._inlinable.get(v.op):
                size += self.expression_size(v.op)
        return size

    def _last_inlined_user(self, op: Operation) -> Operation:
        """Where a read may end up evaluated: follow its single user while that could be
        inlined too (an unnamed pure op of one use in the same block), conservatively."""
        user = self.users[op.results[0]][0]
        while (len(user.results) == 1 and identifier(user.results[0].name) is None
               and (is_pure(user) or user.name == "scf.if")):
            nxt = self.users.get(user.results[0], [])
            if len(nxt) != 1 or self.block_of[nxt[0]] is not self.block_of[user]:
                break
            user = nxt[0]
        return user

    def _nothing_writes_between(self, op: Operation, user: Operation) -> bool:
        """Only pure ops (no stores, calls or regions) run between a read and its use."""
        ops = self.block_of[op].ops
        i, j = ops.index(op), ops.index(user)
        return i < j and all(is_pure(o) for o in ops[i + 1:j])
    def is_expression_if(self, op: Operation) -> bool:
        """An scf.if of one result whose branches compute nothing but inlined values: it is
        written `a if c else b`."""
        if len(op.results) != 1:
            return False
        return all(self.inlinable(o) for r in op.regions for o in r.block.ops[:-1])

    # ---- coalescing: fewer copies between variables ----------------------------------------
    def carried_names(self, args: list[Value], inits: list[Value], loop: Operation) -> list[str]:
        """Names for a loop's carried variables: the init's own variable when the loop is the
        init's only use (`s = 0.0` then `for ...: s = s + x`), else a fresh name."""
        names = []
        for a, v in zip(args, inits):
            # only a value of the loop's own block: one defined outside an enclosing loop
            # would be needed again, unchanged, by the next iteration of that loop
            home = self.block_of.get(v.op) if isinstance(v, OpResult) else getattr(v, "block", None)
            if v in self.names and v not in self.inline and self.users.get(v) == [loop] \
                    and home is self.block_of[loop]:
                self.alias(a, self.names[v])
            names.append(self.define(a))
        return names

    def prefer_yielded(self, term: Operation, targets: list[str],
                       readers: list[Value | None]) -> None:
        """Let a value that `term` (a yield or condition) only passes on live in its target
        variable from the start (`if c: r = x * 2` rather than `t = x * 2; r = t`).

        `readers[i]` is the value whose variable target i also is (a loop's carried value,
        still read in the body) or None: then every read of it must come before the
        yielded value is computed, and the yield itself must not read it."""
        block = self.block_of[term]
        order = {o: k for k, o in enumerate(block.ops)}
        for y, t, reader in zip(term.operands, targets, readers):
            if not t or not isinstance(y, OpResult) or y in self.names or y in self.preferred:
                continue
            op = y.op
            # other uses read the target variable, which holds y from here to the yield
            if self.block_of.get(op) is not block or term.operands.count(y) != 1 \
                    or self.inlinable(op):
                continue
            if op.name in ("scf.for", "scf.while", "scf.try") or (len(op.results) != 1
                                                                 and op.name != "scf.if"):
                continue  # their results already live in their carried variables
            if reader is not None and not self._read_before(reader, op, term, order):
                continue
            self.preferred[y] = t

    def _read_before(self, reader: Value, op: Operation, term: Operation,
                     order: dict[Operation, int]) -> bool:
        for u in self.users.get(reader, []):
            site = self.ancestor_in(self._site(u), order)
            if site is None or site is term or order[site] > order[op]:
                return False
            if site is op and op.regions:
                return False  # its regions assign the target before reads inside them end
        return True

    def ancestor_in(self, op: Operation, order: dict[Operation, int]) -> Operation | None:
        """`op` or the op holding it that is in `order` (one block's ops), None if none is."""
        node: Operation | None = op
        while node is not None and node not in order:
            node = self.owner_of.get(self.block_of[node])
        return node

    def _site(self, op: Operation) -> Operation:
        """Where an op's expression is evaluated: its own statement, or its user's when inlined."""
        while self.inlinable(op) and op.name not in ("arith.constant", "str.constant"):
            op = self.users[op.results[0]][0]
        return op

    # ---- statements ------------------------------------------------------------------------
    def emit(self, stmt: ast.stmt, op: Operation | None) -> None:
        """Append a statement made for `op`; it keeps the op's source line in the attribute
        `ember_line`, which func_to_source prints as a trailing `# line N`."""
        if op is not None and op.loc is not None:
            stmt.ember_line = op.loc.line  # type: ignore[attr-defined]
        self.out.append(stmt)

    def op(self, op: Operation) -> None:
        fn = EMITTERS.get(op.name)
        if fn is None:
            where = f" (line {op.loc.line})" if op.loc is not None else ""
            raise NotImplementedError(
                f"the Python-source emitter has no form for op '{op.name}'{where} "
                f"in function @{self.func.name}")
        expr = fn(self, op)
        if expr is None:
            return
        v = op.results[0]
        if self.inlinable(op):
            self.inline[v] = expr
        else:
            self.emit(ast.Assign(targets=[_store(self.define(v))], value=expr), op)

    def block(self, block: Block, terminator: Callable[[Operation], None] | None,
              pad: bool = True) -> list[ast.stmt]:
        """The statements of a block; its scf terminator goes to `terminator`. An empty
        block gives `pass` (`pad`) or nothing."""
        saved, self.out = self.out, []
        try:
            for op in block.ops:
                if op.name in TERMINATORS and op is block.ops[-1]:
                    if terminator is None:
                        raise NotImplementedError(f"the Python-source emitter met '{op.name}' "
                                                  f"outside the op that handles it")
                    terminator(op)
                else:
                    self.op(op)
            stmts = _reachable(self.out)
            return stmts or ([ast.Pass()] if pad else [])
        finally:
            self.out = saved

    def _origin(self, v: Value, fallback: Operation | None) -> Operation | None:
        """The op whose line an assignment of `v` shows: v's own op when v is used only
        there (CSE shares constants between lines: a shared one shows the user's line)."""
        if isinstance(v, OpResult) and v.op.loc is not None and len(self.users.get(v, [])) == 1:
            return v.op
        return fallback

    def assign(self, targets: list[str], values: list[Value], op: Operation | None,
               own_lines: bool = False) -> None:
        """targets = values, as one parallel assignment where a later value reads an earlier
        target (loop-carried variables), else one line each; `x = x` is dropped. With
        `own_lines`, a line takes the source line of the op that made its value (a loop's
        `s = 0.0` keeps the line of the user's `s = 0.0`)."""
        triples = [(t, self.use(v), v) for t, v in zip(targets, values)]
        pairs = [(t, e) for t, e, _ in triples if not (isinstance(e, ast.Name) and e.id == t)]
        origins = [self._origin(v, op) if own_lines else op for t, e, v in triples
                   if not (isinstance(e, ast.Name) and e.id == t)]
        if not pairs:
            return
        read_later = [_names_read(e) for _, e in pairs]
        sequential = all(pairs[i][0] not in read_later[j]
                         for i in range(len(pairs)) for j in range(i + 1, len(pairs)))
        if sequential:
            for (t, e), origin in zip(pairs, origins):
                self.emit(ast.Assign(targets=[_store(t)], value=e), origin)
            return
        self.emit(ast.Assign(
            targets=[ast.Tuple(elts=[_store(t) for t, _ in pairs], ctx=ast.Store())],
            value=ast.Tuple(elts=[e for _, e in pairs], ctx=ast.Load())), op)


def _reachable(stmts: list[ast.stmt]) -> list[ast.stmt]:
    """The statements up to the first `raise` (IR regions go on to their terminator after a
    cf.raise; Python needs nothing after it)."""
    for k, s in enumerate(stmts):
        if isinstance(s, ast.Raise):
            return stmts[:k + 1]
    return stmts


def _store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store())


def _names_read(e: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(e) if isinstance(n, ast.Name)}


def _copy(e: ast.expr) -> ast.expr:
    import copy
    return copy.deepcopy(e)
