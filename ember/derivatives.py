"""The public autodiff API: `ember.grad`, `value_and_grad`, `jvp` and `vjp`, as JAX names them.

    @ember.grad
    def energy(x, k): ...
    energy(x, 2.0)                       # d energy / d x, compiled

`grad(f)` returns a `Derivative`: like the jit dispatcher, it compiles one specialization
per argument-type signature on first call (ember.compiler.compile_derivative with the
transforms of ember.autodiff and the wrappers of ember/derivative_ir.py) and keeps them;
later calls with those types go straight into native code (the wrapper's result already
has JAX's shape). `inspect_ir(stage)`, `inspect_source()` and `stats` show what was built.

`f` may be a plain function, an `ember.jit` dispatcher (its options are kept) or another
Derivative (derivatives compose: `grad(grad(f))`, `jvp(grad(f), ...)`).
`jvp` and `vjp` are functions, as in JAX; their compiled derivatives are cached per
function and argument types, so calling them again in a loop compiles nothing.
"""
from __future__ import annotations

import functools
import inspect
import threading
import weakref
from typing import Any, Callable, Sequence

from ember.backend.callable import build_chain
from ember.compiler import (compile_derivative, compile_specialization, typed_module,
                            untyped_ir)
from ember.dispatcher import Dispatcher
from ember.errors import CompileError
from ember.ir.core import Module
from ember.ir.errors import DifferentiationError
from ember.ir.types import Type
from ember.signature import parse_signature
from ember.typeof import canonical, dict_params as _dict_params, typeof

Step = Callable[[Module, str], str]


def _dir() -> Any:
    """ember.derivative_ir, imported on the first derivative (it loads the autodiff layer:
    `import ember` stays as fast as before)."""
    import ember.derivative_ir as dir_
    return dir_


def _py_unflatten(t: Any, leaves: Any) -> Any:
    from ember.pytrees import py_unflatten
    return py_unflatten(t, leaves)


def _py_leaves(value: Any, t: Any, name: str) -> list[Any]:
    from ember.pytrees import py_leaves
    return py_leaves(value, t, name)
_GRAD_KINDS = ("grad", "value_and_grad")


class _Base:
    """What a derivative differentiates: a Python function, compile options, the derivative
    transforms already applied to it (for a derivative of a derivative), and its primal."""

    def __init__(self, f: Any, what: str) -> None:
        self.chain: tuple[Step, ...] = ()
        if isinstance(f, Derivative):
            self.py_func, self.options = f.py_func, dict(f._options)
            self.chain = f._chain + (f._as_step,)
            self.primal: Any = f
        elif isinstance(f, Dispatcher):
            self.py_func, self.options, self.primal = f.py_func, dict(f._options), f
        elif callable(f) and hasattr(f, "__code__"):
            self.py_func, self.options, self.primal = f, {"boundscheck": True}, None
        elif hasattr(f, "__ember_rule_kind__"):  # ember.custom_jvp / custom_vjp (custom_rules.py)
            self.py_func, self.options, self.primal = f.py_func, {"boundscheck": True}, None
        else:
            raise TypeError(f"{what} needs a Python function (plain, ember.jit or another "
                            f"ember derivative), got {type(f).__name__}")
        self.qualname = getattr(f, "__qualname__", self.py_func.__qualname__)

    def primal_callable(self) -> Any:
        if self.primal is None:
            self.primal = _jitted(self.py_func, self.options)
        return self.primal


_jit_cache: "weakref.WeakKeyDictionary[Any, Dispatcher]" = weakref.WeakKeyDictionary()
_jit_lock = threading.Lock()  # one Dispatcher per function, or threads compile the primal twice


def _jitted(py_func: Any, options: dict[str, Any]) -> Dispatcher:
    d = _jit_cache.get(py_func)
    if d is None:
        with _jit_lock:
            d = _jit_cache.get(py_func)
            if d is None:
                d = _jit_cache[py_func] = Dispatcher(py_func, compile_specialization, options)
    return d


