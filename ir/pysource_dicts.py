"""Python forms of the runtime-dict ops: `dict.new`, `dict.parts`, `hash.of`, `str.hash`
(a dict is the tuple of its five lists; the hash map itself is emitted library code)."""
from __future__ import annotations

import ast

from ember.ir.core import Operation
from ember.ir.pysource_base import Emitter, emits
from ember.ir.pysource_ops import call


@emits("dict.new")
def _new(e: Emitter, op: Operation) -> ast.expr:
    return call("new_dict")


@emits("dict.parts")
def _parts(e: Emitter, op: Operation) -> ast.expr:
    return e.use(op.operands[0])  # the dict is its lists


@emits("hash.of")
def _hash(e: Emitter, op: Operation) -> ast.expr:
    return call("hash_of", e.use(op.operands[0]))


@emits("str.hash")
def _str_hash(e: Emitter, op: Operation) -> ast.expr:
    return call("str_hash", e.use(op.operands[0]))


@emits("dict.retain", "dict.release")
def _reference_count(e: Emitter, op: Operation) -> None:
    return None  # Python counts its own references
