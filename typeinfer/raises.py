"""`py.raise` (a `raise E(msg)` or a failing `assert`): type the message values and
emit `cf.raise`.

The frontend (frontend/raises.py) made the message a `str.format` template with one
field per operand, each field keeping the user's format spec. Here each operand is
checked against its field (`d` wants an int or bool, as CPython's format does; no
complex or array values) and widened to what the runtime slots carry: ints to i64,
floats to f64, bools stay bools (they print True/False). The text itself is made in
Python at raise time (backend/errors_table.runtime_message), so it matches CPython's
exactly.
"""
from __future__ import annotations

import string

from ember.ir.core import Operation, Value
from ember.ir.types import F64, I64, ScalarType, Type

from .emit import Emitter
from .lattice import type_name
from .rules import fail, rule


def _fields(msg: str) -> list[tuple[str, str]]:
    """(format spec, conversion) of every replacement field of template `msg`, in order."""
    return [(spec or "", conv or "") for _, name, spec, conv in string.Formatter().parse(msg)
            if name is not None]


def infer_raise(op: Operation, types: list[Type]) -> list[Type]:
    fields = _fields(str(op.attributes["msg"]))
    for v, t, (spec, conv) in zip(op.operands, types, fields):
        if not (isinstance(t, ScalarType) and not t.is_complex):
            what = f" (variable '{v.name}')" if v.name else ""
            raise fail(op, f"an exception message can format ints, floats, bools and strings, "
                           f"not a value of type '{type_name(t)}'{what}") from None
        if t.is_float and not conv and spec.endswith(("d", "n")):
            raise fail(op, f"format code '{spec[-1]}' is for ints, the value is a float "
                           f"(CPython raises ValueError here); use int(x) or '.0f'") from None
    return []


@rule("py.raise", infer=infer_raise)
def lower_raise(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    args = []
    for v in vals:
        t = v.type
        assert isinstance(t, ScalarType)
        args.append(v if t.is_bool else em.cast(v, F64 if t.is_float else I64))
    em.b.op("cf.raise", args, [], {"exc": op.attributes["exc"], "msg": op.attributes["msg"]})
    return []
