"""Issue 4 benchmark: containers in compiled code, ember against Numba and CPython.

Three kinds of kernels run side by side in one process on the same inputs:

- record-heavy: a damped oscillator whose parameters come in a literal-key dict read in
  the inner loop. Four versions: ember with the dict passed as an argument (a record
  specialized on its keys), ember with the same parameters as scalar arguments (the
  target: as fast), Numba (which cannot take a dict argument: the dict literal is built
  inside the function) and CPython.
- list-heavy (kernels_containers.py): append in a loop then sort, returning the median or
  the whole list, the same over a list argument, sorted(reverse=True) of a list argument,
  and a sort of ints with many ties.
- dict-heavy (kernels_containers.py): counting into a dict keyed by ints and by strs.
  Numba runs the same loops over numba.typed.Dict.

Ratios are ember / anchor: below 1.0x means ember is faster. Numba is optional. The
container kernels report the median of REPEAT calls interleaved with Numba's (the record
kernel and CPython: the best of a few).

    python benchmarks/bench_containers.py
"""
from __future__ import annotations

import statistics
import time
import warnings
from typing import Any, Callable, Optional

from _harness import best_time, numba_or_none
from kernels_containers import (build_numba_dict_kernels, collect, collect_ints, collect_list,
                                count_int, count_str, make_floats, make_words, sort_arg,
                                sorted_desc)

import ember
from ember.ir.errors import CompileError


def osc_dict(params, x, v, steps):
    for _ in range(steps):
        a = -params["k"] * x - params["c"] * v
        x, v = x + params["dt"] * v, v + params["dt"] * a
    return x + v


def osc_scalar(k, c, dt, x, v, steps):
    for _ in range(steps):
        a = -k * x - c * v
        x, v = x + dt * v, v + dt * a
    return x + v


def osc_literal(x, v, steps):
    params = {"k": 1.5, "c": 0.1, "dt": 0.001}
    for _ in range(steps):
        a = -params["k"] * x - params["c"] * v
        x, v = x + params["dt"] * v, v + params["dt"] * a
    return x + v


