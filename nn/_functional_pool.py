"""The pools' functional forms: max_pool1d/2d, avg_pool1d/2d and the adaptive pools
(`nn.functional` offers them; the layers in nn.pooling call them through it).

Max pooling over non-overlapping windows (stride = kernel, no padding or dilation: the usual
MaxPool2d(2)) is the primitive `autograd.ops.conv.BlockMax`, a reshape of the input. Otherwise
both unfold the windows into columns (`autograd.ops.conv.Unfold`) and reduce each window, so
the gradient goes back through Unfold's adjoint, Fold. Max pooling routes each window's whole
gradient to one element, the first maximum, as PyTorch does (amax would split it among ties):
`autograd.ops.conv.WindowMax`. A 1-D pool is its 2-D form on (N, C, 1, L).
"""

from autograd import Tensor
from autograd import stack as _stack
from autograd._tensor import _wrap
from autograd.ops.conv import BlockMax, Unfold, WindowMax, _block_index, _block_max
from nn._args import _bool_arg, _int_arg, _int_list
from nn._functional_conv import _permute, _reshape
from nn._nodes import _node

__all__ = [
    "max_pool2d", "avg_pool2d", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
]  # fmt: skip


def _no_stride(stride):
    """None or empty (PyTorch also takes stride=[]): the stride is the kernel size."""
    return stride is None or isinstance(stride, (tuple, list)) and not stride


def _pool_lists(op, n, **params):
    """The int-list arguments as PyTorch's parser takes them (TypeError for a non-int, before
    any other check); stride None stays None."""
    return [None if name == "stride" and p is None else _int_list(p, n, name, op)
            for name, p in params.items()]  # fmt: skip


def _pool_args(kernel_size, stride, padding, dilation, op):
    """kernel, stride, padding and dilation as pairs: each given as one int or two (stride
    also empty or None: the kernel size), as max_pool2d/avg_pool2d; RuntimeError otherwise."""
    kernel, stride, padding, dilation = _pool_lists(
        op, 2, kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation
    )
    stride = kernel if _no_stride(stride) else stride
    pairs = []
    for name, values in (("kernel_size", kernel), ("stride", stride), ("padding", padding),
                         ("dilation", dilation)):  # fmt: skip
        if len(values) not in (1, 2):
            raise RuntimeError(
                f"{op}: {name} must either be a single int, or a tuple of two ints, got "
                f"{name}={list(values)}"
            )
        pairs.append(values * 2 if len(values) == 1 else values)
    kernel, stride, padding, dilation = pairs
    if min(kernel) <= 0:
        raise RuntimeError(f"{op}: kernel_size must be greater than zero, but got {kernel}")
    if min(stride) <= 0:
        raise RuntimeError(f"{op}: stride should be greater than zero, but got {stride}")
    if min(dilation) <= 0:
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got {dilation}")
    if min(padding) < 0:
        raise RuntimeError(f"{op}: negative padding is not supported, got {padding}")
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise RuntimeError(
            f"{op}: pad should be at most half of effective kernel size, but got "
            f"pad={padding}, kernel_size={kernel} and dilation={dilation}"
        )
    return kernel, stride, padding, dilation


def _one_int(values, name, op):
    """A 1-D pool's parsed int list, which must hold one int (PyTorch's check1d)."""
    if len(values) != 1:
        raise RuntimeError(
            f"{op}: argument '{name}' should contain one int (got {len(values)}: "
            f"{name}={list(values)})"
        )
    return values[0]


def _as_batch(input, op):
    if input.ndim not in (3, 4) or 0 in input.shape[-3:]:
        raise RuntimeError(
            f"{op}: non-empty 3D or 4D (batch mode) tensor expected for input, got input of "
            f"size {tuple(input.shape)}"
        )
    return input if input.ndim == 4 else input.unsqueeze(0)


def _out_size(size, kernel, stride, pad, dilation, ceil_mode):
    """PyTorch's pooling_output_shape: with ceil_mode the last window may hang over the
    bottom/right edge, but must start inside the input or its left padding."""
    span = dilation * (kernel - 1) + 1
    top = size + 2 * pad - span + (stride - 1 if ceil_mode else 0)
    out = top // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _geometry(x, kernel, stride, padding, dilation, ceil_mode, op):
    """(Ho, Wo) and the padding ((top, bottom), (left, right)) that makes Unfold yield
    exactly them: the bottom/right side also covers windows that ceil_mode lets hang over."""
    n, c, h, w = x.shape
    out = []
    widths = []
    for size, k, s, p, d in zip((h, w), kernel, stride, padding, dilation):
        o = _out_size(size, k, s, p, d, ceil_mode)
        out.append(o)
        extra = max(0, (o - 1) * s + d * (k - 1) + 1 - (size + 2 * p))
        widths.append((p, p + extra))
    if min(out) < 1:
        raise RuntimeError(
            f"{op}: Given input size: ({c}x{h}x{w}). Calculated output size: "
            f"({c}x{out[0]}x{out[1]}). Output size is too small"
        )
    return tuple(out), tuple(widths)


