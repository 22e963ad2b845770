"""Loops in reverse mode: tape the carried values in the forward sweep, then run the
iterations backwards, each one replaying its body from the tape before reversing it.

scf.for: the tape is one array per scalar leaf of the carried values, preallocated with
the trip count. scf.while: one growable list per leaf plus an iteration counter; the
reverse is an scf.for over the before-region executions, last (false) one first.
Loads from arrays that are written somewhere go through the load tapes (one list per
dtype); each iteration also tapes where its loads start (the cursor), so a replay reads
its own segment. Arrays the body rebinds (`u, v = v, u`, `u = f(u)`) are snapshotted at
each iteration entry and restored into work arrays before a replay; their shadows are
carried backwards by the reverse loop (reverse_tapes.py). Only a loop at a recording level tapes: an inner loop is re-run (and
taped) when its enclosing iteration is replayed, so tape memory is O(iterations).
"""
from __future__ import annotations

from ember.autodiff import reverse_values as rv
from ember.autodiff import reverse_entry_snaps as esnap
from ember.autodiff import reverse_tapes as snap
from ember.autodiff.reverse_distribute import distribute
from ember.autodiff.reverse_sweep import Sweep
from ember.ir.core import Block, Operation, Region, Value
from ember.ir.errors import DifferentiationError
from ember.ir.passes.array_facts import const_int
from ember.ir.types import BOOL, I64, ArrayType, ListType, ScalarType, Type


def forward_loop(sw: Sweep, op: Operation) -> None:
    needs = sw.record and sw.act.needs_reverse(op)
    if needs:
        _check_carried(sw, op)
    if op.name == "scf.for":
        _forward_for(sw, op, needs)
    else:
        _forward_while(sw, op, needs)


def reverse_loop(sw: Sweep, op: Operation) -> None:
    if op.name == "scf.for":
        _reverse_for(sw, op)
    else:
        _reverse_while(sw, op)


def _carried_args(op: Operation) -> list[Value]:
    blk = op.regions[0].block
    return blk.args[1:] if op.name == "scf.for" else blk.args


def _passthrough(op: Operation, i: int) -> bool:
    """Is carried value i yielded unchanged by every iteration (loop-invariant)?"""
    if op.name == "scf.for":
        body = op.regions[0].block
        return body.terminator.operands[i] is body.args[i + 1]
    before, after = op.regions[0].block, op.regions[1].block
    return (i < len(after.args) and before.terminator.operands[1 + i] is before.args[i]
            and after.terminator.operands[i] is after.args[i])


def _tapeable(t: Type) -> bool:
    """Scalars and tuples / records of scalars: what a loop tape holds."""
    if isinstance(t, ScalarType):
        return True
    return rv.is_struct(t) and all(_tapeable(e) for e in rv.elements(t))


def _check_carried(sw: Sweep, op: Operation) -> None:
    for i, a in enumerate(_carried_args(op)):
        if _tapeable(a.type) or _passthrough(op, i):
            continue
        if isinstance(a.type, ArrayType):
            snap.check_snapshot(sw, op, i)
            continue
        what = "array" if isinstance(a.type, ArrayType) else f"{a.type}"
        raise DifferentiationError(
            f"reverse mode cannot differentiate a loop that rebinds {what} variable "
            f"'{a.name or '?'}'", op.loc)


def _leaf_specs(op: Operation) -> list[tuple[int, rv.Path, Type]]:
    """(carried position, path, scalar type) of every scalar leaf a loop tapes."""
    out = []
    for i, a in enumerate(_carried_args(op)):
        if not _tapeable(a.type):
            continue
        out += [(i, p, t) for p, t in rv.scalar_leaves(a.type, False)]
    return out


