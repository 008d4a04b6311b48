"""The convolutions' functional forms: conv1d, conv2d, conv_transpose1d, conv_transpose2d
(`nn.functional` offers them; the layers in nn.conv call them through it).

out[n, o, p, q] = b[o] + sum_{c, i, j} W[o, c, i, j] x[n, c, p*sh + i*dh - ph, q*sw + j*dw - pw]
(x zero outside). Here: the arguments checked and normalised; the forward, backward and jvp of
the convolution itself are the primitive `autograd.ops.conv.Convolution`. A 1-D op is its 2-D
form on (N, C, 1, L); a transposed convolution is Fold of W^T x, the adjoint of conv2d's
Unfold-then-matmul.
"""

from autograd import Function, pad
from autograd import grad as _grad_of
from autograd._tensor import Tensor, _wrap
from autograd.grad_mode import enable_grad, is_grad_enabled
from autograd.ops import Permute, Reshape
from autograd.ops.conv import Convolution, Fold
from backends import DeviceError
from nn._args import _int_arg, _int_list
from nn._nodes import _node

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]

# The primitives themselves on the hot path: the shapes are computed here, not user input, so
# Tensor.reshape's argument checks would only cost time.
_reshape = Reshape.apply
_permute = Permute.apply


def _shape(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _same_padding(kernel_size, dilation):
    """'same': d*(k-1) in all per dim, the odd one extra on the right/bottom (as PyTorch)."""
    out = []
    for k, d in zip(kernel_size, dilation):
        total = d * (k - 1)
        out.append((total // 2, total - total // 2))
    return tuple(out)


def _padding(padding, kernel_size, dilation, stride, op):
    """((top, bottom), (left, right)) for a pair (already parsed), 'same' or 'valid'."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding == "same":
            if stride != (1, 1):
                raise RuntimeError(
                    f"{op}: padding='same' is not supported for strided convolutions"
                )
            return _same_padding(kernel_size, dilation)
        raise RuntimeError(
            f"{op}: Invalid padding string {padding!r}, should be one of ['same', 'valid']"
        )
    ph, pw = padding
    if ph < 0 or pw < 0:
        raise RuntimeError(f"{op}: negative padding is not supported, got padding={padding!r}")
    return ((ph, ph), (pw, pw))


def _conv_args(n, op, **params):
    """The int-list arguments (stride=..., padding=...) as PyTorch's parser takes them:
    TypeError for a non-int, before any other check; a padding string is kept."""
    return [p if isinstance(p, str) and name == "padding" else _int_list(p, n, name, op)
            for name, p in params.items()]  # fmt: skip


def _mode_padding(padding, padding_mode, ndim, n, op):
    """The padding of an n-d convolution layer with a padding_mode, as PyTorch's applies it:
    by F.pad with the padding as given (reversed, each twice), so k values pad the last k
    dims of an input with k + 1 or k + 2 dims, and F.pad refuses any other input."""
    if padding_mode == "zeros" or isinstance(padding, str):
        return padding
    k = len(padding)
    if k > ndim:
        raise RuntimeError(
            f"{op}: padding={list(padding)} with padding_mode={padding_mode!r}: F.pad's padding "
            f"length ({2 * k}) must be at most twice the input's dimension ({ndim})"
        )
    if k == 0 or ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"{op}: padding={list(padding)} with padding_mode={padding_mode!r} pads by F.pad with "
            f"{2 * k} values, which is not supported for a {ndim}D input"
        )
    return (0,) * (n - k) + padding if k < n else padding


def _expand(values, n, name, op):
    """A parsed int list of length n, or of one repeated n times (PyTorch's
    expand_param_if_needed); any other length is a RuntimeError."""
    if isinstance(values, str):
        return values
    if len(values) == 1:
        return values * n
    if len(values) != n:
        raise RuntimeError(
            f"{op}: expected {name} to be a single integer value or a list of {n} values to "
            f"match the convolution dimensions, but got {name}={list(values)}"
        )
    return values


def _conv_input(input, weight, op, name, weight_dims):
    """input (N, C, H, W) as it is, or (C, H, W) as a batch of one, and whether it was
    batched; PyTorch's error for an input or a weight of another rank. weight_dims names the
    weight's first two dims (conv2d and conv_transpose2d order them differently)."""
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"{op}: Expected 3D (unbatched) or 4D (batched) input to {name}, but got input of "
            f"size: {_shape(input.shape)}"
        )
    if weight.ndim != 4:
        raise RuntimeError(
            f"{op}: expected a 4D weight ({weight_dims}, kH, kW), but got weight of size "
            f"{_shape(weight.shape)}"
        )
    batched = input.ndim == 4
    return (input if batched else input.unsqueeze(0)), batched


def _check_kernel(kh, kw, op):
    if kh <= 0 or kw <= 0:
        raise RuntimeError(
            f"{op}: kernel size should be greater than zero, but got kernel_height: {kh} "
            f"kernel_width: {kw}"
        )


def _check_dtypes(input, weight, bias, op):
    if input.dtype != weight.dtype or bias is not None and bias.dtype != weight.dtype:
        raise RuntimeError(
            f"{op}: Input type ({input.dtype}), weight type ({weight.dtype}) and bias type "
            f"({None if bias is None else bias.dtype}) should be the same"
        )


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation, as torch.nn.functional.conv2d: input (N, C, H, W) or (C, H, W),
    weight (O, C/groups, kh, kw), bias (O,) -> (N, O, Ho, Wo) with
    Ho = (H + pad_top + pad_bottom - dh*(kh-1) - 1) // sh + 1 (likewise Wo).
    padding: int, pair, 'valid' (none) or 'same' (output size = input size; stride 1)."""
    return _conv2d(input, weight, bias, stride, padding, dilation, groups, "zeros", "conv2d")


def _conv2d(input, weight, bias, stride, padding, dilation, groups, padding_mode, op):
    stride, padding, dilation = _conv_args(2, op, stride=stride, padding=padding,
                                           dilation=dilation)  # fmt: skip
    groups = _int_arg(groups, "groups", op)
    x, batched = _conv_input(input, weight, op, "conv2d", "out_channels, in_channels/groups")
    padding = _mode_padding(padding, padding_mode, input.ndim, 2, op)
    stride = _expand(stride, 2, "stride", op)
    padding = _expand(padding, 2, "padding", op)
    dilation = _expand(dilation, 2, "dilation", op)
    if min(stride) <= 0:
        raise RuntimeError(f"{op}: non-positive stride is not supported, got stride={stride}")
    if min(dilation) <= 0:
        raise RuntimeError(f"{op}: dilation should be greater than zero, got dilation={dilation}")
    if groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported, got groups={groups}")
    n, c, h, w = x.shape
    o, c_group, kh, kw = weight.shape
    _check_kernel(kh, kw, op)
    if o == 0:
        raise RuntimeError(
            f"{op}: Given groups={groups}, expected weight to be at least 1 at dimension 0, but "
            f"got weight of size {_shape(weight.shape)} instead"
        )
    if o % groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, expected weight to be divisible by {groups} at "
            f"dimension 0, but got weight of size {_shape(weight.shape)} instead"
        )
    if c != c_group * groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, weight of size {_shape(weight.shape)}, expected "
            f"input{_shape(x.shape)} to have {c_group * groups} channels, but got {c} channels "
            "instead"
        )
    if bias is not None and tuple(bias.shape) != (o,):
        raise RuntimeError(
            f"{op}: Given weight of size {_shape(weight.shape)}, expected bias to be "
            f"1-dimensional with {o} elements, but got bias of size {_shape(bias.shape)} instead"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.device != input.device:
            raise DeviceError(
                f"{op}: expected all tensors on the same device, but argument {name} is on "
                f"{t.device} and argument input on {input.device}"
            )
    _check_dtypes(input, weight, bias, op)
    (top, bottom), (left, right) = _padding(padding, (kh, kw), dilation, stride, op)
    span_h = dilation[0] * (kh - 1) + 1
    span_w = dilation[1] * (kw - 1) + 1
    if h + top + bottom < span_h or w + left + right < span_w:
        raise RuntimeError(
            f"{op}: Calculated padded input size per channel: ({h + top + bottom} x "
            f"{w + left + right}). Kernel size: ({span_h} x {span_w}). Kernel size can't be "
            "greater than actual input size"
        )
    widths = ((top, bottom), (left, right))
    if padding_mode != "zeros" and (top or bottom or left or right):
        x = pad(x, (left, right, top, bottom), mode=padding_mode)
        widths = ((0, 0), (0, 0))
    (top, bottom), (left, right) = widths
    if top == bottom and left == right and _use_cudnn(x.backend):
        out = _Conv2dCudnn.apply(x, weight, stride, (top, left), dilation, groups)
        if bias is not None:
            out = out + _reshape(bias, (1, o, 1, 1))
    else:
        out = Convolution.apply(x, weight, bias, stride, widths, dilation, groups)  # (N, O, Ho, Wo)
    return out if batched else out.squeeze(0)


def _use_cudnn(backend):
    """cuDNN where the backend has it, unless `autograd.backends.cudnn.enabled = False`."""
    from autograd import backends as flags

    return flags.cudnn.enabled and backend.cudnn() is not None


class _Conv2dCudnn(Function):
    """y = x ⋆ w by cuDNN (cupy's bindings), padding symmetric, no bias.
    dL/dx = cuDNN's backward-data of grad, dL/dw = its backward-filter of (x, grad)."""

    @staticmethod
    def forward(ctx, x, w, stride, padding, dilation, groups):
        ctx.save_for_backward(x, w)
        ctx.conv = (stride, padding, dilation, groups)
        return x.backend.conv2d_cudnn(x.array, w.array, *ctx.conv)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        stride, padding, dilation, groups = ctx.conv
        if is_grad_enabled():  # create_graph: the im2col form, whose ops differentiate again
            with enable_grad():
                widths = ((padding[0], padding[0]), (padding[1], padding[1]))
                y = Convolution.apply(x, w, None, stride, widths, dilation, groups)
                gx, gw = _grad_of(y, (x, w), grad, create_graph=True)
            return gx, gw, None, None, None, None
        g = grad.array if isinstance(grad, Tensor) else grad
        gx, gw = x.backend.conv2d_cudnn_backward(x.array, w.array, g, *ctx.conv)
        return _wrap(gx, x.backend), _wrap(gw, x.backend), None, None, None, None


def _check_1d_input(input, op):
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"{op}: Expected 2D (unbatched) or 3D (batched) input, but got input of size: "
            f"{list(input.shape)}"
        )


def _conv1d(input, weight, bias, stride, padding, dilation, groups, padding_mode, op):
    stride, padding, dilation = _conv_args(1, op, stride=stride, padding=padding,
                                           dilation=dilation)  # fmt: skip
    _int_arg(groups, "groups", op)
    _check_1d_input(input, op)
    if weight.ndim != 3:
        raise RuntimeError(
            f"{op}: expected a 3D weight (out_channels, in_channels/groups, kL), but got weight "
            f"of size {list(weight.shape)}"
        )
    stride = (1,) + _expand(stride, 1, "stride", op)
    dilation = (1,) + _expand(dilation, 1, "dilation", op)
    padding = _mode_padding(padding, padding_mode, input.ndim, 1, op)
    if not isinstance(padding, str):
        padding = (0,) + _expand(padding, 1, "padding", op)
    x, w = input.unsqueeze(-2), weight.unsqueeze(-2)  # (N, C, 1, L), (O, C/groups, 1, k)
    out = _conv2d(x, w, bias, stride, padding, dilation, groups, padding_mode, op)
    return out.squeeze(-2)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation: (N, C, L) or (C, L), weight (O, C/groups, k) -> (N, O, Lo),
    Lo = (L + 2 pad - dilation (k - 1) - 1) // stride + 1; padding also 'same' or 'valid'."""
    return _conv1d(input, weight, bias, stride, padding, dilation, groups, "zeros", "conv1d")


@_node("ConvolutionBackward0")
def _conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation,
                      op):  # fmt: skip
    stride, padding, output_padding, dilation = _conv_args(
        2, op, stride=stride, padding=_no_string(padding, op), output_padding=output_padding,
        dilation=dilation,
    )  # fmt: skip
    groups = _int_arg(groups, "groups", op)
    x, batched = _conv_input(
        input, weight, op, "conv_transpose2d", "in_channels, out_channels/groups"
    )
    stride = _expand(stride, 2, "stride", op)
    padding = _expand(padding, 2, "padding", op)
    output_padding = _expand(output_padding, 2, "output_padding", op)
    dilation = _expand(dilation, 2, "dilation", op)
    if min(stride) <= 0 or min(dilation) <= 0 or min(padding) < 0:
        raise RuntimeError(
            f"{op}: stride and dilation must be positive and padding non-negative, got "
            f"stride={stride}, dilation={dilation}, padding={padding}"
        )
    if groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported, got groups={groups}")
    for op_, s, d in zip(output_padding, stride, dilation):
        if op_ < 0 or (op_ >= s and op_ >= d):
            raise RuntimeError(
                f"{op}: output padding must be smaller than either stride or dilation, but got "
                f"output_padding={output_padding}, stride={stride}, dilation={dilation}"
            )
    n, c, h, w = x.shape
    c_in, o_group, kh, kw = weight.shape
    _check_kernel(kh, kw, op)
    if weight.numel() == 0:
        raise RuntimeError(
            f"{op}: non-empty 4D weight tensor expected, but got weight of size "
            f"{list(weight.shape)}"
        )
    if c != c_in or c_in % groups:
        raise RuntimeError(
            f"{op}: Given transposed=1, weight of size {list(weight.shape)}, expected input"
            f"{list(x.shape)} to have {c_in} channels (divisible by groups={groups}), but got "
            f"{c} channels instead"
        )
    o = o_group * groups
    if bias is not None and tuple(bias.shape) != (o,):
        raise RuntimeError(
            f"{op}: Given transposed=1, weight of size {list(weight.shape)}, expected bias to be "
            f"1-dimensional with {o} elements, but got bias of size {list(bias.shape)} instead"
        )
    _check_dtypes(input, weight, bias, op)
    # out = Fold(W^T x): each input pixel scatters its kernel-sized patch into the output,
    # the adjoint of conv2d's Unfold-then-matmul.
    cg = c // groups
    xs = x.permute(1, 0, 2, 3).reshape(groups, cg, n * h * w)  # (g, C/g, N*H*W)
    wg = weight.reshape(groups, cg, o_group * kh * kw).transpose(1, 2)  # (g, O/g*kh*kw, C/g)
    cols = (wg @ xs).reshape(o, kh, kw, n, h, w)  # (O, kh, kw, N, H, W)
    sizes, widths, tails = [], [], []
    for size, k, s, p, op_, d in zip((h, w), (kh, kw), stride, padding, output_padding,
                                     dilation):  # fmt: skip
        full = (size - 1) * s + d * (k - 1) + 1  # what the windows cover
        out_size = full - 2 * p + op_
        if out_size <= 0:
            raise RuntimeError(f"{op}: Output size is too small for input of size {list(x.shape)}")
        bottom = max(p - op_, 0)  # output_padding beyond the padding is appended as zeros
        kept = full - p - bottom
        sizes.append(kept)
        widths.append((p, bottom))
        tails.append(out_size - kept)
    out = Fold.apply(cols, tuple(sizes), (kh, kw), dilation, tuple(widths), stride)
    if tails[0] or tails[1]:
        out = pad(out, (0, tails[1], 0, tails[0]))
    if bias is not None:
        out = out + bias.reshape(o, 1, 1)
    return out if batched else out.squeeze(0)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):  # fmt: skip
    """The adjoint of conv2d (a 'deconvolution'): (N, C, H, W), weight (C, O/groups, kh, kw)
    -> (N, O, Ho, Wo), Ho = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1."""
    return _conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, "conv_transpose2d")  # fmt: skip


