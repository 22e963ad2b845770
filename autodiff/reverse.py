"""Reverse mode: `vjp(module, entry, wrt)` adds `@<entry>__vjp(primals..., cotangent)`
returning `tuple<R, tuple<T(arg) for arg in wrt>>` (contract: autodiff/__init__.py).

The derived function is the primal code (the forward sweep, with loops taping their
carried values) followed by the reverse sweep, which walks the ops backwards through the
rule registry (reverse_rules_*.py, reverse_calls.py) and replays loop bodies from their
tapes (reverse_loops.py). docs/autodiff.md describes what is taped and what is replayed.
"""
from __future__ import annotations

from ember.autodiff import reverse_values as rv
from ember.autodiff import reverse_calls, reverse_rules_array, reverse_rules_scalar  # noqa: F401
from ember.autodiff import reverse_rules_complex, reverse_rules_list, reverse_rules_struct  # noqa: F401
from ember.autodiff.custom_calls import is_custom, vjp_function
from ember.autodiff.reverse_activity import Activity
from ember.autodiff.reverse_calls import add_into
from ember.autodiff.reverse_sweep import Sweep
from ember.autodiff.reverse_tapes import drop_unread_tapes
from ember.autodiff.tangents import tangent_type
from ember.ir.core import FuncOp, Module, Value
from ember.ir.errors import DifferentiationError
from ember.ir.location import Location
from ember.ir.types import NONE, ArrayType, ListType, RecordType, TupleType

__all__ = ["vjp"]


def vjp(module: Module, entry: str, wrt: "list[int] | tuple[int, ...]") -> str:
    """Add the reverse-mode derivative of `entry` with respect to the arguments `wrt` to
    `module` and return its symbol."""
    return _Deriver(module).derive(entry, list(wrt), None)


