"""PyTorch's tensor math beyond the core: special functions, comparisons and logical ops,
sorting and scans, counting, selection and construction.

Each function takes the tensor first, as `torch.X(input, ...)`; Tensor's methods of the same
name call these. Differentiable ones are compositions of primitives (autograd.ops), so their
gradients, jvps and second derivatives come from the primitives' rules.
"""

import builtins
import math
import re

from autograd import ops
from autograd._tensor import Tensor, _as_tensor, _defaults, _wrap
from autograd._tensor import _named as _node_named
from autograd.args import _dim, _dim_args, _dims, _numpy_names
from autograd.ops import special
from autograd.ops._util import _quiet, promote
from autograd.ops.elementwise import Where
from autograd.ops.index import Gather, IndexAdd, index_array
from autograd.ops.scan import Cumprod, Cumsum
from autograd.ops.select import Einsum, Scatter
from backends import DeviceError, dtypes


def _const(x, array):
    """A backend array as a Tensor on x's device, recording nothing."""
    return _wrap(array, x._backend)


def _t(value, like):
    return value if isinstance(value, Tensor) else _as_tensor(value, like)


def _index_array(index, x, op):
    """An index tensor (or list) as an int64 array on x's device."""
    return index_array(index, x, op).astype("int64", copy=False)


class _Named(tuple):
    """A torch.return_types-like tuple with named fields."""

    __slots__ = ()
    _fields = ()

    def __new__(cls, *values):
        return super().__new__(cls, values)

    def __getattr__(self, name):
        try:
            return self[self._fields.index(name)]
        except ValueError:
            raise AttributeError(name) from None


def _named(fields):
    return type("return_types", (_Named,), {"_fields": fields, "__slots__": ()})


_Histogram = _named(("hist", "bin_edges"))


# =========================================================================== elementwise
def _float_unary(cls, name):
    def fn(input):
        if input.dtype.kind == "b" and name in _NO_BOOL:
            raise NotImplementedError(f"\"{name}\" not implemented for 'Bool'")
        return cls.apply(input)

    fn.__name__ = name
    fn.__doc__ = cls.__doc__
    return fn


_NO_BOOL = ("floor", "ceil", "trunc", "round", "frac")


rsqrt = _float_unary(special.Rsqrt, "rsqrt")
log10 = _float_unary(special.Log10, "log10")
log2 = _float_unary(special.Log2, "log2")
exp2 = _float_unary(special.Exp2, "exp2")
tan = _float_unary(special.Tan, "tan")
sinh = _float_unary(special.Sinh, "sinh")
cosh = _float_unary(special.Cosh, "cosh")
asin = _float_unary(special.Asin, "asin")
acos = _float_unary(special.Acos, "acos")
atan = _float_unary(special.Atan, "atan")
asinh = _float_unary(special.Asinh, "asinh")
acosh = _float_unary(special.Acosh, "acosh")
atanh = _float_unary(special.Atanh, "atanh")
erf = _float_unary(special.Erf, "erf")
erfc = _float_unary(special.Erfc, "erfc")
erfinv = _float_unary(special.Erfinv, "erfinv")
floor = _float_unary(special.Floor, "floor")
ceil = _float_unary(special.Ceil, "ceil")
trunc = _float_unary(special.Trunc, "trunc")


def round(input, decimals=0):  # noqa: A001  (torch.round)
    """Round half to even, at `decimals` digits after the point (negative: before it)."""
    if input.dtype.kind == "b":
        raise NotImplementedError("\"round\" not implemented for 'Bool'")
    if decimals != 0 and input.dtype.kind != "f":
        raise NotImplementedError(f'"round_cpu" not implemented for {input.dtype} with decimals')
    return special.Round.apply(input, int(decimals))


def frac(input):
    """x - trunc(x).  d/dx = 1."""
    if input.dtype.kind != "f":
        raise NotImplementedError(f'"frac" not implemented for {input.dtype}')
    return input - special.Trunc.apply(input)


def atan2(input, other):
    """atan2(input, other), the angle of (other, input); both tensors, as PyTorch."""
    for pos, (name, v) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(v, Tensor):
            raise TypeError(
                f"atan2(): argument '{name}' (position {pos}) must be Tensor, not "
                f"{type(v).__name__}"
            )
    return special.Atan2.apply(input, other)


def _dtype_of(v):
    return v.dtype if isinstance(v, Tensor) else None


def _integer_division(name, input, other):
    """PyTorch's refusals for fmod / remainder: bools, and integer division by zero (by an
    element its kernel divides by: none when the result is empty)."""
    dts = [_dtype_of(v) for v in (input, other)]
    number = builtins.any(not isinstance(v, (Tensor, bool)) for v in (input, other))
    if builtins.all(d is None or d.kind == "b" for d in dts) and not number:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
    floats = builtins.any(isinstance(v, float) for v in (input, other))
    if builtins.all(d is None or d.kind in "biu" for d in dts) and not floats:
        b = other.array if isinstance(other, Tensor) else other
        xp = (input if isinstance(input, Tensor) else other).xp
        empty = builtins.any(0 in v.shape for v in (input, other) if isinstance(v, Tensor))
        # the divisor as the kernel sees it, cast to the result dtype (65536 is 0 in int16)
        operands = [v.array if isinstance(v, Tensor) else v for v in (input, other)]
        dt = dtypes.result_types(operands, _defaults.dtype)
        if not empty and (xp.asarray(b).astype(dt) == 0).any().item():
            raise RuntimeError("ZeroDivisionError")


def div(input, other, *, rounding_mode=None):
    """x / y; with rounding_mode "trunc" (toward zero) or "floor" (Python's //) an integer
    value, integers staying integers, as torch.div."""
    if rounding_mode is None:
        return input / other
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    _integer_division(f"div_{rounding_mode}", input, other)
    fn = special.DivFloor if rounding_mode == "floor" else special.DivTrunc
    return fn.apply(input, other)


def floor_divide(input, other):
    """x // y, Python's floor division: div(rounding_mode="floor")'s values, and, as in
    PyTorch, no derivative (a backward through it raises)."""
    _integer_division("div_floor", input, other)
    return special.FloorDivide.apply(input, other)


def rfloor_divide(input, other):
    """other // input, for a Python number on the left."""
    return floor_divide(other, input)


