"""Elementwise special functions: logarithms in other bases, hyperbolic and inverse
trigonometric functions, erf and its kin, rounding, and the binary atan2 / fmod / remainder.

Each unary primitive names its forward (an array function) and its derivative f'(x) written
in operations that Tensors and raw arrays share (operators and `Fn.call`), so backward
(grad * f'(x)) at both speeds, the jvp (ẋ f'(x)) and second derivatives all come from that
one line.
"""

import math

from autograd._tensor import Tensor, _defaults, _wrap
from autograd.function import Primitive
from autograd.grad_mode import state as _grad
from autograd.ops import elementwise
from autograd.ops._util import _quiet, broadcast_error, like, promote, xp_of
from autograd.ops.elementwise import Exp, Sqrt, _floating, _times
from autograd.ops.shape import sum_to
from backends import backend_of, dtypes

LN2 = math.log(2.0)
LN10 = math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class _Unary(elementwise._Unary):
    """y = f(x) for a float f (an integer input computes in the default float dtype), quiet
    outside its domain. Subclasses give `_f(backend, array)` and `_d(x)`, the local gradient
    f'(x) in operations on x that a Tensor and a raw array both have: backward and the jvp
    multiply by it (elementwise._Unary's `_chain`)."""

    @classmethod
    def forward(cls, ctx, x):
        ctx.save_for_backward(x)
        with _quiet(x.xp):  # outside the domain: NaN or inf, silently, as PyTorch
            return cls._f(x._backend, _floating(x))

    @classmethod
    def kernel(cls, a):
        backend = backend_of(a)
        with _quiet(backend.xp):
            return cls._f(backend, a)

    @classmethod
    def _chain(cls, v, x):
        return v * cls._d(x)


def _xp(name):
    return staticmethod(lambda backend, a: getattr(backend.xp, name)(a))


class Log10(_Unary):
    """y = log10 x.  dy/dx = 1 / (x ln 10)."""

    _f = _xp("log10")
    _d = staticmethod(lambda x: 1 / _times(x, LN10))


class Log2(_Unary):
    """y = log2 x.  dy/dx = 1 / (x ln 2)."""

    _f = _xp("log2")
    _d = staticmethod(lambda x: 1 / _times(x, LN2))


class Exp2(_Unary):
    """y = 2^x.  dy/dx = 2^x ln 2."""

    _f = _xp("exp2")
    _d = staticmethod(lambda x: _times(Exp2.call(x), LN2))


class Reciprocal(_Unary):
    """y = 1/x.  dy/dx = -y^2 (PyTorch's form: at a tiny x, y^2 is inf, so a 0 gradient
    gives nan there, where -1/x^2 by way of the division would give 0)."""

    _f = staticmethod(lambda backend, a: 1 / a)
    _d = staticmethod(lambda x: -(Reciprocal.call(x) * Reciprocal.call(x)))


class Rsqrt(_Unary):
    """y = 1 / sqrt x.  dy/dx = -y^3 / 2 (PyTorch's form: where y^3 overflows, at a tiny x,
    a 0 gradient gives nan; float16 computes in float32 and rounds once)."""

    _f = staticmethod(
        lambda backend, a: (
            1 / backend.xp.sqrt(a)
            if a.dtype != dtypes.float16
            else (1 / backend.xp.sqrt(a.astype(dtypes.float32))).astype(dtypes.float16)
        )
    )
    _d = staticmethod(lambda x: -0.5 * Rsqrt.call(x) ** 3)


class Tan(_Unary):
    """y = tan x.  dy/dx = 1 + tan^2 x."""

    _f = _xp("tan")
    _d = staticmethod(lambda x: 1 + Tan.call(x) ** 2)


class Sinh(_Unary):
    """y = sinh x.  dy/dx = cosh x."""

    _f = _xp("sinh")
    _d = staticmethod(lambda x: Cosh.call(x))


class Cosh(_Unary):
    """y = cosh x.  dy/dx = sinh x."""

    _f = _xp("cosh")
    _d = staticmethod(lambda x: Sinh.call(x))


