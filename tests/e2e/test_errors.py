"""What a user sees when their code is outside the subset or badly typed."""
import traceback

import pytest

import ember
from ember.errors import TypingError, UnsupportedSyntaxError

COMPILER_DIRS = ("/frontend/", "/typeinfer/", "/ir/", "/backend/")


def uses_with(x):
    with open("f") as fh:
        return x


def uses_lambda(x):
    f = lambda y: y + 1
    return f(x)


def uses_string(x):
    s = b"abc" + b"d"
    return x


def uses_unknown_call(x):
    return open(x)


def uses_global(x):
    global COMPILER_DIRS
    return x


def uses_del(x):
    y = x
    del y
    return x


def uses_star(x):
    a, *b = x, x, x
    return a


def uses_yield(x):
    yield x


def conflict(n):
    if n > 0:
        v = 1.0
    else:
        v = (1, 2)
    return v


def first_line(fn):
    import inspect
    return inspect.getsourcelines(fn)[1]


@pytest.mark.parametrize("fn,line_offset,construct", [
    (uses_with, 1, "with"),
    (uses_lambda, 1, "lambda"),
    (uses_string, 1, "str"),
    (uses_unknown_call, 1, "open"),
    (uses_global, 1, "global"),
    (uses_del, 2, "del"),
    (uses_star, 1, "star"),
    (uses_yield, 1, "yield"),
])
def test_unsupported_syntax_located(fn, line_offset, construct):
    f = ember.jit(fn)
    with pytest.raises(UnsupportedSyntaxError) as info:
        f(1.0)
    err = info.value
    assert err.loc is not None
    assert err.loc.file == __file__
    assert err.loc.line == first_line(fn) + line_offset
    assert construct in str(err).lower()
    text = str(err)
    assert "^" in text and __file__ in text
    frames = traceback.extract_tb(info.tb)
    assert not any(any(d in fr.filename for d in COMPILER_DIRS) for fr in frames), frames


def test_caret_column():
    f = ember.jit(uses_lambda)
    with pytest.raises(UnsupportedSyntaxError) as info:
        f(1.0)
    # `    f = lambda y: y + 1`: the lambda starts at column 8 (0-based)
    assert info.value.loc.col == 8
    lines = str(info.value).splitlines()
    src = next(i for i, l in enumerate(lines) if "lambda" in l and "f =" in l)
    caret = lines[src + 1]
    assert caret.index("^") - lines[src].index("lambda") == 0


def test_type_conflict_names_variable_and_lines():
    f = ember.jit(conflict)
    with pytest.raises(TypingError) as info:
        f(1)
    msg = str(info.value)
    start = first_line(conflict)
    assert "'v'" in msg
    assert str(start + 2) in msg and str(start + 4) in msg


def test_unsupported_argument_type():
    f = ember.jit(conflict)
    with pytest.raises(TypeError, match="'n'.*bytes"):
        f(b"text")


def test_zero_division_messages_match_cpython():
    def int_div(a, b):
        return a // b

    def float_div(a, b):
        return a / b

    for fn, args in [(int_div, (1, 0)), (float_div, (1.0, 0.0)), (float_div, (1, 0))]:
        with pytest.raises(ZeroDivisionError) as want:
            fn(*args)
        with pytest.raises(ZeroDivisionError) as got:
            ember.jit(fn)(*args)
        assert str(got.value) == str(want.value)


def unpack_wrong_literal(x):
    a, b = x, x, x
    return a


def unpack_wrong_tuple(t):
    a, b = t
    return a


def test_unpacking_arity_is_checked():
    with pytest.raises(TypingError, match="3 (values|elements)"):
        ember.jit(unpack_wrong_literal)(1.0)
    with pytest.raises(TypingError, match="3 elements"):
        ember.jit(unpack_wrong_tuple)((1.0, 2.0, 3.0))
    assert ember.jit(unpack_wrong_tuple)((1.0, 2)) == 1.0
