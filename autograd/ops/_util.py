"""What the primitives share: operand promotion and broadcast errors."""

from autograd.tensor import Tensor, _defaults
from backends import dtypes


def operands(op, x, y):
    """The arrays an op on x and y computes with, promoted as PyTorch does (one of x, y may
    be a Python number)."""
    if isinstance(x, Tensor):
        a = x.array
        if isinstance(y, Tensor):
            b = y.array
            if a.dtype is not b.dtype and a.dtype != b.dtype:
                dt = dtypes.result_type(a.dtype, a.ndim, b.dtype, b.ndim, _defaults.dtype)
                a = a.astype(dt, copy=False)
                b = b.astype(dt, copy=False)
            return a, b
        if isinstance(y, float) and a.dtype.kind != "f":
            a = a.astype(_defaults.dtype)
        return a, _scalar(x, a, y)
    b = y.array
    if isinstance(x, float) and b.dtype.kind != "f":
        b = b.astype(_defaults.dtype)
    return _scalar(y, b, x), b


def _scalar(t, a, value):
    """A Python number beside array `a` (of tensor t): a cached 0-d array of a's dtype, which
    numpy computes with twice as fast as with the number (same result: the tensor's dtype
    wins, as in PyTorch)."""
    if (value.__class__ is float or value.__class__ is int) and a.dtype.kind != "b":
        return t._backend.scalar(value, a.dtype)
    if isinstance(value, (int, float)):  # bool, numpy scalars, bool tensors: numpy's rules
        return value
    return t._backend.asarray(value)


def shape_of(v):
    return v.shape if isinstance(v, Tensor) else ()


def broadcast_error(op, x, y):
    return RuntimeError(
        f"{op}: the size of tensor a {tuple(shape_of(x))} must match the size of tensor b "
        f"{tuple(shape_of(y))} or be broadcastable to it"
    )
