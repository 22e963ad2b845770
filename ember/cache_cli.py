"""`python -m ember cache list [FOLDER]` and `python -m ember cache clear [FOLDER]`.

Without FOLDER: `EMBER_CACHE_DIR` when it is set, else the user cache folder and
the `__pycache__/ember` folders under the current directory. With FOLDER: the
entries in it (a cache folder) and in the `__pycache__/ember` folders under it (a
source tree); see ember/cache_files.py, `entry_files`.
"""
from __future__ import annotations

import time
from pathlib import Path

from ember.cache_files import clear_entries, iter_entries
from ember.disk_cache import default_roots


def _roots(folder: str | None) -> list[Path]:
    return [Path(folder)] if folder else default_roots()


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{max(seconds, 0):.0f}s"


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KiB" if n >= 1024 else f"{n} B"


def list_entries(folder: str | None) -> int:
    """Print one line per entry: function, signature, size, age, location."""
    rows = [("function", "signature", "size", "age", "location")]
    total = aliases = 0
    seen: set[Path] = set()
    now = time.time()
    for root in _roots(folder):
        for path, meta, st in iter_entries(root):
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            total += st.st_size
            if meta is None:
                rows.append(("(invalid entry: ignored, rewritten on use)", "", _size(st.st_size),
                             _age(now - st.st_mtime), str(path)))
                continue
            if meta.get("alias"):
                aliases += 1  # the same entry under its source key (docs/caching.md)
                continue
            created = meta.get("created", st.st_mtime)
            function = str(meta.get("function", "?"))
            qualname = str(meta.get("qualname") or function)
            rows.append((qualname if qualname.rpartition(".")[2] == function else function,
                         str(meta.get("signature", "")), _size(st.st_size),
                         _age(now - float(created)), str(path)))
    if len(rows) == 1:
        print("no ember cache entries in " + ", ".join(map(str, _roots(folder))))
        return 0
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + "  " + r[4])
    extra = f" (and {aliases} source-key alias{'' if aliases == 1 else 'es'})" if aliases else ""
    print(f"{len(rows) - 1} entr{'y' if len(rows) == 2 else 'ies'}{extra}, {_size(total)}")
    return 0


def clear(folder: str | None) -> int:
    """Delete every entry under the folder(s)."""
    removed = freed = 0
    for root in _roots(folder):
        n, b = clear_entries(root)
        removed += n
        freed += b
    print(f"removed {removed} entr{'y' if removed == 1 else 'ies'} ({_size(freed)}) from "
          + ", ".join(map(str, _roots(folder))))
    return 0
