"""list.sort() and sorted() compiled, compared to the last bit with CPython: stability on
-0.0/0.0 ties and with reverse=True, bools, ints, strs, sizes past the insertion runs and
the merges, and lists holding nan, where only CPython's own algorithm gives CPython's
answer (typeinfer/listsort.py, a port whose comparisons are checked one by one here).
"""
import copy
import random

import pytest

import ember
from ember.typeinfer.listsort import timsort
from .differential import outcome, same

NAN = float("nan")


def sorts(xs):
    ys = sorted(xs)
    zs = sorted(xs, reverse=True)
    xs.sort()
    ws = [x for x in zs]
    ws.sort()
    vs = [x for x in ys]
    vs.sort(reverse=True)
    return xs, ys, zs, ws, vs


_fast = ember.jit(sorts)


def check(xs):
    want = outcome(sorts, (copy.copy(xs),))
    got = outcome(_fast, (copy.copy(xs),))
    assert want[0] == got[0] == "value", (want, got)
    assert same(want[1], got[1]), f"{xs}: CPython {want[1]}, ember {got[1]}"


SIZES = [1, 2, 3, 23, 24, 25, 63, 64, 65, 130, 700]


def _floats(rng, n, pool):
    return [rng.choice(pool) if rng.random() < 0.3 else rng.uniform(-2, 2) for _ in range(n)]


@pytest.mark.parametrize("n", SIZES)
def test_float_ties_and_nan(n):
    rng = random.Random(n)
    for pool in ([0.0, -0.0], [0.0, -0.0, NAN], [NAN], [1.0, 1.0, -0.0]):
        check(_floats(rng, n, pool))


def test_nan_runs_and_galloping():
    # long ordered runs make the merges gallop; nans scattered through them
    rng = random.Random(7)
    for _ in range(12):
        xs = []
        while len(xs) < 900:
            run = sorted(rng.uniform(0, 9) for _ in range(rng.randrange(1, 200)))
            xs += run[::-1] if rng.random() < 0.5 else run
        for _ in range(rng.randrange(1, 6)):
            xs[rng.randrange(len(xs))] = NAN
        check(xs)
    check([NAN] * 70)
    check([NAN, 1.0] * 40)


@pytest.mark.parametrize("n", [5, 40, 100])
def test_ints_bools_strs(n):
    rng = random.Random(n)
    cases = [[rng.randrange(-4, 4) for _ in range(n)],
             [rng.random() < 0.5 for _ in range(n)],
             ["".join(rng.choice("ab\u00e9") for _ in range(rng.randrange(3))) for _ in range(n)]]
    for xs in cases:
        want = sorts(copy.copy(xs))
        fast = ember.jit(sorts)  # one specialization per element type
        got = fast(copy.copy(xs))
        assert same(want, got), f"{xs}: CPython {want}, ember {got}"


class _Logged:
    """A value whose `<` records its operands: the port must compare as CPython does."""
    __slots__ = ("v",)
    log: list = []

    def __init__(self, v):
        self.v = v

    def __lt__(self, other):
        _Logged.log.append((id(self), id(other)))
        return self.v < other.v


def test_port_makes_cpythons_comparisons():
    rng = random.Random(3)
    for n in (2, 7, 64, 65, 300, 2000):
        for shape in range(4):
            if shape == 0:
                vals = [rng.random() for _ in range(n)]
            elif shape == 1:
                vals = [rng.choice([NAN, 0.0, -0.0, rng.random()]) for _ in range(n)]
            elif shape == 2:  # few swaps of a sorted list: long runs, galloping
                vals = list(range(n))
                for _ in range(3):
                    i, j = rng.randrange(n), rng.randrange(n)
                    vals[i], vals[j] = vals[j], vals[i]
            else:  # alternating ascending and descending runs
                vals = []
                while len(vals) < n:
                    run = sorted(rng.random() for _ in range(rng.randrange(1, 150)))
                    vals += run[::-1] if rng.random() < 0.5 else run
                vals = vals[:n]
            items = [_Logged(v) for v in vals]
            _Logged.log = []
            want = sorted(items)
            want_log = _Logged.log
            _Logged.log = []
            got = list(items)
            timsort(got)
            assert [id(x) for x in got] == [id(x) for x in want]
            assert _Logged.log == want_log


def _bench_kernels():
    # benchmarks/ is a directory of scripts, not a package: import the file by its path
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "kernels_containers.py"
    spec = importlib.util.spec_from_file_location("bench_kernels_containers_sort", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sort_benchmark_kernels():
    k = _bench_kernels()
    xs = k.make_floats(333)
    assert ember.jit(k.sorted_desc)(xs) == k.sorted_desc(xs)
    assert xs == k.make_floats(333)  # sorted() leaves its argument alone
    assert ember.jit(k.collect_ints)(2001, 7) == k.collect_ints(2001, 7)
