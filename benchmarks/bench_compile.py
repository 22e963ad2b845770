"""Issue 7.3 benchmark: compile time, ember against Numba in one warm process.

First the budget: a trivial function and a 30-line loop kernel (targets 15 and 50 ms).
Then, for the kernels of bench_scalar, bench_arrays, bench_containers and bench_grad (their
plain-loop primals), the first call of a brand-new function object (compile + one run
on small inputs, so the run is negligible), best of REPEAT fresh copies, for:

- ember: the default, tiered (a quick compile now, O3 in a background thread:
  backend/tiering.py). The next measurement starts after the previous function's O3
  compile is in (`ember.wait_compiled()`, not timed), so they do not overlap;
- ember O3: EMBER_TIERED=0, everything at O3 before the first call returns;
- numba: `numba.njit`.

Then the first call of each bench_grad kernel's gradient (`ember.grad`, n = 1000), tiered
and O3, with the stage split of `Specialization.stats` (JAX's side is in bench_grad.py),
and `import ember` against `import numba` in fresh subprocesses (best of 5).
Ratios are ember / Numba: below 1.0x means ember compiles faster. Target: <= 0.25x.

    python benchmarks/bench_compile.py [--repeat 3] [--only scalar,arrays,containers,grad]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np
from _harness import fresh_module, geomean, numba_or_none

import ember

HERE = Path(__file__).parent


BUDGET_SRC = """
import math

def trivial(x, y):
    return x + y

def kernel30(x, n):
    s = 0.0
    t = 0.0
    best = -1e300
    count = 0
    for i in range(n):
        v = x[i % x.shape[0]]
        if v > best:
            best = v
        if i % 3 == 0:
            s += math.sin(v) * 0.5
        elif i % 3 == 1:
            s -= math.sqrt(abs(v) + 1.0)
        else:
            t += v * v
        j = 0
        while j < 4:
            t += 0.25 * j * v
            if t > 1e6:
                t = t * 0.5
                break
            j += 1
        count += 1
    acc = 0.0
    for k in range(x.shape[0]):
        acc += x[k] * k
    if count > 0:
        s = s / count
    return s + t + best + acc
"""


def bench_budget(repeat: int) -> None:
    """Issue 7.3's absolute budget: a trivial function <= 15 ms, a 30-line loop kernel
    <= 50 ms (first call, warm process)."""
    print(f"\nbudget (first call, warm process, best of {repeat})")
    x = np.linspace(0.0, 1.0, 50)
    for name, args, target in (("trivial", (1.0, 2.0), 15), ("kernel30", (x, 100), 50)):
        _tiered(True)
        te = first_call(ember_maker(BUDGET_SRC, name), args, repeat)
        _tiered(False)
        t3 = first_call(ember_maker(BUDGET_SRC, name), args, repeat)
        _tiered(True)
        print(f"  {name:<10} {te * 1e3:6.1f} ms tiered, {t3 * 1e3:6.1f} ms O3 (target <= {target} ms)")


def _small_array_inputs() -> dict[str, tuple]:
    """bench_arrays' kernels on small inputs: the first call is then all compile."""
    rng = np.random.default_rng(0)
    n = 64
    return {
        "stencil": (rng.random(n), 0.5, 0.1),
        "reduction": (rng.random(n),),
        "loop_nest": (rng.random((8, 8)),),
        "chain": (rng.random(n), rng.random(n), rng.random(n)),
        "dot": (rng.random(n), rng.random(n)),
        "cumulative": (rng.random(n),),
        "histogram": (rng.random(n), 8),
        "nbody_step": (rng.random((8, 3)), rng.random((8, 3)), 0.01),
        "slice_update": (rng.random(n),),
        "matmul": (rng.random((6, 6)), rng.random((6, 6))),
        "mandel_escape": (rng.random(n) * 3 - 2, rng.random(n) * 2 - 1, 20),
        "broadcast": (rng.random(n), rng.random(n)),
        "mandel_complex": ((rng.random(n) * 3 - 2) + 1j * (rng.random(n) * 2 - 1), 20),
    }


