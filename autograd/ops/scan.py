"""Scans along a dim: cumulative sum and product.

(sort, topk, kthvalue, median pick elements with an index and reuse Gather's gradient: they
are compositions, in autograd.mathops.)
"""

from autograd import function as _function
from autograd.function import Primitive
from autograd.grad_mode import state as _grad
from autograd.ops._util import array_of, like, xp_of
from autograd.ops.elementwise import Where
from autograd.ops.shape import Sum


def _flip(t, dim):
    return t[(slice(None),) * dim + (slice(None, None, -1),)]


def reverse_cumsum(t, dim):
    """out_i = sum_{k >= i} t_k along dim (t a Tensor, or an array in a rule at array speed)."""
    return _flip(Cumsum.call(_flip(t, dim), dim), dim)


class _Scan(Primitive):
    """Cumsum's and Cumprod's kernel: xp.cumsum or xp.cumprod (`_name`) of array a along dim,
    as PyTorch's CPU kernel: integers and bool accumulate in int64; float16 and float32 in a
    wider type (float32, float64), each output rounded, so an overflowing prefix can come
    back (float16 [6e4, 6e4, -6e4] sums to [6e4, inf, 6e4])."""

    _array_rule = True

    @classmethod
    def kernel(cls, a, dim):
        scan = getattr(xp_of(a), cls._name)
        if a.dtype.kind == "f" and a.dtype.itemsize < 8:
            wide = "float32" if a.dtype.itemsize < 4 else "float64"
            return scan(a, axis=dim, dtype=wide).astype(a.dtype)
        return scan(a.astype("int64") if a.dtype.kind in "biu" else a, axis=dim)


class Cumsum(_Scan):
    """y_k = sum_{i <= k} x_i.  dL/dx_i = sum_{k >= i} g_k (a reversed cumsum)."""

    _name = "cumsum"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return Cumsum.kernel(x.array, dim)

    @staticmethod
    def backward(ctx, grad):
        return reverse_cumsum(grad, ctx.dim), None

    @staticmethod
    def jvp(ctx, tx, _):
        return Cumsum.apply(tx, ctx.args[1])


class Cumprod(_Scan):
    """y_k = prod_{i <= k} x_i.  dL/dx_i = sum_{k >= i} g_k prod_{j <= k, j != i} x_j.

    Without zeros that is revcumsum(g y)_i / x_i. A slice with zeros is split at its first
    zero z: y = cumprod(x') m, where x' is x with x_z set to 1 and m_k = x_z for k >= z (else
    1), an identity whose gradient (by the chain rule, recursing on x' with one zero fewer)
    is exact, free of 0/0, and differentiable again, as PyTorch's.
    """

    _name = "cumprod"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.save_for_backward(x)
        ctx.dim = dim
        return Cumprod.kernel(x.array, dim)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _cumprod_grad(x, grad, ctx.dim), None

    @staticmethod
    def jvp(ctx, tx, _):
        """ẏ = y cumsum(ẋ / x) without zeros; the same split at the first zero otherwise."""
        x, dim = ctx.args
        return _cumprod_tangent(x, tx, dim)


def _split_at_first_zero(x, dim):
    """(before, first, x', m): masks of the positions before each slice's first zero and of
    that zero, x with it set to 1, and m = x_z from z on, else 1 (x a Tensor, or an array
    in a rule at array speed)."""
    xp = xp_of(x)
    zero = array_of(x) == 0
    seen = xp.cumsum(zero, axis=dim)
    before = seen == 0
    first = zero & (seen == 1)
    one = xp.ones((), dtype=x.dtype)
    x1 = Where.call(first, one, x)
    xz = Sum.call(Where.call(first, x, xp.zeros((), dtype=x.dtype)), (dim,), True)
    m = Where.call(before, one, xz)
    return before, first, x1, m, xz


def _cumprod_grad(x, grad, dim):
    if x.ndim == 0 or x.shape[dim] == 1:  # y = x: the gradient passes (inf: not g inf / inf)
        return grad
    if not (array_of(x) == 0).any().item():
        return reverse_cumsum(grad * Cumprod.call(x, dim), dim) / x
    if not (_grad.enabled or _function._dual_level is not None):  # not recorded
        return like(_cumprod_grad_with_zeros(array_of(x), array_of(grad), dim), x)
    before, first, x1, m, _ = _split_at_first_zero(x, dim)
    g1 = _cumprod_grad(x1, grad * m, dim)  # through x' (x'_z is the constant 1)
    zero = xp_of(x).zeros((), dtype=grad.dtype)
    gz = Sum.call(Where.call(before, zero, grad * Cumprod.call(x1, dim)), (dim,), True)
    return Where.call(first, gz, g1)  # through m, into x_z


def _cumprod_grad_with_zeros(a, g, dim):
    """PyTorch's rule for a backward not recorded, on arrays: before each slice's first zero
    z, revcumsum(g y) / x over the elements before z; at z, sum_k g_k prod_{z < j <= k} x_j
    over k up to the second zero, times y_{z-1}; 0 from z on. (It sees no inf * 0 past the
    first zero: float16 [0, 1, inf] has slope 0, not nan, at 1.)"""
    xp = xp_of(a)
    y = Cumprod.kernel(a, dim)
    zero = a == 0
    seen = xp.cumsum(zero, axis=dim)
    before = seen == 0
    first = zero & (seen == 1)
    between = (seen == 1) & ~first
    none = xp.zeros((), dtype=g.dtype)
    w = xp.where(before, y * g, none)
    slopes = _flip(Cumsum.kernel(_flip(w, dim), dim), dim) / a
    # y_{z-1} (1 for z = 0): y shifted one on along dim, read at z
    shifted = xp.concatenate(
        [
            xp.ones_like(y[(slice(None),) * dim + (slice(0, 1),)]),
            y[(slice(None),) * dim + (slice(None, -1),)],
        ],
        axis=dim,
    )
    prefix = xp.where(first, shifted, none).sum(axis=dim, keepdims=True, dtype=_acc(g))
    run = Cumprod.kernel(xp.where(between, a, xp.ones((), dtype=a.dtype)), dim)
    total = (run * xp.where(seen == 1, g, none)).sum(axis=dim, keepdims=True, dtype=_acc(g))
    at_zero = (total.astype(g.dtype) * prefix.astype(g.dtype)).astype(g.dtype)
    return xp.where(before, slopes, xp.where(first, at_zero, none)).astype(g.dtype, copy=False)


def _acc(g):
    """PyTorch's sum accumulates float16 in float32."""
    return "float32" if g.dtype.itemsize < 4 else g.dtype


def _cumprod_tangent(x, tx, dim):
    if not (x.array == 0).any().item():
        return Cumprod.apply(x, dim) * Cumsum.apply(tx / x, dim)
    before, first, x1, m, _ = _split_at_first_zero(x, dim)
    zero = x.xp.zeros((), dtype=tx.dtype)
    t1 = Where.apply(first, zero, tx)
    tz = Where.apply(first, tx, zero).sum(dim, keepdim=True)
    return _cumprod_tangent(x1, t1, dim) * m + Cumprod.apply(x1, dim) * Where.apply(
        before, zero, tz
    )
