"""`nn.functional` (`import nn.functional as F`): layers, activations and losses as functions,
composed from the engine's Tensor ops, so every gradient comes from the primitives' rules."""

import math

from autograd import Function, Tensor, where
from autograd import pad as _pad
from autograd.ops.elementwise import BinaryCrossEntropy as _BinaryCrossEntropy
from autograd.ops.elementwise import BinaryCrossEntropyWithLogits as _BinaryCrossEntropyWithLogits
from autograd.ops.linalg import Linear as _Linear
from autograd.ops.reduce import CrossEntropy as _CrossEntropy
from autograd.ops.reduce import NLLLoss as _NLLLoss

__all__ = [
    "linear", "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh", "softmax", "log_softmax",
    "maxout", "dropout", "flatten", "embedding", "pad", "erf", "mse_loss", "cross_entropy",
    "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "hinge_embedding_loss",
]  # fmt: skip

pad = _pad


# --------------------------------------------------------------------------- layers
def linear(input, weight, bias=None):
    """y = x W^T + b, with W of shape (out_features, in_features): one node of the graph."""
    return _Linear.apply(input, weight, bias)


def flatten(input, start_dim=0, end_dim=-1):
    return input.flatten(start_dim, end_dim)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p); identity in eval."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    _no_inplace(inplace, "dropout")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    from autograd import rand

    keep = rand(input.shape, dtype=input.dtype, device=input.device) >= p  # P(keep) = 1 - p
    return input * keep.to(input.dtype) * (1.0 / (1.0 - p))


def embedding(input, weight, padding_idx=None):
    """Rows of weight picked by the integer indices in input: (*) -> (*, embedding_dim)."""
    if input.dtype.kind not in "iu":
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have an integer dtype, got {input.dtype}"
        )
    out = weight[input]
    if padding_idx is not None:
        # the padding row takes no gradient, as PyTorch
        pad_rows = (input == padding_idx).unsqueeze(-1)
        out = where(pad_rows, out.detach(), out)
    return out


# --------------------------------------------------------------------------- activations
def _no_inplace(inplace, name):
    if inplace:
        raise NotImplementedError(f"{name}(inplace=True) is not supported; use inplace=False")


def relu(input, inplace=False):
    _no_inplace(inplace, "relu")
    return input.relu()


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, else negative_slope * x (slope at 0: negative_slope, as PyTorch)."""
    _no_inplace(inplace, "leaky_relu")
    return where(input > 0, input, input * negative_slope)


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, else alpha (e^x - 1)."""
    _no_inplace(inplace, "elu")
    # exp of the clamped input: the unused branch must not overflow (inf * 0 = nan in backward)
    negative = (input.clamp(max=0.0).exp() - 1.0) * alpha
    return where(input > 0, input, negative)


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


# erf by the rational approximations of Hart et al., "Computer Approximations" (1968), as in
# the BSD libm: erf(x) = x P1(x^2) / Q1(x^2) for |x| < 1/2, erfc(x) = e^(-x^2) P2(x) / Q2(x)
# above; relative error about 1e-18, below float64 rounding. Lowest degree first.
_P1 = (8.04373630960840172832162e4, 7.40407142710151470082064e3, 3.01782788536507577809226e3,
       3.80140318123903008244444e1, 1.43383842191748205576712e1, -2.88805137207594084924010e-1,
       7.547728033418631287834e-3)  # fmt: skip
_Q1 = (8.04373630960840172826266e4, 3.42165257924628539769006e4, 6.37960017324428279487120e3,
       6.58070155459240506326937e2, 3.80190713951939403753468e1, 1.0)  # fmt: skip
_P2 = (1.8263348842295112592168999e3, 2.8980293292167655611275846e3,
       2.320439590251635247384768711e3, 1.143262070703886173606073338e3,
       3.685196154710010637133875746e2, 7.708161730368428609781633646e1,
       9.675807882987265400604202961e0, 5.641877825507397413087057563e-1)  # fmt: skip
_Q2 = (1.8263348842295112595576438e3, 4.95882756472114071495438422e3,
       6.0895424232724435504633068e3, 4.429612803883682726711528526e3,
       2.094384367789539593790281779e3, 6.617361207107653469211984771e2,
       1.371255960500622202878443578e2, 1.714980943627607849376131193e1, 1.0)  # fmt: skip
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _horner(coefficients, x):
    out = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        out = out * x + c
    return out


class Erf(Function):
    """y = erf(x).  dy/dx = 2/sqrt(pi) e^(-x^2).

    Not an engine primitive yet: its forward is a rational approximation on the tensor's
    arrays and its backward is written in Tensor ops (so second derivatives work).
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)
        xp = x.xp
        a = x.array
        z = xp.abs(a)
        small = xp.minimum(z, 0.5)  # each branch sees only its own range: no overflow
        large = xp.clip(z, 0.5, 10.0)
        near = small * _horner(_P1, small * small) / _horner(_Q1, small * small)
        far = 1.0 - xp.exp(-large * large) * _horner(_P2, large) / _horner(_Q2, large)
        out = xp.sign(a) * xp.where(z < 0.5, near * _TWO_OVER_SQRT_PI, far)
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (-(x * x)).exp() * _TWO_OVER_SQRT_PI

    @staticmethod
    def jvp(ctx, grad_x):
        (x,) = ctx.saved_tensors  # kept by save_for_forward
        return grad_x * (-(x * x)).exp() * _TWO_OVER_SQRT_PI


def erf(input):
    """The error function, 2/sqrt(pi) times the integral of e^(-t^2) from 0 to x."""
    if input.dtype.kind != "f":
        input = input.float()
    return Erf.apply(input)


def gelu(input, approximate="none"):
    """x Phi(x), Phi the standard normal CDF; approximate='tanh' uses Hendrycks & Gimpel's
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    if approximate == "none":
        return input * (erf(input * (1.0 / math.sqrt(2.0))) + 1.0) * 0.5
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2.0 / math.pi)
        return input * (inner.tanh() + 1.0) * 0.5
    raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")


