"""Dicts with string-literal keys (records), differential against CPython."""
from __future__ import annotations

from typing import Any

import pytest

import ember
from ember.errors import TypingError, UnsupportedSyntaxError
from ember.ir.types import F64, I64, RecordType, TupleType, parse_type
from tests.e2e.differential import check, check_stages, same


def same_deep(a: Any, b: Any) -> bool:
    """`same`, looking into dicts (keys in order, values exactly)."""
    if isinstance(a, dict) or isinstance(b, dict):
        return (type(a) is dict and type(b) is dict and list(a) == list(b)
                and all(same_deep(a[k], b[k]) for k in a))
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same_deep(x, y) for x, y in zip(a, b))
    return same(a, b)


def check_deep(fn: Any, *args: Any) -> None:
    fast = ember.jit(fn)
    want, got = fn(*args), fast(*args)
    check_stages(fast)
    assert same_deep(want, got), f"{fn.__name__}{args}: CPython {want!r}, ember {got!r}"


# ---- types ---------------------------------------------------------------------------
def test_record_type_prints_and_parses():
    t = RecordType(("k", "two words"), (F64, TupleType((I64, F64))))
    assert str(t) == 'record<k: f64, "two words": tuple<i64, f64>>'
    assert parse_type(str(t)) == t


# ---- literals, reads, writes ---------------------------------------------------------
def lit_read(x):
    p = {"k": 1.5, "c": 2, "flag": True}
    return p["k"] * x + p["c"] - p["flag"]


def write_existing(x):
    p = {"k": 1.0, "c": 0.5}
    p["k"] = x
    p["c"] += p["k"]
    return p["k"], p["c"]


def write_promotes(n):
    p = {"k": 1}
    p["k"] = n / 2
    return p["k"]


def add_key(x):
    p = {"a": x}
    p["b"] = x * 2
    return p["a"] + p["b"] + len(p)


def contains(x):
    p = {"a": x, "b": 2}
    return ("a" in p) + ("z" in p) * 10 + ("z" not in p) * 100


def get_default(x):
    p = {"a": x}
    return p.get("a", 0.0) + p.get("missing", 7.5)


def duplicate_keys(x):
    p = {"a": 1.0, "b": x, "a": 3.0}  # noqa: F601 - as CPython: the last value, first position
    return p["a"], p["b"], len(p)


def alias_write(x):
    p = {"k": 1.0}
    q = p
    q["k"] = x
    return p["k"] + q["k"]


def loop_carried(n):
    s = {"acc": 0.0, "count": 0}
    for i in range(n):
        s["acc"] += i * 0.5
        s["count"] += 1
    return s["acc"], s["count"]


def if_merge(x):
    p = {"v": 1, "w": 2.0}
    if x > 0:
        p["v"] = 3.5  # int meets float at the merge: float
    else:
        p["w"] = x
    return p["v"] * 1.0, p["w"]  # p["v"] is a float after the merge (as variables)


def in_tuple(x):
    p = {"k": x}
    t = (p, 2)
    return t[0]["k"] + t[1]


def helper_read(p, x):
    return p["k"] * x + p["c"]


def calls_helper(x):
    p = {"k": 2.0, "c": 1.0}
    return helper_read(p, x)


@pytest.mark.parametrize("fn,args", [
    (lit_read, (2.0,)), (write_existing, (4.0,)), (write_promotes, (7,)), (add_key, (1.5,)),
    (contains, (1.0,)), (get_default, (2.0,)), (duplicate_keys, (5.0,)), (alias_write, (3.0,)),
    (loop_carried, (10,)), (loop_carried, (0,)), (if_merge, (1.0,)), (if_merge, (-2.0,)),
    (in_tuple, (1.5,)), (calls_helper, (3.0,)),
])
def test_records_local(fn, args):
    check(fn, *args)


# ---- arguments and results -----------------------------------------------------------
def params_arg(p, x):
    return p["k"] * x - p["c"] * p["n"]


def returns_dict(x):
    p = {"a": x, "b": (1, 2.5), "ok": x > 1}
    p["n"] = 3
    return p


