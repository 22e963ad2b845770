"""State shared while lowering: the LLVM module being built and one function's cursor.

`ModuleLowering` owns the llvmlite module, the error table, the native function of
every IR function, and the declarations of intrinsics and libm functions.
`FuncLowering` owns one function's IRBuilder, the map from IR values to LLVM
values, and the cold blocks that return error codes.
"""
from __future__ import annotations

from llvmlite import ir

from ember.ir.core import Block, Operation, Value
from ember.ir.types import Type

from . import runtime_helpers as rt
from .errors_table import ErrorTable
from .llvm_types import I32, I64, PTR, is_none, value_type
from .registry import LOWERINGS

# Weights that mark the failing side of a check as cold.
_LIKELY = [2000, 1]


class LoweringError(Exception):
    """The backend met IR it cannot lower (a bug in an earlier stage or here)."""


def native_name(symbol: str) -> str:
    """LLVM name of the native function for IR symbol `symbol` (a dot keeps it off C names)."""
    return f"ember.fn.{symbol}"


class ModuleLowering:
    """The LLVM module under construction and what every function lowering shares."""

    def __init__(self, name: str = "ember") -> None:
        self.llmod = ir.Module(name=name)
        self.errors = ErrorTable()
        self.functions: dict[str, ir.Function] = {}
        self._decls: dict[str, ir.Function] = {}
        # Run after every function is lowered, when the error table is complete
        # (backend/lower_try.py fills its dispatch switches there).
        self.finalizers: list = []

    def declare(self, name: str, ret: ir.Type, args: list[ir.Type]) -> ir.Function:
        """An external function (an LLVM intrinsic or a libm symbol), declared once."""
        fn = self._decls.get(name)
        if fn is None:
            fn = ir.Function(self.llmod, ir.FunctionType(ret, args), name=name)
            self._decls[name] = fn
        return fn

    def runtime(self, name: str) -> ir.Value:
        """The declaration of runtime helper or global `name` (backend/runtime_helpers.py);
        the runtime is compiled and its symbols bound before this module is."""
        rt.ensure_runtime()
        return rt.declare(self.llmod, name)

    def intrinsic(self, base: str, ty: ir.Type, nargs: int) -> ir.Function:
        """`llvm.<base>.f32/f64` taking `nargs` operands of type `ty`."""
        suffix = "f32" if ty == ir.FloatType() else "f64"
        return self.declare(f"llvm.{base}.{suffix}", ty, [ty] * nargs)