class _Entry:
    """One compiled signature: the Specialization, what the transform built, and the
    native builtin (whose fallback reports a bug: the types were checked)."""

    def __init__(self, spec: Any, plan: Any, qualname: str, types: tuple[Type, ...]) -> None:
        self.spec, self.plan = spec, plan
        self.direct = spec.make_callable(functools.partial(_rejected, qualname, types))


class Derivative:
    """A compiled derivative of a function (what `ember.grad` / `value_and_grad` return).
    Call it like the function; `signatures`, `inspect_ir`, `inspect_source`, `stats`."""

    def __new__(cls, *args: Any, **kwargs: Any) -> "Derivative":
        if cls is Derivative:
            # one subclass per derivative: its `__call__` slot becomes the native builtin
            base = args[0] if args else kwargs["base"]
            cls = type(base.py_func.__name__, (Derivative,), {"__module__": __name__})
        return object.__new__(cls)

    def __init__(self, base: _Base, kind: str, argnums: int | tuple[int, ...] = 0,
                 has_aux: bool = False) -> None:
        self.py_func = base.py_func
        self.__name__ = base.py_func.__name__
        self.__qualname__ = base.qualname
        self.__doc__ = base.py_func.__doc__
        self.__wrapped__ = base.py_func
        self.kind, self.has_aux = kind, has_aux
        self._argnums, self._single = _check_argnums(argnums)
        self._base = base
        self._options = base.options
        self._chain = base.chain
        self._pysig = inspect.signature(base.py_func)
        self._names = list(self._pysig.parameters)
        for p in self._pysig.parameters.values():
            if p.kind is inspect.Parameter.VAR_KEYWORD:
                raise TypeError(f"ember.{kind}: {self.__qualname__}: **{p.name} is not supported")
        self._plain = all(
            p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            for p in self._pysig.parameters.values())
        self._fast = kind in _GRAD_KINDS and self._plain
        self._lock = threading.RLock()
        self._entries: dict[tuple[Type, ...], _Entry] = {}
        self.signatures: list[tuple[Type, ...]] = []
        self._fallback_bound = self._fallback
        self._dict_params: frozenset[str] | None = None

    # --- calling ---------------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fallback(*args, **kwargs)

    def _fallback(self, *args: Any, **kwargs: Any) -> Any:
        if self.kind not in _GRAD_KINDS:
            raise TypeError(f"ember.{self.kind} derivatives are called through ember.{self.kind}")
        values = self._bind(args, kwargs)
        entry = self._entry(self._types(values))
        # grad results come back in the user's shape (holes are None natively)
        return entry.direct(*[canonical(v) for v in values])

    def _bind(self, args: tuple, kwargs: dict[str, Any]) -> list[Any]:
        if not kwargs and self._plain and len(args) == len(self._names):
            return list(args)  # positional, one per parameter: nothing to bind
        try:
            bound = self._pysig.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{self.__qualname__}(): {e}") from None
        bound.apply_defaults()
        return [bound.arguments[n] for n in self._names]

    def _types(self, values: Sequence[Any]) -> tuple[Type, ...]:
        if self._dict_params is None and any(type(v) is dict for v in values):
            self._dict_params = _dict_params(self.py_func)
        dp = self._dict_params or ()
        return tuple(typeof(v, n, n in dp) for v, n in zip(values, self._names))

    def _entry(self, types: tuple[Type, ...]) -> _Entry:
        entry = self._entries.get(types)
        return entry if entry is not None else self._compile(types)

    # --- compiling -------------------------------------------------------------------

    def _own(self, m: Module, e: str, plan: Any) -> str:
        """This derivative's transform applied to function `e` of `m`."""
        if self.kind in _GRAD_KINDS:
            argnums = self._resolved(len(m[e].arg_types))
            return _dir().grad_transform(m, e, argnums, self._single, self.has_aux,
                                  self.kind == "value_and_grad", self._names, self.__qualname__,
                                  plan)
        if self.kind == "jvp":
            return _dir().jvp_transform(m, e, self.__qualname__, plan)
        return _dir().vjp_transform(m, e, self.__qualname__, plan)

    def _as_step(self, m: Module, e: str) -> str:
        """This derivative's own transform as a step of another's (whose chain holds the
        steps before it): its result must be native."""
        plan = _dir().Plan()
        sym = self._own(m, e, plan)
        if plan.flat or self.kind not in _GRAD_KINDS:
            raise DifferentiationError(
                f"cannot differentiate ember.{self.kind}({self.__qualname__}) again: only grad "
                "and value_and_grad derivatives are functions of the primals", m[e].loc)
        # the wrapper's call of f__vjp returns arrays inside a tuple: inline it, or reverse
        # mode over this step (vjp / jacrev of grad) finds no adjoint for them (zeros)
        from ember.autodiff.inline_derived import inline_array_results
        inline_array_results(m, sym)
        return sym

    def _resolved(self, nargs: int) -> tuple[int, ...]:
        out = []
        for i in self._argnums:
            j = i + nargs if i < 0 else i
            if not 0 <= j < nargs:
                raise TypeError(f"{self.__qualname__}: argnums={i} is out of range for a function "
                                f"of {nargs} argument(s)")
            out.append(j)
        return tuple(out)

    def _precheck(self, types: tuple[Type, ...]) -> None:
        """Int, bool and str arguments in argnums: DifferentiationError at the call."""
        if self.kind not in _GRAD_KINDS:
            return
        from ember.autodiff.tangents import tangent_type
        for i in self._resolved(len(types)):
            if tangent_type(types[i]) is None:
                loc = untyped_ir(self.py_func).loc
                raise _dir().arg_error(loc, self.__qualname__, self._names[i], i, types[i])

    def _compile(self, types: tuple[Type, ...]) -> _Entry:
        with self._lock:
            entry = self._entries.get(types)
            if entry is not None:
                return entry
            plan = _dir().Plan()

            def transform(m: Module, e: str) -> str:
                for step in self._chain:
                    e = step(m, e)
                return self._own(m, e, plan)

            try:
                self._precheck(types)
                spec = compile_derivative(self.py_func, types, self._options, transform)
            except (CompileError, TypeError) as err:
                # the user's code or call is at fault: show their line, not our frames
                raise err.with_traceback(None) from None
            entry = _Entry(spec, plan, self.__qualname__, types)
            self._entries[types] = entry
            self.signatures.append(types)
            if self._fast and not plan.flat:
                makers = [self._entries[s].spec.make_callable for s in self.signatures
                          if not self._entries[s].plan.flat]
                type(self).__call__ = build_chain(makers, self._fallback_bound)
            return entry

    def __ember_typed__(self, arg_types: tuple[Type, ...],
                        options: dict[str, Any] | None = None) -> tuple[Module, str]:
        """This derivative as typed, scalarized IR for `arg_types`: (module, symbol of the
        function of the primals returning the result in JAX's shape). Type inference
        copies it into a module that calls the derivative from compiled code
        (typeinfer/calls.py); the caller's options do not apply to it."""
        if self.kind in ("jvp", "vjp", "hvp"):
            raise TypeError(f"ember.{self.kind} cannot be called from compiled code (it takes "
                            "tangents from Python); call ember.grad or ember.jacobian there")
        types = tuple(arg_types)
        with self._lock:
            typed = self.__dict__.setdefault("_typed_ir", {})
            hit = typed.get(types)
            if hit is None:
                hit = typed[types] = self._typed_ir_for(types)
            return hit

    def _typed_ir_for(self, types: tuple[Type, ...]) -> tuple[Module, str]:
        from ember.ir.passes import optimize
        self._precheck(types)
        m, e = typed_module(self.py_func, types, self._options)
        optimize(m, e, counted=False)
        for step in self._chain:
            e = step(m, e)
        # as a step of another derivative: a function of the primals, ready to be
        # differentiated again (the caller may be)
        sym = self._as_step(m, e)
        optimize(m, sym, counted=False)  # drop what the wrapper does not reach
        return m, sym

    def compile(self, signature: str | Sequence[Any]) -> Any:
        """Compile ahead of a call for `signature` (`"float,int"`, `(float, int)`, IR types)."""
        return self._compile(parse_signature(signature)).spec

    # --- looking inside --------------------------------------------------------------

    def _each(self, signature: Any, show: Callable[[_Entry], str], comment: str = "//") -> str:
        if signature is not None:
            return show(self._compile(parse_signature(signature)))
        if not self.signatures:
            raise ValueError(f"{self!r} has no compiled signature yet: call it first or pass "
                             "signature=")
        if len(self.signatures) == 1:
            return show(self._entries[self.signatures[0]])
        return "\n".join(f"{comment} signature ({', '.join(map(str, s))})\n{show(self._entries[s])}"
                         for s in self.signatures)

    def inspect_ir(self, stage: str = "typed", signature: Any = None) -> str:
        """The printed IR of one stage ("typed" is the derivative as the transform wrote it,
        then "optimized", "llvm", "llvm-optimized", "asm"), for `signature` or for every
        compiled signature."""
        return self._each(signature, lambda e: e.spec.stage_text(stage))

    def inspect_source(self, signature: Any = None) -> str:
        """The derivative as Python source (one function per derived IR function)."""
        from ember.ir.pysource import func_to_source
        return self._each(signature, lambda e: func_to_source(e.spec.typed, e.plan.derived), "#")

    @property
    def stats(self) -> Any:
        """Seconds spent in each compiler stage, per compiled signature, with totals and
        disk-cache hits and misses (ember.introspect.Stats, as `ember.jit`'s)."""
        from ember.introspect import Stats
        return Stats({s: dict(self._entries[s].spec.stats) for s in list(self.signatures)})

    def __repr__(self) -> str:
        sigs = ", ".join("(" + ", ".join(map(str, s)) + ")" for s in self.signatures)
        return f"<ember.{self.kind} {self.__qualname__} [{sigs}]>"


