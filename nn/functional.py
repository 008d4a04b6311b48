"""`nn.functional` (`import nn.functional as F`): layers, activations and losses as functions,
composed from the engine's Tensor ops, so every gradient comes from the primitives' rules."""

import math
import numbers
import warnings

from autograd import Function, Tensor, arange, cat, no_grad, where, zeros
from autograd import pad as _pad
from autograd._tensor import _named
from autograd.ops.elementwise import BinaryCrossEntropy as _BinaryCrossEntropy
from autograd.ops.elementwise import BinaryCrossEntropyWithLogits as _BinaryCrossEntropyWithLogits
from autograd.ops.linalg import Linear as _Linear
from autograd.ops.loss import CrossEntropy as _CrossEntropy
from autograd.ops.loss import NLLLoss as _NLLLoss
from autograd.ops.special import TWO_OVER_SQRT_PI, erf_rational
from autograd.ops.special import Gelu as _Gelu
from nn import _args

# The convolutions and pools live in two private modules of nn.functional (this file would be
# too long); the layers reach them through F, the private forms that take the layer as `op` too.
from nn._functional_conv import (  # noqa: F401
    _conv1d,
    _conv2d,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
)
from nn._functional_pool import (  # noqa: F401
    _avg_pool1d,
    _avg_pool2d,
    _max_pool1d,
    _max_pool2d,
    _pool_args,
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from nn._nodes import _in_place, _node

__all__ = [
    "linear", "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh", "softmax", "log_softmax",
    "maxout", "dropout", "flatten", "embedding", "pad", "erf", "mse_loss", "cross_entropy",
    "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "hinge_embedding_loss",
]  # fmt: skip


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad)//2 dims: pad = (left, right, top, bottom, ...), as F.pad;
    mode 'constant' (value, 0 by default), 'reflect', 'replicate' or 'circular'."""
    if type(pad) is not tuple or not all(type(p) is int for p in pad):
        pad = _pad_arg(pad)
    if value is not None and type(value) is not float:
        _args._check_real(value, "value", "pad")
    if mode != "constant":
        if value is not None and value != 0:
            raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
        return _pad(input, pad, mode)
    return _pad(input, pad, mode, 0.0 if value is None else value)


def _pad_arg(pad):
    """pad as PyTorch's parser takes an int list: a tuple or list of ints (numpy integers
    too, not bools); a bare int, None, a float ... a TypeError."""
    if not isinstance(pad, (tuple, list)):
        raise TypeError(
            f"pad(): argument 'pad' must be tuple of ints, not {type(pad).__name__} (pad={pad!r})"
        )
    return _args._int_list(pad, 0, "pad", "pad()")


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
    if p != p:  # past Python's range check, refused by PyTorch's kernel
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if inplace:
        return _in_place(dropout, input, None, p, training)
    if p == 1.0:
        return input * 0.0
    from autograd import empty

    # as torch: a bernoulli_(1 - p) mask divided by 1 - p (its random stream on the CPU)
    keep = empty(input.shape, dtype=input.dtype, device=input.device).bernoulli_(1 - p)
    return input * (keep / (1.0 - p))


def _padding_row(padding_idx, n):
    """PyTorch's checks of padding_idx against n rows (AssertionError), a negative one
    counted from the end; no type check (a float passes here, refused at forward)."""
    if padding_idx > 0:
        if not padding_idx < n:
            raise AssertionError(f"Padding_idx must be within num_embeddings ({padding_idx}, {n})")
    elif padding_idx < 0:
        if not padding_idx >= -n:
            raise AssertionError(f"Padding_idx must be within num_embeddings ({padding_idx}, {n})")
        padding_idx = n + padding_idx
    return padding_idx


@_node("EmbeddingBackward0")
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):  # fmt: skip
    """Rows of weight picked by the integer indices in input: (*) -> (*, embedding_dim)."""
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse are not supported")
    if input.dtype.kind not in "iu":
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have an integer dtype, got {input.dtype}"
        )
    n = weight.shape[0]
    if input.numel():
        # torch refuses what numpy would wrap to the last rows
        lo, hi = int(input.min().item()), int(input.max().item())
        if lo < 0 or hi >= n:
            raise IndexError(
                f"embedding: index out of range in self (index {lo if lo < 0 else hi}, "
                f"num_embeddings {n})"
            )
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    out = weight[input]
    if padding_idx is not None:
        padding_idx = _padding_row(padding_idx, n)
        if type(padding_idx) is not int:
            padding_idx = _args._int_arg(padding_idx, "padding_idx", "embedding()")
        # the padding row takes no gradient, as PyTorch
        pad_rows = (input == padding_idx).unsqueeze(-1)
        out = where(pad_rows, out.detach(), out)
    return out


def _renorm_rows(weight, input, max_norm, norm_type):
    """PyTorch's embedding_renorm_: each row of weight that input picks and whose norm
    exceeds max_norm is scaled in place by max_norm / (norm + 1e-7); no gradient."""
    with no_grad():
        rows = input.reshape(-1).unique()
        picked = weight[rows]
        norms = picked.norm(p=norm_type, dim=1, keepdim=True)
        over = norms > max_norm
        if bool(over.any()):
            scale = where(over, max_norm / (norms + 1e-7), 1.0)
            weight[rows] = picked * scale


# --------------------------------------------------------------------------- activations
def relu(input, inplace=False):
    return input.relu_() if inplace else input.relu()


@_node("LeakyReluBackward0", in_place="LeakyReluBackward1")
def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, else negative_slope * x (slope at 0: negative_slope, as PyTorch)."""
    if type(negative_slope) is not float:
        _args._check_real(negative_slope, "negative_slope", "leaky_relu", RuntimeError)
    return where(input > 0, input, input * negative_slope)


@_node("EluBackward0", in_place="EluBackward1")
def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, else alpha (e^x - 1)."""
    if type(alpha) is not float:
        _args._check_real(alpha, "alpha", "elu", RuntimeError)
    # exp of the clamped input: the unused branch must not overflow (inf * 0 = nan in backward)
    negative = (input.clamp(max=0.0).exp() - 1.0) * alpha
    return where(input > 0, input, negative)


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


class Erf(Function):
    """y = erf(x).  dy/dx = 2/sqrt(pi) e^(-x^2).

    Not an engine primitive yet: its forward is a rational approximation on the tensor's
    arrays and its backward is written in Tensor ops (so second derivatives work).
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)
        return erf_rational(x.xp, x.array)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (-(x * x)).exp() * TWO_OVER_SQRT_PI

    @staticmethod
    def jvp(ctx, grad_x):
        (x,) = ctx.saved_tensors  # kept by save_for_forward
        return grad_x * (-(x * x)).exp() * TWO_OVER_SQRT_PI


def erf(input):
    """The error function, 2/sqrt(pi) times the integral of e^(-t^2) from 0 to x."""
    if input.dtype.kind != "f":
        input = input.float()
    return Erf.apply(input)


