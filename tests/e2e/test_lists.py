"""Lists compiled, compared exactly with CPython (docs/containers.md): making them, methods,
indexing and slicing, operators, iteration, sorting, lists as arguments and results.

Each function is run by CPython and by ember on fresh copies of its arguments (list
methods mutate them) and the results or exceptions (type and message) must be equal.
"""
import copy

import numpy as np
import pytest

import ember
from .differential import check_stages, jitted, outcome, same

def check(fn, *args):
    """CPython and ember on deep copies of `args`: same value, or same exception."""
    fast = jitted(fn)
    want = outcome(fn, copy.deepcopy(args))
    got = outcome(fast, copy.deepcopy(args))
    check_stages(fast)
    if want[0] == "value" and got[0] == "value":
        assert same(want[1], got[1]), f"{fn.__name__}{args}: CPython {want[1]!r}, ember {got[1]!r}"
    else:
        assert want == got, f"{fn.__name__}{args}: CPython {want}, ember {got}"


# ---- making lists ---------------------------------------------------------------------
def literals(a, b):
    x = [a, b, a + b]
    z = []
    z.append(a)
    w = list()
    w.append(1.5)
    return x, z, w, [[a, b], [b]], [(a, 1.0), (b, 2.0)], [a > b, True], ["s", "t"]


def constructors(n, t):
    return (list(range(n)), list(t), list(i * i for i in range(n)), [i for i in range(n)],
            [i + j for i in range(n) if i % 2 for j in range(i) if j != 1],
            [x for x in t if x > 1], [[j for j in range(i)] for i in range(n)])


def from_array(a):
    # elements read from an array are numpy scalars in CPython: compare as Python floats
    xs = list(a)
    ys = [v * 2 for v in a]
    return [float(v) for v in xs], [float(v) for v in ys], len(xs)


def test_making():
    check(literals, 1, 2)
    check(literals, 2.5, -1.0)
    check(constructors, 5, (1, 2, 3))
    check(constructors, 0, (4, 0))
    check(from_array, np.arange(4.0) - 1)
    check(from_array, np.zeros(0))


def int_float_literal(a):
    return [a, 2.5]


def test_ints_and_floats_unify():
    # a documented difference: [1, 2.5] is a list of floats in ember
    assert jitted(int_float_literal)(1) == [1.0, 2.5]
    assert type(jitted(int_float_literal)(1)[0]) is float


# ---- methods ----------------------------------------------------------------------------
def methods(n):
    xs = [1, 2, 3]
    xs.extend([4, 5])
    xs.extend((6, 7))
    xs.extend(np.arange(2) + 10)
    xs.insert(0, -1)
    xs.insert(-2, 99)
    xs.insert(100, 100)
    xs.insert(-100, -100)
    a = xs.pop()
    b = xs.pop(0)
    c = xs.pop(-2)
    xs.remove(99)
    xs.reverse()
    ys = xs.copy()
    ys.append(n)
    i = xs.index(5)
    k = xs.count(1) + xs.count(42)
    zs = [3, 1]
    zs.clear()
    del xs[1]
    del xs[-1]
    xs.extend(xs)
    # elements from an array are numpy ints in CPython: compare them as ints
    return [int(v) for v in xs], [int(v) for v in ys], a, b, int(c), i, k, zs, len(zs)


def pop_at(n, i):
    xs = [k * 1.5 for k in range(n)]
    v = xs.pop(i)
    return v, xs


def pop_last(n):
    xs = [k for k in range(n)]
    return xs.pop(), xs


def remove_value(v):
    xs = [1, 2, 3, 2]
    xs.remove(v)
    return xs


def index_value(v):
    xs = [1.5, 2.5, 1.5]
    return xs.index(v), xs.count(v)


def test_methods():
    check(methods, 9)
    for n, i in ((3, 5), (3, -4), (3, -1), (3, 0), (3, -3), (0, 0), (1, 1)):
        check(pop_at, n, i)  # "pop index out of range" / "pop from empty list"
    check(pop_last, 2)
    check(pop_last, 0)
    check(remove_value, 2)
    check(remove_value, 5)  # ValueError: list.remove(x): x not in list
    check(index_value, 1.5)
    check(index_value, 3.0)  # ValueError: 3.0 is not in list