def _trip_count(sw: Sweep, lb: Value, ub: Value, step: Value) -> Value:
    c0, c1 = sw.i64(0), sw.i64(1)
    pos = sw.v("arith.cmpi", [step, c0], BOOL, predicate="sgt")
    up = sw.v("arith.subi", [sw.v("arith.addi", [sw.v("arith.subi", [ub, lb], I64), step], I64), c1], I64)
    n_up = sw.v("arith.floordivsi", [up, step], I64)
    nstep = sw.v("arith.subi", [c0, step], I64)
    down = sw.v("arith.subi", [sw.v("arith.subi", [sw.v("arith.subi", [lb, ub], I64), step], I64), c1], I64)
    n_down = sw.v("arith.floordivsi", [down, nstep], I64)
    n = sw.v("arith.select", [pos, n_up, n_down], I64)
    neg = sw.v("arith.cmpi", [n, c0], BOOL, predicate="slt")
    return sw.v("arith.select", [neg, c0, n], I64)


def _rebuild(sw: Sweep, op: Operation, i: int, a: Value, read) -> Value:
    """Carried value i of `op` for a replay: from the tapes (`read(i, path, type)`), or the
    loop's init for an array passed through unchanged."""
    if not _tapeable(a.type):
        init = op.operands[(3 if op.name == "scf.for" else 0) + i]
        return sw.p(init)
    return rv.build(sw.b, a.type, lambda path, t: read(i, path, t))


# ---- scf.for ------------------------------------------------------------------------------
def _forward_for(sw: Sweep, op: Operation, needs: bool) -> None:
    lb, ub, step = (sw.p(v) for v in op.operands[:3])
    body = op.regions[0].block
    dts = sorted(sw.cursor, key=str) if sw.replay else []
    specs = _leaf_specs(op)
    any_loads = sw.act.has_taped_loads(op)
    fixed = sw.act.fixed_loads(op)
    if sw.replay and not op.results and fixed and not _refills(sw, op):
        _skip_replay(sw, op, lb, ub, step, needs, any_loads)
        return
    taped_loads = needs and any_loads and not fixed
    if needs:
        n = _trip_count(sw, lb, ub, step)
        sw.env[(op, "n")] = n
        for i, p, t in specs:
            sw.env[(op, "t", i, p)] = sw.tape(sw.v("array.alloc", [n], ArrayType(t, 1, "C")))
        if taped_loads:
            for dt in sw.lists:
                sw.env[(op, "c", dt)] = sw.tape(sw.v("array.alloc", [n], ArrayType(I64, 1, "C")))
                if not sw.replay:
                    sw.env[(op, "s", dt)] = sw.v("list.len", [sw.lists[dt]], I64)
        elif any_loads:
            _record_start(sw, op)
        snap.alloc_snapshots(sw, op, n)
        if not sw.replay:
            esnap.alloc(sw, op, n)
    # Forward loop whose loads are taped at a fixed count per iteration: size the load
    # tape once and store by position (no capacity check per load).
    slotted = not sw.replay and (sw.in_loop or needs) and any_loads and fixed
    counts = sw.act.load_counts(op) if slotted else {}
    starts: dict = {}
    if slotted:
        n_all = sw.env.get((op, "n")) or _trip_count(sw, lb, ub, step)
        for dt, count in counts.items():
            tape = sw.lists[dt]
            starts[dt] = sw.v("list.len", [tape], I64)
            total = sw.v("arith.addi", [starts[dt], sw.v("arith.muli", [n_all, sw.i64(count)], I64)], I64)
            sw.b.op("list.resize", [tape, total])
    carried = body.args[1:]
    nb = Block([I64] + [a.type for a in carried] + [I64] * len(dts),
               [body.args[0].name] + [a.name for a in carried] + [None] * len(dts))
    inits = [sw.p(v) for v in op.operands[3:]] + [sw.cursor[d] for d in dts]
    with sw.into(nb):
        sw.env[body.args[0]] = nb.args[0]
        for a, x in zip(carried, nb.args[1:]):
            sw.env[a] = x
        sw.cursor = dict(zip(dts, nb.args[1 + len(carried):]))
        if needs:
            k = sw.v("arith.floordivsi", [sw.v("arith.subi", [nb.args[0], lb], I64), step], I64)
            for i, p, t in specs:
                leaf = rv.extract(sw.b, nb.args[1 + i], p)
                sw.b.op("array.store", [leaf, sw.env[(op, "t", i, p)], k])
            if taped_loads:
                for dt in sw.lists:
                    cur = sw.cursor[dt] if sw.replay else sw.v("list.len", [sw.lists[dt]], I64)
                    sw.b.op("array.store", [cur, sw.env[(op, "c", dt)], k])
            snap.take_snapshots(sw, op, list(nb.args[1:]), k)
            if not sw.replay:
                esnap.take(sw, op, k)
        slots = {}
        if slotted:
            k = sw.v("arith.floordivsi", [sw.v("arith.subi", [nb.args[0], lb], I64), step], I64)
            slots = {dt: [sw.v("arith.addi", [starts[dt], sw.v("arith.muli", [k, sw.i64(c)], I64)], I64), 0]
                     for dt, c in counts.items()}
        with sw.mode(record=False, in_loop=sw.in_loop or needs, slots=slots):
            sw.forward(body.ops)
        if taped_loads and not sw.replay:
            _reserve_after_first(sw, op, k, sw.env[(op, "n")])
        outs = [sw.p(v) for v in body.terminator.operands] + [sw.cursor[d] for d in dts]
        sw.b.op("scf.yield", outs)
    new = sw.b.op("scf.for", [lb, ub, step] + inits, [x.type for x in outs],
                  regions=[Region([nb])], names=[r.name for r in op.results] + [None] * len(dts))
    for r, x in zip(op.results, new.results):
        sw.env[r] = x
    sw.cursor = dict(zip(dts, new.results[len(op.results):]))
    if needs:
        # a rebound array's result has a shadow of its own (the reverse loop carries it)
        for j in snap.snapshots(op):
            if sw.act.is_active(op.results[j]):
                sw.env[("s", op.results[j])] = sw.zeros_like(sw.env[op.results[j]])


