"""The small run-time helpers that Python source emitted from IR (ir/pysource.py) calls.

The emitted code keeps the native code's semantics where Python's own differ:

- scalars travel as NumPy scalars (`np.float64`, `np.int32`, ...), so arithmetic rounds and
  wraps at the IR type's width and float division by zero gives inf/nan as in native code
  (the emitted function runs under `np.errstate(all="ignore")`; `func_to_python` arranges it);
- the conversions are named after the IR types (`f64(x)`, `i32(x)`, `u64(x)`): ints wrap
  to the width, floats truncate toward zero;
- `libm.<fn>` calls the C library's function, as the native code does, with IEEE results
  (inf/nan) instead of Python's exceptions; `math_check` then raises what `math.check` says.

`from ember.ir.pysource_runtime import *` gives exactly the names emitted code uses.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import math
from typing import Any, Callable

import numpy as np

from ember.ir.pysource_runtime_arrays import array_assign, array_map, array_reduce
from ember.ir.pysource_runtime_dicts import hash_of, new_dict, str_hash

__all__ = ["math", "np", "libm", "math_check", "f32", "f64", "i8", "i16", "i32", "i64", "u8",
           "u16", "u32", "u64", "boolean", "shl", "shr", "span", "list_resize", "int_lt_float",
           "int_le_float", "int_gt_float", "int_ge_float", "int_eq_float", "int_ne_float",
           "np_complex_div", "array_map", "array_assign", "array_reduce", "hash_of", "str_hash",
           "new_dict"]


# ---- conversions named after the IR types ------------------------------------------------
def _int_conversion(np_type: Any, bits: int, signed: bool) -> Callable[[Any], Any]:
    mask = (1 << bits) - 1
    half = 1 << (bits - 1)

    def convert(x: Any) -> Any:
        if isinstance(x, (float, np.floating)):
            x = math.trunc(x)  # fptosi: truncation toward zero (finite: guarded before)
        v = int(x) & mask
        if signed and v >= half:
            v -= 1 << bits
        return np_type(v)

    convert.__name__ = np_type.__name__.replace("int", "i").replace("ui", "u")
    return convert


i8 = _int_conversion(np.int8, 8, True)
i16 = _int_conversion(np.int16, 16, True)
i32 = _int_conversion(np.int32, 32, True)
i64 = _int_conversion(np.int64, 64, True)
u8 = _int_conversion(np.uint8, 8, False)
u16 = _int_conversion(np.uint16, 16, False)
u32 = _int_conversion(np.uint32, 32, False)
u64 = _int_conversion(np.uint64, 64, False)


def f64(x: Any) -> np.float64:
    """sitofp / uitofp / extf to f64 (an int rounds to nearest, as LLVM's conversion)."""
    return np.float64(x)


def f32(x: Any) -> np.float32:
    """sitofp / uitofp / truncf to f32 (one rounding, from the exact int or the double)."""
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return np.float32(int(x))
    return np.float32(x)


def boolean(x: Any) -> bool:
    """trunci to bool: the lowest bit."""
    return bool(int(x) & 1)


# ---- integer shifts with the op's rules for counts >= the width --------------------------
def shl(x: Any, n: Any, bits: int = 64) -> Any:
    """arith.shli: Python's `x << n` truncated to `bits` (0 when n >= bits)."""
    conv = _BY_BITS[bits]
    return conv(int(x) << int(n)) if int(n) < bits else conv(0)


def shr(x: Any, n: Any, bits: int = 64) -> Any:
    """arith.shrsi: arithmetic shift (0 or -1 when n >= bits)."""
    return _BY_BITS[bits](int(x) >> min(int(n), bits))


_BY_BITS = {8: i8, 16: i16, 32: i32, 64: i64}


# ---- int-vs-float comparisons exactly as CPython does them ---------------------------------
def _cmpif(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(i: Any, x: Any) -> bool:
        return test(int(i), float(x))  # Python compares int with float without rounding
    return compare


int_lt_float = _cmpif(lambda a, b: a < b)
int_le_float = _cmpif(lambda a, b: a <= b)
int_gt_float = _cmpif(lambda a, b: a > b)
int_ge_float = _cmpif(lambda a, b: a >= b)
int_eq_float = _cmpif(lambda a, b: a == b)
int_ne_float = _cmpif(lambda a, b: a != b)


# ---- the C math library ----------------------------------------------------------------------
def _load_libm() -> ctypes.CDLL | None:
    for name in ("libm.so.6", ctypes.util.find_library("m")):
        if name:
            try:
                return ctypes.CDLL(name)
            except OSError:
                continue
    return None


_C = _load_libm()
_UNARY = {"sin": "sin", "cos": "cos", "tan": "tan", "asin": "asin", "acos": "acos",
          "atan": "atan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "asinh": "asinh",
          "acosh": "acosh", "atanh": "atanh", "exp": "exp", "expm1": "expm1", "exp2": "exp2",
          "log": "log", "log2": "log2", "log10": "log10", "log1p": "log1p", "sqrt": "sqrt",
          "cbrt": "cbrt", "fabs": "fabs", "floor": "floor", "ceil": "ceil", "trunc": "trunc",
          "roundeven": "roundeven", "erf": "erf", "erfc": "erfc", "gamma": "tgamma",
          "lgamma": "lgamma"}
_BINARY = {"atan2": "atan2", "hypot": "hypot", "copysign": "copysign", "pow": "pow",
           "fmod": "fmod"}
# NumPy fallbacks where the C library lacks a symbol (roundeven before glibc 2.25).
_NUMPY = {"roundeven": np.rint, "tgamma": None, "lgamma": None}


def _c_function(cname: str, nargs: int, single: bool) -> Callable[..., float] | None:
    if _C is None:
        return None
    try:
        fn = getattr(_C, cname + ("f" if single else ""))
    except AttributeError:
        return None
    ctype = ctypes.c_float if single else ctypes.c_double
    fn.restype = ctype
    fn.argtypes = [ctype] * nargs
    return fn


class _LibM:
    """`libm.sin(x)` ...: the C library's function of the argument's precision (f32 or f64),
    never raising (domain and range errors give nan / inf, as in native code)."""

    def __init__(self) -> None:
        for name, cname in {**_UNARY, **_BINARY}.items():
            nargs = 1 if name in _UNARY else 2
            setattr(self, name, self._make(name, cname, nargs))

    @staticmethod
    def _make(name: str, cname: str, nargs: int) -> Callable[..., Any]:
        double = _c_function(cname, nargs, False)
        single = _c_function(cname, nargs, True)
        fallback = _NUMPY.get(cname) or getattr(np, {"fabs": "fabs", "asin": "arcsin",
                                                     "acos": "arccos", "atan": "arctan",
                                                     "asinh": "arcsinh", "acosh": "arccosh",
                                                     "atanh": "arctanh", "atan2": "arctan2",
                                                     "pow": "power"}.get(name, name), None)

        def call(*args: Any) -> Any:
            if isinstance(args[0], np.float32):
                fn = single
                if fn is None:
                    return fallback(*args)
                return np.float32(fn(*(float(a) for a in args)))
            if double is None:
                return np.float64(fallback(*(np.float64(a) for a in args)))
            return np.float64(double(*(float(a) for a in args)))

        call.__name__ = name
        return call

    sin: Callable[..., Any]  # and the others, set in __init__


libm = _LibM()


def math_check(result: Any, *args: Any, overflow: bool = False) -> None:
    """math.check: ValueError("math domain error") if the result is nan and no argument is;
    if it is inf and every argument finite, OverflowError("math range error") when
    `overflow`, else ValueError("math domain error")."""
    r = float(result)
    if math.isnan(r) and not any(math.isnan(float(a)) for a in args):
        raise ValueError("math domain error")
    if math.isinf(r) and all(math.isfinite(float(a)) for a in args):
        if overflow:
            raise OverflowError("math range error")
        raise ValueError("math domain error")


# ---- arrays and lists ----------------------------------------------------------------------
def span(start: Any, count: Any, step: Any) -> slice:
    """The slice of `count` elements from `start` by `step` (array.subview 's'), also for a
    negative step reaching the first element (a stop of -1 would mean the last one)."""
    start, count, step = int(start), int(count), int(step)
    if count <= 0:
        return slice(start, start, 1)
    stop = start + count * step
    return slice(start, None if stop < 0 else stop, step)


def list_resize(items: list, n: Any, zero: Any) -> None:
    """list.resize: new slots hold the element type's zero; dropped elements go."""
    n = int(n)
    if n < len(items):
        del items[n:]
    else:
        items.extend([zero] * (n - len(items)))


def np_complex_div(a: Any, b: Any) -> Any:
    """complex.npdiv: NumPy's quotient (a zero divisor gives re/0, im/0, no exception)."""
    t = np.complex64 if isinstance(a, np.complex64) else np.complex128
    return t(t(a) / t(b))
