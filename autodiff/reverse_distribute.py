"""Loop distribution of scatter-adds in reverse loops: what makes a stencil's adjoint
vectorize.

The reverse of `v[i] = u[i] + a * (u[i - 1] - 2 u[i] + u[i + 1])` accumulates into the
shadow of `u` at three offsets in one iteration (`su[i + 1] += b; su[i - 1] += b;
su[i] += c`) and sums `a`'s adjoint in a carried float: the scatters conflict across
neighbouring iterations and the strict-IEEE reduction is serial, so LLVM vectorizes
nothing. `distribute` moves each group of scatter-adds (one shadow array, one index)
into a loop of its own, placed before the original loop, which keeps everything else
(the carried reductions, the clearing stores, tape reads). Each new loop recomputes the
slice of the body its added value needs, and is a plain `s[i + c] += f(i)` loop that
LLVM vectorizes. A carried adjoint sum whose terms can move the same way is summed in
four lanes by a loop of its own (reverse_reductions.py).

Only adjoint accumulation is reordered (the contributions to one shadow element are
summed in another order: the gradient is the same up to rounding). The rewrite is
refused unless it is exact otherwise:
- the body holds only pure ops, array loads / stores, list reads and `scf.if`s of pure
  ops (the reverse of a branch); a carried value the slice uses must be passed along
  unchanged (an adjoint seed: the loop's initial value);
- a scatter target is an `array.alloc` (a shadow) that the body touches only through
  scatter-adds, and no other array in the body can share its memory (every array is
  traced to an allocation or a function argument);
- the moved slice has no list read and no library call but `sqrt`; a load in it from an
  array the body also writes (a shadow cleared by a store adjoint) reads the element the
  stores of the same iteration write, at `iv + c` with a known non-negative value (so no
  two iterations touch the same element), before those stores.
"""
from __future__ import annotations

from ember.autodiff import reverse_reductions as reductions
from ember.ir.clone import clone_op
from ember.ir.core import Block, BlockArgument, FuncOp, Operation, OpResult, Region, Value
from ember.ir.opdefs import is_pure
from ember.ir.passes.array_facts import const_int
from ember.ir.types import I64

_VIEWS = ("array.subview", "array.reshape", "array.transpose", "tuple.get", "record.get")
_READS = ("array.load", "list.get", "list.len", "array.dim")
_MAX_SLICE = 32  # ops recomputed per moved group (beyond that, recomputing costs more)


def distribute(func: FuncOp, loop: Operation, lb: int | None) -> int:
    """Split the scatter-adds of unit-step downward `loop` (iv >= lb when `lb` is known)
    into loops of their own inserted before it; returns how many loops were made."""
    body = loop.regions[0].block
    ops = body.ops[:-1]
    if not all(_allowed(op) for op in ops):
        return 0
    where = {op: k for k, op in enumerate(ops)}
    uses: dict[Value, int] = {}
    for top in body.ops:
        for op in top.walk():  # uses inside branches count too
            for v in op.operands:
                uses[v] = uses.get(v, 0) + 1
    scatters = [s for s in (_scatter(op, where, uses) for op in ops if op.name == "array.store") if s]
    targets = {s[3] for s in scatters}
    if not targets:
        return 0
    entry = set(func.body.block.args)
    in_scatter = {op for s in scatters for op in s[:3]}
    written: dict[Value, list[Operation]] = {}
    for op in ops:
        if op in in_scatter or op.name not in ("array.load", "array.store", "array.dim"):
            continue
        arr = op.operands[1] if op.name == "array.store" else op.operands[0]
        root = _root(arr, entry)
        if root is None or root in targets:
            return 0
        if op.name == "array.store":
            written.setdefault(root, []).append(op)
    iv = body.args[0]
    invariant = _passthrough(loop)
    groups: dict[tuple, list] = {}
    for s in scatters:
        sl = _slice([s[4]] + s[2].operands[2:], where, iv, entry, written, lb, invariant)
        if sl is not None:
            groups.setdefault((s[3],) + tuple(s[2].operands[2:]), []).append((s, sl))
    if not groups or not _worth(len(body.args) - 1 - len(invariant), ops, in_scatter, groups):
        return 0
    sums = reductions.find(body, where, uses, invariant,
                           lambda xs: _slice(xs, where, iv, entry, written, lb, invariant))
    for red in sums:
        reductions.split(loop, red, ops, invariant,
                         lambda env, into, need: clone_slice(ops, need, env, into, iv, lb))
    block = loop.parent
    at = block.ops.index(loop)
    moved: set[Operation] = set()
    for members in groups.values():
        block.ops.insert(at, _emit(loop, members, ops, lb))
        block.ops[at].parent = block
        at += 1
        for s, _ in members:
            moved.update(s[:3])
    body.ops = [op for op in body.ops if op not in moved]
    return len(groups)


