"""Reductions: sum, var, amax (max/min), prod and log_softmax. Each backward spreads grad back
over the reduced dims. The losses built on log_softmax are in ops/loss.py.

Below them, Tensor's reduction methods (mean, max, argmax, softmax, ...): dim / keepdim read,
then a primitive here or a composite of autograd.ops.composite."""

import builtins
import math

from autograd import function as _function
from autograd._tensor import Tensor, _named, _wrap
from autograd.args import (
    REQUIRED,
    _correction,
    _dim,
    _dim_args,
    _dims,
    _numpy_names,
    _required_dim,
)
from autograd.function import Primitive
from autograd.grad_mode import state as _grad
from autograd.ops._util import _into, _quiet, array_of, like, output_of, xp_of
from autograd.ops.elementwise import Exp, _own
from autograd.ops.index import Gather, GetItem
from autograd.ops.scan import Cumprod
from autograd.ops.shape import Cat, Permute, Reshape, Sum, _keepdim_shape, _unreduce
from backends import dtypes


def reduce_input(x, dtype):
    """x cast to a reduction's dtype= argument (sum, prod); PyTorch differentiates no integer
    result, so a graph that would need one raises."""
    if dtype is None:
        return x
    dtype = dtypes.as_dtype(dtype)
    if dtype.kind != "f" and x._requires_grad and _grad.enabled:
        raise RuntimeError(f"Autograd not support dtype: {dtypes.torch_name(dtype)}")
    return x.to(dtype)


def _empty_error(op, x, dims):
    # PyTorch: RuntimeError when no dim is given, IndexError when a given dim is empty
    return (RuntimeError if dims is None else IndexError)(
        f"{op}(): cannot reduce over a zero-size dim (input shape {tuple(x.shape)}, dims {dims}); "
        "specify a dim of non-zero size"
    )


