"""Issue 6 benchmark: compiled Hessians and Hessian-vector products, ember against
jax.jit(jax.hessian(f)) side by side in one process.

Functions (benchmarks/kernels_hessian.py), n = 10 and 100:
- rosenbrock: the n-dimensional Rosenbrock function written as a loop;
- ode_loss: a ring of n coupled oscillators integrated by 50 RK4 steps (a helper writing
  an array, arrays rebound every step), squared distance to a target: Hessian with
  respect to the n rate parameters.

Columns (ratios: below 1.0x ember is faster):
- H ember/JAX: Hessian, steady state, both compiled (target <= 1.0x); JAX runs the
  vectorized form (fori_loop over time steps).
- HVP/primal: ember.hvp over the ember primal (target <= 5); HVP/grad for scale.
- first e/J: first call (compile + run) of a fresh function, ember over JAX's jit of the
  vectorized form; first e/J loops: over JAX's jit of the same loops as ember's (which JAX
  unrolls while tracing; the target <= 0.1x is for these loop forms).

- --chunk K: directions per jvp call in ember's Hessians, for every function (default:
  autodiff/jacobian_chunks.py chunk_for's choice; 1 is one direction per call).

    python benchmarks/bench_hessian.py [--sizes 10,100] [--no-loops] [--ode-loops-max 10]
                                       [--chunk K] [--names ode_loss]
"""
from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from _harness import fresh_module, geomean, jax_or_none, steady

import ember

_SOURCE = (Path(__file__).parent / "kernels_hessian.py").read_text()
NAMES = ("rosenbrock", "ode_loss")


def first_ember(name: str, args: tuple) -> tuple[float, Any]:
    fn = getattr(fresh_module(_SOURCE), name)  # a new function object: a real compile
    # no background O3 compile of earlier functions under way (llvmlite's one lock)
    ember.wait_compiled()
    t0 = time.perf_counter()
    H = ember.hessian(fn)(*args)
    return time.perf_counter() - t0, H


def first_jax(jax: Any, name: str, args: tuple, loops: bool) -> tuple[float, Any]:
    import jax.numpy as jnp
    mod = fresh_module(_SOURCE)
    fns = mod.build_jax_loops(jnp) if loops else mod.build_jax(jnp, jax.lax)
    f = jax.jit(jax.hessian(fns[name]))
    t0 = time.perf_counter()
    H = jax.block_until_ready(f(*args))
    return time.perf_counter() - t0, H


def run(name: str, n: int, jax: Any, loops: bool) -> dict[str, float]:
    mod = fresh_module(_SOURCE)
    args = mod.make_args(name, n, np.random.default_rng(n))
    fn = getattr(mod, name)
    r: dict[str, float] = {}
    r["first_ember"], H0 = first_ember(name, args)
    primal, grad, hess, hvp = ember.jit(fn), ember.grad(fn), ember.hessian(fn), ember.hvp(fn)
    H = hess(*args)
    assert np.allclose(H, H0) and np.allclose(H, H.T, rtol=1e-9, atol=1e-9)
    v = np.random.default_rng(0).normal(size=n)
    assert np.allclose(hvp(*args, v), H @ v)
    r["primal"] = steady(lambda: primal(*args))
    r["grad"] = steady(lambda: grad(*args))
    r["hessian"] = steady(lambda: hess(*args))
    r["hvp"] = steady(lambda: hvp(*args, v))
    if jax is not None:
        import jax.numpy as jnp
        r["first_jax"], HJ = first_jax(jax, name, args, False)
        if not np.allclose(H, np.asarray(HJ), rtol=1e-8, atol=1e-10):
            print(f"  WARNING {name} n={n}: ember and JAX Hessians differ")
        fj = jax.jit(jax.hessian(mod.build_jax(jnp, jax.lax)[name]))
        jax.block_until_ready(fj(*args))
        r["jax"] = steady(lambda: jax.block_until_ready(fj(*args)))
        if loops:
            r["first_jax_loops"], _ = first_jax(jax, name, args, True)
    return r


def _x(v: float | None) -> str:
    return f"{v:>10.3f}x" if v is not None else f"{'-':>11}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100")
    parser.add_argument("--no-loops", action="store_true",
                        help="skip JAX's first call on the unrolled loop forms")
    parser.add_argument("--ode-loops-max", type=int, default=0,
                        help="largest n for JAX's unrolled ode_loss (its 50 RK4 steps of n "
                             "stacked elements: at n=10 JAX was still compiling after 7 minutes at "
                             "4 GB; default 0: not measured)")
    parser.add_argument("--chunk", type=int, default=0,
                        help="directions per jvp call in ember's Hessians (default: ember's)")
    parser.add_argument("--names", default=",".join(NAMES))
    opts = parser.parse_args()
    if opts.chunk:  # every forward Jacobian, whatever jacobian_chunks.chunk_for decides
        from ember.autodiff import jacobian_chunks
        jacobian_chunks.chunk_for = lambda m, e: opts.chunk
    warnings.simplefilter("ignore")
    jax = jax_or_none()
    first_ember("rosenbrock", (np.ones(3),))  # one-time start-up of each compiler
    if jax is not None:
        jax.block_until_ready(jax.jit(jax.hessian(lambda x: (x * x).sum()))(np.ones(3)))
    print(f"\n{'function':<12}{'n':>5}{'H e/JAX':>11}{'HVP/primal':>11}{'HVP/grad':>11}"
          f"{'first e/J':>11}{'first e/J loops':>17}  {'ember H':>10}{'JAX H':>10}"
          f"{'first ember':>13}{'first JAX':>11}{'JAX loops':>11}")
    rows = {}
    for name in opts.names.split(","):
        for n in [int(s) for s in opts.sizes.split(",")]:
            loops = not opts.no_loops and (name != "ode_loss" or n <= opts.ode_loops_max)
            r = rows[(name, n)] = run(name, n, jax, loops)
            j = "jax" in r
            print(f"{name:<12}{n:>5}{_x(r['hessian'] / r['jax'] if j else None)}"
                  f"{_x(r['hvp'] / r['primal'])}{_x(r['hvp'] / r['grad'])}"
                  f"{_x(r['first_ember'] / r['first_jax'] if j else None)}"
                  f"{_x(r['first_ember'] / r['first_jax_loops'] if 'first_jax_loops' in r else None):>17}"
                  f"  {r['hessian'] * 1e6:>8.1f}us"
                  + (f"{r['jax'] * 1e6:>8.1f}us" if j else f"{'-':>10}")
                  + f"{r['first_ember'] * 1e3:>11.0f}ms"
                  + (f"{r['first_jax'] * 1e3:>9.0f}ms" if j else f"{'-':>11}")
                  + (f"{r['first_jax_loops'] * 1e3:>9.0f}ms" if "first_jax_loops" in r else ""),
                  flush=True)
    hs = [r["hessian"] / r["jax"] for r in rows.values() if "jax" in r]
    hv = [r["hvp"] / r["primal"] for r in rows.values()]
    fl = [r["first_ember"] / r["first_jax_loops"] for r in rows.values() if "first_jax_loops" in r]
    if hs:
        print(f"\nHessian steady state ember/JAX: geomean {geomean(hs):.2f}x, worst {max(hs):.2f}x "
              "(target <= 1.0x)")
    print(f"HVP / primal: geomean {geomean(hv):.2f}x, worst {max(hv):.2f}x (target <= 5)")
    if fl:
        print(f"first call ember / JAX (loop forms): geomean {geomean(fl):.3f}x, worst "
              f"{max(fl):.3f}x (target <= 0.1x)")


if __name__ == "__main__":
    main()
