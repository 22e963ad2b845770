"""The Python-source emitter on runtime dicts: the dict library ember compiles runs as
emitted Python on the native layout (five lists, the native hashes), arguments and results
converted as the native wrapper converts them."""
from __future__ import annotations

import numpy as np
import pytest

from ember.ir.pysource_runtime_dicts import hash_of, str_hash
from tests.e2e import test_dict_args as A
from tests.e2e import test_dicts as D
from tests.ir.test_pysource import run_both

# one or two calls per program: each compiles natively once (the library code is large)
CASES = [
    (D.int_keys, (6,)), (D.float_keys, (0.25,)), (D.bool_keys, (True,)),
    (D.str_keys, (["pear", "fig", "pear", "kiwi"],)), (D.tuple_keys, (4,)),
    (D.count, ([3, 1, 3, 3, 2, 1],)), (D.membership, ([1, 2, 5], 4)),
    (D.delete, (7,)), (D.lookup_str, ("zz",)), (D.pops, (2,)), (D.setdefaults, ([1, 2, 9, 1],)),
    (D.popitems, (5,)), (D.views, (7,)), (D.comprehensions, (5, ["a", "b", "cc", "a"])),
    (D.returned, (3,)), (D.churn, (30,)),
    (A.read, ({1: 2.5, 7: -1.0}, 3)), (A.read, ({(1, 2): 0.5, (3, 4): 1.5}, (3, 4))),
    (A.read_default, ({0.5: 1, -0.0: 2}, 0.0)), (A.total, ({1.0: 2.0, 2.5: 4.0},)),
    (A.count_into, ({1: 1}, [1, 2, 1])), (A.change, ({1: 1, 2: 2, 3: 3}, 9)),
]


@pytest.mark.parametrize("fn,args", CASES, ids=[f"{f.__name__}{a}"[:60] for f, a in CASES])
def test_dict_program(fn, args):
    run_both(fn, *args)


def test_dict_of_lists_argument():
    # appending the int 0 to a float list stores 0.0 in native code (CPython keeps the int)
    run_both(A.list_sums, {1: [1.0, 2.0], 2: [3.0]}, cpython=False)


def test_hashes_are_the_native_ones():
    # splitmix64's finalizer of the bits; equal keys hash equal (-0.0 as 0.0)
    assert hash_of(np.float64(-0.0)) == hash_of(np.float64(0.0))
    assert hash_of(np.int64(7)) == hash_of(np.uint64(7)) == hash_of(7)
    assert str_hash("") != str_hash("a")
    assert isinstance(hash_of(5), np.int64) and isinstance(str_hash("x"), np.int64)