class Var(Primitive):
    """y = sum (x - mean)^2 / (n - c) over dims.  dy/dx = 2 (x - mean) / (n - c).

    A primitive so the gradient is PyTorch's formula: through the composition, the mean's
    own path (analytically 0) turns one infinite element into nan everywhere. The rule keeps
    the mean in the graph under create_graph, so second derivatives stay exact; for float32
    it runs in float32, as PyTorch's var_backward."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, dims=None, correction=1, keepdim=False):
        ctx.save_for_backward(x)
        ctx.dims = dims
        ctx.shape = x.shape
        a = x.array
        ctx.correction = correction
        n = _count(a.shape, dims)
        # float32 accumulates in float64, as PyTorch's CPU kernel (the squares of large values
        # cannot overflow, x - mean is exact), without a float64 copy of x
        wide = "float64" if a.dtype.itemsize == 4 else "float32" if a.dtype.itemsize < 4 else None
        if n:
            mean = a.mean(axis=dims, keepdims=True, dtype=wide)
        else:  # numpy warns "Mean of empty slice"; the deviations are empty, any mean will do
            mean = x.xp.zeros(_keepdim_shape(a.shape, dims), wide or a.dtype)
        out = _squared_deviations(x.xp, a, mean, dims, wide)
        if not keepdim:
            out = out.reshape(_reduced_shape(a.shape, dims))
        dof = n - correction
        with _quiet(x.xp):  # n <= c: divided by 0, so inf, or nan for 0/0 (PyTorch)
            out = out / (dof if dof > 0 else 0)  # a nan correction too: max(0, nan) is 0
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        g = _unreduce(grad, ctx.shape, ctx.dims)
        return _into(_dvar(x, ctx.dims, ctx.correction), g), None, None, None

    @staticmethod
    def jvp(ctx, tx, *_):
        """ẏ = sum ẋ 2 (x - mean) / (n - c)."""
        x, dims, correction, keepdim = ctx.inputs
        return Sum.apply(tx * _dvar(x, dims, correction), dims, keepdim)


_BLOCK = 1 << 16  # elements of x per block of var's temporaries


def _squared_deviations(xp, a, mean, dims, wide):
    """sum (a - mean)^2 over dims (kept), in `wide`, block by block along the first kept dim
    longer than 1 (the same sums as unblocked), or along the first dim for a full reduction
    (summed block by block): the temporary a - mean exists for one block at a time."""
    reduced = range(a.ndim) if dims is None else dims
    kept = [i for i in range(a.ndim) if i not in reduced and a.shape[i] > 1]
    axis = kept[0] if kept else next((i for i in range(a.ndim) if a.shape[i] > 1), None)
    if axis is None or a.size <= _BLOCK:
        d = xp.subtract(a, mean, dtype=wide)
        d *= d
        return d.sum(axis=dims, keepdims=True)
    step = builtins.max(1, _BLOCK * a.shape[axis] // a.size)
    out = xp.zeros(mean.shape, dtype=mean.dtype)
    for i in range(0, a.shape[axis], step):
        index = (slice(None),) * axis + (slice(i, i + step),)
        d = xp.subtract(a[index], mean[index] if kept else mean, dtype=wide)
        d *= d
        if kept:
            out[index] = d.sum(axis=dims, keepdims=True)
        else:
            out += d.sum(axis=dims, keepdims=True)
    return out


def _dvar(x, dims, correction):
    """2 (x - mean) / (n - c), the mean kept in the graph for second derivatives.

    At n <= c PyTorch's var_backward has two rules: over all dims (dim=None, or a 0-d x) it
    gives nan where x = mean and inf elsewhere; over given dims it keeps 2 / (n - c), which
    is inf at n = c and finite (negative) below. A new array, of x's shape and dtype."""
    n = _count(x.shape, dims)
    mean = Sum.call(x, dims, True) / n
    if n - correction > 0 or dims is not None and x.ndim:
        scale = 2 / (n - correction) if n != correction else math.inf
        return _into(x - mean, scale)
    at_mean = array_of(x) == array_of(mean)
    return like(xp_of(x).where(at_mean, math.nan, math.inf).astype(x.dtype), x)


def _count(shape, dims):
    n = 1
    for d in range(len(shape)) if dims is None else dims:
        n *= shape[d]
    return n


class Amax(Primitive):
    """y = max over dims.  dy/dx_i = 1/k for the k elements tied at the max, else 0 (PyTorch).

    At a nan max, PyTorch's amax gives nan to the whole slice (0/0); its max() over all
    elements (`full`) spreads the gradient evenly over the nan elements instead."""

    _array_rule = True
    _saves_output = True
    _name = "max"

    @classmethod
    def forward(cls, ctx, x, dims=None, keepdim=False, full=False):
        ctx.save_for_backward(x)
        ctx.dims = dims
        ctx.full = full
        a = x.array
        if a.size == 0:
            # Empty only along kept dims: an empty result, as PyTorch (numpy refuses).
            if builtins.any(a.shape[d] == 0 for d in (range(a.ndim) if dims is None else dims)):
                raise _empty_error(cls._name, x, dims)
            out = x.xp.empty(_keepdim_shape(a.shape, dims), dtype=a.dtype)
        else:
            out = getattr(a, cls._name)(axis=dims, keepdims=True)
        ctx.out = out
        return out if keepdim else out.reshape(_reduced_shape(a.shape, dims))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        weight = _extremum_weight(array_of(x), ctx.out, ctx.dims, ctx.full, grad.dtype)
        spread = _unreduce(grad, x.shape, ctx.dims)
        # at array speed the weights become the gradient in place (one array of the input's
        # size besides the boolean hits)
        return _into(like(weight, x), spread), None, None, None

    @staticmethod
    def jvp(ctx, tx, *_):
        """ẏ = the mean of ẋ over the elements tied at the max."""
        x, dims, keepdim, full = ctx.inputs
        out = ctx.output.array.reshape(_keepdim_shape(x.shape, dims))
        weight = _extremum_weight(x.array, out, dims, full, tx.dtype)
        return Sum.apply(tx * _wrap(weight, x._backend), dims, keepdim)


