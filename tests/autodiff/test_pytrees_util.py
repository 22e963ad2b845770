"""Helpers of the pytree tests (no tests here): the reference gradient of a scalar function
with respect to a tuple / dict argument that mixes ints, floats and arrays, by central
differences at each float or array leaf, None at each int leaf and for a tuple or dict
holding ints only (what ember returns there),
and a comparison that also checks the structure and the None holes."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from tests.autodiff.harness import central_difference
from tests.autodiff.test_reverse_util import fresh


def _replace(x: Any, path: tuple, v: Any) -> Any:
    if not path:
        return v
    k, rest = path[0], path[1:]
    if isinstance(x, tuple):
        return tuple(_replace(e, rest, v) if j == k else e for j, e in enumerate(x))
    return {kk: (_replace(e, rest, v) if kk == k else e) for kk, e in x.items()}


def reference(f: Callable[..., float], args: Sequence[Any], i: int, path: tuple = ()) -> Any:
    """d f / d args[i], shaped like args[i]: a tuple for a tuple, a dict for a dict, None
    for an int or bool leaf, a central difference for a float or array leaf."""
    x = args[i]
    for k in path:
        x = x[k]
    if isinstance(x, (tuple, dict)):
        keys = range(len(x)) if isinstance(x, tuple) else list(x)
        parts = [(k, reference(f, args, i, path + (k,))) for k in keys]
        if all(p is None for _, p in parts):
            return None  # nothing differentiable inside: one hole, as tangent_type says
        return tuple(p for _, p in parts) if isinstance(x, tuple) else dict(parts)
    if isinstance(x, (bool, int, np.integer)):
        return None

    def at_leaf(*a: Any) -> Any:
        moved = list(args)
        moved[i] = _replace(fresh(args[i]), path, a[0])
        return f(*moved)
    return central_difference(at_leaf, [x], 0)


def assert_tree_close(got: Any, want: Any, rtol: float = 1e-6, atol: float = 1e-7) -> None:
    """Same structure (tuple / dict keys in order / None holes), leaves close."""
    if want is None:
        assert got is None, f"expected None (a hole), got {got!r}"
    elif isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), (got, want)
        for k in want:
            assert_tree_close(got[k], want[k], rtol, atol)
    elif isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), (got, want)
        for a, b in zip(got, want):
            assert_tree_close(a, b, rtol, atol)
    else:
        assert got is not None
        np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float),
                                   rtol=rtol, atol=atol)
