"""Issue 3 benchmark: the cost of calling a compiled function with a NumPy array argument,
ember against Numba in one process (target: ratio <= 1.0x).

Three functions: `first(a)` -> a[0] of a 1-d float64 array, `pick(a)` -> a[1, 2] of a 2-d
float64 array, and `ident(a)` -> a (the argument itself comes back: `f(a) is a`).

The ember side is `ember.jit` when it can compile array code; until type inference for
arrays is there, the same functions are built by hand as typed IR and compiled by the
backend with the same CPython wrapper (the call path measured is identical: the wrapper
unboxes, calls the native code, and boxes the result).

    python benchmarks/bench_array_calls.py
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
from _harness import fresh_module, geomean, numba_or_none, per_call, table

import ember

SRC = """
def first(a):
    return a[0]

def pick(a):
    return a[1, 2]

def ident(a):
    return a
"""


def _hand_built(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A Dispatcher (what ember.jit returns) whose compile step builds `fn`'s typed IR by
    hand and compiles it with the backend and its CPython wrapper."""
    from ember.dispatcher import Dispatcher

    return Dispatcher(fn, lambda py_func, types, options: _compile(py_func.__name__, types[0]))


def _compile(name: str, t: Any) -> Any:
    from ember.backend import compile_module
    from ember.ir.builder import Builder
    from ember.ir.core import FuncOp, Module
    from ember.ir.types import F64, I64

    ret = t if name == "ident" else F64
    f = FuncOp(name, [t], ret)
    b = Builder(f.body.block)
    a = f.args[0]
    if name == "ident":
        result = a
    else:
        idx = [b.constant(0, I64)] if name == "first" else [b.constant(1, I64), b.constant(2, I64)]
        result = b.value("array.load", [a, *idx], F64)
    b.op("func.return", [result])
    return compile_module(Module([f]), name)


def ember_version(fn: Callable[..., Any], arg: np.ndarray) -> tuple[Callable[..., Any], str]:
    jitted = ember.jit(fn)
    try:
        jitted(arg)
        return jitted, "ember.jit"
    except Exception as e:  # array type inference not there yet: measure the same wrapper
        why = f"{type(e).__name__}: {str(e).splitlines()[0][:60]}"
        return _hand_built(fn), f"hand-built IR ({why})"


def main() -> None:
    numba = numba_or_none()
    if numba is None:
        return
    mod = fresh_module(SRC)
    one = np.arange(1000.0)
    two = np.arange(12.0).reshape(3, 4)
    rows = []
    for name, arg in (("first", one), ("pick", two), ("ident", one)):
        fn = getattr(mod, name)
        e, how = ember_version(fn, arg)
        n = numba.njit(fn)
        want = fn(arg)
        for f in (e, n):
            got = f(arg)
            assert (got is arg) if name == "ident" else got == want, (name, got)
        print(f"  {name}: ember side is {how}")
        label = {"first": "first(a): a[0], 1-d", "pick": "pick(a): a[1, 2], 2-d",
                 "ident": "ident(a): returns a"}[name]
        rows.append((label, per_call(e, (arg,)), per_call(n, (arg,))))
    ratios = table("array-argument call overhead per call", rows, " ns", 1e9)
    print("\nsummary (ember / numba, geometric mean; lower is better)")
    print(f"  array call overhead {geomean(ratios):.2f}x (target <= 1.0x), worst {max(ratios):.2f}x")


if __name__ == "__main__":
    main()
