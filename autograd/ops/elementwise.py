"""Elementwise primitives, each with its local gradient in Tensor ops.

Where a derivative is the op's own output (exp, tanh, sigmoid, sqrt), backward recomputes it
when the graph of the backward is recorded, and otherwise wraps the saved array: saving the
output Tensor itself would form a cycle.
"""

import math
import operator

from autograd import function as _function
from autograd._tensor import Tensor, _as_tensor, _defaults, _wrap
from autograd.function import Node, Primitive
from autograd.grad_mode import state as _grad
from autograd.inplace import inplace
from autograd.ops._util import (
    _HALF,
    _OPMATH,
    array_of,
    binary,
    broadcast_error,
    in_float,
    like,
    output_of,
    promote,
    shape_of,
    xp_of,
    zero_where,
)
from autograd.ops.shape import Expand, Sum, sum_to
from backends import backend_of, dtypes, get_backend
from backends import errors as _errors


def _own(ctx, fn, tangent):
    """The op's output (ctx.output) for its jvp rule: recomputed when the rule is recorded,
    since a recorded tangent that held its own primal would keep it alive (forward_ad's table
    of tangents is keyed weakly by the primal)."""
    out = ctx.output
    if _grad.enabled and (out.requires_grad or tangent.requires_grad):
        return fn.apply(*ctx.args, **ctx.kwargs)
    return out


# ----------------------------------------------------------------------- binary
_ADD = operator.add
_SUB = operator.sub
_MUL = operator.mul


