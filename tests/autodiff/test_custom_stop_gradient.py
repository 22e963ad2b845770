"""ember.stop_gradient: the value, with a zero derivative in both modes and at every order;
plain Python gets the value back."""
from __future__ import annotations

import numpy as np

import ember


def test_plain_python_returns_the_value():
    x = np.arange(3.0)
    assert ember.stop_gradient(2.5) == 2.5 and ember.stop_gradient(x) is x


def test_scalar_both_modes_and_second_order():
    @ember.jit
    def h(x):
        return ember.stop_gradient(x * x) * x

    assert h(3.0) == 27.0
    assert ember.grad(h)(3.0) == 9.0                       # only the outer x
    assert ember.jvp(h, (3.0,), (1.0,)) == (27.0, 9.0)
    assert ember.grad(ember.grad(h))(3.0) == 0.0
    assert ember.jvp(ember.grad(h), (3.0,), (1.0,))[1] == 0.0


def test_array_and_loop():
    def loss(x):
        y = ember.stop_gradient(x)
        s = 0.0
        for i in range(x.shape[0]):
            s += y[i] * x[i]
        return s

    x = np.array([1.0, 2.0, 3.0])
    assert ember.grad(loss)(x).tolist() == [1.0, 2.0, 3.0]
    assert ember.jvp(loss, (x,), (np.ones(3),))[1] == 6.0


def test_whole_array_expression():
    def loss(x):
        return np.sum(ember.stop_gradient(x * 2.0) * x)

    x = np.array([1.0, -1.0])
    assert ember.grad(loss)(x).tolist() == [2.0, -2.0]


def test_zero_even_for_infinite_tangents():
    def f(x):
        return ember.stop_gradient(x) + 1.0

    assert ember.jvp(f, (2.0,), (float("inf"),))[1] == 0.0


def test_tuple_and_int():
    def f(x, y):
        a, b = ember.stop_gradient((x * y, y))
        return a * x + b * y + ember.stop_gradient(3) * x

    assert ember.grad(f, argnums=(0, 1))(2.0, 3.0) == (9.0, 3.0)
    assert ember.jvp(f, (2.0, 3.0), (1.0, 1.0)) == (27.0, 12.0)
