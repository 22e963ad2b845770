"""ember.jacfwd / jacrev / jacobian / hessian / hvp: JAX's result shapes and nesting of
structures, the three modes agreeing, the native call, and the errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.errors import DifferentiationError


def sine_scale(x):
    return np.sin(x) * x[0]


def to_matrix(a):
    out = np.empty((2, a.shape[0]))
    for i in range(a.shape[0]):
        out[0, i] = a[i] * a[0]
        out[1, i] = math.exp(a[i])
    return out


def scalar_fn(x):
    return math.sin(x) * x


def spread(x):
    return np.array([x, x * x, math.cos(x)])


def squash(a):
    return np.sum(a * a) * a[0, 1]


def two_args(a, b):
    return a * b[0] + b * a * a


def dict_fn(p, x):
    return {"y": p["w"] * x, "s": p["b"] * x[0]}


def tuple_fn(t, A):
    a, b = t
    return (a * A * b, A.sum() * a)


def mixed(t, x):
    a, n = t
    return (a * x * n, n + 1)


def count(x):
    return int(x * 3.0)


def power(x, n):
    s = 1.0
    for _ in range(n):
        s *= x
    return s


def central(f, x, h=1e-6):
    """The Jacobian of f at array x by central differences: out.shape + x.shape."""
    cols = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = h
        e = e.reshape(x.shape)
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.stack(cols, axis=-1).reshape(np.shape(f(x)) + x.shape)


X = np.array([0.3, 0.7, 1.2])
KINDS = [ember.jacfwd, ember.jacrev, ember.jacobian]
IDS = ["jacfwd", "jacrev", "auto"]
MODES = KINDS + [lambda f, **k: ember.jacobian(f, mode="fwd", **k),
                 lambda f, **k: ember.jacobian(f, mode="rev", **k)]


@pytest.mark.parametrize("kind", MODES, ids=IDS + ["mode_fwd", "mode_rev"])
def test_vector_to_vector_is_out_by_in(kind):
    J = kind(sine_scale)(X)
    assert J.shape == (3, 3)
    np.testing.assert_allclose(J, central(sine_scale, X), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_matrix_shapes_concatenate(kind):
    J = kind(to_matrix)(X)
    assert J.shape == (2, 3, 3)
    np.testing.assert_allclose(J, central(to_matrix, X), rtol=1e-7, atol=1e-8)
    A = np.array([[0.5, -1.0, 2.0], [0.3, 0.1, 0.4]])
    G = kind(squash)(A)
    assert G.shape == (2, 3)
    np.testing.assert_allclose(G, central(squash, A), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_scalar_cases(kind):
    d = kind(scalar_fn)(0.4)
    assert type(d) is float
    assert d == pytest.approx(math.cos(0.4) * 0.4 + math.sin(0.4))
    col = kind(spread)(0.4)
    assert col.shape == (3,)
    np.testing.assert_allclose(col, [1.0, 0.8, -math.sin(0.4)])


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_argnums_tuple_gives_a_tuple_per_output_leaf(kind):
    b = np.array([1.0, 2.0])
    ja, jb = kind(two_args, argnums=(0, 1))(1.5, b)
    np.testing.assert_allclose(ja, b[0] + 2 * b * 1.5)           # (2,): out by scalar
    np.testing.assert_allclose(jb, np.array([[1.5 + 2.25, 0.0], [1.5, 2.25]]))
    jb_only = kind(two_args, argnums=1)(1.5, b)
    np.testing.assert_allclose(jb_only, jb)
    (j1,) = kind(two_args, argnums=(1,))(1.5, b)
    np.testing.assert_allclose(j1, jb)


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_dict_output_outside_dict_input_inside(kind):
    p, x = {"w": 1.5, "b": 2.0}, np.array([1.0, 2.0, 3.0])
    J = kind(dict_fn)(p, x)
    assert set(J) == {"y", "s"} and set(J["y"]) == {"w", "b"}
    np.testing.assert_allclose(J["y"]["w"], x)
    np.testing.assert_allclose(J["y"]["b"], np.zeros(3))
    assert J["s"] == {"w": 0.0, "b": 1.0} and type(J["s"]["b"]) is float
    Jx = kind(dict_fn, argnums=1)(p, x)
    np.testing.assert_allclose(Jx["y"], 1.5 * np.eye(3))
    np.testing.assert_allclose(Jx["s"], [2.0, 0.0, 0.0])
    both = kind(dict_fn, argnums=(0, 1))(p, x)
    assert isinstance(both["y"], tuple) and set(both["y"][0]) == {"w", "b"}
    np.testing.assert_allclose(both["s"][1], [2.0, 0.0, 0.0])


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_tuple_arguments_and_outputs(kind):
    A = np.arange(6.0).reshape(2, 3)
    J = kind(tuple_fn)((1.5, 2.5), A)
    (ya, yb), (sa, sb) = J
    np.testing.assert_allclose(ya, A * 2.5)
    np.testing.assert_allclose(yb, A * 1.5)
    assert (sa, sb) == (A.sum(), 0.0)
    JA = kind(tuple_fn, argnums=1)((1.5, 2.5), A)
    assert JA[0].shape == (2, 3, 2, 3) and JA[1].shape == (2, 3)
    np.testing.assert_allclose(JA[0].reshape(6, 6), 1.5 * 2.5 * np.eye(6))
    np.testing.assert_allclose(JA[1], np.full((2, 3), 1.5))


def test_int_leaves_are_none():
    x = np.array([1.0, 2.0])
    J = ember.jacfwd(mixed)((1.5, 3), x)
    assert J[1] is None                       # the int output
    ja, jn = J[0]
    assert jn is None                         # the int inside the tuple argument
    np.testing.assert_allclose(ja, x * 3)
    Jr = ember.jacrev(mixed)((1.5, 3), x)
    assert Jr[1] is None and Jr[0][1] is None
    np.testing.assert_allclose(Jr[0][0], x * 3)


def test_auto_mode_follows_the_sizes():
    def wide(a):
        return np.sum(a * a)
    j = ember.jacobian(wide)
    j(np.ones(4))
    assert "__jacrev" in j.inspect_ir("typed")       # n inputs, one output: reverse
    k = ember.jacobian(spread)
    k(0.3)
    assert "__jacfwd" in k.inspect_ir("typed")       # one input, n outputs: forward
    m = ember.jacobian(sine_scale)
    np.testing.assert_allclose(m(X), central(sine_scale, X), rtol=1e-7, atol=1e-8)
    text = m.inspect_ir("typed")
    assert "__jacfwd_body" in text and "__jacrev_body" in text   # decided at run time


def test_one_native_call_and_signatures():
    j = ember.jacfwd(sine_scale)
    j(X)
    assert j.signatures and len(j.signatures) == 1
    call = type(j).__dict__["__call__"]
    assert not hasattr(call, "__code__")     # the native builtin, not a Python method
    np.testing.assert_allclose(j(X + 1.0), central(sine_scale, X + 1.0), rtol=1e-7, atol=1e-8)
    assert "ember.jacfwd" in repr(j)


def test_jit_dispatcher_and_keyword_arguments():
    jf = ember.jit(boundscheck=False)(sine_scale)
    J = ember.jacrev(jf)(x=X)
    np.testing.assert_allclose(J, central(sine_scale, X), rtol=1e-7, atol=1e-8)


def test_hessian_shapes():
    H = ember.hessian(squash)(np.array([[0.5, -1.0], [0.3, 0.1]]))
    assert H.shape == (2, 2, 2, 2)
    assert type(ember.hessian(scalar_fn)(0.3)) is float
    p = {"w": 1.5, "b": 2.0}

    def energy(p, x):
        return p["w"] ** 2 * np.sum(x * x * x) + p["b"] * x[0] * x[1]
    x = np.array([1.0, 2.0, 3.0])
    Hp = ember.hessian(energy)(p, x)
    assert Hp == {"w": {"w": 2 * 36.0, "b": 0.0}, "b": {"w": 0.0, "b": 0.0}}
    # JAX's layout: the gradient's structure (gp, gx) outside, (p, x) inside each leaf
    gp, gx = ember.hessian(energy, argnums=(0, 1))(p, x)
    assert set(gp) == {"w", "b"} and gp["w"][0] == {"w": 2 * 36.0, "b": 0.0}
    np.testing.assert_allclose(gp["w"][1], 2 * 1.5 * 3 * x * x)
    hxp, hxx = gx
    np.testing.assert_allclose(hxp["w"], gp["w"][1])
    np.testing.assert_allclose(hxp["b"], [2.0, 1.0, 0.0])
    np.testing.assert_allclose(hxx, np.diag(1.5 ** 2 * 6 * x) + 2.0 * np.array(
        [[0, 1, 0], [1, 0, 0], [0, 0, 0]]))


def test_hvp():
    def energy(p, x):
        return p["w"] ** 2 * np.sum(x * x * x) + p["b"] * x[0] * x[1]
    p, x, v = {"w": 1.5, "b": 2.0}, np.array([1.0, 2.0, 3.0]), np.array([1.0, -0.5, 0.2])
    H = ember.hessian(energy, argnums=1)(p, x)
    np.testing.assert_allclose(ember.hvp(energy, argnums=1)(p, x, v), H @ v)
    hv = ember.hvp(energy)(p, x, {"w": 1.0, "b": 0.0})
    assert hv == {"w": pytest.approx(2 * 36.0), "b": 0.0}
    hv0, hv1 = ember.hvp(energy, argnums=(0, 1))(p, x, ({"w": 0.0, "b": 1.0}, v))
    np.testing.assert_allclose(hv1, H @ v + np.array([2.0, 1.0, 0.0]))
    with pytest.raises(TypeError, match="tuple of 2"):
        ember.hvp(energy, argnums=(0, 1))(p, x, v)
    with pytest.raises(TypeError, match="vector v"):
        ember.hvp(energy)(p, x)


def test_errors_point_at_the_function():
    with pytest.raises(DifferentiationError, match="Hessian needs a function with one float") as e:
        ember.hessian(sine_scale)(X)
    assert e.value.loc is not None and e.value.loc.line == sine_scale.__code__.co_firstlineno
    with pytest.raises(DifferentiationError, match="'n'") as e:
        ember.jacobian(power, argnums=1)(2.0, 3)
    assert e.value.loc is not None
    with pytest.raises(DifferentiationError, match="no float part"):
        ember.jacfwd(count)(1.5)
    with pytest.raises(DifferentiationError, match="no float part"):
        ember.jacrev(count)(1.5)
    with pytest.raises(DifferentiationError, match="Hessian"):
        ember.hvp(spread)(0.3, 1.0)
    with pytest.raises(ValueError, match="mode"):
        ember.jacobian(sine_scale, mode="sideways")
    with pytest.raises(TypeError, match="argnums"):
        ember.jacfwd(sine_scale, argnums=1.5)
    with pytest.raises(TypeError, match="out of range"):
        ember.jacrev(sine_scale, argnums=2)(X)
    with pytest.raises(DifferentiationError, match="hvp"):
        ember.grad(ember.hvp(scalar_fn))(0.3)


def with_aux(x):
    y = np.sin(x) * x[0]
    return y, {"norm": np.sum(y * y), "n": 3}


def cubes_and_aux(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] ** 3
    return s, x * 2.0


def test_has_aux():
    J, aux = ember.jacfwd(with_aux, has_aux=True)(X)
    np.testing.assert_allclose(J, central(lambda x: with_aux(x)[0], X), rtol=1e-7, atol=1e-8)
    y = np.sin(X) * X[0]
    assert aux == {"norm": pytest.approx(np.sum(y * y)), "n": 3}
    Jr, aux_r = ember.jacrev(with_aux, has_aux=True)(X)
    np.testing.assert_allclose(Jr, J)
    assert aux_r["n"] == 3
    H, a = ember.hessian(cubes_and_aux, has_aux=True)(X)
    np.testing.assert_allclose(H, np.diag(6 * X))
    np.testing.assert_allclose(a, 2 * X)
    with pytest.raises(TypeError, match="pair"):
        ember.jacfwd(sine_scale, has_aux=True)(X)


def writes_argument(x):
    x[0] = x[0] * 2.0
    return x * x[1]


def sum_after_write(x):
    x[0] = x[0] * 2.0
    return np.sum(x * x)


def copies_then_writes(x):
    x = x.copy()
    x[0] = x[0] * 2.0
    return x * x[1]


def test_writing_into_an_argument_is_refused():
    """A Jacobian runs the function once per direction: writes into an argument would
    compound, so they are refused (DifferentiationError at the def); a copy is fine."""
    x = X.copy()
    for kind in (ember.jacfwd, ember.jacrev, ember.jacobian):
        with pytest.raises(DifferentiationError, match="writes into an argument") as e:
            kind(writes_argument)(x)
        assert e.value.loc.line == writes_argument.__code__.co_firstlineno
    with pytest.raises(DifferentiationError, match="writes into an argument"):
        ember.hessian(sum_after_write)(x)
    np.testing.assert_array_equal(x, X)
    expect = np.array([[2 * X[1], 2 * X[0], 0.0], [0.0, 2 * X[1], 0.0], [0.0, X[2], X[1]]])
    np.testing.assert_allclose(ember.jacfwd(copies_then_writes)(x), expect)
    np.testing.assert_allclose(ember.jacrev(copies_then_writes)(x), expect)
    np.testing.assert_array_equal(x, X)