@_node("GeluBackward0")
def gelu(input, approximate="none"):
    """x Phi(x), Phi the standard normal CDF; approximate='tanh' uses Hendrycks & Gimpel's
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    if approximate == "none":
        if input.dtype.kind == "f":
            return _Gelu.apply(input)  # one primitive: computed block by block (memory)
        return input * (erf(input * (1.0 / math.sqrt(2.0))) + 1.0) * 0.5
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2.0 / math.pi)
        return input * (inner.tanh() + 1.0) * 0.5
    if not isinstance(approximate, str):
        raise TypeError(
            f"gelu(): argument 'approximate' must be str, not {type(approximate).__name__}"
        )
    raise RuntimeError(
        f"gelu: approximate argument must be either none or tanh, got {approximate!r}"
    )


def _softmax_dim(name, ndim, stacklevel=4):
    """PyTorch's legacy implicit dim, when dim is not given, with PyTorch's warning."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_args(name, input, dim, dtype, axis):
    """input cast to dtype (when given) and the dim to normalise over: dim, else numpy's axis,
    else PyTorch's legacy implicit dim (with its warning)."""
    if axis is not None:
        dim = axis
    if dim is None:
        dim = _softmax_dim(name, input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return input, dim


def softmax(input, dim=None, dtype=None, *, axis=None):
    input, dim = _softmax_args("softmax", input, dim, dtype, axis)
    return input.softmax(dim)


def log_softmax(input, dim=None, dtype=None, *, axis=None):
    input, dim = _softmax_args("log_softmax", input, dim, dtype, axis)
    return input.log_softmax(dim)


def maxout(input, weight, bias, pieces):
    """max over `pieces` affine maps: weight (out*pieces, in) -> (*, out)."""
    z = linear(input, weight, bias)
    out_features = z.shape[-1] // pieces
    z = z.reshape(*z.shape[:-1], out_features, pieces)  # (*, out, pieces)
    return z.max(dim=-1)[0]


# --------------------------------------------------------------------------- losses
def _real_arg(value, name, op):
    """A float argument of a loss as PyTorch's parser takes it: checked (TypeError), then a
    Python float (a bool or numpy scalar must not turn the arithmetic into numpy's)."""
    if type(value) is float:
        return value
    _args._check_real(value, name, op)
    return float(value)


def _legacy_reduction(reduction):
    """PyTorch's functional losses take the deprecated 'elementwise_mean' for 'mean', with a
    warning (not poisson_nll_loss and gaussian_nll_loss, as PyTorch)."""
    if reduction == "elementwise_mean":
        warnings.warn(
            "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
            stacklevel=3,
        )
        return "mean"
    return reduction


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


@_node("MseLossBackward0")
def mse_loss(input, target, reduction="mean"):
    """(x - y)^2, reduced."""
    reduction = _legacy_reduction(reduction)
    target = _as_tensor_like(target, input)
    diff = input - target
    return _reduce(diff * diff, reduction)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """-w[y] x[y] for log-probabilities x of shape (N, C, d1, ...) or (C,) and class indices y
    of shape (N, d1, ...) or (); the mean divides by the summed weights of counted targets."""
    reduction = _legacy_reduction(reduction)
    if type(ignore_index) is not int:
        ignore_index = _args._int_arg(ignore_index, "ignore_index", "nll_loss()")
    _check_class_targets(input, target, weight, reduction, "nll_loss")
    return _NLLLoss.apply(input, target.array, weight, ignore_index, reduction)


def _check_class_targets(input, target, weight, reduction, op):
    shape, target_shape = input.array.shape, target.array.shape
    if target.array.dtype.kind not in "iu":
        raise RuntimeError(f"expected scalar type Long but found {target.dtype} for target")
    if not shape:
        raise ValueError(f"{op}: input must have at least 1 dimension (C,) or (N, C, ...)")
    batched = len(shape) > 1
    expected = shape[:1] + shape[2:] if batched else ()
    if target_shape != expected:
        if batched and target_shape and target_shape[0] != shape[0]:
            raise ValueError(
                f"Expected input batch_size ({shape[0]}) to match target batch_size "
                f"({target_shape[0]})."
            )
        raise RuntimeError(
            f"{op}: expected target of shape {expected} for input of shape "
            f"{tuple(shape)}, got {tuple(target_shape)}"
        )
    n_classes = shape[1] if batched else shape[0]
    if weight is not None and tuple(weight.shape) != (n_classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no "
            f"classes but got weight tensor of shape: {tuple(weight.shape)}"
        )
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if target._backend is not input._backend and target.device != input.device:
        raise RuntimeError(
            f"{op}: expected target on the input's device {input.device}, got {target.device}"
        )


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):  # fmt: skip
    """nll_loss(log_softmax(input, class dim), target); target holds class indices (one node
    for the two), or class probabilities of input's shape."""
    reduction = _legacy_reduction(reduction)
    if type(ignore_index) is not int:
        ignore_index = _args._int_arg(ignore_index, "ignore_index", "cross_entropy()")
    if type(label_smoothing) is not float:
        _args._check_real(label_smoothing, "label_smoothing", "cross_entropy()")
    if label_smoothing > 0.0:  # PyTorch's: a negative or NaN one is no smoothing
        return _smoothed_cross_entropy(input, target, weight, ignore_index, reduction,
                                       label_smoothing)  # fmt: skip
    if target.dtype.kind in "iu":
        _check_class_targets(input, target, weight, reduction, "cross_entropy")
        return _CrossEntropy.apply(input, target.array, weight, ignore_index, reduction)
    # class probabilities: -sum_c w_c y_c log p_c, composed in PyTorch's order (its nodes:
    # NegBackward0, DivBackward1 for the mean, which divides the whole sum by the batch size)
    class_dim = 1 if input.ndim > 1 else 0
    _same_shape(input, target)
    terms = input.log_softmax(class_dim) * target
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = input.shape[class_dim]
        terms = terms * weight.reshape(*shape)
    if reduction == "none":
        return -terms.sum(class_dim)
    if reduction == "sum":
        return -terms.sum()
    if reduction == "mean":  # PyTorch divides by a C++ double: its div.Scalar node
        if not input.numel():
            return _named(-terms.sum() * float("nan"), "NegBackward0")
        return _named(-terms.sum() / (input.numel() / input.shape[class_dim]), "DivBackward1")
    return _reduce(terms, reduction)  # its error for an unknown reduction


@_node("BinaryCrossEntropyBackward0")
def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """-(y log x + (1 - y) log(1 - x)), each log clamped to >= -100 and the gradient's
    denominator x (1 - x) to >= 1e-12, as PyTorch (one primitive)."""
    reduction = _legacy_reduction(reduction)
    target = _as_tensor_like(target, input)
    _same_shape(input, target)
    if ((input < 0) | (input > 1)).sum().item():
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = _BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


@_node("BinaryCrossEntropyWithLogitsBackward0")
def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):  # fmt: skip
    """BCE of sigmoid(x), stable for any x: (1 - y) x - w log sigmoid(x), w = 1 + (p - 1) y
    for pos_weight p; its gradient w sigmoid(x) - p y (one primitive, as PyTorch's)."""
    reduction = _legacy_reduction(reduction)
    target = _as_tensor_like(target, input)
    _same_shape(input, target)
    loss = _BinaryCrossEntropyWithLogits.apply(input, target, pos_weight)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, reduction="mean"):
    """x where y = 1, max(0, margin - x) where y = -1 (PyTorch's formula, which adds both
    where y is neither)."""
    reduction = _legacy_reduction(reduction)
    margin = _real_arg(margin, "margin", "hinge_embedding_loss()")
    target = _as_tensor_like(target, input)
    zeros = input * 0.0
    margin_part = where(target != 1, (margin - input).clamp(min=0.0), zeros)
    self_part = where(target != -1, input, zeros)
    return _reduce(margin_part + self_part, reduction)


# --------------------------------------------------------------------------- normalisation
# y = (x - mean) / sqrt(var + eps) * weight + bias, with the biased variance; batch_norm and
# layer_norm differ in the dims the statistics are taken over.
def _verify_batch_size(shape):
    """Training statistics need at least two values per channel (N * L * H * W > 1)."""
    values = shape[0]
    for s in shape[2:]:
        values *= s
    if values == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {tuple(shape)}"
        )


def _check_per_channel(name, t, channels, shape):
    if t is not None and t.numel() != channels:
        raise RuntimeError(
            f"batch_norm: {name} should contain {channels} elements not {t.numel()} "
            f"(input of shape {tuple(shape)} has {channels} channels at dim 1)"
        )


@_node("NativeBatchNormBackward0")
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):  # fmt: skip
    """Normalise each channel (dim 1) of an (N, C, *) input over every other dim.

    training: y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias with the batch's mean and
    biased variance; running_mean / running_var (when given) are updated in place, without
    recording, as r <- (1 - momentum) r + momentum s, using the unbiased variance.
    Otherwise the running statistics stand in for E[x] and Var[x].
    """
    _check_batch_norm_numbers(momentum, eps)
    shape = input.shape
    if input.ndim < 2:
        raise ValueError(
            f"batch_norm: expected input of shape (N, C, *) with at least 2 dims, got shape "
            f"{tuple(shape)}"
        )
    channels = shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):  # fmt: skip
        _check_per_channel(name, t, channels, shape)
    if training:
        _verify_batch_size(shape)
        if eps <= 0.0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    else:
        if eps < 0.0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
        if running_mean is None or running_var is None:
            raise RuntimeError(
                "batch_norm: running_mean and running_var must be given when training=False "
                "(pass training=True to normalise with the batch's statistics)"
            )
    dims = (0,) + tuple(range(2, input.ndim))
    per_channel = (1, channels) + (1,) * (input.ndim - 2)  # broadcasts a (C,) vector
    if training:
        n = input.numel() // channels
        mean = input.sum(dims, keepdim=True) / n
        centered = input - mean
        squares = (centered * centered).sum(dims, keepdim=True)
        var = squares / n
        with no_grad():
            # PyTorch's order of operations: momentum * new + (1 - momentum) * old
            if running_mean is not None:
                batch_mean = mean.detach().reshape(channels)  # no tangent either
                running_mean.copy_(batch_mean * momentum + running_mean * (1 - momentum))
            if running_var is not None:
                unbiased = squares.detach().reshape(channels) / (n - 1)
                running_var.copy_(unbiased * momentum + running_var * (1 - momentum))
    else:
        centered = input - running_mean.reshape(per_channel)
        var = running_var.reshape(per_channel)
    return _scale_shift(centered, var, eps, weight, bias, per_channel)


def _check_batch_norm_numbers(momentum, eps):
    """momentum and eps as PyTorch's parser takes floats (a bool, an int, a numpy scalar)."""
    if type(momentum) is not float:
        _args._check_real(momentum, "momentum", "batch_norm")
    if type(eps) is not float:
        _args._check_real(eps, "eps", "batch_norm")


def _scale_shift(centered, var, eps, weight, bias, per_channel):
    """(x - mean) / sqrt(var + eps) * weight + bias, weight and bias (C,) reshaped to broadcast
    over dim 1 (either may be None)."""
    out = centered * (var + eps).rsqrt()
    if weight is not None:
        out = out * weight.reshape(per_channel)
    if bias is not None:
        out = out + bias.reshape(per_channel)
    return out


