"""Calling emitted Python source as native code is called (ir/pysource.py func_to_python).

Arguments become the run-time values the emitted text expects (NumPy scalars of the IR
type, so arithmetic keeps its width; a list or dict argument is a copy, as native code gets
one, written back into the caller's object after the call when the module could change it,
as backend/wrapper_reflect.py does);
the body runs with NumPy's floating-point warnings off (inf and nan are results, as in
native code); the result is boxed as the native wrapper boxes it: every float to `float`,
every int width to `int`, bool, complex, tuples, dicts, lists and arrays.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from ember.ir.core import FuncOp
from ember.ir.pysource_runtime_dicts import dict_from_python, dict_to_python
from ember.ir.types import (I64, ArrayType, DictType, ListType, NoneType, RecordType,
                            ScalarType, TupleType, Type)


def _np_scalar(t: ScalarType) -> Callable[[Any], Any]:
    if t.kind == "b":
        return bool
    if t.kind == "c":
        return complex if t.bits == 128 else np.complex64
    kind = {"i": "int", "u": "uint", "f": "float"}[t.kind]
    return getattr(np, f"{kind}{t.bits}")


def unbox(t: Type, x: Any) -> Any:
    """A Python argument as the emitted code's value of IR type `t`."""
    if isinstance(t, ScalarType):
        return _np_scalar(t)(x)
    if isinstance(t, TupleType):
        return tuple(unbox(e, v) for e, v in zip(t.elements, x))
    if isinstance(t, RecordType):
        return {k: unbox(e, x[k]) for k, e in zip(t.keys, t.types)}
    if isinstance(t, ListType):
        return [unbox(t.elem, v) for v in x]
    if isinstance(t, DictType):  # a copy, as native code gets one
        return dict_from_python([(unbox(t.key, k), unbox(t.value, v)) for k, v in x.items()])
    return x


def box(t: Type, x: Any) -> Any:
    """A value of IR type `t` as native code returns it to Python."""
    if isinstance(t, NoneType):
        return None
    if isinstance(t, ScalarType):
        return {"b": bool, "i": int, "u": int, "f": float, "c": complex}[t.kind](x)
    if isinstance(t, TupleType):
        return tuple(box(e, v) for e, v in zip(t.elements, x))
    if isinstance(t, RecordType):
        return {k: box(e, x[k]) for k, e in zip(t.keys, t.types)}
    if isinstance(t, ListType):
        return [box(t.elem, v) for v in x]
    if isinstance(t, DictType):
        return {box(t.key, k): box(t.value, v) for k, v in dict_to_python(x)}
    if isinstance(t, ArrayType):
        return np.asarray(x)
    return x


def _lists_within(t: Type) -> set[Type]:
    """Every list type whose change would change a value of type `t`."""
    if isinstance(t, ListType):
        return {ListType(t.elem)} | _lists_within(t.elem)
    if isinstance(t, DictType):
        return ({ListType(t.key), ListType(t.value), ListType(I64)}
                | _lists_within(t.key) | _lists_within(t.value))
    if isinstance(t, (TupleType, RecordType)):
        parts = t.elements if isinstance(t, TupleType) else t.types
        return set().union(*(_lists_within(e) for e in parts)) if parts else set()
    return set()


def mutated_list_types(funcs: Iterable[FuncOp]) -> set[Type]:
    """The list types some op of `funcs` may change (list.set / append / resize)."""
    out: set[Type] = set()
    for f in funcs:
        for op in f.walk():
            if op.name in _MUTATING:
                out.add(op.operands[_MUTATING[op.name]].type)
    return out


_MUTATING = {"list.set": 1, "list.append": 0, "list.resize": 0}


def _write_back(t: Type, obj: Any, value: Any) -> None:
    """The caller's list or dict gets the contents the call left in its copy."""
    new = box(t, value)
    if isinstance(obj, list):
        obj[:] = new
    else:
        obj.clear()
        obj.update(new)


def python_callable(raw: Callable[..., Any], arg_types: list[Type], return_type: Type,
                    mutated: set[Type] | None = None) -> Callable[..., Any]:
    """`raw` (an emitted entry function) taking and giving what the native function does;
    `mutated`: the list types the module may change (its list and dict arguments of those
    are written back)."""
    reflect = [isinstance(t, (ListType, DictType)) and bool(_lists_within(t) & (mutated or set()))
               for t in arg_types]

    def call(*args: Any) -> Any:
        if len(args) != len(arg_types):
            raise TypeError(f"{raw.__name__}() takes {len(arg_types)} arguments "
                            f"({len(args)} given)")
        values = [unbox(t, a) for t, a in zip(arg_types, args)]
        try:
            with np.errstate(all="ignore"):
                return box(return_type, raw(*values))
        finally:
            for k, t in enumerate(arg_types):
                if reflect[k]:
                    _write_back(t, args[k], values[k])

    call.__name__ = raw.__name__
    call.__wrapped__ = raw  # type: ignore[attr-defined]
    return call
