"""A tiny FileCheck: `# CHECK: text` comments in a Python function's source, matched in order
against printed IR (the frontend's goldens check untyped IR, the e2e goldens typed IR).

    # CHECK: text       the text appears after the previous match
    # CHECK-NEXT: text  the text appears on the line right after the previous match
    # CHECK-NOT: text   the text does not appear between the previous and the next match

Texts are literal except for `{{regex}}` parts, as in LLVM's FileCheck.
"""
from __future__ import annotations

import inspect
import re


_DIRECTIVE = re.compile(r"#\s*(CHECK(?:-NEXT|-NOT)?):\s?(.*)$")


def directives(pyfunc: object) -> list[tuple[str, str]]:
    out = []
    for line in inspect.getsource(pyfunc).splitlines():  # type: ignore[arg-type]
        m = _DIRECTIVE.search(line)
        if m:
            out.append((m.group(1), m.group(2).rstrip()))
    return out


def _pattern(want: str) -> re.Pattern[str]:
    parts = re.split(r"\{\{(.*?)\}\}", want)
    return re.compile("".join(p if i % 2 else re.escape(p) for i, p in enumerate(parts)))


def filecheck(text: str, checks: list[tuple[str, str]]) -> None:
    """Raise AssertionError naming the first directive that fails."""
    lines = text.splitlines()
    line = -1  # index of the line of the previous match
    pending_not: list[str] = []
    for kind, want in checks:
        if kind == "CHECK-NOT":
            pending_not.append(want)
            continue
        if kind == "CHECK-NEXT":
            ok = line + 1 < len(lines) and _pattern(want).search(lines[line + 1])
            found = line + 1 if ok else None
        else:
            pat = _pattern(want)
            found = next((i for i in range(line + 1, len(lines)) if pat.search(lines[i])), None)
        if found is None:
            raise AssertionError(f"{kind}: {want!r} not found after line {line + 1} in:\n{text}")
        for bad in pending_not:
            for i in range(line + 1, found):
                if _pattern(bad).search(lines[i]):
                    raise AssertionError(f"CHECK-NOT: {bad!r} found on line {i + 1} in:\n{text}")
        pending_not = []
        line = found
    for bad in pending_not:
        for i in range(line + 1, len(lines)):
            if _pattern(bad).search(lines[i]):
                raise AssertionError(f"CHECK-NOT: {bad!r} found on line {i + 1} in:\n{text}")