@_node("NativeLayerNormBackward0")
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last len(normalized_shape) dims, which must equal normalized_shape:
    y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias (biased variance); weight and bias have
    shape normalized_shape."""
    if type(eps) is not float:
        _args._check_real(eps, "eps", "layer_norm")
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k :]) != normalized_shape:
        expected = ", ".join(str(s) for s in normalized_shape)
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {expected}], but got input of size{list(input.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(
                f"layer_norm: expected {name} to be of same shape as normalized_shape, but got "
                f"{name} of shape {tuple(t.shape)} and normalized_shape = {normalized_shape}"
            )
    dims = tuple(range(input.ndim - k, input.ndim))
    mean = input.mean(dims, keepdim=True)
    centered = input - mean
    var = (centered * centered).mean(dims, keepdim=True)
    out = centered * (var + eps).rsqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


# --------------------------------------------------------------------------- attention
# attention(Q, K, V) = softmax(Q K^T / sqrt(d) + mask) V, composed from matmul, softmax and
# friends, so every gradient comes from the primitives' rules (Vaswani et al., 2017).
_NEG_INF = float("-inf")


def _neg_inf_where(mask, dtype):
    """An additive mask: -inf where `mask` (bool) holds, 0 elsewhere."""
    return zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(mask, _NEG_INF)


def _softmax(scores, safe):
    """Softmax over the last dim. safe=True (PyTorch's SDPA): a row that is -inf throughout,
    a query allowed to see no key, gives zeros and a zero gradient instead of NaN."""
    if not safe:
        return scores.softmax(-1)
    top = scores.detach().amax(-1, keepdim=True)
    top = top.masked_fill(top == _NEG_INF, 0.0)
    e = (scores - top).exp()
    total = e.sum(-1, keepdim=True)
    return e / total.masked_fill(total == 0, 1.0)


def _attend(q, k, v, bias, dropout_p, scale, safe):
    """(softmax(q k^T * scale + bias) with dropout) v, and the weights: (..., L, S)."""
    scores = (q * scale).matmul(k.transpose(-2, -1))  # (..., L, S)
    if bias is not None:
        scores = scores + bias
    weights = _softmax(scores, safe)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights.matmul(v), weights


def _causal_bias(target_len, source_len, like):
    """-inf where key j comes after query i (j > i), as PyTorch's tril: (L, S)."""
    rows = arange(target_len, device=like.device).reshape(target_len, 1)
    cols = arange(source_len, device=like.device).reshape(1, source_len)
    return _neg_inf_where(cols > rows, like.dtype)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):  # fmt: skip
    """softmax(Q K^T * scale + mask) V: (..., L, E), (..., S, E), (..., S, Ev) -> (..., L, Ev).

    scale defaults to 1/sqrt(E). A bool attn_mask is True where a query may attend to a key;
    a float one is added to the scores; is_causal (instead of attn_mask) hides each key that
    comes after the query (j > i). A query that may attend to nothing gets zeros. Dropout
    applies to the weights whenever dropout_p > 0 (there is no training flag). enable_gqa lets
    key and value have fewer heads (dim -3) than query, each shared by a group of query heads.
    """
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError(
            f"scaled_dot_product_attention: expected query, key and value with at least 2 dims, "
            f"got shapes {tuple(query.shape)}, {tuple(key.shape)} and {tuple(value.shape)}"
        )
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(
            f"scaled_dot_product_attention: query (..., L, E), key (..., S, E) and value "
            f"(..., S, Ev) do not fit: got shapes {tuple(query.shape)}, {tuple(key.shape)} and "
            f"{tuple(value.shape)}"
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True"
        )
    if enable_gqa:
        key, value = _repeat_heads(key, query), _repeat_heads(value, query)
    target_len, source_len = query.shape[-2], key.shape[-2]
    bias = None
    if attn_mask is not None:
        if attn_mask.dtype.kind == "b":
            bias = _neg_inf_where(attn_mask.logical_not(), query.dtype)
        elif attn_mask.dtype.kind == "f":
            bias = attn_mask
        else:
            raise RuntimeError(
                f"scaled_dot_product_attention: expected attn_mask of dtype bool or float, "
                f"got {attn_mask.dtype}"
            )
    if is_causal:
        bias = _causal_bias(target_len, source_len, query)
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    out, _ = _attend(query, key, value, bias, dropout_p, scale, safe=True)
    return out


def _repeat_heads(t, query):
    """(..., Hk, S, E) -> (..., Hq, S, E), each of the Hk heads repeated Hq // Hk times."""
    if query.ndim < 3 or t.ndim < 3:
        raise RuntimeError("scaled_dot_product_attention: enable_gqa needs a heads dim (-3)")
    heads, kv_heads = query.shape[-3], t.shape[-3]
    if heads % kv_heads:
        raise RuntimeError(
            f"scaled_dot_product_attention: enable_gqa needs the query's heads ({heads}) to be "
            f"a multiple of key's and value's ({kv_heads})"
        )
    group = heads // kv_heads
    lead, (s, e) = t.shape[:-3], t.shape[-2:]
    t = t.unsqueeze(-3).expand(*lead, kv_heads, group, s, e)  # (..., Hk, g, S, E)
    return t.reshape(*lead, heads, s, e)


