"""Type inference: untyped IR + argument types -> typed IR with CPython's semantics explicit.

`infer_module(entry, arg_types, get_untyped) -> (Module, entry symbol)`; see
docs/internals.md. Step 1 (`propagate`) types every value to a fixed point, step 2
(`rebuild`) emits typed ops; `pyops`, `builtins` and `mathfuncs` hold the lowering
rules (registered in `rules`), `emit` the casts and checks they share, `lattice` the
unify/promotion rules, `calls` the specializations and recursion.

Where ember differs from CPython on purpose (each raises or documents, never lies):
- int + - * wrap at 64 bits; int(x) / round(x) / floor(x) of a float beyond int64 raise
  OverflowError.
- int ** negative int raises ValueError (CPython returns a float); negative float ** a
  fractional power raises ValueError (CPython returns a complex).
- A variable keeps one type: min(1, 2.5) is 1.0; a variable that is an int on one path and
  a float on another is a float on both.
"""
from .calls import infer_module

__all__ = ["infer_module"]
