"""The IR verifier: structure, dominance, terminators and types.

`verify_func(f, typed)` and `verify_module(m, typed)` raise `IRError(message, op.loc)`
naming the op, the operand index and both types. Untyped IR (frontend output) may
hold `?` and `!` types: there a type matches anything it could still become.
`typed=True` is the contract of type inference's output: only ops in `TYPED`, no
`?`/`!` anywhere, exact type equality, and every OpDef's `check` passes.
"""
from __future__ import annotations

import dataclasses

from .core import Block, FuncOp, Module, Operation, SymbolRef, Value
from .errors import IRError
from .location import Location
from .opdefs import OPS, TYPED, OpDef
from .printer import print_func
from .types import BOOL, I64, NONE, ArrayType, BottomType, Type, UnknownType

__all__ = ["verify_func", "verify_module"]

# Functions printed in an error message are cut when longer than this many lines.
_MAX_PRINTED_LINES = 40

# The terminator each region of a region op must end in, in region order.
_TERMINATORS: dict[str, tuple[str, ...]] = {
    "scf.if": ("scf.yield", "scf.yield"),
    "scf.for": ("scf.yield",),
    "scf.while": ("scf.condition", "scf.yield"),
    "array.map": ("array.yield",),
    "array.assign": ("array.yield",),
    "array.reduce": ("array.yield",),
}


def _element(t: Type) -> Type:
    """What an array.map region sees of an operand: its element, or the scalar itself."""
    return t.dtype if isinstance(t, ArrayType) else t


def verify_module(m: Module, typed: bool) -> None:
    """Verify every function; `func.call` targets are checked against the module."""
    for f in m:
        verify_func(f, typed, module=m)


def verify_func(f: FuncOp, typed: bool, module: Module | None = None) -> None:
    """Verify one function. With `module`, calls to its functions are type-checked."""
    _Verifier(f, typed, module).run()


def _is_unknown(t: Type) -> bool:
    return isinstance(t, (UnknownType, BottomType))


# Types are frozen and compared by value: the answer for one never changes, and the
# verifier asks it for every value of every function (dataclasses.fields is slow).
_UNKNOWN_MEMO: dict[Type, bool] = {}


def _contains_unknown(t: Type) -> bool:
    """`?` or `!` anywhere inside `t` (tuple elements, array dtypes, ...)."""
    try:
        return _UNKNOWN_MEMO[t]
    except KeyError:
        pass
    except TypeError:  # an unhashable field (never in well-formed types): no memo
        return _contains_unknown_walk(t)
    found = _contains_unknown_walk(t)
    if len(_UNKNOWN_MEMO) < 4096:  # bounded: a process compiling endless distinct types
        _UNKNOWN_MEMO[t] = found
    return found


def _contains_unknown_walk(t: Type) -> bool:
    if _is_unknown(t):
        return True
    if dataclasses.is_dataclass(t):
        for fld in dataclasses.fields(t):
            if any(_contains_unknown(x) for x in _types_in(getattr(t, fld.name))):
                return True
    return False


def _types_in(x: object) -> list[Type]:
    if isinstance(x, Type):
        return [x]
    if isinstance(x, (tuple, list)):
        return [t for e in x for t in _types_in(e)]
    return []


def _compatible(a: Type, b: Type) -> bool:
    """Equal, up to `?`/`!` (which stand for any type) at any depth."""
    if a == b or _is_unknown(a) or _is_unknown(b):
        return True
    if type(a) is not type(b) or not dataclasses.is_dataclass(a):
        return False
    for fld in dataclasses.fields(a):
        x, y = getattr(a, fld.name), getattr(b, fld.name)
        if isinstance(x, Type) and isinstance(y, Type):
            if not _compatible(x, y):
                return False
        elif isinstance(x, tuple) and isinstance(y, tuple):
            if len(x) != len(y) or not all(
                _compatible(p, q) if isinstance(p, Type) and isinstance(q, Type) else p == q
                for p, q in zip(x, y)
            ):
                return False
        elif x != y:
            return False
    return True


def _count_ok(spec: int | tuple[int, int | None], n: int) -> bool:
    if isinstance(spec, int):
        return n == spec
    lo, hi = spec
    return n >= lo and (hi is None or n <= hi)


def _spec(spec: int | tuple[int, int | None]) -> str:
    if isinstance(spec, int):
        return str(spec)
    lo, hi = spec
    return f"at least {lo}" if hi is None else f"{lo} to {hi}"


