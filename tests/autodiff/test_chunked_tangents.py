"""Several tangents per pass: forward mode with K channels (autodiff/forward.py,
`jvp(..., channels=K)`) against K one-channel jvps, and Hessians and forward Jacobians
built K directions per call (autodiff/jacobian_chunks.py) against one direction per
call, with a number of directions that K does not divide, scalar and array leaves,
has_aux, the default choice of K, and the fallback when a custom_jvp rule is inside."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.autodiff import jacobian_chunks, jvp
from tests.autodiff.harness import derive
from tests.autodiff.test_forward_util import fresh


def branches_and_while(x, y):
    z = x * y if x > y else math.sin(x) + y
    k = 0
    while z < 10.0 and k < 50:  # a data-dependent trip count
        z = z * 1.5 + math.exp(-x)
        k += 1
    return z * y


def _rhs(p, y):
    out = np.empty(y.shape[0])
    for i in range(y.shape[0]):
        out[i] = -p[i] * y[i] + 0.5 * math.sin(y[i - 1])
    return out


def rk4_arrays(p, y0):
    y = y0
    for _ in range(5):
        k1 = _rhs(p, y)
        k2 = _rhs(p, y + 0.05 * k1)
        y = y + 0.05 * (k1 + k2)
    return y


def tuple_helper(a, b):
    return a * b, a - math.tanh(b)


def with_tuples(x, c):
    s, t = c
    acc = 0.0
    for i in range(x.shape[0]):
        u, w = tuple_helper(x[i], s)
        acc += u * t + w * w if i % 2 == 0 else u * u
    return acc


def guarded(x, y, n):
    s = 0.0
    for i in range(n):
        try:
            s += math.sqrt(x - i) * y  # ValueError once i > x
            if s > 6.0:
                raise ValueError("big")
        except ValueError:
            s = s * 0.5 + x            # continues from the state recorded before the raise
        if s > 20.0:
            return s * y               # an early exit
    return s


PROGRAMS = [
    (guarded, (3.7, 1.4, 8), (0, 1)),
    (guarded, (30.0, 2.0, 8), (0, 1)),
    (branches_and_while, (1.3, 0.7), (0, 1)),
    (branches_and_while, (0.2, 0.9), (0, 1)),
    (rk4_arrays, (np.array([0.5, 1.0, 1.5, 0.8]), np.array([0.3, -0.2, 0.1, 0.4])), (0, 1)),
    (with_tuples, (np.array([0.4, -0.3, 1.1]), (0.7, 1.9)), (0, 1)),
]


def _tangent(rng: np.random.Generator, v):
    if isinstance(v, tuple):
        return tuple(_tangent(rng, e) for e in v)
    return rng.normal(size=v.shape) if isinstance(v, np.ndarray) else float(rng.normal())


@pytest.mark.parametrize("f, primals, wrt", PROGRAMS)
def test_k_channel_jvp_is_k_one_channel_jvps(f, primals, wrt):
    K = 3
    rng = np.random.default_rng(7)
    dirs = [[_tangent(rng, primals[i]) for i in wrt] for _ in range(K)]
    one = derive(f, primals, lambda m, e: jvp(m, e, tuple(wrt)))
    many = derive(f, primals, lambda m, e: jvp(m, e, tuple(wrt), channels=K))
    got = many(*[fresh(p) for p in primals], *[fresh(t) for d in dirs for t in d])
    assert len(got) == 1 + K
    for c in range(K):
        out, tan = one(*[fresh(p) for p in primals], *[fresh(t) for t in dirs[c]])
        np.testing.assert_allclose(np.asarray(got[0]), np.asarray(out), rtol=0, atol=0)
        np.testing.assert_allclose(np.asarray(got[1 + c]), np.asarray(tan), rtol=1e-13,
                                   atol=1e-13)


def rosenbrock(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def ode_loss(p, y0):
    d = rk4_arrays(p, y0)
    return np.sum(d * d)


def scalar_and_array(x, s):
    acc = s * s
    for i in range(x.shape[0]):
        acc += math.sin(x[i] * s) * x[i]
    return acc


def dict_params(p, xs):
    acc = 0.0
    for i in range(xs.shape[0]):
        r = p["w"][i % p["w"].shape[0]] * xs[i] + p["b"]
        acc += r * r * math.cos(r)
    return acc


def hess_cases():
    rng = np.random.default_rng(3)
    return [
        (rosenbrock, (rng.uniform(-1, 1.5, 7),), 0),          # 7 directions: 4 + 3
        (ode_loss, (rng.uniform(0.5, 1.5, 5), rng.uniform(-1, 1, 5)), 0),
        (scalar_and_array, (rng.normal(size=6), 0.8), (0, 1)),  # scalar leaves too
        (dict_params, ({"w": rng.normal(size=5), "b": 0.3}, rng.normal(size=9)), 0),
    ]


def _same(a, b):
    if isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    else:
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12, atol=1e-12)


def with_aux(x):
    v = rosenbrock(x)
    return v, (v * 2.0, x.shape[0])


@pytest.mark.parametrize("f, args, argnums", hess_cases() + [(with_aux, (np.ones(5) * 0.3,), 0)])
def test_chunked_hessian_equals_one_direction_per_call(f, args, argnums, monkeypatch):
    aux = f is with_aux
    monkeypatch.setattr(jacobian_chunks, "chunk_for", lambda m, e: 1)
    want = ember.hessian(f, argnums=argnums, has_aux=aux)(*args)
    monkeypatch.setattr(jacobian_chunks, "chunk_for", lambda m, e: 4)
    h = ember.hessian(f, argnums=argnums, has_aux=aux)
    _same(h(*args), want)
    assert "__jvp4" in h.inspect_ir("typed")  # the 4-channel jvp was used


def test_chunked_hessian_against_differences_of_the_gradient(monkeypatch):
    monkeypatch.setattr(jacobian_chunks, "chunk_for", lambda m, e: 3)
    p, y0 = np.array([0.5, 1.0, 1.5, 0.8, 1.2]), np.array([0.3, -0.2, 0.1, 0.4, -0.5])
    H = ember.hessian(ode_loss)(p, y0)
    g = ember.grad(ode_loss)
    eps = 1e-6
    cols = [(g(p + eps * e, y0) - g(p - eps * e, y0)) / (2 * eps) for e in np.eye(5)]
    np.testing.assert_allclose(H, np.array(cols).T, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-14)


@ember.custom_jvp
def soft(x):
    return math.log(1.0 + math.exp(x))


@soft.defjvp
def soft_jvp(primals, tangents):
    x, = primals
    t, = tangents
    return soft(x), t / (1.0 + math.exp(-x))


def uses_custom(x):
    acc = 0.0
    for i in range(x.shape[0]):
        acc += soft(x[i]) * x[i]
    return acc


def test_a_custom_jvp_rule_inside_falls_back_to_one_direction_per_call(monkeypatch):
    monkeypatch.setattr(jacobian_chunks, "chunk_for", lambda m, e: 4)
    x = np.array([0.3, -1.2, 2.0, 0.5, -0.1])
    h = ember.hessian(uses_custom)
    H = h(x)
    ir = h.inspect_ir("typed")
    assert "__jvp4" not in ir  # the module holds no half-built 4-channel function
    g = ember.grad(uses_custom)
    eps = 1e-6
    cols = [(g(x + eps * e) - g(x - eps * e)) / (2 * eps) for e in np.eye(5)]
    np.testing.assert_allclose(H, np.array(cols).T, rtol=1e-6, atol=1e-8)


def tuple_out(x, s):
    y = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        y[i] = math.sin(x[i] * s) + x[i - 1]
    return y, s * np.sum(y)


@pytest.mark.parametrize("make", [
    lambda: ember.jacfwd(rk4_arrays, argnums=(0, 1)),
    lambda: ember.jacobian(rk4_arrays, mode="fwd"),
    lambda: ember.jacobian(tuple_out, argnums=(0, 1)),  # auto: chosen at run time
    lambda: ember.jacfwd(tuple_out, argnums=(0, 1)),
])
def test_chunked_jacfwd_equals_one_direction_per_call(make, monkeypatch):
    rng = np.random.default_rng(5)
    f = make()
    args = ((rng.uniform(0.5, 1.5, 5), rng.normal(size=5)) if f.__wrapped__ is rk4_arrays
            else (rng.normal(size=5), 0.7))
    monkeypatch.setattr(jacobian_chunks, "chunk_for", lambda m, e: 1)
    want = make()(*args)
    monkeypatch.setattr(jacobian_chunks, "chunk_for", lambda m, e: 3)  # 5 directions: 3 + 2
    g = make()
    _same(g(*args), want)
    assert "__jvp3" in g.inspect_ir("typed")


def test_two_directions_per_call_where_a_pass_is_costly():
    """The default: loop nests, arrays or calls inside loops (an RK4 integrator) get two
    directions per call; a single flat loop (Rosenbrock) keeps one (compile time)."""
    assert jacobian_chunks.FWD_CHUNK == 2
    h = ember.hessian(ode_loss)
    h(np.array([0.5, 1.0, 1.5]), np.array([0.3, -0.2, 0.1]))
    assert "__jvp2" in h.inspect_ir("typed")
    r = ember.hessian(rosenbrock)
    r(np.array([0.5, 1.0, 1.5]))
    assert "__jvp2" not in r.inspect_ir("typed")
