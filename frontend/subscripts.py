"""Subscripts: `a[i]`, `a[i, j]`, slices, `None`/np.newaxis, `...` -> `py.getitem`, and the
pieces `py.setitem` needs (statements.py builds the stores).

A literal tuple subscript gives one operand per element (`a[i, :]` -> two); any other
subscript expression is one operand (`a[t]` with a tuple variable, a mask, an index array):
type inference decides what it means.
"""
from __future__ import annotations

import ast

from ember.ir.core import Value

from . import records
from .numpy_calls import NumpyMixin


class SubscriptsMixin(NumpyMixin):

    def expr_Subscript(self, node: ast.Subscript) -> Value:
        obj = self.expr(node.value)
        index = self.index_operands(node.slice)
        return self.op1("py.getitem", [obj, *index])

    def index_operands(self, sl: ast.expr) -> list[Value]:
        if isinstance(sl, ast.Tuple) and len(sl.elts) == 1 and _plain(sl.elts[0]):
            # `d[(i,)]` keys a dict with a 1-tuple, not with i: keep the tuple (an array
            # indexed with a 1-tuple reads the same element either way).
            with self.located(sl):
                return [self.tuple_make([self.index_element(sl.elts[0])])]
        if isinstance(sl, ast.Tuple) and sl.elts:
            return [self.index_element(e) for e in sl.elts]
        if isinstance(sl, ast.Tuple):  # a[()]: the empty tuple, as one operand
            with self.located(sl):
                return [self.tuple_make([])]
        return [self.index_element(sl)]

    def index_element(self, e: ast.expr) -> Value:
        if isinstance(e, ast.Starred):
            self.unsupported(e)
        if isinstance(e, ast.Slice):
            parts = [self.none_value(e) if p is None else self.value_or_none(p)
                     for p in (e.lower, e.upper, e.step)]
            with self.located(e):
                return self.op1("py.slice", parts)
        if records.is_key(e):  # d["k"]: a record key
            with self.located(e):
                return self.op1("py.str", [], attrs={"value": e.value})
        if isinstance(e, ast.Constant) and e.value is Ellipsis:
            with self.located(e):
                return self.op1("py.ellipsis", [])
        return self.value_or_none(e)

    def store_subscript(self, target: ast.Subscript, value: Value) -> None:
        """`target = value` for a subscript target (the value is already evaluated, as in
        Python: the right-hand side runs before the target's object and index)."""
        if isinstance(target.value, ast.Name) and records.is_key(target.slice) \
                and not self.is_dynamic_dict(target.value):
            records.store_key(self, target, value)
            return
        obj = self.expr(target.value)
        index = self.index_operands(target.slice)
        with self.located(target):
            self.b.op("py.setitem", [obj, value, *index])

    def augment_subscript(self, target: ast.Subscript, opname: str, rhs: ast.expr) -> None:
        """`a[idx] op= v`: the object and the index are evaluated once; getitem, the
        in-place operator, setitem (as CPython does it)."""
        if isinstance(target.value, ast.Name) and records.is_key(target.slice) \
                and not self.is_dynamic_dict(target.value):
            old = self.expr(target)
            value = self.expr(rhs)
            with self.located(target):
                new = self.op1("py." + opname, [old, value], attrs={"inplace": True})
            records.store_key(self, target, new)
            return
        obj = self.expr(target.value)
        index = self.index_operands(target.slice)
        with self.located(target):
            old = self.op1("py.getitem", [obj, *index])
        value = self.expr(rhs)
        with self.located(target):
            new = self.op1("py." + opname, [old, value], attrs={"inplace": True})
            self.b.op("py.setitem", [obj, new, *index])


def _plain(e: ast.expr) -> bool:
    """An index element that is a value (not a slice, `...`, `None` or `*x`)."""
    if isinstance(e, (ast.Slice, ast.Starred)):
        return False
    return not (isinstance(e, ast.Constant) and (e.value is None or e.value is Ellipsis))