def fmod(input, other):
    """x - trunc(x / y) y, the sign of x (C's fmod)."""
    if not isinstance(input, Tensor):  # PyTorch has no fmod(Scalar, Tensor)
        raise TypeError(
            f"fmod(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    _integer_division("fmod", input, other)
    return special.Fmod.apply(input, other)


def remainder(input, other):
    """x - floor(x / y) y, the sign of y (Python's %). A Python number x stays a number (a
    wrapped scalar, as PyTorch's remainder(Scalar, Tensor): no gradient for other)."""
    _integer_division("remainder", input, other)
    return special.Remainder.apply(input, other)


def _floating_only(name, input, other):
    dts = [_dtype_of(v) for v in (input, other)]
    if builtins.all(d is None or d.kind in "biu" for d in dts) and not isinstance(other, float):
        kind = next(d for d in dts if d is not None)
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{kind}'")


def lerp(input, end, weight):
    """start + weight (end - start), computed from the nearer end as PyTorch does."""
    if isinstance(weight, Tensor):
        near_start = weight.abs().array < 0.5
        diff = end - input
        return Where.apply(near_start, input + weight * diff, end - diff * (1 - weight))
    diff = end - input
    if builtins.abs(weight) < 0.5:
        return input + diff * weight
    return end - diff * (1 - weight)


def logaddexp(input, other):
    """log(e^x + e^y) = m + log(e^(x-m) + e^(y-m)), m = max(x, y) held constant."""
    _floating_only("logaddexp", input, other)
    other = _t(other, input)
    xp = input.xp
    m = xp.maximum(input.array, other.array)
    m = _const(input, xp.where(xp.isfinite(m), m, 0).astype(m.dtype, copy=False))
    return ((input - m).exp() + (other - m).exp()).log() + m


def logaddexp2(input, other):
    """log2(2^x + 2^y)."""
    return logaddexp(input * math.log(2.0), _t(other, input) * math.log(2.0)) / math.log(2.0)


def hypot(input, other):
    """sqrt(x^2 + y^2)."""
    _floating_only("hypot", input, other)
    other = _t(other, input)
    return (input * input + other * other).sqrt()


def xlogy(input, other):
    """x log y, 0 where x = 0 (unless y is NaN).  d/dx = log y, d/dy = x / y (as PyTorch)."""
    if not isinstance(input, Tensor):
        input = _as_tensor(input, other)
    other = _t(other, input)
    if other.dtype.kind != "f" and input.dtype.kind != "f":
        other = other.to(_defaults.dtype)
    out = input * other.log()
    xp = input.xp
    y = other.array
    # 0 * log(0) and 0 * log(inf) are NaN in the product, 0 in xlogy
    fix = (input.array == 0) & ((y == 0) | xp.isposinf(y))
    return Where.apply(fix, 0.0, out) if fix.any().item() else out


def clamp_min(input, min):  # noqa: A002
    return _node_named(input.clamp(min=min), "ClampMinBackward0")


def clamp_max(input, max):  # noqa: A002
    return _node_named(input.clamp(max=max), "ClampMaxBackward0")


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN, +inf and -inf replaced (by 0 and the dtype's largest/smallest finite value by
    default).  d/dx = 1 where x is finite, else 0."""
    if input.dtype.kind != "f":
        return input.clone()
    xp = input.xp
    info = xp.finfo(input.dtype)
    a = input.array
    out = Where.apply(xp.isnan(a), float(nan), input)
    out = Where.apply(xp.isposinf(a), float(info.max if posinf is None else posinf), out)
    return Where.apply(xp.isneginf(a), float(info.min if neginf is None else neginf), out)


# =========================================================================== logical
def _bool_op(name):
    def fn(input):
        return _const(input, getattr(input.xp, name)(input.array))

    fn.__name__ = name
    return fn


isnan = _bool_op("isnan")
isinf = _bool_op("isinf")
isfinite = _bool_op("isfinite")
isposinf = _bool_op("isposinf")
isneginf = _bool_op("isneginf")


def _logical(name):
    def fn(input, other):
        other = other.array if isinstance(other, Tensor) else other
        return _const(input, getattr(input.xp, name)(input.array, other))

    fn.__name__ = name
    return fn


logical_and = _logical("logical_and")
logical_or = _logical("logical_or")
logical_xor = _logical("logical_xor")


def logical_not(input):
    return _const(input, input.xp.logical_not(input.array))


def _all_any(name):
    def fn(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        dims = _dims(dim, input.ndim, name)
        out = getattr(input.xp, name)(input.array, axis=dims, keepdims=keepdim)
        out = input.xp.asarray(out)
        if input.dtype == dtypes.uint8:  # as PyTorch: uint8 in, uint8 out
            out = out.astype(dtypes.uint8)
        return _const(input, out)

    fn.__name__ = name
    fn.__doc__ = f"Whether {name} elements (along dim) are true, as torch.{name}."
    return fn


all = _all_any("all")  # noqa: A001
any = _all_any("any")  # noqa: A001


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|x - y| <= atol + rtol |y|, or x == y (infinities); NaNs equal if equal_nan."""
    other = _t(other, input)
    if input.dtype != other.dtype:
        raise RuntimeError(
            f"isclose: {input.dtype} did not match {other.dtype} (both tensors must have the "
            "same dtype)"
        )
    xp = input.xp
    a, b = input.array, other.array
    with _quiet(xp):
        if a.dtype.kind in "biu":
            close = a == b
            if rtol or atol:
                fa, fb = a.astype("float64"), b.astype("float64")
                close = close | (xp.abs(fa - fb) <= atol + rtol * xp.abs(fb))
        else:
            close = (a == b) | (
                xp.isfinite(a) & xp.isfinite(b) & (xp.abs(a - b) <= atol + rtol * xp.abs(b))
            )
        if equal_nan and a.dtype.kind == "f":
            close = close | (xp.isnan(a) & xp.isnan(b))
    return _const(input, xp.asarray(close))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan).array.all().item())


def equal(input, other):
    return input.shape == other.shape and bool(
        input._backend.xp.array_equal(input.array, other.array)
    )


# =========================================================================== sort and scan
_Sort = _named(("values", "indices"))


def _stable_argsort(xp, a, dim, descending):
    """Ascending: a stable argsort (NaN last). Descending: ties keep their order and NaN comes
    first, as PyTorch: the ascending stable sort of the reversed array, reversed."""
    if not descending:
        return xp.argsort(a, axis=dim, kind="stable")
    n = a.shape[dim]
    rev = xp.flip(a, axis=dim)
    idx = xp.argsort(rev, axis=dim, kind="stable")
    return n - 1 - xp.flip(idx, axis=dim)


def _take(x, idx, dim):
    """x's elements at idx along dim (an int64 array of x's ndim): values with gradient."""
    if x.ndim == 0:
        return x.clone()
    return Gather.apply(x, idx, dim)


def sort(input, dim=-1, descending=False, stable=False, *, axis=None):
    """(values, indices) sorted along dim; ties keep their order (stable, as PyTorch's CPU
    sort), NaN counts as the largest."""
    if axis is not None:
        dim = axis
    d = _dim(dim, input.ndim, "sort")
    if input.ndim == 0:
        return _Sort(input.clone(), _const(input, input.xp.zeros((), dtype="int64")))
    idx = _stable_argsort(input.xp, input.array, d, descending).astype("int64", copy=False)
    return _Sort(_take(input, idx, d), _const(input, idx))