def _check_argnums(argnums: Any) -> tuple[tuple[int, ...], bool]:
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        return (argnums,), True
    if isinstance(argnums, (tuple, list)) and argnums and all(
            isinstance(i, int) and not isinstance(i, bool) for i in argnums):
        return tuple(argnums), False
    raise TypeError(f"argnums must be an int or a non-empty tuple of ints, got {argnums!r}")


def _rejected(qualname: str, types: tuple[Type, ...], *args: Any, **kwargs: Any) -> Any:
    raise RuntimeError(f"ember internal error: the compiled derivative of {qualname} rejected "
                       f"arguments typed ({', '.join(map(str, types))}) it was compiled for")


# --- the public functions -----------------------------------------------------------------

def grad(fun: Any = None, argnums: int | Sequence[int] = 0, has_aux: bool = False, *,
         cache: bool | None = None) -> Any:
    """The gradient of a scalar-valued `fun` with respect to argument(s) `argnums`, compiled.

    `grad(f)(x, ...)` is df/dx shaped like x (a float, an array, a tuple, a dict); a tuple
    argnums gives a tuple of gradients; has_aux=True: `fun` returns (out, aux) and the
    result is (gradient, aux). Usable as `@ember.grad` or `@ember.grad(argnums=1)`.
    cache=True/False: keep the compiled derivative on disk (docs/caching.md); by default
    as `fun` (an `ember.jit(cache=True)` function's derivatives are cached)."""
    if fun is None:
        return lambda f: grad(f, argnums=argnums, has_aux=has_aux, cache=cache)
    return Derivative(_cache_option(_Base(fun, "ember.grad"), cache, "grad"), "grad",
                      _argnums_arg(argnums), has_aux)


