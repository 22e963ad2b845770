"""`ember.jacfwd`, `jacrev`, `jacobian`, `hessian` and `hvp`: Jacobians, Hessians and
Hessian-vector products, compiled, with JAX's result shapes.

    H = ember.hessian(potential)(x)            # forward over reverse, one native call
    J = ember.jacobian(rhs, argnums=1)(t, y, p)
    Hv = ember.hvp(potential)(x, v)            # no Hessian formed

Each returns a `Jacobian` (an `ember.Derivative`): one compiled specialization per
argument-type signature, and each evaluation is one native call. The IR is built by
autodiff/jacobian_loops.py: a compiled loop over the basis directions around the jvp
(forward) or vjp (reverse) of the function. Jacobians compose with the other
derivatives: `jacobian(jacobian(f))`, `grad(...)` of a scalar Jacobian, `hessian(grad(...))`
is refused (a gradient is not scalar) but `jacfwd(grad(f))` is the Hessian.
"""
from __future__ import annotations

from typing import Any, Sequence

from ember.derivatives import Derivative, _Base, _argnums_arg
from ember.ir.core import Module
from ember.ir.errors import DifferentiationError
from ember.ir.types import ScalarType, Type
from ember.typeof import canonical

_MODES = ("auto", "fwd", "rev")


