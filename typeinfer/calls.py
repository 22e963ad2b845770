"""Calls and recursion: one specialization per (Python function, argument types), all
inferred to a common fixed point, then rebuilt into one typed Module.

A call to a specialization whose inference is still running (self or mutual
recursion) gets that specialization's current return-type guess (BOTTOM at first);
when a specialization finishes with a return type other than the one its callers
saw, those callers are inferred again, until nothing changes.
"""
from __future__ import annotations

import threading

from typing import Callable

from ember.ir.core import FuncOp, Module, Operation, SymbolRef, Value
from ember.ir.errors import TypingError
from ember.ir.types import BOTTOM, NONE, ScalarType, TupleType, Type

from .propagate import Propagation
from .rebuild import Rebuild

MAX_PASSES = 200


class Spec:
    """One specialization: an untyped function and argument types."""

    def __init__(self, func: FuncOp, arg_types: tuple[Type, ...], symbol: str) -> None:
        self.func = func
        self.arg_types = arg_types
        self.symbol = symbol
        self.ret: Type = BOTTOM
        self.types: dict[Value, Type] = {}
        self.callers: list[Spec] = []
        self.active = False
        self.saw_bottom = False  # used a recursive call's unknown return type
        self.targets: dict[Operation, Spec] = {}  # the callee of each call, last analysis
        # an ember derivative called here: its typed module and entry, copied in at the end
        self.external: tuple[Module, str] | None = None


def mangle(t: Type) -> str:
    """A type as a symbol fragment: `f64`, `tup2_i64_f64_`."""
    if isinstance(t, ScalarType):
        return str(t)
    if isinstance(t, TupleType):
        return f"tup{len(t.elements)}_" + "".join(mangle(e) + "_" for e in t.elements)
    return str(t).replace("<", "_").replace(">", "_").replace(", ", "_")


