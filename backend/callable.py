"""Turn a generated wrapper's address into a Python builtin, and chain specializations.

`make_builtin(address, name, fallback)` builds a `PyMethodDef` {name, address,
METH_FASTCALL | METH_KEYWORDS, doc} with ctypes and calls `PyCFunction_NewEx(def,
fallback, None)`: the result is an ordinary `builtin_function_or_method` whose C
function is the wrapper, and whose `self` (the wrapper's first argument) is the
object the wrapper forwards to when the arguments are not its own.

One PyMethodDef is made per (address, name) and kept for the life of the process
(CPython reads it on every call); a builtin does not keep the machine code alive,
so whoever owns the compiled code (the dispatcher) must outlive the builtin or be
reachable from its fallback.

Several specializations: `build_chain(makers, fallback)` makes each
specialization's builtin with the NEXT one as its fallback, the Python fallback
last (`spec1 -> spec2 -> ... -> fallback`). A miss costs one extra vectorcall into
the next builtin and its type checks (benchmarks/call_overhead_probe.py: about
11 ns per step; `add` through the dispatcher 64 ns on its 1st signature, 75 ns on
its 2nd or 3rd, Numba 180-280 ns), no LLVM module has to be compiled when a
signature is added, and the common case (one signature) pays nothing. So there is
no separate dispatch module: `emit_dispatch` is `build_chain` under the name the
design uses.
"""
from __future__ import annotations

import ctypes
import threading
from typing import Callable, Sequence

METH_KEYWORDS = 0x0002
METH_FASTCALL = 0x0080


class PyMethodDef(ctypes.Structure):
    _fields_ = [
        ("ml_name", ctypes.c_char_p),
        ("ml_meth", ctypes.c_void_p),
        ("ml_flags", ctypes.c_int),
        ("ml_doc", ctypes.c_char_p),
    ]


_PyCFunction_NewEx = ctypes.pythonapi.PyCFunction_NewEx
_PyCFunction_NewEx.argtypes = [ctypes.POINTER(PyMethodDef), ctypes.py_object, ctypes.py_object]
_PyCFunction_NewEx.restype = ctypes.py_object

_defs_lock = threading.Lock()
# CPython keeps a raw pointer to the PyMethodDef in every builtin made from it.
_defs: dict[tuple[int, str], PyMethodDef] = {}
_Py_IncRef = ctypes.pythonapi.Py_IncRef
_Py_IncRef.argtypes = [ctypes.py_object]


def _method_def(address: int, name: str, doc: str | None) -> PyMethodDef:
    key = (address, name)
    with _defs_lock:
        d = _defs.get(key)
        if d is None:
            d = PyMethodDef(name.encode("utf-8"), address, METH_FASTCALL | METH_KEYWORDS,
                            doc.encode("utf-8") if doc else None)
            _defs[key] = d
            # Never freed, not even when the interpreter clears this module at exit: a
            # builtin still alive then reads its PyMethodDef when it is deallocated (the
            # METH_METHOD flag), and a freed one crashed the process at exit.
            _Py_IncRef(d)
        return d


def retarget(address: int, name: str, new_address: int) -> None:
    """Make every builtin made from (`address`, `name`) call `new_address` instead (a
    tiered compile's O3 wrapper, same signature). CPython reads `ml_meth` on every
    call, under the GIL, which this write also holds."""
    with _defs_lock:
        d = _defs.get((address, name))
        if d is not None:
            d.ml_meth = new_address


def make_builtin(address: int, name: str, fallback: object, doc: str | None = None) -> object:
    """A builtin calling the wrapper at `address` with `self` = `fallback`."""
    if not address:
        raise ValueError("ember: null wrapper address")
    d = _method_def(address, name, doc)
    return _PyCFunction_NewEx(ctypes.byref(d), fallback, None)


def build_chain(makers: Sequence[Callable[[object], object]], fallback: object) -> object:
    """The head of `makers[0] -> makers[1] -> ... -> fallback`.

    Each maker takes the object its builtin falls back to and returns the builtin
    (e.g. `CompiledFunction.make_callable`). Earlier makers are tried first.
    """
    head = fallback
    for make in reversed(makers):
        head = make(head)
    return head


emit_dispatch = build_chain
