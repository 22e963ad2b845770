"""LLVM IR text -> machine code in memory: parse, verify, optimize (O3, vectorizers), MCJIT.

llvmlite is imported on the first compile, never when ember is imported (it costs
~60 ms). Everything that can be reused is set up once (`_Shared`): target
initialisation, libm/CPython symbol registration, the pass-builder tuning options,
a TargetMachine for optimisation and assembly, and ONE MCJIT engine that every
compiled module is added to. A fresh engine per module would pay for a new
TargetMachine and its subtarget (the X86 lowering tables) on every compile, about
1.2 ms of a ~9 ms first call of a trivial function.

All modules share the engine's symbol namespace, so each module's exported
definitions get a unique suffix (`@ember.fn.f` -> `@ember.fn.f.17`) before they are
added; `Engine.address` takes the original names and the text views undo the
renaming. Once a module's code is loaded the module is taken out of the engine
again: the machine code stays (for the life of the process, so a builtin can never
outlive its code) and the IR belongs to its `Engine`, which prints it on demand.

Tiered compilation (backend/tiering.py) adds two more *domains* beside this shared one
(each a lock, an LLVM context, a pass pipeline and an MCJIT engine: what `Engine(...,
domain=)` compiles with): a quick tier (-O0 code generation) and a background O3 tier
with its own context. A collected Engine's module is disposed of under its domain's
lock (`bury`), never by the garbage collector in whatever thread it runs.
"""
from __future__ import annotations

import ctypes
import itertools
import threading
from typing import Any

# One lock for every LLVM call that touches shared state (the global context, the
# shared engine, the shared TargetMachine): llvmlite objects are not thread-safe.
_lock = threading.RLock()
_state: "_Shared | None" = None
_suffixes = itertools.count(1)


class _Shared:
    """What every compile reuses."""

    def __init__(self) -> None:
        import llvmlite.binding as llvm

        self.llvm = llvm
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        self.triple = llvm.get_process_triple()
        self.cpu = llvm.get_host_cpu_name()
        self.features = llvm.get_host_cpu_features().flatten()
        self.target = llvm.Target.from_triple(self.triple)
        self.tm = self.new_target_machine()  # for optimisation and asm only: never given to MCJIT
        self.data_layout = str(self.tm.target_data)
        self.pto = llvm.create_pipeline_tuning_options(speed_level=3)
        self.pto.loop_vectorization = True
        self.pto.slp_vectorization = True
        self.pto.loop_unrolling = True
        # compile_module(..., {"unroll": False}): no partial / runtime loop unrolling
        # (full unrolling of constant-trip loops still runs). On the gradient benchmark's
        # derivatives it saves 15-25% of the LLVM time and costs 0-25% of their speed.
        self.pto_no_unroll = llvm.create_pipeline_tuning_options(speed_level=3)
        self.pto_no_unroll.loop_vectorization = True
        self.pto_no_unroll.slp_vectorization = True
        self.pto_no_unroll.loop_unrolling = False
        _register_libm(llvm)
        _register_python_symbols()
        empty = llvm.parse_assembly("")
        empty.triple = self.triple
        empty.data_layout = self.data_layout
        # MCJIT owns this TargetMachine; it generates the code of every module.
        self.jit = llvm.create_mcjit_compiler(empty, self.new_target_machine())
        # As a compile domain (see `Engine`): the global context, under the module lock.
        self.lock = _lock
        self.context = None
        self.graveyard: list[Any] = []
        self.live: dict[int, Any] = {}

    def optimize(self, mod: Any, unroll: bool = True) -> None:
        """LLVM's O3 pipeline with the vectorizers (in place)."""
        pb = self.llvm.create_pass_builder(self.tm, self.pto if unroll else self.pto_no_unroll)
        pb.getModulePassManager().run(mod, pb)

    def new_target_machine(self) -> Any:
        return self.target.create_target_machine(
            cpu=self.cpu, features=self.features, opt=3, codemodel="jitdefault", jit=True)


def _register_libm(llvm: Any) -> None:
    """Resolve libm names for MCJIT by address, whatever the process's symbol visibility."""
    from .lower_math import LIBM_SYMBOLS

    try:
        # glibc's soname first: find_library runs `ldconfig -p` in a subprocess (5-20 ms
        # of a cold process's first compile).
        libm = ctypes.CDLL("libm.so.6")
    except OSError:
        from ctypes.util import find_library  # imports subprocess, shutil...: only if needed

        path = find_library("m")
        libm = ctypes.CDLL(path) if path else ctypes.CDLL(None)
    for base in LIBM_SYMBOLS:
        for name in (base, base + "f"):
            try:
                fn = getattr(libm, name)
            except AttributeError:
                continue
            llvm.add_symbol(name, ctypes.cast(fn, ctypes.c_void_p).value)


def _register_python_symbols() -> None:
    from .pyapi import register_python_symbols

    register_python_symbols()


def shared() -> _Shared:
    global _state
    if _state is None:
        with _lock:
            if _state is None:
                _state = _Shared()
    return _state


