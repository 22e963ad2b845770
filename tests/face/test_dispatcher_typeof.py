"""typeof: Python argument values -> the IR types a specialization takes."""
from __future__ import annotations

import numpy as np
import pytest

from ember.backend.boxing import BY_PYTYPE, boxes_for
from ember.ir.types import BOOL, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64, ListType, TupleType
from ember.typeof import canonical, typeof


@pytest.mark.parametrize("value, want", [
    (True, BOOL), (False, BOOL), (0, I64), (-(2**63), I64), (2**63 - 1, I64), (1.5, F64),
    (np.bool_(True), BOOL), (np.float64(1), F64), (np.float32(1), F32),
    (np.int64(1), I64), (np.int32(1), I32), (np.int16(1), I16), (np.int8(1), I8),
    (np.uint64(1), U64), (np.uint32(1), U32), (np.uint16(1), U16), (np.uint8(1), U8),
    (np.longlong(1), I64),
    ((), TupleType(())), ((1, (2.0, True)), TupleType((I64, TupleType((F64, BOOL))))),
    ([1.5, 2.0], ListType(F64)), ([(1, True)], ListType(TupleType((I64, BOOL)))),
    ([[1], []], ListType(ListType(I64))), ([], None),
])
def test_typeof(value, want) -> None:
    if want is None:  # an empty list has no element type
        with pytest.raises(TypeError, match="empty list"):
            typeof(value, "x")
        return
    assert typeof(value, "x") == want


def test_list_of_mixed_types_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"argument 'x' is a list of mixed types \(i64 at index 0, "
                                        r"f64 at index 1\)"):
        typeof([1, 2.5], "x")


@pytest.mark.parametrize("value, name", [(b"s", "bytes"), (None, "NoneType"), ({1}, "set"),
                                         (np.float16(1), "float16")])
def test_unsupported_names_parameter_and_type(value, name) -> None:
    with pytest.raises(TypeError, match=f"ember.jit: argument 'y' has unsupported type {name}"):
        typeof(value, "y")


def test_unsupported_inside_tuple() -> None:
    with pytest.raises(TypeError, match="argument 't' has unsupported type bytes"):
        typeof((1, b"a"), "t")


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 2**70])
def test_int_outside_int64(value) -> None:
    with pytest.raises(OverflowError, match="argument 'n'"):
        typeof(value, "n")


def test_table_is_consistent() -> None:
    # every table type maps back to itself, and typeof agrees with the wrapper's table
    for pytype, box in BY_PYTYPE.items():
        assert box in boxes_for(box.ir_type)
        assert typeof(pytype(1), "x") == box.ir_type


def test_canonical() -> None:
    class F(float):
        pass

    v = canonical((F(1.5), (True, np.int32(2))))
    assert v == (1.5, (True, 2)) and type(v[0]) is float and type(v[1][1]) is np.int32
    x = 2.0
    assert canonical(x) is x