class _Deriver:
    """Derives a function and, on demand, the helpers it calls (each once per set of
    active arguments, shared by every call site)."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self.names: dict[tuple[str, tuple[int, ...]], str] = {}

    def call_vjp(self, callee: str, wrt: list[int], loc: Location | None) -> str:
        key = (callee, tuple(wrt))
        if key not in self.names:
            self.derive(callee, wrt, loc)
        return self.names[key]

    def _name(self, entry: str) -> str:
        name, k = f"{entry}__vjp", 1
        while name in self.module.funcs or name in self.names.values():
            k += 1
            name = f"{entry}__vjp{k}"
        return name

    def derive(self, entry: str, wrt: list[int], loc: Location | None) -> str:
        if is_custom(self.module, entry):  # ember.custom_jvp / custom_vjp: the rules
            name = vjp_function(self.module, entry, wrt, loc)
            self.names[(entry, tuple(wrt))] = name
            return name
        src = self.module[entry]
        where = loc or src.loc
        for i in wrt:
            if not 0 <= i < len(src.args):
                raise DifferentiationError(f"{entry} has no argument {i} to differentiate", where)
            if tangent_type(src.arg_types[i]) is None:
                raise DifferentiationError(
                    f"cannot differentiate with respect to argument '{src.args[i].name or i}' "
                    f"of type {src.arg_types[i]}: only float values (and arrays, tuples and "
                    "dicts of them) have derivatives", where)
        rt = tangent_type(src.return_type)
        if rt is None:
            raise DifferentiationError(
                f"cannot differentiate {entry}: its result of type {src.return_type} has no "
                "derivative", where)
        name = self._name(entry)
        self.names[(entry, tuple(wrt))] = name
        grads = TupleType(tuple(tangent_type(src.arg_types[i]) for i in wrt))  # type: ignore[misc]
        new = FuncOp(name, src.arg_types + [rt], TupleType((src.return_type, grads)),
                     [a.name for a in src.args] + ["cotangent"], src.loc,
                     {k: v for k, v in src.attributes.items() if k != "entry"})
        # Registered before the body is built, so a recursive helper can call itself.
        self.module.add(new)
        try:
            _build(self, src, new, wrt)
        except BaseException:
            del self.module.funcs[name]
            raise
        return name


def _build(d: _Deriver, src: FuncOp, new: FuncOp, wrt: list[int]) -> None:
    act = Activity(d.module, src, wrt)
    sw = Sweep(d.module, act, new, d.call_vjp)
    b = sw.b
    with b.located(src.loc):
        for a, x in zip(src.args, new.args):
            sw.env[a] = x
        for dt in act.taped_dtypes():
            sw.lists[dt] = sw.tape(b.value("list.new", [sw.i64(64)], ListType(dt)))
        for a in src.args:
            if isinstance(a.type, ArrayType) and act.is_active(a):
                sw.env[("s", a)] = sw.zeros_like(sw.env[a])
        for (a, path), leaf in act.leaf_roots.items():
            if leaf in act.active:
                sw.env[("s", leaf)] = sw.zeros_like(rv.extract(b, sw.env[a], path))
    ops = src.body.block.ops
    sw.forward(ops)
    ret = ops[-1]
    ct = new.args[-1]
    with b.located(ret.loc):
        result = ret.operands[0]
        _seed(sw, result, ct, ret.loc)
    sw.reverse(ops)
    with b.located(ret.loc):
        outs = []
        for i in wrt:
            a = src.args[i]
            if isinstance(a.type, ArrayType):
                outs.append(sw.shadow(a))
            elif act.leaf_roots and any(k[0] is a for k in act.leaf_roots):
                outs.append(_struct_gradient(sw, act, a))
            else:
                try:
                    outs.append(rv.materialize(b, a.type, sw.adj.get(a)))
                except NotImplementedError:
                    raise DifferentiationError(
                        f"reverse mode cannot yet return the gradient of argument "
                        f"'{a.name or i}' of type {a.type}", src.loc) from None
        g = b.value("tuple.make", outs, TupleType(tuple(x.type for x in outs)))
        primal = sw.p(result)
        out = b.value("tuple.make", [primal, g], new.return_type)
        b.op("func.return", [out])
    drop_unread_tapes(new, sw.tapes)


def _struct_gradient(sw: Sweep, act: Activity, a) -> "Value":
    """The gradient of a tuple / dict argument holding arrays: shadows at array leaves
    (a zero array for a leaf never read), adjoints at float leaves."""
    b = sw.b
    adj = sw.adj.get(a)

    def leaf(path, t):
        if isinstance(t, ArrayType):
            root = act.leaf_roots.get((a, path))
            shadow = sw.env.get(("s", root)) if root is not None else None
            return shadow if shadow is not None else sw.zeros_like(rv.extract(b, sw.env[a], path))
        if t.kind not in "fc":
            raise NotImplementedError
        return rv.materialize(b, t, rv.get_leaf(adj, path))
    v = _build_struct(b, a.type, leaf)
    return v


def _build_struct(b, t, leaf, path=()):
    if tangent_type(t) is None:  # a hole (ints, bools, strs): None in the gradient
        return b.value("none.make", [], NONE)
    if rv.is_struct(t):
        parts = [_build_struct(b, e, leaf, path + (i,)) for i, e in enumerate(rv.elements(t))]
        if isinstance(t, TupleType):
            return b.value("tuple.make", parts, TupleType(tuple(p.type for p in parts)))
        return b.value("record.make", parts, RecordType(t.keys, tuple(p.type for p in parts)),
                       {"keys": ",".join(t.keys)})
    return leaf(path, t)


def _holds_array(t) -> bool:
    return isinstance(t, ArrayType) or (rv.is_struct(t) and any(_holds_array(e) for e in rv.elements(t)))


def _seed(sw: Sweep, result: Value, ct: Value, loc) -> None:
    """The cotangent enters: adj(result) += ct, into shadows for arrays (also arrays
    inside a tuple or dict result built by tuple.make / record.make)."""
    if isinstance(result.type, ArrayType):
        shadow = sw.shadow(result)
        if shadow is not None:
            add_into(sw, shadow, ct)
        return
    if not _holds_array(result.type):
        sw.acc(result, rv.split(sw.b, result.type, ct))
        return
    maker = getattr(result, "op", None)
    if maker is None or maker.name not in ("tuple.make", "record.make"):
        raise DifferentiationError("reverse mode cannot take the cotangent of arrays inside "
                                   "this result: return a tuple or dict built in the function", loc)
    for i, part in enumerate(maker.operands):
        if rv.scalar_leaves(part.type, True) or _holds_array(part.type):
            _seed(sw, part, rv.extract(sw.b, ct, (i,)), loc)
