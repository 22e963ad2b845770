"""Runtime helpers compiled ONCE per process: the wrappers' cold paths and the array memory manager.

Every generated wrapper (backend/wrapper.py) used to carry its own copy of the int
unboxing and of the error-table switch; LLVM's O3 pipeline and codegen paid for that
code on every compile. They live here, in one small LLVM module compiled into the
shared engine on first use (`ensure_runtime`); their addresses are bound with
`llvm.add_symbol`, so any engine's code calls them by name.

- `{i64, i1} ember_rt_unbox_i64(PyObject *obj)`: the value of an exact `int`,
  `np.int64` or `np.longlong` and 1, or 0 for "not mine, take the fallback" (an
  int that overflows int64 also: its error is cleared).
- `i1 ember_rt_unbox_array(PyObject *obj, i32 ndim, i32 num_a, i32 num_b, i32 mask,
  i32 want, ptr out)`: whether `obj` is exactly an ndarray with `nd == ndim`, dtype
  type number `num_a` or `num_b`, native byte order and `flags & mask == want` (the
  checks of backend/wrapper_arrays.py); if so it writes the array struct
  `{NULL, obj, data, shape[ndim], strides[ndim]}` to `out` (nothing otherwise).
- `void ember_rt_raise(ptr table, i32 n, i32 status)`: set the Python exception of
  `status` (k > 0: entry k-1) from a wrapper's error table, a constant array of n
  `{PyObject **exception_variable, char *format}` pairs. The format is a UTF-8
  `str.format` string (errors_table.format_message: `{}` placeholders, other braces
  doubled) whose arguments are read from `ember_rt_err_args`, where a failing formatted
  `cf.assert` or a `cf.raise` stored them before returning its status; the text is made
  by `errors_table.runtime_message(format, *slots)` (it rebuilds f64/bool slots). PyErr_Format was not used: it
  takes only ASCII formats. An out-of-range status raises SystemError.
- Array memory (docs/arrays-internals.md): a block is `{i64 refcount, i64 nbytes,
  ptr data}` followed by the data, 64-byte aligned, in one `malloc`.
  `ptr ember_rt_alloc(i64 nbytes)` (refcount 1; NULL when malloc fails),
  `void ember_rt_retain(ptr)` / `void ember_rt_release(ptr)` (NULL is a no-op; the
  block is freed when its count reaches 0), `ptr ember_rt_meminfo_data(ptr)`, and
  `void ember_rt_capsule_release(PyObject *capsule)`, the destructor of a capsule named
  "ember.meminfo" that owns one reference. Counts are plain integers: compiled code and
  capsule destructors run under the GIL.
- Globals: `[16 x i64] ember_rt_err_args` (ERR_ARG_SLOTS) and `i64 ember_rt_live_blocks`
  (blocks not yet freed; `live_blocks()` reads it for leak tests).

`declare(llmod, name)` adds a helper's declaration (function or global) to a module.
"""
from __future__ import annotations

import ctypes
import threading
from typing import Any

from ember.backend import pyapi
from ember.backend.boxing import (
    ARR_DATA_OFFSET, ARR_DESCR_OFFSET, ARR_DIMS_OFFSET, ARR_FLAGS_OFFSET, ARR_NDIM_OFFSET,
    ARR_STRIDES_OFFSET, DESCR_BYTEORDER_OFFSET, DESCR_TYPE_NUM_OFFSET, NPSCALAR_VALUE_OFFSET,
    OB_TYPE_OFFSET, SWAPPED_BYTEORDER, boxes_for,
)
from ember.ir.types import I64

from . import runtime_lists

UNBOX_I64 = "ember_rt_unbox_i64"
UNBOX_ARRAY = "ember_rt_unbox_array"
RAISE = "ember_rt_raise"
ALLOC = "ember_rt_alloc"
RETAIN = "ember_rt_retain"
RELEASE = "ember_rt_release"
MEMINFO_DATA = "ember_rt_meminfo_data"
CAPSULE_RELEASE = "ember_rt_capsule_release"
ERR_ARGS = "ember_rt_err_args"
LIVE_BLOCKS = "ember_rt_live_blocks"
# The backend.errors_table module object, whose runtime_message formats the messages.
ERRORS_MODULE = "_ember_errors_module"
FUNCTIONS = (UNBOX_I64, UNBOX_ARRAY, RAISE, ALLOC, RETAIN, RELEASE, MEMINFO_DATA, CAPSULE_RELEASE,
             *runtime_lists.FUNCTIONS)
