"""NumPy's elementwise functions on complex elements (array_ufuncs.element hands them here).

Element semantics are NumPy's scalar loops: + - and * are the plain formulas (NumPy's
scalar loop and its short-array tail; its AVX-512 loop for long arrays fuses the
multiply into an FMA, so a long-array product can differ from NumPy's in the last bit,
never by more); `/` is NumPy's Smith division (`complex.npdiv`, bit for bit); absolute
is hypot; angle is atan2(im, re); == and != compare both parts. Orderings, maximum and
friends (NumPy orders complex numbers lexicographically) and the transcendental
functions other than exp/log/sqrt are a TypingError naming the function.
"""
from __future__ import annotations

from ember.ir.core import Value
from ember.ir.errors import TypingError
from ember.ir.types import BOOL, ScalarType

from .complex_emit import make, part_type, parts, to_complex
from .emit import Emitter

# numpy functions with a complex element rule here (after array_ufuncs.canonical)
COMPLEX_FUNCS = frozenset({"add", "subtract", "multiply", "divide", "negative", "positive",
                           "absolute", "square", "conjugate", "equal", "not_equal", "isnan",
                           "isinf", "isfinite", "where", "exp", "log", "sqrt", "angle",
                           "real", "imag", "logical_not", "logical_and", "logical_or",
                           "logical_xor"})


def supported(fn: str) -> bool:
    return fn in COMPLEX_FUNCS


def cast(em: Emitter, v: Value, t: ScalarType) -> Value:
    """NumPy's unsafe cast involving a complex type: to complex (imaginary part 0),
    complex to bool (either part nonzero), complex to real (the real part, as NumPy does
    with a ComplexWarning)."""
    s = v.type
    assert isinstance(s, ScalarType)
    if t.is_complex:
        if s.is_complex:
            return to_complex(em, v, t)
        from .array_ufuncs import np_cast
        return to_complex(em, np_cast(em, v, part_type(t)), t)
    re, im = parts(em, v)
    if t.is_bool:
        zero = em.const(0.0, re.type)
        return em.or_(em.cmpf("une", re, zero), em.cmpf("une", im, zero))
    from .array_ufuncs import np_cast
    return np_cast(em, re, t)


def element(em: Emitter, fn: str, xs: list[Value], out: ScalarType) -> Value:
    """numpy.`fn` of elements `xs` where an input is complex (already of the loop types)."""
    if fn == "where":
        from .array_ufuncs import truth
        return em.select(truth(em, xs[0]), xs[1], xs[2])
    if fn.startswith("logical_"):
        bs = [cast(em, x, BOOL) if x.type.is_complex else x for x in xs]  # type: ignore[union-attr]
        if fn == "logical_not":
            return em.not_(bs[0])
        name = {"logical_and": "andi", "logical_or": "ori", "logical_xor": "xori"}[fn]
        return em.op(f"arith.{name}", bs, BOOL)
    z = xs[0]
    t = z.type
    assert isinstance(t, ScalarType) and t.is_complex
    if fn in ("add", "subtract", "multiply", "divide"):
        name = {"add": "add", "subtract": "sub", "multiply": "mul", "divide": "npdiv"}[fn]
        return em.op(f"complex.{name}", xs, t)
    if fn == "negative":
        return em.op("complex.neg", [z], t)
    if fn == "positive":
        return z
    if fn == "conjugate":
        return em.op("complex.conj", [z], t)
    if fn == "square":
        return em.op("complex.mul", [z, z], t)
    if fn == "absolute":
        return em.op("complex.abs", [z], part_type(t))
    if fn in ("real", "imag"):
        return parts(em, z)[0 if fn == "real" else 1]
    if fn == "angle":
        re, im = parts(em, z)
        return em.op("math.atan2", [im, re], re.type)
    if fn in ("equal", "not_equal"):
        (ar, ai), (br, bi) = parts(em, z), parts(em, xs[1])
        eq = em.and_(em.cmpf("oeq", ar, br), em.cmpf("oeq", ai, bi))
        return eq if fn == "equal" else em.not_(eq)
    if fn in ("isnan", "isinf", "isfinite"):
        re, im = parts(em, z)
        a, b = em.fpred(fn, re), em.fpred(fn, im)
        return em.and_(a, b) if fn == "isfinite" else em.or_(a, b)
    if fn == "exp":
        re, im = parts(em, z)
        p = re.type
        r = em.op("math.exp", [re], p)
        return make(em, em.op("arith.mulf", [r, em.op("math.cos", [im], p)], p),
                    em.op("arith.mulf", [r, em.op("math.sin", [im], p)], p))
    if fn == "log":
        re, im = parts(em, z)
        p = re.type
        return make(em, em.op("math.log", [em.op("complex.abs", [z], p)], p),
                    em.op("math.atan2", [im, re], p))
    if fn == "sqrt":
        return _sqrt(em, z)
    raise TypingError(f"numpy.{fn} of complex values is not supported by ember", em.b.loc)


def _sqrt(em: Emitter, z: Value) -> Value:
    """Principal square root (the C99 csqrt algorithm: t = sqrt((|re| + |z|) / 2), no
    cancellation; the sign of the imaginary part follows im, also for -0.0)."""
    re, im = parts(em, z)
    p = re.type
    zero, half = em.const(0.0, p), em.const(0.5, p)
    a = em.op("complex.abs", [z], p)
    t = em.op("math.sqrt", [em.op("arith.mulf", [em.op("arith.addf", [
        em.op("math.fabs", [re], p), a], p), half], p)], p)
    q = em.op("arith.divf", [em.op("arith.mulf", [im, half], p), t], p)  # im / (2t)
    pos = em.cmpf("oge", re, zero)
    r_pos = make(em, t, q)
    r_neg = make(em, em.op("math.fabs", [q], p), em.op("math.copysign", [t, im], p))
    both0 = em.and_(em.cmpf("oeq", re, zero), em.cmpf("oeq", im, zero))
    r = em.select(pos, r_pos, r_neg)
    return em.select(both0, make(em, zero, im), r)


__all__ = ["element", "cast", "supported", "COMPLEX_FUNCS"]
