"""Ops built from primitives: they need no backward of their own."""

import warnings

from autograd import ops
from autograd._tensor import Tensor, _wrap
from autograd.args import _dim, _dims
from backends import dtypes


def mean(x, dim=None, keepdim=False):
    """mean = sum / n (float16 summed and divided in float32, then rounded, as PyTorch)."""
    if x.dtype.kind != "f":  # before the dims, as PyTorch
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {dtypes.torch_name(x.dtype)}"
        )
    dims = _dims(dim, x.ndim, "mean")
    half = _widened(x)
    out = ops.Sum.apply(half if half is not None else x, dims, keepdim) / _count(x, dims)
    return out if half is None else ops.Cast.apply(out, x.dtype)


def _widened(x):
    """x in float32 when it is float16 (whose 65504 can't even hold the count), else None."""
    return ops.Cast.apply(x, dtypes.float32) if x.dtype.itemsize < 4 else None


def _count(x, dims):
    n = 1
    for d in range(x.ndim) if dims is None else dims:
        n *= x.shape[d]
    return n


def var(x, dim=None, correction=1, keepdim=False, name="var"):
    """var = sum (x - mean)^2 / (n - correction) (a primitive, for its gradient)."""
    # PyTorch's order: the arguments' types, then the dtype, then the dims' range
    _check_dim_types(dim, name)
    _check_floating(x, correction)
    dims = _dims(dim, x.ndim, name)
    _check_dof(x, dims, correction, name)
    if x.dtype.itemsize < 4:
        # As PyTorch's CPU kernel: accumulated in float64 and rounded once, so the squares
        # of large float16 values do not overflow on the way (Var does so itself for float32).
        return ops.Var.apply(x.double(), dims, correction, keepdim).to(x.dtype)
    return ops.Var.apply(x, dims, correction, keepdim)


def std(x, dim=None, correction=1, keepdim=False):
    """std = sqrt(var).  dstd/dvar = 1 / (2 std), taken as 0 where std = 0 (PyTorch's rule: a
    constant input has gradient 0, not 0 * inf = nan)."""
    _check_dim_types(dim, "std")
    _check_floating(x, correction)
    if x.dtype.itemsize < 8:  # in float64, rounded once at the end (see var)
        return std(x.double(), dim, correction, keepdim).to(x.dtype)
    v = var(x, dim, correction, keepdim, name="std")
    zero = v.array == 0
    if not zero.any().item():  # explicit sync: device arrays refuse bool()
        return v.sqrt()
    s = ops.Where.apply(zero, 1.0, v).sqrt()  # sqrt's slope at 1, then dropped by the where
    return ops.Where.apply(zero, 0.0, s)


def _check_floating(x, correction=1):
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"std and var only support floating point and complex dtypes (got {x.dtype})"
        )
    if isinstance(correction, complex):
        raise RuntimeError(
            f"var/std: correction {correction!r}: value cannot be converted to type double "
            "without overflow"
        )


def _check_dim_types(dim, op):
    """TypeError for a dim that is neither None, an int nor a sequence of ints."""
    for d in dim if isinstance(dim, (tuple, list)) else () if dim is None else (dim,):
        if not isinstance(d, int) or isinstance(d, bool):
            raise TypeError(f"{op}(): argument 'dim' must be tuple of ints, got {dim!r}")


def _check_dof(x, dims, correction, name):
    """PyTorch's warning for n - correction <= 0 (the result is inf or nan)."""
    n = 1
    for d in range(x.ndim) if dims is None else dims:
        n *= x.shape[d]
    if x.numel() == 0:  # PyTorch's factor: input numel / output numel, 0 when either is 0
        n = 0
    if n - correction <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=4,
        )


def logsumexp(x, dim=None, keepdim=False):
    """log sum e^x, shifted by the max so large inputs do not overflow (a primitive, for
    its gradient). Integers and bool are taken as the default float, as PyTorch."""
    dims = _dims(dim, x.ndim, "logsumexp")
    if x.dtype.kind != "f":
        from autograd._tensor import _defaults

        x = ops.Cast.apply(x, _defaults.dtype)
    return ops.LogSumExp.apply(x, dims, keepdim)


def softmax(x, dim=-1):
    """softmax_i = e^(x_i - max) / sum_j e^(x_j - max)."""
    d = _dim(dim, x.ndim, "softmax")  # validated on 0-d tensors too (-1 and 0 only)
    if x.dtype.kind != "f":
        if not x.numel():  # PyTorch's kernel is never reached: an empty tensor of x's dtype
            return _wrap(x.array.copy(), x._backend)
        raise NotImplementedError(f"\"softmax\" not implemented for '{dtypes.torch_name(x.dtype)}'")
    return ops.Softmax.apply(x, d if x.ndim else None)