VARIABLES = (ERR_ARGS, LIVE_BLOCKS)

# The most i64 values one error message formats: NumPy's in-place broadcast message
# names three shapes ("(2,2,2,2) (3,) (2,2,2,2)"), three 5-d shapes need 15.
ERR_ARG_SLOTS = 16
CAPSULE_NAME = "ember.meminfo"
DATA_ALIGN = 64
# Header {i64 refcount, i64 nbytes, ptr data}: byte offsets of its fields and its size.
HEADER_REFCOUNT, HEADER_NBYTES, HEADER_DATA, HEADER_SIZE = 0, 8, 16, 24
# The largest request ember_rt_alloc accepts (callers check): header and slack never overflow.
MAX_NBYTES = 1 << 62
UNKNOWN_STATUS = ("SystemError", "ember: compiled code returned an unknown error status")

_lock = threading.Lock()
_ready = False
_addresses: dict[str, int] = {}
# C-library and CPython functions the helpers call, bound by address.
_C_FUNCTIONS = ("malloc", "free", "realloc")
_PY_FUNCTIONS = ("PyUnicode_FromString", "PyObject_CallMethod", "PyErr_SetObject", "PyCapsule_GetPointer")


def _types() -> dict[str, Any]:
    from llvmlite import ir

    p, i1, i32, i64 = ir.PointerType(), ir.IntType(1), ir.IntType(32), ir.IntType(64)
    void = ir.VoidType()
    return {
        UNBOX_I64: ir.FunctionType(ir.LiteralStructType([i64, i1]), [p]),
        UNBOX_ARRAY: ir.FunctionType(i1, [p, i32, i32, i32, i32, i32, p]),
        RAISE: ir.FunctionType(void, [p, i32, i32]),
        ALLOC: ir.FunctionType(p, [i64]),
        RETAIN: ir.FunctionType(void, [p]),
        RELEASE: ir.FunctionType(void, [p]),
        MEMINFO_DATA: ir.FunctionType(p, [p]),
        CAPSULE_RELEASE: ir.FunctionType(void, [p]),
        ERR_ARGS: ir.ArrayType(i64, ERR_ARG_SLOTS),
        LIVE_BLOCKS: i64,
        "malloc": ir.FunctionType(p, [i64]),
        "free": ir.FunctionType(void, [p]),
        "PyUnicode_FromString": ir.FunctionType(p, [p]),
        "PyObject_CallMethod": ir.FunctionType(p, [p, p, p], var_arg=True),
        "PyErr_SetObject": ir.FunctionType(void, [p, p]),
        "PyCapsule_GetPointer": ir.FunctionType(p, [p, p]),
        **runtime_lists.types(),
    }


def error_entry_type() -> Any:
    """The LLVM type of one error-table entry: {exception variable, message format}."""
    from llvmlite import ir

    return ir.LiteralStructType([ir.PointerType(), ir.PointerType()])


def declare(llmod: Any, name: str) -> Any:
    """The module's declaration of runtime helper or global `name` (added on first use)."""
    from llvmlite import ir

    existing = llmod.globals.get(name)
    if existing is not None:
        return existing
    ty = _types()[name]
    if not isinstance(ty, ir.FunctionType):
        g = ir.GlobalVariable(llmod, ty, name=name)
        g.linkage = "external"
        g.type = ir.PointerType()  # llvmlite types globals as typed pointers; we write opaque `ptr`
        return g
    fn = ir.Function(llmod, ty, name=name)
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
        from . import errors_table
        pyapi.register_object(ERRORS_MODULE, errors_table)
        pyapi.exception_var(UNKNOWN_STATUS[0])
        libc = ctypes.CDLL(None)
        for name in _C_FUNCTIONS:
            pyapi.register_address(name, ctypes.cast(getattr(libc, name), ctypes.c_void_p).value)
        for name in _PY_FUNCTIONS:
            pyapi.register_address(name, pyapi.function_address(name))
        from . import engine

        if engine.runtime_loader is not None:  # the disk cache's: the IR is made on a miss only
            addresses = engine.runtime_loader(_module_ir, list(FUNCTIONS), VARIABLES)
        else:
            addresses = load_runtime(_module_ir(), list(FUNCTIONS), VARIABLES)
        for name, addr in addresses.items():
            if not addr:
                raise RuntimeError(f"ember: runtime helper {name} did not compile")
            pyapi.register_address(name, addr)
        _addresses.update(addresses)
        _ready = True