def _allowed(op: Operation) -> bool:
    if op.name == "scf.if":
        return _pure_branch(op)
    return not op.regions and (is_pure(op) or op.name in _READS or op.name == "array.store")


def _pure_branch(op: Operation) -> bool:
    """An `scf.if` computing values only (the branches of a reversed `if`, LLVM turns
    them into selects): pure ops and nested such branches."""
    return all(o.name == "scf.yield" or (o.name == "scf.if" and _pure_branch(o))
               or (not o.regions and is_pure(o))
               for r in op.regions for b in r.blocks for o in b.ops)


def _inputs(op: Operation) -> list[Value]:
    """Operands of `op` and the outer values its regions use."""
    if not op.regions:
        return list(op.operands)
    out = list(op.operands)
    for inner in op.walk():
        if inner is not op:
            out += inner.operands
    return out


def _passthrough(loop: Operation) -> dict[Value, Value]:
    """Carried values every iteration yields unchanged (an adjoint seed passed along):
    block argument -> the loop's initial value."""
    body = loop.regions[0].block
    yields = body.terminator.operands
    return {a: loop.operands[3 + j] for j, a in enumerate(body.args[1:])
            if _through_branches(yields[j]) is a}


def _through_branches(v: Value) -> Value:
    """`v`, or the value every branch of the `scf.if` defining it yields at its place."""
    while isinstance(v, OpResult) and v.op.name == "scf.if":
        got = {_through_branches(r.blocks[0].terminator.operands[v.index]) for r in v.op.regions}
        if len(got) != 1:
            return v
        v = got.pop()
    return v


def _def(v: Value, where: dict) -> Operation | None:
    """The body op defining `v`, None for a value from outside (or a block argument)."""
    return v.op if isinstance(v, OpResult) and v.op in where else None


def _scatter(store: Operation, where: dict, uses: dict) -> tuple | None:
    """(load, add, store, target, added value) for `t[idx] = t[idx] + x`, target a fresh
    allocation whose load feeds only this add and whose add feeds only this store."""
    val, arr, idx = store.operands[0], store.operands[1], store.operands[2:]
    add = _def(val, where)
    if add is None or add.name != "arith.addf" or uses.get(val) != 1:
        return None
    if not (isinstance(arr, OpResult) and arr.op.name == "array.alloc"):
        return None
    for j in (0, 1):
        ld = _def(add.operands[j], where)
        if (ld is not None and ld.name == "array.load" and ld.operands[0] is arr
                and ld.operands[1:] == idx and uses.get(ld.result) == 1):
            return ld, add, store, arr, add.operands[1 - j]
    return None


def _root(arr: Value, entry: set) -> Value | None:
    """The allocation or function argument whose memory `arr` is, None when unknown."""
    while isinstance(arr, OpResult) and arr.op.name in _VIEWS:
        arr = arr.op.operands[0]
    if isinstance(arr, OpResult) and arr.op.name == "array.alloc":
        return arr
    if isinstance(arr, BlockArgument) and arr in entry:
        return arr
    return None


def _offset(v: Value, iv: Value) -> int | None:
    """c when `v` is `iv + c` (constant c), else None."""
    c = 0
    while v is not iv:
        if not isinstance(v, OpResult) or v.op.name not in ("arith.addi", "arith.subi"):
            return None
        a, b = v.op.operands
        kb = const_int(b)
        if kb is not None and not isinstance(kb, bool):
            c += kb if v.op.name == "arith.addi" else -kb
            v = a
            continue
        ka = const_int(a)
        if ka is not None and not isinstance(ka, bool) and v.op.name == "arith.addi":
            c += ka
            v = b
            continue
        return None
    return c


