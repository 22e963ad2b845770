"""The IR type of a Python argument value: which specialization a call needs.

`typeof(value, param_name)` reads the one table of `ember.backend.boxing` (exact
Python type -> IR type), so a signature chosen here is exactly one the generated
call wrapper accepts. Tuples (namedtuples too) become `TupleType` of their items.

Subclasses of int and float that are not in the table (an IntEnum, a user float
subclass) are typed as int64 / float64, and `canonical(value)` converts them (and
namedtuples) into the exact objects the wrapper accepts before the first call.

NumPy arrays (exact `numpy.ndarray`) become `ArrayType(dtype, ndim, layout,
readonly)` as docs/arrays-internals.md says (`ember.backend.boxing.array_type_of`,
the same rule the wrapper's flag checks implement). An unsupported dtype (object,
str, datetime, float16, ...), a byte-swapped or misaligned array, or an ndarray
subclass (np.matrix, masked arrays) raises TypeError naming the parameter.

A `str` becomes `str` (a str subclass is passed as a plain str).

Ints outside int64 raise OverflowError (the wrapper never wraps them around).
Anything else raises TypeError naming the parameter and the Python type.
"""
from __future__ import annotations

from typing import Any

from ember.ir.types import (BOTTOM, F64, I64, STR, ArrayType, DictType, ListType, RecordType,
                            ScalarType, TupleType, Type)

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1

# NumPy and the boxing table (whose package loads llvmlite.ir) are imported by the first
# call, not by `import ember`: `_load` binds these module globals.
np: Any = None
BY_PYTYPE: dict[type, Any] = {}
SWAPPED_BYTEORDER = ""
array_type_of: Any = None


def _load() -> None:
    global np, SWAPPED_BYTEORDER, array_type_of
    import numpy

    from ember.backend import boxing

    SWAPPED_BYTEORDER = boxing.SWAPPED_BYTEORDER
    array_type_of = boxing.array_type_of
    BY_PYTYPE.update(boxing.BY_PYTYPE)
    np = numpy  # last: the test in typeof / canonical sees a complete module


def typeof(value: Any, param_name: str, runtime_dict: bool = False) -> Type:
    """The IR type a specialization takes for `value` passed as parameter `param_name`.
    A dict is a record unless `runtime_dict` (the function uses the parameter as a runtime
    dict: `dict_params`) or it cannot be one (keys that are not strs, array values, ...)."""
    if np is None:
        _load()
    box = BY_PYTYPE.get(type(value))
    if box is not None:
        if box.kind == "pylong":
            _check_int64(value, param_name)
        return box.ir_type
    if type(value) is np.ndarray:
        return _array_type(value, param_name)
    if isinstance(value, str):  # a str subclass is passed as a plain str (canonical)
        return STR
    if isinstance(value, tuple):
        return TupleType(tuple(typeof(v, param_name) for v in value))
    if type(value) is dict:
        if not runtime_dict:
            try:
                return _record_type(value, param_name)
            except TypeError:
                pass  # not a record: a runtime dict, or the dict's own TypeError
        return _dict_type(value, param_name)
    if type(value) is list:
        return _list_type(value, param_name)
    if isinstance(value, np.ndarray):
        raise TypeError(
            f"ember.jit: argument {param_name!r} is a {type(value).__module__}."
            f"{type(value).__qualname__}, an ndarray subclass; pass a plain numpy.ndarray "
            "(np.asarray(x)) instead")
    if isinstance(value, bool):  # pragma: no cover - bool cannot be subclassed
        raise TypeError(f"ember.jit: argument {param_name!r} has unsupported type {type(value).__name__}")
    if isinstance(value, int):
        _check_int64(value, param_name)
        return I64
    if isinstance(value, float):
        return F64
    raise TypeError(
        f"ember.jit: argument {param_name!r} has unsupported type {type(value).__qualname__}")


def _record_type(d: dict, param_name: str) -> Type:
    """A dict with str keys and number / array / tuple values: a record specialized on its
    keys (in insertion order) and value types. Its arrays are borrowed from the caller, like
    array arguments (writes into them are seen by the caller)."""
    types = []
    for k, v in d.items():
        if type(k) is not str or "," in k:
            raise TypeError(f"ember.jit: argument {param_name!r} is a dict with key {k!r}: only "
                            "dicts with str keys (without commas) can be passed")
        t = typeof(v, param_name)
        if isinstance(t, RecordType):
            raise TypeError(f"ember.jit: argument {param_name!r} is a dict whose value {k!r} "
                            "is a dict: nested dicts with str keys are not supported for now")
        types.append(t)
    return RecordType(tuple(d), tuple(types))


def _list_type(items: list, param_name: str) -> Type:
    """A list whose items all have one type (it is converted once per call; docs/containers.md)."""
    t = _partial_list_type(items, param_name)
    if _has_bottom(t):
        raise TypeError(f"ember.jit: argument {param_name!r} is an empty list: ember cannot "
                        "tell its element type (pass at least one element, or build the list "
                        "inside the function)")
    return t


def _partial_list_type(items: list, param_name: str) -> Type:
    """The list's type, with BOTTOM for the element type of an empty list: an empty inner
    list takes the type of its non-empty siblings ([[1, 2], []] is a list<list<i64>>)."""
    if not items:
        return ListType(BOTTOM)
    first = None
    for k, v in enumerate(items):
        t = _partial_type(v, param_name)
        if first is None:
            first, at = t, k
            continue
        merged = _merge_partial(first, t)
        if merged is None:
            raise TypeError(f"ember.jit: argument {param_name!r} is a list of mixed types "
                            f"({first} at index {at}, {t} at index {k}): the items of a list "
                            "passed in must all have one type (e.g. all floats)")
        first = merged
    return ListType(first)


