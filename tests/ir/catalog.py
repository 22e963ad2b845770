"""Hand-built IR (with ir.builder.Builder) that uses every op of the catalog.

`catalog_module(typed)` gives one small function per op name in `OPS` (typed ops with
well-typed operands, or the untyped `py.*` ops with `?` types), plus functions for the
structured ops. `sum_sin()` builds the design document's example.
"""
from __future__ import annotations

from ember.ir.builder import Builder
from ember.ir.core import Block, FuncOp, Module, Region, SymbolRef, Value
from ember.ir.location import Location
from ember.ir.opdefs import MATH_BINARY, MATH_UNARY, OPS
from ember.ir.types import (BOOL, C64, C128, F32, F64, I32, I64, NONE, STR, UNKNOWN, ArrayType,
                            DictType, ListType, RecordType, TupleType, Type)

PAIR = TupleType((F64, I64))
VEC = ArrayType(F64, 1, "C")
MAT = ArrayType(F64, 2, "A")

# op name -> (operand types, result types, attributes) for the ops built generically.
SIGNATURES: dict[str, tuple[list[Type], list[Type], dict]] = {}
for _n in ("addi", "subi", "muli", "floordivsi", "floormodsi", "shli", "shrsi", "powi",
           "andi", "ori", "xori"):
    SIGNATURES[f"arith.{_n}"] = ([I64, I64], [I64], {})
for _n in ("addf", "subf", "mulf", "divf", "floordivf", "floormodf", "powf", "maximumf",
           "minimumf"):
    SIGNATURES[f"arith.{_n}"] = ([F64, F64], [F64], {})
SIGNATURES.update({
    "arith.negf": ([F64], [F64], {}),
    "arith.cmpi": ([I64, I64], [BOOL], {"predicate": "slt"}),
    "arith.cmpf": ([F64, F64], [BOOL], {"predicate": "olt"}),
    "arith.cmpif": ([I64, F64], [BOOL], {"predicate": "le"}),
    "arith.select": ([BOOL, F64, F64], [F64], {}),
    "arith.sitofp": ([I64], [F64], {}),
    "arith.uitofp": ([BOOL], [F64], {}),
    "arith.fptosi": ([F64], [I64], {}),
    "arith.extsi": ([I32], [I64], {}),
    "arith.extui": ([BOOL], [I64], {}),
    "arith.trunci": ([I64], [I32], {}),
    "arith.extf": ([F32], [F64], {}),
    "arith.truncf": ([F64], [F32], {}),
    "math.check": ([F64, F64], [], {"overflow": True}),
    "cf.assert": ([BOOL], [], {"exc": "ValueError", "msg": "bad \"value\"\n\u00e9"}),
    "cf.raise": ([I64, F64, BOOL], [], {"exc": "ValueError", "msg": "k={:5d} x={:.3f} {} {{}}"}),
    "scf.try_state": ([F64, I64], [], {"depth": 0}),
    "cf.reraise": ([], [], {}),
    "cf.poison": ([], [VEC], {}),
    "tuple.make": ([F64, I64], [PAIR], {}),
    "tuple.get": ([PAIR], [I64], {"index": 1}),
    "none.make": ([], [NONE], {}),
    "array.dim": ([MAT], [I64], {"axis": 1}),
    "array.load": ([MAT, I64, I64], [F64], {}),
    "array.store": ([F64, MAT, I64, I64], [], {}),
    "array.alloc": ([I64], [VEC], {}),
    "array.subview": ([MAT, I64, I64, I64, I64], [ArrayType(F64, 2, "A")], {"kinds": "isn"}),
    "array.transpose": ([MAT], [ArrayType(F64, 2, "A")], {}),
    "array.reshape": ([ArrayType(F64, 2, "C"), I64], [VEC], {}),
    "array.retain": ([VEC], [], {}),
    "array.release": ([VEC], [], {}),
})
REC = RecordType(("k", "n"), (F64, I64))
SIGNATURES.update({
    "record.make": ([F64, I64], [REC], {"keys": "k,n"}),
    "record.get": ([REC], [I64], {"key": "n"}),
    "record.set": ([REC, F64], [RecordType(("k", "n"), (F64, F64))], {"key": "n"}),
})
SIGNATURES.update({
    "str.constant": ([], [STR], {"value": "caf\u00e9 \"q\"\n"}),
    "str.eq": ([STR, STR], [BOOL], {}),
    "str.lt": ([STR, STR], [BOOL], {}),
    "str.len": ([STR], [I64], {}),
    "str.hash": ([STR], [I64], {}),
})
FLIST = ListType(F64)
SIGNATURES.update({
    "list.new": ([I64], [FLIST], {}),
    "list.len": ([FLIST], [I64], {}),
    "list.get": ([FLIST, I64], [F64], {}),
    "list.set": ([F64, FLIST, I64], [], {}),
    "list.append": ([FLIST, F64], [], {}),
    "list.resize": ([FLIST, I64], [], {}),
    "list.to_array": ([FLIST], [VEC], {}),
    "list.retain": ([ListType(VEC)], [], {}),
    "list.release": ([ListType(ListType(I64))], [], {}),
})
SDICT = DictType(STR, F64)
SIGNATURES.update({
    "dict.new": ([], [SDICT], {}),
    "dict.parts": ([SDICT], [TupleType((ListType(STR), FLIST, ListType(I64), ListType(I64),
                                        ListType(I64)))], {}),
    "dict.retain": ([SDICT], [], {}),
    "dict.release": ([DictType(TupleType((I64, BOOL)), VEC)], [], {}),
    "hash.of": ([F64], [I64], {}),
})
CVEC = ArrayType(C128, 1, "C")
SIGNATURES.update({
    "complex.make": ([F64, F64], [C128], {}),
    "complex.re": ([C128], [F64], {}),
    "complex.im": ([C64], [F32], {}),
    "complex.abs": ([C128], [F64], {}),
    "complex.neg": ([C128], [C128], {}),
    "complex.conj": ([C64], [C64], {}),
    "array.real": ([CVEC], [ArrayType(F64, 1, "A")], {}),
    "array.imag": ([ArrayType(C64, 2, "F", True)], [ArrayType(F32, 2, "A", True)], {}),
})
for _n in ("add", "sub", "mul", "div", "npdiv"):
    SIGNATURES[f"complex.{_n}"] = ([C128, C128], [C128], {})