# `ember.grad(g)(x)` inside compiled code: the frontend applies these at build time
grad.__ember_static_transform__ = True  # type: ignore[attr-defined]


def value_and_grad(fun: Any = None, argnums: int | Sequence[int] = 0,
                   has_aux: bool = False, *, cache: bool | None = None) -> Any:
    """Like `grad`, returning `(fun(*args), gradient)` (`((out, aux), gradient)` with has_aux)."""
    if fun is None:
        return lambda f: value_and_grad(f, argnums=argnums, has_aux=has_aux, cache=cache)
    return Derivative(_cache_option(_Base(fun, "ember.value_and_grad"), cache, "value_and_grad"),
                      "value_and_grad", _argnums_arg(argnums), has_aux)


value_and_grad.__ember_static_transform__ = True  # type: ignore[attr-defined]


def _cache_option(base: _Base, cache: Any, what: str) -> _Base:
    """`base` with the disk cache option set (None: as its function)."""
    if cache is not None:
        if not isinstance(cache, bool):
            raise TypeError(f"ember.{what}(): option 'cache' must be bool")
        base.options = {**base.options, "cache": cache}
    return base


def _argnums_arg(argnums: Any) -> Any:
    return tuple(argnums) if isinstance(argnums, list) else argnums


_derivs: "weakref.WeakKeyDictionary[Any, dict[str, Derivative]]" = weakref.WeakKeyDictionary()
_derivs_lock = threading.Lock()