_RESERVE_MAX = 1 << 24  # tape slots reserved ahead at most (128 MB of f64)


def _reserve_after_first(sw: Sweep, op: Operation, k: Value, n: Value) -> None:
    """After iteration 0 of a loop whose load-tape use per iteration is only known as it
    runs (nested loops), make room on each load tape for n iterations like it: growing
    by doubling would copy the tape log2(size) times (docs/higher-order.md). There is no
    reserve op: a resize up then back down leaves the capacity. A later iteration that
    needs more grows the tape as before."""
    first = sw.v("arith.cmpi", [k, sw.i64(0)], BOOL, predicate="eq")
    then, other = Block(), Block()
    with sw.into(then):
        left = sw.v("arith.subi", [n, sw.i64(1)], I64)
        for dt, tape in sw.lists.items():
            start = sw.env[(op, "s", dt)]
            now = sw.v("list.len", [tape], I64)
            per = sw.v("arith.subi", [now, start], I64)
            # at most _RESERVE_MAX slots ahead (no overflow, no huge zero-fill for a loop
            # that may not run long): min(n - 1, _RESERVE_MAX // max(per, 1)) iterations
            some = sw.v("arith.cmpi", [per, sw.i64(0)], BOOL, predicate="sgt")
            cap = sw.v("arith.floordivsi", [sw.i64(_RESERVE_MAX),
                                            sw.v("arith.select", [some, per, sw.i64(1)], I64)], I64)
            fits = sw.v("arith.cmpi", [left, cap], BOOL, predicate="slt")
            iters = sw.v("arith.select", [fits, left, cap], I64)
            want = sw.v("arith.addi", [now, sw.v("arith.muli", [per, iters], I64)], I64)
            sw.b.op("list.resize", [tape, want])
            sw.b.op("list.resize", [tape, now])
        sw.b.op("scf.yield")
    with sw.into(other):
        sw.b.op("scf.yield")
    sw.b.op("scf.if", [first], [], regions=[Region([then]), Region([other])])


