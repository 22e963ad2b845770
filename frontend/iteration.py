"""Iteration forms: what a `for` loop or a generator expression iterates over, and the
builtins that consume a generator expression (sum, min, max, any, all, tuple).

Every iterable is a `Source`: a length, evaluated once before the loop, and an
`element(k)` that gives the k-th item inside the body. A loop over a source is then
`for k in range(length): target = element(k)`, so break / continue / return / else
reuse control.py's lowering of a for-range. The sources:

- `range(a, b, c)`: length `-((a - b) // c)` (negative means empty, which a 0..n loop
  treats as no iteration), element `a + k * c`;
- an array or a tuple `x`: `py.len(x)`, `py.getitem(x, k)` (type inference indexes a
  homogeneous tuple with a run-time k);
- `np.ndindex(...)`, `enumerate(x, start)`, `zip(x, y, ...)` (the shortest length, as
  Python), `reversed(range or sequence)`.

enumerate and zip elements are trees (lists) so that `for i, (a, b) in enumerate(zip(x, y))`
binds names without building the tuples; a single name target gets the tuple.

Generator expressions are loops carrying the reduction's state (no Python generator
exists at run time). any/all stop at the first decisive element, as Python does: they
are `scf.while` loops whose condition tests the flag.
"""
from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass
from typing import Callable

from ember.ir.core import Block, OpResult, Region, Value
from ember.ir.types import BOOL, I64, UNKNOWN

from .statements import StatementsMixin, Tree

Element = Callable[[Value], Tree]
MAX_UNROLL = 256  # tuple(genexpr) elements built at compile time
_REJECTED_ITERATORS = (iter, map, filter)


@dataclass
class Source:
    length: Value
    element: Element
    # a plain range: a loop without early exit can run its own bounds directly
    range_parts: tuple[Value, Value, Value] | None = None
    # reversed() accepts ranges and sequences, not enumerate/zip objects
    reversible: bool = True


def _const(v: Value) -> object:
    if isinstance(v, OpResult) and v.op.name == "arith.constant":
        return v.op.attributes.get("value")
    return None