def _extremum_weight(a, out, dims, full, dtype):
    """1/k in `dtype` on the k elements of a equal to their slice's extremum `out` (keepdim
    shape); with `full`, a nan extremum counts the nan elements as equal to it."""
    hit = a == out
    if full and out.dtype.kind == "f" and (out != out).item():
        hit = a != a
    weight = hit.astype(dtype)
    weight /= hit.sum(axis=dims, keepdims=True)  # 1/k, rounded once
    return weight


class Amin(Amax):
    """y = min over dims.  dy/dx_i = 1/k for the k elements tied at the min, else 0 (PyTorch).
    Its own reduction, not -max(-x): negation wraps unsigned integers and fails on bool."""

    _name = "min"


class LogSumExp(Primitive):
    """y = m + log sum e^(x - m) over dims, m the max (0 where it is +-inf), as PyTorch.
    dy/dx = e^(x - y).

    A primitive for PyTorch's gradient: e^(x - y) with the rounded y (0 beside an infinite
    y, nan where x = y = inf), where the composition's gradient through the shift gives nan.
    """

    _array_rule = True
    _saves_output = True

    @staticmethod
    def forward(ctx, x, dims=None, keepdim=False):
        ctx.save_for_backward(x)
        ctx.dims = dims
        ctx.keepdim = keepdim
        xp = x.xp
        a = x.array
        if a.size:
            m = a.max(axis=dims, keepdims=True)
            m = xp.where(xp.isinf(m), 0, m).astype(a.dtype, copy=False)
            e = xp.exp(a - m)
        else:
            m = xp.zeros(_keepdim_shape(a.shape, dims), dtype=a.dtype)
            e = a
        wide = "float32" if a.dtype.itemsize < 4 else None  # float16 sums in float32
        with _quiet(xp):  # log 0 = -inf, silently
            out = xp.log(e.sum(axis=dims, keepdims=True, dtype=wide).astype(a.dtype)) + m
        ctx.out = out
        return out if keepdim else out.reshape(_reduced_shape(a.shape, dims))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        dims = ctx.dims
        y = output_of(ctx, LogSumExp, x, dims, True)  # ctx.out is kept with keepdim
        return _into(Exp.call(x - y), _unreduce(grad, x.shape, dims)), None, None

    @staticmethod
    def jvp(ctx, tx, *_):
        """ẏ = sum ẋ e^(x - y)."""
        x, dims, keepdim = ctx.inputs
        y = _own(ctx, LogSumExp, tx)
        if not keepdim:
            y = Reshape.apply(y, _keepdim_shape(x.shape, dims))
        return Sum.apply(tx * (x - y).exp(), dims, keepdim)


class LogSoftmax(Primitive):
    """y = x - log sum_j e^(x_j) along dim, shifted by the max so nothing overflows.
    dy/dx: grad - softmax(x) sum(grad), with softmax(x) = e^y.

    A primitive for speed and accuracy: one pass instead of six ops, and y computed from
    x - max directly (PyTorch's kernel does the same).
    """

    _array_rule = True

    _saves_output = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.save_for_backward(x)
        ctx.dim = dim
        if x.array.dtype.kind != "f":
            raise NotImplementedError(
                f"\"log_softmax\" not implemented for '{dtypes.torch_name(x.array.dtype)}'"
            )
        ctx.out = out = _log_softmax(x.xp, x.array, dim)
        return out

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        dim = ctx.dim
        return LogSoftmaxGrad.call(grad, output_of(ctx, LogSoftmax, x, dim), dim), None

    @staticmethod
    def jvp(ctx, tx, _):
        """dy = dx - sum(softmax(x) dx) along dim."""
        return _log_softmax_tangent(tx, _own(ctx, LogSoftmax, tx), ctx.args[1])


