"""ember's derivative API and kink conventions against JAX itself (needs the bench extra).

The tests (tests/autodiff/test_issue5_api.py, test_issue5_conventions.py) hold JAX's results
as exact expected values, so they run without JAX; this script recomputes those values with
the installed JAX and says where ember and JAX differ. Exit status 1 on any difference.

    python benchmarks/check_jax.py
"""
from __future__ import annotations

import math
import sys

import numpy as np

import ember

try:
    import jax
    import jax.numpy as jnp
except ImportError:  # pragma: no cover
    sys.exit("check_jax.py needs JAX: pip install -e .[bench]")
jax.config.update("jax_enable_x64", True)


def energy(x, t, d, s):
    acc = 0.0
    for i in range(x.shape[0]):
        acc += math.sin(x[i]) * t[0] + d["a"] * x[i] * x[i]
    return acc * s + t[1] * d["b"]


def energy_jax(x, t, d, s):
    acc = 0.0
    for i in range(x.shape[0]):
        acc += jnp.sin(x[i]) * t[0] + d["a"] * x[i] * x[i]
    return acc * s + t[1] * d["b"]


def e_abs(x):
    return abs(x) + math.fabs(x) + np.abs(x)


def e_max(x, y):
    return max(x, y)


def e_min(x, y):
    return min(x, y)


def e_sqrt(x):
    return math.sqrt(x) + np.sqrt(x)


def e_rounding(x):
    return np.floor(x) + np.ceil(x) + np.trunc(x) + float(round(x)) + x


def e_select(x):
    return x * x if x > 0 else -x


def e_select_ge(x):
    return x * x if x >= 0 else -x


def e_relu(x):
    return max(x, 0.0) + 2.0 * max(0.0, x)


def e_np_max_min(x, y):
    return np.maximum(x, y) + 2.0 * np.minimum(x, y)


def e_np_clip(x, lo, hi):
    return np.clip(x, lo, hi)


KINKS = [
    ("abs at 0", e_abs, lambda x: 3 * jnp.abs(x), (0.0,)),
    ("max tie", e_max, lambda x, y: max(x, y), (1.5, 1.5)),
    ("min tie", e_min, lambda x, y: min(x, y), (1.5, 1.5)),
    ("sqrt at 0", e_sqrt, lambda x: 2 * jnp.sqrt(x), (0.0,)),
    ("rounding", e_rounding, lambda x: jnp.floor(x) + jnp.ceil(x) + jnp.trunc(x) + jnp.round(x) + x,
     (2.5,)),
    ("where at 0", e_select, lambda x: jnp.where(x > 0, x * x, -x), (0.0,)),
    ("where >= at 0", e_select_ge, lambda x: jnp.where(x >= 0, x * x, -x), (0.0,)),
    ("relu by max", e_relu, lambda x: max(x, 0.0) + 2.0 * max(0.0, x), (0.0,)),
    ("np.maximum/minimum tie", e_np_max_min, lambda x, y: jnp.maximum(x, y) + 2.0 * jnp.minimum(x, y),
     (1.5, 1.5)),
    ("np.clip at lo", e_np_clip, jnp.clip, (0.0, 0.0, 1.0)),
    ("np.clip all equal", e_np_clip, jnp.clip, (1.0, 1.0, 1.0)),
]


def _flat(tree) -> list[float]:
    if isinstance(tree, (tuple, list)):
        return [v for e in tree for v in _flat(e)]
    if isinstance(tree, dict):
        return [v for k in tree for v in _flat(tree[k])]
    return [float(v) for v in np.ravel(np.asarray(tree))]


def main() -> int:
    bad = 0

    def report(what: str, ours, theirs) -> None:
        nonlocal bad
        a, b = _flat(ours), _flat(theirs)
        ok = len(a) == len(b) and np.allclose(a, b, rtol=1e-12, atol=1e-14, equal_nan=True)
        bad += not ok
        print(f"ok   {what}" if ok else f"DIFF {what}: ember {ours!r} jax {theirs!r}")

    args = (np.array([0.1, 0.5, -0.3]), (1.5, -0.5), {"a": 0.7, "b": 1.2}, 0.9)
    tangents = (np.array([1.0, -2.0, 0.5]), (1.0, 0.0), {"a": 0.0, "b": 1.0}, 0.25)
    for argnums in (0, 1, 2, 3, -1, (0, 2), (3, 1, 0)):
        report(f"grad argnums={argnums}", ember.grad(energy, argnums=argnums)(*args),
               jax.grad(energy_jax, argnums=argnums)(*args))
    report("jvp", ember.jvp(energy, args, tangents), jax.jvp(energy_jax, args, tangents))
    report("vjp", ember.vjp(energy, *args)[1](1.0), jax.vjp(energy_jax, *args)[1](1.0))
    for name, ours, theirs, a in KINKS:
        argnums = tuple(range(len(a)))
        report(f"grad, {name}", ember.grad(ours, argnums=argnums)(*a),
               jax.grad(theirs, argnums=argnums)(*a))
    print("all equal" if not bad else f"{bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
