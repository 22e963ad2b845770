"""The README's first example: a damped oscillator sum, compiled, checked against CPython."""
import math
import time

import ember


def damped(x, n):
    s = 0.0
    i = 0
    while i < n:
        if i % 3 == 0 and x > 0:
            s += math.sin(x * i)
        elif i % 3 == 1:
            s -= math.sqrt(abs(x) + i)
        else:
            s = s * 0.5 if s > 1 else s + 1
        i += 1
    return s


fast = ember.jit(damped)

if __name__ == "__main__":
    t0 = time.perf_counter()
    got = fast(1.5, 1000)
    t1 = time.perf_counter()
    want = damped(1.5, 1000)
    print(f"ember:   {got!r}  (first call, including compile: {1e3 * (t1 - t0):.1f} ms)")
    print(f"CPython: {want!r}")
    assert got == want, "compiled result differs from CPython"

    n = 1_000_000
    t0 = time.perf_counter()
    fast(1.5, n)
    t1 = time.perf_counter()
    damped(1.5, n)
    t2 = time.perf_counter()
    print(f"n={n}: ember {1e3 * (t1 - t0):.1f} ms, CPython {1e3 * (t2 - t1):.1f} ms "
          f"({(t2 - t1) / (t1 - t0):.0f}x faster)")
    print()
    print(fast.inspect_ir("typed"))
