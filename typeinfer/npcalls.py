"""`py.npcall` (numpy.<fn>) and `py.callmethod` (array methods): argument binding and the
two sub-registries the numpy rules register into.

A numpy function is registered with its parameter names (positional-or-keyword, in
NumPy's order), how many are required, and an infer/lower pair that reads a `Call` (the
bound arguments: types during inference, typed values during lowering, plus the untyped
operands for what must be known at compile time). A method `a.f(...)` binds `a` to the
first parameter. An unknown function or keyword is an UnsupportedSyntaxError naming it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ember.ir.core import Operation, Value
from ember.ir.errors import UnsupportedSyntaxError
from ember.ir.numpy_api import NUMPY_FUNCTIONS
from ember.ir.types import ArrayType, Type

from .emit import Emitter
from .rules import fail, rule
from .static import DTypeLiteral, split_args, static_bool, static_int


@dataclass
class Call:
    """Bound arguments of one numpy call. `args` maps parameter names to types (infer) or
    values (lower); `raw` to the untyped operands; `rest` holds extra positional items of a
    varargs function (reshape(2, 3))."""

    op: Operation
    fn: str
    args: dict[str, Any]
    raw: dict[str, Value]
    rest: list[Any] = field(default_factory=list)
    raw_rest: list[Value] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.args

    def type(self, name: str) -> Type:
        a = self.args[name]
        return a if isinstance(a, Type) else a.type

    def int(self, name: str, default: int | None = None, allow_none: bool = False) -> int | None:
        if name not in self.raw:
            return default
        return static_int(self.op, self.raw[name], f"{self.fn}() argument '{name}'", allow_none)

    def bool(self, name: str, default: bool) -> bool:
        if name not in self.raw:
            return default
        return static_bool(self.op, self.raw[name], f"{self.fn}() argument '{name}'")

    def dtype(self, name: str = "dtype"):
        """The dtype argument (a compile-time dtype) or None when absent / None."""
        if name not in self.args:
            return None
        t = self.type(name)
        if isinstance(t, DTypeLiteral):
            return t.dtype
        from ember.ir.types import NONE
        if t == NONE:
            return None
        raise fail(self.op, f"{self.fn}() argument '{name}' must be a dtype known at compile "
                            f"time (np.float64, float, 'f8', a.dtype), got {t}")


@dataclass(frozen=True)
class Fn:
    infer: Callable[[Call], Type]
    lower: Callable[[Emitter, Call], Any]
    params: tuple[str, ...] = ()    # methods: `self` first (numpy functions: the table's)
    required: int = 1
    varargs: bool = False           # methods taking *args (a.reshape(2, 3))


NPFUNCS: dict[str, Fn] = {}
METHODS: dict[str, Fn] = {}


def npfunc(*names: str, infer: Callable[[Call], Type]):
    """Register the decorated lower function for the numpy functions `names` (parameters
    from ir/numpy_api.py, the table the frontend checks calls against)."""
    def deco(lower: Callable[[Emitter, Call], Any]):
        for n in names:
            NPFUNCS[n] = Fn(infer, lower)
        return lower
    return deco


def method(*names: str, params: tuple[str, ...], required: int = 1, varargs: bool = False,
           infer: Callable[[Call], Type]):
    """Register the decorated lower function for array methods `names`; `params` starts
    with the array itself."""
    def deco(lower: Callable[[Emitter, Call], Any]):
        for n in names:
            METHODS[n] = Fn(infer, lower, params, required, varargs)
        return lower
    return deco


def bind(op: Operation, fn: str, params: tuple[str, ...], required: int, varargs: bool,
         items: list, raw: list[Value]) -> Call:
    pos, kws = split_args(op, items)
    raw_pos, raw_kws = split_args(op, raw)
    args: dict[str, Any] = {}
    rawd: dict[str, Value] = {}
    rest: list = []
    raw_rest: list = []
    for k, (x, r) in enumerate(zip(pos, raw_pos)):
        if k < len(params):
            args[params[k]], rawd[params[k]] = x, r
        elif varargs:
            rest.append(x)
            raw_rest.append(r)
        else:
            raise fail(op, f"{fn}() takes at most {len(params)} positional arguments but "
                           f"{len(pos)} were given")
    for name, x in kws.items():
        if name not in params:
            raise UnsupportedSyntaxError(
                f"keyword argument '{name}' of {fn}() is not supported by ember", op.loc)
        if name in args:
            raise fail(op, f"{fn}() got multiple values for argument '{name}'")
        args[name], rawd[name] = x, raw_kws[name]
    for name in params[:required]:
        if name not in args:
            raise fail(op, f"{fn}() missing required argument '{name}'")
    return Call(op, fn, args, rawd, rest, raw_rest)


# ---- the two ops ---------------------------------------------------------------------
def _npcall(op: Operation, items: list) -> tuple[Fn, Call]:
    name = str(op.attributes.get("fn"))
    f = NPFUNCS.get(name)
    entry = NUMPY_FUNCTIONS.get(name)
    if f is None or entry is None:
        raise UnsupportedSyntaxError(f"numpy.{name} is not supported by ember yet", op.loc)
    for kw in split_args(op, items)[1]:
        if not entry.supports_keyword(kw):
            raise UnsupportedSyntaxError(
                f"keyword argument '{kw}' of numpy.{name}() is not supported by ember", op.loc)
    params = entry.params + tuple(k for k in entry.kwonly if k not in entry.params)
    return f, bind(op, f"numpy.{name}", params, entry.required, False, items,
                   list(op.operands))


def infer_npcall(op: Operation, types: list[Type]) -> list[Type]:
    f, call = _npcall(op, types)
    return [f.infer(call)]


@rule("py.npcall", infer=infer_npcall)
def lower_npcall(em: Emitter, op: Operation, vals: list) -> list:
    f, call = _npcall(op, vals)
    return [f.lower(em, call)]


def _method(op: Operation, t: Type) -> tuple[str, Fn]:
    name = str(op.attributes.get("name"))
    if not isinstance(t, ArrayType):
        who = f"'{op.operands[0].name}'" if op.operands[0].name else "a value"
        raise fail(op, f"{who} of type {t} has no method '{name}' in compiled code")
    f = METHODS.get(name)
    if f is None:
        raise UnsupportedSyntaxError(f"the array method '{name}' is not supported by ember",
                                     op.loc)
    return f"{name}", f


def infer_callmethod(op: Operation, types: list[Type]) -> list[Type]:
    fn, f = _method(op, types[0])
    return [f.infer(bind(op, fn, f.params, f.required, f.varargs, types, list(op.operands)))]


@rule("py.callmethod", infer=infer_callmethod)
def lower_callmethod(em: Emitter, op: Operation, vals: list) -> list:
    fn, f = _method(op, vals[0].type)
    return [f.lower(em, bind(op, fn, f.params, f.required, f.varargs, vals,
                             list(op.operands)))]

