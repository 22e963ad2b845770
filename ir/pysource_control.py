"""Python forms of the control-flow, call and error ops: scf.if / for / while / try, func.call /
return, cf.assert / raise / reraise, math.check.

Structured regions become Python blocks. A region's block arguments are plain variables:
a `for` body's carried values are assigned before the loop and reassigned from its
`scf.yield` at the end of the body, and the loop's results are those same variables after
it; `scf.while` forwards its condition's values into the after region's variables the same
way. An `scf.if` whose branches compute only inlined values reads `a if c else b`.
"""
from __future__ import annotations

import ast

from ember.ir.messages import PERCENT_VALUE, VALUE_ARGUMENT, regroup, split_shape
from ember.ir.core import Block, Operation, Value
from ember.ir.opdefs import is_pure
from ember.ir.pysource_base import Emitter, emits, identifier
from ember.ir.pysource_ops import attr, call, name, not_, pick
from ember.ir.types import ScalarType

# Marks of cf.raise templates (frontend/raises.py, typeinfer/tuple_raise.py): the value
# itself is the exception's argument; the tuple shape regrouping the operands; the field of
# `fmt % x` (dropped).


# ---- functions ---------------------------------------------------------------------------
@emits("func.return")
def _return(e: Emitter, op: Operation) -> None:
    value = e.use(op.operands[0]) if op.operands else None
    e.emit(ast.Return(value=value), op)


@emits("func.call")
def _call(e: Emitter, op: Operation) -> ast.expr | None:
    callee = op.attributes["callee"]
    c = call(e.callee_name(callee.name), *e.uses(op.operands))  # type: ignore[union-attr]
    if op.results:
        return c
    e.emit(ast.Expr(value=c), op)
    return None


# ---- errors ------------------------------------------------------------------------------
def _raise(exc: str, message: ast.expr | None) -> ast.Raise:
    made = call(exc, message) if message is not None else call(exc)
    return ast.Raise(exc=made, cause=None)


def _format(template: str, args: list[ast.expr]) -> ast.expr | None:
    if not args:
        return ast.Constant(value=template) if template else None
    return call(attr(ast.Constant(value=template), "format"), *args)


@emits("cf.assert")
def _assert(e: Emitter, op: Operation) -> None:
    cond, *values = op.operands
    msg = str(op.attributes["msg"])
    args = e.uses(values)
    if values:  # each `{}` takes the next i64; any other brace is literal text
        slots = msg.count("{}")
        msg = "{}".join(p.replace("{", "{{").replace("}", "}}") for p in msg.split("{}"))
        # more fields than numbers: the runtime prints '?' for the missing ones
        args += [ast.Constant(value="?")] * (slots - len(args))
    body = [_raise(str(op.attributes["exc"]), _format(msg, args))]
    e.emit(ast.If(test=not_(e.use(cond)), body=body, orelse=[]), op)


def _python_value(e: Emitter, v: Value, plain: bool) -> ast.expr:
    """A message operand, as the Python object CPython would format (float, int, bool)."""
    x = e.use(v)
    t = v.type
    if plain or isinstance(x, ast.Constant) or not isinstance(t, ScalarType):
        return x
    return call({"f": "float", "b": "bool", "c": "complex"}.get(t.kind, "int"), x)


@emits("cf.raise")
def _cf_raise(e: Emitter, op: Operation) -> None:
    template = str(op.attributes["msg"])
    exc = str(op.attributes["exc"])
    # NumPy scalars print as CPython's numbers except under !r / !a
    plain = "!r" not in template and "!a" not in template
    values = [_python_value(e, v, plain and not template.startswith(VALUE_ARGUMENT))
              for v in op.operands]
    shape, template = split_shape(template)
    if shape is not None:
        values = regroup(shape, values, lambda items: ast.Tuple(elts=items, ctx=ast.Load()))
    if template.startswith(VALUE_ARGUMENT):
        e.emit(ast.Raise(exc=call(exc, values[0]), cause=None), op)
        return
    template = template.replace(PERCENT_VALUE, "")
    if values:
        message: ast.expr | None = _format(template, values)
    else:
        text = template.replace("{{", "{").replace("}}", "}")
        message = ast.Constant(value=text) if text else None
    e.emit(_raise(exc, message), op)


@emits("cf.poison")
def _poison(e: Emitter, op: Operation) -> ast.expr:
    return ast.Constant(value=None)  # on a path that never continues: any value will do


@emits("cf.reraise")
def _reraise(e: Emitter, op: Operation) -> None:
    e.emit(ast.Raise(exc=None, cause=None), op)


@emits("math.check")
def _math_check(e: Emitter, op: Operation) -> None:
    overflow = ast.Constant(value=bool(op.attributes.get("overflow")))
    e.emit(ast.Expr(value=call("math_check", *e.uses(op.operands), overflow=overflow)), op)


# ---- scf.if ------------------------------------------------------------------------------
@emits("scf.if")
def _if(e: Emitter, op: Operation) -> ast.expr | None:
    cond = e.use(op.operands[0])
    then_r, else_r = op.regions
    if e.is_expression_if(op):
        picked: list[ast.expr] = []
        e.block(then_r.block, lambda y: picked.append(e.use(y.operands[0])))
        e.block(else_r.block, lambda y: picked.append(e.use(y.operands[0])))
        t = op.results[0].type
        return pick(cond, picked[0], picked[1], isinstance(t, ScalarType) and t.kind == "b")
    targets = [e.define(r) for r in op.results]
    for r in op.regions:
        e.prefer_yielded(r.block.ops[-1], targets, [None] * len(targets))
    then = e.block(then_r.block, lambda y: e.assign(targets, y.operands, y), pad=False)
    other = e.block(else_r.block, lambda y: e.assign(targets, y.operands, y), pad=False)
    if not then and not other:
        return None
    if not then:
        cond, then, other = not_(cond), other, []
    e.emit(ast.If(test=cond, body=then, orelse=other), op)
    return None