class LogSoftmaxGrad(Primitive):
    """z = g - e^y sum(g) along dim, log_softmax's backward as one op (y its output).
    dz/dg: u - sum(u e^y), dz/dy: -u e^y sum(g), for an upstream gradient u."""

    _array_rule = True

    @staticmethod
    def forward(ctx, g, y, dim):
        ctx.save_for_backward(g, y)
        ctx.dim = dim
        return LogSoftmaxGrad.kernel(g.array, y.array, dim)

    @staticmethod
    def kernel(g, y, dim):
        t = xp_of(y).exp(y)
        t *= g.sum(axis=dim, keepdims=True)
        return g - t

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        ng, ny, _ = ctx.needs_input_grad
        dims = _as_dims(ctx.dim)
        p = Exp.call(y)
        gg = grad - Sum.call(grad * p, dims, True) if ng else None
        gy = -grad * p * Sum.call(g, dims, True) if ny else None
        return gg, gy, None

    @staticmethod
    def jvp(ctx, tg, ty, _):
        """ż = ġ - e^y sum(ġ) - e^y ẏ sum(g)."""
        g, y, dim = ctx.args
        tz = None if tg is None else LogSoftmaxGrad.apply(tg, y, dim)
        if ty is not None:
            term = -(y.exp() * ty) * Sum.apply(g, _as_dims(dim), True)
            tz = term if tz is None else tz + term
        return tz


class Softmax(Primitive):
    """y = e^(x - max) / sum_j e^(x_j - max) along dim.  dy/dx: y (g - sum(g y)) for an
    upstream gradient g.

    A primitive for memory, as PyTorch's: the forward is one array (the output, computed in
    place) and the backward one more, where the composition kept x - max, e^(x - max) and
    the output alive for its backward.
    """

    _array_rule = True
    _saves_output = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.save_for_backward(x)
        ctx.dim = dim
        ctx.out = out = _softmax(x.xp, x.array, dim)
        return out

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        dim = ctx.dim
        return SoftmaxGrad.call(grad, output_of(ctx, Softmax, x, dim), dim), None

    @staticmethod
    def jvp(ctx, tx, _):
        """dy = y (dx - sum(y dx)) along dim."""
        return SoftmaxGrad.apply(tx, _own(ctx, Softmax, tx), ctx.args[1])


class SoftmaxGrad(Primitive):
    """z = y (g - sum(g y)) along dim, softmax's backward as one op (y its output), as
    PyTorch's _softmax_backward_data. dz/dg: SoftmaxGrad(u, y) (the Jacobian diag(y) - y y^T
    is symmetric); dz/dy: u (g - sum(g y)) - g sum(u y), for an upstream gradient u."""

    _array_rule = True

    @staticmethod
    def forward(ctx, g, y, dim):
        ctx.save_for_backward(g, y)
        ctx.dim = dim
        return SoftmaxGrad.kernel(g.array, y.array, dim)

    @staticmethod
    def kernel(g, b, dim):
        xp = xp_of(b)
        z = xp.empty(b.shape, dtype=b.dtype)  # the one new array: z = g y, then (g - s) y
        xp.multiply(g, b, out=z)
        s = _sum_keepdim(z, dim)
        xp.subtract(g, s, out=z)
        z *= b
        return z

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        ng, ny, _ = ctx.needs_input_grad
        dim = ctx.dim
        dims = _as_dims(dim)
        gg = SoftmaxGrad.call(grad, y, dim) if ng else None
        gy = None
        if ny:
            gy = grad * (g - Sum.call(g * y, dims, True)) - g * Sum.call(grad * y, dims, True)
        return gg, gy, None

    @staticmethod
    def jvp(ctx, tg, ty, _):
        """ż = SoftmaxGrad(ġ, y) + ẏ (g - sum(g y)) - y sum(g ẏ)."""
        g, y, dim = ctx.args
        tz = None if tg is None else SoftmaxGrad.apply(tg, y, dim)
        if ty is not None:
            dims = _as_dims(dim)
            term = ty * (g - Sum.apply(g * y, dims, True)) - y * Sum.apply(g * ty, dims, True)
            tz = term if tz is None else tz + term
        return tz


