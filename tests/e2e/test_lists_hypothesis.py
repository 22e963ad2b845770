"""Random sequences of list operations, compiled, checked against Python's list: appends,
pops, inserts, deletions, stores, extends, sorts and reverses, growing the list past many
resizes of its buffer; and no runtime block is leaked by code making lists (that returns
normally: a raise still leaks the arrays and lists alive at that point, docs/containers.md)."""
import copy

import numpy as np
from hypothesis import given, settings, strategies as st

import ember
from ember.backend import runtime_helpers as rt
from .differential import outcome, same


def interpret(ops):
    """Apply `ops` (code, a, b) to a list; returns it with every value read on the way."""
    xs = []
    seen = []
    for code, a, b in ops:
        n = len(xs)
        if code == 0:
            xs.append(a)
        elif code == 1:
            if n > 0:
                seen.append(xs.pop(a % (2 * n) - n))  # negative and positive indices
        elif code == 2:
            if n > 0:
                seen.append(xs.pop())
        elif code == 3:
            xs.insert(b, a)  # any index: past either end inserts at that end
        elif code == 4:
            if n > 0:
                del xs[b % (2 * n) - n]
        elif code == 5:
            if n > 0:
                xs[b % n] = a
        elif code == 6:
            xs.extend([a, b, a + b])
        elif code == 7:
            xs.extend(xs[b % 3::2])  # a slice of itself
        elif code == 8:
            xs.sort(reverse=a % 2 == 0)
        elif code == 9:
            xs.reverse()
        elif code == 10:
            for k in range(40 + a % 25):  # growth past many resizes
                xs.append(k * b)
        elif code == 11:
            if a in xs:
                seen.append(xs.index(a))
                xs.remove(a)
        else:
            seen.append(len(xs) + xs.count(b))
            if n > 0:
                seen.append(xs[-1] + xs[0] + xs[n // 2])
    return xs, seen, sorted(xs) == sorted(xs, reverse=True)[::-1]


_fast = ember.jit(interpret)

small = st.integers(-6, 6)
op = st.tuples(st.integers(0, 12), small, small)


@settings(max_examples=30, deadline=None)
@given(st.lists(op, min_size=1, max_size=60))
def test_random_operations(ops):
    want = outcome(interpret, (copy.deepcopy(ops),))
    got = outcome(_fast, (copy.deepcopy(ops),))
    assert want[0] == got[0] == "value", (want, got)
    assert same(want[1], got[1]), (want, got)


def make_many(n):
    rows = [[j * 0.5 for j in range(i)] for i in range(n)]
    arrs = [np.ones(i) for i in range(n)]
    pairs = [(arrs[i], rows[i]) for i in range(n)]
    total = 0.0
    for a, r in pairs:
        total += float(a.sum()) + sum(r)
    flat = []
    for r in rows:
        flat.extend(r)
    flat.sort()
    keep = rows[-1] if n > 0 else [0.0]
    kept_array = arrs.pop() if n > 0 else np.zeros(1)
    if rows:
        del rows[0]
    return total, len(flat), keep, kept_array


def through(rows, arrs):
    rows.append([1.0])
    return rows, arrs[0], len(arrs)


_made = ember.jit(make_many)
_through = ember.jit(through)


def test_no_leaks():
    for n in (0, 1, 5):
        assert same(outcome(_made, (n,)), outcome(make_many, (n,)))
    before = rt.live_blocks()
    for k in range(200):
        _made(k % 7)
        _through([[0.5], [], [1.0, 2.0]], [np.ones(2), np.zeros(3)])
    _fast([(10, 3, 2), (1, 2, 0), (8, 1, 0), (7, 1, 1)])
    assert rt.live_blocks() == before
