"""The CPython call wrapper, generated as LLVM IR beside a native function.

`emit_wrapper(llmod, native, arg_types, return_type, error_table)` adds

    PyObject *w(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)

(METH_FASTCALL | METH_KEYWORDS) to `llmod` and returns its name. It is the whole fast
path of a call: no Python code runs between the caller and the native function.

1. Guard: `kwnames` must be NULL and `nargs` equal the parameter count.
2. Unbox each argument by its *exact* type (`ob_type` pointer compared with the type
   objects of `backend/boxing.py`, OR-ed into one branch): float / np.float64 read
   offset 16, an int64 (int, np.int64, np.longlong) is one call of the shared helper
   `ember_rt_unbox_i64` (backend/runtime_helpers.py), a bool compares with `&_Py_TrueStruct`, numpy
   scalars read their value at offset 16, a tuple checks `PyTuple_Type` and its length
   and unboxes its items recursively. An exact `numpy.ndarray` is checked (ndim, dtype,
   byte order, layout and writeable flags) and read into the array struct without a
   call (backend/wrapper_arrays.py).
3. Any mismatch returns `PyObject_Vectorcall(self, args, nargs, kwnames)`: `self` is the
   fallback (the next specialization or the Python dispatcher, which compiles new
   signatures). An int that does not fit in int64 also falls back (the error is
   cleared): the dispatcher's `typeof` then raises OverflowError naming the parameter.
4. Call `i32 native(ptr out, args...)`. Status 0: box the result read from `out`;
   status k > 0: `ember_rt_raise(table, n, k)` (compiled once per process) sets
   `error_table[k-1]`'s exception from a constant {exception variable, message} array;
   return NULL.

Strings: an exact `str` is borrowed as its cached UTF-8 buffer (PyUnicode_AsUTF8AndSize;
a lone surrogate raises CPython's UnicodeEncodeError); a str result is PyUnicode_DecodeUTF8.

Complex values: a Python complex, np.complex128 and np.complex64 are read at offset 16
(their two parts); a complex result (c128 or c64, widened exactly) boxes to a Python complex.

Results box like Numba's: f64 and f32 both to a Python float (f32 widened exactly),
every int width to a Python int, bool to `True`/`False`, tuples to `tuple`, none to
`None`, arrays to ndarrays (the argument itself, a view of it, or an ndarray over
runtime-owned memory: backend/wrapper_arrays.py).
"""
from __future__ import annotations

from typing import Sequence

from llvmlite import ir

from ember.backend import pyapi, runtime_helpers as rt
from ember.backend.boxing import (
    DICT_USED_OFFSET, FLOAT_VALUE_OFFSET, NPSCALAR_VALUE_OFFSET, OB_SIZE_OFFSET, OB_TYPE_OFFSET,
    TUPLE_ITEMS_OFFSET, boxes_for, is_supported_arg, is_supported_result,
)
from ember.backend.llvm_types import mem_type, value_type as llvm_type
from ember.backend.wrapper_arrays import box_array, unbox_array
from ember.backend.wrapper_containers import box_dict, box_list, release_arguments, unbox_list
from ember.backend.wrapper_reflect import reflect
from ember.backend.wrapper_dicts import unbox_dict
from ember.ir.types import (STR, ArrayType, DictType, ListType, NoneType, RecordType, ScalarType, StrType,
                            TupleType, Type)

_PTR = ir.PointerType()
_I8 = ir.IntType(8)
_I32 = ir.IntType(32)
_I64 = ir.IntType(64)


