"""Forward mode through helper calls that stay calls (not inlined): the helper is derived
once per pattern of active arguments (`helper__jvp` beside it in the module) and called."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

from ember.autodiff import jvp
from ember.compiler import compile_derivative
from ember.typeof import typeof
from tests.autodiff.test_forward_util import check_jvp


def big(a, b, n):
    # big enough (and called from several sites) that the inliner keeps the calls
    s = 0.0
    for i in range(n):
        t = a * i + b
        u = math.sin(t) * math.cos(a) + math.exp(-t * t) * b
        v = u * u - t / (1.0 + i) + math.tanh(u) * a
        w = v * 0.5 + math.atan(v) * b - math.log1p(t * t)
        s += w * 0.01 + u * v * 0.001 - math.sqrt(1.0 + w * w) * 0.1
        if s > 1e6:
            s = s * 0.5 + a
        elif s < -1e6:
            s = s * 0.5 - b
    return s


def uses_big(x, y, n):
    return (big(x, y, n) + big(y, x, n) + big(y, 2.0, n) * big(x, 1.0, n) + big(3.0, x, n)
            + big(1.0, 2.0, n))


def fill(out, x, n):
    # writes active values into an array argument of its caller
    for i in range(n):
        out[i] = math.sin(x * i) + out[i] * x
        out[n - 1 - i] += math.cos(out[i]) * 0.5 - math.atan(x * out[i]) * 0.25
        out[i] = out[i] * math.exp(-out[i] * out[i]) + math.tanh(out[n - 1 - i])
    return out[0] + math.cos(x) + math.sin(x) * math.exp(x) + math.tanh(x * x) * x


def uses_fill(x, n):
    buf = np.zeros(n)
    a = fill(buf, x, n) + fill(buf, 2.0 * x, n)
    return a + buf.sum()


def fact(x, n):
    if n <= 1:
        return x
    return x * fact(x, n - 1)


def compiled(f, primals, wrt):
    types = tuple(typeof(v, f"a{i}") for i, v in enumerate(primals))
    spec = compile_derivative(f, types, {"boundscheck": True}, lambda m, e: jvp(m, e, wrt))
    return spec, spec.make_callable(None)


@pytest.fixture(scope="module")
def big_derived():
    return compiled(uses_big, (0.3, 0.7, 5), (0, 1))


def test_helper_is_called_not_inlined(big_derived):
    spec, _ = big_derived
    # three activity patterns: (a, b) both active, only a, only b; one derivative each
    written = spec.stage_text("typed")
    assert len(re.findall(r"func @big\w*__jvp\w*\(", written)) == 3
    # the patterns called from two sites stay calls after the passes
    assert re.search(r"func.call @big\w*__jvp", spec.stage_text("optimized"))


@pytest.mark.parametrize("seed", range(2))
def test_calls_with_several_activity_patterns(big_derived, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-1, 1, size=2)
    check_jvp(big_derived[1], uses_big, (x, y, 5), (0, 1), tuple(rng.normal(size=2)))


def test_helper_writing_into_callers_array():
    spec, d = compiled(uses_fill, (0.4, 6), (0,))
    assert re.search(r"func.call @fill\w*__jvp", spec.stage_text("optimized"))
    for x in (0.4, -1.1):
        check_jvp(d, uses_fill, (x, 6), (0,), (1.0,))


def power_tower(x, y, n):
    # mutual activity: y only becomes active through the recursive call's result
    if n <= 0:
        return y
    return math.sin(x) * power_tower(x, y * x + 1.0, n - 1) + y


def test_recursive_helpers():
    spec, d = compiled(fact, (1.5, 4), (0,))
    for x, n in ((1.5, 4), (0.7, 1), (-1.2, 6)):
        out, tan = d(x, n, 1.0)
        assert out == fact(x, n) and abs(tan - n * x ** (n - 1)) < 1e-12
    spec, d = compiled(power_tower, (0.3, 0.5, 3), (0,))
    for x in (0.3, -0.8):
        check_jvp(d, power_tower, (x, 0.5, 3), (0,), (1.0,))
