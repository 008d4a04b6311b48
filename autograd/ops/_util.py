"""What the primitives share: operand promotion and broadcast errors."""

from autograd.tensor import Tensor, _defaults
from backends import dtypes


def operands(op, x, y):
    """The arrays (or Python scalars) an op on x and y computes with, promoted as PyTorch does."""
    if x.__class__ is Tensor:
        a = x.data
        if y.__class__ is Tensor:
            b = y.data
            if a.dtype is not b.dtype and a.dtype != b.dtype:
                dt = dtypes.result_type(a.dtype, a.ndim, b.dtype, b.ndim, _defaults.dtype)
                a = a.astype(dt, copy=False)
                b = b.astype(dt, copy=False)
            return a, b
        if isinstance(y, float) and a.dtype.kind != "f":
            a = a.astype(_defaults.dtype)
        elif not isinstance(y, (int, float)):
            y = x._backend.asarray(y)
        return a, y
    b = y.data
    if isinstance(x, float) and b.dtype.kind != "f":
        b = b.astype(_defaults.dtype)
    elif not isinstance(x, (int, float)):
        x = y._backend.asarray(x)
    return x, b


def shape_of(v):
    return v.shape if v.__class__ is Tensor else ()


def broadcast_error(op, x, y):
    return RuntimeError(
        f"{op}: the size of tensor a {tuple(shape_of(x))} must match the size of tensor b "
        f"{tuple(shape_of(y))} or be broadcastable to it"
    )
