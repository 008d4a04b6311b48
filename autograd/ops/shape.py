"""Shape primitives: reshape, permute, cat, pad, and the adjoint pair expand / sum with sum_to,
the one place broadcasting is undone. Their gradients move values around. The bottom layer of
the ops: it imports no other ops module.

Below them, Tensor's shape methods (reshape, view, transpose, squeeze, split, ...): PyTorch's
argument checks, then one of these primitives."""

from autograd._tensor import _named
from autograd.args import _check_broadcast_to, _dim, _dims, _infer_shape, _numpy_names, _shape_args
from autograd.function import Primitive
from autograd.inplace import register_view, view_dtype
from backends import backend_of, dtypes


class _View(Primitive):
    """An op whose output may share storage with its input (the version counter is shared)."""

    _view = True


def _keepdim_shape(shape, dims):
    """The shape a reduction over dims has with keepdim=True."""
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _unreduce(grad, shape, dims):
    """Broadcast a reduction's gradient back to the input's shape."""
    keep = _keepdim_shape(shape, dims)
    if grad.shape != keep:
        grad = Reshape.call(grad, keep)
    return grad if keep == shape else Expand.call(grad, shape)


class Sum(Primitive):
    """y = sum_i x_i over dims.  dy/dx_i = 1."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, dims=None, keepdim=False):
        ctx.shape = x.shape
        ctx.dims = dims
        return Sum.kernel(x.array, dims, keepdim)

    @staticmethod
    def kernel(a, dims=None, keepdim=False):
        if a.dtype.kind == "f" and a.dtype.itemsize < 4:
            # float16 accumulates in float32 and rounds once, as PyTorch (numpy rounds each step)
            return backend_of(a).sum(a, dims, keepdim, "float32").astype(a.dtype)
        return backend_of(a).sum(a, dims, keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx.shape, ctx.dims), None, None

    @staticmethod
    def jvp(ctx, tx, *_):
        return Sum.apply(tx, *ctx.args[1:])


class Expand(Primitive):
    """y = x broadcast to a shape.  dy/dx: sum over the broadcast dims (sum_to): Sum's adjoint,
    as Sum's gradient is an Expand. A view (its output shares x's storage)."""

    _view = True

    _array_rule = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        a = x.array
        # as_strided, not broadcast_to (read-only): writes into a non-overlapping part of
        # an expanded view reach its base, as in PyTorch (overlapping writes are refused).
        lead = len(shape) - a.ndim
        strides = (0,) * lead + tuple(
            0 if s == 1 and n != 1 else st for s, n, st in zip(a.shape, shape[lead:], a.strides)
        )
        return x.xp.lib.stride_tricks.as_strided(a, shape, strides)

    @staticmethod
    def kernel(a, shape):
        # inside a rule nothing writes into it: numpy's read-only broadcast is the fast one
        return backend_of(a).xp.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return sum_to(grad, ctx.shape), None

    @staticmethod
    def jvp(ctx, tx, _):
        return Expand.apply(tx, ctx.args[1])


def sum_to(x, shape):
    """Sum `x` down to `shape`: over the leading dims broadcasting added and the dims it
    stretched from 1. The adjoint of broadcast_to."""
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1
    )
    out = Sum.call(x, dims, True)  # x: raw arrays in an array-speed backward, or Tensors
    return out if out.shape == shape else Reshape.call(out, shape)


class Reshape(Primitive):
    """y = x with a new shape.  dy/dx: reshape back.

    A view where the strides allow it, else a copy (numpy decides as PyTorch's reshape)."""

    @classmethod
    def apply(cls, x, shape):
        out = super().apply(x, shape)
        if x.xp.may_share_memory(out.array, x.array):
            register_view(x, out, Reshape, (shape,))
        return out

    _array_rule = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.array.reshape(shape)

    @staticmethod
    def kernel(a, shape):
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return Reshape.call(grad, ctx.shape), None

    @staticmethod
    def jvp(ctx, tx, _):
        return Reshape.apply(tx, ctx.args[1])


class Permute(_View):
    """y = x with dims reordered.  dy/dx: the inverse permutation."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.array.transpose(dims)

    @staticmethod
    def kernel(a, dims):
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        dims = ctx.dims
        inverse = tuple(sorted(range(len(dims)), key=dims.__getitem__))
        return Permute.call(grad, inverse), None

    @staticmethod
    def jvp(ctx, tx, _):
        return Permute.apply(tx, ctx.args[1])


class Cat(Primitive):
    """y = [x_1, ..., x_n] along dim.  dy/dx_k: the k-th slice of grad."""

    _array_rule = True

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        ctx.sizes = [x.shape[dim] for x in xs]
        xp = xs[0].xp
        return xp.concatenate([x.array for x in xs], axis=dim)

    @staticmethod
    def kernel(dim, *arrays):
        return backend_of(arrays[0]).xp.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        from autograd.ops.index import GetItem

        dim = ctx.dim
        grads = [None]
        start = 0
        for size, needed in zip(ctx.sizes, ctx.needs_input_grad[1:]):
            if needed:
                index = (slice(None),) * dim + (slice(start, start + size),)
                grads.append(GetItem.call(grad, index))
            else:
                grads.append(None)
            start += size
        return tuple(grads)

    @staticmethod
    def jvp(ctx, _, *tangents):
        dim, *xs = ctx.args
        ts = [x.new_zeros(x.shape) if t is None else t for x, t in zip(xs, tangents)]
        return Cat.apply(dim, *ts)


class Pad(Primitive):
    """y = x with constant borders.  dy/dx: the interior of grad."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.interior = tuple(slice(lo, lo + s) for (lo, _), s in zip(widths, x.shape))
        return x.xp.pad(x.array, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, grad):
        from autograd.ops.index import GetItem

        return GetItem.call(grad, ctx.interior), None, None

    @staticmethod
    def jvp(ctx, tx, *_):
        return Pad.apply(tx, ctx.args[1], 0.0)


# --------------------------------------------------------------------------- Tensor's methods
# The shape methods as PyTorch spells them (Tensor.reshape(...) is reshape(x, ...)): argument
# checks with PyTorch's errors, then one of the primitives above.


def reshape(x, *shape):
    shape = _shape_args(shape)
    return Reshape.apply(x, _infer_shape(shape, x.array.size, x.shape, "reshape"))


def view(x, *shape):
    """The same storage seen with another shape (never a copy: raises where the strides
    cannot express it, as PyTorch), or with another dtype (its bits reinterpreted)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
        return view_dtype(x, dtypes.as_dtype(shape[0]))
    shape = _infer_shape(_shape_args(shape), x.array.size, x.shape, "view")
    check_viewable(x.array, shape)
    return Reshape.apply(x, shape)


def flatten(x, start_dim=0, end_dim=-1):
    start = _dim(start_dim, x.ndim, "flatten")
    end = _dim(end_dim, x.ndim, "flatten")
    if x.ndim == 0:
        return x.reshape(1)
    if start > end:
        raise RuntimeError(
            f"flatten() has invalid args: start_dim {start_dim} cannot come after end_dim "
            f"{end_dim} (shape {tuple(x.shape)})"
        )
    shape = x.shape[:start] + (-1,) + x.shape[end + 1 :]
    if 0 in x.shape:
        size = 1
        for s in x.shape[start : end + 1]:
            size *= s
        shape = x.shape[:start] + (size,) + x.shape[end + 1 :]
    return x.reshape(shape)


def unflatten(x, dim, sizes):
    if x.ndim == 0:
        raise RuntimeError("unflatten: Dimension specified as 0 but tensor has no dimensions")
    dim = _dim(dim, x.ndim, "unflatten")
    # -1 is inferred from the unflattened dim alone (other dims may be empty)
    sizes = _infer_shape(tuple(sizes), x.shape[dim], x.shape[dim : dim + 1], "unflatten")
    return x.reshape(x.shape[:dim] + sizes + x.shape[dim + 1 :])


def transpose(x, dim0, dim1):
    dims = list(range(x.ndim))
    d0 = _dim(dim0, x.ndim, "transpose")
    d1 = _dim(dim1, x.ndim, "transpose")
    if not dims:  # a 0-d tensor: dims 0 and -1 both name the tensor itself
        return alias(x)
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return _named(Permute.apply(x, tuple(dims)), "TransposeBackward0")


def t(x):
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return _named(x.T, "TBackward0")


def permute(x, *dims):
    dims = _shape_args(dims)
    if len(dims) != x.ndim:
        raise RuntimeError(
            f"permute: number of dims {len(dims)} don't match the tensor's {x.ndim} "
            f"dims (shape {tuple(x.shape)})"
        )
    dims = tuple(_dim(d, x.ndim, "permute") for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"permute: repeated dim in {dims}")
    return Permute.apply(x, dims)


def squeeze(x, dim=None):
    if dim is None:
        shape = tuple(s for s in x.shape if s != 1)
    else:
        dims = _dims(dim, x.ndim, "squeeze") or ()
        shape = tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1))
    if shape == x.shape:
        return alias(x)
    return _named(x.reshape(shape), f"SqueezeBackward{0 if dim is None else 1}")


def unsqueeze(x, dim):
    dim = _dim(dim, x.ndim + 1, "unsqueeze")
    return _named(x.reshape(x.shape[:dim] + (1,) + x.shape[dim:]), "UnsqueezeBackward0")


def expand(x, *sizes):
    sizes = _shape_args(sizes)
    if len(sizes) < x.ndim:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
            f"to the number of dimensions in the tensor ({x.ndim})"
        )
    lead = len(sizes) - x.ndim
    shape = tuple(s if s != -1 else x.shape[i - lead] for i, s in enumerate(sizes))
    return x.broadcast_to(shape)


def broadcast_to(x, shape):
    shape = tuple(shape)
    if shape == x.shape:
        return alias(x)
    _check_broadcast_to(x.shape, shape)
    return Expand.apply(x, shape)


def mT(x):
    if x.ndim == 0:  # the identity, as PyTorch (deprecated there)
        return alias(x)
    if x.ndim == 1:
        raise RuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
        )
    return x.transpose(-2, -1)


def alias(x):
    return Reshape.apply(x, x.shape)


def unbind(x, dim=0):
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = _dim(dim, x.ndim, "unbind")
    pieces = (x[(slice(None),) * dim + (i,)] for i in range(x.shape[dim]))
    return tuple(_named(p, "UnbindBackward0") for p in pieces)


def select(x, dim, index):
    """The slice at `index` along `dim`, that dim removed (a view): x[..., index, ...]."""
    if x.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = _dim(dim, x.ndim, "select")
    return x[(slice(None),) * dim + (index,)]


def split(x, split_size_or_sections, dim=0):
    from autograd.ops import composite

    pieces = composite.split(x, split_size_or_sections, dim)
    return tuple(_named(p, "SplitBackward0") for p in pieces)


def chunk(x, chunks, dim=0):
    from autograd.ops import composite

    return tuple(_named(p, "SplitBackward0") for p in composite.chunk(x, chunks, dim))


def tensor_split(x, indices_or_sections, dim=0):
    from autograd.ops import composite

    return composite.tensor_split(x, indices_or_sections, dim)


def repeat(x, *sizes):
    from autograd.ops import composite

    return composite.repeat(x, _shape_args(sizes))


def check_viewable(a, shape):
    """Raise as PyTorch's view where no strides over a's memory give `shape` (its
    computeStride: each run of dims that is contiguous in memory may only be split or merged
    within itself)."""
    if _view_strides(a.shape, [s // a.dtype.itemsize for s in a.strides], shape) is None:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        )


def _view_strides(old_shape, old_strides, shape):
    """PyTorch's computeStride: the strides of a view of shape `shape`, or None."""
    if not old_shape:
        return [1] * len(shape)
    numel = 1
    for s in old_shape:
        numel *= s
    if numel == 0:
        return [1] * len(shape)  # nothing to address: any shape views
    strides = [0] * len(shape)
    view_d = len(shape) - 1
    chunk_base = old_strides[-1]
    tensor_numel = 1
    view_numel = 1
    for d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[d]
        if d == 0 or (old_shape[d - 1] != 1 and old_strides[d - 1] != tensor_numel * chunk_base):
            while view_d >= 0 and (view_numel < tensor_numel or shape[view_d] == 1):
                strides[view_d] = view_numel * chunk_base
                view_numel *= shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                chunk_base = old_strides[d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return strides


# numpy's axis / keepdims beside dim / keepdim, for the signatures above that lack them
for _name in ("squeeze", "unsqueeze", "unflatten", "unbind", "select", "split", "chunk",
              "tensor_split"):  # fmt: skip
    globals()[_name] = _numpy_names(globals()[_name])
