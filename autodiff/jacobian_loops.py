"""Jacobians as one compiled function: a loop over the basis directions around jvp or vjp.

`jacobian_func(module, entry, argnums, single, mode, out_source)` adds a function of the
primals that returns the Jacobian of `entry` with respect to the arguments `argnums`, in
JAX's layout: for each differentiable leaf of the output (outer structure) and each
differentiable leaf of the arguments (inner structure: the argument's tangent structure,
or a tuple of them for a tuple argnums), a block shaped `out_leaf.shape + in_leaf.shape`
(a float when both are scalars). Holes (ints inside tuples and dicts) are `none`.

- mode "fwd": one call of `<entry>__jvpK` per K input directions (K one-hot tangents,
  K = jacobian_chunks.chunk_for: 2 or 1), or of `<entry>__jvp` per direction;
  column j of every block is the output tangent of direction j.
- mode "rev": one call of `<entry>__vjp` per output element (a one-hot cotangent); row i
  of every block is the gradient of element i.

The directions run in a compiled `scf.for` (all n directions in one native call).
The one-hot tangent arrays are allocated once and one element is set and reset per
direction. Where the output's shape comes from (`out_source`): "call" runs the primal
once first (in a helper returning only the extents); "arg" takes the extents as the
last arguments (the run-time choice of `jacobian_auto` has them already); "like_in" says
the output's leaves have the shapes of the input leaves (a Hessian: the output is the
gradient), so no primal call is needed. A Jacobian that will be differentiated again is
built with `fresh=True`: see `_Jac.leaf_helper`.

Hessian-vector products: autodiff/hvp_build.py; the forced inlining that keeps derived
calls out of reverse mode's way: autodiff/inline_derived.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

from ember.autodiff.forward_emit import Emit
from ember.autodiff.inline_derived import inline_array_results, inline_calls
from ember.autodiff.jacobian_chunks import ChunkedDirections
from ember.autodiff.tangents import tangent_type
from ember.ir.builder import Builder
from ember.ir.core import Block, FuncOp, Module, Region, SymbolRef, Value
from ember.ir.errors import DifferentiationError
from ember.ir.types import (BOOL, I64, ArrayType, NoneType, RecordType, ScalarType, TupleType,
                            Type)


@dataclass
class _Leaf:
    """One differentiable leaf of the inputs (with respect to `argnums`) or of the output."""

    type: Type                 # the primal leaf's type (a float scalar or a float array)
    value: Value | None = None  # the primal leaf in the function being built
    dims: list[Value] | None = None
    size: Value | None = None  # number of elements (arrays)

    @property
    def is_array(self) -> bool:
        return isinstance(self.type, ArrayType)


def _paths_and_types(t: Type) -> list[Type]:
    from ember.pytrees import diff_paths, leaf_type
    return [leaf_type(t, p) for p in diff_paths(t)]


def _check_real(t: Type, what: str, qualname: str, loc) -> None:
    for lt in _paths_and_types(t):
        dt = lt.dtype if isinstance(lt, ArrayType) else lt
        if isinstance(dt, ScalarType) and dt.kind == "c":
            raise DifferentiationError(
                f"{what} of {qualname}: complex {('outputs' if what.endswith('out') else 'values')}"
                " are not supported by jacobians (real floats and float arrays only)", loc)


def check_signature(m: Module, entry: str, argnums: Sequence[int], names: Sequence[str],
                    qualname: str, kind: str) -> None:
    """DifferentiationError (at the def) for an argnums entry with no derivative, an output
    with no float part, or complex values."""
    fe = m[entry]
    for i in argnums:
        if tangent_type(fe.arg_types[i]) is None:
            name = names[i] if i < len(names) else f"#{i}"
            raise DifferentiationError(
                f"ember.{kind}: cannot differentiate {qualname} with respect to argument "
                f"{name!r} (argnums={i}): it is {fe.arg_types[i]}, and ints, bools and strs "
                "carry no derivative", fe.loc)
        _check_real(fe.arg_types[i], f"ember.{kind}", qualname, fe.loc)
    from ember.autodiff.reverse_activity import _stores
    if kind != "hvp" and _stores(m, entry, set()):
        raise DifferentiationError(
            f"ember.{kind}: {qualname} writes into an argument (or into memory an argument "
            "reaches); a Jacobian runs it once per direction, each run seeing the writes of "
            "the one before: copy the argument first (x = x.copy())", fe.loc)
    if tangent_type(fe.return_type) is None:
        raise DifferentiationError(
            f"ember.{kind}: the output of {qualname} is {fe.return_type}, which has no float "
            "part: a Jacobian needs float (or float array) outputs", fe.loc)
    _check_real(fe.return_type, f"ember.{kind}: out", qualname, fe.loc)


def _leaves_of(b: Builder, v: Value, t: Type) -> list[Value]:
    from ember.pytrees import ir_leaves
    return ir_leaves(b, v, t)


def _build(b: Builder, t: Type, leaves: Iterator[Value]) -> Value:
    """A tuple / record shaped like tangent type `t` around `leaves` (whose types may
    differ from t's leaves: these are Jacobian blocks)."""
    if isinstance(t, TupleType):
        parts = [_build(b, e, leaves) for e in t.elements]
        return b.value("tuple.make", parts, TupleType(tuple(p.type for p in parts)))
    if isinstance(t, RecordType):
        parts = [_build(b, e, leaves) for e in t.types]
        return b.value("record.make", parts, RecordType(t.keys, tuple(p.type for p in parts)),
                       {"keys": ",".join(t.keys)})
    if isinstance(t, NoneType):
        return b.value("none.make", [], t)
    return next(leaves)


class _Jac(ChunkedDirections):
    """Builds one Jacobian function into the module."""

    def __init__(self, m: Module, entry: str, argnums: Sequence[int], single: bool,
                 mode: str, out_source: str, suffix: str, fresh: bool = False,
                 chunk: int | None = None) -> None:
        self.fresh = fresh
        if mode != "fwd" or fresh:
            chunk = 1
        elif chunk is None:
            from ember.autodiff import jacobian_chunks
            chunk = jacobian_chunks.chunk_for(m, entry)
        self.chunk = chunk
        self.m, self.entry, self.argnums, self.single = m, entry, list(argnums), single
        self.mode, self.out_source = mode, out_source
        if mode == "rev":
            inline_array_results(m, entry)
        fe = m[entry]
        self.A, self.R = list(fe.arg_types), fe.return_type
        self.TR = tangent_type(self.R)
        nd = _out_ndims(self.R) if out_source == "arg" else 0
        arg_types = self.A + [I64] * nd
        names = [a.name for a in fe.args] + [f"out_d{k}" for k in range(nd)]
        self.w = FuncOp(m.fresh_name(f"{entry}__{suffix}"), arg_types, self.R, names, fe.loc,
                        dict(fe.attributes))
        m.add(self.w)
        self.b = Builder(self.w.body.block, fe.loc)
        self.e = Emit(self.b)

    # --- small helpers -----------------------------------------------------------------

    def call(self, callee: str, args: list[Value], result: Type) -> Value:
        return self.b.value("func.call", args, result, {"callee": SymbolRef(callee)})

    def get(self, v: Value, i: int) -> Value:
        return self.b.value("tuple.get", [v], v.type.elements[i], {"index": i})  # type: ignore[union-attr]

    def measure(self, leaf: _Leaf) -> None:
        if leaf.is_array:
            assert leaf.value is not None
            nd = leaf.type.ndim  # type: ignore[union-attr]
            leaf.dims = [self.e.op("array.dim", [leaf.value], I64, axis=k) for k in range(nd)]
            size = self.e.const(1, I64)
            for d in leaf.dims:
                size = self.e.op("arith.muli", [size, d], I64)
            leaf.size = size

    def flat(self, arr: Value, dims: list[Value]) -> Value:
        t = arr.type
        assert isinstance(t, ArrayType)
        return self.e.op("array.reshape", [arr] + dims, ArrayType(t.dtype, len(dims), "C"))

    def zeros(self, leaf: _Leaf) -> tuple[Value, Value]:
        """A zero array shaped like the leaf (the one-hot direction) and its flat view."""
        t = leaf.type
        assert isinstance(t, ArrayType) and leaf.dims is not None and leaf.size is not None
        z = self.e.zeros(leaf.dims, ArrayType(t.dtype, t.ndim, "C"))
        return z, self.flat(z, [leaf.size])

    def in_leaves(self) -> list[_Leaf]:
        out = []
        for i in self.argnums:
            ts = _paths_and_types(self.A[i])
            for t, v in zip(ts, _leaves_of(self.b, self.w.args[i], self.A[i])):
                leaf = _Leaf(t, v)
                self.measure(leaf)
                out.append(leaf)
        return out

    def out_leaves(self, ins: list[_Leaf]) -> list[_Leaf]:
        """The output's leaves with their extents: those of the inputs ("like_in"), the
        extents passed in ("arg"), or those `out_dims` measures by running the primal."""
        if self.out_source == "like_in":
            return [_Leaf(leaf.type, leaf.value, leaf.dims, leaf.size) for leaf in ins]
        if self.out_source == "arg":
            dims = list(self.w.args[len(self.A):])
        else:
            dims = out_dims(self.b, self.m, self.entry, list(self.w.args[:len(self.A)]))
        return out_leaves_from(self.e, self.R, dims)

    def block_dtype(self, o: _Leaf, l: _Leaf) -> ScalarType:
        src = o.type if self.mode == "fwd" else l.type
        return src.dtype if isinstance(src, ArrayType) else src  # type: ignore[return-value]

    def alloc_block(self, o: _Leaf, l: _Leaf) -> Value:
        dims = (o.dims or []) + (l.dims or [])
        return self.e.op("array.alloc", dims, ArrayType(self.block_dtype(o, l), len(dims), "C"))

    def seeded(self, leaves: list[_Leaf], hot: int, arrays: dict[int, Value],
               types: list[Type]) -> list[Value]:
        """The structured tangents (one per entry of `types`), zero everywhere but leaf `hot`
        (a scalar leaf gets 1.0; an array leaf's one-hot element is set by the caller)."""
        from ember.pytrees import ir_build
        vals: list[Value] = []
        for k, leaf in enumerate(leaves):
            if leaf.is_array:
                vals.append(arrays[k])
            else:
                vals.append(self.e.const(1.0 if k == hot else 0.0, leaf.type))
        out, it = [], iter(vals)
        for t in types:
            out.append(ir_build(self.b, tangent_type(t), it))  # type: ignore[arg-type]
        return out

    def directions(self, leaf: _Leaf, k: int, arrays: dict[int, Value], flats: dict[int, Value],
                   body: Callable[[Value | None, dict[int, Value]], None]) -> None:
        """Run `body(j, arrays)` for each basis direction of leaf k (j None for a scalar
        leaf), `arrays[k]` holding the one-hot direction: the shared zero array with element
        j set around the body, or (fresh) a new array per direction."""
        if not leaf.is_array:
            body(None, arrays)
            return
        t = leaf.type
        assert isinstance(t, ArrayType) and leaf.size is not None
        one, zero = self.e.const(1.0, t.dtype), self.e.const(0.0, t.dtype)

        def each(idx: list[Value]) -> None:
            j = idx[0]
            if self.fresh:  # the helpers make the one-hot direction
                body(j, arrays)
                return
            self.b.op("array.store", [one, flats[k], j])
            body(j, arrays)
            self.b.op("array.store", [zero, flats[k], j])
        self.e.loop_nest([leaf.size], each)

    def through_helpers(self, seq: list[_Leaf], k: int, j: Value | None,
                        arrays: dict[int, Value], derived: str, result: Type, types: list[Type],
                        blocks: dict, outs: list[_Leaf], ins: list[_Leaf]) -> None:
        """The derivatives of direction (k, j), one helper call per leaf they go to (for a
        Jacobian that is differentiated again: see `leaf_helper`)."""
        zeros = [arrays[kk] for kk in sorted(arrays)]
        jj = j if j is not None else self.e.const(0, I64)
        hot = seq[k]
        extra = ((hot.dims or []) + [hot.size]) if hot.is_array else []  # type: ignore[list-item]
        others = outs if self.mode == "fwd" else ins
        for c, other in enumerate(others):
            name, rt = self.leaf_helper(seq, k, c, derived, result, types)
            v = self.call(name, list(self.w.args[:len(self.A)]) + zeros + [jj] + extra, rt)
            if self.mode == "fwd":
                self.place(blocks, (c, k), other, hot, j, v, True)
            else:
                self.place(blocks, (k, c), hot, other, j, v, False)

    def leaf_helper(self, seq: list[_Leaf], k: int, c: int, derived: str, result: Type,
                    types: list[Type]) -> tuple[str, Type]:
        """`(primals..., zero arrays..., j, hot dims..., hot size) -> leaf c` of the derivative
        along direction j of seq leaf k, the one-hot array made inside. Kept as a call
        (`noinline`) whose result is one scalar or array, so that reverse mode differentiates
        it as a helper (it recomputes the inner derivative, lists and all, in its own vjp)
        and never replays a store into an array shared across the loop's iterations."""
        hot = seq[k]
        zero_types = [ArrayType(lf.type.dtype, lf.type.ndim, "C")  # type: ignore[union-attr]
                      for lf in seq if lf.is_array]
        dim_types = [I64] * (hot.type.ndim + 1) if hot.is_array else []  # type: ignore[union-attr]
        arg_types = self.A + zero_types + [I64] + dim_types
        f = FuncOp(self.m.fresh_name(f"{self.w.name}__d{k}_{c}"), arg_types, self.R,
                   None, self.w.loc, {**self.w.attributes, "noinline": True})
        self.m.add(f)
        saved = self.b, self.e
        self.b = Builder(f.body.block, self.w.loc)
        self.e = Emit(self.b)
        try:
            na = len(self.A)
            zs = iter(f.args[na:na + len(zero_types)])
            arrays = {kk: next(zs) for kk, lf in enumerate(seq) if lf.is_array}
            j = f.args[na + len(zero_types)]
            if hot.is_array:
                t = hot.type
                dims = list(f.args[na + len(zero_types) + 1:-1])
                onehot = self.e.zeros(dims, ArrayType(t.dtype, t.ndim, "C"))  # type: ignore[union-attr]
                flat = self.flat(onehot, [f.args[-1]])
                self.b.op("array.store", [self.e.const(1.0, t.dtype), flat, j])  # type: ignore[union-attr]
                arrays[k] = onehot
            seeds = self.seeded(seq, k, arrays, types)
            res = self.call(derived, list(f.args[:na]) + seeds, result)
            part = self.get(res, 1)
            got = _leaves_of(self.b, part, self.TR if self.mode == "fwd" else part.type)  # type: ignore[arg-type]
            v = got[c]
            f.return_type = v.type
            self.b.op("func.return", [v])
        finally:
            self.b, self.e = saved
        inline_calls(f, self.m)
        return f.name, v.type

    def place(self, blocks: dict, key: tuple[int, int], o: _Leaf, l: _Leaf, j: Value | None,
              v: Value, along_in: bool) -> None:
        """Write derivative `v` (shaped like the leaf not being enumerated) into block `key`
        at position j of the enumerated leaf (the input leaf when along_in)."""
        other = o if along_in else l
        if j is None:  # a scalar direction: the block is v itself (an array: a fresh copy)
            blocks[key] = self.e.copy_c(v) if other.is_array else v
            return
        blk = blocks[key]
        seq = l if along_in else o
        if not other.is_array:
            self.b.op("array.store", [v, self.flat(blk, [seq.size]), j])  # type: ignore[list-item]
            return
        two = self.flat(blk, [o.size, l.size])  # type: ignore[list-item]
        vf = self.flat(v, [other.size])  # type: ignore[list-item]

        def copy(idx: list[Value]) -> None:
            x = self.e.op("array.load", [vf, idx[0]], vf.type.dtype)  # type: ignore[union-attr]
            at = [idx[0], j] if along_in else [j, idx[0]]
            self.b.op("array.store", [x, two] + at)
        self.e.loop_nest([other.size], copy)  # type: ignore[list-item]

    # --- the two modes -------------------------------------------------------------------

    def build(self) -> str:
        from ember.autodiff.forward import jvp
        from ember.autodiff.reverse import vjp
        ins = self.in_leaves()
        outs = self.out_leaves(ins)
        primals = list(self.w.args[:len(self.A)])
        blocks: dict[tuple[int, int], Value] = {}
        for a, o in enumerate(outs):
            for c, l in enumerate(ins):
                enumerated = l if self.mode == "fwd" else o
                if enumerated.is_array:
                    blocks[(a, c)] = self.alloc_block(o, l)
        chunked = self.chunked_jvp() if self.chunk > 1 else None
        if chunked is not None:
            derived = chunked
            seq, types = ins, [self.A[i] for i in self.argnums]
            result = TupleType((self.R,) + (self.TR,) * self.chunk)  # type: ignore[arg-type]
        elif self.mode == "fwd":
            derived = jvp(self.m, self.entry, self.argnums)
            seq, types = ins, [self.A[i] for i in self.argnums]
            result = TupleType((self.R, self.TR))  # type: ignore[arg-type]
        else:
            derived = vjp(self.m, self.entry, self.argnums)
            seq, types = outs, [self.R]
            G = TupleType(tuple(tangent_type(self.A[i]) for i in self.argnums))  # type: ignore[misc]
            result = TupleType((self.R, G))
        arrays, flats = {}, {}
        for k, leaf in enumerate(seq):
            if leaf.is_array:
                arrays[k], flats[k] = self.zeros(leaf)
        for k, leaf in enumerate(seq):
            if chunked is not None:
                self.chunk_directions(seq, k, arrays, flats, derived, result, types, blocks,
                                      outs, primals)
                continue

            def body(j: Value | None, arrays: dict[int, Value], k: int = k) -> None:
                if self.fresh:
                    self.through_helpers(seq, k, j, arrays, derived, result, types, blocks,
                                         outs, ins)
                    return
                seeds = self.seeded(seq, k, arrays, types)
                res = self.call(derived, primals + seeds, result)
                if self.mode == "fwd":
                    got = _leaves_of(self.b, self.get(res, 1), self.TR)  # type: ignore[arg-type]
                    for a, o in enumerate(outs):
                        self.place(blocks, (a, k), o, seq[k], j, got[a], True)
                else:
                    grads = self.get(res, 1)
                    got = _leaves_of(self.b, grads, grads.type)
                    for c, l in enumerate(ins):
                        self.place(blocks, (k, c), seq[k], l, j, got[c], False)
            self.directions(leaf, k, arrays, flats, body)
        self.finish(blocks, len(ins))
        return self.w.name

    def finish(self, blocks: dict, n_in: int) -> None:
        in_t: Type = (tangent_type(self.A[self.argnums[0]]) if self.single else  # type: ignore[assignment]
                      TupleType(tuple(tangent_type(self.A[i]) for i in self.argnums)))  # type: ignore[misc]
        counter = iter(range(1 << 30))

        def outer() -> Iterator[Value]:
            while True:
                a = next(counter)
                yield _build(self.b, in_t, iter([blocks[(a, c)] for c in range(n_in)]))
        res = _build(self.b, self.TR, outer())  # type: ignore[arg-type]
        self.w.return_type = res.type
        self.b.op("func.return", [res])


def jacobian_func(m: Module, entry: str, argnums: Sequence[int], single: bool, mode: str,
                  out_source: str = "call", fresh: bool = False, chunk: int | None = None) -> str:
    """Add the Jacobian of `entry` (mode "fwd" or "rev"; see the module docstring); its symbol.
    fresh: a new one-hot array per direction (for a Jacobian that is differentiated again).
    chunk: directions per jvp call in forward mode (default: jacobian_chunks.chunk_for;
    always 1 when fresh)."""
    return _Jac(m, entry, argnums, single, mode, out_source, "jac" + mode, fresh,
                chunk).build()


def _static_size(leaves: list[Type]) -> int | None:
    return None if any(isinstance(t, ArrayType) for t in leaves) else len(leaves)


def choose_mode(m: Module, entry: str, argnums: Sequence[int]) -> str | None:
    """"fwd" or "rev" when the types decide (every leaf a scalar, or a scalar output of an
    array input), None when it depends on run-time sizes."""
    fe = m[entry]
    ins = [t for i in argnums for t in _paths_and_types(fe.arg_types[i])]
    outs = _paths_and_types(fe.return_type)
    n_in, n_out = _static_size(ins), _static_size(outs)
    if n_in is not None and n_out is not None:
        return "fwd" if n_in <= n_out else "rev"
    if n_out is not None and n_out == 1:
        return "rev"   # a scalar output: one reverse pass
    if n_in is not None and n_in == 1:
        return "fwd"   # a scalar input: one forward pass
    return None


def _out_ndims(R: Type) -> int:
    return sum(t.ndim for t in _paths_and_types(R) if isinstance(t, ArrayType))


def out_dims(b: Builder, m: Module, entry: str, primals: list[Value]) -> list[Value]:
    """The extents of the output's array leaves (in leaf order), measured by running the
    primal in a helper `<entry>__out_dims` that returns only them: ints, so no transform
    ever differentiates that call (reverse mode has no adjoint for arrays inside a call's
    tuple result)."""
    R = m[entry].return_type
    nd = _out_ndims(R)
    if nd == 0:
        return []
    name = f"{entry}__out_dims"
    T = TupleType((I64,) * nd)
    if name not in m.funcs:
        fe = m[entry]
        f = FuncOp(name, list(fe.arg_types), T, [a.name for a in fe.args], fe.loc,
                   {**fe.attributes, "noinline": True})
        m.add(f)
        fb = Builder(f.body.block, fe.loc)
        fem = Emit(fb)
        out = fb.value("func.call", list(f.args), R, {"callee": SymbolRef(entry)})
        ds = [fem.op("array.dim", [v], I64, axis=k)
              for t, v in zip(_paths_and_types(R), _leaves_of(fb, out, R))
              if isinstance(t, ArrayType) for k in range(t.ndim)]
        fb.op("func.return", [fb.value("tuple.make", ds, T)])
    res = b.value("func.call", primals, T, {"callee": SymbolRef(name)})
    return [b.value("tuple.get", [res], I64, {"index": k}) for k in range(nd)]


def out_leaves_from(e: Emit, R: Type, dims: list[Value]) -> list[_Leaf]:
    """The output's leaves, their extents taken from `dims` in order."""
    it = iter(dims)
    leaves = []
    for t in _paths_and_types(R):
        leaf = _Leaf(t)
        if isinstance(t, ArrayType):
            leaf.dims = [next(it) for _ in range(t.ndim)]
            size = e.const(1, I64)
            for d in leaf.dims:
                size = e.op("arith.muli", [size, d], I64)
            leaf.size = size
        leaves.append(leaf)
    return leaves


def jacobian_auto(m: Module, entry: str, argnums: Sequence[int], single: bool,
                  fresh: bool = False) -> str:
    """The Jacobian in forward mode when the inputs have no more elements than the output,
    else in reverse mode: decided from the types when they decide, else at run time (both
    modes are compiled; the primal runs once to measure the output)."""
    static = choose_mode(m, entry, argnums)
    if static is not None:
        return jacobian_func(m, entry, argnums, single, static, fresh=fresh)
    fwd = _Jac(m, entry, argnums, single, "fwd", "arg", "jacfwd_body", fresh).build()
    rev = _Jac(m, entry, argnums, single, "rev", "arg", "jacrev_body", fresh).build()
    j = _Jac(m, entry, argnums, single, "fwd", "call", "jacobian")
    ins = j.in_leaves()
    primals = list(j.w.args)
    dims = out_dims(j.b, m, entry, primals)
    outs = out_leaves_from(j.e, j.R, dims)

    def total(leaves: list[_Leaf]) -> Value:
        s = j.e.const(0, I64)
        for leaf in leaves:
            s = j.e.op("arith.addi", [s, leaf.size if leaf.is_array else j.e.const(1, I64)], I64)
        return s
    cond = j.e.op("arith.cmpi", [total(ins), total(outs)], BOOL, predicate="sle")
    R = m[fwd].return_type
    then, other = Block(), Block()
    res = j.b.op("scf.if", [cond], [R], regions=[Region([then]), Region([other])]).result
    for blk, callee in ((then, fwd), (other, rev)):
        with j.b.at(blk):
            j.b.op("scf.yield", [j.call(callee, primals + dims, R)])
    j.w.return_type = R
    j.b.op("func.return", [res])
    return j.w.name
