"""ember: plain numeric Python compiled to native code through LLVM.

    @ember.jit
    def f(x, n): ...

`jit` returns a Dispatcher that compiles one specialization per argument-type
signature on first call. Derivatives, compiled too, with JAX's names and shapes:
`grad`, `value_and_grad`, `jvp`, `vjp` (ember/derivatives.py). Errors are in `ember.errors`.
"""
from __future__ import annotations

from typing import Any, Callable

from ember import errors
from ember.compiler import compile_specialization
from ember.derivatives import Derivative, grad, jvp, value_and_grad, vjp
from ember.dispatcher import Dispatcher

__version__ = "0.1.0"
__all__ = ["jit", "Dispatcher", "errors", "__version__", "grad", "value_and_grad", "jvp", "vjp",
           "Derivative"]

_OPTIONS = {"boundscheck": bool}


def jit(fn: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Compile `fn` on its first call: `@ember.jit` or `@ember.jit(boundscheck=False)`.

    Options: boundscheck (default True) keeps the IndexError checks of array indexing.
    """
    for name, value in options.items():
        if name not in _OPTIONS:
            raise TypeError(f"ember.jit() got an unexpected option {name!r}; "
                            f"options are: {', '.join(_OPTIONS)}")
        if not isinstance(value, _OPTIONS[name]):
            raise TypeError(f"ember.jit(): option {name!r} must be {_OPTIONS[name].__name__}")
    opts = {"boundscheck": True, **options}

    def wrap(f: Callable[..., Any]) -> Any:
        if isinstance(f, Derivative):
            return f  # a derivative is compiled already (with the options of its function)
        if isinstance(f, Dispatcher):
            f = f.py_func
        if not callable(f) or not hasattr(f, "__code__"):
            raise TypeError(f"ember.jit needs a Python function, got {type(f).__name__}")
        return Dispatcher(f, compile_specialization, opts)

    return wrap if fn is None else wrap(fn)