class Asin(_Unary):
    """y = asin x.  dy/dx = 1 / sqrt(1 - x^2)."""

    _f = _xp("arcsin")
    _d = staticmethod(lambda x: _rsqrt(1 - x * x))


class Acos(_Unary):
    """y = acos x.  dy/dx = -1 / sqrt(1 - x^2)."""

    _f = _xp("arccos")
    _d = staticmethod(lambda x: -_rsqrt(1 - x * x))


class Atan(_Unary):
    """y = atan x.  dy/dx = 1 / (1 + x^2)."""

    _f = _xp("arctan")
    _d = staticmethod(lambda x: 1 / (1 + x * x))


class Asinh(_Unary):
    """y = asinh x.  dy/dx = 1 / sqrt(x^2 + 1)."""

    _f = _xp("arcsinh")
    _d = staticmethod(lambda x: _rsqrt(x * x + 1))


class Acosh(_Unary):
    """y = acosh x.  dy/dx = 1 / sqrt(x^2 - 1)."""

    _f = _xp("arccosh")
    _d = staticmethod(lambda x: _rsqrt(x * x - 1))


class Atanh(_Unary):
    """y = atanh x.  dy/dx = 1 / (1 - x^2)."""

    _f = _xp("arctanh")
    _d = staticmethod(lambda x: 1 / (1 - x * x))


class Erf(_Unary):
    """y = erf x.  dy/dx = 2/sqrt(pi) e^(-x^2)."""

    _f = staticmethod(lambda backend, a: backend.erf(a))
    _d = staticmethod(lambda x: _times(Exp.call(-(x * x)), TWO_OVER_SQRT_PI))


class Erfc(_Unary):
    """y = erfc x = 1 - erf x.  dy/dx = -2/sqrt(pi) e^(-x^2)."""

    _f = staticmethod(lambda backend, a: backend.erfc(a))
    _d = staticmethod(lambda x: _times(Exp.call(-(x * x)), -TWO_OVER_SQRT_PI))


class Erfinv(_Unary):
    """y = erf^-1 x.  dy/dx = sqrt(pi)/2 e^(y^2)."""

    _f = staticmethod(lambda backend, a: backend.erfinv(a))
    _d = staticmethod(lambda x: _times(Exp.call(Erfinv.call(x) ** 2), math.sqrt(math.pi) / 2))


def _rsqrt(v):
    """1 / sqrt(v), as Tensor.rsqrt, for a Tensor or a raw array."""
    return 1 / Sqrt.call(v)


# ----------------------------------------------------------------------- rounding
class _Rounding(Primitive):
    """Piecewise constant: dy/dx = 0. An integer or bool tensor comes back unchanged (a copy),
    as in PyTorch."""

    _array_rule = True

    @classmethod
    def forward(cls, ctx, x, *args):
        return cls.kernel(x.array, *args)

    @classmethod
    def kernel(cls, a, *args):
        if a.dtype.kind != "f":
            return a.copy()
        return cls._f(backend_of(a).xp, a, *args)

    @staticmethod
    def backward(ctx, grad):
        return (grad * 0,) + (None,) * (len(ctx.needs_input_grad) - 1)

    @staticmethod
    def jvp(ctx, tx, *_):
        return tx * 0


class Floor(_Rounding):
    """y = floor x.  dy/dx = 0."""

    _f = staticmethod(lambda xp, a: xp.floor(a))


class Ceil(_Rounding):
    """y = ceil x.  dy/dx = 0."""

    _f = staticmethod(lambda xp, a: xp.ceil(a))


class Trunc(_Rounding):
    """y = trunc x (towards zero).  dy/dx = 0."""

    _f = staticmethod(lambda xp, a: xp.trunc(a))


class Round(_Rounding):
    """y = x rounded half to even, at `decimals` digits.  dy/dx = 0."""

    @staticmethod
    def _f(xp, a, decimals=0):
        if decimals == 0:
            return xp.rint(a)
        # PyTorch's order of operations: x * 10^d for d > 0, x / 10^-d for d < 0.
        if decimals > 0:
            scale = xp.asarray(10.0**decimals, dtype=a.dtype)
            return xp.rint(a * scale) / scale
        scale = xp.asarray(10.0**-decimals, dtype=a.dtype)
        return xp.rint(a / scale) * scale


