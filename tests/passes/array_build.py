"""Builders of hand-written array IR for the array pass tests, and the pipeline they run.

    f = FuncOp("f", [A1, A1], A1); b = Builder(f.body.block)
    r = amap(b, [x, y], A1, lambda bb, u, v: bb.value("arith.addf", [u, v], F64))
"""
from __future__ import annotations

from typing import Callable

from ember.ir.builder import Builder
from ember.ir.core import Block, FuncOp, Module, Region, Value
from ember.ir.passes import canonicalize, cse, dce, fuse_arrays, lower_arrays, ownership
from ember.ir.types import F64, I64, ArrayType, Type
from tests.passes.build import check

A1 = ArrayType(F64, 1, "C")
A2 = ArrayType(F64, 2, "C")
A1A = ArrayType(F64, 1, "A")
A2F = ArrayType(F64, 2, "F")
A0 = ArrayType(F64, 0, "C")


def elem(t: Type) -> Type:
    return t.dtype if isinstance(t, ArrayType) else t


def _region(types: list[Type], body: Callable[..., Value]) -> Region:
    blk = Block(types)
    bb = Builder(blk)
    bb.op("array.yield", [body(bb, *blk.args)])
    return Region([blk])


def amap(b: Builder, operands: list[Value], rt: Type, body: Callable[..., Value]) -> Value:
    region = _region([elem(v.type) for v in operands], body)
    return b.op("array.map", operands, [rt], regions=[region]).result


def aassign(b: Builder, dest: Value, operands: list[Value], body: Callable[..., Value]) -> None:
    region = _region([elem(v.type) for v in operands], body)
    b.op("array.assign", [dest] + operands, [], regions=[region])


def areduce(b: Builder, src: Value, init: Value, rt: Type, axis: int,
            body: Callable[..., Value]) -> Value:
    region = _region([init.type, elem(src.type)], body)
    return b.op("array.reduce", [src, init], [rt], {"axis": axis}, regions=[region]).result


def binf(name: str) -> Callable[..., Value]:
    return lambda bb, x, y: bb.value(name, [x, y], F64)


def addf(bb: Builder, x: Value, y: Value) -> Value:
    return bb.value("arith.addf", [x, y], F64)


def func(name: str, args: list[Type], ret: Type, body: Callable[..., Value | None]) -> FuncOp:
    f = FuncOp(name, args, ret)
    b = Builder(f.body.block)
    r = body(b, *f.args)
    b.op("func.return", [r] if r is not None else [])
    return f


def module(*funcs: FuncOp) -> Module:
    return check(Module(list(funcs)))


def lower(m: Module, fuse: bool = True, own: bool = True) -> Module:
    """The array half of the pipeline, verifying (and round-tripping) after every pass."""
    passes = ([fuse_arrays] if fuse else []) + [lower_arrays, canonicalize, cse, dce]
    passes += [ownership] if own else []
    for p in passes:
        p.run(m)
        check(m)
    return m


def dim(b: Builder, v: Value, axis: int) -> Value:
    return b.value("array.dim", [v], I64, {"axis": axis})
