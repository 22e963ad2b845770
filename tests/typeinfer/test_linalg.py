"""Types of the linear-algebra rules (typeinfer/linalg.py): NumPy's result dtypes and the
compile-time errors."""
from __future__ import annotations

import numpy as np
import pytest

from ember.ir.core import Operation
from ember.ir.errors import TypingError
from ember.ir.types import BOOL, F32, F64, I64, ArrayType, ScalarType
from ember.typeinfer.linalg import product_type
from ember.typeinfer.array_ufuncs import from_numpy

OP = Operation("py.matmul", [], [])


def A(dt, nd):
    return ArrayType(from_numpy(np.dtype(dt)), nd, "A")


@pytest.mark.parametrize("da,db", [("f8", "f4"), ("i1", "u1"), ("?", "?"), ("i4", "f4"),
                                   ("u8", "i8"), ("i2", "?")])
def test_result_dtype_is_numpys(da, db):
    t = product_type(OP, "@", A(da, 2), A(db, 2))
    want = np.result_type(np.dtype(da), np.dtype(db))
    assert t == ArrayType(from_numpy(want), 2, "C")


def test_result_ranks():
    assert product_type(OP, "@", A("f8", 1), A("f8", 1)) == F64
    assert product_type(OP, "@", A("f8", 2), A("f8", 1)) == ArrayType(F64, 1, "C")
    assert product_type(OP, "@", A("f4", 1), A("f4", 2)) == ArrayType(F32, 1, "C")
    assert product_type(OP, "dot", A("?", 1), A("?", 1)) == BOOL
    assert product_type(OP, "dot", A("i8", 2), I64) == ArrayType(I64, 2, "C")


def test_errors():
    with pytest.raises(TypingError, match=r"for @: 'float' and 'int'"):
        product_type(OP, "@", F64, I64)
    with pytest.raises(TypingError, match=r"for @: 'bool' and 'numpy.float32'"):
        product_type(OP, "@", BOOL, F32)
    with pytest.raises(TypingError, match="Input operand 0 does not have enough dimensions"):
        product_type(OP, "matmul", F64, A("f8", 1))
    with pytest.raises(TypingError, match="complex"):
        product_type(OP, "@", A("c16", 1), A("f8", 1))
    assert isinstance(product_type(OP, "dot", F64, F64), ScalarType)