class Add(Primitive):
    """z = x + y.  dz/dx = dz/dy = 1 (the add gate distributes)."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.shapes = (shape_of(x), shape_of(y))
        return binary("add", _ADD, x, y, False)  # a float16 sum casts the scalar first

    @staticmethod
    def backward(ctx, grad):
        nx, ny = ctx.needs_input_grad
        sx, sy = ctx.shapes
        return (sum_to(grad, sx) if nx else None, sum_to(grad, sy) if ny else None)

    @staticmethod
    def jvp(ctx, tx, ty):
        if ty is None:
            return tx
        return ty if tx is None else tx + ty


class Sub(Primitive):
    """z = x - y.  dz/dx = 1, dz/dy = -1."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.shapes = (shape_of(x), shape_of(y))
        if _is_bool(x) or _is_bool(y):
            both = _is_bool(x) and _is_bool(y)  # a Python bool counts, as PyTorch's
            raise RuntimeError(
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                "`^` or `logical_xor()` operator instead."
                if both
                else "Subtraction, the `-` operator, with a bool tensor is not supported. If you "
                "are trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return binary("sub", _SUB, x, y, False)

    @staticmethod
    def backward(ctx, grad):
        nx, ny = ctx.needs_input_grad
        sx, sy = ctx.shapes
        return (sum_to(grad, sx) if nx else None, sum_to(-grad, sy) if ny else None)

    @staticmethod
    def jvp(ctx, tx, ty):
        if ty is None:
            return tx
        return -ty if tx is None else tx - ty


class Mul(Primitive):
    """z = x * y.  dz/dx = y, dz/dy = x (the mul gate swaps)."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        if x.__class__ is not Tensor and not isinstance(x, Tensor):
            ctx.number_first = True  # 2 * x lists x first, as PyTorch's x * 2 (its name)
        return binary("mul", _MUL, x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        return (
            sum_to(grad * in_float(y, grad), x.shape) if nx else None,
            sum_to(grad * in_float(x, grad), y.shape) if ny else None,
        )

    @staticmethod
    def jvp(ctx, tx, ty):
        """ż = ẋ y + x ẏ."""
        x, y = ctx.args
        if ty is None:
            return tx * y
        return x * ty if tx is None else tx * y + x * ty


class Div(Primitive):
    """z = x / y.  dz/dx = 1/y, dz/dy = -x/y^2."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        a, b, dt = promote(x, y)
        if dt.kind != "f":  # true division of integers gives the default float
            dt = _default_float()
            ref = x if isinstance(x, Tensor) else y
            a = _as_float(x, dt, ref)
            b = _as_float(y, dt, ref)
        try:
            out = a / b
        except ValueError:
            raise broadcast_error("div", x, y) from None
        return out if out.dtype == dt else out.astype(dt)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        y = in_float(y, grad)
        gy = None
        if ny and hasattr(x, "dtype"):  # a tensor over y: PyTorch's -g ((x / y) / y)
            gy = sum_to(-grad * ((in_float(x, grad) / y) / y), y.shape)
        elif ny:  # a number over y is reciprocal(y) * x in PyTorch: -(g x) (1/y)^2, whose
            r = 1 / y  # square under- or overflows (0 / tiny y, inf / y in float16) to nan
            gy = sum_to(-(grad * x) * (r * r), y.shape)
        return sum_to(grad / y, x.shape) if nx else None, gy

    @staticmethod
    def jvp(ctx, tx, ty):
        """ż = ẋ / y - x ẏ / y^2."""
        x, y = ctx.args
        tz = None if tx is None else tx / y
        if ty is not None:
            term = ty * x / (y * y)
            tz = -term if tz is None else tz - term
        return tz


class Pow(Primitive):
    """z = x^y.  dz/dx = y x^(y-1) (0 where y = 0), dz/dy = x^y ln x (0 where x = 0 and
    y >= 0), as PyTorch."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        ctx.kinds = (isinstance(x, Tensor), isinstance(y, Tensor))  # its name (PowBackward0/1/2)
        # no float32 opmath for float16 here: PyTorch's pow rounds a scalar to float16 first
        a, b, dt = promote(x, y, opmath=False)
        if not isinstance(y, Tensor):
            dtypes.checked_number(y, dt)  # PyTorch checks a scalar exponent
        if dt.kind in "iub":
            return _integer_pow(x, y, a, b, dt)
        try:
            return _float_pow((x if isinstance(x, Tensor) else y).xp, a, b, y, dt)
        except ValueError:
            raise broadcast_error("pow", x, y) from None

    @staticmethod
    def kernel(a, b):
        """x^y on raw arrays of a floating result (one may be a Python number), as forward."""
        ref = a if hasattr(a, "dtype") else b
        backend = backend_of(ref)
        dt = dtypes.result_types((a, b), _default_float())
        number = b
        a = a.astype(dt, copy=False) if hasattr(a, "dtype") else backend.scalar(a, dt)
        b = b.astype(dt, copy=False) if hasattr(b, "dtype") else backend.scalar(b, dt)
        return _float_pow(backend.xp, a, b, number, dt)

    @staticmethod
    def backward(ctx, grad):
        x, y = _as_given(ctx)
        nx, ny = ctx.needs_input_grad
        gx = sum_to(grad * _dpow_dx(x, y), x.shape) if nx else None
        gy = sum_to(grad * _dpow_dy(x, y), y.shape) if ny else None
        return gx, gy

    @staticmethod
    def jvp(ctx, tx, ty):
        """ż = y x^(y-1) ẋ + x^y ln x ẏ (with backward's zeros)."""
        x, y = ctx.args
        tz = None if tx is None else tx * _dpow_dx(x, y)
        if ty is not None:
            term = ty * _dpow_dy(x, y)
            tz = term if tz is None else tz + term
        return tz


def _float_pow(xp, a, b, y, dt):
    """a^b for arrays of a floating dtype dt (b the exponent as given: y, a number or not)."""
    if (y.__class__ is float or y.__class__ is int) and dt.itemsize > 2:
        # PyTorch's scalar exponents with a kernel of their own, in float32/64 (float16
        # computes pow itself: (-inf)^0.5 = inf, (-0)^-0.5 = inf): sqrt for ^0.5 and 1/sqrt
        # for ^-0.5 (so (-0)^0.5 = -0, (-inf)^0.5 = nan), x x x for ^3 and 1/(x x) for ^-2
        # (a third of float32 cubes are 1 ulp off numpy's pow)
        if y == 0.5 or y == -0.5:
            out = xp.sqrt(a)
            return (out if y > 0 else 1 / out).astype(dt, copy=False)
        if y == 3:
            out = a * a
            out *= a
            return out.astype(dt, copy=False)
        if y == -2:
            return (1 / (a * a)).astype(dt, copy=False)
    out = xp.power(a, b)
    if dt.itemsize > 2 and y.__class__ is not float and y.__class__ is not int:
        # numpy takes sqrt for an exponent of 0.5 it broadcasts (a 0-d one, say), where
        # PyTorch's tensor exponent takes pow: (-inf)^0.5 = inf and (-0)^0.5 = 0 there
        half = b == 0.5
        if half.any().item():
            out = xp.where(half & ((a == 0) | (a == -xp.inf)), xp.abs(a), out)
    return out if out.dtype == dt else out.astype(dt)


def _as_given(ctx):
    """pow's saved x and y in their own dtypes, at both speeds: the array-speed walk hands
    over a 0-d float beside a dimensioned tensor in the output's dtype, where PyTorch's rule
    compares x and y with 0 as they were given (a float64 1e-10 base is no 0 beside a float16
    exponent, though it is 0 in float16)."""
    saved = ctx.saved_tensors  # the version check
    if not _grad.raw:
        return saved
    return [array_of(v) for v in ctx._saved]


def _dpow_dx(x, y):
    """dz/dx = y x^(y-1), and 0 where y = 0 (so 0^0 and nan^0 have slope 0, as PyTorch).
    The where covers only the points where y x^(y-1) is not 0 already, so that elsewhere the
    derivative of dz/dx by y stays x^(y-1) (both orders of the mixed second derivative agree).
    A bool exponent is no 0 to PyTorch (its Scalar False never equals 0.0): x^False has slope
    0 x^-1, nan at x = 0. x and y: Tensors, or raw arrays (a Python number y either way)."""
    if not hasattr(y, "dtype"):
        if y.__class__ is bool:
            return _times(Pow.call(x, float(y) - 1), float(y))
        if y == 0:
            return like(xp_of(x).zeros(x.shape, dtype=x.dtype), x)
        return _times(Pow.call(x, y - 1), y)
    b = array_of(y)
    if b.dtype.kind == "b":  # PyTorch takes y - 1 of the bool tensor: Sub's error
        Sub.forward(_function._NO_CTX, y if isinstance(y, Tensor) else _wrap(b, backend_of(b)), 1)
    p = Pow.call(x, y - 1)
    slope = (y if y.dtype == p.dtype else Cast.call(y, p.dtype)) * p
    if b.dtype.kind != "f":  # y - 1 wraps at 0 for uint8; PyTorch's where covers all y = 0
        return Where.call(b == 0, 0.0, slope)
    # y = 0 beside x^(y-1) = inf or nan: 0 x, x = 0 or nan, or a tiny x whose 1/x overflows
    return Where.call((b == 0) & ~xp_of(p).isfinite(array_of(p)), 0.0, slope)


def _dpow_dy(x, y):
    """dz/dy = x^y ln x, and 0 where x = 0 and y >= 0, as PyTorch (x < 0 gives nan, and
    0^y with y < 0 gives -inf, as there). ln x is taken in the result dtype (a float16 x
    beside a float64 y: the log of x in float64; a float64 0-d x beside a float16 y: in
    float16, so 1e-10 gives -inf), a number x's in double, as PyTorch."""
    if hasattr(x, "dtype"):
        dt = dtypes.result_types((x, y), _default_float())
        logx = Log.call(x if x.dtype == dt else Cast.call(x, dt))
        zero = array_of(x) == 0
        value = Pow.call(x, y) * logx
    else:  # a number base: PyTorch takes its log in double, and x^y ln x as a scalar product
        v = float(x)
        logx = math.log(v) if v > 0 else -math.inf if v == 0 else math.nan
        value = _times(Pow.call(x, y), logx)
        zero = v == 0
    return Where.call(zero & (array_of(y) >= 0), 0.0, value)


class _Extremum(Primitive):
    """z = max(x, y) or min(x, y), elementwise: the gradient goes to the operand that `wins`
    (operator.gt for max); ties split it in half; at a nan both take it whole (neither
    wins), as PyTorch. Subclasses name numpy's function (`name`) and the comparisons."""

    _array_rule = True
    name = None  # "maximum" or "minimum"
    wins = loses = None  # operator.gt and .lt for max, the other way round for min

    @classmethod
    def forward(cls, ctx, x, y):
        ctx.save_for_backward(x, y)
        return binary(cls.name, getattr(x.xp, cls.name), x, y)

    @classmethod
    def backward(cls, ctx, grad):
        x, y = ctx.saved_tensors
        return _route(ctx, grad, x, y, cls.loses)

    @classmethod
    def jvp(cls, ctx, tx, ty):
        return _route_tangent(tx, ty, *ctx.args, cls.wins)


class Maximum(_Extremum):
    """z = max(x, y).  The gradient goes to the larger; ties split it in half; at a nan
    both take it whole (neither is smaller), as PyTorch."""

    name = "maximum"
    wins, loses = operator.gt, operator.lt


class Minimum(_Extremum):
    """z = min(x, y).  The gradient goes to the smaller; ties split it in half; at a nan
    both take it whole (neither is larger), as PyTorch."""

    name = "minimum"
    wins, loses = operator.lt, operator.gt


def _route(ctx, grad, x, y, loses):
    """PyTorch's where(x == y, grad / 2, grad).masked_fill_(x loses, 0) for x, and its twin
    for y: the losing side gets 0 even where grad is inf or nan (not 0 * grad). x and y are
    compared as PyTorch's kernel sees them (in the result dtype, a scalar in float16)."""
    if isinstance(x, Tensor):
        a, b, _ = promote(x, y, opmath=False)
    else:  # raw arrays: a float operand is in the output's (grad's) dtype already
        a = x.astype(grad.dtype, copy=False)
        b = y.astype(grad.dtype, copy=False)
    nx, ny = ctx.needs_input_grad
    tie = a == b
    half = grad / 2
    gx = Where.call(tie, half, grad) if nx else None
    gy = Where.call(tie, half, grad) if ny else None
    del half, tie  # before the masks: the peak is three arrays the size of grad
    if nx:
        gx = sum_to(_zero_where(loses(a, b), gx), x.shape)
    if ny:
        gy = sum_to(_zero_where(loses(b, a), gy), y.shape)
    return gx, gy


def _zero_where(mask, g):
    """g with 0 where mask: in place on g (a fresh array) at array speed, recorded else."""
    if isinstance(g, Tensor):
        return Where.apply(mask, 0.0, g)
    return zero_where(mask, g, inplace=True)


def _route_tangent(tx, ty, x, y, wins):
    """PyTorch's forward formula, term for term: ż = ẏ + w (ẋ - ẏ), w = 1/2 where x == y,
    else 1 where x wins (so at a nan x, ẏ), a missing tangent a zero that adds nothing."""
    a, b, _ = promote(x, y, opmath=False)
    dtype = (tx if tx is not None else ty).dtype
    scalar = x._backend.scalar
    w = x.xp.where(a == b, scalar(0.5, dtype), wins(a, b).astype(dtype))
    w = _wrap(w, x._backend)
    if ty is None:
        return w * tx
    return ty + w * (-ty if tx is None else tx - ty)


class Where(Primitive):
    """z = where(c, x, y).  dz/dx = c, dz/dy = not c."""

    _saved_attrs = ("cond",)
    _array_rule = True

    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.cond = cond
        ctx.shapes = (shape_of(x), shape_of(y))
        a, b, dt = promote(x, y)
        try:
            out = (x if isinstance(x, Tensor) else y).xp.where(cond, a, b)
            return out if out.dtype == dt else out.astype(dt)
        except ValueError:
            raise RuntimeError(
                f"where: condition {tuple(cond.shape)}, input {tuple(shape_of(x))} and other "
                f"{tuple(shape_of(y))} are not broadcastable"
            ) from None

    @staticmethod
    def kernel(cond, a, b):
        """where on two arrays of one dtype, or an array and a Python number."""
        return xp_of(a if hasattr(a, "dtype") else b).where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        _, nx, ny = ctx.needs_input_grad
        sx, sy = ctx.shapes
        zero = xp_of(grad).zeros((), dtype=grad.dtype)
        gx = sum_to(Where.call(ctx.cond, grad, zero), sx) if nx else None
        gy = sum_to(Where.call(ctx.cond, zero, grad), sy) if ny else None
        return None, gx, gy

    @staticmethod
    def jvp(ctx, _, tx, ty):
        """ż = where(c, ẋ, ẏ)."""
        cond = ctx.args[0]
        ref = tx if tx is not None else ty
        zero = ref.xp.zeros((), dtype=ref.dtype)
        return Where.apply(cond, zero if tx is None else tx, zero if ty is None else ty)


# ----------------------------------------------------------------------- unary


class Neg(Primitive):
    """y = -x.  dy/dx = -1."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x):
        if x.array.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return -x.array

    @staticmethod
    def backward(ctx, grad):
        return -grad

    @staticmethod
    def jvp(ctx, tx):
        return -tx


class Exp(Primitive):
    """y = e^x.  dy/dx = e^x."""

    _array_rule = True

    _saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.out = out = x.xp.exp(_floating(x))
        return out

    @staticmethod
    def kernel(a):
        return xp_of(a).exp(a)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * output_of(ctx, Exp, x)

    @staticmethod
    def jvp(ctx, tx):
        """ẏ = e^x ẋ."""
        return tx * _own(ctx, Exp, tx)


class _Unary(Primitive):
    """y = f(x), f the array module's float function `name` (an integer or bool x computes in
    the default float dtype). Subclasses give `_chain(v, x)`, v dy/dx in operations that
    Tensors and raw arrays share: backward (grad dy/dx, at both speeds) and the jvp (ẋ dy/dx)
    both come from that one line."""

    _array_rule = True
    name = None

    @classmethod
    def forward(cls, ctx, x):
        ctx.save_for_backward(x)
        return getattr(x.xp, cls.name)(_floating(x))

    @classmethod
    def kernel(cls, a):
        return getattr(xp_of(a), cls.name)(a)

    @classmethod
    def backward(cls, ctx, grad):
        (x,) = ctx.saved_tensors
        return cls._chain(grad, x)

    @classmethod
    def jvp(cls, ctx, tx):
        return cls._chain(tx, ctx.args[0])


class _UnaryOfOutput(_Unary):
    """A _Unary whose dy/dx reads best in its output: `_chain(v, y)`. forward keeps y's array
    for backward (see output_of and _own: y is recomputed where a graph records it)."""

    _saves_output = True

    @classmethod
    def forward(cls, ctx, x):
        ctx.save_for_backward(x)
        ctx.out = out = getattr(x.xp, cls.name)(_floating(x))
        return out

    @classmethod
    def backward(cls, ctx, grad):
        (x,) = ctx.saved_tensors
        return cls._chain(grad, output_of(ctx, cls, x))

    @classmethod
    def jvp(cls, ctx, tx):
        return cls._chain(tx, _own(ctx, cls, tx))


class Log(_Unary):
    """y = ln x.  dy/dx = 1/x."""

    name = "log"
    _chain = staticmethod(lambda v, x: v / x)


class Log1p(_Unary):
    """y = ln(1 + x), exact for tiny x (a primitive for precision).  dy/dx = 1 / (1 + x)."""

    name = "log1p"
    _chain = staticmethod(lambda v, x: v / (x + 1))


class Expm1(_UnaryOfOutput):
    """y = e^x - 1, exact for tiny x (a primitive for precision).  dy/dx = e^x = y + 1."""

    name = "expm1"
    _chain = staticmethod(lambda v, y: v * (y + 1))


class Sqrt(_UnaryOfOutput):
    """y = sqrt(x).  dy/dx = 1 / (2 sqrt(x)) = 1 / (2y)."""

    name = "sqrt"
    _chain = staticmethod(lambda v, y: v / (2 * y))


class Sin(_Unary):
    """y = sin x.  dy/dx = cos x."""

    name = "sin"
    _chain = staticmethod(lambda v, x: v * Cos.call(x))


class Cos(_Unary):
    """y = cos x.  dy/dx = -sin x."""

    name = "cos"
    _chain = staticmethod(lambda v, x: -v * Sin.call(x))


class Tanh(Primitive):
    """y = tanh x.  dy/dx = 1 - y^2."""

    _array_rule = True

    _saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.out = out = x.xp.tanh(_floating(x))
        return out

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return TanhGrad.call(grad, output_of(ctx, Tanh, x))

    @staticmethod
    def jvp(ctx, tx):
        """ẏ = (1 - y^2) ẋ."""
        return TanhGrad.apply(tx, _own(ctx, Tanh, tx))


class Sigmoid(Primitive):
    """y = 1 / (1 + e^-x).  dy/dx = y (1 - y)."""

    _array_rule = True

    _saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.out = out = Sigmoid.kernel(_floating(x), x._backend)
        return out

    @staticmethod
    def kernel(a, backend):
        """1 / (1 + e^-x), PyTorch's formula (0 where e^-x overflows, below about -88 in
        float32); float16 computes in float32, as PyTorch's CPU kernel."""
        xp = backend.xp
        e = xp.negative(a if a.dtype != _HALF else a.astype(_OPMATH))
        if e.ndim == 0:
            e = xp.asarray(e)  # numpy's 0-d math gives a scalar, which takes no out=
        token = _errors.off()
        try:
            xp.exp(e, out=e)
        finally:
            _errors.restore(token)
        xp.add(e, backend.scalar(1, e.dtype), out=e)
        xp.reciprocal(e, out=e)  # 1 / e, correctly rounded as the division
        return e if a.dtype != _HALF else e.astype(_HALF)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return SigmoidGrad.call(grad, output_of(ctx, Sigmoid, x))

    @staticmethod
    def jvp(ctx, tx):
        """ẏ = y (1 - y) ẋ."""
        return SigmoidGrad.apply(tx, _own(ctx, Sigmoid, tx))