def address(name: str) -> int:
    """The address of a runtime helper or global (compiling the runtime if needed)."""
    ensure_runtime()
    return _addresses[name]


def live_blocks() -> int:
    """How many blocks ember_rt_alloc made that are not yet freed (for leak tests)."""
    return ctypes.c_int64.from_address(address(LIVE_BLOCKS)).value


def error_args() -> list[int]:
    """The message arguments the last failing formatted check stored (for tests)."""
    return list((ctypes.c_int64 * ERR_ARG_SLOTS).from_address(address(ERR_ARGS)))


def _module_ir() -> str:
    from llvmlite import ir

    mod = ir.Module(name="ember_runtime")
    i64 = ir.IntType(64)
    for name, init in ((ERR_ARGS, ir.Constant(_types()[ERR_ARGS], [0] * ERR_ARG_SLOTS)),
                       (LIVE_BLOCKS, ir.Constant(i64, 0))):
        g = ir.GlobalVariable(mod, _types()[name], name=name)
        g.initializer = init
        g.align = 8
        g.type = ir.PointerType()
    _emit_unbox_i64(mod)
    _emit_unbox_array(mod)
    _emit_raise(mod)
    _emit_memory(mod)
    runtime_lists.emit(mod, lambda name: _c_function(mod, name), mod.globals[LIVE_BLOCKS])
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


def _emit_unbox_array(mod: Any) -> None:
    from llvmlite import ir

    i1, i8, i32, i64, p = ir.IntType(1), ir.IntType(8), ir.IntType(32), ir.IntType(64), ir.PointerType()
    fn = ir.Function(mod, _types()[UNBOX_ARRAY], name=UNBOX_ARRAY)
    fn.attributes.add("noinline")
    fn.attributes.add("nounwind")
    obj, ndim, num_a, num_b, mask, want, out = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    check, read, no = (fn.append_basic_block(n) for n in ("check", "read", "no"))
    ndarray = pyapi.declare_object(mod, pyapi.NDARRAY_SYMBOL)
    b.cbranch(b.icmp_unsigned("==", _field(b, obj, OB_TYPE_OFFSET, p), ndarray), check, no)

    b.position_at_end(check)
    descr = _field(b, obj, ARR_DESCR_OFFSET, p)
    num = _field(b, descr, DESCR_TYPE_NUM_OFFSET, i32)
    flags = _field(b, obj, ARR_FLAGS_OFFSET, i32)
    order = _field(b, descr, DESCR_BYTEORDER_OFFSET, i8)
    ok = b.and_(b.icmp_signed("==", _field(b, obj, ARR_NDIM_OFFSET, i32), ndim),
                b.icmp_signed("==", b.and_(flags, mask), want))
    ok = b.and_(ok, b.or_(b.icmp_signed("==", num, num_a), b.icmp_signed("==", num, num_b)))
    ok = b.and_(ok, b.icmp_unsigned("!=", order, ir.Constant(i8, ord(SWAPPED_BYTEORDER))))
    b.cbranch(ok, read, no)

    b.position_at_end(read)
    # out is {ptr meminfo, ptr parent, ptr data, [ndim x i64] shape, [ndim x i64] strides}
    b.store(ir.Constant(p, None), _at(b, out, 0))
    b.store(obj, _at(b, out, 8))
    b.store(_field(b, obj, ARR_DATA_OFFSET, p), _at(b, out, 16))
    n = b.zext(ndim, i64)
    shape = _at(b, out, 24)
    strides = b.gep(shape, [n], inbounds=True, source_etype=i64)
    dims_src = _field(b, obj, ARR_DIMS_OFFSET, p)
    strides_src = _field(b, obj, ARR_STRIDES_OFFSET, p)
    # One interleaved loop, not two memcpy calls: ndim is tiny and libc calls cost more.
    head, body, done = (fn.append_basic_block(x) for x in ("copy_head", "copy_body", "copy_done"))
    b.branch(head)
    b.position_at_end(head)
    i = b.phi(i64, name="i")
    i.add_incoming(ir.Constant(i64, 0), read)
    b.cbranch(b.icmp_unsigned("<", i, n), body, done)
    b.position_at_end(body)
    for src, dst in ((dims_src, shape), (strides_src, strides)):
        v = b.load(b.gep(src, [i], inbounds=True, source_etype=i64), typ=i64)
        b.store(v, b.gep(dst, [i], inbounds=True, source_etype=i64))
    i.add_incoming(b.add(i, ir.Constant(i64, 1)), body)
    b.branch(head)
    b.position_at_end(done)
    b.ret(ir.Constant(i1, 1))
    b.position_at_end(no)
    b.ret(ir.Constant(i1, 0))


