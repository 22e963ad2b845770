"""Tiered compilation (backend/tiering.py): the quick tier and the O3 tier compute the
same results, the swap re-points every builtin, views wait for O3, EMBER_TIERED=0 turns
it off, and a process exits cleanly with O3 compiles still queued."""
from __future__ import annotations

import math
import subprocess
import sys
import threading

import numpy as np
import pytest

import ember
from ember.backend import tiering
from ember.backend.callable import _defs


def _compiled(f: object) -> object:
    """The backend CompiledFunction of a jitted function's only signature."""
    (spec,) = f.overloads.values()  # type: ignore[attr-defined]
    return spec.compiled


def _quick_then_o3(f, *argsets):
    """Results of f on each argument set with the quick tier, then after the O3 swap."""
    with tiering.paused():
        quick = [f(*a) for a in argsets]
        cf = _compiled(f)
        assert cf._tier_up is not None and cf._tier_up.state == "pending"
        quick_address = cf.wrapper_address
        cf.wait_optimized()
    assert cf._tier_up.state == "done" and cf._tier_up.error is None
    assert cf.wrapper_address != quick_address
    # the PyMethodDef the existing builtins read now points at the O3 wrapper
    assert _defs[(quick_address, cf.name)].ml_meth == cf.wrapper_address
    return quick, [f(*a) for a in argsets]


def test_scalar_results_equal_before_and_after_tier_up():
    def damped(x, n):
        s = 0.0
        i = 0
        while i < n:
            if i % 3 == 0 and x > 0:
                s += math.sin(x * i)
            elif i % 3 == 1:
                s -= math.sqrt(abs(x) + i)
            else:
                s = s * 0.5 if s > 1 else s + 1
            i += 1
        return s

    f = ember.jit(damped)
    args = [(1.5, 1000), (-0.25, 333), (3.0, 0)]
    quick, o3 = _quick_then_o3(f, *args)
    assert quick == o3 == [damped(*a) for a in args]


def test_array_and_integer_results_equal_before_and_after_tier_up():
    def kernel(a, b):
        out = np.empty_like(a)
        s = 0.0
        for i in range(a.shape[0]):
            s += a[i] * b[i]
            out[i] = s / (i + 1)
        return out, s, a.shape[0] // 3

    f = ember.jit(kernel)
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(257), rng.standard_normal(257)
    (q,), (o,) = _quick_then_o3(f, (a, b))
    np.testing.assert_array_equal(q[0], o[0])
    assert q[1:] == o[1:]
    np.testing.assert_array_equal(o[0], kernel(a, b)[0])


def test_errors_are_the_same_in_both_tiers():
    def div(a, b):
        return a // b

    f = ember.jit(div)
    with tiering.paused():
        assert f(7, 2) == 3
        with pytest.raises(ZeroDivisionError):
            f(1, 0)
        _compiled(f).wait_optimized()
    with pytest.raises(ZeroDivisionError):
        f(1, 0)
    assert f(-7, 2) == -4


def test_gradient_equal_before_and_after_tier_up():
    def energy(x, k):
        e = 0.0
        for i in range(x.shape[0] - 1):
            d = x[i + 1] - x[i]
            e += k * d * d if d > 0 else 0.5 * k * d * d
        return e

    g = ember.grad(energy)
    x = np.linspace(0.0, 1.0, 50) ** 2
    with tiering.paused():
        quick = g(x, 2.0)
        assert tiering.pending() >= 1
    ember.wait_compiled()
    assert tiering.pending() == 0
    np.testing.assert_array_equal(quick, g(x, 2.0))


def test_views_wait_for_the_o3_tier():
    def poly(x):
        return 3.0 * x * x + 2.0 * x + 1.0

    f = ember.jit(poly)
    with tiering.paused():
        f(2.0)
        cf = _compiled(f)
        asm = f.inspect_ir("asm")  # runs the pending O3 compile in this thread
        assert cf._tier_up.state == "done"
    assert "poly" in asm and "poly" in f.inspect_ir("llvm-optimized")
    assert f(2.0) == 17.0


def test_calls_from_threads_during_the_swap():
    def tri(n):
        s = 0
        for i in range(n):
            s += i
        return s

    f = ember.jit(tri)
    f(3)
    want = tri(5000)
    bad: list[object] = []

    def hammer() -> None:
        for _ in range(300):
            r = f(5000)
            if r != want:
                bad.append(r)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    ember.wait_compiled()
    for t in threads:
        t.join()
    assert not bad


def test_ember_tiered_0_compiles_o3_at_once(monkeypatch):
    monkeypatch.setenv("EMBER_TIERED", "0")

    def add(a, b):
        return a + b

    f = ember.jit(add)
    assert f(1.0, 2.0) == 3.0
    assert _compiled(f)._tier_up is None