Case = tuple[str, str, str, tuple]  # (group, kernel name, module source, arguments)


def cases(only: set[str]) -> list[Case]:
    out: list[Case] = []
    if "scalar" in only:
        import bench_scalar as bs
        out += [("scalar", n, bs.SHAPES_SRC, a) for n, a in bs.SHAPE_ARGS.items()]
        small = {"harmonic": (100,), "collatz_steps": (30,), "damped": (1.5, 100)}
        out += [("scalar", n, bs.KERNELS_SRC, small[n]) for n in bs.KERNEL_ARGS]
    if "arrays" in only:
        import bench_arrays as ba
        out += [("arrays", n, ba.KERNELS_SRC, a) for n, a in _small_array_inputs().items()]
    if "containers" in only:
        src = (HERE / "kernels_containers.py").read_text()
        floats = [((i * 7919) % 1000) / 1000.0 for i in range(50)]
        out += [("containers", "collect", src, (50, 7)), ("containers", "collect_list", src, (50, 7)),
                ("containers", "sort_arg", src, (floats,)),
                ("containers", "sorted_desc", src, (floats,)),
                ("containers", "collect_ints", src, (50, 7))]
    if "grad" in only:
        from kernels_grad import KERNELS
        src = (HERE / "kernels_grad.py").read_text()
        rng = np.random.default_rng(0)
        out += [("grad primal", k.name, src, k.make_args(10, rng)) for k in KERNELS]
    return out


def _copy(args: tuple) -> tuple:
    return tuple(a.copy() if isinstance(a, (np.ndarray, list)) else a for a in args)


def _tiered(on: bool) -> None:
    os.environ["EMBER_TIERED"] = "1" if on else "0"


def first_call(make: Callable[[], Callable[..., Any]], args: tuple, repeat: int) -> float:
    """Best seconds of `make()(*args)` over `repeat` fresh function objects."""
    best = float("inf")
    for _ in range(repeat):
        fn = make()
        a = _copy(args)
        t0 = time.perf_counter()
        fn(*a)
        best = min(best, time.perf_counter() - t0)
        ember.wait_compiled()  # the background O3 tier does not overlap the next one
    return best


def numba_maker(numba: Any, src: str, name: str) -> Callable[[], Callable[..., Any]]:
    def make() -> Callable[..., Any]:
        mod = fresh_module(src)
        for attr, value in list(vars(mod).items()):
            # helpers the kernels call (rk4's _accel) must be jitted for Numba
            if attr.startswith("_") and callable(value) and hasattr(value, "__code__"):
                setattr(mod, attr, numba.njit(value))
        return numba.njit(getattr(mod, name))
    return make


def ember_maker(src: str, name: str) -> Callable[[], Callable[..., Any]]:
    return lambda: ember.jit(getattr(fresh_module(src), name))


def bench_kernels(numba: Any, only: set[str], repeat: int) -> list[float]:
    print(f"\nfirst call (compile) of a fresh function in a warm process, best of {repeat}")
    print(f"  {'group':<12}{'kernel':<16}{'ember':>10}{'ember O3':>10}{'numba':>10}"
          f"{'e/numba':>9}{'O3/numba':>9}")
    ratios: list[float] = []
    ratios_o3: list[float] = []
    for group, name, src, args in cases(only):
        _tiered(True)
        te = first_call(ember_maker(src, name), args, repeat)
        _tiered(False)
        t3 = first_call(ember_maker(src, name), args, repeat)
        _tiered(True)
        tn = float("nan")
        if numba is not None:
            try:
                tn = first_call(numba_maker(numba, src, name), args, repeat)
            except Exception as e:  # Numba cannot compile it: no ratio
                print(f"  ({name}: numba failed: {type(e).__name__})")
        r, r3 = te / tn, t3 / tn
        if tn == tn:
            ratios.append(r)
            ratios_o3.append(r3)
        print(f"  {group:<12}{name:<16}{te * 1e3:>8.1f}ms{t3 * 1e3:>8.1f}ms{tn * 1e3:>8.1f}ms"
              f"{r:>8.2f}x{r3:>8.2f}x")
    if ratios:
        print(f"  geomean ember/numba {geomean(ratios):.3f}x (worst {max(ratios):.2f}x), "
              f"O3 only {geomean(ratios_o3):.3f}x; target <= 0.25x")
    return ratios