def argsort(input, dim=-1, descending=False, stable=False, *, axis=None):
    return sort(input, dim, descending, stable, axis=axis)[1]


def msort(input):
    return sort(input, 0)[0]


def topk(input, k, dim=-1, largest=True, sorted=True, *, axis=None):  # noqa: A002
    """The k largest (or smallest) elements along dim, with their indices."""
    if axis is not None:
        dim = axis
    d = _dim(dim, input.ndim, "topk")
    n = input.shape[d] if input.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk(): selected index k={k} out of range for a dim of size {n}")
    if input.ndim == 0:
        return _Sort(input.clone(), _const(input, input.xp.zeros((), dtype="int64")))
    idx = _stable_argsort(input.xp, input.array, d, largest).astype("int64", copy=False)
    idx = idx[(slice(None),) * d + (slice(0, k),)]
    return _Sort(_take(input, idx, d), _const(input, idx))


def kthvalue(input, k, dim=-1, keepdim=False, *, axis=None, keepdims=None):
    """The k-th smallest element along dim (k from 1), with its index."""
    dim, keepdim = _dim_args(None if axis is not None else dim, keepdim, axis, keepdims)
    d = _dim(dim, input.ndim, "kthvalue")
    n = input.shape[d] if input.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k={k} out of range for a dim of size {n}")
    return _pick_sorted(input, d, keepdim, lambda xp, a: xp.full(_kept(a, d), k - 1))


def _kept(a, d):
    shape = list(a.shape)
    shape[d] = 1
    return tuple(shape)


def _pick_sorted(input, d, keepdim, position):
    """values and indices at `position(xp, a)` (an array of the kept shape) of the stable
    ascending sort along d."""
    xp = input.xp
    if input.ndim == 0:
        return _Sort(input.clone(), _const(input, xp.zeros((), dtype="int64")))
    order = xp.argsort(input.array, axis=d, kind="stable")
    pos = position(xp, input.array).astype("int64")
    return _picked(input, xp.take_along_axis(order, pos, axis=d), d, keepdim)


def _picked(input, idx, d, keepdim):
    """(values, indices) of input at idx, an index array of the kept shape along d."""
    idx = idx.astype("int64")
    values = Gather.apply(input, idx, d)
    indices = _const(input, idx)
    if not keepdim:
        values = values.squeeze(d)
        indices = indices.squeeze(d)
    return _Sort(values, indices)


