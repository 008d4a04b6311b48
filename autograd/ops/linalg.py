"""Matrix product: 1-D, 2-D and batched operands, as torch.matmul."""

from autograd.broadcast import sum_to
from autograd.function import Function


class MatMul(Function):
    """z = x @ y.  dz/dx = grad @ y^T, dz/dy = x^T @ grad (batch dims summed back)."""

    _builtin = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        a, b = x.data, y.data
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError(
                f"matmul: both arguments need at least 1 dimension, got shapes "
                f"{tuple(a.shape)} and {tuple(b.shape)}"
            )
        k_a = a.shape[-1]
        k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if k_a != k_b:
            raise RuntimeError(
                f"matmul: mat1 and mat2 shapes cannot be multiplied "
                f"({_describe(a.shape)} and {_describe(b.shape)}): inner sizes {k_a} != {k_b}"
            )
        if a.dtype != b.dtype:
            raise RuntimeError(
                f"matmul: expected both operands to have the same dtype, but got {a.dtype} "
                f"and {b.dtype}"
            )
        try:
            return a @ b
        except ValueError:
            raise RuntimeError(
                f"matmul: batch dims of {tuple(a.shape)} and {tuple(b.shape)} are not broadcastable"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        if x.ndim == 1 and y.ndim == 1:  # dot product: grad is a scalar
            return (grad * y if nx else None, grad * x if ny else None)
        # Promote vectors to matrices, as the forward did, then undo it.
        xm = x.unsqueeze(0) if x.ndim == 1 else x  # (.., n, k)
        ym = y.unsqueeze(-1) if y.ndim == 1 else y  # (.., k, m)
        g = grad
        if x.ndim == 1:
            g = g.unsqueeze(-2)
        if y.ndim == 1:
            g = g.unsqueeze(-1)  # (.., n, m)
        gx = gy = None
        if nx:
            gx = sum_to(MatMul.apply(g, ym.mT), xm.shape).reshape(x.shape)
        if ny:
            gy = sum_to(MatMul.apply(xm.mT, g), ym.shape).reshape(y.shape)
        return gx, gy


def _describe(shape):
    return "x".join(str(s) for s in shape) if len(shape) else "scalar"
