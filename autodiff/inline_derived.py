"""Forced inlining of derived functions before a derivative is differentiated again.

Reverse mode differentiates a `func.call` through the callee's vjp, but has no adjoint for
arrays inside a tuple or record that a call returns (reverse_calls.py materializes the
result's adjoint from scalars only). Derived functions return exactly such tuples
(`f__vjp` -> `tuple<R, tuple<grads>>`, `f__jvp` -> `tuple<R, T(R)>`), so the wrappers that
call them (the grad wrapper, the Jacobian helpers) get those calls inlined, whatever the
inliner's size limit, before a transform sees them.
"""
from __future__ import annotations

from ember.ir.core import FuncOp, Module
from ember.ir.types import ArrayType, RecordType, TupleType, Type


def _holds_array(t: Type) -> bool:
    if isinstance(t, TupleType):
        return any(_holds_array(e) for e in t.elements)
    if isinstance(t, RecordType):
        return any(_holds_array(e) for e in t.types)
    return isinstance(t, ArrayType)


def inline_calls(f: FuncOp, m: Module, only_array_tuples: bool = False) -> bool:
    """Inline every call in f now, transitively (whatever the inliner's size limit; not
    `noinline` helpers, not recursive calls; with only_array_tuples, only calls whose
    result is a tuple or record holding arrays): the next transform then sees the derived
    functions' ops, never a call whose tuple result holds arrays (reverse mode has no
    adjoint for those: the grad wrapper's call of `f__vjp` is one)."""
    from ember.ir.passes.inline import (_call_graph, _cyclic, _inlinable_body, callee_name,
                                        inline_call)
    from ember.ir.passes.uses import Substitution
    inlined = False
    cyclic = _cyclic(_call_graph(m))
    for _ in range(16):  # the depth of derived helpers calling each other
        subst = Substitution()
        changed = False
        for op in [o for o in f.walk() if o.name == "func.call"]:
            g = m.funcs.get(callee_name(op) or "")
            if g is None or g is f or g.attributes.get("noinline") is True \
                    or not _inlinable_body(g) or g.name in cyclic:
                continue
            if only_array_tuples and not (op.results and not isinstance(op.results[0].type, ArrayType)
                                          and _holds_array(op.results[0].type)):
                continue
            changed |= inline_call(op, g, subst)
        if subst:
            for op in f.walk():
                subst.apply(op)
        if not changed:
            break
        inlined = True
    return inlined


def inline_array_results(m: Module, name: str) -> bool:
    """Inline the calls of function `name` whose result is a tuple or record holding arrays
    (the grad wrapper's call of `f__vjp`), then tidy the module: a derivative about to be
    differentiated again in reverse mode, which has no adjoint for such a call's result."""
    if not inline_calls(m[name], m, only_array_tuples=True):
        return False
    from ember.ir.passes import optimize
    optimize(m, None, counted=False)  # tuple.get of tuple.make folded
    return True
