"""Unsupported constructs and bad names raise UnsupportedSyntaxError (or TypingError) whose
location points at the construct in the user's file: real line, real column."""
import inspect
import math

import pytest

from ember.frontend import build_function
from ember.ir.errors import CompileError, TypingError, UnsupportedSyntaxError

CONST_LIST = [1, 2]


def e_with(x):
    with open("f") as fh:
        return x


def e_lambda(x):
    f = lambda y: y + 1
    return x


def e_string(x):
    s = b"abc"
    return x


def e_fstring(x):
    s = f"{x}"
    return x


def e_unknown_call(x):
    return open(x)


def e_global(x):
    global CONST_LIST
    return x


def e_nonlocal_like_del(x):
    y = x
    del y
    return x


def e_star(x):
    a, *b = x, x, x
    return a


def e_yield(x):
    yield x


def e_try(x):
    try:
        x = 1
    except Exception as err:
        x = err
    return x


def e_import(x):
    import os
    return x


def e_list(x):
    return [*x]


def e_dict(x):
    return {**x}


def e_listcomp(x):
    return {i for i in range(x)}


def e_attr_store(x):
    x.y = 1
    return x


def e_subscript_store(x):
    x[0].y = 1
    return x


def e_walrus(x):
    if (y := x) > 1:
        return y
    return x


def e_undefined(x):
    return x + not_defined_anywhere


def e_before_assign(x):
    if x:
        z = 1
    return w + x if False else w
    w = 2


def e_nested_def(x):
    def inner(y):
        return y
    return x


def e_class(x):
    class K:
        pass
    return x


def e_is(x):
    return x is x


def e_in(x):
    return x is not None


def e_none_value(x):
    y = None
    return x


def e_global_list(x):
    return CONST_LIST


def e_min_iterable(x):
    return min(x, key=abs)


def e_for_over_tuple(x):
    for v in map(abs, x):
        x += v
    return x


def e_range_value(x):
    r = range(x)
    return x


def e_module_value(x):
    m = math
    return x


def e_matmul(x):
    return x is not x


def e_bare_raise(x):
    raise


def e_match(x):
    match x:
        case 1:
            return 1
    return x


def e_starred_call(x):
    return max(*x)


def e_local_call(x):
    f = x
    return f(x)


def e_big_int(x):
    return x + 2 ** 70 + 100000000000000000000000


CASES = [
    (e_with, 'with open("f")', "with"),
    (e_lambda, "lambda y", "lambda"),
    (e_string, 'b"abc"', "bytes"),
    (e_fstring, 'f"{x}"', "f-string"),
    (e_unknown_call, "open(x)", "open"),
    (e_global, "global CONST_LIST", "global"),
    (e_nonlocal_like_del, "del y", "del"),
    (e_star, "*b", "star"),
    (e_yield, "yield x", "yield"),
    (e_try, "err\n", "re-raised"),
    (e_import, "import os", "import"),
    (e_list, "*x", "star"),
    (e_dict, "x", "unpacking"),
    (e_listcomp, "{i for i in range(x)}", "comprehension"),
    (e_attr_store, "x.y", "attribute"),
    (e_subscript_store, "x[0].y", "attribute"),
    (e_walrus, "y := x", ":="),
    (e_undefined, "not_defined_anywhere", "not defined"),
    (e_before_assign, "w + x", "before assignment"),
    (e_nested_def, "def inner", "nested function"),
    (e_class, "class K", "class"),
    (e_is, "x is x", "'is'"),
    (e_in, "x is not None", "'is not'"),
    (e_none_value, "None", "none"),
    (e_global_list, "CONST_LIST", "const_list"),
    (e_min_iterable, "key=abs", "key"),
    (e_for_over_tuple, "map(abs, x)", "map"),
    (e_range_value, "range(x)", "range"),
    (e_module_value, "math", "module"),
    (e_matmul, "x is not x", "'is not'"),
    (e_bare_raise, "raise", "raise"),
    (e_match, "match x:", "match"),
    (e_starred_call, "*x", "star"),
    (e_local_call, "f(x)", "local variable"),
    (e_big_int, "100000000000000000000000", "int64"),
]


