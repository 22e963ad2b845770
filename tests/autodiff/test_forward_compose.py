"""Forward mode composes: the jvp of a jvp (second derivatives) is derived from the first
derivative's IR like from any other function; long loops stay loops."""
from __future__ import annotations

import math

import numpy as np

from ember.autodiff import jvp
from ember.compiler import compile_derivative
from ember.typeof import typeof
from tests.autodiff.harness import derive


def wave(x, y):
    s = 0.0
    for i in range(4):
        s += math.sin(x * (i + 1)) * y
    return s * x


def second(m, e):
    first = jvp(m, e, (0,))          # @wave__jvp(x, y, x_dot) -> (f, df/dx x_dot)
    return jvp(m, first, (0,))       # d/dx of both, along a new x tangent


def test_jvp_of_jvp_gives_second_derivative():
    d = derive(wave, (0.3, 1.2), second)
    x, y = 0.3, 1.2
    (f, df), (df2, d2f) = d(x, y, 1.0, 1.0)
    assert f == wave(x, y)
    h = 1e-4
    want1 = (wave(x + h, y) - wave(x - h, y)) / (2 * h)
    want2 = (wave(x + h, y) - 2 * wave(x, y) + wave(x - h, y)) / (h * h)
    assert abs(df - want1) < 1e-6 and abs(df2 - want1) < 1e-6
    assert abs(d2f - want2) < 1e-4 * max(1.0, abs(want2))


def perturbation(x, y):
    # the classic confusion test: d/dx [x * d/dy (x * y)] at x = 5, y = 3 is 2x = 10
    return x * (x * y)


def test_nested_directions_are_kept_apart():
    def mixed(m, e):
        inner = jvp(m, e, (1,))      # (x*x*y, x*x*y_dot)
        return jvp(m, inner, (0,))   # d/dx along x_dot of both
    d = derive(perturbation, (5.0, 3.0), mixed)
    (f, dy), (dx, dxdy) = d(5.0, 3.0, 1.0, 1.0)
    assert (f, dy, dx, dxdy) == (75.0, 25.0, 30.0, 10.0)


def decay(x, n):
    t = x
    k = 0
    while k < n:
        t = t * 0.99999 + 1e-6 * math.sin(t)
        k += 1
    return t


def test_hundred_thousand_iterations_in_a_loop():
    types = (typeof(0.5, "x"), typeof(100000, "n"))
    spec = compile_derivative(decay, types, {"boundscheck": True}, lambda m, e: jvp(m, e, (0,)))
    d = spec.make_callable(None)
    out, tan = d(0.5, 100000, 1.0)
    assert out == decay(0.5, 100000)
    h = 1e-6
    want = (decay(0.5 + h, 100000) - decay(0.5 - h, 100000)) / (2 * h)
    assert abs(tan - want) < 1e-6 * abs(want)
    assert spec.stage_text("typed").count("scf.while") == 2  # the primal's and the jvp's
    assert np.isfinite(tan)


def test_derived_module_prints_parses_and_keeps_source_lines():
    from ember.ir.printer import print_module
    from ember.ir.verifier import verify_module
    from tests.helpers import assert_roundtrip
    types = (typeof(0.5, "x"), typeof(1.5, "y"))
    spec = compile_derivative(wave, types, {"boundscheck": True}, second)
    verify_module(spec.typed, typed=True)
    assert_roundtrip(spec.typed)
    # every op of the derivative carries a location in the user's file
    text = print_module(spec.typed, locations=True)
    assert "test_forward_compose.py" in text
    for f in spec.typed:
        for op in f.walk():
            assert op.loc is not None and op.loc.file.endswith("test_forward_compose.py"), op
