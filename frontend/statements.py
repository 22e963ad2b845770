"""Simple statements: assignments (plain, augmented, annotated, tuple), expression
statements, pass, return, break and continue (the last three set the flags of control.py)."""
from __future__ import annotations

import ast

from ember.ir.core import Value
from ember.ir.types import BOOL

from .expressions import BINARY
from .dicts import DictsMixin
from .lists import ListsMixin
from .raises import RaisesMixin
from .scope import BROKE, CONTINUED, RETURNED, RETVAL
from .subscripts import SubscriptsMixin

# A right-hand side evaluated per element of a tuple target: a Value, or a list of them.
Tree = Value | list


class StatementsMixin(SubscriptsMixin, RaisesMixin, ListsMixin, DictsMixin):
    # Set by the function builder: returns are lowered to flags (some return is nested).
    flag_returns: bool = False
    returns_value: bool = False

    # ---- assignment ------------------------------------------------------------
    def stmt_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) == 1:
            tree = self.rhs_tree(node.value, node.targets[0])
            self.assign(node.targets[0], tree)
            return
        value = self.expr(node.value)
        for t in node.targets:
            self.assign(t, value)

    def rhs_tree(self, value: ast.expr, target: ast.expr) -> Tree:
        """`a, b = b, a % b`: evaluate every right-hand element before binding any name,
        keeping the tuple structure so that no tuple is built just to be taken apart."""
        if (isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, ast.Tuple)
                and len(target.elts) == len(value.elts)
                and not any(isinstance(e, ast.Starred) for e in value.elts)):
            return [self.rhs_tree(v, t) for v, t in zip(value.elts, target.elts)]
        return self.expr(value)

    def assign(self, target: ast.expr, tree: Tree) -> None:
        if isinstance(target, ast.Name):
            if isinstance(tree, list):
                tree = self.tuple_make([self._flatten(t) for t in tree])
            self.bind(target.id, tree)
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            for e in target.elts:
                if isinstance(e, ast.Starred):
                    raise self.error("starred assignment targets (a, *b = ...) are not "
                                     "supported by ember", e)
            if isinstance(tree, list):
                if len(tree) != len(target.elts):
                    raise self.type_error(f"cannot unpack {len(tree)} values into "
                                          f"{len(target.elts)} names", target)
                for t, v in zip(target.elts, tree):
                    self.assign(t, v)
                return
            saved = self.b.loc
            self.b.loc = self.src.loc(target)
            parts = [self.op1("tuple.get", [tree], attrs={"index": i, "unpack": len(target.elts)})
                     for i in range(len(target.elts))]
            self.b.loc = saved
            for t, v in zip(target.elts, parts):
                self.assign(t, v)
            return
        if isinstance(target, ast.Attribute):
            raise self.error(f"assignment to the attribute '.{target.attr}' is not supported "
                             "by ember", target)
        if isinstance(target, ast.Subscript):
            self.store_subscript(target, self._flatten(tree))
            return
        self.unsupported(target)

    def _flatten(self, tree: Tree) -> Value:
        if isinstance(tree, list):
            return self.tuple_make([self._flatten(t) for t in tree])
        return tree

    def stmt_AugAssign(self, node: ast.AugAssign) -> None:
        target = node.target
        name = BINARY.get(type(node.op))
        if name is None:
            raise self.error("this augmented assignment operator is not supported by ember", node)
        if isinstance(target, ast.Subscript):
            self.augment_subscript(target, name, node.value)
            return
        if not isinstance(target, ast.Name):
            self.assign(target, self.expr(node.value))  # raises the right message
            return
        old = self.expr(ast.copy_location(ast.Name(target.id, ast.Load()), target))
        rhs = self.expr(node.value)
        # `inplace`: `x += y` on an array writes into x (NumPy's __iadd__), which type
        # inference must know; on scalars it is the plain operator.
        self.bind(target.id, self.op1("py." + name, [old, rhs], attrs={"inplace": True}))

    def stmt_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is None:
            return  # a bare declaration `x: float` binds nothing
        self.assign(node.target, self.expr(node.value))

    # ---- expression statements and pass -----------------------------------------
    def stmt_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant):
            return  # a docstring or a bare literal: no effect
        self.expr(node.value)

    def stmt_Pass(self, node: ast.Pass) -> None:
        pass

    # ---- return, break, continue ---------------------------------------------------
    def return_value(self, node: ast.Return) -> Value | None:
        v = node.value
        if v is None or (isinstance(v, ast.Constant) and v.value is None):
            return None
        return self.expr(v)

    def stmt_Return(self, node: ast.Return) -> None:
        value = self.return_value(node)
        if self.flag_returns:
            if value is not None:
                self.bind(RETVAL, value)
            self.bind(RETURNED, self.const(True, BOOL))
        else:
            self.b.op("func.return", [value] if value is not None else [])
        self.dead = True

    def stmt_Break(self, node: ast.Break) -> None:
        self.bind(BROKE, self.const(True, BOOL))
        self.dead = True

    def stmt_Continue(self, node: ast.Continue) -> None:
        self.bind(CONTINUED, self.const(True, BOOL))
        self.dead = True