# --------------------------------------------------------------------------- multi-head
def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the input is batched (3-D) or not (2-D); raises, as PyTorch, if neither."""
    if query.ndim == 3:
        kind, rank = "batched (3-D)", 3
    elif query.ndim == 2:
        kind, rank = "unbatched (2-D)", 2
    else:
        raise AssertionError(
            f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D "
            f"query tensor (shape {tuple(query.shape)})"
        )
    if key.ndim != rank or value.ndim != rank:
        raise AssertionError(
            f"For {kind} `query`, expected `key` and `value` to be {rank}-D but found "
            f"{key.ndim}-D and {value.ndim}-D tensors respectively"
        )
    if key_padding_mask is not None and key_padding_mask.ndim != rank - 1:
        raise AssertionError(
            f"For {kind} `query`, expected `key_padding_mask` to be `None` or {rank - 1}-D but "
            f"found {key_padding_mask.ndim}-D tensor instead"
        )
    if attn_mask is not None:
        if attn_mask.ndim not in (2, 3):
            raise AssertionError(
                f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                f"{attn_mask.ndim}-D tensor instead"
            )
        expected = (num_heads, query.shape[0], key.shape[0])
        if rank == 2 and attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(
                f"Expected `attn_mask` shape to be {expected} but got {tuple(attn_mask.shape)}"
            )
    return rank == 3


def _additive_mask(mask, name, dtype):
    """A bool mask (True = masked out) as 0 / -inf of `dtype`; a float mask as it is."""
    if mask is None or mask.dtype.kind == "f":
        return mask
    if mask.dtype.kind != "b":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return _neg_inf_where(mask, dtype)


def _check_weight(name, w, shape):
    if w is None:
        raise AssertionError(f"multi_head_attention_forward: {name} is None")
    if tuple(w.shape) != shape:
        raise RuntimeError(
            f"multi_head_attention_forward: expected {name} of shape {shape}, got {tuple(w.shape)}"
        )


def _in_projection(query, key, value, embed_dim, separate, in_proj_weight, in_proj_bias,
                   q_proj_weight, k_proj_weight, v_proj_weight):  # fmt: skip
    """q, k, v = query W_q^T + b_q, key W_k^T + b_k, value W_v^T + b_v."""
    e = embed_dim
    if in_proj_bias is not None:
        _check_weight("in_proj_bias", in_proj_bias, (3 * e,))
    b_q, b_k, b_v = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
    if separate:
        _check_weight("q_proj_weight", q_proj_weight, (e, query.shape[-1]))
        _check_weight("k_proj_weight", k_proj_weight, (e, key.shape[-1]))
        _check_weight("v_proj_weight", v_proj_weight, (e, value.shape[-1]))
        w_q, w_k, w_v = q_proj_weight, k_proj_weight, v_proj_weight
    else:
        _check_weight("in_proj_weight", in_proj_weight, (3 * e, e))
        if query is key and key is value:  # self-attention: one matmul for all three
            return linear(query, in_proj_weight, in_proj_bias).chunk(3, dim=-1)
        w_q, w_k, w_v = in_proj_weight.chunk(3)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _heads(t, batch, num_heads, head_dim, name, static):
    """(S, N, E) -> (N, H, S, head_dim); or a given static_k/static_v (N * H, S, head_dim)."""
    if static is None:
        return t.reshape(t.shape[0], batch, num_heads, head_dim).permute(1, 2, 0, 3)
    if static.ndim != 3 or static.shape[0] != batch * num_heads or static.shape[2] != head_dim:
        raise AssertionError(
            f"expecting {name} of shape ({batch * num_heads}, S, {head_dim}), got "
            f"{tuple(static.shape)}"
        )
    return static.reshape(batch, num_heads, static.shape[1], head_dim)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True,
                                 is_causal=False):  # fmt: skip
    """Multi-head attention on (L, N, E) query and (S, N, Ek/Ev) key/value, or unbatched
    (L, E) and (S, E), as torch.nn.functional.multi_head_attention_forward.

    Each of the H heads attends with its own slice of the projected q, k, v:
    head_h = softmax(q_h k_h^T / sqrt(E / H) + mask) v_h, and out = concat(heads) W_o^T + b_o.
    Masks: bool True hides a key, float is added to the scores. key_padding_mask (N, S);
    attn_mask (L, S) or (N * H, L, S). Returns (out (L, N, E), weights (N, L, S) averaged
    over heads, or (N, H, L, S); None unless need_weights).
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    target_len, batch, embed_dim = query.shape
    source_len = key.shape[0]
    key_padding_mask = _additive_mask(key_padding_mask, "key_padding_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # PyTorch trusts the hint: a causal mask is built below instead
    else:
        attn_mask = _additive_mask(attn_mask, "attn_mask", query.dtype)
        is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(
                f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                f"{tuple(value.shape[:2])}"
            )
    elif key.shape != value.shape:
        raise AssertionError(
            f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}"
        )
    q, k, v = _in_projection(query, key, value, embed_dim, use_separate_proj_weight,
                             in_proj_weight, in_proj_bias, q_proj_weight, k_proj_weight,
                             v_proj_weight)  # fmt: skip
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (target_len, source_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, but should be "
                    f"{(target_len, source_len)}."
                )
            attn_mask = attn_mask.reshape(1, 1, target_len, source_len)
        else:
            if tuple(attn_mask.shape) != (batch * num_heads, target_len, source_len):
                raise RuntimeError(
                    f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, but should be "
                    f"{(batch * num_heads, target_len, source_len)}."
                )
            attn_mask = attn_mask.reshape(batch, num_heads, target_len, source_len)
    if (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k and bias_v must be given together (or neither)")
    if bias_k is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key or value.")
        # one more key and value, learned, shared by the batch
        k = cat([k, bias_k.expand(1, batch, embed_dim)])  # (S + 1, N, E)
        v = cat([v, bias_v.expand(1, batch, embed_dim)])
        attn_mask = None if attn_mask is None else _pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else _pad(key_padding_mask, (0, 1))
    q = _heads(q, batch, num_heads, head_dim, "q", None)  # (N, H, L, head_dim)
    k = _heads(k, batch, num_heads, head_dim, "static_k", static_k)
    v = _heads(v, batch, num_heads, head_dim, "static_v", static_v)
    if add_zero_attn:
        # one more key and value, all zeros, so that a query can attend to "nothing"
        k = cat([k, zeros((batch, num_heads, 1, head_dim), dtype=k.dtype, device=k.device)], 2)
        v = cat([v, zeros((batch, num_heads, 1, head_dim), dtype=v.dtype, device=v.device)], 2)
        attn_mask = None if attn_mask is None else _pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else _pad(key_padding_mask, (0, 1))
    source_len = k.shape[2]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (batch, source_len):
            raise AssertionError(
                f"Expected key_padding_mask of shape {(batch, source_len)} (batch, source "
                f"length), but got {tuple(key_padding_mask.shape)}"
            )
        padding = key_padding_mask.reshape(batch, 1, 1, source_len)
        attn_mask = padding if attn_mask is None else attn_mask + padding
    if is_causal:
        attn_mask = _causal_bias(target_len, source_len, q)
    if not training:
        dropout_p = 0.0
    # PyTorch normalises with a plain softmax when it returns the weights (a fully masked
    # query gives NaN) and with SDPA's safe one otherwise (zeros).
    out, weights = _attend(q, k, v, attn_mask, dropout_p, 1.0 / math.sqrt(head_dim),
                           safe=not need_weights)  # fmt: skip
    out = out.permute(2, 0, 1, 3).reshape(target_len, batch, embed_dim)  # (L, N, E)
    out = linear(out, out_proj_weight, out_proj_bias)
    if need_weights and average_attn_weights:
        weights = weights.mean(1)  # (N, L, S)
    if not is_batched:
        out = out.squeeze(1)
        weights = weights.squeeze(0)
    return out, (weights if need_weights else None)


__all__ += [
    "conv2d", "max_pool2d", "avg_pool2d", "batch_norm", "layer_norm",
    "scaled_dot_product_attention", "multi_head_attention_forward",
]  # fmt: skip


# =========================================================================== more of torch's F
# (helper nnlayers) activations, losses, distances, one_hot, and the functional forms of the
# layers in nn.normalization (GroupNorm, InstanceNorm) and nn.upsampling. Composed from Tensor
# ops: every gradient comes from the primitives' rules.
from autograd._tensor import _wrap  # noqa: E402

__all__ += [
    "silu", "softplus", "mish", "hardtanh", "relu6", "hardswish", "hardsigmoid", "prelu",
    "logsigmoid", "softsign", "tanhshrink", "celu", "selu", "glu", "threshold", "softmin",
    "hardshrink", "softshrink", "one_hot", "normalize", "cosine_similarity",
    "pairwise_distance", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div",
    "soft_margin_loss", "margin_ranking_loss", "cosine_embedding_loss", "triplet_margin_loss",
    "poisson_nll_loss", "gaussian_nll_loss", "dropout1d", "dropout2d", "alpha_dropout",
    "bilinear", "pixel_shuffle", "pixel_unshuffle",
]  # fmt: skip


def _const(value, like):
    """A Python number as a 0-d tensor of like's dtype and device (where needs tensors)."""
    return Tensor(value, dtype=like.dtype, device=like.device)


# --------------------------------------------------------------------------- activations
@_node("SiluBackward0", in_place="SiluBackward0")
def silu(input, inplace=False):
    """x sigmoid(x).  dy/dx = s (1 + x (1 - s)), s = sigmoid(x)."""
    return input * input.sigmoid()


@_node("SoftplusBackward0")
def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (as PyTorch)."""
    if type(beta) is not float:
        _args._check_real(beta, "beta", "softplus", RuntimeError)
    if type(threshold) is not float:
        _args._check_real(threshold, "threshold", "softplus", RuntimeError)
    scaled = input * beta
    if threshold != threshold:  # PyTorch's x beta > threshold is never true: all soft
        return scaled.exp().log1p() / beta
    # the exp sees at most the threshold, so the unused branch neither overflows nor makes nan
    soft = scaled.clamp(max=threshold).exp().log1p() / beta
    return where(scaled > threshold, input, soft)


@_node("MishBackward0", in_place="MishBackward0")
def mish(input, inplace=False):
    """x tanh(softplus(x)) (Misra, 2019)."""
    return input * softplus(input).tanh()


@_node("HardtanhBackward0", in_place="HardtanhBackward0")
def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(x, min_val, max_val); the slope is 1 strictly inside, 0 at and beyond the ends."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    inside = (input > min_val) & (input < max_val)
    return where(inside, input, input.clamp(min_val, max_val).detach())


def relu6(input, inplace=False):
    """min(max(0, x), 6): hardtanh(x, 0, 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


@_node("HardswishBackward0", in_place="HardswishBackward0")
def hardswish(input, inplace=False):
    """x relu6(x + 3) / 6 (Howard et al., 2019).  dy/dx = x/3 + 1/2 inside (-3, 3), 0 at and
    below -3, 1 at and above 3 (as PyTorch)."""
    # the middle branch sees x clamped to [-3, 3]: unselected at +-inf, its gradient must not
    # be 0 * inf = nan
    inside = input.clamp(-3.0, 3.0)
    middle = inside * (inside + 3.0) / 6.0
    return where(input <= -3.0, input * 0.0, where(input < 3.0, middle, input))


_ONE_SIXTH_F32 = 0.1666666716337204  # float32(1/6)


@_node("HardsigmoidBackward0", in_place="HardsigmoidBackward0")
def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6.  dy/dx = 1/6 strictly inside (-3, 3), else 0."""
    # PyTorch's backward multiplies by 1/6 rounded to float32 (also for float64): the value
    # is (x + 3) / 6, the slope that constant (the added term is exactly 0)
    slope = input * _ONE_SIXTH_F32
    middle = ((input + 3.0) / 6.0).detach() + (slope - slope.detach())
    outside = (input >= 3.0).to(input.dtype)
    return where((input > -3.0) & (input < 3.0), middle, outside)


@_node("PreluKernelBackward0")
def prelu(input, weight):
    """x for x > 0, else a x, with one slope a per channel (dim 1) or one for all."""
    if weight.ndim != 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a 1-D tensor, got {weight.ndim}-D")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(
            f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
            f"{weight.numel()} and channel size = {channels}."
        )
    a = weight
    if weight.numel() != 1 and input.ndim >= 2:
        a = weight.reshape((channels,) + (1,) * (input.ndim - 2))  # (C, 1, ..., 1)
    elif weight.numel() == 1:
        a = weight.reshape(())
    return where(input > 0, input, a * input)


@_node("LogSigmoidBackward0")
def logsigmoid(input):
    """log(1 / (1 + e^-x)) = min(x, 0) - log(1 + e^-|x|), stable for any x."""
    negative = input < 0
    tail = where(negative, input, -input).exp().log1p()  # log(1 + e^-|x|)
    return where(negative, input, input * 0.0) - tail


def softsign(input):
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - input.tanh()


@_node("CeluBackward0", in_place="CeluBackward1")
def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha (e^(x/alpha) - 1))."""
    if type(alpha) is not float:
        _args._check_real(alpha, "alpha", "celu", RuntimeError)
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha of celu cannot be 0")
    negative = ((input.clamp(max=0.0) / alpha).exp() - 1.0) * alpha
    return where(input > 0, input, negative)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@_node("EluBackward0", in_place="EluBackward1")
def selu(input, inplace=False):
    """scale (max(0, x) + min(0, alpha (e^x - 1))) with Klambauer et al.'s constants."""
    negative = (input.clamp(max=0.0).exp() - 1.0) * (_SELU_ALPHA * _SELU_SCALE)
    return where(input > 0, input * _SELU_SCALE, negative)


@_node("GluBackward0")
def glu(input, dim=-1):
    """a sigmoid(b), a and b the two halves of input along dim."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {dim % input.ndim} is size {size}"
        )
    a, b = input.split(size // 2, dim)
    return a * b.sigmoid()


@_node("ThresholdBackward0", in_place="ThresholdBackward1")
def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else value."""
    if type(threshold) is not float:
        _args._check_real(threshold, "threshold", "threshold", RuntimeError)
    if type(value) is not float:
        _args._check_real(value, "value", "threshold", RuntimeError)
    # PyTorch's test, x <= threshold -> value: a NaN input or threshold keeps x
    return where(input <= threshold, _const(value, input), input)


def softmin(input, dim=None, dtype=None):
    """softmax(-x)."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim, stacklevel=3)
    return softmax(-input, dim, dtype)


@_node("HardshrinkBackward0")
def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0."""
    if type(lambd) is not float:
        _args._check_real(lambd, "lambd", "hardshrink", RuntimeError)
    # PyTorch's test, -lambd <= x <= lambd -> 0: a NaN input or lambd keeps x
    return where((input >= -lambd) & (input <= lambd), input * 0.0, input)


@_node("SoftshrinkBackward0")
def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, else 0."""
    if type(lambd) is not float:
        _args._check_real(lambd, "lambd", "softshrink", RuntimeError)
        lambd = float(lambd)  # a bool is a number here, as PyTorch's
    if not lambd >= 0:  # NaN too
        raise RuntimeError(
            f"softshrink: lambda must be greater or equal to 0, but found to be {lambd}."
        )
    zero = input * 0.0
    return where(input > lambd, input - lambd, where(input < -lambd, input + lambd, zero))


# --------------------------------------------------------------------------- indices, distances
def one_hot(tensor, num_classes=-1):
    """(*) int64 class indices -> (*, num_classes) int64 with a 1 at each index."""
    if (
        not isinstance(tensor, Tensor)
        or tensor.dtype.kind not in "iu"
        or tensor.dtype.itemsize != 8
    ):
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = tensor.xp
    a = tensor.array
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size and int(a.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if a.size and int(a.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (a[..., None] == xp.arange(num_classes)).astype(a.dtype)
    return _wrap(out, tensor.backend)


def _norm(x, p, dim, keepdim):
    """The p-norm along dim: (sum |x|^p)^(1/p); max |x| for p = inf. Its gradient at x = 0
    is 0, as PyTorch's (the root's infinite slope there is kept out of the graph)."""
    if p == 1:
        return x.abs().sum(dim, keepdim=keepdim)
    if p == math.inf:
        return x.abs().amax(dim, keepdim=keepdim)
    if p == 0:
        return (x != 0).to(x.dtype).sum(dim, keepdim=keepdim)
    powered = (x * x) if p == 2 else x.abs() ** p
    total = powered.sum(dim, keepdim=keepdim)
    zero = total == 0
    safe = where(zero, total * 0.0 + 1.0, total)
    root = safe.sqrt() if p == 2 else safe ** (1.0 / p)
    return where(zero, total * 0.0, root)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(||x||_p, eps) along dim."""
    if out is not None:
        raise NotImplementedError("normalize: out= is not supported")
    return input / _norm(input, p, dim, True).clamp(min=eps)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1/||x1|| * x2/||x2||) along dim; each norm is raised to eps where smaller,
    outside the graph (as PyTorch: the gradient is that of the unclamped norm)."""
    if type(dim) is not int:
        dim = _args._int_arg(dim, "dim", "cosine_similarity")
    if type(eps) is not float:
        _args._check_real(eps, "eps", "cosine_similarity")
    if not eps >= 0:
        raise RuntimeError(f"cosine_similarity: eps must be non-negative, got: {eps}")
    x1, x2 = _broadcast_pair(x1, x2, "cosine_similarity")
    n1 = _norm(x1, 2, dim, True)
    n2 = _norm(x2, 2, dim, True)
    n1 = n1 + (n1.detach().clamp(min=eps) - n1.detach())
    n2 = n2 + (n2.detach().clamp(min=eps) - n2.detach())
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def _broadcast_pair(x1, x2, op):
    if tuple(x1.shape) == tuple(x2.shape):
        return x1, x2
    n = x1.ndim if x1.ndim > x2.ndim else x2.ndim
    a = (1,) * (n - x1.ndim) + tuple(x1.shape)
    b = (1,) * (n - x2.ndim) + tuple(x2.shape)
    if all(i == j or i == 1 or j == 1 for i, j in zip(a, b)):
        shape = tuple(j if i == 1 else i for i, j in zip(a, b))
        return x1.broadcast_to(shape), x2.broadcast_to(shape)
    raise RuntimeError(
        f"{op}: the size of tensor a {tuple(x1.shape)} must match the size of tensor b "
        f"{tuple(x2.shape)}"
    )


@_node("NormBackward1")
def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dim."""
    if type(p) is not float:
        _args._check_real(p, "p", "pairwise_distance")
    if type(eps) is not float:
        _args._check_real(eps, "eps", "pairwise_distance")
    dim = max(x1.ndim, x2.ndim) - 1
    if dim < 0:
        return _norm(x1 - x2 + eps, p, None, keepdim)  # scalars: |x1 - x2 + eps|
    return _norm(x1 - x2 + eps, p, dim, keepdim)


