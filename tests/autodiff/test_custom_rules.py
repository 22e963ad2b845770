"""ember.custom_jvp and ember.custom_vjp (JAX's API): the rule is used, in both modes,
from jitted callers and under nesting; wrong rules raise DifferentiationError at the
rule's line."""
from __future__ import annotations

import functools
import math

import numpy as np
import pytest

import ember
from ember.errors import DifferentiationError


# ---- JAX's custom_jvp example ------------------------------------------------------------

@ember.custom_jvp
def f(x, y):
    return math.sin(x) * y


@f.defjvp
def f_jvp(primals, tangents):
    x, y = primals
    x_dot, y_dot = tangents
    primal_out = f(x, y)
    tangent_out = math.cos(x) * x_dot * y + math.sin(x) * y_dot
    return primal_out, tangent_out


def test_custom_jvp_values_as_jax():
    assert f(2.0, 3.0) == math.sin(2.0) * 3.0  # plain Python: the function itself
    out, t = ember.jvp(f, (2.0, 3.0), (1.0, 0.0))
    assert out == pytest.approx(2.7278922804770) and t == pytest.approx(-1.2484405096414)
    assert ember.grad(f)(2.0, 3.0) == pytest.approx(-1.2484405096414)
    gx, gy = ember.grad(f, argnums=(0, 1))(2.0, 3.0)
    assert gx == pytest.approx(math.cos(2.0) * 3.0) and gy == pytest.approx(math.sin(2.0))


def test_defjvp_returns_the_rule():
    assert f_jvp.__name__ == "f_jvp" and callable(f_jvp)


# ---- the rule is what differentiates (a rule that is not the true derivative) ------------

@ember.custom_jvp
def clipped(x):
    return 3.0 * x


@clipped.defjvp
def clipped_jvp(primals, tangents):
    x, = primals
    t, = tangents
    return clipped(x), min(max(t, -1.0), 1.0) * x * x   # deliberately not 3 * t


def test_rule_not_body_is_differentiated_in_both_modes():
    # the tangent map t -> clip(t) * x^2 is linear around t = 0: reverse mode transposes it
    out, t = ember.jvp(clipped, (2.0,), (0.5,))
    assert out == 6.0 and t == 0.5 * 4.0
    assert ember.grad(clipped)(2.0) == 4.0


def test_jitted_caller_calls_the_function_and_differentiates_the_rule():
    @ember.jit
    def caller(x):
        return clipped(x) + x

    assert caller(2.0) == 8.0
    assert ember.grad(caller)(2.0) == 5.0      # x^2 + 1
    assert ember.jvp(caller, (2.0,), (0.25,))[1] == 0.25 * 4.0 + 0.25


def test_grad_of_grad_differentiates_the_rule():
    assert ember.grad(ember.grad(clipped))(2.0) == 4.0          # d/dx x^2
    assert ember.grad(ember.grad(ember.grad(f)))(0.4, 2.0) == pytest.approx(-math.cos(0.4) * 2.0)
    hvp = ember.jvp(ember.grad(f), (0.4, 2.0), (1.0, 0.0))[1]   # forward over reverse
    assert hvp == pytest.approx(-math.sin(0.4) * 2.0)


def test_int_argument_gets_none_tangent():
    @ember.custom_jvp
    def scaled(x, n):
        return x * n

    @scaled.defjvp
    def scaled_jvp(primals, tangents):
        x, n = primals
        t, tn = tangents          # tn is None: n is an int
        return x * n, 10.0 * t

    assert ember.grad(scaled)(1.5, 4) == 10.0
    assert ember.jvp(scaled, (1.5, 4), (1.0, None)) == (6.0, 10.0)


def test_array_argument():
    @ember.custom_jvp
    def total(x):
        s = 0.0
        for i in range(x.shape[0]):
            s += x[i]
        return s

    @total.defjvp
    def total_jvp(primals, tangents):
        x, = primals
        t, = tangents
        d = 0.0
        for i in range(x.shape[0]):
            d += (i + 1.0) * t[i]        # a weighted sum, to tell the rule from the body
        return total(x), d

    x = np.array([1.0, 2.0, 3.0])
    assert ember.grad(total)(x).tolist() == [1.0, 2.0, 3.0]
    assert ember.jvp(total, (x,), (np.ones(3),))[1] == 6.0

    def loss(x):
        return total(x) ** 2
    assert ember.grad(loss)(x).tolist() == [12.0, 24.0, 36.0]


