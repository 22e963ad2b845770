"""The Hessian benchmark's functions: plain Python loops for ember, and the forms a JAX
user writes (vectorized jax.numpy with lax.fori_loop over time steps; and the same loops
as ember's, which JAX unrolls while tracing). Imported fresh by bench_hessian.py (new
function objects per first-call measurement)."""
import math

import numpy as np

STEPS = 50      # RK4 steps of the ODE loss
DT = 0.02


def rosenbrock(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        a = x[i + 1] - x[i] * x[i]
        b = 1.0 - x[i]
        s += 100.0 * a * a + b * b
    return s


def _rhs(p, y):
    """A ring of n damped, coupled oscillators: y_i' = -p_i y_i + 0.5 sin(y_{i-1})."""
    n = y.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = -p[i] * y[i] + 0.5 * math.sin(y[i - 1])
    return out


def ode_loss(p, y0, target):
    """Squared distance of the RK4 state after STEPS steps from a target: a function of
    the n rate parameters p."""
    y = y0
    for _ in range(STEPS):
        k1 = _rhs(p, y)
        k2 = _rhs(p, y + 0.5 * DT * k1)
        k3 = _rhs(p, y + 0.5 * DT * k2)
        k4 = _rhs(p, y + DT * k3)
        y = y + DT / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    d = y - target
    return np.sum(d * d)


def make_args(name, n, rng):
    if name == "rosenbrock":
        return (rng.uniform(-1.0, 1.5, n),)
    return (rng.uniform(0.5, 1.5, n), rng.uniform(-1.0, 1.0, n), rng.uniform(-0.5, 0.5, n))


def build_jax(jnp, lax):
    """JAX as its users write these: vectorized, fori_loop over the time steps."""
    def rosenbrock_j(x):
        a = x[1:] - x[:-1] * x[:-1]
        b = 1.0 - x[:-1]
        return jnp.sum(100.0 * a * a + b * b)

    def rhs_j(p, y):
        return -p * y + 0.5 * jnp.sin(jnp.roll(y, 1))

    def ode_loss_j(p, y0, target):
        def step(_, y):
            k1 = rhs_j(p, y)
            k2 = rhs_j(p, y + 0.5 * DT * k1)
            k3 = rhs_j(p, y + 0.5 * DT * k2)
            k4 = rhs_j(p, y + DT * k3)
            return y + DT / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        d = lax.fori_loop(0, STEPS, step, y0) - target
        return jnp.sum(d * d)
    return {"rosenbrock": rosenbrock_j, "ode_loss": ode_loss_j}


def build_jax_loops(jnp):
    """The loop forms as written for ember, in jax.numpy (JAX unrolls the loops)."""
    def rosenbrock_l(x):
        s = 0.0
        for i in range(x.shape[0] - 1):
            a = x[i + 1] - x[i] * x[i]
            b = 1.0 - x[i]
            s += 100.0 * a * a + b * b
        return s

    def rhs_l(p, y):
        return jnp.stack([-p[i] * y[i] + 0.5 * jnp.sin(y[i - 1]) for i in range(y.shape[0])])

    def ode_loss_l(p, y0, target):
        y = y0
        for _ in range(STEPS):
            k1 = rhs_l(p, y)
            k2 = rhs_l(p, y + 0.5 * DT * k1)
            k3 = rhs_l(p, y + 0.5 * DT * k2)
            k4 = rhs_l(p, y + DT * k3)
            y = y + DT / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        d = y - target
        return jnp.sum(d * d)
    return {"rosenbrock": rosenbrock_l, "ode_loss": ode_loss_l}
