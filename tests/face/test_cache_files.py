"""The disk cache in one process: the entry file format (a bad file is never trusted),
atomic writes, the folder policy, an unwritable folder (a warning, never an error), and
what a cached specialization offers (stats, inspect_ir). Cross-process behaviour is in
test_cache_processes.py."""
import hashlib
import textwrap
import uuid
import warnings

import pytest

import ember
from ember import cache_files, disk_cache
from ember.errors import CacheWarning


def _entry(code: bytes = b"\x7fELF object code") -> bytes:
    return cache_files.encode_entry({"key": "k", "function": "f"}, code)


def test_round_trip():
    e = cache_files.decode_entry(_entry())
    assert e is not None and e.meta == {"key": "k", "function": "f"}
    assert e.code == b"\x7fELF object code"


@pytest.mark.parametrize("cut", [0, 5, 20, 52, -1])
def test_truncated_entry_is_rejected(cut):
    data = _entry()
    assert cache_files.decode_entry(data[:cut]) is None


def test_corrupted_entry_is_rejected():
    data = bytearray(_entry())
    for i in (0, 9, 20, 60, len(data) - 1):  # magic, format, length, checksum, payload
        bad = bytearray(data)
        bad[i] ^= 0x40
        assert cache_files.decode_entry(bytes(bad)) is None, i


def test_foreign_files_are_rejected():
    assert cache_files.decode_entry(b"") is None
    assert cache_files.decode_entry(b"not an ember cache entry at all" * 10) is None
    # the right magic and a consistent checksum, but another format version
    payload = b"\x02\x00\x00\x00{}" + b"code"
    other = cache_files._HEADER.pack(cache_files.MAGIC, cache_files.FORMAT + 1, len(payload),
                                     hashlib.sha256(payload).digest()) + payload
    assert cache_files.decode_entry(other) is None
    # a consistent entry whose metadata is not a JSON object
    payload = b"\x02\x00\x00\x00[]"
    bad_meta = cache_files._HEADER.pack(cache_files.MAGIC, cache_files.FORMAT, len(payload),
                                        hashlib.sha256(payload).digest()) + payload
    assert cache_files.decode_entry(bad_meta) is None


def test_write_is_atomic_and_leaves_no_temporary(tmp_path):
    path = cache_files.write_entry(tmp_path / "a" / "b", "x.embc", {"key": "1"}, b"one")
    cache_files.write_entry(tmp_path / "a" / "b", "x.embc", {"key": "2"}, b"two")
    assert [p.name for p in path.parent.iterdir()] == ["x.embc"]
    assert cache_files.read_entry(path).code == b"two"
    size = path.stat().st_size
    assert cache_files.clear_entries(tmp_path / "a" / "b") == (1, size)
    assert not path.exists()


def test_entry_files_of_a_cache_folder_or_a_source_tree(tmp_path):
    entry = cache_files.encode_entry({"key": "k"}, b"code")
    wanted = [tmp_path / "top.embc", tmp_path / "pkg" / "__pycache__" / "ember" / "m.f-1.embc",
              tmp_path / "pkg" / "sub" / "__pycache__" / "ember" / "m.g-2.embc"]
    ignored = [tmp_path / "pkg" / "other" / "stray.embc", tmp_path / ".hidden" / "__pycache__"
               / "ember" / "h.embc", tmp_path / ".tmp-123.embc"]
    for path in wanted + ignored:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(entry)
    assert sorted(cache_files.entry_files(tmp_path)) == sorted(wanted)
    removed, _ = cache_files.clear_entries(tmp_path)
    assert removed == len(wanted) + 1  # and the leftover temporary file
    assert all(not p.exists() for p in wanted) and (tmp_path / "pkg" / "other" / "stray.embc").exists()


