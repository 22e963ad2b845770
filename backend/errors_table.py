"""The module's error table: the exceptions native code can ask the wrapper to raise.

A native function returns 0 on success or k > 0 meaning "raise entry k-1". Entries
are (builtin exception class name, message format) pairs, deduplicated, in first-use
order. The format is a `str.format` string: a `cf.assert` message's `{}` placeholders
stay, any other brace is doubled (`format_message`). A failing check stores its i64
arguments in the runtime's `ember_rt_err_args` before returning its status, and
`ember_rt_raise` formats them (backend/runtime_helpers.py) by calling
`runtime_message` here; `python_message` does the same for tests.

A `cf.raise` message (`code_formatted`) may also format floats and bools: its slots
hold i64 bit patterns, and the entry's format is prefixed by its slot kinds
(KIND_MARK + "ifbs..." + KIND_MARK; i: int, f: f64 bits, b: bool, s: a str in two
slots, its UTF-8 address and byte count), which
`runtime_message` reads to rebuild the Python values before `str.format` applies the
user's format specs, so floats print exactly as CPython prints them. Tuple values come as
their leaves, and a TUPLE_MARK shape prefix on the template regroups them into Python
tuples (typeinfer/tuple_raise.py), so `KeyError((1, 2))` carries the tuple itself.
"""
from __future__ import annotations

import ctypes
import struct

from ember.ir.messages import PERCENT_VALUE, VALUE_ARGUMENT, regroup, split_shape

MATH_DOMAIN = ("ValueError", "math domain error")
MATH_RANGE = ("OverflowError", "math range error")


def format_message(msg: str) -> str:
    """`msg`, whose every `{}` takes an argument, as a `str.format` string."""
    return "{}".join(part.replace("{", "{{").replace("}", "}}") for part in msg.split("{}"))


# Starts and ends the slot-kind prefix of a typed message (never in user text: it is
# a control character the frontend does not let through).
KIND_MARK = "\x1f"


def _slot_value(kind: str, bits: int) -> int | float | bool:
    if kind == "f":
        return struct.unpack("<d", struct.pack("<q", bits))[0]
    if kind == "b":
        return bits != 0
    return bits


def _str_value(address: int, nbytes: int) -> str:
    """A str operand's two slots (UTF-8 data address, byte count) as the Python str. The
    bytes are alive: a module constant or the caller's argument, still held by the call."""
    if nbytes <= 0:
        return ""
    return ctypes.string_at(address, nbytes).decode("utf-8", "surrogatepass")




def python_message(fmt: str, args: list[int]) -> str | tuple:
    """The text ember_rt_raise makes of table entry `fmt` and the stored arguments (for
    `raise E(value)` the 1-tuple of args: PyErr_SetObject takes a tuple as the args)."""
    if fmt.startswith(KIND_MARK):
        kinds, template = fmt[1:].split(KIND_MARK, 1)
        values: list[object] = []
        j = 0
        for k in kinds:
            if k == "s":  # a str takes two slots: address, then size
                values.append(_str_value(args[j], args[j + 1]))
                j += 2
            else:
                values.append(_slot_value(k, args[j]))
                j += 1
        shape, template = split_shape(template)
        if shape is not None:
            values = regroup(shape, values, tuple)
        if template.startswith(VALUE_ARGUMENT):
            return (values[0],)
        return template.replace(PERCENT_VALUE, "").format(*values)
    return fmt.format(*args)


def runtime_message(fmt: str, *args: int) -> str | tuple:
    """Called by ember_rt_raise (native code, under the GIL) with the slot contents."""
    return python_message(fmt, list(args))


class ErrorTable:
    """Collects (exception, message format) pairs and hands out their status codes."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str]] = []
        self._index: dict[tuple[str, str], int] = {}

    def code(self, exc: str, msg: str) -> int:
        """The status code (index + 1) that raises `exc(msg)`, each `{}` in `msg` taking
        the next argument stored by the failing check."""
        return self.code_stored((exc, format_message(msg)))

    def code_formatted(self, exc: str, template: str, kinds: str) -> int:
        """The status code that raises `exc(template.format(*values))`, value j rebuilt
        from slot j as kind `kinds[j]` ('i' int, 'f' f64 bits, 'b' bool)."""
        return self.code_stored((exc, KIND_MARK + kinds + KIND_MARK + template))

    def code_stored(self, key: tuple[str, str]) -> int:
        """The status code of an entry already in stored form (another table's entry)."""
        if key not in self._index:
            self._index[key] = len(self.entries)
            self.entries.append(key)
        return self._index[key] + 1