class _Ctx:
    """What the emitting helpers share: the module, the builder and the fallback block."""

    def __init__(self, llmod: ir.Module, builder: ir.IRBuilder, fail: ir.Block) -> None:
        self.mod = llmod
        self.b = builder
        self.fail = fail

    def fn(self, name: str) -> ir.Function:
        return pyapi.declare_function(self.mod, name)

    def obj(self, name: str) -> ir.GlobalVariable:
        return pyapi.declare_object(self.mod, name)

    def field(self, obj: ir.Value, offset: int, typ: ir.Type) -> ir.Instruction:
        """Load the `typ` at byte `offset` of the object `obj` (a GEP, never ptrtoint)."""
        addr = self.b.gep(obj, [ir.Constant(_I64, offset)], inbounds=True, source_etype=_I8)
        return self.b.load(addr, typ=typ)

    def incref(self, obj: ir.Value) -> None:
        # GIL is held: a plain increment of ob_refcnt (offset 0) is what Py_INCREF does.
        rc = self.b.load(obj, typ=_I64)
        self.b.store(self.b.add(rc, ir.Constant(_I64, 1)), obj)

    def new_block(self, name: str) -> ir.Block:
        return self.b.append_basic_block(name)


def emit_wrapper(llmod: ir.Module, native: ir.Function, arg_types: list[Type],
                 return_type: Type, error_table: list[tuple[str, str]],
                 reflected: Sequence[bool] = ()) -> str:
    """Add the METH_FASTCALL|METH_KEYWORDS wrapper of `native` to `llmod`; return its name.
    `reflected[i]`: write argument i (a list or dict) back to the caller's object after
    the call (backend/wrapper_reflect.py)."""
    _check_signature(native, arg_types, return_type)
    pyapi.register_python_symbols()
    rt.ensure_runtime()

    name = _unique_name(llmod, f"{native.name}__pywrap")
    fnty = ir.FunctionType(_PTR, [_PTR, _PTR, _I64, _PTR])
    wrapper = ir.Function(llmod, fnty, name=name)
    self_, args, nargs, kwnames = wrapper.args
    for a, n in zip(wrapper.args, ("self", "args", "nargs", "kwnames")):
        a.name = n

    entry = wrapper.append_basic_block("entry")
    fallback = wrapper.append_basic_block("fallback")
    b = ir.IRBuilder(entry)
    ctx = _Ctx(llmod, b, fallback)
    # none: the native function writes nothing, but gets a valid pointer anyway
    out = b.alloca(_I8 if isinstance(return_type, NoneType) else mem_type(return_type), name="out")

    # 1. guards
    ok_kw = b.icmp_unsigned("==", kwnames, ir.Constant(_PTR, None))
    ok_n = b.icmp_signed("==", nargs, ir.Constant(_I64, len(arg_types)))
    unbox = ctx.new_block("unbox")
    b.cbranch(b.and_(ok_kw, ok_n), unbox, fallback)

    # 2. unbox
    b.position_at_end(unbox)
    values, items = [], []
    for i, t in enumerate(arg_types):
        items.append(ctx.field(args, 8 * i, _PTR))
        values.append(_unbox(ctx, items[-1], t))

    # 4. call and box
    status = b.call(native, [out, *values], name="status")
    for obj, v, t, back in zip(items, values, arg_types, reflected):
        if back:
            reflect(ctx, obj, v, t, _box)
    release_arguments(ctx, values, arg_types)
    ok = ctx.new_block("ok")
    err = ctx.new_block("error")
    b.cbranch(b.icmp_signed("==", status, ir.Constant(_I32, 0)), ok, err)

    b.position_at_end(ok)
    if isinstance(return_type, NoneType):
        result: ir.Value = _box_none(ctx)
    else:
        result = _box(ctx, b.load(out, typ=mem_type(return_type)), return_type)
    b.ret(result)

    b.position_at_end(err)
    _emit_raise(ctx, wrapper, status, error_table)

    # 3. fallback
    b.position_at_end(fallback)
    r = b.call(ctx.fn("PyObject_Vectorcall"), [self_, args, nargs, kwnames], name="fallback_result")
    b.ret(r)
    return name