def _sum_keepdim(a, dim):
    """a summed along dim (all of a 0-d a), kept; float16 sums in float32 and rounds once,
    as Sum."""
    if a.dtype.itemsize < 4:
        return a.sum(axis=dim, keepdims=True, dtype="float32").astype(a.dtype)
    return a.sum(axis=dim, keepdims=True)


def _max_keepdim(xp, a, dim):
    """a.max(axis=dim, keepdims=True): softmax's shift. Along a short last dim of many rows
    (classes of a batch) taken as the maxima across the rows of the transposed copy, which
    numpy runs 4 to 10 times faster than its reduction along a short contiguous axis. The
    same maxima; where -0.0 and 0.0 tie for a row's max the two ways may pick either, which
    changes no softmax or log_softmax (the tie makes the row's sum of exp at least 2)."""
    n = a.shape[-1] if a.ndim > 1 else 0
    if 2 <= n <= 32 and a.size >= 16 * n and dim in (-1, a.ndim - 1) and a.flags.c_contiguous:
        if a.ndim == 2:  # (rows, n): the maxima come back as a (rows, 1) view
            return xp.ascontiguousarray(a.T).max(axis=0, keepdims=True).T
        rows = xp.ascontiguousarray(a.reshape(-1, n).T).max(axis=0)
        return rows.reshape(a.shape[:-1] + (1,))
    return a.max(axis=dim, keepdims=True)


def _softmax(xp, a, dim):
    """softmax of array a along dim (dim None for a 0-d a), computed in one new array."""
    if a.size == 0:
        return xp.exp(a)
    out = xp.subtract(a, _max_keepdim(xp, a, dim))
    if out.ndim == 0:  # numpy's 0-d math gives scalars, which take no out=
        out = xp.asarray(out)
    xp.exp(out, out=out)
    out /= _sum_keepdim(out, dim)
    return out


def _log_softmax(xp, a, dim):
    """log_softmax of array a along dim. A row holding +inf, or only -inf, comes out all nan,
    as in PyTorch."""
    if a.size == 0:
        return a.copy()
    out = a - _max_keepdim(xp, a, dim)
    out -= xp.log(xp.exp(out).sum(axis=dim, keepdims=True))
    return out


def _as_dims(dim):
    return None if dim is None else (dim,)


def _log_softmax_tangent(tx, y, dim):
    """log_softmax's tangent from its output y: ẋ - sum(e^y ẋ) along dim."""
    return tx - Sum.apply(y.exp() * tx, _as_dims(dim), True)


def _reduced_shape(shape, dims):
    if dims is None:
        return ()
    return tuple(s for i, s in enumerate(shape) if i not in dims)


