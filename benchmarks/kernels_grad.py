"""The kernels of benchmarks/bench_grad.py: loop- and index-heavy scientific functions
written once in plain Python loops (what ember compiles and differentiates) with their
inputs, and once as JAX / autograd users write them (`build_jax`, `build_autograd`).

Each `Kernel` has a size `n`: the number of loop steps (time steps, iterations, samples,
array length or bodies). This module imports only math and numpy, so the benchmark can
load it afresh (`_harness.fresh_module`) to time a real first compile.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np


# --- ember: plain Python loops ------------------------------------------------------------

def rosenbrock(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        a = x[i + 1] - x[i] * x[i]
        b = 1.0 - x[i]
        s += 100.0 * a * a + b * b
    return s


def _accel(y, v, k, c):
    return -k * math.sin(y) - c * v


def rk4(k, c, y0, v0, dt, n):
    """A damped pendulum integrated with n classical Runge-Kutta steps; final energy-like."""
    y = y0
    v = v0
    for _ in range(n):
        k1y = v
        k1v = _accel(y, v, k, c)
        k2y = v + 0.5 * dt * k1v
        k2v = _accel(y + 0.5 * dt * k1y, v + 0.5 * dt * k1v, k, c)
        k3y = v + 0.5 * dt * k2v
        k3v = _accel(y + 0.5 * dt * k2y, v + 0.5 * dt * k2v, k, c)
        k4y = v + dt * k3v
        k4v = _accel(y + dt * k3y, v + dt * k3v, k, c)
        y += dt / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y)
        v += dt / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v)
    return y * y + v * v


def spring_chain(x, k):
    e = 0.0
    for i in range(x.shape[0] - 1):
        d = x[i + 1] - x[i] - 1.0
        if d > 0:
            e += k * d * d
        else:
            e += 0.5 * k * d * d
    return e


def logsumexp(x):
    """One pass with a running maximum (the streaming form)."""
    m = x[0]
    s = 1.0
    for i in range(1, x.shape[0]):
        if x[i] > m:
            s = s * math.exp(m - x[i]) + 1.0
            m = x[i]
        else:
            s += math.exp(x[i] - m)
    return m + math.log(s)


def mlp(w1, b1, w2, xs, ys):
    """Mean squared error of a one-hidden-layer tanh network over the samples of xs."""
    loss = 0.0
    for s in range(xs.shape[0]):
        out = 0.0
        for h in range(w1.shape[0]):
            a = b1[h]
            for d in range(w1.shape[1]):
                a += w1[h, d] * xs[s, d]
            out += w2[h] * math.tanh(a)
        r = out - ys[s]
        loss += r * r
    return loss / xs.shape[0]


def heat(u0, alpha, n):
    """n explicit steps of the 1-D heat equation (fixed zero ends); sum of squares."""
    m = u0.shape[0]
    u = np.empty(m)
    v = np.empty(m)
    for i in range(m):
        u[i] = u0[i]
    for _ in range(n):
        v[0] = 0.0
        v[m - 1] = 0.0
        for i in range(1, m - 1):
            v[i] = u[i] + alpha * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        for i in range(m):
            u[i] = v[i]
    s = 0.0
    for i in range(m):
        s += u[i] * u[i]
    return s


def newton(a, b, n):
    """n Newton steps for the root of x**3 + a*x - b."""
    x = 1.0
    for _ in range(n):
        f = x * x * x + a * x - b
        x = x - f / (3.0 * x * x + a)
    return x


def nbody(pos, eps):
    """Softened gravitational potential of n bodies (a triangular double loop)."""
    e = 0.0
    for i in range(pos.shape[0]):
        for j in range(i + 1, pos.shape[0]):
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            dz = pos[i, 2] - pos[j, 2]
            e -= 1.0 / math.sqrt(dx * dx + dy * dy + dz * dz + eps)
    return e


def lotka(p, x0, y0, dt, n):
    """Lotka-Volterra predator-prey, n explicit Euler steps; parameters in an array."""
    x = x0
    y = y0
    for _ in range(n):
        dx = p[0] * x - p[1] * x * y
        dy = p[3] * x * y - p[2] * y
        x += dt * dx
        y += dt * dy
    return x + y


def poly_fit(c, xs, ys):
    """Least-squares loss of a polynomial (Horner's rule) over n points."""
    loss = 0.0
    for s in range(xs.shape[0]):
        p = 0.0
        for k in range(c.shape[0]):
            p = p * xs[s] + c[k]
        r = p - ys[s]
        loss += r * r
    return loss


def chain_energy(x, k, n_iter):
    """The example of issue 5: a branch per element, then a data-dependent while loop."""
    e = 0.0
    for i in range(x.shape[0] - 1):
        d = x[i + 1] - x[i]
        e += k * d * d if d > 0 else 0.5 * k * d * d
    t = 1.0
    while t > 1e-3 and n_iter > 0:
        t *= 0.5 * math.tanh(e)
        n_iter -= 1
    return e + t


# --- inputs -------------------------------------------------------------------------------

@dataclass
class Kernel:
    name: str
    fn: Callable[..., float]
    argnums: int | tuple[int, ...]
    make_args: Callable[[int, np.random.Generator], tuple]
    static: tuple[int, ...] = ()   # int arguments (static for JAX)
    n_is: str = "steps"


def _rk4_args(n: int, rng: np.random.Generator) -> tuple:
    return (1.5 + rng.random(), 0.1 + 0.1 * rng.random(), 0.5, 0.0, 5.0 / n, n)


def _mlp_args(n: int, rng: np.random.Generator) -> tuple:
    h, d = 16, 8
    return (rng.standard_normal((h, d)) * 0.3, rng.standard_normal(h) * 0.1,
            rng.standard_normal(h) * 0.3, rng.standard_normal((n, d)), rng.standard_normal(n))


def _heat_args(n: int, rng: np.random.Generator) -> tuple:
    return (rng.random(64), 0.2 + 0.1 * rng.random(), n)


def _poly_args(n: int, rng: np.random.Generator) -> tuple:
    xs = np.linspace(-1.0, 1.0, n)
    return (rng.standard_normal(9) * 0.5, xs, np.sin(3.0 * xs))


KERNELS: list[Kernel] = [
    Kernel("rosenbrock", rosenbrock, 0, lambda n, r: (r.random(n) * 2.0 - 0.5,), n_is="length"),
    Kernel("rk4", rk4, (0, 1), _rk4_args, static=(5,)),
    Kernel("spring_chain", spring_chain, (0, 1),
           lambda n, r: (np.cumsum(0.5 + r.random(n)), 2.0), n_is="length"),
    Kernel("logsumexp", logsumexp, 0, lambda n, r: (r.standard_normal(n) * 3.0,), n_is="length"),
    Kernel("mlp", mlp, (0, 1, 2), _mlp_args, n_is="samples"),
    Kernel("heat", heat, (0, 1), _heat_args, static=(2,)),
    Kernel("newton", newton, (0, 1), lambda n, r: (1.0 + r.random(), 2.0 + r.random(), n),
           static=(2,)),
    Kernel("nbody", nbody, 0, lambda n, r: (r.standard_normal((n, 3)), 0.01), n_is="bodies"),
    Kernel("lotka", lotka, 0,
           lambda n, r: (np.array([1.1, 0.4, 0.4, 0.1]) * (1.0 + 0.1 * r.random(4)), 10.0, 10.0,
                         10.0 / n, n), static=(4,)),
    Kernel("poly_fit", poly_fit, 0, _poly_args, n_is="points"),
    Kernel("chain_energy", chain_energy, (0, 1),
           lambda n, r: (np.cumsum(r.standard_normal(n) * 0.1), 0.7, 50), static=(2,),
           n_is="length"),
]


# --- JAX and autograd: what their users write ---------------------------------------------

# How each JAX version is written: "vectorized" (jax.numpy, no loop: the natural form),
# "fori_loop" (lax.fori_loop over the steps, n static: compile time does not grow with n),
# None: not expressible (reverse mode of a data-dependent while loop: lax.while_loop has none).
JAX_FORM = {"rosenbrock": "vectorized", "rk4": "fori_loop", "spring_chain": "vectorized",
            "logsumexp": "vectorized", "mlp": "vectorized", "heat": "fori_loop",
            "newton": "fori_loop", "nbody": "vectorized", "lotka": "fori_loop",
            "poly_fit": "vectorized (Horner over the 9 coefficients unrolled)",
            "chain_energy": None}


def build_vectorized(np_: Any) -> dict[str, Callable[..., Any]]:
    """Versions for an array library `np_` (jax.numpy or autograd.numpy) with Python loops
    over time steps: what autograd runs, and JAX's unrolled form."""

    def v_rosenbrock(x):
        return np_.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    def accel(y, v, k, c):
        return -k * np_.sin(y) - c * v

    def v_rk4(k, c, y0, v0, dt, n):
        y, v = y0, v0
        for _ in range(n):
            y, v = _rk4_step(accel, y, v, k, c, dt)
        return y * y + v * v

    def v_spring(x, k):
        d = x[1:] - x[:-1] - 1.0
        return np_.sum(np_.where(d > 0, k * d * d, 0.5 * k * d * d))

    def v_logsumexp(x):
        m = np_.max(x)
        return m + np_.log(np_.sum(np_.exp(x - m)))

    def v_mlp(w1, b1, w2, xs, ys):
        h = np_.tanh(np_.dot(xs, w1.T) + b1)
        r = np_.dot(h, w2) - ys
        return np_.mean(r * r)

    def v_heat(u0, alpha, n):
        u = u0
        for _ in range(n):
            inner = u[1:-1] + alpha * (u[:-2] - 2.0 * u[1:-1] + u[2:])
            u = np_.concatenate([np_.zeros(1), inner, np_.zeros(1)])
        return np_.sum(u * u)

    def v_newton(a, b, n):
        x = 1.0
        for _ in range(n):
            x = x - (x * x * x + a * x - b) / (3.0 * x * x + a)
        return x

    def v_nbody(pos, eps):
        diff = pos[:, None, :] - pos[None, :, :]
        r2 = np_.sum(diff * diff, axis=-1) + eps
        mask = np_.triu(np_.ones(r2.shape), 1)
        return -np_.sum(mask / np_.sqrt(r2))

    def v_lotka(p, x0, y0, dt, n):
        x, y = x0, y0
        for _ in range(n):
            x, y = x + dt * (p[0] * x - p[1] * x * y), y + dt * (p[3] * x * y - p[2] * y)
        return x + y

    def v_poly(c, xs, ys):
        p = 0.0 * xs
        for k in range(c.shape[0]):
            p = p * xs + c[k]
        r = p - ys
        return np_.sum(r * r)

    def v_chain_energy(x, k, n_iter):
        # Python control flow on values: autograd runs it (JAX cannot jit it, and
        # lax.while_loop has no reverse mode)
        d = x[1:] - x[:-1]
        e = np_.sum(np_.where(d > 0, k * d * d, 0.5 * k * d * d))
        t = 1.0
        while t > 1e-3 and n_iter > 0:
            t = t * 0.5 * np_.tanh(e)
            n_iter -= 1
        return e + t

    return {"chain_energy": v_chain_energy, "rosenbrock": v_rosenbrock, "rk4": v_rk4, "spring_chain": v_spring,
            "logsumexp": v_logsumexp, "mlp": v_mlp, "heat": v_heat, "newton": v_newton,
            "nbody": v_nbody, "lotka": v_lotka, "poly_fit": v_poly}


def _rk4_step(accel: Callable[..., Any], y: Any, v: Any, k: Any, c: Any, dt: Any) -> tuple:
    k1y, k1v = v, accel(y, v, k, c)
    k2y, k2v = v + 0.5 * dt * k1v, accel(y + 0.5 * dt * k1y, v + 0.5 * dt * k1v, k, c)
    k3y, k3v = v + 0.5 * dt * k2v, accel(y + 0.5 * dt * k2y, v + 0.5 * dt * k2v, k, c)
    k4y, k4v = v + dt * k3v, accel(y + dt * k3y, v + dt * k3v, k, c)
    return (y + dt / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y),
            v + dt / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v))