for _n in MATH_UNARY:
    SIGNATURES[f"math.{_n}"] = ([F64], [F64], {})
for _n in MATH_BINARY:
    SIGNATURES[f"math.{_n}"] = ([F64, F64], [F64], {})
for _n in ("isnan", "isinf", "isfinite"):
    SIGNATURES[f"math.{_n}"] = ([F64], [BOOL], {})

# Built by the special builders below (or present in every function).
STRUCTURED = {"arith.constant", "func.call", "func.return", "scf.if", "scf.for", "scf.while",
              "scf.try",
              "scf.yield", "scf.condition", "array.map", "array.assign", "array.reduce",
              "array.yield"}


# Values for the attributes the untyped ops require.
UNTYPED_ATTRS: dict[str, object] = {"name": "shape", "kwnames": "axis", "fn": "linalg.norm",
                                    "dtype": F32, "value": "stable", "key": "k",
                                    "exc": "ValueError", "msg": "x = {:.3f}"}


def _loc(line: int) -> Location:
    return Location("catalog.py", line, 4)


def _untyped_operand_count(name: str) -> int:
    spec = OPS[name].operands
    return spec if isinstance(spec, int) else spec[0]


def generic_func(name: str, typed: bool) -> FuncOp:
    """A function whose body is one `name` op applied to the arguments."""
    if typed:
        operands, results, attrs = SIGNATURES[name]
    else:
        operands = [UNKNOWN] * _untyped_operand_count(name)
        results = [UNKNOWN] * (OPS[name].results or 0)  # type: ignore[operator]
        attrs = {a: UNTYPED_ATTRS[a] for a in OPS[name].attrs}
    f = FuncOp("op_" + name.replace(".", "_"), list(operands), results[0] if results else NONE,
               [f"a{i}" for i in range(len(operands))], _loc(1))
    b = Builder(f.body.block, _loc(2))
    op = b.op(name, f.args, results, attrs, names=["r"] * len(results))
    # a none result (none.make) is returned as a function returning none: no operand
    b.op("func.return", [r for r in op.results[:1] if r.type != NONE])
    return f


def constants_func() -> FuncOp:
    """arith.constant with every kind of value, including floats that need repr."""
    f = FuncOp("constants", [], F64, [], _loc(10), attributes={"boundscheck": False})
    b = Builder(f.body.block, _loc(11))
    for v in (0, -2, 2**62, True, False):
        b.constant(v, BOOL if isinstance(v, bool) else I64, "c")
    last: Value | None = None
    for v in (0.0, -0.0, 0.1, 1e300, 5e-324, float("inf"), float("-inf"), float("nan"), 1 / 3):
        last = b.constant(v, F64, None)
    b.op("func.return", [last])
    return f


