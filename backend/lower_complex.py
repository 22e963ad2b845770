"""complex.* ops and the array.real / array.imag views -> LLVM IR.

A complex value is the literal struct `{re, im}` of two floats (llvm_types.value_type), so
every op here is a few extract/insert_value around plain float instructions. Nothing is
fused or reassociated (no fast-math flags): the results are the bits CPython and NumPy
compute with the same formulas.

Division follows Smith's method in the two flavours the catalog names: `complex.div`
divides both numerator parts by the scaled denominator (CPython's complex quotient),
`complex.npdiv` multiplies them by its reciprocal and sends a zero divisor to re/0, im/0
(NumPy's complex divide loop). Both branches are computed and one is picked with
`select`: float division never traps, and straight-line code vectorizes.
"""
from __future__ import annotations

from llvmlite import ir

from ember.ir.core import Operation
from ember.ir.types import ArrayType

from .context import FuncLowering, LoweringError
from .lower_array import make_array, refcount, shape_of, strides_of
from . import runtime_helpers as rt
from .llvm_types import ARRAY_DATA, ARRAY_MEMINFO, ARRAY_PARENT, F32, I8, I64
from .registry import lowers


def parts(b: ir.IRBuilder, z: ir.Value) -> tuple[ir.Value, ir.Value]:
    return b.extract_value(z, 0), b.extract_value(z, 1)


def make(b: ir.IRBuilder, ty: ir.Type, re: ir.Value, im: ir.Value) -> ir.Value:
    out = b.insert_value(ir.Constant(ty, ir.Undefined), re, 0)
    return b.insert_value(out, im, 1)


def _fabs(fl: FuncLowering, x: ir.Value) -> ir.Value:
    return fl.builder.call(fl.mod.intrinsic("fabs", x.type, 1), [x])


@lowers("complex.make")
def _make(fl: FuncLowering, op: Operation) -> None:
    re, im = fl.operands(op)
    fl.set_result(op, make(fl.builder, fl.ltype(op.results[0].type), re, im))


@lowers("complex.re", "complex.im")
def _part(fl: FuncLowering, op: Operation) -> None:
    index = 0 if op.name == "complex.re" else 1
    fl.set_result(op, fl.builder.extract_value(fl.get(op.operands[0]), index))


@lowers("complex.add", "complex.sub")
def _add_sub(fl: FuncLowering, op: Operation) -> None:
    b = fl.builder
    (ar, ai), (br, bi) = (parts(b, v) for v in fl.operands(op))
    f = b.fadd if op.name == "complex.add" else b.fsub
    fl.set_result(op, make(b, fl.ltype(op.results[0].type), f(ar, br), f(ai, bi)))


@lowers("complex.mul")
def _mul(fl: FuncLowering, op: Operation) -> None:
    b = fl.builder
    (ar, ai), (br, bi) = (parts(b, v) for v in fl.operands(op))
    re = b.fsub(b.fmul(ar, br), b.fmul(ai, bi))
    im = b.fadd(b.fmul(ar, bi), b.fmul(ai, br))
    fl.set_result(op, make(b, fl.ltype(op.results[0].type), re, im))


@lowers("complex.neg", "complex.conj")
def _neg_conj(fl: FuncLowering, op: Operation) -> None:
    b = fl.builder
    re, im = parts(b, fl.get(op.operands[0]))
    if op.name == "complex.neg":
        re = b.fneg(re)
    fl.set_result(op, make(b, fl.ltype(op.results[0].type), re, b.fneg(im)))


@lowers("complex.abs")
def _abs(fl: FuncLowering, op: Operation) -> None:
    b = fl.builder
    re, im = parts(b, fl.get(op.operands[0]))
    name = "hypotf" if re.type == F32 else "hypot"
    fn = fl.mod.declare(name, re.type, [re.type, re.type])
    fl.set_result(op, b.call(fn, [re, im]))


@lowers("complex.div", "complex.npdiv")
def _div(fl: FuncLowering, op: Operation) -> None:
    b = fl.builder
    (ar, ai), (br, bi) = (parts(b, v) for v in fl.operands(op))
    ty = fl.ltype(op.results[0].type)
    abr, abi = _fabs(fl, br), _fabs(fl, bi)
    # |br| >= |bi|: scale by br; else by bi (both comparisons false only for a nan part)
    real_big = b.fcmp_ordered(">=", abr, abi)
    r1 = b.fdiv(bi, br)
    d1 = b.fadd(br, b.fmul(bi, r1))
    n1re, n1im = b.fadd(ar, b.fmul(ai, r1)), b.fsub(ai, b.fmul(ar, r1))
    r2 = b.fdiv(br, bi)
    n2re, n2im = b.fadd(b.fmul(ar, r2), ai), b.fsub(b.fmul(ai, r2), ar)
    if op.name == "complex.div":
        d2 = b.fadd(b.fmul(br, r2), bi)
        re = b.select(real_big, b.fdiv(n1re, d1), b.fdiv(n2re, d2))
        im = b.select(real_big, b.fdiv(n1im, d1), b.fdiv(n2im, d2))
        nan = ir.Constant(re.type, float("nan"))
        imag_big = b.fcmp_ordered(">=", abi, abr)
        re = b.select(real_big, re, b.select(imag_big, re, nan))
        im = b.select(real_big, im, b.select(imag_big, im, nan))
    else:
        one = ir.Constant(ar.type, 1.0)
        s1 = b.fdiv(one, d1)
        s2 = b.fdiv(one, b.fadd(bi, b.fmul(br, r2)))
        re = b.select(real_big, b.fmul(n1re, s1), b.fmul(n2re, s2))
        im = b.select(real_big, b.fmul(n1im, s1), b.fmul(n2im, s2))
        zero = ir.Constant(ar.type, 0.0)
        both0 = b.and_(b.fcmp_ordered("==", abr, zero), b.fcmp_ordered("==", abi, zero))
        re = b.select(both0, b.fdiv(ar, abr), re)
        im = b.select(both0, b.fdiv(ai, abr), im)
    fl.set_result(op, make(b, ty, re, im))


@lowers("array.real", "array.imag")
def _part_view(fl: FuncLowering, op: Operation) -> None:
    t = op.operands[0].type
    if not isinstance(t, ArrayType) or not t.dtype.is_complex:
        raise LoweringError(f"{op.name} needs a complex array, got {t}")
    b = fl.builder
    arr = fl.get(op.operands[0])
    data = b.extract_value(arr, ARRAY_DATA)
    if op.name == "array.imag":
        # the imaginary part follows the real one; not inbounds: the array may be empty
        data = b.gep(data, [ir.Constant(I64, t.dtype.bits // 16)], source_etype=I8)
    view = make_array(b, b.extract_value(arr, ARRAY_MEMINFO), b.extract_value(arr, ARRAY_PARENT),
                      data, shape_of(b, arr, t.ndim), strides_of(b, arr, t))
    refcount(fl, arr, rt.RETAIN)
    fl.set_result(op, view)
