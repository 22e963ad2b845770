"""The on-disk compile cache behind `@ember.jit(cache=True)` (docs/caching.md).

ember/compiler.py hashes the printed typed IR of a specialization (`key_for`) and
asks `get_or_compile` for its machine code: from this process's memory, from an
entry file, or compiled now and stored. The key covers everything the machine code
depends on: the typed IR of the entry and of every callee it reaches (so the
captured globals and constants, and helpers in other modules), the compile
options, the target (triple, CPU, features), the ember version and a fingerprint
of ember's own source files, llvmlite and LLVM, CPython and NumPy versions.

Where entries live (`folders`): `EMBER_CACHE_DIR` when it is set; otherwise
`__pycache__/ember/` beside the function's source file, or the user cache folder
(`$XDG_CACHE_HOME/ember`, default `~/.cache/ember`) when that cannot be written or
the function has no source file. A folder that cannot be written is never an
error: the function is compiled as usual and one `ember.errors.CacheWarning` says
so. A file that is not a valid entry is ignored and rewritten (ember/cache_files.py).
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Callable

from ember.cache_files import FORMAT, SUFFIX, read_entry, write_entry

_lock = threading.RLock()
# key -> the compiled function already in this process's engine: an object file is
# loaded once (its symbol names are the key's), every later request reuses it.
_loaded: dict[str, Any] = {}
_warned: set[str] = set()
_fingerprint: str | None = None

# The packages whose source decides what the machine code is.
_PACKAGES = ("ember", "ember.frontend", "ember.typeinfer", "ember.ir", "ember.autodiff",
             "ember.backend")


def _ember_version() -> str:
    import ember

    return str(getattr(ember, "__version__", "0"))


def compiler_fingerprint() -> str:
    """A hash of the names, sizes and modification times of ember's own source files:
    a development checkout whose compiler changed does not reuse old machine code."""
    global _fingerprint
    if _fingerprint is None:
        h = hashlib.sha256()
        seen: set[str] = set()
        for pkg in _PACKAGES:
            spec = importlib.util.find_spec(pkg)
            for root in (spec.submodule_search_locations or []) if spec else []:
                for dirpath, _dirs, files in sorted(os.walk(root)):
                    for fn in sorted(files):
                        path = os.path.join(dirpath, fn)
                        if not fn.endswith(".py") or path in seen:
                            continue
                        seen.add(path)
                        st = os.stat(path)
                        h.update(f"{pkg}/{fn}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        _fingerprint = h.hexdigest()
    return _fingerprint


def _environment() -> list[str]:
    import llvmlite
    import numpy

    from ember.backend.engine import shared

    st = shared()
    return [
        f"format {FORMAT}", f"ember {_ember_version()}", f"compiler {compiler_fingerprint()}",
        f"target {st.triple} {st.cpu} {st.features}",
        f"llvmlite {llvmlite.__version__} llvm {st.llvm.llvm_version_info}",
        f"python {sys.implementation.cache_tag} {sys.version_info[:3]}",
        f"numpy {numpy.__version__}",
    ]


def key_for(ir_text: str, options: dict[str, Any], kind: str) -> str:
    """The cache key (hex sha256) of a specialization whose printed typed IR is `ir_text`."""
    h = hashlib.sha256()
    opts = sorted((k, repr(v)) for k, v in options.items() if k != "cache")
    for part in (*_environment(), f"options {opts}", f"kind {kind}", ir_text):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def source_key_for(py_func: Any, arg_types: tuple[Any, ...], options: dict[str, Any]) -> str | None:
    """The key of the fast path (ember/source_key.py), or None when the function reads
    something that key cannot cover."""
    from ember.source_key import source_key

    opts = sorted((k, repr(v)) for k, v in options.items() if k != "cache")
    return source_key(py_func, [*_environment(), f"options {opts}",
                                "args " + ", ".join(map(str, arg_types)), "kind jit"])


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ember"


def folders(py_func: Any) -> list[Path]:
    """Where the entries of `py_func` are read and written, in order of preference."""
    env = os.environ.get("EMBER_CACHE_DIR")
    if env:
        return [Path(env)]
    out = []
    src = getattr(getattr(py_func, "__code__", None), "co_filename", "")
    if src and os.path.isfile(src):
        out.append(Path(src).resolve().parent / "__pycache__" / "ember")
    out.append(user_cache_dir())
    return out


def default_roots() -> list[Path]:
    """What `python -m ember cache list|clear` looks at without a folder argument."""
    env = os.environ.get("EMBER_CACHE_DIR")
    if env:
        return [Path(env)]
    return [user_cache_dir(), Path.cwd()]


def entry_name(py_func: Any, symbol: str, key: str) -> str:
    module = getattr(py_func, "__module__", None) or "module"
    raw = f"{module}.{symbol}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", raw)[:100] + f"-{key[:32]}{SUFFIX}"


Load = Callable[[bytes, dict[str, Any]], Any]
Build = Callable[[str], Any]


def _alias_name(py_func: Any, source_key: str) -> str:
    return entry_name(py_func, getattr(py_func, "__name__", "f"), "s" + source_key)


def lookup_source(py_func: Any, source_key: str, load: Load) -> tuple[Any, dict[str, Any]] | None:
    """The compiled function stored under `source_key` (an alias entry: a copy of the
    entry its IR key names, written by `get_or_compile`) and that entry's metadata, or
    None. `load(code, meta)` as for `get_or_compile`, with the whole metadata."""
    _use_cached_runtime()
    with _lock:
        name = _alias_name(py_func, source_key)
        for folder in folders(py_func):
            entry = read_entry(folder / name)
            if entry is None or entry.meta.get("key") != source_key or not entry.meta.get("alias"):
                continue
            ir_key = str(entry.meta.get("ir_key"))
            found = _loaded.get(ir_key)
            if found is None:
                try:
                    found = load(entry.code, entry.meta)
                except (KeyError, TypeError, ValueError):
                    found = None
                if found is None:
                    continue
                _loaded[ir_key] = found
            return found, entry.meta
    return None


def get_or_compile(py_func: Any, key: str, label: dict[str, Any], load: Load,
                   build: Build, source_key: str | None = None) -> tuple[Any, bool]:
    """The compiled function for `key` and whether it came from a cache.

    `load(code, record)` turns a stored entry into a compiled function (None: unusable
    here); `build(suffix)` compiles it as an object file whose symbols carry `suffix`
    (a CompiledFunction, ember.backend.object_code). `label` (function, signature,
    source) is stored for `python -m ember cache list`. With a `source_key`, the entry
    is also stored under it (an alias), for `lookup_source` in later processes."""
    from ember.backend.object_code import object_record

    _use_cached_runtime()
    with _lock:
        found = _loaded.get(key)
        if found is not None:
            return found, True
        dirs = folders(py_func)
        name = entry_name(py_func, str(label.get("function", "f")), key)
        for folder in dirs:
            entry = read_entry(folder / name)
            if entry is None or entry.meta.get("key") != key:
                continue
            try:
                compiled = load(entry.code, entry.meta["record"])
            except (KeyError, TypeError, ValueError):
                compiled = None
            if compiled is not None:
                _loaded[key] = compiled
                if source_key is not None:
                    _store_alias(dirs, py_func, source_key, key, dict(entry.meta, **label),
                                 entry.code)
                return compiled, True
        compiled = build(f".k{key[:16]}")
        _loaded[key] = compiled
        meta = dict(label, key=key, created=time.time(), ember=_ember_version(),
                    record=object_record(compiled))
        if _store(dirs, name, meta, compiled.engine.object_code) and source_key is not None:
            _store_alias(dirs, py_func, source_key, key, meta, compiled.engine.object_code)
        return compiled, False


def _store_alias(dirs: list[Path], py_func: Any, source_key: str, key: str,
                 meta: dict[str, Any], code: bytes) -> None:
    alias = dict(meta, key=source_key, ir_key=key, alias=True)
    for folder in dirs:
        try:
            write_entry(folder, _alias_name(py_func, source_key), alias, code)
            return
        except OSError:
            continue


def _store(dirs: list[Path], name: str, meta: dict[str, Any], code: bytes) -> bool:
    """Write the entry in the first folder that takes it; False (and a warning) if none."""
    error: OSError | None = None
    for folder in dirs:
        try:
            write_entry(folder, name, meta, code)
            return True
        except OSError as e:
            error = e
    where = str(dirs[-1])
    if where not in _warned:
        _warned.add(where)
        from ember.errors import CacheWarning

        warnings.warn(f"ember: cannot write the compile cache in {where} ({error}); "
                      "compiled without caching", CacheWarning, stacklevel=2)
    return False


def _use_cached_runtime() -> None:
    """From now on the runtime helpers come through the cache (if not loaded yet)."""
    from ember.backend import engine

    engine.runtime_loader = _runtime_loader


def _runtime_loader(make_ir: Callable[[], str], names: list[str],
                    variables: tuple[str, ...]) -> dict[str, int]:
    """The runtime helpers (backend/runtime_helpers.py) through the cache: compiling them
    costs ~50 ms of a cold process's first call, loading them ~1 ms. Their IR is made
    from ember's sources alone, which the key's fingerprint covers, so it is only made
    on a miss. Kept in EMBER_CACHE_DIR or the user cache folder; a folder that cannot be
    written is skipped silently (the function's own entry warns)."""
    from ember.backend.object_code import load_runtime_object

    h = hashlib.sha256()
    for part in (*_environment(), "runtime", repr(names), repr(variables)):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    key = h.hexdigest()
    env = os.environ.get("EMBER_CACHE_DIR")
    folder = Path(env) if env else user_cache_dir()
    name = f"ember_runtime-{key[:32]}{SUFFIX}"
    entry = read_entry(folder / name)
    stored = entry.code if entry is not None and entry.meta.get("key") == key else None
    addresses, made = load_runtime_object(make_ir, names, variables, stored)
    if made is not None:
        meta = {"key": key, "function": "ember runtime helpers", "qualname": "(runtime)",
                "signature": "", "source": "", "created": time.time(),
                "ember": _ember_version()}
        try:
            write_entry(folder, name, meta, made)
        except OSError:
            pass
    return addresses
