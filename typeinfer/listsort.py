"""CPython's own list sort (Objects/listobject.c of CPython 3.11: timsort with the powersort
merge policy, binary insertion, galloping), written in the Python subset ember compiles
and called by listlib.sort. Not called from Python (though it runs there too: the tests
check it against `sorted`).

Why a port rather than any stable sort: with a strict weak order every stable sort gives
the same result, but `<` on floats is not one once a nan is in the list, and then the
result depends on which comparisons the algorithm makes. listlib.sort uses the fast merge
sort of sortlib.py when no element is unequal to itself, and this exact copy of CPython's
algorithm otherwise, so that lists with nan come out exactly as CPython leaves them.

Comparisons are `<` only, in the same order and with the same operands as CPython's.
Indices into the list `l` are absolute; `t` is a scratch list of the same type and length.
The pending-run stack is three i64 lists (start, length, power) and `st` holds
[number of pending runs, min_gallop].
"""
MIN_GALLOP = 7
MAX_PENDING = 66  # > log2(n) + 1 runs: powersort keeps the stack that short


def _reverse_slice(l, lo, hi):
    hi -= 1
    while lo < hi:
        x = l[lo]
        l[lo] = l[hi]
        l[hi] = x
        lo += 1
        hi -= 1


def _minrun(n):
    r = 0
    while n >= 64:
        r |= n & 1
        n >>= 1
    return n + r


def _count_run(l, lo, hi):
    """Length of the run starting at lo; a strictly descending run is reversed in place."""
    if lo + 1 == hi:
        return 1
    i = lo + 2
    if l[lo + 1] < l[lo]:
        while i < hi and l[i] < l[i - 1]:
            i += 1
        _reverse_slice(l, lo, i)
    else:
        while i < hi and not (l[i] < l[i - 1]):
            i += 1
    return i - lo


def _binary_sort(l, lo, hi, start):
    """l[lo:start] is sorted: insert l[start:hi] into it one at a time."""
    if start == lo:
        start += 1
    while start < hi:
        pivot = l[start]
        left = lo
        right = start
        while left < right:
            p = left + ((right - left) >> 1)
            if pivot < l[p]:
                right = p
            else:
                left = p + 1
        p = start
        while p > left:
            l[p] = l[p - 1]
            p -= 1
        l[left] = pivot
        start += 1


def _gallop_left(key, a, base, n, hint):
    """k in 0..n with a[base+k-1] < key <= a[base+k], searching out from base+hint."""
    lastofs = 0
    ofs = 1
    if a[base + hint] < key:
        maxofs = n - hint
        while ofs < maxofs and a[base + hint + ofs] < key:
            lastofs = ofs
            ofs = (ofs << 1) + 1
        if ofs > maxofs:
            ofs = maxofs
        lastofs += hint
        ofs += hint
    else:
        maxofs = hint + 1
        while ofs < maxofs and not (a[base + hint - ofs] < key):
            lastofs = ofs
            ofs = (ofs << 1) + 1
        if ofs > maxofs:
            ofs = maxofs
        k = lastofs
        lastofs = hint - ofs
        ofs = hint - k
    lastofs += 1
    while lastofs < ofs:
        m = lastofs + ((ofs - lastofs) >> 1)
        if a[base + m] < key:
            lastofs = m + 1
        else:
            ofs = m
    return ofs


def _gallop_right(key, a, base, n, hint):
    """k in 0..n with a[base+k-1] <= key < a[base+k], searching out from base+hint."""
    lastofs = 0
    ofs = 1
    if key < a[base + hint]:
        maxofs = hint + 1
        while ofs < maxofs and key < a[base + hint - ofs]:
            lastofs = ofs
            ofs = (ofs << 1) + 1
        if ofs > maxofs:
            ofs = maxofs
        k = lastofs
        lastofs = hint - ofs
        ofs = hint - k
    else:
        maxofs = n - hint
        while ofs < maxofs and not (key < a[base + hint + ofs]):
            lastofs = ofs
            ofs = (ofs << 1) + 1
        if ofs > maxofs:
            ofs = maxofs
        lastofs += hint
        ofs += hint
    lastofs += 1
    while lastofs < ofs:
        m = lastofs + ((ofs - lastofs) >> 1)
        if key < a[base + m]:
            ofs = m
        else:
            lastofs = m + 1
    return ofs