class FuncLowering:
    """Lowers the body of one IR function into its native LLVM function."""

    def __init__(self, mod: ModuleLowering, fn: ir.Function, return_type: Type) -> None:
        self.mod = mod
        self.fn = fn
        self.return_type = return_type
        self.out = fn.args[0]
        # The entry block holds only allocas and a branch to the body, so a slot
        # can be added at any time and still dominate every use.
        entry = fn.append_basic_block("entry")
        body = fn.append_basic_block("body")
        self._entry_branch = ir.IRBuilder(entry).branch(body)
        self.builder = ir.IRBuilder(body)
        self.entry_block = entry
        self.values: dict[Value, ir.Value] = {}
        self._fail_blocks: dict[object, ir.Block] = {}
        self._nblocks = 0
        # Innermost last: the scf.try bodies being lowered, where a non-zero status
        # goes to the dispatch block instead of being returned (backend/lower_try.py),
        # and the handlers being lowered (their status slot, for cf.reraise).
        self.try_stack: list[TryContext] = []
        self.handler_stack: list[ir.Value] = []

    # ---- values -------------------------------------------------------------
    def get(self, v: Value) -> ir.Value:
        try:
            return self.values[v]
        except KeyError:
            raise LoweringError(f"value {v!r} used before its definition was lowered") from None

    def set(self, v: Value, lv: ir.Value) -> None:
        self.values[v] = lv

    def operands(self, op: Operation) -> list[ir.Value]:
        return [self.get(v) for v in op.operands]

    def set_result(self, op: Operation, lv: ir.Value) -> None:
        self.set(op.results[0], lv)

    def ltype(self, t: Type) -> ir.Type:
        return value_type(t)

    # ---- blocks -------------------------------------------------------------
    def new_block(self, hint: str) -> ir.Block:
        self._nblocks += 1
        return self.fn.append_basic_block(f"{hint}.{self._nblocks}")

    def alloca(self, ty: ir.Type, name: str = "") -> ir.Value:
        """A stack slot in the entry block, where mem2reg/SROA can promote it."""
        b = ir.IRBuilder(self.entry_block)
        b.position_before(self._entry_branch)
        slot = b.alloca(ty, name=name)
        slot.type = PTR  # llvmlite types allocas as typed pointers; we write opaque `ptr`
        return slot

    def exit_with(self, b: ir.IRBuilder, status: ir.Value) -> None:
        """Leave with non-zero `status`: to the innermost try's dispatch, else return it."""
        if self.try_stack:
            ctx = self.try_stack[-1]
            b.store(status, ctx.status_slot)
            b.branch(ctx.dispatch)
        else:
            b.ret(status)

    def fail_block(self, code: int) -> ir.Block:
        """The function's cold block returning status `code`."""
        key = (code, self.try_stack[-1]) if self.try_stack else code
        blk = self._fail_blocks.get(key)
        if blk is None:
            blk = self.fn.append_basic_block(f"raise.{code}")
            self.exit_with(ir.IRBuilder(blk), ir.Constant(I32, code))
            self._fail_blocks[key] = blk
        return blk

    def check(self, ok: ir.Value, code: int) -> None:
        """Continue when `ok` is true, else return status `code` (cold path)."""
        cont = self.new_block("ok")
        br = self.builder.cbranch(ok, cont, self.fail_block(code))
        br.set_weights(_LIKELY)
        self.builder.position_at_end(cont)

    def check_with_args(self, ok: ir.Value, code: int, args: list[ir.Value]) -> None:
        """Like `check`, but the failing path first stores the i64 message arguments
        `args` in `ember_rt_err_args`, where `ember_rt_raise` formats them."""
        if not args:
            self.check(ok, code)
            return
        if len(args) > rt.ERR_ARG_SLOTS:
            raise LoweringError(f"an error message takes at most {rt.ERR_ARG_SLOTS} arguments, got {len(args)}")
        buf = self.mod.runtime(rt.ERR_ARGS)
        cont = self.new_block("ok")
        fail = self.new_block("raise.args")
        br = self.builder.cbranch(ok, cont, fail)
        br.set_weights(_LIKELY)
        fb = ir.IRBuilder(fail)
        zero = ir.Constant(I64, 0)
        for j, a in enumerate(args):
            slot = fb.gep(buf, [zero, ir.Constant(I64, j)], inbounds=True, source_etype=buf.value_type)
            fb.store(a, slot)
        self.exit_with(fb, ir.Constant(I32, code))
        self.builder.position_at_end(cont)

    def raise_now(self, code: int, args: list[ir.Value]) -> None:
        """cf.raise: store the message arguments (i64 as is, f64 as its bit pattern,
        bool widened) in `ember_rt_err_args` and return status `code`. The builder
        continues in a fresh block with no predecessor: the rest of the structured
        region (unreachable) is lowered there as usual."""
        if len(args) > rt.ERR_ARG_SLOTS:
            raise LoweringError(f"an error message takes at most {rt.ERR_ARG_SLOTS} arguments, got {len(args)}")
        b = self.builder
        if args:
            buf = self.mod.runtime(rt.ERR_ARGS)
            zero = ir.Constant(I64, 0)
            for j, a in enumerate(args):
                if isinstance(a.type, ir.DoubleType):
                    a = b.bitcast(a, I64)
                elif isinstance(a.type, ir.PointerType):
                    pass  # a str's data address: stored as is into the 8-byte slot
                elif a.type != I64:
                    a = b.zext(a, I64)
                slot = b.gep(buf, [zero, ir.Constant(I64, j)], inbounds=True, source_etype=buf.value_type)
                b.store(a, slot)
        self.exit_with(b, ir.Constant(I32, code))
        b.position_at_end(self.new_block("after.raise"))

    def return_status_if_nonzero(self, status: ir.Value) -> None:
        """After a call: propagate a non-zero status at once."""
        cont = self.new_block("call.ok")
        bad = self.new_block("call.raise")
        zero = ir.Constant(I32, 0)
        br = self.builder.cbranch(self.builder.icmp_signed("==", status, zero), cont, bad)
        br.set_weights(_LIKELY)
        self.exit_with(ir.IRBuilder(bad), status)
        self.builder.position_at_end(cont)

    # ---- ops ----------------------------------------------------------------
    def lower_op(self, op: Operation) -> None:
        fn = LOWERINGS.get(op.name)
        if fn is None:
            raise LoweringError(f"the backend has no lowering for op {op.name}")
        fn(self, op)

    def lower_block(self, block: Block, args: list[ir.Value]) -> list[ir.Value]:
        """Lower a structured region's block with its arguments bound to `args`.

        Returns the LLVM values of its terminator's operands (scf.yield or
        scf.condition); the builder is left at the end of the block where control
        reaches the terminator, not yet terminated, for the caller to branch.
        func.return is lowered in place and returns [].
        """
        if len(args) != len(block.args):
            raise LoweringError(f"block takes {len(block.args)} arguments, given {len(args)}")
        for a, v in zip(block.args, args):
            self.set(a, v)
        term = block.terminator
        if term is None:
            raise LoweringError("block without terminator")
        for op in block.ops[:-1]:
            self.lower_op(op)
        if term.name in ("scf.yield", "scf.condition"):
            return self.operands(term)
        self.lower_op(term)
        return []

    def returns_none(self) -> bool:
        return is_none(self.return_type)


class TryContext:
    """One scf.try body being lowered: where its failing points branch."""

    def __init__(self, dispatch: ir.Block, status_slot: ir.Value, state_slots: list[ir.Value]) -> None:
        self.dispatch = dispatch
        self.status_slot = status_slot
        self.state_slots = state_slots


def native_function_type(arg_types: list[Type]) -> ir.FunctionType:
    """`i32 (ptr %out, args...)`: the native convention of every IR function."""
    return ir.FunctionType(I32, [PTR] + [value_type(t) for t in arg_types])