# --------------------------------------------------------------------------- max pooling
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):  # fmt: skip
    """Max over each kh x kw window (dilated, strided, padded with -inf), as
    torch.nn.functional.max_pool2d: (N, C, H, W) or (C, H, W) -> (N, C, Ho, Wo).
    d/dx: the window's gradient goes whole to its first maximum (PyTorch's choice among ties).
    return_indices: also the flat index h*W + w of each maximum in its input plane."""
    return _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                       "max_pool2d")  # fmt: skip


@_node("MaxPool2DWithIndicesBackward0")
def _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, op):
    kernel, stride, padding, dilation = _pool_args(kernel_size, stride, padding, dilation, op)
    ceil_mode = _bool_arg(ceil_mode, "ceil_mode", op)
    x = _as_batch(input, op)
    n, c, h, w = x.shape
    (ho, wo), widths = _geometry(x, kernel, stride, padding, dilation, ceil_mode, op)
    kh, kw = kernel
    whole_blocks = (ho, wo) == (h // kh, w // kw)  # no window that ceil_mode lets hang over
    if stride == kernel and padding == (0, 0) and dilation == (1, 1) and whole_blocks:
        # Non-overlapping windows: a reshape of x, no columns.
        out = BlockMax.apply(x, kernel)  # (N, C, Ho, Wo)
        if input.ndim == 3:
            out = out.squeeze(0)
        if not return_indices:
            return out
        index = _block_index(x.xp, _block_max(x.backend, x.array, kernel)[0], kernel)
        flat = _flat_indices(x.xp, index, (h, w), kernel, stride, padding, dilation)
        flat = Tensor(flat, device=x.device)
        return out, flat if input.ndim == 4 else flat.squeeze(0)
    cols = Unfold.apply(x, kernel, dilation, widths, stride, -float("inf"))  # -inf: never a max
    cols = _reshape(cols, (c, kh * kw, n, ho, wo))
    first = _first_inside(x.xp, (ho, wo), kernel, stride, padding, dilation)
    out = _permute(WindowMax.apply(cols, 1, first), (1, 0, 2, 3))  # (N, C, Ho, Wo)
    if input.ndim == 3:
        out = out.squeeze(0)
    if not return_indices:
        return out
    index, _ = x.backend.window_max(cols.array.transpose(1, 0, 2, 3, 4), first)  # as routed
    flat = _flat_indices(x.xp, index, (h, w), kernel, stride, padding, dilation)
    flat = Tensor(flat.transpose(1, 0, 2, 3), device=x.device)  # (N, C, Ho, Wo)
    return out, flat if input.ndim == 4 else flat.squeeze(0)


def _first_inside(xp, out_size, kernel, stride, padding, dilation):
    """The window position of each output's first element inside the input (not padding):
    where every element is -inf, PyTorch returns that one. 0 when there is no padding."""
    if not any(padding):
        return 0
    firsts = []
    for o, s, p, d in zip(out_size, stride, padding, dilation):
        start = xp.arange(o) * s - p
        firsts.append(xp.maximum(0, -(start // d)))  # ceil(-start / d), at least 0
    return firsts[0][:, None] * kernel[1] + firsts[1][None, :]


def _flat_indices(xp, index, size, kernel, stride, padding, dilation):
    """Window positions (C, N, Ho, Wo) -> h*W + w in the unpadded input."""
    _, _, ho, wo = index.shape
    index = index.astype("int64")  # window_max's small ints would overflow below
    i, j = index // kernel[1], index % kernel[1]
    rows = (xp.arange(ho) * stride[0] - padding[0])[:, None] + i * dilation[0]
    cols = (xp.arange(wo) * stride[1] - padding[1])[None, :] + j * dilation[1]
    return (rows * size[1] + cols).astype("int64")


# --------------------------------------------------------------------------- average pooling
def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):  # fmt: skip
    """Mean over each kh x kw window, as torch.nn.functional.avg_pool2d: the window sum over
    its size, counting the zero padding (count_include_pad) or only the input's elements, or
    over divisor_override. d/dx: each window's gradient / divisor, spread over the window."""
    return _avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override, "avg_pool2d")  # fmt: skip


@_node("AvgPool2DBackward0")
def _avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override, op):  # fmt: skip
    if divisor_override is not None:
        divisor_override = _int_arg(divisor_override, "divisor_override", op)
    kernel, stride, padding, _ = _pool_args(kernel_size, stride, padding, 1, op)
    ceil_mode = _bool_arg(ceil_mode, "ceil_mode", op)
    count_include_pad = _bool_arg(count_include_pad, "count_include_pad", op)
    if divisor_override == 0:
        raise RuntimeError(f"{op}: divisor must be not zero, got {divisor_override!r}")
    x = _as_batch(input, op)
    n, c, h, w = x.shape
    (ho, wo), widths = _geometry(x, kernel, stride, padding, (1, 1), ceil_mode, op)
    sums = Unfold.apply(x, kernel, (1, 1), widths, stride).sum((1, 2))  # (C, N, Ho, Wo)
    if divisor_override is not None:
        divisor = divisor_override
    else:
        divisor = _divisors(x.xp, (h, w), (ho, wo), kernel, stride, padding, count_include_pad)
        if not isinstance(divisor, int):
            divisor = Tensor(divisor, dtype=sums.dtype, device=x.device)
    out = _permute(sums / divisor, (1, 0, 2, 3))  # (N, C, Ho, Wo)
    return out if input.ndim == 4 else out.squeeze(0)


def _divisors(xp, size, out_size, kernel, stride, padding, count_include_pad):
    """Each window's divisor, as PyTorch counts it: the window clipped to the padded input
    (count_include_pad), or to the input itself; an int when every window has the same."""
    counts = []
    for n, o, k, s, p in zip(size, out_size, kernel, stride, padding):
        start = xp.arange(o) * s - p
        end = xp.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = xp.maximum(start, 0), xp.minimum(end, n)
        counts.append(end - start)
    divisor = counts[0][:, None] * counts[1][None, :]  # (Ho, Wo)
    first = divisor[0, 0].item()  # explicit syncs: device arrays refuse int() and bool()
    return first if (divisor == first).all().item() else divisor


# --------------------------------------------------------------------------- 1-D pooling
def _pool1d_args(input, kernel_size, stride, padding, dilation, op):
    """input as (N, C, 1, L) and the window's kernel, stride, padding and dilation as the 2-D
    pool's: each argument one int (stride also None or empty: the kernel size)."""
    kernel, stride, padding, dilation = _pool_lists(
        op, 1, kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation
    )
    if input.ndim not in (2, 3) or 0 in input.shape[-2:]:
        raise RuntimeError(
            f"{op}: Expected 2D or 3D (batch mode) tensor with non-zero sizes for input, but got "
            f"input of size {list(input.shape)}"
        )
    kernel = _one_int(kernel, "kernel_size", op)
    stride = kernel if _no_stride(stride) else _one_int(stride, "stride", op)
    padding = _one_int(padding, "padding", op)
    dilation = _one_int(dilation, "dilation", op)
    return input.unsqueeze(-2), (1, kernel), (1, stride), (0, padding), (1, dilation)


def _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, op):
    x, kernel, stride, padding, dilation = _pool1d_args(
        input, kernel_size, stride, padding, dilation, op
    )
    out = _max_pool2d(x, kernel, stride, padding, dilation, ceil_mode, return_indices, op)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):  # fmt: skip
    """Max over each window of (N, C, L) or (C, L) input; indices are positions in L."""
    return _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                       "max_pool1d")  # fmt: skip


