"""Weight initialisation, in place and without recording, with PyTorch's formulas.

Random numbers come from the tensor's device generator (`autograd.manual_seed` seeds it),
drawn as torch draws them (`tensor.uniform_`, `tensor.normal_` in torch's order), so that on
the CPU a seeded layer starts from torch's very weights (see autograd/random.py for what is
bit-exact).
"""

import math
import warnings

from autograd import empty_like, no_grad, randperm, where

__all__ = [
    "calculate_gain", "uniform_", "normal_", "constant_", "ones_", "zeros_", "xavier_uniform_",
    "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
]  # fmt: skip


def calculate_gain(nonlinearity, param=None):
    """The gain that keeps activations' variance steady through `nonlinearity`."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d")  # fmt: skip
    if nonlinearity in linear or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """fan_in = in * receptive field, fan_out = out * receptive field, for a weight of shape
    (out, in, *kernel)."""
    if tensor.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with U(a, b)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with N(mean, std^2)."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def constant_(tensor, val):
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    return constant_(tensor, 1.0)


def zeros_(tensor):
    return constant_(tensor, 0.0)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """U(-bound, bound) with bound = gain * sqrt(3 / fan) (He et al., 2015)."""
    if 0 in tensor.shape:
        return tensor  # as PyTorch: nothing to fill (it warns)
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """N(0, std^2) with std = gain / sqrt(fan)."""
    if 0 in tensor.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


# --------------------------------------------------------------------------- (helper nnlayers)
# The rest of torch.nn.init. `generator=` is passed on to the tensor methods that draw.
__all__ += [
    "eye_", "dirac_", "orthogonal_", "sparse_", "trunc_normal_", "uniform", "normal",
    "constant", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
    "_calculate_fan_in_and_fan_out",
]  # fmt: skip


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """N(mean, std^2) restricted to [a, b], by torch's rejection sampling: when [a, b] holds
    more than 30% of the mass, whole-tensor normal draws replace the values outside until
    none is; otherwise U(a, b) candidates, each kept with probability pdf / pdf(mode)."""
    if not a < b:
        raise ValueError(f"trunc_normal_: expected a < b, got a={a}, b={b}")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )

    def norm_cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    with no_grad():
        if norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std) > 0.3:
            lo, hi = tensor.dtype.type(a).item(), tensor.dtype.type(b).item()
            result = tensor.normal_(mean, std, generator=generator)
            while True:
                outside = (result < lo) | (result > hi)
                if not outside.any().item():
                    break
                fresh = empty_like(result).normal_(mean, std, generator=generator)
                result = where(outside, fresh, result)
            if result is not tensor:
                tensor.copy_(result)
            return tensor
        log_peak = -0.5 * ((max(a, min(mean, b)) - mean) / std) ** 2

        def log_pdf(x):  # in torch's order of in-place steps
            x = (x - mean) / std
            return x * x * -0.5 - log_peak

        def rejected(x):
            return empty_like(tensor).uniform_(generator=generator).log() > log_pdf(x)

        tensor.uniform_(a, b, generator=generator)
        pending = rejected(tensor)
        result = tensor
        while pending.any().item():
            candidates = empty_like(tensor).uniform_(a, b, generator=generator)
            result = where(pending, candidates, result)
            pending = where(pending, rejected(candidates), pending)
        if result is not tensor:
            tensor.copy_(result)
        return tensor


def eye_(tensor):
    """The identity matrix in a 2-D tensor (ones on the diagonal of a rectangle)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    from autograd import eye

    with no_grad():
        return tensor.copy_(eye(*tensor.shape, dtype=tensor.dtype, device=tensor.device))


def dirac_(tensor, groups=1):
    """The Dirac delta in a {3, 4, 5}-D convolution weight: each output channel copies its
    input channel (per group), so the convolution is the identity."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = sizes[0] // groups
    min_dim = min(out_per_group, sizes[1])
    xp = tensor.xp
    a = xp.zeros(sizes, dtype=tensor.dtype)
    centre = tuple(k // 2 for k in sizes[2:])
    for g in range(groups):
        for d in range(min_dim):
            a[(g * out_per_group + d, d) + centre] = 1
    with no_grad():
        return tensor.copy_(_wrap(a, tensor.backend))


def orthogonal_(tensor, gain=1, generator=None):
    """A (semi-)orthogonal matrix (Saxe et al., 2013): Q of the QR of a Gaussian matrix, its
    columns' signs fixed by diag(R); tensors of more dims are flattened after dim 0."""
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = tensor.new_empty((rows, cols)).normal_(0, 1, generator=generator)
    a = flat.array
    if rows < cols:
        a = a.T
    xp = tensor.xp
    q, r = xp.linalg.qr(a)
    q = q * xp.sign(xp.diagonal(r))  # a unique Q: R's diagonal made positive
    if rows < cols:
        q = q.T
    q = xp.ascontiguousarray(q).reshape(tensor.shape).astype(tensor.dtype, copy=False)
    with no_grad():
        tensor.copy_(_wrap(q, tensor.backend))
        tensor.mul_(gain)
    return tensor


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """A 2-D tensor drawn from N(0, std^2) with ceil(sparsity * rows) zeros in each column
    (Martens, 2010)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = int(math.ceil(sparsity * rows))
    with no_grad():
        normal_(tensor, 0.0, std, generator)
        for col in range(cols):  # as torch: one randperm per column, from the default stream
            zero_rows = randperm(rows, device=tensor.device)[:num_zeros]
            tensor[zero_rows, col] = 0
        return tensor


# PyTorch's deprecated names without the trailing underscore
def uniform(tensor, a=0.0, b=1.0):
    return uniform_(tensor, a, b)


def normal(tensor, mean=0.0, std=1.0):
    return normal_(tensor, mean, std)


def constant(tensor, val):
    return constant_(tensor, val)


def xavier_uniform(tensor, gain=1.0):
    return xavier_uniform_(tensor, gain)


def xavier_normal(tensor, gain=1.0):
    return xavier_normal_(tensor, gain)


def kaiming_uniform(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    return kaiming_uniform_(tensor, a, mode, nonlinearity)


def kaiming_normal(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    return kaiming_normal_(tensor, a, mode, nonlinearity)


from autograd._tensor import _wrap  # noqa: E402


def _reset_affine(weight, bias, empty_fan_in_bias=True):
    """PyTorch's default for Linear and Conv: W ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) by way
    of kaiming_uniform_(a=sqrt(5)), and the bias from the same bound. With no inputs
    (fan_in 0) Linear zeroes the bias, while Conv (empty_fan_in_bias=False) leaves it as is."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is None:
        return
    fan_in, _ = _calculate_fan_in_and_fan_out(weight)
    if fan_in > 0 or empty_fan_in_bias:
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)


def _reset_norm_affine(weight, bias):
    """A normalisation layer's scale and shift: weight = 1, bias = 0 (either may be None)."""
    if weight is not None:
        ones_(weight)
    if bias is not None:
        zeros_(bias)
