"""Run-time dicts for emitted Python: the native layout, so the dict library that ember
compiles (typeinfer/dictlib.py) runs unchanged as emitted Python.

A `dict<K, V>` value is the tuple of its five lists (keys, values, hashes, table, meta:
docs/containers.md); `hash_of` and `str_hash` are backend/lower_dict.py's and
backend/lower_str.py's hashes bit for bit, and `dict_from_python` builds an argument's
lists as backend/wrapper_dicts.py does.
"""
from __future__ import annotations

import struct
from typing import Any

import numpy as np

__all__ = ["hash_of", "str_hash", "new_dict", "dict_from_python", "dict_to_python"]

_M64 = (1 << 64) - 1
_MASK = (1 << 62) - 1  # live hashes are >= 0 (typeinfer/dicts.py)


def _signed(v: int) -> int:
    v &= _M64
    return v - (1 << 64) if v >= 1 << 63 else v


def hash_of(x: Any) -> np.int64:
    """hash.of: splitmix64's finalizer of the value's bits (floats: -0.0 as 0.0; signed ints
    sign-extended, unsigned and bool zero-extended)."""
    if isinstance(x, np.float32):
        bits = struct.unpack("<I", struct.pack("<f", x + np.float32(0.0)))[0]
    elif isinstance(x, (float, np.floating)):
        bits = struct.unpack("<Q", struct.pack("<d", float(x) + 0.0))[0]
    else:
        bits = int(x)
    x = bits & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return np.int64(_signed(x ^ (x >> 31)))


def str_hash(s: str) -> np.int64:
    """str.hash: FNV-1a over the UTF-8 bytes, then murmur3's finalizer."""
    h = 0xCBF29CE484222325
    for byte in s.encode("utf-8", "surrogatepass"):
        h = ((h ^ byte) * 0x100000001B3) & _M64
    for shift, mul in ((33, 0xFF51AFD7ED558CCD), (33, 0xC4CEB9FE1A85EC53), (33, None)):
        h ^= h >> shift
        if mul is not None:
            h = (h * mul) & _M64
    return np.int64(_signed(h))


def new_dict() -> tuple[list, list, list, list, list]:
    """dict.new: five empty lists."""
    return ([], [], [], [], [])


def _raw_hash(k: Any) -> int:
    """typeinfer/dicts.py's `_raw_hash` of a key (tuples combine their elements' hashes)."""
    if isinstance(k, str):
        return int(str_hash(k))
    if isinstance(k, tuple):
        h = 0x345678
        for e in k:
            h = _signed((h ^ _raw_hash(e)) * 1000003)
        return h
    return int(hash_of(k))


def dict_from_python(items: list[tuple[Any, Any]]) -> tuple[list, list, list, list, list]:
    """The runtime dict of (key, value) pairs (already the emitted code's values), in order:
    hashes as the compiled code computes them, a table of the smallest power of two >= 8
    with room for one more entry at 2/3 load."""
    keys = [k for k, _ in items]
    vals = [v for _, v in items]
    hashes = [np.int64(_raw_hash(k) & _MASK) for k in keys]
    n = len(keys)
    size = 8
    while size * 2 < (n + 1) * 3:
        size *= 2
    table = [-1] * size
    for e, h in enumerate(hashes):
        slot = int(h) & (size - 1)
        while table[slot] != -1:
            slot = (slot + 1) & (size - 1)
        table[slot] = e
    return (keys, vals, hashes, table, [n, n])


def dict_to_python(d: tuple[list, list, list, list, list]) -> list[tuple[Any, Any]]:
    """The live (key, value) pairs of a runtime dict, in insertion order."""
    keys, vals, hashes = d[0], d[1], d[2]
    return [(keys[e], vals[e]) for e in range(len(keys)) if int(hashes[e]) >= 0]