class _Verifier:
    def __init__(self, f: FuncOp, typed: bool, module: Module | None) -> None:
        self.f = f
        self.typed = typed
        self.module = module
        self.visible: set[Value] = set()

    # -- errors ----------------------------------------------------------------------
    def fail(self, message: str, loc: Location | None) -> IRError:
        text = self._func_text()
        where = f"\nin function @{self.f.name}"
        if text is not None:
            where += ":\n" + text.rstrip("\n")
        return IRError(message + where, loc)

    def _func_text(self) -> str | None:
        try:
            text = print_func(self.f)
        except Exception:  # a printer failure must not hide the verifier's message
            return None
        return text if text.count("\n") <= _MAX_PRINTED_LINES else None

    def match(self, actual: Type, expected: Type) -> bool:
        return actual == expected if self.typed else _compatible(actual, expected)

    def check_types(self, who: Operation, actual: list[Type], expected: list[Type],
                    what: str, against: str) -> None:
        """`who`'s operands (types `actual`) must match `expected` (`against` names them)."""
        if len(actual) != len(expected):
            raise self.fail(f"{who.name}: {len(actual)} {what} but {len(expected)} {against}",
                            who.loc)
        for i, (a, e) in enumerate(zip(actual, expected)):
            if not self.match(a, e):
                raise self.fail(f"{who.name}: {what} #{i} has type {a} but {against} #{i} "
                                f"has type {e}", who.loc)

    def check_no_unknown(self, t: Type, what: str, loc: Location | None) -> None:
        if self.typed and _contains_unknown(t):
            raise self.fail(f"{what} has type {t}, which is not allowed in typed IR", loc)

    # -- walk ------------------------------------------------------------------------
    def run(self) -> None:
        f = self.f
        if len(f.body.blocks) != 1:
            raise self.fail(f"function body must have one block, has {len(f.body.blocks)}",
                            f.loc)
        for i, a in enumerate(f.args):
            self.check_no_unknown(a.type, f"argument #{i} of @{f.name}", f.loc)
        self.check_no_unknown(f.return_type, f"return type of @{f.name}", f.loc)
        block = f.body.block
        ret = self.terminator(block, "func.return", f"body of @{f.name}", f.loc)
        self.check_return(ret)
        self.block(block)

    def terminator(self, block: Block, name: str, where: str, loc: Location | None) -> Operation:
        last = block.terminator
        if last is None:
            raise self.fail(f"{where} is empty: it must end in {name}", loc)
        if last.name != name:
            raise self.fail(f"{where} must end in {name}, not {last.name}", last.loc)
        return last

    def check_return(self, ret: Operation) -> None:
        rt = self.f.return_type
        if not ret.operands:
            if rt != NONE and (self.typed or not _is_unknown(rt)):
                raise self.fail(f"func.return: no value but @{self.f.name} returns {rt}", ret.loc)
            return
        if self.typed and rt == NONE:
            raise self.fail(f"func.return: @{self.f.name} returns none, so func.return takes "
                            f"no operand (got one of type {ret.operands[0].type})", ret.loc)
        self.check_types(ret, [v.type for v in ret.operands], [rt], "operand",
                         f"the return type of @{self.f.name}, type")

    def block(self, block: Block) -> None:
        added: list[Value] = []
        for a in block.args:
            self.check_no_unknown(a.type, "block argument", None)
            self.visible.add(a)
            added.append(a)
        last = len(block.ops) - 1
        for i, op in enumerate(block.ops):
            d = OPS.get(op.name)
            if d is not None and d.terminator and i != last:
                raise self.fail(f"{op.name} is a terminator but is not the last op of its block",
                                op.loc)
            self.op(op)
            for r in op.results:
                self.visible.add(r)
                added.append(r)
        self.visible.difference_update(added)

    def op(self, op: Operation) -> None:
        d = OPS.get(op.name)
        if d is None:
            raise self.fail(f"unknown op {op.name!r} (not in the op catalog)", op.loc)
        if self.typed and op.name not in TYPED:
            raise self.fail(f"{op.name} is an untyped op: it must not remain in typed IR", op.loc)
        self.shape(op, d)
        for i, v in enumerate(op.operands):
            if v not in self.visible:
                raise self.fail(f"{op.name}: operand #{i} (%{v.name or '?'}: {v.type}) does not "
                                "dominate this use (it is defined later, in a sibling or nested "
                                "region, or in another function)", op.loc)
        for r in op.results:
            self.check_no_unknown(r.type, f"{op.name} result #{r.index}", op.loc)
        if op.name in _TERMINATORS:
            self.structured(op)
        elif op.name == "func.call":
            self.call(op)
        if self.typed and d.check is not None:
            msg = d.check(op)
            if msg is not None:
                raise self.fail(msg if op.name in msg else f"{op.name}: {msg}", op.loc)
        for region in op.regions:
            self.block(region.block)

    def shape(self, op: Operation, d: OpDef) -> None:
        counts = (("operands", d.operands, len(op.operands)),
                  ("results", d.results, len(op.results)),
                  ("regions", d.regions, len(op.regions)))
        for what, spec, n in counts:
            if not _count_ok(spec, n):
                raise self.fail(f"{op.name} takes {_spec(spec)} {what}, has {n}", op.loc)
        for a in d.attrs:
            if a not in op.attributes:
                raise self.fail(f"{op.name} is missing its attribute {a!r}", op.loc)
        for i, region in enumerate(op.regions):
            if len(region.blocks) != 1:
                raise self.fail(f"{op.name}: region #{i} must have one block, has "
                                f"{len(region.blocks)}", op.loc)

    # -- structured control flow -------------------------------------------------------
    def structured(self, op: Operation) -> None:
        terms = [self.terminator(r.block, name, f"region #{i} of {op.name}", op.loc)
                 for i, (r, name) in enumerate(zip(op.regions, _TERMINATORS[op.name]))]
        results = [r.type for r in op.results]
        if op.name == "scf.if":
            if not self.match(op.operands[0].type, BOOL):
                raise self.fail(f"scf.if: operand #0 (the condition) has type "
                                f"{op.operands[0].type} but must be bool", op.loc)
            for t in terms:
                self.check_types(t, [v.type for v in t.operands], results, "operand",
                                 "scf.if result")
        elif op.name == "scf.for":
            self.scf_for(op, terms[0], results)
        elif op.name == "scf.while":
            self.scf_while(op, terms[0], terms[1], results)
        else:
            self.array_region(op, terms[0])

    def array_region(self, op: Operation, yld: Operation) -> None:
        """array.map / array.assign: one block argument per (element of an) operand;
        array.reduce: (accumulator, element)."""
        body = op.regions[0].block
        if op.name == "array.reduce":
            expected = [op.operands[1].type, _element(op.operands[0].type)]
            self.check_types(yld, [v.type for v in yld.operands], [op.operands[1].type],
                             "operand", "array.reduce accumulator")
        else:
            operands = op.operands[1:] if op.name == "array.assign" else op.operands
            expected = [_element(v.type) for v in operands]
        self.check_types(op, [a.type for a in body.args], expected, "region argument",
                         "element of its operand")

    def scf_for(self, op: Operation, yld: Operation, results: list[Type]) -> None:
        for i, v in enumerate(op.operands[:3]):
            if not self.match(v.type, I64):
                raise self.fail(f"scf.for: operand #{i} (a bound) has type {v.type} but must "
                                "be i64", op.loc)
        body = op.regions[0].block
        inits = [v.type for v in op.operands[3:]]
        if not body.args:
            raise self.fail("scf.for: body has no induction variable argument", op.loc)
        if not self.match(body.args[0].type, I64):
            raise self.fail(f"scf.for: induction variable has type {body.args[0].type} but "
                            "must be i64", op.loc)
        carried = [a.type for a in body.args[1:]]
        self.check_types(op, inits, results, "iter_arg init", "result")
        self.check_types(op, carried, inits, "carried body argument", "iter_arg init")
        self.check_types(yld, [v.type for v in yld.operands], results, "operand",
                         "scf.for result")

    def scf_while(self, op: Operation, cond: Operation, yld: Operation,
                  results: list[Type]) -> None:
        before, after = op.regions[0].block, op.regions[1].block
        inits = [v.type for v in op.operands]
        self.check_types(op, [a.type for a in before.args], inits,
                         "before-region argument", "init operand")
        if not self.match(cond.operands[0].type, BOOL):
            raise self.fail(f"scf.condition: operand #0 (the condition) has type "
                            f"{cond.operands[0].type} but must be bool", cond.loc)
        self.check_types(cond, [v.type for v in cond.operands[1:]], results,
                         "forwarded value", "scf.while result")
        self.check_types(op, [a.type for a in after.args], results,
                         "after-region argument", "result (forwarded value)")
        self.check_types(yld, [v.type for v in yld.operands], inits, "operand",
                         "scf.while carried value")

    def call(self, op: Operation) -> None:
        callee = op.attributes.get("callee")
        if not isinstance(callee, SymbolRef):
            raise self.fail(f"func.call: attribute callee must be a @symbol, got {callee!r}",
                            op.loc)
        if self.module is None:
            return
        target = self.module.funcs.get(callee.name)
        if target is None:
            if self.typed:
                raise self.fail(f"func.call: callee @{callee.name} is not in the module",
                                op.loc)
            return
        self.check_types(op, [v.type for v in op.operands], target.arg_types,
                         "argument", f"parameter of @{callee.name}, parameter")
        rt = target.return_type
        expected = [] if rt == NONE else [rt]
        if not self.typed and _is_unknown(rt) and not op.results:
            expected = []
        self.check_types(op, [r.type for r in op.results], expected, "result",
                         f"return type of @{callee.name}, result")

