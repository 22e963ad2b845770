"""Issue 5's acceptance tests through the public API, one program per construct of its
coverage list (tests/autodiff/issue5_programs.py): `ember.grad` against central
differences of the plain Python function, reverse against forward (the gradient equals
the stacked `ember.jvp`s along every unit tangent), and `inspect_source`: the emitted
Python runs, agrees with the native derivative, and every statement names a line of the
function it differentiates."""
from __future__ import annotations

import inspect
import re
from typing import Any

import numpy as np
import pytest

import ember
from tests.autodiff.issue5_programs import CONSTRUCTS

NAMES = list(CONSTRUCTS)


# --- pytrees of floats and arrays as flat vectors -----------------------------------------

def flat(v: Any) -> np.ndarray:
    """The float leaves of a float / array / tuple / dict, in order, as one vector."""
    if isinstance(v, tuple):
        return np.concatenate([flat(x) for x in v]) if v else np.zeros(0)
    if isinstance(v, dict):
        return flat(tuple(v.values()))
    return np.asarray(v, dtype=np.float64).reshape(-1)


def unflat(template: Any, vec: np.ndarray) -> Any:
    """`template`'s structure with its float leaves taken from `vec`."""
    out, used = _unflat(template, vec, 0)
    assert used == vec.size
    return out


def _unflat(t: Any, vec: np.ndarray, k: int) -> tuple[Any, int]:
    if isinstance(t, tuple):
        items = []
        for x in t:
            x, k = _unflat(x, vec, k)
            items.append(x)
        return tuple(items), k
    if isinstance(t, dict):
        vals, k = _unflat(tuple(t.values()), vec, k)
        return dict(zip(t, vals)), k
    if isinstance(t, np.ndarray):
        return vec[k:k + t.size].reshape(t.shape).copy(), k + t.size
    return float(vec[k]), k + 1


def fresh(args: tuple) -> tuple:
    """A copy of the arguments for one call (a program may write into an array argument)."""
    return tuple(unflat(a, flat(a)) if not isinstance(a, (bool, int)) else a for a in args)


def with_arg(args: tuple, i: int, value: Any) -> tuple:
    return args[:i] + (value,) + args[i + 1:]


def central(f: Any, args: tuple, i: int, h: float = 1e-6) -> np.ndarray:
    """d f / d args[i] (flattened) by central differences of the plain Python function."""
    base = flat(args[i])
    out = np.empty(base.size)
    for k in range(base.size):
        up, down = base.copy(), base.copy()
        up[k] += h
        down[k] -= h
        out[k] = (f(*fresh(with_arg(args, i, unflat(args[i], up))))
                  - f(*fresh(with_arg(args, i, unflat(args[i], down))))) / (2 * h)
    return out


def zero_tangent(v: Any) -> Any:
    if isinstance(v, (bool, int, np.integer)):
        return None
    return unflat(v, np.zeros(flat(v).size))


def program(name: str) -> tuple[Any, tuple, tuple[int, ...]]:
    f, make, argnums = CONSTRUCTS[name]
    return f, make(np.random.default_rng(sum(map(ord, name)))), argnums


# --- the tests ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name):
    f, args, argnums = program(name)
    grads = ember.grad(f, argnums=argnums)(*fresh(args))
    assert isinstance(grads, tuple) and len(grads) == len(argnums)
    for i, g in zip(argnums, grads):
        # the gradient has the argument's structure: float, array of its shape, tuple, dict
        assert type(g) is type(args[i]) or isinstance(args[i], float) and isinstance(g, float)
        if isinstance(args[i], np.ndarray):
            assert g.shape == args[i].shape
        if isinstance(args[i], dict):
            assert list(g) == list(args[i])
        np.testing.assert_allclose(flat(g), central(f, args, i), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_reverse_equals_stacked_forward(name):
    f, args, argnums = program(name)
    value, grads = ember.value_and_grad(f, argnums=argnums)(*fresh(args))
    assert value == pytest.approx(f(*fresh(args)), rel=1e-12)
    zeros = [zero_tangent(a) for a in args]
    for i, g in zip(argnums, grads):
        n = flat(args[i]).size
        stacked = np.empty(n)
        for k in range(n):
            unit = np.zeros(n)
            unit[k] = 1.0
            tangents = with_arg(tuple(zeros), i, unflat(args[i], unit))
            out, tangent_out = ember.jvp(f, fresh(args), tangents)
            assert out == pytest.approx(value, rel=1e-12)
            stacked[k] = tangent_out
        np.testing.assert_allclose(flat(g), stacked, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_emitted_python_runs_and_agrees(name):
    f, args, argnums = program(name)
    d = ember.grad(f, argnums=argnums)
    grads = d(*fresh(args))
    src = d.inspect_source()
    namespace: dict = {}
    exec(compile(src, "<derivative>", "exec"), namespace)
    py_value, py_grads = namespace[f"{f.__name__}__vjp"](*fresh(args), 1.0)
    assert py_value == pytest.approx(f(*fresh(args)), rel=1e-12)
    for g, pg in zip(grads, py_grads):
        np.testing.assert_allclose(flat(pg), flat(g), rtol=1e-12, atol=1e-14)
    # Each statement of the derived function says which line of `f` it differentiates.
    lines, first = inspect.getsourcelines(f)
    own = range(first, first + len(lines))
    body = src[src.index(f"def {f.__name__}__vjp("):].splitlines()[1:]
    statements = [s for s in body if s.strip() and not s.strip().startswith(
        ("def ", "if ", "elif ", "else", "for ", "while ", "break", "continue", "raise ",
         "pass", "return", "try", "except"))]
    assert statements
    for s in statements:
        m = re.search(r"# line (\d+)$", s)
        assert m, f"no source line on {s!r}"
        if int(m.group(1)) not in own:  # a helper's statement names the helper's line
            assert name == "helper_calls", s


def test_writes_into_an_argument_reach_the_caller_as_in_python():
    f, args, argnums = program("plus_equals_argument")
    by_python, by_grad, by_jvp = fresh(args), fresh(args), fresh(args)
    f(*by_python)
    ember.grad(f, argnums=argnums)(*by_grad)
    ember.jvp(f, by_jvp, tuple(zero_tangent(a) for a in args))
    assert not np.array_equal(by_python[0], args[0])
    np.testing.assert_allclose(by_grad[0], by_python[0], rtol=1e-15)
    np.testing.assert_allclose(by_jvp[0], by_python[0], rtol=1e-15)
