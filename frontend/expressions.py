"""Expressions: literals, names, operators, comparisons, and/or, conditional expressions,
tuples and module attributes (`math.pi`). Calls are in calls.py."""
from __future__ import annotations

import ast
import math
from typing import Any

from ember.ir.core import Value
import numpy as np

from ember.ir.types import BOOL, C64, C128, F32, F64, UNKNOWN, TupleType

from . import records
from .base import BuilderBase
from .constants import scalar_constant
from .resolve import MATH_CONSTANTS, MISSING, describe, ember_target, is_module

BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv",
          ast.FloorDiv: "floordiv", ast.Mod: "mod", ast.Pow: "pow", ast.LShift: "lshift",
          ast.RShift: "rshift", ast.BitAnd: "bitand", ast.BitOr: "bitor", ast.BitXor: "bitxor",
          ast.MatMult: "matmul"}
UNARY = {ast.USub: "neg", ast.UAdd: "pos", ast.Invert: "invert", ast.Not: "not"}
COMPARE = {ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge", ast.Eq: "eq", ast.NotEq: "ne"}
MEMBERSHIP = (ast.In, ast.NotIn)
COMPARE_SPELLING = {ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
OPERATOR_SPELLING = {ast.MatMult: "@"}


class ExpressionsMixin(BuilderBase):

    # ---- literals and constants ------------------------------------------------
    def expr_Constant(self, node: ast.Constant) -> Value:
        v = node.value
        if isinstance(v, (bool, int, float, complex)):
            return self.constant_value(v, node)
        if isinstance(v, bytes):
            raise self.error("strings (bytes values) are not supported by ember", node)
        if isinstance(v, str):
            # a compile-time literal; typeinfer/strings.py makes it a run-time str where needed
            return self.op1("py.str", [], UNKNOWN, {"value": v})
        if v is None:
            raise self.error("None is not supported as a value (only as a bare `return`)", node)
        raise self.error(f"{type(v).__name__} literals are not supported by ember", node)

    def constant_value(self, value: Any, node: ast.AST, name: str | None = None) -> Value:
        """An `arith.constant` (or a tuple.make of them) for a Python constant."""
        if isinstance(value, str):
            return self.op1("py.str", [], UNKNOWN, {"value": value})
        if isinstance(value, tuple):
            elems = [self.constant_value(v, node) for v in value]
            return self.tuple_make(elems)
        if isinstance(value, (complex, np.complexfloating)):
            return self.complex_constant(value, name)
        try:
            sc = scalar_constant(value)
        except OverflowError as e:
            raise self.error(str(e), node) from None
        if sc is None:
            raise self.error(f"{describe(value)} cannot be used as a compile-time constant", node)
        return self.const(sc[0], sc[1], name)

    def complex_constant(self, value: Any, name: str | None = None) -> Value:
        """`complex.make` of two float constants (np.complex64 keeps its f32 parts)."""
        t = C64 if isinstance(value, np.complex64) else C128
        part = F32 if t == C64 else F64
        re, im = self.const(float(value.real), part), self.const(float(value.imag), part)
        return self.b.op("complex.make", [re, im], [t], names=[name]).results[0]

    def tuple_make(self, elems: list[Value]) -> Value:
        t = TupleType(tuple(e.type for e in elems))
        if any(e.type == UNKNOWN for e in elems):
            t = UNKNOWN  # type: ignore[assignment]
        return self.op1("tuple.make", elems, t)

    # ---- names -----------------------------------------------------------------
    def expr_Name(self, node: ast.Name) -> Value:
        name = node.id
        if name in self.locals:
            v = self.env.get(name)
            if v is None:
                raise self.error(f"local variable {name!r} is referenced before assignment", node)
            return v
        obj = self.resolver.lookup(name)
        if obj is MISSING:
            raise self.error(f"name {name!r} is not defined", node)
        return self.object_value(obj, name, node)

    def object_value(self, obj: Any, spelled: str, node: ast.AST) -> Value:
        """A global / closure / module attribute used as a value."""
        if isinstance(obj, (tuple, str)) or _is_scalar(obj):
            return self.constant_value(obj, node)
        if is_module(obj):
            raise self.error(f"{describe(obj)} cannot be used as a value", node)
        if ember_target(obj) is not None or callable(obj):
            raise self.error(f"function {spelled!r} can only be called, not used as a value", node)
        raise self.error(
            f"{spelled!r} ({describe(obj)}) is not supported: only numbers, bools and tuples of "
            "them can be used from globals", node)

    def static_object(self, node: ast.expr) -> tuple[Any, str] | None:
        """The object a non-local name or a module attribute chain (`m.sub.f`) denotes,
        with its dotted spelling; None when `node` is not such a static reference."""
        if isinstance(node, ast.Name):
            if node.id in self.locals:
                return None
            obj = self.resolver.lookup(node.id)
            if obj is MISSING:
                raise self.error(f"name {node.id!r} is not defined", node)
            return obj, node.id
        if isinstance(node, ast.Attribute):
            base = self.static_object(node.value)
            if base is None or not is_module(base[0]):
                return None
            spelled = f"{base[1]}.{node.attr}"
            obj = getattr(base[0], node.attr, MISSING)
            if obj is MISSING:
                raise self.error(f"module {base[0].__name__!r} has no attribute {node.attr!r}", node)
            return obj, spelled
        return None

    def expr_Attribute(self, node: ast.Attribute) -> Value:
        ref = self.static_object(node)
        if ref is None:
            raise self.error(f"attribute access '.{node.attr}' is not supported by ember "
                             "(only math.X and module constants)", node)
        obj, spelled = ref
        base = self.static_object(node.value)
        if base is not None and base[0] is math and node.attr in MATH_CONSTANTS:
            return self.const(float(obj), F64)
        return self.object_value(obj, spelled, node)

    # ---- operators ---------------------------------------------------------------
    def expr_BinOp(self, node: ast.BinOp) -> Value:
        name = BINARY.get(type(node.op))
        if name is None:
            raise self.error(f"the operator {OPERATOR_SPELLING.get(type(node.op), type(node.op).__name__)!r}"
                             " is not supported by ember", node)
        a = self.expr(node.left)
        b = self.expr(node.right)
        return self.op1("py." + name, [a, b])

    def expr_UnaryOp(self, node: ast.UnaryOp) -> Value:
        operand = node.operand
        if (isinstance(node.op, ast.USub) and isinstance(operand, ast.Constant)
                and type(operand.value) in (int, float)):
            return self.constant_value(-operand.value, node)  # a negative literal
        name = UNARY[type(node.op)]
        v = self.expr(operand)
        return self.op1("py." + name, [v], BOOL if name == "not" else UNKNOWN)

    def expr_Compare(self, node: ast.Compare) -> Value:
        has = records.contains(self, node)  # `"k" in d`: a record key test
        if has is not None:
            return has
        for op in node.ops:
            if type(op) not in COMPARE and type(op) not in MEMBERSHIP:
                raise self.error(f"the comparison {COMPARE_SPELLING[type(op)]!r} is not supported "
                                 "by ember", node)
        left = self.expr(node.left)
        return self._compare_chain(left, node.ops, node.comparators)

    def _compare_chain(self, left: Value, ops: list[ast.cmpop], rights: list[ast.expr]) -> Value:
        # `a < b <= c` is `a < b and b <= c` with b evaluated once: the rest of the
        # chain runs only when this comparison is true.
        right = self.expr(rights[0])
        if type(ops[0]) in MEMBERSHIP:  # `x in c`: py.in (item, container)
            r = self.op1("py.in", [left, right], BOOL)
            if isinstance(ops[0], ast.NotIn):
                r = self.op1("py.not", [r], BOOL)
        else:
            r = self.op1("py." + COMPARE[type(ops[0])], [left, right])
        if len(ops) == 1:
            return r
        return self.if_value(self.truth(r),
                             lambda: self._compare_chain(right, ops[1:], rights[1:]),
                             lambda: r)

    def expr_BoolOp(self, node: ast.BoolOp) -> Value:
        return self._boolop(isinstance(node.op, ast.And), node.values)

    def _boolop(self, is_and: bool, values: list[ast.expr]) -> Value:
        # `a and b` is `b if a else a`, `a or b` is `a if a else b` (values, not bools).
        first = self.expr(values[0])
        if len(values) == 1:
            return first
        rest = lambda: self._boolop(is_and, values[1:])  # noqa: E731
        keep = lambda: first  # noqa: E731
        cond = self.truth(first)
        return self.if_value(cond, rest, keep) if is_and else self.if_value(cond, keep, rest)

    def expr_IfExp(self, node: ast.IfExp) -> Value:
        cond = self.truth(self.expr(node.test))
        return self.if_value(cond, lambda: self.expr(node.body), lambda: self.expr(node.orelse))

    def expr_Dict(self, node: ast.Dict) -> Value:
        return records.build_dict(self, node)

    def expr_Tuple(self, node: ast.Tuple) -> Value:
        if not isinstance(node.ctx, ast.Load):
            self.unsupported(node)
        for e in node.elts:
            if isinstance(e, ast.Starred):
                self.unsupported(e)
        return self.tuple_make([self.expr(e) for e in node.elts])


def _is_scalar(obj: Any) -> bool:
    if isinstance(obj, (complex, np.complexfloating)):
        return True
    try:
        return scalar_constant(obj) is not None
    except OverflowError:
        return True

