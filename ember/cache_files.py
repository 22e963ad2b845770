"""The files of the disk cache: one entry a file, validated before it is trusted.

An entry file (`<module>.<function>-<key>.embc`) is a fixed header and a payload:

    magic b"EMBERC\\x00\\x01" | format version (u32) | payload length (u64) | sha256(payload)
    payload = meta length (u32) | meta (UTF-8 JSON) | object code

`read_entry` returns None for anything else: a missing, truncated, corrupted or
foreign file, another format version, a payload whose checksum does not match. It
never raises for a bad file, and the caller compiles and rewrites the entry.
`write_entry` writes a temporary file in the same folder and renames it over the
entry (`os.replace` is atomic), so two processes storing the same entry at once
both succeed and a reader never sees half a file.

`iter_entries` / `clear_entries` serve `python -m ember cache list|clear`.
"""
from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

MAGIC = b"EMBERC\x00\x01"
FORMAT = 1
SUFFIX = ".embc"
_HEADER = struct.Struct("<8sIQ32s")
_META_LEN = struct.Struct("<I")
_TMP_PREFIX = ".tmp-"


@dataclass
class Entry:
    """A validated entry: its metadata (JSON) and its object code."""

    meta: dict[str, Any]
    code: bytes


def encode_entry(meta: dict[str, Any], code: bytes) -> bytes:
    m = json.dumps(meta, sort_keys=True).encode("utf-8")
    payload = _META_LEN.pack(len(m)) + m + code
    return _HEADER.pack(MAGIC, FORMAT, len(payload), hashlib.sha256(payload).digest()) + payload


def decode_entry(data: bytes) -> Entry | None:
    """The entry in `data`, or None if it is not a whole, intact entry of this format."""
    if len(data) < _HEADER.size:
        return None
    magic, fmt, length, digest = _HEADER.unpack_from(data)
    payload = data[_HEADER.size:]
    if magic != MAGIC or fmt != FORMAT or length != len(payload):
        return None
    if hashlib.sha256(payload).digest() != digest or len(payload) < _META_LEN.size:
        return None
    (mlen,) = _META_LEN.unpack_from(payload)
    end = _META_LEN.size + mlen
    if end > len(payload):
        return None
    try:
        meta = json.loads(payload[_META_LEN.size:end].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(meta, dict):
        return None
    return Entry(meta, payload[end:])


def read_entry(path: Path) -> Entry | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return decode_entry(data)


def write_entry(folder: Path, name: str, meta: dict[str, Any], code: bytes) -> Path:
    """Store an entry atomically as `folder/name`; raises OSError if the folder is unusable."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(encode_entry(meta, code))
        os.replace(tmp, folder / name)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return folder / name


def _cache_folders(root: Path) -> Iterator[Path]:
    """`root` itself and every `__pycache__/ember` folder under it."""
    if not root.is_dir():
        return
    yield root
    for dirpath, dirnames, _files in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") or d == "__pycache__"]
        if os.path.basename(dirpath) == "__pycache__" and "ember" in dirnames:
            yield Path(dirpath) / "ember"


def _files(root: Path, temporary: bool) -> Iterator[Path]:
    seen: set[Path] = set()
    for folder in _cache_folders(root):
        if folder in seen:
            continue
        seen.add(folder)
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for fn in names:
            if fn.endswith(SUFFIX) and (temporary or not fn.startswith(_TMP_PREFIX)):
                yield folder / fn


def entry_files(root: Path) -> Iterator[Path]:
    """Every entry file in `root` (a cache folder) or in the `__pycache__/ember` folders
    of a source tree under it."""
    return _files(root, temporary=False)


def iter_entries(root: Path) -> Iterator[tuple[Path, dict[str, Any] | None, os.stat_result]]:
    """(path, meta or None when the file is not a valid entry, stat) for each entry file."""
    for path in entry_files(root):
        try:
            st = path.stat()
        except OSError:
            continue
        entry = read_entry(path)
        yield path, (entry.meta if entry else None), st


def clear_entries(root: Path) -> tuple[int, int]:
    """Delete every entry file (and leftover temporary file) that `entry_files` finds:
    (files removed, bytes freed)."""
    removed = freed = 0
    for path in list(_files(root, temporary=True)):
        try:
            size = path.stat().st_size
            path.unlink()
        except OSError:
            continue
        removed += 1
        freed += size
    return removed, freed
