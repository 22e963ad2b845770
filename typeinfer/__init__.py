"""Type inference: untyped IR + argument types -> typed IR with CPython's semantics explicit.

`infer_module(entry, arg_types, get_untyped) -> (Module, entry symbol)`; see
docs/internals.md. Step 1 (`propagate`) types every value to a fixed point, step 2
(`rebuild`) emits typed ops; `pyops`, `builtins` and `mathfuncs` hold the lowering
rules, `calls` the specializations and recursion.
"""
from .calls import infer_module

__all__ = ["infer_module"]
