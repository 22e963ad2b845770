"""`raise E(msg)`, `raise E` and `assert cond[, msg]`: the exception class is resolved
by identity among the builtin exception classes, the message becomes a `str.format`
template plus the values it formats, and one `py.raise` op is emitted (typeinfer/raises.py
turns it into `cf.raise`).

Messages: a string constant, an f-string, `"..." % value(s)`, `str(x)` / `repr(x)` and
`+` of those. Fields keep the user's format spec (none, width, alignment, sign, `0`,
`,`, `.N` with `f F e E g G %`, or `d`) so the runtime formats in Python exactly as
CPython does (backend/errors_table.runtime_message). Strings known at compile time
(literals, str globals) are folded into the template. `raise E(value)` with a value that
is not a message keeps the value as E's argument (VALUE_ARGUMENT: `KeyError(k)`, k a
number, str or tuple).

After a raise the rest of the statement list is unreachable (`self.dead`). A raise at
the top level of a function body also ends it with a `func.return` (never reached),
since the function builder only adds one when the body did not end early.
"""
from __future__ import annotations

import ast
import builtins
import re

from ember.ir.core import FuncOp, Value
from ember.ir.messages import PERCENT_VALUE, VALUE_ARGUMENT

_SPEC = re.compile(r"([<>^]?)([+\- ]?)(0?)(\d*)([,_]?)(\.\d+)?([dfFeEgG%]?)")
_PERCENT = re.compile(r"%(?P<flags>[-+ #0]*)(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d+))?(?P<type>.?)")
_CONVERSIONS = {-1: "", 115: "!s", 114: "!r", 97: "!a"}

Message = tuple[str, list[Value]]
# backend/runtime_helpers.ERR_ARG_SLOTS: how many values the runtime keeps for a message.
MAX_VALUES = 16


