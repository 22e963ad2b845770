"""Issue 5 benchmark: compiled gradients of loop- and index-heavy scientific functions,
ember against JAX (jax.jit(jax.grad(f))) and autograd, side by side in one process.

The kernels (benchmarks/kernels_grad.py) are written once in plain Python loops for ember
and as JAX users write them (vectorized jax.numpy where that is natural, lax.fori_loop
over time steps with the step count static; `--python-loops` adds JAX's unrolled Python
loop form, whose compile time grows with the number of steps); autograd runs the
vectorized form with Python loops over time steps (it has no compile step).

Reported per kernel and size n (loop steps: time steps, iterations, samples, array length
or bodies):
- grad/primal: ember gradient time over ember primal time (targets: median <= 3, worst <= 5)
- steady ember/JAX: gradient time, both compiled and warm (target <= 1.0x)
- first ember/JAX: the first call (compile + run) of a fresh function (target <= 0.1x at n=1000)
- ember/autograd: gradient time
Ratios below 1.0x mean ember is faster. JAX and autograd are optional (pip install -e .[bench]).

    python benchmarks/bench_grad.py [--sizes 10,100,1000] [--kernels rk4,heat] [--python-loops]
"""
from __future__ import annotations

import argparse
import statistics
import time
import timeit
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np
from _harness import fresh_module, geomean, jax_or_none, steady
from kernels_grad import JAX_FORM, KERNELS, Kernel, build_jax, build_vectorized

import ember

_SOURCE = (Path(__file__).parent / "kernels_grad.py").read_text()


def autograd_or_none() -> Any:
    try:
        import autograd
        import autograd.numpy
    except ImportError:
        print("autograd is not installed (pip install -e .[bench]): no autograd column.")
        return None
    return autograd


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return bool(np.allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-9))


def first_call_ember(k: Kernel, args: tuple) -> tuple[float, Any]:
    fn = getattr(fresh_module(_SOURCE), k.name)  # a new function object: a real compile
    # no background O3 compile of earlier functions under way (llvmlite's one lock)
    ember.wait_compiled()
    t0 = time.perf_counter()
    g = ember.grad(fn, argnums=k.argnums)(*args)
    return time.perf_counter() - t0, g


def jax_grad(jax: Any, fn: Callable[..., Any], k: Kernel) -> Callable[..., Any]:
    return jax.jit(jax.grad(fn, argnums=k.argnums), static_argnums=k.static)


def first_call_jax(jax: Any, k: Kernel, args: tuple, form: str) -> tuple[float, Any]:
    import jax.numpy as jnp
    fns = build_jax(jnp, jax.lax) if form == "jax" else build_vectorized(jnp)  # fresh closures
    f = jax_grad(jax, fns[k.name], k)
    t0 = time.perf_counter()
    g = jax.block_until_ready(f(*args))
    return time.perf_counter() - t0, g


def run_kernel(k: Kernel, n: int, jax: Any, ag: Any, python_loops: bool,
               unrolled_max: int) -> dict[str, float]:
    args = k.make_args(n, np.random.default_rng(n))
    row: dict[str, float] = {}
    row["first_ember"], g_first = first_call_ember(k, args)
    primal = ember.jit(k.fn)
    grad = ember.grad(k.fn, argnums=k.argnums)
    g = grad(*args)
    assert _close(g, g_first)
    row["primal"] = steady(lambda: primal(*args))
    row["grad"] = steady(lambda: grad(*args))
    if jax is not None and JAX_FORM[k.name] is not None:
        row["first_jax"], gj = first_call_jax(jax, k, args, "jax")
        if not _close(g, gj):
            print(f"  WARNING {k.name} n={n}: ember and JAX gradients differ")
        import jax.numpy as jnp
        fj = jax_grad(jax, build_jax(jnp, jax.lax)[k.name], k)
        jax.block_until_ready(fj(*args))
        row["jax"] = steady(lambda: jax.block_until_ready(fj(*args)))
        if python_loops and k.static and n <= unrolled_max:
            row["first_jax_unrolled"], _ = first_call_jax(jax, k, args, "unrolled")
    if ag is not None:
        fa = ag.grad(build_vectorized(ag.numpy)[k.name], k.argnums)
        if not _close(g, fa(*args)):
            print(f"  WARNING {k.name} n={n}: ember and autograd gradients differ")
        row["autograd"] = min(timeit.repeat(lambda: fa(*args), number=1, repeat=3))
    return row


