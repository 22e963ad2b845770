"""The object `@ember.jit` returns: one compiled specialization per argument-type signature.

Calls go straight into native code. `Dispatcher(...)` creates a fresh subclass per
jitted function and, once a signature is compiled, sets that subclass's `__call__`
to a *builtin* (see `backend/callable.py`) whose C function is the LLVM-generated
wrapper of the first specialization. A builtin is not a descriptor, so
`f(a, b)` calls it with `(a, b)` only: no Python frame runs on the fast path.

Each specialization's builtin falls back to the next one, and the last to
`_fallback` (a bound method): keywords, defaults, a wrong argument count or any
argument type no specialization takes end there. `_fallback` binds the arguments
with the Python signature, types them with `ember.typeof`, compiles the signature
if it is new (under a per-dispatcher lock: each signature is compiled once, other
threads wait), rebuilds the chain, and calls the specialization.

NumPy arrays key a signature by (dtype, ndim, layout, readonly), never by shape
(`ember.typeof`); the wrapper checks exactly those, so an array of another layout
or dtype falls through to the next specialization or to `_fallback`.

Before the first compile `__call__` is the plain Python method below; it stays so
for functions with `*args` or keyword-only parameters, whose calls must be bound by
Python's rules before the positional native convention applies.

With declared signatures (`ember.jit("float64(float64[:], int64)")`) the dispatcher
compiles them when it is made and `_fallback` compiles nothing else: it takes a call
of other types to the declared signature that converts them (ember/eager.py) or raises
TypeError listing the signatures; `lazy=True` compiles new signatures as usual.
"""
from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable, Sequence

from ember.eager import concrete, match, returns_match
from ember.errors import CompileError
from ember.introspect import Signature, Stats
from ember.ir.types import ArrayType, Type
from ember.signature import Declared, parse_declared, parse_signature
from ember.typeof import canonical, dict_params, typeof

CompileFn = Callable[[Any, tuple[Type, ...], dict[str, Any]], Any]