class Specializer:
    """Drives inference over the call graph (the `CallTyper` and `CallResolver` of the
    two steps)."""

    def __init__(self, get_untyped: Callable[[object], FuncOp],
                 options: dict[str, object] | None = None) -> None:
        self.get_untyped = get_untyped
        # The jit options (boundscheck, ...): they apply to every function of the module.
        self.options: dict[str, object] = dict(options or {})
        self.untyped: dict[int, tuple[object, FuncOp]] = {}
        self.specs: dict[tuple[int, tuple[Type, ...]], Spec] = {}
        self.symbols: set[str] = set()
        self.dirty: dict[int, Spec] = {}  # ordered set by id
        self.current: list[Spec] = []
        self.root: FuncOp | None = None

    # ---- specializations ----------------------------------------------------------
    def spec(self, func: FuncOp, arg_types: tuple[Type, ...], symbol: str | None) -> tuple[Spec, bool]:
        key = (id(func), arg_types)
        found = self.specs.get(key)
        if found is not None:
            return found, False
        if symbol is None:
            base = f"{func.name}__" + "_".join(mangle(t) for t in arg_types) if arg_types \
                else f"{func.name}__"
            symbol, k = base, 2
            while symbol in self.symbols:
                symbol, k = f"{base}_{k}", k + 1
        self.symbols.add(symbol)
        s = Spec(func, arg_types, symbol)
        self.specs[key] = s
        return s, True

    def analyze(self, s: Spec) -> None:
        s.active = True
        s.targets = {}
        self.current.append(s)
        try:
            p = Propagation(s.func, list(s.arg_types), self)
            ret = p.run()
        finally:
            self.current.pop()
            s.active = False
        s.types = p.types
        if ret != s.ret:
            s.ret = ret
            for c in s.callers:
                self.dirty[id(c)] = c

    def callee(self, op: Operation, arg_types: list[Type]) -> Spec:
        ref = op.attributes.get("callee")
        target = ref.target if isinstance(ref, SymbolRef) else None
        if target is None:
            raise TypingError(f"cannot resolve the function called here ({ref})", op.loc)
        return self.callee_of(target, op, arg_types)

    def untyped_of(self, target: object) -> FuncOp:
        entry = self.untyped.get(id(target))
        if entry is None:
            entry = (target, self.get_untyped(target))  # keep target alive: ids stay unique
            self.untyped[id(target)] = entry
        return entry[1]

    def callee_of(self, target: object, op: Operation, arg_types: list[Type]) -> Spec:
        """The specialization of the Python function `target` called at `op`."""
        if getattr(target, "__ember_typed__", None) is not None:
            return self.external_spec(target, op, arg_types)
        func = self.untyped_of(target)
        root = self.root
        if root is not None and func is not root and func.name == root.name \
                and func.loc is not None and func.loc == root.loc:
            func = root  # the entry itself (a driver that does not cache its untyped IR)
        if len(func.args) != len(arg_types):
            raise TypingError(
                f"{func.name}() takes {len(func.args)} positional argument"
                f"{'' if len(func.args) == 1 else 's'} but {len(arg_types)} "
                f"{'was' if len(arg_types) == 1 else 'were'} given", op.loc)
        s, new = self.spec(func, tuple(arg_types), None)
        if new:
            self.analyze(s)
        return s

    def external_spec(self, target: object, op: Operation, arg_types: list[Type]) -> Spec:
        """A callee typed elsewhere (an ember derivative: `target.__ember_typed__(arg_types,
        options) -> (Module, entry symbol)`), whose functions join the module as they are."""
        key = (id(target), tuple(arg_types))
        found = self.specs.get(key)  # type: ignore[arg-type]
        if found is not None:
            return found
        try:
            module, entry = target.__ember_typed__(tuple(arg_types), self.options)  # type: ignore[attr-defined]
        except TypeError as e:
            raise TypingError(str(e), op.loc) from None
        fe = module[entry]
        self.untyped[id(target)] = (target, fe)  # keeps target alive: ids stay unique
        base = f"{fe.name}__" + "_".join(mangle(t) for t in arg_types)
        symbol, k = base, 2
        while symbol in self.symbols:
            symbol, k = f"{base}_{k}", k + 1
        self.symbols.add(symbol)
        s = Spec(fe, tuple(arg_types), symbol)
        self.specs[key] = s  # type: ignore[index]
        s.ret, s.external = fe.return_type, (module, entry)
        return s

    # ---- the two steps' call interfaces ----------------------------------------------
    def call_type(self, op: Operation, arg_types: list[Type]) -> Type:
        s = self.callee(op, arg_types)
        caller = self.current[-1]
        caller.targets[op] = s
        if caller not in s.callers:
            s.callers.append(caller)
        if s.ret == BOTTOM:
            caller.saw_bottom = True
        return s.ret

    def resolve(self, op: Operation, arg_types: list[Type]) -> tuple[str, Type]:
        s = self.callee(op, arg_types)
        return s.symbol, s.ret

    # ---- driver -------------------------------------------------------------------
    def infer(self, entry: FuncOp, arg_types: list[Type]) -> tuple[Module, str]:
        if len(arg_types) != len(entry.args):
            raise TypingError(f"{entry.name}() takes {len(entry.args)} arguments but "
                              f"{len(arg_types)} were given", entry.loc)
        self.root = entry
        active = _active()
        active.append(self)
        try:
            return self._infer(entry, arg_types)
        finally:
            active.pop()

    def _infer(self, entry: FuncOp, arg_types: list[Type]) -> tuple[Module, str]:
        root, _ = self.spec(entry, tuple(arg_types), entry.name)
        self.analyze(root)
        for _ in range(MAX_PASSES):
            if not self.dirty:
                break
            key = next(iter(self.dirty))
            self.analyze(self.dirty.pop(key))
        else:
            raise TypingError(f"type inference of recursive function {entry.name} does not "
                              "converge", entry.loc)
        # only what the final types reach: loops and recursion may have specialized a
        # callee for argument types that were later widened
        reachable = self.reachable(root)
        # callees are created after their callers: the deepest failing function first
        for s in reversed(reachable):
            if s.ret == BOTTOM and not s.saw_bottom:
                # no recursion: only unassigned variables reach the return; the rebuild
                # names the first use of one
                Rebuild(s.func, s.types, NONE, s.symbol, self).run()
                raise TypingError(f"function {s.func.name} returns a variable that is never "
                                  "assigned", s.func.loc)
            if s.ret == BOTTOM:
                raise TypingError(
                    f"cannot infer the return type of recursive function {s.func.name}: "
                    "no path returns without calling it again", s.func.loc)
        module = Module()
        for s in reachable:
            if s.external is not None:
                _add_external(module, s)
            else:
                module.add(Rebuild(s.func, s.types, s.ret, s.symbol, self).run())
        return module, root.symbol

    def reachable(self, root: Spec) -> list[Spec]:
        seen = {id(root): root}
        todo = [root]
        while todo:
            for callee in todo.pop().targets.values():
                if id(callee) not in seen:
                    seen[id(callee)] = callee
                    todo.append(callee)
        return [s for s in self.specs.values() if id(s) in seen]


