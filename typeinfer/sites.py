"""Container sites: how `xs = []` learns its element type from a later `xs.append(1.0)`.

Every op that makes a list or dict in a function (`[]`, `{}`, literals, comprehensions,
`list(...)`) is a *site*. The ListType / DictType of the value it makes carries the site's
id; an op storing into a container (append, insert, `d[k] = v`, ...) widens the element
types of the container's site with `widen`, and the propagation runs the function again
until no site changes. Two sites merged by a branch or a loop become one (their values may
be the same object at run time, so they need one element type). Containers without a site
(arguments, results of calls, sites of another function) have fixed types: a store must
fit them, and a site merged with one is pinned to its types.

Per thread, like the library-call stack: two dispatchers may compile at once.
"""
from __future__ import annotations

import itertools
import threading

from ember.ir.core import Operation
from ember.ir.errors import TypingError
from ember.ir.location import Location
from ember.ir.types import BOTTOM, DictType, ListType, Type

from .lattice import line_of, type_name, unify

_ids = itertools.count(1)  # process-wide: a site id never means two things
_LOCAL = threading.local()


class SiteTable:
    """The element types of the sites of one function's inference."""

    def __init__(self) -> None:
        self.by_op: dict[int, int] = {}
        self.parent: dict[int, int] = {}
        self.types: dict[int, list[Type]] = {}
        self.origins: dict[int, list[Location | None]] = {}
        self.pinned: set[int] = set()
        self.changed = False

    def site_for(self, op: Operation, slots: int) -> int:
        """The site of the container-making op `op` (with `slots` element types)."""
        s = self.by_op.get(id(op))
        if s is None:
            s = self.by_op[id(op)] = next(_ids)
            self.parent[s] = s
            self.types[s] = [BOTTOM] * slots
            self.origins[s] = [None] * slots
        return self.find(s)

    def find(self, s: int) -> int:
        while self.parent[s] != s:
            self.parent[s] = self.parent[self.parent[s]]
            s = self.parent[s]
        return s

    def owns(self, site: int | None) -> bool:
        return site is not None and site in self.parent

    def get(self, site: int) -> list[Type]:
        return self.types[self.find(site)]

    def widen(self, site: int, slot: int, t: Type, op: Operation, what: str) -> Type:
        """Make slot `slot` of `site` hold `t` too; return the slot's type."""
        root = self.find(site)
        cur = self.types[root][slot]
        u = unify(cur, t)
        if u is None or (u != cur and root in self.pinned):
            first = self.origins[root][slot]
            raise TypingError(
                f"{what} holds {type_name(cur)} (from {line_of(first)}) but {type_name(t)} is "
                f"stored at {line_of(op.loc)}: a container keeps one element type (ints and "
                "floats mix, other types do not)", op.loc)
        if u != cur:
            self.types[root][slot] = u
            if self.origins[root][slot] is None:
                self.origins[root][slot] = op.loc
            self.changed = True
        return u

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        merged = [unify(x, y) for x, y in zip(self.types[ra], self.types[rb])]
        if any(m is None for m in merged):
            return ra  # the caller's unify of the element types reports the conflict
        self.parent[rb] = ra
        if merged != self.types[ra] or merged != self.types[rb]:
            self.changed = True
        self.types[ra] = merged  # type: ignore[assignment]
        self.origins[ra] = [o or p for o, p in zip(self.origins[ra], self.origins[rb])]
        if rb in self.pinned:
            self.pinned.add(ra)
        return ra

    def pin(self, site: int, fixed: list[Type]) -> None:
        """`site` merged with a container of fixed types `fixed`: it takes them for good."""
        root = self.find(site)
        if self.types[root] != fixed:
            self.types[root] = list(fixed)
            self.changed = True
        self.pinned.add(root)


def active() -> SiteTable | None:
    stack = getattr(_LOCAL, "stack", None)
    return stack[-1] if stack else None


class running:
    """`with running(table):` makes `table` the active one in this thread."""

    def __init__(self, table: SiteTable) -> None:
        self.table = table

    def __enter__(self) -> SiteTable:
        stack = getattr(_LOCAL, "stack", None)
        if stack is None:
            stack = _LOCAL.stack = []
        stack.append(self.table)
        return self.table

    def __exit__(self, *exc: object) -> None:
        _LOCAL.stack.pop()


def container_name(op: Operation, k: int = 0, kind: str = "list") -> str:
    v = op.operands[k]
    return f"{kind} '{v.name}'" if v.name else f"the {kind}"


def widen_list(op: Operation, lt: ListType, t: Type, k: int = 0) -> Type:
    """`t` stored into the list of type `lt` (operand k of op): its element type after."""
    table = active()
    what = container_name(op, k)
    if table is not None and table.owns(lt.site):
        return table.widen(lt.site, 0, t, op, what)  # type: ignore[arg-type]
    return _fits(op, lt.elem, t, what)


def widen_dict(op: Operation, dt: DictType, key: Type, value: Type | None, k: int = 0) -> tuple[Type, Type]:
    table = active()
    what = container_name(op, k, "dict")
    if table is not None and table.owns(dt.site):
        kt = table.widen(dt.site, 0, key, op, what + "'s keys")  # type: ignore[arg-type]
        vt = table.widen(dt.site, 1, value, op, what) if value is not None else dt.value  # type: ignore[arg-type]
        return kt, vt
    return (_fits(op, dt.key, key, what + "'s keys"),
            _fits(op, dt.value, value, what) if value is not None else dt.value)


def _fits(op: Operation, have: Type, t: Type, what: str) -> Type:
    if have == BOTTOM:
        raise TypingError(f"{what} has no known element type here (an empty container made "
                          "in another function): fill it where it is made", op.loc)
    if unify(have, t) != have:
        raise TypingError(f"{what} holds {type_name(have)} but {type_name(t)} is stored at "
                          f"{line_of(op.loc)}: a container passed in or returned by a call keeps "
                          "its element type", op.loc)
    return have


def merge_sites(a: int | None, b: int | None, a_types: list[Type], b_types: list[Type]) -> int | None:
    """The site of a merge of two containers (inside unify)."""
    table = active()
    if table is None:
        return a if a is not None else b
    own_a, own_b = table.owns(a), table.owns(b)
    if own_a and own_b:
        return table.union(a, b)  # type: ignore[arg-type]
    if own_a:
        table.pin(a, b_types)  # type: ignore[arg-type]
        return a
    if own_b:
        table.pin(b, a_types)  # type: ignore[arg-type]
        return b
    return None
