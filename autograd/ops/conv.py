"""Convolution and pooling: every rule of a sliding window, side by side.

Convolution, the three mutually adjoint linear maps of y = W * x + b (cross-correlation):

    Convolution     y = conv(x, W) + b           dy -> dx = ConvInputGrad(dy, W),
                                                         dW = ConvWeightGrad(x, dy), db = sum dy
    ConvInputGrad   dx = conv^T(dy, W)           (conv_transpose2d) the adjoint in x
    ConvWeightGrad  dW = dy (x) columns(x)       the adjoint in W

Each one's backward and jvp is written in the other two, so second (and higher) derivatives
need no further rule. The arrays are worked image by image in one batched matrix product:
columns (N, C*kh*kw, Ho*Wo) of the padded input, copied once from a strided view of its windows
(the im2col), times W (O, C*kh*kw) gives (N, O, Ho*Wo), the output already in (N, O, Ho, Wo)
order; the input's gradient folds W^T dy back by one strided slice-add per kernel offset.

Pooling: BlockMax, the max over non-overlapping windows (stride = kernel, no padding or
dilation), as a reshape of the input, with BlockMaxGrad, its backward, routing each window's
gradient whole to its first maximum as PyTorch does. The general case (overlapping, padded,
dilated windows) unfolds them: Unfold (im2col) and Fold (col2im), each the other's adjoint,
then WindowMax, the max over a window with PyTorch's max-pooling gradient; avg pooling sums
the unfolded windows. Their columns are laid out (C, kh, kw, N, Ho, Wo).
"""

import math
import threading
from sys import getrefcount

from autograd.function import Primitive
from autograd.grad_mode import state as _grad
from autograd.ops._util import _into, xp_of, zero_where
from autograd.ops.elementwise import Where
from autograd.ops.index import GetItem
from autograd.ops.shape import Expand, Reshape, Sum
from backends import backend_of


class Unfold(Primitive):
    """cols[c, i, j, n, p, q] = xpad[n, c, p*sh + i*dh, q*sw + j*dw]: (N, C, H, W) ->
    (C, kh, kw, N, Ho, Wo), xpad being x with `padding` ((top, bottom), (left, right)) of
    `value` around it.  dcols/dx: Fold, the scatter-add of the columns back."""

    _array_rule = True  # each rule in Fn.calls: arrays or recorded Tensors

    @staticmethod
    def forward(ctx, x, kernel_size, dilation, padding, stride, value=0.0):
        ctx.size = x.shape[2:]
        ctx.geometry = (kernel_size, dilation, padding, stride)
        return Unfold.kernel(x.array, kernel_size, dilation, padding, stride, value)

    @staticmethod
    def kernel(a, kernel_size, dilation, padding, stride, value=0.0):
        backend = backend_of(a)
        a = _padded(a, backend.xp, padding, value)
        view = backend.windows(a, kernel_size, dilation, stride)  # (N, C, kh, kw, Ho, Wo)
        return backend.xp.ascontiguousarray(view.transpose(1, 2, 3, 0, 4, 5))

    @staticmethod
    def backward(ctx, grad):
        return (Fold.call(grad, ctx.size, *ctx.geometry),) + (None,) * 5

    @staticmethod
    def jvp(ctx, tx, *_):
        """Linear in x (the padding value is a constant: its tangent pads with zeros)."""
        _, kernel_size, dilation, padding, stride, _ = ctx.inputs
        return Unfold.apply(tx, kernel_size, dilation, padding, stride)


class Fold(Primitive):
    """xpad[n, c, p*sh + i*dh, q*sw + j*dw] += cols[c, i, j, n, p, q], then x = xpad without
    its `padding`: (C, kh, kw, N, Ho, Wo) -> (N, C, H, W), overlapping windows summed.
    dx/dcols: Unfold."""

    _array_rule = True  # each rule in Fn.calls: arrays or recorded Tensors

    @staticmethod
    def forward(ctx, cols, size, kernel_size, dilation, padding, stride):
        ctx.geometry = (kernel_size, dilation, padding, stride)
        return Fold.kernel(cols.array, size, kernel_size, dilation, padding, stride)

    @staticmethod
    def kernel(a, size, kernel_size, dilation, padding, stride):
        c, kh, kw, n, ho, wo = a.shape
        (dh, dw), ((top, bottom), (left, right)), (sh, sw) = dilation, padding, stride
        h, w = size
        out = xp_of(a).zeros((c, n, top + h + bottom, left + w + right), dtype=a.dtype)
        # One strided slice-add per kernel offset: kh*kw array ops, not one per pixel.
        for i in range(kh):
            rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)
            for j in range(kw):
                out[:, :, rows, j * dw : j * dw + sw * (wo - 1) + 1 : sw] += a[:, i, j]
        out = out[:, :, top : top + h, left : left + w]
        return out.transpose(1, 0, 2, 3)  # (N, C, H, W), stored channels first as the columns

    @staticmethod
    def backward(ctx, grad):
        return (Unfold.call(grad, *ctx.geometry),) + (None,) * 5

    @staticmethod
    def jvp(ctx, tcols, *_):
        return Fold.apply(tcols, *ctx.args[1:])


