"""The errors ember raises, for users: `except ember.errors.TypingError`.

Defined beside source locations in `ember.ir.errors` (every layer depends on ir/);
re-exported here as the public name.
"""
from ember.ir.errors import (  # noqa: F401  (re-exports)
    CompileError,
    DifferentiationError,
    EmberError,
    IRError,
    TypingError,
    UnsupportedSyntaxError,
)

__all__ = [
    "EmberError",
    "CompileError",
    "UnsupportedSyntaxError",
    "TypingError",
    "DifferentiationError",
    "IRError",
]
