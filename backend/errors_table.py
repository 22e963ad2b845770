"""The module's error table: the exceptions native code can ask the wrapper to raise.

A native function returns 0 on success or k > 0 meaning "raise entry k-1". Entries
are (builtin exception class name, message) pairs, deduplicated, in first-use order.
"""
from __future__ import annotations

MATH_DOMAIN = ("ValueError", "math domain error")
MATH_RANGE = ("OverflowError", "math range error")


class ErrorTable:
    """Collects (exception, message) pairs and hands out their status codes."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str]] = []
        self._index: dict[tuple[str, str], int] = {}

    def code(self, exc: str, msg: str) -> int:
        """The status code (index + 1) that raises `exc(msg)`."""
        key = (exc, msg)
        if key not in self._index:
            self._index[key] = len(self.entries)
            self.entries.append(key)
        return self._index[key] + 1
