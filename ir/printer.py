"""The IR's one textual form: `print_func` and `print_module`.

The parser (`ir/parser.py`) reads this text back exactly: print -> parse -> print is
the identity. Ops print in the generic form

    [%r1, %r2 = ] name [%operand, ...] [{key = value, ...}] [: T1, T2]

(the types are the result types when the op has results, else the operand types,
printed for terminators and unknown ops only: `cf.assert %q {...}` has none),
except a few ops with custom forms (arith.constant, func.call, scf.if, scf.for,
scf.while, scf.condition). An op whose shape does not fit its custom form (a
malformed op, met while printing an error) prints in the generic form with its name
quoted and its regions spelled out, so that broken IR can still be read and parsed.
"""
from __future__ import annotations

import json
import re
from typing import Callable

from .core import Attribute, Block, FuncOp, Module, Operation, Region, SymbolRef, Value
from .location import Location
from .opdefs import OPS
from .types import I64, Type

__all__ = ["print_func", "print_module", "format_attr", "format_symbol", "Namer"]

INDENT = "  "
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SYMBOL = re.compile(r"[A-Za-z_][A-Za-z0-9_.$]*\Z")
_NOT_NAME_CHAR = re.compile(r"[^A-Za-z0-9_]")


class Namer:
    """Deterministic printed names for the values of one function.

    A hinted value gets its hint the first time, then `hint_1`, `hint_2`, ...,
    skipping names already taken; a value without a (usable) hint gets the next
    number. Numbers and hints never collide, because a purely numeric hint is
    treated as no hint (the parser turns numeric names back into None).
    """

    def __init__(self) -> None:
        self.names: dict[Value, str] = {}
        self.taken: set[str] = set()
        self.next_suffix: dict[str, int] = {}
        self.counter = 0

    def define(self, v: Value) -> str:
        existing = self.names.get(v)
        if existing is not None:
            return existing
        base = _clean_hint(v.name)
        if base is None:
            name = str(self.counter)
            self.counter += 1
        elif base not in self.taken:
            name = base
        else:
            k = self.next_suffix.get(base, 1)
            while f"{base}_{k}" in self.taken:
                k += 1
            self.next_suffix[base] = k + 1
            name = f"{base}_{k}"
        self.taken.add(name)
        self.names[v] = name
        return name

    def __call__(self, v: Value) -> str:
        """`%name` of a used value (named now if it was never defined: malformed IR)."""
        return "%" + self.define(v)


def _clean_hint(hint: str | None) -> str | None:
    if not hint:
        return None
    cleaned = _NOT_NAME_CHAR.sub("_", hint)
    if cleaned.isdigit():
        return None
    return cleaned


def format_symbol(name: str) -> str:
    """`@name`, or `@"..."` for a name the plain form cannot spell."""
    if _SYMBOL.match(name):
        return "@" + name
    return "@" + json.dumps(name)


