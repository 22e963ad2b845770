"""Functions with custom derivative rules (`ember.custom_jvp`, `ember.custom_vjp`,
`ember.stop_gradient`): the derived functions the transforms use instead of
differentiating the function's body.

A typed function carries the attribute `custom_rule = @name` whose SymbolRef target is
the Python object holding the rules (ember/custom_rules.py). Autodiff asks that object,
by duck typing (the face is never imported), for the typed IR of a rule at given
argument types: `target.__ember_rule__(which, arg_types, options) -> (Module, symbol)`,
`which` one of "jvp", "fwd", "bwd"; `target.__ember_rule_kind__` is "custom_jvp",
"custom_vjp" or "zero" (stop_gradient: no rule, the derivative is zero). The rule's
module is copied into the module being differentiated (symbols renamed) and called from
wrappers that have the transforms' contracts:

- `jvp_function(module, f, wrt)`: `(primals..., tangents of wrt) -> tuple<R, T(R)>`
  (autodiff.jvp's contract): the jvp rule called with every tangent (zeros for the
  others, `none` for ints).
- `vjp_function(module, f, wrt)`: `(primals..., ct) -> tuple<R, tuple<T(arg)...>>`
  (autodiff.vjp's contract). custom_vjp: fwd then bwd. custom_jvp: the transpose of the
  rule's tangent map, i.e. the reverse-mode derivative with respect to the tangents of
  `t -> rule(primals, t)[1]` (linear in t, so the point t = 0 is as good as any).
- `jvp_callee(...)`: forward mode's internal helper signature around `jvp_function`.

Every wrapper is ordinary IR calling the rule, so a later transform differentiates the
rule itself (grad of grad of a custom_jvp function differentiates its rule, as in JAX).
"""
from __future__ import annotations

import weakref
from typing import Any, Sequence

from ember.autodiff.forward_emit import Emit, leaf_paths, unflatten
from ember.autodiff.tangents import tangent_type
from ember.ir.builder import Builder
from ember.ir.core import FuncOp, Module, SymbolRef, Value
from ember.ir.errors import DifferentiationError
from ember.ir.location import Location
from ember.ir.merge import merge_into
from ember.ir.types import NONE, ArrayType, RecordType, TupleType, Type

ATTR = "custom_rule"

# module -> {(callee, which, arg types): merged rule symbol}: a rule is copied in once
_merged: "weakref.WeakKeyDictionary[Module, dict[Any, str]]" = weakref.WeakKeyDictionary()


def rule_owner(module: Module, name: str) -> Any:
    """The object holding `name`'s custom rules, or None for an ordinary function."""
    f = module.funcs.get(name)
    ref = f.attributes.get(ATTR) if f is not None else None
    # the attribute names the specialization it marks: a function derived from it copies
    # the attributes under another name and is an ordinary function
    return ref.target if isinstance(ref, SymbolRef) and ref.name == name else None


def is_custom(module: Module, name: str) -> bool:
    return rule_owner(module, name) is not None


def _kind(module: Module, name: str) -> str:
    return str(getattr(rule_owner(module, name), "__ember_rule_kind__", "custom_jvp"))


def _cache(module: Module) -> dict[Any, str]:
    c = _merged.get(module)
    if c is None:
        c = _merged[module] = {}
    return c


def _plain_attrs(f: FuncOp) -> dict[str, Any]:
    return {k: v for k, v in f.attributes.items() if k not in (ATTR, "entry")}


def merge(module: Module, other: Module, prefix: str) -> dict[str, str]:
    """Copy every function of `other` into `module` under fresh names; the renaming."""
    mapping: dict[str, str] = {}
    taken = set(module.funcs)
    for f in other:
        base, k = f"{prefix}__{f.name}", 1
        name = base
        while name in taken:
            k += 1
            name = f"{base}_{k}"
        taken.add(name)
        mapping[f.name] = name
    merge_into(module, other, mapping)
    return mapping


