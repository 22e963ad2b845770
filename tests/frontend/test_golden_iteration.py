"""Golden IR of the iteration forms (frontend/iteration.py): enumerate/zip become a loop over
an index with the elements bound in the body; `any` is an scf.while that stops at the flag."""
from .test_golden import check_function


def g_enumerate_zip(x, y):
    s = 0.0
    # CHECK: %0 = py.len %x : ?
    # CHECK: %1 = py.len %y : ?
    # CHECK: %2 = py.min %0, %1 : ?
    # CHECK: scf.for %idx_index = %{{.*}} to %2 step
    # CHECK: %a = py.getitem %x, %idx_index : ?
    # CHECK: %b = py.getitem %y, %idx_index : ?
    for i, (a, b) in enumerate(zip(x, y)):
        s += i * a * b
    return s


def g_sum_genexpr(x, n):
    # CHECK: scf.for %i = %{{.*}} to %n step %{{.*}} iter_args(%acc_1 = %0) -> (?) {
    # CHECK: py.getitem %x, %i : ?
    # CHECK: py.add %acc_1,
    return sum(x[i] for i in range(n))


def g_any_short_circuit(x):
    # CHECK: scf.while
    # CHECK: py.not %found
    # CHECK: scf.condition
    # CHECK: py.truth
    return any(v > 0 for v in x)


def test_goldens():
    for f in (g_enumerate_zip, g_sum_genexpr, g_any_short_circuit):
        check_function(f)
