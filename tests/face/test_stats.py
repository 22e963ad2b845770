"""`f.signatures` and `f.stats`: what was compiled, how long each stage took, cache hits."""
from __future__ import annotations

import pickle

import ember
from ember.introspect import Signature, Stats
from ember.ir.types import F64, I64


def mul(x, y):
    return x * y


def test_signatures_compare_as_tuples_and_print_with_return_type() -> None:
    f = ember.jit(mul)
    assert f.signatures == []
    f(2, 3)
    f(2.0, 3)
    assert f.signatures == [(I64, I64), (F64, I64)]
    assert [s.return_type for s in f.signatures] == [I64, F64]
    assert str(f.signatures) == "[(i64, i64) -> i64, (f64, i64) -> f64]"
    assert f.overloads[f.signatures[1]] is f.overloads[(F64, I64)]
    assert pickle.loads(pickle.dumps(f.signatures[0])).return_type == I64


def test_stats_per_signature_stage_times_and_totals() -> None:
    f = ember.jit(mul)
    assert f.stats == {} and f.stats.total == 0.0 and str(f.stats) == "no compiled signature"
    f(1.0, 2.0)
    f(1, 2)
    st = f.stats
    assert isinstance(st, Stats) and list(st) == f.signatures
    for per in st.values():
        for stage in ("frontend", "typeinfer", "passes", "backend", "total"):
            assert per[stage] >= 0.0
        parts = sum(v for k, v in per.items() if k not in ("total", "cache"))
        assert per["total"] >= parts * 0.999  # the stages add up to (at most) the total
    assert st.compiles == 2
    assert st.total == sum(per["total"] for per in st.values())
    assert st.stages()["backend"] == sum(per["backend"] for per in st.values())
    text = str(st)
    assert "(f64, f64) -> f64" in text and "backend" in text and "2 signature(s)" in text


def test_cache_hits_and_misses_come_from_the_specializations() -> None:
    st = Stats({Signature((F64,)): {"total": 0.5, "cache": 1.0},
                Signature((I64,)): {"total": 0.25, "cache": 0.0},
                Signature((I64, I64)): {"total": 0.25}})
    assert (st.hits, st.misses, st.compiles, st.total) == (1, 1, 3, 1.0)
    assert "cache" not in st.stages()
    assert "hit" in str(st) and "miss" in str(st)


def test_stats_without_disk_cache_count_no_hits_or_misses() -> None:
    f = ember.jit(mul)
    f(1.0, 1.0)
    assert "cache" not in f.stats[f.signatures[0]]
    assert (f.stats.hits, f.stats.misses) == (0, 0)


def test_cache_option_is_accepted() -> None:
    f = ember.jit(cache=False)(mul)
    assert f(2.0, 4.0) == 8.0