@_node("ConvolutionBackward0")
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):  # fmt: skip
    """conv_transpose2d on (N, C, 1, L): (N, C, L), weight (C, O/groups, k) -> (N, O, Lo)."""
    op = "conv_transpose1d"
    stride, padding, output_padding, dilation = _conv_args(
        1, op, stride=stride, padding=_no_string(padding, op), output_padding=output_padding,
        dilation=dilation,
    )  # fmt: skip
    _int_arg(groups, "groups", op)
    _check_1d_input(input, op)
    if weight.ndim != 3:
        raise RuntimeError(f"{op}: expected a 3D weight, got weight of size {list(weight.shape)}")
    stride, padding, output_padding, dilation = (
        _expand(v, 1, name, op)
        for v, name in ((stride, "stride"), (padding, "padding"),
                        (output_padding, "output_padding"), (dilation, "dilation"))
    )  # fmt: skip
    out = _conv_transpose2d(
        input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1,) + stride, (0,) + padding,
        (0,) + output_padding, groups, (1,) + dilation, op,
    )  # fmt: skip
    return out.squeeze(-2)


def _no_string(padding, op):
    """A transposed convolution takes no padding string: PyTorch's parser refuses it."""
    if isinstance(padding, str):
        raise TypeError(f"{op}: argument 'padding' must be tuple of ints, not str ({padding!r})")
    return padding
