"""Library functions typed once per process: list.sort's specializations.

A library function marked `__ember_library__` (typeinfer/listlib.py's sort) is big:
CPython's timsort and a merge sort, ~20 functions per element type, ~20 ms of type
inference. `typed_once(pyfunc)` gives the object typeinfer/calls.py calls instead of
it: an externally typed callee (`__ember_typed__`, as an ember derivative called from
compiled code is) whose typed module is inferred the first time the process needs
that specialization and copied into each module that calls it (`Specializer.
external_spec`, `ir.merge.merge_into`: the copy is the module's own, the passes may
mutate it). The backend then compiles it once per process too (backend/library.py).

The typed functions are the ones inference makes inside the module (same untyped IR,
same argument types); only the helpers' symbols are prefixed with the entry's
(`sort__list_f64__bool__timsort__list_f64_`).
"""
from __future__ import annotations

import threading
from typing import Any

from ember.ir.core import Module
from ember.ir.types import Type

_lock = threading.Lock()
_proxies: dict[int, "_Typed"] = {}
_typed: dict[tuple[Any, ...], tuple[Module, str]] = {}


class _Typed:
    """Stands for `pyfunc` as a callee typed elsewhere (one per function: its id keys the
    Specializer's specializations)."""

    def __init__(self, pyfunc: Any) -> None:
        self.pyfunc = pyfunc
        self.__name__ = getattr(pyfunc, "__name__", "library")

    def __ember_typed__(self, arg_types: tuple[Type, ...],
                        options: dict[str, object]) -> tuple[Module, str]:
        from .calls import Specializer, _active

        key = (id(self.pyfunc), tuple(arg_types),
               tuple(sorted((k, repr(v)) for k, v in options.items())))
        found = _typed.get(key)
        if found is None:
            # Inferred with the asking Specializer's untyped IR, which carries the marks
            # calls._library_spec set (no bounds checks in library code, ...).
            outer = _active()[-1]
            inner = Specializer(outer.get_untyped, options)
            inner.untyped = outer.untyped
            found = inner.infer(outer.untyped_of(self.pyfunc), list(arg_types))
            _typed.setdefault(key, found)
        return found


def typed_once(pyfunc: Any) -> _Typed:
    """The externally typed stand-in of library function `pyfunc` (one per process)."""
    found = _proxies.get(id(pyfunc))
    if found is None:
        with _lock:
            found = _proxies.setdefault(id(pyfunc), _Typed(pyfunc))
    return found
