"""The backend as a whole: op coverage, lazy llvmlite, the IR/asm views, vectorization."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from ember.backend import LoweringError, compile_module
from ember.backend.registry import LOWERINGS
from ember.ir.core import Module
from ember.ir.opdefs import TYPED
from ember.ir.types import I64
from tests.backend.native import binop, compile_native, func, region


# Terminators are lowered by the op that owns their region; whole-array ops are turned
# into loops by ir/passes/lower_arrays.py and never reach the backend.
NOT_LOWERED = {"scf.yield", "scf.condition", "array.map", "array.assign", "array.reduce", "array.yield"}


def test_every_typed_op_has_a_lowering():
    import ember.backend.lower  # noqa: F401  (registers the lowerings)
    missing = sorted(n for n in TYPED if n not in LOWERINGS and n not in NOT_LOWERED)
    assert missing == []
    assert sorted(n for n in NOT_LOWERED if n in LOWERINGS) == []


def test_import_does_not_load_llvmlite_binding():
    code = textwrap.dedent("""
        import sys, ember.backend
        assert "llvmlite.binding" not in sys.modules, "llvmlite.binding imported eagerly"
    """)
    subprocess.run([sys.executable, "-c", code], check=True)


def xor_squares_loop(step: int) -> Module:
    def body(b, lb, ub):
        zero = b.constant(0, I64)

        def loop(lb_, iv, acc):
            return [lb_.value("arith.xori", [acc, lb_.value("arith.muli", [iv, iv], I64)], I64)]
        return b.op("scf.for", [lb, ub, b.constant(step, I64), zero], [I64],
                    regions=[region(loop, [I64, I64])]).result
    return Module([func("f", [I64, I64], I64, body)])


@pytest.mark.parametrize("step", [1, 3, -2])
def test_loops_vectorize(step):
    cf = compile_module(xor_squares_loop(step), "f", {"wrapper": False})
    assert "x i64>" in cf.llvm_ir_optimized  # a vector reduction survived O3


def test_views():
    n = compile_native(binop("arith.addi", I64))
    cf = n.cf
    assert 'define i32 @"ember.fn.f"(ptr noalias %"out"' in cf.llvm_ir
    assert "ember.fn.f" in cf.llvm_ir_optimized
    assert "ember.fn.f:" in cf.asm and "ret" in cf.asm
    assert cf.entry_address and cf.error_table == []
    assert cf.arg_types == [I64, I64] and cf.return_type == I64


def test_unknown_op_is_an_error_not_a_crash():
    f = func("f", [I64], I64, lambda b, x: b.value("py.add", [x, x], I64))
    with pytest.raises(LoweringError, match="py.add"):
        compile_module(Module([f]), "f", {"wrapper": False})
    with pytest.raises(LoweringError, match="entry"):
        compile_module(Module([f]), "nope", {"wrapper": False})


def test_invalid_llvm_ir_is_reported_not_fatal():
    from ember.backend.engine import Engine

    with pytest.raises(LoweringError, match="invalid LLVM IR"):
        Engine("define i32 @f() {\nentry:\n  ret i64 0\n}\n")



def horner_ones(x, n):
    s = 0.0
    for _ in range(n):
        s = s * x + 1.0
    return s


def test_unroll_option_changes_only_the_code_shape():
    from ember.compiler import _infer, untyped_ir
    from ember.ir.passes import optimize
    from ember.ir.types import F64

    def build(opts):
        m, entry = _infer(untyped_ir(horner_ones), (F64, I64), {})
        cf = compile_module(optimize(m, entry), entry, opts)
        return cf, cf.make_callable(None)

    full, f_full = build({})
    lean, f_lean = build({"unroll": False})
    for x, n in ((0.5, 0), (0.5, 3), (1.0001, 1000), (-0.9, 37)):
        assert f_full(x, n) == f_lean(x, n) == horner_ones(x, n)
    # the serial float recurrence is not vectorized: only the runtime unroller grows it
    assert len(lean.llvm_ir_optimized) < len(full.llvm_ir_optimized)