def _fmt(x: float | None, unit: str = "x") -> str:
    return f"{x:>9.2f}{unit}" if x is not None else f"{'-':>10}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--kernels", default="")
    parser.add_argument("--python-loops", action="store_true",
                        help="also time JAX's first call with the time-step loops as Python "
                             "loops (unrolled while tracing: 24 s for rk4 at n=100)")
    parser.add_argument("--unrolled-max", type=int, default=100,
                        help="largest n for --python-loops (default 100)")
    opts = parser.parse_args()
    sizes = [int(s) for s in opts.sizes.split(",")]
    chosen = [k for k in KERNELS if not opts.kernels or k.name in opts.kernels.split(",")]
    warnings.simplefilter("ignore")
    jax, ag = jax_or_none(), autograd_or_none()
    # Neither compiler's one-time start-up (LLVM / XLA initialization, ember's runtime
    # helpers) is any kernel's compile time.
    first_call_ember(KERNELS[0], KERNELS[0].make_args(3, np.random.default_rng(0)))
    if jax is not None:
        jax.block_until_ready(jax.jit(jax.grad(lambda x: x * x))(1.0))
    print(f"\n{'kernel':<14}{'n':>6}  {'grad/primal':>11}{'ember/JAX':>11}{'first e/J':>11}"
          f"{'e/autograd':>11}  {'ember grad':>11}  {'first ember':>11}  {'first JAX':>11}")
    rows: dict[tuple[str, int], dict[str, float]] = {}
    for k in chosen:
        for n in sizes:
            r = rows[(k.name, n)] = run_kernel(k, n, jax, ag, opts.python_loops,
                                               opts.unrolled_max)
            first = r["first_ember"] / r["first_jax"] if "first_jax" in r else None
            line = (f"{k.name:<14}{n:>6}  {_fmt(r['grad'] / r['primal'])}"
                    f"{_fmt(r['grad'] / r['jax'] if 'jax' in r else None)}{_fmt(first)}"
                    f"{_fmt(r['grad'] / r['autograd'] if 'autograd' in r else None)}"
                    f"  {r['grad'] * 1e6:>9.1f}us  {r['first_ember'] * 1e3:>9.1f}ms"
                    + (f"  {r['first_jax'] * 1e3:>9.1f}ms" if "first_jax" in r else f"{'-':>13}"))
            if "first_jax_unrolled" in r:
                u = r["first_jax_unrolled"]
                line += f"  (JAX Python loops: first {u * 1e3:.0f}ms, e/J {r['first_ember'] / u:.3f}x)"
            print(line, flush=True)
    summary(chosen, sizes, rows)


def summary(chosen: list[Kernel], sizes: list[int], rows: dict) -> None:
    print("\nJAX forms: " + "; ".join(f"{k.name} {JAX_FORM[k.name] or 'not expressible'}"
                                      for k in chosen))
    big = max(sizes)
    gp = [rows[(k.name, big)]["grad"] / rows[(k.name, big)]["primal"] for k in chosen]
    print(f"\ngrad/primal at n={big}: median {statistics.median(gp):.2f}x, worst {max(gp):.2f}x "
          "(targets: median <= 3, worst <= 5)")
    st = [(r["grad"] / r["jax"], name, n) for (name, n), r in rows.items() if "jax" in r]
    if st:
        worst = max(st)
        print(f"steady state ember/JAX: geomean {geomean([s[0] for s in st]):.2f}x, worst "
              f"{worst[0]:.2f}x ({worst[1]}, n={worst[2]}) (target <= 1.0x on every function)")
    fc = [rows[(k.name, big)]["first_ember"] / rows[(k.name, big)]["first_jax"]
          for k in chosen if "first_jax" in rows[(k.name, big)]]
    un = [(r["first_ember"] / r["first_jax_unrolled"], name, n) for (name, n), r in rows.items()
          if "first_jax_unrolled" in r]
    if un:
        print("first call ember/JAX with Python loops (unrolled): " + ", ".join(
            f"{name} n={n} {x:.3f}x" for x, name, n in un))
    if fc:
        print(f"first call ember/JAX at n={big}: geomean {geomean(fc):.3f}x, worst {max(fc):.3f}x "
              "(target <= 0.1x)")


if __name__ == "__main__":
    main()