def load_runtime(llvm_ir: str, names: list[str], variables: tuple[str, ...] = ()) -> dict[str, int]:
    """Compile a process-wide helper module (backend/runtime_helpers.py) into the shared
    engine once and return the addresses of its functions `names` and of its global
    variables `variables`. Its names are not suffixed: they are global, and the caller
    binds them with `llvm.add_symbol`."""
    st = shared()
    llvm = st.llvm
    with _lock:
        mod = llvm.parse_assembly(llvm_ir)
        mod.verify()
        mod.triple = st.triple
        mod.data_layout = st.data_layout
        pb = llvm.create_pass_builder(st.tm, st.pto)
        pb.getModulePassManager().run(mod, pb)
        st.jit.add_module(mod)
        try:
            st.jit.finalize_object()
            addresses = {n: st.jit.get_function_address(n) for n in names}
            addresses.update({n: st.jit.get_global_value_address(n) for n in variables})
        finally:
            st.jit.remove_module(mod)
        _runtime_modules.append(mod)  # its IR stays owned here, like an Engine's
    return addresses


_runtime_modules: list[Any] = []
# Set by the disk cache (ember/disk_cache.py) when a `cache=True` function compiles:
# `runtime_loader(make_ir, names, variables)` does what `load_runtime(make_ir(), names,
# variables)` does, with the machine code kept on disk as an object file
# (backend/object_code.py); `make_ir` is called only when it has to be compiled.
runtime_loader: Any = None


def _exported(symbols: Any) -> list[Any]:
    """The definitions among `symbols` visible to other modules (they need a unique name)."""
    return [g for g in symbols if not g.is_declaration and g.linkage.name not in ("internal", "private")]


def bury(domain: Any) -> None:
    """Dispose of the modules of collected engines (the caller holds `domain.lock`)."""
    graves = domain.graveyard
    while graves:
        graves.pop().close()


class Engine:
    """One compiled module: its machine code (in the shared engine) and its optimized IR."""

    def __init__(self, llvm_ir: str, name: str = "ember", unroll: bool = True,
                 object_suffix: str | None = None, domain: Any = None) -> None:
        st = shared()
        llvm = st.llvm
        # The domain: the LLVM context, lock, pipeline and MCJIT engine this module is
        # compiled with. By default the shared O3 one; backend/tiering.py adds a quick
        # first tier and a background O3 tier, each with its own objects.
        dom = st if domain is None else domain
        self._domain = dom
        with dom.lock:
            bury(dom)
            # Malformed IR would abort the process inside codegen: parse and verify first
            # (the verifier costs ~0.05 ms).
            try:
                mod = llvm.parse_assembly(llvm_ir, context=dom.context)
                mod.verify()
            except RuntimeError as e:
                from .context import LoweringError

                raise LoweringError(f"the backend produced invalid LLVM IR: {e}") from None
            mod.name = name
            mod.triple = st.triple
            mod.data_layout = st.data_layout
            dom.optimize(mod, unroll)
            # A cached compile (backend/object_code.py) names its symbols after its cache
            # key: the object file must load under the same names in another process.
            suffix = object_suffix or f".{next(_suffixes)}"
            self._functions: dict[str, str] = {}  # original name -> unique name
            self._variables: dict[str, str] = {}
            for names, symbols in ((self._functions, mod.functions),
                                   (self._variables, mod.global_variables)):
                for g in _exported(symbols):
                    names[g.name] = g.name + suffix
                    g.name = g.name + suffix
            self.object_code: bytes | None = None
            if object_suffix is not None:
                from .object_code import add_as_object

                self.object_code = add_as_object(st, mod)
            else:
                dom.jit.add_module(mod)
            try:
                dom.jit.finalize_object()
                self._addresses = {orig: dom.jit.get_function_address(u)
                                   for orig, u in self._functions.items()}
            finally:
                if object_suffix is None:
                    dom.jit.remove_module(mod)
        self._module = mod
        # Held by the domain too: the garbage collector must never finalize the module
        # itself (it would, in a collected reference cycle, in any thread).
        dom.live[id(mod)] = mod
        self._optimized_ir: str | None = None

    def __del__(self) -> None:
        # Disposing of an LLVM module touches its context (the use lists of uniqued
        # constants), and a collection can run in any thread while another compiles in
        # that context: hand the module to its domain, which disposes of it under its
        # lock at its next compile. (`live` keeps the module itself reachable, so that a
        # cyclic collection finalizes this Engine but never the ModuleRef.)
        mod = getattr(self, "_module", None)
        if mod is not None:
            self._module = None
            self._domain.live.pop(id(mod), None)
            self._domain.graveyard.append(mod)

    def address(self, name: str) -> int:
        addr = self._addresses.get(name)
        if not addr:
            raise LookupError(f"no function {name!r} in the compiled module")
        return addr

    def _original_names(self) -> Any:
        """A copy of the optimized module under the names the backend gave its symbols."""
        llvm = shared().llvm
        copy = llvm.parse_assembly(str(self._module), context=self._domain.context)
        copy.name = self._module.name
        for orig, u in self._functions.items():
            copy.get_function(u).name = orig
        for orig, u in self._variables.items():
            copy.get_global_variable(u).name = orig
        return copy

    @property
    def optimized_ir(self) -> str:
        """The module after LLVM's O3 pipeline (printed on first use: printing costs)."""
        if self._optimized_ir is None:
            with self._domain.lock:
                self._optimized_ir = str(self._original_names())
        return self._optimized_ir

    def asm(self) -> str:
        """Assembly of the optimized module, emitted by the shared (non-JIT-owned) machine."""
        with self._domain.lock:
            return self._domain.tm.emit_assembly(self._original_names())
