"""Run-time helpers for the whole-array ops in emitted Python (ir/pysource_wholearray.py):
NumPy broadcasting, one element at a time in C order, with the lowered code's messages."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["array_map", "array_assign", "array_reduce"]


def _shape_text(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ",".join(str(x) for x in shape) + ")"


def _broadcast(shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        text = " ".join(_shape_text(s) for s in shapes)
        raise ValueError(f"operands could not be broadcast together with shapes {text} ") from None


def _elements(operands: tuple[Any, ...], shape: tuple[int, ...]) -> list[Any]:
    return [np.broadcast_to(x, shape) if isinstance(x, np.ndarray) else x for x in operands]


def array_map(fn: Callable[..., Any], dtype: Any, *operands: Any) -> np.ndarray:
    """array.map: a new C-contiguous array of fn applied to the broadcast operands."""
    shape = _broadcast([x.shape for x in operands if isinstance(x, np.ndarray)])
    views = _elements(operands, shape)
    out = np.empty(shape, dtype)
    for idx in np.ndindex(*shape):
        out[idx] = fn(*(v[idx] if isinstance(v, np.ndarray) else v for v in views))
    return out


def array_assign(fn: Callable[..., Any], dest: np.ndarray, *operands: Any) -> None:
    """array.assign: dest[...] = fn of the operands broadcast to dest's shape."""
    for x in operands:
        if isinstance(x, np.ndarray):
            try:
                np.broadcast_to(np.empty(x.shape, dtype=np.int8), dest.shape)
            except ValueError:
                raise ValueError(f"could not broadcast input array from shape "
                                 f"{_shape_text(x.shape)} into shape "
                                 f"{_shape_text(dest.shape)}") from None
    values = np.empty(dest.shape, dest.dtype)  # all elements first: operands may be dest
    views = _elements(operands, dest.shape)
    for idx in np.ndindex(*dest.shape):
        values[idx] = fn(*(v[idx] if isinstance(v, np.ndarray) else v for v in views))
    dest[...] = values


def array_reduce(fn: Callable[[Any, Any], Any], a: np.ndarray, init: Any, axis: int,
                 dtype: Any = None) -> Any:
    """array.reduce: fold fn over every element in C order (axis -1: a scalar), or along
    one axis (an array of `dtype` without that axis)."""
    if axis < 0:
        acc = init
        for idx in np.ndindex(*a.shape):
            acc = fn(acc, a[idx])
        return acc
    rest = a.shape[:axis] + a.shape[axis + 1:]
    out = np.empty(rest, dtype)
    for idx in np.ndindex(*rest):
        acc = init
        for k in range(a.shape[axis]):
            acc = fn(acc, a[idx[:axis] + (k,) + idx[axis:]])
        out[idx] = acc
    return out