def _check_signature(native: ir.Function, arg_types: list[Type], return_type: Type) -> None:
    """Refuse types the wrapper cannot handle, and a native signature that disagrees with
    the calling convention (a mismatch would be malformed IR and abort the process)."""
    for t in arg_types:
        if not is_supported_arg(t):
            raise TypeError(f"ember wrapper: cannot unbox an argument of type {t}")
    if not is_supported_result(return_type):
        raise TypeError(f"ember wrapper: cannot box a result of type {return_type}")
    want = [_PTR] + [llvm_type(t) for t in arg_types]
    got = list(native.function_type.args)
    if [str(t) for t in got] != [str(t) for t in want] or str(native.function_type.return_type) != "i32":
        raise TypeError(
            f"ember wrapper: native function {native.name} has signature "
            f"{native.function_type}, expected i32 ({', '.join(str(t) for t in want)})")


def _unique_name(llmod: ir.Module, base: str) -> str:
    name, k = base, 1
    while name in llmod.globals:
        name, k = f"{base}.{k}", k + 1
    return name


# ---------------------------------------------------------------- unboxing

def _unbox(ctx: _Ctx, obj: ir.Value, t: Type) -> ir.Value:
    """The native value of Python object `obj` as IR type `t`; branches to the fallback
    block on any mismatch. Leaves the builder in the block where the value is ready."""
    if isinstance(t, TupleType):
        return _unbox_tuple(ctx, obj, t)
    if isinstance(t, RecordType):
        return _unbox_record(ctx, obj, t)
    if isinstance(t, ArrayType):
        return unbox_array(ctx, obj, t)
    if isinstance(t, ListType):
        return unbox_list(ctx, obj, t, _unbox)
    if isinstance(t, DictType):
        return unbox_dict(ctx, obj, t, _unbox)
    if isinstance(t, StrType):
        return _unbox_str(ctx, obj)
    assert isinstance(t, ScalarType)
    return _unbox_scalar(ctx, obj, t)


def _unbox_str(ctx: _Ctx, obj: ir.Value) -> ir.Value:
    """An exact str as {UTF-8 data, size}: borrowed from the buffer CPython caches in the
    object (alive as long as the argument, i.e. the whole call). A str that has no UTF-8
    form (a lone surrogate) raises the UnicodeEncodeError CPython set: return NULL (no
    reference is held by the unboxing, so there is nothing to release)."""
    b = ctx.b
    tp = ctx.field(obj, OB_TYPE_OFFSET, _PTR)
    ok = ctx.new_block("str_ok")
    b.cbranch(b.icmp_unsigned("==", tp, ctx.obj("PyUnicode_Type")), ok, ctx.fail)
    b.position_at_end(ok)
    size_slot = _entry_alloca(ctx, _I64)
    data = b.call(ctx.fn("PyUnicode_AsUTF8AndSize"), [obj, size_slot])
    bad, good = ctx.new_block("str_encode_failed"), ctx.new_block("str_utf8")
    b.cbranch(b.icmp_unsigned("==", data, ir.Constant(_PTR, None)), bad, good)
    b.position_at_end(bad)
    b.ret(ir.Constant(_PTR, None))
    b.position_at_end(good)
    v = b.insert_value(ir.Constant(llvm_type(STR), ir.Undefined), data, 0)
    return b.insert_value(v, b.load(size_slot, typ=_I64), 1)


def _entry_alloca(ctx: _Ctx, ty: ir.Type) -> ir.Value:
    """A stack slot in the wrapper's entry block (outside any loop)."""
    entry = ctx.b.function.entry_basic_block
    tmp = ir.IRBuilder(entry)
    tmp.position_at_start(entry)
    slot = tmp.alloca(ty)
    slot.type = _PTR
    return slot