# ----------------------------------------------------------------------- binary
class _Binary(Primitive):
    """z = f(x, y) with broadcasting and PyTorch's promotion.

    Subclasses give `_f(xp, a, b)` and `_d(x, y, nx, ny)`, the local gradients in operations
    that Tensors and raw arrays share. At array speed an operand of another dtype than the
    result (an integer tensor, a float64 0-d one beside float32) is cast to it where PyTorch
    would cast it (`_as`): numpy would widen int64 / float32 to float64 instead."""

    _array_rule = True
    name = None
    _opmath = True  # float16 beside a scalar computes in float32 (PyTorch's div kernels)

    @classmethod
    def forward(cls, ctx, x, y):
        a, b, dt = promote(x, y, opmath=cls._opmath)
        ctx.save_for_backward(x, y)
        xp = (x if isinstance(x, Tensor) else y).xp
        try:
            with _quiet(xp):
                out = cls._f(xp, a, b)
        except ValueError:
            raise broadcast_error(cls.name, x, y) from None
        dt = cls._dtype(dt)
        return out if out.dtype == dt else out.astype(dt)

    @staticmethod
    def _dtype(dt):
        """The result dtype, from the promoted one."""
        return dt

    @classmethod
    def backward(cls, ctx, grad):
        x, y = ctx.saved_tensors
        if cls._opmath is False and _grad.raw:
            # as given: the array-speed walk hands a 0-d float64 y over in float16 (7e4 as
            # inf), where PyTorch's div kernels take it as a float32 scalar
            x, y = (v.array if isinstance(v, Tensor) else v for v in ctx._saved)
        nx, ny = ctx.needs_input_grad
        dx, dy = cls._d(x, y, nx, ny)
        return (
            sum_to(grad * _as(dx, grad), _shape(x)) if nx else None,
            sum_to(grad * _as(dy, grad), _shape(y)) if ny else None,
        )

    @classmethod
    def jvp(cls, ctx, tx, ty):
        x, y = ctx.args
        dx, dy = cls._d(x, y, tx is not None, ty is not None)
        tz = None if tx is None else tx * dx
        if ty is not None:
            tz = ty * dy if tz is None else tz + ty * dy
        return tz


class Atan2(_Binary):
    """z = atan2(y, x), the angle of (x, y).  dz/dy = x / (x^2 + y^2), dz/dx = -y / (x^2 + y^2)."""

    name = "atan2"
    _opmath = False  # PyTorch casts a scalar to float16 first: 1e-9 is 0 there

    @staticmethod
    def _f(xp, a, b):
        if a.dtype.kind != "f":  # promoted alike: integers give the default float
            a = a.astype(_defaults.dtype)
            b = b.astype(_defaults.dtype)
        return xp.arctan2(a, b)

    @staticmethod
    def _dtype(dt):
        return dt if dt.kind == "f" else _defaults.dtype

    @staticmethod
    def _d(y, x, ny, nx):
        r2 = x * x
        r2 = _as(r2, y) + _as(y * y, r2)  # int x * x stays int64, as PyTorch's
        return _as(x, r2) / r2, _as(-y, r2) / r2


class Fmod(_Binary):
    """z = x - trunc(x / y) y (sign of x, as C's fmod).  dz/dx = 1, dz/dy = -trunc(x / y)."""

    name = "fmod"
    _opmath = False  # PyTorch casts a scalar to float16 first: 1e-9 is 0 there

    @staticmethod
    def _f(xp, a, b):
        return xp.fmod(a, b)

    @staticmethod
    def _d(x, y, nx, ny):
        if not ny:
            return 1, None
        wide = _scalar_opmath(x, y)
        if wide is not None:
            xp = backend_of(wide[0]).xp
            with _quiet(xp):
                return 1, -xp.trunc(wide[0] / wide[1]).astype(dtypes.float16)
        return 1, -Trunc.call(_as(x, y) / _as(y, x))