def _copy(src, s, dst, d, n):
    """dst[d:d+n] = src[s:s+n], front to back (safe for d <= s in one list)."""
    for i in range(n):
        dst[d + i] = src[s + i]


def _copy_back(src, s, dst, d, n):
    """dst[d:d+n] = src[s:s+n], back to front (safe for d >= s in one list)."""
    i = n - 1
    while i >= 0:
        dst[d + i] = src[s + i]
        i -= 1


def _merge_lo(l, t, pa, na, pb, nb, mg):
    """Merge the runs l[pa:pa+na] and l[pb:pb+nb] (pb = pa+na, na <= nb) through t.
    Returns the new min_gallop. `done` stands for CPython's gotos: 1 Succeed, 2 CopyB."""
    _copy(l, pa, t, 0, na)
    dest = pa
    a = 0
    b = pb
    l[dest] = l[b]
    dest += 1
    b += 1
    nb -= 1
    done = 0
    if nb == 0:
        done = 1
    elif na == 1:
        done = 2
    while done == 0:
        acount = 0
        bcount = 0
        while done == 0:
            if l[b] < t[a]:
                l[dest] = l[b]
                dest += 1
                b += 1
                bcount += 1
                acount = 0
                nb -= 1
                if nb == 0:
                    done = 1
                elif bcount >= mg:
                    break
            else:
                l[dest] = t[a]
                dest += 1
                a += 1
                acount += 1
                bcount = 0
                na -= 1
                if na == 1:
                    done = 2
                elif acount >= mg:
                    break
        if done != 0:
            break
        mg += 1
        galloping = True
        while galloping:
            if mg > 1:
                mg -= 1
            k = _gallop_right(l[b], t, a, na, 0)
            acount = k
            if k > 0:
                _copy(t, a, l, dest, k)
                dest += k
                a += k
                na -= k
                if na == 1:
                    done = 2
                    break
                if na == 0:
                    done = 1
                    break
            l[dest] = l[b]
            dest += 1
            b += 1
            nb -= 1
            if nb == 0:
                done = 1
                break
            k = _gallop_left(t[a], l, b, nb, 0)
            bcount = k
            if k > 0:
                _copy(l, b, l, dest, k)
                dest += k
                b += k
                nb -= k
                if nb == 0:
                    done = 1
                    break
            l[dest] = t[a]
            dest += 1
            a += 1
            na -= 1
            if na == 1:
                done = 2
                break
            galloping = acount >= MIN_GALLOP or bcount >= MIN_GALLOP
        if done != 0:
            break
        mg += 1
    if done == 1:
        _copy(t, a, l, dest, na)
    else:
        _copy(l, b, l, dest, nb)
        l[dest + nb] = t[a]
    return mg


