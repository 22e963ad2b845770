"""ember: plain numeric Python compiled to native code through LLVM.

    @ember.jit
    def f(x, n): ...

    @ember.jit("float64(float64[:], int64)")     # compiled now; other types: TypeError
    def g(x, n): ...

`jit` returns a Dispatcher that compiles one specialization per argument-type
signature on first call, or the declared signatures at once (docs/jit.md).
Derivatives, compiled too, with JAX's names and shapes: `grad`, `value_and_grad`,
`jvp`, `vjp` (ember/derivatives.py). Errors are in `ember.errors`.

`import ember` loads no compiler layer: the frontend, type inference, the passes,
the backend (llvmlite) and NumPy load on the first compile or call. Public names
that live in those modules are resolved on first use through `_LAZY` below (add new
ones there, not as imports here); tests/face/test_lazy_import.py checks it.
"""
from __future__ import annotations

import importlib
import sys
from typing import Any, Callable

from ember import errors
from ember.dispatcher import Dispatcher

__version__ = "0.1.0"
__all__ = ["jit", "Dispatcher", "errors", "__version__", "grad", "value_and_grad", "jvp", "vjp",
           "Derivative", "custom_jvp", "custom_vjp", "stop_gradient",
           "jacfwd", "jacrev", "jacobian", "hessian", "hvp", "wait_compiled"]

_OPTIONS: dict[str, type] = {"boundscheck": bool, "cache": bool, "tiered": bool}

# Public name -> the module that defines it, imported on first access.
_LAZY: dict[str, str] = {
    "grad": "ember.derivatives",
    "value_and_grad": "ember.derivatives",
    "jvp": "ember.derivatives",
    "vjp": "ember.derivatives",
    "Derivative": "ember.derivatives",
    "custom_jvp": "ember.custom_rules",  # docs/custom-rules.md
    "custom_vjp": "ember.custom_rules",
    "stop_gradient": "ember.custom_rules",
    "jacfwd": "ember.jacobians",  # docs/higher-order.md
    "jacrev": "ember.jacobians",
    "jacobian": "ember.jacobians",
    "hessian": "ember.jacobians",
    "hvp": "ember.jacobians",
    "compile_specialization": "ember.compiler",
    "wait_compiled": "ember.backend.tiering",  # background O3 tier (docs/compile-time.md)
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # later lookups skip this function
        return value
    if not name.startswith("__"):
        # `ember.compiler`, `ember.backend`, ...: submodules, as before they became lazy
        try:
            return importlib.import_module(f"ember.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"ember.{name}":
                raise
    raise AttributeError(f"module 'ember' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def _compile_specialization(py_func: Any, arg_types: Any, options: dict[str, Any]) -> Any:
    """ember.compiler.compile_specialization, imported by the first compile."""
    from ember.compiler import compile_specialization

    return compile_specialization(py_func, arg_types, options)


def jit(fn: Any = None, signatures: Any = None, *, lazy: bool = False, **options: Any) -> Any:
    """`@ember.jit`, `@ember.jit(boundscheck=False)`: compile on each new argument-type
    signature's first call.

    `@ember.jit("float64(float64[:], int64)")`, `@ember.jit([sig, ...])` or
    `@ember.jit(signatures=[...])`: compile those signatures now (a signature that does
    not compile raises here); a call that no signature takes raises TypeError, unless
    `lazy=True`, which compiles it. Signature syntax: docs/jit.md.

    Options: boundscheck (default True) keeps the IndexError checks of array indexing;
    cache (default False) keeps compiled code on disk across processes; tiered (default
    True; EMBER_TIERED=0 turns it off everywhere) compiles a quick tier first and O3 in the
    background (docs/compile-time.md): False compiles O3 at once, for a long first call.
    """
    for name, value in options.items():
        if name not in _OPTIONS:
            raise TypeError(f"ember.jit() got an unexpected option {name!r}; "
                            f"options are: {', '.join(_OPTIONS)}, signatures, lazy")
        if not isinstance(value, _OPTIONS[name]):
            raise TypeError(f"ember.jit(): option {name!r} must be {_OPTIONS[name].__name__}")
    if not isinstance(lazy, bool):
        raise TypeError("ember.jit(): option 'lazy' must be bool")
    if isinstance(fn, (str, list, tuple)):
        if signatures is not None:
            raise TypeError("ember.jit(): signatures given twice")
        fn, signatures = None, fn
    sigs = _signature_list(signatures)
    opts = {"boundscheck": True, **options}

    def wrap(f: Callable[..., Any]) -> Any:
        derivatives = sys.modules.get("ember.derivatives")
        if derivatives is not None and isinstance(f, derivatives.Derivative):
            if sigs:
                raise TypeError("ember.jit(signatures) takes a function, not an ember "
                                "derivative (derivatives compile on call)")
            return f  # a derivative is compiled already (with the options of its function)
        if isinstance(f, Dispatcher) or hasattr(f, "__ember_rule_kind__"):
            f = f.py_func  # a custom_jvp / custom_vjp function keeps its rules (custom_rules.py)
        if not callable(f) or not hasattr(f, "__code__"):
            raise TypeError(f"ember.jit needs a Python function, got {type(f).__name__}")
        try:
            return Dispatcher(f, _compile_specialization, opts, sigs, lazy)
        except (errors.CompileError, TypeError) as err:
            # the user's function or signature is at fault: their line, not our frames
            raise err.with_traceback(None) from None

    return wrap if fn is None else wrap(fn)


def _signature_list(signatures: Any) -> list[Any]:
    """`"sig"`, `["sig", ...]` or `[(float, int), ...]` -> a list of signatures."""
    if signatures is None:
        return []
    if isinstance(signatures, str):
        return [signatures]
    if isinstance(signatures, tuple) and not any(isinstance(s, (str, list, tuple))
                                                 for s in signatures):
        return [signatures]  # one signature written as a tuple of types: (float, int)
    if isinstance(signatures, (list, tuple)):
        if not signatures:
            raise TypeError("ember.jit(): the list of signatures is empty")
        return list(signatures)
    raise TypeError("ember.jit(): signatures must be a string or a list of strings, got "
                    f"{type(signatures).__name__}")
