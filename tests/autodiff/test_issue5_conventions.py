"""Issue 5, items 3-4: derivatives at kinks against JAX's values (abs at 0, max/min ties,
np.maximum/np.minimum/np.clip ties, sqrt at 0, floor/ceil/trunc/round, where-like selects; forward and reverse), the errors for
values with no derivative (an int argument named; an op with no rule at its source line,
with a caret), and reverse mode's tape memory on a while loop of 10^5 iterations."""
from __future__ import annotations

import math
import resource

import numpy as np
import pytest

import ember
from ember.backend.runtime_helpers import live_blocks
from ember.errors import DifferentiationError


def e_abs(x):
    return abs(x) + math.fabs(x) + np.abs(x)


def e_max(x, y):
    return max(x, y)


def e_min(x, y):
    return min(x, y)


def e_relu(x):
    return max(x, 0.0) + 2.0 * max(0.0, x)


def e_sqrt(x):
    return math.sqrt(x) + np.sqrt(x)


def e_rounding(x):
    return np.floor(x) + np.ceil(x) + np.trunc(x) + float(round(x)) + float(math.floor(x)) + x


def e_select_gt(x):
    return x * x if x > 0 else -x


def e_select_ge(x):
    return x * x if x >= 0 else -x


def e_np_max_min(x, y):
    return np.maximum(x, y) + 2.0 * np.minimum(x, y)


def e_np_clip(x, lo, hi):
    return np.clip(x, lo, hi)


# What jax.grad / jax.jvp give for the same functions written with jax.numpy (jax 0.10.2,
# x64): (gradient, one jvp per unit tangent). benchmarks/check_jax.py recomputes them with JAX.
CASES = {
    "abs": (e_abs, (0.0,), (3.0,)),
    "max_tie": (e_max, (1.5, 1.5), (1.0, 0.0)),
    "min_tie": (e_min, (1.5, 1.5), (1.0, 0.0)),
    "relu_python_max": (e_relu, (0.0,), (1.0,)),
    "sqrt_at_0": (e_sqrt, (0.0,), (math.inf,)),
    "rounding": (e_rounding, (2.5,), (1.0,)),
    "where_gt": (e_select_gt, (0.0,), (-1.0,)),
    "where_ge": (e_select_ge, (0.0,), (0.0,)),
    "np_max_min_tie": (e_np_max_min, (1.5, 1.5), (1.5, 1.5)),
    "np_clip_at_lo": (e_np_clip, (0.0, 0.0, 1.0), (0.5, 0.5, 0.0)),
    "np_clip_all_equal": (e_np_clip, (1.0, 1.0, 1.0), (0.25, 0.25, 0.5)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_kinks_match_jax_in_both_modes(case):
    ours, args, want = CASES[case]
    argnums = tuple(range(len(args)))
    assert ember.grad(ours, argnums=argnums)(*args) == want
    for k in argnums:  # forward mode, one unit tangent at a time
        unit = tuple(1.0 if j == k else 0.0 for j in argnums)
        _, t = ember.jvp(ours, args, unit)
        assert t == want[k]


def test_python_max_and_numpy_maximum_differ_at_a_tie_as_in_jax():
    # Python's max is a select (the returned operand takes it all), NumPy's maximum an op of its
    # own whose tie splits 0.5 / 0.5: as jax.grad gives for max and jnp.maximum.
    def f(x, y):
        return np.maximum(x, y)

    assert ember.grad(f, argnums=(0, 1))(1.0, 1.0) == (0.5, 0.5)
    assert ember.grad(e_max, argnums=(0, 1))(1.0, 1.0) == (1.0, 0.0)


# --- errors -----------------------------------------------------------------------------

def with_gamma(x):
    y = x * 2.0
    return math.gamma(y) + y


GAMMA_LINE = with_gamma.__code__.co_firstlineno + 2


@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_op_without_rule_is_reported_at_its_source_with_a_caret(mode):
    with pytest.raises(DifferentiationError, match="math.gamma") as info:
        if mode == "grad":
            ember.grad(with_gamma)(1.5)
        else:
            ember.jvp(with_gamma, (1.5,), (1.0,))
    text = str(info.value)
    assert f'File "{__file__}", line {GAMMA_LINE}' in text
    lines = text.splitlines()
    src = next(i for i, s in enumerate(lines) if "return math.gamma(y) + y" in s)
    caret = lines[src + 1]
    assert caret.strip() and set(caret.strip()) == {"^"}
    # the caret starts under `math.gamma(`
    assert caret.index("^") == lines[src].index("math.gamma")


def scaled(x, n, t):
    return x * n + t[0] * t[1]


def test_int_argument_among_several_is_named():
    with pytest.raises(DifferentiationError, match="'n'") as info:
        ember.grad(scaled, argnums=(0, 1))(1.5, 2, (1.0, 2.0))
    assert "argnums=1" in str(info.value)
    # with ints left out, the same call differentiates the floats and the tuple
    gx, gt = ember.grad(scaled, argnums=(0, 2))(1.5, 2, (1.0, 2.0))
    assert gx == 2.0 and gt == (2.0, 1.0)


# --- tape memory ------------------------------------------------------------------------

def relax(x, w, n):
    """A while loop whose trip count is data-dependent, reading a 2000-element array every
    iteration: the tape must hold the carried scalars per iteration, never the array."""
    t = x
    i = 0
    while i < n and t < 1e6:
        t = t + 1e-5 * math.sin(t) * w[i % w.shape[0]]
        i += 1
    return t


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def test_while_loop_of_1e5_iterations_tapes_scalars_not_arrays():
    w = np.random.default_rng(0).random(2000)
    g = ember.grad(relax, argnums=(0, 1))
    g(0.3, w, 10)  # compiled before measuring
    before_blocks, before_peak = live_blocks(), _peak_rss_bytes()
    n = 100_000
    gx, gw = g(0.3, w, n)
    grown = _peak_rss_bytes() - before_peak
    # a copy of w per iteration would be 1.6 GB; the scalar tapes are a few MB
    assert grown < 64 * 2**20, grown
    assert live_blocks() == before_blocks + 1  # only the returned gradient array is alive
    del gw
    assert live_blocks() == before_blocks
    h = 1e-6
    fd = (relax(0.3 + h, w, n) - relax(0.3 - h, w, n)) / (2 * h)
    assert gx == pytest.approx(fd, rel=1e-6)
    # d t / d w[k]: every iteration i with i % 2000 == k contributes
    k = 17
    up, down = w.copy(), w.copy()
    up[k] += h
    down[k] -= h
    _, gw = g(0.3, w, n)
    assert gw[k] == pytest.approx((relax(0.3, up, n) - relax(0.3, down, n)) / (2 * h), rel=1e-5)
