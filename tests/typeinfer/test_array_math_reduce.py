"""Reductions compiled end to end against NumPy: every kind, whole-array and along an axis
(negative axes, keepdims), across dtypes and layouts, and NumPy's errors on empty input.

One compiled function computes many reductions and assigns each into an output array (a
0-d array for a scalar result), since compiling is what costs here."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from ember.ir.types import ArrayType
from ember.typeinfer import array_math as am
from ember.typeinfer.array_ufuncs import np_dtype

from .test_array_math_kit import OP, array_type, compile_fn, same, sample

KINDS = ["sum", "prod", "min", "max", "mean", "var", "std", "argmin", "argmax", "all", "any",
         "cumsum", "cumprod"]


def _want(kind: str, a: np.ndarray, axis, keep: bool, ddof: int):
    kw = {} if kind.startswith("cum") or kind.startswith("arg") and not keep else {"keepdims": keep}
    if kind in ("var", "std"):
        kw["ddof"] = ddof
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "Degrees of freedom <= 0"
        return np.asarray(getattr(np, kind)(a, axis=axis, **kw))


def _run(a: np.ndarray, cases: list[tuple[str, object, bool]], ddof: int = 0) -> None:
    t = array_type(a)
    wants = [_want(k, a, ax, keep, ddof) for k, ax, keep in cases]
    outs = []
    for (k, ax, keep), w in zip(cases, wants):
        rt = am.reduction_type(k, t, ax, keep)
        dt = np_dtype(rt.dtype if isinstance(rt, ArrayType) else rt)
        outs.append(np.zeros(w.shape, dt))

    def body(em, x, *dests):
        for (k, ax, keep), d in zip(cases, dests):
            am.assign(em, d, am.reduction(em, k, x, ax, keep, ddof, OP), OP)
        return None
    call = compile_fn([t] + [array_type(o) for o in outs], body)
    call(a, *outs)
    for (k, ax, keep), got, want in zip(cases, outs, wants):
        try:
            # float sums: NumPy's pairwise order vs the lowering's loop (module docstring)
            same(got, want, exact=not (want.dtype.kind == "f" and k not in ("min", "max")))
        except AssertionError as e:
            raise AssertionError(f"np.{k}(axis={ax}, keepdims={keep}): {e}") from None


def test_every_kind_float64_whole_and_axis():
    a = sample(np.float64, 24, seed=1).reshape(4, 6)
    a[np.isnan(a) | np.isinf(a)] = 1.5
    _run(a, [(k, None, False) for k in KINDS] + [(k, 1, False) for k in KINDS])


def test_negative_axis_keepdims_and_fortran_layout():
    a = np.asfortranarray(sample(np.float64, 24, seed=2).reshape(2, 3, 4))
    a[~np.isfinite(a)] = -2.0
    _run(a, [("sum", -1, True), ("max", 0, True), ("argmin", -2, True), ("var", 1, True),
             ("mean", None, True), ("cumprod", -3, False)], ddof=1)


@pytest.mark.parametrize("dt", [np.int32, np.uint8, np.bool_, np.float32])
def test_integer_bool_and_float32_dtypes(dt):
    a = sample(dt, 15, seed=3).reshape(3, 5)
    if a.dtype.kind == "f":
        a[~np.isfinite(a)] = 0.25
    _run(a[:, ::-2], [("sum", None, False), ("prod", 0, False), ("mean", 1, False),
                      ("std", None, False), ("argmax", 0, False), ("max", None, False),
                      ("any", 1, False), ("cumsum", None, False)])


def test_nan_rules_of_min_max_argmin():
    a = np.array([1.0, np.nan, -3.0, np.nan, 7.0])
    _run(a, [("min", None, False), ("max", 0, False), ("argmin", None, False),
             ("argmax", None, False), ("sum", None, False)])


def test_small_float_sums_are_exact_and_large_ones_close():
    a = np.array([0.1, 0.2, 0.3, 1e16, -1e16, 0.4, 0.5])
    call = compile_fn([array_type(a)], lambda em, x: am.reduction(em, "sum", x, None, False, 0, OP))
    assert call(a) == np.sum(a)  # fewer than 8 elements: NumPy adds left to right too
    b = np.random.default_rng(0).normal(size=10_000)
    assert call(b) == pytest.approx(np.sum(b), rel=1e-12)


def test_empty_inputs_raise_numpys_errors():
    e = np.zeros((0, 3))
    t = array_type(e)
    mn = compile_fn([t], lambda em, x: am.reduction(em, "min", x, None, False, 0, OP))
    with pytest.raises(ValueError, match="^zero-size array to reduction operation minimum which has no identity$"):
        mn(e)
    am_ = compile_fn([t], lambda em, x: am.reduction(em, "argmax", x, 0, False, 0, OP))
    with pytest.raises(ValueError, match="^attempt to get argmax of an empty sequence$"):
        am_(e)
    same(am_(np.zeros((2, 0)).copy()), np.zeros(0, np.int64))
    mean = compile_fn([t], lambda em, x: am.reduction(em, "mean", x, None, False, 0, OP))
    assert np.isnan(mean(e))
    mx = compile_fn([t], lambda em, x: am.reduction(em, "max", x, 1, False, 0, OP))
    same(mx(e), np.zeros(0))  # the reduced axis is not empty: an empty result


def test_variance_ddof_beyond_count_is_inf_or_nan():
    a = np.array([1.0, 2.0])
    _run(a, [("var", None, False), ("std", 0, False)], ddof=2)
