"""IR types: immutable values that every IR value carries.

Scalars (bool, signed/unsigned ints, floats, complex), tuples, none, and two
markers used before and during type inference: UNKNOWN (`?`, what the frontend
gives every value it cannot type from syntax alone) and BOTTOM (`!`, a value
whose type no path has fixed yet, e.g. the result of a recursive call).
Later capabilities add arrays, records, dicts and lists here.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Type:
    """Base of all IR types. Subclasses are frozen dataclasses: compare by value."""

    def __str__(self) -> str:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def __repr__(self) -> str:
        # Users see types in `f.signatures`: show them as the IR prints them.
        return str(self)


@dataclass(frozen=True, repr=False)
class ScalarType(Type):
    """A machine scalar. `kind` is 'b' (bool), 'i' (signed), 'u' (unsigned), 'f' (float), 'c' (complex)."""

    kind: str
    bits: int

    def __str__(self) -> str:
        if self.kind == "b":
            return "bool"
        return f"{self.kind}{self.bits}"

    @property
    def is_bool(self) -> bool:
        return self.kind == "b"

    @property
    def is_int(self) -> bool:
        """Signed or unsigned integer (not bool)."""
        return self.kind in ("i", "u")

    @property
    def is_signed(self) -> bool:
        return self.kind == "i"

    @property
    def is_float(self) -> bool:
        return self.kind == "f"

    @property
    def is_complex(self) -> bool:
        return self.kind == "c"


@dataclass(frozen=True, repr=False)
class TupleType(Type):
    """A fixed-length heterogeneous tuple, as Python's `tuple`."""

    elements: tuple[Type, ...]

    def __str__(self) -> str:
        return "tuple<" + ", ".join(str(t) for t in self.elements) + ">"


@dataclass(frozen=True, repr=False)
class RecordType(Type):
    """A dict with string keys known at compile time (`{"k": 1.0}`): a struct of one value
    per key, in insertion order. Printed `record<k: f64, "two words": i64>` (keys that are
    not identifiers are quoted)."""

    keys: tuple[str, ...]
    types: tuple[Type, ...]

    def __str__(self) -> str:
        parts = [f"{k if k.isidentifier() else _quote(k)}: {t}" for k, t in zip(self.keys, self.types)]
        return "record<" + ", ".join(parts) + ">"

    def field(self, key: str) -> Type | None:
        """The type of `key`, None when the record has no such key."""
        return self.types[self.keys.index(key)] if key in self.keys else None


def _quote(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True, repr=False)
class ArrayType(Type):
    """A strided n-d array of `dtype` elements (a NumPy array, or one made in compiled code).

    layout: 'C' (C-contiguous), 'F' (Fortran-contiguous) or 'A' (any strides).
    readonly: the specialization refuses writes (at compile time).
    One specialization per (dtype, ndim, layout, readonly), never per shape.
    """

    dtype: ScalarType
    ndim: int
    layout: str = "C"
    readonly: bool = False

    def __str__(self) -> str:
        ro = ", readonly" if self.readonly else ""
        return f"array<{self.dtype}, {self.ndim}, {self.layout}{ro}>"


@dataclass(frozen=True, repr=False)
class StrType(Type):
    """A Python str at run time: UTF-8 bytes `{ptr data, i64 nbytes}` (not NUL-terminated)
    that compiled code never owns: they point into a string constant of the module or
    into a Python argument's cached UTF-8 buffer, alive for the whole call."""

    def __str__(self) -> str:
        return "str"


@dataclass(frozen=True, repr=False)
class ListType(Type):
    """A Python list of `elem` values: a reference to a growable runtime object (docs/containers.md).

    `site` is type inference's bookkeeping only (which `[]` made the list, so that a later
    `append` can widen its element type); it is not part of the type's identity or its text.
    """

    elem: Type
    site: int | None = field(default=None, compare=False, hash=False)

    def __str__(self) -> str:
        return f"list<{self.elem}>"


@dataclass(frozen=True, repr=False)
class DictType(Type):
    """A Python dict with keys known only at run time: a reference to a runtime hash map
    from `key` values to `value` values, in insertion order (docs/containers.md). `site` as
    in ListType."""

    key: Type
    value: Type
    site: int | None = field(default=None, compare=False, hash=False)

    def __str__(self) -> str:
        return f"dict<{self.key}, {self.value}>"


@dataclass(frozen=True, repr=False)
class NoneType(Type):
    """The type of Python's None (a function that returns nothing returns none)."""

    def __str__(self) -> str:
        return "none"


@dataclass(frozen=True, repr=False)
class UnknownType(Type):
    """Not yet inferred: the frontend's type for every value that syntax cannot type."""

    def __str__(self) -> str:
        return "?"


@dataclass(frozen=True, repr=False)
class BottomType(Type):
    """No definition has fixed this type yet; unifies with anything (identity of unify)."""

    def __str__(self) -> str:
        return "!"