class TanhGrad(Primitive):
    """z = g (1 - y^2), tanh's backward as one op.  dz/dg = 1 - y^2, dz/dy = -2 g y."""

    _array_rule = True

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return TanhGrad.kernel(g.array, y.array)

    @staticmethod
    def kernel(g, y):
        t = 1 - y * y
        t *= g  # in the fresh temporary (a numpy scalar for 0-d input: rebound instead)
        return t

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        ng, ny = ctx.needs_input_grad
        return (grad * (1 - y * y) if ng else None, grad * -2 * g * y if ny else None)

    @staticmethod
    def jvp(ctx, tg, ty):
        """ż = ġ (1 - y^2) - 2 g y ẏ."""
        g, y = ctx.args
        tz = None if tg is None else TanhGrad.apply(tg, y)
        if ty is not None:
            term = -2 * g * y * ty
            tz = term if tz is None else tz + term
        return tz


class SigmoidGrad(Primitive):
    """z = g y (1 - y), sigmoid's backward as one op.  dz/dg = y (1 - y), dz/dy = g (1 - 2y)."""

    _array_rule = True

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return SigmoidGrad.kernel(g.array, y.array)

    @staticmethod
    def kernel(g, y):
        t = g * y
        t *= 1 - y
        return t

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        ng, ny = ctx.needs_input_grad
        return (grad * y * (1 - y) if ng else None, grad * g * (1 - 2 * y) if ny else None)

    @staticmethod
    def jvp(ctx, tg, ty):
        """ż = ġ y (1 - y) + g (1 - 2y) ẏ."""
        g, y = ctx.args
        tz = None if tg is None else SigmoidGrad.apply(tg, y)
        if ty is not None:
            term = g * (1 - 2 * y) * ty
            tz = term if tz is None else tz + term
        return tz