def _record_start(sw: Sweep, op: Operation) -> None:
    """Loads at a fixed count per iteration: only the tape position at loop entry is kept
    (iteration k's loads start at start + k * count)."""
    for dt in sw.lists:
        if sw.replay and dt not in sw.cursor:
            continue    # the enclosing loop tapes nothing of this dtype: neither does `op`
        cur = sw.cursor[dt] if sw.replay else sw.v("list.len", [sw.lists[dt]], I64)
        sw.env[(op, "c0", dt)] = cur


def _refills(sw: Sweep, op: Operation) -> bool:
    """Does the loop store into an array a replay must fill again (Sweep._refilled)?"""
    return any(o.name == "array.store" and sw._refilled(o) for o in op.walk())


def _skip_replay(sw: Sweep, op: Operation, lb: Value, ub: Value, step: Value, needs: bool,
                 any_loads: bool) -> None:
    """Replaying a loop without results has no effect but moving the load tape's cursor
    (stores are not replayed): compute where it ends instead of running the loop."""
    if not needs and not any_loads:
        return
    n = _trip_count(sw, lb, ub, step)
    if needs:
        sw.env[(op, "n")] = n
        _record_start(sw, op)
    for dt, count in sw.act.load_counts(op).items():
        moved = sw.v("arith.muli", [n, sw.i64(count)], I64)
        sw.cursor[dt] = sw.v("arith.addi", [sw.cursor[dt], moved], I64)


def _cursor_at(sw: Sweep, op: Operation, k: Value, dt: Type) -> Value:
    if (op, "c0", dt) in sw.env:
        count = sw.act.load_counts(op).get(dt, 0)
        return sw.v("arith.addi", [sw.env[(op, "c0", dt)],
                                   sw.v("arith.muli", [k, sw.i64(count)], I64)], I64)
    return sw.v("array.load", [sw.env[(op, "c", dt)], k], I64)


