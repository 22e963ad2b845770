"""Read the IR's textual form (see `ir/printer.py`) back into `FuncOp`s and `Module`s.

`parse_func(text)` and `parse_module(text)`; print -> parse -> print is the identity.
Value names are scoped like dominance: a value is visible after its definition in
its block and in the regions nested below, so a use from a sibling region is a
parse error. Every error is an `IRError` whose message starts with the line number.
"""
from __future__ import annotations

import json
import re
from typing import Callable, TypeVar

from .core import Attribute, Block, FuncOp, Module, Operation, Region, SymbolRef, Value
from .errors import IRError
from .location import Location
from .printer import CUSTOM_FORMS
from .types import I64, Type, _parse_type_prefix

__all__ = ["parse_func", "parse_module"]

_T = TypeVar("_T")

_VALUE = re.compile(r"%([A-Za-z0-9_.$]+)")
_BARE_SYMBOL = re.compile(r"@([A-Za-z_][A-Za-z0-9_.$]*)")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_NUMBER = re.compile(r"-?(?:inf|nan|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)(?![A-Za-z0-9_.])")
_INT = re.compile(r"-?\d+\Z")
_INT_PREFIX = re.compile(r"-?\d+")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.scopes: list[dict[str, Value]] = []
        self.defined: set[str] = set()

    # -- low level -----------------------------------------------------------------
    def line(self) -> int:
        return self.text.count("\n", 0, self.pos) + 1

    def error(self, message: str, at: int | None = None) -> IRError:
        """An IRError at the line of `at` (default: the current position)."""
        if at is not None:
            saved, self.pos = self.pos, at
            try:
                return self.error(message)
            finally:
                self.pos = saved
        start = self.text.rfind("\n", 0, self.pos) + 1
        end = self.text.find("\n", self.pos)
        src = self.text[start:end if end >= 0 else len(self.text)]
        return IRError(f"line {self.line()}: {message}\n    {src.strip()}")

    def ws(self) -> None:
        """Skip spaces and tabs (newlines end ops, so they are significant)."""
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r":
            self.pos += 1

    def blank(self) -> None:
        """Skip whitespace including newlines, and `//` comment lines."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
                self.pos += 1
            if self.text.startswith("//", self.pos):
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
                continue
            return

    def peek(self, s: str) -> bool:
        self.ws()
        return self.text.startswith(s, self.pos)

    def accept(self, s: str) -> bool:
        if self.peek(s):
            self.pos += len(s)
            return True
        return False

    def expect(self, s: str) -> None:
        if not self.accept(s):
            self.ws()
            found = self.text[self.pos:self.pos + 12].split("\n")[0] or "end of line"
            raise self.error(f"expected {s!r}, found {found!r}")

    def match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        self.ws()
        m = pattern.match(self.text, self.pos)
        if m:
            self.pos = m.end()
        return m

    def keyword(self, word: str) -> bool:
        """Accept `word` only as a whole word."""
        self.ws()
        m = _IDENT.match(self.text, self.pos)
        if m and m.group(0) == word:
            self.pos = m.end()
            return True
        return False

    def end_of_line(self) -> None:
        self.ws()
        if self.pos < len(self.text) and self.text[self.pos] != "\n":
            raise self.error(f"unexpected {self.text[self.pos:].split(chr(10))[0]!r}")
        if self.pos < len(self.text):
            self.pos += 1

    # -- pieces --------------------------------------------------------------------
    def type(self) -> Type:
        self.ws()
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        chunk = self.text[self.pos:end]
        try:
            t, rest = _parse_type_prefix(chunk)
        except ValueError as e:
            raise self.error(f"bad type: {e}") from None
        self.pos += len(chunk) - len(rest)
        return t

    def comma_list(self, item: Callable[[], _T]) -> list[_T]:
        """`item (, item)*`."""
        items = [item()]
        while self.accept(","):
            items.append(item())
        return items

    def paren_list(self, item: Callable[[], _T]) -> list[_T]:
        """`( [item (, item)*] )`."""
        self.expect("(")
        if self.accept(")"):
            return []
        items = self.comma_list(item)
        self.expect(")")
        return items

    def type_list(self) -> list[Type]:
        return self.comma_list(self.type)

    def paren_types(self) -> list[Type]:
        return self.paren_list(self.type)

    def value_name(self) -> str:
        m = self.match(_VALUE)
        if not m:
            raise self.error("expected a %value")
        return m.group(1)

    def use(self) -> Value:
        name = self.value_name()
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        raise self.error(f"use of undefined value %{name}")

    def maybe_uses(self) -> list[Value]:
        return self.comma_list(self.use) if self.peek("%") else []

    def define(self, name: str, value: Value, at: int | None = None) -> None:
        if name in self.defined:
            raise self.error(f"value %{name} is defined twice", at)
        self.defined.add(name)
        self.scopes[-1][name] = value

    def symbol(self) -> str:
        self.ws()
        if self.text.startswith('@"', self.pos):
            self.pos += 1
            return self.string()
        m = self.match(_BARE_SYMBOL)
        if not m:
            raise self.error("expected a @symbol")
        return m.group(1)

    def string(self) -> str:
        m = self.match(_STRING)
        if not m:
            raise self.error("expected a string")
        return json.loads(m.group(0))

    def attr_value(self) -> Attribute:
        self.ws()
        if self.peek('"'):
            return self.string()
        if self.peek("@"):
            return SymbolRef(self.symbol())
        if self.accept("type<"):
            t = self.type()
            self.expect(">")
            return t
        if self.keyword("true"):
            return True
        if self.keyword("false"):
            return False
        m = self.match(_NUMBER)
        if not m:
            raise self.error("expected an attribute value")
        text = m.group(0)
        return int(text) if _INT.match(text) else float(text)

    def attr_dict(self) -> dict[str, Attribute]:
        self.expect("{")
        attrs: dict[str, Attribute] = {}
        if self.accept("}"):
            return attrs
        while True:
            key = self.string() if self.peek('"') else self.ident("an attribute name")
            self.expect("=")
            attrs[key] = self.attr_value()
            if self.accept("}"):
                return attrs
            self.expect(",")

    def ident(self, what: str) -> str:
        m = self.match(_IDENT)
        if not m:
            raise self.error(f"expected {what}")
        return m.group(0)

    def maybe_loc(self) -> Location | None:
        if not self.accept("loc("):
            return None
        file = self.string()
        self.expect(":")
        line = self.int()
        self.expect(":")
        col = self.int()
        self.expect(")")
        return Location(file, line, col)

    def int(self) -> int:
        m = self.match(_INT_PREFIX)
        if not m:
            raise self.error("expected an integer")
        return int(m.group(0))

    def arg_decl(self) -> tuple[str, Type]:
        name = self.value_name()
        self.expect(":")
        return name, self.type()

    def arg_decls(self) -> list[tuple[str, Type]]:
        """`(%a: T, ...)`."""
        return self.paren_list(self.arg_decl)

    # -- functions and blocks --------------------------------------------------------
    def module(self) -> Module:
        m = Module()
        self.blank()
        while self.pos < len(self.text):
            line = self.line()
            f = self.func()
            if f.name in m.funcs:
                raise IRError(f"line {line}: duplicate function @{f.name}")
            m.add(f)
            self.blank()
        return m

    def func(self) -> FuncOp:
        self.blank()
        if not self.keyword("func"):
            raise self.error("expected 'func'")
        name = self.symbol()
        decls = self.arg_decls()
        self.expect("->")
        ret = self.type()
        attrs = self.attr_dict() if self.keyword("attributes") else None
        loc = self.maybe_loc()
        self.expect("{")
        self.end_of_line()
        f = FuncOp(name, [t for _, t in decls], ret, [_hint(n) for n, _ in decls], loc, attrs)
        self.defined = set()
        self.scopes = [{}]
        for (n, _), a in zip(decls, f.args):
            self.define(n, a)
        self.block_body(f.body.block)
        self.scopes.pop()
        self.expect("}")
        return f

    def new_block(self, decls: list[tuple[str, Type]]) -> Block:
        """A block with these args, its scope pushed (pop it after its body)."""
        block = Block([t for _, t in decls], [_hint(n) for n, _ in decls])
        self.scopes.append({})
        for (n, _), a in zip(decls, block.args):
            self.define(n, a)
        return block

    def block_body(self, block: Block) -> None:
        """Ops up to (not including) the closing `}` or `^bb` of the block."""
        while True:
            self.blank()
            if self.pos >= len(self.text):
                raise self.error("unexpected end of text: missing '}'")
            if self.text[self.pos] in "}^":
                return
            block.append(self.op())

    def region_body(self, decls: list[tuple[str, Type]]) -> Region:
        block = self.new_block(decls)
        self.block_body(block)
        self.scopes.pop()
        return Region([block])

    # -- ops -------------------------------------------------------------------------
    def op(self) -> Operation:
        start = self.pos
        names: list[str] = []
        if self.peek("%"):
            names = self.comma_list(self.value_name)
            self.expect("=")
        self.ws()
        if self.peek('"'):
            op = self.generic(self.string(), len(names))
        else:
            name = self.ident("an op name")
            if name in CUSTOM_FORMS:
                op = getattr(self, "op_" + name.replace(".", "_"))(len(names))
            else:
                op = self.generic(name, len(names))
        if len(op.results) != len(names):
            raise self.error(f"{op.name} has {len(op.results)} results but {len(names)} names",
                             start)
        for n, r in zip(names, op.results):
            r.name = _hint(n)
            self.define(n, r, start)
        return op

    def finish(self, name: str, operands: list[Value], result_types: list[Type],
               attrs: dict[str, Attribute] | None, regions: list[Region] | None = None) -> Operation:
        loc = self.maybe_loc()
        self.end_of_line()
        return Operation(name, operands, result_types, attrs, regions, loc)

    def generic(self, name: str, nresults: int) -> Operation:
        operands = self.maybe_uses()
        attrs = self.attr_dict() if self.peek("{") else None
        types: list[Type] = self.type_list() if self.accept(":") else []
        result_types: list[Type] = []
        if nresults:
            result_types = types
        elif types and [v.type for v in operands] != types:
            raise self.error(f"{name}: operand types {', '.join(str(v.type) for v in operands)}"
                             f" do not match the listed {', '.join(str(t) for t in types)}")
        regions = self.generic_regions() if self.accept("(") else None
        return self.finish(name, operands, result_types, attrs, regions)

    def generic_regions(self) -> list[Region]:
        regions: list[Region] = []
        self.end_of_line()
        self.blank()
        while self.accept("{"):
            region = Region()
            self.end_of_line()
            self.blank()
            while self.accept("^bb"):
                decls = self.arg_decls() if self.peek("(") else []
                self.expect(":")
                self.end_of_line()
                block = self.new_block(decls)
                self.block_body(block)
                self.scopes.pop()
                region.add_block(block)
                self.blank()
            self.expect("}")
            regions.append(region)
            if not self.accept(","):
                break
            self.end_of_line()
            self.blank()
        self.blank()
        self.expect(")")
        return regions

    def op_arith_constant(self, nresults: int) -> Operation:
        attrs = {"value": self.attr_value()}
        if self.peek("{"):
            attrs.update(self.attr_dict())
        self.expect(":")
        return self.finish("arith.constant", [], [self.type()], attrs)

    def op_func_call(self, nresults: int) -> Operation:
        attrs: dict[str, Attribute] = {"callee": SymbolRef(self.symbol())}
        self.expect("(")
        operands = self.maybe_uses()
        self.expect(")")
        if self.peek("{"):
            attrs.update(self.attr_dict())
        types = self.type_list() if self.accept(":") else []
        return self.finish("func.call", operands, types, attrs)

    def op_scf_condition(self, nresults: int) -> Operation:
        self.expect("(")
        cond = self.use()
        self.expect(")")
        rest = self.maybe_uses()
        attrs = self.attr_dict() if self.peek("{") else None
        if rest:
            self.expect(":")
            types = self.type_list()
            if types != [v.type for v in rest]:
                raise self.error("scf.condition: listed types do not match the operands")
        return self.finish("scf.condition", [cond, *rest], [], attrs)

    def region_attrs(self) -> dict[str, Attribute] | None:
        return self.attr_dict() if self.keyword("attributes") else None

    def open_region(self) -> None:
        self.expect("{")
        self.end_of_line()

    def close_region(self) -> None:
        self.blank()
        self.expect("}")

    def op_scf_if(self, nresults: int) -> Operation:
        cond = self.use()
        types = self.paren_types() if self.accept("->") else []
        attrs = self.region_attrs()
        self.open_region()
        then = self.region_body([])
        self.close_region()
        if not self.keyword("else"):
            raise self.error("scf.if needs an else region")
        self.open_region()
        other = self.region_body([])
        self.close_region()
        return self.finish("scf.if", [cond], types, attrs, [then, other])

    def op_scf_for(self, nresults: int) -> Operation:
        iv = self.value_name()
        iv_type = self.type() if self.accept(":") else I64
        self.expect("=")
        lb = self.use()
        if not self.keyword("to"):
            raise self.error("expected 'to'")
        ub = self.use()
        if not self.keyword("step"):
            raise self.error("expected 'step'")
        step = self.use()
        carried: list[tuple[str, Type | None, Value]] = []
        if self.keyword("iter_args"):
            carried = self.paren_list(self.iter_arg)
        types = self.paren_types() if self.accept("->") else []
        decls = [(iv, iv_type)]
        for i, (name, t, _) in enumerate(carried):
            if t is None:
                if i >= len(types):
                    raise self.error(f"scf.for: no type for iter_arg %{name}")
                t = types[i]
            decls.append((name, t))
        attrs = self.region_attrs()
        self.open_region()
        body = self.region_body(decls)
        self.close_region()
        operands = [lb, ub, step] + [v for _, _, v in carried]
        return self.finish("scf.for", operands, types, attrs, [body])

    def iter_arg(self) -> tuple[str, Type | None, Value]:
        """`%a = %init` or `%a: T = %init`."""
        name = self.value_name()
        t = self.type() if self.accept(":") else None
        self.expect("=")
        return name, t, self.use()

    def op_scf_while(self, nresults: int) -> Operation:
        pairs = [(n, v) for n, _, v in self.paren_list(self.iter_arg)]
        self.expect(":")
        carried = self.paren_types()
        if len(carried) != len(pairs):
            raise self.error(f"scf.while: {len(pairs)} inits but {len(carried)} carried types")
        self.expect("->")
        types = self.paren_types()
        attrs = self.region_attrs()
        self.open_region()
        before = self.region_body([(n, t) for (n, _), t in zip(pairs, carried)])
        self.close_region()
        if not self.keyword("do"):
            raise self.error("scf.while needs a 'do' region")
        after_decls = self.arg_decls()
        self.open_region()
        after = self.region_body(after_decls)
        self.close_region()
        return self.finish("scf.while", [v for _, v in pairs], types, attrs, [before, after])


def _hint(name: str) -> str | None:
    """The `Value.name` for a printed name: numbers were values without a hint."""
    return None if name.isdigit() else name


def parse_func(text: str) -> FuncOp:
    """Parse text holding exactly one function."""
    p = _Parser(text)
    f = p.func()
    p.blank()
    if p.pos < len(text):
        raise p.error("text after the function")
    return f


def parse_module(text: str) -> Module:
    """Parse any number of functions."""
    return _Parser(text).module()