def _add_external(module: Module, s: Spec) -> None:
    """The functions of an externally typed callee, its entry named `s.symbol` and the
    others `<s.symbol>__<name>` (typeinfer's own symbols never contain two `__` parts
    built this way from one specialization)."""
    from ember.ir.merge import merge_into
    other, entry = s.external  # type: ignore[misc]
    names = {f.name: (s.symbol if f.name == entry else f"{s.symbol}__{f.name}") for f in other}
    merge_into(module, other, names)


def infer_module(entry: FuncOp, arg_types: list[Type],
                 get_untyped: Callable[[object], FuncOp],
                 options: dict[str, object] | None = None) -> tuple[Module, str]:
    """Typed module holding `entry` specialized for `arg_types` (symbol `entry.name`) and
    every callee specialization it reaches; returns it with the entry's symbol. `options`
    are the jit options (e.g. boundscheck), read by the rules through `option`."""
    return Specializer(get_untyped, options).infer(entry, list(arg_types))


# ---- library calls: a rule calling a Python function of ember's own -------------------
# A typing rule (np.sort, ...) may implement an operation as a plain Python function that
# ember compiles like any callee (typeinfer/sortlib.py). Rules see only (op, types), so
# the Specializer running the inference is kept on this stack by `Specializer.infer`.
# Per thread: two dispatchers may compile at once in different threads.
_LOCAL = threading.local()


def _active() -> list[Specializer]:
    stack = getattr(_LOCAL, "stack", None)
    if stack is None:
        stack = _LOCAL.stack = []
    return stack


def option(name: str, default: object) -> object:
    """A jit option of the compilation running in this thread."""
    active = _active()
    return active[-1].options.get(name, default) if active else default


def _library_spec(op: Operation, pyfunc: object, arg_types: list[Type]) -> Spec:
    active = _active()
    if not active:
        raise TypingError(f"{op.name}: library call outside type inference", op.loc)
    sp = active[-1]
    # library code indexes only in range (its callers check sizes): no IndexError checks,
    # in the function and in the helpers of its module that it calls
    import sys
    import types
    module = sys.modules.get(getattr(pyfunc, "__module__", ""), None)
    helpers = [f for f in vars(module).values() if isinstance(f, types.FunctionType)
               and f.__module__.startswith("ember.typeinfer.")] if module is not None else [pyfunc]
    for f in helpers:
        sp.untyped_of(f).attributes["boundscheck"] = False
        sp.untyped_of(f).attributes["library"] = True  # its indices are never negative
    target = pyfunc
    shared = getattr(pyfunc, "__ember_library__", None)
    if shared is not None:  # typed once per process, compiled once (backend/library.py)
        from .library_cache import typed_once
        sp.untyped_of(pyfunc).attributes["library_module"] = shared
        target = typed_once(pyfunc)
    s = sp.callee_of(target, op, arg_types)
    if sp.current:  # inference: record the edge (keyed per callee: a rule may call several)
        caller = sp.current[-1]
        caller.targets[(op, id(pyfunc))] = s  # type: ignore[index]
        if caller not in s.callers:
            s.callers.append(caller)
    if s.ret == BOTTOM:
        raise TypingError(f"library function {s.func.name} has no return type", op.loc)
    return s


def library_call_type(op: Operation, pyfunc: object, arg_types: list[Type]) -> Type:
    """In a rule's infer: the return type of the Python function `pyfunc` (compiled by
    ember like any callee) called with `arg_types` at `op`."""
    return _library_spec(op, pyfunc, arg_types).ret


def library_call(em, op: Operation, pyfunc: object, args: list[Value]):
    """In a rule's lower: emit `func.call` of `pyfunc` specialized for the types of `args`
    (library_call_type must have been asked for the same call during inference).
    Returns the result value, or None when the function returns None."""
    s = _library_spec(op, pyfunc, [v.type for v in args])
    results = [] if s.ret == NONE else [s.ret]
    new = em.b.op("func.call", args, results, {"callee": SymbolRef(s.symbol)})
    return new.results[0] if results else None
