"""List operations written in the Python subset ember compiles: type inference emits a
`func.call` to these (typeinfer/lists.py, through calls.library_call), and ember compiles
them like any user helper, specialized per element type. Not called from Python.

They see a list through the primitives only: `len(l)`, `l[i]` and `l[i] = v` (indices in
range: library code is compiled without bounds checks), `l.append(v)`, and two methods
that exist only for this module: `l.__ember_resize__(n)` (set the length; new slots hold
zeros, dropped ones are released) and `l.__ember_array__()` (a new uninitialized 1-d array
of the list's length and element dtype). Errors are raised with CPython's messages.
The merge sort's passes are typeinfer/sortlib.py's: they index anything. Lists that hold
an element unequal to itself (nan) are sorted by typeinfer/listsort.py, CPython's own
algorithm. Every helper a library function calls is imported here: the helpers of this
module's namespace are compiled without bounds checks (typeinfer/calls.py).
"""
from .listsort import (_binary_sort, _copy, _copy_back, _count_run, _found_new_run,
                       _gallop_left, _gallop_right, _merge_at, _merge_hi, _merge_lo, _minrun,
                       _powerloop, _reverse_slice, timsort)
from .sortlib import RUN, _insertion_runs, _merge_pass


def slice_of(l, start, stop, step, given):
    """l[start:stop:step]; `given` has bit 0/1/2 set when start/stop/step were written."""
    n = len(l)
    if given & 4 == 0:
        step = 1
    if step == 0:
        raise ValueError("slice step cannot be zero")
    # slice.indices, as CPython computes it
    if step > 0:
        lower = 0
        upper = n
    else:
        lower = -1
        upper = n - 1
    if given & 1 == 0:
        start = upper if step < 0 else lower
    elif start < 0:
        start = max(start + n, lower)
    else:
        start = min(start, upper)
    if given & 2 == 0:
        stop = lower if step < 0 else upper
    elif stop < 0:
        stop = max(stop + n, lower)
    else:
        stop = min(stop, upper)
    out = _empty_like(l)
    i = start
    if step > 0:
        while i < stop:
            out.append(l[i])
            i += step
    else:
        while i > stop:
            out.append(l[i])
            i += step
    return out


def _empty_like(l):
    # an empty list of l's element type (the comprehension never runs)
    return [l[0] for _ in range(0)]


def insert(l, i, v):
    n = len(l)
    if i < 0:
        i += n
        if i < 0:
            i = 0
    if i > n:
        i = n
    l.append(v)
    j = n
    while j > i:
        l[j] = l[j - 1]
        j -= 1
    l[i] = v


def pop(l, i):
    n = len(l)
    if n == 0:
        raise IndexError("pop from empty list")
    if i < 0:
        i += n
    if i < 0 or i >= n:
        raise IndexError("pop index out of range")
    v = l[i]
    for j in range(i, n - 1):
        l[j] = l[j + 1]
    l.__ember_resize__(n - 1)
    return v


def delete_at(l, i):
    """del l[i] for an index already checked and made non-negative."""
    n = len(l)
    for j in range(i, n - 1):
        l[j] = l[j + 1]
    l.__ember_resize__(n - 1)


def extend(l, x):
    n = len(x)  # once: l.extend(l) doubles l, as in Python
    for i in range(n):
        l.append(x[i])


def index(l, v):
    for i in range(len(l)):
        if l[i] == v:
            return i
    raise ValueError(f"{v!r} is not in list")


def index_of_any(l, v):
    """l.index(v) for elements an exception message cannot format (tuples, lists)."""
    for i in range(len(l)):
        if l[i] == v:
            return i
    raise ValueError("list.index(x): x not in list")


def count(l, v):
    c = 0
    for i in range(len(l)):
        if l[i] == v:
            c += 1
    return c


def contains(l, v):
    for i in range(len(l)):
        if l[i] == v:
            return True
    return False


def remove(l, v):
    n = len(l)
    i = 0
    while i < n and not (l[i] == v):
        i += 1
    if i == n:
        raise ValueError("list.remove(x): x not in list")
    delete_at(l, i)


def reverse(l):
    i = 0
    j = len(l) - 1
    while i < j:
        t = l[i]
        l[i] = l[j]
        l[j] = t
        i += 1
        j -= 1


def clear(l):
    l.__ember_resize__(0)


def copy(l):
    out = _empty_like(l)
    for i in range(len(l)):
        out.append(l[i])
    return out


def concat(a, b):
    out = []  # made here: its element type joins a's and b's
    for i in range(len(a)):
        out.append(a[i])
    for i in range(len(b)):
        out.append(b[i])
    return out


def repeat(a, k):
    out = _empty_like(a)
    for _ in range(k):
        for i in range(len(a)):
            out.append(a[i])
    return out


def repeat_inplace(l, k):
    """l *= k"""
    n = len(l)
    if k <= 0:
        l.__ember_resize__(0)
    for _ in range(k - 1):
        for i in range(n):
            l.append(l[i])


def equal(a, b):
    if len(a) != len(b):
        return False
    for i in range(len(a)):
        if not (a[i] == b[i]):
            return False
    return True


def to_array(l):
    a = l.__ember_array__()
    for i in range(len(l)):
        a[i] = l[i]
    return a


def _all_self_equal(l):
    for i in range(len(l)):
        x = l[i]
        if not (x == x):
            return False
    return True


def sort(l, descending):
    """list.sort(reverse=descending), stable, comparing with `<` only, as CPython's sort
    does (with reverse, equal elements keep their order too: reversed, sorted, reversed).
    When `<` is a strict weak order every stable sort gives CPython's result, so the
    fast merge sort runs; with a nan in the list the result depends on the algorithm,
    and CPython's own (listsort.timsort) runs instead."""
    n = len(l)
    if descending:
        reverse(l)
    if not _all_self_equal(l):
        timsort(l)
    else:
        _insertion_runs(l, n)
        if n > RUN:
            tmp = copy(l)
            width = RUN
            flip = 0
            while width < n:
                if flip == 0:
                    _merge_pass(l, tmp, n, width)
                else:
                    _merge_pass(tmp, l, n, width)
                flip = 1 - flip
                width *= 2
            if flip == 1:
                for i in range(n):
                    l[i] = tmp[i]
    if descending:
        reverse(l)


# backend/library.py compiles it once per process per element type (it is ~100 KB of LLVM
# text), not inside every module that sorts.
sort.__ember_library__ = "list.sort"
