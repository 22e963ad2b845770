"""Python forms of the scalar ops: arith, math, casts, complex (containers are in
ir/pysource_containers.py, control flow and errors in ir/pysource_control.py).

Each emitter returns the expression of the op's result (ir/pysource_base.Emitter binds it to
a name or inlines it) or appends a statement. Scalars are NumPy scalars at run time (see
ir/pysource_runtime.py), so `+ - * /` keep the native code's widths and IEEE results;
where Python's operator means something else the text calls a helper named for what it
does (`u64(a) < u64(b)`, `libm.pow(x, y)`, `shl(a, n)`).
"""
from __future__ import annotations

import ast
import copy
import math

from ember.ir.core import Operation, Value
from ember.ir.opdefs import MATH_BINARY, MATH_UNARY
from ember.ir.pysource_base import Emitter, emits
from ember.ir.types import ScalarType


# ---- small AST builders ------------------------------------------------------------------
def name(n: str) -> ast.Name:
    return ast.Name(id=n, ctx=ast.Load())


def attr(value: ast.expr, a: str) -> ast.Attribute:
    return ast.Attribute(value=value, attr=a, ctx=ast.Load())


def call(fn: ast.expr | str, *args: ast.expr, **kwargs: ast.expr) -> ast.Call:
    f = name(fn) if isinstance(fn, str) else fn
    return ast.Call(func=f, args=list(args),
                    keywords=[ast.keyword(arg=k, value=v) for k, v in kwargs.items()])


def const(value: object) -> ast.expr:
    """A literal; negative numbers and the float specials spelled as a reader expects."""
    if isinstance(value, float):
        if math.isnan(value):
            return attr(name("math"), "nan")
        if math.isinf(value):
            inf = attr(name("math"), "inf")
            return ast.UnaryOp(op=ast.USub(), operand=inf) if value < 0 else inf
        if value < 0 or (value == 0 and math.copysign(1.0, value) < 0):
            return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-value))
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-value))
    return ast.Constant(value=value)


def binop(a: ast.expr, op: ast.operator, b: ast.expr) -> ast.BinOp:
    return ast.BinOp(left=a, op=op, right=b)


def compare(a: ast.expr, op: ast.cmpop, b: ast.expr) -> ast.Compare:
    return ast.Compare(left=a, ops=[op], comparators=[b])


def not_(e: ast.expr) -> ast.expr:
    """`not e`, simplified where that is exact for every number (nan included): `not not x`
    is x, `not a == b` is `a != b` (but `not a < b` is not `a >= b` for nan)."""
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
        return e.operand
    if isinstance(e, ast.Compare) and len(e.ops) == 1 and isinstance(e.ops[0], (ast.Eq, ast.NotEq)):
        flipped = ast.NotEq() if isinstance(e.ops[0], ast.Eq) else ast.Eq()
        return ast.Compare(left=e.left, ops=[flipped], comparators=e.comparators)
    return ast.UnaryOp(op=ast.Not(), operand=e)


def np_dtype(t: ScalarType) -> ast.expr:
    """`np.float64`, `np.int32`, `np.bool_`, ... for an element type."""
    if t.kind == "b":
        return attr(name("np"), "bool_")
    kind = {"i": "int", "u": "uint", "f": "float", "c": "complex"}[t.kind]
    return attr(name("np"), f"{kind}{t.bits}")


def converter(t: ScalarType) -> str:
    """The runtime conversion named for a scalar type (`f64`, `i32`, `boolean`)."""
    return "boolean" if t.kind == "b" else str(t)


def _scalar(v: Value) -> ScalarType:
    t = v.type
    assert isinstance(t, ScalarType)
    return t


# ---- constants -------------------------------------------------------------------------------
@emits("arith.constant")
def _constant(e: Emitter, op: Operation) -> ast.expr:
    t = op.results[0].type
    value = op.attributes["value"]
    assert isinstance(t, ScalarType)
    if t.kind == "b":
        return ast.Constant(value=bool(value))
    if t.kind == "f":
        lit = const(float(value))  # type: ignore[arg-type]
        return lit if t.bits == 64 else call("f32", lit)
    if t.kind == "c":
        z = complex(value)  # type: ignore[arg-type]
        lit = call("complex", const(z.real), const(z.imag))
        return lit if t.bits == 128 else call(attr(name("np"), "complex64"), lit)
    lit = const(int(value))  # type: ignore[call-overload]
    return lit if t == ScalarType("i", 64) else call(converter(t), lit)


@emits("str.constant")
def _str_constant(e: Emitter, op: Operation) -> ast.expr:
    return ast.Constant(value=op.attributes["value"])


# ---- arithmetic --------------------------------------------------------------------------
_BINARY = {"arith.addi": ast.Add, "arith.subi": ast.Sub, "arith.muli": ast.Mult,
           "arith.floordivsi": ast.FloorDiv, "arith.floormodsi": ast.Mod, "arith.powi": ast.Pow,
           "arith.addf": ast.Add, "arith.subf": ast.Sub, "arith.mulf": ast.Mult,
           "arith.divf": ast.Div, "arith.floordivf": ast.FloorDiv, "arith.floormodf": ast.Mod,
           "complex.add": ast.Add, "complex.sub": ast.Sub, "complex.mul": ast.Mult,
           "complex.div": ast.Div}