class Jacobian(Derivative):
    """A compiled Jacobian, Hessian or Hessian-vector product (see the module docstring)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> "Jacobian":
        if cls is Jacobian:
            # one subclass per object: its `__call__` slot becomes the native builtin
            base = args[0] if args else kwargs["base"]
            cls = type(base.py_func.__name__, (Jacobian,), {"__module__": __name__})
        return object.__new__(cls)

    def __init__(self, base: _Base, kind: str, argnums: int | tuple[int, ...] = 0,
                 mode: str = "auto", has_aux: bool = False) -> None:
        super().__init__(base, kind, argnums, has_aux)
        self.mode = mode
        self._fast = self._plain

    # --- calling -------------------------------------------------------------------------

    def _fallback(self, *args: Any, **kwargs: Any) -> Any:
        if self.kind == "hvp":
            return self._hvp_call(args, kwargs)
        values = self._bind(args, kwargs)
        entry = self._entry(self._types(values))
        return entry.direct(*[canonical(v) for v in values])

    def _hvp_call(self, args: tuple, kwargs: dict[str, Any]) -> Any:
        """hvp(f)(*args, v) when the native builtin did not take the call: check and
        convert v (to contiguous arrays and floats), then call the native code."""
        from ember.pytrees import py_leaves, py_unflatten
        from ember.autodiff.tangents import tangent_type
        if kwargs:
            raise TypeError(f"ember.hvp({self.__qualname__}) takes positional arguments: "
                            "the function's arguments, then the vector v")
        if len(args) != len(self._names) + 1:
            raise TypeError(f"ember.hvp({self.__qualname__}) takes {len(self._names)} "
                            f"argument(s) and the vector v, got {len(args)} value(s)")
        values, v = list(args[:-1]), args[-1]
        entry = self._entry(self._types(values))
        wrt = self._resolved(len(values))
        vs = (v,) if self._single else v
        if not isinstance(vs, (tuple, list)) or len(vs) != len(wrt):
            raise TypeError(f"ember.hvp: v must be a tuple of {len(wrt)} tangents for "
                            f"argnums={self._argnums}")
        parts: list[Any] = []
        for i, t in zip(wrt, vs):
            pt = entry.plan.arg_types[i]
            leaves = py_leaves(t, pt, "v")
            if entry.plan.extra["structured"]:
                parts.append(py_unflatten(tangent_type(pt), iter(leaves)))
            else:
                parts += leaves
        return entry.direct(*[canonical(x) for x in values], *parts)

    # --- compiling -----------------------------------------------------------------------

    def _precheck(self, types: tuple[Type, ...]) -> None:
        pass  # the transform checks the types (DifferentiationError at the def)

    def _own(self, m: Module, e: str, plan: Any, fresh: bool = False) -> str:
        if self.has_aux:
            return self._with_aux(m, e, plan, fresh)
        return self._own_plain(m, e, plan, fresh)

    def _own_plain(self, m: Module, e: str, plan: Any, fresh: bool) -> str:
        from ember.autodiff import hvp_build as hb
        from ember.autodiff import jacobian_loops as jl
        from ember.derivative_ir import grad_transform
        fe = m[e]
        argnums = self._resolved(len(fe.arg_types))
        what = self.kind
        plan.arg_types, plan.return_type, plan.wrt = tuple(fe.arg_types), fe.return_type, argnums
        if what in ("hessian", "hvp"):
            R = fe.return_type
            if not (isinstance(R, ScalarType) and R.kind == "f"):
                raise DifferentiationError(
                    f"ember.{what}: {self.__qualname__} returns {R}, but a Hessian needs a "
                    "function with one float output (use ember.jacobian of ember.grad, or "
                    "ember.jacobian twice, for a vector-valued function)", fe.loc)
            jl.check_signature(m, e, argnums, self._names, self.__qualname__, what)
            g = grad_transform(m, e, argnums, self._single, False, False, self._names,
                               self.__qualname__, type(plan)())
            if what == "hvp":
                # v as values when it can be: then hvp(x, v) goes straight into native code
                structured = hb.structured_tangents([fe.arg_types[i] for i in argnums])
                plan.extra["structured"] = structured
                plan.flat = not structured  # leaves: every call takes the Python path
                sym = hb.hvp_func(m, g, argnums, structured)
            else:
                sym = jl.jacobian_func(m, g, argnums, self._single, "fwd", "like_in", fresh)
        else:
            jl.check_signature(m, e, argnums, self._names, self.__qualname__, what)
            mode = {"jacfwd": "fwd", "jacrev": "rev"}.get(what, self.mode)
            if mode == "auto":
                sym = jl.jacobian_auto(m, e, argnums, self._single, fresh)
            else:
                sym = jl.jacobian_func(m, e, argnums, self._single, mode, fresh=fresh)
        plan.derived = sym
        plan.wrapper = sym
        return sym

    def _with_aux(self, m: Module, e: str, plan: Any, fresh: bool) -> str:
        """has_aux=True: `e` returns (out, aux); the Jacobian of `out` alone (a function
        with the aux computation dead, as grad's has_aux does it) and aux from one run of
        `e`, returned as (jacobian, aux)."""
        from ember.derivative_ir import _out_only
        from ember.ir.builder import Builder
        from ember.ir.core import FuncOp, SymbolRef
        from ember.ir.types import TupleType
        fe = m[e]
        R = fe.return_type
        if not isinstance(R, TupleType) or len(R.elements) != 2:
            raise TypeError(f"{self.__qualname__}: has_aux=True requires the function to return "
                            f"a pair (out, aux), but it returns {R}")
        jac = self._own_plain(m, _out_only(m, e, R.elements[0]), plan, fresh)
        J = m[jac].return_type
        w = FuncOp(f"{jac}_aux", list(fe.arg_types), TupleType((J, R.elements[1])),
                   [a.name for a in fe.args], fe.loc, dict(fe.attributes))
        m.add(w)
        b = Builder(w.body.block, fe.loc)
        args = list(w.args)
        j = b.value("func.call", args, J, {"callee": SymbolRef(jac)})
        pair = b.value("func.call", args, R, {"callee": SymbolRef(e)})
        aux = b.value("tuple.get", [pair], R.elements[1], {"index": 1})
        b.op("func.return", [b.value("tuple.make", [j, aux], w.return_type)])
        plan.derived = plan.wrapper = w.name
        return w.name

    def _as_step(self, m: Module, e: str) -> str:
        if self.kind == "hvp":
            raise DifferentiationError(
                f"cannot differentiate ember.hvp({self.__qualname__}) again: take the jvp of "
                "ember.grad or the jacobian of ember.hessian instead", m[e].loc)
        from ember.derivative_ir import Plan
        # differentiated again: a new one-hot array per direction (reverse mode does not
        # replay a store into an array shared across the loop's iterations)
        sym = self._own(m, e, Plan(), fresh=True)
        # inline the derived calls, so that the next transform differentiates plain code
        # (reverse mode does not propagate adjoints of arrays inside a call's tuple result)
        from ember.ir.passes import optimize
        optimize(m, None, counted=False)
        return sym


def _make(fun: Any, kind: str, argnums: Any, mode: str = "auto",
          has_aux: bool = False) -> Jacobian:
    if mode not in _MODES:
        raise ValueError(f"ember.jacobian: mode must be one of {', '.join(map(repr, _MODES))}, "
                         f"got {mode!r}")
    return Jacobian(_Base(fun, f"ember.{kind}"), kind, _argnums_arg(argnums), mode,
                    bool(has_aux))


def jacfwd(fun: Any = None, argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Any:
    """The Jacobian of `fun` with respect to argument(s) `argnums`, by forward mode (one
    direction per input element), compiled. Shapes as `jax.jacfwd`: `out.shape + in.shape`
    per pair of leaves, nested output structure outside, input structure inside."""
    if fun is None:
        return lambda f: jacfwd(f, argnums=argnums, has_aux=has_aux)
    return _make(fun, "jacfwd", argnums, has_aux=has_aux)


def jacrev(fun: Any = None, argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Any:
    """Like `jacfwd`, by reverse mode (one reverse pass per output element)."""
    if fun is None:
        return lambda f: jacrev(f, argnums=argnums, has_aux=has_aux)
    return _make(fun, "jacrev", argnums, has_aux=has_aux)


def jacobian(fun: Any = None, argnums: int | Sequence[int] = 0, mode: str = "auto",
             has_aux: bool = False) -> Any:
    """The Jacobian, by forward mode when the inputs (with respect to argnums) have no more
    elements than the output, else by reverse mode. mode="fwd" / "rev" forces one."""
    if fun is None:
        return lambda f: jacobian(f, argnums=argnums, mode=mode, has_aux=has_aux)
    return _make(fun, "jacobian", argnums, mode, has_aux)


def hessian(fun: Any = None, argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Any:
    """The Hessian of a scalar-valued `fun`: forward over reverse (`jacfwd(grad(f))`, with
    JAX's shapes: `in.shape + in.shape`, nested structure of structures), compiled."""
    if fun is None:
        return lambda f: hessian(f, argnums=argnums, has_aux=has_aux)
    return _make(fun, "hessian", argnums, has_aux=has_aux)


def hvp(fun: Any = None, argnums: int | Sequence[int] = 0) -> Any:
    """`hvp(f)(*args, v)`: the Hessian of scalar-valued `f` (with respect to `argnums`)
    times `v` (shaped like that argument; a tuple for a tuple argnums), by forward over
    reverse without forming the Hessian: one native call, about the cost of a few
    gradients."""
    if fun is None:
        return lambda f: hvp(f, argnums=argnums)
    return _make(fun, "hvp", argnums)


__all__ = ["jacfwd", "jacrev", "jacobian", "hessian", "hvp", "Jacobian"]
