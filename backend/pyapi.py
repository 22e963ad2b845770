"""The CPython C-API as seen from generated LLVM code: symbols and declarations.

Generated wrappers call CPython functions and compare against CPython objects
(type objects, `True`, `None`, exception classes) by *name*: each name is an
external declaration in the llvmlite module and is bound to its address in this
process with `llvm.add_symbol`, never with an integer constant and inttoptr.

- `register_python_symbols()` registers every function and data symbol below
  (idempotent; call before the MCJIT engine finalizes a module that uses them).
- `declare_function(llmod, name)` / `declare_object(llmod, name)` /
  `declare_pointer_var(llmod, name)` add (or reuse) the declaration in a module.
- `register_object(name, obj)` binds an arbitrary long-lived object (a numpy
  scalar type) to a symbol; `exception_symbol(name)` gives the symbol of a builtin
  exception class, `exception_var(name)` always a `PyObject *` variable holding it;
  `register_address(name, addr)` binds a runtime helper's machine code.
- NumPy: `numpy.ndarray` is the object symbol `_ember_np_ndarray`; the NumPy C-API
  functions the wrapper calls (`NUMPY_API`) are read once from the `_ARRAY_API`
  capsule's table and bound as `_ember_PyArray_<Name>` by `register_numpy_api()`.
- `capsule_destructor()`: the symbol of the PyCapsule destructor that releases an
  ember meminfo (`ember_rt_capsule_release`, backend/runtime_helpers.py);
  `capsule_name_symbol()`: a process-lifetime C string "ember.meminfo" (its name).

llvmlite.binding is imported inside functions only: `import ember` must stay cheap.
"""
from __future__ import annotations

import builtins
import ctypes
import functools
import threading
from typing import Any

from ember.backend.boxing import SCALAR_BOXES


@functools.lru_cache(maxsize=None)
def _fn_types() -> dict[str, Any]:
    """Name -> builder of the llvmlite FunctionType (built lazily: llvmlite.ir is imported late)."""
    from llvmlite import ir

    p = ir.PointerType()
    i64 = ir.IntType(64)
    i32 = ir.IntType(32)
    dbl = ir.DoubleType()
    void = ir.VoidType()
    return {
        "PyObject_Vectorcall": ir.FunctionType(p, [p, p, i64, p]),
        "PyLong_AsLongLong": ir.FunctionType(i64, [p]),
        "PyLong_FromLongLong": ir.FunctionType(p, [i64]),
        "PyLong_FromUnsignedLongLong": ir.FunctionType(p, [i64]),
        "PyFloat_FromDouble": ir.FunctionType(p, [dbl]),
        "PyComplex_FromDoubles": ir.FunctionType(p, [dbl, dbl]),
        "PyBool_FromLong": ir.FunctionType(p, [i64]),
        "PyTuple_New": ir.FunctionType(p, [i64]),
        "PyErr_SetString": ir.FunctionType(void, [p, p]),
        "PyErr_Occurred": ir.FunctionType(p, []),
        "PyErr_Clear": ir.FunctionType(void, []),
        "Py_IncRef": ir.FunctionType(void, [p]),
        "Py_DecRef": ir.FunctionType(void, [p]),
        "PyCapsule_New": ir.FunctionType(p, [p, p, p]),
        "PyDict_New": ir.FunctionType(p, []),
        "PyDict_GetItem": ir.FunctionType(p, [p, p]),
        "PyDict_SetItem": ir.FunctionType(i32, [p, p, p]),
        "PyDict_Next": ir.FunctionType(i32, [p, p, p, p]),
        "PyList_New": ir.FunctionType(p, [i64]),
        "PyList_SetSlice": ir.FunctionType(i32, [p, i64, i64, p]),
        "PyDict_Clear": ir.FunctionType(void, [p]),
        "PyDict_Update": ir.FunctionType(i32, [p, p]),
        "PyUnicode_AsUTF8AndSize": ir.FunctionType(p, [p, p]),
        "PyUnicode_DecodeUTF8": ir.FunctionType(p, [p, i64, p]),
        "_ember_PyArray_DescrFromType": ir.FunctionType(p, [i32]),
        "_ember_PyArray_NewFromDescr": ir.FunctionType(p, [p, p, i32, p, p, p, i32, p]),
        "_ember_PyArray_SetBaseObject": ir.FunctionType(i32, [p, p]),
    }


