"""Reductions: sum, amax (max/min), prod. Each backward spreads grad back over the reduced dims."""

from autograd.function import Function
from autograd.tensor import _wrap


class _Primitive(Function):
    _builtin = True


def _keepdim_shape(shape, dims):
    """The shape a reduction over dims has with keepdim=True."""
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _unreduce(grad, shape, dims):
    """Broadcast a reduction's gradient back to the input's shape."""
    keep = _keepdim_shape(shape, dims)
    if grad.shape != keep:
        grad = Reshape.apply(grad, keep)
    return grad if keep == shape else Expand.apply(grad, shape)


def _empty_error(op, x, dims):
    return RuntimeError(
        f"{op}(): cannot reduce over a zero-size dim (input shape {tuple(x.shape)}, dims {dims}); "
        "specify a dim of non-zero size"
    )


class Sum(_Primitive):
    """y = sum_i x_i over dims.  dy/dx_i = 1."""

    @staticmethod
    def forward(ctx, x, dims=None, keepdim=False):
        ctx.shape = x.shape
        ctx.dims = dims
        return x.data.sum(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx.shape, ctx.dims), None, None


class Amax(_Primitive):
    """y = max over dims.  dy/dx_i = 1/k for the k elements tied at the max, else 0 (PyTorch)."""

    _saves_output = True

    @staticmethod
    def forward(ctx, x, dims=None, keepdim=False):
        ctx.save_for_backward(x)
        ctx.dims = dims
        a = x.data
        if a.size == 0:
            raise _empty_error("max", x, dims)
        out = a.max(axis=dims, keepdims=True)
        ctx.out = out
        return out if keepdim else out.reshape(_reduced_shape(a.shape, dims))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        hit = x.data == ctx.out
        weight = hit / hit.sum(axis=ctx.dims, keepdims=True)
        return (
            _unreduce(grad, x.shape, ctx.dims) * _wrap(weight.astype(grad.dtype), x._backend),
            None,
            None,
        )


def _reduced_shape(shape, dims):
    if dims is None:
        return ()
    return tuple(s for i, s in enumerate(shape) if i not in dims)


class Prod(_Primitive):
    """y = prod_i x_i.  dy/dx_i = prod_{j != i} x_j."""

    @staticmethod
    def forward(ctx, x, dims=None, keepdim=False):
        ctx.save_for_backward(x)
        ctx.dims = dims
        ctx.keepdim = keepdim
        return x.data.prod(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        dims = ctx.dims
        if not (x.data == 0).any():
            out = Prod.apply(x, dims, True)
            return _unreduce(grad, x.shape, dims) * out / x, None, None
        return _unreduce(grad, x.shape, dims) * _others_product(x, dims), None, None


def _others_product(x, dims):
    """prod_{j != i} x_j for each i, without dividing (so zeros are fine), in Tensor ops."""
    ndim = x.ndim
    reduced = tuple(range(ndim)) if dims is None else dims
    kept = tuple(d for d in range(ndim) if d not in reduced)
    perm = kept + reduced
    xt = Permute.apply(x, perm) if perm != tuple(range(ndim)) else x
    lead = xt.shape[: len(kept)]
    n = 1
    for d in reduced:
        n *= x.shape[d]
    flat = Reshape.apply(xt, lead + (n,))  # (..., n)
    grid = Expand.apply(Reshape.apply(flat, lead + (1, n)), lead + (n, n))  # (..., n, n)
    eye = x.xp.eye(n, dtype=bool)
    one = _wrap(x.xp.ones((), dtype=x.dtype), x._backend)
    others = Prod.apply(Where.apply(eye, one, grid), (len(lead) + 1,), False)  # (..., n)
    others = Reshape.apply(others, xt.shape)
    inverse = tuple(perm.index(d) for d in range(ndim))
    return Permute.apply(others, inverse) if perm != tuple(range(ndim)) else others


from autograd.ops.elementwise import Where  # noqa: E402
from autograd.ops.shape import Expand, Permute, Reshape  # noqa: E402