# --------------------------------------------------------------------------- losses
def _target_like(input, target):
    target = _as_tensor_like(target, input)
    if tuple(input.shape) != tuple(target.shape):
        import warnings

        warnings.warn(
            f"Using a target size ({tuple(target.shape)}) that is different to the input size "
            f"({tuple(input.shape)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )
    return target


def l1_loss(input, target, reduction="mean"):
    """|x - y|, reduced."""
    reduction = _legacy_reduction(reduction)
    target = _target_like(input, target)
    return _reduce((input - target).abs(), reduction)


@_node("SmoothL1LossBackward0")
def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - beta/2 (d = x - y); beta = 0 is L1."""
    reduction = _legacy_reduction(reduction)
    if type(beta) is not float:
        _args._check_real(beta, "beta", "smooth_l1_loss()")
    if not beta >= 0:  # NaN too
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    target = _target_like(input, target)
    z = (input - target).abs()
    if beta == 0:
        return _reduce(z, reduction)
    return _reduce(where(z < beta, z * z * 0.5 / beta, z - 0.5 * beta), reduction)


@_node("HuberLossBackward0")
def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - delta/2)."""
    reduction = _legacy_reduction(reduction)
    if type(delta) is not float:
        _args._check_real(delta, "delta", "huber_loss()")
    if not delta > 0:  # NaN too
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    target = _target_like(input, target)
    z = (input - target).abs()
    loss = where(z < delta, z * z * 0.5, (z - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """y (log y - x) for log-probabilities x (0 where y = 0); e^y (y - x) with log_target.
    reduction='batchmean' divides the sum by the batch size (the KL divergence proper)."""
    if size_average is not None or reduce is not None:
        raise NotImplementedError("kl_div: size_average and reduce are deprecated; use reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target > 0
        safe = where(positive, target, target * 0.0 + 1.0)  # log sees 1 where y = 0: y log y = 0
        loss = target * safe.log() - target * input
    if reduction == "mean":
        import warnings

        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            stacklevel=2,
        )
    reduction = _legacy_reduction(reduction)
    if reduction == "batchmean":
        if input.ndim == 0:
            return loss.sum()
        return loss.sum() / input.shape[0]
    return _reduce(loss, reduction)


@_node("SoftMarginLossBackward0")
def soft_margin_loss(input, target, reduction="mean"):
    """log(1 + e^(-y x))."""
    reduction = _legacy_reduction(reduction)
    target = _target_like(input, target)
    return _reduce((-input * target).exp().log1p(), reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction="mean"):
    """max(0, -y (x1 - x2) + margin)."""
    reduction = _legacy_reduction(reduction)
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {tuple(input1.shape)}, input2: {tuple(input2.shape)}, target: "
            f"{tuple(target.shape)} "
        )
    margin = _real_arg(margin, "margin", "margin_ranking_loss()")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0.0), reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction="mean"):
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1, with
    cos = <x1, x2> / sqrt((||x1||^2 + 1e-12)(||x2||^2 + 1e-12)) (PyTorch's epsilon)."""
    reduction = _legacy_reduction(reduction)
    if input1.ndim not in (1, 2) or tuple(input1.shape) != tuple(input2.shape):
        raise RuntimeError(
            f"cosine_embedding_loss: expected 1D or 2D inputs of the same shape, got "
            f"{tuple(input1.shape)} and {tuple(input2.shape)}"
        )
    margin = _real_arg(margin, "margin", "cosine_embedding_loss()")
    dim = input1.ndim - 1
    prod_sum = (input1 * input2).sum(dim)
    mag1 = (input1 * input1).sum(dim) + 1e-12
    mag2 = (input2 * input2).sum(dim) + 1e-12
    cos = prod_sum / (mag1 * mag2).sqrt()
    zeros = cos * 0.0
    pos = where(target == 1, 1 - cos, zeros)
    neg = where(target == -1, (cos - margin).clamp(min=0.0), zeros)
    return _reduce(pos + neg, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        reduction="mean"):  # fmt: skip
    """max(0, d(a, p) - d(a, n) + margin), d the pairwise p-distance; swap uses the smaller
    of d(a, n) and d(p, n) (Balntas et al., 2016)."""
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
            f"negative {negative.ndim}D inputs"
        )
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp_min(0.0), reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):  # fmt: skip
    """e^x - y x (log_input), else x - y log(x + eps); full adds Stirling's
    y log y - y + log(2 pi y)/2 where y > 1."""
    eps = _real_arg(eps, "eps", "poisson_nll_loss()")
    if not isinstance(reduction, str):  # PyTorch's check concatenates it to a str: TypeError
        raise TypeError(
            f"poisson_nll_loss(): reduction must be 'none', 'mean' or 'sum', got "
            f"{type(reduction).__name__}"
        )
    target = _as_tensor_like(target, input)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        safe = where(target > 1, target, target * 0.0 + 1.0)
        stirling = safe * safe.log() - safe + (safe * (2 * math.pi)).log() * 0.5
        loss = loss + where(target > 1, stirling, stirling * 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """(log max(var, eps) + (x - y)^2 / max(var, eps)) / 2, plus log(2 pi)/2 if full; var is
    clamped outside the graph, as PyTorch."""
    if isinstance(var, (int, float)):
        var = _const(float(var), input)
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif (
            input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1
        ):  # heteroscedastic: var is 1 along one dim
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    if (var.detach() < 0).sum().item():
        raise ValueError("var has negative entry/entries")
    var = var + (var.detach().clamp(min=eps) - var.detach())
    diff = input - target
    loss = (var.log() + diff * diff / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# --------------------------------------------------------------------------- dropout variants
def _channel_dropout(input, p, training, batched_ndim, name):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p != p:  # past Python's range check, refused by PyTorch's kernel
        raise RuntimeError(f"{name}: dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (batched_ndim - 1, batched_ndim):
        raise RuntimeError(
            f"{name}: Expected {batched_ndim - 1}D or {batched_ndim}D input, but received a "
            f"{input.ndim}D input of shape {tuple(input.shape)}"
        )
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    from autograd import empty

    lead = 2 if input.ndim == batched_ndim else 1  # (N, C) or (C,) carry the mask
    shape = tuple(input.shape[:lead]) + (1,) * (input.ndim - lead)
    keep = empty(shape, dtype=input.dtype, device=input.device).bernoulli_(1 - p)
    return input * (keep / (1.0 - p))


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) input with probability p, scale by 1/(1-p)."""
    if inplace:
        return _in_place(dropout1d, input, None, p, training)
    return _channel_dropout(input, p, training, 3, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) or (C, H, W) input with probability p."""
    if inplace:
        return _in_place(dropout2d, input, None, p, training)
    return _channel_dropout(input, p, training, 4, "dropout2d")


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """SELU's dropout: dropped elements become -alpha*scale, then an affine map a x + b keeps
    mean 0 and variance 1 (Klambauer et al., 2017)."""
    if inplace:
        return _in_place(alpha_dropout, input, None, p, training)
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p != p:  # past Python's range check, refused by PyTorch's kernel
        raise RuntimeError(
            f"alpha_dropout: dropout probability has to be between 0 and 1, but got {p}"
        )
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    from autograd import empty

    alpha = _SELU_ALPHA * _SELU_SCALE
    a = 1.0 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    keep = empty(input.shape, dtype=input.dtype, device=input.device).bernoulli_(1 - p)
    b = (keep - 1.0) * (alpha * a) + alpha * a * p  # dropped: a (-alpha + alpha p); kept: a alpha p
    return input * (keep * a) + b


# --------------------------------------------------------------------------- small layers
def bilinear(input1, input2, weight, bias=None):
    """y_k = x1^T W_k x2 + b_k: (*, in1), (*, in2), W (out, in1, in2) -> (*, out)."""
    if (
        weight.ndim != 3
        or input1.shape[-1] != weight.shape[1]
        or input2.shape[-1] != weight.shape[2]
    ):
        raise RuntimeError(
            f"bilinear: expected input1 (*, {weight.shape[1] if weight.ndim == 3 else '?'}) and "
            f"input2 (*, {weight.shape[2] if weight.ndim == 3 else '?'}) for weight of shape "
            f"{tuple(weight.shape)}, got {tuple(input1.shape)} and {tuple(input2.shape)}"
        )
    out_features, in1, in2 = weight.shape
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)  # (B, in1)
    x2 = input2.reshape(-1, in2)  # (B, in2)
    t = (x1 @ weight.permute(1, 0, 2).reshape(in1, out_features * in2)).reshape(
        x1.shape[0],
        out_features,
        in2,  # not -1: out_features may be 0
    )
    out = (t * x2.unsqueeze(1)).sum(-1)  # (B, out)
    if bias is not None:
        out = out + bias
    return out.reshape(lead + (out_features,))


def _shuffle_factor(input, factor, op, name):
    """The factor r of pixel_(un)shuffle, checked (an int > 0, an input of 3 dims or more)."""
    r = factor if type(factor) is int else _args._int_arg(factor, name, f"{op}()")
    if input.ndim < 3:
        raise RuntimeError(
            f"{op} expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"{op} expects a positive {name}, but got {r}")
    return r


@_node("PixelShuffleBackward0")
def pixel_shuffle(input, upscale_factor):
    """(*, C r^2, H, W) -> (*, C, H r, W r):
    out[c, h r + i, w r + j] = in[c r^2 + i r + j, h, w]."""
    r = _shuffle_factor(input, upscale_factor, "pixel_shuffle", "upscale_factor")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    k = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)  # (*, C, H, r, W, r)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


@_node("PixelUnshuffleBackward0")
def pixel_unshuffle(input, downscale_factor):
    """The inverse of pixel_shuffle: (*, C, H r, W r) -> (*, C r^2, H, W)."""
    r = _shuffle_factor(input, downscale_factor, "pixel_unshuffle", "downscale_factor")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(
            f"pixel_unshuffle expects height and width to be divisible by downscale_factor, got "
            f"({h}, {w}) and {r}"
        )
    k = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)  # (*, C, r, r, H, W)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def _smoothed_cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing):
    """PyTorch's label smoothing: (1 - eps) CE(y) + eps/C * (-sum_c w_c log p_c); for class
    probabilities, the target mixed with the uniform distribution first."""
    if not label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 1 if input.ndim > 1 else 0
    n_classes = input.shape[class_dim]
    if target.dtype.kind not in "iu":
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
        return cross_entropy(input, target, weight, ignore_index, reduction)
    nll = cross_entropy(input, target, weight, ignore_index, reduction)
    logp = input.log_softmax(class_dim)
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = n_classes
        logp = logp * weight.reshape(*shape)
    smooth = -logp.sum(class_dim)
    kept = target != ignore_index
    smooth = where(kept, smooth, smooth * 0.0)
    if reduction == "mean":
        if weight is not None:
            safe = where(kept, target, target * 0)  # ignored targets may index out of range
            counted = where(kept, weight[safe], weight[safe] * 0.0)
            smooth = smooth.sum() / counted.sum()
        else:
            smooth = smooth.sum() / kept.sum().to(input.dtype)
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / n_classes)