class Dispatcher:
    """A jitted function. Construct with `Dispatcher(py_func, compile_fn, options)`;
    `compile_fn(py_func, arg_types, options)` returns an object with
    `make_callable(fallback) -> builtin` and `stage_text(stage) -> str`
    (`ember.compiler.Specialization`). `signatures` (strings or tuples of types, see
    ember/signature.py) are compiled at once; then, unless `lazy`, no other is."""

    def __new__(cls, py_func: Any = None, compile_fn: CompileFn | None = None,
                options: dict[str, Any] | None = None, signatures: Sequence[Any] = (),
                lazy: bool = False) -> "Dispatcher":
        if cls is Dispatcher:
            # One subclass per function: its `__call__` slot is this function's own builtin.
            name = getattr(py_func, "__name__", "function")
            cls = type(name, (Dispatcher,), {"__module__": Dispatcher.__module__,
                                             "__doc__": getattr(py_func, "__doc__", None)})
        return object.__new__(cls)

    def __init__(self, py_func: Any, compile_fn: CompileFn,
                 options: dict[str, Any] | None = None, signatures: Sequence[Any] = (),
                 lazy: bool = False) -> None:
        functools.update_wrapper(self, py_func)  # __name__, __qualname__, __doc__, __wrapped__
        self.__ember_function__ = py_func
        self.py_func = py_func
        self.signatures: list[Signature] = []
        self.overloads: dict[tuple[Type, ...], Any] = {}
        self._compile_fn = compile_fn
        self._options = dict(options or {})
        self._lock = threading.RLock()
        self._pysig = inspect.signature(py_func)
        for p in self._pysig.parameters.values():
            if p.kind is inspect.Parameter.VAR_KEYWORD:
                raise TypeError(f"ember.jit: {py_func.__qualname__}: **{p.name} is not supported")
        # The wrapper maps positional arguments one-to-one onto parameters: with *args or
        # keyword-only parameters that would accept calls Python rejects (or misread
        # them), so such functions always bind in `_fallback` first.
        self._fast = all(p.kind in (inspect.Parameter.POSITIONAL_ONLY,
                                    inspect.Parameter.POSITIONAL_OR_KEYWORD)
                         for p in self._pysig.parameters.values())
        # The builtins' fallback: created once so the chain holds one bound method.
        self._fallback_bound = self._fallback
        # Per signature, a builtin whose own fallback reports a bug instead of looping back.
        self._direct: dict[tuple[Type, ...], Any] = {}
        self._dict_params: frozenset[str] | None = None
        self.declared: list[Declared] = [parse_declared(sig) for sig in signatures]
        self._lazy = lazy
        self._matches: dict[tuple[Type, ...], Any] = {}  # call types -> eager.Match (or None)
        for d in self.declared:
            self._compile_declared(d)

    # The slow path until a signature exists; afterwards the class attribute is a builtin.
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fallback(*args, **kwargs)

    def _fallback(self, *args: Any, **kwargs: Any) -> Any:
        values = self._bind(args, kwargs)
        names = list(self._pysig.parameters)
        if self._dict_params is None and any(type(v) is dict for v in values):
            self._dict_params = dict_params(self.py_func)  # runtime dicts or records (typeof.py)
        types = tuple(typeof(v, n, n in (self._dict_params or ())) for v, n in zip(values, names))
        direct = self._direct.get(types)
        if direct is None:
            if self.declared and not self._lazy:
                m = self._matches.get(types)
                if m is None:
                    m = self._matches[types] = match(types, self.declared)
                if m is None:
                    raise TypeError(self._no_match(types)) from None
                values = [v if c is None else self._converted(c, v, n)
                          for c, v, n in zip(m.convert, values, names)]
                types = m.types
                direct = self._direct.get(types)
            if direct is None:
                direct = self._compile(types)
        return direct(*[canonical(v) for v in values])

    def _converted(self, convert: Any, value: Any, name: str) -> Any:
        try:
            return convert(value)
        except OverflowError as e:
            raise OverflowError(f"{self.__qualname__}(): argument {name!r}: {e}") from None

    def _compile_declared(self, d: Declared) -> None:
        """Compile a declared signature (any-layout arrays as C-contiguous ones) and check
        its return type."""
        spec = self._overload(tuple(concrete(t) for t in d.args))
        ret = getattr(spec, "return_type", None)
        if d.ret is not None and ret is not None and not returns_match(d.ret, ret):
            code = self.py_func.__code__
            raise TypeError(
                f"{code.co_filename}:{code.co_firstlineno}: {self.__qualname__}: the signature "
                f"{d.text!r} declares the return type {d.ret}, but the function returns {ret} "
                "for these arguments (ember does not convert results: change the declared "
                "type, or convert in the function, e.g. return float(x))")

    def _no_match(self, types: tuple[Type, ...]) -> str:
        got = ", ".join(map(str, types))
        sigs = "\n".join(f"    {d.text}" for d in self.declared)
        hint = ""
        if any(isinstance(t, ArrayType) and t.readonly for t in types):
            hint = ("; a read-only array needs a readonly signature, e.g. "
                    "array<f64, 1, A, readonly>")
        return (f"{self.__qualname__}(): no declared signature takes arguments of types ({got}); "
                f"it was compiled for:\n{sigs}\n(ember.jit(signatures, lazy=True) compiles "
                f"other argument types on call{hint})")

    def _bind(self, args: tuple, kwargs: dict[str, Any]) -> list[Any]:
        """The native argument list: one value per parameter, defaults applied, *args a tuple."""
        try:
            bound = self._pysig.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{self.__qualname__}(): {e}") from None
        bound.apply_defaults()
        return [bound.arguments[n] for n in self._pysig.parameters]

    def _compile(self, types: tuple[Type, ...]) -> Any:
        """Compile `types` once (other threads wait on the lock) and return its direct builtin."""
        with self._lock:
            direct = self._direct.get(types)
            if direct is not None:
                return direct
            try:
                spec = self._compile_fn(self.py_func, types, self._options)
            except CompileError as err:
                # The user's code is at fault: show them their line, not the compiler's frames.
                raise err.with_traceback(None) from None
            direct = spec.make_callable(functools.partial(_rejected, self.__qualname__, types))
            self.overloads[types] = spec
            self._direct[types] = direct
            # Published last: a thread reading `signatures` finds the overload it names.
            self.signatures.append(Signature(types, getattr(spec, "return_type", None)))
            if self._fast:
                from ember.backend.callable import build_chain

                # First compiled first: the common case is one signature, tried at once.
                head = build_chain([self.overloads[s].make_callable for s in self.signatures],
                                   self._fallback_bound)
                type(self).__call__ = head
            return direct

    def _overload(self, types: tuple[Type, ...]) -> Any:
        """The Specialization of `types`, compiled if it is new."""
        self._compile(types)
        return self.overloads[types]

    def compile(self, signature: str | Sequence[Any]) -> Any:
        """Compile ahead of a call for `signature`: `"float,int"`, `(float, int)`, Numba's
        spelling (`"float64[::1], int64"`) or IR types. Explicit, so allowed when the
        function was jitted with declared signatures too."""
        return self._overload(parse_signature(signature))

    def inspect_ir(self, stage: str = "typed", signature: str | Sequence[Any] | None = None) -> str:
        """The printed IR of one pipeline stage ("untyped", "typed", "optimized", "llvm",
        "llvm-optimized", "asm") for `signature` (compiled on demand), or for every
        compiled signature when none is given."""
        if signature is not None:
            return self.compile(signature).stage_text(stage)
        if not self.signatures:
            raise ValueError(f"{self.__qualname__} has no compiled signature yet: call it first "
                             "or pass signature=")
        if len(self.signatures) == 1:
            return self.overloads[self.signatures[0]].stage_text(stage)
        parts = [f"// signature ({', '.join(map(str, s))})\n{self.overloads[s].stage_text(stage)}"
                 for s in self.signatures]
        return "\n".join(parts)

    @property
    def stats(self) -> Stats:
        """Seconds spent in each compiler stage, per compiled signature, with totals and
        disk-cache hits and misses (ember/introspect.py)."""
        return Stats({s: dict(self.overloads[s].stats) for s in list(self.signatures)})

    def __repr__(self) -> str:
        sigs = ", ".join("(" + ", ".join(map(str, s)) + ")" for s in self.signatures)
        return f"<ember.jit {self.__qualname__} [{sigs}]>"


def _rejected(qualname: str, types: tuple[Type, ...], *args: Any, **kwargs: Any) -> Any:
    raise RuntimeError(
        f"ember internal error: the compiled wrapper of {qualname} rejected arguments "
        f"typed ({', '.join(map(str, types))}) that it was compiled for")
