"""Build untyped IR by hand, as the frontend would emit it, for type inference tests.

    fb = UntypedBuilder("f", ["x", "n"])
    x, n = fb.args
    s = fb.py("add", x, fb.const(1), name="s", line=2)
    fb.ret(s, line=3)

Every `py.*` / `math.*` / `tuple.*` / `func.call` result and every block argument
is typed `?`; constants carry their concrete type; `line=` sets the source line of
the op (file "test.py") so error messages can be checked.
"""
from __future__ import annotations

from typing import Callable, Sequence

from ember.ir.builder import Builder
from ember.ir.core import Block, FuncOp, Region, SymbolRef, Value
from ember.ir.location import Location
from ember.ir.types import BOOL, F64, I64, UNKNOWN, Type

FILE = "test.py"


def loc(line: int) -> Location:
    return Location(FILE, line, 0)


class UntypedBuilder:
    def __init__(self, name: str, args: Sequence[str], line: int = 1) -> None:
        self.func = FuncOp(name, [UNKNOWN] * len(args), UNKNOWN, list(args), loc(line))
        self.b = Builder(self.func.body.block, loc(line))
        self.line = line

    @property
    def args(self) -> list[Value]:
        return list(self.func.args)

    def _at(self, line: int | None) -> Location:
        if line is not None:
            self.line = line
        return loc(self.line)

    def const(self, value: int | float | bool, name: str | None = None, line: int | None = None) -> Value:
        t: Type = BOOL if isinstance(value, bool) else I64 if isinstance(value, int) else F64
        return self.b.op("arith.constant", [], [t], {"value": value}, names=[name],
                         loc=self._at(line)).result

    def op(self, opname: str, *operands: Value, name: str | None = None, line: int | None = None,
           **attrs) -> Value:
        return self.b.op(opname, list(operands), [UNKNOWN], attrs or None, names=[name],
                         loc=self._at(line)).result

    def py(self, kind: str, *operands: Value, name: str | None = None, line: int | None = None) -> Value:
        return self.op(f"py.{kind}", *operands, name=name, line=line)

    def math(self, fn: str, *operands: Value, name: str | None = None, line: int | None = None) -> Value:
        return self.op(f"math.{fn}", *operands, name=name, line=line)

    def undef(self, name: str) -> Value:
        return self.op("py.undef", name=name)

    def tuple(self, *items: Value, name: str | None = None, line: int | None = None) -> Value:
        return self.op("tuple.make", *items, name=name, line=line)

    def get(self, t: Value, index: int, name: str | None = None, line: int | None = None, **attrs) -> Value:
        return self.op("tuple.get", t, name=name, line=line, index=index, **attrs)

    def call(self, pyfunc: object, *args: Value, name: str | None = None, line: int | None = None) -> Value:
        fname = getattr(pyfunc, "__name__", "f")
        return self.op("func.call", *args, name=name, line=line,
                       callee=SymbolRef(fname, target=pyfunc))

    def ret(self, value: Value | None = None, line: int | None = None) -> None:
        self.b.op("func.return", [value] if value is not None else [], [], loc=self._at(line))

    # ---- structured control flow ---------------------------------------------------
    def _region(self, nargs: int, names: Sequence[str | None], body: Callable[..., object],
                term: str) -> Region:
        block = Block([UNKNOWN] * nargs, list(names))
        with self.b.at(block):
            out = body(*block.args)
            if term == "scf.condition":
                cond, fwd = out  # type: ignore[misc]
                self.b.op(term, [cond] + list(fwd), [])
            else:
                self.b.op(term, list(out or []), [])  # type: ignore[arg-type]
        return Region([block])

    def if_(self, cond: Value, then: Callable[[], list[Value]], else_: Callable[[], list[Value]],
            names: Sequence[str], line: int | None = None) -> list[Value]:
        at = self._at(line)
        regions = [self._region(0, [], then, "scf.yield"), self._region(0, [], else_, "scf.yield")]
        return self.b.op("scf.if", [cond], [UNKNOWN] * len(names), None, regions, names=list(names),
                         loc=at).results

    def for_(self, lb: Value, ub: Value, step: Value, inits: Sequence[Value],
             body: Callable[..., list[Value]], names: Sequence[str], iv: str = "i",
             line: int | None = None) -> list[Value]:
        """`body(iv, *carried)` returns the values yielded for the carried names."""
        at = self._at(line)
        region = self._region(1 + len(names), [iv] + list(names), body, "scf.yield")
        return self.b.op("scf.for", [lb, ub, step] + list(inits), [UNKNOWN] * len(names), None,
                         [region], names=list(names), loc=at).results

    def while_(self, inits: Sequence[Value], before: Callable[..., tuple[Value, list[Value]]],
               after: Callable[..., list[Value]], names: Sequence[str],
               line: int | None = None) -> list[Value]:
        """`before(*carried)` returns (cond, forwarded); `after(*forwarded)` the new carried."""
        at = self._at(line)
        regions = [self._region(len(names), names, before, "scf.condition"),
                   self._region(len(names), names, after, "scf.yield")]
        return self.b.op("scf.while", list(inits), [UNKNOWN] * len(names), None, regions,
                         names=list(names), loc=at).results


def no_callees(pyfunc: object):
    raise AssertionError(f"unexpected call to {pyfunc}")


def infer(fb: "UntypedBuilder", *arg_types: Type, get_untyped=no_callees):
    """Infer `fb`'s function for `arg_types`; verify the typed module (and that the
    untyped input is unchanged); return (module, entry FuncOp)."""
    from ember.ir.printer import print_func
    from ember.ir.verifier import verify_module
    from ember.typeinfer import infer_module
    from tests.helpers import assert_roundtrip

    before = print_func(fb.func)
    m, sym = infer_module(fb.func, list(arg_types), get_untyped)
    assert print_func(fb.func) == before, "type inference modified its input"
    verify_module(m, typed=True)
    assert_roundtrip(m)
    return m, m[sym]


def op_names(func) -> list[str]:
    return [op.name for op in func.walk()]


def ops_named(func, name: str) -> list:
    return [op for op in func.walk() if op.name == name]


def asserts(func) -> list[tuple[str, str]]:
    return [(op.attributes["exc"], op.attributes["msg"]) for op in ops_named(func, "cf.assert")]