def _reverse_for(sw: Sweep, op: Operation) -> None:
    n = sw.env[(op, "n")]
    lb, step = sw.p(op.operands[0]), sw.p(op.operands[2])
    body = op.regions[0].block
    carried = body.args[1:]
    res_spec = sw.leaves(list(op.results))
    arg_of = dict(zip(op.results, carried))
    init_of = dict(zip(op.results, op.operands[3:]))
    free_spec = sw.leaves(sw.act.free_scalars(body.ops, body.args))
    inits = sw.leaf_values(res_spec, sw.adj) + [rv.zero(sw.b, t) for _, _, t in free_spec]
    nscal = len(inits)
    # rebound arrays: a work array the snapshot is restored into, and (when active) the
    # shadow carried backwards (the adjoint of the array the next iteration received)
    work = snap.work_arrays(sw, op)
    shadowed = [j for j in work if sw.shadow(op.results[j]) is not None]
    inits += [sw.shadow(op.results[j]) for j in shadowed]
    entry_work = esnap.works(sw, op) if (op, "n") in sw.env and not sw.replay else {}
    # A unit-step loop runs backwards as `for iv = lb + n - 1 down to lb`: the induction
    # variable is the original one, so LLVM sees the index bounds (lb <= iv) and the
    # accesses stay affine (vectorizable, no negative-index wrap left).
    down = const_int(op.operands[2]) == 1
    nb = Block([I64] + [x.type for x in inits])
    outer = sw.b.block
    with sw.into(nb):
        c1 = sw.i64(1)
        if down:
            iv = nb.args[0]
            k = sw.v("arith.subi", [iv, lb], I64)
        else:
            k = sw.v("arith.subi", [sw.v("arith.subi", [n, c1], I64), nb.args[0]], I64)
            iv = sw.v("arith.addi", [lb, sw.v("arith.muli", [k, step], I64)], I64)
        carried_shadow = dict(zip(shadowed, nb.args[1 + nscal:]))

        def read(i: int, p: rv.Path, t: Type) -> Value:
            return sw.v("array.load", [sw.env[(op, "t", i, p)], k], t)
        cursor = {dt: _cursor_at(sw, op, k, dt) for dt in sw.lists
                  if (op, "c", dt) in sw.env or (op, "c0", dt) in sw.env}
        sw.env[body.args[0]] = iv
        for i, a in enumerate(carried):
            sw.env[a] = _rebuild(sw, op, i, a, read)
        for j, w in work.items():
            snap.restore_snapshot(sw, op, j, k, w)
            sw.env[carried[j]] = w
            if j in carried_shadow or sw.act.is_active(carried[j]):
                sw.env[("s", carried[j])] = snap.next_shadow(sw, op, j, carried_shadow, w)
        saved = esnap.bind(sw, op, k, entry_work)
        with sw.mode(replay=True, record=True, in_loop=True, cursor=cursor, hoist=(nb, outer)):
            sw.forward(body.ops)
        snap.pass_shadows(sw, op, carried_shadow)
        leaves = nb.args[1:1 + nscal]
        carried_adj = _group(res_spec, leaves[:len(res_spec)])
        seeds = [(body.terminator.operands[i], carried_adj.get(r))
                 for i, r in enumerate(op.results)]
        initial = _group(free_spec, leaves[len(res_spec):])
        arg_spec = [(arg_of[r], p, t) for r, p, t in res_spec]
        vals = sw.reverse_region(body.ops, seeds, arg_spec + free_spec, initial)
        esnap.unbind(sw, saved)
        sw.b.op("scf.yield", vals + [sw.shadow(carried[j]) for j in shadowed])
    c0, c1 = sw.i64(0), sw.i64(1)
    if down:
        last = sw.v("arith.subi", [sw.v("arith.addi", [lb, n], I64), c1], I64)
        bounds = [last, sw.v("arith.subi", [lb, c1], I64), sw.i64(-1)]
    else:
        bounds = [c0, n, c1]
    new = sw.b.op("scf.for", bounds + inits, [x.type for x in inits], regions=[Region([nb])])
    if down:
        distribute(sw.func, new, const_int(lb))
    init_spec = [(init_of[r], p, t) for r, p, t in res_spec]
    sw.acc_leaves(init_spec + free_spec, list(new.results[:nscal]))
    snap.add_to_inits(sw, op, shadowed, list(new.results[nscal:]))


def _group(spec: list, vals: list[Value]) -> dict[Value, rv.Adj]:
    """Leaf values per spec entry -> an Adj structure per value."""
    per: dict[Value, dict] = {}
    for (v, p, _), x in zip(spec, vals):
        per.setdefault(v, {})[p] = x
    return {v: rv.from_leaves(v.type, leaves) for v, leaves in per.items()}


