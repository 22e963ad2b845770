"""Random elementwise expression trees over 2-3 arrays, compiled and checked against NumPy.

The trees use + - * // % and np.where, name repeated subexpressions (a temporary read
several times, or the same subtree written twice: CSE merges it into one map read
twice) and end in a plain result or an in-place form (`a op= e`, `a[...] = e`): the
shapes of fuse_arrays' multi-fusion paths. Each distinct source is compiled once per
dtype; the arrays have fixed broadcast-compatible shapes so hypothesis varies the
program and the values, not the number of specializations.
"""
from __future__ import annotations

import linecache
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
from tests.e2e.array_check import same_value

SHAPES = {"a": (2, 3), "b": (3,), "c": (2, 1)}  # a's shape is the broadcast of all
BINOPS = ["+", "-", "*", "//", "%"]
INPLACE = ["+=", "-=", "*=", "//=", "%="]


@st.composite
def expr(draw, names: list[str], depth: int) -> str:
    if depth == 0 or draw(st.integers(0, 4)) == 0:
        lets = [n for n in names if n not in SHAPES]  # temporaries: read them often
        return draw(st.sampled_from(names + 2 * lets + ["1", "2", "3"]))
    kind = draw(st.sampled_from(["bin", "bin", "bin", "twice", "where"]))
    if kind == "where":
        lhs = draw(st.sampled_from([n for n in names if n in SHAPES]))
        parts = [draw(expr(names, depth - 1)) for _ in range(3)]
        return f"np.where({lhs} > {parts[0]}, {parts[1]}, {parts[2]})"
    op = draw(st.sampled_from(BINOPS))
    left = draw(expr(names, depth - 1))
    right = left if kind == "twice" else draw(expr(names, depth - 1))
    return f"({left} {op} {right})"


@st.composite
def program(draw) -> tuple[str, list[str]]:
    args = ["a", "b"] + (["c"] if draw(st.booleans()) else [])
    names = list(args)
    lines = []
    for i in range(draw(st.integers(0, 2))):
        lines.append(f"t{i} = {draw(expr(names, 3))}")
        names.append(f"t{i}")
    final = draw(expr(names, 3))
    form = draw(st.sampled_from(["value", "inplace", "assign"]))
    if form == "inplace":
        lines.append(f"a {draw(st.sampled_from(INPLACE))} {final}")
        lines.append("return a")
    elif form == "assign":
        lines += [f"a[...] = {final}", "return a"]
    else:
        lines.append(f"return a + {final}")  # an array result even for a scalar tree
    return "def gen(" + ", ".join(args) + "):\n" + "".join(f"    {s}\n" for s in lines), args


_compiled: dict[str, tuple[object, object]] = {}


def compiled(src: str) -> tuple[object, object]:
    """(python function, jitted function) for `src`, made once; the source is registered
    with linecache so ember's frontend can read it."""
    if src not in _compiled:
        filename = f"<fuse-hypothesis-{len(_compiled)}>"
        text = "import numpy as np\n" + src
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        ns: dict = {}
        exec(compile(text, filename, "exec"), ns)
        _compiled[src] = (ns["gen"], ember.jit(ns["gen"]))
    return _compiled[src]


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(program(), st.sampled_from([np.int64, np.float64]), st.integers(0, 2**16))
def test_random_elementwise_trees_match_numpy(prog, dtype, seed):
    src, args = prog
    py_fn, jitted = compiled(src)
    rng = np.random.default_rng(seed)
    # Small integers (exact as floats too): zeros and negatives exercise // and %.
    values = [rng.integers(-4, 5, SHAPES[n]).astype(dtype) for n in args]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # x // 0 and x % 0
        want, want_args = _run(py_fn, values)
        got, got_args = _run(jitted, values)
    if "raise" in (want[0], got[0]):
        assert want == got, src
        return
    for w, g in zip([want[1]] + want_args, [got[1]] + got_args):
        assert same_value(_unsigned_nan(w), _unsigned_nan(g)), (src, w, g)


def _run(fn, values: list[np.ndarray]) -> tuple[tuple, list[np.ndarray]]:
    args = [v.copy() for v in values]
    try:
        return ("value", fn(*args)), args
    except Exception as e:  # the comparison is of the exception itself
        return ("raise", (type(e), str(e))), args


def _unsigned_nan(a: np.ndarray) -> np.ndarray:
    """The sign bit of a NaN is not part of NumPy's meaning (float `x % 0` gives -nan on
    x86 through fmod, ember +nan): compare NaNs as NaNs; every other sign bit counts."""
    if a.dtype.kind != "f":
        return a
    return np.where(np.isnan(a), np.nan, a)
