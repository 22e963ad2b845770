"""Compile a derivative through the layer entry points, and check it numerically.

`derive` runs the pipeline the face runs for `ember.grad` & co (ember.compiler.
compile_derivative) with a transform given directly, so the transforms are tested before
and apart from the public API. `central_difference` is the reference every derivative is
checked against.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ember.compiler import compile_derivative
from ember.ir.core import Module
from ember.typeof import typeof


def _reject(*args: Any) -> Any:
    raise TypeError("derivative called with argument types it was not compiled for")


def derive(py_func: Callable[..., Any], args: Sequence[Any],
           transform: Callable[[Module, str], str], **options: Any) -> Callable[..., Any]:
    """The native derivative of `py_func` specialized for the types of `args`.

    The derivative's own arguments follow the transform's contract (autodiff/__init__.py):
    call it with the primals, then tangents (jvp) or the output cotangent (vjp)."""
    types = tuple(typeof(v, f"arg{i}") for i, v in enumerate(args))
    spec = compile_derivative(py_func, types, {"boundscheck": True, **options}, transform)
    return spec.make_callable(_reject)


def central_difference(f: Callable[..., Any], args: Sequence[Any], i: int,
                       h: float = 1e-6) -> Any:
    """d f / d args[i] by central differences: a float for a float argument, an array
    shaped like the argument for an array argument (one difference per element)."""
    x = args[i]

    def at(value: Any) -> Any:
        moved = list(args)
        moved[i] = value
        return np.asarray(f(*moved), dtype=float)

    if isinstance(x, np.ndarray):
        flat = x.astype(float).ravel()
        out = []
        for k in range(flat.size):
            up, down = flat.copy(), flat.copy()
            up[k] += h
            down[k] -= h
            out.append((at(up.reshape(x.shape)) - at(down.reshape(x.shape))) / (2 * h))
        return np.array(out).reshape(x.shape + np.shape(out[0]))
    return (at(x + h) - at(x - h)) / (2 * h)