def format_attr(value: Attribute) -> str:
    """One attribute value in the textual form (floats by repr so they round-trip)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, Type):
        return f"type<{value}>"
    if isinstance(value, SymbolRef):
        return format_symbol(value.name)
    return f"<unprintable {value!r}>"


def _format_attr_dict(attrs: dict[str, Attribute]) -> str:
    items = []
    for k, v in attrs.items():
        key = k if _IDENT.match(k) else json.dumps(k)
        items.append(f"{key} = {format_attr(v)}")
    return "{" + ", ".join(items) + "}"


def _format_loc(loc: Location | None) -> str:
    if loc is None:
        return ""
    return f" loc({json.dumps(loc.file)}:{loc.line}:{loc.col})"


def _types(types: list[Type]) -> str:
    return ", ".join(str(t) for t in types)


class _FuncPrinter:
    def __init__(self, locations: bool) -> None:
        self.locations = locations
        self.namer = Namer()
        self.lines: list[str] = []

    def loc(self, loc: Location | None) -> str:
        return _format_loc(loc) if self.locations else ""

    def emit(self, depth: int, text: str) -> None:
        self.lines.append(INDENT * depth + text)

    def operands(self, vals: list[Value]) -> str:
        return ", ".join(self.namer(v) for v in vals)

    def results_prefix(self, op: Operation) -> str:
        if not op.results:
            return ""
        return ", ".join("%" + self.namer.define(r) for r in op.results) + " = "

    # -- functions ---------------------------------------------------------------
    def func(self, f: FuncOp) -> str:
        block = f.body.blocks[0] if f.body.blocks else None
        args = block.args if block is not None else []
        params = ", ".join(f"%{self.namer.define(a)}: {a.type}" for a in args)
        head = f"func {format_symbol(f.name)}({params}) -> {f.return_type}"
        if f.attributes:
            head += " attributes " + _format_attr_dict(f.attributes)
        self.emit(0, head + self.loc(f.loc) + " {")
        if block is not None:
            self.block_ops(block, 1)
        self.emit(0, "}")
        return "\n".join(self.lines) + "\n"

    def block_ops(self, block: Block, depth: int) -> None:
        for op in block.ops:
            self.op(op, depth)

    # -- ops ---------------------------------------------------------------------
    def op(self, op: Operation, depth: int) -> None:
        custom = _CUSTOM.get(op.name)
        if custom is not None and custom[0](op):
            custom[1](self, op, depth)
        else:
            self.generic(op, depth, quoted=custom is not None)

    def generic(self, op: Operation, depth: int, quoted: bool = False) -> None:
        text = self.results_prefix(op) + (json.dumps(op.name) if quoted else op.name)
        if op.operands:
            text += " " + self.operands(op.operands)
        if op.attributes:
            text += " " + _format_attr_dict(op.attributes)
        if op.results:
            text += " : " + _types([r.type for r in op.results])
        elif op.operands and _shows_operand_types(op.name):
            text += " : " + _types([v.type for v in op.operands])
        if not op.regions:
            self.emit(depth, text + self.loc(op.loc))
            return
        self.emit(depth, text + " (")
        for i, region in enumerate(op.regions):
            self.emit(depth + 1, "{")
            for block in region.blocks:
                args = ", ".join(f"%{self.namer.define(a)}: {a.type}" for a in block.args)
                self.emit(depth + 1, f"^bb({args}):")
                self.block_ops(block, depth + 2)
            self.emit(depth + 1, "}," if i + 1 < len(op.regions) else "}")
        self.emit(depth, ")" + self.loc(op.loc))

    def attrs_suffix(self, op: Operation, skip: str | None = None) -> str:
        rest = {k: v for k, v in op.attributes.items() if k != skip}
        return " " + _format_attr_dict(rest) if rest else ""

    def region_attrs(self, op: Operation) -> str:
        return " attributes " + _format_attr_dict(op.attributes) if op.attributes else ""

    def constant(self, op: Operation, depth: int) -> None:
        text = (self.results_prefix(op) + "arith.constant " + format_attr(op.attributes["value"])
                + self.attrs_suffix(op, "value") + " : " + str(op.results[0].type))
        self.emit(depth, text + self.loc(op.loc))

    def call(self, op: Operation, depth: int) -> None:
        callee = op.attributes["callee"]
        assert isinstance(callee, SymbolRef)
        text = (self.results_prefix(op) + f"func.call {format_symbol(callee.name)}("
                + self.operands(op.operands) + ")" + self.attrs_suffix(op, "callee"))
        if op.results:
            text += " : " + _types([r.type for r in op.results])
        self.emit(depth, text + self.loc(op.loc))

    def condition(self, op: Operation, depth: int) -> None:
        text = f"scf.condition({self.namer(op.operands[0])})"
        rest = op.operands[1:]
        if rest:
            text += " " + self.operands(rest)
        text += self.attrs_suffix(op)
        if rest:
            text += " : " + _types([v.type for v in rest])
        self.emit(depth, text + self.loc(op.loc))

    def scf_if(self, op: Operation, depth: int) -> None:
        text = self.results_prefix(op) + "scf.if " + self.namer(op.operands[0])
        if op.results:
            text += " -> (" + _types([r.type for r in op.results]) + ")"
        self.emit(depth, text + self.region_attrs(op) + " {")
        self.block_ops(op.regions[0].blocks[0], depth + 1)
        self.emit(depth, "} else {")
        self.block_ops(op.regions[1].blocks[0], depth + 1)
        self.emit(depth, "}" + self.loc(op.loc))

    def scf_for(self, op: Operation, depth: int) -> None:
        body = op.regions[0].blocks[0]
        lb, ub, step = (self.namer(v) for v in op.operands[:3])
        results = [r.type for r in op.results]
        text = self.results_prefix(op) + "scf.for " + self.typed_arg(body.args[0], I64)
        text += f" = {lb} to {ub} step {step}"
        inits = op.operands[3:]
        if inits:
            pairs = []
            for i, (arg, init) in enumerate(zip(body.args[1:], inits)):
                expected = results[i] if i < len(results) else None
                pairs.append(f"{self.typed_arg(arg, expected)} = {self.namer(init)}")
            text += " iter_args(" + ", ".join(pairs) + ")"
        if results:
            text += " -> (" + _types(results) + ")"
        self.emit(depth, text + self.region_attrs(op) + " {")
        self.block_ops(body, depth + 1)
        self.emit(depth, "}" + self.loc(op.loc))

    def typed_arg(self, arg: Value, implied: Type | None) -> str:
        """`%a`, or `%a: T` when T is not what the surrounding syntax implies."""
        name = "%" + self.namer.define(arg)
        return name if arg.type == implied else f"{name}: {arg.type}"

    def scf_while(self, op: Operation, depth: int) -> None:
        before, after = op.regions[0].blocks[0], op.regions[1].blocks[0]
        pairs = ", ".join(f"%{self.namer.define(a)} = {self.namer(v)}"
                          for a, v in zip(before.args, op.operands))
        text = (self.results_prefix(op) + f"scf.while ({pairs}) : ("
                + _types([a.type for a in before.args]) + ") -> ("
                + _types([r.type for r in op.results]) + ")")
        self.emit(depth, text + self.region_attrs(op) + " {")
        self.block_ops(before, depth + 1)
        args = ", ".join(f"%{self.namer.define(a)}: {a.type}" for a in after.args)
        self.emit(depth, f"}} do ({args}) {{")
        self.block_ops(after, depth + 1)
        self.emit(depth, "}" + self.loc(op.loc))


def _shows_operand_types(name: str) -> bool:
    """A result-less op lists its operand types only when they say something: for
    terminators (they must match what the region yields) and unknown ops; `cf.assert`
    and `math.check` have fixed operand kinds and print without them."""
    d = OPS.get(name)
    return d is None or d.terminator


def _one_block(region: Region, nargs: int | None = None) -> bool:
    return len(region.blocks) == 1 and (nargs is None or len(region.blocks[0].args) == nargs)


def _fits_constant(op: Operation) -> bool:
    return (not op.operands and len(op.results) == 1 and not op.regions
            and "value" in op.attributes)


def _fits_call(op: Operation) -> bool:
    return isinstance(op.attributes.get("callee"), SymbolRef) and not op.regions


def _fits_condition(op: Operation) -> bool:
    return len(op.operands) >= 1 and not op.results and not op.regions


def _fits_if(op: Operation) -> bool:
    return (len(op.operands) == 1 and len(op.regions) == 2
            and all(_one_block(r, 0) for r in op.regions))


def _fits_for(op: Operation) -> bool:
    return (len(op.operands) >= 3 and len(op.regions) == 1
            and _one_block(op.regions[0], len(op.operands) - 2))


def _fits_while(op: Operation) -> bool:
    return (len(op.regions) == 2 and _one_block(op.regions[0], len(op.operands))
            and _one_block(op.regions[1]))


_CUSTOM: dict[str, tuple[Callable[[Operation], bool], Callable[[_FuncPrinter, Operation, int], None]]] = {
    "arith.constant": (_fits_constant, _FuncPrinter.constant),
    "func.call": (_fits_call, _FuncPrinter.call),
    "scf.condition": (_fits_condition, _FuncPrinter.condition),
    "scf.if": (_fits_if, _FuncPrinter.scf_if),
    "scf.for": (_fits_for, _FuncPrinter.scf_for),
    "scf.while": (_fits_while, _FuncPrinter.scf_while),
}

CUSTOM_FORMS: frozenset[str] = frozenset(_CUSTOM)


def print_func(f: FuncOp, locations: bool = False) -> str:
    """The text of one function (ends with a newline)."""
    return _FuncPrinter(locations).func(f)


def print_module(m: Module, locations: bool = False) -> str:
    """Every function of the module, separated by one blank line."""
    return "\n".join(print_func(f, locations) for f in m)