def median(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The lower median (the smaller of the two middle values for an even count); NaN if the
    slice holds one. With dim: (values, indices)."""
    dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)

    def position(xp, a):
        nans = xp.isnan(a).sum(axis=d, keepdims=True) if a.dtype.kind == "f" else 0
        n = a.shape[d]
        return xp.where(nans > 0, n - nans, (n - 1) // 2) + xp.zeros(_kept(a, d), dtype="int64")

    if dim is None:
        if input.numel() == 0:
            return _const(input, input.xp.asarray(input.xp.nan, dtype=input.dtype))
        flat = input.reshape(-1)
        d = 0
        return _pick_sorted(flat, 0, False, position)[0]
    d = _dim(dim, input.ndim, "median")
    return _pick_sorted(input, d, keepdim, position)


def mode(input, dim=-1, keepdim=False, *, axis=None, keepdims=None):
    """The most frequent value along dim (the smallest among equally frequent ones), with the
    index of its last occurrence, as PyTorch."""
    dim, keepdim = _dim_args(None if axis is not None else dim, keepdim, axis, keepdims)
    xp = input.xp
    if input.ndim == 0:
        return _Sort(input.clone(), _const(input, xp.zeros((), dtype="int64")))
    d = _dim(dim, input.ndim, "mode")
    a = xp.moveaxis(input.array, d, -1)
    n = a.shape[-1]
    order = xp.argsort(a, axis=-1, kind="stable")
    s = xp.take_along_axis(a, order, axis=-1)
    # run lengths over the sorted values: the count of each value at its run's last element
    new_run = xp.concatenate([xp.ones(s.shape[:-1] + (1,), bool), s[..., 1:] != s[..., :-1]], -1)
    run_id = xp.cumsum(new_run, axis=-1)
    starts = xp.where(new_run, xp.arange(n), 0)
    start_of = xp.maximum.accumulate(starts, axis=-1) if n else starts
    count = xp.arange(n) - start_of + 1
    # the winner: the largest count, the first (smallest) run among equal counts
    key = count * (n + 1) - run_id
    best = xp.argmax(key, axis=-1)[..., None]  # the last element of the winning run
    idx = xp.take_along_axis(order, best, axis=-1)  # stable: the last occurrence
    return _picked(input, xp.moveaxis(idx, -1, d), d, keepdim)


def _scan_input(input, dtype):
    if dtype is not None:
        return input.to(dtype)
    return input


def _scan(op, name, input, dim, dtype, axis):
    """op (Cumsum or Cumprod) along dim; a 0-d input scans as one element."""
    if axis is not None:
        dim = axis
    if dim is None:
        raise TypeError("missing the required argument 'dim'")
    x = _scan_input(input, dtype)
    d = _dim(dim, x.ndim, name)
    if x.dtype.kind == "b" and dtype is not None:
        raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for 'Bool'")
    out = op.apply(x.reshape(1), 0).reshape(()) if x.ndim == 0 else op.apply(x, d)
    # an integer scan accumulates in int64; a dtype asked for is the result's, as PyTorch's
    # (a sum or product modulo 2^32 is the same either way, so int32 wraps as there)
    return out if dtype is None or out.dtype == x.dtype else out.to(x.dtype)


def cumsum(input, dim=None, *, dtype=None, axis=None):
    """out_k = sum_{i <= k} x_i along dim (integers and bools accumulate in int64)."""
    return _scan(Cumsum, "cumsum", input, dim, dtype, axis)


def cumprod(input, dim=None, *, dtype=None, axis=None):
    """out_k = prod_{i <= k} x_i along dim; its gradient is exact where x has zeros."""
    return _scan(Cumprod, "cumprod", input, dim, dtype, axis)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along dim (x[1:] - x[:-1], n times)."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    d = _dim(dim, input.ndim, "diff")
    parts = [p for p in (prepend, input, append) if p is not None]
    x = (
        parts[0]
        if len(parts) == 1
        else ops.composite.cat([p if p.ndim else p.reshape((1,) * input.ndim) for p in parts], d)
    )
    lead = (slice(None),) * d
    for _ in range(n):
        if x.shape[d] == 0:
            break
        hi, lo = x[lead + (slice(1, None),)], x[lead + (slice(None, -1),)]
        x = hi.ne(lo) if x.dtype.kind == "b" else hi - lo
    return x


# =========================================================================== counting
def bincount(input, weights=None, minlength=0):
    """Counts of each non-negative integer in a 1-D tensor (summed weights if given)."""
    if input.ndim != 1 or input.dtype.kind not in "iub":
        raise RuntimeError(
            f"bincount only supports 1-d non-negative integral inputs, got {input.dtype} of "
            f"shape {tuple(input.shape)}"
        )
    xp = input.xp
    a = input.array.astype("int64")
    if a.size and a.min().item() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _const(input, xp.bincount(a, minlength=minlength).astype("int64"))
    w = weights.array if isinstance(weights, Tensor) else xp.asarray(weights)
    out_dtype = w.dtype if w.dtype.kind == "f" else dtypes.float64
    out = xp.bincount(a, weights=w.astype("float64"), minlength=minlength)
    return _const(input, out.astype(out_dtype))


def histc(input, bins=100, min=0, max=0):  # noqa: A002
    """A histogram of `bins` equal bins over [min, max] (the data's range if both are 0);
    elements outside are ignored."""
    if input.dtype.kind != "f":
        raise NotImplementedError(
            f"\"histogram_cpu\" not implemented for '{dtypes.torch_name(input.dtype)}'"
        )
    xp = input.xp
    a = input.array.reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"torch.histc: max must be larger than min, got min={min} max={max}")
    counts = _linear_bins(xp, a, lo, hi, bins, None, a.dtype)
    return _const(input, counts.astype(input.dtype))


def _linear_bins(xp, a, lo, hi, bins, weight, dtype):
    """PyTorch's linear binning: bin = int((x - lo) / (hi - lo) * bins), in x's dtype; the
    right edge belongs to the last bin."""
    lo_ = xp.asarray(lo, dtype=dtype)
    hi_ = xp.asarray(hi, dtype=dtype)
    inside = (a >= lo_) & (a <= hi_)
    x = a[inside]
    pos = ((x - lo_) / (hi_ - lo_) * xp.asarray(bins, dtype=dtype)).astype("int64")
    pos = xp.minimum(pos, bins - 1)
    w = None if weight is None else weight.reshape(-1)[inside].astype("float64")
    return xp.bincount(pos, weights=w, minlength=bins)[:bins]


def histogram(input, bins=100, *, range=None, weight=None, density=False):  # noqa: A002
    """(hist, bin_edges): `bins` equal bins over range (default: the data's), or the given
    edges; the last bin includes its right edge."""
    xp = input.xp
    a = input.array.reshape(-1)
    w = None if weight is None else weight.array
    if isinstance(bins, Tensor):
        edges = bins.array.astype(input.dtype)
        idx = xp.searchsorted(edges, a, side="right") - 1
        idx = xp.where(a == edges[-1], len(edges) - 2, idx)
        ok = (idx >= 0) & (idx < len(edges) - 1)
        ww = None if w is None else w.reshape(-1)[ok].astype("float64")
        hist = xp.bincount(idx[ok], weights=ww, minlength=len(edges) - 1)
    else:
        if range is None:
            lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 0.0)
        else:
            lo, hi = float(range[0]), float(range[1])
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5  # numpy's and PyTorch's choice for an empty range
        edges = xp.linspace(lo, hi, bins + 1).astype(input.dtype)
        # linear position, then corrected against the edges (PyTorch's local search)
        idx = xp.searchsorted(edges, a, side="right") - 1
        idx = xp.where(a == edges[-1], bins - 1, idx)
        ok = (idx >= 0) & (idx < bins) & (a >= edges[0]) & (a <= edges[-1])
        ww = None if w is None else w.reshape(-1)[ok].astype("float64")
        hist = xp.bincount(idx[ok], weights=ww, minlength=bins)
    hist = hist.astype(input.dtype)
    if density:
        widths = xp.diff(edges)
        total = hist.sum()
        hist = hist / (total * widths) if total else hist
        hist = hist.astype(input.dtype)
    return _Histogram(_const(input, hist), _const(input, xp.asarray(edges)))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """The distinct values (sorted, as PyTorch on the CPU), or distinct slices along dim; with
    the inverse indices and counts if asked."""
    xp = input.xp
    a = input.array
    if dim is None:
        values, inverse, counts = xp.unique(a.reshape(-1), return_inverse=True, return_counts=True)
        inverse = inverse.reshape(a.shape)
    else:
        d = _dim(dim, input.ndim, "unique")
        moved = xp.moveaxis(a, d, 0)
        if moved.shape[0] == 0:
            values, inverse, counts = moved, xp.zeros(0, "int64"), xp.zeros(0, "int64")
        else:
            values, inverse, counts = xp.unique(
                moved.reshape(moved.shape[0], -1), axis=0, return_inverse=True, return_counts=True
            )
            values = values.reshape((-1,) + moved.shape[1:])
        values = xp.moveaxis(values, 0, d)
        inverse = inverse.reshape(-1)
    out = [_const(input, xp.ascontiguousarray(values))]
    if return_inverse:
        out.append(_const(input, inverse.astype("int64")))
    if return_counts:
        out.append(_const(input, counts.astype("int64")))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Each run of equal consecutive values (or slices along dim) kept once."""
    xp = input.xp
    a = input.array
    d = 0 if dim is None else _dim(dim, input.ndim, "unique_consecutive")
    moved = a.reshape(-1) if dim is None else xp.moveaxis(a, d, 0)
    n = moved.shape[0]
    if n:
        flat = moved.reshape(n, -1)
        new = xp.concatenate([xp.ones(1, bool), (flat[1:] != flat[:-1]).any(axis=1)])
    else:
        new = xp.zeros(0, bool)
    starts = xp.flatnonzero(new)
    values = moved[starts]
    if dim is not None:
        values = xp.moveaxis(values, 0, d)
    out = [_const(input, xp.ascontiguousarray(values))]
    if return_inverse:
        inv = xp.cumsum(new) - 1
        out.append(_const(input, (inv.reshape(a.shape) if dim is None else inv).astype("int64")))
    if return_counts:
        out.append(_const(input, xp.diff(xp.append(starts, n)).astype("int64")))
    return out[0] if len(out) == 1 else tuple(out)


# =========================================================================== selection
def masked_fill(input, mask, value):
    """value where mask (broadcast to input) holds.  d/dx = 1 - mask."""
    m = mask.array if isinstance(mask, Tensor) else input.xp.asarray(mask)
    if m.dtype.kind != "b":
        raise RuntimeError(
            f"masked_fill only supports boolean masks, but got mask with dtype {m.dtype}"
        )
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                f"masked_fill only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)"
            )
        value = value.to(input.dtype)
    else:  # checked against input's dtype (uint8 takes -1 but not -1.5), as PyTorch
        value = dtypes.checked_number(value, input.dtype)
        value = _const(input, input.xp.asarray(value, dtype=input.dtype))
    try:
        out = Where.apply(m, value, input)
    except RuntimeError:
        raise RuntimeError(
            f"masked_fill: the mask {tuple(m.shape)} must be broadcastable to the input "
            f"{tuple(input.shape)}"
        ) from None
    return out


def index_select(input, dim, index):
    """The slices at index (1-D) along dim."""
    d = _dim(dim, input.ndim, "index_select")
    if len(getattr(index, "shape", ())) > 1:  # PyTorch checks this before the dtype
        raise IndexError("index_select(): Index is supposed to be a vector")
    idx = _index_array(index, input, "index_select")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    n = input.shape[d] if input.ndim else 1
    if idx.size and (idx.min().item() < 0 or idx.max().item() >= n):
        raise RuntimeError(
            f"index_select(): INDICES element is out of DATA bounds: indices {idx.tolist()} "
            f"for dim {d} of size {n}"
        )
    if input.ndim == 0:
        return input.reshape(1)[idx.reshape(-1)].reshape(idx.shape)
    return input[(slice(None),) * d + (idx.reshape(-1),)]


def masked_select(input, mask):
    """The elements where mask holds (both broadcast), as a 1-D tensor."""
    m = mask.array if isinstance(mask, Tensor) else input.xp.asarray(mask)
    if m.dtype.kind != "b":
        raise RuntimeError(f"masked_select: expected a boolean mask, got {m.dtype}")
    shape = _broadcast(input.shape, m.shape, "masked_select")
    x = input if input.shape == shape else input.broadcast_to(shape)
    return x[input.xp.broadcast_to(m, shape)]


def _broadcast(a, b, op):
    n = builtins.max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for p, q in zip(a, b):
        if p != q and p != 1 and q != 1:
            raise RuntimeError(f"{op}: shapes {a} and {b} are not broadcastable")
        out.append(q if p == 1 else p)
    return tuple(out)


def take(input, index):
    """input viewed as 1-D, read at index (any shape; negative indices count from the end)."""
    idx = _index_array(index, input, "take")
    n = input.numel()
    if idx.size and (idx.min().item() < -n or idx.max().item() >= n):
        raise IndexError(f"take(): index out of range for a tensor of {n} elements")
    return input.reshape(-1)[idx]


def _scatter_args(input, dim, index, op):
    d = _dim(dim, input.ndim, op)
    idx = _index_array(index, input, op)
    if idx.ndim != input.ndim and not (idx.ndim <= 1 and input.ndim <= 1):
        raise RuntimeError(
            f"{op}(): Index tensor must have the same number of dimensions as self tensor "
            f"(index {tuple(idx.shape)}, self {tuple(input.shape)})"
        )
    n = input.shape[d] if input.ndim else 1
    lo, hi = (idx.min().item(), idx.max().item()) if idx.size else (0, 0)
    if lo < 0 or hi >= n:
        raise RuntimeError(
            f"{op}(): index {lo if lo < 0 else hi} is out of bounds for dimension {d} with size {n}"
        )
    return d, idx


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """A copy of input with out[index[i][j]][j] = src[i][j] (dim 0), or = value."""
    if src is None:
        src = value
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(
                f"scatter(): reduce argument must be 'add' or 'multiply', got {reduce!r}"
            )
        if reduce == "multiply":
            raise NotImplementedError("scatter(reduce='multiply')")
        if not isinstance(src, Tensor):
            shape = _index_array(index, input, "scatter").shape
            src = _const(input, input.xp.full(shape, src, dtype=input.dtype))
        return scatter_add(input, dim, index, src)
    d, idx = _scatter_args(input, dim, index, "scatter")
    if isinstance(src, Tensor) and src.dtype != input.dtype:
        raise RuntimeError(
            f"scatter(): Expected self.dtype to be equal to src.dtype "
            f"({input.dtype} vs {src.dtype})"
        )
    return Scatter.apply(input, idx, d, src, "set")


def scatter_add(input, dim, index, src):
    """A copy of input with out[index[i][j]][j] += src[i][j] (dim 0); repeats accumulate."""
    d, idx = _scatter_args(input, dim, index, "scatter_add")
    if not isinstance(src, Tensor):
        raise TypeError("scatter_add(): src must be a Tensor")
    if src.dtype != input.dtype:
        raise RuntimeError(
            f"scatter_add(): Expected self.dtype to be equal to src.dtype "
            f"({input.dtype} vs {src.dtype})"
        )
    return Scatter.apply(input, idx, d, src, "add")


def index_add(input, dim, index, source, *, alpha=1):
    """out = input, with out[..., index[i], ...] += alpha * source[..., i, ...] along dim."""
    d = _dim(dim, input.ndim, "index_add")
    idx = _index_array(index, input, "index_add").reshape(-1)
    n = input.shape[d] if input.ndim else 1
    if idx.size and (idx.min().item() < 0 or idx.max().item() >= n):
        raise RuntimeError(f"index_add(): index out of bounds for dimension {d} with size {n}")
    src = source if alpha == 1 else source * alpha
    if input.ndim == 0:
        return input + IndexAdd.apply(src.reshape(-1), (idx,), (1,)).reshape(())
    return input + IndexAdd.apply(src, (slice(None),) * d + (idx,), input.shape)


def index_fill(input, dim, index, value):
    """value in the slices at index along dim."""
    d = _dim(dim, input.ndim, "index_fill")
    idx = _index_array(index, input, "index_fill").reshape(-1)
    xp = input.xp
    mask = xp.zeros(input.shape[d] if input.ndim else 1, dtype=bool)
    mask[idx] = True
    shape = [1] * input.ndim
    if input.ndim:
        shape[d] = input.shape[d]
    return masked_fill(input, mask.reshape(shape), value)


def index_copy(input, dim, index, source):
    """out[..., index[i], ...] = source[..., i, ...] along dim."""
    d = _dim(dim, input.ndim, "index_copy")
    idx = _index_array(index, input, "index_copy").reshape(-1)
    zeroed = index_fill(input, d, _const(input, idx), 0)
    return index_add(zeroed, d, _const(input, idx), source)


# =========================================================================== construction
def roll(input, shifts, dims=None):
    """Elements shifted along dims, wrapping around (all elements flattened if dims is None)."""
    if dims is None:
        if isinstance(shifts, (tuple, list)) and len(shifts) != 1:
            raise RuntimeError("roll: shifts must have one element when dims is not given")
        s = shifts[0] if isinstance(shifts, (tuple, list)) else shifts
        return roll(input.reshape(-1), s, 0).reshape(input.shape)
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts) != len(dims):
        raise RuntimeError(
            f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims: {len(dims)}"
        )
    out = input
    xp = input.xp
    for s, dim in zip(shifts, dims):
        d = _dim(dim, input.ndim, "roll")
        n = input.shape[d]
        if n == 0 or s % n == 0:
            continue
        pos = (xp.arange(n) - s) % n
        out = out[(slice(None),) * d + (pos,)]
    return out if out is not input else input.clone()


def flip(input, dims, *, axis=None):
    """Elements in reverse order along dims (a copy, as PyTorch)."""
    if axis is not None:
        dims = axis
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    index = [slice(None)] * input.ndim
    for dim in dims:
        index[_dim(dim, input.ndim, "flip")] = slice(None, None, -1)
    return input[tuple(index)].clone()


def fliplr(input):
    if input.ndim < 2:
        raise RuntimeError("fliplr: input must be >= 2-d")
    return flip(input, (1,))


def flipud(input):
    if input.ndim < 1:
        raise RuntimeError("flipud: input must be >= 1-d")
    return flip(input, (0,))


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along dim) repeated `repeats` times (an int or one per slice).
    With a single integer tensor argument: its indices repeated by its values."""
    xp = input.xp
    if repeats is None:
        counts = input.array.reshape(-1).astype("int64")
        return _const(input, xp.repeat(xp.arange(counts.size), counts).astype("int64"))
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else _dim(dim, input.ndim, "repeat_interleave")
    if x.ndim == 0:
        x = x.reshape(1)
    r = repeats.array.astype("int64") if isinstance(repeats, Tensor) else int(repeats)
    n = x.shape[d]
    if isinstance(r, int):
        if r < 0:
            raise RuntimeError("repeat_interleave: repeats can not be negative")
    elif r.ndim and r.size not in (1, n):
        raise RuntimeError(
            f"repeat_interleave: repeats must have the same size as input along dim, but got "
            f"repeats.size(0) = {r.size} and input.size({d}) = {n}"
        )
    pos = xp.repeat(xp.arange(n), r.reshape(-1) if not isinstance(r, int) and r.size > 1 else r)
    return x[(slice(None),) * d + (pos,)]


def tile(input, dims):
    """Tile input `dims` times per dim (fewer dims than input: leading 1s, as PyTorch)."""
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return input.repeat(*dims)


def _tri_mask(input, diagonal, lower):
    if input.ndim < 2:
        op = "tril" if lower else "triu"
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")
    xp = input.xp
    rows, cols = input.shape[-2:]
    i = xp.arange(rows)[:, None]
    j = xp.arange(cols)[None, :]
    return (j - i <= diagonal) if lower else (j - i >= diagonal)


def tril(input, diagonal=0):
    """The lower triangle (j - i <= diagonal) of the last two dims, zeros above."""
    zero = input.xp.zeros((), dtype=input.dtype)
    return Where.apply(_tri_mask(input, diagonal, True), input, _const(input, zero))


def triu(input, diagonal=0):
    """The upper triangle (j - i >= diagonal) of the last two dims, zeros below."""
    zero = input.xp.zeros((), dtype=input.dtype)
    return Where.apply(_tri_mask(input, diagonal, False), input, _const(input, zero))


def outer(input, vec2):
    """out[i, j] = x[i] y[j] for 1-D x, y."""
    if input.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(
            f"outer: expected 1-D vectors, got shapes {tuple(input.shape)} and {tuple(vec2.shape)}"
        )
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


def einsum(equation, *operands):
    """Einstein summation, as torch.einsum (ellipsis and implicit output included)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) != len(operands):
        raise RuntimeError(
            f"einsum(): {len(subs)} operands in the equation but {len(operands)} tensors given"
        )
    used = set(re.sub(r"[^A-Za-z]", "", eq))
    spare = [c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba" if c not in used]
    ell = 0
    for s, x in zip(subs, operands):
        if "..." in s:
            ell = builtins.max(ell, x.ndim - (len(s) - 3))
    ell_letters = "".join(spare[:ell][::-1])
    new_subs = []
    for s, x in zip(subs, operands):
        if "..." in s:
            k = x.ndim - (len(s) - 3)
            s = s.replace("...", ell_letters[ell - k :])
        if len(s) != x.ndim:
            raise RuntimeError(
                f"einsum(): the subscripts {s!r} do not match an operand of shape {tuple(x.shape)}"
            )
        new_subs.append(s)
    if arrow:
        out = out.replace("...", ell_letters)
    else:
        letters = "".join(new_subs)
        out = ell_letters + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell_letters)
        )
    dtype = operands[0].dtype
    for x in operands[1:]:
        if x.dtype != dtype:
            raise RuntimeError(
                f"einsum(): expected all operands to have the same dtype, got {dtype} and {x.dtype}"
            )
    return Einsum.apply(",".join(new_subs) + "->" + out, *operands)