class _RoundedDiv(_Binary):
    """x / y rounded to an integer value, in the promoted dtype (integers stay integers).
    dz/dx = dz/dy = 0: piecewise constant (zeros, even for an inf or nan grad, as PyTorch)."""

    name = "div"

    @staticmethod
    def _d(x, y, nx, ny):
        return 0, 0

    @classmethod
    def backward(cls, ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        xp = xp_of(grad)
        return (
            like(xp.zeros(_shape(x), dtype=grad.dtype), grad) if nx else None,
            like(xp.zeros(_shape(y), dtype=grad.dtype), grad) if ny else None,
        )


class DivFloor(_RoundedDiv):
    """z = floor(x / y), Python's x // y (div(rounding_mode="floor"); 1 // 0.1 is 9)."""

    @staticmethod
    def _f(xp, a, b):
        return xp.floor_divide(a, b)


class FloorDivide(DivFloor):
    """z = x // y (torch.floor_divide): DivFloor's values, but no derivative, as PyTorch's
    (its backward raises rather than give the zeros of div(rounding_mode="floor"))."""

    @classmethod
    def backward(cls, ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")

    @staticmethod
    def jvp(ctx, tx, ty):
        raise NotImplementedError(
            "Trying to use forward AD with aten::floor_divide that does not support it."
        )


class DivTrunc(_RoundedDiv):
    """z = trunc(x / y), rounded toward zero (div(rounding_mode="trunc"), C's integer /)."""

    @staticmethod
    def _f(xp, a, b):
        if a.dtype.kind == "f":
            return xp.trunc(a / b)
        q = xp.floor_divide(a, b)
        return q + ((q * b != a) & ((a < 0) != (b < 0)))  # floor below zero is one too low


class Remainder(_Binary):
    """z = x - floor(x / y) y (sign of y, as Python's %).  dz/dx = 1, dz/dy = -(x // y).

    Floats by PyTorch's formula, fmod(x, y) + y where that is nonzero and of y's opposite
    sign (so -0 % 1 is -0 and 3 % -3 is 0, where numpy gives the sign of y); x // y is
    Python's floor division, as PyTorch's div(rounding_mode="floor") (1 // 0.1 is 9, where
    floor(1 / 0.1) is 10). A Python number x (2 % t) has no gradient for y in PyTorch: its
    backward raises."""

    name = "remainder"
    _opmath = False  # PyTorch casts a scalar to float16 first: 1e-9 is 0 there

    @staticmethod
    def _f(xp, a, b):
        if a.dtype.kind != "f":
            return xp.remainder(a, b)
        m = xp.fmod(a, b)
        return xp.where((m != 0) & ((b < 0) != (m < 0)), m + b, m)

    @staticmethod
    def _d(x, y, nx, ny):
        if ny and not hasattr(x, "dtype"):
            raise RuntimeError("derivative for aten::remainder is not implemented")
        return 1, (-_floor_quotient(x, y) if ny else None)


def _floor_quotient(x, y):
    """x // y, rounded from the exact quotient as Python's and PyTorch's floor division:
    Floor of x / y (recorded at the Tensor speed, so that its gradient is zero, as PyTorch's)
    moved to floor_divide's value where the rounded quotient crossed an integer."""
    wide = _scalar_opmath(x, y)
    if wide is not None:
        xp = backend_of(wide[0]).xp
        with _quiet(xp):
            return xp.floor_divide(wide[0], wide[1]).astype(dtypes.float16)
    q = Floor.call(_as(x, y) / _as(y, x))
    qa = q.array if isinstance(q, Tensor) else q
    xp = backend_of(qa).xp
    a = x.array if isinstance(x, Tensor) else x
    b = y.array if isinstance(y, Tensor) else y
    with _quiet(xp):
        exact = xp.floor_divide(xp.asarray(a, dtype=qa.dtype), xp.asarray(b, dtype=qa.dtype))
        # subtracted, so that a -0 quotient stays -0 (-0 + 0 would be +0)
        step = xp.where(exact == qa, 0, qa - exact).astype(qa.dtype, copy=False)
    return q - (_wrap(step, q._backend) if isinstance(q, Tensor) else step)


def _scalar_opmath(x, y):
    """x and y as float32 arrays where PyTorch's div kernels take y as a float32 scalar (a
    float16 result, y a 0-d array of a wider dtype: 7e4 is no inf there), for the quotients of
    the fmod / remainder gradients on raw arrays; else None (a Tensor op does it itself)."""
    if isinstance(x, Tensor) or isinstance(y, Tensor) or not hasattr(y, "dtype") or y.ndim:
        return None
    if y.dtype == dtypes.float16 or dtypes.result_types((x, y), _defaults.dtype) != dtypes.float16:
        return None
    xp = backend_of(y).xp
    return xp.asarray(x, dtype=dtypes.float32), y.astype(dtypes.float32)


def _shape(v):
    """The shape of an operand: a Tensor's or an array's, () for a Python number."""
    return getattr(v, "shape", ())


def _as(v, other):
    """Raw array v cast to PyTorch's result dtype of a binary op on v and other, where numpy
    would promote otherwise (int64 / float32 is float64 in numpy, float32 in PyTorch; so is
    a float64 0-d tensor beside a float32 one); Tensors and numbers as they are (a Tensor op
    promotes as PyTorch)."""
    if isinstance(v, Tensor) or not hasattr(v, "dtype"):
        return v
    dt = dtypes.result_types((v, other), _defaults.dtype)
    return v if v.dtype == dt else v.astype(dt)


# ----------------------------------------------------------------------- gelu (helper memory)
# erf by the rational approximations of Hart et al., "Computer Approximations" (1968), as in
# the BSD libm: erf(x) = x P1(x^2) / Q1(x^2) for |x| < 1/2, erfc(x) = e^(-x^2) P2(x) / Q2(x)
# above; relative error about 1e-18, below float64 rounding. Lowest degree first.
_P1 = (8.04373630960840172832162e4, 7.40407142710151470082064e3, 3.01782788536507577809226e3,
       3.80140318123903008244444e1, 1.43383842191748205576712e1, -2.88805137207594084924010e-1,
       7.547728033418631287834e-3)  # fmt: skip
_Q1 = (8.04373630960840172826266e4, 3.42165257924628539769006e4, 6.37960017324428279487120e3,
       6.58070155459240506326937e2, 3.80190713951939403753468e1, 1.0)  # fmt: skip
_P2 = (1.8263348842295112592168999e3, 2.8980293292167655611275846e3,
       2.320439590251635247384768711e3, 1.143262070703886173606073338e3,
       3.685196154710010637133875746e2, 7.708161730368428609781633646e1,
       9.675807882987265400604202961e0, 5.641877825507397413087057563e-1)  # fmt: skip
_Q2 = (1.8263348842295112595576438e3, 4.95882756472114071495438422e3,
       6.0895424232724435504633068e3, 4.429612803883682726711528526e3,
       2.094384367789539593790281779e3, 6.617361207107653469211984771e2,
       1.371255960500622202878443578e2, 1.714980943627607849376131193e1, 1.0)  # fmt: skip


def _horner(coefficients, x):
    out = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        out = out * x + c
    return out


def erf_rational(xp, a):
    """erf of a floating array by the rational approximations above, in a's dtype (float16
    computes in float32: the coefficients overflow float16)."""
    if a.dtype.itemsize < 4:
        return erf_rational(xp, a.astype("float32")).astype(a.dtype)
    z = xp.abs(a)
    small = xp.minimum(z, 0.5)  # each branch sees only its own range: no overflow
    large = xp.clip(z, 0.5, 10.0)
    near = small * _horner(_P1, small * small) / _horner(_Q1, small * small)
    far = 1.0 - xp.exp(-large * large) * _horner(_P2, large) / _horner(_Q2, large)
    out = xp.sign(a) * xp.where(z < 0.5, near * TWO_OVER_SQRT_PI, far)
    return out.astype(a.dtype, copy=False)


_CHUNK = 1 << 16  # elements per block of an elementwise op with many temporaries
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _blocks(shape):
    """Index tuples that cut an array of `shape` into blocks of about _CHUNK elements along
    its first axis longer than 1 (the axes before it have length 1), so that a computation
    with many temporaries needs them for one block at a time, not for the whole array."""
    axis = next((i for i, s in enumerate(shape) if s > 1), None)
    if axis is None or 0 in shape:
        yield ()
        return
    inner = 1
    for s in shape[axis + 1 :]:
        inner *= s
    step = max(1, _CHUNK // max(inner, 1))
    lead = (0,) * axis
    for i in range(0, shape[axis], step):
        yield lead + (slice(i, i + step),)


def _gelu_block(xp, x):
    """x Phi(x) = x (erf(x / sqrt 2) + 1) / 2 on a block, in the order of operations of
    F.gelu's former composition (so the values are unchanged to the bit)."""
    e = erf_rational(xp, x * _INV_SQRT2)
    e += 1.0
    e *= x
    e *= 0.5
    return e


def _gelu_grad_block(xp, g, x):
    """g dgelu/dx = g (Phi(x) + x phi(x)) on a block, in the order of operations of the
    former composition's backward: (g/2)(erf(u) + 1) + (((g/2) x) e^(-u^2) 2/sqrt(pi)) / sqrt 2,
    u = x / sqrt 2."""
    u = x * _INV_SQRT2
    half = g * 0.5
    out = erf_rational(xp, u)
    out += 1.0
    out *= half
    half *= x
    u *= u
    xp.negative(u, out=u)
    xp.exp(u, out=u)
    half *= u
    half *= TWO_OVER_SQRT_PI
    half *= _INV_SQRT2
    out += half
    return out


def _blockwise(fn, xp, out_like, *arrays):
    """fn(xp, *blocks) written block by block into one new array shaped as out_like."""
    out = xp.empty(out_like.shape, dtype=out_like.dtype)
    if out.ndim == 0:
        return _blockwise(fn, xp, out.reshape(1), *(a.reshape(1) for a in arrays)).reshape(())
    arrays = [xp.broadcast_to(a, out.shape) for a in arrays]  # views: no copies
    # float16 computes in float32 and rounds once, as PyTorch's opmath
    wide = "float32" if out.dtype.itemsize < 4 else None
    with _quiet(xp):
        for index in _blocks(out.shape):
            out[index] = fn(xp, *(a[index].astype(wide or a.dtype, copy=False) for a in arrays))
    return out


class Gelu(Primitive):
    """y = x Phi(x) = x (1 + erf(x / sqrt 2)) / 2.  dy/dx = Phi(x) + x phi(x), phi the
    standard normal density.

    A primitive for memory, as PyTorch's: forward and backward each make one new array and
    compute block by block, where the composition kept a dozen temporaries the input's size.
    """

    _array_rule = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x.array
        return _blockwise(_gelu_block, x.xp, a, a)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return GeluGrad.call(grad, x)

    @staticmethod
    def jvp(ctx, tx):
        return GeluGrad.apply(tx, ctx.args[0])


class GeluGrad(Primitive):
    """z = g dgelu/dx (x), gelu's backward as one op.  dz/dg = dgelu/dx,
    dz/dx = g d2gelu/dx2 = g phi(x) (2 - x^2)."""

    _array_rule = True

    @staticmethod
    def forward(ctx, g, x):
        ctx.save_for_backward(g, x)
        return GeluGrad.kernel(g.array, x.array)

    @staticmethod
    def kernel(g, x):
        return _blockwise(_gelu_grad_block, backend_of(x).xp, x, g, x)

    @staticmethod
    def backward(ctx, grad):
        g, x = ctx.saved_tensors
        ng, nx = ctx.needs_input_grad
        gg = GeluGrad.call(grad, x) if ng else None
        gx = grad * g * _gelu_second(x) if nx else None
        return gg, gx

    @staticmethod
    def jvp(ctx, tg, tx):
        """ż = ġ dgelu/dx + g d2gelu/dx2 ẋ."""
        g, x = ctx.args
        tz = None if tg is None else GeluGrad.apply(tg, x)
        if tx is not None:
            term = g * _gelu_second(x) * tx
            tz = term if tz is None else tz + term
        return tz


def _gelu_second(x):
    """d2gelu/dx2 = phi(x) (2 - x^2), in operations that Tensors and raw arrays share."""
    x2 = x * x
    return _times(Exp.call(x2 * -0.5), _INV_SQRT_2PI) * (2 - x2)