# ---- indexing and slicing ---------------------------------------------------------------
def getitem(xs, i):
    return xs[i]


def setitem(xs, i):
    xs[i] = 7.0
    return xs


def delitem(xs, i):
    del xs[i]
    return xs


def slices(xs, a, b, c):
    return xs[a:b:c], xs[a:], xs[:b], xs[::c], xs[::-1], xs[:], xs[a:b], xs[None:b:None]


def test_indexing():
    for i in (0, 2, -1, -3, 3, -4, 100):
        check(getitem, [1, 2, 3], i)  # IndexError: list index out of range
        check(setitem, [1.0, 2.0, 3.0], i)  # list assignment index out of range
        check(delitem, [1, 2, 3], i)


@pytest.mark.parametrize("a,b,c", [(1, 4, 2), (-1, -5, -2), (0, 5, 1), (4, 0, -1), (-10, 10, 3),
                                   (10, -10, -3), (2, 2, 1), (1, 4, 0)])
def test_slices(a, b, c):
    check(slices, [1, 2, 3, 4, 5], a, b, c)  # step 0: ValueError: slice step cannot be zero


# ---- operators -----------------------------------------------------------------------
def operators(xs, ys, v):
    return (len(xs), v in xs, v not in xs, xs + ys, xs * 2, 3 * ys, xs * -1, xs * 0,
            xs == ys, xs != ys, xs == xs, bool(xs), not ys, [v] + xs)


def truth(xs):
    if xs:
        return len(xs)
    return -1


def test_operators():
    check(operators, [1, 2], [1, 2], 2)
    check(operators, [1.0, 2.0], [3.0], 5.0)
    check(operators, [1.0], [1.0, 2.0], 1.0)
    check(truth, [4.0])


def empty_truth(n):
    xs = [i for i in range(n)]
    ys = xs + xs
    return bool(xs), not ys, truth_inner(xs)


def truth_inner(xs):
    return 1 if xs else 0


def test_empty_made_inside():
    check(empty_truth, 0)
    check(empty_truth, 2)


# ---- iteration and reductions ---------------------------------------------------------
def iterate(xs, ys):
    s = 0.0
    for x in xs:
        s += x
    e = [(i, x) for i, x in enumerate(xs, 1)]
    z = [x * y for x, y in zip(xs, ys)]
    r = [x for x in reversed(xs)]
    return s, e, z, r, sum(xs), any(xs), all(xs), sum(x * x for x in xs)


def reductions(xs):
    return min(xs), max(xs), sum(xs), sum(xs, 10)


def iterate_while_appending(n):
    # the loop takes the length at its start (docs/containers.md)
    xs = [1, 2]
    total = 0
    for x in xs:
        total += x
        if n > 0:
            xs.append(x)
    return total, xs


def test_iteration():
    check(iterate, [1.0, 2.0, 0.0], [3.0, 4.0, 5.0, 6.0])
    check(iterate, [1.5], [3.0])
    check(reductions, [3, -1, 7])
    check(reductions, [2.5, -0.5])
    check(reductions, [])  # ValueError: min() arg is an empty sequence


def test_iteration_takes_length_at_start():
    assert jitted(iterate_while_appending)(1) == (3, [1, 2, 1, 2])


# ---- sorting ---------------------------------------------------------------------------
def sorts(xs):
    ys = sorted(xs)
    zs = sorted(xs, reverse=True)
    xs.sort()
    ws = [x for x in ys]
    ws.sort(reverse=True)
    return xs, ys, zs, ws


def test_sort():
    rng = np.random.default_rng(0)
    check(sorts, [3, 1, 2, 1])
    check(sorts, [5])
    check(sorts, [int(v) for v in rng.integers(-5, 5, 40)])  # past the insertion runs
    check(sorts, [float(v) for v in rng.normal(size=70)])
    check(sorts, [True, False, True])
    check(sorts, [0.0, -0.0, 0.0, -0.0, 1.0])  # stable: equal keys keep their order
    check(sorts, ["b", "a", "c", "a"])