def _rule(module: Module, callee: str, which: str, arg_types: Sequence[Type]) -> str:
    """The symbol of rule `which` of `callee`'s owner typed for `arg_types` (copied in once)."""
    key = (callee, which, tuple(arg_types))
    cache = _cache(module)
    sym = cache.get(key)
    if sym is not None and sym in module.funcs:
        return sym
    owner = rule_owner(module, callee)
    f = module[callee]
    options = {"boundscheck": f.attributes.get("boundscheck", True)}
    other, entry = owner.__ember_rule__(which, list(arg_types), options)
    sym = merge(module, other, f"{callee}__{which}")[entry]
    cache[key] = sym
    return sym


def _return_loc(f: FuncOp) -> Location | None:
    ops = f.body.block.ops
    return ops[-1].loc if ops and ops[-1].loc is not None else f.loc


def _rule_name(module: Module, callee: str, which: str) -> str:
    owner = rule_owner(module, callee)
    fn = getattr(owner, "__ember_rule_function__", lambda w: None)(which)
    return getattr(fn, "__name__", which)


def _user_name(module: Module, callee: str) -> str:
    """The function's Python name (not its specialization's symbol) for messages."""
    return str(getattr(rule_owner(module, callee), "__name__", callee))


def _matches(got: Type, want: Type) -> bool:
    """`got` can stand for `want`: equal, or arrays of the same dtype and rank (layouts
    are converted), or tuples / records of matching elements."""
    if got == want:
        return True
    if isinstance(got, ArrayType) and isinstance(want, ArrayType):
        return got.dtype == want.dtype and got.ndim == want.ndim
    if isinstance(got, TupleType) and isinstance(want, TupleType):
        return len(got.elements) == len(want.elements) and all(
            _matches(g, w) for g, w in zip(got.elements, want.elements))
    if isinstance(got, RecordType) and isinstance(want, RecordType):
        return got.keys == want.keys and all(_matches(g, w) for g, w in zip(got.types, want.types))
    return False


def _conform(em: Emit, v: Value, want: Type) -> Value:
    """`v` retyped (or copied) to `want`; `_matches(v.type, want)` holds."""
    t = v.type
    if t == want:
        return v
    if isinstance(want, ArrayType):
        if want.layout == "C":
            return em.retype(em.copy_c(v), want)
        return em.retype(v, want)
    if isinstance(want, TupleType):
        parts = [_conform(em, em.element(v, i), e) for i, e in enumerate(want.elements)]
        return em.op("tuple.make", parts, want)
    if isinstance(want, RecordType):
        parts = [_conform(em, em.element(v, i), e) for i, e in enumerate(want.types)]
        return em.op("record.make", parts, want, keys=",".join(want.keys))
    return v


def _check_shapes(em: Emit, got: Value, like: Value, what: str) -> None:
    """At run time: every array leaf of `got` has the extents of the same leaf of `like`
    (ValueError otherwise; a wrong shape would make later code read out of bounds)."""
    from ember.ir.types import BOOL, I64
    for path, t in leaf_paths(like.type):
        if not isinstance(t, ArrayType):
            continue
        a, b = em.at_path(got, path), em.at_path(like, path)
        for k in range(t.ndim):
            da = em.op("array.dim", [a], I64, axis=k)
            db = em.op("array.dim", [b], I64, axis=k)
            ok = em.op("arith.cmpi", [da, db], BOOL, predicate="eq")
            em.b.op("cf.assert", [ok, da, db], [], {
                "exc": "ValueError",
                "msg": f"{what} has extent {{}} on axis {k} where its primal has {{}}"})


def _zero(em: Emit, primal: Value, t: Type) -> Value:
    """The zero tangent (`none` for a value with no derivative) of type `t`."""
    if t == NONE:
        return em.op("none.make", [], NONE)
    return em.tangent_value(primal, None, t)


def _all_tangent_types(f: FuncOp) -> list[Type]:
    return [tangent_type(t) or NONE for t in f.arg_types]


def _wrapper(module: Module, callee: str, suffix: str, arg_types: list[Type],
             names: list[str | None], result: Type) -> tuple[FuncOp, Builder, Emit]:
    f = module[callee]
    w = FuncOp(module.fresh_name(f"{callee}__{suffix}"), arg_types, result, names, f.loc,
               _plain_attrs(f))
    module.add(w)
    b = Builder(w.body.block, f.loc)
    return w, b, Emit(b)


