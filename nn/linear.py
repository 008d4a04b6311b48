"""Affine layers: `Linear`, `Maxout`, plus the shape helpers `Identity` and `Flatten`."""

import math

from autograd import empty
from nn import functional as F
from nn import init
from nn._args import _check_shape
from nn.module import Module
from nn.parameter import Parameter, _optional_parameter

__all__ = ["Identity", "Linear", "Maxout", "Flatten"]


class Identity(Module):
    """Returns its input unchanged (a placeholder, arguments ignored as in PyTorch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class _Affine(Module):
    """A layer of weight (rows, in_features) and an optional bias (rows,): Linear's init."""

    def reset_parameters(self):
        init._reset_affine(self.weight, self.bias)


class Linear(_Affine):
    """y = x W^T + b: (*, in_features) -> (*, out_features); weight (out_features, in_features)."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        _check_shape((out_features, in_features))
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in_features, device=device, dtype=dtype))
        _optional_parameter(self, "bias", bias, out_features, device, dtype)
        self.reset_parameters()

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Maxout(_Affine):
    """max over `pieces` affine maps of x (Goodfellow et al., 2013): (*, in) -> (*, out).

    weight is (out_features * pieces, in_features): row o * pieces + k is piece k of unit o.
    PyTorch has no Maxout; initialised as a Linear of the same shape.
    """

    def __init__(self, in_features, out_features, pieces=2, bias=True, device=None,
                 dtype=None):  # fmt: skip
        super().__init__()
        if pieces < 1:
            raise ValueError(f"Maxout: pieces must be at least 1, got {pieces}")
        self.in_features = in_features
        self.out_features = out_features
        self.pieces = pieces
        rows = out_features * pieces
        self.weight = Parameter(empty(rows, in_features, device=device, dtype=dtype))
        _optional_parameter(self, "bias", bias, rows, device, dtype)
        self.reset_parameters()

    def forward(self, input):
        return F.maxout(input, self.weight, self.bias, self.pieces)

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"pieces={self.pieces}, bias={self.bias is not None}"
        )


class Flatten(Module):
    """Flatten dims start_dim..end_dim into one: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return F.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


# --------------------------------------------------------------------------- (helper nnlayers)
__all__ += ["Unflatten", "Bilinear"]


class Unflatten(Module):
    """Split dim into unflattened_size: Unflatten(1, (2, 3)) maps (N, 6) to (N, 2, 3)."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError("unflattened_size must be tuple of ints")
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Bilinear(Module):
    """y_k = x1^T W_k x2 + b_k: weight (out, in1, in2) and bias (out,), both drawn from
    U(-1/sqrt(in1_features), 1/sqrt(in1_features)) as PyTorch."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None,
                 dtype=None):  # fmt: skip
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(
            empty(out_features, in1_features, in2_features, device=device, dtype=dtype)
        )
        _optional_parameter(self, "bias", bias, out_features, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
