"""A derivative keeps no IR module after its first call: its `typed` and `optimized`
views are rebuilt on demand (ember/compiler.py). The rebuilt views must be what the
compile saw: the transform's output, the same plan, the same results afterwards."""
from __future__ import annotations

import dataclasses
import math

import numpy as np

import ember
from ember.ir.printer import print_module
from ember.ir.types import F64, UNKNOWN, TupleType
from ember.ir.verifier import _contains_unknown, _contains_unknown_walk, verify_module


def energy(x, k):
    e = 0.0
    for i in range(x.shape[0] - 1):
        d = x[i + 1] - x[i]
        e += k * d * d if d > 0 else 0.5 * k * d * d
    return e + math.tanh(e)


def _entry(g):
    (entry,) = g._entries.values()
    return entry


def test_grad_views_rebuilt_on_demand():
    g = ember.grad(energy)
    x = np.linspace(0.0, 1.0, 7) ** 2
    before = g(x, 1.5)
    entry = _entry(g)
    spec, plan = entry.spec, entry.plan
    plan_before = dataclasses.asdict(plan)
    assert spec._typed is None and spec._optimized is None  # nothing kept after the compile

    typed = spec.typed
    assert plan.derived in typed.funcs  # the derived function as the transform wrote it
    verify_module(typed, typed=True)
    assert spec.typed is typed  # built once
    optimized = spec.optimized
    verify_module(optimized, typed=True)
    assert spec.entry in optimized.funcs
    assert optimized[spec.entry].return_type == spec.return_type
    assert spec.optimized is optimized

    assert dataclasses.asdict(plan) == plan_before  # the rerun transform wrote the same plan
    np.testing.assert_array_equal(g(x, 1.5), before)
    source = g.inspect_source()
    assert "def " in source


def test_rebuilt_views_are_deterministic():
    # two derivatives of one function: their rebuilt views print identically
    x = np.linspace(-1.0, 1.0, 5)
    a, b = ember.grad(energy), ember.grad(energy)
    a(x, 2.0)
    b(x, 2.0)
    sa, sb = _entry(a).spec, _entry(b).spec
    assert print_module(sa.typed) == print_module(sb.typed)
    assert print_module(sa.optimized) == print_module(sb.optimized)
    assert sa.stage_text("llvm") == sb.stage_text("llvm")


def test_contains_unknown_memo_matches_the_walk():
    types = [F64, UNKNOWN, TupleType((F64, UNKNOWN)), TupleType((F64, TupleType((F64,))))]
    for t in types * 2:  # the second round answers from the memo
        assert _contains_unknown(t) == _contains_unknown_walk(t)
    assert [_contains_unknown(t) for t in types] == [False, True, True, False]
