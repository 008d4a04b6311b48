"""Learner names built from the ops: torch.std_mean / var_mean, take_along_dim, det.

Compositions of existing primitives (their gradients come from those), with PyTorch's
argument handling, errors and grad_fn names.
"""

from autograd._tensor import Tensor, _named
from autograd.args import _correction, _dim, _numpy_names, broadcast_sizes
from autograd.ops import composite
from autograd.ops import elementwise as ew
from autograd.ops._util import _quiet
from autograd.ops.index import gather
from autograd.ops.reduce import mean
from backends import dtypes

__all__ = ["std_mean", "var_mean", "take_along_dim", "det"]


def _moments(op, input, dim, unbiased, keepdim, correction):
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    if isinstance(dim, bool) and unbiased is None:  # std_mean(x, True): the unbiased overload
        dim, unbiased = None, dim
    correction = _correction(unbiased, correction, op)
    composite._check_dim_types(dim, op)
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op} only support floating point and complex dtypes")
    composite._check_floating(input, correction)
    x = input.double() if input.dtype.itemsize < (8 if op == "std_mean" else 4) else input
    v = composite.var(x, dim, correction, keepdim, name=op)
    if op == "std_mean":  # as composite.std: gradient 0 (not nan) where the std is 0
        zero = v.array == 0
        if zero.any().item():
            v = ew.Where.apply(zero, 0.0, ew.Where.apply(zero, 1.0, v).sqrt())
        else:
            v = v.sqrt()
    v = v.to(input.dtype) if v.dtype != input.dtype else v
    with _quiet(input.xp):  # an empty float16 mean divides 0 by 0 (nan, silently in torch)
        m = mean(input, dim, keepdim)
    name = "StdMeanBackward0" if op == "std_mean" else "VarMeanBackward0"
    return _named(v, name), _named(m, name)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over dim (all dims if None), as torch.std_mean; std as Tensor.std."""
    return _moments("std_mean", input, dim, unbiased, keepdim, correction)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over dim (all dims if None), as torch.var_mean; var as Tensor.var."""
    return _moments("var_mean", input, dim, unbiased, keepdim, correction)


def take_along_dim(input, indices, dim=None):
    """out = input gathered at indices along dim, the two broadcast against each other in the
    other dims (dim None: of the flattened input).  d/dinput: grad scatter-added back."""
    if not isinstance(indices, Tensor):
        raise TypeError(
            "take_along_dim(): argument 'indices' (position 2) must be Tensor, not "
            f"{type(indices).__name__}"
        )
    if indices.dtype != dtypes.int64:
        raise RuntimeError(
            "torch.take_along_dim(): dtype of indices should be Long but got "
            f"{dtypes.torch_name(indices.dtype)}"
        )
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _dim(dim, input.ndim, "take_along_dim")
    if input.ndim != indices.ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {input.ndim} dimensions for input, and {indices.ndim} "
            "dimensions for indices"
        )
    sizes = list(input.shape)
    sizes[d] = indices.shape[d]
    index_shape = broadcast_sizes(tuple(sizes), tuple(indices.shape))
    sizes = list(indices.shape)
    sizes[d] = input.shape[d]
    input_shape = broadcast_sizes(tuple(sizes), tuple(input.shape))
    if tuple(indices.shape) != index_shape:
        indices = indices.broadcast_to(index_shape)
    if tuple(input.shape) != input_shape:
        input = input.broadcast_to(input_shape)
    return gather(input, d, indices)


# numpy's axis= / keepdims= beside dim= / keepdim=, as the other reductions take them
std_mean = _numpy_names(std_mean)
var_mean = _numpy_names(var_mean)
take_along_dim = _numpy_names(take_along_dim)


def det(input):
    """torch.det / Tensor.det: linalg.det."""
    from autograd.linalg import det as linalg_det

    return linalg_det(input)
