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


class CacheWarning(UserWarning):
    """The on-disk compile cache could not be used (e.g. a folder that cannot be
    written): the function is compiled as usual (docs/caching.md)."""


__all__ = [
    "CacheWarning",
    "EmberError",
    "CompileError",
    "UnsupportedSyntaxError",
    "TypingError",
    "DifferentiationError",
    "IRError",
]