def _unbox_tuple(ctx: _Ctx, obj: ir.Value, t: TupleType) -> ir.Value:
    b = ctx.b
    tp = ctx.field(obj, OB_TYPE_OFFSET, _PTR)
    is_tuple = b.icmp_unsigned("==", tp, ctx.obj("PyTuple_Type"))
    size_check = ctx.new_block("tuple_size")
    b.cbranch(is_tuple, size_check, ctx.fail)
    b.position_at_end(size_check)
    size = ctx.field(obj, OB_SIZE_OFFSET, _I64)
    items = ctx.new_block("tuple_items")
    b.cbranch(b.icmp_signed("==", size, ir.Constant(_I64, len(t.elements))), items, ctx.fail)
    b.position_at_end(items)
    agg: ir.Value = ir.Constant(llvm_type(t), ir.Undefined)
    for i, et in enumerate(t.elements):
        item = ctx.field(obj, TUPLE_ITEMS_OFFSET + 8 * i, _PTR)
        agg = b.insert_value(agg, _unbox(ctx, item, et), i)
    return agg


def _unbox_record(ctx: _Ctx, obj: ir.Value, t: RecordType) -> ir.Value:
    """An exact dict with exactly the keys of `t`: the size is read from `ma_used`, then one
    `PyDict_GetItem` per key with the interned key object (its hash is cached, so each
    lookup is a probe and a pointer compare). Any missing key or wrong type: fallback."""
    b = ctx.b
    tp = ctx.field(obj, OB_TYPE_OFFSET, _PTR)
    size_check = ctx.new_block("dict_size")
    b.cbranch(b.icmp_unsigned("==", tp, ctx.obj("PyDict_Type")), size_check, ctx.fail)
    b.position_at_end(size_check)
    size = ctx.field(obj, DICT_USED_OFFSET, _I64)
    items = ctx.new_block("dict_items")
    b.cbranch(b.icmp_signed("==", size, ir.Constant(_I64, len(t.keys))), items, ctx.fail)
    b.position_at_end(items)
    agg: ir.Value = ir.Constant(llvm_type(t), ir.Undefined)
    for i, (key, et) in enumerate(zip(t.keys, t.types)):
        item = b.call(ctx.fn("PyDict_GetItem"), [obj, ctx.obj(pyapi.key_symbol(key))])
        found = ctx.new_block("dict_found")
        b.cbranch(b.icmp_unsigned("==", item, ir.Constant(_PTR, None)), ctx.fail, found)
        b.position_at_end(found)
        agg = b.insert_value(agg, _unbox(ctx, item, et), i)
    return agg


def _unbox_scalar(ctx: _Ctx, obj: ir.Value, t: ScalarType) -> ir.Value:
    """One branch per argument: the exact-type compares are OR-ed, and the value is read
    once per distinct way of reading it (a float and an np.float64 both keep their
    double at offset 16), picked with `select`. Fewer blocks make O3 and codegen cheaper
    than a branch and a phi input per accepted type."""
    b = ctx.b
    boxes = boxes_for(t)
    if any(box.kind == "pylong" for box in boxes):
        return _unbox_via_runtime(ctx, obj)
    tp = ctx.field(obj, OB_TYPE_OFFSET, _PTR)
    matches = [b.icmp_unsigned("==", tp, ctx.obj(box.symbol)) for box in boxes]
    any_match = matches[0]
    for m in matches[1:]:
        any_match = b.or_(any_match, m)
    ok = ctx.new_block(f"unboxed_{t}")
    b.cbranch(any_match, ok, ctx.fail)
    b.position_at_end(ok)
    # Every accepted type's object is at least 24 bytes, so each read below is in bounds.
    reads: dict[tuple, ir.Value] = {}
    picks: list[tuple[ir.Value, ir.Value]] = []
    for box, m in zip(boxes, matches):
        key = _read_key(box.kind, t)
        if key not in reads:
            reads[key] = _read_value(ctx, obj, key, t)
        picks.append((m, reads[key]))
    v = picks[-1][1]
    for m, pv in reversed(picks[:-1]):
        if pv is not v:
            v = b.select(m, pv, v)
    return v


