"""list.sort compiled once per process and called from every module that sorts
(backend/library.py): same results as CPython's sort, in both tiers, with nan, strings
and tuples."""
from __future__ import annotations

import math
import random

import ember
from ember.backend import library


def _sort_a(xs):
    ys = []
    for v in xs:
        ys.append(v)
    ys.sort()
    return ys


def _sort_b(xs, rev):
    ys = sorted(xs, reverse=rev)
    return ys


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        (isinstance(x, float) and math.isnan(x) and math.isnan(y)) or x == y and type(x) is type(y)
        for x, y in zip(a, b))


def _floats(n: int, seed: int, nans: bool) -> list[float]:
    rng = random.Random(seed)
    xs = [rng.choice([0.5, -1.0, 2.0, rng.random()]) for _ in range(n)]
    if nans:
        for i in range(0, n, 7):
            xs[i] = math.nan
    return xs


def test_two_functions_share_one_sort() -> None:
    a = ember.jit(_sort_a)
    b = ember.jit(_sort_b)
    for n, nans in ((1, False), (2, False), (50, False), (300, False), (300, True), (40, True)):
        xs = _floats(n, n, nans)
        assert _same(a(xs), sorted(xs))
        for rev in (False, True):
            assert _same(b(xs, rev), sorted(xs, reverse=rev))
    assert "sort__list_f64__bool" in library.shared_libraries()
    for f in (a, b):
        llvm = f.inspect_ir("llvm")
        assert "ember.lib.sort__list_f64__bool" in llvm  # declared and called
        assert "timsort" not in llvm  # not compiled into this module
    ember.wait_compiled()
    assert library.shared_libraries()["sort__list_f64__bool"]  # O3 code bound
    xs = _floats(500, 3, True)
    assert _same(a(xs), sorted(xs)) and _same(b(xs, True), sorted(xs, reverse=True))


def test_element_types() -> None:
    b = ember.jit(_sort_b)
    rng = random.Random(5)
    cases = [
        [rng.randrange(-5, 5) for _ in range(200)],
        [rng.random() < 0.5 for _ in range(100)],
        [rng.choice(["b", "a", "ab", "", "é", "ba"]) for _ in range(150)],
        [(rng.randrange(3), rng.random()) for _ in range(120)],
    ]
    for xs in cases:
        for rev in (False, True):
            assert b(xs, rev) == sorted(xs, reverse=rev)


def test_not_tiered_uses_o3_library_code() -> None:
    f = ember.jit(tiered=False)(_sort_a)
    xs = _floats(257, 9, True)
    assert _same(f(xs), sorted(xs))
    assert library.shared_libraries()["sort__list_f64__bool"]


def test_caller_error_table_has_the_library_errors() -> None:
    # a status the shared sort returns is mapped to the caller's own table entry
    f = ember.jit(_sort_a)
    f([2.0, 1.0])
    spec = next(iter(f.overloads.values()))
    assert any(exc == "MemoryError" for exc, _ in spec.compiled.error_table)


def _owns_another(xs):
    ys = []
    zs = [1, 2]
    for v in xs:
        ys.append(v)
    ys.sort()
    return len(zs) + ys[0]


def test_the_call_may_raise_for_error_cleanup() -> None:
    # the stub says the library may raise (MemoryError growing its scratch list), so
    # what the caller owns is released on that path as when the body was inlined
    from ember.ir.parser import parse_module
    from ember.ir.printer import print_module
    from ember.ir.verifier import verify_module

    f = ember.jit(_owns_another)
    assert f([3.0, 1.0]) == 3.0
    text = f.inspect_ir("optimized")
    call = text.index("func.call @sort__list_f64__bool")
    assert "scf.try" in text[:call] and "list.release %zs" in text[call:]
    stub = text[text.index("func @sort__list_f64__bool"):]
    assert 'library_symbol = "ember.lib.sort__list_f64__bool"' in stub and "cf.raise" in stub
    m = parse_module(text)
    verify_module(m, typed=True)
    assert print_module(m) == text


def _sort_arg_in_place(xs, rev):
    xs.sort(reverse=rev)
    return len(xs)


def test_sorted_list_argument_is_written_back() -> None:
    f = ember.jit(_sort_arg_in_place)
    for rev in (False, True):
        xs = _floats(100, 4, True)
        want = sorted(xs, reverse=rev)
        assert f(xs, rev) == 100
        assert _same(xs, want)
    ws = ["b", "a", "c"]
    f(ws, False)
    assert ws == ["a", "b", "c"]


CACHED_MODULE = '''
import ember

@ember.jit(cache=True)
def med(xs):
    ys = [x * 2.0 for x in xs]
    ys.sort()
    return ys[len(ys) // 2]

xs = [3.0, float("nan"), 1.0, 2.0, 0.5]
print(med(xs), [s.get("cache") for s in med.stats.values()])
'''


def test_cache_true_keeps_its_own_sort(tmp_path) -> None:
    # the disk cache stores self-contained object code: a hit in a new process needs no
    # library module (the sort is compiled into the cached function)
    import os
    import subprocess
    import sys

    src = tmp_path / "cached_sort.py"
    src.write_text(CACHED_MODULE)
    env = dict(os.environ, EMBER_CACHE_DIR=str(tmp_path / "cache"))
    outs = [subprocess.run([sys.executable, str(src)], env=env, capture_output=True,
                           text=True, timeout=120) for _ in range(2)]
    for out in outs:
        assert out.returncode == 0, out.stderr
    xs = [x * 2.0 for x in [3.0, float("nan"), 1.0, 2.0, 0.5]]
    xs.sort()
    want = repr(xs[len(xs) // 2])
    assert outs[0].stdout.split()[0] == want and "[0.0]" in outs[0].stdout
    assert outs[1].stdout.split()[0] == want and "[1.0]" in outs[1].stdout


def test_deferred_tier_up_runs_at_wait() -> None:
    # a library's O3 compile waits for the next scheduled module, or for wait_compiled
    from ember.backend import tiering

    ran: list[object] = []
    job = tiering.TierUp("define i32 @ember_lib_test() {\n  ret i32 7\n}\n", "lib_test", True,
                         ran.append)
    tiering.defer(job)
    assert tiering.pending() >= 1
    assert tiering.wait_all(timeout=60)
    assert job.state == "done" and len(ran) == 1 and job.error is None