def _padded(a, xp, padding, value):
    """a (N, C, H, W) with `value` around it; stored in a's order of N and C, so that copies
    from and to it run along its rows."""
    (top, bottom), (left, right) = padding
    if not (top or bottom or left or right):
        return a
    n, c, h, w = a.shape
    shape = (n, c, top + h + bottom, left + w + right)
    if a.strides[1] > a.strides[0]:  # channels outermost in memory (a conv's output)
        out = xp.empty((c, n) + shape[2:], dtype=a.dtype).transpose(1, 0, 2, 3)
    else:
        out = xp.empty(shape, dtype=a.dtype)
    out[:, :, top : top + h, left : left + w] = a
    out[:, :, :top] = value
    out[:, :, top + h :] = value
    out[:, :, top : top + h, :left] = value
    out[:, :, top : top + h, left + w :] = value
    return out


class WindowMax(Primitive):
    """y = max of x over dim (each pooling window).  dy/dx = 1 at the window's first maximum
    (or its last NaN), else 0: PyTorch's max-pooling rule, whole to one element, where amax
    splits among ties. first: the position taken where no element beats -inf (see
    Backend.window_max)."""

    _array_rule = True  # each rule in Fn.calls: arrays or recorded Tensors

    _saved_attrs = ("index",)

    @staticmethod
    def forward(ctx, x, dim, first=0):
        dim %= x.ndim
        index, out = x._backend.window_max(x.xp.moveaxis(x.array, dim, 0), first)
        ctx.index = index
        ctx.dim = dim
        ctx.shape = x.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        dim = ctx.dim
        shape = ctx.shape
        xp = xp_of(grad)
        positions = xp.arange(shape[dim], dtype=ctx.index.dtype).reshape(
            (-1,) + (1,) * (len(shape) - dim - 1)
        )
        hit = xp.expand_dims(ctx.index, dim) == positions  # one-hot along dim: x's shape
        spread = Expand.call(Reshape.call(grad, shape[:dim] + (1,) + shape[dim + 1 :]), shape)
        if _grad.raw and _all_finite(xp, grad):  # the fast select, see _select
            return _into(hit.astype(grad.dtype), spread), None, None
        # recorded, a Where: its own backward is a select too (so is grad-of-grad)
        return Where.call(hit, spread, xp.zeros((), dtype=grad.dtype)), None, None

    @staticmethod
    def jvp(ctx, tx, *_):
        """ẏ = ẋ at the window's chosen maximum (the position backward sends the gradient to)."""
        x, dim, first = ctx.inputs
        dim %= x.ndim
        index, _ = x._backend.window_max(x.xp.moveaxis(x.array, dim, 0), first)
        positions = x.xp.arange(x.shape[dim], dtype=index.dtype).reshape(
            (-1,) + (1,) * (x.ndim - dim - 1)
        )
        hit = x.xp.expand_dims(index, dim) == positions  # one-hot along dim
        # a select, not tx * hit: an inf tangent elsewhere in the window gives 0 here, not nan
        return Sum.apply(Where.apply(hit, tx, 0.0), (dim,), False)


# --------------------------------------------------------------------------- convolution
# geometry = (stride, padding, dilation, groups): stride, dilation (int, int); padding
# ((top, bottom), (left, right)) of zeros; the kernel is the weight's (kh, kw).