def where(fn, snippet):
    """(line, col) of the first occurrence of `snippet` in `fn`'s source, after the def."""
    lines, first = inspect.getsourcelines(fn)
    for i, text in enumerate(lines[1:], start=1):
        if snippet in text:
            return first + i, text.index(snippet)
    raise AssertionError(f"{snippet!r} not in {fn.__name__}")


@pytest.mark.parametrize("fn,snippet,word", CASES, ids=[c[0].__name__ for c in CASES])
def test_located(fn, snippet, word):
    with pytest.raises(UnsupportedSyntaxError) as info:
        build_function(fn)
    err = info.value
    line, col = where(fn, snippet)
    assert err.loc is not None and err.loc.file == __file__
    assert (err.loc.line, err.loc.col) == (line, col), str(err)
    assert word in err.message.lower()
    assert "^" in str(err)


def test_caret_under_construct():
    with pytest.raises(UnsupportedSyntaxError) as info:
        build_function(e_lambda)
    lines = str(info.value).splitlines()
    src = next(i for i, l in enumerate(lines) if "lambda" in l and "f =" in l)
    assert lines[src + 1].index("^") == lines[src].index("lambda")


def test_varargs_rejected():
    def star(*args):
        return 1

    def kw(**kwargs):
        return 1

    for fn in (star, kw):
        with pytest.raises(UnsupportedSyntaxError, match="args"):
            build_function(fn)


def test_indented_function_keeps_real_columns():
    class Holder:
        @staticmethod
        def method(x):
            return x is x

    with pytest.raises(UnsupportedSyntaxError) as info:
        build_function(Holder.method)
    line, col = where(Holder.method, "x is x")
    assert (info.value.loc.line, info.value.loc.col) == (line, col)


def test_decorated_function_lines():
    def deco(f):
        return f

    @deco
    def decorated(x):
        y = x
        return b"s"

    with pytest.raises(UnsupportedSyntaxError) as info:
        build_function(decorated)
    assert (info.value.loc.line, info.value.loc.col) == where(decorated, 'b"s"')


def test_lambda_function_rejected():
    with pytest.raises(UnsupportedSyntaxError, match="lambda"):
        build_function(lambda x: x + 1)


def test_missing_argument_is_typing_error():
    def callee(a, b):
        return a + b

    def caller(x):
        return callee(x)

    with pytest.raises(TypingError, match="'b'") as info:
        build_function(caller)
    assert info.value.loc.line == where(caller, "callee(x)")[0]


def test_non_constant_default_is_typing_error():
    def callee(a, b=[1]):
        return a

    def caller(x):
        return callee(x)

    with pytest.raises(TypingError, match="default"):
        build_function(caller)


def test_math_arity():
    def bad(x):
        return math.sin(x, x)

    with pytest.raises(TypingError, match="sin"):
        build_function(bad)


def test_value_and_none_returns_mixed():
    def mixed(x):
        if x:
            return 1
        return

    def falls_off(x):
        for i in range(x):
            if i > 3:
                return i

    with pytest.raises(TypingError, match="None"):
        build_function(mixed)
    with pytest.raises(TypingError, match="end") as info:
        build_function(falls_off)
    assert info.value.loc.line == where(falls_off, "for i")[0] - 1


def test_compiler_frames_hidden():
    import traceback
    with pytest.raises(CompileError) as info:
        build_function(e_with)
    frames = traceback.extract_tb(info.tb)
    inside = [fr for fr in frames if "/frontend/" in fr.filename and "/tests/" not in fr.filename]
    assert len(inside) <= 1, inside  # only build_function's own raise