# --------------------------------------------------------------------------- (helper nnlayers)
__all__ += [
    "conv1d", "conv_transpose1d", "conv_transpose2d", "avg_pool1d", "max_pool1d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
    "interpolate", "upsample", "group_norm", "instance_norm",
]  # fmt: skip


# --------------------------------------------------------------------------- interpolation
_INTERP_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _source_scale(in_size, out_size, scale, align_corners):
    """PyTorch's area_pixel_compute_scale."""
    if align_corners:
        return (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
    return 1.0 / scale if scale is not None and scale > 0 else in_size / out_size


def _linear_matrix(in_size, out_size, scale, align_corners, like):
    """(out_size, in_size) weights of linear interpolation along one dim, with PyTorch's source
    index: dst * scale (align_corners) or max((dst + 1/2) scale - 1/2, 0)."""
    xp = like.xp
    ratio = _source_scale(in_size, out_size, scale, align_corners)
    m = xp.zeros((out_size, in_size), dtype=like.dtype)
    for i in range(out_size):
        src = ratio * i if align_corners else max(ratio * (i + 0.5) - 0.5, 0.0)
        i0 = min(int(src), in_size - 1)
        i1 = i0 + (1 if i0 < in_size - 1 else 0)
        lam = src - i0
        m[i, i0] += 1.0 - lam
        m[i, i1] += lam
    return _wrap(m, like.backend)


def _nearest_index(in_size, out_size, scale, exact, xp):
    """PyTorch's nearest_idx: floor(dst * scale) (exact: floor((dst + 1/2) scale)), computed
    in float32 as PyTorch does, with its shortcuts for the same and the doubled size."""
    if not exact and out_size == in_size:
        return xp.arange(out_size)
    if not exact and out_size == 2 * in_size:
        return xp.arange(out_size) // 2
    ratio = xp.float32(1.0 / scale if scale is not None and scale > 0 else in_size / out_size)
    dst = xp.arange(out_size).astype("float32")
    src = (dst + xp.float32(0.5)) * ratio if exact else dst * ratio
    return xp.minimum(xp.floor(src).astype("int64"), in_size - 1)


_UPSAMPLE_NODES = {"nearest": "Nearest", "nearest-exact": "NearestExact", "linear": "Linear",
                   "bilinear": "Bilinear", "trilinear": "Trilinear"}  # fmt: skip


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):  # fmt: skip
    """Resize the spatial dims (all after N, C): mode 'nearest', 'nearest-exact', 'linear'
    (3-D input), 'bilinear' (4-D); align_corners as PyTorch. Linear modes are a matrix product
    per dim, so the gradient is the transposed interpolation."""
    out = _interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor,
                       antialias)  # fmt: skip
    kind = _UPSAMPLE_NODES.get(mode)
    if kind is not None and out is not input:  # PyTorch's node: UpsampleBilinear2DBackward0
        _named(out, f"Upsample{kind}{input.ndim - 2}DBackward0")
    return out


