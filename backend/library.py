"""Library code compiled once per process, not once per module: list.sort.

`list.sort` is CPython's timsort and a merge sort written in Python (typeinfer/listlib.py,
listsort.py, sortlib.py), specialized per element type: ~100 KB of LLVM text. Compiled
inside every module that sorts, it was most of such a function's first call (ember's
passes, lowering and LLVM: docs/compile-time.md). typeinfer marks such a library
function (`attributes["library_module"]`, from the Python function's
`__ember_library__`); this module decides what to do with it.

`share_library_calls(module, entry, tiered)` runs on a jit compile's typed module before
the pass pipeline. Each marked function that returns None and takes lists and scalars
is compiled, with the functions it calls, into a module of its own the first time the
process meets it (per specialization: `sort__list_f64__bool`, ...), through the same
passes and lowering as before, so it computes exactly what the copy inside the module
computed. Its native entry is bound to a process-wide symbol `ember.lib.<symbol>`
(`llvm.add_symbol`, as the runtime helpers are). In `module` the function keeps its
signature and gets a stub body, never lowered, that tells the analyses looking into
callees what the real body may do: change its list arguments (the wrapper writes
them back: backend/wrapper_reflect.py) and raise (error_cleanup releases what the
caller owns); and the attributes `noinline` (the call stays a call) and
`library_symbol` (backend/lower_func.py declares it external under that name). Its
callees are dropped unless the module's own code calls them too.

Tiers: the library module is compiled by the quick tier (backend/tiering.py) when the
compile is tiered, and its O3 compile is queued just before the O3 compile of the
module that needed it (`tiering.defer`: llvmlite runs one LLVM call at a time, so an O3
compile started at once would make that module's quick tier wait). When it is in, the
symbol is re-bound to the O3 code, so modules compiled later, that module's O3 tier
included, call it. A non-tiered compile
waits for the library's O3 code. A status the library returns (its module's error
table: a list that cannot grow raises MemoryError) is mapped to the same entry of the
caller's table at the call (`map_status`).

Not used by derivatives (autodiff differentiates the body) nor by `cache=True` compiles
(the disk cache stores self-contained object code): ember/compiler.py calls this only
on the plain jit path.
"""
from __future__ import annotations

import threading
from typing import Any

from ember.ir.core import Block, FuncOp, Module, Operation, Region
from ember.ir.passes.ownership import holds_references
from ember.ir.types import I64, NONE, ListType

PREFIX = "ember.lib."
_lock = threading.RLock()
_libraries: dict[str, "_Library"] = {}  # by the function's symbol in the module
_by_symbol: dict[str, "_Library"] = {}  # by its process-wide native name


def map_status(fl: Any, symbol: str, status: Any) -> Any:
    """After a call of library function `symbol` in `fl`: its status k > 0 (entry k-1 of
    the library module's error table) as the status of the same entry in `fl`'s module."""
    from llvmlite import ir

    library = _by_symbol.get(symbol)
    if library is None or not library.errors:
        return status
    table = fl.mod.errors
    i32 = ir.IntType(32)
    mapped = status
    for k, key in enumerate(library.errors, 1):
        hit = fl.builder.icmp_signed("==", status, ir.Constant(i32, k))
        mapped = fl.builder.select(hit, ir.Constant(i32, table.code_stored(key)), mapped)
    return mapped


class _Library:
    """One library function compiled in its own module: engines kept for the process."""

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol  # the process-wide native name
        self.engines: list[Any] = []  # machine code lives as long as its Engine's record
        self.job: Any = None  # its O3 compile (tiering.TierUp) when first compiled tiered
        self.optimized = False
        self.errors: list[tuple[str, str]] = []  # its module's error table

    def bind(self, engine: Any, native: str, optimized: bool) -> None:
        from ember.backend.engine import shared

        self.engines.append(engine)
        shared().llvm.add_symbol(self.symbol, engine.address(native))
        self.optimized = self.optimized or optimized

    def wait_optimized(self) -> None:
        job = self.job
        if job is not None and not self.optimized:
            job.wait()


def _closure(module: Module, root: str) -> list[str]:
    """`root` and every function it calls, transitively (in module order)."""
    seen = _reachable(module, root)
    return [n for n in module.funcs if n in seen]


def _callee(op: Operation) -> str | None:
    c = op.attributes.get("callee")
    name = getattr(c, "name", c)
    return name.lstrip("@") if isinstance(name, str) else None


