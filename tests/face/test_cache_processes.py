"""The disk cache across processes (`@ember.jit(cache=True)`, docs/caching.md): a hit in a
new process, invalidation (a callee edited in another module, a global constant, the
ember version), corrupted and truncated entries, two processes racing, and
`python -m ember cache list|clear`.

Each scenario runs fresh interpreters on a temporary package. The key includes a
fingerprint of ember's own sources, so a scenario whose processes saw different
fingerprints (someone edited ember meanwhile) is run again."""
import json
import os
import subprocess
import sys
import time

import pytest

HELPERS = """
FACTOR = 2.0

def scale(x):
    return x * FACTOR
"""

KERN = """
import math
import numpy as np
import ember
from pkg.helpers import scale

OFFSET = 1.0

@ember.jit(cache=True)
def f(x, n):
    s = 0.0
    for i in range(n):
        s += scale(x + i) + OFFSET
    return s

@ember.jit(cache=True)
def energy(x, k):
    e = 0.0
    for i in range(x.shape[0] - 1):
        d = x[i + 1] - x[i]
        e += k * d * d
    return e
"""

# Runs in the child: `out` and `checked` are what the test reads back.
PRELUDE = """
import json, sys, warnings
warnings.simplefilter("error")
import ember
from ember import disk_cache
"""

CALL_F = """
from pkg import kern
out = kern.f(1.5, 4)
assert out == kern.f.py_func(1.5, 4), (out, kern.f.py_func(1.5, 4))
hits = [s["cache"] for s in kern.f.stats.values()]
# a hit through the source key runs no frontend (docs/caching.md, "fast path")
fast = ["frontend" not in s for s in kern.f.stats.values()]
"""

EPILOGUE = """
print(json.dumps({"out": out, "hits": hits, "fast": globals().get("fast"),
                  "fp": disk_cache.compiler_fingerprint()}))
"""


@pytest.fixture(scope="module")
def pycache(tmp_path_factory):
    """One bytecode cache for every child of this file: each starts ~0.3 s sooner."""
    return tmp_path_factory.mktemp("pyc")


@pytest.fixture()
def pkg(tmp_path, pycache):
    root = tmp_path / "src"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "helpers.py").write_text(HELPERS)
    (root / "pkg" / "kern.py").write_text(KERN)
    (root / ".pyc").write_text(str(pycache))
    return root


def _env(pkg, cache_dir):
    env = dict(os.environ, PYTHONPATH=str(pkg), XDG_CACHE_HOME=str(pkg.parent / "xdg"),
               PYTHONPYCACHEPREFIX=(pkg / ".pyc").read_text())
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("EMBER_CACHE_DIR", None)
    if cache_dir is not None:
        env["EMBER_CACHE_DIR"] = str(cache_dir)
    return env


