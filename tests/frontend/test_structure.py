"""The shape of the IR the frontend builds: which structured ops, what they yield and carry,
value names, locations."""
import inspect

from ember.frontend import build_function
from ember.ir.types import BOOL, I64, UNKNOWN

from .structure import check_structure


def build(fn):
    f = build_function(fn)
    check_structure(f)
    return f


def top_names(f):
    return [op.name for op in f.body.block.ops]


def all_names(f):
    return [op.name for op in f.walk()]


def test_loop_without_break_stays_for():
    def f(n):
        s = 0
        for i in range(n):
            if i == 2:
                continue
            s += i
        return s

    ir = build(f)
    assert "scf.for" in all_names(ir) and "scf.while" not in all_names(ir)
    loop = next(op for op in ir.walk() if op.name == "scf.for")
    body = loop.regions[0].block
    assert body.args[0].type == I64 and body.args[0].name == "i"
    # i is not read after the loop: only s is carried, the target is the induction variable
    assert [a.name for a in body.args[1:]] == ["s"]
    assert [r.name for r in loop.results] == ["s"]
    assert "py.undef" not in all_names(ir)


def test_for_target_carried_when_read_after():
    def f(n):
        s = 0
        for i in range(n):
            s += i
        return s + i  # Python keeps the target's last value

    ir = build(f)
    loop = next(op for op in ir.walk() if op.name == "scf.for")
    assert [a.name for a in loop.regions[0].block.args[1:]] == ["i", "s"]
    assert [r.name for r in loop.results] == ["i", "s"]
    assert ir.body.block.ops[-2].operands[1] is loop.results[0]  # s + i reads the result


def test_for_with_break_becomes_while():
    def f(n):
        for i in range(n):
            if i == 3:
                break
        return i

    ir = build(f)
    assert "scf.for" not in all_names(ir) and "scf.while" in all_names(ir)
    loop = next(op for op in ir.walk() if op.name == "scf.while")
    before = loop.regions[0].block
    assert [a.name for a in before.args] == ["counter", "i", "broke"]
    assert before.args[2].type == BOOL


def test_if_yields_only_assigned_names():
    def f(a, b):
        c = a
        if a > b:
            d = a
        else:
            c = b
        return c + d

    ir = build(f)
    ifop = next(op for op in ir.walk() if op.name == "scf.if")
    assert [r.name for r in ifop.results] == ["d", "c"]
    then_yield = ifop.regions[0].block.ops[-1]
    else_yield = ifop.regions[1].block.ops[-1]
    # d is unbound before the if and on the else path: py.undef there
    assert else_yield.operands[0].name == "d"
    assert any(op.name == "py.undef" for op in ifop.regions[1].block.ops)
    assert then_yield.operands[1] is ir.args[0]  # c unchanged on the then path


def test_if_without_assignments_has_no_results():
    def f(a):
        if a:
            pass
        return a

    ir = build(f)
    ifop = next(op for op in ir.walk() if op.name == "scf.if")
    assert ifop.results == []


def test_single_return_at_end_and_docstring_skipped():
    def f(x):
        """A docstring."""
        while x > 1:
            if x > 100:
                return 0
            x = x / 2
        return x

    ir = build(f)
    assert top_names(ir)[-1] == "func.return"
    assert all_names(ir).count("func.return") == 1


def test_procedure_returns_nothing():
    def f(n):
        for i in range(n):
            pass

    ir = build(f)
    assert ir.body.block.ops[-1].operands == []


def test_chain_evaluates_middle_once():
    def f(a, b, c):
        return a < (b + 1) < c

    ir = build(f)
    assert all_names(ir).count("py.add") == 1
    assert all_names(ir).count("scf.if") == 1


def test_locations_are_real_lines():
    def f(x):
        y = x + 1
        if y > 2:
            y = y * 3
        return y

    lines, first = inspect.getsourcelines(f)
    ir = build(f)
    assert ir.loc.line == first
    for op in ir.walk():
        assert op.loc is not None and op.loc.file == __file__, op
        assert first <= op.loc.line < first + len(lines), op
    mul = next(op for op in ir.walk() if op.name == "py.mul")
    assert mul.loc.line == first + 3
    assert mul.loc.col == lines[3].index("y * 3")


def test_arguments_and_name_hints():
    def f(alpha, beta, *, gamma=1):
        total = alpha + beta
        return total * gamma

    ir = build(f)
    assert [a.name for a in ir.args] == ["alpha", "beta", "gamma"]
    assert all(a.type == UNKNOWN for a in ir.args) and ir.return_type == UNKNOWN
    add = next(op for op in ir.walk() if op.name == "py.add")
    mul = next(op for op in ir.walk() if op.name == "py.mul")
    assert add.results[0].name == "total" and mul.results[0].name is None


def test_loop_flags_restored_for_outer_loop():
    def f(n):
        s = 0
        for i in range(n):
            for j in range(n):
                if j > i:
                    break
                s += 1
            if s > 20:
                break
        return s

    ir = build(f)
    whiles = [op for op in ir.walk() if op.name == "scf.while"]
    assert len(whiles) == 2
    outer, inner = whiles
    # the inner loop's break flag does not leak into the outer loop's carried values
    assert [a.name for a in outer.regions[0].block.args].count("broke") == 1
    from .interp import run
    for n in (0, 3, 10):
        assert run(f, n) == f(n)


def test_while_without_flags_condition_is_test():
    def f(x):
        while x < 10:
            x += 1
        return x

    ir = build(f)
    loop = next(op for op in ir.walk() if op.name == "scf.while")
    before_ops = [op.name for op in loop.regions[0].block.ops]
    assert before_ops == ["arith.constant", "py.lt", "py.truth", "scf.condition"]
