"""Python dicts passed as arguments (docs/containers.md, "Dicts", arguments): a dict the
function uses dynamically, or with keys other than strs, is converted into a runtime dict
at the call (a copy); one read with literal keys only stays a record. Compared exactly
with CPython (values, key order, Python types, exception type and message), and the
caller's dict afterwards equals CPython's (changes are written back); no runtime block leaks,
also when a conversion fails half-way.
"""
import copy

import numpy as np
import pytest

import ember
from ember.backend import runtime_helpers as rt
from ember.ir.types import DictType, RecordType
from .differential import check_stages, jitted, outcome, plain, same

def check(fn, *args):
    """CPython on deep copies of `args`, ember on the args themselves: same outcome, and
    the arguments changed as CPython changed its copies (ember writes changes back)."""
    fast = jitted(fn)
    theirs = copy.deepcopy(args)
    want = outcome(fn, theirs)
    got = outcome(fast, args)
    check_stages(fast)
    assert same(plain(args), plain(theirs)), f"arguments after ember {args!r}, CPython {theirs!r}"
    if want[0] == "value" and got[0] == "value":
        assert same(plain(want[1]), plain(got[1])), f"{fn.__name__}: CPython {want[1]!r}, ember {got[1]!r}"
    else:
        assert want == got, f"{fn.__name__}: CPython {want}, ember {got}"
    return fast


# ---- reading ------------------------------------------------------------------------------
def read(d, k):
    return d[k]


def read_default(d, k):
    return d.get(k, -1)


def has(d, k):
    return k in d


def size(d):
    return len(d)


@pytest.mark.parametrize("d, k", [
    ({1: 10, 2: 20, -5: 7}, 2), ({1: 10}, 3), ({1.5: 2.0, -0.0: 1.0}, 0.0), ({2.5: 1, 4.0: 3}, 4),
    ({True: 1, False: 0}, False), ({"a": 1.5, "bb": 2.5}, "bb"), ({"a": 1}, "zz"),
    ({"é": 1, "日本": 2}, "日本"), ({(1, 2): 3.0, (2, 1): 4.0}, (2, 1)),
    ({(1, "x"): 1, (1, "y"): 2}, (1, "y")), ({(1.5, True): 7}, (1.5, True)),
    ({k: k * k for k in range(1000)}, 777), ({str(k): k for k in range(300)}, "299"),
])
def test_read(d, k):
    for fn in (read_default, has, size):
        check(fn, d, k) if fn is not size else check(fn, d)
    if not isinstance(k, tuple):  # a KeyError cannot carry a tuple yet (containers.md)
        check(read, d, k)


def total(d):
    s = 0.0
    for k in d:
        s += d[k] * k
    return s


def keys_of(d):
    out = []
    for k in d:
        out.append(k)
    return out


def items_of(d):
    return [(k, v) for k, v in d.items()], list(d.values()), list(d.keys())


@pytest.mark.parametrize("d", [{3: 1.0, 1: 2.0, 2: 0.5}, {0.5: 2.0, -3.0: 1.0}, {7: -1.0}])
def test_iterate(d):
    check(total, d)
    check(keys_of, d)
    check(items_of, d)


def test_iteration_order_is_insertion_order():
    d = {"z": 1, "a": 2, "m": 3}
    del d["a"]
    d["a"] = 4
    check(keys_of, d)
    check(items_of, d)


# ---- changing and returning ---------------------------------------------------------------
def count_into(counts, words):
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return counts


def change(d, k):
    d[k] = 100
    del d[1]
    d.pop(2, 0)
    return d, len(d)


def identity(d):
    return d


@pytest.mark.parametrize("counts, words", [
    ({"a": 1, "b": 2}, ["a", "c", "a", "d"]), ({1: 5}, [1, 2, 3, 1]),
    ({(0, 0): 1}, [(0, 0), (1, 0)]), ({True: 3}, [False, False]),
])
def test_count_into_a_passed_dict(counts, words):
    check(count_into, counts, words)


def test_mutations_are_seen_by_the_caller():
    d = {1: 1, 2: 2, 3: 3}
    check(change, d, 7)
    check(change, d, 1)
    mirror = {1: 1, 2: 2, 3: 3}
    change(mirror, 7)
    change(mirror, 1)
    assert d == mirror and list(d) == list(mirror)


@pytest.mark.parametrize("d", [
    {1: 2}, {"a": [1.0, 2.0], "b": []}, {(1, 2): (3.0, "x")}, {"s": "t"},
    {1: {"x": 1, "y": 2}, 2: {}}, {0.5: [[1, 2], [3]]}, {k: float(k) for k in range(500)},
])
def test_round_trip(d):
    fast = check(identity, d)
    got = fast(d)
    assert got is not d and got == d and list(got) == list(d)


# ---- nested values --------------------------------------------------------------------------
def list_sums(d):
    out = {}
    for k, v in d.items():
        out[k] = sum(v)
        v.append(0)
    return out, d


def array_sums(d):
    s = 0.0
    for k in d:
        s = s + float(d[k].sum())
    return s


def inner(d, a, b):
    return d[a][b]


def test_dict_of_lists():
    check(list_sums, {"a": [1, 2, 3], "b": [], "c": [4]})


def test_dict_of_arrays_shares_the_arrays():
    d = {1: np.arange(3.0), 2: np.ones(4)}
    check(array_sums, d)
    out = jitted(identity)(d)
    assert out[1] is d[1]  # arrays are shared, as in lists


