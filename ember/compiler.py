"""The driver: one Python function and one argument-type signature -> native code.

Runs the pipeline of DESIGN.md (frontend -> typeinfer -> passes -> backend) and keeps
every stage's output so that `inspect_ir` can show it. The layers never call each
other: this module hands type inference the function it uses to get a callee's
untyped IR.

With the option `cache=True` the backend goes through the disk cache
(ember/disk_cache.py): the key is a hash of the printed typed module (entry and
every callee), and on a hit the passes and LLVM are skipped; the stages that
need them (`optimized`, `llvm`, ...) are recomputed when a view asks for them.
Before the frontend runs, a cheaper key of the Python source and the values it
reads (ember/source_key.py) is tried: on a hit there, nothing but the loading
runs, and `untyped`/`typed` are recomputed on demand too. The frontend, type
inference and the passes are imported on first use, not with this module.
"""
from __future__ import annotations

import functools
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from ember.gc_pause import gc_paused
from ember.ir.clone import clone_module
from ember.ir.core import FuncOp, Module
from ember.ir.printer import print_func, print_module
from ember.ir.types import Type
from ember.ir.verifier import verify_module

STAGES = ("untyped", "typed", "optimized", "llvm", "llvm-optimized", "asm")

_untyped_cache: "weakref.WeakKeyDictionary[Any, FuncOp]" = weakref.WeakKeyDictionary()
_untyped_lock = threading.RLock()


def untyped_ir(py_func: Any) -> FuncOp:
    """The frontend's IR of a Python function, built once per function object."""
    with _untyped_lock:
        f = _untyped_cache.get(py_func)
        if f is None:
            from ember.frontend import build_function

            f = build_function(py_func)
            _untyped_cache[py_func] = f
        return f


@dataclass
class Specialization:
    """One compiled signature of a function, with every stage kept for inspection.

    The typed module is not kept: the passes mutate it in place and copying it costs
    up to 0.2 ms a compile. Type inference is deterministic, so `typed` reruns it (on
    the cached untyped IR) the first time a view asks for it. A derivative keeps neither
    module: `_retype` reruns inference and the transform, `_rebuild` the passes too."""

    arg_types: tuple[Type, ...]
    _untyped: FuncOp | None  # None after a source-key cache hit: built from _py_func
    _optimized: Module | None  # None after a cache hit or for a derivative: `_rebuild` makes it
    entry: str
    compiled: Any  # ember.backend.CompiledFunction (or object_code.LoadedFunction)
    stats: dict[str, float] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    _typed: Module | None = field(default=None, repr=False)
    _rebuild: Callable[[], Module] | None = field(default=None, repr=False)
    _return_type: Type | None = field(default=None, repr=False)
    _py_func: Any = field(default=None, repr=False)
    _retype: Callable[[], Module] | None = field(default=None, repr=False)

    @property
    def untyped(self) -> FuncOp:
        if self._untyped is None:
            self._untyped = untyped_ir(self._py_func)
        return self._untyped

    @property
    def optimized(self) -> Module:
        if self._optimized is None and self._rebuild is not None:
            self._optimized = self._rebuild()
        assert self._optimized is not None
        return self._optimized

    @property
    def typed(self) -> Module:
        if self._typed is None:
            if self._retype is not None:  # a derivative: inference and its transform again
                self._typed = self._retype()
            else:
                self._typed, _ = _infer(self.untyped, self.arg_types, self.options)
        return self._typed

    @property
    def return_type(self) -> Type:
        if self._return_type is not None:
            return self._return_type
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


