"""Sorting algorithms written in the Python subset ember compiles: type inference emits a
`func.call` to these (typeinfer/sorting.py, through calls.library_call), and ember compiles
them like any user helper, specialized per dtype. Not called from Python.

NumPy's order: nan sorts after everything (moved to the end first, keeping their order), so
the merge sort proper compares with `<` only; -0.0 and 0.0 are equal. The sort is a stable
bottom-up merge sort (insertion-sorted runs of RUN elements, then merges of doubling width
between the array and a scratch buffer): O(n log n), and argsort is stable, which
NumPy's kind='stable' also is.
"""
import numpy as np

RUN = 24


def _insertion_runs(a, n):
    lo = 0
    while lo < n:
        hi = min(lo + RUN, n)
        for i in range(lo + 1, hi):
            x = a[i]
            j = i
            while j > lo and x < a[j - 1]:
                a[j] = a[j - 1]
                j -= 1
            a[j] = x
        lo = hi


def _merge_pass(src, dst, n, width):
    lo = 0
    while lo < n:
        mid = min(lo + width, n)
        hi = min(lo + 2 * width, n)
        i = lo
        j = mid
        k = lo
        if mid < hi and not (src[mid] < src[mid - 1]):
            # already in order: copy the pair of runs
            while k < hi:
                dst[k] = src[k]
                k += 1
        else:
            while i < mid and j < hi:
                # branch-free (selects): the branch of a merge is unpredictable
                x = src[i]
                y = src[j]
                right = y < x
                dst[k] = y if right else x
                step = 1 if right else 0
                j += step
                i += 1 - step
                k += 1
            while i < mid:
                dst[k] = src[i]
                i += 1
                k += 1
            while j < hi:
                dst[k] = src[j]
                j += 1
                k += 1
        lo = hi


def _sort_prefix(a, m):
    """Stable sort of a[:m] (no nan there); a is contiguous and writable."""
    _insertion_runs(a, m)
    if m <= RUN:
        return 0
    tmp = np.empty(m, a.dtype)
    width = RUN
    flip = 0
    while width < m:
        if flip == 0:
            _merge_pass(a, tmp, m, width)
        else:
            _merge_pass(tmp, a, m, width)
        flip = 1 - flip
        width *= 2
    if flip == 1:
        for i in range(m):
            a[i] = tmp[i]
    return 0


def sort_inplace(a):
    """Sort the contiguous 1-D array `a` in place (np.ndarray.sort); returns 0."""
    n = a.shape[0]
    if n == 0:
        return 0
    nan = a[0]
    m = 0
    for i in range(n):
        x = a[i]
        if x == x:
            a[m] = x
            m += 1
        else:
            nan = x
    for i in range(m, n):
        a[i] = nan
    return _sort_prefix(a, m)


def sorted_copy(a):
    """np.sort of the 1-D array `a` (any layout): a new contiguous array."""
    n = a.shape[0]
    out = np.empty(n, a.dtype)
    m = 0
    for i in range(n):
        x = a[i]
        if x == x:
            out[m] = x
            m += 1
    j = m
    for i in range(n):
        x = a[i]
        if x != x:
            out[j] = x
            j += 1
    _sort_prefix(out, m)
    return out


# ---- argsort: keys and indices move together ------------------------------------------
def _insertion_runs2(a, ix, n):
    lo = 0
    while lo < n:
        hi = min(lo + RUN, n)
        for i in range(lo + 1, hi):
            x = a[i]
            xi = ix[i]
            j = i
            while j > lo and x < a[j - 1]:
                a[j] = a[j - 1]
                ix[j] = ix[j - 1]
                j -= 1
            a[j] = x
            ix[j] = xi
        lo = hi


def _merge_pass2(src, si, dst, di, n, width):
    lo = 0
    while lo < n:
        mid = min(lo + width, n)
        hi = min(lo + 2 * width, n)
        i = lo
        j = mid
        k = lo
        while i < mid and j < hi:
            x = src[i]
            y = src[j]
            right = y < x
            dst[k] = y if right else x
            di[k] = si[j] if right else si[i]
            step = 1 if right else 0
            j += step
            i += 1 - step
            k += 1
        while i < mid:
            dst[k] = src[i]
            di[k] = si[i]
            i += 1
            k += 1
        while j < hi:
            dst[k] = src[j]
            di[k] = si[j]
            j += 1
            k += 1
        lo = hi


def argsort(a):
    """np.argsort of the 1-D array `a` (any layout), stable: int64 indices."""
    n = a.shape[0]
    keys = np.empty(n, a.dtype)
    idx = np.empty(n, np.int64)
    m = 0
    for i in range(n):
        x = a[i]
        if x == x:
            keys[m] = x
            idx[m] = i
            m += 1
    j = m
    for i in range(n):
        x = a[i]
        if x != x:
            idx[j] = i
            j += 1
    _insertion_runs2(keys, idx, m)
    if m <= RUN:
        return idx
    tk = np.empty(m, a.dtype)
    ti = np.empty(m, np.int64)
    width = RUN
    flip = 0
    while width < m:
        if flip == 0:
            _merge_pass2(keys, idx, tk, ti, m, width)
        else:
            _merge_pass2(tk, ti, keys, idx, m, width)
        flip = 1 - flip
        width *= 2
    if flip == 1:
        for i in range(m):
            idx[i] = ti[i]
    return idx
