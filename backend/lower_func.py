"""Functions and calls: the native convention `i32 @f(ptr %out, args...)`.

A function returns 0 after storing its result through %out (nothing for none),
or k > 0 to ask the wrapper to raise error-table entry k-1. `func.call` passes a
stack slot as the callee's %out and returns a non-zero status at once.
"""
from __future__ import annotations

from llvmlite import ir

from ember.ir.core import FuncOp, Operation, SymbolRef

from .context import FuncLowering, LoweringError, ModuleLowering, native_function_type, native_name
from .llvm_types import I32, from_mem, is_none, mem_type, to_mem
from .registry import lowers


def declare_function(mod: ModuleLowering, f: FuncOp, external: bool) -> ir.Function:
    """Create the native function of `f` (internal unless it is the entry). A library
    function compiled once per process (backend/library.py) is only declared, under its
    process-wide symbol."""
    shared = f.attributes.get("library_symbol")
    fn = ir.Function(mod.llmod, native_function_type(f.arg_types),
                     name=shared if isinstance(shared, str) else native_name(f.name))
    if not external and shared is None:
        fn.linkage = "internal"
    fn.args[0].name = "out"
    # The out slot never aliases anything the function reads; say so for the optimizer.
    fn.args[0].add_attribute("noalias")
    for a, ir_arg in zip(fn.args[1:], f.args):
        if ir_arg.name:
            a.name = ir_arg.name
    fn.attributes.add("nounwind")
    mod.functions[f.name] = fn
    return fn


def lower_function(mod: ModuleLowering, f: FuncOp) -> None:
    """Emit the body of `f` into its (already declared) native function."""
    if f.attributes.get("library_symbol") is not None:
        return  # compiled in its own module (backend/library.py)
    fn = mod.functions[f.name]
    fl = FuncLowering(mod, fn, f.return_type)
    fl.lower_block(f.body.block, list(fn.args[1:]))
    if not fl.builder.block.is_terminated:
        raise LoweringError(f"function @{f.name} does not end in func.return")


@lowers("func.return")
def _return(fl: FuncLowering, op: Operation) -> None:
    if op.operands and not fl.returns_none():
        v = fl.get(op.operands[0])
        fl.builder.store(to_mem(fl.builder, v, fl.return_type), fl.out)
    fl.builder.ret(ir.Constant(I32, 0))


@lowers("func.call")
def _call(fl: FuncLowering, op: Operation) -> None:
    ref = op.attributes.get("callee")
    name = ref.name if isinstance(ref, SymbolRef) else str(ref)
    callee = fl.mod.functions.get(name)
    if callee is None:
        raise LoweringError(f"func.call of @{name}, which is not in the module")
    b = fl.builder
    rtype = op.results[0].type if op.results else None
    if rtype is not None and not is_none(rtype):
        slot = fl.alloca(mem_type(rtype), name="ret")
    else:
        slot = ir.Constant(ir.PointerType(), None)
    status = b.call(callee, [slot] + fl.operands(op))
    if callee.name.startswith("ember.lib."):  # compiled in its own module: its own error table
        from .library import map_status

        status = map_status(fl, callee.name, status)
    fl.return_status_if_nonzero(status)
    if rtype is not None and not is_none(rtype):
        fl.set_result(op, from_mem(b, b.load(slot, typ=mem_type(rtype)), rtype))
