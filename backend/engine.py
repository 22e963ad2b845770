"""LLVM IR text -> machine code in memory: parse, verify, optimize (O3, vectorizers), MCJIT.

llvmlite is imported on the first compile, never when ember is imported (it costs
~60 ms). Target initialisation, libm/CPython symbol registration, the pass-builder
tuning options and a TargetMachine used for optimisation and assembly are set up
once and reused; MCJIT takes ownership of its TargetMachine, so every engine gets
a fresh one.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import threading
from typing import Any

_lock = threading.Lock()
_state: "_Shared | None" = None


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
        _register_libm(llvm)
        _register_python_symbols()

    def new_target_machine(self) -> Any:
        return self.target.create_target_machine(
            cpu=self.cpu, features=self.features, opt=3, codemodel="jitdefault", jit=True)


def _register_libm(llvm: Any) -> None:
    """Resolve libm names for MCJIT by address, whatever the process's symbol visibility."""
    from .lower_math import LIBM_SYMBOLS

    path = ctypes.util.find_library("m")
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


class Engine:
    """One compiled module kept alive: the MCJIT engine and the optimized module."""

    def __init__(self, llvm_ir: str, name: str = "ember") -> None:
        st = shared()
        llvm = st.llvm
        # Malformed IR would abort the process inside codegen: parse and verify first.
        try:
            mod = llvm.parse_assembly(llvm_ir)
            mod.verify()
        except RuntimeError as e:
            from .context import LoweringError

            raise LoweringError(f"the backend produced invalid LLVM IR: {e}") from None
        mod.name = name
        mod.triple = st.triple
        mod.data_layout = st.data_layout
        with _lock:
            pb = llvm.create_pass_builder(st.tm, st.pto)
            pb.getModulePassManager().run(mod, pb)
        self.optimized_ir = str(mod)
        self._engine = llvm.create_mcjit_compiler(mod, st.new_target_machine())
        self._engine.finalize_object()
        self._module = mod

    def address(self, name: str) -> int:
        addr = self._engine.get_function_address(name)
        if not addr:
            raise LookupError(f"no function {name!r} in the compiled module")
        return addr

    def asm(self) -> str:
        """Assembly of the optimized module, emitted by the shared (non-JIT-owned) machine."""
        st = shared()
        with _lock:
            return st.tm.emit_assembly(st.llvm.parse_assembly(self.optimized_ir))