def sum_sin() -> FuncOp:
    """The example of the design document, built with the Builder."""
    f = FuncOp("sum_sin", [F64, I64], F64, ["x", "n"], _loc(20))
    b = Builder(f.body.block, _loc(21))
    x, n = f.args
    zero = b.constant(0.0, F64, "zero")
    c0 = b.constant(0, I64, "c0")
    c1 = b.constant(1, I64, "c1")
    body = Block([I64, F64], ["i", "acc"])
    loop = b.op("scf.for", [c0, n, c1, zero], [F64], regions=[Region([body])], names=["s"])
    with b.at(body):
        t = b.value("math.sin", [x], F64, hint="t")
        acc2 = b.value("arith.addf", [body.args[1], t], F64, hint="acc2")
        b.op("scf.yield", [acc2])
    s = loop.result
    q = b.value("arith.cmpf", [s, zero], BOOL, {"predicate": "olt"}, hint="q")
    b.op("cf.assert", [q], attributes={"exc": "ZeroDivisionError", "msg": "float division by zero"})
    b.value("tuple.make", [s, n], PAIR, hint="p")
    b.op("func.call", [s, n], [F64], {"callee": SymbolRef("helper")}, names=["h"])
    then, other = Block(), Block()
    b.op("scf.if", [q], [F64, I64], regions=[Region([then]), Region([other])], names=["a", "b"])
    with b.at(then):
        b.op("scf.yield", [s, n])
    with b.at(other):
        b.op("scf.yield", [zero, c0])
    before, after = Block([F64, I64], ["w1", "w2"]), Block([F64, I64], ["y1", "y2"])
    b.op("scf.while", [s, n], [F64, I64], regions=[Region([before]), Region([after])],
         names=["u", "v"])
    with b.at(before):
        k = b.value("arith.cmpi", [before.args[1], c0], BOOL, {"predicate": "sgt"}, hint="k")
        b.op("scf.condition", [k, *before.args])
    with b.at(after):
        b.op("scf.yield", list(after.args))
    b.op("func.return", [s])
    return f


def helper() -> FuncOp:
    f = FuncOp("helper", [F64, I64], F64, ["a", "b"], _loc(40))
    b = Builder(f.body.block, _loc(41))
    b.op("func.return", [f.args[0]])
    return f


def structured_func() -> FuncOp:
    """scf.if without results, scf.for without iter_args, a call with no result,
    nesting, and values without name hints."""
    f = FuncOp("structured", [BOOL, I64], NONE, [None, "n"], _loc(50))
    b = Builder(f.body.block, _loc(51))
    c, n = f.args
    c0, c1 = b.constant(0, I64), b.constant(1, I64)
    then, other = Block(), Block()
    b.op("scf.if", [c], [], regions=[Region([then]), Region([other])])
    with b.at(then):
        body = Block([I64], ["i"])
        b.op("scf.for", [c0, n, c1], [], regions=[Region([body])])
        with b.at(body):
            b.op("func.call", [], [], {"callee": SymbolRef("noop")})
            b.op("scf.yield", [])
        b.op("scf.yield", [])
    with b.at(other):
        # try: record n / except (ValueError, KeyError): re-raise / except: yield n
        tbody, h1, h2 = Block(), Block([I64], ["st"]), Block([I64], ["st2"])
        b.op("scf.try", [], [I64], {"catch": "ValueError,KeyError|BaseException"},
             regions=[Region([tbody]), Region([h1]), Region([h2])], names=["t"])
        with b.at(tbody):
            b.op("scf.try_state", [n], [], {"depth": 0})
            b.op("scf.yield", [n])
        with b.at(h1):
            b.op("cf.reraise", [], [])
            b.op("scf.yield", [h1.args[0]])
        with b.at(h2):
            b.op("scf.yield", [h2.args[0]])
        b.op("scf.yield", [])
    before, after = Block(), Block()
    b.op("scf.while", [], [], regions=[Region([before]), Region([after])])
    with b.at(before):
        b.op("scf.condition", [c])
    with b.at(after):
        b.op("scf.yield", [])
    b.op("func.return", [])
    return f


def array_regions_func() -> FuncOp:
    """array.map (an array and a scalar operand), array.assign and array.reduce."""
    f = FuncOp("array_regions", [VEC, F64], F64, ["a", "s"], _loc(60))
    b = Builder(f.body.block, _loc(61))
    a, s = f.args
    body = Block([F64, F64], ["x", "y"])
    m = b.op("array.map", [a, s], [VEC], regions=[Region([body])], names=["m"])
    with b.at(body):
        b.op("array.yield", [b.value("arith.mulf", list(body.args), F64)])
    body = Block([F64], ["x"])
    b.op("array.assign", [m.result, a], [], regions=[Region([body])])
    with b.at(body):
        b.op("array.yield", [body.args[0]])
    body = Block([F64, F64], ["acc", "x"])
    r = b.op("array.reduce", [m.result, s], [F64], {"axis": -1}, regions=[Region([body])],
             names=["total"])
    with b.at(body):
        b.op("array.yield", [b.value("arith.addf", list(body.args), F64)])
    b.op("func.return", [r.result])
    return f


def noop() -> FuncOp:
    f = FuncOp("noop", [], NONE)
    Builder(f.body.block).op("func.return", [])
    return f


def catalog_module(typed: bool) -> Module:
    """Every op name of the catalog, typed (`typed=True`: the ops of TYPED) or not."""
    m = Module([sum_sin(), helper(), constants_func(), structured_func(), noop()])
    if typed:
        m.add(array_regions_func())
    for name, d in OPS.items():
        if name in STRUCTURED or d.typed != typed:
            continue
        m.add(generic_func(name, typed))
    return m
