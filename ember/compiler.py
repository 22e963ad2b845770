"""The driver: one Python function and one argument-type signature -> native code.

Runs the pipeline of DESIGN.md (frontend -> typeinfer -> passes -> backend) and keeps
every stage's output so that `inspect_ir` can show it. The layers never call each
other: this module hands type inference the function it uses to get a callee's
untyped IR.
"""
from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable

from ember.frontend import build_function
from ember.ir.clone import clone_module
from ember.ir.core import FuncOp, Module
from ember.ir.printer import print_func, print_module
from ember.ir.types import Type
from ember.ir.verifier import verify_module
from ember.ir.passes import optimize
from ember.typeinfer import infer_module

STAGES = ("untyped", "typed", "optimized", "llvm", "llvm-optimized", "asm")

_untyped_cache: "weakref.WeakKeyDictionary[Any, FuncOp]" = weakref.WeakKeyDictionary()
_untyped_lock = threading.RLock()


def untyped_ir(py_func: Any) -> FuncOp:
    """The frontend's IR of a Python function, built once per function object."""
    with _untyped_lock:
        f = _untyped_cache.get(py_func)
        if f is None:
            f = build_function(py_func)
            _untyped_cache[py_func] = f
        return f


@dataclass
class Specialization:
    """One compiled signature of a function, with every stage kept for inspection.

    The typed module is not kept: the passes mutate it in place and copying it costs
    up to 0.2 ms a compile. Type inference is deterministic, so `typed` reruns it (on
    the cached untyped IR) the first time a view asks for it."""

    arg_types: tuple[Type, ...]
    untyped: FuncOp
    optimized: Module
    entry: str
    compiled: Any  # ember.backend.CompiledFunction
    stats: dict[str, float] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    _typed: Module | None = field(default=None, repr=False)

    @property
    def typed(self) -> Module:
        if self._typed is None:
            self._typed, _ = _infer(self.untyped, self.arg_types, self.options)
        return self._typed

    @property
    def return_type(self) -> Type:
        return self.optimized[self.entry].return_type

    def make_callable(self, fallback: object) -> object:
        return self.compiled.make_callable(fallback)

    def stage_text(self, stage: str) -> str:
        """The printed form of one pipeline stage (see STAGES)."""
        if stage == "untyped":
            return print_func(self.untyped)
        if stage == "typed":
            return print_module(self.typed)
        if stage == "optimized":
            return print_module(self.optimized)
        if stage == "llvm":
            return self.compiled.llvm_ir
        if stage == "llvm-optimized":
            return self.compiled.llvm_ir_optimized
        if stage == "asm":
            return self.compiled.asm
        raise ValueError(f"unknown stage {stage!r}; choose one of {', '.join(STAGES)}")


def _infer(untyped: FuncOp, arg_types: tuple[Type, ...],
           options: dict[str, Any]) -> tuple[Module, str]:
    typed, entry = infer_module(untyped, list(arg_types), untyped_ir, options)
    for name, value in options.items():
        typed[entry].attributes[name] = value
    return typed, entry


Transform = Callable[[Module, str], str]


def compile_derivative(py_func: Any, arg_types: tuple[Type, ...], options: dict[str, Any],
                       transform: Transform) -> Specialization:
    """Compile the function that `transform` derives from `py_func` for `arg_types`.

    The transform (an autodiff entry point with its arguments bound) gets the scalarized
    typed module, before reference counting, adds the derived function and returns its
    symbol; the result is optimized again (with the counts) and compiled. The `typed`
    stage of the result shows the derived function as the transform wrote it."""
    from ember.backend import compile_module

    stats: dict[str, float] = {}
    t0 = time.perf_counter()
    untyped = untyped_ir(py_func)
    typed, entry = _infer(untyped, tuple(arg_types), options)
    t1 = time.perf_counter()
    optimize(typed, entry, counted=False)
    derived = transform(typed, entry)
    t2 = time.perf_counter()
    verify_module(typed, typed=True)
    written = clone_module(typed)
    optimized = optimize(typed, derived)
    t3 = time.perf_counter()
    # Full O3 as for the primal: {"unroll": False} would save 15-25% of the LLVM time
    # but cost up to 25% of steady-state speed (mlp, rk4): docs/autodiff.md, "compile time".
    compiled = compile_module(optimized, derived)
    t4 = time.perf_counter()
    stats.update(typeinfer=t1 - t0, autodiff=t2 - t1, passes=t3 - t2, backend=t4 - t3,
                 total=t4 - t0)
    return Specialization(tuple(arg_types), untyped, optimized, derived, compiled, stats,
                          dict(options), _typed=written)


def compile_specialization(py_func: Any, arg_types: tuple[Type, ...],
                           options: dict[str, Any]) -> Specialization:
    """Compile `py_func` for `arg_types`. Raises CompileError subclasses on user errors."""
    from ember.backend import compile_module  # llvmlite loads on the first compile only

    stats: dict[str, float] = {}
    t0 = time.perf_counter()
    untyped = untyped_ir(py_func)
    t1 = time.perf_counter()
    typed, entry = _infer(untyped, tuple(arg_types), options)
    t2 = time.perf_counter()
    optimized = optimize(typed, entry)  # in place: `Specialization.typed` redoes inference
    t3 = time.perf_counter()
    compiled = compile_module(optimized, entry)
    t4 = time.perf_counter()
    stats.update(frontend=t1 - t0, typeinfer=t2 - t1, passes=t3 - t2, backend=t4 - t3, total=t4 - t0)
    return Specialization(tuple(arg_types), untyped, optimized, entry, compiled, stats,
                          dict(options))