# ---- scf.while ----------------------------------------------------------------------------
def _forward_while(sw: Sweep, op: Operation, needs: bool) -> None:
    before, after = op.regions[0].block, op.regions[1].block
    cond, yld = before.terminator, after.terminator
    dts = sorted(sw.cursor, key=str) if sw.replay else []
    specs = _leaf_specs(op)
    taped_loads = needs and sw.act.has_taped_loads(op)
    if needs:
        cap = sw.i64(16)
        for i, p, t in specs:
            sw.env[(op, "t", i, p)] = sw.tape(sw.v("list.new", [cap], ListType(t)))
        if taped_loads:
            for dt in sw.lists:
                sw.env[(op, "c", dt)] = sw.tape(sw.v("list.new", [cap], ListType(I64)))
        snap.alloc_snapshots(sw, op, None)
    extra = [I64] + [I64] * len(dts)
    nb = Block([a.type for a in before.args] + extra, [a.name for a in before.args] + [None] * len(extra))
    na = Block([a.type for a in after.args] + extra, [a.name for a in after.args] + [None] * len(extra))
    inits = [sw.p(v) for v in op.operands] + [sw.i64(0)] + [sw.cursor[d] for d in dts]
    nfwd = len(after.args)
    with sw.into(nb):
        for a, x in zip(before.args, nb.args):
            sw.env[a] = x
        count = nb.args[len(before.args)]
        sw.cursor = dict(zip(dts, nb.args[len(before.args) + 1:]))
        if needs:
            for i, p, t in specs:
                sw.b.op("list.append", [sw.env[(op, "t", i, p)], rv.extract(sw.b, nb.args[i], p)])
            if taped_loads:
                for dt in sw.lists:
                    cur = sw.cursor[dt] if sw.replay else sw.v("list.len", [sw.lists[dt]], I64)
                    sw.b.op("list.append", [sw.env[(op, "c", dt)], cur])
            snap.take_snapshots(sw, op, list(nb.args[:len(before.args)]), count)
        with sw.mode(record=False, in_loop=sw.in_loop or needs):
            sw.forward(before.ops)
        sw.b.op("scf.condition", [sw.p(cond.operands[0])] + [sw.p(v) for v in cond.operands[1:]]
                + [count] + [sw.cursor[d] for d in dts])
    with sw.into(na):
        for a, x in zip(after.args, na.args):
            sw.env[a] = x
        count = na.args[nfwd]
        sw.cursor = dict(zip(dts, na.args[nfwd + 1:]))
        with sw.mode(record=False, in_loop=sw.in_loop or needs):
            sw.forward(after.ops)
        nxt = sw.v("arith.addi", [count, sw.i64(1)], I64)
        sw.b.op("scf.yield", [sw.p(v) for v in yld.operands] + [nxt] + [sw.cursor[d] for d in dts])
    new = sw.b.op("scf.while", inits, [a.type for a in after.args] + extra,
                  regions=[Region([nb]), Region([na])],
                  names=[r.name for r in op.results] + [None] * len(extra))
    for r, x in zip(op.results, new.results):
        sw.env[r] = x
    sw.env[(op, "n")] = new.results[nfwd]
    sw.cursor = dict(zip(dts, new.results[nfwd + 1:]))
    if needs:
        for j in snap.snapshots(op):
            if sw.act.is_active(op.results[j]):
                sw.env[("s", op.results[j])] = sw.zeros_like(sw.env[op.results[j]])


