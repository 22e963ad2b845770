"""What reverse mode refuses, and how: DifferentiationError naming the argument, or at the
user's source line of the construct that has no derivative rule."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ember.autodiff import vjp
from ember.ir.errors import DifferentiationError
from tests.autodiff.harness import derive


def scaled(x, n):
    return x * n


def gamma_of(x):
    y = x * 2.0
    return math.gamma(y)


def counted(x):
    return int(x > 0)


def swaps(x, n):
    a = x.copy()
    b = np.zeros(x.shape[0])
    for k in range(n):
        b[0] = a[0] * 2.0
        a, b = b, a
    return a[0]


def inactive_gamma(x, y):
    return math.gamma(y) + x       # gamma of a value that does not depend on x: fine


def _vjp(f, args, wrt):
    return derive(f, args, lambda m, e: vjp(m, e, wrt))


def test_wrt_an_int_argument_names_it():
    with pytest.raises(DifferentiationError, match="argument 'n'"):
        _vjp(scaled, (1.0, 3), (1,))


def test_op_without_rule_reports_the_source_line():
    with pytest.raises(DifferentiationError) as info:
        _vjp(gamma_of, (1.5,), (0,))
    err = info.value
    assert "math.gamma" in str(err)
    assert err.loc is not None and err.loc.line == gamma_of.__code__.co_firstlineno + 2
    assert "math.gamma(y)" in str(err)


def test_int_result_has_no_derivative():
    with pytest.raises(DifferentiationError, match="no derivative"):
        _vjp(counted, (1.0,), (0,))


def test_array_rebound_in_a_loop_is_differentiated():
    # once refused; now taped by snapshots (test_reverse_carried_arrays.py has the rest)
    x = np.array([0.5, 1.0, 2.0])
    for n in (2, 3):
        out, (g,) = _vjp(swaps, (x, n), (0,))(x.copy(), n, 1.0)
        assert out == swaps(x.copy(), n)
        np.testing.assert_allclose(g, [2.0 ** n, 0.0, 0.0])


def test_inactive_values_need_no_rule():
    d = _vjp(inactive_gamma, (1.0, 2.5), (0,))
    out, (g,) = d(1.0, 2.5, 1.0)
    assert g == 1.0 and out == math.gamma(2.5) + 1.0