# ---- loops -------------------------------------------------------------------------------
def _range(e: Emitter, lb: Value, ub: Value, step: Value) -> ast.expr:
    lo, hi, st = e.use(lb), e.use(ub), e.use(step)
    if isinstance(st, ast.Constant) and st.value == 1:
        if isinstance(lo, ast.Constant) and lo.value == 0:
            return call("range", hi)
        return call("range", lo, hi)
    return call("range", lo, hi, st)


@emits("scf.for")
def _for(e: Emitter, op: Operation) -> None:
    lb, ub, step, *inits = op.operands
    body = op.regions[0].block
    iv, *carried = body.args
    names = e.carried_names(carried, inits, op)
    e.prefer_yielded(body.ops[-1], names, list(carried))
    for r, n in zip(op.results, names):
        e.alias(r, n)
    e.assign(names, inits, op, own_lines=True)
    loop_range = _range(e, lb, ub, step)
    iv_name = e.define(iv) if e.users.get(iv) or identifier(iv.name) else "_"
    stmts = e.block(body, lambda y: e.assign(names, y.operands, y))
    e.emit(ast.For(target=ast.Name(id=iv_name, ctx=ast.Store()), iter=loop_range,
                   body=stmts, orelse=[], type_comment=None), op)


@emits("scf.while")
def _while(e: Emitter, op: Operation) -> None:
    before, after = op.regions[0].block, op.regions[1].block
    carried = e.carried_names(before.args, op.operands, op)
    condition = before.ops[-1]
    forwarded = condition.operands[1:]
    identity = len(forwarded) == len(before.args) and all(
        f is a for f, a in zip(forwarded, before.args))
    if identity:
        fwd_names = carried
        for a, n in zip(after.args, carried):
            e.alias(a, n)
    else:
        fwd_names = [e.define(a) for a in after.args]
    for r, n in zip(op.results, fwd_names):
        e.alias(r, n)
    e.prefer_yielded(condition, [""] + fwd_names, [None] * (1 + len(fwd_names)))
    e.prefer_yielded(after.ops[-1], carried, list(after.args) if identity else [None] * len(carried))
    e.assign(carried, op.operands, op, own_lines=True)
    tests: list[ast.expr] = []

    def on_condition(c: Operation) -> None:
        if not identity:
            e.assign(fwd_names, c.operands[1:], c)
        tests.append(e.use(c.operands[0]))

    head = e.block(before, on_condition, pad=False)
    rest = e.block(after, lambda y: e.assign(carried, y.operands, y))
    if not head:  # the condition is one expression: `while cond:`
        e.emit(ast.While(test=tests[0], body=rest, orelse=[]), op)
        return
    leave = ast.If(test=not_(tests[0]), body=[ast.Break()], orelse=[])
    e.emit(ast.While(test=ast.Constant(value=True), body=head + [leave] + rest, orelse=[]), op)


# ---- try / except ----------------------------------------------------------------------------
@emits("scf.try")
def _try(e: Emitter, op: Operation) -> None:
    body, *handlers = op.regions
    targets = [e.define(r) for r in op.results]
    if op.attributes.get("cleanup"):
        # ir/passes/error_cleanup.py's wrapper: its handler only releases references and
        # re-raises, which Python does by itself: the body alone, in place
        e.prefer_yielded(body.block.ops[-1], targets, [None] * len(targets))
        for stmt in e.block(body.block, lambda y: e.assign(targets, y.operands, y), pad=False):
            e.out.append(stmt)
        return
    state = [e.define(a) for a in handlers[0].block.args] if handlers else []
    for h in handlers[1:]:
        for a, n in zip(h.block.args, state):
            e.alias(a, n)
    e.try_state[op] = state
    for r in op.regions:
        e.prefer_yielded(r.block.ops[-1], targets, [None] * len(targets))
    try_body = e.block(body.block, lambda y: e.assign(targets, y.operands, y))
    clauses = []
    for h, classes in zip(handlers, str(op.attributes["catch"]).split("|")):
        names = [name(c) for c in classes.split(",")]
        kind = names[0] if len(names) == 1 else ast.Tuple(elts=names, ctx=ast.Load())
        stmts = e.block(h.block, lambda y: e.assign(targets, y.operands, y))
        clauses.append(ast.ExceptHandler(type=kind, name=None, body=stmts))
    e.emit(ast.Try(body=try_body, handlers=clauses, orelse=[], finalbody=[]), op)


@emits("scf.try_state")
def _try_state(e: Emitter, op: Operation) -> None:
    depth = int(op.attributes["depth"])  # type: ignore[arg-type]
    node = op
    while True:  # the scf.try `depth` levels out whose body holds this op
        block = e.block_of[node]
        owner = e.owner_of[block]
        if owner is None:
            raise NotImplementedError("scf.try_state outside an scf.try body")
        if owner.name == "scf.try" and e.region_of[block] == 0:
            if depth == 0:
                break
            depth -= 1
        node = owner
    if not _overwritten_before_a_raise(op, e.block_of[op]):
        e.assign(e.try_state[owner], op.operands, op)


def _overwritten_before_a_raise(op: Operation, block: Block) -> bool:
    """Does a later scf.try_state for the same scf.try replace this one before any op that
    may raise (only pure ops between)? Then the handlers can never see this one."""
    later = block.ops[block.ops.index(op) + 1:]
    for o in later:
        if o.name == "scf.try_state" and o.attributes.get("depth") == op.attributes.get("depth"):
            return True
        if not is_pure(o):
            return False
    return False