def _softmax_dim(ndim):
    """PyTorch's legacy implicit dim, when dim is not given."""
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    return input.softmax(_softmax_dim(input.ndim) if dim is None else dim)


def log_softmax(input, dim=None, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    return input.log_softmax(_softmax_dim(input.ndim) if dim is None else dim)


def maxout(input, weight, bias, pieces):
    """max over `pieces` affine maps: weight (out*pieces, in) -> (*, out)."""
    z = linear(input, weight, bias)
    out_features = z.shape[-1] // pieces
    z = z.reshape(*z.shape[:-1], out_features, pieces)  # (*, out, pieces)
    return z.max(dim=-1)[0]


# --------------------------------------------------------------------------- losses
def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _same_shape(input, target):
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(
            f"Using a target size ({tuple(target.shape)}) that is different to the input size "
            f"({tuple(input.shape)}) is deprecated. Please ensure they have the same size."
        )


def _as_tensor_like(value, like):
    return value if isinstance(value, Tensor) else Tensor(value, dtype=like.dtype,
                                                          device=like.device)  # fmt: skip


def mse_loss(input, target, reduction="mean"):
    """(x - y)^2, reduced."""
    target = _as_tensor_like(target, input)
    diff = input - target
    return _reduce(diff * diff, reduction)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """-w[y] x[y] for log-probabilities x of shape (N, C, d1, ...) or (C,) and class indices y
    of shape (N, d1, ...) or (); the mean divides by the summed weights of counted targets."""
    _check_class_targets(input, target, weight, reduction, "nll_loss")
    return _NLLLoss.apply(input, target.array, weight, ignore_index, reduction)


def _check_class_targets(input, target, weight, reduction, op):
    if target.dtype.kind not in "iu":
        raise RuntimeError(f"expected scalar type Long but found {target.dtype} for target")
    if input.ndim < 1:
        raise ValueError(f"{op}: input must have at least 1 dimension (C,) or (N, C, ...)")
    batched = input.ndim > 1
    expected = (input.shape[0],) + tuple(input.shape[2:]) if batched else ()
    if tuple(target.shape) != expected:
        if batched and target.ndim >= 1 and target.shape[0] != input.shape[0]:
            raise ValueError(
                f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                f"({target.shape[0]})."
            )
        raise RuntimeError(
            f"{op}: expected target of shape {expected} for input of shape "
            f"{tuple(input.shape)}, got {tuple(target.shape)}"
        )
    n_classes = input.shape[1] if batched else input.shape[0]
    if weight is not None and tuple(weight.shape) != (n_classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no "
            f"classes but got weight tensor of shape: {tuple(weight.shape)}"
        )
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if target.device is not input.device and target.device != input.device:
        raise RuntimeError(
            f"{op}: expected target on the input's device {input.device}, got {target.device}"
        )


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):  # fmt: skip
    """nll_loss(log_softmax(input, class dim), target); target holds class indices (one node
    for the two), or class probabilities of input's shape."""
    if label_smoothing != 0.0:
        raise NotImplementedError("cross_entropy: label_smoothing is not supported yet")
    if target.dtype.kind in "iu":
        _check_class_targets(input, target, weight, reduction, "cross_entropy")
        return _CrossEntropy.apply(input, target.array, weight, ignore_index, reduction)
    # class probabilities: -sum_c w_c y_c log p_c; the mean divides by the batch size
    class_dim = 1 if input.ndim > 1 else 0
    logp = input.log_softmax(class_dim)
    _same_shape(input, target)
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = input.shape[class_dim]
        logp = logp * weight.reshape(*shape)
    loss = -(target * logp).sum(class_dim)
    return _reduce(loss, reduction)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """-(y log x + (1 - y) log(1 - x)), each log clamped to >= -100 and the gradient's
    denominator x (1 - x) to >= 1e-12, as PyTorch (one primitive)."""
    target = _as_tensor_like(target, input)
    _same_shape(input, target)
    if ((input < 0) | (input > 1)).sum().item():
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = _BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):  # fmt: skip
    """BCE of sigmoid(x), stable for any x: (1 - y) x - w log sigmoid(x), w = 1 + (p - 1) y
    for pos_weight p; its gradient w sigmoid(x) - p y (one primitive, as PyTorch's)."""
    target = _as_tensor_like(target, input)
    _same_shape(input, target)
    loss = _BinaryCrossEntropyWithLogits.apply(input, target, pos_weight)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, reduction="mean"):
    """x where y = 1, max(0, margin - x) where y = -1 (PyTorch's formula, which adds both
    where y is neither)."""
    target = _as_tensor_like(target, input)
    zeros = input * 0.0
    margin_part = where(target != 1, (margin - input).clamp(min=0.0), zeros)
    self_part = where(target != -1, input, zeros)
    return _reduce(margin_part + self_part, reduction)


# The layer families keep their functional forms beside their modules; F offers them all.
from nn.attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: E402
from nn.conv import conv2d  # noqa: E402
from nn.normalization import batch_norm, layer_norm  # noqa: E402
from nn.pooling import avg_pool2d, max_pool2d  # noqa: E402

__all__ += [
    "conv2d", "max_pool2d", "avg_pool2d", "batch_norm", "layer_norm",
    "scaled_dot_product_attention", "multi_head_attention_forward",
]  # fmt: skip
