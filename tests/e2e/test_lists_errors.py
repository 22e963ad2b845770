"""Lists ember rejects at compile time: a TypingError / UnsupportedSyntaxError at the
user's line, with a caret under the expression, naming what is wrong."""
import numpy as np
import pytest

import ember
from ember.errors import TypingError, UnsupportedSyntaxError


def conflict(n):
    xs = [1.0]
    xs.append((1, n))
    return xs


def conflict_arrays(n):
    xs = []
    xs.append(np.ones(n))
    xs.append(np.ones((n, n)))
    return len(xs)


def conflict_setitem(n):
    xs = [n]
    xs[0] = [n]
    return xs


def never_filled(n):
    xs = []
    return len(xs) + n


def unknown_method(n):
    xs = [n]
    xs.frobnicate()
    return xs


def sort_key(n):
    xs = [n, 1]
    xs.sort(key=n)
    return xs


def sort_tuples(n):
    xs = [(n, 1j), (0, 2j)]  # tuples sort (tests/e2e/test_tuple_order.py), not complex ones
    xs.sort()
    return xs


def slice_store(n):
    xs = [n, 2]
    xs[0:1] = [3]
    return xs


def starred(n):
    xs = [n]
    return [*xs, 1]


def holds_none(n):
    xs = [None]
    return len(xs)


def string_index(n):
    xs = [n]
    return xs["a" if n else "b"]


def float_index(n):
    xs = [n]
    return xs[0.5 * n]


def pop_float(n):
    xs = [n]
    return xs.pop(1.5)


def mixed_literal(n):
    return [n, (n, n)]


CASES = [
    (conflict, TypingError, r"list 'xs' holds float64 \(from line \d+\) but tuple<i64, i64> is "
                            r"stored at line \d+", "xs.append((1, n))"),
    (conflict_arrays, TypingError, r"list 'xs' holds array<f64, 1, C> .* array<f64, 2, C>",
     "xs.append(np.ones((n, n)))"),
    (conflict_setitem, TypingError, r"list 'xs' holds int64 .* list<i64>", "xs[0] = [n]"),
    (never_filled, TypingError, r"cannot infer the element type of this list", "xs = []"),
    (unknown_method, TypingError, r"lists have no method \.frobnicate\(\)", "xs.frobnicate()"),
    (sort_key, TypingError, r"takes no keyword argument 'key'", "xs.sort(key=n)"),
    (sort_tuples, TypingError, r"sorting a list<tuple<i64, c128>> is not supported", "xs.sort()"),
    (slice_store, TypingError, r"assignment to a slice of a list", "xs[0:1] = [3]"),
    (starred, UnsupportedSyntaxError, r"starred", "return [*xs, 1]"),
    (holds_none, UnsupportedSyntaxError, r"None is not supported as a value", "xs = [None]"),
    (string_index, TypingError, r"list indices must be integers or slices, not str", "return xs["),
    (float_index, TypingError, r"list indices must be integers or slices, not float64", "return xs["),
    (pop_float, TypingError, r"list\.pop\(\) takes an integer index", "return xs.pop(1.5)"),
    (mixed_literal, TypingError, r"holds int64 .* tuple<i64, i64>", "return [n, (n, n)]"),
]


@pytest.mark.parametrize("fn,exc,pattern,line", CASES, ids=[c[0].__name__ for c in CASES])
def test_rejected_at_the_line(fn, exc, pattern, line):
    with pytest.raises(exc, match=pattern) as info:
        ember.jit(fn)(2)
    text = str(info.value)
    assert __file__ in text
    shown = text.splitlines()
    k = next(i for i, s in enumerate(shown) if s.strip().startswith(line))
    assert "^" in shown[k + 1]  # the caret line under the source line