# ---- custom_vjp ----------------------------------------------------------------------------

@ember.custom_vjp
def v(x, y):
    return math.sin(x) * y


def v_fwd(x, y):
    return v(x, y), (math.cos(x), math.sin(x), y)


def v_bwd(res, g):
    cos_x, sin_x, y = res
    return (cos_x * g * y, sin_x * g)


v.defvjp(v_fwd, v_bwd)


def test_custom_vjp_as_jax():
    assert v(2.0, 3.0) == math.sin(2.0) * 3.0
    assert ember.grad(v)(2.0, 3.0) == pytest.approx(-1.2484405096414)
    gx, gy = ember.grad(v, argnums=(0, 1))(2.0, 3.0)
    assert gy == pytest.approx(math.sin(2.0))
    out, vjp_fn = ember.vjp(v, 2.0, 3.0)
    assert vjp_fn(2.0)[0] == pytest.approx(2.0 * math.cos(2.0) * 3.0)


def test_custom_vjp_rule_is_used_and_differentiated_again():
    @ember.custom_vjp
    def sq(x):
        return x * x

    def sq_fwd(x):
        return sq(x), x

    def sq_bwd(x, ct):
        return (3.0 * x * ct,)          # not 2x: proves the rule is used

    sq.defvjp(sq_fwd, sq_bwd)

    @ember.jit
    def caller(x):
        return sq(x) * 2.0

    assert ember.grad(sq)(2.0) == 6.0
    assert ember.grad(caller)(2.0) == 12.0
    assert ember.grad(ember.grad(sq))(2.0) == 3.0   # bwd differentiated, as JAX does


def test_custom_vjp_in_forward_mode_is_refused_at_the_call():
    @ember.jit
    def caller(x):
        y = x + 1.0
        return v(y, 2.0)

    with pytest.raises(DifferentiationError, match="forward-mode") as info:
        ember.jvp(caller, (1.0,), (1.0,))
    assert info.value.loc is not None and info.value.loc.line == caller.py_func.__code__.co_firstlineno + 3
    with pytest.raises(DifferentiationError, match="custom_vjp"):
        ember.jvp(v, (1.0, 2.0), (1.0, 0.0))


# ---- errors ---------------------------------------------------------------------------------

def test_rule_of_the_wrong_type_names_its_line():
    @ember.custom_jvp
    def g(x):
        return x * x

    @g.defjvp
    def g_jvp(primals, tangents):
        x, = primals
        t, = tangents
        return x * x, (t, t)

    for call in (lambda: ember.grad(g)(2.0), lambda: ember.jvp(g, (2.0,), (1.0,))):
        with pytest.raises(DifferentiationError, match="g_jvp") as info:
            call()
        assert "tuple<f64, f64>" in str(info.value)
        assert info.value.loc.line == g_jvp.__code__.co_firstlineno + 4  # the decorator is line 0


def test_array_rule_for_a_scalar_is_refused():
    @ember.custom_jvp
    def g(x):
        return x[0]

    @g.defjvp
    def g_jvp(primals, tangents):
        x, = primals
        t, = tangents
        return x[0], t

    with pytest.raises(DifferentiationError, match="typed \\(f64, f64\\)"):
        ember.grad(g)(np.ones(2))


def test_bwd_must_return_one_cotangent_per_argument():
    @ember.custom_vjp
    def g(x):
        return x * x

    def g_fwd(x):
        return g(x), x

    def g_bwd(res, ct):
        return 2.0 * res * ct         # JAX too wants a 1-tuple here

    g.defvjp(g_fwd, g_bwd)
    with pytest.raises(DifferentiationError, match="one cotangent per argument") as info:
        ember.grad(g)(2.0)
    assert info.value.loc.line == g_bwd.__code__.co_firstlineno + 1


def test_fwd_must_return_the_primal_and_residuals():
    @ember.custom_vjp
    def g(x):
        return x * x

    def g_fwd(x):
        return g(x)

    def g_bwd(res, ct):
        return (ct,)

    g.defvjp(g_fwd, g_bwd)
    with pytest.raises(DifferentiationError, match="fwd rule g_fwd"):
        ember.grad(g)(2.0)


def test_missing_rule():
    @ember.custom_jvp
    def g(x):
        return x * x

    with pytest.raises(DifferentiationError, match="No JVP defined"):
        ember.grad(g)(2.0)
    assert g(3.0) == 9.0