class Relu(Primitive):
    """y = max(x, 0).  dy/dx = 1 where x > 0, else 0 (0 at x = 0, as PyTorch)."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x.array
        if a.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        return x.xp.maximum(a, x._backend.scalar(0, a.dtype))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return ReluGrad.call(grad, x)

    @staticmethod
    def jvp(ctx, tx):
        """ẏ = ẋ where x > 0 (and where x is NaN, as backward), else 0."""
        return ReluGrad.apply(tx, ctx.args[0])


class ReluGrad(Primitive):
    """z = g where not x <= 0, else 0: relu's backward as one op, a select as PyTorch's
    threshold_backward (an inf or nan g where x <= 0 gives 0, not nan; a nan x passes g).
    dz/dg = the same select, dz/dx = 0 (piecewise constant)."""

    _array_rule = True

    @staticmethod
    def forward(ctx, g, x):
        ctx.save_for_backward(x)
        return ReluGrad.kernel(g.array, x.array)

    @staticmethod
    def kernel(g, x):
        return zero_where(x <= 0, g)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        needs_g, needs_x = ctx.needs_input_grad
        gg = ReluGrad.call(grad, x) if needs_g else None
        zeros = xp_of(grad).zeros(x.shape, dtype=grad.dtype) if needs_x else None
        return gg, None if zeros is None else like(zeros, grad)

    @staticmethod
    def jvp(ctx, tg, _):
        """ż = ġ where not x <= 0 (x's tangent moves nothing)."""
        return None if tg is None else ReluGrad.apply(tg, ctx.args[1])


class Abs(Primitive):
    """y = |x|.  dy/dx = sign(x) (0 at x = 0, as PyTorch: grad * sgn(x), so an inf grad at
    x = 0 gives nan there, as in PyTorch)."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x.array
        if a.dtype.kind == "b":
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        return x.xp.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return MaskedGrad.call(grad, x, _sign(xp_of(x), array_of(x)).astype(grad.dtype))

    @staticmethod
    def jvp(ctx, tx):
        """ẏ = sign(x) ẋ."""
        x = ctx.args[0]
        return MaskedGrad.apply(tx, x, _sign(x.xp, x.array).astype(tx.dtype, copy=False))


def _sign(xp, a):
    """sign(a) with sign(nan) = 0, as PyTorch (numpy gives nan)."""
    out = xp.sign(a)
    return xp.where(a != a, 0, out) if a.dtype.kind == "f" else out


class MaskedGrad(Primitive):
    """z = g m, where m is the piecewise-constant local gradient of relu, abs or clamp at x:
    a bool m selects (where(m, g, 0), as PyTorch's threshold_backward and clamp_backward: an
    inf or nan g is 0 where m is False), a float m multiplies (abs's g sgn(x)).
    dz/dg = m, dz/dx = 0 (x is an input, so the gradient of a gradient is recorded, and is
    zero, as PyTorch's)."""

    _array_rule = True
    _saved_attrs = ("mask",)

    @staticmethod
    def forward(ctx, g, x, mask):
        ctx.mask = mask
        ctx.x_shape = x.shape
        return MaskedGrad.kernel(g.array, None, mask)

    @staticmethod
    def kernel(g, x, mask):
        return zero_where(~mask, g) if mask.dtype.kind == "b" else g * mask

    @staticmethod
    def backward(ctx, grad):
        needs_g, needs_x, _ = ctx.needs_input_grad
        mask = ctx.mask
        gg = None
        if needs_g:
            if mask.dtype.kind == "b":
                gg = Where.call(mask, grad, xp_of(grad).zeros((), dtype=grad.dtype))
            else:
                gg = grad * like(mask, grad)
        zeros = xp_of(grad).zeros(ctx.x_shape, dtype=grad.dtype) if needs_x else None
        return gg, None if zeros is None else like(zeros, grad), None

    @staticmethod
    def jvp(ctx, tg, *_):
        """ż = ġ m (x's tangent moves nothing: m is piecewise constant)."""
        return None if tg is None else MaskedGrad.apply(tg, *ctx.args[1:])


class Sign(Primitive):
    """y = sign(x), 0 at nan (PyTorch).  dy/dx = 0 (zeros, even for an inf or nan grad)."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x):
        a = x.array
        return a.copy() if a.dtype.kind == "b" else _sign(x.xp, a)  # sign(bool) is itself

    @staticmethod
    def backward(ctx, grad):
        return like(xp_of(grad).zeros(grad.shape, dtype=grad.dtype), grad)

    @staticmethod
    def jvp(ctx, tx):
        out = ctx.output
        return out.new_zeros(out.shape)


class Clamp(Primitive):
    """y = min(max(x, lo), hi).  dy/dx = 1 where lo <= x <= hi (bounds included), else 0
    (PyTorch's where(lo <= x <= hi, grad, 0): 0 even for an inf or nan grad)."""

    _array_rule = True
    _saved_attrs = ("bounds",)

    @staticmethod
    def forward(ctx, x, lo=None, hi=None):
        ctx.save_for_backward(x)
        ctx.bounds = (lo, hi)
        a = x.array
        dt = dtypes.result_types([a] + [b for b in (lo, hi) if b is not None], _default_float())
        if dt.kind == "b":
            raise NotImplementedError("\"clamp\" not implemented for 'Bool'")
        a = a.astype(dt, copy=False)  # a float bound promotes an integer tensor (PyTorch)
        lo = None if lo is None else _bound(x, lo, dt)
        hi = None if hi is None else _bound(x, hi, dt)
        return x.xp.clip(a, lo, hi).astype(dt, copy=False)

    @staticmethod
    def kernel(a, lo=None, hi=None):
        return Clamp.forward(_function._NO_CTX, _wrap(a, backend_of(a)), lo, hi)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return MaskedGrad.call(grad, x, _inside(array_of(x), *ctx.bounds)), None, None

    @staticmethod
    def jvp(ctx, tx, *_):
        """ẏ = ẋ where lo <= x <= hi, else 0."""
        x, lo, hi = ctx.inputs
        return MaskedGrad.apply(tx, x, _inside(x.array, lo, hi))


def _inside(a, lo, hi):
    """lo <= a <= hi as a bool array (a missing bound: no limit on that side)."""
    if lo is None and hi is None:
        return backend_of(a).xp.ones(a.shape, dtype=bool)
    inside = None if lo is None else a >= lo
    if hi is not None:
        inside = a <= hi if inside is None else inside & (a <= hi)
    return inside


class ClampTensor(Primitive):
    """y = min(max(x, lo), hi) for tensor bounds of x's dtype (one may be None); a nan
    anywhere gives nan. PyTorch's subgradients: dy/dx = 1 where lo <= x <= hi, dy/dlo = 1
    where x < lo < hi, dy/dhi = 1 where x > hi or hi < lo (so at lo = hi < x hi takes it, at
    x < lo = hi no one does, and at a nan x no one does)."""

    _array_rule = True
    _saved_attrs = ("masks",)

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = x.xp
        a = x.array
        out = a
        inside = None
        if lo is not None:
            out = xp.maximum(out, lo.array)
            inside = a >= lo.array
        if hi is not None:
            out = xp.minimum(out, hi.array)
            inside = a <= hi.array if inside is None else inside & (a <= hi.array)
        ctx.shapes = (x.shape, shape_of(lo), shape_of(hi))
        ctx.masks = _clamp_masks(a, lo, hi, inside)
        return out if out is not a else a.copy()

    @staticmethod
    def backward(ctx, grad):
        zero = xp_of(grad).zeros((), dtype=grad.dtype)
        return tuple(
            None if mask is None or not need else sum_to(Where.call(mask, grad, zero), shape)
            for mask, need, shape in zip(ctx.masks, ctx.needs_input_grad, ctx.shapes, strict=True)
        )

    @staticmethod
    def jvp(ctx, *tangents):
        """ẏ = ẋ, l̇o or ḣi, where each takes the gradient in backward."""
        x, lo, hi = ctx.args
        out = ctx.output
        masks = _clamp_masks(x.array, lo, hi, None)
        zero = out.xp.zeros((), dtype=out.dtype)
        tz = None
        for t, mask in zip(tangents, masks, strict=True):
            if t is not None and mask is not None:
                term = Where.apply(mask, t, zero)
                tz = term if tz is None else tz + term
        return tz


def _clamp_masks(a, lo, hi, inside):
    """Where x, lo and hi each take clamp's gradient (see ClampTensor)."""
    low = None if lo is None else lo.array
    high = None if hi is None else hi.array
    if inside is None:
        inside = True
        if low is not None:
            inside = a >= low
        if high is not None:
            inside = inside & (a <= high)
    if low is not None and high is not None:
        return inside, (a < low) & (low < high), (a > high) | (high < low)
    if low is not None:
        return inside, a < low, None
    return inside, None, a > high


# ----------------------------------------------------------------------- losses


class BinaryCrossEntropy(Primitive):
    """l = -(y max(ln x, -100) + (1 - y) max(ln(1 - x), -100)), per element.
    dl/dx = (x - y) / max(x (1 - x), 1e-12), dl/dy = ln(1 - x) - ln x.

    A primitive for stability, as PyTorch's: the clamped logs keep a saturated probability
    (sigmoid(30.) is 1.0 in float32) finite, and so does the clamped denominator its
    gradient, where the composition would give 0 * inf = nan.
    """

    _array_rule = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        xp = x.xp
        a, b = x.array, y.array
        low = x._backend.scalar(-100, a.dtype)
        log_x = xp.maximum(xp.log(a), low)
        log_1mx = xp.maximum(xp.log1p(-a), low)  # log1p: exact for tiny x, as PyTorch
        one = x._backend.scalar(1, a.dtype)
        return -(b * log_x + (one - b) * log_1mx)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        gx = grad * _bce_dx(x, y) if nx else None
        gy = grad * _bce_dy(x) if ny else None
        return gx, gy

    @staticmethod
    def jvp(ctx, tx, ty):
        """l' = dl/dx x' + dl/dy y'."""
        x, y = ctx.args
        tz = None if tx is None else tx * _bce_dx(x, y)
        if ty is not None:
            term = ty * _bce_dy(x)
            tz = term if tz is None else tz + term
        return tz


class BinaryCrossEntropyWithLogits(Primitive):
    """l = (1 - y) x - w log sigmoid(x), w = 1 + (p - 1) y, per element (p = pos_weight, or 1).
    dl/dx = w sigmoid(x) - p y, dl/dy = -x - (p - 1) log sigmoid(x).

    A primitive, as PyTorch's: its gradient sigmoid(x) - y stays finite at x = +-inf, where
    the composition's 0 * inf gives nan; log sigmoid(x) = -(max(-x, 0) + log(1 + e^-|x|)).
    """

    _array_rule = True
    _saved_attrs = ("pos_weight",)

    @staticmethod
    def forward(ctx, x, y, pos_weight=None):
        ctx.save_for_backward(x, y)
        ctx.pos_weight = pos_weight
        xp = x.xp
        a, b = x.array, y.array
        zero = x._backend.scalar(0, a.dtype)
        one = x._backend.scalar(1, a.dtype)
        # -log sigmoid(x) = max(-x, 0) + log1p(e^-|x|), in place on two fresh arrays (the
        # same values as out of place: x - (-y) is x + y exactly)
        minus_log_sigmoid = xp.maximum(xp.negative(a), zero)
        t = xp.abs(a)
        if t.ndim == 0:  # numpy's 0-d math gives scalars, which take no out=
            minus_log_sigmoid = xp.asarray(minus_log_sigmoid)
            t = xp.asarray(t)
        xp.negative(t, out=t)
        xp.exp(t, out=t)
        xp.log1p(t, out=t)
        minus_log_sigmoid += t
        del t
        out = (one - b) * a
        if pos_weight is not None:
            w = (pos_weight.array - one) * b + one  # w (-log sigmoid(x))
            if w.shape == minus_log_sigmoid.shape and w.ndim:
                w *= minus_log_sigmoid
                minus_log_sigmoid = w
            else:
                minus_log_sigmoid = minus_log_sigmoid * w
        if out.shape != minus_log_sigmoid.shape or out.ndim == 0:
            return out + minus_log_sigmoid
        out += minus_log_sigmoid
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad[:2]
        p = ctx.pos_weight
        if p is not None:
            p = p.array if _grad.raw else p.detach()
        gx = gy = None
        if nx and p is None and _grad.raw and _fits(x, y, grad):
            # sigmoid(x) - y, times grad, in place on one new array: the same values
            gx = _sigmoid(x)
            gx -= y
            gx *= grad
        elif nx:
            gx = sum_to(grad * _bce_logits_dx(x, y, p), x.shape)
        if ny:
            gy = sum_to(grad * _bce_logits_dy(x, p), y.shape)
        return gx, gy, None

    @staticmethod
    def jvp(ctx, tx, ty, *_):
        """l' = dl/dx x' + dl/dy y'."""
        x, y, pos_weight = ctx.inputs
        p = None if pos_weight is None else pos_weight.detach()
        tz = None if tx is None else tx * _bce_logits_dx(x, y, p)
        if ty is not None:
            term = ty * _bce_logits_dy(x, p)
            tz = term if tz is None else tz + term
        return tz


# The binary cross-entropies' local gradients, each written once for a rule's two speeds:
# x, y and pos_weight p (a constant: detached) are all Tensors or all raw arrays.


def _bce_logits_dx(x, y, p):
    """dl/dx = w sigmoid(x) - p y, w = (p - 1) y + 1 (p a constant: detached, or an array)."""
    if p is None:
        return _sigmoid(x) - y
    return ((p - 1) * y + 1) * _sigmoid(x) - p * y


def _bce_logits_dy(x, p):
    if p is None:
        return -x
    return -x - (p - 1) * _log_sigmoid(x)


def _log_sigmoid(x):
    """log sigmoid(x): -log(1 + e^-x) for x >= 0, x - log(1 + e^x) below, each branch fed only
    its own side (no overflow, no nan through the where) so the slope is sigmoid(-x) at 0 too."""
    pos = array_of(x) >= 0
    above = Where.call(pos, x, 0.0)
    below = Where.call(pos, 0.0, x)
    return Where.call(pos, -_log1p(Exp.call(-above)), below - _log1p(Exp.call(below)))


def _sigmoid(v):
    """sigmoid(v), recorded for a Tensor; for a raw array, Sigmoid's forward on it (a new
    array)."""
    if isinstance(v, Tensor):
        return v.sigmoid()
    return Sigmoid.forward(_function._NO_CTX, _wrap(v, backend_of(v)))


def _log(v):
    return v.log() if isinstance(v, Tensor) else xp_of(v).log(v)


def _log1p(v):
    return v.log1p() if isinstance(v, Tensor) else xp_of(v).log1p(v)


def _clamp_min(v, lo):
    """max(v, lo) as Tensor.clamp(min=lo) computes it (lo in v's dtype)."""
    if isinstance(v, Tensor):
        return v.clamp(min=lo)
    xp = xp_of(v)
    return xp.maximum(v, xp.asarray(lo, dtype=v.dtype))


def _fits(x, y, grad):
    """Whether the gradient of x can be computed in place in a new array of x's shape and
    dtype: y and grad have both."""
    return x.shape == y.shape == grad.shape and x.dtype == y.dtype == grad.dtype


# PyTorch's EPSILON, a float literal (1e-12f) also in double precision.
_BCE_EPSILON = 9.999999960041972e-13


def _bce_dx(x, y):
    return (x - y) / _clamp_min(x * (1 - x), _BCE_EPSILON)


def _bce_dy(x):
    return _log1p(-x) - _log(x)


# ----------------------------------------------------------------------- copies and casts


class Clone(Primitive):
    """y = x, in new storage.  dy/dx = 1."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x):
        return x.array.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad

    @staticmethod
    def jvp(ctx, tx):
        return Clone.apply(tx)


class Cast(Primitive):
    """y = x as another dtype.  dy/dx = 1, cast back."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x.dtype
        return x.array.astype(dtype)

    @staticmethod
    def kernel(a, dtype):
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return (Cast.call(grad, ctx.dtype) if ctx.dtype.kind == "f" else None), None

    @staticmethod
    def jvp(ctx, tx, _):
        return Cast.apply(tx, ctx.args[1])


class ToDevice(Primitive):
    """y = x on another device.  dy/dx = 1, moved back."""

    @classmethod
    def apply(cls, x, backend):
        # Not Function.apply: the output lives on the target backend, not on x's.
        out = _wrap(backend.from_numpy(x._backend.to_numpy(x.array)), backend)
        if x.requires_grad and _grad.enabled:
            ctx = Node(cls, (x.grad_fn or x, None))
            ctx.backend = x._backend
            ctx._backend = backend  # the output's: its gradient arrives there
            out._requires_grad = True
            out.grad_fn = ctx
        if _function._dual_level is not None:
            _function._dual_level.jvp(cls, None, (x, backend), {}, out)
        return out

    _array_rule = True

    @staticmethod
    def kernel(a, backend):
        return backend.from_numpy(backend_of(a).to_numpy(a))

    @staticmethod
    def backward(ctx, grad):
        return ToDevice.call(grad, ctx.backend), None

    @staticmethod
    def jvp(ctx, tx, _):
        return ToDevice.apply(tx, ctx.args[1])


class Fill(Primitive):
    """y = value everywhere (x's shape).  dy/dx = 0."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, value):
        if isinstance(value, Tensor):
            if value.ndim:
                raise RuntimeError(
                    f"fill_ only supports 0-dimension value tensor but got tensor with "
                    f"{value.ndim} dimensions"
                )
            value = value.array
        else:  # uint8 takes -1 but not -1.5, an int no nan, as PyTorch
            value = dtypes.fill_number(value, x.dtype, x.array.size)
        return x.xp.full(x.shape, value, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        nx, nv = ctx.needs_input_grad
        return (grad * 0 if nx else None, Sum.call(grad, None, False) if nv else None)

    @staticmethod
    def jvp(ctx, _, tv):
        """ẏ = the value's tangent everywhere, or 0."""
        return ctx.output.new_zeros(ctx.output.shape) if tv is None else tv


class Copy(Primitive):
    """y = src broadcast to x's shape.  dy/dx = 0, dy/dsrc = 1 (summed over broadcasting)."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, src):
        ctx.shape = src.shape
        try:
            return x.xp.broadcast_to(src.array, x.shape).astype(x.dtype)
        except ValueError:
            raise broadcast_error("copy_", src, x) from None

    @staticmethod
    def backward(ctx, grad):
        nx, ns = ctx.needs_input_grad
        return (grad * 0 if nx else None, sum_to(grad, ctx.shape) if ns else None)

    @staticmethod
    def jvp(ctx, _, ts):
        """ẏ = ṡrc, broadcast (or 0)."""
        return ctx.output.new_zeros(ctx.output.shape) if ts is None else ts


def _floating(x):
    """x's array, as the default float dtype if it is integer or bool (exp, log, ... of an
    integer tensor are floats, as in PyTorch; numpy would give float64)."""
    a = x.array
    return a if a.dtype.kind == "f" else a.astype(_default_float())


def _times(v, c):
    """v * c for a float constant c. A Tensor op on float16 computes in float32 and rounds
    once, as PyTorch's CPU kernels; numpy would round c to float16 first (log2's ln 2 is
    0.6934 there): a float16 array computes so too."""
    if v.dtype != dtypes.float16 or isinstance(v, Tensor):
        return v * c
    return (v.astype(dtypes.float32) * c).astype(dtypes.float16)


def _is_bool(v):
    return v.dtype.kind == "b" if isinstance(v, Tensor) else isinstance(v, bool)


def _bound(x, value, dtype):
    """A clamp bound as a 0-d array of dtype (out of dtype's range: PyTorch's RuntimeError)."""
    return x._backend.scalar(dtypes.checked_number(value, dtype), dtype)


def _default_float():
    from autograd._tensor import _defaults

    return _defaults.dtype


def _as_float(v, dtype, ref):
    """Tensor or number v as an array of float dtype (each operand of an integer true division
    is cast from its own dtype, as PyTorch)."""
    if isinstance(v, Tensor):
        return v.array.astype(dtype)
    return ref._backend.scalar(float(v), dtype)


def _integer_pow(x, y, a, b, dt):
    """x^y in an integer (or bool) dtype, as PyTorch: a negative Python exponent raises, a
    negative tensor exponent gives 1 for base 1, (-1)^y for base -1 and 0 otherwise."""
    if dt.kind == "b":
        if isinstance(y, Tensor):  # only bool ** a Python bool exists
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        return a | ~b  # x^y = 1 unless x = 0 < y
    if not isinstance(y, Tensor) and y < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    xp = (x if isinstance(x, Tensor) else y).xp
    try:
        a, b = xp.broadcast_arrays(a, b)
    except ValueError:
        raise broadcast_error("pow", x, y) from None
    if dt.kind == "u" or not (b < 0).any().item():
        return a**b
    negative = b < 0
    out = a ** xp.where(negative, 0, b).astype(dt)
    odd = (b % 2).astype(bool)
    one = xp.ones((), dtype=dt)
    special = xp.where(a == 1, one, xp.where(a == -1, xp.where(odd, -one, one), 0 * one))
    return xp.where(negative, special, out).astype(dt, copy=False)


def _set_inplace(a, b):
    a[...] = b


# `x op= y` for in-place calls that record nothing (see Function._inplace), taken only where
# numpy's own promotion agrees with PyTorch's (inplace._direct_ok: a float tensor beside its own
# dtype or a Python number); all else computes out of place, then casts with PyTorch's check.
Add._inplace = staticmethod(operator.iadd)
Sub._inplace = staticmethod(operator.isub)
Mul._inplace = staticmethod(operator.imul)
Div._inplace = staticmethod(operator.itruediv)
Copy._inplace = staticmethod(_set_inplace)


# --------------------------------------------------------------------------- Tensor's methods
# clamp, add/sub's alpha and the conversions (to, type, cuda) as PyTorch spells them.


def where(condition, input, other):
    """Elements of input where condition holds, else of other.  Gradient routes likewise."""
    ref = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else condition
    cond = condition.array if isinstance(condition, Tensor) else _as_tensor(condition, ref).array
    x = _as_tensor(input, ref if isinstance(ref, Tensor) and ref.dtype.kind == "f" else ref)
    y = _as_tensor(other, x)
    return Where.apply(cond, x, y)


def cast_error(result, dtype, name):
    return RuntimeError(
        f"result type {dtypes.torch_name(result)} can't be cast to the desired output type "
        f"{dtypes.torch_name(dtype)} (in {name}_)"
    )


def check_cast(x, value, name):
    """PyTorch's refusal of an in-place op on x whose result dtype x can't hold."""
    operand = value.array if isinstance(value, Tensor) else value
    dt = dtypes.result_types([x.array, operand], _defaults.dtype)
    if dt != x.dtype and not dtypes.can_cast(dt, x.dtype):
        raise cast_error(dt, x.dtype, name)


def sub_term(value, alpha, x, inplace=False):
    """scaled() for sub / sub_, in PyTorch's order of checks: a bool operand first (value
    unscaled: Sub raises its error), then (sub_) the cast into x, then alpha."""
    if x.dtype.kind == "b" or isinstance(value, bool):
        return value
    if isinstance(value, Tensor) and value.dtype.kind == "b":
        return value
    if inplace:
        check_cast(x, value, "sub")
    return scaled(value, alpha, x)


def scaled(value, alpha, x):
    """alpha * value, the term add/sub (and add_/sub_) of x take from value, as PyTorch's
    x + alpha * value: alpha is checked against the result dtype (a float alpha only for
    floats, a bool alpha only for bool), and multiplies value cast to the result dtype and
    broadcast to the output's shape (so value's gradient is grad * alpha summed, as
    PyTorch's, even for an infinite alpha). A tensor of x's floating dtype that records
    nothing and carries no tangent (an optimizer's step) is scaled on its array, without
    the dispatch of an op: the same numbers, as a Python number takes the array's dtype."""
    if (
        value.__class__ is Tensor
        and value.array.dtype == x.array.dtype
        and value.array.dtype.kind == "f"
        and alpha.__class__ is not bool
        and not (_grad.enabled and value.requires_grad)
        and _function._dual_level is None
    ):
        return value if alpha == 1 else _wrap(value.array * alpha, value._backend)
    operand = value.array if isinstance(value, Tensor) else value
    dt = dtypes.result_types([x.array, operand], _defaults.dtype)
    if isinstance(alpha, bool) and dt.kind != "b":
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if dt.kind != "f" and not isinstance(alpha, int):
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    if alpha == 1:
        return value
    if dt.kind == "b":  # value and alpha (a Python bool stays one: True * False is 0)
        return value if alpha else (False if isinstance(value, bool) else value * False)
    if not isinstance(value, Tensor):
        return value * alpha
    if value.dtype != dt:
        value = Cast.apply(value, dt)
    if value.requires_grad and value.shape != x.shape:
        try:
            shape = x.xp.broadcast_shapes(x.shape, value.shape)
        except ValueError:
            return value * alpha  # add raises, naming both shapes
        if shape != value.shape:
            value = Expand.apply(value, shape)
    return value * alpha


def clamp(x, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_tensor(x, min, max)
    return Clamp.apply(x, min, max)


def clamp_(x, min=None, max=None):
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_tensor(x, min, max, in_place=True)
    return inplace(x, Clamp, min, max)


def _clamp_tensor(x, lo, hi, in_place=False):
    """clamp with tensor bounds: x and the bounds cast to their common dtype (PyTorch's
    promotion over all three; in place, the bounds cast to x's), then one ClampTensor
    (PyTorch's subgradients)."""
    if not all(b is None or isinstance(b, Tensor) for b in (lo, hi)):
        raise TypeError(
            "clamp() received an invalid combination of arguments: min and max must both be "
            f"Tensors or both numbers, got {type(lo).__name__} and {type(hi).__name__}"
        )
    dt = dtypes.result_types([t.array for t in (x, lo, hi) if t is not None], _defaults.dtype)
    if dt.kind == "b" and lo is not None and hi is not None:
        raise NotImplementedError("\"clamp_cpu\" not implemented for 'Bool'")
    if in_place:
        if not dtypes.can_cast(dt, x.dtype):
            raise RuntimeError(
                f"result type {dtypes.torch_name(dt)} can't be cast to the desired output type "
                f"{dtypes.torch_name(x.dtype)}"
            )
        dt = x.dtype
    lo, hi = (b if b is None or b.dtype == dt else Cast.apply(b, dt) for b in (lo, hi))
    try:
        if in_place:
            return inplace(x, ClampTensor, lo, hi)
        return ClampTensor.apply(x if x.dtype == dt else Cast.apply(x, dt), lo, hi)
    except ValueError:
        shapes = [tuple(t.shape) for t in (x, lo, hi) if t is not None]
        raise RuntimeError(f"clamp: shapes {shapes} are not broadcastable") from None


def to(x, *args, dtype=None, device=None, copy=False, non_blocking=False):
    """`.to(device)`, `.to(dtype)`, `.to(device, dtype)` or `.to(other_tensor)`.
    `non_blocking` is accepted and ignored: every copy here is synchronous."""
    for a in args:
        if isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, str) and (a.startswith("cpu") or a.startswith("cuda")):
            device = a
        elif a.__class__.__name__ == "Device":
            device = a
        else:
            dtype = a
    out = x
    if device is not None and get_backend(device) is not x._backend:
        out = ToDevice.apply(out, get_backend(device))
    if dtype is not None and dtypes.as_dtype(dtype) != out.dtype:
        out = Cast.apply(out, dtypes.as_dtype(dtype))
    if copy and out is x:
        out = x.clone()
    return out


def tensor_type(x, dtype=None):
    """'torch.FloatTensor' and the like without an argument, else a cast."""
    if dtype is None:
        name = _TENSOR_TYPES.get(x.array.dtype.name, x.array.dtype.name)
        return f"torch.{'cuda.' if x.is_cuda else ''}{name}"
    if isinstance(dtype, str) and dtype.endswith("Tensor"):
        names = {v: k for k, v in _TENSOR_TYPES.items()}
        dtype = names[dtype.rsplit(".", 1)[-1]]
    return x.to(dtype)


_TENSOR_TYPES = {
    "float16": "HalfTensor", "float32": "FloatTensor", "float64": "DoubleTensor",
    "int8": "CharTensor", "int16": "ShortTensor", "int32": "IntTensor", "int64": "LongTensor",
    "uint8": "ByteTensor", "bool": "BoolTensor",
}  # fmt: skip


def cuda_device(device):
    """`.cuda(device)`'s argument as a device string: None, an index, a string or a device."""
    if device is None:
        return "cuda"
    if isinstance(device, int) and not isinstance(device, bool):
        return f"cuda:{device}"
    device = str(device)
    if not device.startswith("cuda"):
        raise RuntimeError(f"Invalid device, must be cuda device, got {device}")
    return device