def diag(input, diagonal=0):
    """1-D: a square matrix with input on the given diagonal. 2-D: that diagonal, 1-D."""
    if input.ndim == 2:
        return diagonal_(input, diagonal, 0, 1)
    if input.ndim != 1:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    n = input.shape[0]
    k = builtins.abs(diagonal)
    m = n + k
    xp = input.xp
    rows = xp.arange(n) + (0 if diagonal >= 0 else k)
    cols = xp.arange(n) + (diagonal if diagonal >= 0 else 0)
    flat = rows * m + cols
    return IndexAdd.apply(input, (flat,), (m * m,)).reshape(m, m)


def diagonal_(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the (dim1, dim2) planes, as the last dim (a copy)."""
    d1 = _dim(dim1, input.ndim, "diagonal")
    d2 = _dim(dim2, input.ndim, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    rest = [d for d in range(input.ndim) if d not in (d1, d2)]
    x = input.permute(*rest, d1, d2)
    rows, cols = x.shape[-2:]
    xp = input.xp
    if offset >= 0:
        n = builtins.max(builtins.min(rows, cols - offset), 0)
        i = xp.arange(n)
        j = i + offset
    else:
        n = builtins.max(builtins.min(rows + offset, cols), 0)
        j = xp.arange(n)
        i = j - offset
    return x[(Ellipsis, i, j)]


def trace(input):
    """The sum of the main diagonal of a 2-D tensor."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    d = diagonal_(input)
    out = d.sum()
    return out


def kron(input, other):
    """The Kronecker product: out[i*p + k, j*q + l] = a[i, j] b[k, l] (any ndim)."""
    n = builtins.max(input.ndim, other.ndim)
    a = input.reshape((1,) * (n - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (n - other.ndim) + tuple(other.shape))
    inter_a, inter_b = [], []
    for s, t in zip(a.shape, b.shape):
        inter_a += [s, 1]
        inter_b += [1, t]
    out = a.reshape(inter_a) * b.reshape(inter_b)
    return out.reshape(tuple(s * t for s, t in zip(a.shape, b.shape)))


def cross(input, other, dim=None):
    """The cross product of 3-vectors along dim (default: the first dim of size 3)."""
    if dim is None:
        dim = next((i for i, s in enumerate(input.shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("cross: no dimension of size 3 in input")
    shape = _broadcast(input.shape, other.shape, "cross")
    a = input.broadcast_to(shape) if input.shape != shape else input
    b = other.broadcast_to(shape) if other.shape != shape else other
    d = _dim(dim, len(shape), "cross")
    if shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {d} must have length 3. Got {shape[d]}")
    lead = (slice(None),) * d

    def c(t, i):
        return t[lead + (slice(i, i + 1),)]

    parts = [
        c(a, 1) * c(b, 2) - c(a, 2) * c(b, 1),
        c(a, 2) * c(b, 0) - c(a, 0) * c(b, 2),
        c(a, 0) * c(b, 1) - c(a, 1) * c(b, 0),
    ]
    return ops.composite.cat(parts, d)


def narrow(input, dim, start, length):
    """The slice start:start+length along dim (a view)."""
    d = _dim(dim, input.ndim, "narrow")
    start = int(start)
    n = input.shape[d]
    if start < 0:
        start += n
    if not (0 <= start <= n and 0 <= length and start + length <= n):
        raise RuntimeError(
            f"narrow(): start ({start}) + length ({length}) exceeds dimension size ({n})."
        )
    return input[(slice(None),) * d + (slice(start, start + length),)]


def unfold(input, dimension, size, step):
    """Every window of `size` elements along `dimension`, `step` apart, as a new last dim
    (Tensor.unfold): (..., n, ...) -> (..., (n - size) // step + 1, ..., size). Gathered
    through index_select, so overlapping windows sum their gradients. PyTorch returns a view;
    this is a copy whose storage refuses writes on the CPU (an error, where a write into
    PyTorch's view would reach the input; cupy has no read-only arrays)."""
    d = _dim(dimension, input.ndim, "unfold")
    x = input.reshape(1) if input.ndim == 0 else input
    n = x.shape[d]
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    count = (n - size) // step + 1
    xp = x.xp
    starts = xp.arange(count, dtype="int64")[:, None] * step
    index = (starts + xp.arange(size, dtype="int64")[None, :]).reshape(-1)
    out = index_select(x, d, _wrap(index, x._backend))
    out = out.reshape(tuple(x.shape[:d]) + (count, size) + tuple(x.shape[d + 1 :]))
    out = out.movedim(d + 1, -1) if input.ndim else out.reshape(size)  # 0-d: (size,)
    out = _node_named(out, "UnfoldBackward0")
    x._backend.read_only(out.array)
    return out


def movedim(input, source, destination):
    """Dims moved from source to destination; the others keep their order."""
    src = source if isinstance(source, (tuple, list)) else (source,)
    dst = destination if isinstance(destination, (tuple, list)) else (destination,)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    src = [_dim(s, input.ndim, "movedim") for s in src]
    dst = [_dim(s, input.ndim, "movedim") for s in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError("movedim: repeated dim in source or destination")
    order = [None] * input.ndim
    for s, t in zip(src, dst):
        order[t] = s
    rest = iter(d for d in range(input.ndim) if d not in src)
    order = [next(rest) if o is None else o for o in order]
    return input.permute(*order) if input.ndim else input.clone()


moveaxis = movedim


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D tensors ('ij': matrix indexing; 'xy': the first two swapped)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    shape = [t.numel() for t in tensors]
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, t in enumerate(tensors):
        pos = i
        if swap and i < 2:
            pos = 1 - i
        view = [1] * len(tensors)
        view[pos] = -1
        out.append(t.reshape(view).broadcast_to(tuple(shape)))
    return tuple(out)


def cartesian_prod(*tensors):
    """Every combination of the 1-D tensors' elements, one per row."""
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return ops.composite.stack([g.reshape(-1) for g in grids], 1)


def mm(input, mat2):
    """The matrix product of two 2-D tensors (no broadcasting, as torch.mm)."""
    if input.ndim != 2 or mat2.ndim != 2:
        which = "self" if input.ndim != 2 else "mat2"
        raise RuntimeError(f"{which} must be a matrix (mm of shapes {tuple(input.shape)} and "
                           f"{tuple(mat2.shape)})")  # fmt: skip
    return input @ mat2


def bmm(input, mat2):
    """Batched matrix products of two 3-D tensors with the same batch size (as torch.bmm)."""
    if input.ndim != 3 or mat2.ndim != 3:
        which = "batch1" if input.ndim != 3 else "batch2"
        raise RuntimeError(f"{which} must be a 3D tensor (bmm of shapes {tuple(input.shape)} and "
                           f"{tuple(mat2.shape)})")  # fmt: skip
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"bmm: batch1 and batch2 must have same number of batches, got {input.shape[0]} and "
            f"{mat2.shape[0]}"
        )
    return input @ mat2


def mv(input, vec):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(
            f"mv: expected a matrix and a vector, got shapes {tuple(input.shape)} and "
            f"{tuple(vec.shape)}"
        )
    return input @ vec


def dot(input, other):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.dtype != other.dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found {input.dtype} and "
            f"{other.dtype}"
        )
    if input.shape != other.shape:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
            f"[{other.shape[0]}] to have the same number of elements, but got {input.shape[0]} "
            f"and {other.shape[0]} elements respectively"
        )
    return input @ other


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta input + alpha (mat1 @ mat2)."""
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(
            f"addmm: mat1 and mat2 must be matrices, got shapes {tuple(mat1.shape)} and "
            f"{tuple(mat2.shape)}"
        )
    return _add_scaled(input, mat1 @ mat2, beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta input + alpha (batch1 @ batch2), batched."""
    if batch1.ndim != 3 or batch2.ndim != 3:
        raise RuntimeError("baddbmm: batch1 and batch2 must be 3-D tensors")
    return _add_scaled(input, batch1 @ batch2, beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    return _add_scaled(input, mv(mat, vec), beta, alpha)


def _add_scaled(input, product, beta, alpha):
    product = product if alpha == 1 else product * alpha
    if beta == 0:  # as PyTorch: input is ignored, a NaN in it does not propagate
        return product
    return (input if beta == 1 else input * beta) + product


# --------------------------------------------------------------------------- comparisons, bits


def compare(x, y, name):
    backend = x._backend
    if isinstance(y, Tensor):
        if y._backend is not backend:
            raise DeviceError(
                f"{name}: expected both tensors on the same device, got {x.device} and {y.device}"
            )
    elif not isinstance(y, (int, float, bool)):
        y = Tensor(y, device=x.device)
    if name in _COMPARISONS:  # on the promoted operands, as PyTorch (uint8 < -1 is uint8 < 255)
        a, b, _ = promote(x, y, False)
    else:
        a, b = x.array, y.array if isinstance(y, Tensor) else y
    try:
        out = getattr(backend.xp, name)(a, b)
    except ValueError:
        raise RuntimeError(
            f"{name}: shapes {tuple(x.shape)} and {tuple(getattr(y, 'shape', ()))} "
            "are not broadcastable"
        ) from None
    return _wrap(out, backend)


_COMPARISONS = frozenset(("equal", "not_equal", "less", "less_equal", "greater", "greater_equal"))


_TORCH_KIND = {"f": "Float"}


def _bitwise(x, other, name):
    kinds = [x.dtype.kind]
    if isinstance(other, Tensor):
        kinds.append(other.dtype.kind)
    elif isinstance(other, float):
        kinds.append("f")
    if builtins.any(k not in "biu" for k in kinds):
        raise NotImplementedError(
            f"\"{name}_cpu\" not implemented for '{_TORCH_KIND.get('f', 'Float')}': "
            f"{name} takes integer or bool tensors, got {x.dtype}"
            + (f" and {other.dtype}" if isinstance(other, Tensor) else "")
        )
    if isinstance(other, Tensor) and other._backend is not x._backend:
        raise DeviceError(
            f"{name}: expected both tensors on the same device, got {x.device} and {other.device}"
        )
    try:
        a, b, _ = promote(x, other, opmath=False)  # PyTorch's promotion, ints wrap
        out = getattr(x._backend.xp, name)(a, b)
    except ValueError:
        raise RuntimeError(
            f"{name}: shapes {tuple(x.shape)} and {tuple(getattr(other, 'shape', ()))} "
            "are not broadcastable"
        ) from None
    return _wrap(out, x._backend)


def bitwise_and(x, other):
    return _bitwise(x, other, "bitwise_and")


def bitwise_or(x, other):
    return _bitwise(x, other, "bitwise_or")


def bitwise_xor(x, other):
    return _bitwise(x, other, "bitwise_xor")


def bitwise_not(x):
    if x.dtype.kind not in "biu":
        raise RuntimeError(f"bitwise_not takes integer or bool tensors, got {x.dtype}")
    return _wrap(x._backend.xp.invert(x.array), x._backend)


def invert(x):
    if x.dtype.kind not in "biu":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors, "
            f"got {x.dtype}"
        )
    return x.bitwise_not()


def nonzero(x, *, as_tuple=False):
    """The indices of the non-zero elements: (n, ndim) int64, or one 1-D tensor per dim."""
    xp = x._backend.xp
    if as_tuple:
        if x.ndim == 0:
            return (_wrap(xp.nonzero(x.array.reshape(1))[0], x._backend),)
        return tuple(_wrap(i.astype(dtypes.int64), x._backend)
                     for i in xp.nonzero(x.array))  # fmt: skip
    return _wrap(xp.argwhere(x.array).astype(dtypes.int64), x._backend)


def argwhere(x):
    return x.nonzero()


# --------------------------------------------------------------------------- in place
def _in_place(fn, input, *args, **kwargs):
    """fn in place: the out-of-place op on a clone (so nothing it saves is overwritten), copied
    in; input's new node shows the op's name, as PyTorch's (x.exp_() reads ExpBackward0)."""
    out = fn(input.clone(), *args, **kwargs)
    if out.dtype != input.dtype and not dtypes.can_cast(out.dtype, input.dtype):
        raise ops.elementwise.cast_error(out.dtype, input.dtype, fn.__name__)  # copy_ would cast
    node = out.grad_fn
    input.copy_(out)
    return input if node is None else _node_named(input, node.name())


def _in_place_form(name):
    def method(input, *args, **kwargs):
        return _in_place(getattr(Tensor, name), input, *args, **kwargs)

    method.__name__ = f"{name}_"
    method.__doc__ = f"`x.{name}_(...)`: x.{name}(...) written into x."
    return method


# PyTorch's in-place forms of these ops (x.exp_(), x.relu_(), x.eq_(y): the result cast to
# x's dtype), each listed in _tensor._METHODS
for _name in """exp log sqrt sigmoid tanh relu abs absolute neg negative sin cos tan asin acos
        atan arcsin arccos arctan sinh cosh asinh acosh atanh arcsinh arccosh arctanh log2
        log10 log1p expm1 exp2 rsqrt reciprocal square sign erf erfc erfinv frac fix atan2
        arctan2 hypot xlogy true_divide divide multiply subtract clip cumsum cumprod
        logical_and logical_or logical_xor logical_not bitwise_and bitwise_or bitwise_xor
        bitwise_not eq ne lt le gt ge greater greater_equal less less_equal
        not_equal""".split():
    globals()[f"{_name}_"] = _in_place_form(_name)


def floor_(input):
    return _in_place(floor, input)


def ceil_(input):
    return _in_place(ceil, input)


def trunc_(input):
    return _in_place(trunc, input)


def round_(input, decimals=0):
    return _in_place(round, input, decimals=decimals)


def fmod_(input, other):
    return _in_place(fmod, input, other)


def remainder_(input, other):
    return _in_place(remainder, input, other)


def lerp_(input, end, weight):
    return _in_place(lerp, input, end, weight)


def clamp_min_(input, min):  # noqa: A002
    return input.clamp_(min=min)


def clamp_max_(input, max):  # noqa: A002
    return input.clamp_(max=max)


def nan_to_num_(input, nan=0.0, posinf=None, neginf=None):
    return _in_place(nan_to_num, input, nan, posinf, neginf)


def masked_fill_(input, mask, value):
    return _in_place(masked_fill, input, mask, value)


def scatter_(input, dim, index, src=None, value=None, *, reduce=None):
    return _in_place(scatter, input, dim, index, src, value, reduce=reduce)


def scatter_add_(input, dim, index, src):
    return _in_place(scatter_add, input, dim, index, src)


def index_add_(input, dim, index, source, *, alpha=1):
    return _in_place(index_add, input, dim, index, source, alpha=alpha)


def index_fill_(input, dim, index, value):
    return _in_place(index_fill, input, dim, index, value)


def index_copy_(input, dim, index, source):
    return _in_place(index_copy, input, dim, index, source)


def tril_(input, diagonal=0):
    return _in_place(tril, input, diagonal)


def triu_(input, diagonal=0):
    return _in_place(triu, input, diagonal)


# numpy's axis / keepdims, where the signature above lacks them
_NUMPY_NAMED = [
    "diff", "unique", "unique_consecutive", "index_select", "scatter", "scatter_add",
    "index_add", "index_fill", "index_copy", "repeat_interleave", "cross", "narrow",
    "scatter_", "scatter_add_", "index_add_", "index_fill_", "index_copy_",
]  # fmt: skip
for _name in _NUMPY_NAMED:
    globals()[_name] = _numpy_names(globals()[_name])
