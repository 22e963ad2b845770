"""The Python-source emitter on try/except/finally, raise and assert (the e2e programs), and
an op without a Python form: NotImplementedError naming it."""
from __future__ import annotations

import math

import pytest

from ember.ir.builder import Builder
from ember.ir.core import FuncOp, Module
from ember.ir.location import Location
from ember.ir.pysource import func_to_python, func_to_source
from ember.ir.types import I64
from tests.e2e import test_raise as RA
from tests.e2e import test_strings as S
from tests.e2e import test_try as TR
from tests.ir.test_pysource import run_both, typed_module

TRY_CASES = [(fn, args) for fn, argsets in TR.CASES for args in argsets]


@pytest.mark.parametrize("fn,args", TRY_CASES,
                         ids=[f"{f.__name__}{a}" for f, a in TRY_CASES])
def test_try(fn, args):
    run_both(fn, *args)


RAISE_CASES = [
    (RA.constant_message, (1.0,)), (RA.constant_message, (-1.0,)), (RA.no_message, (1.0,)),
    (RA.no_message, (-1.0,)), (RA.fstring_specs, (2.5, 3)), (RA.fstring_specs, (-1e10, -7)),
    (RA.percent_and_str, (2.5, 3)), (RA.percent_and_str, (-0.0, 0)),
    (RA.key_and_zero, (0,)), (RA.key_and_zero, (1,)), (RA.key_and_zero, (2,)),
    (RA.special_floats, (math.inf,)), (RA.special_floats, (math.nan,)),
    (RA.special_floats, (1.0,)), (S.fstring_message, ("abc", 3)),
    (S.percent_message, ("abc", 2.5)), (S.local_literal_message, (2,)),
]


@pytest.mark.parametrize("fn,args", RAISE_CASES,
                         ids=[f"{f.__name__}{a}" for f, a in RAISE_CASES])
def test_raise(fn, args):
    run_both(fn, *args)


@pytest.mark.parametrize("x,n", [(1.0, 2), (-1.0, 2), (1.0, -2)])
def test_assert(x, n):
    # pytest rewrites the e2e file's asserts, so CPython's message is not the plain one there
    run_both(RA.assert_forms, x, n, cpython=False)


def test_handler_reads_the_state_before_the_raise():
    module, entry = typed_module(TR.values_before_raise, (5, 3), counted=False)
    source = func_to_source(module, entry)
    assert "try:" in source and "except " in source, source
    run_both(TR.values_before_raise, 5, 3)


def test_every_typed_op_has_a_python_form():
    from ember.ir.opdefs import TYPED
    from ember.ir.pysource_base import EMITTERS, TERMINATORS

    assert set(TYPED) - set(EMITTERS) - set(TERMINATORS) == set()


def _module_with(op_name: str) -> Module:
    f = FuncOp("uses_it", [I64], I64, ["n"])
    b = Builder(f.body.block, Location("prog.py", 7, 4))
    b.op(op_name, [f.args[0]], [I64])
    b.op("func.return", [f.args[0]], [])
    return Module([f])


def test_an_op_without_a_python_form_is_named():
    # the frontend's untyped ops have none: they never reach a typed module
    with pytest.raises(NotImplementedError, match=r"py\.truth.*line 7"):
        func_to_source(_module_with("py.truth"), "uses_it")
    with pytest.raises(NotImplementedError, match=r"py\.truth"):
        func_to_python(_module_with("py.truth"), "uses_it")