def _derivative(fun: Any, kind: str) -> Derivative:
    """The cached jvp / vjp Derivative of `fun` (one per function and mode)."""
    try:
        d = _derivs[fun][kind]
        return d
    except (KeyError, TypeError):
        pass
    base = _Base(fun, f"ember.{kind}")  # checks `fun` before it becomes a weak key
    with _derivs_lock:
        per = _derivs.get(fun)
        if per is None:
            per = _derivs[fun] = {}
        d = per.get(kind)
        if d is None:
            d = per[kind] = Derivative(base, kind)
        return d


def _primal_list(primals: Any, what: str) -> list[Any]:
    if not isinstance(primals, (tuple, list)):
        raise TypeError(f"{what} arguments to ember.jvp must be tuples or lists; found "
                        f"{type(primals).__name__}")
    return list(primals)


def jvp(fun: Any, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Forward mode: `(fun(*primals), J(primals) @ tangents)`, compiled.

    One tangent per primal, shaped like it (a float, an array, a tuple, a dict); the
    tangent given for an int, bool or str primal is ignored (None is fine). The output
    tangent has the structure of the output, with None for its int parts."""
    ps, ts = _primal_list(primals, "primal"), _primal_list(tangents, "tangent")
    if len(ps) != len(ts):
        raise TypeError(f"ember.jvp: {len(ps)} primals but {len(ts)} tangents: give one tangent "
                        "per primal")
    d = _derivative(fun, "jvp")
    entry = d._entry(d._types(d._bind(tuple(ps), {})))
    plan = entry.plan
    leaves: list[Any] = []
    for i in plan.wrt:
        leaves += _py_leaves(ts[i], plan.arg_types[i], f"tangents[{i}]")
    res = entry.direct(*[canonical(v) for v in ps], *leaves)
    return res  # (out, tangent_out), None at the holes


def vjp(fun: Any, *primals: Any) -> tuple[Any, Callable[[Any], tuple[Any, ...]]]:
    """Reverse mode: `(fun(*primals), vjp_fn)` where `vjp_fn(ct)` is the tuple of
    `ct @ J` with respect to each primal (None for int, bool and str primals), compiled.
    `ct` has the structure of the output."""
    d = _derivative(fun, "vjp")
    values = d._bind(primals, {})
    entry = d._entry(d._types(values))
    out = d._base.primal_callable()(*primals)
    args = [canonical(v) for v in values]
    plan = entry.plan

    def vjp_fn(ct: Any) -> tuple[Any, ...]:
        leaves = _py_leaves(ct, plan.return_type, "cotangent")  # type: ignore[arg-type]
        res = entry.direct(*args, *leaves)
        grads = _py_unflatten(plan.grad_type, iter(res))
        out_grads: list[Any] = [None] * len(args)
        for i, g in zip(plan.wrt, grads):
            out_grads[i] = g
        return tuple(out_grads)

    return out, vjp_fn


__all__ = ["grad", "value_and_grad", "jvp", "vjp", "Derivative"]