class Convolution(Primitive):
    """y[n, o] = b[o] + sum_{c, i, j} W[o, c, i, j] xpad[n, c, p*sh + i*dh, q*sw + j*dw] (each
    group's channels only).  dy/dx: ConvInputGrad (W^T, folded back), dy/dW: ConvWeightGrad
    (dy against the columns of x), dy/db: sum over n, p, q."""

    _array_rule = True  # each rule in Fn.calls: arrays or recorded Tensors

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups):
        geometry = (stride, padding, dilation, groups)
        b = None if bias is None else bias.array
        out, cols = _convolve(x._backend, x.array, weight.array, b, geometry)
        ctx.geometry = geometry
        # The columns are dW's other factor: kept (not recomputed) when W needs a gradient.
        ctx.save_for_backward(x, weight, cols if weight._requires_grad else None)
        return out

    @staticmethod
    def kernel(a, w, b, stride, padding, dilation, groups):
        geometry = (stride, padding, dilation, groups)
        return _convolve(backend_of(a), a, w, b, geometry)[0]

    @staticmethod
    def backward(ctx, grad):
        x, weight, cols = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad[:3]
        geometry = ctx.geometry
        gx = gw = gb = None
        if nx:  # never for an input image: a first layer skips the costliest product
            gx = ConvInputGrad.call(grad, weight, geometry, x.shape[2:])
        if nw:
            gw = ConvWeightGrad.call(x, grad, geometry, weight.shape[2:], cols)
        if nb:
            gb = Sum.call(grad, (0, 2, 3), False)
        return gx, gw, gb, None, None, None, None

    @staticmethod
    def jvp(ctx, tx, tw, tb, *_):
        """ẏ = conv(ẋ, W) + conv(x, Ẇ) + ḃ: y is linear in each argument."""
        x, weight, _, *geometry = ctx.args
        terms = []
        if tx is not None:
            terms.append(Convolution.apply(tx, weight, tb, *geometry))
            tb = None
        if tw is not None:
            terms.append(Convolution.apply(x, tw, tb, *geometry))
            tb = None
        if tb is not None:
            shape = ctx.output.shape
            terms.append(Expand.apply(Reshape.apply(tb, (1, tb.shape[0], 1, 1)), shape))
        return _total(terms)


class ConvInputGrad(Primitive):
    """dx = conv^T(g, W): dx[n, c, p*sh + i*dh - top, q*sw + j*dw - left] += W[o, c, i, j]
    g[n, o, p, q] (summed over o of c's group), for an input of spatial size `size`: the
    transposed convolution.  d/dg: Convolution(u, W), d/dW: ConvWeightGrad(u, g) (u the
    upstream gradient, of dx's shape)."""

    _array_rule = True  # each rule in Fn.calls: arrays or recorded Tensors

    @staticmethod
    def forward(ctx, g, weight, geometry, size):
        ctx.save_for_backward(g, weight)
        ctx.geometry = geometry
        return _conv_input(g.xp, g.array, weight.array, geometry, size)

    @staticmethod
    def kernel(g, w, geometry, size):
        return _conv_input(xp_of(g), g, w, geometry, size)

    @staticmethod
    def backward(ctx, grad):
        g, weight = ctx.saved_tensors
        ng, nw = ctx.needs_input_grad[:2]
        geometry = ctx.geometry
        gg = Convolution.call(grad, weight, None, *geometry) if ng else None
        gw = ConvWeightGrad.call(grad, g, geometry, weight.shape[2:]) if nw else None
        return gg, gw, None, None

    @staticmethod
    def jvp(ctx, tg, tw, *_):
        """ż = ConvInputGrad(ġ, W) + ConvInputGrad(g, Ẇ): bilinear."""
        g, weight, geometry, size = ctx.args
        terms = []
        if tg is not None:
            terms.append(ConvInputGrad.apply(tg, weight, geometry, size))
        if tw is not None:
            terms.append(ConvInputGrad.apply(g, tw, geometry, size))
        return _total(terms)