def _literal(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


class RaisesMixin:
    # ---- statements ------------------------------------------------------------
    def stmt_Raise(self, node: ast.Raise) -> None:
        if node.exc is None:
            raise self.error("a bare 'raise' (re-raise) is not supported by ember: "
                             "try/except is not supported yet", node)
        if node.cause is not None:
            raise self.error("'raise ... from ...' is not supported by ember", node.cause)
        exc, args = node.exc, []
        if isinstance(exc, ast.Call):
            if exc.keywords or len(exc.args) > 1 or any(isinstance(a, ast.Starred) for a in exc.args):
                raise self.error("an exception raised in compiled code takes at most one "
                                 "argument, its message", exc)
            exc, args = exc.func, exc.args
        name = self.exception_class(exc)
        template, values = self.message(args[0]) if args else ("", [])
        self.check_count(values, node)
        self.emit_raise(name, template, values)

    def stmt_Assert(self, node: ast.Assert) -> None:
        cond = self.truth(self.expr(node.test))

        def failing() -> list[Value]:
            template, values = self.message(node.msg) if node.msg is not None else ("", [])
            self.check_count(values, node)
            self.b.op("py.raise", values, [], {"exc": "AssertionError", "msg": template})
            return []

        self.build_if(cond, lambda: [], failing, [])

    def emit_raise(self, exc: str, template: str, values: list[Value]) -> None:
        self.b.op("py.raise", values, [], {"exc": exc, "msg": template})
        region = self.b.block.parent
        if region is not None and isinstance(region.parent, FuncOp) and not self.flag_returns:
            # The function's own body: end it here (the builder will not add a return).
            self.b.op("func.return", [self.undef("<raised>")] if self.returns_value else [])
        self.dead = True

    def check_count(self, values: list[Value], node: ast.AST) -> None:
        if len(values) > MAX_VALUES:
            raise self.error(f"an exception message formats at most {MAX_VALUES} values", node)

    def exception_class(self, node: ast.expr) -> str:
        ref = self.static_object(node)
        obj = ref[0] if ref is not None else None
        name = getattr(obj, "__name__", None)
        if not (isinstance(obj, type) and issubclass(obj, Exception) and isinstance(name, str)
                and getattr(builtins, name, None) is obj):
            raise self.error("only the builtin exception classes (ValueError, IndexError, ...) "
                             "can be raised in compiled code", node)
        return name

    # ---- messages ----------------------------------------------------------------
    def message(self, node: ast.expr) -> Message:
        """The template and values of a message expression; only string-valued forms."""
        text = self.static_string(node)
        if text is not None:
            return _literal(text), []
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            lt, lv = self.message(node.left)
            rt, rv = self.message(node.right)
            return lt + rt, lv + rv
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            fmt = self.static_string(node.left)
            if fmt is not None:
                items = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
                return self.percent(fmt, items, node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords \
                and len(node.args) == 1 and node.func.id in ("str", "repr"):
            ref = self.static_object(node.func)
            if ref is not None and ref[0] in (str, repr):
                return self.field(node.args[0], "!r" if ref[0] is repr else "", "")
        # any other value is the exception's argument itself, as in `raise KeyError(k)`
        # (CPython keeps it in args: str(KeyError(5)) is '5', str(KeyError('a')) "'a'")
        template, values = self.field(node, "", "")
        return VALUE_ARGUMENT + template, values

    def static_string(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, (ast.Name, ast.Attribute)):
            ref = self.static_object(node)
            if ref is not None and isinstance(ref[0], str):
                return ref[0]
        return None

    def fstring(self, node: ast.JoinedStr) -> Message:
        template, values = "", []
        for part in node.values:
            if isinstance(part, ast.Constant):
                template += _literal(str(part.value))
                continue
            assert isinstance(part, ast.FormattedValue)
            spec = ""
            if part.format_spec is not None:
                pieces = part.format_spec.values
                if not all(isinstance(p, ast.Constant) for p in pieces):
                    raise self.error("a format spec computed at run time is not supported by ember",
                                     part.format_spec)
                spec = "".join(str(p.value) for p in pieces)
            t, v = self.field(part.value, _CONVERSIONS[part.conversion], spec, part)
            template += t
            values += v
        return template, values

    def field(self, node: ast.expr, conv: str, spec: str, where: ast.AST | None = None) -> Message:
        """One replacement field formatting `node`; a compile-time string is folded."""
        text = self.static_string(node)
        if text is not None:
            shown = {"": text, "!s": text, "!r": repr(text), "!a": ascii(text)}[conv]
            try:
                return _literal(format(shown, spec)), []
            except ValueError as e:
                raise self.error(f"invalid format spec {spec!r} for a string: {e}", where or node) from None
        if conv == "!a":
            conv = "!r"  # ascii() of a number is its repr()
        if not _SPEC.fullmatch(spec):
            raise self.error(f"the format spec {spec!r} is not supported by ember in exception "
                             "messages (width, alignment, sign, 0, ',', '.N' with f/e/g/%, or d)",
                             where or node)
        return "{" + conv + (":" + spec if spec else "") + "}", [self.expr(node)]

    def percent(self, fmt: str, items: list[ast.expr], node: ast.AST) -> Message:
        """`fmt % items` (printf-style) as a template: each directive becomes a field."""
        template, values, k, pos = "", [], 0, 0
        for m in _PERCENT.finditer(fmt):
            template += _literal(fmt[pos:m.start()])
            pos = m.end()
            flags, width, prec, typ = m["flags"], m["width"] or "", m["prec"], m["type"]
            if typ == "%" and not (flags or width or prec):
                template += "%"
                continue
            if typ not in ("d", "i", "u", "f", "F", "e", "E", "g", "G", "s", "r") or "*" in (width, prec) \
                    or "#" in flags or (prec is not None and typ in "diusr"):
                raise self.error(f"the '%' directive {m.group()!r} is not supported by ember in "
                                 "exception messages", node)
            if k >= len(items):
                raise self.error("not enough arguments for format string", node)
            item = items[k]
            k += 1
            align = "<" if "-" in flags else ">" if typ in "sr" and width else ""
            sign = "+" if "+" in flags else " " if " " in flags else ""
            zero = "0" if "0" in flags and "-" not in flags and typ not in "sr" else ""
            if typ in "sr":
                spec, conv = align + width, "!r" if typ == "r" else "!s"
            else:
                spec = align + sign + zero + width + (f".{prec}" if prec is not None else "") \
                    + ("d" if typ in "diu" else typ)
                conv = ""
            t, v = self.field(item, conv, spec, node)
            if v and isinstance(node, ast.BinOp) and not isinstance(node.right, ast.Tuple):
                t = PERCENT_VALUE + t
            template += t
            values += v
        if k != len(items):
            raise self.error("not all arguments converted during string formatting", node)
        return template + _literal(fmt[pos:]), values