def _read_key(kind: str, t: ScalarType) -> tuple:
    if kind == "pyfloat":
        return ("load", FLOAT_VALUE_OFFSET)
    if kind == "pycomplex":  # Py_complex cval: the same {double, double} as c128
        return ("load", FLOAT_VALUE_OFFSET)
    if kind == "pybool":
        return ("is_true",)
    assert kind == "npscalar", kind
    if t.is_bool:  # numpy bool_: one byte, 0 or 1
        return ("byte", NPSCALAR_VALUE_OFFSET)
    return ("load", NPSCALAR_VALUE_OFFSET)


def _read_value(ctx: _Ctx, obj: ir.Value, key: tuple, t: ScalarType) -> ir.Value:
    b = ctx.b
    if key[0] == "is_true":
        return b.icmp_unsigned("==", obj, ctx.obj("_Py_TrueStruct"))
    if key[0] == "byte":
        return b.icmp_unsigned("!=", ctx.field(obj, key[1], _I8), ir.Constant(_I8, 0))
    return ctx.field(obj, key[1], llvm_type(t))


def _unbox_via_runtime(ctx: _Ctx, obj: ir.Value) -> ir.Value:
    """int / np.int64 / np.longlong: one call of the shared helper (the PyLong_AsLongLong
    error handling is compiled once per process, not in every wrapper)."""
    b = ctx.b
    r = b.call(rt.declare(ctx.mod, rt.UNBOX_I64), [obj])
    ok = ctx.new_block("unboxed_i64")
    b.cbranch(b.extract_value(r, 1), ok, ctx.fail)
    b.position_at_end(ok)
    return b.extract_value(r, 0)


# ---------------------------------------------------------------- boxing

def _box_none(ctx: _Ctx) -> ir.Value:
    none = ctx.obj("_Py_NoneStruct")
    ctx.incref(none)
    return none


def _box(ctx: _Ctx, v: ir.Value, t: Type) -> ir.Value:
    """A new reference to the Python object for `v`, the in-memory form of IR type `t`
    (bools are i8), or NULL with the error set if allocation failed."""
    b = ctx.b
    if isinstance(t, TupleType):
        return _box_tuple(ctx, v, t)
    if isinstance(t, RecordType):
        return _box_record(ctx, v, t)
    if isinstance(t, NoneType):
        return _box_none(ctx)
    if isinstance(t, ArrayType):
        return box_array(ctx, v, t)
    if isinstance(t, ListType):
        return box_list(ctx, v, t, _box)
    if isinstance(t, DictType):
        return box_dict(ctx, v, t, _box)
    if isinstance(t, StrType):  # a new str (NULL with the error set on failure)
        return b.call(ctx.fn("PyUnicode_DecodeUTF8"),
                      [b.extract_value(v, 0), b.extract_value(v, 1), ir.Constant(_PTR, None)])
    assert isinstance(t, ScalarType)
    if t.is_bool:
        if v.type == _I8:
            v = b.icmp_unsigned("!=", v, ir.Constant(_I8, 0))
        obj = b.select(v, ctx.obj("_Py_TrueStruct"), ctx.obj("_Py_FalseStruct"))
        ctx.incref(obj)
        return obj
    if t.is_float:
        d = v if t.bits == 64 else b.fpext(v, ir.DoubleType())
        return b.call(ctx.fn("PyFloat_FromDouble"), [d])
    if t.is_complex:
        re, im = b.extract_value(v, 0), b.extract_value(v, 1)
        if t.bits == 64:
            re, im = b.fpext(re, ir.DoubleType()), b.fpext(im, ir.DoubleType())
        return b.call(ctx.fn("PyComplex_FromDoubles"), [re, im])
    if t.is_signed:
        w = v if t.bits == 64 else b.sext(v, _I64)
        return b.call(ctx.fn("PyLong_FromLongLong"), [w])
    w = v if t.bits == 64 else b.zext(v, _I64)
    return b.call(ctx.fn("PyLong_FromUnsignedLongLong"), [w])