@emits(*_BINARY)
def _binary(e: Emitter, op: Operation) -> ast.expr:
    a, b = e.uses(op.operands)
    kind = _BINARY[op.name]
    if kind in (ast.Add, ast.Sub) and isinstance(b, ast.UnaryOp) and isinstance(b.op, ast.USub):
        # a + -b is a - b exactly (IEEE defines subtraction so; ints wrap alike)
        return binop(a, ast.Sub() if kind is ast.Add else ast.Add(), b.operand)
    return binop(a, kind(), b)


@emits("arith.andi", "arith.ori", "arith.xori")
def _bitwise(e: Emitter, op: Operation) -> ast.expr:
    a, b = e.uses(op.operands)
    if _scalar(op.operands[0]).kind == "b":
        # bools read as logic: x and y, x or y, not x (xor with true), x != y
        if op.name == "arith.xori":
            for x, y in ((a, b), (b, a)):
                if isinstance(y, ast.Constant) and y.value is True:
                    return not_(x)
            return compare(a, ast.NotEq(), b)
        neutral = op.name == "arith.andi"  # True and x is x; False or x is x
        for x, y in ((a, b), (b, a)):
            if isinstance(x, ast.Constant) and x.value is neutral:
                return y
        logic = ast.And() if op.name == "arith.andi" else ast.Or()
        return ast.BoolOp(op=logic, values=[a, b])
    bit = {"arith.andi": ast.BitAnd, "arith.ori": ast.BitOr, "arith.xori": ast.BitXor}[op.name]
    return binop(a, bit(), b)


@emits("arith.shli", "arith.shrsi")
def _shift(e: Emitter, op: Operation) -> ast.expr:
    t = _scalar(op.operands[0])
    a, n = e.uses(op.operands)
    if t.kind == "u":
        # a logical shift of an unsigned value; counts >= the width give 0
        conv = converter(t)
        big = compare(n, ast.GtE(), ast.Constant(value=t.bits))
        shifted = binop(a, ast.LShift() if op.name == "arith.shli" else ast.RShift(), n)
        return ast.IfExp(test=big, body=call(conv, ast.Constant(value=0)), orelse=call(conv, shifted))
    fn = "shl" if op.name == "arith.shli" else "shr"
    if t.bits == 64:
        return call(fn, a, n)
    return call(fn, a, n, ast.Constant(value=t.bits))


@emits("arith.negf", "complex.neg")
def _neg(e: Emitter, op: Operation) -> ast.expr:
    return ast.UnaryOp(op=ast.USub(), operand=e.use(op.operands[0]))


@emits("arith.powf")
def _powf(e: Emitter, op: Operation) -> ast.expr:
    return call(attr(name("libm"), "pow"), *e.uses(op.operands))  # C pow(), never complex


@emits("arith.maximumf", "arith.minimumf")
def _max_min_f(e: Emitter, op: Operation) -> ast.expr:
    # the op is NumPy's (nan from either side, ties give the second): call it on the scalars
    fn = "maximum" if op.name == "arith.maximumf" else "minimum"
    return call(attr(name("np"), fn), *e.uses(op.operands))


@emits("arith.select")
def _select(e: Emitter, op: Operation) -> ast.expr:
    c, a, b = e.uses(op.operands)
    t = op.results[0].type  # any type: scalars, tuples, strs, arrays
    return pick(c, a, b, isinstance(t, ScalarType) and t.kind == "b")


def pick(c: ast.expr, a: ast.expr, b: ast.expr, boolean: bool) -> ast.expr:
    """`a if c else b`, as and / or / not where the values are bools and one is a literal
    or the test itself (`c and x` for `x if c else False`)."""
    if boolean:
        def is_(x: ast.expr, v: bool) -> bool:
            return isinstance(x, ast.Constant) and x.value is v

        def same(x: ast.expr) -> bool:
            return ast.dump(x) == ast.dump(c)

        if is_(a, True) and is_(b, False):
            return c
        if is_(a, False) and is_(b, True):
            return not_(c)
        if is_(a, True) or same(a):
            return ast.BoolOp(op=ast.Or(), values=[c, b])
        if is_(b, False) or same(b):
            return ast.BoolOp(op=ast.And(), values=[c, a])
    return ast.IfExp(test=c, body=a, orelse=b)


# ---- comparisons ---------------------------------------------------------------------------
_CMP = {"eq": ast.Eq, "ne": ast.NotEq, "lt": ast.Lt, "le": ast.LtE, "gt": ast.Gt, "ge": ast.GtE}


