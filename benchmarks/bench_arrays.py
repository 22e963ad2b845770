"""Issue 3 benchmark: array kernels, ember against Numba and NumPy in one process.

Twelve kernels of different shapes (stencil, reduction, 2-D loop nest, elementwise chain, dot
product, cumulative sum, histogram loop, n-body step, slice-heavy update, matrix multiply,
complex-valued iteration, broadcasting expression; plus mandel_complex, the escape loop on a
complex128 array with complex arithmetic). For each: run time of ember / Numba and
ember / NumPy (the same Python run by CPython + NumPy), and first-call compile time ember /
Numba. Targets: geomean run time <= 0.9x Numba, no kernel above 1.5x; elementwise chains >= 1.5x
faster than NumPy; compile time <= 0.25x Numba.

    python benchmarks/bench_arrays.py
"""
from __future__ import annotations

import time

import numpy as np

from _harness import best_time, fresh_module, geomean, numba_or_none

import ember

KERNELS_SRC = """
import numpy as np

def stencil(u, c, dt):
    out = np.empty_like(u)
    out[1:-1] = u[1:-1] + c * dt * (u[:-2] - 2.0 * u[1:-1] + u[2:])
    out[0] = 0.0
    out[-1] = 0.0
    return out

def reduction(a):
    return np.sum(a * a) / a.shape[0]

def loop_nest(a):
    s = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            s += a[i, j] * (i - j)
    return s

def chain(a, b, c):
    return np.sin(a) * b + np.exp(-c * c) * 0.5 - a / (1.0 + b * b)

def dot(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s

def cumulative(a):
    out = np.empty_like(a)
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
        out[i] = s
    return out

def histogram(x, nbins):
    h = np.zeros(nbins, dtype=np.int64)
    for i in range(x.shape[0]):
        k = int(x[i] * nbins)
        if 0 <= k < nbins:
            h[k] += 1
    return h

def nbody_step(pos, vel, dt):
    n = pos.shape[0]
    acc = np.zeros_like(pos)
    for i in range(n):
        for j in range(n):
            if i != j:
                dx = pos[j, 0] - pos[i, 0]
                dy = pos[j, 1] - pos[i, 1]
                dz = pos[j, 2] - pos[i, 2]
                r2 = dx * dx + dy * dy + dz * dz + 1e-3
                inv = 1.0 / (r2 * np.sqrt(r2))
                acc[i, 0] += dx * inv
                acc[i, 1] += dy * inv
                acc[i, 2] += dz * inv
    vel += dt * acc
    pos += dt * vel
    return pos

def slice_update(a):
    for k in range(10):
        a[1:] += 0.5 * a[:-1]
        a[::2] *= 0.9
    return a

def matmul(a, b):
    n, m = a.shape
    p = b.shape[1]
    c = np.zeros((n, p))
    for i in range(n):
        for k in range(m):
            aik = a[i, k]
            for j in range(p):
                c[i, j] += aik * b[k, j]
    return c

def mandel_escape(re, im, iters):
    out = np.zeros(re.shape[0], dtype=np.int64)
    for k in range(re.shape[0]):
        zr = 0.0
        zi = 0.0
        n = 0
        while n < iters and zr * zr + zi * zi < 4.0:
            zr, zi = zr * zr - zi * zi + re[k], 2.0 * zr * zi + im[k]
            n += 1
        out[k] = n
    return out

def broadcast(x, y):
    return np.sqrt(x[:, None] ** 2 + y[None, :] ** 2)

def mandel_complex(c, iters):
    out = np.zeros(c.shape[0], dtype=np.int64)
    for k in range(c.shape[0]):
        z = 0j
        ck = c[k]
        n = 0
        while n < iters and z.real * z.real + z.imag * z.imag < 4.0:
            z = z * z + ck
            n += 1
        out[k] = n
    return out
"""


def inputs() -> dict[str, tuple]:
    rng = np.random.default_rng(0)
    n = 1_000_000
    return {
        "stencil": (rng.random(n), 0.5, 0.1),
        "reduction": (rng.random(n),),
        "loop_nest": (rng.random((1000, 1000)),),
        "chain": (rng.random(n), rng.random(n), rng.random(n)),
        "dot": (rng.random(n), rng.random(n)),
        "cumulative": (rng.random(n),),
        "histogram": (rng.random(n), 64),
        "nbody_step": (rng.random((300, 3)), rng.random((300, 3)), 0.01),
        "slice_update": (rng.random(100_000),),
        "matmul": (rng.random((120, 120)), rng.random((120, 120))),
        "mandel_escape": (rng.random(20_000) * 3 - 2, rng.random(20_000) * 2 - 1, 200),
        "broadcast": (rng.random(1000), rng.random(1000)),
        "mandel_complex": ((rng.random(20_000) * 3 - 2) + 1j * (rng.random(20_000) * 2 - 1), 200),
    }


def copy_args(args: tuple) -> tuple:
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def main() -> None:
    numba = numba_or_none()
    if numba is None:
        return
    mod = fresh_module(KERNELS_SRC)
    vs_numba, vs_numpy, compile_ratios = [], [], []
    print(f"  {'kernel':<15}{'ember':>10}{'numba':>10}{'numpy':>10}{'e/numba':>9}{'e/numpy':>9}"
          f"{'compile e/n':>13}")
    for name, args in inputs().items():
        py = getattr(mod, name)
        e_fn, n_fn = ember.jit(py), numba.njit(py)
        t0 = time.perf_counter()
        e_out = e_fn(*copy_args(args))
        t1 = time.perf_counter()
        n_out = n_fn(*copy_args(args))
        t2 = time.perf_counter()
        np.testing.assert_allclose(e_out, n_out, rtol=1e-9)
        te = best_time(lambda: e_fn(*copy_args(args)), repeat=3)
        tn = best_time(lambda: n_fn(*copy_args(args)), repeat=3)
        tp = best_time(lambda: py(*copy_args(args)), repeat=1) if name not in (
            "loop_nest", "nbody_step", "matmul", "mandel_escape", "histogram", "cumulative",
            "dot", "mandel_complex") else float("nan")
        vs_numba.append(te / tn)
        if tp == tp:
            vs_numpy.append(te / tp)
        # First call minus a steady call: the compile time alone.
        ce, cn = (t1 - t0) - te, (t2 - t1) - tn
        compile_ratios.append(ce / cn)
        print(f"  {name:<15}{te * 1e3:>8.2f}ms{tn * 1e3:>8.2f}ms{tp * 1e3:>8.2f}ms"
              f"{te / tn:>8.2f}x{te / tp:>8.2f}x{ce / cn:>12.2f}x")
    print("\nsummary (ember / anchor; lower is better)")
    print(f"  run time vs Numba: geomean {geomean(vs_numba):.2f}x, worst {max(vs_numba):.2f}x "
          "(targets <= 0.9x, <= 1.5x)")
    print(f"  run time vs NumPy (whole-array kernels): geomean {geomean(vs_numpy):.2f}x")
    print(f"  first call (compile) vs Numba: geomean {geomean(compile_ratios):.2f}x (target <= 0.25x)")


if __name__ == "__main__":
    main()
