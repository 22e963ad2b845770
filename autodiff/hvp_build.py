"""Hessian-vector products as one function: the jvp of a gradient function along v."""
from __future__ import annotations

from typing import Sequence

from ember.autodiff.tangents import tangent_type
from ember.ir.builder import Builder
from ember.ir.core import FuncOp, Module, SymbolRef
from ember.ir.types import ArrayType, ScalarType, TupleType, Type


def structured_tangents(arg_types: Sequence[Type]) -> bool:
    """Can the tangents of these arguments cross the native boundary as values (floats,
    arrays and tuples of them: what the CPython wrapper unboxes)? Not with holes (`none`)
    or records: those cross as leaves."""
    def ok(t: Type | None) -> bool:
        if isinstance(t, TupleType):
            return all(ok(e) for e in t.elements)
        return isinstance(t, (ScalarType, ArrayType))
    return all(ok(tangent_type(t)) for t in arg_types)


def hvp_func(m: Module, grad_fn: str, argnums: Sequence[int], structured: bool) -> str:
    """`(primals..., v...) -> H v` where `grad_fn` is the gradient function of the primals
    (the grad wrapper): its jvp along v, keeping only the tangent. v is one argument per
    entry of argnums typed like its tangent when `structured`, else the tangents' leaves."""
    from ember.autodiff.forward import jvp
    from ember.pytrees import diff_paths, ir_build, leaf_type
    fg = m[grad_fn]
    A = list(fg.arg_types)
    derived = jvp(m, grad_fn, list(argnums))
    if structured:
        v_types = [tangent_type(A[i]) for i in argnums]
    else:
        v_types = [tangent_type(leaf_type(A[i], p)) for i in argnums for p in diff_paths(A[i])]
    names = [a.name for a in fg.args] + [f"v{k}" for k in range(len(v_types))]
    TG = tangent_type(fg.return_type)
    w = FuncOp(m.fresh_name(f"{grad_fn}__hvp"), A + v_types, TG, names, fg.loc,  # type: ignore[operator, arg-type]
               dict(fg.attributes))
    m.add(w)
    b = Builder(w.body.block, fg.loc)
    vs = list(w.args[len(A):])
    if not structured:
        it = iter(vs)
        vs = [ir_build(b, tangent_type(A[i]), it) for i in argnums]  # type: ignore[arg-type]
    res = b.value("func.call", list(w.args[:len(A)]) + vs,
                  TupleType((fg.return_type, TG)), {"callee": SymbolRef(derived)})  # type: ignore[arg-type]
    hv = b.value("tuple.get", [res], TG, {"index": 1})  # type: ignore[arg-type]
    b.op("func.return", [hv])
    return w.name