def _reverse_while(sw: Sweep, op: Operation) -> None:
    n = sw.env[(op, "n")]
    before, after = op.regions[0].block, op.regions[1].block
    cond, yld = before.terminator, after.terminator
    a_spec = sw.leaves(list(before.args))
    r_spec = sw.leaves(list(op.results))
    after_of = dict(zip(op.results, after.args))
    free_spec = sw.leaves(sw.act.free_scalars(before.ops + after.ops, before.args + after.args))
    res_vals = sw.leaf_values(r_spec, sw.adj)
    inits = [rv.zero(sw.b, t) for _, _, t in a_spec + free_spec]
    nscal = len(inits)
    work = snap.work_arrays(sw, op)
    shadowed = [j for j in work if sw.shadow(op.results[j]) is not None]
    inits += [sw.shadow(op.results[j]) for j in shadowed]
    nb = Block([I64] + [x.type for x in inits])
    with sw.into(nb):
        k = sw.v("arith.subi", [n, nb.args[0]], I64)
        carried_shadow = dict(zip(shadowed, nb.args[1 + nscal:]))
        ran = sw.v("arith.cmpi", [k, n], BOOL, predicate="slt")

        def read(i: int, p: rv.Path, t: Type) -> Value:
            return sw.v("list.get", [sw.env[(op, "t", i, p)], k], t)
        cursor = {dt: sw.v("list.get", [sw.env[(op, "c", dt)], k], I64)
                  for dt in sw.lists if (op, "c", dt) in sw.env}
        for i, a in enumerate(before.args):
            sw.env[a] = _rebuild(sw, op, i, a, read)
        _bind_while_snapshots(sw, op, k, ran, work, carried_shadow)
        with sw.mode(replay=True, record=True, in_loop=True, cursor=cursor):
            sw.forward(before.ops)
            cursor = sw.cursor
        a_leaves = nb.args[1:1 + len(a_spec)]
        free_leaves = list(nb.args[1 + len(a_spec):nscal + 1])
        # After-region k ran only when this before-execution was not the last one.
        after_spec = [(after_of[r], p, t) for r, p, t in r_spec]
        tb, eb = Block(), Block()
        with sw.into(tb):
            for a, v in zip(after.args, cond.operands[1:]):
                sw.env[a] = sw.p(v)
                if sw.shadow(v) is not None:
                    sw.env[("s", a)] = sw.shadow(v)
            with sw.mode(replay=True, record=True, in_loop=True, cursor=cursor):
                sw.forward(after.ops)
            snap.pass_shadows(sw, op, carried_shadow)
            carried = _group(a_spec, list(a_leaves))
            seeds = [(yld.operands[i], carried.get(a)) for i, a in enumerate(before.args)]
            vals = sw.reverse_region(after.ops, seeds, after_spec + free_spec,
                                     _group(free_spec, free_leaves))
            sw.b.op("scf.yield", vals)
        with sw.into(eb):
            sw.b.op("scf.yield", res_vals + free_leaves)
        branch = sw.b.op("scf.if", [ran], [x.type for x in res_vals + free_leaves],
                         regions=[Region([tb]), Region([eb])])
        outs = list(branch.results)
        fwd_adj = _group(after_spec, outs[:len(after_spec)])
        seeds = [(cond.operands[1 + i], fwd_adj.get(a)) for i, a in enumerate(after.args)]
        vals = sw.reverse_region(before.ops, seeds, a_spec + free_spec,
                                 _group(free_spec, outs[len(after_spec):]))
        sw.b.op("scf.yield", vals + [sw.shadow(before.args[j]) for j in shadowed])
    c0, c1 = sw.i64(0), sw.i64(1)
    total = sw.v("arith.addi", [n, c1], I64)
    new = sw.b.op("scf.for", [c0, total, c1] + inits, [x.type for x in inits], regions=[Region([nb])])
    init_spec = [(op.operands[i], p, t) for i, (a, p, t) in
                 ((before.args.index(a), (a, p, t)) for a, p, t in a_spec)]
    sw.acc_leaves(init_spec + free_spec, list(new.results[:nscal]))
    snap.add_to_inits(sw, op, shadowed, list(new.results[nscal:]))


def _bind_while_snapshots(sw: Sweep, op: Operation, k: Value, ran: Value, work: dict,
                          carried_shadow: dict) -> None:
    """Before-execution k replays on the rebound arrays' contents at its entry; an array's
    shadow is the loop result's for the last (false) execution, else what the after
    region passed it on to (reverse_tapes.next_shadow)."""
    before = op.regions[0].block
    for j, w in work.items():
        snap.restore_snapshot(sw, op, j, k, w)
        a = before.args[j]
        sw.env[a] = w
        if j not in carried_shadow:
            if sw.act.is_active(a):
                sw.env[("s", a)] = sw.zeros_like(w)
            continue
        tb, eb = Block(), Block()
        with sw.into(tb):
            sw.b.op("scf.yield", [snap.next_shadow(sw, op, j, carried_shadow, w)])
        with sw.into(eb):
            sw.b.op("scf.yield", [carried_shadow[j]])
        pick = sw.b.op("scf.if", [ran], [w.type], regions=[Region([tb]), Region([eb])])
        sw.env[("s", a)] = pick.results[0]


__all__ = ["forward_loop", "reverse_loop"]