def _emit_raise(mod: Any) -> None:
    from llvmlite import ir

    i8, i32, i64, p = ir.IntType(8), ir.IntType(32), ir.IntType(64), ir.PointerType()
    fn = ir.Function(mod, _types()[RAISE], name=RAISE)
    fn.attributes.add("noinline")
    fn.attributes.add("cold")
    fn.attributes.add("nounwind")
    table, n, status = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    known = fn.append_basic_block("known")
    unknown = fn.append_basic_block("unknown")
    # 1 <= status <= n, as one unsigned compare of status - 1 < n
    k = b.sub(status, ir.Constant(i32, 1))
    b.cbranch(b.icmp_unsigned("<", k, n), known, unknown)

    b.position_at_end(known)
    entry = b.gep(table, [b.zext(k, i64)], inbounds=True, source_etype=error_entry_type())
    exc = b.load(b.load(entry, typ=p), typ=p)
    msg = b.load(b.gep(entry, [ir.Constant(i64, 8)], inbounds=True, source_etype=i8), typ=p)
    # message = msg.decode().format(*ember_rt_err_args): str.format takes UTF-8 text
    # (PyErr_Format only ASCII) and ignores the slots a message does not use.
    text = b.call(_c_function(mod, "PyUnicode_FromString"), [msg])
    failed = fn.append_basic_block("failed")
    decoded = fn.append_basic_block("decoded")
    b.cbranch(b.icmp_unsigned("==", text, ir.Constant(p, None)), failed, decoded)
    b.position_at_end(decoded)
    args_ty = _types()[ERR_ARGS]
    buf = mod.globals[ERR_ARGS]
    args = [b.load(b.gep(buf, [ir.Constant(i64, 0), ir.Constant(i64, j)], inbounds=True,
                         source_etype=args_ty), typ=i64) for j in range(ERR_ARG_SLOTS)]
    # errors_table.runtime_message(text, *slots): typed (f64/bool) slots are rebuilt there.
    formatter = ir.GlobalVariable(mod, i64, name=ERRORS_MODULE)
    formatter.linkage = "external"
    formatter.type = p
    message = b.call(_c_function(mod, "PyObject_CallMethod"),
                     [formatter, _cstring(mod, "runtime_message"),
                      _cstring(mod, "O" + "L" * ERR_ARG_SLOTS), text] + args)
    b.call(pyapi.declare_function(mod, "Py_DecRef"), [text])
    formatted = fn.append_basic_block("formatted")
    b.cbranch(b.icmp_unsigned("==", message, ir.Constant(p, None)), failed, formatted)
    b.position_at_end(formatted)
    b.call(_c_function(mod, "PyErr_SetObject"), [exc, message])
    b.call(pyapi.declare_function(mod, "Py_DecRef"), [message])
    b.ret_void()
    b.position_at_end(failed)  # the exception of the failed call is set: leave it
    b.ret_void()

    b.position_at_end(unknown)
    exc_var = pyapi.declare_pointer_var(mod, pyapi.exception_var(UNKNOWN_STATUS[0]))
    b.call(pyapi.declare_function(mod, "PyErr_SetString"),
           [b.load(exc_var, typ=p), _cstring(mod, UNKNOWN_STATUS[1])])
    b.ret_void()


def _cstring(mod: Any, text: str) -> Any:
    """A private NUL-terminated UTF-8 constant."""
    from llvmlite import ir

    data = bytearray(text.encode("utf-8") + b"\0")
    g = ir.GlobalVariable(mod, ir.ArrayType(ir.IntType(8), len(data)), name=f"ember_rt.str{len(mod.globals)}")
    g.global_constant = True
    g.linkage = "private"
    g.initializer = ir.Constant(g.value_type, data)
    g.type = ir.PointerType()
    return g