def _index(v: Value, iv: Value, lb: int | None) -> int | None:
    """c when index `v` is `iv + c`, directly or through the negative-index wrap
    `select(e < 0, e + n, e)` of an `e = iv + c` known to be >= 0 (iv >= lb)."""
    c = _offset(v, iv)
    if c is not None:
        return c
    if lb is None or not isinstance(v, OpResult) or v.op.name != "arith.select":
        return None
    cond, _, e = v.op.operands
    if not (isinstance(cond, OpResult) and cond.op.name == "arith.cmpi"
            and cond.op.attributes.get("predicate") == "slt"
            and cond.op.operands[0] is e and const_int(cond.op.operands[1]) == 0):
        return None
    c = _offset(e, iv)
    return c if c is not None and lb + c >= 0 else None


def _slice(xs: list[Value], where: dict, iv: Value, entry: set, written: dict, lb: int | None,
           invariant: dict) -> set[Operation] | None:
    """The body ops computing `xs`, or None when they cannot run in a loop of their own."""
    out: set[Operation] = set()
    todo = list(xs)
    while todo:
        v = todo.pop()
        if isinstance(v, BlockArgument) and v.block is iv.block and v is not iv \
                and v not in invariant:
            return None  # a carried value that changes
        op = _def(v, where)
        if op is None or op in out:
            continue
        if op.name in ("list.get", "list.len") or (op.name.startswith("math.") and op.name != "math.sqrt"):
            return None
        if op.name == "array.load":
            stores = written.get(_root(op.operands[0], entry), [])
            if stores and not _same_element(op, stores, where, iv, lb):
                return None
        out.add(op)
        if len(out) > _MAX_SLICE:
            return None
        todo.extend(_inputs(op))
    return out


def _same_element(load: Operation, stores: list[Operation], where: dict, iv: Value,
                  lb: int | None) -> bool:
    """Does `load` read, before them, the element that `stores` write in the same
    iteration, one that no other iteration writes?"""
    idx = load.operands[1:]
    if not any(_index(i, iv, lb) is not None for i in idx):
        return False
    return all(st.operands[1] is load.operands[0] and st.operands[2:] == idx
               and where[st] > where[load] for st in stores)


def _worth(changing: int, ops: list, in_scatter: set, groups: dict) -> bool:
    """Distribute only what keeps LLVM from vectorizing: a carried value that changes (a
    strict-IEEE reduction), a list read or a math call left in the loop, or one shadow
    hit at two indices (SLP then stores overlapping pairs that the next iteration loads)."""
    if changing > 0 or any(op.name in ("list.get", "list.len") or op.name.startswith("math.")
                                 for op in ops if op not in in_scatter):
        return True
    per_target: dict[Value, int] = {}
    for key in groups:
        per_target[key[0]] = per_target.get(key[0], 0) + 1
    return any(n > 1 for n in per_target.values())


def _emit(loop: Operation, members: list, ops: list[Operation], lb: int | None) -> Operation:
    """`for iv (same bounds): t[idx] += x` with x's slice cloned in body order."""
    needed: set[Operation] = set()
    for s, sl in members:
        needed |= sl
        needed.update(s[:3])
    iv = loop.regions[0].block.args[0]
    nb = Block([I64], [iv.name])
    env: dict[Value, Value] = {iv: nb.args[0], **_passthrough(loop)}
    clone_slice(ops, needed, env, nb, iv, lb)
    nb.append(Operation("scf.yield", [], [], loc=loop.loc))
    return Operation("scf.for", list(loop.operands[:3]), [], regions=[Region([nb])], loc=loop.loc)


def clone_slice(ops: list[Operation], needed: set[Operation], env: dict[Value, Value],
                into: Block, iv: Value, lb: int | None) -> None:
    """Append clones of the `needed` body ops to `into`, in body order; a negative-index
    wrap of an index known to be >= 0 is dropped (the moved loops may run upwards, where
    LLVM cannot see that)."""
    for op in ops:
        if op not in needed:
            continue
        if op.name == "arith.select" and _index(op.result, iv, lb) is not None \
                and _offset(op.result, iv) is None:
            env[op.result] = env.get(op.operands[2], op.operands[2])
            continue
        into.append(clone_op(op, env))


__all__ = ["distribute"]
