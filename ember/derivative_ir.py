"""The IR functions behind `ember.grad`, `ember.jvp` and `ember.vjp`: a transform, then a
small wrapper that the native call enters.

Each `*_transform(module, entry, ...)` runs the autodiff transform on `entry` and adds a
wrapper function whose arguments and result the CPython call wrapper can box:

- grad / value_and_grad: takes the primals only; seeds the output cotangent with the
  constant 1.0 (0.0 for the float parts of `aux`), so LLVM folds the seed; returns the
  result in JAX's shape (`g`, `(g0, g2)`, `(out, g)`, `(g, aux)`), so the wrapper is itself
  a function of the primals that the transforms can differentiate again.
- jvp: takes the primals, then one tangent per differentiable leaf of the primals.
- vjp: takes the primals, then one cotangent per differentiable leaf of the output.

A hole in a derivative (`none`: the int in a tuple argument `(x, n)`) is the value
`none.make` in the IR and None in Python, so grad and jvp results cross the boundary as
they are. Tangents and cotangents given by the user cross it as leaves (the wrapper
rebuilds the structure with `ember.pytrees.ir_build`, whatever the user gave at a hole
being ignored); vjp also returns its gradients as leaves (the `Plan` says so).
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

from ember.autodiff.tangents import tangent_type
from ember.ir.builder import Builder
from ember.ir.core import FuncOp, Module, SymbolRef, Value
from ember.ir.errors import DifferentiationError
from ember.ir.types import NONE, ArrayType, ScalarType, TupleType, Type
from ember.pytrees import diff_paths, ir_build, ir_leaves, ir_zero_or_one, leaf_type

Transform = Callable[[Module, str], str]


@dataclass
class Plan:
    """What a transform built, for the Python side: the derived symbol (for
    `inspect_source`), the wrapper symbol, and how to read the native result."""

    derived: str = ""
    wrapper: str = ""
    flat: bool = False          # vjp: the result is the leaves of the gradients
    arg_types: tuple[Type, ...] = ()
    return_type: Type | None = None
    wrt: tuple[int, ...] = ()
    grad_type: Type | None = None   # grad: the structure of g; jvp: T(R); vjp: tuple of T(args)
    extra: dict[str, Any] = field(default_factory=dict)


def _autodiff(mode: str) -> Callable[..., str]:
    """autodiff.jvp / autodiff.vjp (imported when first needed)."""
    import ember.autodiff as ad
    fn = getattr(ad, mode, None)
    if fn is None:
        import importlib
        fn = getattr(importlib.import_module(
            "ember.autodiff.forward" if mode == "jvp" else "ember.autodiff.reverse"), mode)
    return fn


def _wrapper(m: Module, entry: str, suffix: str, arg_types: list[Type], names: list[str | None],
             result: Type) -> tuple[FuncOp, Builder]:
    fe = m[entry]
    w = FuncOp(m.fresh_name(f"{entry}__{suffix}"), arg_types, result, names, fe.loc,
               dict(fe.attributes))
    m.add(w)
    return w, Builder(w.body.block, fe.loc)


def _call(b: Builder, callee: str, args: list[Value], result: Type) -> Value:
    return b.value("func.call", args, result, {"callee": SymbolRef(callee)})


def _ret(b: Builder, w: FuncOp, v: Value) -> None:
    w.return_type = v.type
    b.op("func.return", [v])


def _get(b: Builder, v: Value, i: int) -> Value:
    assert isinstance(v.type, TupleType)
    return b.value("tuple.get", [v], v.type.elements[i], {"index": i})


def describe(t: Type) -> str:
    """`t` in a user's words: "an int (i64)", "an array of i64", "a tuple<i64, bool>"."""
    if isinstance(t, ScalarType):
        word = {"b": "a bool", "i": "an int", "u": "an unsigned int", "f": "a float",
                "c": "a complex"}[t.kind]
        return f"{word} ({t})"
    if isinstance(t, ArrayType):
        return f"an array of {t.dtype}"
    return f"a {t}"