def run(pkg, cache_dir, body=CALL_F, setup=""):
    proc = subprocess.run([sys.executable, "-c", PRELUDE + setup + body + EPILOGUE],
                          env=_env(pkg, cache_dir), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def stable(scenario):
    """Run `scenario()` (a list of child results) until its processes agree on ember's
    source fingerprint."""
    for _ in range(4):
        results = scenario()
        if len({r["fp"] for r in results}) == 1:
            return results
    pytest.fail("ember's source files kept changing while the scenario ran")


def _clear(folder):
    for p in folder.rglob("*.embc") if folder.exists() else ():
        p.unlink()


def test_hit_across_processes_beside_the_source(pkg):
    body = CALL_F + """
import numpy as np
g = ember.grad(kern.energy)
x = np.linspace(0.0, 1.0, 6) ** 2
gx = g(x, 3.0)
expected = [3.0 * 2 * ((x[i] - x[i - 1] if i > 0 else 0) - (x[i + 1] - x[i] if i < 5 else 0))
            for i in range(6)]
assert np.allclose(gx, expected), (gx, expected)
hits += [s["cache"] for s in g.stats.values()]
assert "scf.for" in kern.f.inspect_ir("optimized") and kern.f.inspect_ir("asm").strip()
"""

    def scenario():
        _clear(pkg)
        return [run(pkg, None, body), run(pkg, None, body)]

    first, second = stable(scenario)
    assert first["hits"] == [0.0, 0.0] and second["hits"] == [1.0, 1.0]
    assert first["fast"] == [False] and second["fast"] == [True]
    assert first["out"] == second["out"]
    entries = sorted(p.name for p in (pkg / "pkg" / "__pycache__" / "ember").iterdir())
    assert any(n.startswith("pkg.kern.f-") for n in entries)
    assert any(n.startswith("pkg.kern.energy__grad-") for n in entries)


def test_what_the_code_depends_on_changing_recompiles(pkg, tmp_path):
    """A callee edited in another module, a global constant edited, a global changed at
    run time (in no file), the ember version bumped: each a miss with the right result."""
    cache = tmp_path / "cache"
    helpers, kern = pkg / "pkg" / "helpers.py", pkg / "pkg" / "kern.py"
    runtime_global = "import pkg.helpers\npkg.helpers.FACTOR = 3.0\n"
    bump = "ember.__version__ = '999.0'\n"

    def scenario():
        _clear(cache)
        helpers.write_text(HELPERS)
        kern.write_text(KERN)
        out = [run(pkg, cache)]
        helpers.write_text(HELPERS.replace("x * FACTOR", "x * FACTOR + 0.25"))
        out.append(run(pkg, cache))
        # (every edit changes the file's size: the children share a bytecode cache)
        kern.write_text(KERN.replace("OFFSET = 1.0", "OFFSET = 5.25"))
        out.append(run(pkg, cache))
        out.append(run(pkg, cache, setup=runtime_global))
        out.append(run(pkg, cache, setup=runtime_global + bump))
        out.append(run(pkg, cache, setup=runtime_global + bump))
        return out

    base, callee, const, changed, bumped, again = stable(scenario)
    # every child also checked its result against the Python function
    assert [r["hits"] for r in (base, callee, const, changed, bumped)] == [[0.0]] * 5
    assert callee["out"] == base["out"] + 4 * 0.25
    assert const["out"] == callee["out"] + 4 * 4.25
    assert changed["out"] != const["out"] and bumped["out"] == changed["out"]
    assert again["hits"] == [1.0] and again["fast"] == [True] and again["out"] == bumped["out"]


def test_damaged_entries_are_ignored_and_rewritten(pkg, tmp_path):
    cache = tmp_path / "cache"
    # (flipped bits, empty files, other format versions: test_cache_files.py)
    damages = {"truncated": lambda d: d[: len(d) // 2],
               "foreign": lambda d: b"\x7fELF" + os.urandom(len(d))}

    def scenario():
        _clear(cache)
        out = [run(pkg, cache)]
        for damage in damages.values():
            for entry in cache.glob("pkg.kern.f-*.embc"):
                entry.write_bytes(damage(entry.read_bytes()))
            out.append(run(pkg, cache))  # a miss, the right result, the entry rewritten
        out.append(run(pkg, cache))
        return out

    results = stable(scenario)
    assert [r["hits"] for r in results] == [[0.0]] * (1 + len(damages)) + [[1.0]]
    assert len({r["out"] for r in results}) == 1


def test_two_processes_compiling_at_once_both_succeed(pkg, tmp_path):
    cache = tmp_path / "cache"
    go = tmp_path / "go"
    wait = f"""
import os, time
while not os.path.exists({str(go)!r}):
    time.sleep(0.005)
"""

    def scenario():
        _clear(cache)
        if go.exists():
            go.unlink()
        procs = [subprocess.Popen([sys.executable, "-c", PRELUDE + wait + CALL_F + EPILOGUE],
                                  env=_env(pkg, cache), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        time.sleep(0.3)
        go.write_text("")
        out = []
        for p in procs:
            stdout, stderr = p.communicate(timeout=120)
            assert p.returncode == 0, stderr
            out.append(json.loads(stdout.strip().splitlines()[-1]))
        out.append(run(pkg, cache))
        return out

    a, b, after = stable(scenario)
    assert a["out"] == b["out"] == after["out"]
    assert after["hits"] == [1.0]
    assert not [p for p in cache.iterdir() if p.name.startswith(".tmp-")]


def test_cli_list_and_clear(pkg, tmp_path):
    cache = tmp_path / "cache"
    run(pkg, cache)

    def cli(*args):
        proc = subprocess.run([sys.executable, "-m", "ember", "cache", *args],
                              env=_env(pkg, cache), capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    (cache / "junk.embc").write_bytes(b"garbage")
    listed = cli("list")
    assert "function" in listed and "location" in listed
    line = next(l for l in listed.splitlines() if "pkg.kern.f-" in l)
    assert line.split()[0] == "f" and "(f64, i64) -> f64" in line
    assert "invalid entry" in listed and "junk.embc" in listed
    assert "source-key alias" in listed.splitlines()[-1]  # f's alias entry, not listed
    locations = lambda text: sorted(l.split()[-1] for l in text.splitlines()[1:-1])  # noqa: E731
    assert locations(cli("list", str(cache))) == locations(listed)
    cleared = cli("clear", str(cache))
    assert cleared.startswith("removed ")
    assert not list(cache.glob("*.embc"))
    assert "no ember cache entries" in cli("list")