def _interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor,
                 antialias):  # fmt: skip
    spatial = input.ndim - 2
    if spatial < 1:
        raise ValueError(
            f"interpolate: expected at least 3-D input (N, C, ...), got {input.ndim}-D"
        )
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if mode in ("nearest", "nearest-exact", "area") and align_corners is not None:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: linear | "
            "bilinear | bicubic | trilinear"
        )
    if mode in _INTERP_DIMS and _INTERP_DIMS[mode] != spatial:
        raise NotImplementedError(
            f"Got {input.ndim}D input, but {mode} mode needs {_INTERP_DIMS[mode] + 2}D input"
        )
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    in_sizes = tuple(input.shape[2:])
    if size is not None:
        sizes = list(size) if isinstance(size, (tuple, list)) else [size] * spatial
        if not all(type(v) is int for v in sizes):  # PyTorch's parser: ints, not bools
            sizes = list(_args._int_list(sizes, 0, "output_size", "interpolate"))
        if len(sizes) != spatial:
            raise ValueError(
                f"Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(in_sizes)} and output size of {size}."
            )
        scales = [None] * spatial
    else:
        scales = (list(scale_factor) if isinstance(scale_factor, (tuple, list))
                  else [scale_factor] * spatial)  # fmt: skip
        if len(scales) != spatial:
            raise ValueError(
                f"Input and scale_factor must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(in_sizes)} and scale_factor of "
                f"{scale_factor}."
            )
        try:
            sizes = [int(math.floor(float(s) * k)) for s, k in zip(in_sizes, scales)]
        except (ValueError, OverflowError):  # a NaN or infinite scale_factor
            raise RuntimeError(
                f"interpolate: the output size from scale_factor={scale_factor} cannot be "
                f"converted to type int64_t without overflow"
            ) from None
        if recompute_scale_factor:
            scales = [None] * spatial
    if min(sizes) <= 0:
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input {list(in_sizes)} "
            f"and output {list(sizes)}"
        )
    if mode == "area":
        return adaptive_avg_pool2d(input, sizes) if spatial == 2 else (
            adaptive_avg_pool1d(input, sizes[0]))  # fmt: skip
    x = input
    if mode in ("nearest", "nearest-exact"):
        for d, (n_in, n_out, k) in enumerate(zip(in_sizes, sizes, scales)):
            index = _nearest_index(n_in, n_out, k, mode == "nearest-exact", input.xp)
            x = x[(slice(None),) * (2 + d) + (index,)]
        return x
    if mode in ("linear", "bilinear", "trilinear"):
        corners = bool(align_corners)
        for d, (n_in, n_out, k) in enumerate(zip(in_sizes, sizes, scales)):
            m = _linear_matrix(n_in, n_out, k, corners, input)  # (out, in)
            x = (x.transpose(2 + d, -1) @ m.transpose(0, 1)).transpose(2 + d, -1)
        return x
    raise NotImplementedError(f"interpolate: mode {mode!r} is not supported")


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)


# --------------------------------------------------------------------------- normalization
@_node("NativeGroupNormBackward0")
def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each sample over groups of channels: (N, C, *) viewed as (N, G, C/G * prod(*)),
    biased variance, then weight and bias per channel."""
    if type(eps) is not float:
        _args._check_real(eps, "eps", "group_norm")
    if type(num_groups) is not int:
        num_groups = _args._int_arg(num_groups, "num_groups", "group_norm")
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: expected at least 2-D input (N, C, *), got {input.ndim}-D")
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}"
        )
    if n * (c // num_groups) * math.prod(input.shape[2:]) == 1:
        size = [n * c // num_groups, num_groups] + list(input.shape[2:])
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}"
        )
    x = input.reshape(n, num_groups, -1)  # (N, G, C/G * prod(*))
    mean = x.mean(-1, keepdim=True)
    centered = x - mean
    var = (centered * centered).mean(-1, keepdim=True)
    out = (centered * (var + eps).rsqrt()).reshape(input.shape)
    per_channel = (c,) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(per_channel)
    if bias is not None:
        out = out + bias.reshape(per_channel)
    return out


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):  # fmt: skip
    """Normalise each (sample, channel) over its spatial dims; running statistics (if given)
    move by the batch average of the per-instance mean and unbiased variance."""
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected (N, C, *) input, got {input.ndim}-D")
    c = input.shape[1]
    per_channel = (c,) + (1,) * (input.ndim - 2)
    dims = tuple(range(2, input.ndim))
    if use_input_stats and math.prod(input.shape[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size "
            f"{list(input.shape)}"
        )
    if use_input_stats:
        mean = input.mean(dims, keepdim=True)
        centered = input - mean
        squares = (centered * centered).sum(dims, keepdim=True)
        count = math.prod(input.shape[2:])
        var = squares / count
        if running_mean is not None or running_var is not None:
            from autograd import no_grad

            with no_grad():
                if running_mean is not None:
                    batch_mean = mean.detach().reshape(input.shape[:2]).mean(0)
                    running_mean.copy_(batch_mean * momentum + running_mean * (1 - momentum))
                if running_var is not None:
                    unbiased = squares.detach().reshape(input.shape[:2]) / (count - 1)
                    running_var.copy_(unbiased.mean(0) * momentum + running_var * (1 - momentum))
    else:
        centered = input - running_mean.reshape(per_channel)
        var = running_var.reshape(per_channel)
    return _scale_shift(centered, var, eps, weight, bias, per_channel)


# numpy's axis= / keepdims= beside dim= / keepdim= (as autograd's functions take them)
from autograd.args import _numpy_names  # noqa: E402

glu = _numpy_names(glu)
softmin = _numpy_names(softmin)
normalize = _numpy_names(normalize)
cosine_similarity = _numpy_names(cosine_similarity)
pairwise_distance = _numpy_names(pairwise_distance)


# --- learner names (names helper): multi-label / multi-class margin losses, triplet loss
# with a distance function ---
__all__ += [
    "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss",
    "triplet_margin_with_distance_loss",
]  # fmt: skip


def _legacy_reduction_args(size_average, reduce, reduction):
    """PyTorch's size_average/reduce (deprecated) to a reduction, with its warning."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn(
        "size_average and reduce args will be deprecated, please use reduction='"
        + ("none" if reduce is False else "mean" if size_average in (None, True) else "sum")
        + "' instead.",
        stacklevel=3,
    )
    if reduce is False:
        return "none"
    return "mean" if size_average in (None, True) else "sum"


