"""Helpers of the reverse-mode tests (no tests here): derive a vjp once per function and
argument types, and check it against CPython's primal and central differences of the
cotangent-weighted output."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ember.autodiff import vjp
from ember.typeof import typeof
from tests.autodiff.harness import central_difference, derive

_cache: dict = {}


def fresh(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return np.copy(v)
    if isinstance(v, tuple):
        return tuple(fresh(x) for x in v)
    if isinstance(v, dict):
        return {k: fresh(x) for k, x in v.items()}
    return v


def _sig(v: Any) -> Any:
    return str(typeof(v, "arg"))


def derive_vjp(f: Callable[..., Any], primals: Sequence[Any], wrt: Sequence[int]) -> Callable[..., Any]:
    """The compiled `f__vjp`, cached per function, argument types and wrt."""
    key = (f, tuple(_sig(p) for p in primals), tuple(wrt))
    if key not in _cache:
        _cache[key] = derive(f, primals, lambda m, e: vjp(m, e, tuple(wrt)))
    return _cache[key]


def _flat(v: Any) -> np.ndarray:
    if isinstance(v, (tuple, list)):
        return np.concatenate([_flat(x) for x in v]) if v else np.zeros(0)
    if isinstance(v, dict):
        return _flat(tuple(v.values()))
    return np.asarray(v, dtype=float).ravel()


def weighted(f: Callable[..., Any], ct: Any) -> Callable[..., float]:
    """args -> <ct, f(args)>, on copies of the arguments (f may write into them)."""
    w = _flat(ct)
    return lambda *args: float(np.dot(w, _flat(f(*[fresh(a) for a in args]))))


def reference_gradient(f: Callable[..., Any], primals: Sequence[Any], i: int, ct: Any) -> Any:
    """d <ct, f> / d primals[i] by central differences, shaped like primals[i] (a tuple
    for a tuple, a dict for a dict)."""
    g = weighted(f, ct)
    x = primals[i]
    if isinstance(x, (tuple, dict)):
        keys = list(range(len(x))) if isinstance(x, tuple) else list(x)
        parts = {}
        for k in keys:
            def moved(v: Any, k: Any = k) -> Any:
                if isinstance(x, tuple):
                    return tuple(v if j == k else x[j] for j in range(len(x)))
                return {**x, k: v}
            parts[k] = reference_gradient(lambda *a: f(*a[:i], moved(a[i]), *a[i + 1:]),
                                          list(primals[:i]) + [x[k]] + list(primals[i + 1:]), i, ct)
        return tuple(parts[k] for k in keys) if isinstance(x, tuple) else parts
    return central_difference(g, list(primals), i)


def assert_close(got: Any, want: Any, rtol: float, atol: float) -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want)
        for k in want:
            assert_close(got[k], want[k], rtol, atol)
    elif isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for a, b in zip(got, want):
            assert_close(a, b, rtol, atol)
    else:
        np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float),
                                   rtol=rtol, atol=atol)


def check_vjp(f: Callable[..., Any], primals: Sequence[Any], wrt: Sequence[int], ct: Any = 1.0,
              rtol: float = 1e-6, atol: float = 1e-7) -> tuple[Any, Any]:
    """Run `f__vjp` on copies of the primals with cotangent `ct`: the primal output must
    equal CPython's, each gradient the central difference. Returns (out, grads)."""
    d = derive_vjp(f, primals, wrt)
    out, grads = d(*fresh(tuple(primals)), fresh(ct))
    assert_close(out, f(*fresh(tuple(primals))), 1e-12, 1e-12)
    assert isinstance(grads, tuple) and len(grads) == len(wrt)
    for g, i in zip(grads, wrt):
        assert_close(g, reference_gradient(f, primals, i, ct), rtol, atol)
    return out, grads
