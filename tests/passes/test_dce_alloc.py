"""DCE of unused allocations: an `array.alloc` nobody uses goes when it cannot fail (its
extents are another array's extents, or constants >= 0 of small product); one whose
extent may be negative or huge stays, so the user's ValueError / MemoryError still
comes."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.ir.passes import dce
from tests.passes.build import check, ops_named, parse

TEMPLATE = """\
func @f(%x: array<f64, 2, C>, %y: array<f64, 1, C>, %n: i64) -> f64 {{
  %d0 = array.dim %x {{axis = 0}} : i64
  %d1 = array.dim %x {{axis = 1}} : i64
  %e0 = array.dim %y {{axis = 0}} : i64
  %c1 = arith.constant 1 : i64
  %c3 = arith.constant 3 : i64
  %neg = arith.constant -1 : i64
  %big = arith.constant 1000000000000 : i64
  %a = array.alloc {extents} : array<f64, {ndim}, C>
  %z = arith.constant 0.0 : f64
  func.return %z : f64
}}
"""


def _allocs_left(extents: str) -> int:
    ndim = extents.count("%")
    m = parse(TEMPLATE.format(extents=extents, ndim=ndim))
    dce.run(m)
    check(m)
    return len(ops_named(m, "array.alloc"))


@pytest.mark.parametrize("extents", ["%d0", "%d1, %d0", "%e0, %c1", "%c3", "%c3, %c3"])
def test_unused_alloc_that_cannot_fail_is_dropped(extents):
    assert _allocs_left(extents) == 0


@pytest.mark.parametrize("extents", [
    "%n",            # an argument: may be negative or huge
    "%neg",          # negative
    "%big",          # too big to allocate
    "%d0, %e0",      # extents of two different arrays: the product may be huge
    "%d0, %d0",      # one axis twice
    "%e0, %c3",      # a multiple of an array's size
])
def test_unused_alloc_that_may_fail_stays(extents):
    assert _allocs_left(extents) == 1


def test_used_alloc_stays():
    m = parse("""\
func @f(%y: array<f64, 1, C>) -> f64 {
  %e0 = array.dim %y {axis = 0} : i64
  %a = array.alloc %e0 : array<f64, 1, C>
  %z = arith.constant 0.0 : f64
  %c0 = arith.constant 0 : i64
  array.store %z, %a, %c0
  func.return %z : f64
}
""")
    dce.run(m)
    check(m)
    assert len(ops_named(m, "array.alloc")) == 1


def _unused_empty(x, n):
    a = np.empty(n)
    b = np.empty(x.shape[0])
    return x[0] * 2.0


def test_compiled_unused_empty_of_a_negative_size_still_raises():
    f = ember.jit(_unused_empty)
    x = np.arange(3.0)
    assert f(x, 4) == 0.0
    with pytest.raises(ValueError, match="negative dimensions"):
        f(x, -1)
    with pytest.raises(MemoryError):
        f(x, 1 << 50)
    text = f.inspect_ir("optimized")
    # np.empty(x.shape[0]) is gone; np.empty(n) stays for its errors
    assert text.count("array.alloc") == 1