def build_jax(jnp: Any, lax: Any) -> dict[str, Callable[..., Any]]:
    """The JAX versions (JAX_FORM says how each is written)."""
    out = build_vectorized(jnp)

    def accel(y, v, k, c):
        return -k * jnp.sin(y) - c * v

    def j_rk4(k, c, y0, v0, dt, n):
        y, v = lax.fori_loop(0, n, lambda _, s: _rk4_step(accel, s[0], s[1], k, c, dt),
                             (y0, v0))
        return y * y + v * v

    def j_heat(u0, alpha, n):
        def step(_, u):
            return jnp.zeros_like(u).at[1:-1].set(u[1:-1] + alpha * (u[:-2] - 2.0 * u[1:-1] + u[2:]))
        u = lax.fori_loop(0, n, step, u0)
        return jnp.sum(u * u)

    def j_newton(a, b, n):
        return lax.fori_loop(0, n, lambda _, x: x - (x * x * x + a * x - b) / (3.0 * x * x + a),
                             1.0)

    def j_lotka(p, x0, y0, dt, n):
        def step(_, s):
            x, y = s
            return x + dt * (p[0] * x - p[1] * x * y), y + dt * (p[3] * x * y - p[2] * y)
        x, y = lax.fori_loop(0, n, step, (x0, y0))
        return x + y

    out.update(rk4=j_rk4, heat=j_heat, newton=j_newton, lotka=j_lotka)
    return out