def _call(b: Builder, sym: str, args: list[Value], result: Type) -> Value:
    return b.value("func.call", args, result, {"callee": SymbolRef(sym)})


# ---- custom_jvp: the rule called with all tangents -----------------------------------------

def _jvp_rule_call(module: Module, callee: str, em: Emit, primals: list[Value],
                   tangents: list[Value]) -> tuple[Value, Value]:
    """rule(primals, tangents) -> (out typed R, tangent_out typed T(R)), checked."""
    f = module[callee]
    name = _user_name(module, callee)
    R = f.return_type
    TR = tangent_type(R)
    nondiff = _nondiff(module, callee)
    fixed = [primals[i] for i in nondiff]   # nondiff_argnums: passed first, no tangent
    primals = [v for i, v in enumerate(primals) if i not in nondiff]
    tangents = [v for i, v in enumerate(tangents) if i not in nondiff]
    P = em.op("tuple.make", primals, TupleType(tuple(v.type for v in primals)))
    T = em.op("tuple.make", tangents, TupleType(tuple(v.type for v in tangents)))
    sym = _rule(module, callee, "jvp", [v.type for v in fixed] + [P.type, T.type])
    rf = module[sym]
    rt = rf.return_type
    if not (isinstance(rt, TupleType) and len(rt.elements) == 2
            and _matches(rt.elements[0], R) and TR is not None and _matches(rt.elements[1], TR)):
        raise DifferentiationError(
            f"the custom_jvp rule {_rule_name(module, callee, 'jvp')} of {name} must return "
            f"(primal_out, tangent_out) typed ({R}, {TR}), matching the function's result; "
            f"it returns {rt}", _return_loc(rf))
    r = _call(em.b, sym, fixed + [P, T], rt)
    out = _conform(em, em.element(r, 0), R)
    tout = _conform(em, em.element(r, 1), TR)  # type: ignore[arg-type]
    _check_shapes(em, tout, out, f"the tangent_out returned by the custom_jvp rule of {name}")
    return out, tout


def _nondiff(module: Module, callee: str) -> tuple[int, ...]:
    """The owner's nondiff_argnums (JAX's: passed to the rules first, never differentiated)."""
    return tuple(getattr(rule_owner(module, callee), "__ember_nondiff__", ()))


def _zero_kind(module: Module, callee: str) -> bool:
    return _kind(module, callee) == "zero"


def _result_types(f: FuncOp, name: str, loc: Location | None) -> tuple[Type, Type]:
    """The custom function's result type and its tangent type (an int result has none)."""
    TR = tangent_type(f.return_type)
    if TR is None:
        raise DifferentiationError(f"cannot differentiate {name}: its result of type "
                                   f"{f.return_type} has no derivative", loc or f.loc)
    return f.return_type, TR


def jvp_function(module: Module, callee: str, wrt: Sequence[int],
                 loc: Location | None = None) -> str:
    """`(primals..., tangents of wrt) -> tuple<R, T(R)>` from the custom rule."""
    key = (callee, "jvp_function", tuple(wrt))
    cache = _cache(module)
    if key in cache and cache[key] in module.funcs:
        return cache[key]
    f = module[callee]
    name = _user_name(module, callee)
    if _kind(module, callee) == "custom_vjp":
        raise DifferentiationError(
            f"can't apply forward-mode autodiff (jvp) to a custom_vjp function ({name}); "
            "use ember.custom_jvp for a rule that works in both modes", loc)
    R, TR = _result_types(f, name, loc)
    Ts = _all_tangent_types(f)
    names = [a.name for a in f.args] + [f"{f.args[i].name or 'arg'}_dot" for i in wrt]
    w, b, em = _wrapper(module, callee, "custom_jvp", list(f.arg_types) + [Ts[i] for i in wrt],
                        names, TupleType((R, TR)))
    cache[key] = w.name
    primals = list(w.args[:len(f.args)])
    given = dict(zip(wrt, w.args[len(f.args):]))
    if _zero_kind(module, callee):
        out = _call(b, callee, primals, R)
        tout = _zero(em, out, TR)
    else:
        tangents = [given[i] if i in given else _zero(em, p, Ts[i]) for i, p in enumerate(primals)]
        out, tout = _jvp_rule_call(module, callee, em, primals, tangents)
    b.op("func.return", [em.op("tuple.make", [out, tout], TupleType((R, TR)))])
    return w.name


