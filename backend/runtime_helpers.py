"""Cold and bulky parts of the CPython call wrapper, compiled ONCE per process.

Every generated wrapper (backend/wrapper.py) used to carry its own copy of the int
unboxing (`PyLong_AsLongLong` and its -1 / `PyErr_Occurred` / `PyErr_Clear` dance,
the numpy int64/longlong checks) and of the error-table switch with one
`PyErr_SetString` call per entry. LLVM's O3 pipeline and codegen paid for that code
on every compile. They now live here, in one small LLVM module compiled into the
shared engine on first use (`ensure_runtime`); their addresses are bound with
`llvm.add_symbol`, so any engine's wrappers call them by name.

- `{i64, i1} ember_rt_unbox_i64(PyObject *obj)`: the value of an exact `int`,
  `np.int64` or `np.longlong` and 1, or 0 for "not mine, take the fallback" (an
  int that overflows int64 also: its error is cleared).
- `void ember_rt_raise(ptr table, i32 n, i32 status)`: set the Python exception of
  `status` (k > 0: entry k-1) from a wrapper's error table, a constant array of n
  `{PyObject **exception_variable, char *message}` pairs; an out-of-range status
  raises SystemError.

`declare(llmod, name)` adds a helper's declaration to a wrapper's module.
"""
from __future__ import annotations

import threading
from typing import Any

from ember.backend import pyapi
from ember.backend.boxing import NPSCALAR_VALUE_OFFSET, OB_TYPE_OFFSET, boxes_for
from ember.ir.types import I64

UNBOX_I64 = "ember_rt_unbox_i64"
RAISE = "ember_rt_raise"
UNKNOWN_STATUS = ("SystemError", "ember: compiled code returned an unknown error status")

_lock = threading.Lock()
_ready = False


def _types() -> dict[str, Any]:
    from llvmlite import ir

    p, i1, i32, i64 = ir.PointerType(), ir.IntType(1), ir.IntType(32), ir.IntType(64)
    return {
        UNBOX_I64: ir.FunctionType(ir.LiteralStructType([i64, i1]), [p]),
        RAISE: ir.FunctionType(ir.VoidType(), [p, i32, i32]),
    }


def error_entry_type() -> Any:
    """The LLVM type of one error-table entry: {exception variable, message}."""
    from llvmlite import ir

    return ir.LiteralStructType([ir.PointerType(), ir.PointerType()])


def declare(llmod: Any, name: str) -> Any:
    """The module's declaration of runtime helper `name` (added on first use)."""
    from llvmlite import ir

    existing = llmod.globals.get(name)
    if existing is not None:
        return existing
    fn = ir.Function(llmod, _types()[name], name=name)
    fn.attributes.add("nounwind")
    if name == RAISE:
        fn.attributes.add("cold")  # calls to it mark their blocks unlikely
    return fn


def ensure_runtime() -> None:
    """Compile the helper module and bind its symbols, once per process."""
    global _ready
    if _ready:
        return
    with _lock:
        if _ready:
            return
        from .engine import load_runtime

        pyapi.register_python_symbols()
        pyapi.exception_var(UNKNOWN_STATUS[0])
        addresses = load_runtime(_module_ir(), [UNBOX_I64, RAISE])
        for name, addr in addresses.items():
            if not addr:
                raise RuntimeError(f"ember: runtime helper {name} did not compile")
            pyapi.register_address(name, addr)
        _ready = True


def _module_ir() -> str:
    from llvmlite import ir

    mod = ir.Module(name="ember_runtime")
    _emit_unbox_i64(mod)
    _emit_raise(mod)
    return str(mod)


def _field(b: Any, obj: Any, offset: int, typ: Any) -> Any:
    from llvmlite import ir

    addr = b.gep(obj, [ir.Constant(ir.IntType(64), offset)], inbounds=True, source_etype=ir.IntType(8))
    return b.load(addr, typ=typ)