def _merge_hi(l, t, pa, na, pb, nb, mg):
    """Merge l[pa:pa+na] and l[pb:pb+nb] (na > nb) from the right end through t.
    Returns the new min_gallop. `done`: 1 Succeed, 2 CopyA."""
    _copy(l, pb, t, 0, nb)
    dest = pb + nb - 1
    a = pa + na - 1
    b = nb - 1
    l[dest] = l[a]
    dest -= 1
    a -= 1
    na -= 1
    done = 0
    if na == 0:
        done = 1
    elif nb == 1:
        done = 2
    while done == 0:
        acount = 0
        bcount = 0
        while done == 0:
            if t[b] < l[a]:
                l[dest] = l[a]
                dest -= 1
                a -= 1
                acount += 1
                bcount = 0
                na -= 1
                if na == 0:
                    done = 1
                elif acount >= mg:
                    break
            else:
                l[dest] = t[b]
                dest -= 1
                b -= 1
                bcount += 1
                acount = 0
                nb -= 1
                if nb == 1:
                    done = 2
                elif bcount >= mg:
                    break
        if done != 0:
            break
        mg += 1
        galloping = True
        while galloping:
            if mg > 1:
                mg -= 1
            k = na - _gallop_right(t[b], l, pa, na, na - 1)
            acount = k
            if k > 0:
                dest -= k
                a -= k
                _copy_back(l, a + 1, l, dest + 1, k)
                na -= k
                if na == 0:
                    done = 1
                    break
            l[dest] = t[b]
            dest -= 1
            b -= 1
            nb -= 1
            if nb == 1:
                done = 2
                break
            k = nb - _gallop_left(l[a], t, 0, nb, nb - 1)
            bcount = k
            if k > 0:
                dest -= k
                b -= k
                _copy(t, b + 1, l, dest + 1, k)
                nb -= k
                if nb == 1:
                    done = 2
                    break
                if nb == 0:
                    done = 1
                    break
            l[dest] = l[a]
            dest -= 1
            a -= 1
            na -= 1
            if na == 0:
                done = 1
                break
            galloping = acount >= MIN_GALLOP or bcount >= MIN_GALLOP
        if done != 0:
            break
        mg += 1
    if done == 1:
        _copy(t, 0, l, dest - (nb - 1), nb)
    else:
        _copy_back(l, a + 1 - na, l, dest + 1 - na, na)
        l[dest - na] = t[b]
    return mg


def _merge_at(l, t, rb, rn, rp, st, i):
    """Merge the pending runs i and i+1 (CPython's merge_at)."""
    pa = rb[i]
    na = rn[i]
    pb = rb[i + 1]
    nb = rn[i + 1]
    rn[i] = na + nb
    if i == st[0] - 3:
        rb[i + 1] = rb[i + 2]
        rn[i + 1] = rn[i + 2]
        rp[i + 1] = rp[i + 2]
    st[0] -= 1
    k = _gallop_right(l[pb], l, pa, na, 0)
    pa += k
    na -= k
    if na == 0:
        return 0
    nb = _gallop_left(l[pa + na - 1], l, pb, nb, nb - 1)
    if nb <= 0:
        return 0
    if na <= nb:
        st[1] = _merge_lo(l, t, pa, na, pb, nb, st[1])
    else:
        st[1] = _merge_hi(l, t, pa, na, pb, nb, st[1])
    return 0


def _powerloop(s1, n1, n2, n):
    result = 0
    a = 2 * s1 + n1
    b = a + n1 + n2
    while True:
        result += 1
        if a >= n:
            a -= n
            b -= n
        elif b >= n:
            break
        a <<= 1
        b <<= 1
    return result


def _found_new_run(l, t, rb, rn, rp, st, n2, total):
    if st[0] > 0:
        top = st[0] - 1
        power = _powerloop(rb[top], rn[top], n2, total)
        while st[0] > 1 and rp[st[0] - 2] > power:
            _merge_at(l, t, rb, rn, rp, st, st[0] - 2)
        rp[st[0] - 1] = power
    return 0


def timsort(l):
    """Sort the list l in place exactly as CPython's list.sort() does."""
    n = len(l)
    if n < 2:
        return 0
    t = [l[i] for i in range(n)]
    rb = [0 for _ in range(MAX_PENDING)]
    rn = [0 for _ in range(MAX_PENDING)]
    rp = [0 for _ in range(MAX_PENDING)]
    st = [0, MIN_GALLOP]
    minrun = _minrun(n)
    lo = 0
    rem = n
    while rem > 0:
        r = _count_run(l, lo, lo + rem)
        if r < minrun:
            force = rem if rem <= minrun else minrun
            _binary_sort(l, lo, lo + force, lo + r)
            r = force
        _found_new_run(l, t, rb, rn, rp, st, r, n)
        k = st[0]
        rb[k] = lo
        rn[k] = r
        st[0] = k + 1
        lo += r
        rem -= r
    while st[0] > 1:
        m = st[0] - 2
        if m > 0 and rn[m - 1] < rn[m + 1]:
            m -= 1
        _merge_at(l, t, rb, rn, rp, st, m)
    return 0
