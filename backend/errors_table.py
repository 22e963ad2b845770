"""The module's error table: the exceptions native code can ask the wrapper to raise.

A native function returns 0 on success or k > 0 meaning "raise entry k-1". Entries
are (builtin exception class name, message format) pairs, deduplicated, in first-use
order. The format is a `str.format` string: a `cf.assert` message's `{}` placeholders
stay, any other brace is doubled (`format_message`). A failing check stores its i64
arguments in the runtime's `ember_rt_err_args` before returning its status, and
`ember_rt_raise` formats them (backend/runtime_helpers.py); `python_message` does the
same in Python.
"""
from __future__ import annotations

MATH_DOMAIN = ("ValueError", "math domain error")
MATH_RANGE = ("OverflowError", "math range error")


def format_message(msg: str) -> str:
    """`msg`, whose every `{}` takes an argument, as a `str.format` string."""
    return "{}".join(part.replace("{", "{{").replace("}", "}}") for part in msg.split("{}"))


def python_message(fmt: str, args: list[int]) -> str:
    """The text ember_rt_raise makes of table entry `fmt` and the stored arguments."""
    return fmt.format(*args)


class ErrorTable:
    """Collects (exception, message format) pairs and hands out their status codes."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str]] = []
        self._index: dict[tuple[str, str], int] = {}

    def code(self, exc: str, msg: str) -> int:
        """The status code (index + 1) that raises `exc(msg)`, each `{}` in `msg` taking
        the next argument stored by the failing check."""
        key = (exc, format_message(msg))
        if key not in self._index:
            self._index[key] = len(self.entries)
            self.entries.append(key)
        return self._index[key] + 1
