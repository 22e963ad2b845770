"""Runtime dicts (docs/containers.md) compiled, compared exactly with CPython: stores with
int, float, bool, str and tuple keys, reads, deletions and KeyError, every method, iteration
order after deletions, comprehensions, dict(), equality, truth, dicts of lists, dicts as
results, growth past many resizes; random operation sequences (hypothesis); no runtime
block leaked; and the compile-time errors, at the user's line.
"""
import copy

import pytest
from hypothesis import given, settings, strategies as st

import ember
from ember.backend import runtime_helpers as rt
from ember.ir.errors import TypingError
from .differential import check_stages, jitted, outcome, plain, same

def check(fn, *args):
    """CPython and ember on deep copies of `args`: same value (dicts in the same order, keys
    and values of the same Python types), or the same exception type and message."""
    fast = jitted(fn)
    want = outcome(fn, copy.deepcopy(args))
    got = outcome(fast, copy.deepcopy(args))
    check_stages(fast)
    if want[0] == "value" and got[0] == "value":
        assert same(plain(want[1]), plain(got[1])), \
            f"{fn.__name__}{args}: CPython {want[1]!r}, ember {got[1]!r}"
    else:
        assert want == got, f"{fn.__name__}{args}: CPython {want}, ember {got}"


# ---- stores and reads by key type -----------------------------------------------------
def int_keys(n):
    d = {}
    for i in range(n):
        d[i * 7 - 3] = i * 0.5
    return list(d.items()), len(d), d[-3] if n else -1.0


def float_keys(x):
    d = {}
    d[x] = 1
    d[x + 1.5] = 2
    d[2.0] = 3          # 2.0 and 2 are the same key
    d[2] = 4
    return list(d.items()), d[2], d[x]


def bool_keys(a):
    d = {}
    d[a] = "first"
    d[not a] = "second"
    d[a] = "again"
    return list(d.items()), d[True]


def str_keys(words):
    d = {}
    for w in words:
        d[w] = len(w)
    return list(d.items()), d[words[0]]


def tuple_keys(n):
    d = {}
    for i in range(n):
        d[(i, i + 1)] = float(i)
        d[i, 0] = 1.0
    d[1, 2] = 6.0
    # d[k], del d[k] and pop(k) with a tuple key do not compile yet (their KeyError cannot
    # format a tuple): only stores, `in` and get are tested here
    return list(d.items()), (2, 3) in d, (9, 9) in d, d.get((9, 9), -1.0), d.get((1, 2), -1.0)


def test_key_types():
    check(int_keys, 6)
    check(int_keys, 0)
    check(float_keys, 0.25)
    check(float_keys, 2.0)
    check(bool_keys, True)
    check(bool_keys, False)
    check(str_keys, ["pear", "fig", "pear", "kiwi"])
    check(tuple_keys, 4)


# ---- counting, membership, len, truth --------------------------------------------------
def count(xs):
    c = {}
    for x in xs:
        c[x] = c.get(x, 0) + 1
    return list(c.items())


def membership(xs, probe):
    d = {}
    for x in xs:
        d[x] = x * x
    return probe in d, probe not in d, len(d), bool(d), not d


def truth(n):
    d = {}
    out = [bool(d)]
    if not d:
        out.append(True)
    for i in range(n):
        d[i] = i
    out.append(bool(d))
    if d:
        out.append(False)
    d.clear()
    out.append(bool(d))
    return out


def test_counting_and_membership():
    check(count, [3, 1, 3, 3, 2, 1])
    check(count, [])
    check(count, ["a", "b", "a"])
    check(membership, [1, 2, 5], 5)
    check(membership, [1, 2, 5], 4)
    check(membership, [], 0)
    check(truth, 3)


# ---- deletion, pop, KeyError ------------------------------------------------------------
def delete(k):
    d = {1: 2, 3: 4, 5: 6}
    del d[k]
    return list(d.items())


def lookup(k):
    d = {1: 2.0, 3: 4.0}
    return d[k]


def lookup_str(k):
    d = {}
    d["a"] = 1
    d["b"] = 2
    return d[k]


def pops(k):
    d = {1: 10, 2: 20, 3: 30}
    a = d.pop(k, -1)
    b = d.pop(k, -2)
    return a, b, list(d.items())