def jvp_callee(module: Module, callee: str, pattern: Sequence[bool], result_active: bool) -> str:
    """Forward mode's derived helper (primals..., tangent leaves of the active arguments)
    -> tuple<R, leaves of T(R)...> (or R when the result is not active)."""
    f = module[callee]
    wrt = [i for i, on in enumerate(pattern) if on]
    public = jvp_function(module, callee, wrt)
    leaf_types = [lt for i in wrt for _, lt in leaf_paths(f.arg_types[i])]
    R = f.return_type
    rtype: Type = TupleType((R,) + tuple(t for _, t in leaf_paths(R))) if result_active else R
    w, b, em = _wrapper(module, callee, "jvp", list(f.arg_types) + leaf_types,
                        [a.name for a in f.args] + [None] * len(leaf_types), rtype)
    primals = list(w.args[:len(f.args)])
    leaves = iter(w.args[len(f.args):])
    Ts = _all_tangent_types(f)
    tangents = [em.tangent_value(primals[i], unflatten(f.arg_types[i], leaves), Ts[i]) for i in wrt]
    TR = tangent_type(R)
    res = _call(b, public, primals + tangents, TupleType((R, TR)))  # type: ignore[arg-type]
    out = em.element(res, 0)
    if result_active:
        struct = em.from_tangent_value(em.element(res, 1), R)
        b.op("func.return", [em.op("tuple.make", [out] + em.leaves(out, struct), rtype)])
    else:
        b.op("func.return", [out])
    return w.name


# ---- reverse mode ----------------------------------------------------------------------------

def vjp_function(module: Module, callee: str, wrt: Sequence[int],
                 loc: Location | None = None) -> str:
    """`(primals..., ct) -> tuple<R, tuple<T(arg) for arg in wrt>>` from the custom rule."""
    key = (callee, "vjp_function", tuple(wrt))
    cache = _cache(module)
    if key in cache and cache[key] in module.funcs:
        return cache[key]
    f = module[callee]
    name = _user_name(module, callee)
    R, TR = _result_types(f, name, loc)
    Ts = _all_tangent_types(f)
    G = TupleType(tuple(Ts[i] for i in wrt))
    kind = _kind(module, callee)
    lin = _linear_vjp(module, callee, wrt) if kind == "custom_jvp" else None
    w, b, em = _wrapper(module, callee, "custom_vjp", list(f.arg_types) + [TR],
                        [a.name for a in f.args] + ["cotangent"], TupleType((R, G)))
    cache[key] = w.name
    primals, ct = list(w.args[:len(f.args)]), w.args[-1]
    if kind == "zero":
        out = _call(b, callee, primals, R)
        grads = [_zero(em, primals[i], Ts[i]) for i in wrt]
    elif kind == "custom_vjp":
        out, grads = _fwd_bwd(module, callee, em, primals, ct, wrt)
    else:
        assert lin is not None
        sym, lin_f = lin
        zeros = [_zero(em, primals[i], Ts[i]) for i in wrt]
        res = _call(b, sym, primals + zeros + [ct], module[sym].return_type)
        g = em.element(res, 1)
        grads = [em.element(g, k) for k in range(len(wrt))]
        out = _call(b, callee, primals, R)
    b.op("func.return", [em.op("tuple.make", [out, em.op("tuple.make", grads, G)],
                               TupleType((R, G)))])
    return w.name