def _foreground(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A compile during which (and shortly after which) no background O3 compile starts:
    llvmlite's one lock would make this compile wait for it (backend/tiering.py)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        from ember.backend import tiering

        with tiering.compiling():
            return fn(*args, **kwargs)

    return run


_BACKEND_ONLY = ("cache", "tiered")


def _backend_options(options: dict[str, Any]) -> dict[str, Any]:
    """What `compile_module` takes of the jit options: `tiered=False` compiles O3 at once."""
    return {"tiered": options.get("tiered", True)}


def _infer(untyped: FuncOp, arg_types: tuple[Type, ...],
           options: dict[str, Any]) -> tuple[Module, str]:
    # `cache` and `tiered` change where and when the machine code is made, never the IR.
    from ember.typeinfer import infer_module

    options = {k: v for k, v in options.items() if k not in _BACKEND_ONLY}
    typed, entry = infer_module(untyped, list(arg_types), untyped_ir, options)
    for name, value in options.items():
        typed[entry].attributes[name] = value
    return typed, entry


def typed_module(py_func: Any, arg_types: Sequence[Type],
                 options: dict[str, Any]) -> tuple[Module, str]:
    """`py_func`'s typed module for `arg_types` and its entry symbol, with the jit options
    on the entry (what every compile starts from; derivatives and custom rules too)."""
    return _infer(untyped_ir(py_func), tuple(arg_types), options)


Transform = Callable[[Module, str], str]


@gc_paused
@_foreground
def compile_derivative(py_func: Any, arg_types: tuple[Type, ...], options: dict[str, Any],
                       transform: Transform) -> Specialization:
    """Compile the function that `transform` derives from `py_func` for `arg_types`.

    The transform (an autodiff entry point with its arguments bound) gets the scalarized
    typed module, before reference counting, adds the derived function and returns its
    symbol; the result is optimized again (with the counts) and compiled. The `typed`
    stage of the result shows the derived function as the transform wrote it."""
    from ember.backend import compile_module
    from ember.ir.passes import optimize

    stats: dict[str, float] = {}
    t0 = time.perf_counter()
    untyped = untyped_ir(py_func)
    typed, entry = _infer(untyped, tuple(arg_types), options)
    t1 = time.perf_counter()
    optimize(typed, entry, counted=False)
    derived = transform(typed, entry)
    t2 = time.perf_counter()
    verify_module(typed, typed=True)
    if options.get("cache"):
        # The transform always runs (it also fills the caller's plan): the key is the
        # module it wrote, so it covers the transform too.
        stats.update(typeinfer=t1 - t0, autodiff=t2 - t1)
        return _through_cache(py_func, tuple(arg_types), options, untyped, typed,
                              clone_module(typed), derived, stats, t0, None)
    optimized = optimize(typed, derived)
    t3 = time.perf_counter()
    # Full O3 as for the primal: {"unroll": False} would save 15-25% of the LLVM time
    # but cost up to 25% of steady-state speed (mlp, rk4): docs/autodiff.md, "compile time".
    compiled = compile_module(optimized, derived, _backend_options(options))
    t4 = time.perf_counter()
    stats.update(typeinfer=t1 - t0, autodiff=t2 - t1, passes=t3 - t2, backend=t4 - t3,
                 total=t4 - t0)
    # The `typed` and `optimized` views are rebuilt when asked for: copying the module
    # for `typed` cost ~2 ms a gradient, and both modules lived as long as the function
    # (tens of thousands of objects for the garbage collector to walk again and again).
    # Inference, the passes and the transform are deterministic; the transform refills
    # the caller's plan with the same values.
    types = tuple(arg_types)

    def retype() -> Module:
        again, e = _infer(untyped, types, options)
        optimize(again, e, counted=False)
        transform(again, e)
        return again

    return Specialization(types, untyped, None, derived, compiled, stats, dict(options),
                          _retype=retype, _rebuild=lambda: optimize(retype(), derived),
                          _return_type=optimized[derived].return_type)


@gc_paused
@_foreground
def compile_specialization(py_func: Any, arg_types: tuple[Type, ...],
                           options: dict[str, Any]) -> Specialization:
    """Compile `py_func` for `arg_types`. Raises CompileError subclasses on user errors."""
    stats: dict[str, float] = {}
    t0 = time.perf_counter()
    source_key = None
    if options.get("cache"):
        from ember import disk_cache

        source_key = disk_cache.source_key_for(py_func, tuple(arg_types), options)
        if source_key is not None:
            spec = _source_hit(py_func, tuple(arg_types), options, source_key, t0)
            if spec is not None:
                return spec
    from ember.backend import compile_module  # llvmlite loads on the first compile only
    from ember.ir.passes import optimize

    untyped = untyped_ir(py_func)
    t1 = time.perf_counter()
    typed, entry = _infer(untyped, tuple(arg_types), options)
    t2 = time.perf_counter()
    stats.update(frontend=t1 - t0, typeinfer=t2 - t1)
    if options.get("cache"):
        return _through_cache(py_func, tuple(arg_types), options, untyped, typed, None,
                              entry, stats, t0, source_key)
    from ember.backend.library import share_library_calls

    # list.sort & co. compiled once per process, called from here (backend/library.py)
    share_library_calls(typed, entry, bool(options.get("tiered", True)))
    optimized = optimize(typed, entry)  # in place: `Specialization.typed` redoes inference
    t3 = time.perf_counter()
    compiled = compile_module(optimized, entry, _backend_options(options))
    t4 = time.perf_counter()
    stats.update(frontend=t1 - t0, typeinfer=t2 - t1, passes=t3 - t2, backend=t4 - t3, total=t4 - t0)
    return Specialization(tuple(arg_types), untyped, optimized, entry, compiled, stats,
                          dict(options))


def _source_hit(py_func: Any, arg_types: tuple[Type, ...], options: dict[str, Any],
                source_key: str, t0: float) -> Specialization | None:
    """The fast path of the disk cache: an entry found by the key of the Python source
    (ember/source_key.py) is loaded before the frontend runs; every IR stage is then
    recomputed on demand. None: no such entry (the full pipeline runs)."""
    from ember import disk_cache
    from ember.backend.object_code import load_object
    from ember.ir.types import parse_type

    lazy: dict[str, Any] = {}

    def typed_module() -> tuple[Module, str]:
        if "typed" not in lazy:
            lazy["typed"] = _infer(untyped_ir(py_func), arg_types, options)
        return lazy["typed"]

    def rebuild() -> Module:
        from ember.ir.passes import optimize

        if "optimized" not in lazy:
            typed, entry = typed_module()
            lazy["optimized"] = optimize(clone_module(typed), entry)
        return lazy["optimized"]

    def views() -> Any:
        from ember.backend import compile_module

        return compile_module(rebuild(), typed_module()[1])

    def load(code: bytes, meta: dict[str, Any]) -> Any:
        ret = parse_type(meta["return_type"])
        return load_object(code, meta["record"], list(arg_types), ret, views)

    found = disk_cache.lookup_source(py_func, source_key, load)
    if found is None:
        return None
    compiled, meta = found
    t1 = time.perf_counter()
    stats = {"cache": 1.0, "backend": t1 - t0, "total": t1 - t0}
    return Specialization(arg_types, None, None, str(meta["function"]), compiled, stats,
                          dict(options), _rebuild=rebuild,
                          _return_type=parse_type(meta["return_type"]), _py_func=py_func)


def _through_cache(py_func: Any, arg_types: tuple[Type, ...], options: dict[str, Any],
                   untyped: FuncOp, typed: Module, written: Module | None, entry: str,
                   stats: dict[str, float], t0: float, source_key: str | None) -> Specialization:
    """The rest of the pipeline through the disk cache: `typed` holds `entry` and every
    function it reaches, inferred (and, for a derivative, transformed: `written` is its
    copy); a hit loads the stored machine code and skips the passes and LLVM. The entry
    is also stored under `source_key` (when there is one) for `_source_hit`."""
    from ember import disk_cache
    from ember.backend import compile_module
    from ember.backend.object_code import load_object
    from ember.ir.passes import optimize

    t1 = time.perf_counter()
    text = print_module(typed)
    key = disk_cache.key_for(text, options, "derivative" if written is not None else "jit")
    f = typed[entry]
    arg_list, ret = list(f.arg_types), f.return_type
    pristine = written if written is not None else typed  # never optimized in place on a hit
    optimized: list[Module] = []

    def rebuild() -> Module:
        if not optimized:
            optimized.append(optimize(clone_module(pristine), entry))
        return optimized[0]

    def views() -> Any:
        return compile_module(rebuild(), entry)

    def build(suffix: str) -> Any:
        optimized.append(optimize(typed, entry))
        return compile_module(optimized[0], entry, {"object_suffix": suffix})

    def load(code: bytes, record: dict[str, Any]) -> Any:
        return load_object(code, record, arg_list, ret, views)

    label = {"function": entry, "qualname": getattr(py_func, "__qualname__", entry),
             "signature": "(" + ", ".join(map(str, arg_types)) + ") -> " + str(ret),
             "return_type": str(ret),
             "source": getattr(getattr(py_func, "__code__", None), "co_filename", "")}
    compiled, hit = disk_cache.get_or_compile(py_func, key, label, load, build, source_key)
    t2 = time.perf_counter()
    stats.update(cache=1.0 if hit else 0.0, backend=t2 - t1, total=t2 - t0)
    if written is None and hit:
        written = typed  # not optimized: the `typed` view as inference wrote it
    return Specialization(arg_types, untyped, optimized[0] if optimized else None, entry,
                          compiled, stats, dict(options), _typed=written, _rebuild=rebuild,
                          _return_type=ret)
