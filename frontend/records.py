"""Dicts with literal string keys (records): `{"k": 1.0}`, `d["k"]`, `d["k"] = v`, `"k" in d`.

A record is a value in the IR (a struct, like a tuple), so a write is a functional update:
`d["k"] = v` emits `record.set` and rebinds `d`. Python dicts are references, so two names
may denote one dict; the frontend keeps that visible in SSA:

- every name bound to the *same SSA value* as the written name at the write (`q = p` just
  before) is rebound too, so `q = p; q["k"] = 2.0` changes `p` as in Python;
- where that sharing cannot be seen (the names were copied with `q = p` somewhere in the
  function but are bound to different values here, or the write is inside an `if`/loop while
  another name shares the record), the write is rejected with an UnsupportedSyntaxError;
- a write through a parameter (or a name copied from one) is rejected: the caller's dict
  would not see it. Build a local dict instead.

Reads are `py.getitem (d, py.str)`; type inference turns them into `record.get` (or a
compile-time KeyError).
"""
from __future__ import annotations

import ast
from typing import Any

from ember.ir.core import FuncOp, Value
from ember.ir.types import BOOL, UNKNOWN


def is_key(node: ast.expr) -> bool:
    """A string literal used as a dict key / subscript."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def build_dict(fb: Any, node: ast.Dict) -> Value:
    """`{"a": x, "b": y}` -> `record.make {keys = "a,b"}`; a runtime dict (frontend/dicts.py)
    when the function uses it dynamically or a key is not a string literal."""
    if fb.is_dynamic_dict(node):
        return fb.runtime_dict(node)
    keys: list[str] = []
    for k in node.keys:
        if k is None:
            raise fb.error("dict unpacking (**d) in a dict literal is not supported by ember", node)
        if not is_key(k):
            raise fb.error("dict keys must be string literals ({'k': 1.0}): ember compiles such "
                           "dicts as records with no hashing at run time", node)
        if "," in k.value:
            raise fb.error("a dict key may not contain a comma in ember", k)
        keys.append(k.value)
    values = [fb.expr(v) for v in node.values]
    # later duplicates win, in the first key's position (as CPython does)
    order: dict[str, Value] = {}
    for k, v in zip(keys, values):
        order[k] = v
    return fb.op1("record.make", list(order.values()), UNKNOWN, {"keys": ",".join(order)})


def contains(fb: Any, node: ast.Compare) -> Value | None:
    """`"k" in d` / `"k" not in d` with a literal key: a `record.has` (a compile-time
    constant after type inference); None when `node` is not that form."""
    if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.In, ast.NotIn)):
        return None
    if not is_key(node.left) or fb.is_dynamic_dict(node.comparators[0]):
        return None
    d = fb.expr(node.comparators[0])
    r = fb.op1("record.has", [d], BOOL, {"key": node.left.value})
    if isinstance(node.ops[0], ast.NotIn):
        r = fb.op1("py.not", [r], BOOL)
    return r


def store_key(fb: Any, target: ast.Subscript, value: Value) -> None:
    """`d["k"] = value`: a `record.set` rebinding `d` (and the names sharing its value)."""
    assert isinstance(target.value, ast.Name) and is_key(target.slice)
    name = target.value.id
    key = target.slice.value
    if "," in key:
        raise fb.error("a dict key may not contain a comma in ember", target.slice)
    old = fb.expr(target.value)
    with fb.located(target):
        new = fb.op1("record.set", [old, value], UNKNOWN, {"key": key})
    for n in _names_to_rebind(fb, target, name, old):
        fb.env[n] = new
    new.name = name


def _names_to_rebind(fb: Any, target: ast.Subscript, name: str, old: Value) -> list[str]:
    params = _param_group(fb)
    if name in params:
        raise fb.error(f"cannot write to the dict argument {name!r}: a compiled function cannot "
                       "change its caller's dict. Build a local dict instead "
                       f"(q = {{\"k\": {name}[\"k\"], ...}})", target)
    group = _copy_groups(fb).get(name, {name})
    sharing = [n for n, v in fb.env.items() if v is old and not n.startswith("@")]
    others = [n for n in group if n != name and n in fb.env]
    if any(fb.env[n] is not old for n in others):
        raise fb.error(f"cannot write to dict {name!r} here: it may be the same dict as "
                       f"{' / '.join(repr(n) for n in others)} (assigned with '=' in this "
                       "function), and ember records are values. Write through one name only, "
                       "or copy it explicitly with a new literal", target)
    if len(sharing) > 1 and not _top_level(fb):
        raise fb.error(f"cannot write to dict {name!r} inside an if or a loop while "
                       f"{' / '.join(repr(n) for n in sharing if n != name)} names the same "
                       "dict: write through one name only", target)
    return sharing or [name]


def _copy_groups(fb: Any) -> dict[str, set[str]]:
    """Names linked by plain `a = b` copies anywhere in the function (connected groups)."""
    groups = getattr(fb, "_record_copy_groups", None)
    if groups is None:
        groups = {}
        for node in ast.walk(fb.src.tree):
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Name)):
                a, b = node.targets[0].id, node.value.id
                merged = groups.get(a, {a}) | groups.get(b, {b})
                for n in merged:
                    groups[n] = merged
        fb._record_copy_groups = groups
    return groups


def _param_group(fb: Any) -> set[str]:
    """The parameters and every name connected to one by `a = b` copies."""
    a = fb.src.tree.args
    params = {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]}
    groups = _copy_groups(fb)
    out = set(params)
    for p in params:
        out |= groups.get(p, set())
    return out


def _top_level(fb: Any) -> bool:
    """Whether ops are being emitted into the function body itself (not an if/loop region;
    a region being built is not attached to its op yet)."""
    region = fb.b.block.parent
    return region is not None and isinstance(region.parent, FuncOp)