class IterationMixin(StatementsMixin):

    # ---- sources ---------------------------------------------------------------------
    def iter_source(self, node: ast.expr) -> Source:
        """The source of an iterable expression (its parts evaluated now, at `node`)."""
        ref = self.static_object(node.func) if isinstance(node, ast.Call) else None
        if ref is None:
            seq = self.dict_keys_source(node) or self.expr(node)
            with self.located(node):
                return Source(self.op1("py.len", [seq]), lambda k: self.op1("py.getitem", [seq, k]))
        obj, spelled = ref
        assert isinstance(node, ast.Call)
        for a in node.args:
            if isinstance(a, ast.Starred) and not self.is_ndindex(node):
                self.unsupported(a)
        with self.located(node):
            if obj is builtins.range:
                return self.range_source(node)
            if self.is_ndindex(node):
                shape = self.ndindex_shape(node)
                return Source(self.op1("py.ndindex_size", [shape]),
                              lambda k: self.op1("py.ndindex_get", [shape, k]), reversible=False)
            if obj is enumerate:
                return self.enumerate_source(node)
            if obj is zip:
                return self.zip_source(node)
            if obj is reversed:
                return self.reversed_source(node)
            if obj in _REJECTED_ITERATORS:
                raise self.error(f"iterating over {spelled}() is not supported by ember: use "
                                 "range, enumerate, zip, reversed, an array or a tuple", node)
        seq = self.expr(node)
        with self.located(node):
            return Source(self.op1("py.len", [seq]), lambda k: self.op1("py.getitem", [seq, k]))

    def range_source(self, node: ast.Call) -> Source:
        if node.keywords or not 1 <= len(node.args) <= 3:
            raise self.type_error("range() takes 1 to 3 positional arguments", node)
        args = [self.expr(a) for a in node.args]
        if len(args) == 1:
            args = [self.const(0, I64), args[0]]
        if len(args) == 2:
            args.append(self.const(1, I64))
        a, b, c = args
        step = _const(c)
        if step == 1:
            length = b if _const(a) == 0 else self.op1("py.sub", [b, a])
        else:
            if not (isinstance(step, int) and step != 0):
                nonzero = self.truth(self.op1("py.ne", [c, self.const(0, I64)]))
                self.b.op("cf.assert", [nonzero], attributes={
                    "exc": "ValueError", "msg": "range() arg 3 must not be zero"})
            q = self.op1("py.floordiv", [self.op1("py.sub", [a, b]), c])
            length = self.op1("py.neg", [q])

        def element(k: Value) -> Value:
            if _const(a) == 0 and step == 1:
                return k
            off = k if step == 1 else self.op1("py.mul", [k, c])
            return self.op1("py.add", [a, off])
        return Source(length, element, (a, b, c))

    def enumerate_source(self, node: ast.Call) -> Source:
        args = list(node.args)
        for kw in node.keywords:
            if kw.arg != "start":
                raise self.type_error(f"enumerate() got an unexpected keyword argument {kw.arg!r}", kw)
            args.append(kw.value)
        if not 1 <= len(args) <= 2:
            raise self.type_error("enumerate() takes an iterable and an optional start", node)
        inner = self.iter_source(args[0])
        start = self.expr(args[1]) if len(args) == 2 else None

        def element(k: Value) -> Tree:
            count = k if start is None or _const(start) == 0 else self.op1("py.add", [start, k])
            return [count, inner.element(k)]
        return Source(inner.length, element, reversible=False)

    def zip_source(self, node: ast.Call) -> Source:
        if node.keywords:
            raise self.error("keyword arguments to zip() (strict=) are not supported by ember",
                             node.keywords[0])
        if not node.args:
            raise self.error("zip() needs at least one iterable in ember", node)
        inner = [self.iter_source(a) for a in node.args]
        length = inner[0].length
        if len(inner) > 1:
            length = self.op1("py.min", [s.length for s in inner])
        return Source(length, lambda k: [s.element(k) for s in inner], reversible=False)

    def reversed_source(self, node: ast.Call) -> Source:
        if node.keywords or len(node.args) != 1:
            raise self.type_error("reversed() takes exactly one argument", node)
        inner = self.iter_source(node.args[0])
        if not inner.reversible:
            raise self.type_error(f"{ast.unparse(node.args[0])!r} is not reversible (Python: "
                                  "'enumerate'/'zip' object is not reversible)", node)
        last = self.op1("py.sub", [inner.length, self.const(1, I64)])
        return Source(inner.length,
                      lambda k: inner.element(self.op1("py.sub", [last, k])))

    # ---- binding a loop target ---------------------------------------------------------
    def bind_element(self, target: ast.expr, tree: Tree) -> None:
        with self.located(target):
            self.assign(target, tree)

    # ---- generator expressions ------------------------------------------------------------
    def comprehension_of(self, arg: ast.expr) -> tuple[ast.expr, list[ast.comprehension]]:
        """(element, generators) of a generator expression or list comprehension argument,
        or of a plain iterable (`sum(x)` is `sum(v for v in x)`)."""
        if isinstance(arg, (ast.GeneratorExp, ast.ListComp)):
            for g in arg.generators:
                if g.is_async:
                    self.unsupported(g)  # type: ignore[arg-type]
            return arg.elt, arg.generators
        name = ast.copy_location(ast.Name("@item", ast.Store()), arg)
        gen = ast.comprehension(target=name, iter=arg, ifs=[], is_async=0)
        return ast.copy_location(ast.Name("@item", ast.Load()), arg), [gen]

    def reduce_call(self, obj: object, spelled: str, node: ast.Call) -> Value:
        """sum / min / max / any / all of one iterable (a generator expression included)."""
        kws = {k.arg: k.value for k in node.keywords}
        allowed = {"start"} if obj is sum else set()
        bad = [k for k in node.keywords if k.arg not in allowed]
        if bad:
            raise self.error(f"keyword argument {bad[0].arg!r} of {spelled}() is not supported "
                             "by ember", bad[0])
        extra = node.args[1:] + ([kws["start"]] if "start" in kws else [])
        if not node.args or len(extra) > (1 if obj is sum else 0):
            raise self.type_error(f"{spelled}() takes one iterable"
                                  + (" and an optional start" if obj is sum else ""), node)
        elt, gens = self.comprehension_of(node.args[0])
        if obj is sum:
            init = self.expr(extra[0]) if extra else self.const(0, I64)
            (acc,) = self.comp_loop(elt, gens, [init], ["acc"],
                                    lambda st, v: [self.op1("py.add", [st[0], v])], None)
            return acc
        if obj in (any, all):
            stop_on = obj is any  # any stops at the first true element, all at the first false
            init = self.const(not stop_on, BOOL)
            (flag,) = self.comp_loop(
                elt, gens, [init], ["found" if stop_on else "ok"],
                lambda st, v: [self.truth(v)],
                (lambda st: st[0]) if stop_on else (lambda st: self.op1("py.not", [st[0]], BOOL)))
            return flag
        name = "min" if obj is min else "max"

        def step(st: list[Value], v: Value) -> list[Value]:
            best = self.if_value(self.truth(st[1]), lambda: self.op1("py." + name, [st[0], v]),
                                 lambda: v)
            return [best, self.const(True, BOOL)]
        best, seen = self.comp_loop(elt, gens, [self.undef("best"), self.const(False, BOOL)],
                                    ["best", "seen"], step, None)
        self.b.op("cf.assert", [self.truth(seen)], attributes={
            "exc": "ValueError", "msg": f"{name}() arg is an empty sequence"})
        return best

    def tuple_call(self, node: ast.Call) -> Value:
        """tuple(genexpr) over a range with constant bounds or a tuple literal: the elements
        are built at compile time (the length must be known to type the tuple)."""
        if node.keywords or len(node.args) != 1:
            raise self.type_error("tuple() takes exactly one argument", node)
        arg = node.args[0]
        if isinstance(arg, ast.Tuple):
            return self.expr(arg)
        if not isinstance(arg, (ast.GeneratorExp, ast.ListComp)) or len(arg.generators) != 1 \
                or arg.generators[0].ifs:
            raise self.error("tuple() needs a length known at compile time: ember supports "
                             "tuple(expr for v in range(constants)) and tuple(expr for v in "
                             "(a, b, ...))", node)
        gen = arg.generators[0]
        it = gen.iter
        if isinstance(it, ast.Tuple):
            values: list = [self.expr(e) for e in it.elts]
        else:
            ref = self.static_object(it.func) if isinstance(it, ast.Call) else None
            r = None
            if ref is not None and ref[0] is builtins.range and not it.keywords \
                    and 1 <= len(it.args) <= 3:  # type: ignore[union-attr]
                with self.located(it):
                    consts = [_const(self.expr(a)) for a in it.args]  # type: ignore[union-attr]
                if all(isinstance(c, int) and not isinstance(c, bool) for c in consts) \
                        and consts[-1] != 0:
                    r = range(*consts)  # type: ignore[arg-type]
            if r is None:
                raise self.error("tuple() of a generator needs a length known at compile time: "
                                 "iterate over range() with constant bounds or a tuple literal", it)
            if len(r) > MAX_UNROLL:
                raise self.error(f"tuple() of {len(r)} elements: ember builds at most "
                                 f"{MAX_UNROLL} at compile time", it)
            with self.located(it):
                values = [self.const(i, I64) for i in r]
        elems = []
        with self.comprehension_scope(gen.target):
            for v in values:
                self.bind_element(gen.target, v)
                elems.append(self.expr(arg.elt))
        return self.tuple_make(elems)

    # ---- the loops of a comprehension --------------------------------------------------------
    def comprehension_scope(self, target: ast.expr):
        """The comprehension's variables are its own (Python 3 scoping): visible while its
        loops are built, then the enclosing bindings come back."""
        mixin = self

        class Scope:
            def __enter__(self) -> None:
                names: dict[str, None] = {}
                _target_names(target, names)
                self.saved_locals = set(mixin.locals)
                self.saved_env = {n: mixin.env.get(n) for n in names}
                mixin.locals |= set(names)

            def __exit__(self, *exc: object) -> None:
                mixin.locals = self.saved_locals
                for n, v in self.saved_env.items():
                    if v is None:
                        mixin.env.pop(n, None)
                    else:
                        mixin.env[n] = v
        return Scope()

    def comp_loop(self, elt: ast.expr, gens: list[ast.comprehension], inits: list[Value],
                  hints: list[str], step: Callable[[list[Value], Value], list[Value]],
                  stop: Callable[[list[Value]], Value] | None) -> list[Value]:
        """Nested loops over `gens` carrying the state `inits`; at the innermost level (the
        `if`s all true) the state becomes `step(state, element)`. With `stop`, every loop
        is an scf.while that ends once `stop(state)` is true."""
        gen, rest = gens[0], gens[1:]
        with self.located(gen.iter):
            src = self.iter_source(gen.iter)

        def inner(state: list[Value]) -> list[Value]:
            def visit() -> list[Value]:
                if rest:
                    return self.comp_loop(elt, rest, state, hints, step, stop)
                return step(state, self.expr(elt))
            return self.filtered(gen.ifs, visit, state)

        with self.comprehension_scope(gen.target):
            if stop is None:
                return self._comp_for(gen, src, inits, hints, inner)
            return self._comp_while(gen, src, inits, hints, inner, stop)

    def filtered(self, ifs: list[ast.expr], visit: Callable[[], list[Value]],
                 state: list[Value]) -> list[Value]:
        if not ifs:
            return visit()
        cond = self.truth(self.expr(ifs[0]))
        return self.build_if(cond, lambda: self.filtered(ifs[1:], visit, state),
                             lambda: list(state), [])

    def _comp_for(self, gen: ast.comprehension, src: Source, inits: list[Value],
                  hints: list[str], inner) -> list[Value]:
        direct = src.range_parts is not None and isinstance(gen.target, ast.Name)
        if direct:
            lb, ub, stp = src.range_parts  # type: ignore[misc]
        else:
            lb, ub, stp = self.const(0, I64), src.length, self.const(1, I64)
        iv_name = gen.target.id if direct else "k"  # type: ignore[union-attr]
        block = Block([I64] + [UNKNOWN] * len(inits), [iv_name] + hints)
        with self.b.at(block):
            if direct:
                self.bind(gen.target.id, block.args[0])  # type: ignore[union-attr]
            else:
                self.bind_element(gen.target, src.element(block.args[0]))
            out = inner(list(block.args[1:]))
            self.b.op("scf.yield", out)
        op = self.b.op("scf.for", [lb, ub, stp, *inits], [UNKNOWN] * len(inits),
                       regions=[Region([block])], names=hints)
        return list(op.results)

    def _comp_while(self, gen: ast.comprehension, src: Source, inits: list[Value],
                    hints: list[str], inner, stop) -> list[Value]:
        types = [I64] + [UNKNOWN] * len(inits)
        names = ["k"] + hints
        before, after = Block(types, names), Block(types, names)
        with self.b.at(before):
            k, state = before.args[0], list(before.args[1:])
            go = self.op1("py.not", [stop(state)], BOOL)
            cond = self.if_value(go, lambda: self.truth(self.op1("py.lt", [k, src.length])),
                                 lambda: self.const(False, BOOL))
            self.b.op("scf.condition", [cond, *before.args])
        with self.b.at(after):
            k = after.args[0]
            self.bind_element(gen.target, src.element(k))
            out = inner(list(after.args[1:]))
            k1 = self.op1("py.add", [k, self.const(1, I64)])
            self.b.op("scf.yield", [k1, *out])
        op = self.b.op("scf.while", [self.const(0, I64), *inits], types,
                       regions=[Region([before]), Region([after])], names=names)
        return list(op.results[1:])


def _target_names(target: ast.expr, out: dict[str, None]) -> None:
    if isinstance(target, ast.Name):
        out.setdefault(target.id, None)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for e in target.elts:
            _target_names(e, out)
