"""Normalisation layers: `BatchNorm1d`, `BatchNorm2d`, `LayerNorm`, and their functional forms
`batch_norm` and `layer_norm` (which live in nn.functional).

Both normalise as y = (x - mean) / sqrt(var + eps) * weight + bias, with the biased variance;
they differ in the dims the statistics are taken over. The forms are compositions of Tensor ops
(mean, sum, sqrt, ...), so their gradients come from the primitives' rules.
"""

import numbers

from autograd import int64, no_grad, ones, tensor, zeros
from nn import functional as F
from nn import init
from nn.functional import _check_batch_norm_numbers, _verify_batch_size, batch_norm, layer_norm
from nn.module import Module
from nn.parameter import _affine_parameters

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "batch_norm", "layer_norm"]


# --------------------------------------------------------------------------- layers
class _BatchNorm(Module):
    """Shared by BatchNorm1d/2d: parameters weight, bias (C,) and buffers running_mean,
    running_var (C,) and num_batches_tracked (int64), with PyTorch's names and defaults."""

    _input_dims = ()  # the input ranks the subclass accepts
    _dims_wording = ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):  # fmt: skip
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, num_features, affine, bias, device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        init._reset_norm_affine(self.weight, self.bias)

    def _check_input(self, input):
        name = f"{type(self).__name__}({self.num_features})"
        if input.ndim not in self._input_dims:
            raise ValueError(
                f"{name}: expected {self._dims_wording} input (got {input.ndim}D input of shape "
                f"{tuple(input.shape)})"
            )
        if input.shape[1] != self.num_features:
            raise RuntimeError(
                f"{name}: expected input with {self.num_features} channels at dim 1, got input "
                f"of shape {tuple(input.shape)}"
            )

    def forward(self, input):
        self._check_input(input)
        if self.training:
            # checked here, before num_batches_tracked moves, so a bad batch changes no state
            _verify_batch_size(input.shape)
        factor = 0.0 if self.momentum is None else self.momentum
        # PyTorch's parser refuses a bad momentum/eps; here before num_batches_tracked moves
        _check_batch_norm_numbers(factor, self.eps)
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average: the plain mean of batches
                factor = 1.0 / float(self.num_batches_tracked.item())
        # batch statistics in training, and in eval when there are no running ones
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )

    def extra_repr(self):
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) input, per channel C over N (and L).

    Training uses the batch's mean and biased variance and updates running_mean/running_var
    (unbiased variance) with `momentum` (None: cumulative average); eval uses the running ones.
    """

    _input_dims = (2, 3)
    _dims_wording = "2D or 3D"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) input, per channel C over N, H and W.

    Training uses the batch's mean and biased variance and updates running_mean/running_var
    (unbiased variance) with `momentum` (None: cumulative average); eval uses the running ones.
    """

    _input_dims = (4,)
    _dims_wording = "4D"


class LayerNorm(Module):
    """Normalise each sample over its last dims (normalized_shape), then scale and shift:
    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias; weight = 1, bias = 0 at first."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):  # fmt: skip
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        init._reset_norm_affine(self.weight, self.bias)

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


# --------------------------------------------------------------------------- (helper nnlayers)
__all__ += ["GroupNorm", "InstanceNorm1d", "InstanceNorm2d"]


class GroupNorm(Module):
    """Normalise each sample over groups of C/num_groups channels (Wu & He, 2018), then scale
    and shift per channel: weight = 1, bias = 0 at first."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, bias=True, device=None,
                 dtype=None):  # fmt: skip
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, num_channels, affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        init._reset_norm_affine(self.weight, self.bias)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class _InstanceNorm(_BatchNorm):
    """Instance normalisation: each (sample, channel) over its own spatial dims. PyTorch's
    defaults differ from BatchNorm's: affine=False, track_running_stats=False."""

    _spatial = 1

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None, *, bias=True):  # fmt: skip
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)  # fmt: skip

    def forward(self, input):
        name = type(self).__name__
        batched = self._spatial + 2
        if input.ndim not in (batched - 1, batched):
            raise ValueError(
                f"expected {batched - 1}D or {batched}D input (got {input.ndim}D input)"
            )
        channel_dim = input.ndim - self._spatial - 1
        if input.shape[channel_dim] != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={channel_dim} to match num_features "
                    f"({self.num_features}), but got: {input.shape[channel_dim]}."
                )
            import warnings

            warnings.warn(
                f"{name}: input's size at dim={channel_dim} does not match num_features. You can "
                "silence this warning by not passing in num_features, which is not used because "
                "affine=False",
                stacklevel=2,
            )
        x = input if input.ndim == batched else input.unsqueeze(0)
        use_input_stats = self.training or not self.track_running_stats
        out = F.instance_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            use_input_stats,
            self.momentum if self.momentum is not None else 0.0,
            self.eps,
        )
        return out if input.ndim == batched else out.squeeze(0)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) input, per sample and channel over L."""

    _spatial = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) input, per sample and channel over
    H and W."""

    _spatial = 2


# --- learner names (names helper) ---
class LocalResponseNorm(Module):
    """x / (k + alpha * mean of x^2 over `size` neighbouring channels)^beta."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
