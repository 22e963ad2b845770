"""Structural checks of untyped IR for the frontend tests: every op is in the catalog with
the right operand/result/region counts, every region ends in the right terminator with the
right number of values, no terminator elsewhere, and every operand is defined before use in
an enclosing scope. Also runs `ember.ir.verifier.verify_func(f, typed=False)` when it exists,
and checks that print -> parse -> print is the identity."""
from __future__ import annotations

from ember.ir.core import Block, FuncOp, Operation, Value
from ember.ir.opdefs import OPS
from ember.ir.types import UNKNOWN

try:
    from ember.ir.verifier import verify_func
except ImportError:  # being written in parallel
    verify_func = None

_TERMINATORS = {"scf.yield", "scf.condition", "func.return"}


def _count_ok(spec, n: int) -> bool:
    if isinstance(spec, int):
        return n == spec
    lo, hi = spec
    return n >= lo and (hi is None or n <= hi)


def check_structure(func: FuncOp) -> None:
    assert all(a.type == UNKNOWN for a in func.args)
    _block(func.body.block, set(func.args), "func.return", None)
    if verify_func is not None:
        verify_func(func, typed=False)
    from tests.helpers import assert_roundtrip
    assert_roundtrip(func)


def _block(block: Block, visible: set[Value], term: str, nvals: int | None) -> None:
    scope = set(visible) | set(block.args)
    assert block.ops, "empty block"
    for i, op in enumerate(block.ops):
        last = i == len(block.ops) - 1
        assert (op.name in _TERMINATORS) == last, f"terminator misplaced: {op.name} at {i}"
        for v in op.operands:
            assert v in scope, f"{op.name} uses {v!r} not defined before it"
        _op(op, scope)
        scope.update(op.results)
    end = block.ops[-1]
    assert end.name == term, f"block ends in {end.name}, expected {term}"
    if nvals is not None:
        assert len(end.operands) == nvals, f"{term} has {len(end.operands)} values, want {nvals}"


def _op(op: Operation, scope: set[Value]) -> None:
    d = OPS.get(op.name)
    assert d is not None, f"unknown op {op.name}"
    assert _count_ok(d.operands, len(op.operands)), f"{op.name}: {len(op.operands)} operands"
    assert _count_ok(d.results, len(op.results)), f"{op.name}: {len(op.results)} results"
    assert len(op.regions) == d.regions, f"{op.name}: {len(op.regions)} regions"
    for a in d.attrs:
        assert a in op.attributes, f"{op.name} lacks attribute {a}"
    for r in op.results:
        assert r.op is op
    n = len(op.results)
    if op.name == "scf.if":
        for region in op.regions:
            assert len(region.blocks) == 1 and not region.block.args
            _block(region.block, scope, "scf.yield", n)
    elif op.name == "scf.for":
        body = op.regions[0].block
        assert len(op.operands) == 3 + n and len(body.args) == 1 + n
        _block(body, scope, "scf.yield", n)
    elif op.name == "scf.while":
        before, after = op.regions[0].block, op.regions[1].block
        assert len(before.args) == len(op.operands)
        assert len(after.args) == n
        _block(before, scope, "scf.condition", 1 + n)
        _block(after, scope, "scf.yield", len(before.args))
