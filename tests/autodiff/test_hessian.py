"""Second and third derivatives through every control-flow form: ember.hessian against
central differences of ember.grad and against forward over forward, symmetry, third
derivatives against closed forms, Jacobians of Jacobians, and the perturbation-confusion
cases of the AD literature."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember


def rosenbrock(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def while_branch_writes(x):
    y = np.empty_like(x)
    k = 0
    t = 0.0
    while k < x.shape[0]:
        y[k] = x[k] * x[k] if x[k] > 0.5 else math.exp(x[k])
        t += y[k] * x[0]
        k += 1
    return t + np.sum(y * y)


def early_exit(x):
    s = 0.0
    for i in range(x.shape[0]):
        if s > 3.0:
            break
        s += math.sin(x[i]) * x[(i + 1) % x.shape[0]]
    return s * s


def helper(a, b):
    return a * math.tanh(b)


def calls_and_tuples(x, c):
    p, q = c
    acc = 0.0
    for i in range(x.shape[0]):
        acc += helper(x[i], p) * q if i % 2 == 0 else helper(q, x[i])
    return acc


def ode_loss(p):
    # x' = -p0 x + p1 sin(t), integrated by RK4
    x, t, h = 1.0, 0.0, 0.05
    for _ in range(40):
        k1 = -p[0] * x + p[1] * math.sin(t)
        k2 = -p[0] * (x + 0.5 * h * k1) + p[1] * math.sin(t + 0.5 * h)
        k3 = -p[0] * (x + 0.5 * h * k2) + p[1] * math.sin(t + 0.5 * h)
        k4 = -p[0] * (x + h * k3) + p[1] * math.sin(t + h)
        x += h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        t += h
    return (x - 0.3) ** 2


CASES = [(rosenbrock, (np.array([0.3, 0.7, 1.2, -0.4]),)),
         (while_branch_writes, (np.array([0.3, 0.7, 1.2, 0.1]),)),
         (early_exit, (np.array([0.9, 0.7, 1.2, 0.4, 1.5]),)),
         (calls_and_tuples, (np.array([0.3, -0.7, 1.2]), (0.4, 1.3))),
         (ode_loss, (np.array([0.8, 0.5]),))]


def grad_differences(f, args, h=1e-6):
    """d/dx_j of ember.grad(f) by central differences: column j."""
    g = ember.grad(f)
    x = args[0]
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((g(x + e, *args[1:]) - g(x - e, *args[1:])) / (2 * h))
    return np.stack(cols, axis=1)


@pytest.mark.parametrize("f, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_hessian_against_differences_of_the_gradient(f, args):
    H = ember.hessian(f)(*args)
    np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-12)   # symmetric
    np.testing.assert_allclose(H, grad_differences(f, args), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ember.jacfwd(ember.jacfwd(f))(*args), H, rtol=1e-10, atol=1e-10)
    v = np.linspace(-1.0, 1.0, args[0].size)
    np.testing.assert_allclose(ember.hvp(f)(*args, v), H @ v, rtol=1e-10, atol=1e-10)


def test_rosenbrock_closed_form():
    x = np.array([0.3, 0.7, 1.2])
    H = ember.hessian(rosenbrock)(x)
    expect = np.zeros((3, 3))
    for i in range(2):
        expect[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        expect[i, i + 1] -= 400 * x[i]
        expect[i + 1, i] -= 400 * x[i]
        expect[i + 1, i + 1] += 200
    np.testing.assert_allclose(H, expect, rtol=1e-12)


def sin_x2(x):
    return math.sin(x) * x * x


def exp_loop(x):
    s = 0.0
    k = 0
    while k < 4:
        s += math.exp(k * x)
        k += 1
    return s


def third_order_poly(x, n):
    acc = 1.0
    for _ in range(n):
        acc = acc * x + 1.0
    return acc


def test_third_derivatives_closed_forms():
    d3 = ember.grad(ember.grad(ember.grad(sin_x2)))
    x = 0.3
    assert d3(x) == pytest.approx(-x * x * math.cos(x) - 6 * x * math.sin(x) + 6 * math.cos(x),
                                  rel=1e-12)
    e3 = ember.grad(ember.grad(ember.grad(exp_loop)))(0.2)
    assert e3 == pytest.approx(sum(k ** 3 * math.exp(0.2 * k) for k in range(4)), rel=1e-12)
    # 1 + x + ... + x^5: third derivative sum_k k(k-1)(k-2) x^(k-3)
    p3 = ember.grad(ember.grad(ember.grad(third_order_poly)))(0.7, 5)
    assert p3 == pytest.approx(sum(k * (k - 1) * (k - 2) * 0.7 ** (k - 3) for k in range(3, 6)))
    # the Hessian of the gradient's derivative: the same number through jacobians
    assert ember.jacfwd(ember.hessian(sin_x2))(x) == pytest.approx(d3(x), rel=1e-12)
    assert ember.jacrev(ember.grad(ember.grad(sin_x2)))(x) == pytest.approx(d3(x), rel=1e-12)


def stretch(x):
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = math.sin(x[i]) * x[0] * x[(i + 1) % x.shape[0]]
    return out


@pytest.mark.parametrize("outer, inner", [("jacrev", "jacrev"), ("jacrev", "jacfwd"),
                                          ("jacfwd", "jacrev")])
def test_jacobian_of_jacobian(outer, inner):
    x = np.array([0.3, 0.7, 1.2])
    T = getattr(ember, outer)(getattr(ember, inner)(stretch))(x)
    assert T.shape == (3, 3, 3)
    J = ember.jacfwd(stretch)
    h = 1e-6
    fd = np.stack([(J(x + h * e) - J(x - h * e)) / (2 * h) for e in np.eye(3)], axis=-1)
    np.testing.assert_allclose(T, fd, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(T, np.swapaxes(T, 1, 2), rtol=1e-12, atol=1e-12)


def product(x, y):
    return x * y


def shifted(x, y):
    return x + y


def test_no_perturbation_confusion():
    """d/dx [x * d/dy (x y)] at x = 5, y = 3 is 10 (a confused nesting gives 15); and
    Siskind and Pearlmutter's d/dx [x * d/dy (x + y)] = 1 (confused: 2).

    The inner derivative enters the outer one through the transforms' own nesting: the
    product rule d/dx [x * g_y(x, y)] = g_y + x * g_xy, with g_y from ember.grad and g_xy
    the mixed block of the compiled Hessian (forward over reverse) and of the Jacobian of
    the compiled gradient. A confused implementation mixes the x and y tangents there."""
    for g, expect in ((product, 10.0), (shifted, 1.0)):
        gy = ember.grad(g, argnums=1)(5.0, 3.0)
        (_, hxy), _ = ember.hessian(g, argnums=(0, 1))(5.0, 3.0)
        assert gy + 5.0 * hxy == expect
        gxy = ember.jacfwd(ember.grad(g, argnums=1), argnums=0)(5.0, 3.0)
        assert gy + 5.0 * gxy == expect
        _, (_, dgy) = ember.jvp(ember.grad(g, argnums=(0, 1)), (5.0, 3.0), (1.0, 0.0))
        assert gy + 5.0 * dgy == expect


def nested_loops(a):
    s = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            s += a[i, j] * a[j, i] * math.cos(a[i, j])
    return s


def test_hessian_of_a_matrix_argument():
    a = np.array([[0.3, 0.7], [1.2, -0.4]])
    H = ember.hessian(nested_loops)(a)
    assert H.shape == (2, 2, 2, 2)
    flat = H.reshape(4, 4)
    np.testing.assert_allclose(flat, flat.T, rtol=1e-12, atol=1e-12)
    g = ember.grad(nested_loops)
    h = 1e-6
    fd = np.stack([(g(a + h * e.reshape(2, 2)) - g(a - h * e.reshape(2, 2))) / (2 * h)
                   for e in np.eye(4)], axis=-1).reshape(2, 2, 2, 2)
    np.testing.assert_allclose(H, fd, rtol=1e-5, atol=1e-6)


def cube_dot(x):
    return np.sum(x * x * x) * x[0]


def cube_dot_third(x):
    """The closed form of d^3 cube_dot / dx_i dx_j dx_k."""
    n = x.shape[0]
    T = np.zeros((n, n, n))
    for i in range(n):
        T[i, i, i] += 6 * x[0]
        for a, b, c in ((i, i, 0), (i, 0, i), (0, i, i)):
            T[a, b, c] += 6 * x[i]
    return T


@pytest.mark.parametrize("make", [
    lambda f: ember.jacrev(ember.hessian(f)),
    lambda f: ember.jacrev(ember.jacrev(ember.grad(f))),
    lambda f: ember.jacobian(ember.jacobian(ember.grad(f))),
], ids=["rev_hessian", "rev_rev_grad", "auto_auto_grad"])
def test_third_order_tensors(make):
    x = np.array([0.3, 0.7, -0.4])
    np.testing.assert_allclose(make(cube_dot)(x), cube_dot_third(x), rtol=1e-12, atol=1e-12)


def records(p, x):
    return {"y": p["w"] * x * x[0], "s": p["b"] * x[0] * p["w"]}


@pytest.mark.parametrize("outer, inner", [("jacfwd", "jacrev"), ("jacrev", "jacfwd")])
def test_jacobian_of_jacobian_of_dicts(outer, inner):
    p, x = {"w": 1.5, "b": 2.0}, np.array([1.0, 2.0, 3.0])
    T = getattr(ember, outer)(getattr(ember, inner)(records, argnums=(0, 1)), argnums=1)(p, x)
    assert set(T) == {"y", "s"}
    d_yx_dx = T["y"][1]            # d/dx of d y / d x: (3, 3, 3)
    expect = np.zeros((3, 3, 3))
    for i in range(3):             # y_i = w x_i x_0
        expect[i, i, 0] += 1.5
        expect[i, 0, i] += 1.5
    np.testing.assert_allclose(d_yx_dx, expect)
    np.testing.assert_allclose(T["s"][0]["w"], [2.0, 0.0, 0.0])   # d/dx (b x_0)
    # d/dx_j (d y_i / d w) = d/dx_j (x_i x_0) = x_0 [i == j] + x_i [j == 0]
    np.testing.assert_allclose(T["y"][0]["w"], x[0] * np.eye(3) + np.outer(x, [1.0, 0.0, 0.0]))


def test_vjp_of_grad_with_an_array_argument():
    """Reverse over the grad wrapper: its call of f__vjp returns the gradient array inside
    a tuple, inlined before the second reverse pass (it used to give zeros)."""
    x = np.array([0.3, 0.7, -0.4])
    H = ember.hessian(cube_dot)(x)
    for ct in np.eye(3):
        _, vjp_fn = ember.vjp(ember.grad(cube_dot), x)
        np.testing.assert_allclose(vjp_fn(ct)[0], ct @ H, rtol=1e-12)
    np.testing.assert_allclose(ember.jacrev(ember.grad(cube_dot))(x), H, rtol=1e-12)


d_dy_product = ember.grad(product, argnums=1)
d_dy_shifted = ember.grad(shifted, argnums=1)


def x_times_inner_product(x, y):
    return x * d_dy_product(x, y)


def x_times_inner_shifted(x, y):
    return x * d_dy_shifted(x, y)


def test_no_perturbation_confusion_with_the_inner_derivative_inside():
    """The same cases with the inner derivative called inside the differentiated function
    (compiled code calling ember.grad)."""
    assert ember.grad(x_times_inner_product)(5.0, 3.0) == 10.0
    assert ember.grad(x_times_inner_shifted)(5.0, 3.0) == 1.0
    assert ember.hessian(x_times_inner_product)(5.0, 3.0) == 2.0
    assert ember.jacfwd(x_times_inner_product)(5.0, 3.0) == 10.0


rosen_hessian = ember.hessian(rosenbrock)


def hessian_trace(x):
    h = rosen_hessian(x)
    s = 0.0
    for i in range(x.shape[0]):
        s += h[i, i]
    return s


def test_hessian_called_inside_compiled_code_and_differentiated():
    x = np.array([0.3, 0.7, 1.2])
    H = rosen_hessian(x)
    assert ember.jit(hessian_trace)(x) == pytest.approx(np.trace(H), rel=1e-14)
    T = ember.jacrev(rosen_hessian)(x)
    np.testing.assert_allclose(ember.grad(hessian_trace)(x), np.einsum("iij->j", T), rtol=1e-12)


@pytest.mark.parametrize("f, args", CASES[:3], ids=[c[0].__name__ for c in CASES[:3]])
def test_vjp_of_jvp_is_the_hessian_vector_product(f, args):
    """Reverse over forward at the transform level (`vjp` of `jvp`): the gradient of the
    directional derivative v . grad f is H v, through loops, branches and array writes."""
    from ember.autodiff import jvp, vjp
    from tests.autodiff.harness import derive
    x = args[0]
    v = np.linspace(-1.0, 1.0, x.size)
    d = derive(f, (x,), lambda m, e: vjp(m, jvp(m, e, (0,)), (0,)))
    (out, dout), (hv,) = d(x.copy(), v, (0.0, 1.0))
    H = ember.hessian(f)(x)
    np.testing.assert_allclose(hv, H @ v, rtol=1e-10, atol=1e-10)
    assert dout == pytest.approx(float(ember.grad(f)(x) @ v), rel=1e-12)