def pop_missing(k):
    d = {1: 10, 2: 20}
    x = d.pop(1)
    return x, d.pop(k)


def test_delete_and_key_error():
    check(delete, 3)
    check(delete, 5)
    check(delete, 7)     # KeyError(7), message '7'
    check(lookup, 3)
    check(lookup, 2)
    check(lookup_str, "b")
    check(lookup_str, "zz")  # KeyError('zz'), message "'zz'"
    check(pops, 2)
    check(pops, 9)
    check(pop_missing, 2)
    check(pop_missing, 1)


# ---- methods ---------------------------------------------------------------------------
def setdefaults(xs):
    groups = {}
    for x in xs:
        groups.setdefault(x % 3, []).append(x)
    d = {}
    a = d.setdefault(1, 5)
    b = d.setdefault(1, 7)
    return list(groups.items()), a, b, list(d.items())


def updates(x):
    d = {"a": x}
    d.update({"b": 1.0})
    e = {}
    e["c"] = 2.5
    e["a"] = -1.0
    d.update(e)
    return list(d.items())


def clear_copy(n):
    d = {}
    for i in range(n):
        d[i] = i * 2
    e = d.copy()
    d[100] = 1
    e[-1] = 5
    f = dict(d)
    f[200] = 0
    d.clear()
    d[7] = 7
    return list(d.items()), list(e.items()), list(f.items()), len(d)


def popitems(n):
    d = {}
    for i in range(n):
        d[i] = i + 0.5
    out = []
    while d:
        out.append(d.popitem())
    return out


def popitem_empty():
    d = {1: 2}
    d.popitem()
    return d.popitem()


def test_methods():
    check(setdefaults, [1, 2, 3, 4, 5, 9])
    check(updates, 3.5)
    check(clear_copy, 4)
    check(clear_copy, 0)
    check(popitems, 5)
    check(popitem_empty)  # KeyError('popitem(): dictionary is empty')


# ---- iteration order --------------------------------------------------------------------
def views(n):
    d = {}
    for i in range(n):
        d[(i * 5) % 7] = i
    ks = []
    for k in d.keys():
        ks.append(k)
    vs = [v for v in d.values()]
    its = [(k, v) for k, v in d.items()]
    plain = [k for k in d]
    total = 0
    for k in d:
        total += d[k]
    return ks, vs, its, plain, total


def reinsert(n):
    d = {}
    for i in range(n):
        d[i] = i
    for i in range(0, n, 2):
        del d[i]
    d[0] = 100          # a deleted key comes back at the end
    d[1] = 101          # a live key keeps its place
    return list(d.keys()), list(d.values()), list(d.items()), [k for k in d]


def test_iteration_order():
    check(views, 7)
    check(views, 0)
    check(reinsert, 8)


# ---- comprehensions, dict(), equality -----------------------------------------------------
def comprehensions(n, words):
    sq = {i: i * i for i in range(n)}
    odd = {i: float(i) for i in range(n) if i % 2}
    names = {w: len(w) for w in words if w != "b"}
    return list(sq.items()), list(odd.items()), list(names.items()), dict(sq) == sq


def from_zip(ks, vs):
    d = dict(zip(ks, vs))
    return list(d.items())


def equality(n):
    a = {i: i for i in range(n)}
    b = {}
    for i in range(n - 1, -1, -1):
        b[i] = i
    c = dict(a)
    c[0] = -1
    return a == b, a != b, a == c, a != c, b == {i: i for i in range(n + 1)}


def test_comprehensions_and_equality():
    check(comprehensions, 5, ["a", "b", "cc", "a"])
    check(from_zip, [1, 2, 3, 2], [0.5, 1.5, 2.5, 3.5])
    check(from_zip, ["x", "y"], [1, 2])
    check(equality, 4)
    check(equality, 1)


# ---- dicts of lists, dicts as results, literals ---------------------------------------------
def of_lists(xs):
    d = {}
    for x in xs:
        if x not in d:
            d[x] = []
        d[x].append(x * 10)
    return list(d.items()), d[xs[0]]


