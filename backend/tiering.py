"""Tiered compilation: a quick first tier now, LLVM's O3 in a background thread later.

LLVM's O3 pipeline and its SelectionDAG code generator are 70-90% of a first call
(docs/compile-time.md). So a module with a CPython wrapper is first compiled by the
*quick tier*: a few cleanup passes (SROA, InstCombine, SimplifyCFG) and code generation
at -O0 (fast instruction selection, the greedy register allocator), 3-7x cheaper. Its
builtin is returned at once. The same LLVM text is queued for the *O3 tier*, which a
single daemon worker thread compiles in its own LLVM context with its own target
machines and MCJIT engine (llvmlite's ctypes calls release the GIL, so it runs beside
the caller). When it is ready, `CompiledFunction` points the PyMethodDef behind every
builtin it made at the O3 wrapper: the swap is one pointer write under the GIL, and a
call still running in quick-tier code finishes there (no code is ever freed).

Both tiers compile the same LLVM IR, so they compute the same results (no fast-math
flags anywhere); only speed differs. The price: a long-running *first* call runs in
quick-tier code (most loops 1-2.7x slower, hard-vectorized ones up to 12x) until it
returns. `EMBER_TIERED=0` in
the environment turns tiering off (every compile is O3, synchronously);
`wait_all()` (`ember.wait_compiled()`) blocks until every queued O3 compile is in.

Thread safety: the quick tier uses the shared engine's lock and the global context;
the O3 tier uses its own lock and context, so neither waits for the other. A view
(`llvm-optimized`, `asm`) of a function waits for its O3 tier, running it in the
calling thread if the worker has not started it yet.
"""
from __future__ import annotations

import atexit
import collections
import contextlib
import os
import threading
import time
from typing import Any, Callable, Iterator

_ENV = "EMBER_TIERED"


