"""Shared bits of the benchmarks: timing, fresh function copies, and the ratio table.

Every benchmark runs ember and its anchor in one process on the same inputs and
prints ratios (ember / anchor: below 1.0 means ember is faster), because absolute
times on shared machines mean little.
"""
from __future__ import annotations

import importlib.util
import itertools
import sys
import tempfile
import textwrap
import timeit
from pathlib import Path
from typing import Any, Callable

_counter = itertools.count()
_tmp = Path(tempfile.mkdtemp(prefix="ember_bench_"))


def fresh_module(source: str) -> Any:
    """Import `source` as a brand-new module so every function in it is a new object
    (neither compiler has seen it: measures a real first compile)."""
    name = f"ember_bench_mod_{next(_counter)}"
    path = _tmp / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def settle() -> None:
    """Wait until ember's background O3 compiles are in (tiered compilation,
    docs/compile-time.md): steady-state timings must not measure the quick tier."""
    ember = sys.modules.get("ember")
    if ember is not None:
        ember.wait_compiled()


def per_call(fn: Callable[..., Any], args: tuple, number: int = 200_000, repeat: int = 5) -> float:
    """Best-of-`repeat` seconds per call of fn(*args)."""
    settle()
    timer = timeit.Timer("fn(*args)", globals={"fn": fn, "args": args})
    return min(timer.repeat(repeat=repeat, number=number)) / number


def best_time(fn: Callable[[], Any], repeat: int = 5) -> float:
    """Best-of-`repeat` seconds of one call of fn()."""
    settle()
    return min(timeit.repeat(fn, number=1, repeat=repeat))


def steady(fn: Callable[[], Any], budget: float = 0.1) -> float:
    """Best seconds per call of fn(), timing batches of about `budget` / 5 seconds, on O3
    code (after ember's background tier-up: docs/compile-time.md)."""
    settle()
    timer = timeit.Timer(fn)
    number, took = timer.autorange()
    number = max(1, int(number * budget / 5 / max(took, 1e-9)))
    return min(timer.repeat(repeat=5, number=number)) / number


def jax_or_none() -> Any:
    """jax with float64 on (the same arithmetic as ember), or None when not installed."""
    try:
        import jax
    except ImportError:
        print("jax is not installed (pip install -e .[bench]): no JAX columns.")
        return None
    jax.config.update("jax_enable_x64", True)
    return jax


def numba_or_none() -> Any:
    try:
        import numba
    except ImportError:
        print("numba is not installed (pip install -e .[bench]); nothing to compare against.")
        return None
    return numba


def table(title: str, rows: list[tuple[str, float, float]], unit: str, scale: float) -> list[float]:
    """Print `name  ember  anchor  ratio` rows; return the ratios."""
    print(f"\n{title}")
    print(f"  {'case':<28}{'ember':>12}{'numba':>12}{'ratio':>9}")
    ratios = []
    for name, ours, theirs in rows:
        r = ours / theirs
        ratios.append(r)
        print(f"  {name:<28}{ours * scale:>10.1f}{unit}{theirs * scale:>10.1f}{unit}{r:>8.2f}x")
    return ratios


def geomean(xs: list[float]) -> float:
    prod = 1.0
    for x in xs:
        prod *= x
    return prod ** (1.0 / len(xs))
