"""Creation, slicing, whole-array expressions and reductions: compiled vs NumPy."""
import numpy as np
import pytest

import ember
from .array_check import check_np, layouts


def step(u, c, dt):
    out = np.empty_like(u)
    out[1:-1] = u[1:-1] + c * dt * (u[:-2] - 2.0 * u[1:-1] + u[2:])
    out[0] = out[-1] = 0.0
    return out


def pair_energy(pos):
    n = pos.shape[0]
    e = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            r = np.sqrt(np.sum((pos[i] - pos[j]) ** 2))
            e += 1.0 / r
    return e


def creation(n):
    return (np.zeros(n), np.ones((2, n), dtype=np.int32), np.full(n, 3.5), np.arange(n),
            np.arange(1.0, n, 0.5), np.linspace(0.0, 1.0, n), np.eye(n), np.empty(0).shape)


def slices(a):
    return a[1:], a[::-1], a[::2], a[1:-1:3], a[-3:], a[None, :], a[:0]


def slices2d(a):
    return a[1:, ::-1], a[:, 0], a[0, :], a[..., 1], a[:, None, 1]


def chain(a, b, c):
    return np.sin(a) * b + c / 2.0 - np.sqrt(np.abs(a - b))


def compare_and_where(a, b):
    return np.where(a > b, a, b), a == b, (a < 0.5) & (b > 0.5)


def reductions(a):
    return (np.sum(a), a.sum(axis=0), np.prod(a[:3]), a.min(), a.max(axis=1), np.mean(a),
            a.var(), np.std(a, ddof=1), np.argmin(a), np.argmax(a), np.all(a > 0), np.any(a > 0.9),
            np.cumsum(a[0]), a.sum(axis=-1, keepdims=True))


def broadcast(a, b):
    return a[:, None] * b[None, :] + 1.0


def slice_assign(a, b):
    a[1:4] = b[:3]
    a[::2] += 1.0
    a[-1] = 7.0
    return a


def shape_mismatch(a, b):
    return a + b


def test_issue_examples():
    u = np.linspace(0.0, 1.0, 17) ** 2
    check_np(step, u, 0.5, 0.1)
    pos = np.random.default_rng(1).random((12, 3))
    check_np(pair_energy, pos, close=True)


@pytest.mark.parametrize("n", [1, 2, 5, 16])
def test_creation(n):
    check_np(creation, n)


def test_slices():
    for a in layouts(np.arange(10.0)):
        check_np(slices, a)
    for a in layouts(np.arange(12.0).reshape(3, 4)):
        check_np(slices2d, a)


def test_elementwise_chains_and_broadcasting():
    rng = np.random.default_rng(2)
    a, b, c = rng.random(33), rng.random(33), rng.random(33)
    check_np(chain, a, b, c)
    check_np(compare_and_where, a, b)
    check_np(broadcast, rng.random(5), rng.random(4))
    # NumPy's float32 sin/sqrt are its own SIMD approximations, not the C library's.
    check_np(chain, a.astype(np.float32), b.astype(np.float32), c.astype(np.float32), close=1e-6)


def test_reductions():
    rng = np.random.default_rng(3)
    for a in layouts(rng.random((6, 5))):
        check_np(reductions, a, close=True)


def test_slice_assignment():
    rng = np.random.default_rng(4)
    for a in layouts(rng.random(9)):
        check_np(slice_assign, a, rng.random(5))


def test_shape_errors():
    check_np(shape_mismatch, np.zeros(3), np.zeros(4))
    check_np(slice_assign, np.zeros(9), np.zeros(2))


def test_allocations_are_freed():
    from ember.backend.runtime_helpers import live_blocks
    f = ember.jit(chain)
    a = np.ones(100)
    f(a, a, a)
    before = live_blocks()
    for _ in range(10_000):
        r = f(a, a, a)
    del r
    assert live_blocks() == before


def where3(c, a, b):
    return np.where(c, a, b)


def test_long_error_messages_still_raise():
    """More numbers than the runtime's message slots: the error is still NumPy's ValueError,
    the numbers past the slots print as '?'."""
    c = np.zeros((1, 2, 3, 4, 5, 6), dtype=bool)
    a, b = np.zeros((2, 2, 3, 4, 5, 6)), np.zeros((3, 2, 3, 4, 5, 6))
    with pytest.raises(ValueError, match=r"could not be broadcast together with shapes "
                                         r"\(1,2,3,4,5,6\) \(2,2,3,4,5,6\) \(3,2,3,4,\?,\?\)"):
        ember.jit(where3)(c, a, b)
