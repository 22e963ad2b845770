"""Calls: math functions, the builtins compiled to `py.*` ops, and calls of other Python
functions (plain or ember dispatchers) as `func.call` with arguments bound by signature."""
from __future__ import annotations

import ast
import builtins
import inspect
from typing import Any

from ember.ir.core import SymbolRef, Value
from ember.ir.types import BOOL, UNKNOWN

from .constants import is_constant_tree
from .expressions import ExpressionsMixin
from .resolve import BUILTIN_OPS, MATH_BY_ID, MATH_UNARY_FUNCS, describe, ember_target

_PREDICATES = ("isnan", "isinf", "isfinite")
# builtins consuming one iterable (a generator expression): frontend/iteration.py
_REDUCERS = (sum, min, max, any, all)


def is_constant_tree_node(node: ast.expr) -> bool:
    """A literal number, bool, string, None, or tuple / list of them."""
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _is_one_of(obj: object, funcs: tuple) -> bool:
    return any(obj is f for f in funcs)  # identity: obj may be an array


class CallsMixin(ExpressionsMixin):

    def check_call_arguments(self, node: ast.Call) -> None:
        """Reject `f(*xs)` and `f(**kw)`: every call ember compiles binds its arguments
        at compile time."""
        for a in node.args:
            if isinstance(a, ast.Starred):
                self.unsupported(a)
        for k in node.keywords:
            if k.arg is None:
                raise self.error("**kwargs in calls (starred arguments) are not supported by ember", k)

    def expr_Call(self, node: ast.Call) -> Value:
        self.check_call_arguments(node)
        ref = self.static_object(node.func)
        if ref is None and isinstance(node.func, ast.Call):
            ref = self.static_transform(node.func)  # ember.grad(g)(x)
        if ref is None:
            what = ast.unparse(node.func)
            if isinstance(node.func, ast.Name):
                raise self.error(f"calling the local variable {what!r} is not supported by ember", node)
            raise self.error(f"call to {what!r} is not supported by ember", node)
        obj, spelled = ref
        if _is_one_of(obj, _REDUCERS) and not (_is_one_of(obj, (min, max)) and len(node.args) != 1):
            return self.reduce_call(obj, spelled, node)  # type: ignore[attr-defined]  (iteration.py)
        if obj is tuple:
            return self.tuple_call(node)  # type: ignore[attr-defined]
        if obj is list:
            return self.list_call(node, spelled)  # type: ignore[attr-defined]  (lists.py)
        if obj is sorted:
            return self.sorted_call(node, spelled)  # type: ignore[attr-defined]
        if obj is dict:
            return self.dict_call(node, spelled)  # type: ignore[attr-defined]  (dicts.py)
        if _is_one_of(obj, (enumerate, zip, reversed)):
            raise self.error(f"{spelled}() is only supported as the iterable of a for loop or "
                             "of a generator expression", node)
        math_name = MATH_BY_ID.get(id(obj))
        if math_name is not None:
            return self.math_call(math_name, spelled, node)
        builtin = BUILTIN_OPS.get(id(obj))
        if builtin is not None:
            return self.builtin_call(builtin, spelled, node)
        if obj is builtins.range:
            raise self.error("range() is only supported as the iterable of a for loop", node)
        if getattr(obj, "__ember_typed__", None) is not None:
            # an ember derivative: type inference asks it for its typed IR (typeinfer/calls.py)
            return self.function_call(obj, spelled, node)
        target = ember_target(obj)
        if target is not None:
            return self.function_call(target, spelled, node)
        raise self.error(f"call to {spelled!r} ({describe(obj)}) is not supported by ember", node)

    def static_transform(self, node: ast.Call) -> tuple[Any, str] | None:
        """`ember.grad(g, argnums=1)` called in compiled code: a function transform (marked
        `__ember_static_transform__`) applied at build time to global functions and
        constants; its result (an ember Derivative) is then called like a global."""
        ref = self.static_object(node.func)
        if ref is None or not getattr(ref[0], "__ember_static_transform__", False):
            return None
        self.check_call_arguments(node)
        args = [self._static_argument(a, ref[1]) for a in node.args]
        kws = {k.arg: self._static_argument(k.value, ref[1]) for k in node.keywords}
        try:
            return ref[0](*args, **kws), ast.unparse(node)
        except TypeError as e:
            raise self.type_error(f"{ast.unparse(node)}: {e}", node) from None

    def _static_argument(self, node: ast.expr, spelled: str) -> Any:
        if is_constant_tree_node(node):
            return ast.literal_eval(node)
        ref = self.static_object(node)
        if ref is None and isinstance(node, ast.Call):
            ref = self.static_transform(node)
        if ref is None:
            raise self.error(f"inside compiled code the arguments of {spelled}() must be global "
                             "functions and constants (argnums=..., has_aux=...)", node)
        return ref[0]

    def _positional(self, node: ast.Call, spelled: str, lo: int, hi: int | None) -> list[Value]:
        if node.keywords:
            raise self.error(f"keyword arguments to {spelled}() are not supported by ember",
                             node.keywords[0])
        n = len(node.args)
        if n < lo or (hi is not None and n > hi):
            want = (f"exactly {lo}" if lo == hi else
                    f"{lo} to {hi}" if hi is not None else f"at least {lo}")
            plural = "" if lo == hi == 1 else "s"
            raise self.type_error(f"{spelled}() takes {want} argument{plural} ({n} given)", node)
        return [self.expr(a) for a in node.args]

    def math_call(self, name: str, spelled: str, node: ast.Call) -> Value:
        if name == "log":
            args = self._positional(node, spelled, 1, 2)
            logx = self.op1("math.log", [args[0]])
            if len(args) == 1:
                return logx
            return self.op1("py.truediv", [logx, self.op1("math.log", [args[1]])])
        if name in MATH_UNARY_FUNCS:
            args = self._positional(node, spelled, 1, 1)
            return self.op1("math." + name, args, BOOL if name in _PREDICATES else UNKNOWN)
        args = self._positional(node, spelled, 2, 2)
        return self.op1("math." + name, args)

    def builtin_call(self, spec: tuple[str, int, int | None], spelled: str, node: ast.Call) -> Value:
        name, lo, hi = spec
        if name in ("min", "max") and len(node.args) == 1:
            raise self.error(f"{spelled}() of a single iterable is not supported by ember; "
                             "pass two or more values", node)
        args = self._positional(node, spelled, lo, hi)
        return self.op1("py." + name, args)

    def function_call(self, target: Any, spelled: str, node: ast.Call) -> Value:
        """`func.call @name(args)`: positional and keyword arguments bound to the callee's
        parameter order; missing ones take the callee's constant defaults."""
        try:
            sig = inspect.signature(target)
        except (TypeError, ValueError):
            raise self.error(f"cannot read the signature of {spelled!r}", node) from None
        for p in sig.parameters.values():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise self.error(f"calling {spelled!r}: functions with *args or **kwargs are "
                                 "not supported by ember", node)
        pos = [self.expr(a) for a in node.args]
        kws = {k.arg: self.expr(k.value) for k in node.keywords}
        try:
            bound = sig.bind(*pos, **kws)  # type: ignore[arg-type]
        except TypeError as e:
            raise self.type_error(f"bad call to {spelled!r}: {e}", node) from None
        operands: list[Value] = []
        for p in sig.parameters.values():
            if p.name in bound.arguments:
                operands.append(bound.arguments[p.name])
            elif is_constant_tree(p.default):
                operands.append(self.constant_value(p.default, node))
            else:
                raise self.type_error(
                    f"calling {spelled!r}: the default of parameter {p.name!r} "
                    f"({describe(p.default)}) is not a number, bool or tuple of them", node)
        callee = SymbolRef(target.__name__, target=target)
        return self.op1("func.call", operands, UNKNOWN, {"callee": callee})
