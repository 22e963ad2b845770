"""Dict operations written in the Python subset ember compiles (the runtime hash map).

Type inference emits `func.call`s to these (typeinfer/dicts.py, through
calls.library_call); ember compiles them like a user's helper, per key and value type.
A dict is five lists, reached with `d.__ember_parts__()` (docs/containers.md):

- `keys`, `vals`, `hashes`: the entries in insertion order; a deleted entry keeps its slot
  with hash -1 (hashes of live keys are >= 0) until the next rebuild compacts them;
- `table`: open addressing with linear probing over a power-of-two number of slots, each
  -1 (never used), -2 (a deleted entry was here) or the index of an entry;
- `meta`: [number of live entries, number of table slots not -1].

`d.__ember_hash__(k)` is the key's hash (>= 0; equal keys hash equal, ints and floats of
the same value too). The table is rebuilt (entries compacted, size doubled as needed) when
an insert would fill more than 2/3 of it, so lookups stay O(1) and deletions never leave
it full of tombstones. Errors are raised with CPython's messages.
"""


def _slot(keys, hashes, table, k, h):
    """The table slot holding key k (>= 0), or -1 - (the slot where k would go)."""
    mask = len(table) - 1
    i = h & mask
    free = -1
    found = -1
    while found == -1:
        e = table[i]
        if e == -1:
            if free == -1:
                free = i
            found = -2
        elif e == -2:
            if free == -1:
                free = i
            i = (i + 1) & mask
        elif hashes[e] == h and keys[e] == k:
            found = i
        else:
            i = (i + 1) & mask
    if found == -2:
        return -1 - free
    return found


def _find(d, k):
    """The entry index of key k, or -1."""
    keys, vals, hashes, table, meta = d.__ember_parts__()
    if len(table) == 0:
        return -1
    s = _slot(keys, hashes, table, k, d.__ember_hash__(k))
    if s < 0:
        return -1
    return table[s]


def _rebuild(keys, vals, hashes, table, meta, extra):
    """Compact the entries and make a table with room for `extra` more."""
    n = len(keys)
    j = 0
    for e in range(n):
        if hashes[e] != -1:
            if j != e:
                keys[j] = keys[e]
                vals[j] = vals[e]
                hashes[j] = hashes[e]
            j += 1
    keys.__ember_resize__(j)
    vals.__ember_resize__(j)
    hashes.__ember_resize__(j)
    size = 8
    while size * 2 < (j + extra) * 3:
        size *= 2
    table.__ember_resize__(size)
    for i in range(size):
        table[i] = -1
    mask = size - 1
    for e in range(j):
        i = hashes[e] & mask
        while table[i] != -1:
            i = (i + 1) & mask
        table[i] = e
    if len(meta) == 0:
        meta.append(0)
        meta.append(0)
    meta[0] = j
    meta[1] = j


def setitem(d, k, v):
    keys, vals, hashes, table, meta = d.__ember_parts__()
    h = d.__ember_hash__(k)
    if len(table) == 0 or (meta[1] + 1) * 3 > len(table) * 2:
        _rebuild(keys, vals, hashes, table, meta, 1)
    s = _slot(keys, hashes, table, k, h)
    if s >= 0:
        vals[table[s]] = v
    else:
        s = -1 - s
        if table[s] == -1:
            meta[1] += 1
        table[s] = len(keys)
        keys.append(k)
        vals.append(v)
        hashes.append(h)
        meta[0] += 1


def getitem(d, k):
    e = _find(d, k)
    if e < 0:
        raise KeyError(k)
    keys, vals, hashes, table, meta = d.__ember_parts__()
    return vals[e]


def get(d, k, default):
    e = _find(d, k)
    if e < 0:
        return default
    keys, vals, hashes, table, meta = d.__ember_parts__()
    return vals[e]


def contains(d, k):
    return _find(d, k) >= 0


def length(d):
    keys, vals, hashes, table, meta = d.__ember_parts__()
    if len(meta) == 0:
        return 0
    return meta[0]


def setdefault(d, k, default):
    e = _find(d, k)
    if e < 0:
        setitem(d, k, default)
        return default
    keys, vals, hashes, table, meta = d.__ember_parts__()
    return vals[e]


def _delete(d, k):
    """Remove key k; False when it is absent."""
    keys, vals, hashes, table, meta = d.__ember_parts__()
    if len(table) == 0:
        return False
    s = _slot(keys, hashes, table, k, d.__ember_hash__(k))
    if s < 0:
        return False
    e = table[s]
    table[s] = -2
    hashes[e] = -1
    meta[0] -= 1
    return True


def delitem(d, k):
    if not _delete(d, k):
        raise KeyError(k)


def pop(d, k):
    e = _find(d, k)
    if e < 0:
        raise KeyError(k)
    keys, vals, hashes, table, meta = d.__ember_parts__()
    v = vals[e]
    _delete(d, k)
    return v


def pop_default(d, k, default):
    e = _find(d, k)
    if e < 0:
        return default
    keys, vals, hashes, table, meta = d.__ember_parts__()
    v = vals[e]
    _delete(d, k)
    return v


def clear(d):
    keys, vals, hashes, table, meta = d.__ember_parts__()
    keys.__ember_resize__(0)
    vals.__ember_resize__(0)
    hashes.__ember_resize__(0)
    table.__ember_resize__(0)
    meta.__ember_resize__(0)


def update(d, other):
    okeys, ovals, ohashes, otable, ometa = other.__ember_parts__()
    n = len(okeys)
    for e in range(n):
        if ohashes[e] != -1:
            setitem(d, okeys[e], ovals[e])


def keys(d):
    ks, vals, hashes, table, meta = d.__ember_parts__()
    out = [ks[0] for _ in range(0)]
    for e in range(len(ks)):
        if hashes[e] != -1:
            out.append(ks[e])
    return out


def values(d):
    ks, vals, hashes, table, meta = d.__ember_parts__()
    out = [vals[0] for _ in range(0)]
    for e in range(len(ks)):
        if hashes[e] != -1:
            out.append(vals[e])
    return out


def items(d):
    ks, vals, hashes, table, meta = d.__ember_parts__()
    out = [(ks[0], vals[0]) for _ in range(0)]
    for e in range(len(ks)):
        if hashes[e] != -1:
            out.append((ks[e], vals[e]))
    return out


def popitem(d):
    ks, vals, hashes, table, meta = d.__ember_parts__()
    e = len(ks) - 1
    while e >= 0 and hashes[e] == -1:
        e -= 1
    if e < 0:
        raise KeyError("popitem(): dictionary is empty")
    k = ks[e]
    v = vals[e]
    _delete(d, k)
    return (k, v)


def equal(a, b):
    if length(a) != length(b):
        return False
    ks, vals, hashes, table, meta = a.__ember_parts__()
    for e in range(len(ks)):
        if hashes[e] != -1:
            f = _find(b, ks[e])
            if f < 0:
                return False
            bk, bvals, bh, bt, bm = b.__ember_parts__()
            if not (bvals[f] == vals[e]):
                return False
    return True


def copy(d):
    ks, vals, hashes, table, meta = d.__ember_parts__()
    out = {}
    for e in range(len(ks)):
        if hashes[e] != -1:
            out[ks[e]] = vals[e]
    return out