def _linear_vjp(module: Module, callee: str, wrt: Sequence[int]) -> tuple[str, FuncOp]:
    """The vjp, with respect to the tangents, of `(primals..., tangents of wrt) ->
    rule(primals, tangents)[1]`: the transpose of the custom_jvp rule's tangent map."""
    from ember.autodiff.reverse import vjp  # the reverse transform imports this module
    from ember.ir.passes.inline import _inlinable_body, inline_call
    from ember.ir.passes.uses import Substitution
    f = module[callee]
    Ts = _all_tangent_types(f)
    TR = tangent_type(f.return_type)
    names = [a.name for a in f.args] + [f"{f.args[i].name or 'arg'}_dot" for i in wrt]
    w, b, em = _wrapper(module, callee, "custom_lin", list(f.arg_types) + [Ts[i] for i in wrt],
                        names, TR)  # type: ignore[arg-type]
    primals = list(w.args[:len(f.args)])
    given = dict(zip(wrt, w.args[len(f.args):]))
    tangents = [given[i] if i in given else _zero(em, p, Ts[i]) for i, p in enumerate(primals)]
    _, tout = _jvp_rule_call(module, callee, em, primals, tangents)
    b.op("func.return", [tout])
    # the rule's body inlined: the tangents reach its ops directly, not through a tuple
    # argument of a helper call
    for op in list(w.body.block.ops):
        if op.name == "func.call":
            g = module.funcs.get(op.attributes["callee"].name)
            if g is not None and not is_custom(module, g.name) and _inlinable_body(g):
                subst = Substitution()
                if inline_call(op, g, subst):
                    for o in w.walk():
                        subst.apply(o)
    sym = vjp(module, w.name, [len(f.args) + k for k in range(len(wrt))])
    return sym, w


def _fwd_bwd(module: Module, callee: str, em: Emit, primals: list[Value], ct: Value,
             wrt: Sequence[int]) -> tuple[Value, list[Value]]:
    """custom_vjp: (out, res) = fwd(*primals); grads = bwd(res, ct), checked."""
    f = module[callee]
    name = _user_name(module, callee)
    R = f.return_type
    Ts = _all_tangent_types(f)
    fwd = _rule(module, callee, "fwd", list(f.arg_types))
    ft = module[fwd].return_type
    if not (isinstance(ft, TupleType) and len(ft.elements) == 2 and _matches(ft.elements[0], R)):
        raise DifferentiationError(
            f"the custom_vjp fwd rule {_rule_name(module, callee, 'fwd')} of {name} must "
            f"return (primal_out, residuals) with primal_out typed {R} like the function's "
            f"result; it returns {ft}", _return_loc(module[fwd]))
    r = _call(em.b, fwd, primals, ft)
    out = _conform(em, em.element(r, 0), R)
    res = em.element(r, 1)
    nondiff = _nondiff(module, callee)
    fixed = [primals[i] for i in nondiff]   # nondiff_argnums: passed to bwd first
    diff = [i for i in range(len(f.args)) if i not in nondiff]
    bwd = _rule(module, callee, "bwd", [v.type for v in fixed] + [res.type, ct.type])
    bt = module[bwd].return_type
    n = len(diff)
    ok = isinstance(bt, TupleType) and len(bt.elements) == n and all(
        _matches(bt.elements[diff.index(i)], Ts[i]) for i in wrt if i in diff)
    if not ok:
        want = "(" + ", ".join(str(Ts[i]) for i in diff) + ("," if n == 1 else "") + ")"
        raise DifferentiationError(
            f"the custom_vjp bwd rule {_rule_name(module, callee, 'bwd')} of {name} must "
            f"return a tuple with one cotangent per argument of {name} ({n}"
            f"{', not counting nondiff_argnums' if nondiff else ''}), typed {want} "
            f"(None for int arguments); it returns {bt}", _return_loc(module[bwd]))
    g = _call(em.b, bwd, fixed + [res, ct], bt)
    # a nondiff argument gets a zero gradient (JAX refuses to differentiate it)
    grads = [_conform(em, em.element(g, diff.index(i)), Ts[i]) if i in diff
             else _zero(em, primals[i], Ts[i]) for i in wrt]
    for i, gi in zip(wrt, grads):
        _check_shapes(em, gi, primals[i],
                      f"cotangent {i} returned by the custom_vjp bwd rule of {name}")
    return out, grads


__all__ = ["ATTR", "rule_owner", "is_custom", "jvp_function", "jvp_callee", "vjp_function", "merge"]