def _reduction_enum(reduction):
    """PyTorch's C++ losses take the reduction by name before any check of the inputs."""
    reduction = _legacy_reduction(reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _long_target(target):
    if target.dtype != int64:
        raise RuntimeError(
            f"expected scalar type Long but found {_dtypes.torch_name(target.dtype)}"
        )


def _margin_input(input, op):
    """(N, C) or (C,) or 0-d, non-empty in C: PyTorch's check of the margin losses' input."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")  # fmt: skip
    shape = tuple(input.shape)
    if not (input.ndim <= 1 and input.numel() > 0 or input.ndim == 2 and shape[1] > 0):
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(shape)}"
        )
    if input.dtype.kind != "f":
        raise NotImplementedError(
            f"\"{op}_cpu_kernel\" not implemented for '{_dtypes.torch_name(input.dtype)}'"
        )


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):  # fmt: skip
    """-(y log sigmoid(x) + (1 - y) log sigmoid(-x)), times weight, averaged over the classes
    (the last dim); then reduced over the samples."""
    reduction = _legacy_reduction_args(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    if input.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")  # this loss's own words in PyTorch
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):  # fmt: skip
    """sum_{j != y} max(0, margin - x_y + x_j)^p / C per sample (times weight[y]), p 1 or 2.
    d/dx_j = p h^(p-1) where h > 0, and minus their sum for x_y."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction_args(size_average, reduce, reduction)
    reduction = _reduction_enum(reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    _margin_input(input, "multi_margin_loss")
    _long_target(target)
    shape = tuple(input.shape)
    x = input.reshape(1, -1) if input.ndim < 2 else input
    n, c = x.shape
    if target.ndim > 1 or target.numel() != n:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{n}], but got "
            f"{list(target.shape)}. Input has shape {list(shape)}."
        )
    if weight is not None:
        if weight.numel() != c:
            raise RuntimeError(
                f"inconsistent weight size, expected {c} but got {list(weight.shape)}"
            )
        if weight.dtype != input.dtype:
            raise RuntimeError(
                f"expected scalar type {_dtypes.torch_name(input.dtype)} but found "
                f"{_dtypes.torch_name(weight.dtype)}"
            )
    y = target.array.reshape(-1)
    if y.size and (y.min().item() < 0 or y.max().item() >= c):
        raise RuntimeError("target out of range")
    margin = _real_arg(margin, "margin", "multi_margin_loss()")
    xp = x.xp
    index = _wrap(y.reshape(-1, 1), target._backend)
    h = (x - x.gather(1, index) + margin).relu()  # relu: no gradient where h = 0, as torch
    if p == 2:
        h = h * h
    others = xp.arange(c).reshape(1, c) != y.reshape(-1, 1)
    h = h * _wrap(others.astype(x.dtype), x._backend)
    if weight is not None:
        h = h * weight.reshape(1, c).gather(1, index.reshape(1, -1)).reshape(-1, 1)
    loss = h.sum(1) / c
    if input.ndim < 2:
        loss = loss.reshape(tuple(target.shape))
    return _named(_reduce(loss, reduction), "MultiMarginLossBackward0")


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """sum_{j in targets} sum_{k not in targets} max(0, 1 - (x_j - x_k)) / C per sample; a
    sample's targets are its target row up to the first -1."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction_args(size_average, reduce, reduction)
    reduction = _reduction_enum(reduction)
    _margin_input(input, "multilabel_margin_loss")
    shape = tuple(input.shape)
    if tuple(target.shape) != shape and not (input.ndim == 0 and target.numel() == 1):
        raise RuntimeError(
            f"inconsistent target size: {list(target.shape)} for input of size: {list(shape)}"
        )
    _long_target(target)
    x = input.reshape(1, -1) if input.ndim < 2 else input
    n, c = x.shape
    xp = x.xp
    y = target.array.reshape(n, c)
    if y.size and (y.min().item() < -1 or y.max().item() >= c):
        raise RuntimeError("argument #2 'target' is out of range")
    stop = xp.cumsum(y == -1, axis=1) > 0  # from the first -1 on, no targets
    valid = ~stop
    picked = xp.where(valid, y, 0)
    is_target = xp.zeros((n, c), dtype=bool)
    rows = xp.broadcast_to(xp.arange(n).reshape(n, 1), (n, c))
    is_target[rows[valid], picked[valid]] = True
    x_t = x.gather(1, _wrap(picked, target._backend))  # (N, C): x at each target entry
    h = (1 - x_t.reshape(n, c, 1) + x.reshape(n, 1, c)).relu()
    keep = valid.reshape(n, c, 1) & ~is_target.reshape(n, 1, c)
    loss = (h * _wrap(keep.astype(x.dtype), x._backend)).sum((1, 2)) / c
    if input.ndim < 2:
        loss = loss.reshape(())
    return _named(_reduce(loss, reduction), "MultilabelMarginLossBackward0")


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):  # fmt: skip
    """max(0, margin + d(a, p) - d(a, n)), d the distance_function (pairwise_distance by
    default); swap takes min(d(a, n), d(p, n))."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
            f"negative {negative.ndim}D inputs"
        )
    if distance_function is None:
        distance_function = pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_neg = dist_neg.minimum(distance_function(positive, negative))
    loss = (margin + dist_pos - dist_neg).clamp_min(0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    return loss


from backends import dtypes as _dtypes  # noqa: E402
from backends.dtypes import int64  # noqa: E402

# --- learner names (names helper): unfold / fold (im2col / col2im), pdist,
# local_response_norm ---
__all__ += ["unfold", "fold", "pdist", "local_response_norm"]


def _pair_arg(value, name):
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(value)}")
        return tuple(int(v) for v in value)
    return (int(value), int(value))


def _block_args(kernel_size, dilation, padding, stride):
    """im2col/col2im's argument checks, in PyTorch's order."""
    kernel, dil = _pair_arg(kernel_size, "kernel_size"), _pair_arg(dilation, "dilation")
    pad, step = _pair_arg(padding, "padding"), _pair_arg(stride, "stride")
    for values, what, low, name in (
        (kernel, "kernel size", 1, "kernel"),
        (dil, "dilation", 1, "dilation"),
        (pad, "padding", 0, "pad"),
        (step, "stride", 1, "stride"),
    ):
        if min(values) < low:
            sign = "greater than zero" if low else "non-negative"
            raise RuntimeError(
                f"{what} should be {sign}, but got {name}_height: {values[0]} "
                f"{name}_width: {values[1]}"
            )
    return kernel, dil, pad, step


def _blocks(size, kernel, dil, pad, step):
    return tuple(
        (size[i] + 2 * pad[i] - dil[i] * (kernel[i] - 1) - 1) // step[i] + 1 for i in range(2)
    )


def _not_float(input, kernel_name):
    if input.dtype.kind != "f":
        raise NotImplementedError(
            f"\"{kernel_name}\" not implemented for '{_dtypes.torch_name(input.dtype)}'"
        )


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) -> (N, C*kh*kw, L), each column one sliding block (C outer, then
    the kernel's rows and columns), L = the blocks' count.  d/dinput: fold of the gradient."""
    kernel, dil, pad, step = _block_args(kernel_size, dilation, padding, stride)
    if input.ndim < 3:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-max(input.ndim, 1)}, "
            f"{max(input.ndim, 1) - 1}], but got 2)"
        )
    shape = tuple(input.shape)
    if input.ndim > 4 or 0 in shape[-3:]:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
            f"non-zero dimensions for input, but got: {list(shape)}"
        )
    out_h, out_w = _blocks(shape[-2:], kernel, dil, pad, step)
    if out_h < 1 or out_w < 1:
        raise RuntimeError(
            f"Given input with spatial size {shape[-2:]}, kernel_size={kernel}, "
            f"dilation={dil}, padding={pad}, calculated shape of the array of sliding blocks "
            f"as {(out_h, out_w)}, but its components must be at least one."
        )
    _not_float(input, "im2col_out_cpu")
    x = input.reshape((1,) + shape) if input.ndim == 3 else input
    n, c = x.shape[:2]
    padding2 = ((pad[0], pad[0]), (pad[1], pad[1]))
    cols = _Unfold.apply(x, kernel, dil, padding2, step)  # (C, kh, kw, N, Ho, Wo)
    out = cols.permute(3, 0, 1, 2, 4, 5).reshape(n, c * kernel[0] * kernel[1], out_h * out_w)
    if input.ndim == 3:
        out = out.reshape(tuple(out.shape[1:]))
    return _named(out, "Im2ColBackward0")


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im: (N, C*kh*kw, L) -> (N, C, H, W), the blocks summed where they overlap (unfold's
    adjoint).  d/dinput: unfold of the gradient."""
    size = _pair_arg(output_size, "output_size")
    kernel, dil, pad, step = _block_args(kernel_size, dilation, padding, stride)
    shape = tuple(input.shape)
    if input.ndim not in (2, 3) or 0 in shape[-2:]:
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(shape)}"
        )
    per_block = kernel[0] * kernel[1]
    if shape[-2] % per_block:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={shape[-2]} and kernel_size={kernel}."
        )
    out_h, out_w = _blocks(size, kernel, dil, pad, step)
    if out_h < 1 or out_w < 1 or out_h * out_w != shape[-1]:
        raise RuntimeError(
            f"Given output_size={size}, kernel_size={kernel}, dilation={dil}, padding={pad}, "
            f"stride={step}, expected size of input's dimension 2 to match the calculated "
            f"number of sliding blocks {out_h} * {out_w} = {out_h * out_w}, but got "
            f"input.size(2)={shape[-1]}."
        )
    _not_float(input, "col2im_out_cpu")
    x = input.reshape((1,) + shape) if input.ndim == 2 else input
    n, c = x.shape[0], x.shape[1] // per_block
    cols = x.reshape(n, c, kernel[0], kernel[1], out_h, out_w).permute(1, 2, 3, 0, 4, 5)
    padding2 = ((pad[0], pad[0]), (pad[1], pad[1]))
    out = _Fold.apply(cols, size, kernel, dil, padding2, step)
    if input.ndim == 2:
        out = out.reshape(tuple(out.shape[1:]))
    return _named(out, "Col2ImBackward0")


def pdist(input, p=2):
    """||x_i - x_j||_p for every pair of rows i < j, in row-major order: (N*(N-1)/2,)."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if input.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    xp = input.xp
    first, second = xp.triu_indices(n, 1)
    backend = input._backend
    i, j = _wrap(first.astype("int64"), backend), _wrap(second.astype("int64"), backend)
    diff = input.index_select(0, i) - input.index_select(0, j)
    if diff.numel() == 0:  # no pairs, or rows of no elements: distances 0
        return _named(diff.sum(1), "PdistBackward0")
    from autograd.linalg import vector_norm

    return _named(vector_norm(diff, p, dim=1), "PdistBackward0")


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha * mean of x^2 over `size` neighbouring channels)^beta (AlexNet's
    normalization; the window is zero-padded, size//2 before and (size-1)//2 after)."""
    dim = input.ndim
    if dim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality                          input (got {dim} "
            "dimensions)"
        )
    if input.numel() == 0:
        return input
    div = input * input
    c = input.shape[1]
    pads = (0, 0) * (dim - 2) + (size // 2, (size - 1) // 2)
    div = _pad(div, pads)
    total = div[:, 0:c]
    for s in range(1, size):
        total = total + div[:, s : s + c]
    div = (total / size * alpha + k) ** beta
    return input / div


from autograd.ops.conv import Fold as _Fold  # noqa: E402
from autograd.ops.conv import Unfold as _Unfold  # noqa: E402