@emits("arith.cmpi")
def _cmpi(e: Emitter, op: Operation) -> ast.expr:
    t = _scalar(op.operands[0])
    pred = str(op.attributes["predicate"])
    a, b = e.uses(op.operands)
    if pred in ("eq", "ne"):
        return compare(a, _CMP[pred](), b)
    want_unsigned = pred[0] == "u"
    if t.kind != "b" and want_unsigned != (t.kind == "u"):
        # compare in the other signedness: reinterpret both at the width
        conv = ("u" if want_unsigned else "i") + str(t.bits)
        a, b = call(conv, a), call(conv, b)
    return compare(a, _CMP[pred[1:]](), b)


@emits("arith.cmpf")
def _cmpf(e: Emitter, op: Operation) -> ast.expr:
    pred = str(op.attributes["predicate"])
    a, b = e.uses(op.operands)
    if pred in ("oeq", "olt", "ole", "ogt", "oge"):
        return compare(a, _CMP[pred[1:]](), b)  # Python's float comparisons are ordered
    if pred == "une":
        return compare(a, ast.NotEq(), b)
    if pred in ("ult", "ule", "ugt", "uge"):
        opposite = {"ult": ast.GtE, "ule": ast.Gt, "ugt": ast.LtE, "uge": ast.Lt}[pred]
        return not_(compare(a, opposite(), b))
    if pred in ("one", "ueq"):
        ordered_ne = ast.BoolOp(op=ast.Or(), values=[compare(a, ast.Lt(), b),
                                                     compare(again(a), ast.Gt(), again(b))])
        return ordered_ne if pred == "one" else not_(ordered_ne)
    # ord: neither is nan (x == x); uno: either is
    if pred == "ord":
        return ast.BoolOp(op=ast.And(), values=[compare(a, ast.Eq(), again(a)),
                                                compare(b, ast.Eq(), again(b))])
    return ast.BoolOp(op=ast.Or(), values=[compare(a, ast.NotEq(), again(a)),
                                           compare(b, ast.NotEq(), again(b))])


def again(x: ast.expr) -> ast.expr:
    """A copy of an expression used a second time (an AST node has one parent)."""
    return copy.deepcopy(x)


@emits("arith.cmpif")
def _cmpif(e: Emitter, op: Operation) -> ast.expr:
    pred = str(op.attributes["predicate"])
    a, b = e.uses(op.operands)
    value = int_literal(a)
    if value is not None and abs(value) <= 2 ** 53:
        return compare(a, _CMP[pred](), b)  # an int this small converts to float exactly
    return call(f"int_{pred}_float", a, b)


def int_literal(x: ast.expr) -> int | None:
    if isinstance(x, ast.Constant) and type(x.value) is int:
        return x.value
    if isinstance(x, ast.UnaryOp) and isinstance(x.op, ast.USub):
        inner = int_literal(x.operand)
        return None if inner is None else -inner
    return None


# ---- casts ----------------------------------------------------------------------------------
@emits("arith.sitofp", "arith.uitofp", "arith.fptosi", "arith.extsi", "arith.trunci",
       "arith.extf", "arith.truncf")
def _cast(e: Emitter, op: Operation) -> ast.expr:
    return call(converter(_scalar(op.results[0])), e.use(op.operands[0]))


@emits("arith.extui")
def _extui(e: Emitter, op: Operation) -> ast.expr:
    src, dst = _scalar(op.operands[0]), _scalar(op.results[0])
    x = e.use(op.operands[0])
    if src.kind == "i":  # zero-extend a signed value: read its bits as unsigned first
        x = call(f"u{src.bits}", x)
    return call(converter(dst), x)


# ---- math -------------------------------------------------------------------------------------
@emits(*(f"math.{n}" for n in MATH_UNARY + MATH_BINARY))
def _math(e: Emitter, op: Operation) -> ast.expr:
    return call(attr(name("libm"), op.name.split(".", 1)[1]), *e.uses(op.operands))


@emits("math.isnan", "math.isinf", "math.isfinite")
def _math_predicate(e: Emitter, op: Operation) -> ast.expr:
    return call(attr(name("math"), op.name.split(".", 1)[1]), e.use(op.operands[0]))


# ---- complex ----------------------------------------------------------------------------------
@emits("complex.make")
def _complex_make(e: Emitter, op: Operation) -> ast.expr:
    z = call("complex", *e.uses(op.operands))
    return z if _scalar(op.results[0]).bits == 128 else call(attr(name("np"), "complex64"), z)


@emits("complex.re", "complex.im")
def _complex_part(e: Emitter, op: Operation) -> ast.expr:
    part = attr(e.use(op.operands[0]), "real" if op.name == "complex.re" else "imag")
    return call(converter(_scalar(op.results[0])), part)


@emits("complex.conj")
def _conj(e: Emitter, op: Operation) -> ast.expr:
    return call(attr(e.use(op.operands[0]), "conjugate"))


@emits("complex.abs")
def _cabs(e: Emitter, op: Operation) -> ast.expr:
    return call(converter(_scalar(op.results[0])), call("abs", e.use(op.operands[0])))


@emits("complex.npdiv")
def _npdiv(e: Emitter, op: Operation) -> ast.expr:
    return call("np_complex_div", *e.uses(op.operands))
