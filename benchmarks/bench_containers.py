"""Issue 4 benchmark: containers in compiled code, ember against Numba and CPython.

Record-heavy kernel: a damped oscillator whose parameters come in a literal-key dict read
in the inner loop. Four versions run on the same inputs in one process:
ember with the dict passed as an argument (a record specialized on its keys), ember with
the same parameters as scalar arguments (the target: as fast), Numba (which cannot take a
dict argument: the dict literal is built inside the function) and CPython.

    python benchmarks/bench_containers.py
"""
from __future__ import annotations

from _harness import best_time, numba_or_none

import ember


def osc_dict(params, x, v, steps):
    for _ in range(steps):
        a = -params["k"] * x - params["c"] * v
        x, v = x + params["dt"] * v, v + params["dt"] * a
    return x + v


def osc_scalar(k, c, dt, x, v, steps):
    for _ in range(steps):
        a = -k * x - c * v
        x, v = x + dt * v, v + dt * a
    return x + v


def osc_literal(x, v, steps):
    params = {"k": 1.5, "c": 0.1, "dt": 0.001}
    for _ in range(steps):
        a = -params["k"] * x - params["c"] * v
        x, v = x + params["dt"] * v, v + params["dt"] * a
    return x + v


def main() -> None:
    params = {"k": 1.5, "c": 0.1, "dt": 0.001}
    steps = 2_000_000
    e_dict, e_scalar, e_lit = ember.jit(osc_dict), ember.jit(osc_scalar), ember.jit(osc_literal)
    want = osc_dict(params, 1.0, 0.0, 1000)
    assert e_dict(params, 1.0, 0.0, 1000) == want == e_scalar(1.5, 0.1, 0.001, 1.0, 0.0, 1000)
    assert e_lit(1.0, 0.0, 1000) == want
    t_dict = best_time(lambda: e_dict(params, 1.0, 0.0, steps))
    t_scalar = best_time(lambda: e_scalar(1.5, 0.1, 0.001, 1.0, 0.0, steps))
    t_lit = best_time(lambda: e_lit(1.0, 0.0, steps))
    t_py = best_time(lambda: osc_dict(params, 1.0, 0.0, steps // 100), repeat=3) * 100
    print(f"\nrecord-heavy kernel ({steps} steps)")
    print(f"  ember, dict argument      {t_dict * 1e3:9.2f} ms")
    print(f"  ember, literal dict       {t_lit * 1e3:9.2f} ms")
    print(f"  ember, scalar arguments   {t_scalar * 1e3:9.2f} ms")
    print(f"  CPython, dict argument    {t_py * 1e3:9.2f} ms (extrapolated from 1/100 of the steps)")
    print(f"  dict arg / scalar args    {t_dict / t_scalar:9.2f}x  (target <= 1.0x)")
    print(f"  CPython / ember dict arg  {t_py / t_dict:9.1f}x faster")
    numba = numba_or_none()
    if numba is not None:
        n_lit = numba.njit(osc_literal)
        assert n_lit(1.0, 0.0, 1000) == want
        t_nb = best_time(lambda: n_lit(1.0, 0.0, steps))
        print(f"  numba, literal dict       {t_nb * 1e3:9.2f} ms")
        print(f"  ember dict arg / numba    {t_dict / t_nb:9.2f}x  (target <= 1.0x)")
        print(f"  ember literal / numba     {t_lit / t_nb:9.2f}x")


if __name__ == "__main__":
    main()