def _avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, op):
    x, kernel, stride, padding, _ = _pool1d_args(input, kernel_size, stride, padding, 1, op)
    out = _avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, None, op)
    return out.squeeze(-2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):  # fmt: skip
    """Mean over each window of (N, C, L) or (C, L) input."""
    return _avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       "avg_pool1d")  # fmt: skip


# --------------------------------------------------------------------------- adaptive pooling
def _adaptive_bounds(size, out_size):
    """PyTorch's windows: [floor(i L / n), ceil((i + 1) L / n)) for i < n."""
    return [((i * size) // out_size, -((-(i + 1) * size) // out_size)) for i in range(out_size)]


def _adaptive_sizes(output_size, input, n, op):
    """output_size as n ints: for a 2-D pool one int, or n of them where None keeps the input's
    size (PyTorch's _list_with_default); a 1-D pool's must be one int. Non-negative: 0 gives
    an empty output, as PyTorch's."""
    if n == 2 and not isinstance(output_size, int):  # bool is an int: the parser refuses it
        if not hasattr(output_size, "__len__"):
            raise TypeError(
                f"{op}: output_size must be an int or a tuple of ints (or None), got "
                f"{type(output_size).__name__} ({output_size!r})"
            )
        if len(output_size) >= input.ndim:
            raise ValueError(
                f"{op}: Input dimension should be at least {len(output_size) + 1}, got input of "
                f"size {list(input.shape)} and output_size={output_size!r}"
            )
        tail = input.shape[input.ndim - len(output_size) :]
        output_size = [d if o is None else o for o, d in zip(output_size, tail)]
    sizes = _int_list(output_size, n, "output_size", op)
    if len(sizes) != n:
        raise RuntimeError(
            f"{op}: output_size must have {n} element{'s' if n > 1 else ''}, got "
            f"output_size={list(sizes)}"
        )
    if min(sizes) < 0:
        raise RuntimeError(
            f"{op}: elements of output_size must be greater than or equal to 0, but got "
            f"output_size={list(sizes)}"
        )
    return sizes


def _check_adaptive_input(input, spatial_dims, op):
    if input.ndim not in (spatial_dims + 1, spatial_dims + 2) or 0 in input.shape[-spatial_dims:]:
        raise RuntimeError(
            f"{op}: Expected {spatial_dims + 1}D or {spatial_dims + 2}D tensor with non-zero "
            f"sizes for the spatial dims, but got input of size {list(input.shape)}"
        )


def _averaging_matrix(size, out_size, like):
    """A (out_size, size) matrix whose row i averages window i: adaptive average pooling of a
    rectangle is this along H, then along W (the mean over a product of ranges factorises)."""
    xp = like.xp
    m = xp.zeros((out_size, size), dtype=like.dtype)
    for i, (start, end) in enumerate(_adaptive_bounds(size, out_size)):
        m[i, start:end] = 1.0 / (end - start)
    return _wrap(m, like.backend)


def adaptive_avg_pool2d(input, output_size):
    """Mean over PyTorch's adaptive windows: (N, C, H, W) or (C, H, W) -> (..., Ho, Wo)."""
    op = "adaptive_avg_pool2d"
    ho, wo = _adaptive_sizes(output_size, input, 2, op)
    _check_adaptive_input(input, 2, op)
    if (ho, wo) == (1, 1):
        return input.mean((-2, -1), keepdim=True)  # PyTorch's too: MeanBackward1
    return _adaptive_windows(input, ho, wo)


@_node("AdaptiveAvgPool2DBackward0")
def _adaptive_windows(input, ho, wo):
    h, w = input.shape[-2:]
    # equal windows: a reshape and a mean, exact as PyTorch's
    if ho and wo and h % ho == 0 and w % wo == 0:
        lead = tuple(input.shape[:-2])
        x = input.reshape(lead + (ho, h // ho, wo, w // wo))
        return x.mean((-3, -1))
    rows = _averaging_matrix(h, ho, input)  # (Ho, H)
    cols = _averaging_matrix(w, wo, input)  # (Wo, W)
    return rows @ input @ cols.transpose(0, 1)


def adaptive_avg_pool1d(input, output_size):
    """Mean over PyTorch's adaptive windows: (N, C, L) or (C, L) -> (..., Lo)."""
    op = "adaptive_avg_pool1d"
    (lo,) = _adaptive_sizes(output_size, input, 1, op)
    _check_adaptive_input(input, 1, op)
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, lo)).squeeze(-2)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over PyTorch's adaptive windows; indices are flat h*W + w in the input plane. The
    gradient goes to each window's first maximum."""
    op = "adaptive_max_pool2d"
    ho, wo = _adaptive_sizes(output_size, input, 2, op)
    _check_adaptive_input(input, 2, op)
    h, w = input.shape[-2:]
    lead = tuple(input.shape[:-2])
    if not ho or not wo:  # an empty output, still on the graph
        out = input.reshape(lead + (-1,))[..., :0].reshape(lead + (ho, wo))
        index = input.xp.zeros(lead + (ho, wo), dtype="int64")
        return (out, _wrap(index, input.backend)) if return_indices else out
    values, indices = [], []
    for hs, he in _adaptive_bounds(h, ho):
        for ws, we in _adaptive_bounds(w, wo):
            window = input[..., hs:he, ws:we].reshape(lead + (-1,))
            v, i = window.max(-1)
            values.append(v)
            width = we - ws
            indices.append((i.array // width + hs) * w + i.array % width + ws)
    out = _stack(values, -1).reshape(lead + (ho, wo))
    if not return_indices:
        return out
    return out, _wrap(input.xp.stack(indices, -1).reshape(lead + (ho, wo)), input.backend)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max over PyTorch's adaptive windows of (N, C, L) or (C, L) input."""
    op = "adaptive_max_pool1d"
    (lo,) = _adaptive_sizes(output_size, input, 1, op)
    _check_adaptive_input(input, 1, op)
    out = adaptive_max_pool2d(input.unsqueeze(-2), (1, lo), return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)
