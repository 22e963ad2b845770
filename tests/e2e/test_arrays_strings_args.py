"""String literals as compile-time options of numpy calls and array methods (kind='stable',
ord='fro', a.astype('f4')) against NumPy (strings as run-time values: tests/e2e/test_strings.py).

The frontend turns a string literal that is a direct argument of a numpy call / method into
`py.str {value}`; type inference gives it a static type the rules read."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.frontend import build_function
from ember.ir.errors import TypingError, UnsupportedSyntaxError
from ember.ir.printer import print_func
from tests.e2e.array_check import check_np, layouts

RNG = np.random.default_rng(11)


def sort_kinds(a):
    return (np.sort(a, kind="stable"), np.sort(a, kind="quicksort"),
            np.sort(a, kind="mergesort"), np.sort(a, kind="heapsort"), np.sort(a, kind=None))


def argsort_stable(a):
    return np.argsort(a, kind="stable"), np.argsort(a, -1, "mergesort"), a.argsort(kind="stable")


def argsort_quick(a):
    return np.argsort(a, kind="quicksort"), a.argsort(kind="heapsort")


def sort_method_kind(a):
    a.sort(kind="quicksort")
    b = a.copy()
    b.sort(kind="stable")
    return b


def sort_odd_spellings(a):
    # NumPy reads the kind by its first letter, in either case.
    return np.sort(a, kind="Stable"), np.sort(a, kind="QUICK"), np.argsort(a, kind="m")


def norm_fro(m):
    return np.linalg.norm(m, ord="fro"), np.linalg.norm(m, "fro"), np.linalg.norm(m, ord="f")


def norm_none(x):
    return np.linalg.norm(x, ord=None), np.linalg.norm(x, None), np.linalg.norm(x)


def astype_strings(a):
    return a.astype("f4"), a.astype("int32"), a.astype(dtype="u1")


def sort_bad_kind(a):
    return np.sort(a, kind="xyz")


def argsort_empty_kind(a):
    return a.argsort(kind="")


def norm_nuc(m):
    return np.linalg.norm(m, ord="nuc")


def norm_fro_vector(x):
    return np.linalg.norm(x, ord="fro")


def norm_bad_matrix_ord(m):
    return np.linalg.norm(m, ord="xyz")


def norm_fro_3d(t):
    return np.linalg.norm(t, ord="fro")


def values(n, dtype):
    x = RNG.standard_normal(n) * 20
    if np.dtype(dtype).kind == "u":
        x = np.abs(x)
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.int8, np.uint64])
def test_sort_kinds(dtype):
    a = values(9, dtype)
    a[3] = a[5]  # a tie: stable order shows
    for x in (layouts(a) if dtype == np.float64 else [a]):
        check_np(sort_kinds, x)
        check_np(argsort_stable, x)
        check_np(sort_method_kind, x)
        check_np(sort_odd_spellings, x)


def test_argsort_unstable_kinds_without_ties():
    # Without ties every kind gives the one order NumPy gives.
    for x in layouts(RNG.permutation(12).astype(np.float64)):
        check_np(argsort_quick, x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.bool_])
def test_norm_string_ords(dtype):
    m = values(12, np.float64).reshape(3, 4).astype(dtype)
    for x in (layouts(m) if dtype == np.float64 else [m]):
        check_np(norm_fro, x, close=1e-6 if dtype == np.float32 else True)
        check_np(norm_none, x, close=1e-6 if dtype == np.float32 else True)
    check_np(norm_none, values(7, dtype), close=1e-6 if dtype == np.float32 else True)


def test_astype_string_dtypes():
    check_np(astype_strings, values(6, np.float64))


@pytest.mark.parametrize("fn, arg, match", [
    (sort_bad_kind, np.arange(3.0), r"sort kind must be one of 'quick', 'heap', or 'stable' \(got 'xyz'\)"),
    (argsort_empty_kind, np.arange(3.0), r"\(got ''\)"),
    (norm_fro_vector, np.arange(3.0), "Invalid norm order 'fro' for vectors"),
    (norm_bad_matrix_ord, np.ones((2, 2)), "Invalid norm order for matrices."),
    (norm_fro_3d, np.ones((2, 2, 2)), "Improper number of dimensions to norm."),
])
def test_numpy_value_errors_at_compile_time(fn, arg, match):
    with pytest.raises(ValueError, match=match):
        fn(arg)
    with pytest.raises(ValueError, match=match) as info:
        ember.jit(fn)(arg)
    assert isinstance(info.value, TypingError)  # found when compiling, as NumPy words it


def test_nuclear_norm_is_a_typing_error():
    with pytest.raises(TypingError, match="ord='nuc'"):
        ember.jit(norm_nuc)(np.ones((2, 2)))


def test_frontend_emits_py_str():
    text = print_func(build_function(sort_bad_kind))
    assert 'py.str {value = "xyz"}' in text


def strings_in_a_list(a):
    return np.array(["a", "b"])


def string_value(a):
    s = "stable"
    return np.sort(a, kind=s)


def string_in_arithmetic(a):
    return len("abc") + a[0]


def test_an_array_of_strings_is_unsupported():
    with pytest.raises(TypingError, match="str"):
        ember.jit(strings_in_a_list)(np.ones(3))


@pytest.mark.parametrize("fn", [string_value, string_in_arithmetic])
def test_string_values_are_literals_where_options_need_them(fn):
    # strings are run-time values now (tests/e2e/test_strings.py); a variable holding a
    # literal still works as a numpy option, and len() of a literal folds
    a = RNG.standard_normal(7)
    np.testing.assert_array_equal(ember.jit(fn)(a), fn(a))


def add_string(a):
    return np.add(a, "x")


def sum_axis_string(a):
    return a.sum("x")


def kind_not_string(a):
    return np.sort(a, kind=1)


@pytest.mark.parametrize("fn, match", [(add_string, "numpy.add"),
                                       (sum_axis_string, "argument 'axis' must be an integer"),
                                       (kind_not_string, "'kind' must be a string constant")])
def test_string_in_a_non_string_position_is_a_typing_error(fn, match):
    with pytest.raises(TypingError, match=match):
        ember.jit(fn)(np.arange(3.0))