BOOL = ScalarType("b", 1)
I8 = ScalarType("i", 8)
I16 = ScalarType("i", 16)
I32 = ScalarType("i", 32)
I64 = ScalarType("i", 64)
U8 = ScalarType("u", 8)
U16 = ScalarType("u", 16)
U32 = ScalarType("u", 32)
U64 = ScalarType("u", 64)
F32 = ScalarType("f", 32)
F64 = ScalarType("f", 64)
C64 = ScalarType("c", 64)
C128 = ScalarType("c", 128)
NONE = NoneType()
STR = StrType()
UNKNOWN = UnknownType()
BOTTOM = BottomType()

SCALARS: dict[str, ScalarType] = {
    str(t): t for t in (BOOL, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, C64, C128)
}


def is_scalar(t: Type) -> bool:
    return isinstance(t, ScalarType)


def is_numeric(t: Type) -> bool:
    """bool, int, float or complex scalar: what Python arithmetic accepts."""
    return isinstance(t, ScalarType)


def parse_type(text: str) -> Type:
    """Read a type back from its printed form (`f64`, `tuple<i64, f64>`, `none`, `?`)."""
    t, rest = _parse_type_prefix(text.strip())
    if rest.strip():
        raise ValueError(f"trailing text after type: {rest!r}")
    return t


def _parse_type_prefix(text: str) -> tuple[Type, str]:
    """Parse one type at the start of `text`; return it and the unparsed rest."""
    text = text.lstrip()
    if text.startswith("?"):
        return UNKNOWN, text[1:]
    if text.startswith("!"):
        return BOTTOM, text[1:]
    if text.startswith("array<"):
        body, sep, rest = text[len("array<"):].partition(">")
        parts = [p.strip() for p in body.split(",")]
        if not sep or len(parts) not in (3, 4) or parts[0] not in SCALARS:
            raise ValueError(f"bad array type {text!r}")
        if parts[2] not in ("C", "F", "A") or (len(parts) == 4 and parts[3] != "readonly"):
            raise ValueError(f"bad array type {text!r}")
        return ArrayType(SCALARS[parts[0]], int(parts[1]), parts[2], len(parts) == 4), rest
    if text.startswith("record<"):
        return _parse_record(text[len("record<"):])
    if text.startswith("list<"):
        elem, rest = _parse_type_prefix(text[len("list<"):])
        rest = rest.lstrip()
        if not rest.startswith(">"):
            raise ValueError(f"bad list type near {rest!r}")
        return ListType(elem), rest[1:]
    if text.startswith("dict<"):
        key, rest = _parse_type_prefix(text[len("dict<"):])
        rest = rest.lstrip()
        if not rest.startswith(","):
            raise ValueError(f"bad dict type near {rest!r}")
        value, rest = _parse_type_prefix(rest[1:])
        rest = rest.lstrip()
        if not rest.startswith(">"):
            raise ValueError(f"bad dict type near {rest!r}")
        return DictType(key, value), rest[1:]
    if text.startswith("tuple<"):
        rest = text[len("tuple<"):].lstrip()
        elems: list[Type] = []
        if rest.startswith(">"):
            return TupleType(()), rest[1:]
        while True:
            t, rest = _parse_type_prefix(rest)
            elems.append(t)
            rest = rest.lstrip()
            if rest.startswith(","):
                rest = rest[1:]
                continue
            if rest.startswith(">"):
                return TupleType(tuple(elems)), rest[1:]
            raise ValueError(f"bad tuple type near {rest!r}")
    i = 0
    while i < len(text) and (text[i].isalnum() or text[i] == "_"):
        i += 1
    word, rest = text[:i], text[i:]
    if word == "none":
        return NONE, rest
    if word == "str":
        return STR, rest
    if word in SCALARS:
        return SCALARS[word], rest
    raise ValueError(f"unknown type {word or text!r}")


def _parse_record(rest: str) -> tuple[Type, str]:
    """The rest of `record<k: T, "a b": U>` after `record<`."""
    keys: list[str] = []
    types: list[Type] = []
    rest = rest.lstrip()
    if rest.startswith(">"):
        return RecordType((), ()), rest[1:]
    while True:
        rest = rest.lstrip()
        if rest.startswith('"'):
            i, chars = 1, []
            while i < len(rest) and rest[i] != '"':
                if rest[i] == "\\":
                    i += 1
                chars.append(rest[i])
                i += 1
            key, rest = "".join(chars), rest[i + 1:]
        else:
            i = 0
            while i < len(rest) and (rest[i].isalnum() or rest[i] == "_"):
                i += 1
            key, rest = rest[:i], rest[i:]
        rest = rest.lstrip()
        if not key and not rest.startswith(":") or not rest.startswith(":"):
            raise ValueError(f"bad record type near {rest!r}")
        t, rest = _parse_type_prefix(rest[1:])
        keys.append(key)
        types.append(t)
        rest = rest.lstrip()
        if rest.startswith(","):
            rest = rest[1:]
            continue
        if rest.startswith(">"):
            return RecordType(tuple(keys), tuple(types)), rest[1:]
        raise ValueError(f"bad record type near {rest!r}")
