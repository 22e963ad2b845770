"""What `f.signatures` and `f.stats` show: compiled signatures and compile times.

`Signature` is a tuple of argument types (it compares and hashes as that plain tuple,
so `f.signatures == [(F64, I64)]` holds) that also carries the return type once
compiled and prints as `(f64, i64) -> f64`.

`Stats` is a dict {Signature: {stage: seconds}} (the stages `ember.compiler` times:
frontend, typeinfer, passes, backend, ..., and `total`; `cache` is 1.0 for a
specialization loaded from the disk cache, 0.0 for one compiled and stored, absent
when caching is off) with totals: `compiles`, `total`, `hits`, `misses`, `stages()`.
"""
from __future__ import annotations

from typing import Any, Iterable

from ember.ir.types import Type


class Signature(tuple):
    """The argument types of one compiled specialization (`f.signatures[i]`)."""

    return_type: Type | None

    def __new__(cls, args: Iterable[Type], return_type: Type | None = None) -> "Signature":
        self = super().__new__(cls, tuple(args))
        self.return_type = return_type
        return self

    def __str__(self) -> str:
        args = "(" + ", ".join(map(str, self)) + ")"
        return args if self.return_type is None else f"{args} -> {self.return_type}"

    __repr__ = __str__

    def __reduce__(self) -> Any:
        return (Signature, (tuple(self), self.return_type))


class Stats(dict):
    """Compile times of a jitted function, per compiled signature (see the module doc)."""

    @property
    def compiles(self) -> int:
        """How many specializations were built (compiled or loaded from the disk cache)."""
        return len(self)

    @property
    def total(self) -> float:
        """Seconds spent compiling, over every signature."""
        return sum(s.get("total", 0.0) for s in self.values())

    @property
    def hits(self) -> int:
        """Specializations loaded from the on-disk cache."""
        return sum(1 for s in self.values() if s.get("cache") == 1.0)

    @property
    def misses(self) -> int:
        """Specializations compiled because the on-disk cache (cache=True) had none."""
        return sum(1 for s in self.values() if s.get("cache") == 0.0)

    def stages(self) -> dict[str, float]:
        """Seconds per stage, summed over every signature (`total` included)."""
        out: dict[str, float] = {}
        for s in self.values():
            for k, v in s.items():
                if k != "cache":
                    out[k] = out.get(k, 0.0) + v
        return out

    def __str__(self) -> str:
        if not self:
            return "no compiled signature"
        stages = [k for k in self.stages() if k != "total"] + ["total"]
        rows = [["signature", *stages, "cache"]]
        for sig, s in self.items():
            cache = {1.0: "hit", 0.0: "miss"}.get(s.get("cache"), "-")  # type: ignore[arg-type]
            rows.append([str(sig), *(f"{s[k] * 1e3:.2f} ms" if k in s else "-" for k in stages),
                         cache])
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        lines.append(f"{self.compiles} signature(s), {self.total * 1e3:.2f} ms, "
                     f"cache hits {self.hits}, misses {self.misses}")
        return "\n".join(lines)