def test_folders(monkeypatch, tmp_path):
    monkeypatch.delenv("EMBER_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    src = tmp_path / "mod.py"
    src.write_text("def f(x):\n    return x\n")
    ns: dict = {}
    exec(compile(src.read_text(), str(src), "exec"), ns)
    assert disk_cache.folders(ns["f"]) == [tmp_path / "__pycache__" / "ember",
                                           tmp_path / "xdg" / "ember"]
    # no source file (exec of a string): the user cache folder only
    exec("def g(x):\n    return x\n", ns)
    assert disk_cache.folders(ns["g"]) == [tmp_path / "xdg" / "ember"]
    monkeypatch.setenv("EMBER_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert disk_cache.folders(ns["f"]) == [tmp_path / "elsewhere"]


def _unique_function(tmp_path):
    """A jitted function whose IR no other test compiles (a key of its own)."""
    tag = uuid.uuid4().int % 10**9
    src = tmp_path / f"unique_{tag}.py"
    src.write_text(textwrap.dedent(f"""
        import ember

        @ember.jit(cache=True)
        def f(x, n):
            s = 0.0
            for i in range(n):
                s += x * i + {tag}.0
            return s
    """))
    ns: dict = {"__name__": src.stem}
    exec(compile(src.read_text(), str(src), "exec"), ns)
    return ns["f"], float(tag)


def test_unwritable_folder_warns_and_compiles(monkeypatch, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("EMBER_CACHE_DIR", str(blocker / "cache"))
    f, tag = _unique_function(tmp_path)
    with pytest.warns(CacheWarning, match="cannot write the compile cache"):
        assert f(2.0, 3) == 2.0 * 3 + 3 * tag
    assert list(f.stats.values())[0]["cache"] == 0.0


def test_cached_specialization_in_process(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBER_CACHE_DIR", str(tmp_path / "cache"))
    f, tag = _unique_function(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        assert f(1.0, 4) == 6.0 + 4 * tag
    assert list(f.stats.values())[0]["cache"] == 0.0
    files = list((tmp_path / "cache").glob("*.embc"))
    assert any(p.name.startswith(f"{f.__module__}.f-") for p in files)
    # another dispatcher of the same function: the machine code loaded in this process
    again = ember.jit(f.py_func, cache=True)
    assert again(1.0, 4) == f(1.0, 4)
    assert list(again.stats.values())[0]["cache"] == 1.0
    # every stage can still be shown, recomputed on demand
    assert "scf.for" in again.inspect_ir("typed")
    assert "func @f" in again.inspect_ir("optimized")
    assert "define" in again.inspect_ir("llvm")
    assert again.inspect_ir("asm").strip()
    # without cache=True nothing goes through the cache
    plain = ember.jit(f.py_func)
    assert plain(1.0, 4) == f(1.0, 4)
    assert "cache" not in list(plain.stats.values())[0]


def test_grad_cache_option(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBER_CACHE_DIR", str(tmp_path / "cache"))
    f, tag = _unique_function(tmp_path)
    plain = f.py_func
    g = ember.grad(plain, cache=True)
    assert g(2.0, 3) == 0.0 + 1.0 + 2.0
    assert [s["cache"] for s in g.stats.values()] == [0.0]
    assert list((tmp_path / "cache").glob("*.f__grad-*.embc"))
    vg = ember.value_and_grad(plain, cache=False)
    assert vg(2.0, 3) == (plain(2.0, 3), 3.0)
    assert "cache" not in list(vg.stats.values())[0]
    with pytest.raises(TypeError, match="'cache' must be bool"):
        ember.grad(plain, cache=1)
    with pytest.raises(TypeError, match="cache"):
        ember.jit(plain, cache="yes")


def _load(tmp_path, name, source):
    src = tmp_path / f"{name}.py"
    src.write_text(textwrap.dedent(source))
    ns: dict = {"__name__": name}
    exec(compile(src.read_text(), str(src), "exec"), ns)
    return ns, src


SOURCE_KEY_MODULE = """
    import math
    import numpy as np
    import ember

    SCALE = 2.0
    TABLE = [1.0, 2.0]

    @ember.jit
    def helper(x):
        return math.sin(x) * SCALE

    def f(a, x):
        return np.sum(a) + helper(x)

    def uses_list(x):
        return x + TABLE[0]
"""


def test_source_key(tmp_path):
    from ember.source_key import source_key

    ns, src = _load(tmp_path, "sk_mod", SOURCE_KEY_MODULE)
    k1 = source_key(ns["f"], ["env"])
    assert k1 is not None and k1 == source_key(ns["f"], ["env"])
    assert source_key(ns["f"], ["other env"]) != k1
    ns["SCALE"] = 3.0  # a global the callee reads, changed at run time
    assert source_key(ns["f"], ["env"]) != k1
    ns["SCALE"] = 2.0
    assert source_key(ns["f"], ["env"]) == k1
    # a list (its contents can change unseen): no source key, the IR key decides
    assert source_key(ns["uses_list"], ["env"]) is None
    # the file changed (even where f does not look): another key
    src.write_text(src.read_text() + "\n# edited\n")
    assert source_key(ns["f"], ["env"]) != k1
    # no source file (exec of a string): no source key
    exec("def g(x):\n    return x\n", ns)
    assert source_key(ns["g"], ["env"]) is None


def test_threads_share_one_cached_compile(monkeypatch, tmp_path):
    import threading

    monkeypatch.setenv("EMBER_CACHE_DIR", str(tmp_path / "cache"))
    f, tag = _unique_function(tmp_path)
    # several dispatchers of one function, called from several threads at once
    fns = [f] + [ember.jit(f.py_func, cache=True) for _ in range(3)]
    results: list = []
    barrier = threading.Barrier(len(fns))

    def call(fn):
        barrier.wait()
        results.append(fn(1.5, 10))

    threads = [threading.Thread(target=call, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [f.py_func(1.5, 10)] * len(fns)
    hits = sorted(list(fn.stats.values())[0]["cache"] for fn in fns)
    assert hits == [0.0] + [1.0] * (len(fns) - 1)  # compiled once, loaded by the others


def test_unwritable_source_folder_falls_back_to_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("EMBER_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (tmp_path / "__pycache__").write_text("a file where the folder should be")
    f, tag = _unique_function(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)  # a documented fallback: no warning
        assert f(1.0, 2) == 1.0 + 2 * tag
    assert list((tmp_path / "xdg" / "ember").glob(f"{f.__module__}.f-*.embc"))