def _c_function(mod: Any, name: str) -> Any:
    """A C-library or CPython function this module calls (bound by ensure_runtime)."""
    from llvmlite import ir

    existing = mod.globals.get(name)
    return existing if existing is not None else ir.Function(mod, _types()[name], name=name)


def _helper(mod: Any, name: str) -> tuple[Any, Any]:
    from llvmlite import ir

    fn = ir.Function(mod, _types()[name], name=name)
    fn.attributes.add("nounwind")
    return fn, ir.IRBuilder(fn.append_basic_block("entry"))


def _at(b: Any, block: Any, offset: int) -> Any:
    from llvmlite import ir

    return b.gep(block, [ir.Constant(ir.IntType(64), offset)], inbounds=True, source_etype=ir.IntType(8))


def _return_if_null(fn: Any, b: Any, ptr: Any, value: Any = None) -> None:
    """Leave `fn` (returning `value`) when `ptr` is NULL; continue in a new block."""
    from llvmlite import ir

    null, go = fn.append_basic_block("null"), fn.append_basic_block("nonnull")
    b.cbranch(b.icmp_unsigned("==", ptr, ir.Constant(ir.PointerType(), None)), null, go)
    with b.goto_block(null):
        b.ret(value) if value is not None else b.ret_void()
    b.position_at_end(go)


def _count_live(mod: Any, b: Any, delta: int) -> None:
    from llvmlite import ir

    i64 = ir.IntType(64)
    g = mod.globals[LIVE_BLOCKS]
    b.store(b.add(b.load(g, typ=i64), ir.Constant(i64, delta)), g)


def _emit_memory(mod: Any) -> None:
    from llvmlite import ir

    i64, p = ir.IntType(64), ir.PointerType()
    null = ir.Constant(p, None)

    fn, b = _helper(mod, ALLOC)
    nbytes = fn.args[0]
    blk = b.call(_c_function(mod, "malloc"), [b.add(nbytes, ir.Constant(i64, HEADER_SIZE + DATA_ALIGN - 1))])
    _return_if_null(fn, b, blk, null)
    # Round the first byte after the header up to the alignment (no ptrtoint: ptrmask).
    mask = ir.Function(mod, ir.FunctionType(p, [p, i64]), name="llvm.ptrmask.p0.i64")
    data = b.call(mask, [_at(b, blk, HEADER_SIZE + DATA_ALIGN - 1), ir.Constant(i64, -DATA_ALIGN)])
    b.store(ir.Constant(i64, 1), _at(b, blk, HEADER_REFCOUNT))
    b.store(nbytes, _at(b, blk, HEADER_NBYTES))
    b.store(data, _at(b, blk, HEADER_DATA))
    _count_live(mod, b, 1)
    b.ret(blk)

    fn, b = _helper(mod, RETAIN)
    _return_if_null(fn, b, fn.args[0])
    rc = _at(b, fn.args[0], HEADER_REFCOUNT)
    b.store(b.add(b.load(rc, typ=i64), ir.Constant(i64, 1)), rc)
    b.ret_void()

    release, b = _helper(mod, RELEASE)
    _return_if_null(release, b, release.args[0])
    rc = _at(b, release.args[0], HEADER_REFCOUNT)
    left = b.sub(b.load(rc, typ=i64), ir.Constant(i64, 1))
    b.store(left, rc)
    with b.if_then(b.icmp_signed("==", left, ir.Constant(i64, 0))):
        b.call(_c_function(mod, "free"), [release.args[0]])
        _count_live(mod, b, -1)
    b.ret_void()

    fn, b = _helper(mod, MEMINFO_DATA)
    _return_if_null(fn, b, fn.args[0], null)
    b.ret(b.load(_at(b, fn.args[0], HEADER_DATA), typ=p))

    fn, b = _helper(mod, CAPSULE_RELEASE)
    meminfo = b.call(_c_function(mod, "PyCapsule_GetPointer"), [fn.args[0], _cstring(mod, CAPSULE_NAME)])
    bad, good = fn.append_basic_block("foreign"), fn.append_basic_block("ours")
    b.cbranch(b.icmp_unsigned("==", meminfo, null), bad, good)
    with b.goto_block(bad):
        # Not our capsule (cannot happen for capsules ember made): never raise from a destructor.
        b.call(pyapi.declare_function(mod, "PyErr_Clear"), [])
        b.ret_void()
    b.position_at_end(good)
    b.call(release, [meminfo])
    b.ret_void()