FUNCTIONS: tuple[str, ...] = (
    "PyObject_Vectorcall", "PyLong_AsLongLong", "PyLong_FromLongLong",
    "PyLong_FromUnsignedLongLong", "PyFloat_FromDouble", "PyBool_FromLong", "PyTuple_New",
    "PyErr_SetString", "PyErr_Occurred", "PyErr_Clear", "Py_IncRef", "Py_DecRef",
    "PyCapsule_New", "PyComplex_FromDoubles", "PyDict_New", "PyDict_GetItem", "PyDict_SetItem",
    "PyDict_Next", "PyList_New", "PyList_SetSlice", "PyDict_Clear", "PyDict_Update",
    "PyUnicode_AsUTF8AndSize", "PyUnicode_DecodeUTF8",
)

# NumPy C-API entries the wrapper calls, by their index in the `_ARRAY_API` table
# (numpy/_core/include/numpy/__multiarray_api.h; the tests re-read the header).
NUMPY_API: dict[str, int] = {
    "PyArray_DescrFromType": 45,
    "PyArray_NewFromDescr": 94,
    "PyArray_SetBaseObject": 282,
}
NDARRAY_SYMBOL = "_ember_np_ndarray"
MEMINFO_CAPSULE_NAME = "ember.meminfo"


# Objects whose *address* is the symbol (the symbol is the object itself).
OBJECTS: dict[str, object] = {
    "PyFloat_Type": float,
    "PyComplex_Type": complex,
    "PyLong_Type": int,
    "PyBool_Type": bool,
    "PyTuple_Type": tuple,
    "PyDict_Type": dict,
    "PyList_Type": list,
    "PyUnicode_Type": str,
    "_Py_TrueStruct": True,
    "_Py_FalseStruct": False,
    "_Py_NoneStruct": None,
}

# Exceptions the backend and runtime commonly raise; others are registered on demand.
COMMON_EXCEPTIONS: tuple[str, ...] = (
    "ZeroDivisionError", "IndexError", "ValueError", "AssertionError", "OverflowError",
    "TypeError", "RuntimeError", "KeyError", "ArithmeticError", "SystemError", "MemoryError",
)

_lock = threading.Lock()
_registered: dict[str, int] = {}
_keepalive: list[object] = []


def _add_symbol(name: str, address: int) -> None:
    """Bind `name` to `address` for the JIT; re-registering the same address is a no-op."""
    import llvmlite.binding as llvm

    with _lock:
        old = _registered.get(name)
        if old == address:
            return
        if old is not None:
            raise RuntimeError(f"ember: symbol {name} already bound to another address")
        llvm.add_symbol(name, address)
        _registered[name] = address


def function_address(name: str) -> int:
    return ctypes.cast(getattr(ctypes.pythonapi, name), ctypes.c_void_p).value  # type: ignore[return-value]


def register_object(name: str, obj: object) -> None:
    """Make symbol `name` denote the object `obj` itself (its address). `obj` is kept alive."""
    with _lock:
        if name not in _registered:
            _keepalive.append(obj)
    _add_symbol(name, id(obj))


def exception_symbol(name: str) -> tuple[str, bool]:
    """The symbol for builtin exception class `name` and whether it is a pointer variable.

    CPython exports `PyExc_<Name>` as a `PyObject *` variable (load it); a builtin class
    without such a variable is registered as `_ember_exc_<Name>`, the class object itself.
    """
    cls = getattr(builtins, name, None)
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        raise ValueError(f"ember: {name!r} is not a builtin exception class")
    var = f"PyExc_{name}"
    try:
        slot = ctypes.c_void_p.in_dll(ctypes.pythonapi, var)
    except ValueError:
        sym = f"_ember_exc_{name}"
        register_object(sym, cls)
        return sym, False
    _add_symbol(var, ctypes.addressof(slot))
    return var, True


def register_address(name: str, address: int) -> None:
    """Bind symbol `name` to machine code at `address` (a runtime helper) for every engine."""
    _add_symbol(name, address)


def exception_var(name: str) -> str:
    """The symbol of a `PyObject *` variable holding builtin exception class `name`.

    `PyExc_<Name>` where CPython exports it; otherwise a pointer cell made here
    (`_ember_excvar_<Name>`, kept alive), so error tables can hold one kind of entry.
    """
    sym, is_var = exception_symbol(name)
    if is_var:
        return sym
    var = f"_ember_excvar_{name}"
    import llvmlite.binding as llvm

    with _lock:  # one cell per class even when threads race
        if var not in _registered:
            cell = ctypes.c_void_p(id(getattr(builtins, name)))
            _keepalive.append(cell)
            llvm.add_symbol(var, ctypes.addressof(cell))
            _registered[var] = ctypes.addressof(cell)
    return var


