"""Custom derivative rules with JAX's API: `ember.custom_jvp`, `ember.custom_vjp` and
`ember.stop_gradient`.

    @ember.custom_jvp
    def safe_norm(x): ...

    @safe_norm.defjvp
    def safe_norm_jvp(primals, tangents): ...   # -> (primal_out, tangent_out)

The decorated object calls the function itself (from plain Python, and from jitted code,
where it is compiled as an ordinary callee). Its Python function carries
`__ember_custom_rule__` (this object): the frontend marks the function's IR with it and
the autodiff layer (autodiff/custom_calls.py) asks `__ember_rule__` for the typed IR of a
rule at the argument types it needs, so the rules are compiled ember code and are
themselves differentiated by the next transform (grad of grad). docs/custom-rules.md.
"""
from __future__ import annotations

import functools
import threading
from typing import Any, Callable

from ember.ir.core import Module
from ember.ir.errors import DifferentiationError
from ember.ir.types import Type

__all__ = ["custom_jvp", "custom_vjp", "stop_gradient"]


def _python_function(fun: Any, what: str) -> Any:
    """The Python function behind `fun` (a plain function or an ember.jit dispatcher)."""
    inner = getattr(fun, "__ember_function__", None)
    if inner is not None and hasattr(inner, "__code__"):
        return inner
    if callable(fun) and hasattr(fun, "__code__"):
        return fun
    raise TypeError(f"{what} needs a Python function (plain or ember.jit), got "
                    f"{type(fun).__name__}")


def _argnums(nums: Any, py_func: Any, kind: str) -> tuple[int, ...]:
    """nondiff_argnums as sorted non-negative positions of `py_func`'s parameters."""
    n = py_func.__code__.co_argcount
    if isinstance(nums, int) and not isinstance(nums, bool):
        nums = (nums,)
    if not isinstance(nums, (tuple, list)) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in nums):
        raise TypeError(f"ember.{kind}: nondiff_argnums must be a tuple of ints, got {nums!r}")
    out = sorted({i + n if i < 0 else i for i in nums})
    if any(not 0 <= i < n for i in out):
        raise ValueError(f"ember.{kind}: nondiff_argnums {tuple(nums)} out of range for a "
                         f"function of {n} argument(s)")
    return tuple(out)


class _Custom:
    """What custom_jvp and custom_vjp share: the wrapped function, calling it, and
    compiling a rule for the autodiff layer."""

    __ember_rule_kind__ = ""

    def __init__(self, fun: Any, nondiff_argnums: Any = ()) -> None:
        kind = type(self).__name__
        self.fun = fun
        self.py_func = _python_function(fun, f"ember.{kind}")
        self.__ember_nondiff__ = _argnums(nondiff_argnums, self.py_func, kind)
        functools.update_wrapper(self, self.py_func)
        self._rules: dict[str, Any] = {}
        self._typed: dict[tuple[Any, ...], tuple[Module, str]] = {}
        self._lock = threading.Lock()
        # the frontend marks this function's IR: autodiff asks this object for the rules
        self.py_func.__ember_custom_rule__ = self

    @property
    def __ember_function__(self) -> Any:
        return self.py_func

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fun(*args, **kwargs)

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        return self if obj is None else functools.partial(self, obj)

    def __repr__(self) -> str:
        return f"<ember.{type(self).__name__} {self.__qualname__}>"

    def _set(self, which: str, fn: Any) -> None:
        _python_function(fn, f"{self.__qualname__}: the {which} rule")
        with self._lock:
            self._rules[which] = fn
            self._typed.clear()

    def __ember_rule_function__(self, which: str) -> Any:
        fn = self._rules.get(which)
        return None if fn is None else _python_function(fn, which)

    def __ember_rule__(self, which: str, arg_types: list[Type],
                       options: dict[str, Any]) -> tuple[Module, str]:
        """The typed, scalarized IR of rule `which` ("jvp", "fwd", "bwd") for `arg_types`
        (a fresh module: the caller copies it into its own)."""
        fn = self.__ember_rule_function__(which)
        if fn is None:
            from ember.compiler import untyped_ir
            raise DifferentiationError(self._missing(), untyped_ir(self.py_func).loc)
        key = (which, tuple(arg_types), tuple(sorted(options.items())))
        with self._lock:
            hit = self._typed.get(key)
        if hit is None:
            from ember.compiler import typed_module
            from ember.ir.passes import optimize
            m, sym = typed_module(fn, arg_types, dict(options))
            optimize(m, sym, counted=False)
            hit = (m, sym)
            with self._lock:
                self._typed[key] = hit
        return hit

    def _missing(self) -> str:
        raise NotImplementedError