def passes_through(p):
    return {"sum": p["a"] + p["b"], "prod": p["a"] * p["b"]}, len(p)


def test_dict_argument():
    check(params_arg, {"k": 2.0, "c": 0.5, "n": 3}, 1.5)
    check(params_arg, {"c": 0.5, "k": 2, "n": 3}, 1.5)  # other order and types: new specialization


def test_dict_result_and_argument():
    check_deep(returns_dict, 2.0)
    check_deep(returns_dict, 0.5)
    check_deep(passes_through, {"a": 1.5, "b": 4})


def test_dict_argument_fast_path_and_fallback():
    fast = ember.jit(params_arg)
    a = {"k": 2.0, "c": 0.5, "n": 3}
    assert fast(a, 2.0) == params_arg(a, 2.0)
    assert len(fast.overloads) == 1
    for _ in range(3):  # same keys and types: no new specialization
        assert fast({"k": 1.0, "c": 1.5, "n": 2}, 2.0) == params_arg({"k": 1.0, "c": 1.5, "n": 2}, 2.0)
    assert len(fast.overloads) == 1
    b = {"k": 2.0, "c": 0.5, "n": 3, "extra": 1}  # a different key set: another record type
    assert fast(b, 2.0) == params_arg(b, 2.0)
    assert len(fast.overloads) == 2


def test_dict_argument_missing_key_is_compile_time_key_error():
    with pytest.raises(KeyError) as e:
        ember.jit(params_arg)({"k": 2.0, "c": 0.5}, 1.0)
    assert isinstance(e.value, TypingError)
    assert "'n'" in str(e.value) and "p[\"n\"]" in str(e.value)


def test_dict_argument_with_array_values_is_a_record():
    # array values (tests/e2e/test_records_arrays.py has more); other keys: a runtime dict
    # (docs/containers.md, Dicts, Arguments), whose values must then have one type
    import numpy as np
    d = {"a": np.zeros(2), "b": 1.0}
    fast = ember.jit(passes_through)
    got, want = fast(d), passes_through(d)
    assert isinstance(list(fast.overloads)[0][0], RecordType)
    assert got[1] == want[1] and all(np.array_equal(got[0][k], want[0][k]) for k in want[0])
    d = {"a": np.ones(2), "b": np.arange(2.0)}
    assert ember.jit(array_values)(d) == array_values(d)
    with pytest.raises(TypeError, match="values of mixed types"):
        ember.jit(passes_through)({"a": {"x": 1.0}, "b": 1.0})  # a nested dict: not a record


def array_values(p):
    return p["a"][0] + p["b"][1], len(p)


# ---- errors --------------------------------------------------------------------------
def missing_local(x):
    p = {"k": x}
    return p["c"]


def write_argument(p):
    p["k"] = 1.0
    return p["k"]


def alias_in_loop(n):
    p = {"k": 0.0}
    q = p
    for i in range(n):
        q["k"] += 1.0
    return p["k"]


def non_literal_key(x):
    d = {1: x}
    return d


def test_missing_key_local():
    with pytest.raises(KeyError, match="has no key 'c'"):
        ember.jit(missing_local)(1.0)


def test_write_to_argument_is_rejected():
    with pytest.raises(UnsupportedSyntaxError, match="dict argument 'p'"):
        ember.jit(write_argument)({"k": 2.0})


def test_alias_write_inside_loop_is_rejected():
    with pytest.raises(UnsupportedSyntaxError, match="same dict"):
        ember.jit(alias_in_loop)(3)


def test_non_literal_key_makes_a_runtime_dict():
    # a key that is not a string literal makes a hash map (docs/containers.md), not a record
    assert ember.jit(non_literal_key)(1.0) == non_literal_key(1.0)


def string_index(x):
    return x["a"]


def test_string_key_on_non_dict_is_a_typing_error():
    # `x["a"]` is a record read for the frontend; on an array it is a TypingError at the line
    import numpy as np
    with pytest.raises(TypingError, match="valid array indices") as e:
        ember.jit(string_index)(np.zeros(3))
    assert e.value.loc is not None and e.value.loc.line == string_index.__code__.co_firstlineno + 1
