"""np.sort / np.argsort and the methods a.sort() (in place) / a.argsort() of 1-D arrays.

The algorithms are plain Python in typeinfer/sortlib.py (a stable merge sort, nan last),
compiled by ember like a user's helper and called with `func.call` (calls.library_call).
Every kind= NumPy accepts (a string starting with q, h, m or s in either case:
'quicksort', 'heapsort', 'mergesort', 'stable') gets the stable sort: argsort results are
then those of NumPy's kind='stable', which is one of the orders NumPy's unstable kinds may give.
Another string is NumPy's ValueError, raised at compile time. axis must be -1, 0 or None
(a 1-D array: all the same). uint64 keys are sorted as int64 with the sign bit flipped
(an order-preserving map), because scalar comparisons of uint64 are signed in ember today.
"""
from __future__ import annotations

from ember.ir.core import Block, Operation, Region, Value
from ember.ir.types import I64, NONE, ArrayType, ScalarType, Type

from . import sortlib
from .array_ufuncs import np_cast
from .calls import library_call, library_call_type
from .emit import NONE_VALUE, Emitter
from .npcalls import Call, method, npfunc
from .rules import fail
from .static import StaticValueError, static_str

U64_FLIP = -(1 << 63)  # xor with the sign bit


def _check_kind(call: Call) -> None:
    """kind= as NumPy parses it (by its first letter); the value does not change the result."""
    if not call.has("kind"):
        return
    kind = static_str(call.op, call.type("kind"), f"{call.fn}() argument 'kind'")
    if kind is not None and kind[:1].lower() not in ("q", "h", "m", "s"):
        raise StaticValueError("sort kind must be one of 'quick', 'heap', or 'stable' "
                               f"(got {kind!r})", call.op.loc)


def _check(call: Call, name: str) -> ArrayType:
    t = call.type(name)
    if not isinstance(t, ArrayType):
        raise fail(call.op, f"{call.fn}() of a {t} is not supported (it needs a 1-D array)")
    if t.ndim != 1:
        raise fail(call.op, f"{call.fn}() supports 1-D arrays only, got {t.ndim}-D")
    if t.dtype.is_complex:
        raise fail(call.op, f"{call.fn}() of complex arrays is not supported yet")
    if call.has("axis"):
        axis = call.int("axis", -1, allow_none=True)
        if axis not in (None, -1, 0):
            from .static import StaticAxisError
            raise StaticAxisError(f"axis {axis} is out of bounds for array of dimension 1",
                                  call.op.loc)
    _check_kind(call)
    return t


def _is_u64(t: ArrayType) -> bool:
    return t.dtype.kind == "u" and t.dtype.bits == 64


def _flip(em: Emitter, x: Value, to: ScalarType) -> Value:
    """An array.map xor-ing the sign bit of each element and retyping it to `to`."""
    t = x.type
    assert isinstance(t, ArrayType)
    block = Block([t.dtype])
    with em.b.at(block):
        v = np_cast(em, block.args[0], I64)
        v = em.op("arith.xori", [v, em.const(U64_FLIP, I64)], I64)
        em.b.op("array.yield", [np_cast(em, v, to)], [])
    return em.b.op("array.map", [x], [ArrayType(to, 1, "C")], regions=[Region([block])]).result


def _key_type(t: ArrayType) -> ArrayType:
    return ArrayType(I64, 1, "C") if _is_u64(t) else t


# ---- np.sort / np.argsort ----------------------------------------------------------------
def infer_sort(call: Call) -> Type:
    t = _check(call, "a")
    if _is_u64(t):
        library_call_type(call.op, sortlib.sort_inplace, [_key_type(t)])
    else:
        library_call_type(call.op, sortlib.sorted_copy, [t])
    return ArrayType(t.dtype, 1, "C")


def _sorted(em: Emitter, op: Operation, a: Value) -> Value:
    t = a.type
    assert isinstance(t, ArrayType)
    if _is_u64(t):
        keys = _flip(em, a, I64)
        library_call(em, op, sortlib.sort_inplace, [keys])
        return _flip(em, keys, t.dtype)
    return library_call(em, op, sortlib.sorted_copy, [a])


@npfunc("sort", infer=infer_sort)
def lower_sort(em: Emitter, call: Call) -> Value:
    _check(call, "a")
    return _sorted(em, call.op, call.args["a"])


def infer_argsort(call: Call) -> Type:
    t = _check(call, "a")
    return library_call_type(call.op, sortlib.argsort, [_key_type(t)])


@npfunc("argsort", infer=infer_argsort)
def lower_argsort(em: Emitter, call: Call) -> Value:
    a = call.args["a"]
    t = _check(call, "a")
    if _is_u64(t):
        a = _flip(em, a, I64)
    return library_call(em, call.op, sortlib.argsort, [a])


method("argsort", params=("a", "axis", "kind"), infer=infer_argsort)(lower_argsort)


# ---- a.sort(): in place ----------------------------------------------------------------------
def infer_sort_method(call: Call) -> Type:
    t = _check(call, "a")
    if t.readonly:
        raise fail(call.op, "cannot sort a read-only array in place")
    if t.layout == "C" and not _is_u64(t):
        library_call_type(call.op, sortlib.sort_inplace, [t])
    else:
        infer_sort(call)
    return NONE


@method("sort", params=("a", "axis", "kind"), infer=infer_sort_method)
def lower_sort_method(em: Emitter, call: Call):
    t = _check(call, "a")
    a = call.args["a"]
    if t.layout == "C" and not _is_u64(t):
        library_call(em, call.op, sortlib.sort_inplace, [a])
        return NONE_VALUE
    from .array_math import assign
    assign(em, a, _sorted(em, call.op, a), call.op)
    return NONE_VALUE
