"""Machine code as relocatable object files: made once for the disk cache, loaded back later.

The disk cache (ember/disk_cache.py) compiles a module with
`compile_module(..., {"object_suffix": ".k<key>"})`: the engine names the module's
exported symbols after the cache key instead of its per-process counter, makes the
machine code with `TargetMachine.emit_object` and hands that object file to the
shared MCJIT engine (`add_as_object`), so the code that runs now is byte for byte
the code stored. `object_record` says what a later process needs to use those
bytes without any LLVM IR: the symbol names, the wrapper, the external symbols the
code refers to and the error table.

`load_object` is the other half: it binds every external symbol the object needs
(CPython objects, exception classes, dict keys, the runtime helpers, by name, as the
backend does while lowering) and refuses the object, returning None, if one cannot
be bound: MCJIT aborts the whole process on an unresolved symbol. A key already
loaded in this process is never loaded twice (its names would clash): the disk cache
keeps the first `LoadedFunction` and reuses it.
"""
from __future__ import annotations

import builtins
from typing import Any, Callable

from ember.ir.types import Type

from .compiled import CompiledFunction


def add_as_object(st: Any, mod: Any) -> bytes:
    """Make `mod`'s machine code as an object file and add it to the shared engine
    (called by Engine under the engine lock, before finalize)."""
    data = st.tm.emit_object(mod)
    st.jit.add_object_file(st.llvm.ObjectFileRef.from_data(data))
    return bytes(data)


def object_record(compiled: CompiledFunction) -> dict[str, Any]:
    """What the cache stores beside the object bytes of `compiled` (JSON-safe)."""
    engine = compiled.engine
    if engine.object_code is None or compiled.wrapper_address is None:
        raise ValueError("ember: not compiled as an object file with a wrapper")
    wrapper = next(n for n, a in engine._addresses.items() if a == compiled.wrapper_address)
    mod = engine._module
    externals = sorted(g.name for g in (*mod.functions, *mod.global_variables)
                       if g.is_declaration and not g.name.startswith("llvm."))
    return {
        "name": compiled.name,
        "functions": dict(engine._functions),
        "wrapper": wrapper,
        "externals": externals,
        "error_table": [list(e) for e in compiled.error_table],
    }


def _bind(name: str) -> None:
    """Register external symbol `name` the way the backend does when it first uses it."""
    from . import pyapi

    if name.startswith("_ember_key_"):
        pyapi.key_symbol(bytes.fromhex(name[len("_ember_key_"):]).decode("utf-8"))
    elif name.startswith("_ember_excvar_"):
        pyapi.exception_var(name[len("_ember_excvar_"):])
    elif name.startswith(("PyExc_", "_ember_exc_")):
        exc = name[len("PyExc_"):] if name.startswith("PyExc_") else name[len("_ember_exc_"):]
        if isinstance(getattr(builtins, exc, None), type):
            pyapi.exception_symbol(exc)
    elif name == "_ember_meminfo_capsule_name":
        pyapi.capsule_name_symbol()


def _bind_all(externals: list[str]) -> bool:
    """Bind every symbol in `externals`; False if one has no address in this process."""
    from . import runtime_helpers as rt
    from .engine import shared

    llvm = shared().llvm  # also registers the CPython, NumPy and libm symbols
    rt.ensure_runtime()
    for name in externals:
        if llvm.address_of_symbol(name):
            continue
        try:
            _bind(name)
        except (ValueError, UnicodeDecodeError, RuntimeError):
            return False
        if not llvm.address_of_symbol(name):
            return False
    return True


class LoadedFunction:
    """A compiled entry function loaded from an object file: what `CompiledFunction`
    offers, its text views (`llvm_ir`, `llvm_ir_optimized`, `asm`) made on demand by
    `views()`, which compiles the module again (the cache does not store IR)."""

    def __init__(self, name: str, wrapper_address: int, error_table: list[tuple[str, str]],
                 arg_types: list[Type], return_type: Type,
                 views: Callable[[], CompiledFunction]) -> None:
        self.name = name
        self.wrapper_address: int | None = wrapper_address
        self.entry_address: int | None = None
        self.error_table = error_table
        self.arg_types = arg_types
        self.return_type = return_type
        self._views = views
        self._compiled: CompiledFunction | None = None

    def _recompiled(self) -> CompiledFunction:
        if self._compiled is None:
            self._compiled = self._views()
        return self._compiled

    @property
    def llvm_ir(self) -> str:
        return self._recompiled().llvm_ir

    @property
    def llvm_ir_optimized(self) -> str:
        return self._recompiled().llvm_ir_optimized

    @property
    def asm(self) -> str:
        return self._recompiled().asm

    def wait_optimized(self) -> None:
        """Loaded code is the O3 code already (as CompiledFunction's, for callers)."""

    def make_callable(self, fallback: object) -> Any:
        from .callable import make_builtin

        return make_builtin(self.wrapper_address or 0, self.name, fallback)


def load_object(data: bytes, record: dict[str, Any], arg_types: list[Type], return_type: Type,
                views: Callable[[], CompiledFunction]) -> LoadedFunction | None:
    """Load object code `data` (made by `add_as_object`, described by `record`) into the
    shared engine; None if this process cannot bind one of its external symbols."""
    from .engine import _lock, shared

    if not _bind_all(list(record["externals"])):
        return None
    st = shared()
    with _lock:
        st.jit.add_object_file(st.llvm.ObjectFileRef.from_data(data))
        st.jit.finalize_object()
        address = st.jit.get_function_address(record["functions"][record["wrapper"]])
    if not address:
        return None
    table = [(str(e), str(m)) for e, m in record["error_table"]]
    return LoadedFunction(record["name"], address, table, arg_types, return_type, views)


def load_runtime_object(make_ir: Callable[[], str], names: list[str],
                        variables: tuple[str, ...],
                        stored: bytes | None) -> tuple[dict[str, int], bytes | None]:
    """`engine.load_runtime` through object code: load `stored` (the helpers' machine
    code from the disk cache), or compile `make_ir()` as an object file when it is None.
    Returns the addresses and the object code made now (None when `stored` was used)."""
    from .engine import _lock, shared

    st = shared()
    llvm = st.llvm
    made: bytes | None = None
    with _lock:
        if stored is None:
            mod = llvm.parse_assembly(make_ir())
            mod.verify()
            mod.triple = st.triple
            mod.data_layout = st.data_layout
            st.optimize(mod)
            stored = made = bytes(st.tm.emit_object(mod))
        st.jit.add_object_file(llvm.ObjectFileRef.from_data(stored))
        st.jit.finalize_object()
        addresses = {n: st.jit.get_function_address(n) for n in names}
        addresses.update({n: st.jit.get_global_value_address(n) for n in variables})
    return addresses, made
