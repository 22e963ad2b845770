"""A cursor for building IR: appends ops to a block at a current source location."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from .core import Attribute, Block, Operation, Region, Value
from .location import Location
from .types import Type


class Builder:
    """Appends operations to `block`; `loc` is stamped on every op it creates."""

    def __init__(self, block: Block, loc: Location | None = None) -> None:
        self.block = block
        self.loc = loc

    def op(
        self,
        name: str,
        operands: list[Value] | tuple[Value, ...] = (),
        result_types: list[Type] | tuple[Type, ...] = (),
        attributes: dict[str, Attribute] | None = None,
        regions: list[Region] | None = None,
        names: list[str | None] | tuple[str | None, ...] | None = None,
        loc: Location | None = None,
    ) -> Operation:
        """Create an op at the current location and append it to the block."""
        op = Operation(name, operands, result_types, attributes, regions,
                       loc if loc is not None else self.loc, names)
        return self.block.append(op)

    def value(self, name: str, operands: list[Value] | tuple[Value, ...], result_type: Type,
              attributes: dict[str, Attribute] | None = None, hint: str | None = None) -> Value:
        """Create a one-result op and return its result."""
        return self.op(name, operands, [result_type], attributes, names=[hint]).result

    def constant(self, value: int | float | bool, type: Type, hint: str | None = None) -> Value:
        return self.value("arith.constant", [], type, {"value": value}, hint)

    @contextmanager
    def at(self, block: Block) -> Iterator["Builder"]:
        """Temporarily build into another block (a region body)."""
        saved = self.block
        self.block = block
        try:
            yield self
        finally:
            self.block = saved

    @contextmanager
    def located(self, loc: Location | None) -> Iterator["Builder"]:
        """Temporarily stamp ops with another location."""
        saved = self.loc
        self.loc = loc
        try:
            yield self
        finally:
            self.loc = saved
