"""Dicts with keys known only at run time (docs/containers.md): which dicts are dynamic,
and their syntax.

A dict literal with string-literal keys (or `{}` / `dict()`) is a record (frontend/records.py)
unless the function uses the name it is assigned to dynamically: a subscript whose key is not
a string literal, a method other than `get('k', ...)`, iteration over it, or `x in d` with a
computed x. Such a dict, a literal with other keys, a dict comprehension, and `dict()` of an
iterable, is a runtime hash map: `py.dict` (operands: key, value, key, value, ...) and, for
reads and writes, the generic `py.getitem` / `py.setitem` / `py.delitem` / `py.callmethod` /
`py.in` that type inference types by the dict's key and value types.

A dict the function passes to a Python function that uses that parameter dynamically (or
passes it on to one that does) is a runtime dict too (`passed_to_dynamic`): caller and
callee share it, as in Python.

Parameters: the same scan names the parameters used dynamically; the FuncOp records them
in its Python attribute `dict_params` and a dict argument for one of them is passed as a runtime
dict (ember/typeof.py), the others as records. `for k in p` over such a parameter is a
`py.iterable` (a dict's keys, anything else itself: the frontend cannot know p's type).
"""
from __future__ import annotations

import ast
from typing import Any, Callable

from ember.ir.core import FuncOp, Value
from ember.ir.errors import UnsupportedSyntaxError
from ember.ir.types import UNKNOWN

from .resolve import Resolver, ember_target
from .source import function_source

# the FuncOp's Python attribute naming the parameters used as runtime dicts
DICT_PARAMS_ATTR = "dict_params"

# methods only a runtime dict has (`get` with a literal key is a record's too)
DYNAMIC_METHODS = frozenset({"keys", "values", "items", "pop", "setdefault", "update", "clear",
                             "copy", "popitem"})


def _literal_key(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def dynamic_names(tree: ast.AST) -> set[str]:
    """Names the function uses as runtime dicts (computed once per function)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                and not _literal_key(node.slice):
            out.add(node.value.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name):
            name, attr = node.func.value.id, node.func.attr
            if attr in DYNAMIC_METHODS or (attr == "get" and node.args
                                           and not _literal_key(node.args[0])):
                out.add(name)
        elif isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.iter, ast.Name):
            out.add(node.iter.id)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 \
                and isinstance(node.ops[0], (ast.In, ast.NotIn)) \
                and isinstance(node.comparators[0], ast.Name) and not _literal_key(node.left):
            out.add(node.comparators[0].id)
        elif isinstance(node, ast.Assign) and _always_runtime(node.value):
            # so that dict(d), `for k in d` etc. see d as the runtime dict it is
            out.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return out


def _always_runtime(node: ast.expr) -> bool:
    """A dict comprehension, a literal with a key that is not a string literal, dict(x)."""
    if isinstance(node, ast.DictComp):
        return True
    if isinstance(node, ast.Dict):
        return not all(k is not None and _literal_key(k) for k in node.keys)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id == "dict" and bool(node.args)


def dynamic_literals(tree: ast.AST, names: set[str]) -> set[int]:
    """ids of the dict displays / dict() calls that make runtime dicts: assigned to a dynamic
    name, or with a key that is not a string literal."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in names
                                                for t in node.targets):
            out.add(id(node.value))
        if isinstance(node, ast.Dict) and not all(k is not None and _literal_key(k) for k in node.keys):
            out.add(id(node))
    return out