def test_dict_of_dicts():
    d = {"x": {1: 2.0}, "y": {}, "z": {3: 4.0, 5: 6.0}}
    check(inner, d, "z", 5)
    check(inner, d, "y", 1)


def lens(xs):
    return [len(x) for x in xs]


def test_list_of_dicts():
    check(lens, [{1: 2}, {}, {3: 4, 5: 6}])


# ---- records or runtime dicts ---------------------------------------------------------------
def literal_reads(p):
    return p["k"] * 2.0 + p["c"]


def mixed(p, name):
    return p["k"] + p[name]


def test_literal_key_reads_stay_a_record():
    fast = check(literal_reads, {"k": 1.5, "c": 0.5})
    assert isinstance(fast.signatures[0][0], RecordType)


def test_dynamic_use_makes_a_runtime_dict():
    fast = check(mixed, {"k": 1.5, "c": 0.5}, "c")
    check(mixed, {"k": 1.5}, "c")
    assert isinstance(fast.signatures[0][0], DictType)


def read_one(d):
    return d[1]


def test_non_str_keys_are_runtime_dicts():
    fast = check(read_one, {1: 2.0})
    assert fast.signatures[0][0] == DictType(ember.ir.types.I64, ember.ir.types.F64)


def helper_iterates(d):
    s = 0
    for k in d:
        s += d[k]
    return s


def passes_on(d):
    return helper_iterates(d) + d["a"]


def helper_has(d):
    if "a" in d:
        return d["a"]
    return 0


def passes_to_literal(d, k):
    return helper_has(d) + d[k]


def test_calls_between_compiled_functions():
    fast = check(passes_on, {"a": 1, "b": 2})
    assert isinstance(fast.signatures[0][0], DictType)  # the callee uses it dynamically
    check(passes_to_literal, {"a": 1, "b": 2}, "b")
    check(passes_to_literal, {"c": 1, "b": 2}, "b")


# ---- what cannot be typed --------------------------------------------------------------------
@pytest.mark.parametrize("d, words", [
    ({}, "empty dict"), ({1: 1, 2.5: 2}, "keys of mixed types"),
    ({0.5: 1, True: 2}, "keys of mixed types"), ({1: 1, 2: 2.5}, "values of mixed types"),
    ({1: 1, 2: "x"}, "values of mixed types"), ({1j: 1}, "dict keys must be"),
    ({1: object()}, "unsupported type"), ({1: {}}, "empty dict"),
])
def test_untypable_dicts_raise_type_error(d, words):
    with pytest.raises(TypeError, match=words) as e:
        ember.jit(has)(d, 1)  # fresh: an empty dict fits a compiled dict<i64, i64>
    assert "'d'" in str(e.value)


def test_equal_keys_of_different_types_are_one_key_in_cpython():
    d = {1: "a", 1.0: "b", True: "c"}  # one key, 1, holding "c"
    check(size, d)
    check(read, d, 1)


def test_an_empty_dict_fits_a_compiled_signature():
    fast = ember.jit(has)
    assert fast({1: 2}, 1) is True and fast({}, 1) is False


def test_a_different_value_type_compiles_another_specialization():
    fast = jitted(size)
    assert fast({1: 2}) == 1 and fast({1: 2.5, 3: 1.0}) == 2 and fast({"a": [1]}) == 1
    assert len({s for s in fast.signatures}) >= 3


# ---- leaks -----------------------------------------------------------------------------------
def test_no_leaks_after_many_calls():
    d = {str(k): [k, k + 1] for k in range(50)}
    fast = jitted(count_into)
    fast({"a": 1}, ["1"])
    jitted(identity)(d)
    before = rt.live_blocks()
    for _ in range(200):
        fast({"a": 1, "b": 2}, ["a", "c"])
        jitted(identity)(d)
        jitted(total)({1: 1.0, 2: 2.0})
    assert rt.live_blocks() == before


def test_no_leaks_after_failed_conversions():
    fast = jitted(inner)
    good = {"x": {1: 2.0}, "z": {3: 4.0}}
    fast(good, "x", 1)
    bad = {"x": {1: 2.0}, "y": {1: 2.0}, "z": {3: "no"}}  # the last inner value fails
    before = rt.live_blocks()
    for _ in range(100):
        with pytest.raises(TypeError, match="values of mixed types"):
            fast(bad, "x", 1)
        assert fast(good, "z", 3) == 4.0
        with pytest.raises(KeyError):  # the argument is released after a raise too
            jitted(read)({1: 2.0, 3: 4.0}, 5)
    assert rt.live_blocks() == before


# ---- a dict made in the caller, used dynamically by a helper --------------------------------
def _total(d):
    s = 0.0
    for k in d:
        s += d[k]
    return s


def _add_key(d, k):
    d[k] = 1.0


def _pass_on(d):
    return _total(d)


def caller_literal_to_dynamic_helper(x):
    p = {"a": 1.0, "b": x}
    return _total(p) + _pass_on(p)


def caller_sees_helper_insert(x):
    p = {"a": x}
    _add_key(p, "z")
    return len(p), p


def test_caller_dict_shared_with_dynamic_helper():
    check(caller_literal_to_dynamic_helper, 2.0)
    check(caller_sees_helper_insert, 2.0)