class Prod(Primitive):
    """y = prod_i x_i.  dy/dx_i = prod_{j != i} x_j, taken as PyTorch takes it: y / x_i
    without zeros, else products of the elements before and after i (see _prod_others)."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, dims=None, keepdim=False):
        ctx.save_for_backward(x)
        ctx.dims = dims
        ctx.keepdim = keepdim
        return Prod.kernel(x.array, dims, keepdim)

    @staticmethod
    def kernel(a, dims=None, keepdim=False):
        if a.dtype.kind == "f":
            return _float_prod(xp_of(a), a, dims, keepdim)
        # integers and bool multiply in int64, as PyTorch (numpy: uint64 for unsigned)
        dtype = "int64" if a.dtype.kind in "biu" else None
        return a.prod(axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        g = _unreduce(grad, x.shape, ctx.dims)
        return g * _prod_others(x, ctx.dims, backward=True), None, None

    @staticmethod
    def jvp(ctx, tx, *_):
        """ẏ = sum_i ẋ_i prod_{j != i} x_j."""
        x, dims, keepdim = ctx.inputs
        return Sum.apply(tx * _prod_others(x, dims), dims, keepdim)


def _float_prod(xp, a, dims, keepdim):
    """A float product in PyTorch's CPU order, each step rounded in a's dtype (so an
    intermediate overflow is inf, as there). Its iterator walks the reduced elements of each
    output in memory order; a run contiguous in memory (the innermost dims, reduced and
    coalesced) of 4 * V elements or more is taken by 4 vectors of V lanes (V = 32 bytes /
    itemsize), each lane a product of every 4V-th element; the 4 vectors multiply pairwise,
    then their lanes in order, then the run's tail one by one. So 6e4 * 6e4 * 0 in float16
    is nan in one lane, and 0 where the 0 meets the 6e4s in lanes of their own."""
    ndim = a.ndim
    reduced = tuple(range(ndim)) if dims is None else dims
    kept = tuple(d for d in range(ndim) if d not in reduced)
    # the reduced dims outermost first in memory (a reversed view counts as its copy)
    order = sorted((d for d in reduced if a.shape[d] != 1), key=lambda d: -abs(a.strides[d]))
    n = math.prod(a.shape[d] for d in reduced)
    flat = a.transpose(kept + tuple(order) + tuple(d for d in reduced if a.shape[d] == 1))
    flat = flat.reshape(tuple(a.shape[d] for d in kept) + (n,))
    run = 1  # the contiguous run: innermost in memory among all dims, stride = itemsize
    inner = [d for d in range(ndim) if a.shape[d] != 1]
    if order and builtins.min(inner, key=lambda d: abs(a.strides[d])) == order[-1]:
        step = a.itemsize
        for d in reversed(order):
            if abs(a.strides[d]) != step:
                break
            run *= a.shape[d]
            step *= a.shape[d]
    lanes = 32 // a.itemsize
    count = run // (4 * lanes)
    with _quiet(xp):
        if n == 0:
            out = xp.ones(flat.shape[:-1], dtype=a.dtype)
        elif count == 0:
            out = xp.cumprod(flat, axis=-1)[..., -1]
        else:
            runs = flat.reshape(flat.shape[:-1] + (n // run, run))
            body = runs[..., : count * 4 * lanes].reshape(runs.shape[:-1] + (count, 4, lanes))
            acc = xp.cumprod(body, axis=-3)[..., -1, :, :]  # (..., 4, V)
            acc = (acc[..., 0, :] * acc[..., 1, :]) * (acc[..., 2, :] * acc[..., 3, :])
            head = xp.cumprod(acc, axis=-1)[..., -1:]  # (..., runs, 1)
            steps = xp.concatenate([head, runs[..., count * 4 * lanes :]], axis=-1)
            out = xp.cumprod(steps.reshape(flat.shape[:-1] + (-1,)), axis=-1)[..., -1]
    return out.reshape(_keepdim_shape(a.shape, dims) if keepdim else _reduced_shape(a.shape, dims))


def _prod_others(x, dims, backward=False):
    """prod_{j != i} x_j for each i, as PyTorch's prod_backward: y / x without zeros; with
    zeros, the product of the elements before i times that of those after (exclusive
    cumulative products, no division), or zeros for a full product with two or more zeros
    when the backward is not recorded. A 0-d x passes the gradient through."""
    xp = xp_of(x)
    if x.ndim == 0:
        return like(xp.ones((), dtype=x.dtype), x)
    zero = array_of(x) == 0
    if not zero.any().item():
        return Prod.call(x, dims, True) / x
    recorded = _grad.enabled or _function._dual_level is not None
    if backward and dims is None and not recorded and zero.sum().item() > 1:
        return like(xp.zeros(x.shape, dtype=x.dtype), x)
    ndim = x.ndim
    reduced = tuple(range(ndim)) if dims is None else dims
    kept = tuple(d for d in range(ndim) if d not in reduced)
    perm = kept + reduced
    xt = Permute.call(x, perm) if perm != tuple(range(ndim)) else x
    lead = xt.shape[: len(kept)]
    n = 1
    for d in reduced:
        n *= x.shape[d]
    flat = Reshape.call(xt, lead + (n,))  # (..., n)
    one = like(xp.ones(lead + (1,), dtype=x.dtype), x)
    last = len(lead)
    before = Cumprod.call(Cat.call(last, one, _last(flat, slice(None, n - 1))), last)
    after = _flip(Cumprod.call(Cat.call(last, one, _flip(_last(flat, slice(1, None)))), last))
    others = Reshape.call(before * after, xt.shape)
    inverse = tuple(perm.index(d) for d in range(ndim))
    return Permute.call(others, inverse) if perm != tuple(range(ndim)) else others


def _last(t, index):
    """t[..., index], a Tensor or a raw array."""
    return GetItem.call(t, (Ellipsis, index))


def _flip(t):
    return _last(t, slice(None, None, -1))


# --------------------------------------------------------------------------- Tensor's methods
# The reductions as PyTorch spells them (Tensor.mean(...) is mean(x, ...)): dim / keepdim and
# numpy's axis / keepdims read, dtype= applied, then a primitive above or a composite.


def mean(x, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
    dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
    from autograd.ops import composite

    if dtype is not None and dtypes.as_dtype(dtype).kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Optional dtype must be either a floating "
            f"point or complex dtype. Got: {dtypes.torch_name(dtypes.as_dtype(dtype))}"
        )
    name = f"MeanBackward{0 if dim is None else 1}"
    if dtype is not None and dtypes.as_dtype(dtype) == dtypes.float16 != x.dtype:
        # PyTorch's kernel reads the input straight into its float32 accumulator: an int16
        # 32767 stays 32767, where a cast to float16 first would make it 32768
        return _named(composite.mean(x.to(dtypes.float32), dim, keepdim), name).to(dtype)
    x = x if dtype is None else x.to(dtype)
    return _named(composite.mean(x, dim, keepdim), name)


def var(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None):
    correction = _correction(unbiased, correction, "var")  # PyTorch's argument check first
    dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
    from autograd.ops import composite

    out = composite.var(x, dim, correction, keepdim)
    return _named(out, "VarBackward0")


def std(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None):
    correction = _correction(unbiased, correction, "std")
    dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
    from autograd.ops import composite

    out = composite.std(x, dim, correction, keepdim)
    return _named(out, "StdBackward0")


def prod(x, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
    dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
    out = Prod.apply(reduce_input(x, dtype), _dims(dim, x.ndim, "prod"), keepdim)
    return out if dtype is None or out.dtype == dtype else out.to(dtype)  # wraps, as sum


def max(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """max() -> the largest value; max(dim) -> (values, indices) as in PyTorch."""
    if isinstance(dim, Tensor):
        return x.maximum(dim)
    return _extremum(x, "max", dim, keepdim, axis, keepdims)


def min(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    if isinstance(dim, Tensor):
        return x.minimum(dim)
    return _extremum(x, "min", dim, keepdim, axis, keepdims)


def amax(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
    dims = _nonempty(x, _dims(dim, x.ndim, "amax"), "amax")
    return Amax.apply(x, dims, keepdim)


def amin(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
    dims = _nonempty(x, _dims(dim, x.ndim, "amin"), "amin")
    return Amin.apply(x, dims, keepdim)


def argmax(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
    return _arg_extremum(x, "argmax", dim, keepdim)


def argmin(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
    return _arg_extremum(x, "argmin", dim, keepdim)


def logsumexp(x, dim=REQUIRED, keepdim=False, *, axis=None, keepdims=None):
    dim = _required_dim(dim, axis, "logsumexp", "tuple of ints")
    dim, keepdim = _dim_args(dim, keepdim, None, keepdims)
    from autograd.ops import composite

    return _named(composite.logsumexp(x, dim, keepdim), "LogsumexpBackward0")


def softmax(x, dim=REQUIRED, dtype=None):  # numpy's axis: _numpy_names, below
    from autograd.ops import composite

    dim = _required_dim(dim, None, "softmax")
    x = x if dtype is None else x.to(dtype)
    return _named(composite.softmax(x, dim), "SoftmaxBackward0")


def log_softmax(x, dim=REQUIRED, dtype=None):  # numpy's axis: _numpy_names, below
    dim = _required_dim(dim, None, "log_softmax")
    x = x if dtype is None else x.to(dtype)
    dim = _dim(dim, x.ndim, "log_softmax")
    if x.dtype.kind != "f" and not x.numel():  # as softmax: empty, of x's dtype
        return _wrap(x.array.copy(), x._backend)
    return LogSoftmax.apply(x, dim if x.ndim else None)


class _ReturnTypes(tuple):
    """(values, indices), as torch.return_types.max."""

    __slots__ = ()

    def __new__(cls, values, indices):
        return super().__new__(cls, (values, indices))

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])


def _extremum(x, kind, dim, keepdim, axis, keepdims):
    dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
    sign = 1 if kind == "max" else -1
    if dim is None or isinstance(dim, (tuple, list)):
        dims = _dims(dim, x.ndim, kind)
        if dim is None and x.array.size == 0:
            raise RuntimeError(
                f"{kind}(): Expected reduction dim to be specified for input.numel() == 0"
            )
        return (Amax if sign > 0 else Amin).apply(x, dims, keepdim, dim is None)
    d = _dim(dim, x.ndim, kind)
    _nonempty(x, (d,) if x.ndim else None, kind)
    indices = _arg_extremum(x, "arg" + kind, d, True, values=True)
    values = Gather.apply(x, indices.array, d) if x.ndim else x.clone()
    if not keepdim and x.ndim:
        values = values.squeeze(d)
        indices = indices.squeeze(d)
    return _ReturnTypes(_named(values, f"{kind.capitalize()}Backward0"), indices)


def _nonempty(x, dims, op):
    """dims, unless a dim reduced over is empty (PyTorch's IndexError; max, argmax and
    amax have no value there, where sum has 0). Kept dims may be empty."""
    if x.array.size:
        return dims
    if dims is None:
        raise RuntimeError(
            f"{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument."
        )
    for d in dims:
        if x.shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
    return dims


def _arg_extremum(x, name, dim, keepdim, values=False):
    if x.dtype.kind == "b" and not values:
        raise RuntimeError(f"{name}(): does not support bool input")
    xp = x._backend.xp
    if x.array.size == 0:
        if dim is None:
            raise IndexError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        dim = _dim(dim, x.ndim, name)
        _nonempty(x, (dim,), name)
        shape = tuple(1 if d == dim else s for d, s in enumerate(x.shape))
        if not keepdim:
            shape = shape[:dim] + shape[dim + 1 :]
        return _wrap(xp.zeros(shape, dtype="int64"), x._backend)
    if dim is None:
        out = getattr(xp, name)(x.array)
        if keepdim:
            out = out.reshape((1,) * x.ndim)
    else:
        dim = _dim(dim, x.ndim, name)
        out = (
            getattr(xp, name)(x.array, axis=dim, keepdims=keepdim)
            if x.ndim
            else getattr(xp, name)(x.array)
        )
    return _wrap(xp.asarray(out, dtype="int64"), x._backend)


softmax = _numpy_names(softmax)
log_softmax = _numpy_names(log_softmax)
