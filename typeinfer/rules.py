"""The registry of lowering rules: for each untyped op name, how to type it and how to
lower it to typed ops.

A rule's `infer(op, operand_types)` returns the result types (operands are never
BOTTOM: the propagation handles those before asking) or raises TypingError at the
op; its `lower(em, op, operands)` emits typed ops and returns the result values,
which must have exactly the types `infer` gave. Keeping both in one place per op is
what keeps them consistent.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ember.ir.core import Operation, Value
from ember.ir.errors import TypingError
from ember.ir.types import Type

from .emit import Emitter
from .lattice import type_name

InferFn = Callable[[Operation, list[Type]], list[Type]]
LowerFn = Callable[[Emitter, Operation, list[Value]], list[Value]]


@dataclass(frozen=True)
class Rule:
    infer: InferFn
    lower: LowerFn


RULES: dict[str, Rule] = {}


def rule(*names: str, infer: InferFn):
    """Register the decorated lowering function (with `infer`) for op `names`."""
    def deco(lower: LowerFn) -> LowerFn:
        for n in names:
            RULES[n] = Rule(infer, lower)
        return lower
    return deco


def wrap(name: str, applies: Callable[[Operation, list[Type]], bool], infer: InferFn,
         lower: LowerFn) -> None:
    """Register a rule for op `name` that handles the operand types `applies` accepts and
    hands every other case to the rule registered before (a container wrapping the
    operators of scalars and arrays)."""
    base = RULES.get(name)

    def infer_w(op: Operation, types: list[Type]) -> list[Type]:
        if applies(op, types):
            return infer(op, types)
        if base is None:
            raise fail(op, f"{op.name}: unsupported operands {describe(op, types)}")
        return base.infer(op, types)

    def lower_w(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
        if applies(op, [v.type for v in vals]):
            return lower(em, op, vals)
        assert base is not None
        return base.lower(em, op, vals)
    RULES[name] = Rule(infer_w, lower_w)


def fail(op: Operation, msg: str) -> TypingError:
    """A TypingError at `op` (callers `raise fail(...) from None`)."""
    return TypingError(msg, op.loc)


def describe(op: Operation, types: list[Type]) -> str:
    """`'f64' and 'tuple<...>'` for unsupported-operand messages, with variable names."""
    parts = []
    for v, t in zip(op.operands, types):
        s = f"'{type_name(t)}'"
        if v.name:
            s += f" (variable '{v.name}')"
        parts.append(s)
    return " and ".join(parts)


def ensure_loaded() -> None:
    """Import the modules that register rules (kept here to avoid import cycles)."""
    from . import builtins, mathfuncs, pyops  # noqa: F401
    from . import complexops  # noqa: F401  (wraps the scalar rules for complex operands)
    # array rules after the scalar ones: array_ops wraps the scalar operator rules
    from . import (array_attrs, array_ops, creation, indexing, npcalls, reshape,  # noqa: F401
                   static)
    from . import complex_arrays  # noqa: F401  (wraps the array rules for complex values)
    from . import linalg, sorting  # noqa: F401  (np.dot/matmul/norm..., np.sort/argsort)
    from . import joining, ndindex  # noqa: F401  (concatenate/stack/roll/tile/repeat; np.ndindex)
    from . import records  # noqa: F401  (last: wraps py.getitem / py.len / py.callmethod)
    from . import tuples  # noqa: F401  (wraps getitem/add/mul/eq/ne for tuples; `in`)
    from . import raises  # noqa: F401  (py.raise: raise / assert)
    from . import lists  # noqa: F401  (wraps len/getitem/setitem/callmethod/in/+/*/== for lists)
    from . import dicts  # noqa: F401  (the same for runtime dicts)
    from . import strings  # noqa: F401  (last: wraps ==, <, len, in, truth, raise for strs)
    from . import tuple_raise, tuple_order  # noqa: F401  (tuple values in raise; tuple <, min, max)