def test_unsupported_options():
    with pytest.raises(NotImplementedError):
        ember.custom_jvp(lambda x: x).defjvp(lambda p, t: p, symbolic_zeros=True)
    with pytest.raises(TypeError):
        ember.custom_vjp(3)
    with pytest.raises(ValueError, match="out of range"):
        ember.custom_jvp(lambda x: x, nondiff_argnums=(1,))


def test_nondiff_argnums_as_jax():
    @functools.partial(ember.custom_jvp, nondiff_argnums=(0,))
    def powr(n, x):
        return x ** n

    @powr.defjvp
    def powr_jvp(n, primals, tangents):       # nondiff arguments come first
        x, = primals
        t, = tangents
        return x ** n, n * x ** (n - 1) * t * 10.0

    assert ember.grad(powr, argnums=1)(3, 2.0) == 120.0
    assert ember.jvp(powr, (3, 2.0), (None, 1.0)) == (8.0, 120.0)

    @functools.partial(ember.custom_vjp, nondiff_argnums=(1,))
    def sc(x, a):
        return x * a

    def sc_fwd(x, a):                          # fwd takes every argument
        return sc(x, a), x

    def sc_bwd(a, x, ct):                      # bwd: nondiff first, one cotangent per other
        return (a * ct * 10.0,)

    sc.defvjp(sc_fwd, sc_bwd)
    assert ember.grad(sc, argnums=(0, 1))(2.0, 3.0) == (30.0, 0.0)  # zero through nondiff


def test_jit_of_a_custom_function_keeps_the_rule():
    jf = ember.jit(clipped)
    assert jf(2.0) == 6.0
    assert ember.grad(jf)(2.0) == 4.0


# ---- inside loops (the call is kept, reversed loops replay around it) -----------------------

@ember.custom_jvp
def softplus(x):
    return math.log1p(math.exp(x))


@softplus.defjvp
def softplus_jvp(primals, tangents):
    x, = primals
    t, = tangents
    return softplus(x), t / (1.0 + math.exp(-x))


def test_custom_jvp_in_a_loop_both_modes():
    def loss(x):
        s = 0.0
        for i in range(x.shape[0]):
            s += softplus(x[i] * 2.0)
        return s

    x = np.array([-1.0, 0.5, 3.0])
    want = 2.0 / (1.0 + np.exp(-2.0 * x))
    np.testing.assert_allclose(ember.grad(loss)(x), want, rtol=1e-14)
    assert ember.jvp(loss, (x,), (np.ones(3),))[1] == pytest.approx(want.sum(), rel=1e-14)


def test_custom_vjp_with_array_result_and_residuals_in_a_loop():
    @ember.custom_vjp
    def scale(v, a):
        out = np.empty_like(v)
        for i in range(v.shape[0]):
            out[i] = v[i] * a
        return out

    def scale_fwd(v, a):
        return scale(v, a), (v, a)

    def scale_bwd(res, ct):
        v, a = res
        ga = 0.0
        for i in range(v.shape[0]):
            ga += v[i] * ct[i]
        return (ct * a, ga)

    scale.defvjp(scale_fwd, scale_bwd)

    def l2(v, a):
        s = 0.0
        for _ in range(2):
            w = scale(v, a)
            for i in range(w.shape[0]):
                s += w[i] * w[i]
        return s

    x = np.array([-1.0, 0.5, 3.0])
    gv, ga = ember.grad(l2, argnums=(0, 1))(x, 1.5)
    np.testing.assert_allclose(gv, 4.0 * 1.5 ** 2 * x, rtol=1e-14)
    assert ga == pytest.approx(4.0 * 1.5 * float(x @ x), rel=1e-14)


def test_wrong_array_extent_is_a_value_error_at_run_time():
    @ember.custom_jvp
    def dbl(x):
        return x * 2.0

    @dbl.defjvp
    def dbl_jvp(primals, tangents):
        x, = primals
        t, = tangents
        return x * 2.0, t[1:] * 2.0

    @ember.custom_vjp
    def first(x):
        return x[0]

    def first_fwd(x):
        return first(x), x

    def first_bwd(x, ct):
        return (x[1:] * ct,)

    first.defvjp(first_fwd, first_bwd)
    x = np.ones(3)
    with pytest.raises(ValueError, match="custom_jvp rule of dbl has extent 2 on axis 0"):
        ember.jvp(dbl, (x,), (x,))
    with pytest.raises(ValueError, match="bwd rule of first has extent 2"):
        ember.grad(first)(x)
