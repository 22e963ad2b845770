"""math.* ops: LLVM intrinsics where LLVM 22 has them, libm calls for the rest,
predicates by fcmp, and math.check's domain/range tests as cold error returns.

Intrinsics lower to the same libm symbols CPython's math module calls, so results
agree bit for bit (except gamma/lgamma, which CPython computes itself).
"""
from __future__ import annotations

from llvmlite import ir

from ember.backend import runtime_helpers as rt
from ember.ir.core import Operation, OpResult, Value
from ember.ir.types import BOOL, F64, STR

from .context import FuncLowering
from .errors_table import MATH_DOMAIN, MATH_RANGE
from .llvm_types import F32
from .registry import lowers

# math op -> llvm.<name> intrinsic (verified to exist and compile in LLVM 22).
INTRINSIC_UNARY = {n: n for n in (
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp", "exp2",
    "log", "log2", "log10", "sqrt", "fabs", "floor", "ceil", "trunc", "roundeven")}
INTRINSIC_BINARY = {"atan2": "atan2", "copysign": "copysign", "pow": "pow"}
# math op -> libm function (double version; the float version appends "f").
LIBM_UNARY = {"expm1": "expm1", "log1p": "log1p", "cbrt": "cbrt", "asinh": "asinh",
              "acosh": "acosh", "atanh": "atanh", "erf": "erf", "erfc": "erfc",
              "gamma": "tgamma", "lgamma": "lgamma"}
LIBM_BINARY = {"hypot": "hypot"}

# Every libm symbol the generated code may reference, directly or through an
# intrinsic's expansion or an LLVM library-call rewrite (sin+cos -> sincos, ...).
LIBM_SYMBOLS: tuple[str, ...] = tuple(sorted({
    *INTRINSIC_UNARY.values(), *INTRINSIC_BINARY.values(), *LIBM_UNARY.values(),
    *LIBM_BINARY.values(), "fmod", "sincos", "ldexp", "exp10", "frexp", "round", "rint",
    "nearbyint", "fmin", "fmax", "fma"}))


def _libm(fl: FuncLowering, name: str, ty: ir.Type, nargs: int) -> ir.Function:
    return fl.mod.declare(name + ("f" if ty == F32 else ""), ty, [ty] * nargs)


@lowers(*(f"math.{n}" for n in (*INTRINSIC_UNARY, *INTRINSIC_BINARY, *LIBM_UNARY, *LIBM_BINARY)))
def _math_call(fl: FuncLowering, op: Operation) -> None:
    args = fl.operands(op)
    ty = args[0].type
    base = op.name.split(".", 1)[1]
    if base in INTRINSIC_UNARY or base in INTRINSIC_BINARY:
        name = INTRINSIC_UNARY.get(base) or INTRINSIC_BINARY[base]
        fn = fl.mod.intrinsic(name, ty, len(args))
    else:
        fn = _libm(fl, LIBM_UNARY.get(base) or LIBM_BINARY[base], ty, len(args))
    fl.set_result(op, fl.builder.call(fn, args))


@lowers("math.fmod")
def _fmod(fl: FuncLowering, op: Operation) -> None:
    a, b = fl.operands(op)
    fl.set_result(op, fl.builder.frem(a, b))  # frem is C fmod


def is_nan(fl: FuncLowering, x: ir.Value) -> ir.Value:
    return fl.builder.fcmp_unordered("uno", x, x)


def _abs(fl: FuncLowering, x: ir.Value) -> ir.Value:
    return fl.builder.call(fl.mod.intrinsic("fabs", x.type, 1), [x])


def is_inf(fl: FuncLowering, x: ir.Value) -> ir.Value:
    return fl.builder.fcmp_ordered("==", _abs(fl, x), ir.Constant(x.type, float("inf")))


def is_finite(fl: FuncLowering, x: ir.Value) -> ir.Value:
    return fl.builder.fcmp_ordered("<", _abs(fl, x), ir.Constant(x.type, float("inf")))


@lowers("math.isnan", "math.isinf", "math.isfinite")
def _predicate(fl: FuncLowering, op: Operation) -> None:
    test = {"math.isnan": is_nan, "math.isinf": is_inf, "math.isfinite": is_finite}[op.name]
    fl.set_result(op, test(fl, fl.get(op.operands[0])))


# math ops whose result is finite whenever every argument is finite (bounded, or
# no faster than linear growth): math.check's inf-from-finite test can never fire.
# Not log*/atanh: log(0) and atanh(1) are infinite from finite arguments.
_NEVER_BLOW_UP = frozenset(f"math.{n}" for n in (
    "sin", "cos", "asin", "acos", "atan", "atan2", "tanh", "sqrt", "cbrt", "fabs", "floor",
    "ceil", "trunc", "roundeven", "copysign", "erf", "erfc", "asinh", "acosh", "fmod"))


def _producer(v: Value) -> str | None:
    return v.op.name if isinstance(v, OpResult) else None


@lowers("math.check")
def _check(fl: FuncLowering, op: Operation) -> None:
    """nan from non-nan args: domain error; inf from finite args: range (or domain) error."""
    result, *args = fl.operands(op)
    bd = fl.builder
    if _producer(op.operands[0]) in _NEVER_BLOW_UP:
        any_nan: ir.Value = ir.Constant(ir.IntType(1), 0)
        for a in args:
            any_nan = bd.or_(any_nan, is_nan(fl, a))
        domain = bd.and_(is_nan(fl, result), bd.not_(any_nan))
        fl.check(bd.not_(domain), fl.mod.errors.code(*MATH_DOMAIN))
        return
    any_nan: ir.Value = ir.Constant(ir.IntType(1), 0)
    all_finite: ir.Value = ir.Constant(ir.IntType(1), 1)
    for a in args:
        any_nan = bd.or_(any_nan, is_nan(fl, a))
        all_finite = bd.and_(all_finite, is_finite(fl, a))
    domain = bd.and_(is_nan(fl, result), bd.not_(any_nan))
    fl.check(bd.not_(domain), fl.mod.errors.code(*MATH_DOMAIN))
    blowup = bd.and_(is_inf(fl, result), all_finite)
    err = MATH_RANGE if op.attributes.get("overflow") else MATH_DOMAIN
    fl.check(bd.not_(blowup), fl.mod.errors.code(*err))


@lowers("cf.assert")
def _assert(fl: FuncLowering, op: Operation) -> None:
    msg = str(op.attributes["msg"])
    args = [fl.get(v) for v in op.operands[1:]]
    if len(args) > rt.ERR_ARG_SLOTS:
        # The runtime keeps only so many numbers: the rest of the message shows "?".
        head, *tail = msg.split("{}")
        kept = rt.ERR_ARG_SLOTS
        msg = head + "".join(("{}" if i < kept else "?") + part for i, part in enumerate(tail))
        args = args[:kept]
    code = fl.mod.errors.code(str(op.attributes["exc"]), msg)
    fl.check_with_args(fl.get(op.operands[0]), code, args)


@lowers("cf.raise")
def _raise(fl: FuncLowering, op: Operation) -> None:
    kinds = "".join("f" if v.type == F64 else "b" if v.type == BOOL else "s" if v.type == STR
                    else "i" for v in op.operands)
    code = fl.mod.errors.code_formatted(str(op.attributes["exc"]), str(op.attributes["msg"]), kinds)
    args = []
    for v in op.operands:
        lv = fl.get(v)
        if v.type == STR:  # two slots: the data address (stored as a pointer) and the size
            args += [fl.builder.extract_value(lv, 0), fl.builder.extract_value(lv, 1)]
        else:
            args.append(lv)
    fl.raise_now(code, args)
