"""NumPy constructs outside the subset: UnsupportedSyntaxError (or TypingError for a wrong
argument count) naming the function / keyword / dtype at its real line and column; and the
table ember.ir.numpy_api itself."""
import inspect

import numpy as np
import pytest
from numpy import round as np_round

from ember.frontend import build_function
from ember.ir.errors import TypingError, UnsupportedSyntaxError
from ember.ir.numpy_api import NUMPY_FUNCTIONS, bind_arguments

from .test_errors import where


def e_fft(x):
    return np.fft.fft(x)


def e_round_imported(x):
    return np_round(x)


def e_sum_where(x):
    return np.sum(x, where=x > 0)


def e_ufunc_out(x):
    return np.sin(x, out=x)


def e_sum_out_positional(x):
    return np.sum(x, 0, None, x)


def e_float16(x):
    return np.zeros(3, dtype=np.float16)


def e_bad_dtype_string(x):
    return np.zeros(3, dtype='banana')


def e_object_dtype_value(x):
    return x.astype(object)


def e_ndindex(x):
    it = np.ndindex(x.shape)  # only as a for loop's iterable
    return x


def e_enumerate(x):
    for i in filter(None, x):
        pass
    return x


def e_linalg_inv(x):
    return np.linalg.inv(x)


def e_dtype_call(x):
    return np.dtype(x)


CASES = [
    (e_fft, "np.fft.fft(x)", "numpy.fft.fft is not supported"),
    (e_round_imported, "np_round(x)", "numpy.round is not supported"),
    (e_sum_where, "where=x > 0", "keyword argument 'where' of numpy.sum"),
    (e_ufunc_out, "out=x", "keyword argument 'out' of numpy.sin"),
    (e_sum_out_positional, "x)", "argument 'out' of numpy.sum"),
    (e_float16, "np.float16", "float16"),
    (e_bad_dtype_string, "'banana'", "banana"),
    (e_object_dtype_value, "object", "object"),
    (e_ndindex, "np.ndindex(x.shape)", "ndindex"),
    (e_enumerate, "filter(None, x)", "iterating over filter()"),
    (e_linalg_inv, "np.linalg.inv(x)", "numpy.linalg.inv is not supported"),
    (e_dtype_call, "np.dtype(x)", "numpy.dtype"),
]


@pytest.mark.parametrize("fn,snippet,words", CASES, ids=[c[0].__name__ for c in CASES])
def test_located(fn, snippet, words):
    with pytest.raises(UnsupportedSyntaxError) as info:
        build_function(fn)
    err = info.value
    line, col = where(fn, snippet)
    if fn is e_sum_out_positional:
        col = inspect.getsource(fn).splitlines()[1].rindex("x)")
    assert err.loc is not None and err.loc.file == __file__
    assert (err.loc.line, err.loc.col) == (line, col), str(err)
    assert words in err.message, err.message
    assert "^" in str(err)


def test_wrong_argument_counts_are_typing_errors():
    def too_many(x):
        return np.sqrt(x, x)

    def missing(x):
        return np.full(x)

    def twice(x):
        return np.zeros(x, np.float64, dtype=np.float64)

    for fn, word in ((too_many, "at most 1"), (missing, "fill_value"), (twice, "multiple")):
        with pytest.raises(TypingError, match=word):
            build_function(fn)


def test_object_used_as_value_is_rejected():
    def uses_function_value(x):
        f = np.sin
        return x

    with pytest.raises(UnsupportedSyntaxError, match="only be called"):
        build_function(uses_function_value)


# ---- the table ---------------------------------------------------------------------------
def _np_object(path):
    obj = np
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def test_every_table_name_exists_in_numpy():
    for name in NUMPY_FUNCTIONS:
        assert callable(_np_object(name)), name


def test_table_parameters_match_numpy_signatures():
    """Positional order in the table is numpy's (where Python can read the signature), so
    a positional argument binds to the parameter numpy would bind it to."""
    for name, entry in NUMPY_FUNCTIONS.items():
        if entry.kind in ("scalar", "iter"):
            continue
        try:
            sig = inspect.signature(_np_object(name))
        except (TypeError, ValueError):
            continue  # a ufunc or builtin without a readable signature
        params = [p for p in sig.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if len(params) == 1 and params[0].name == "args":
            continue
        numpy_names = [p.name for p in params]
        for i, p in enumerate(entry.params):
            if name == "arange" or (i == 0 and p != numpy_names[0] and
                                    params[0].kind == params[0].POSITIONAL_ONLY):
                continue  # positional-only first parameter: its name is not public
            assert i < len(numpy_names) and numpy_names[i] == p, (name, entry.params, numpy_names)
        for k in entry.kwonly:
            assert k in sig.parameters, (name, k)


def test_bind_arguments():
    assert bind_arguments("zeros", 1, ["dtype"]) == {"shape": 0, "dtype": 1}
    assert bind_arguments("sum", 2, ["keepdims"]) == {"a": 0, "axis": 1, "keepdims": 2}
    assert bind_arguments("argmax", 1, ["keepdims"]) == {"a": 0, "keepdims": 1}
    for args in (("full", 1, []), ("sum", 1, ["out"]), ("zeros", 1, ["shape"]),
                 ("sqrt", 2, [])):
        with pytest.raises(ValueError):
            bind_arguments(*args)
