"""clone_func / clone_module: deep copies that print identically and share no Value."""
from __future__ import annotations

from ember.ir.clone import clone_func, clone_module
from ember.ir.printer import print_func, print_module
from ember.ir.types import I64
from ember.ir.verifier import verify_module
from tests.ir.catalog import catalog_module, sum_sin


def _values(f):  # every Value object defined in f
    vals = list(f.args)
    for op in f.walk():
        vals.extend(op.results)
        for r in op.regions:
            for b in r.blocks:
                vals.extend(b.args)
    return vals


def test_clone_prints_the_same_with_locations() -> None:
    f = sum_sin()
    g = clone_func(f)
    assert print_func(g, locations=True) == print_func(f, locations=True)
    assert g.attributes == f.attributes and g.attributes is not f.attributes


def test_clone_shares_no_values_and_uses_its_own() -> None:
    f = sum_sin()
    g = clone_func(f)
    old = {id(v) for v in _values(f)}
    new = _values(g)
    assert not old & {id(v) for v in new}
    for op in g.walk():
        assert all(id(v) not in old for v in op.operands)
        for r in op.regions:
            assert r.parent is op and r.block.parent is r
            assert all(o.parent is r.block for o in r.block.ops)


def test_clone_is_independent() -> None:
    f = sum_sin()
    before = print_func(f)
    g = clone_func(f)
    g.body.block.ops[3].regions[0].block.ops.pop()
    g.body.block.ops[0].attributes["value"] = 2.0
    g.args[0].type = I64
    assert print_func(f) == before


def test_clone_module() -> None:
    m = catalog_module(True)
    c = clone_module(m)
    assert print_module(c) == print_module(m)
    assert list(c.funcs) == list(m.funcs)
    verify_module(c, typed=True)