def enabled() -> bool:
    """Whether new compiles are tiered (read on every compile: tests can switch it).
    Not once the interpreter is exiting: no worker would run the O3 tier."""
    if _closing:
        return False
    return os.environ.get(_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


class _QuickDomain:
    """The quick tier: shares the engine lock and the global context with the O3
    engine; its own MCJIT engine generates code at -O0."""

    def __init__(self, st: Any) -> None:
        llvm = st.llvm
        self.llvm = llvm
        self.lock = st.lock
        self.context = None
        self.graveyard: list[Any] = []
        self.live: dict[int, Any] = {}
        self.tm = st.tm  # for pass analyses and `asm` (never given to MCJIT)
        empty = llvm.parse_assembly("")
        empty.triple = st.triple
        empty.data_layout = st.data_layout
        # -O0 code generation with the greedy register allocator of -O1..-O3 (the
        # option only changes -O0: the others use it already). The -O0 default keeps
        # every value in a stack slot across blocks: loops ran up to 12x slower than
        # O3's, now 1-3x; code generation costs ~1.5x more, still 3-5x less than O3's.
        llvm.set_option("ember", "-optimize-regalloc=true")
        tm0 = st.target.create_target_machine(cpu=st.cpu, features=st.features, opt=0,
                                              codemodel="jitdefault", jit=True)
        self.jit = llvm.create_mcjit_compiler(empty, tm0)
        self._pto = llvm.create_pipeline_tuning_options(speed_level=1)

    def optimize(self, mod: Any, unroll: bool = True) -> None:
        # SROA turns the lowering's allocas into registers: -O0 code generation keeps
        # every alloca in memory, which makes loops several times slower than these
        # three passes cost (~0.1 ms per KB of IR).
        llvm = self.llvm
        mpm = llvm.create_new_module_pass_manager()
        mpm.add_sroa_pass()
        mpm.add_instruction_combine_pass()
        mpm.add_simplify_cfg_pass()
        mpm.run(mod, llvm.create_pass_builder(self.tm, self._pto))


class _BackgroundDomain:
    """The O3 tier: its own lock, LLVM context, target machines and MCJIT engine."""

    def __init__(self, st: Any) -> None:
        llvm = st.llvm
        self.llvm = llvm
        self.lock = threading.RLock()
        self.context = llvm.create_context()
        self.graveyard: list[Any] = []
        self.live: dict[int, Any] = {}
        self.tm = st.new_target_machine()
        empty = llvm.parse_assembly("", context=self.context)
        empty.triple = st.triple
        empty.data_layout = st.data_layout
        self.jit = llvm.create_mcjit_compiler(empty, st.new_target_machine())
        self._pto = {}
        for unroll in (True, False):
            pto = llvm.create_pipeline_tuning_options(speed_level=3)
            pto.loop_vectorization = True
            pto.slp_vectorization = True
            pto.loop_unrolling = unroll
            self._pto[unroll] = pto

    def optimize(self, mod: Any, unroll: bool = True) -> None:
        pb = self.llvm.create_pass_builder(self.tm, self._pto[unroll])
        pb.getModulePassManager().run(mod, pb)


_domains_lock = threading.Lock()
_quick: _QuickDomain | None = None
_background: _BackgroundDomain | None = None


def quick_domain() -> _QuickDomain:
    global _quick
    from .engine import shared

    if _quick is None:
        st = shared()
        with _domains_lock, st.lock:
            if _quick is None:
                _quick = _QuickDomain(st)
    return _quick


def background_domain() -> _BackgroundDomain:
    global _background
    from .engine import shared

    if _background is None:
        st = shared()
        with _domains_lock:
            if _background is None:
                _background = _BackgroundDomain(st)
    return _background


class TierUp:
    """One queued O3 compile of a module's LLVM text; `on_ready(engine)` installs it."""

    def __init__(self, llvm_ir: str, name: str, unroll: bool,
                 on_ready: Callable[[Any], None],
                 wanted: Callable[[], bool] | None = None) -> None:
        self.llvm_ir = llvm_ir
        # False once nobody can call the result (the function was collected): the
        # compile is skipped. Test suites and throwaway functions make many of those.
        self.wanted = wanted
        self.skipped = False
        self.name = name
        self.unroll = unroll
        self.on_ready: Callable[[Any], None] | None = on_ready
        self.state = "pending"  # -> "running" -> "done"
        self.error: BaseException | None = None
        self._done = threading.Event()

    def _claim(self) -> bool:
        with _cond:
            if self.state != "pending":
                return False
            self.state = "running"
            _running.add(self)
            return True

    def _run(self) -> None:
        global _outstanding
        from .engine import Engine

        try:
            if self.wanted is not None and not self.wanted():
                self.skipped = True
                return
            engine = Engine(self.llvm_ir, name=self.name, unroll=self.unroll,
                            domain=background_domain())
            if self.on_ready is not None:
                self.on_ready(engine)
        except Exception as e:  # the quick tier stays installed: still correct
            self.error = e
        finally:
            # the text can be large, and on_ready holds the CompiledFunction that holds
            # this job: drop both once done
            self.llvm_ir = ""
            self.on_ready = self.wanted = None
            with _cond:
                self.state = "done"
                _running.discard(self)
                _outstanding -= 1
                _cond.notify_all()
            self._done.set()

    def wait(self) -> None:
        """Block until installed; run it here if the worker has not started it yet."""
        if self._claim():
            self._run()
        else:
            self._done.wait()


_cond = threading.Condition()
_queue: "collections.deque[TierUp]" = collections.deque()
_deferred: "list[TierUp]" = []
_outstanding = 0
_running: "set[TierUp]" = set()
_worker: threading.Thread | None = None
_closing = False
_paused = 0
# Compiles in progress in any thread, and when the last one ended (time.monotonic()):
# the worker starts an O3 compile only after QUIET seconds without one. llvmlite runs
# one LLVM call at a time (a process-wide lock) and an O3 pipeline is one call of up to
# ~0.2 s, so an O3 compile started between two first calls would hold up the second.
QUIET = 0.05
_compiling = 0
_last_compile = 0.0


def schedule(job: TierUp) -> None:
    global _outstanding
    with _cond:
        _outstanding += 1
        _enqueue(job)


def defer(job: TierUp) -> None:
    """Queue `job` just before the next scheduled one (or at the next `wait_all`).
    llvmlite serializes every LLVM call on one lock, so an O3 compile running in the
    background delays a quick compile: a library module (backend/library.py) compiled
    while a module is being compiled waits until that module's quick tier is in."""
    global _outstanding
    with _cond:
        _outstanding += 1
        _deferred.append(job)


def _enqueue(job: "TierUp | None") -> None:
    """Queue the deferred jobs, then `job`, and make sure a worker runs (holding _cond)."""
    global _worker
    _queue.extend(_deferred)
    _deferred.clear()
    if job is not None:
        _queue.append(job)
    if _queue and (_worker is None or not _worker.is_alive()):
        _worker = threading.Thread(target=_work, name="ember-tier-up", daemon=True)
        _worker.start()
    _cond.notify_all()


@contextlib.contextmanager
def compiling() -> Iterator[None]:
    """Around a whole compile (frontend to machine code): no O3 compile starts in the
    background meanwhile, nor until QUIET seconds after it. One started already runs on."""
    global _compiling, _last_compile
    with _cond:
        _compiling += 1
    try:
        yield
    finally:
        with _cond:
            _compiling -= 1
            _last_compile = time.monotonic()
            _cond.notify_all()


def _quiet_for() -> float:
    """Seconds the worker must still wait before starting a job (0: go); holds _cond."""
    if _compiling:
        return QUIET
    return max(0.0, _last_compile + QUIET - time.monotonic())


def _work() -> None:
    while True:
        with _cond:
            while not _closing:
                if _queue and not _paused:
                    wait = _quiet_for()
                    if wait <= 0.0:
                        break
                    _cond.wait(wait)
                else:
                    _cond.wait()
            if _closing:
                return
            job = _queue.popleft()
        if job._claim():
            job._run()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """While inside, the worker starts no O3 compile (a waiting view still runs its
    own): tests use it to call the quick tier for certain, then install O3 with
    `CompiledFunction.wait_optimized()`."""
    global _paused
    with _cond:
        _paused += 1
    try:
        yield
    finally:
        with _cond:
            _paused -= 1
            _cond.notify_all()


def wait_all(timeout: float | None = None) -> bool:
    """Block until every scheduled O3 compile is installed; False on timeout. Without a
    timeout the calling thread compiles queued jobs itself instead of waiting idle."""
    with _cond:
        if _deferred:
            _enqueue(None)
    if timeout is None:
        while True:
            with _cond:
                if not _queue:
                    break
                job = _queue.popleft()
            if job._claim():
                job._run()
    with _cond:
        return _cond.wait_for(lambda: _outstanding == 0 or _closing, timeout)


def pending() -> int:
    """How many O3 compiles are queued or running."""
    return _outstanding


@atexit.register
def _shutdown() -> None:
    # LLVM's static destructors run at exit: the worker must not be inside LLVM then.
    # Queued jobs are dropped; the one running is finished.
    global _closing
    with _cond:
        _closing = True
        _cond.notify_all()
    w = _worker
    if w is not None and w.is_alive():
        w.join()


def _after_fork_in_child() -> None:
    # The worker thread does not exist in a forked child and may have held the
    # background lock: start over with fresh locks (a job running at the fork is
    # abandoned: its quick tier stays installed; queued jobs run on demand).
    global _worker, _outstanding, _cond
    _worker = None
    _cond = threading.Condition()
    if _background is not None:
        _background.lock = threading.RLock()
    for job in list(_running):
        job.state = "done"
        job._done.set()
    _running.clear()
    _outstanding = sum(1 for job in (*_queue, *_deferred) if job.state == "pending")


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def wait_compiled(timeout: float | None = None) -> bool:
    """`ember.wait_compiled()`: block until every function compiled so far runs its O3
    code (tiered compilation, docs/compile-time.md); False if `timeout` seconds pass
    first. Benchmarks of steady-state speed call it before timing."""
    return wait_all(timeout)