def made_dicts(tree: ast.AST) -> set[str]:
    """Names assigned a dict display, a dict comprehension or a dict() call."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Dict, ast.DictComp)) \
                or isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Name) and node.value.func.id == "dict":
            out.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return out


def _params(tree: ast.FunctionDef) -> list[str]:
    a = tree.args
    return [p.arg for p in [*a.posonlyargs, *a.args]]


def passed_to_dynamic(tree: ast.FunctionDef, lookup: Callable[[str], Any],
                      seen: dict[int, set[str]] | None = None) -> set[str]:
    """Names this function passes (as a plain positional argument) to a Python function
    that uses that parameter as a runtime dict, directly or by passing it on in turn: a
    dict the caller makes must then be a runtime dict too, shared with the callee as in
    Python, not a record copied into it."""
    seen = {} if seen is None else seen
    out: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        target = ember_target(lookup(node.func.id))
        if target is None:
            continue
        dynamic = _dynamic_params(target, seen)
        params = _params_of(target)
        for arg, param in zip(node.args, params):
            if isinstance(arg, ast.Name) and param in dynamic:
                out.add(arg.id)
    return out


def _params_of(fn: Any) -> list[str]:
    code = fn.__code__
    return list(code.co_varnames[:code.co_argcount])


def _dynamic_params(fn: Any, seen: dict[int, set[str]]) -> set[str]:
    """The parameters of `fn` that it uses as runtime dicts (empty when its source cannot
    be read: compiling the call reports that)."""
    key = id(fn)
    if key in seen:
        return seen[key]
    seen[key] = set()  # recursion: nothing while it is being scanned
    try:
        tree = function_source(fn).tree
    except UnsupportedSyntaxError:
        return seen[key]
    resolver = Resolver(fn)
    names = dynamic_names(tree) | passed_to_dynamic(tree, resolver.lookup, seen)
    seen[key] = {p for p in _params(tree) if p in names}
    return seen[key]


class DictsMixin:
    def dict_analysis(self) -> tuple[set[str], set[int]]:
        cached = getattr(self, "_dict_analysis", None)
        if cached is None:
            names = dynamic_names(self.src.tree) | passed_to_dynamic(self.src.tree,
                                                                     self.resolver.lookup)
            cached = self._dict_analysis = (names, dynamic_literals(self.src.tree, names))
        return cached

    def is_dynamic_dict(self, node: ast.expr) -> bool:
        """Is `node` (a Name, or a dict display / dict() call) a runtime dict?"""
        names, literals = self.dict_analysis()
        if isinstance(node, ast.Name):
            return node.id in names
        return id(node) in literals

    def runtime_dict(self, node: ast.Dict) -> Value:
        operands: list[Value] = []
        for k, v in zip(node.keys, node.values):
            if k is None:
                raise self.error("dict unpacking (**d) in a dict literal is not supported by ember", v)
            operands += [self.expr(k), self.expr(v)]
        return self.op1("py.dict", operands)

    def expr_DictComp(self, node: ast.DictComp) -> Value:
        for g in node.generators:
            if g.is_async:
                self.unsupported(g)
        d = self.op1("py.dict", [])
        elt = ast.copy_location(ast.Tuple([node.key, node.value], ast.Load()), node)

        def step(state: list[Value], pair: Value) -> list[Value]:
            k = self.op1("tuple.get", [pair], attrs={"index": 0})
            v = self.op1("tuple.get", [pair], attrs={"index": 1})
            self.b.op("py.setitem", [d, v, k], [])
            return []
        self.comp_loop(elt, node.generators, [], [], step, None)
        return d

    def dict_call(self, node: ast.Call, spelled: str) -> Value:
        """dict() (a record unless used dynamically), dict(d) and dict(pairs)."""
        if node.keywords:
            raise self.error(f"{spelled}(key=value) is not supported by ember; write a dict "
                             "literal {'key': value}", node.keywords[0])
        if len(node.args) > 1:
            raise self.type_error(f"{spelled}() takes at most one positional argument", node)
        if not node.args:
            if self.is_dynamic_dict(node):
                return self.op1("py.dict", [])
            return self.op1("record.make", [], UNKNOWN, {"keys": ""})
        d = self.op1("py.dict", [])
        elt, gens = self.comprehension_of(node.args[0])
        arg = node.args[0]
        if isinstance(arg, ast.Name) and self.is_dynamic_dict(arg):  # dict(d): a copy
            src = self.expr(arg)
            self.b.op("py.callmethod", [d, src], [UNKNOWN], {"name": "update", "kwnames": ""})
            return d

        def step(state: list[Value], pair: Value) -> list[Value]:
            k = self.op1("tuple.get", [pair], attrs={"index": 0, "unpack": 2})
            v = self.op1("tuple.get", [pair], attrs={"index": 1, "unpack": 2})
            self.b.op("py.setitem", [d, v, k], [])
            return []
        self.comp_loop(elt, gens, [], [], step, None)
        return d

    def dict_keys_source(self, node: ast.expr) -> Value | None:
        """`for k in d` over a runtime dict made in this function: its keys (a list
        snapshot), else None."""
        if isinstance(node, ast.Name) and self.is_dynamic_dict(node) \
                and node.id in made_dicts(self.src.tree):
            d = self.expr(node)
            return self.op1("py.callmethod", [d], UNKNOWN, {"name": "keys", "kwnames": ""})
        if isinstance(node, ast.Name) and node.id in self.dict_params():
            # a parameter may be a dict or a list, array, ...: type inference decides
            return self.op1("py.iterable", [self.expr(node)])
        return None

    # ---- parameters ------------------------------------------------------------------
    def dict_params(self) -> list[str]:
        """The parameters this function uses as runtime dicts (if they are dicts)."""
        a = self.src.tree.args
        names, _ = self.dict_analysis()
        return [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs] if p.arg in names]

    def mark_dict_params(self, func: FuncOp) -> None:
        """Record on the FuncOp (as the Python attribute `dict_params`, a frozenset of names)
        which parameters a dict argument must be a runtime dict for: the face reads it when
        typing the arguments (ember/typeof.py); the others stay records, specialized on their
        keys. Not an IR attribute: it matters to the face only, and most functions with a
        list or array parameter would print it."""
        setattr(func, DICT_PARAMS_ATTR, frozenset(self.dict_params()))