def arg_error(fe_loc: Any, qualname: str, name: str, index: int, t: Type) -> DifferentiationError:
    return DifferentiationError(
        f"cannot differentiate {qualname} with respect to argument {name!r} (argnums={index}): "
        f"it is {describe(t)}, and ints, bools and strs carry no derivative; differentiate with "
        "respect to float, complex or float-array arguments (or tuples and dicts holding them)",
        fe_loc)


def grad_transform(m: Module, entry: str, argnums: tuple[int, ...], single: bool,
                   has_aux: bool, value: bool, names: list[str], qualname: str,
                   plan: Plan) -> str:
    """vjp of `entry` with respect to `argnums`, wrapped as grad / value_and_grad."""
    fe = m[entry]
    arg_types, R = list(fe.arg_types), fe.return_type
    for i in argnums:
        if tangent_type(arg_types[i]) is None:
            raise arg_error(fe.loc, qualname, names[i], i, arg_types[i])
    out_t = R
    if has_aux:
        if not isinstance(R, TupleType) or len(R.elements) != 2:
            raise TypeError(f"{qualname}: has_aux=True requires the function to return a pair "
                            f"(out, aux), but it returns {R}")
        out_t = R.elements[0]
    if not (isinstance(out_t, ScalarType) and out_t.kind == "f"):
        raise TypeError(f"Gradient only defined for scalar-output functions. {qualname} "
                        f"returns {out_t} (grad needs a float scalar; use ember.vjp or "
                        "ember.jvp for other outputs)")
    aux_t = tangent_type(R.elements[1]) if has_aux else None  # type: ignore[union-attr]
    split = has_aux and aux_t is not None and any(
        not isinstance(leaf_type(aux_t, p), ScalarType) for p in diff_paths(aux_t))
    # split: aux holds arrays, which cannot be seeded with constants, so differentiate
    # `out` alone and get aux from a second primal call (ints are holes: none.make)
    target = _out_only(m, entry, out_t) if split else entry
    derived = _autodiff("vjp")(m, target, list(argnums))
    w, b = _wrapper(m, entry, "value_and_grad" if value else "grad", arg_types,
                    [a.name for a in fe.args], R)
    seed = ir_zero_or_one(b, out_t, True)
    if has_aux and not split:
        aux_tt = aux_t if aux_t is not None else NONE  # all ints: one hole
        leaves = [ir_zero_or_one(b, leaf_type(aux_tt, p), False) for p in diff_paths(aux_tt)]
        seed = b.value("tuple.make", [seed, ir_build(b, aux_tt, iter(leaves))],
                       TupleType((out_t, aux_tt)))
    G = TupleType(tuple(tangent_type(arg_types[i]) for i in argnums))  # type: ignore[misc]
    res = _call(b, derived, list(w.args) + [seed], TupleType((m[target].return_type, G)))
    out, grads = _get(b, res, 0), _get(b, res, 1)
    if split:
        out = _call(b, entry, list(w.args), R)
    g_t: Type = grads.type.elements[0] if single else grads.type  # type: ignore[union-attr]
    plan.derived, plan.wrapper, plan.grad_type = derived, w.name, g_t
    plan.arg_types, plan.return_type, plan.wrt = tuple(arg_types), R, argnums
    g = _get(b, grads, 0) if single else grads
    if value:
        result = b.value("tuple.make", [out, g], TupleType((R, g.type)))
    elif has_aux:
        aux = _get(b, out, 1)
        result = b.value("tuple.make", [g, aux], TupleType((g.type, aux.type)))
    else:
        result = g
    _ret(b, w, result)
    return w.name


def _out_only(m: Module, entry: str, out_t: Type) -> str:
    """`@<entry>__out`: the first element of entry's (out, aux) result, with entry inlined so
    that the aux computation is dead code and the transform never sees the pair."""
    from ember.ir.passes import optimize
    fe = m[entry]
    f, b = _wrapper(m, entry, "out", list(fe.arg_types), [a.name for a in fe.args], out_t)
    _ret(b, f, _get(b, _call(b, entry, list(f.args), fe.return_type), 0))
    optimize(m, None, counted=False)
    return f.name


