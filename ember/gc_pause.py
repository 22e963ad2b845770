"""`gc_paused`: a compile runs with Python's cyclic garbage collector off.

A compile allocates tens of thousands of IR and llvmlite objects that live until it
ends; every 700 allocations CPython's collector runs, and now and then a full
collection walks every object of the process. Measured on bench_grad's gradients and
bench_containers' kernels (thread CPU time, warm process): 5-14% of a first call. The
collector is switched off while any thread compiles (nested and concurrent compiles
count) and back on when the last one ends, only if it was on before; the garbage a
compile leaves is collected at the next allocation threshold after that.
"""
from __future__ import annotations

import functools
import gc
import threading
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_lock = threading.Lock()
_depth = 0
_was_enabled = False


def gc_paused(fn: F) -> F:
    """Decorate a compile entry point: the collector is off while it runs."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        global _depth, _was_enabled
        with _lock:
            if _depth == 0:
                _was_enabled = gc.isenabled()
                gc.disable()
            _depth += 1
        try:
            return fn(*args, **kwargs)
        finally:
            with _lock:
                _depth -= 1
                if _depth == 0 and _was_enabled:
                    gc.enable()

    return run  # type: ignore[return-value]