def returned(n):
    d = {i: i * 0.5 for i in range(n)}
    e = {}
    e["k"] = n
    return d, (e, n), [d]


def literal_keys(a):
    d = {1: a, 2: a + 1, 1: a + 2}   # a repeated key keeps its first place, last value
    return d


def test_lists_and_results():
    check(of_lists, [2, 1, 2, 3, 1])
    check(returned, 3)
    check(returned, 0)
    check(literal_keys, 5)


# ---- growth and interleaved deletions ---------------------------------------------------
def grow(n):
    d = {}
    for i in range(n):
        d[i * 31 % n] = i
    s = 0
    for i in range(n):
        s += d[i]
    return len(d), s, d[n - 1]


def churn(n):
    d = {}
    for i in range(n):
        d[i] = i
        if i % 3 == 0:
            del d[i // 2]
        if i % 5 == 0 and i - 1 in d:
            d.pop(i - 1)
    return len(d), sum(d.keys()), list(d.items())[:20], list(d.items())[-5:]


def test_growth():
    check(grow, 10000)
    check(churn, 3000)


# ---- random operation sequences --------------------------------------------------------
def run_ops(codes, keys, vals):
    """Apply set / del / get / pop (codes 0..3) on int keys; returns the final items and a
    checksum of every read."""
    d = {}
    total = 0
    for i in range(len(codes)):
        c = codes[i]
        k = keys[i]
        if c == 0:
            d[k] = vals[i]
        elif c == 1:
            if k in d:
                del d[k]
        elif c == 2:
            total = total * 31 % 1000003 + d.get(k, -7)
        else:
            total = total * 17 % 1000003 + d.pop(k, 3) + len(d)
    return list(d.items()), total


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(-8, 8), st.integers(-100, 100)),
                min_size=1, max_size=80))
def test_random_operations(ops):
    args = ([c for c, _, _ in ops], [k for _, k, _ in ops], [v for _, _, v in ops])
    want = outcome(run_ops, copy.deepcopy(args))
    got = outcome(jitted(run_ops), copy.deepcopy(args))
    assert want[0] == got[0] == "value", (want, got)
    assert same(want[1], got[1]), (want, got)


# ---- no leaks -----------------------------------------------------------------------------
def busy(n, words):
    d = {}
    for i in range(n):
        d.setdefault(i % 5, []).append(i)
    e = {w: (i, 0.5) for i, w in enumerate(words)}
    f = dict(e)
    del f[words[0]]
    return list(d.items()), len(f), d.copy() == d


def test_no_leaks():
    fast = jitted(busy)
    words = ["x", "yy", "x", "zzz"]
    fast(20, words)
    before = rt.live_blocks()
    for _ in range(200):
        fast(20, words)
    assert rt.live_blocks() == before


# ---- compile-time errors ------------------------------------------------------------------
def value_conflict(n):
    counts = {}
    counts[n] = 1
    counts[n + 1] = "x"
    return len(counts)


def never_stored(n):
    d = {}
    return n in d


def unknown_method(n):
    d = {}
    d[n] = 1
    return d.fromkeys([1])


def str_in_float_dict(x):
    d = {}
    d[x] = 1.0
    return d["a"]


def _error(fn, *args):
    with pytest.raises(TypingError) as info:
        ember.jit(fn)(*args)
    return str(info.value)


def _line(fn, text):
    import inspect
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, line in enumerate(lines) if text in line)


def test_value_type_conflict():
    msg = _error(value_conflict, 1)
    assert "counts" in msg and "int" in msg and "str" in msg
    assert f"line {_line(value_conflict, '= 1')}" in msg
    assert f"line {_line(value_conflict, 'n + 1')}" in msg


def test_never_stored():
    msg = _error(never_stored, 1)
    assert "nothing is ever stored" in msg
    assert f"line {_line(never_stored, 'd = {}')}" in msg


def test_unsupported_method():
    msg = _error(unknown_method, 1)
    assert "fromkeys" in msg
    assert f"line {_line(unknown_method, 'fromkeys')}" in msg


def test_float_dict_read_with_str():
    msg = _error(str_in_float_dict, 1.5)
    assert "float" in msg and "str" in msg
    assert f"line {_line(str_in_float_dict, 'return')}" in msg
