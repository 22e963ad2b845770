"""Call overhead of a compiled function: ember's generated wrapper vs Numba vs CPython.

Measures, in one process, `add(1.0, 2.0)` and a five-argument int/float/bool
function, as (a) an ember Dispatcher (builtin `__call__`), (b) the raw ember
builtin, (c) Numba's njit, (d) the pure Python function; and the cost of a miss
in ember's specialization chain (a call matching the 2nd/3rd signature).
Prints min-of-repeats ns per call and ratios against Numba.

Uses the full ember pipeline (ember.compiler) when it can compile the functions;
otherwise the same native bodies are written by hand with llvmlite, behind the
same wrapper: the wrapper, not the body, is what this measures.

    python benchmarks/call_overhead_probe.py
"""
from __future__ import annotations

import timeit
from typing import Any

from llvmlite import ir

from ember.ir.types import BOOL, F64, I64, Type


def add(a, b):
    return a + b


def five(a, b, c, d, e):
    if c:
        return a + b
    return d * e


def _hand_compile(py_func: Any, arg_types: tuple[Type, ...], options: dict) -> Any:
    """A stand-in compile_fn: the two benchmark bodies written directly in llvmlite."""
    import llvmlite.binding as llvm

    from ember.backend.callable import make_builtin
    from ember.backend.llvm_types import value_type
    from ember.backend.wrapper import emit_wrapper

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    mod = ir.Module(name=py_func.__name__)
    i32 = ir.IntType(32)
    fn = ir.Function(mod, ir.FunctionType(i32, [ir.PointerType()] + [value_type(t) for t in arg_types]),
                     name=py_func.__name__)
    b = ir.IRBuilder(fn.append_basic_block())
    out, *args = fn.args
    if py_func is add and arg_types == (F64, F64):
        r, rt = b.fadd(args[0], args[1]), F64
    elif py_func is add and arg_types == (I64, I64):
        r, rt = b.add(args[0], args[1]), I64
    elif py_func is five and arg_types == (I64, F64, BOOL, I64, F64):
        x = b.fadd(b.sitofp(args[0], ir.DoubleType()), args[1])
        y = b.fmul(b.sitofp(args[3], ir.DoubleType()), args[4])
        r, rt = b.select(args[2], x, y), F64
    elif py_func is add and arg_types == (BOOL, BOOL):
        r, rt = b.add(b.zext(args[0], ir.IntType(64)), b.zext(args[1], ir.IntType(64))), I64
    else:
        raise NotImplementedError(arg_types)
    b.store(r, out)
    b.ret(ir.Constant(i32, 0))
    wname = emit_wrapper(mod, fn, list(arg_types), rt, [])
    m = llvm.parse_assembly(str(mod))
    m.verify()
    ee = llvm.create_mcjit_compiler(m, llvm.Target.from_default_triple().create_target_machine(opt=3))
    ee.finalize_object()
    addr = ee.get_function_address(wname)

    class Spec:
        engine = ee

        def make_callable(self, fallback: object) -> object:
            return make_builtin(addr, py_func.__name__, fallback)

    return Spec()


def _compile_fn() -> tuple[Any, str]:
    try:
        from ember.compiler import compile_specialization
        from ember.dispatcher import Dispatcher

        probe = Dispatcher(add, compile_specialization)
        assert probe(1.0, 2.0) == 3.0
        return compile_specialization, "ember pipeline"
    except Exception as e:  # the pipeline is still being written: measure the wrapper alone
        return _hand_compile, f"hand-written native bodies ({type(e).__name__})"


def bench(stmt: str, ns: dict, number: int = 300_000, repeat: int = 7) -> float:
    """Min over repeats of ns per call."""
    t = timeit.Timer(stmt, globals=ns)
    return min(t.repeat(repeat, number)) / number * 1e9


def main() -> None:
    import numba

    from ember.dispatcher import Dispatcher

    compile_fn, how = _compile_fn()
    print(f"ember compiled with: {how}")
    e_add = Dispatcher(add, compile_fn)
    e_five = Dispatcher(five, compile_fn)
    n_add = numba.njit(add)
    n_five = numba.njit(five)
    args5 = (3, 2.5, True, 4, 1.5)
    for f in (e_add, n_add):
        f(1.0, 2.0)
    for f in (e_five, n_five):
        f(*args5)
    raw_add = type(e_add).__dict__["__call__"]

    rows = [
        ("add(1.0, 2.0)", {"python": add, "numba": n_add, "ember": e_add, "ember builtin": raw_add},
         "f(1.0, 2.0)"),
        ("five(3, 2.5, True, 4, 1.5)", {"python": five, "numba": n_five, "ember": e_five},
         "f(3, 2.5, True, 4, 1.5)"),
    ]
    for title, impls, stmt in rows:
        times = {k: bench(stmt, {"f": f}) for k, f in impls.items()}
        print(f"\n{title}")
        for k, t in times.items():
            print(f"  {k:14s} {t:7.1f} ns   {t / times['numba']:5.2f}x numba")

    # Specialization chain: signatures compiled f64, then i64, then bool.
    e_add(1, 2)
    e_add(True, False)
    n_add(1, 2)
    n_add(True, False)
    print("\nadd with 3 signatures (chain f64 -> i64 -> bool -> fallback)")
    for title, stmt in [("1st (f64)", "f(1.0, 2.0)"), ("2nd (i64)", "f(1, 2)"), ("3rd (bool)", "f(True, False)")]:
        te, tn = bench(stmt, {"f": e_add}), bench(stmt, {"f": n_add})
        print(f"  {title:11s} ember {te:6.1f} ns  numba {tn:6.1f} ns  {te / tn:5.2f}x numba")


if __name__ == "__main__":
    main()
