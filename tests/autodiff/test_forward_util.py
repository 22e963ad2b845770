"""Helpers of the forward-mode tests (no tests here): derive a jvp and check it against
CPython's primal and central differences."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ember.autodiff import jvp
from tests.autodiff.harness import central_difference, derive


def fresh(v: Any) -> Any:
    return np.copy(v) if isinstance(v, np.ndarray) else v


def pure(f: Callable[..., Any]) -> Callable[..., Any]:
    """f on copies of its array arguments (so a function writing into them can be
    evaluated again and again by the difference quotients)."""
    return lambda *args: f(*[fresh(a) for a in args])


def derive_jvp(f: Callable[..., Any], primals: Sequence[Any], wrt: Sequence[int]) -> Callable[..., Any]:
    return derive(f, primals, lambda m, e: jvp(m, e, tuple(wrt)))


def expected_tangent(f: Callable[..., Any], primals: Sequence[Any], wrt: Sequence[int],
                     tangents: Sequence[Any]) -> Any:
    """The directional derivative of f at primals along tangents (central differences)."""
    total: Any = 0.0
    for i, t in zip(wrt, tangents):
        d = central_difference(pure(f), list(primals), i)
        if isinstance(t, np.ndarray):
            total = total + np.tensordot(t, d, axes=t.ndim)
        else:
            total = total + d * t
    return total


def check_jvp(derived: Callable[..., Any], f: Callable[..., Any], primals: Sequence[Any],
              wrt: Sequence[int], tangents: Sequence[Any], rtol: float = 1e-6,
              atol: float = 1e-7) -> tuple[Any, Any]:
    """Run the derived function on copies of the primals; its primal output must equal
    CPython's and its tangent the central difference. Returns (out, tangent)."""
    out, tan = derived(*[fresh(p) for p in primals], *[fresh(t) for t in tangents])
    np.testing.assert_allclose(np.asarray(out, dtype=complex if np.iscomplexobj(out) else float),
                               np.asarray(pure(f)(*primals)), rtol=1e-12, atol=1e-12)
    want = expected_tangent(f, primals, wrt, tangents)
    np.testing.assert_allclose(np.asarray(tan), np.asarray(want), rtol=rtol, atol=atol)
    return out, tan