def sort_nan(xs):
    return sorted(xs)


def test_sort_nan_is_cpythons():
    # with a nan `<` is no order and the result depends on the algorithm: ember runs
    # CPython's own (typeinfer/listsort.py), so it leaves the list as CPython does
    nan = float("nan")
    check(sort_nan, [3.0, nan, 1.0, 2.0])
    check(sort_nan, [3.0, 2.0, nan, 1.0])  # a descending run, then a nan


# ---- containers of containers -------------------------------------------------------------
def to_array(n):
    xs = [i * 1.5 for i in range(n)]
    ys = [i for i in range(n)]
    zs = [i % 2 == 0 for i in range(n)]
    return np.array(xs), np.array(ys), np.array(zs), float(np.array(xs).sum())


def lists_of_lists(n):
    rows = []
    for i in range(n):
        rows.append([j for j in range(i)])
    rows[0].append(42)
    total = 0
    for r in rows:
        total += sum(r)
    return rows, [len(r) for r in rows], total, rows[-1][-1] if n > 1 else 0


def lists_of_arrays(n):
    arrs = []
    for i in range(n):
        arrs.append(np.ones(i) * i)
    s = 0.0
    for a in arrs:
        s += float(a.sum())
    arrs[-1][0] = -1.0
    return s, arrs, arrs[-1]


def lists_of_tuples(n):
    ps = [(i, i * 0.5) for i in range(n)]
    ps.append((7, 7.5))
    a, b = ps[0]
    return ps, a, b, (7, 7.5) in ps, ps.index((1, 0.5)) if n > 1 else -1, ps.count((0, 0.0))


def tuple_not_found(n):
    ps = [(i, i) for i in range(n)]
    return ps.index((n, n))


def lists_in_tuples(n):
    xs = [i for i in range(n)]
    t = (xs, n, [float(n)])
    u, k, v = t
    u.append(k)
    return t, v


def test_nested():
    check(to_array, 4)
    check(lists_of_lists, 4)
    check(lists_of_lists, 1)
    check(lists_of_arrays, 3)
    check(lists_of_tuples, 3)
    with pytest.raises(ValueError, match=r"list.index\(x\): x not in list"):
        jitted(tuple_not_found)(2)  # CPython: "(2, 2) is not in list" (documented)
    check(lists_in_tuples, 3)


def nested_argument(rows, ts):
    out = [sum(r) for r in rows]
    return out, rows, ts[0], len(ts)


def test_nested_arguments():
    check(nested_argument, [[1, 2], [3], []], [(1, 2.0), (3, 4.0)])
    check(nested_argument, [[1.5]], [(0, 0.0)])


# ---- lists across calls ---------------------------------------------------------------------
def make_in_helper(n):
    return [i * 2 for i in range(n)]


_make = ember.jit(make_in_helper)


def uses_helper(n):
    xs = _make(n)
    xs.append(-1)
    return xs, (xs, n)


def append_to(xs, v):
    xs.append(v)


_append = ember.jit(append_to)


def shares_with_helper(n):
    xs = [0.5]
    for i in range(n):
        _append(xs, i * 1.0)
    return xs


def test_helpers():
    check(uses_helper, 3)
    check(uses_helper, 0)
    # the jitted helper appends to its caller's list, compiled or not (written back)
    check(shares_with_helper, 3)


def argument_changed(xs):
    xs.append(9)
    xs[0] = -1
    return len(xs)


def argument_read(xs):
    return xs[0] + len(xs)


def argument_changed_then_raises(xs):
    xs.append(3.5)
    xs.sort()
    raise ValueError("after the change")


def argument_inner_changed(xs):
    xs[1].append(7)
    return len(xs[1])


