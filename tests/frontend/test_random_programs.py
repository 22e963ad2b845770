"""Randomly generated programs mixing nested if / for / while with break, continue and
return: the interpreted untyped IR must agree with CPython on every one (fixed seeds)."""
import importlib.util
import random

import pytest

from ember.frontend import build_function

from .interp import Interpreter
from .structure import check_structure


class Gen:
    def __init__(self, seed: int, temps: bool = False) -> None:
        self.r = random.Random(seed)
        self.lines: list[str] = []
        self.loops = 0
        # temps: also assign fresh names t0, t1, ... (readable only where certainly bound)
        # and read while counters after their loop, which exercises what loops carry and
        # ifs yield (values live after them or in the next iteration, or local to a body).
        self.temps = temps
        self.fresh = 0

    def expr(self, names: list[str], depth: int = 0) -> str:
        r = self.r
        if depth > 1 or r.random() < 0.4:
            return r.choice(names) if r.random() < 0.7 else str(r.randint(-3, 5))
        op = r.choice(["+", "-", "*", "%"])
        if op == "%":
            return f"({self.expr(names, depth + 1)} % {r.randint(2, 5)})"
        return f"({self.expr(names, depth + 1)} {op} {self.expr(names, depth + 1)})"

    def cond(self, names: list[str]) -> str:
        r = self.r
        c = f"{self.expr(names)} {r.choice(['<', '<=', '>', '==', '!='])} {self.expr(names)}"
        if r.random() < 0.3:
            c = f"{c} {r.choice(['and', 'or'])} {self.expr(names)} % 3 == 0"
        if r.random() < 0.15:
            c = f"not ({c})"
        return c

    def block(self, ind: int, names: list[str], depth: int, in_loop: bool) -> list[str]:
        """Emit a block; returns the names certainly bound at its end."""
        names = list(names)
        for _ in range(self.r.randint(1, 4 if depth == 0 else 3)):
            self.stmt(ind, names, depth, in_loop)
        return names

    def target(self, names: list[str]) -> str:
        if not self.temps:
            return self.r.choice('abc')
        r = self.r
        if r.random() < 0.3:
            t = f"t{self.fresh}"
            self.fresh += 1
            names.append(t)  # bound from here on in this block
            return t
        return r.choice([n for n in names if not n.startswith("i")])

    def stmt(self, ind: int, names: list[str], depth: int, in_loop: bool) -> None:
        r, pad = self.r, "    " * ind
        kinds = ["assign", "assign", "aug"]
        if depth < 3:
            kinds += ["if", "for", "while"]
        if in_loop:
            kinds += ["break", "continue"]
        if depth > 0:
            kinds.append("return")
        k = r.choice(kinds)
        if k == "assign":
            value = self.expr(names)
            self.lines.append(f"{pad}{self.target(names)} = {value}")
        elif k == "aug":
            op, value = r.choice(['+=', '-=']), self.expr(names)
            target = r.choice([n for n in names if not n.startswith("i")]) if self.temps \
                else r.choice('abc')
            self.lines.append(f"{pad}{target} {op} {value}")
        elif k == "return":
            self.lines.append(f"{pad}return {self.expr(names)}, {self.expr(names)}")
        elif k in ("break", "continue"):
            self.lines.append(f"{pad}if {self.cond(names)}:")
            if self.temps and r.random() < 0.5:  # a value set just before jumping out
                self.lines.append(f"{pad}    {r.choice('abc')} = {self.expr(names)}")
            self.lines.append(f"{pad}    {k}")
        elif k == "if":
            self.lines.append(f"{pad}if {self.cond(names)}:")
            self.block(ind + 1, names, depth + 1, in_loop)
            if r.random() < 0.5:
                self.lines.append(f"{pad}else:")
                self.block(ind + 1, names, depth + 1, in_loop)
        else:
            v = f"i{self.loops}"
            self.loops += 1
            if k == "for":
                args = r.choice([f"{r.randint(0, 4)}", f"{r.randint(-2, 2)}, {r.randint(0, 5)}",
                                 f"{r.randint(3, 6)}, {r.randint(-2, 1)}, -{r.randint(1, 2)}"])
                self.lines.append(f"{pad}for {v} in range({args}):")
                self.block(ind + 1, names + [v], depth + 1, True)
            else:
                self.lines.append(f"{pad}{v} = 0")
                self.lines.append(f"{pad}while {v} < {r.randint(0, 4)}:")
                self.lines.append(f"{pad}    {v} += 1")
                self.block(ind + 1, names + [v], depth + 1, True)
            if r.random() < 0.3:
                self.lines.append(f"{pad}else:")
                self.block(ind + 1, names, depth + 1, in_loop)
            if self.temps and k == "while":
                names.append(v)  # bound before the loop: readable after it

    def program(self) -> str:
        self.lines = ["def f(a, b, c):"]
        names = self.block(1, ["a", "b", "c"], 0, False)
        last = f" + {self.r.choice(names)}" if self.temps else ""
        self.lines.append(f"    return a + b{last}, c")
        return "\n".join(self.lines) + "\n"


SEEDS = range(150)
TEMP_SEEDS = range(1000, 1100)


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    d = tmp_path_factory.mktemp("progs")
    out = []
    for seed in [*SEEDS, *TEMP_SEEDS]:
        path = d / f"prog_{seed}.py"
        path.write_text(Gen(seed, temps=seed in TEMP_SEEDS).program())
        spec = importlib.util.spec_from_file_location(f"ember_frontend_prog_{seed}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        out.append((path.read_text(), mod.f))
    return out


def test_random_programs_match_cpython(programs):
    rnd = random.Random(1234)
    for text, fn in programs:
        ir = build_function(fn)
        check_structure(ir)
        for _ in range(6):
            args = [rnd.randint(-5, 8) for _ in range(3)]
            want = fn(*args)
            got = Interpreter().call(ir, args)
            assert got == want, f"{args}: CPython {want}, IR {got}\n{text}"