def bench_gradients(repeat: int) -> None:
    from kernels_grad import KERNELS
    src = (HERE / "kernels_grad.py").read_text()
    print(f"\ngradient first call (ember.grad, n = 1000), best of {repeat}; stage ms of the "
          "tiered compile")
    print(f"  {'kernel':<14}{'tiered':>9}{'O3':>9}  {'typeinfer':>9}{'autodiff':>9}"
          f"{'passes':>8}{'backend':>8}")
    tiered, full = [], []
    for k in KERNELS:
        args = k.make_args(1000, np.random.default_rng(1))
        stats: dict[str, float] = {}

        def make() -> Callable[..., Any]:
            g = ember.grad(getattr(fresh_module(src), k.name), argnums=k.argnums)

            def call(*a: Any) -> Any:
                out = g(*a)
                stats.update(next(iter(g.stats.values())) if hasattr(g, "stats") else {})
                return out
            return call
        _tiered(True)
        te = first_call(make, args, repeat)
        split = dict(stats)
        _tiered(False)
        t3 = first_call(make, args, repeat)
        _tiered(True)
        tiered.append(te)
        full.append(t3)
        cols = "".join(f"{split.get(s, float('nan')) * 1e3:>9.1f}"
                       for s in ("typeinfer", "autodiff", "passes", "backend"))
        print(f"  {k.name:<14}{te * 1e3:>7.1f}ms{t3 * 1e3:>7.1f}ms {cols}")
    print(f"  geomean {geomean(tiered) * 1e3:.1f} ms tiered, {geomean(full) * 1e3:.1f} ms O3 "
          f"({geomean(full) / geomean(tiered):.2f}x faster)")


def import_time(module: str, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", f"import time; t=time.perf_counter(); "
                              f"import {module}; print(time.perf_counter()-t)"],
                             capture_output=True, text=True, check=True)
        best = min(best, float(out.stdout))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="scalar,arrays,containers,grad")
    opts = ap.parse_args()
    only = set(opts.only.split(","))
    numba = numba_or_none()
    if numba is not None:
        warnings.simplefilter("ignore", numba.NumbaPendingDeprecationWarning)
        warnings.simplefilter("ignore", numba.NumbaDeprecationWarning)
    # Warm both compilers (and ember's runtime helpers) on something unrelated.
    warm = fresh_module("def w(x):\n    s = 0.0\n    for i in range(x):\n        s += i\n"
                        "    return s\n")
    ember.jit(warm.w)(3)
    ember.grad(ember_maker("def v(x):\n    return x * x\n", "v")().py_func)(2.0)
    ember.wait_compiled()
    if numba is not None:
        numba.njit(warm.w)(3)
    bench_budget(opts.repeat)
    ratios = bench_kernels(numba, only, opts.repeat)
    if "grad" in only:
        bench_gradients(opts.repeat)
    ti = import_time("ember")
    line = f"\nimport ember {ti * 1e3:.0f} ms"
    if numba is not None:
        tn = import_time("numba")
        line += f", import numba {tn * 1e3:.0f} ms: {ti / tn:.2f}x"
    print(line)
    if ratios:
        print(f"summary: compile time ember/numba geomean {geomean(ratios):.3f}x "
              f"(target <= 0.25x)")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
