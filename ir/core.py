"""The IR's data: values, operations, blocks, regions, functions and modules.

Structured SSA in the spirit of MLIR's scf dialect. An `Operation` is plain data:
a name from the op catalog (`ir/opdefs.py`), operands, results, attributes,
regions and a source location. Control flow is only structured (`scf.if`,
`scf.for`, `scf.while`); a region holds one block whose last op is a
terminator (`scf.yield`, `scf.condition`, `func.return`).

Attribute values are Python `int`, `float`, `bool`, `str`, a `Type`, or a
`SymbolRef` (a reference to a function: the callee of `func.call`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union

from .location import Location
from .types import Type


@dataclass(frozen=True)
class SymbolRef:
    """`@name`: a function symbol. `target` is the Python function it was resolved
    from in untyped IR (so type inference can ask the driver for its IR); it is not
    printed and not compared."""

    name: str
    target: object = field(default=None, compare=False, hash=False)

    def __str__(self) -> str:
        return f"@{self.name}"


Attribute = Union[int, float, bool, str, Type, SymbolRef]


class Value:
    """An SSA value: an op result or a block argument. `name` is a hint for printing,
    taken from the Python variable it holds."""

    __slots__ = ("type", "name")

    def __init__(self, type: Type, name: str | None = None) -> None:
        self.type = type
        self.name = name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} %{self.name or '?'}: {self.type}>"


class OpResult(Value):
    __slots__ = ("op", "index")

    def __init__(self, type: Type, op: "Operation", index: int, name: str | None = None) -> None:
        self.type = type  # Value.__init__ inlined: one of these per op result
        self.name = name
        self.op = op
        self.index = index


class BlockArgument(Value):
    __slots__ = ("block", "index")

    def __init__(self, type: Type, block: "Block", index: int, name: str | None = None) -> None:
        self.type = type
        self.name = name
        self.block = block
        self.index = index


class Operation:
    """One operation. Build with `Operation(name, operands, result_types, ...)`; the
    results are created here so they always point back at their op."""

    __slots__ = ("name", "operands", "results", "attributes", "regions", "loc", "parent")

    def __init__(
        self,
        name: str,
        operands: list[Value] | tuple[Value, ...] = (),
        result_types: list[Type] | tuple[Type, ...] = (),
        attributes: dict[str, Attribute] | None = None,
        regions: list["Region"] | None = None,
        loc: Location | None = None,
        result_names: list[str | None] | tuple[str | None, ...] | None = None,
    ) -> None:
        self.name = name
        self.operands: list[Value] = list(operands)
        if result_names is None:
            self.results: list[OpResult] = [OpResult(t, self, i) for i, t in enumerate(result_types)]
        else:
            names = list(result_names)
            self.results = [OpResult(t, self, i, names[i]) for i, t in enumerate(result_types)]
        self.attributes: dict[str, Attribute] = dict(attributes or {})
        self.regions: list[Region] = list(regions or [])
        for r in self.regions:
            r.parent = self
        self.loc = loc
        self.parent: Block | None = None

    @property
    def result(self) -> OpResult:
        """The single result of a one-result op."""
        if len(self.results) != 1:
            raise ValueError(f"{self.name} has {len(self.results)} results, not one")
        return self.results[0]

    def walk(self) -> Iterator["Operation"]:
        """This op, then every op nested in its regions, in program order."""
        yield self
        if self.regions:
            yield from _walk_nested(self)

    def __repr__(self) -> str:
        return f"<Operation {self.name}>"


def _nested_ops(op: Operation) -> Iterator[Operation]:
    return (o for r in op.regions for b in r.blocks for o in b.ops)


def _walk_nested(top: "Operation | list[Operation]") -> Iterator[Operation]:
    """Every op nested in `top` (an op's regions, or a list of ops and theirs), in
    program order. One iterator per op *with* regions instead of one generator per op
    (walks run in every pass: this halves their cost). The block lists are read live,
    as a recursive walk would read them."""
    stack: list[Iterator[Operation]] = [_nested_ops(top) if isinstance(top, Operation)
                                        else iter(top)]
    while stack:
        for op in stack[-1]:
            yield op
            if op.regions:
                stack.append(_nested_ops(op))
                break
        else:
            stack.pop()


class Block:
    """A list of ops ending in a terminator, with typed arguments."""

    __slots__ = ("args", "ops", "parent")

    def __init__(self, arg_types: list[Type] | tuple[Type, ...] = (), arg_names: list[str | None] | None = None) -> None:
        names = arg_names if arg_names is not None else [None] * len(arg_types)
        self.args: list[BlockArgument] = [
            BlockArgument(t, self, i, names[i]) for i, t in enumerate(arg_types)
        ]
        self.ops: list[Operation] = []
        self.parent: Region | None = None

    def add_arg(self, type: Type, name: str | None = None) -> BlockArgument:
        arg = BlockArgument(type, self, len(self.args), name)
        self.args.append(arg)
        return arg

    def append(self, op: Operation) -> Operation:
        op.parent = self
        self.ops.append(op)
        return op

    @property
    def terminator(self) -> Operation | None:
        return self.ops[-1] if self.ops else None


class Region:
    """A list of blocks; structured ops use exactly one."""

    __slots__ = ("blocks", "parent")

    def __init__(self, blocks: list[Block] | None = None) -> None:
        self.blocks: list[Block] = []
        self.parent: Operation | FuncOp | None = None
        for b in blocks or []:
            self.add_block(b)

    def add_block(self, block: Block) -> Block:
        block.parent = self
        self.blocks.append(block)
        return block

    @property
    def block(self) -> Block:
        """The single block of a structured region."""
        return self.blocks[0]


class FuncOp:
    """A function: `func @name(%a: T, ...) -> R { body }`. The body's single block
    takes the parameters as arguments and ends in `func.return`.

    `attributes` holds options that later stages read (for example
    `boundscheck`); `loc` is the `def` line.
    """

    def __init__(
        self,
        name: str,
        arg_types: list[Type],
        return_type: Type,
        arg_names: list[str | None] | None = None,
        loc: Location | None = None,
        attributes: dict[str, Attribute] | None = None,
    ) -> None:
        self.name = name
        self.return_type = return_type
        self.body = Region([Block(arg_types, arg_names)])
        self.body.parent = self
        self.loc = loc
        self.attributes: dict[str, Attribute] = dict(attributes or {})

    @property
    def args(self) -> list[BlockArgument]:
        return self.body.block.args

    @property
    def arg_types(self) -> list[Type]:
        return [a.type for a in self.args]

    def walk(self) -> Iterator[Operation]:
        yield from _walk_nested(self.body.block.ops)

    def __repr__(self) -> str:
        return f"<FuncOp @{self.name}>"


class Module:
    """An ordered set of functions; `func.call` refers to them by symbol name."""

    def __init__(self, funcs: list[FuncOp] | None = None) -> None:
        self.funcs: dict[str, FuncOp] = {}
        for f in funcs or []:
            self.add(f)

    def add(self, func: FuncOp) -> FuncOp:
        if func.name in self.funcs:
            raise ValueError(f"duplicate function @{func.name}")
        self.funcs[func.name] = func
        return func

    def fresh_name(self, base: str) -> str:
        """`base`, or `base_2`, `base_3`...: the first that names no function yet."""
        name, k = base, 1
        while name in self.funcs:
            k += 1
            name = f"{base}_{k}"
        return name

    def __getitem__(self, name: str) -> FuncOp:
        return self.funcs[name]

    def __iter__(self) -> Iterator[FuncOp]:
        return iter(self.funcs.values())

    def __len__(self) -> int:
        return len(self.funcs)
