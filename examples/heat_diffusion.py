"""1-D heat diffusion with an explicit stencil, and the pairwise energy of a particle cloud:
array code compiled by ember, checked against NumPy running the same functions."""
import time

import numpy as np

import ember


def step(u, c, dt):
    out = np.empty_like(u)
    out[1:-1] = u[1:-1] + c * dt * (u[:-2] - 2.0 * u[1:-1] + u[2:])
    out[0] = out[-1] = 0.0
    return out


def diffuse(u, c, dt, steps):
    for _ in range(steps):
        u = step(u, c, dt)
    return u


def pair_energy(pos):
    n = pos.shape[0]
    e = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            r = np.sqrt(np.sum((pos[i] - pos[j]) ** 2))
            e += 1.0 / r
    return e


fast_diffuse = ember.jit(diffuse)
fast_energy = ember.jit(pair_energy)

if __name__ == "__main__":
    x = np.linspace(0.0, 1.0, 2001)
    u0 = np.exp(-200.0 * (x - 0.5) ** 2)
    t0 = time.perf_counter()
    # c * dt <= 0.5 keeps the explicit scheme stable
    got = fast_diffuse(u0, 1.0, 0.4, 500)
    t1 = time.perf_counter()
    want = diffuse(u0, 1.0, 0.4, 500)
    t2 = time.perf_counter()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    print(f"heat: max {got.max():.6f}; ember {1e3 * (t1 - t0):.1f} ms (with compile), "
          f"NumPy {1e3 * (t2 - t1):.1f} ms")

    pos = np.random.default_rng(0).random((400, 3))
    t0 = time.perf_counter()
    e = fast_energy(pos)
    t1 = time.perf_counter()
    e_ref = pair_energy(pos)
    t2 = time.perf_counter()
    assert abs(e - e_ref) <= 1e-9 * abs(e_ref)
    print(f"pair energy: {e:.6f}; ember {1e3 * (t1 - t0):.1f} ms (with compile), "
          f"CPython+NumPy {1e3 * (t2 - t1):.1f} ms")
