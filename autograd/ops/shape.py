"""Shape primitives: reshape, permute, expand, cat, pad. Their gradients move values around."""

from autograd.broadcast import sum_to
from autograd.function import Function
from autograd.inplace import register_view
from backends import backend_of


class _Primitive(Function):
    _builtin = True


class _View(_Primitive):
    """An op whose output may share storage with its input (the version counter is shared)."""

    _view = True


class Reshape(_Primitive):
    """y = x with a new shape.  dy/dx: reshape back.

    A view where the strides allow it, else a copy (numpy decides as PyTorch's reshape)."""

    @classmethod
    def apply(cls, x, shape):
        out = super().apply(x, shape)
        if x.xp.may_share_memory(out.array, x.array):
            register_view(x, out, Reshape, (shape,))
        return out

    _array_rule = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.array.reshape(shape)

    @staticmethod
    def kernel(a, shape):
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return Reshape.call(grad, ctx.shape), None

    @staticmethod
    def jvp(tangents, out, x, shape):
        return Reshape.apply(tangents[0], shape)


class Permute(_View):
    """y = x with dims reordered.  dy/dx: the inverse permutation."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.array.transpose(dims)

    @staticmethod
    def kernel(a, dims):
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        dims = ctx.dims
        inverse = tuple(sorted(range(len(dims)), key=dims.__getitem__))
        return Permute.call(grad, inverse), None

    @staticmethod
    def jvp(tangents, out, x, dims):
        return Permute.apply(tangents[0], dims)


class Expand(_View):
    """y = x broadcast to a shape.  dy/dx: sum over the broadcast dims (sum_to)."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        a = x.array
        # as_strided, not broadcast_to (read-only): writes into a non-overlapping part of
        # an expanded view reach its base, as in PyTorch (overlapping writes are refused).
        lead = len(shape) - a.ndim
        strides = (0,) * lead + tuple(
            0 if s == 1 and n != 1 else st for s, n, st in zip(a.shape, shape[lead:], a.strides)
        )
        return x.xp.lib.stride_tricks.as_strided(a, shape, strides)

    @staticmethod
    def kernel(a, shape):
        # inside a rule nothing writes into it: numpy's read-only broadcast is the fast one
        return backend_of(a).xp.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return sum_to(grad, ctx.shape), None

    @staticmethod
    def jvp(tangents, out, x, shape):
        return Expand.apply(tangents[0], shape)


class Cat(_Primitive):
    """y = [x_1, ..., x_n] along dim.  dy/dx_k: the k-th slice of grad."""

    _array_rule = True

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        ctx.sizes = [x.shape[dim] for x in xs]
        xp = xs[0].xp
        return xp.concatenate([x.array for x in xs], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        from autograd.ops.index import GetItem

        dim = ctx.dim
        grads = [None]
        start = 0
        for size, needed in zip(ctx.sizes, ctx.needs_input_grad[1:]):
            if needed:
                index = (slice(None),) * dim + (slice(start, start + size),)
                grads.append(GetItem.call(grad, index))
            else:
                grads.append(None)
            start += size
        return tuple(grads)

    @staticmethod
    def jvp(tangents, out, dim, *xs):
        from autograd.tensor import _wrap

        ts = [
            _wrap(x.xp.zeros(x.shape, dtype=x.dtype), x._backend) if t is None else t
            for x, t in zip(xs, tangents[1:])
        ]
        return Cat.apply(dim, *ts)


class Pad(_Primitive):
    """y = x with constant borders.  dy/dx: the interior of grad."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.interior = tuple(slice(lo, lo + s) for (lo, _), s in zip(widths, x.shape))
        return x.xp.pad(x.array, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, grad):
        from autograd.ops.index import GetItem

        return GetItem.call(grad, ctx.interior), None, None

    @staticmethod
    def jvp(tangents, out, x, widths, value):
        return Pad.apply(tangents[0], widths, 0.0)
