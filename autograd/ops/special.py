"""Elementwise special functions: logarithms in other bases, hyperbolic and inverse
trigonometric functions, erf and its kin, rounding, and the binary atan2 / fmod / remainder.

Each unary primitive names its forward (an array function) and its derivative f'(x) written
in Tensor ops, so backward (grad * f'(x)), the jvp (ẋ f'(x)) and second derivatives all come
from that one line.
"""

import math

from autograd.broadcast import sum_to
from autograd.function import Function
from autograd.ops._util import broadcast_error, promote, shape_of
from autograd.ops.elementwise import _floating
from autograd.tensor import Tensor, _defaults

LN2 = math.log(2.0)
LN10 = math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class _Primitive(Function):
    _builtin = True


class _Unary(_Primitive):
    """y = f(x) for a float f (an integer input computes in the default float dtype).
    Subclasses give `_f(backend, array)` and `_d(x)`, the local gradient f'(x) in Tensor ops."""

    @classmethod
    def forward(cls, ctx, x):
        ctx.save_for_backward(x)
        with _quiet(x.xp):  # outside the domain: NaN or inf, silently, as PyTorch
            return cls._f(x._backend, _floating(x))

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
    _d = staticmethod(lambda x: 1 / (x * LN10))


class Log2(_Unary):
    """y = log2 x.  dy/dx = 1 / (x ln 2)."""

    _f = _xp("log2")
    _d = staticmethod(lambda x: 1 / (x * LN2))


class Exp2(_Unary):
    """y = 2^x.  dy/dx = 2^x ln 2."""

    _f = _xp("exp2")
    _d = staticmethod(lambda x: Exp2.apply(x) * LN2)


class Tan(_Unary):
    """y = tan x.  dy/dx = 1 + tan^2 x."""

    _f = _xp("tan")
    _d = staticmethod(lambda x: 1 + Tan.apply(x) ** 2)


class Sinh(_Unary):
    """y = sinh x.  dy/dx = cosh x."""

    _f = _xp("sinh")
    _d = staticmethod(lambda x: Cosh.apply(x))


class Cosh(_Unary):
    """y = cosh x.  dy/dx = sinh x."""

    _f = _xp("cosh")
    _d = staticmethod(lambda x: Sinh.apply(x))


class Asin(_Unary):
    """y = asin x.  dy/dx = 1 / sqrt(1 - x^2)."""

    _f = _xp("arcsin")
    _d = staticmethod(lambda x: (1 - x * x).rsqrt())


class Acos(_Unary):
    """y = acos x.  dy/dx = -1 / sqrt(1 - x^2)."""

    _f = _xp("arccos")
    _d = staticmethod(lambda x: -(1 - x * x).rsqrt())


class Atan(_Unary):
    """y = atan x.  dy/dx = 1 / (1 + x^2)."""

    _f = _xp("arctan")
    _d = staticmethod(lambda x: 1 / (1 + x * x))


class Asinh(_Unary):
    """y = asinh x.  dy/dx = 1 / sqrt(x^2 + 1)."""

    _f = _xp("arcsinh")
    _d = staticmethod(lambda x: (x * x + 1).rsqrt())


class Acosh(_Unary):
    """y = acosh x.  dy/dx = 1 / sqrt(x^2 - 1)."""

    _f = _xp("arccosh")
    _d = staticmethod(lambda x: (x * x - 1).rsqrt())


class Atanh(_Unary):
    """y = atanh x.  dy/dx = 1 / (1 - x^2)."""

    _f = _xp("arctanh")
    _d = staticmethod(lambda x: 1 / (1 - x * x))


class Erf(_Unary):
    """y = erf x.  dy/dx = 2/sqrt(pi) e^(-x^2)."""

    _f = staticmethod(lambda backend, a: backend.erf(a))
    _d = staticmethod(lambda x: (-(x * x)).exp() * TWO_OVER_SQRT_PI)


class Erfc(_Unary):
    """y = erfc x = 1 - erf x.  dy/dx = -2/sqrt(pi) e^(-x^2)."""

    _f = staticmethod(lambda backend, a: backend.erfc(a))
    _d = staticmethod(lambda x: (-(x * x)).exp() * -TWO_OVER_SQRT_PI)


class Erfinv(_Unary):
    """y = erf^-1 x.  dy/dx = sqrt(pi)/2 e^(y^2)."""

    _f = staticmethod(lambda backend, a: backend.erfinv(a))
    _d = staticmethod(lambda x: (Erfinv.apply(x) ** 2).exp() * (math.sqrt(math.pi) / 2))


# ----------------------------------------------------------------------- rounding
class _Rounding(_Primitive):
    """Piecewise constant: dy/dx = 0. An integer or bool tensor comes back unchanged (a copy),
    as in PyTorch."""

    @classmethod
    def forward(cls, ctx, x, *args):
        a = x.array
        if a.dtype.kind != "f":
            return a.copy()
        return cls._f(x.xp, a, *args)

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
    """z = f(x, y) with broadcasting and PyTorch's promotion."""

    name = None

    @classmethod
    def forward(cls, ctx, x, y):
        a, b, dt = promote(x, y)  # float16 beside a scalar computes in float32 (opmath)
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
        nx, ny = ctx.needs_input_grad
        dx, dy = cls._d(x, y, nx, ny)
        return (
            sum_to(grad * dx, shape_of(x)) if nx else None,
            sum_to(grad * dy, shape_of(y)) if ny else None,
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
        if a.dtype.kind != "f":  # promoted alike: integers give the default float
            a = a.astype(_defaults.dtype)
            b = b.astype(_defaults.dtype)
        return xp.arctan2(a, b)

    @staticmethod
    def _dtype(dt):
        return dt if dt.kind == "f" else _defaults.dtype

    @staticmethod
    def _d(y, x, ny, nx):
        r2 = x * x + y * y
        return x / r2, -y / r2


class Fmod(_Binary):
    """z = x - trunc(x / y) y (sign of x, as C's fmod).  dz/dx = 1, dz/dy = -trunc(x / y)."""

    name = "fmod"

    @staticmethod
    def _f(xp, a, b):
        return xp.fmod(a, b)

    @staticmethod
    def _d(x, y, nx, ny):
        return 1, (-Trunc.apply(x / y) if ny else None)


class Remainder(_Binary):
    """z = x - floor(x / y) y (sign of y, as Python's %).  dz/dx = 1, dz/dy = -floor(x / y)."""

    name = "remainder"

    @staticmethod
    def _f(xp, a, b):
        return xp.remainder(a, b)

    @staticmethod
    def _d(x, y, nx, ny):
        return 1, (-Floor.apply(x / y) if ny else None)


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