def register_python_symbols() -> None:
    """Register every CPython symbol the generated wrappers use (idempotent)."""
    if _registered.get("_ember_all") == 1:
        return
    for name in FUNCTIONS:
        _add_symbol(name, function_address(name))
    for name, obj in OBJECTS.items():
        register_object(name, obj)
    for box in SCALAR_BOXES:
        if box.kind == "npscalar":
            register_object(box.symbol, box.pytype)
    for exc in COMMON_EXCEPTIONS:
        exception_symbol(exc)
    register_numpy_api()
    with _lock:
        _registered["_ember_all"] = 1


def numpy_api_table() -> int:
    """The address of NumPy's C-API function table (`PyArray_API`)."""
    try:
        import numpy._core._multiarray_umath as mu
    except ImportError:  # NumPy 1.x
        import numpy.core._multiarray_umath as mu  # type: ignore[no-redef]

    # A private prototype: the shared ctypes.pythonapi attribute keeps its own argtypes.
    get = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)(
        ("PyCapsule_GetPointer", ctypes.pythonapi))
    addr = get(mu._ARRAY_API, None)
    if not addr:
        raise RuntimeError("ember: cannot read numpy's _ARRAY_API table")
    return addr


def register_numpy_api() -> None:
    """Bind `numpy.ndarray` and the NUMPY_API functions as symbols (idempotent)."""
    import numpy as np

    register_object(NDARRAY_SYMBOL, np.ndarray)
    table = (ctypes.c_void_p * (max(NUMPY_API.values()) + 1)).from_address(numpy_api_table())
    if table[2] != id(np.ndarray):  # entry 2 is &PyArray_Type: the table is the one we expect
        raise RuntimeError("ember: numpy's C-API table does not have the expected layout")
    for name, index in NUMPY_API.items():
        _add_symbol(f"_ember_{name}", table[index])


def capsule_name_symbol() -> str:
    """The symbol of a process-lifetime C string "ember.meminfo" (the capsules' name)."""
    sym = "_ember_meminfo_capsule_name"
    import llvmlite.binding as llvm

    with _lock:  # one string even when threads race
        if sym not in _registered:
            buf = ctypes.create_string_buffer(MEMINFO_CAPSULE_NAME.encode())
            _keepalive.append(buf)
            llvm.add_symbol(sym, ctypes.addressof(buf))
            _registered[sym] = ctypes.addressof(buf)
    return sym


def capsule_destructor() -> str:
    """The symbol of the meminfo capsule destructor, compiled with the runtime helpers."""
    from ember.backend import runtime_helpers as rt

    rt.ensure_runtime()
    return rt.CAPSULE_RELEASE


def declare_function(llmod: Any, name: str) -> Any:
    """The module's declaration of C-API function `name` (added on first use)."""
    from llvmlite import ir

    existing = llmod.globals.get(name)
    if existing is not None:
        return existing
    return ir.Function(llmod, _fn_types()[name], name=name)


def declare_object(llmod: Any, name: str) -> Any:
    """An external global whose address is the registered object `name` (compare/pass it)."""
    from llvmlite import ir

    existing = llmod.globals.get(name)
    if existing is not None:
        return existing
    # Typed as its first field (ob_refcnt, i64) so an inline incref stores through it.
    g = ir.GlobalVariable(llmod, ir.IntType(64), name=name)
    g.linkage = "external"
    return g


def declare_pointer_var(llmod: Any, name: str) -> Any:
    """An external `PyObject *` variable such as `PyExc_ZeroDivisionError` (load it)."""
    from llvmlite import ir

    existing = llmod.globals.get(name)
    if existing is not None:
        return existing
    g = ir.GlobalVariable(llmod, ir.PointerType(), name=name)
    g.linkage = "external"
    return g


def key_symbol(key: str) -> str:
    """The symbol of the interned str object `key` (a record key the wrapper looks up in a
    dict argument, or stores into a result dict); registered and kept alive on first use."""
    import sys

    name = "_ember_key_" + key.encode("utf-8").hex()
    register_object(name, sys.intern(key))
    return name