def _compile(module: Module, root: str, tiered: bool) -> _Library:
    """Compile `root` and its callees as a module of their own."""
    from ember.backend import runtime_helpers
    from ember.backend.context import native_name
    from ember.backend.engine import Engine, shared
    from ember.backend.lower import lower_module
    from ember.ir.clone import clone_func
    from ember.ir.passes import optimize

    lib = Module([clone_func(module[n]) for n in _closure(module, root)])
    optimize(lib, root)
    lowered = lower_module(lib, root)
    llmod = lowered.llmod
    st = shared()
    llmod.triple = st.triple
    llmod.data_layout = st.data_layout
    text = str(llmod)
    runtime_helpers.ensure_runtime()
    library = _Library(PREFIX + root)
    library.errors = list(lowered.error_table)
    _by_symbol[library.symbol] = library
    native = native_name(root)
    name = f"ember_lib_{root}"
    if tiered:
        from ember.backend import tiering

        library.bind(Engine(text, name=name, domain=tiering.quick_domain()), native, False)

        def install(engine: Any) -> None:
            with _lock:
                library.bind(engine, native, True)

        library.job = tiering.TierUp(text, name, True, install)
        # queued with the module being compiled, not now: it would hold LLVM (one lock
        # in llvmlite) while that module's quick tier waits
        tiering.defer(library.job)
    else:
        library.bind(Engine(text, name=name), native, True)
    return library


def _stub(f: FuncOp, library: _Library) -> None:
    """Give `f` an empty body: the backend declares it as the external symbol. When the
    library function may raise, the body says so with a `cf.raise` (never lowered):
    error_cleanup then releases what the caller owns when the call fails, as it did
    when the function's body was in the module."""
    block = Block(f.arg_types, [a.name for a in f.args])
    for a in block.args:
        if isinstance(a.type, ListType):
            # "may change this list" for the wrapper's write-back of list arguments
            # (backend/wrapper_reflect.py): a resize to its own length, never lowered
            n = block.append(Operation("list.len", [a], [I64], loc=f.loc)).results[0]
            block.append(Operation("list.resize", [a, n], [], loc=f.loc))
    if library.errors:
        exc = library.errors[0][0]
        block.append(Operation("cf.raise", [], [], {
            "exc": exc, "msg": "raised by a library function (backend/library.py)"}, loc=f.loc))
    block.append(Operation("func.return", [], [], loc=f.loc))
    f.body = Region([block])
    f.body.parent = f
    f.attributes["noinline"] = True  # the call must stay a call
    f.attributes["library_symbol"] = library.symbol


def _reachable(module: Module, entry: str) -> set[str]:
    """The functions `entry` calls, transitively, and itself."""
    seen = {entry}
    todo = [entry]
    while todo:
        for op in module[todo.pop()].walk():
            if op.name == "func.call":
                name = _callee(op)
                if name is not None and name not in seen and name in module.funcs:
                    seen.add(name)
                    todo.append(name)
    return seen


def share_library_calls(module: Module, entry: str, tiered: bool = True) -> int:
    """Replace the marked library functions of `module` by calls of their process-wide
    compiled copy (compiling it on first use); returns how many were replaced."""
    roots = [f for f in module if f.name != entry and f.attributes.get("library_module")
             and f.return_type == NONE and "library_symbol" not in f.attributes
             and all(isinstance(t, ListType) or not holds_references(t) for t in f.arg_types)]
    if not roots:
        return 0
    if tiered:
        from ember.backend import tiering

        tiered = tiering.enabled()
    replaced = 0
    dropped: set[str] = set()
    for f in roots:
        with _lock:
            library = _libraries.get(f.name)
            if library is None:
                library = _libraries[f.name] = _compile(module, f.name, tiered)
        if not tiered:
            library.wait_optimized()  # an O3 compile calls O3 library code
        dropped.update(_closure(module, f.name))
        _stub(f, library)
        replaced += 1
    if replaced:
        # its callees go, unless the module's own code calls them as well
        keep = _reachable(module, entry)
        for name in dropped - keep:
            del module.funcs[name]
    return replaced


def shared_libraries() -> dict[str, bool]:
    """The library functions compiled so far and whether their O3 code is bound (tests)."""
    with _lock:
        return {k: v.optimized for k, v in _libraries.items()}