def _differentiable(fe: FuncOp, mode: str, qualname: str) -> tuple[list[int], Type]:
    """The arguments `fe` has a derivative with respect to, and its result's tangent type;
    DifferentiationError when there is neither."""
    wrt = [i for i, t in enumerate(fe.arg_types) if tangent_type(t) is not None]
    if not wrt:
        raise DifferentiationError(f"ember.{mode}: {qualname} has no differentiable argument "
                                   "(all are ints, bools or strs)", fe.loc)
    TR = tangent_type(fe.return_type)
    if TR is None:
        raise DifferentiationError(f"ember.{mode}: the result of {qualname} ({fe.return_type}) "
                                   "has no derivative (ints, bools and strs carry none)", fe.loc)
    return wrt, TR


def jvp_transform(m: Module, entry: str, qualname: str, plan: Plan) -> str:
    """jvp of `entry` with respect to every differentiable argument; the wrapper takes the
    tangents as leaves and returns (out, tangent_out)."""
    fe = m[entry]
    arg_types, R = list(fe.arg_types), fe.return_type
    wrt, TR = _differentiable(fe, "jvp", qualname)
    derived = _autodiff("jvp")(m, entry, wrt)
    leaf_types = [tangent_type(leaf_type(arg_types[i], p))
                  for i in wrt for p in diff_paths(arg_types[i])]
    names = [a.name for a in fe.args] + [f"tangent{k}" for k in range(len(leaf_types))]
    w, b = _wrapper(m, entry, "jvp_call", arg_types + leaf_types, names, R)  # type: ignore[operator]
    leaves = list(w.args[len(arg_types):])
    tangents, k = [], 0
    for i in wrt:
        n = len(diff_paths(arg_types[i]))
        tangents.append(ir_build(b, tangent_type(arg_types[i]), iter(leaves[k:k + n])))  # type: ignore[arg-type]
        k += n
    res = _call(b, derived, list(w.args[:len(arg_types)]) + tangents, TupleType((R, TR)))
    plan.derived, plan.wrapper, plan.grad_type = derived, w.name, TR
    plan.arg_types, plan.return_type, plan.wrt = tuple(arg_types), R, tuple(wrt)
    _ret(b, w, res)
    return w.name


def vjp_transform(m: Module, entry: str, qualname: str, plan: Plan) -> str:
    """vjp of `entry` with respect to every differentiable argument; the wrapper takes the
    output cotangent as leaves and returns the leaves of the gradients (one flat tuple)."""
    fe = m[entry]
    arg_types, R = list(fe.arg_types), fe.return_type
    wrt, TR = _differentiable(fe, "vjp", qualname)
    derived = _autodiff("vjp")(m, entry, wrt)
    leaf_types = [tangent_type(leaf_type(R, p)) for p in diff_paths(R)]
    names = [a.name for a in fe.args] + [f"cotangent{k}" for k in range(len(leaf_types))]
    w, b = _wrapper(m, entry, "vjp_call", arg_types + leaf_types, names, R)  # type: ignore[operator]
    ct = ir_build(b, TR, iter(w.args[len(arg_types):]))
    G = TupleType(tuple(tangent_type(arg_types[i]) for i in wrt))  # type: ignore[misc]
    res = _call(b, derived, list(w.args[:len(arg_types)]) + [ct], TupleType((R, G)))
    leaves = ir_leaves(b, _get(b, res, 1), G)
    _ret(b, w, b.value("tuple.make", leaves, TupleType(tuple(v.type for v in leaves))))
    plan.derived, plan.wrapper, plan.grad_type, plan.flat = derived, w.name, G, True
    plan.arg_types, plan.return_type, plan.wrt = tuple(arg_types), R, tuple(wrt)
    return w.name


def param_names(py_func: Any) -> list[str]:
    return list(inspect.signature(py_func).parameters)
