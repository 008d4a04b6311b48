"""Elementwise special functions: logarithms in other bases, hyperbolic and inverse
trigonometric functions, erf and its kin, rounding, and the binary atan2 / fmod / remainder.

Each unary primitive names its forward (an array function) and its derivative f'(x) written
in operations that Tensors and raw arrays share (operators and `Fn.call`), so backward
(grad * f'(x)) at both speeds, the jvp (ẋ f'(x)) and second derivatives all come from that
one line.
"""

import math

from autograd.broadcast import sum_to
from autograd.function import Function
from autograd.ops._util import broadcast_error, operands
from autograd.ops.elementwise import Exp, Sqrt, _floating
from autograd.tensor import Tensor, _defaults
from backends import backend_of, dtypes


def _kind(v):
    """The dtype kind of an array, or of a Python number as PyTorch reads it."""
    if hasattr(v, "dtype"):
        return v.dtype.kind
    return "f" if isinstance(v, float) else "i"


LN2 = math.log(2.0)
LN10 = math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class _Primitive(Function):
    _builtin = True


class _Unary(_Primitive):
    """y = f(x) for a float f (an integer input computes in the default float dtype).
    Subclasses give `_f(backend, array)` and `_d(x)`, the local gradient f'(x) in operations
    on x that a Tensor and a raw array both have."""

    _array_rule = True

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
    def backward(cls, ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * cls._d(x)

    @classmethod
    def jvp(cls, tangents, out, x):
        return tangents[0] * cls._d(x)


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


def _times(v, c):
    """v * c for a float constant c. A Tensor op on float16 computes in float32 and rounds
    once, as PyTorch's CPU kernels; numpy would round c to float16 first (log2's ln 2 is
    0.6934 there): a float16 array computes so too."""
    if v.dtype != dtypes.float16 or isinstance(v, Tensor):
        return v * c
    return (v.astype(dtypes.float32) * c).astype(dtypes.float16)


def _rsqrt(v):
    """1 / sqrt(v), as Tensor.rsqrt, for a Tensor or a raw array."""
    return 1 / Sqrt.call(v)


# ----------------------------------------------------------------------- rounding
class _Rounding(_Primitive):
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
    def jvp(tangents, out, x, *args):
        return tangents[0] * 0


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
class _Binary(_Primitive):
    """z = f(x, y) with broadcasting and PyTorch's promotion.

    Subclasses give `_f(xp, a, b)` and `_d(x, y, nx, ny)`, the local gradients in operations
    that Tensors and raw arrays share. At array speed an operand of another dtype than the
    result (an integer tensor, a float64 0-d one beside float32) is cast to it where PyTorch
    would cast it (`_as`): numpy would widen int64 / float32 to float64 instead."""

    _array_rule = True
    name = None

    @classmethod
    def forward(cls, ctx, x, y):
        a, b = operands(cls.name, x, y)
        ctx.save_for_backward(x, y)
        xp = (x if isinstance(x, Tensor) else y).xp
        try:
            with _quiet(xp):
                return cls._f(xp, a, b)
        except ValueError:
            raise broadcast_error(cls.name, x, y) from None

    @classmethod
    def backward(cls, ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        dx, dy = cls._d(x, y, nx, ny)
        return (
            sum_to(grad * _as(dx, grad), _shape(x)) if nx else None,
            sum_to(grad * _as(dy, grad), _shape(y)) if ny else None,
        )

    @classmethod
    def jvp(cls, tangents, out, x, y):
        tx, ty = tangents
        dx, dy = cls._d(x, y, tx is not None, ty is not None)
        tz = None if tx is None else tx * dx
        if ty is not None:
            tz = ty * dy if tz is None else tz + ty * dy
        return tz


class Atan2(_Binary):
    """z = atan2(y, x), the angle of (x, y).  dz/dy = x / (x^2 + y^2), dz/dx = -y / (x^2 + y^2)."""

    name = "atan2"

    @staticmethod
    def _f(xp, a, b):
        if _kind(a) != "f" and _kind(b) != "f":  # integers give the default float
            a = xp.asarray(a).astype(_defaults.dtype)
            b = xp.asarray(b).astype(_defaults.dtype)
        return xp.arctan2(a, b)

    @staticmethod
    def _d(y, x, ny, nx):
        r2 = x * x
        r2 = _as(r2, y) + _as(y * y, r2)  # int x * x stays int64, as PyTorch's
        return _as(x, r2) / r2, _as(-y, r2) / r2


class Fmod(_Binary):
    """z = x - trunc(x / y) y (sign of x, as C's fmod).  dz/dx = 1, dz/dy = -trunc(x / y)."""

    name = "fmod"

    @staticmethod
    def _f(xp, a, b):
        return xp.fmod(a, b)

    @staticmethod
    def _d(x, y, nx, ny):
        return 1, (-Trunc.call(_as(x, y) / _as(y, x)) if ny else None)


class Remainder(_Binary):
    """z = x - floor(x / y) y (sign of y, as Python's %).  dz/dx = 1, dz/dy = -floor(x / y)."""

    name = "remainder"

    @staticmethod
    def _f(xp, a, b):
        return xp.remainder(a, b)

    @staticmethod
    def _d(x, y, nx, ny):
        return 1, (-Floor.call(_as(x, y) / _as(y, x)) if ny else None)


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


class _quiet:
    """numpy's floating-point warnings off (cupy has none)."""

    def __init__(self, xp):
        self.state = xp.errstate(all="ignore") if hasattr(xp, "errstate") else None

    def __enter__(self):
        if self.state is not None:
            self.state.__enter__()

    def __exit__(self, *exc):
        if self.state is not None:
            self.state.__exit__(*exc)
