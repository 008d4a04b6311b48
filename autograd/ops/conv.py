"""Sliding windows: Unfold (im2col) and Fold (col2im), each the other's adjoint, and
WindowMax, the max over a window with PyTorch's max-pooling gradient.

Convolution and pooling are built on them (`nn.conv`, `nn.pooling`): a window view of the
padded input copied once into columns, then a matrix product or a reduction over each window,
so their gradients come from these rules and those of matmul and sum.

Columns are laid out (C, kh, kw, N, Ho, Wo): channels first, so that a convolution's weight
(O, C, kh, kw) multiplies them as one (O, C*kh*kw) @ (C*kh*kw, N*Ho*Wo) product and groups are
a reshape; and the output positions innermost, so both copies run along rows of the input.
"""

from autograd.function import Function
from autograd.tensor import _wrap


class _Primitive(Function):
    _builtin = True


class Unfold(_Primitive):
    """cols[c, i, j, n, p, q] = xpad[n, c, p*sh + i*dh, q*sw + j*dw]: (N, C, H, W) ->
    (C, kh, kw, N, Ho, Wo), xpad being x with `padding` ((top, bottom), (left, right)) of
    `value` around it.  dcols/dx: Fold, the scatter-add of the columns back."""

    @staticmethod
    def forward(ctx, x, kernel_size, dilation, padding, stride, value=0.0):
        ctx.size = x.shape[2:]
        ctx.geometry = (kernel_size, dilation, padding, stride)
        a = _padded(x.array, x.xp, padding, value)
        view = x._backend.windows(a, kernel_size, dilation, stride)  # (N, C, kh, kw, Ho, Wo)
        return x.xp.ascontiguousarray(view.transpose(1, 2, 3, 0, 4, 5))

    @staticmethod
    def backward(ctx, grad):
        return (Fold.apply(grad, ctx.size, *ctx.geometry),) + (None,) * 5

    @staticmethod
    def jvp(tangents, out, x, kernel_size, dilation, padding, stride, value=0.0):
        return Unfold.apply(tangents[0], kernel_size, dilation, padding, stride)


class Fold(_Primitive):
    """xpad[n, c, p*sh + i*dh, q*sw + j*dw] += cols[c, i, j, n, p, q], then x = xpad without
    its `padding`: (C, kh, kw, N, Ho, Wo) -> (N, C, H, W), overlapping windows summed.
    dx/dcols: Unfold."""

    @staticmethod
    def forward(ctx, cols, size, kernel_size, dilation, padding, stride):
        ctx.geometry = (kernel_size, dilation, padding, stride)
        c, kh, kw, n, ho, wo = cols.shape
        (dh, dw), ((top, bottom), (left, right)), (sh, sw) = dilation, padding, stride
        h, w = size
        a = cols.array
        out = cols.xp.zeros((c, n, top + h + bottom, left + w + right), dtype=a.dtype)
        # One strided slice-add per kernel offset: kh*kw array ops, not one per pixel.
        for i in range(kh):
            rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)
            for j in range(kw):
                out[:, :, rows, j * dw : j * dw + sw * (wo - 1) + 1 : sw] += a[:, i, j]
        out = out[:, :, top : top + h, left : left + w]
        return out.transpose(1, 0, 2, 3)  # (N, C, H, W), stored channels first as the columns

    @staticmethod
    def backward(ctx, grad):
        return (Unfold.apply(grad, *ctx.geometry),) + (None,) * 5

    @staticmethod
    def jvp(tangents, out, cols, size, kernel_size, dilation, padding, stride):
        return Fold.apply(tangents[0], size, kernel_size, dilation, padding, stride)


def _padded(a, xp, padding, value):
    """a (N, C, H, W) with `value` around it; stored in a's order of N and C, so that copies
    from and to it run along its rows."""
    (top, bottom), (left, right) = padding
    if not (top or bottom or left or right):
        return a
    n, c, h, w = a.shape
    shape = (n, c, top + h + bottom, left + w + right)
    if a.strides[1] > a.strides[0]:  # channels outermost in memory (a conv's output)
        out = xp.empty((c, n) + shape[2:], dtype=a.dtype).transpose(1, 0, 2, 3)
    else:
        out = xp.empty(shape, dtype=a.dtype)
    out[:, :, top : top + h, left : left + w] = a
    out[:, :, :top] = value
    out[:, :, top + h :] = value
    out[:, :, top : top + h, :left] = value
    out[:, :, top : top + h, left + w :] = value
    return out


class WindowMax(_Primitive):
    """y = max of x over dim (each pooling window).  dy/dx = 1 at the window's first maximum
    (or its last NaN), else 0: PyTorch's max-pooling rule, whole to one element, where amax
    splits among ties. first: the position taken where no element beats -inf (see
    Backend.window_max)."""

    _saved_attrs = ("index",)

    @staticmethod
    def forward(ctx, x, dim, first=0):
        dim %= x.ndim
        index, out = x._backend.window_max(x.xp.moveaxis(x.array, dim, 0), first)
        ctx.index = index
        ctx.dim = dim
        ctx.shape = x.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        dim = ctx.dim
        shape = ctx.shape
        xp = grad.xp
        positions = xp.arange(shape[dim], dtype=ctx.index.dtype).reshape(
            (-1,) + (1,) * (len(shape) - dim - 1)
        )
        hit = xp.expand_dims(ctx.index, dim) == positions  # one-hot along dim
        mask = _wrap(hit.astype(grad.dtype), grad._backend)
        spread = Expand.apply(Reshape.apply(grad, shape[:dim] + (1,) + shape[dim + 1 :]), shape)
        return spread * mask, None, None

    @staticmethod
    def jvp(tangents, out, x, dim, first=0):
        """ẏ = ẋ at the window's chosen maximum (the position backward sends the gradient to)."""
        from autograd.ops.reduce import Sum

        dim %= x.ndim
        index, _ = x._backend.window_max(x.xp.moveaxis(x.array, dim, 0), first)
        positions = x.xp.arange(x.shape[dim], dtype=index.dtype).reshape(
            (-1,) + (1,) * (x.ndim - dim - 1)
        )
        tx = tangents[0]
        hit = x.xp.expand_dims(index, dim) == positions  # one-hot along dim
        return Sum.apply(tx * _wrap(hit.astype(tx.dtype), x._backend), (dim,), False)


from autograd.ops.shape import Expand, Reshape  # noqa: E402  (shape imports the engine)