class ConvWeightGrad(Primitive):
    """dW[o, c, i, j] = sum_{n, p, q} g[n, o, p, q] xpad[n, c, p*sh + i*dh, q*sw + j*dw] (c in
    o's group), for a kernel (kh, kw); `cols`, x's columns when the forward kept them.
    d/dx: ConvInputGrad(g, u), d/dg: Convolution(x, u)."""

    _array_rule = True  # each rule in Fn.calls: arrays or recorded Tensors

    @staticmethod
    def forward(ctx, x, g, geometry, kernel, cols=None):
        ctx.save_for_backward(x, g)
        ctx.geometry = geometry
        return ConvWeightGrad.kernel(x.array, g.array, geometry, kernel, cols)

    @staticmethod
    def kernel(a, g, geometry, kernel, cols=None):
        if cols is None:
            cols = _columns(backend_of(a), a, kernel, geometry)
        return _conv_weight(g, cols, geometry[3])

    @staticmethod
    def backward(ctx, grad):
        x, g = ctx.saved_tensors
        nx, ng = ctx.needs_input_grad[:2]
        geometry = ctx.geometry
        gx = ConvInputGrad.call(g, grad, geometry, x.shape[2:]) if nx else None
        gg = Convolution.call(x, grad, None, *geometry) if ng else None
        return gx, gg, None, None, None

    @staticmethod
    def jvp(ctx, tx, tg, *_):
        """ż = ConvWeightGrad(ẋ, g) + ConvWeightGrad(x, ġ): bilinear."""
        x, g, geometry, kernel, cols = ctx.inputs
        terms = []
        if tx is not None:
            terms.append(ConvWeightGrad.apply(tx, g, geometry, kernel))
        if tg is not None:
            terms.append(ConvWeightGrad.apply(x, tg, geometry, kernel, cols))
        return _total(terms)


def _total(terms):
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


# --------------------------------------------------------------------------- scratch arrays
# The columns (kh*kw times the input) and their gradient are the largest arrays of a
# convolution, and internal: a new one each step costs a page fault per 4 KiB (the allocator
# hands multi-megabyte arrays back to the system when freed), about as long as filling it.
# They are reused instead, per thread, once nothing but this cache refers to them.
_scratch = threading.local()
_SCRATCH_MIN = 1 << 18  # bytes: smaller arrays come cheap from the allocator's free lists
_SCRATCH_MAX = 1 << 26  # bytes, each and all together: the memory the cache may keep


def _reused(backend, shape, dtype):
    """An uninitialised C-contiguous array of this shape and dtype for a kernel's temporary:
    a cached one that nothing else refers to (no graph saves it, no view of it lives), else a
    new one, cached if it fits. On the CPU only (cupy has a memory pool of its own)."""
    xp = backend.xp
    nbytes = dtype.itemsize * math.prod(shape)
    if backend.device.type != "cpu" or not _SCRATCH_MIN <= nbytes <= _SCRATCH_MAX:
        return xp.empty(shape, dtype=dtype)
    cache = getattr(_scratch, "arrays", None)
    if cache is None:
        cache = _scratch.arrays = []
    for i in range(len(cache)):  # (enumerate's tuple would hold one more reference)
        buf = cache[i]
        # 3 references: the cache's list, `buf` and getrefcount's argument
        if buf.shape == shape and buf.dtype == dtype and getrefcount(buf) == 3:
            cache.append(cache.pop(i))  # most recently used last
            return buf
    buf = xp.empty(shape, dtype=dtype)
    cache.append(buf)
    while sum(b.nbytes for b in cache) > _SCRATCH_MAX:
        cache.pop(0)  # the least recently used goes (a graph may still hold it)
    return buf


def _columns(backend, a, kernel, geometry):
    """The columns of a (N, C, H, W): (N, C, kh, kw, Ho, Wo) with
    cols[n, c, i, j, p, q] = xpad[n, c, p*sh + i*dh, q*sw + j*dw]."""
    stride, padding, dilation, _ = geometry
    xp = backend.xp
    shifts = _flat_shifts(a.shape, kernel, geometry)
    if shifts is None:  # one strided copy of the padded input's windows
        a = _padded(a, xp, padding, 0)
        view = backend.windows(a, kernel, dilation, stride)
        cols = _reused(backend, view.shape, a.dtype)
        cols[...] = view
        return cols
    # Stride 1, output as wide as the input: each kernel offset's columns are the flattened
    # image shifted, one slice copy with rows of H*W, not H rows of W.
    n, c, h, w = a.shape
    kh, kw = kernel
    ho = shifts[-1]
    flat = a.reshape(n, c, h * w)
    cols = _reused(backend, (n, c, kh, kw, ho * w), a.dtype)
    left = padding[1][0]
    for i, j, shift, lo, hi in shifts[:-1]:
        dst = cols[:, :, i, j]
        if lo >= hi:  # the offset sees only padding
            dst[...] = 0
            continue
        dst[:, :, lo:hi] = flat[:, :, lo + shift : hi + shift]
        dst[:, :, :lo] = 0  # rows above the image (padding)
        dst[:, :, hi:] = 0  # rows below it
        _clear_wrapped(dst.reshape(n, c, ho, w), j * dilation[1] - left)  # while in cache
    return cols.reshape(n, c, kh, kw, ho, w)