def test_jit_tiered_false_compiles_o3_at_once():
    def add(a, b):
        return a + b

    f = ember.jit(add, tiered=False)
    g = ember.grad(f)
    assert f(1.0, 2.0) == 3.0 and g(1.0, 2.0) == 1.0
    assert _compiled(f)._tier_up is None
    (entry,) = g._entries.values()
    assert entry.spec.compiled._tier_up is None
    tiered = ember.jit(add)
    assert tiered(1.0, 2.0) == 3.0 and _compiled(tiered)._tier_up is not None
    with pytest.raises(TypeError, match="tiered"):
        ember.jit(add, tiered="no")


def test_failed_tier_up_keeps_the_quick_tier(monkeypatch):
    def sub(a, b):
        return a - b

    f = ember.jit(sub)
    with tiering.paused():
        f(1.0, 2.0)
        cf = _compiled(f)

        def broken(engine, name):
            raise RuntimeError("no O3 today")

        monkeypatch.setattr(cf, "install", broken)
        cf._tier_up.on_ready = lambda eng: cf.install(eng, "x")
        cf.wait_optimized()
    assert isinstance(cf._tier_up.error, RuntimeError)
    assert f(5.0, 2.0) == 3.0


def test_process_exits_cleanly_with_compiles_queued(tmp_path):
    code = (
        "import ember, numpy as np\n"
        "def k(a):\n"
        "    s = 0.0\n"
        "    for i in range(a.shape[0]):\n"
        "        for j in range(a.shape[0]):\n"
        "            s += a[i] * a[j] if i < j else a[i] - a[j]\n"
        "    return s\n"
        "fs = [ember.jit(k) for _ in range(4)]\n"
        "print(sum(f(np.ones(3)) for f in fs))\n"
    )
    script = tmp_path / "queued.py"
    script.write_text(code)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) == 12.0


def test_collected_engines_are_disposed_under_their_domain_lock():
    import gc

    def mul(a, b):
        return a * b

    def compile_and_drop() -> None:
        f = ember.jit(mul)
        assert f(3.0, 4.0) == 12.0
        ember.wait_compiled()

    compile_and_drop()
    gc.collect()
    background = tiering.background_domain()
    graves = list(background.graveyard)
    assert graves  # the O3 module waits for its domain's lock, not disposed by gc
    compile_and_drop()  # the next compile in the domain disposes of it
    assert not any(any(g is m for m in background.graveyard) for g in graves)
    assert all(g.closed for g in graves)


def test_many_functions_compiled_and_collected_while_tiering_up():
    import gc

    def poly(x, n):
        s = 0.0
        for i in range(n):
            s = s * x + i
        return s

    for i in range(12):
        f = ember.jit(poly)
        assert f(0.5, i) == poly(0.5, i)
        del f
        if i % 3 == 0:
            gc.collect()
    ember.wait_compiled()
    assert tiering.pending() == 0


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_forked_child_runs_the_queue_on_demand():
    import os

    def cube(x):
        return x * x * x

    f = ember.jit(cube)
    with tiering.paused():
        assert f(2.0) == 8.0
        pid = os.fork()
        if pid == 0:  # the child: no worker thread; wait_compiled runs the queue here
            ok = False
            try:
                ok = ember.wait_compiled(timeout=None) and tiering.pending() == 0 \
                    and _compiled(f)._tier_up.state == "done" and f(3.0) == 27.0
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    ember.wait_compiled()
    assert f(3.0) == 27.0


def test_no_o3_compile_for_a_function_collected_before_its_turn():
    import gc

    def square(x):
        return x * x

    with tiering.paused():
        f = ember.jit(square)
        assert f(3.0) == 9.0
        job = _compiled(f)._tier_up
        del f
        gc.collect()
    ember.wait_compiled()
    assert job.state == "done" and job.skipped and job.error is None


def test_an_engine_in_a_garbage_cycle_leaves_its_module_to_its_domain():
    import gc

    from ember.backend.engine import Engine, shared

    import weakref

    e = Engine("define i32 @f() {\nentry:\n  ret i32 0\n}\n")
    ref = weakref.ref(e._module)
    e.cycle = e  # only the cyclic collector frees it: it must not dispose of the module
    del e
    gc.collect()
    mod = ref()
    assert mod is not None and not mod.closed
    assert any(m is mod for m in shared().graveyard)
    Engine("define i32 @g() {\nentry:\n  ret i32 1\n}\n")  # disposes of it, under the lock
    assert mod.closed


def test_no_o3_compile_starts_while_a_compile_runs():
    # llvmlite serializes LLVM calls: an O3 compile started in the background between
    # two first calls would hold up the second (docs/compile-time.md).
    import time

    def mul(a, b):
        return a * b

    f = ember.jit(mul)
    with tiering.compiling():  # as if another function were compiling all along
        assert f(2.0, 3.0) == 6.0
        time.sleep(3 * tiering.QUIET)
        assert _compiled(f)._tier_up.state == "pending"
    assert ember.wait_compiled(timeout=60)
    assert _compiled(f)._tier_up.state == "done"
    assert f(2.0, 3.0) == 6.0
