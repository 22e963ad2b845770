"""ember/gc_pause.py: compiles run with the cyclic collector off, and leave it as it was."""
from __future__ import annotations

import gc
import threading

import pytest

import ember
from ember.gc_pause import gc_paused


def test_the_collector_is_off_during_a_compile_and_on_after():
    seen: list[bool] = []

    @gc_paused
    def compile_like() -> int:
        seen.append(gc.isenabled())
        return 7

    assert gc.isenabled()
    assert compile_like() == 7
    assert seen == [False] and gc.isenabled()


def test_a_collector_the_user_turned_off_stays_off():
    def f(x):
        return x + 1.0

    gc.disable()
    try:
        assert ember.jit(f)(1.0) == 2.0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_errors_and_nesting_restore_the_collector():
    @gc_paused
    def inner() -> None:
        assert not gc.isenabled()
        raise ValueError("bad input")

    @gc_paused
    def outer() -> None:
        with pytest.raises(ValueError):
            inner()
        assert not gc.isenabled()  # still inside the outer compile

    outer()
    assert gc.isenabled()


def test_concurrent_compiles_leave_the_collector_on():
    def make(k: int):
        def f(x):
            return x * 2.0 + 1.0
        f.__name__ = f"f{k}"
        return ember.jit(f)

    fns = [make(k) for k in range(4)]
    results: list[float] = []
    threads = [threading.Thread(target=lambda f=f: results.append(f(1.5))) for f in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [4.0] * 4
    assert gc.isenabled()