class custom_jvp(_Custom):
    """A function whose forward-mode derivative is a rule you write (JAX's custom_jvp).

    `f.defjvp(rule)`: `rule(primals, tangents) -> (primal_out, tangent_out)`, primals and
    tangents tuples with one entry per argument (the tangent of an int argument is None);
    with `nondiff_argnums`, `rule(*nondiff_args, primals, tangents)` as in JAX, the tuples
    holding the other arguments.
    Reverse mode transposes the rule's tangent map (it must be linear in the tangents);
    higher orders differentiate the rule itself."""

    __ember_rule_kind__ = "custom_jvp"

    def defjvp(self, jvp: Callable[..., Any], symbolic_zeros: bool = False) -> Callable[..., Any]:
        """Set the rule; returns it (so `@f.defjvp` keeps the rule's name bound to it)."""
        if symbolic_zeros:
            raise NotImplementedError("ember.custom_jvp.defjvp: symbolic_zeros=True is not "
                                      "supported (tangents are always materialized)")
        self._set("jvp", jvp)
        return jvp

    def _missing(self) -> str:
        return (f"No JVP defined for custom_jvp function {self.__qualname__} using defjvp: "
                f"call {self.__name__}.defjvp(rule) before differentiating it")


class custom_vjp(_Custom):
    """A function whose reverse-mode derivative is a rule you write (JAX's custom_vjp).

    `f.defvjp(fwd, bwd)`: `fwd(*args) -> (out, residuals)`, `bwd(residuals, ct) -> tuple`
    of one cotangent per argument (None for ints); with `nondiff_argnums`, fwd still takes
    every argument and `bwd(*nondiff_args, residuals, ct)` returns cotangents for the
    others. Forward mode (jvp, hessian's outer
    pass) raises DifferentiationError, as JAX does; reverse of reverse differentiates fwd
    and bwd."""

    __ember_rule_kind__ = "custom_vjp"

    def defvjp(self, fwd: Callable[..., Any], bwd: Callable[..., Any],
               symbolic_zeros: bool = False) -> None:
        if symbolic_zeros:
            raise NotImplementedError("ember.custom_vjp.defvjp: symbolic_zeros=True is not "
                                      "supported")
        self._set("fwd", fwd)
        self._set("bwd", bwd)

    def _missing(self) -> str:
        return (f"No VJP defined for custom_vjp function {self.__qualname__} using defvjp: "
                f"call {self.__name__}.defvjp(fwd, bwd) before differentiating it")


class _StopGradient(_Custom):
    """stop_gradient's identity with a zero derivative (no rule: autodiff emits zeros)."""

    __ember_rule_kind__ = "zero"

    def _missing(self) -> str:
        return "stop_gradient has no rule"


def _stop_gradient(x):  # type: ignore[no-untyped-def]
    return x


stop_gradient = _StopGradient(_stop_gradient)
stop_gradient.__name__ = stop_gradient.__qualname__ = "stop_gradient"
stop_gradient.__doc__ = """`x` itself, with a zero derivative in every mode and at every
order inside compiled code (JAX's lax.stop_gradient). Floats and float arrays."""
