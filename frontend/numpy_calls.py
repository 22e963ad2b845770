"""NumPy in the frontend: numpy calls (`py.npcall`), dtype objects as values (`py.dtype`),
attributes of values (`py.getattr`) and method calls (`py.callmethod`).

Numpy objects are recognised by identity (numpy_names.py); a numpy function outside the
table `ember.ir.numpy_api.NUMPY_FUNCTIONS`, or a keyword argument its entry does not
support, is an UnsupportedSyntaxError at its location, never a silent fallback.
"""
from __future__ import annotations

import ast
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

from ember.ir.core import Value
from ember.ir.numpy_api import NUMPY_FUNCTIONS, NpFunc
from ember.ir.types import UNKNOWN

from .calls import CallsMixin
from .numpy_names import (dtype_type, is_dtype_object, is_numpy_object, numpy_function_name,
                          numpy_path, scalar_type_name)
from .resolve import is_module


class NumpyMixin(CallsMixin):

    @contextmanager
    def located(self, node: ast.AST) -> Iterator[None]:
        """Emit ops at `node`'s location (for nodes not visited through `expr`)."""
        saved = self.b.loc
        self.b.loc = self.src.loc(node)
        try:
            yield
        finally:
            self.b.loc = saved

    # ---- values ----------------------------------------------------------------------
    def object_value(self, obj: Any, spelled: str, node: ast.AST) -> Value:
        if is_dtype_object(obj):
            return self.dtype_value(obj, node)
        return super().object_value(obj, spelled, node)

    def dtype_value(self, spec: Any, node: ast.AST) -> Value:
        try:
            t = dtype_type(spec)
        except ValueError as e:
            raise self.error(str(e), node) from None
        with self.located(node):
            return self.op1("py.dtype", [], UNKNOWN, {"dtype": t})

    def none_value(self, node: ast.AST) -> Value:
        with self.located(node):
            return self.op1("py.none", [])

    def value_or_none(self, node: ast.expr) -> Value:
        """An expression where None means something (an index: np.newaxis; an argument
        such as axis=None): None, or a global bound to None, becomes `py.none`."""
        if isinstance(node, ast.Constant) and node.value is None:
            return self.none_value(node)
        if isinstance(node, (ast.Name, ast.Attribute)):
            ref = self.static_object(node)
            if ref is not None and ref[0] is None:
                return self.none_value(node)
        return self.expr(node)

    def argument(self, node: ast.expr, dtype: bool = False, lists: bool = False,
                 string: bool = False) -> Value:
        """A call argument: None -> py.none; a string in a dtype position -> py.dtype;
        another string literal that is a direct argument (`string`) -> py.str (a
        compile-time option such as kind='stable'); list literals (numpy calls only) ->
        nested tuple.make."""
        if dtype and isinstance(node, ast.Constant) and isinstance(node.value, str):
            return self.dtype_value(node.value, node)
        if string and isinstance(node, ast.Constant) and isinstance(node.value, str):
            with self.located(node):
                return self.op1("py.str", [], UNKNOWN, {"value": node.value})
        if dtype and isinstance(node, (ast.Name, ast.Attribute)):
            ref = self.static_object(node)
            if ref is not None and isinstance(ref[0], type):  # dtype=object, dtype=str...
                return self.dtype_value(ref[0], node)
        if lists and isinstance(node, (ast.List, ast.Tuple)):
            for e in node.elts:
                if isinstance(e, ast.Starred):
                    self.unsupported(e)
            elems = [self.argument(e, lists=True) for e in node.elts]
            with self.located(node):
                return self.tuple_make(elems)
        return self.value_or_none(node)

    # ---- attributes ------------------------------------------------------------------
    def expr_Attribute(self, node: ast.Attribute) -> Value:
        if self.static_object(node) is not None:
            return super().expr_Attribute(node)  # a module attribute: math.pi, np.float64
        obj = self.expr(node.value)
        return self.op1("py.getattr", [obj], UNKNOWN, {"name": node.attr})

    # ---- calls -------------------------------------------------------------------------
    def expr_Call(self, node: ast.Call) -> Value:
        self.check_call_arguments(node)
        ref = self.static_object(node.func)
        if ref is None:
            if isinstance(node.func, ast.Attribute):
                return self.method_call(node, node.func)
            return super().expr_Call(node)
        obj, spelled = ref
        if obj is np.dtype:
            return self.dtype_call(node)
        scalar = scalar_type_name(obj)
        if scalar is not None:
            return self.numpy_call(NUMPY_FUNCTIONS[scalar], node)
        if is_numpy_object(obj) and not is_module(obj):
            name = numpy_function_name(obj, spelled)
            if name is None:
                raise self.error(f"{numpy_path(obj, spelled)} is not supported by ember", node)
            if name == "ndindex":
                raise self.error("numpy.ndindex is only supported as the iterable of a for "
                                 "loop: `for idx in np.ndindex(a.shape)`", node)
            return self.numpy_call(NUMPY_FUNCTIONS[name], node)
        return super().expr_Call(node)

    def is_ndindex(self, node: ast.expr) -> bool:
        ref = self.static_object(node.func) if isinstance(node, ast.Call) else None
        return ref is not None and ref[0] is np.ndindex

    def ndindex_shape(self, node: ast.Call) -> Value:
        """The shape of `np.ndindex(...)`: `(shape)`, `(*shape)` or `(n, m, ...)` (a tuple
        or an int; type inference reads the number of dimensions off its type)."""
        if node.keywords:
            raise self.error("numpy.ndindex() takes no keyword arguments", node.keywords[0])
        args = node.args
        with self.located(node):
            if len(args) == 1:
                a = args[0]
                return self.expr(a.value if isinstance(a, ast.Starred) else a)
            for a in args:
                if isinstance(a, ast.Starred):
                    self.unsupported(a)
            return self.tuple_make([self.expr(a) for a in args])

    def numpy_call(self, entry: NpFunc, node: ast.Call) -> Value:
        """`py.npcall {fn, kwnames}` after checking arguments against the table entry."""
        spelled = f"numpy.{entry.name}"
        params = entry.params
        if len(node.args) > len(params):
            raise self.type_error(f"{spelled}() takes at most {len(params)} positional "
                                  f"argument{'s' if len(params) != 1 else ''} "
                                  f"({len(node.args)} given)", node)
        given = list(params[:len(node.args)])
        for p, a in zip(given, node.args):
            if p in entry.unsupported:
                raise self.error(f"argument {p!r} of {spelled} is not supported by ember", a)
        for k in node.keywords:
            if not entry.supports_keyword(k.arg):  # type: ignore[arg-type]
                raise self.error(f"keyword argument {k.arg!r} of {spelled} is not supported "
                                 "by ember", k)
            if k.arg in given:
                raise self.type_error(f"{spelled}() got multiple values for argument {k.arg!r}", k)
            given.append(k.arg)  # type: ignore[arg-type]
        for p in params[:entry.required]:
            if p not in given:
                raise self.type_error(f"{spelled}() missing required argument {p!r}", node)
        operands = [self.argument(a, dtype=p == "dtype", lists=True, string=True)
                    for p, a in zip(params, node.args)]
        operands += [self.argument(k.value, dtype=k.arg == "dtype", lists=True, string=True)
                     for k in node.keywords]
        kwnames = ",".join(k.arg for k in node.keywords)  # type: ignore[misc]
        return self.op1("py.npcall", operands, UNKNOWN, {"fn": entry.name, "kwnames": kwnames})

    def dtype_call(self, node: ast.Call) -> Value:
        """np.dtype('f8') / np.dtype(np.float32): a compile-time dtype."""
        if len(node.args) == 1 and not node.keywords:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                return self.dtype_value(arg.value, node)
            ref = self.static_object(arg) if isinstance(arg, (ast.Name, ast.Attribute)) else None
            if ref is not None and is_dtype_object(ref[0]):
                return self.dtype_value(ref[0], node)
        raise self.error("numpy.dtype(...) is only supported with a constant dtype such as "
                         "'f8' or np.float32", node)

    def method_call(self, node: ast.Call, func: ast.Attribute) -> Value:
        """`obj.name(args, kw=...)` -> `py.callmethod {name, kwnames}`; type inference
        decides which methods exist for the object's type."""
        obj = self.expr(func.value)
        astype = func.attr in ("astype", "view")
        operands = [self.argument(a, dtype=astype and i == 0, string=True)
                    for i, a in enumerate(node.args)]
        operands += [self.argument(k.value, dtype=k.arg == "dtype", string=True)
                     for k in node.keywords]
        kwnames = ",".join(k.arg for k in node.keywords)  # type: ignore[misc]
        return self.op1("py.callmethod", [obj, *operands], UNKNOWN,
                        {"name": func.attr, "kwnames": kwnames})
