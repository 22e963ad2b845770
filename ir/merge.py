"""Copying the functions of one typed module into another under new names.

Used where one compilation takes in IR typed by another: a derivative called from
compiled code (typeinfer/calls.py) and the rules of custom derivatives
(autodiff/custom_calls.py). Calls between the copied functions follow the renaming, and
so does the `custom_rule` attribute, which names the function it marks
(ember/custom_rules.py).
"""
from __future__ import annotations

from ember.ir.clone import clone_func
from ember.ir.core import Module, SymbolRef


def merge_into(module: Module, other: Module, names: dict[str, str]) -> None:
    """Add a copy of every function of `other` to `module`, function `n` named
    `names[n]` (a name missing from `names` is kept); `entry` marks are dropped."""
    for f in other:
        g = clone_func(f)
        g.name = names.get(f.name, f.name)
        g.attributes.pop("entry", None)
        ref = g.attributes.get("custom_rule")
        if isinstance(ref, SymbolRef) and ref.name == f.name:
            g.attributes["custom_rule"] = SymbolRef(g.name, ref.target)
        for op in g.walk():
            c = op.attributes.get("callee")
            if isinstance(c, SymbolRef) and c.name in names:
                op.attributes["callee"] = SymbolRef(names[c.name], c.target)
        module.add(g)


__all__ = ["merge_into"]
