"""List syntax: `[a, b]`, `[e for ... if ...]`, `list(...)`, `sorted(...)` and `del x[i]`.

A list is a reference to a runtime object (docs/containers.md), so the frontend only
records what the program does to it: `py.list` makes one from its operands, appends are
`py.callmethod {name = "append"}`, and type inference (typeinfer/lists.py) learns the
element type from every store. Comprehensions and `list(iterable)` are loops appending
to a fresh list (frontend/iteration.py's comp_loop), so they accept every iterable a for
loop does.
"""
from __future__ import annotations

import ast

from ember.ir.core import Value
from ember.ir.types import UNKNOWN


class ListsMixin:
    def expr_List(self, node: ast.List) -> Value:
        for e in node.elts:
            if isinstance(e, ast.Starred):
                self.unsupported(e)
        elems = [self.expr(e) for e in node.elts]
        return self.op1("py.list", elems)

    def append_to(self, lst: Value, v: Value) -> None:
        self.b.op("py.callmethod", [lst, v], [UNKNOWN],
                  {"name": "append", "kwnames": ""})

    def filled_list(self, elt: ast.expr, gens: list[ast.comprehension]) -> Value:
        lst = self.op1("py.list", [])

        def step(state: list[Value], v: Value) -> list[Value]:
            self.append_to(lst, v)
            return []
        self.comp_loop(elt, gens, [], [], step, None)
        return lst

    def expr_ListComp(self, node: ast.ListComp) -> Value:
        for g in node.generators:
            if g.is_async:
                self.unsupported(g)
        return self.filled_list(node.elt, node.generators)

    def list_call(self, node: ast.Call, spelled: str) -> Value:
        """list() and list(iterable)."""
        if node.keywords or len(node.args) > 1:
            raise self.type_error(f"{spelled}() takes at most one positional argument", node)
        if not node.args:
            return self.op1("py.list", [])
        elt, gens = self.comprehension_of(node.args[0])
        return self.filled_list(elt, gens)

    def sorted_call(self, node: ast.Call, spelled: str) -> Value:
        """sorted(iterable, reverse=flag): a new list, sorted in place."""
        if len(node.args) != 1:
            raise self.type_error(f"{spelled}() takes exactly one positional argument", node)
        for k in node.keywords:
            if k.arg != "reverse":
                raise self.error(f"{spelled}(..., {k.arg}=...) is not supported by ember; "
                                 "sorted() takes only reverse=", k)
        elt, gens = self.comprehension_of(node.args[0])
        lst = self.filled_list(elt, gens)
        operands = [lst] + [self.expr(k.value) for k in node.keywords]
        self.b.op("py.callmethod", operands, [UNKNOWN],
                  {"name": "sort", "kwnames": ",".join(k.arg for k in node.keywords)})
        return lst

    def stmt_Delete(self, node: ast.Delete) -> None:
        for t in node.targets:
            if not isinstance(t, ast.Subscript):
                raise self.error("only 'del container[key]' is supported by ember; "
                                 f"'del {ast.unparse(t)}' is not", node)
            obj = self.expr(t.value)
            index = self.index_operands(t.slice)
            with self.located(t):
                self.b.op("py.delitem", [obj, *index], [])