def _partial_type(v: Any, param_name: str) -> Type:
    """The type of an item of a list or a value of a dict (a dict in there is a runtime dict:
    containers hold no records)."""
    if type(v) is list:
        return _partial_list_type(v, param_name)
    if type(v) is dict:
        return _partial_dict_type(v, param_name)
    return typeof(v, param_name)


def _merge_partial(a: Type, b: Type) -> Type | None:
    """a and b as one type, where a BOTTOM element type (an empty list) fits any."""
    if a == b:
        return a
    if a == BOTTOM:
        return b
    if b == BOTTOM:
        return a
    if isinstance(a, ListType) and isinstance(b, ListType):
        e = _merge_partial(a.elem, b.elem)
        return None if e is None else ListType(e)
    if isinstance(a, DictType) and isinstance(b, DictType):
        k, v = _merge_partial(a.key, b.key), _merge_partial(a.value, b.value)
        return None if k is None or v is None else DictType(k, v)
    return None


def _has_bottom(t: Type) -> bool:
    if isinstance(t, ListType):
        return _has_bottom(t.elem)
    if isinstance(t, DictType):
        return _has_bottom(t.key) or _has_bottom(t.value)
    return t == BOTTOM


def _dict_type(d: dict, param_name: str) -> Type:
    """A dict converted once per call into a runtime dict (docs/containers.md)."""
    t = _partial_dict_type(d, param_name)
    if _has_bottom(t):
        raise TypeError(f"ember.jit: argument {param_name!r} is an empty dict (or holds one): "
                        "ember cannot tell its key and value types (pass at least one entry, "
                        "or build the dict inside the function)")
    return t


def _partial_dict_type(d: dict, param_name: str) -> Type:
    """dict<K, V> with one key type and one value type (as a list's items: no int/float
    mix), BOTTOM parts for an empty dict."""
    if not d:
        return DictType(BOTTOM, BOTTOM)
    kt = vt = None
    for k, v in d.items():
        t = typeof(k, param_name)
        if not _key_ok(t):
            raise TypeError(f"ember.jit: argument {param_name!r} is a dict with key {k!r} of "
                            f"type {type(k).__name__}: dict keys must be ints, floats, bools, "
                            "strs or tuples of those")
        if kt is None:
            kt, first_k = t, k
        elif t != kt:
            raise TypeError(f"ember.jit: argument {param_name!r} is a dict with keys of mixed "
                            f"types ({kt} for key {first_k!r}, {t} for key {k!r}): the keys of a "
                            "dict passed in must all have one type (e.g. all ints)")
        t = _partial_type(v, param_name)
        if isinstance(t, RecordType):  # pragma: no cover - _partial_type makes dicts
            raise TypeError(f"ember.jit: argument {param_name!r}: unsupported dict value {v!r}")
        if vt is None:
            vt, first_v = t, k
            continue
        merged = _merge_partial(vt, t)
        if merged is None:
            raise TypeError(f"ember.jit: argument {param_name!r} is a dict with values of mixed "
                            f"types ({vt} at key {first_v!r}, {t} at key {k!r}): the values of a "
                            "dict passed in must all have one type (e.g. all floats)")
        vt = merged
    return DictType(kt, vt)


def _key_ok(t: Type) -> bool:
    if isinstance(t, TupleType):
        return all(_key_ok(e) for e in t.elements)
    return t == STR or (isinstance(t, ScalarType) and not t.is_complex)


def dict_params(py_func: Any) -> frozenset[str]:
    """The parameters of `py_func` whose dict arguments must be runtime dicts: those the
    frontend's `FuncOp.dict_params` names (used dynamically, or passed on to a function
    that uses them so: frontend/dicts.py). Empty when the function does not compile (the
    compile reports why)."""
    from ember.compiler import untyped_ir
    from ember.errors import CompileError

    try:
        f = untyped_ir(py_func)
    except (CompileError, TypeError, OSError):
        return frozenset()
    return frozenset(getattr(f, "dict_params", ()))


def _array_type(a: Any, param_name: str) -> Type:
    t = array_type_of(a)
    if t is None:
        if a.dtype.byteorder == SWAPPED_BYTEORDER:
            why = f"non-native byte order ({a.dtype.str}); convert it with a.astype(a.dtype.newbyteorder('='))"
        else:
            why = ("an unsupported dtype; supported: bool, int8-int64, uint8-uint64, "
                   "float32, float64, complex64, complex128")
        raise TypeError(f"ember.jit: argument {param_name!r} is an array of dtype {a.dtype}: {why}")
    if not a.flags.aligned:
        raise TypeError(f"ember.jit: argument {param_name!r} is a misaligned array of dtype "
                        f"{a.dtype}; pass an aligned copy (a.copy())")
    return t


def canonical(value: Any) -> Any:
    """`value` as the exact object the wrapper unboxes (identity for table types)."""
    if np is None:
        _load()
    if type(value) in BY_PYTYPE:
        return value
    if isinstance(value, tuple):
        items = tuple(canonical(v) for v in value)
        return value if type(value) is tuple and all(a is b for a, b in zip(items, value)) \
            else items
    # A list or dict that is already canonical is passed itself, so that the wrapper can
    # write changes back to it (backend/wrapper_reflect.py); otherwise a canonical copy.
    if type(value) is dict:
        pairs = [(canonical(k), canonical(v)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items())):
            return value
        return dict(pairs)
    if type(value) is list:
        items = [canonical(v) for v in value]
        return value if all(a is b for a, b in zip(items, value)) else items
    if isinstance(value, str) and type(value) is not str:
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _check_int64(value: int, param_name: str) -> None:
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise OverflowError(
            f"ember.jit: argument {param_name!r} = {value} does not fit in int64")