def _box_tuple(ctx: _Ctx, v: ir.Value, t: TupleType) -> ir.Value:
    b = ctx.b
    tup = b.call(ctx.fn("PyTuple_New"), [ir.Constant(_I64, len(t.elements))])
    _return_null_if_null(ctx, tup, decref=None)
    for i, et in enumerate(t.elements):
        item = _box(ctx, b.extract_value(v, i), et)
        _return_null_if_null(ctx, item, decref=tup)
        # PyTuple_SET_ITEM: the fresh tuple's slot takes our reference.
        slot = b.gep(tup, [ir.Constant(_I64, TUPLE_ITEMS_OFFSET + 8 * i)], inbounds=True, source_etype=_I8)
        b.store(item, slot)
    return tup


def _box_record(ctx: _Ctx, v: ir.Value, t: RecordType) -> ir.Value:
    """A new dict with the record's keys in order (PyDict_SetItem does not steal)."""
    b = ctx.b
    d = b.call(ctx.fn("PyDict_New"), [])
    _return_null_if_null(ctx, d, decref=None)
    for i, (key, et) in enumerate(zip(t.keys, t.types)):
        item = _box(ctx, b.extract_value(v, i), et)
        _return_null_if_null(ctx, item, decref=d)
        rc = b.call(ctx.fn("PyDict_SetItem"), [d, ctx.obj(pyapi.key_symbol(key)), item])
        b.call(ctx.fn("Py_DecRef"), [item])
        bad, good = ctx.new_block("dict_set_failed"), ctx.new_block("dict_set")
        b.cbranch(b.icmp_signed("!=", rc, ir.Constant(_I32, 0)), bad, good)
        b.position_at_end(bad)
        b.call(ctx.fn("Py_DecRef"), [d])
        b.ret(ir.Constant(_PTR, None))
        b.position_at_end(good)
    return d


def _return_null_if_null(ctx: _Ctx, obj: ir.Value, decref: ir.Value | None) -> None:
    b = ctx.b
    bad = ctx.new_block("box_failed")
    good = ctx.new_block("boxed")
    b.cbranch(b.icmp_unsigned("==", obj, ir.Constant(_PTR, None)), bad, good)
    b.position_at_end(bad)
    if decref is not None:
        b.call(ctx.fn("Py_DecRef"), [decref])
    b.ret(ir.Constant(_PTR, None))
    b.position_at_end(good)


# ---------------------------------------------------------------- errors

def _emit_raise(ctx: _Ctx, wrapper: ir.Function, status: ir.Value,
                error_table: list[tuple[str, str]]) -> None:
    """Set the Python exception for `status` (entry status-1 of the table); return NULL.

    The table is data (a constant array of {exception variable, message}); the code
    that reads it is the shared `ember_rt_raise`, compiled once per process."""
    b = ctx.b
    entries = []
    for k, (exc_name, message) in enumerate(error_table, start=1):
        var = pyapi.declare_pointer_var(ctx.mod, pyapi.exception_var(exc_name))
        msg = _cstring(ctx.mod, f"{wrapper.name}.msg{k}", message)
        entries.append(ir.Constant(rt.error_entry_type(), [var, msg]))
    if entries:
        arr = ir.ArrayType(rt.error_entry_type(), len(entries))
        table: ir.Value = ir.GlobalVariable(ctx.mod, arr, name=_unique_name(ctx.mod, f"{wrapper.name}.errors"))
        table.global_constant = True
        table.linkage = "internal"
        table.initializer = ir.Constant(arr, entries)
    else:
        table = ir.Constant(_PTR, None)
    b.call(rt.declare(ctx.mod, rt.RAISE), [table, ir.Constant(_I32, len(entries)), status])
    b.ret(ir.Constant(_PTR, None))


def _cstring(llmod: ir.Module, name: str, text: str) -> ir.GlobalVariable:
    data = bytearray(text.encode("utf-8") + b"\0")
    arr = ir.ArrayType(_I8, len(data))
    g = ir.GlobalVariable(llmod, arr, name=_unique_name(llmod, name))
    g.global_constant = True
    g.linkage = "internal"
    g.initializer = ir.Constant(arr, data)
    return g
