"""2-D convolution: `Conv2d` and its functional form `conv2d`.

out[n, o, p, q] = b[o] + sum_{c, i, j} W[o, c, i, j] x[n, c, p*sh + i*dh - ph, q*sw + j*dw - pw]
(x zero outside). Here: the arguments checked and normalised; the forward, backward and jvp of
the convolution itself are the primitive `autograd.ops.conv.Convolution`.
"""

import operator

from autograd import Function, empty, pad
from autograd import grad as _grad_of
from autograd._tensor import Tensor, _wrap
from autograd.grad_mode import enable_grad, is_grad_enabled
from autograd.ops import Permute, Reshape
from autograd.ops.conv import Convolution
from backends import DeviceError
from nn import init
from nn.module import Module
from nn.parameter import Parameter, _optional_parameter

__all__ = ["Conv2d", "conv2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
# The primitives themselves on the hot path: the shapes are computed here, not user input, so
# Tensor.reshape's argument checks would only cost time.
_reshape = Reshape.apply
_permute = Permute.apply


def _pair(value, name, op):
    """An int or a pair of ints -> (int, int), as PyTorch's _pair; anything else raises."""
    if isinstance(value, (tuple, list)):
        if len(value) == 1:
            value = (value[0], value[0])
        if len(value) != 2 or not all(_is_int(v) for v in value):
            raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
        return (int(value[0]), int(value[1]))
    if not _is_int(value):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    return (int(value), int(value))


def _is_int(v):
    if isinstance(v, bool):
        return False
    try:
        operator.index(v)  # int, numpy integers
    except TypeError:
        return False
    return True


def _check_shape(shape):
    """A parameter's shape, refused as torch.empty refuses it: TypeError for a non-int,
    RuntimeError for a negative size."""
    for s in shape:
        if not _is_int(s):
            raise TypeError(
                f"empty(): argument 'size' must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {shape.index(s)} (shape {tuple(shape)})"
            )
    for s in shape:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(shape)}"
            )
    return tuple(int(s) for s in shape)


def _same_padding(kernel_size, dilation):
    """'same': d*(k-1) in all per dim, the odd one extra on the right/bottom (as PyTorch)."""
    out = []
    for k, d in zip(kernel_size, dilation):
        total = d * (k - 1)
        out.append((total // 2, total - total // 2))
    return tuple(out)


def _padding(padding, kernel_size, dilation, stride, op):
    """((top, bottom), (left, right)) for an int, a pair, 'same' or 'valid'."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(f"{op}: padding='same' is not supported for strided convolutions")
            return _same_padding(kernel_size, dilation)
        raise ValueError(
            f"{op}: Invalid padding string {padding!r}, should be one of ['same', 'valid']"
        )
    ph, pw = _pair(padding, "padding", op)
    if ph < 0 or pw < 0:
        raise RuntimeError(f"{op}: negative padding is not supported, got padding={padding!r}")
    return ((ph, ph), (pw, pw))


def _shape(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


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
    stride = _pair(stride, "stride", op)
    dilation = _pair(dilation, "dilation", op)
    if min(stride) <= 0:
        raise RuntimeError(f"{op}: non-positive stride is not supported, got stride={stride}")
    if min(dilation) <= 0:
        raise RuntimeError(f"{op}: dilation should be greater than zero, got dilation={dilation}")
    if not _is_int(groups) or groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported, got groups={groups}")
    x, batched = _conv_input(input, weight, op, "conv2d", "out_channels, in_channels/groups")
    n, c, h, w = x.shape
    o, c_group, kh, kw = weight.shape
    if kh <= 0 or kw <= 0:
        raise RuntimeError(
            f"{op}: kernel size should be greater than zero, but got kernel_height: {kh} "
            f"kernel_width: {kw}"
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


class Conv2d(Module):
    """2-D convolution over (N, C_in, H, W) or (C_in, H, W) inputs, as torch.nn.Conv2d.

    weight (out_channels, in_channels/groups, kH, kW) and bias (out_channels,), both drawn from
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels/groups * kH * kW (PyTorch's
    kaiming_uniform_(a=sqrt(5))). padding: int, pair, 'valid' or 'same'; padding_mode: 'zeros',
    'reflect', 'replicate' or 'circular'.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):  # fmt: skip
        super().__init__()
        name = "Conv2d"
        if not _is_int(groups) or groups <= 0:
            raise ValueError(f"{name}: groups must be a positive integer, got {groups!r}")
        if in_channels % groups != 0:
            raise ValueError(
                f"{name}: in_channels must be divisible by groups, got in_channels={in_channels} "
                f"and groups={groups}"
            )
        if out_channels % groups != 0:
            raise ValueError(
                f"{name}: out_channels must be divisible by groups, got "
                f"out_channels={out_channels} and groups={groups}"
            )
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"{name}: padding_mode must be one of {list(_PADDING_MODES)}, but got "
                f"padding_mode={padding_mode!r}"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size", name)
        self.stride = _pair(stride, "stride", name)
        self.dilation = _pair(dilation, "dilation", name)
        if isinstance(padding, str):
            _padding(padding, self.kernel_size, self.dilation, self.stride, name)  # validates
            self.padding = padding
        else:
            self.padding = _pair(padding, "padding", name)
        self.groups = groups
        self.padding_mode = padding_mode
        shape = _check_shape((out_channels, in_channels // groups) + self.kernel_size)
        self.weight = Parameter(empty(shape, device=device, dtype=dtype))
        _optional_parameter(self, "bias", bias, out_channels, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        init._reset_affine(self.weight, self.bias, empty_fan_in_bias=False)

    def forward(self, input):
        # op=self: errors name the layer by its repr, formatted only when one is raised
        return _conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                       self.groups, self.padding_mode, self)  # fmt: skip

    def extra_repr(self):
        return _conv_extra_repr(self, 2)


def _conv_extra_repr(m, n):
    """A conv layer's repr arguments, as PyTorch's: the options that differ from the
    defaults of an n-d convolution."""
    s = f"{m.in_channels}, {m.out_channels}, kernel_size={m.kernel_size}, stride={m.stride}"
    if m.padding != (0,) * n:
        s += f", padding={m.padding}"
    if m.dilation != (1,) * n:
        s += f", dilation={m.dilation}"
    if getattr(m, "output_padding", (0,) * n) != (0,) * n:
        s += f", output_padding={m.output_padding}"
    if m.groups != 1:
        s += f", groups={m.groups}"
    if m.bias is None:
        s += ", bias=False"
    if m.padding_mode != "zeros":
        s += f", padding_mode={m.padding_mode}"
    return s
