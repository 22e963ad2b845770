"""The markers inside a `cf.raise` message template (its `msg` attribute), shared by every
stage that writes or reads one: the frontend writes them (frontend/raises.py), type
inference adds tuple shapes (typeinfer/tuple_raise.py), and both readers, the runtime's
formatter (backend/errors_table.py) and the Python-source emitter (ir/pysource_control.py),
undo them the same way. None of these characters can appear in user text (they are ASCII
separators that f-strings and literals never produce unescaped in a template).
"""
from __future__ import annotations

from typing import Callable, TypeVar

# Starts the template of `raise E(value)` with a value that is not a message: the runtime
# makes E(value) rather than E(str(value)).
VALUE_ARGUMENT = "\x1e"
# Starts (and ends) the tuple shape of a message: the operands are the leaves of tuple
# values, and the shape regroups them, one item per message value: "." a leaf, "(...)" a
# tuple of the items inside, e.g. ".(.(..))".
TUPLE_MARK = "\x1d"
# Precedes the field of `fmt % x` with x not a tuple literal (CPython takes a tuple x as
# the argument list, so type inference rejects a tuple there); dropped before formatting.
PERCENT_VALUE = "\x1c"

T = TypeVar("T")


def split_shape(template: str) -> tuple[str | None, str]:
    """(the tuple shape, or None when the message has none; the rest of the template)."""
    if template.startswith(TUPLE_MARK):
        shape, rest = template[1:].split(TUPLE_MARK, 1)
        return shape, rest
    return None, template


def regroup(shape: str, leaves: list[T], make_tuple: Callable[[list[T]], T]) -> list[T]:
    """The message values: `leaves` (in order) grouped into tuples as `shape` says."""
    stack: list[list[T]] = [[]]
    it = iter(leaves)
    for c in shape:
        if c == ".":
            stack[-1].append(next(it))
        elif c == "(":
            stack.append([])
        else:  # ")"
            done = stack.pop()
            stack[-1].append(make_tuple(done))
    return stack[0]
