"""The NumPy subset ember compiles: ONE table of the numpy functions `py.npcall` may name.

The frontend rejects (UnsupportedSyntaxError, at the call) any numpy function not in
`NUMPY_FUNCTIONS` and any keyword argument not supported by its entry; type inference uses
the same entries to bind an npcall's operands (positional, then `kwnames`) to parameters
with `bind_arguments`. Keys are dotted paths under `numpy` ("linalg.norm").
No dependency on numpy itself: the frontend resolves the objects.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NpFunc:
    """One supported numpy function.

    params: numpy's positional-or-keyword parameters in numpy's order, up to the last one
    ember supports (so positional arguments map to the right names).
    required: how many leading params must be given.
    unsupported: params in `params` that ember does not accept (e.g. `out`).
    kwonly: supported keyword-only parameters.
    kind: creation | ufunc | reduction | linalg | sort | iter | scalar | other.
    """

    name: str
    params: tuple[str, ...]
    required: int
    kind: str
    unsupported: tuple[str, ...] = ()
    kwonly: tuple[str, ...] = ()

    def supports_keyword(self, kw: str) -> bool:
        return (kw in self.params or kw in self.kwonly) and kw not in self.unsupported


NUMPY_FUNCTIONS: dict[str, NpFunc] = {}


def _add(kind: str, names: str, params: str, required: int, unsupported: str = "",
         kwonly: str = "") -> None:
    for name in names.split():
        NUMPY_FUNCTIONS[name] = NpFunc(name, tuple(params.split()), required, kind,
                                       tuple(unsupported.split()), tuple(kwonly.split()))


# ---- creation ------------------------------------------------------------------------
_add("creation", "empty zeros ones", "shape dtype", 1)
_add("creation", "full", "shape fill_value dtype", 2)
_add("creation", "empty_like zeros_like ones_like", "a dtype", 1)
_add("creation", "full_like", "a fill_value dtype", 2)
_add("creation", "arange", "start stop step dtype", 1)
_add("creation", "linspace", "start stop num endpoint retstep dtype", 2, "retstep")
_add("creation", "eye", "N M k dtype", 1)
_add("creation", "identity", "n dtype", 1)
_add("creation", "array", "object dtype", 1)
_add("creation", "copy", "a", 1)
_add("creation", "concatenate stack", "arrays axis", 1)
_add("creation", "hstack vstack", "tup", 1)
_add("creation", "roll", "a shift axis", 2)
_add("creation", "tile", "A reps", 2)
_add("creation", "repeat", "a repeats axis", 2)
_add("creation", "reshape", "a shape", 2)
_add("creation", "ravel", "a", 1)

# ---- elementwise (ufuncs and friends) ------------------------------------------------
_add("ufunc", "sin cos tan arcsin arccos arctan sinh cosh tanh exp exp2 expm1 log log2 log10 "
     "log1p sqrt cbrt square abs absolute sign floor ceil trunc rint isnan isinf isfinite "
     "conj", "x", 1)
_add("ufunc", "real imag", "val", 1)
_add("ufunc", "angle", "z deg", 1)
_add("ufunc", "arctan2 hypot power maximum minimum fmax fmin add subtract multiply divide",
     "x1 x2", 2)
_add("ufunc", "clip", "a a_min a_max", 3)
_add("ufunc", "where", "condition x y", 3)

# ---- reductions -------------------------------------------------------------------------
_add("reduction", "sum prod", "a axis dtype out keepdims", 1, "out")
_add("reduction", "min max amin amax all any", "a axis out keepdims", 1, "out")
_add("reduction", "mean", "a axis dtype out keepdims", 1, "out")
_add("reduction", "var std", "a axis dtype out ddof keepdims", 1, "out")
_add("reduction", "argmin argmax", "a axis out", 1, "out", kwonly="keepdims")
_add("reduction", "cumsum cumprod", "a axis dtype", 1)

# ---- linear algebra ------------------------------------------------------------------------
_add("linalg", "dot outer", "a b", 2)
_add("linalg", "matmul", "x1 x2", 2)
_add("linalg", "trace", "a offset axis1 axis2 dtype", 1)
_add("linalg", "linalg.norm", "x ord axis keepdims", 1)

# ---- sorting, iteration ----------------------------------------------------------------------
_add("sort", "sort argsort", "a axis kind", 1)
_add("iter", "ndindex", "", 0)

# ---- numpy scalar types called as functions: np.float32(x) --------------------------------
_add("scalar", "bool int8 int16 int32 int64 uint8 uint16 uint32 uint64 float32 float64 "
     "complex64 complex128", "x", 0)


def bind_arguments(fn: str, npositional: int, kwnames: list[str]) -> dict[str, int]:
    """Parameter name -> operand index for an npcall of `fn` with `npositional` positional
    operands followed by keyword operands named `kwnames`. Raises ValueError on too many
    positional arguments, an unknown or repeated keyword, or a missing required parameter."""
    entry = NUMPY_FUNCTIONS[fn]
    if npositional > len(entry.params):
        raise ValueError(f"numpy.{fn}() takes at most {len(entry.params)} positional "
                         f"arguments ({npositional} given)")
    out = {entry.params[i]: i for i in range(npositional)}
    for k, kw in enumerate(kwnames):
        if not entry.supports_keyword(kw):
            raise ValueError(f"numpy.{fn}() got an unsupported keyword argument {kw!r}")
        if kw in out:
            raise ValueError(f"numpy.{fn}() got multiple values for argument {kw!r}")
        out[kw] = npositional + k
    for p in entry.params[:entry.required]:
        if p not in out:
            raise ValueError(f"numpy.{fn}() missing required argument {p!r}")
    return out
