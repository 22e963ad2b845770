"""Generated array programs against NumPy: shapes (0-4 dims, extents 0..3), slices with
negative and zero steps, broadcasting elementwise expressions and assignments; and a leak
test (10^6 calls keep the RSS and the runtime's live-block count flat).

Each jitted function is compiled once per specialization (module-level `ember.jit`) and
reused across examples, so the suite stays at a few seconds: hypothesis varies the shapes
and the values, and only the (dtype, ndim, layout) of the arguments picks a compile.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
from .array_check import assert_close, check_np, same_value

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
# Every (ndim, ndim) pair of a two-array function is a compile: fewer examples there.
FEWER = settings(SETTINGS, max_examples=30)

extent = st.integers(0, 3)
shape = st.lists(extent, min_size=0, max_size=4).map(tuple)
bound = st.integers(-6, 6)
step = st.integers(-3, 3)


def values(s: tuple, seed: int, offset: float = 0.0) -> np.ndarray:
    """Distinct, non-integral floats (no accidental ties or exact zeros)."""
    rng = np.random.default_rng(seed)
    return np.asarray(rng.random(s) * 4.0 - 2.0 + offset)


def check_view(py_fn, jitted, *args, close: float = 0.0) -> None:
    """check_np for functions that do not write their arguments, on the arguments as given:
    check_np deep-copies them, which turns a strided view into a contiguous array."""
    try:
        want = ("value", py_fn(*args))
    except Exception as e:  # the comparison is of the exception itself
        want = ("raise", (type(e), str(e)))
    try:
        got = ("value", jitted(*args))
    except Exception as e:
        got = ("raise", (type(e), str(e)))
    if "raise" in (want[0], got[0]):
        assert want == got
    elif close:
        assert_close(got[1], want[1], close)
    else:
        assert same_value(want[1], got[1]), (want, got)


# ---- slicing ---------------------------------------------------------------------------
def take(a, lo, hi, st_):
    return a[lo:hi:st_]


def take_from(a, lo):
    return a[lo:]


def take_to_step(a, hi, st_):
    return a[:hi:st_]


def take2(a, lo0, hi0, st0, lo1, hi1, st1):
    return a[lo0:hi0:st0, lo1:hi1:st1]


def store_slice(a, lo, hi, st_):
    a[lo:hi:st_] = -1.0


def add_into_slice(a, lo, hi, st_):
    a[lo:hi:st_] += a[lo:hi:st_] * 0.5
    return a.sum()


J_TAKE, J_FROM, J_TO = ember.jit(take), ember.jit(take_from), ember.jit(take_to_step)
J_TAKE2, J_STORE, J_ADDS = ember.jit(take2), ember.jit(store_slice), ember.jit(add_into_slice)


@SETTINGS
@given(n=st.integers(0, 7), lo=bound, hi=bound, st_=step, seed=st.integers(0, 3))
def test_1d_slices_read_and_write(n, lo, hi, st_, seed):
    a = values((n,), seed)
    check_np(take, a, lo, hi, st_, jitted=J_TAKE)  # step 0: NumPy's ValueError
    check_np(take_from, a, lo, jitted=J_FROM)
    check_np(take_to_step, a, hi, st_, jitted=J_TO)
    check_np(store_slice, a, lo, hi, st_, jitted=J_STORE)
    check_np(add_into_slice, a, lo, hi, st_, jitted=J_ADDS)
    # the same through a negative-stride view (layout A)
    check_view(take, J_TAKE, a[::-1], lo, hi, st_)


@SETTINGS
@given(s0=extent, s1=extent, lo0=bound, hi0=bound, st0=step, lo1=bound, hi1=bound, st1=step)
def test_2d_slices_of_c_and_f_arrays(s0, s1, lo0, hi0, st0, lo1, hi1, st1):
    a = values((s0, s1), s0 * 4 + s1)
    for arr in (a, np.asfortranarray(a)):
        check_np(take2, arr, lo0, hi0, st0, lo1, hi1, st1, jitted=J_TAKE2)


# ---- broadcasting expressions and assignments ---------------------------------------------
def expr2(a, b):
    return a * 2.0 - b / (1.0 + a * a), np.sum((a - b) ** 2)


def expr3(a, b, c):
    return (a + b) * c - np.sqrt(np.abs(b - c))


def assign_bcast(dest, src):
    dest[...] = src * 3.0
    return dest


def iadd_bcast(dest, src):
    dest += src
    return dest


J_E2, J_E3 = ember.jit(expr2), ember.jit(expr3)
J_ASSIGN, J_IADD = ember.jit(assign_bcast), ember.jit(iadd_bcast)


@st.composite
def broadcast_shapes(draw, count: int, drop_leading: bool = True):
    """`count` shapes that usually broadcast (each axis 1 or the common extent, some
    leading axes dropped) and sometimes do not (an independent extent)."""
    out = draw(shape)
    shapes = []
    for _ in range(count):
        drop = draw(st.integers(0, len(out))) if drop_leading else 0
        s = []
        for e in out[drop:]:
            pick = draw(st.sampled_from(["same", "same", "one", "other"]))
            s.append(e if pick == "same" else 1 if pick == "one" else draw(extent))
        shapes.append(tuple(s))
    return shapes


@FEWER
@given(shapes=broadcast_shapes(2), seed=st.integers(0, 3))
def test_two_operand_expressions_broadcast_like_numpy(shapes, seed):
    a, b = values(shapes[0], seed), values(shapes[1], seed + 1, 0.25)
    check_np(expr2, a, b, jitted=J_E2, close=1e-12)


@FEWER
@given(shapes=broadcast_shapes(3, drop_leading=False), seed=st.integers(0, 3))
def test_three_operand_expressions_broadcast_like_numpy(shapes, seed):
    a, b, c = (values(s, seed + k) for k, s in enumerate(shapes))
    check_np(expr3, a, b, c, jitted=J_E3, close=1e-12)
    # the same values through strided views (layout A)
    views = [np.repeat(x, 2, axis=0)[::2] if x.ndim else x for x in (a, b, c)]
    check_view(expr3, J_E3, *views, close=1e-12)


@FEWER
@given(shapes=broadcast_shapes(2), seed=st.integers(0, 3))
def test_assignments_broadcast_like_numpy(shapes, seed):
    """`dest[...] = src` and `dest += src`, including the mismatches: NumPy names an
    assignment's source without its leading 1s ("from shape (0,)" for (1, 0)), and an
    in-place operator is numpy.add(dest, src, out=dest), which rejects a src that would
    grow dest ("non-broadcastable output operand ...")."""
    dest, src = values(shapes[0], seed), values(shapes[1], seed + 1)
    check_np(assign_bcast, dest, src, jitted=J_ASSIGN)
    if _long_mismatch(dest.shape, src.shape):  # test_inplace_mismatch_of_many_extents
        with pytest.raises(ValueError, match="^operands could not be broadcast together"):
            J_IADD(dest.copy(), src)
    else:
        check_np(iadd_bcast, dest, src, jitted=J_IADD)


def _long_mismatch(sd: tuple, ss: tuple) -> bool:
    """NumPy's message for operands of `x += y` that do not broadcast names the shapes of
    x, y and x again: more than the 8 extents the backend formats into one message."""
    try:
        np.broadcast_shapes(sd, ss)
    except ValueError:
        return 2 * len(sd) + len(ss) > 8
    return False


@pytest.mark.parametrize("sd,ss", [((), (1,)), ((2, 1), (2, 3)), ((3,), (2, 3)), ((1,), (2,)),
                                   ((2, 3), (1, 1, 3)), ((2,), (3,)), ((2, 3), (4, 5, 3)),
                                   ((), (2, 1)), ((2, 1), (1,)), ((0, 2), (1, 1, 2))])
def test_inplace_operator_mismatches(sd, ss):
    check_np(iadd_bcast, np.ones(sd), np.ones(ss), jitted=J_IADD)


@pytest.mark.parametrize("sd,ss", [((2, 2, 2), (3, 2, 2)), ((2, 2, 2, 2), (3,))])
def test_inplace_mismatch_of_many_extents(sd, ss):
    check_np(iadd_bcast, np.ones(sd), np.ones(ss), jitted=J_IADD)


@pytest.mark.parametrize("sd,ss", [((2,), (1, 0)), ((2,), (1, 1, 3)), ((2,), (2, 1, 3)),
                                   ((2,), (1, 2, 1, 3)), ((3, 3), (1, 1, 2)), ((2,), (1, 2))])
def test_assignment_errors_name_the_source_without_leading_ones(sd, ss):
    check_np(assign_bcast, np.ones(sd), np.ones(ss), jitted=J_ASSIGN)


# ---- leaks -------------------------------------------------------------------------------
def make_array(n):
    return np.zeros(n) + 1.0


def temporaries(a):
    t = a * 2.0
    t[0] = 1.0  # a second use: `t` is a real temporary, not fused away
    u = np.sqrt(t) + a
    return u.sum() + t.sum()


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096


@pytest.mark.parametrize("fn,arg", [(make_array, 16), (temporaries, np.linspace(1.0, 2.0, 16))],
                         ids=["returns-array", "temporaries"])
def test_a_million_calls_keep_memory_flat(fn, arg):
    from ember.backend.runtime_helpers import live_blocks

    jitted = ember.jit(fn)
    check_np(fn, arg, jitted=jitted, close=True)
    for _ in range(10_000):  # warm up allocator pools and caches
        jitted(arg)
    rss0, live0 = _rss(), live_blocks()
    for _ in range(1_000_000):
        jitted(arg)
    grown = _rss() - rss0
    # a leaked 128-byte array per call would be >100 MB: allow allocator noise only
    assert grown < 4 * 2**20, f"RSS grew by {grown} bytes over 10^6 calls"
    assert live_blocks() == live0

