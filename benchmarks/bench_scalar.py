"""Issue 2 benchmark: scalar code, ember against Numba in one process.

(a) call overhead of a two-float function and a five-argument int/float/bool function,
(b) first-call compile time of five small functions of different shapes (warm process),
(c) run time of three scalar loop kernels.
Targets: call overhead <= 1.0x Numba, compile time <= 0.25x, run time <= 1.05x.

    python benchmarks/bench_scalar.py
"""
from __future__ import annotations

import time

from _harness import best_time, fresh_module, geomean, numba_or_none, per_call, table

import ember

CALL_SRC = """
def add(a, b):
    return a + b

def five(a, b, c, d, flag):
    return a * b + c - d if flag else a - b
"""

SHAPES_SRC = """
import math

def trivial(x, y):
    return x + y

def branchy(x):
    if x > 0:
        y = math.sqrt(x)
    elif x < -10:
        y = -x
    else:
        y = x * x
    return y

def loop_sum(n):
    s = 0.0
    for i in range(n):
        s += math.sin(i * 0.5)
    return s

def while_gcd(a, b):
    while b:
        a, b = b, a % b
    return a

def nested_break(n):
    count = 0
    for i in range(n):
        for j in range(n):
            if (i * j) % 7 == 3:
                break
            count += 1
    return count
"""

SHAPE_ARGS = {"trivial": (1.0, 2.0), "branchy": (3.0,), "loop_sum": (10,),
              "while_gcd": (12, 18), "nested_break": (10,)}

KERNELS_SRC = """
import math

def harmonic(n):
    s = 0.0
    for i in range(1, n + 1):
        s += 1.0 / i
    return s

def collatz_steps(limit):
    total = 0
    for start in range(1, limit):
        x = start
        while x != 1:
            if x % 2 == 0:
                x = x // 2
            else:
                x = 3 * x + 1
            total += 1
    return total

def damped(x, n):
    s = 0.0
    i = 0
    while i < n:
        if i % 3 == 0 and x > 0:
            s += math.sin(x * i)
        elif i % 3 == 1:
            s -= math.sqrt(abs(x) + i)
        else:
            s = s * 0.5 if s > 1 else s + 1
        i += 1
    return s
"""

KERNEL_ARGS = {"harmonic": (5_000_000,), "collatz_steps": (100_000,), "damped": (1.5, 1_000_000)}


def bench_calls(numba) -> list[float]:
    mod = fresh_module(CALL_SRC)
    e_add, n_add = ember.jit(mod.add), numba.njit(mod.add)
    e_five, n_five = ember.jit(mod.five), numba.njit(mod.five)
    args2, args5 = (1.0, 2.0), (3, 2.5, 1, 0.5, True)
    for f, a in ((e_add, args2), (n_add, args2), (e_five, args5), (n_five, args5)):
        f(*a)
    rows = [("add(1.0, 2.0)", per_call(e_add, args2), per_call(n_add, args2)),
            ("five(int, float, int, float, bool)", per_call(e_five, args5), per_call(n_five, args5))]
    return table("(a) call overhead per call", rows, " ns", 1e9)


def bench_compile(numba) -> list[float]:
    # Warm both compilers up on something unrelated: we measure a warm process.
    warm = fresh_module("def w(x):\n    return x + 1\n")
    ember.jit(warm.w)(1.0)
    numba.njit(warm.w)(1.0)
    rows = []
    for name, args in SHAPE_ARGS.items():
        def first_call(jit, name=name, args=args) -> float:
            times = []
            for _ in range(3):
                fn = getattr(fresh_module(SHAPES_SRC), name)
                t0 = time.perf_counter()
                jit(fn)(*args)
                times.append(time.perf_counter() - t0)
            return min(times)
        rows.append((name, first_call(ember.jit), first_call(numba.njit)))
    return table("(b) first call (compile) in a warm process", rows, " ms", 1e3)


def bench_kernels(numba) -> list[float]:
    mod = fresh_module(KERNELS_SRC)
    rows = []
    for name, args in KERNEL_ARGS.items():
        e, n = ember.jit(getattr(mod, name)), numba.njit(getattr(mod, name))
        assert e(*args) == n(*args), name
        rows.append((name, best_time(lambda: e(*args)), best_time(lambda: n(*args))))
    return table("(c) run time of scalar loop kernels", rows, " ms", 1e3)


def main() -> None:
    numba = numba_or_none()
    if numba is None:
        return
    calls = bench_calls(numba)
    compiles = bench_compile(numba)
    kernels = bench_kernels(numba)
    print("\nsummary (ember / numba, geometric mean; lower is better)")
    print(f"  call overhead {geomean(calls):.2f}x (target <= 1.0x)")
    print(f"  compile time  {geomean(compiles):.2f}x (target <= 0.25x)")
    print(f"  run time      {geomean(kernels):.2f}x (target <= 1.05x)")


if __name__ == "__main__":
    main()
