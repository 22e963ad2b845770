"""The kernels of benchmarks/bench_containers.py, each run once by ember at a small size and
compared with CPython, so that a kernel ember breaks is caught by the suite and not only when
someone runs the benchmark."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

import ember

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "kernels_containers.py"


def _load_kernels() -> Any:
    # benchmarks/ is a directory of scripts, not a package: import the file by its path
    spec = importlib.util.spec_from_file_location("bench_kernels_containers", _PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


K = _load_kernels()


def check_exact(fn: Any, *args: Any) -> Any:
    """ember's result equals CPython's, with the same container types, and the arguments
    are left as they were."""
    before = [list(a) if isinstance(a, list) else a for a in args]
    want = fn(*args)
    got = ember.jit(fn)(*args)
    assert type(got) is type(want), f"{fn.__name__}: {type(got).__name__} != {type(want).__name__}"
    assert got == want, f"{fn.__name__}: CPython {want!r}, ember {got!r}"
    if isinstance(want, (list, tuple)):
        assert [type(x) for x in got] == [type(x) for x in want]
    assert list(args) == before, f"{fn.__name__} changed its arguments"
    return got


@pytest.mark.parametrize("n, seed", [(1, 3), (2, 0), (1001, 7)])
def test_collect_median(n: int, seed: int) -> None:
    check_exact(K.collect, n, seed)


def test_collect_returns_sorted_list() -> None:
    got = check_exact(K.collect_list, 64, 7)
    assert len(got) == 64 and got == sorted(got)


@pytest.mark.parametrize("n", [1, 2, 101])
def test_sort_list_argument(n: int) -> None:
    check_exact(K.sort_arg, K.make_floats(n))


@pytest.mark.parametrize("n", [1, 500, 5000])
def test_count_int_keys(n: int) -> None:
    check_exact(K.count_int, n, 7)


@pytest.mark.parametrize("n, distinct", [(1, 1), (300, 20), (2000, 100)])
def test_count_str_keys(n: int, distinct: int) -> None:
    check_exact(K.count_str, K.make_words(n, distinct))