def stack(tensors, dim=0):
    """Join along a new dim: cat of unsqueezed tensors."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty list of tensors")
    d = _dim(dim, tensors[0].ndim + 1, "stack")  # checked first, as PyTorch
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) > 1:
        raise RuntimeError(
            f"stack expects each tensor to be equal size, but got shapes {sorted(shapes)}"
        )
    return cat([t.unsqueeze(d) for t in tensors], d)


def cat(tensors, dim=0):
    """Join along an existing dim."""
    tensors = [t for t in tensors]
    if not tensors:
        raise RuntimeError("cat expects a non-empty list of tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"cat: expected a sequence of Tensors, element {i} is {type(t).__name__}"
            )
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    # As PyTorch (legacy): a 1-D empty tensor joins tensors of any shape, and when all are
    # such, any dim gives the empty result (the dim is not checked against their rank).
    ref = next((t for t in tensors if t.shape != (0,)), None)
    if ref is None:
        ref = tensors[0]
        dim = 0
    d = _dim(dim, ref.ndim, "cat")
    empty = ref.shape[:d] + (0,) + ref.shape[d + 1 :]
    tensors = [t.reshape(empty) if t.shape == (0,) else t for t in tensors]
    for i, t in enumerate(tensors):
        if t.ndim != ref.ndim or any(
            a != b for j, (a, b) in enumerate(zip(t.shape, ref.shape)) if j != d
        ):
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {d}: tensor 0 has shape "
                f"{tuple(ref.shape)} and tensor {i} has shape {tuple(t.shape)}"
            )
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype != dtype:
            dtype = dtypes.result_type(dtype, 1, t.dtype, 1, None)
    tensors = [t if t.dtype == dtype else t.to(dtype) for t in tensors]
    return ops.Cat.apply(d, *tensors)


def split(x, split_size_or_sections, dim=0):
    """Pieces of `split_size` along dim (the last may be smaller), or of the given sizes."""
    if x.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size < 0:
            raise RuntimeError(
                f"split expects split_size be non-negative, but got split_size={size}"
            )
        if size == 0 and n:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
            )
        sizes = [min(size, n - i) for i in range(0, n, size)] if n else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                f"split_sizes={sizes}"
            )
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                f"at dimension {d}), but got split_sizes={sizes}"
            )
    return _pieces(x, d, sizes)


def _pieces(x, d, sizes):
    out = []
    start = 0
    for s in sizes:
        out.append(x[(slice(None),) * d + (slice(start, start + s),)])
        start += s
    return tuple(out)


def chunk(x, chunks, dim=0):
    """`chunks` pieces of ceil(n / chunks) (the last may be smaller; fewer pieces when they
    run out), as torch.chunk; an empty dim gives `chunks` empty pieces."""
    if x.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _dim(dim, x.ndim, "chunk")
    n = x.shape[d]
    if n == 0:
        return _pieces(x, d, [0] * chunks)
    return split(x, -(-n // chunks), d)


def tensor_split(x, indices_or_sections, dim=0):
    """As torch.tensor_split: `sections` pieces whose sizes differ by at most one (the
    first n % sections one longer), or the pieces between the given indices (clamped, as
    slices are)."""
    if x.ndim == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    d = _dim(dim, x.ndim, "tensor_split")
    n = x.shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        if spec.dtype.kind not in "iu" or spec.ndim > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to have an integral dtype and "
                f"be 0-d or 1-d, got {spec.dtype} of {spec.ndim} dims"
            )
        spec = spec.item() if spec.ndim == 0 else spec.tolist()
    if isinstance(spec, int):
        if spec <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {spec}")
        q, r = divmod(n, spec)
        return _pieces(x, d, [q + 1] * r + [q] * (spec - r))
    index = (slice(None),) * d
    bounds = [0] + [int(i) for i in spec] + [None]
    return tuple(x[index + (slice(a, b),)] for a, b in zip(bounds[:-1], bounds[1:]))


def pad(x, pad, mode="constant", value=0.0):
    """Pad the last len(pad)//2 dims, as F.pad: pad = (left, right, top, bottom, ...)."""
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise RuntimeError(
            f"pad: padding length {len(pad)} must be even and at most 2 * ndim "
            f"({2 * x.ndim} for shape {tuple(x.shape)})"
        )
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if mode == "constant":
        for d, ((lo, hi), s) in enumerate(zip(widths, x.shape)):
            if s + min(lo, 0) + min(hi, 0) < 0:
                raise RuntimeError(
                    f"pad: negative padding ({lo}, {hi}) removes more than the {s} elements of "
                    f"dim {d} (shape {tuple(x.shape)})"
                )
        if any(lo < 0 or hi < 0 for lo, hi in widths):
            index = tuple(
                slice(max(-lo, 0), s - max(-hi, 0)) for (lo, hi), s in zip(widths, x.shape)
            )
            x = x[index]
            widths = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
        if any(lo or hi for lo, hi in widths):
            # F.pad's value is a float: uint8 takes neither -1 nor nan, as PyTorch
            n = 1
            for (lo, hi), s in zip(widths, x.shape):
                n *= lo + s + hi
            value = dtypes.fill_number(float(value), x.dtype, n)
        else:
            value = 0  # nothing is filled, nor is the value checked (PyTorch)
        return ops.Pad.apply(x, tuple(widths), value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(
            f"pad: mode {mode!r} (use constant, reflect, replicate or circular)"
        )
    _check_pad_mode(x, mode, len(pad) // 2)
    # Non-constant modes pick existing elements: an integer index per padded dim, so the
    # gradient comes from indexing's scatter-add with no rule of its own.
    xp = x.xp
    for d, (lo, hi) in enumerate(widths):
        if lo == 0 and hi == 0:
            continue
        n = x.shape[d]
        if mode == "circular":
            if lo > n or hi > n:
                raise RuntimeError(
                    f"pad: padding ({lo}, {hi}) of dim {d} of size {n} causes wrapping around "
                    "more than once in circular mode"
                )
            # as PyTorch: negative widths crop first, the rest wraps around what is left
            start, stop = max(-lo, 0), n - max(-hi, 0)
            x = x[(slice(None),) * d + (slice(start, stop),)]
            lo, hi, n = max(lo, 0), max(hi, 0), max(stop - start, 0)
            if n == 0 and (lo or hi):
                raise RuntimeError(f"pad: nothing left to wrap around in dim {d}")
        pos = xp.arange(-lo, n + hi)
        if mode == "reflect":
            if lo >= n or hi >= n:
                raise RuntimeError(
                    f"pad: padding ({lo}, {hi}) should be less than the input dim {d} of size {n} "
                    "in reflect mode"
                )
            period = 2 * (n - 1) if n > 1 else 1
            pos = xp.abs(pos) % period
            pos = xp.where(pos >= n, period - pos, pos)
        elif mode == "replicate":
            pos = xp.clip(pos, 0, n - 1)
        elif n:
            pos = pos % n
        x = x[(slice(None),) * d + (pos,)]
    return x


def _check_pad_mode(x, mode, k):
    """PyTorch's non-constant padding covers the last k = 1..3 dims of a tensor with one or two
    more dims (a batch dim may be empty; reflect/replicate need the other dims non-empty)."""
    if not 1 <= k <= 3 or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"pad: padding size {2 * k} is not supported for {x.ndim}D input tensor in {mode} "
            f"mode (pads the last 1-3 dims of a 2D-4D or 3D-5D input)"
        )
    if mode == "circular":
        return
    if x.dtype.kind == "b":
        raise NotImplementedError(f"pad: {mode} padding is not implemented for 'Bool'")
    if 0 in (x.shape[1:] if x.ndim == k + 2 else x.shape):
        raise RuntimeError(
            f"pad: expected a tensor with possibly 0 batch size and other non-zero dimensions "
            f"for {mode} padding, but got shape {tuple(x.shape)}"
        )


def repeat(x, sizes):
    """Tile x: as torch.Tensor.repeat."""
    if len(sizes) < x.ndim:
        raise RuntimeError(
            f"repeat: number of repeat dims ({len(sizes)}) can not be smaller than the number of "
            f"dimensions of the tensor ({x.ndim})"
        )
    shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
    y = x.reshape(shape)
    # (1, s0, 1, s1, ...) expanded to (r0, s0, r1, s1, ...) then merged.
    inter = []
    for s in shape:
        inter += [1, s]
    target = []
    for r, s in zip(sizes, shape):
        target += [r, s]
    y = y.reshape(inter).expand(*target)
    return y.reshape(tuple(r * s for r, s in zip(sizes, shape)))