def test_argument_changes_are_written_back():
    xs = [1, 2]
    assert jitted(argument_changed)(xs) == 3
    assert xs == [-1, 2, 9]  # as CPython leaves it
    assert jitted(argument_changed)(xs) == 4 and xs == [-1, 2, 9, 9]
    ys = [4.0, 1.0]
    with pytest.raises(ValueError, match="after the change"):
        jitted(argument_changed_then_raises)(ys)
    assert ys == [1.0, 3.5, 4.0]
    zs = [[1], [2, 3]]
    assert jitted(argument_inner_changed)(zs) == 3 and zs == [[1], [2, 3, 7]]
    from ember.backend import runtime_helpers as rt
    before = rt.live_blocks()
    for _ in range(50):
        jitted(argument_changed)([1, 2])
        jitted(argument_inner_changed)([[1], [2]])
    assert rt.live_blocks() == before


def _append_one(xs):
    xs.append(1.0)


def argument_changed_through_aliases(xs, k):
    ys = xs
    if k == 0:
        ys.append(2.0)
    t = (xs, k)
    if k == 1:
        t[0].append(3.0)
    d = {0: xs}
    if k == 2:
        d[0].append(4.0)
    if k == 3:
        _append_one(xs)
    return len(xs)


def argument_sorted_copy(xs):
    ys = sorted(xs)
    ys.append(0.5)
    return ys[0] + ys[-1]


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_changes_through_aliases_are_written_back(k):
    mine, theirs = [1.0], [1.0]
    assert jitted(argument_changed_through_aliases)(mine, k) \
        == argument_changed_through_aliases(theirs, k)
    assert mine == theirs


def test_read_only_argument_is_not_written_back():
    xs = [3.0, 1.0]
    assert jitted(argument_sorted_copy)(xs) == 1.5 and xs == [3.0, 1.0]
    spec = jitted(argument_sorted_copy).overloads[jitted(argument_sorted_copy).signatures[0]]
    assert "PyList_SetSlice" not in spec.compiled.llvm_ir
    xs = [5, 6]
    ys = xs
    assert jitted(argument_read)(xs) == 7 and xs is ys == [5, 6]
    spec = jitted(argument_read).overloads[jitted(argument_read).signatures[0]]
    assert "PyList_SetSlice" not in spec.compiled.llvm_ir
    spec = jitted(argument_changed).overloads[jitted(argument_changed).signatures[0]]
    assert "PyList_SetSlice" in spec.compiled.llvm_ir


def identity(xs):
    return xs


@pytest.mark.parametrize("bad", [[1, 2.5], [1, "a"], [], [[1], [2.0]], [True, 1]])
def test_argument_errors(bad):
    with pytest.raises(TypeError, match="argument 'xs'"):
        jitted(identity)(bad)


def test_arguments_and_results():
    check(identity, [1, 2, 3])
    check(identity, [1.5])
    check(identity, [[1, 2], [3]])
    check(identity, [(1, 2.0), (3, 4.0)])
    out = jitted(identity)([np.arange(3.0), np.ones(2)])
    assert [a.tolist() for a in out] == [[0.0, 1.0, 2.0], [1.0, 1.0]]


# ---- control flow --------------------------------------------------------------------------
def assigned_in_branch(n):
    if n > 2:
        xs = [1.5]
    else:
        xs = []
    for i in range(n):
        xs.append(i * 1.0)
    return xs


def rebound_in_loop(n):
    xs = []
    for i in range(n):
        xs = xs + [i]
    ys = [0]
    while len(ys) < n:
        ys = ys * 2
    return xs, ys


def grown_in_while(n):
    xs = []
    k = n
    while k > 1:
        xs.append(k)
        k = k // 2 if k % 2 == 0 else 3 * k + 1
    return xs, len(xs)


def test_control_flow():
    for n in (0, 1, 3, 5):
        check(assigned_in_branch, n)
        check(rebound_in_loop, n)
        check(grown_in_while, n + 6)


# ---- in-place operators -------------------------------------------------------------------
def in_place(n):
    xs = [1]
    ys = xs
    xs += [n]
    xs += (n, 2)
    zs = []
    zs += [0.5]
    ws = [1, 2]
    vs = ws
    ws *= n
    return xs, ys, zs, ws, vs


def test_in_place_operators_share():
    for n in (-1, 0, 1, 3):
        check(in_place, n)
