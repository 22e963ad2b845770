"""A cheap key for the disk cache's fast path: what the Python side of a function is.

The disk cache's key proper (ember/disk_cache.py) is a hash of the typed IR, which
costs the frontend and type inference (and importing them) on every first call. This
module hashes, without any compiler layer, everything those two stages read:

- the function's source file (all of it: any edit of the file changes the key), its
  position in the file, its bytecode and constants, defaults and closure cells;
- every global (or module attribute) its code names, by value: numbers, strings,
  tuples of those, modules, classes and builtins by qualified name, and Python
  functions (ember dispatchers included) recursively, the same way.

When anything else is reachable (a list, an array, an object: a value whose state the
hash cannot see), `source_key` returns None and the cache uses its IR key only. A
`source_key` is only ever used to find an entry that a full compile made under the
same source key (an alias of its IR-keyed entry), so a match means the frontend and
type inference would see exactly the same inputs.
"""
from __future__ import annotations

import builtins
import hashlib
import types
from typing import Any

_SCALARS = (int, float, complex, bool, str, bytes, type(None))


class _Unsure(Exception):
    """Something reachable whose contents the key cannot cover."""


def source_key(py_func: Any, parts: list[str]) -> str | None:
    """The hex sha256 of `parts` (environment, options, argument types) and of
    everything the frontend and type inference read from `py_func`; None if unsure."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\0")
    try:
        _Hasher(h).function(py_func)
    except Exception:  # _Unsure, no source file, an object whose attributes raise...
        return None
    return h.hexdigest()


class _Hasher:
    def __init__(self, h: Any) -> None:
        self.h = h
        self.seen: dict[int, int] = {}  # id(function) -> its index (recursion, sharing)
        self.files: dict[str, bytes] = {}

    def put(self, *items: object) -> None:
        for item in items:
            self.h.update(repr(item).encode("utf-8", "surrogatepass"))
            self.h.update(b"\x1e")

    def function(self, f: Any) -> None:
        f = getattr(f, "__ember_function__", f)
        if id(f) in self.seen:
            self.put("seen", self.seen[id(f)])
            return
        self.seen[id(f)] = len(self.seen)
        code = getattr(f, "__code__", None)
        if not isinstance(code, types.CodeType):
            raise _Unsure
        self.put("function", f.__module__, f.__qualname__, code.co_firstlineno)
        self.source(code.co_filename)
        self.code(code)
        self.value(f.__defaults__)
        self.value(tuple(sorted((f.__kwdefaults__ or {}).items())))
        for cell in f.__closure__ or ():
            try:
                self.value(cell.cell_contents)
            except ValueError:  # an empty cell
                self.put("empty cell")
        names = sorted(_names(code))
        g = f.__globals__
        for name in names:
            if name in g:
                self.put("global", name)
                self.value(g[name], names)
            elif hasattr(builtins, name):
                self.put("builtin", name)
            else:
                self.put("attribute", name)  # an attribute or a name that does not exist yet

    def source(self, filename: str) -> None:
        if filename not in self.files:
            with open(filename, "rb") as fh:  # OSError (no file: exec'd code) -> unsure
                self.files[filename] = fh.read()
            self.put("file", filename)
            self.h.update(hashlib.sha256(self.files[filename]).digest())

    def code(self, code: types.CodeType) -> None:
        self.put(code.co_name, code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount,
                 code.co_flags, code.co_names, code.co_varnames, code.co_freevars,
                 code.co_cellvars)
        self.h.update(code.co_code)
        for c in code.co_consts:
            if isinstance(c, types.CodeType):
                self.code(c)
            else:
                self.value(c)

    def value(self, v: Any, names: list[str] | None = None) -> None:
        if isinstance(v, _SCALARS):
            self.put(type(v).__name__, v)
        elif isinstance(v, (tuple, frozenset)):
            items = sorted(v, key=repr) if isinstance(v, frozenset) else v
            self.put(type(v).__name__, len(items))
            for item in items:
                self.value(item)
        elif isinstance(v, types.ModuleType):
            self.put("module", v.__name__)
            # `mod.name` in the code: the attributes the code may read from the module
            for name in names or ():
                if name in v.__dict__:
                    self.put("attr", name)
                    self.value(v.__dict__[name], names)
        elif _library(v):
            # numpy's, math's, ember's own: the frontend knows them by name, never
            # compiles their source (their versions are in the key's other parts)
            self.put("named", getattr(v, "__module__", None), getattr(v, "__qualname__", None),
                     getattr(v, "__name__", None), type(v).__name__)
        elif hasattr(v, "__ember_function__") or isinstance(v, types.FunctionType):
            self.put("options", sorted(getattr(v, "_options", {}).items()))
            self.function(v)
        else:
            raise _Unsure


_LIBRARIES = frozenset({"builtins", "math", "cmath", "numpy", "operator", "_operator", "ember"})


def _library(v: Any) -> bool:
    """A function or class of numpy, math, the builtins or ember (not a user's jitted
    function, not an instance such as an array or a derivative object)."""
    if hasattr(v, "__ember_function__") or not callable(v):
        return False
    module = (getattr(v, "__module__", None) or "").split(".")[0]
    if module not in _LIBRARIES:
        return False
    if isinstance(v, (type, types.FunctionType, types.BuiltinFunctionType)):
        return True
    # numpy's other callables: ufuncs, array-function dispatchers
    return module != "ember" and (type(v).__module__ or "").split(".")[0] in _LIBRARIES


def _names(code: types.CodeType) -> set[str]:
    out = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            out |= _names(c)
    return out