def _emit_unbox_i64(mod: Any) -> None:
    from llvmlite import ir

    i1, i64, p = ir.IntType(1), ir.IntType(64), ir.PointerType()
    fn = ir.Function(mod, _types()[UNBOX_I64], name=UNBOX_I64)
    fn.attributes.add("noinline")
    fn.attributes.add("nounwind")
    obj = fn.args[0]
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    rty = fn.function_type.return_type

    def result(v: Any, ok: bool) -> None:
        r = b.insert_value(ir.Constant(rty, ir.Undefined), v, 0)
        b.ret(b.insert_value(r, ir.Constant(i1, int(ok)), 1))

    tp = _field(b, obj, OB_TYPE_OFFSET, p)
    for box in boxes_for(I64):  # the one table of accepted types (backend/boxing.py)
        match = fn.append_basic_block(f"is_{box.pytype.__name__}")
        other = fn.append_basic_block(f"not_{box.pytype.__name__}")
        b.cbranch(b.icmp_unsigned("==", tp, pyapi.declare_object(mod, box.symbol)), match, other)
        b.position_at_end(match)
        if box.kind == "pylong":
            v = b.call(pyapi.declare_function(mod, "PyLong_AsLongLong"), [obj])
            maybe_err = fn.append_basic_block("long_minus1")
            fine = fn.append_basic_block("long_ok")
            b.cbranch(b.icmp_signed("==", v, ir.Constant(i64, -1)), maybe_err, fine)
            b.position_at_end(maybe_err)
            occurred = b.call(pyapi.declare_function(mod, "PyErr_Occurred"), [])
            overflow = fn.append_basic_block("long_overflow")
            b.cbranch(b.icmp_unsigned("!=", occurred, ir.Constant(p, None)), overflow, fine)
            b.position_at_end(overflow)
            # Out of int64 range: clear the error; the dispatcher's typeof reports it.
            b.call(pyapi.declare_function(mod, "PyErr_Clear"), [])
            result(ir.Constant(i64, 0), False)
            b.position_at_end(fine)
            result(v, True)
        else:
            assert box.kind == "npscalar"
            result(_field(b, obj, NPSCALAR_VALUE_OFFSET, i64), True)
        b.position_at_end(other)
    result(ir.Constant(i64, 0), False)


def _emit_raise(mod: Any) -> None:
    from llvmlite import ir

    i8, i32, i64, p = ir.IntType(8), ir.IntType(32), ir.IntType(64), ir.PointerType()
    fn = ir.Function(mod, _types()[RAISE], name=RAISE)
    fn.attributes.add("noinline")
    fn.attributes.add("cold")
    fn.attributes.add("nounwind")
    table, n, status = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    set_string = pyapi.declare_function(mod, "PyErr_SetString")
    known = fn.append_basic_block("known")
    unknown = fn.append_basic_block("unknown")
    # 1 <= status <= n, as one unsigned compare of status - 1 < n
    k = b.sub(status, ir.Constant(i32, 1))
    b.cbranch(b.icmp_unsigned("<", k, n), known, unknown)

    b.position_at_end(known)
    entry = b.gep(table, [b.zext(k, i64)], inbounds=True, source_etype=error_entry_type())
    var = b.load(entry, typ=p)
    msg = b.load(b.gep(entry, [ir.Constant(i64, 8)], inbounds=True, source_etype=i8), typ=p)
    b.call(set_string, [b.load(var, typ=p), msg])
    b.ret_void()

    b.position_at_end(unknown)
    data = bytearray(UNKNOWN_STATUS[1].encode("utf-8") + b"\0")
    g = ir.GlobalVariable(mod, ir.ArrayType(i8, len(data)), name="ember_rt.msg_unknown")
    g.global_constant = True
    g.linkage = "internal"
    g.initializer = ir.Constant(g.value_type, data)
    exc = pyapi.declare_pointer_var(mod, pyapi.exception_var(UNKNOWN_STATUS[0]))
    b.call(set_string, [b.load(exc, typ=p), g])
    b.ret_void()
