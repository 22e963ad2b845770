"""Forward mode refuses what has no derivative, with the user's source line."""
from __future__ import annotations

import inspect
import math

import pytest

from ember.ir.errors import DifferentiationError
from tests.autodiff.test_forward_util import derive_jvp


def scaled(x, n):
    return x * n


def with_gamma(x):
    y = x * 2.0
    return math.lgamma(y) + y


def in_dict(x, n):
    d = {}
    for i in range(n):
        d[i] = x * i
    return d[1] + d[2]


def count(x):
    return int(x * 3.0)


def line_of(f, text):
    lines, start = inspect.getsourcelines(f)
    return start + next(i for i, line in enumerate(lines) if text in line)


def test_int_argument_is_named():
    with pytest.raises(DifferentiationError, match="'n'"):
        derive_jvp(scaled, (1.5, 2), (1,))


def test_op_without_rule_points_at_its_line():
    with pytest.raises(DifferentiationError, match="lgamma") as info:
        derive_jvp(with_gamma, (1.5,), (0,))
    assert info.value.loc.line == line_of(with_gamma, "math.lgamma")


def test_active_value_in_a_runtime_dict_is_rejected_at_the_users_line():
    with pytest.raises(DifferentiationError, match="dict") as info:
        derive_jvp(in_dict, (1.5, 3), (0,))
    assert info.value.loc.line == line_of(in_dict, "d[i] = x * i")


def test_int_result_is_rejected():
    with pytest.raises(DifferentiationError, match="result"):
        derive_jvp(count, (1.5,), (0,))


def uses_list(x, n):
    sizes = [n, n + 1]
    return x * float(sizes[0] + sizes[1])


def test_inactive_list_is_fine():
    # a list of ints beside active floats carries no derivative and needs none
    d = derive_jvp(uses_list, (1.5, 2), (0,))
    assert d(1.5, 2, 1.0) == (1.5 * 5.0, 5.0)