def _flat_shifts(shape, kernel, geometry):
    """For stride 1 and an output as wide as the input (the usual 'same' padding):
    [(i, j, shift, lo, hi)] per kernel offset, output position m (flat, row-major) reading
    input position m + shift for lo <= m < hi, then Ho; else None."""
    stride, ((top, bottom), (left, right)), (dh, dw), _ = geometry
    n, c, h, w = shape
    kh, kw = kernel
    ho = h + top + bottom - dh * (kh - 1)
    if stride != (1, 1) or left + right != dw * (kw - 1) or ho <= 0 or w == 0:
        return None
    out = []
    for i in range(kh):
        for j in range(kw):
            shift = (i * dh - top) * w + j * dw - left
            out.append((i, j, shift, max(0, -shift), min(ho * w, h * w - shift)))
    out.append(ho)
    return out


def _clear_wrapped(block, shift):
    """Zero, in one offset's columns (N, C, Ho, W) made by a flat shift, the entries whose
    column q + shift falls outside the image: the shift wrapped them onto the next row."""
    w = block.shape[-1]
    wrapped = range(min(-shift, w)) if shift < 0 else range(max(w - shift, 0), w)
    for q in wrapped:  # one column at a time: numpy's inner loop then runs down it
        block[..., q] = 0


def _convolve(backend, a, w, b, geometry):
    """(out (N, O, Ho, Wo), columns (N, C, kh, kw, Ho, Wo)): per image, W (O, C*kh*kw) @
    columns (C*kh*kw, Ho*Wo), as one batched product (per group: a leading group axis)."""
    groups = geometry[3]
    o, c_group, kh, kw = w.shape
    cols = _columns(backend, a, (kh, kw), geometry)
    n, c, _, _, ho, wo = cols.shape
    k = c_group * kh * kw
    if groups == 1:
        out = w.reshape(o, k) @ cols.reshape(n, k, ho * wo)  # (N, O, Ho*Wo)
    else:
        w_grouped = w.reshape(groups, o // groups, k)
        out = w_grouped @ cols.reshape(n, groups, k, ho * wo)  # (N, groups, O/groups, Ho*Wo)
    out = out.reshape(n, o, ho, wo)
    if b is not None:
        out += b.reshape(o, 1, 1)
    return out, cols


def _conv_weight(g, cols, groups):
    """sum_n g[n] (O, Ho*Wo) @ columns[n]^T (Ho*Wo, C*kh*kw), per group: (O, C/groups, kh, kw).
    A batched product then a sum over n: no transposing copy of g or of the columns."""
    n, c, kh, kw, ho, wo = cols.shape
    o = g.shape[1]
    k = (c // groups) * kh * kw
    length = ho * wo
    if groups == 1:
        per_image = g.reshape(n, o, length) @ cols.reshape(n, k, length).swapaxes(1, 2)
    else:
        g4 = g.reshape(n, groups, o // groups, length)
        per_image = g4 @ cols.reshape(n, groups, k, length).swapaxes(2, 3)
    # shaped before the sum: the sum is then the gradient's own array (no view of a temporary),
    # which the engine hands to .grad without a copy
    return per_image.reshape(n, o, c // groups, kh, kw).sum(axis=0)


def _conv_input(xp, g, w, geometry, size):
    """W^T g per image (the columns' gradient), folded back into (N, C, H, W): one strided
    slice-add per kernel offset, each clipped to the input (the padding gets nothing)."""
    stride, padding, dilation, groups = geometry
    n, o, ho, wo = g.shape
    _, c_group, kh, kw = w.shape
    c = c_group * groups
    k = c_group * kh * kw
    length = ho * wo
    if groups == 1:
        w_t, g3 = w.reshape(o, k).T, g.reshape(n, o, length)
        if g.dtype == w.dtype:  # (N, C*kh*kw, Ho*Wo), into a reused array
            dcols = xp.matmul(w_t, g3, out=_reused(backend_of(g), (n, k, length), g.dtype))
        else:
            dcols = w_t @ g3
    else:
        w_t = w.reshape(groups, o // groups, k).swapaxes(1, 2)  # (groups, k, O/groups)
        dcols = w_t @ g.reshape(n, groups, o // groups, length)  # (N, groups, k, Ho*Wo)
    dcols = dcols.reshape(n, c, kh, kw, ho, wo)
    h, w_ = size
    shifts = _flat_shifts((n, c, h, w_), (kh, kw), geometry)
    if shifts is not None and shifts[-1] == ho:
        # Stride 1, as wide as the input: flat slice-adds, each with rows of H*W.
        flat = xp.zeros((n, c, h * w_), dtype=dcols.dtype)
        left = padding[1][0]
        for i, j, shift, lo, hi in shifts[:-1]:
            if lo < hi:
                block = dcols[:, :, i, j]  # (N, C, Ho, Wo)
                _clear_wrapped(block, j * dilation[1] - left)
                flat[:, :, lo + shift : hi + shift] += block.reshape(n, c, ho * wo)[:, :, lo:hi]
        return flat.reshape(n, c, h, w_)
    out = xp.zeros((n, c, h, w_), dtype=dcols.dtype)
    (sh, sw), (dh, dw) = stride, dilation
    (top, _), (left, _) = padding
    for i in range(kh):
        rows = _inside(i * dh - top, sh, ho, h)
        if rows is None:
            continue
        for j in range(kw):
            cols = _inside(j * dw - left, sw, wo, w_)
            if cols is None:
                continue
            out[:, :, rows[0], cols[0]] += dcols[:, :, i, j, rows[1], cols[1]]
    return out


def _inside(offset, stride, count, size):
    """The positions p < count whose p*stride + offset fall in [0, size): (their slice in the
    input, their slice among the p), or None when there are none."""
    first = max(0, -(offset // stride))  # ceil(-offset / stride)
    if size - 1 - offset < 0:
        return None
    last = min(count - 1, (size - 1 - offset) // stride)
    if first > last:
        return None
    start = first * stride + offset
    return slice(start, start + (last - first) * stride + 1, stride), slice(first, last + 1)


# --------------------------------------------------------------------------- block max
class BlockMax(Primitive):
    """y[n, c, p, q] = max over the block x[n, c, p*kh : (p+1)*kh, q*kw : (q+1)*kw]: max
    pooling with stride = kernel, no padding or dilation, as a reshape (rows and columns past
    the last whole block are left out).  dy/dx = 1 at the block's first maximum (or its last
    NaN), else 0: PyTorch's max-pooling rule (BlockMaxGrad)."""

    _array_rule = True  # each rule in Fn.calls: arrays or recorded Tensors

    _saved_attrs = ("index",)

    @staticmethod
    def forward(ctx, x, kernel):
        index, out = _block_max(x._backend, x.array, kernel)
        ctx.index = index
        ctx.kernel = kernel
        ctx.size = x.shape[2:]
        return out

    @staticmethod
    def backward(ctx, grad):
        return BlockMaxGrad.call(grad, ctx.index, ctx.kernel, ctx.size), None

    @staticmethod
    def jvp(ctx, tx, _):
        """ẏ = ẋ at each block's chosen maximum."""
        x, kernel = ctx.args
        index, _ = _block_max(x._backend, x.array, kernel)
        return _block_gather(tx, index, kernel)


class BlockMaxGrad(Primitive):
    """dx = g placed at each block's chosen maximum (`index`, its position in the block,
    row-major), 0 elsewhere, for an input of spatial size `size`. Linear in g: d/dg is u
    gathered at the same positions."""

    _array_rule = True  # each rule in Fn.calls: arrays or recorded Tensors

    _saved_attrs = ("index",)

    @staticmethod
    def forward(ctx, g, index, kernel, size):
        ctx.index = index
        ctx.kernel = kernel
        return BlockMaxGrad.kernel(g.array, index, kernel, size)

    @staticmethod
    def kernel(g, index, kernel, size):
        return _block_scatter(xp_of(g), g, index, kernel, size)

    @staticmethod
    def backward(ctx, grad):
        return _block_gather(grad, ctx.index, ctx.kernel), None, None, None

    @staticmethod
    def jvp(ctx, tg, *_):
        return BlockMaxGrad.apply(tg, *ctx.args[1:])


def _blocks(a, kernel, ho, wo):
    """a (N, C, H, W) as the view (N, C, Ho, kh, Wo, kw) of its whole blocks."""
    n, c = a.shape[:2]
    kh, kw = kernel
    return a[:, :, : ho * kh, : wo * kw].reshape(n, c, ho, kh, wo, kw)


def _block_max(backend, a, kernel):
    """(index, max) over each block, PyTorch's choice among ties (Backend.window_max) made in
    two rounds: along each row of a block (over whole image rows, long loops in numpy), then
    down the block's row maxima. The first round's winners, last NaN or else first maximum,
    meet in the second by the same rule, so the pick is the one of a row-major scan.
    index: (the row in the block (N, C, Ho, Wo), the column in each row (N, C, Ho*kh, Wo))."""
    n, c, h, w = a.shape
    kh, kw = kernel
    ho, wo = h // kh, w // kw
    rows = a[:, :, : ho * kh, : wo * kw].reshape(n, c, ho * kh, wo, kw)
    col, row_max = backend.window_max(rows.transpose(4, 0, 1, 2, 3))  # (N, C, Ho*kh, Wo)
    windows = row_max.reshape(n, c, ho, kh, wo).transpose(3, 0, 1, 2, 4)  # (kh, N, C, Ho, Wo)
    row, out = backend.window_max(windows)
    return (row, col), out


def _block_index(xp, index, kernel):
    """The position in its block (row-major) of each block's chosen element: (N, C, Ho, Wo)."""
    row, col = index
    n, c, ho, wo = row.shape
    kh, kw = kernel
    cols = col.reshape(n, c, ho, kh, wo)
    chosen = xp.take_along_axis(cols, row[:, :, :, None, :].astype("int64"), axis=3)
    return row.astype("int64") * kw + chosen[:, :, :, 0, :]


def _block_scatter(xp, g, index, kernel, size):
    """(N, C, H, W) zeros but g at each block's chosen element, in the two rounds of
    _block_max: g to the chosen row of each block, then to the chosen column of each row."""
    row, col = index
    n, c, ho, wo = g.shape
    kh, kw = kernel
    finite = _all_finite(xp, g)
    rows = xp.empty((n, c, ho, kh, wo), dtype=g.dtype)
    for i in range(kh):
        _select(xp, g, row == i, rows[:, :, :, i], finite)
    rows = rows.reshape(n, c, ho * kh, wo)
    whole = (ho * kh, wo * kw) == tuple(size)
    out = (xp.empty if whole else xp.zeros)((n, c) + tuple(size), dtype=g.dtype)
    cells = out[:, :, : ho * kh, : wo * kw].reshape(n, c, ho * kh, wo, kw)
    for j in range(kw):
        _select(xp, rows, col == j, cells[..., j], finite)
    return out


def _all_finite(xp, g):
    return xp.isfinite(g).all().item()


def _select(xp, g, hit, out, finite):
    """out[...] = g where hit, else 0: a select, as PyTorch's max-pooling backward (an inf or
    nan of g away from the chosen element gives 0 there, not nan). The product with the
    mask is the fast way, right only for a finite g (inf * 0 is nan), which is the usual case."""
    if finite:
        xp.multiply(g, hit, out=out)
    else:
        out[...] = zero_where(~hit, g)


def _block_gather(u, index, kernel):
    """u at each block's `index` (u a raw array, or a Tensor: recorded when the graph of a
    gradient is): the sum over each block of u times the one-hot mask of its chosen element."""
    xp = xp_of(u)
    index = _block_index(xp, index, kernel)
    n, c, ho, wo = index.shape
    kh, kw = kernel
    positions = xp.arange(kh * kw, dtype=index.dtype).reshape(kh, 1, kw)
    hit = index[:, :, :, None, :, None] == positions  # (N, C, Ho, kh, Wo, kw)
    if u.shape[2:] != (ho * kh, wo * kw):
        u = GetItem.call(u, (slice(None), slice(None), slice(0, ho * kh), slice(0, wo * kw)))
    blocks = Reshape.call(u, (n, c, ho, kh, wo, kw))
    if _grad.raw and _all_finite(xp, u):  # the fast select, see _select
        return Sum.call(_into(hit.astype(u.dtype), blocks), (3, 5), False)
    # recorded, a Where: its own backward is a select too (so is grad-of-grad)
    return Sum.call(Where.call(hit, blocks, xp.zeros((), dtype=u.dtype)), (3, 5), False)
