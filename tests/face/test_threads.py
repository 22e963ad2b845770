"""Thread safety: many threads calling jitted functions and derivatives with new signatures
at once compile each specialization once and all get correct results."""
from __future__ import annotations

import math
import threading
from collections import Counter
from typing import Any, Callable

import numpy as np
import pytest

import ember
import ember.compiler


def poly(x, y):
    return x * x + 3 * y - 1


def norm2(v):
    s = 0.0
    for i in range(v.shape[0]):
        s += v[i] * v[i]
    return s


def wave(x):
    return math.sin(x) * x + math.cos(2.0 * x)


def count_up(n):
    s = 0
    i = 0
    while i < n:
        s += i
        i += 1
    return s


def energy(x, k):
    return k * x * x * x


def run_threads(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run every job in its own thread, released together; re-raise the first failure."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = jobs[i]()
        except BaseException as e:  # reported in the main thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts (function name, argument types) of every real compile."""
    counts: Counter = Counter()
    lock = threading.Lock()
    real_spec = ember.compiler.compile_specialization
    real_deriv = ember.compiler.compile_derivative

    def spec(py_func, arg_types, options):
        with lock:
            counts[(py_func.__name__, tuple(arg_types))] += 1
        return real_spec(py_func, arg_types, options)

    def deriv(py_func, arg_types, options, transform):
        # the Derivative whose transform this is tells grad, jvp and vjp apart
        owner = [c.cell_contents for c in transform.__closure__ or ()
                 if hasattr(c.cell_contents, "kind")]
        kind = owner[0].kind if owner else "?"
        with lock:
            counts[(f"{kind}:{py_func.__name__}", tuple(arg_types))] += 1
        return real_deriv(py_func, arg_types, options, transform)

    monkeypatch.setattr(ember.compiler, "compile_specialization", spec)
    monkeypatch.setattr(ember.compiler, "compile_derivative", deriv)
    import ember.derivatives as d
    monkeypatch.setattr(d, "compile_derivative", deriv)
    monkeypatch.setattr(d, "compile_specialization", spec)
    return counts


ARGS = [(1.5, 2), (3, 4), (True, 2.5), (np.float32(0.5), np.int32(7)), (2.0, 2.0), (-1, 2.5)]


def test_one_function_many_threads_new_signatures(compiles: Counter) -> None:
    f = ember.jit(poly)
    jobs = [lambda a=a: f(*a) for a in ARGS for _ in range(3)]
    results = run_threads(jobs)
    for (x, y), got in zip([a for a in ARGS for _ in range(3)], results):
        assert got == pytest.approx(poly(x, y)), (x, y, got)
    assert len(f.signatures) == len(set(f.signatures)) == len(ARGS)
    assert all(n == 1 for n in compiles.values()), compiles
    assert f.stats.compiles == len(ARGS)


def test_different_functions_compile_at_once(compiles: Counter) -> None:
    fs = [ember.jit(poly), ember.jit(norm2), ember.jit(wave), ember.jit(count_up)]
    v = np.arange(5.0)
    calls = [(fs[0], (1.5, 2)), (fs[0], (2, 3)), (fs[1], (v,)), (fs[1], (v[::2],)),
             (fs[1], (v.astype(np.float32),)), (fs[2], (0.3,)), (fs[2], (2,)),
             (fs[3], (100,)), (fs[3], (np.int32(10),))]
    jobs = [lambda f=f, a=a: f(*a) for f, a in calls for _ in range(2)]
    results = run_threads(jobs)
    for (f, a), got in zip([c for c in calls for _ in range(2)], results):
        assert got == pytest.approx(f.py_func(*a), rel=1e-6), (f, a, got)
    assert all(n == 1 for n in compiles.values()), compiles
    assert sum(len(f.signatures) for f in fs) == len(calls)


def test_derivatives_from_many_threads(compiles: Counter) -> None:
    g = ember.grad(energy)
    args = [(1.5, 2.0), (2.0, 3), (0.5, True), (np.float32(1.0), 2.0)]
    jobs = [lambda a=a: g(*a) for a in args for _ in range(3)]
    jobs += [lambda: ember.jvp(energy, (2.0, 1.0), (1.0, 0.0)) for _ in range(3)]
    jobs += [lambda: ember.vjp(energy, 2.0, 1.0)[1](1.0) for _ in range(3)]
    results = run_threads(jobs)
    for (x, k), got in zip([a for a in args for _ in range(3)], results):
        assert got == pytest.approx(3 * k * float(x) ** 2)
    for out, tan in results[len(args) * 3:len(args) * 3 + 3]:
        assert (out, tan) == pytest.approx((8.0, 12.0))
    for gx, gk in results[len(args) * 3 + 3:]:
        assert (gx, gk) == pytest.approx((12.0, 8.0))
    assert all(n == 1 for n in compiles.values()), compiles


def test_eager_function_layout_variants_under_threads(compiles: Counter) -> None:
    f = ember.jit("float64(float64[:])")(norm2)
    base = dict(compiles)
    v = np.arange(8.0)
    jobs = [lambda a=a: f(a) for a in (v, v[::2], v[::-1], v[1::3]) for _ in range(3)]
    results = run_threads(jobs)
    for a, got in zip([a for a in (v, v[::2], v[::-1], v[1::3]) for _ in range(3)], results):
        assert got == pytest.approx(float(np.dot(a, a)))
    assert len(f.signatures) == 2  # the C one at decoration, the strided one once
    assert all(n == 1 for n in compiles.values()), compiles
    assert sum(compiles.values()) == sum(base.values()) + 1