def record_kernel(numba: Any) -> None:
    params = {"k": 1.5, "c": 0.1, "dt": 0.001}
    steps = 2_000_000
    e_dict, e_scalar, e_lit = ember.jit(osc_dict), ember.jit(osc_scalar), ember.jit(osc_literal)
    want = osc_dict(params, 1.0, 0.0, 1000)
    assert e_dict(params, 1.0, 0.0, 1000) == want == e_scalar(1.5, 0.1, 0.001, 1.0, 0.0, 1000)
    assert e_lit(1.0, 0.0, 1000) == want
    t_dict = best_time(lambda: e_dict(params, 1.0, 0.0, steps))
    t_scalar = best_time(lambda: e_scalar(1.5, 0.1, 0.001, 1.0, 0.0, steps))
    t_lit = best_time(lambda: e_lit(1.0, 0.0, steps))
    t_py = best_time(lambda: osc_dict(params, 1.0, 0.0, steps // 100), repeat=3) * 100
    print(f"\nrecord-heavy kernel ({steps} steps)")
    print(f"  ember, dict argument      {t_dict * 1e3:9.2f} ms")
    print(f"  ember, literal dict       {t_lit * 1e3:9.2f} ms")
    print(f"  ember, scalar arguments   {t_scalar * 1e3:9.2f} ms")
    print(f"  CPython, dict argument    {t_py * 1e3:9.2f} ms (extrapolated from 1/100 of the steps)")
    print(f"  dict arg / scalar args    {t_dict / t_scalar:9.2f}x  (target <= 1.0x)")
    print(f"  ember dict arg / CPython  {t_dict / t_py:9.4f}x")
    if numba is not None:
        n_lit = numba.njit(osc_literal)
        assert n_lit(1.0, 0.0, 1000) == want
        t_nb = best_time(lambda: n_lit(1.0, 0.0, steps))
        print(f"  numba, literal dict       {t_nb * 1e3:9.2f} ms")
        print(f"  ember dict arg / numba    {t_dict / t_nb:9.2f}x  (target <= 1.0x)")
        print(f"  ember literal / numba     {t_lit / t_nb:9.2f}x")


REPEAT = 9  # interleaved timed calls of each container kernel: their median is reported
N = 300_000  # elements appended / counted per call: the container kernels take ~10-100 ms
Variant = tuple[str, Callable[..., Any], tuple]  # (label, function, arguments)


def first_line(err: BaseException) -> str:
    text = str(err).strip()
    return f"{type(err).__name__}: {text.splitlines()[0] if text else ''}"


def compile_ember(py: Callable[..., Any], args: tuple, want: Any, unexpected: list[str],
                  pending: bool) -> Optional[Callable[..., Any]]:
    """ember.jit(py) checked on `args` against CPython's `want`; None (after saying why)
    when ember cannot compile it or gets a different answer. A compile error is expected
    only for a `pending` feature (dynamic dicts while they are being written)."""
    name = py.__name__
    fn = ember.jit(py)
    try:
        got = fn(*args)
    except CompileError as err:
        if pending:
            print(f"  {name}: ember: not supported yet ({first_line(err)})")
        else:
            print(f"  {name}: ember: FAILED to compile ({first_line(err)})")
            unexpected.append(name)
        return None
    except Exception as err:  # a crash or wrong exception is an ember bug: report, go on
        print(f"  {name}: ember: FAILED ({first_line(err)})")
        unexpected.append(name)
        return None
    if got != want:
        print(f"  {name}: ember: WRONG RESULT {str(got)[:60]} != CPython {str(want)[:60]}")
        unexpected.append(name)
        return None
    return fn


def check_numba(label: str, fn: Callable[..., Any], args: tuple, want: Any) -> bool:
    got = fn(*args)  # compiles: timing starts after this call
    if got != want:
        print(f"  {label}: numba gives {str(got)[:60]} != CPython {str(want)[:60]}; not timed")
        return False
    return True


def cell(t: Optional[float]) -> str:
    return f"{t * 1e3:10.2f}ms" if t is not None else f"{'n/a':>12}"


def ratio(a: Optional[float], b: Optional[float]) -> str:
    return f"{a / b:9.2f}x" if a is not None and b is not None else f"{'n/a':>10}"


def paired_medians(fns: list[Callable[[], Any]], repeat: int = REPEAT) -> list[float]:
    """Median seconds of one call of each fn. The calls are interleaved (ember, numba,
    ember, numba, ...) so that a slow stretch of a shared machine hits every runtime
    alike, and the median (not the best) is what a user sees run after run."""
    times: list[list[float]] = [[] for _ in fns]
    ember.wait_compiled()  # time O3 code, not the quick tier (docs/compile-time.md)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return [statistics.median(ts) for ts in times]


def run_case(case: str, py: Callable[..., Any], args: tuple, numba_variants: list[Variant],
             unexpected: list[str], pending: bool = False
             ) -> list[tuple[str, Optional[float], Optional[float], float]]:
    """Time one kernel in ember, each Numba variant and CPython; one table row per variant
    (a variant's label says how Numba gets its argument when there are several ways)."""
    want = py(*args)
    fn = compile_ember(py, args, want, unexpected, pending)
    timed: list[Callable[[], Any]] = []
    if fn is not None:
        timed.append(lambda: fn(*args))
    ok = []
    for label, nb, nb_args in numba_variants:
        name = f"{case} ({label})" if label else case
        ok.append(check_numba(name, nb, nb_args, want))
        if ok[-1]:
            timed.append(lambda nb=nb, nb_args=nb_args: nb(*nb_args))
    medians = iter(paired_medians(timed))
    t_ember = next(medians) if fn is not None else None
    t_py = best_time(lambda: py(*args), repeat=3)
    rows = []
    for (label, _, _), good in zip(numba_variants, ok):
        name = f"{case} ({label})" if label else case
        rows.append((name, t_ember, next(medians) if good else None, t_py))
    if not numba_variants:
        rows.append((case, t_ember, None, t_py))
    return rows


def print_table(title: str, rows: list[tuple[str, Optional[float], Optional[float], float]]) -> None:
    print(f"\n{title}")
    print(f"  {'case':<52}{'ember':>12}{'numba':>12}{'CPython':>12}{'e/numba':>10}{'e/CPython':>10}")
    for name, t_e, t_nb, t_py in rows:
        print(f"  {name:<52}{cell(t_e)}{cell(t_nb)}{cell(t_py)}{ratio(t_e, t_nb)}{ratio(t_e, t_py)}")


def run_container_kernels(numba: Any) -> list[str]:
    """The list-heavy and dict-heavy kernels; returns the kernels ember failed unexpectedly."""
    unexpected: list[str] = []
    floats, words = make_floats(N), make_words(N)
    nb_list: dict[str, Any] = {}
    nb_dict: dict[str, Any] = {}
    typed_floats = typed_words = None
    if numba is not None:
        # Reflected-list arguments are deprecated in Numba but are its only way to take the
        # same Python list ember takes; the typed.List rows are built outside the timing.
        warnings.simplefilter("ignore", numba.NumbaPendingDeprecationWarning)
        nb_list = {f.__name__: numba.njit(f) for f in (collect, collect_list, sort_arg,
                                                       sorted_desc, collect_ints)}
        nb_dict = build_numba_dict_kernels(numba)
        typed_floats, typed_words = numba.typed.List(floats), numba.typed.List(words)

    def variants(name: str, args: tuple, typed_args: Optional[tuple] = None) -> list[Variant]:
        if numba is None:
            return []
        fn = nb_list.get(name) or nb_dict[name]
        out: list[Variant] = [("list arg" if typed_args else "", fn, args)]
        if typed_args is not None:
            out.append(("typed.List arg", fn, typed_args))
        return out

    list_rows = run_case("collect: append, sort, median", collect, (N, 7),
                         variants("collect", (N, 7)), unexpected)
    list_rows += run_case("collect_list: returns the list", collect_list, (N, 7),
                          variants("collect_list", (N, 7)), unexpected)
    list_rows += run_case("sort_arg", sort_arg, (floats,),
                          variants("sort_arg", (floats,), (typed_floats,)), unexpected)
    list_rows += run_case("sorted_desc: sorted(reverse=True)", sorted_desc, (floats,),
                          variants("sorted_desc", (floats,), (typed_floats,)), unexpected)
    list_rows += run_case("collect_ints: int keys, ties", collect_ints, (N, 7),
                          variants("collect_ints", (N, 7)), unexpected)
    print_table(f"list-heavy kernels (n = {N}; ratios ember / anchor, target <= 1.0x numba)",
                list_rows)
    dict_rows = run_case("count_int: int keys", count_int, (N, 7),
                         variants("count_int", (N, 7)), unexpected, pending=True)
    dict_rows += run_case("count_str", count_str, (words,),
                          variants("count_str", (words,), (typed_words,)), unexpected,
                          pending=True)
    print_table(f"dict-heavy kernels (n = {N}, 1000 int keys / 100 str keys)", dict_rows)
    return unexpected


def main() -> None:
    numba = numba_or_none()
    record_kernel(numba)
    unexpected = run_container_kernels(numba)
    if unexpected:
        raise SystemExit(f"ember failed unexpectedly on: {', '.join(unexpected)}")


if __name__ == "__main__":
    main()
