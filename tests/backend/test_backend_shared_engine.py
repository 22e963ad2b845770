"""Every compiled module lives in one shared MCJIT engine: modules defining the same
symbols must not see each other's code, and the text views keep the backend's names."""
from __future__ import annotations

import gc

from ember.backend import compile_module
from ember.ir.core import Module
from ember.ir.types import F64, I64
from tests.backend.native import Native, binop, func


def fallback(*args, **kwargs):
    return ("fallback", args)


def test_same_symbol_in_many_modules_keeps_its_own_code():
    natives = [Native(compile_module(Module([binop(op, I64)]), "f", {"wrapper": False}))
               for op in ("arith.addi", "arith.subi", "arith.muli")]
    assert [n(7, 3) for n in natives] == [10, 4, 21]
    assert len({n.cf.entry_address for n in natives}) == 3


def test_same_wrapper_name_in_many_modules():
    fs = [compile_module(Module([func("g", [F64], F64, lambda b, x, k=k: b.value(
        "arith.mulf", [x, b.constant(float(k), F64)], F64))]), "g").make_callable(fallback)
        for k in (2, 3)]
    assert [f(1.5) for f in fs] == [3.0, 4.5]
    assert fs[0]("x") == ("fallback", ("x",))


def test_code_outlives_its_compiled_function():
    f = compile_module(Module([binop("arith.addf", F64)]), "f").make_callable(fallback)
    gc.collect()  # the CompiledFunction and its Engine are gone; the machine code is not
    assert f(1.0, 2.0) == 3.0


def test_views_use_the_original_names():
    cf = compile_module(Module([binop("arith.addi", I64)]), "f")
    assert cf.entry_address is None and cf.wrapper_address
    assert '@"ember.fn.f"' in cf.llvm_ir and "internal" in cf.llvm_ir
    assert "@ember.fn.f__pywrap(" in cf.llvm_ir_optimized
    assert "ember.fn.f__pywrap:" in cf.asm
    n = Native(compile_module(Module([binop("arith.addi", I64)]), "f", {"wrapper": False}))
    assert "define i32 @ember.fn.f(" in n.cf.llvm_ir_optimized.replace("noundef ", "")
