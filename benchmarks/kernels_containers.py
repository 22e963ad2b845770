"""Kernels of the issue-4 container benchmark, shared by bench_containers.py and the
end-to-end test that checks each ember kernel against CPython.

The plain functions are the code ember and CPython run (and Numba too, for the list
kernels). Numba cannot type an empty `{}` from its later use, so its dict kernels are the
same algorithm over `numba.typed.Dict.empty(...)`, built by `build_numba_dict_kernels`.
"""
from __future__ import annotations

from typing import Any, Callable

# A linear congruential generator (the C rand() constants) keeps every kernel
# deterministic and identical across the three runtimes without numpy.


def collect(n, seed):
    """List-heavy: append n pseudo-random floats, sort, return the median."""
    xs = []
    x = seed
    for i in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        xs.append(x * 1.0 / 2147483648)
    xs.sort()
    return xs[n // 2]


def collect_list(n, seed):
    """collect, returning the sorted list itself (adds the cost of boxing it)."""
    xs = []
    x = seed
    for i in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        xs.append(x * 1.0 / 2147483648)
    xs.sort()
    return xs


def sort_arg(xs):
    """A list argument (converted on the way in), appended from and sorted."""
    ys = []
    for v in xs:
        ys.append(v * 2.0)
    ys.sort()
    return ys[len(ys) // 2]


def sorted_desc(xs):
    """sorted() of a list argument, descending (one copy, then the sort in place)."""
    ys = sorted(xs, reverse=True)
    return ys[len(ys) // 3]


def collect_ints(n, seed):
    """collect over ints: many equal keys (values below 1000), sorted stably."""
    xs = []
    x = seed
    for i in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        xs.append(x % 1000)
    xs.sort()
    return xs[n // 2] + xs[n // 5]


def count_int(n, seed):
    """Dict-heavy, int keys: count x % 1000 over a pseudo-random sequence."""
    counts = {}
    x = seed
    for i in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        k = x % 1000
        counts[k] = counts.get(k, 0) + 1
    return len(counts), counts.get(7, 0)


def count_str(words):
    """Dict-heavy, str keys: count the words of a list."""
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return len(counts), counts.get(words[0], 0)


def make_floats(n: int, seed: int = 11) -> list[float]:
    """n pseudo-random floats in [0, 1): the argument of sort_arg."""
    out = []
    x = seed
    for _ in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        out.append(x / 2147483648)
    return out


def make_words(n: int, distinct: int = 100, seed: int = 5) -> list[str]:
    """n words drawn pseudo-randomly from `distinct` different ones: the argument of count_str."""
    vocab = [f"word{i:03d}" for i in range(distinct)]
    out = []
    x = seed
    for _ in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        out.append(vocab[(x >> 8) % distinct])
    return out


def build_numba_dict_kernels(numba: Any) -> dict[str, Callable[..., Any]]:
    """count_int and count_str for Numba: the same loops over typed dicts whose key and
    value types are given up front (Numba cannot infer them from an empty `{}`)."""
    Dict = numba.typed.Dict
    i64 = numba.types.int64
    ustr = numba.types.unicode_type

    @numba.njit
    def nb_count_int(n, seed):
        counts = Dict.empty(i64, i64)
        x = seed
        for i in range(n):
            x = (x * 1103515245 + 12345) % 2147483648
            k = x % 1000
            counts[k] = counts.get(k, 0) + 1
        return len(counts), counts.get(7, 0)

    @numba.njit
    def nb_count_str(words):
        counts = Dict.empty(ustr, i64)
        for w in words:
            counts[w] = counts.get(w, 0) + 1
        return len(counts), counts.get(words[0], 0)

    return {"count_int": nb_count_int, "count_str": nb_count_str}
