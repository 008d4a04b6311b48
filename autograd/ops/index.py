"""Indexing primitives and their adjoints: reading scatters gradients back with a sum.

PyTorch's indexing rule, which differs from numpy's where an int sits beside an array index:
an index tuple is applied in two steps. First the basic part (ints select, slices slice,
None and bools insert a dim) gives a view; then the array indices (integer arrays and the
nonzero positions of bool masks), each on its own dim of that view, gather. Ints are gone
before the second step, so they never count as array indices: `x[0, :, [0, 1]]` of shape
(2, 3, 4) is (3, 2), where numpy gives (2, 3). The second step is numpy's rule on an index
of slices and arrays only, where the two rules agree (the broadcast array dims stay in place
when the arrays are adjacent, else go first). `normalize` rewrites any index so.
"""

import numbers

from autograd._tensor import Tensor
from autograd.args import _dim
from autograd.function import Primitive
from autograd.inplace import inplace, register_view
from autograd.ops._util import xp_of
from backends import DeviceError, dtypes


class Advanced:
    """A normalised index with array indices: `basic` (ints, slices, None; a view) then
    `adv` (slices and int64 arrays in range, one per dim of that view)."""

    __slots__ = ("basic", "adv", "empty", "shape")

    def __init__(self, basic, adv):
        self.basic = basic
        self.adv = adv
        self.empty = False  # selects no element: reads give an empty result, writes nothing
        self.shape = None  # the shape of the result, once known

    def __repr__(self):
        return f"Advanced({self.basic!r}, {self.adv!r})"


_SEQUENCES = (list, tuple, range)


def _as_items(index):
    """The index as a tuple of items, as PyTorch reads it: a list holding a sequence, slice,
    tensor, None or Ellipsis is a tuple (numpy's old heuristic); other lists are arrays."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32:
        for i in index:
            if isinstance(i, _SEQUENCES + (slice, Tensor)) or i is None or i is Ellipsis:
                return tuple(index)
            if hasattr(i, "ndim") and hasattr(i, "dtype"):
                return tuple(index)
    return (index,)


def check_put(x, index, value):
    """PyTorch's index_put_ (x[index] = value with an array in the index) takes a value tensor
    of another dtype only as masked_fill_ does: one element, one mask and nothing else but
    slices. Anything else raises; the masked_fill_ case checks the value as a number."""
    items = _as_items(index)
    if len(items) == 1 and isinstance(items[0], bool):
        return  # x[True] = v copies, x[False] = v does nothing
    arrays = []
    for i in items:
        if isinstance(i, bool) or isinstance(i, _SEQUENCES):
            arrays.append(i)
        elif hasattr(i, "ndim") and hasattr(i, "dtype") and (i.ndim or i.dtype.kind == "b"):
            arrays.append(i)  # a 0-d integer array selects; a 0-d bool is an index array
    if not arrays:
        return
    mask = arrays[0]
    kind = getattr(mask, "dtype", None)
    if isinstance(mask, _SEQUENCES) and len(mask) and all(isinstance(b, bool) for b in mask):
        kind = dtypes.bool_  # a list of bools is a mask
    if (
        len(arrays) == 1
        and value.numel() == 1
        and kind is not None
        and kind.kind in "bu"
        and getattr(mask, "ndim", 1)
    ):
        dtypes.checked_number(value.item(), x.dtype)
        return
    raise RuntimeError(
        "Index put requires the source and destination dtypes match, got "
        f"{dtypes.torch_name(x.dtype)} for the destination and "
        f"{dtypes.torch_name(value.dtype)} for the source."
    )


def _is_int(i):
    if i.__class__ is int:
        return True
    return isinstance(i, numbers.Integral) and not isinstance(i, bool) and not hasattr(i, "ndim")


def _bad_item(i):
    return IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
        f"valid indices (got {type(i).__name__})"
    )


def normalize(index, shape, xp):
    """The index as PyTorch applies it: a tuple of basic items (ints in range, slices with a
    positive step, None), or an `Advanced` when it holds arrays or bools. Raises PyTorch's
    IndexError naming the index, dim and size for an out-of-range index."""
    cls = index.__class__
    if cls is Advanced:
        return index
    if cls is int:  # the hot cases first: x[i], x[a:b], x[i, :, None]
        if not shape:
            raise IndexError("too many indices for tensor of dimension 0")
        return (_in_range(index, 0, shape[0]),)
    if cls is slice or cls is tuple:
        basic = _basic(index if cls is tuple else (index,), shape)
        if basic is not None:
            return basic
    if cls is Tensor and index.ndim and index.dtype.kind == "i" and shape:
        fast = _take(index.array, shape, xp)  # x[idx]: an embedding's lookup
        if fast is not None:
            return fast
    items = list(_as_items(index))
    used = 0  # dims of the tensor the index consumes
    ellipsis = False
    for k, i in enumerate(items):
        if i is None or isinstance(i, bool):
            continue
        if i is Ellipsis:
            ellipsis = True
        elif i.__class__ is slice or i.__class__ is int:
            used += 1
        elif isinstance(i, (Tensor, list, tuple, range)) or hasattr(i, "ndim") or not _is_int(i):
            a = items[k] = _array(i, xp)
            # a mask takes as many dims as it has; a 0-d integer array selects, as an int
            used += a.ndim if a.dtype.kind == "b" or a.dtype == xp.uint8 else 1
        else:
            used += 1  # an integer that is not an int (numpy's)
    ndim = len(shape)
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    basic = []
    adv = []
    checks = []  # (position in adv, dim, size) of the integer arrays
    arrays = False
    dim = 0  # dim of the tensor
    vdim = 0  # dim of the view the basic part makes
    for i in items:
        if i is None:
            basic.append(None)
            adv.append(slice(None))
            vdim += 1
        elif i is Ellipsis:
            if ellipsis:  # the first one takes the dims the others leave (PyTorch)
                k = ndim - used
                basic.extend([slice(None)] * k)
                adv.extend([slice(None)] * k)
                dim += k
                vdim += k
                ellipsis = False
        elif isinstance(i, slice):
            for part in (i.start, i.stop, i.step):
                if part is not None and not _is_int(part):
                    raise TypeError(
                        "slice indices must be integers or None or have an __index__ method"
                    )
            if i.step == 0:
                raise ValueError("slice step cannot be zero")
            # a negative step (which PyTorch refuses) reverses, as in numpy: an extension
            basic.append(i)
            adv.append(slice(None))
            dim += 1
            vdim += 1
        elif not hasattr(i, "ndim") and not isinstance(i, bool):  # an int (or numpy's)
            basic.append(_in_range(int(i), dim, shape[dim]))
            dim += 1
        elif isinstance(i, bool) or _is_bool_scalar(i):
            # PyTorch: a new dim of size 1, indexed by [0] (True) or [] (False)
            basic.append(None)
            adv.append(xp.zeros(1 if bool(_scalar(i)) else 0, dtype=xp.int64))
            arrays = True
            vdim += 1
        else:
            a = i
            if a.dtype.kind == "b" or a.dtype == xp.uint8:
                k = a.ndim
                if tuple(a.shape) != tuple(shape[dim : dim + k]):
                    raise IndexError(
                        f"The shape of the mask {list(a.shape)} at index {vdim} does not match "
                        f"the shape of the indexed tensor {list(shape)} at index {dim}"
                    )
                basic.extend([slice(None)] * k)
                adv.extend(xp.nonzero(a))
                arrays = True
                dim += k
                vdim += k
            elif a.dtype not in (xp.int64, xp.int32) and not (
                a.dtype.kind in "iu" and a.dtype.itemsize == 8  # numpy's intp/uintp
            ):
                raise IndexError(
                    f"tensors used as indices must be long, int, byte or bool tensors "
                    f"(got {a.dtype})"
                )
            elif a.ndim == 0:
                basic.append(_in_range(a.item(), dim, shape[dim]))
                dim += 1
            else:
                checks.append((len(adv), dim, shape[dim]))
                basic.append(slice(None))
                adv.append(a.astype(xp.int64, copy=False))
                arrays = True
                dim += 1
                vdim += 1
    if not arrays:
        return tuple(basic)
    shapes = [a.shape for a in adv if not isinstance(a, slice)]
    try:
        replaced = _broadcast(shapes)
    except ValueError:
        raise IndexError(
            "shape mismatch: indexing tensors could not be broadcast together with shapes "
            + ", ".join(str(list(s)) for s in shapes)
        ) from None
    if 0 not in replaced and any(n == 0 for _, _, n in checks):
        # As PyTorch: no integer indexes a dim of size 0, even where nothing is read
        raise IndexError("index is out of bounds for dimension with size 0")
    index = Advanced(tuple(basic), tuple(adv))
    size = 1
    for s in result_shape(index, shape, xp):
        size *= s
    if size == 0:
        # Nothing is read or written: PyTorch checks no bounds then (nor can numpy index).
        index.empty = True
        return index
    for k, dim, n in checks:
        a = adv[k]
        lo = a.min().item()  # explicit syncs: a device index is checked on the host
        hi = a.max().item()
        if lo < -n or hi >= n:
            bad = hi if hi >= n else lo
            e = _out_of_bounds(bad, dim, n)
            # marked with the index, whose shape is known: a setitem checks its value's
            # shape, then dtypes, before an index array's bounds (index_put_'s order)
            e.index = index
            raise e
        if lo < 0:
            adv[k] = xp.where(a < 0, a + n, a)
    while adv and isinstance(adv[-1], slice):  # trailing full slices select nothing
        adv.pop()
    index.adv = tuple(adv)
    return index


_NONE = type(None)
_ELLIPSIS = type(Ellipsis)


def _basic(items, shape):
    """items if they are only ints, slices (of int bounds), None and one Ellipsis, after
    checking them; None to send anything else down the general path."""
    used = 0
    ellipsis = False
    for i in items:
        cls = i.__class__
        if cls is int or cls is slice:
            used += 1
        elif cls is _ELLIPSIS:
            if ellipsis:
                return None
            ellipsis = True
        elif cls is not _NONE:
            return None
    ndim = len(shape)
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    dim = 0
    for i in items:
        cls = i.__class__
        if cls is int:
            _in_range(i, dim, shape[dim])
            dim += 1
        elif cls is slice:
            for part in (i.start, i.stop, i.step):
                if part is not None and part.__class__ is not int:
                    return None
            if i.step == 0:
                raise ValueError("slice step cannot be zero")
            dim += 1
        elif cls is _ELLIPSIS:
            dim += ndim - used
    if ellipsis:  # spelled out: the ops append their own `...`
        k = items.index(Ellipsis)
        items = items[:k] + (slice(None),) * (ndim - used) + items[k + 1 :]
    return items


def _take(a, shape, xp):
    """x[a] for an int32/int64 array a of at least one dim and a non-empty result. numpy
    checks its bounds and wraps negatives as PyTorch does (`_numpy_bounds` rewords)."""
    if a.dtype != xp.int64 and a.dtype != xp.int32 or not a.size or 0 in shape[1:]:
        return None
    if not shape[0]:  # as the general path: PyTorch refuses it before anything else
        raise IndexError("index is out of bounds for dimension with size 0")
    index = Advanced((), (xp.asarray(a),))
    index.shape = tuple(a.shape) + tuple(shape[1:])
    return index


def _in_range(i, dim, n):
    if not -n <= i < n:
        raise _out_of_bounds(i, dim, n)
    return i


def _out_of_bounds(i, dim, n):
    """PyTorch's IndexError for an index past a non-empty dim."""
    return IndexError(f"index {i} is out of bounds for dimension {dim} with size {n}")


def _scalar(i):
    return i.array.item() if isinstance(i, Tensor) else i.item() if hasattr(i, "item") else i


def _is_bool_scalar(i):
    """A 0-d bool (or uint8, PyTorch's old mask dtype) tensor or array."""
    dtype = getattr(i, "dtype", None)
    return dtype is not None and getattr(i, "ndim", 1) == 0 and dtype.kind in "bu"


def _array(i, xp):
    """An index item as an array on xp (lists as PyTorch reads them: [] is int64)."""
    if isinstance(i, Tensor):
        i = i.array
    if isinstance(i, _SEQUENCES):
        i = _CPU_XP.asarray(i) if len(i) else _CPU_XP.zeros(0, dtype=_CPU_XP.int64)
        if i.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    elif not (hasattr(i, "dtype") and hasattr(i, "ndim")):
        raise _bad_item(i)
    return xp.asarray(i)


def _basic_shape(basic, shape):
    """The shape of x[basic] for ints, slices, None and at most one Ellipsis."""
    out = []
    dim = 0
    used = sum(1 for i in basic if i is not None and i is not Ellipsis)
    for i in basic:
        if i is None:
            out.append(1)
        elif i is Ellipsis:
            k = len(shape) - used
            out.extend(shape[dim : dim + k])
            dim += k
        elif i.__class__ is slice:
            out.append(len(range(*i.indices(shape[dim]))))
            dim += 1
        else:
            dim += 1
    out.extend(shape[dim:])
    return tuple(out)


def _broadcast(shapes):
    """numpy's broadcast of shapes (ValueError where they do not broadcast)."""
    n = max(len(s) for s in shapes)
    out = [1] * n
    for s in shapes:
        for k, v in enumerate(s, n - len(s)):
            if v != 1:
                if out[k] != 1 and out[k] != v:
                    raise ValueError(f"shapes {shapes} do not broadcast")
                out[k] = v
    return tuple(out)


def result_shape(index, shape, xp):
    """The shape x[index] has, for a normalised index, without indexing."""
    if index.__class__ is not Advanced:
        return _basic_shape(index, shape)
    if index.shape is not None:
        return index.shape
    view = _basic_shape(index.basic, shape)
    adv = index.adv
    where = [d for d, a in enumerate(adv) if not isinstance(a, slice)]
    arrays = _broadcast([adv[d].shape for d in where])
    rest = [s for d, s in enumerate(view) if d not in where]
    if where[-1] - where[0] + 1 == len(where):  # adjacent: the array dims stay in place
        out = tuple(rest[: where[0]]) + tuple(arrays) + tuple(rest[where[0] :])
    else:
        out = tuple(arrays) + tuple(rest)
    index.shape = out
    return out


def _numpy_bounds(exc):
    """numpy's out-of-bounds error in PyTorch's words."""
    return IndexError(str(exc).replace(" axis ", " dimension "))


def _index_error(op, x, index, exc):
    return IndexError(f"{op}: {exc} (tensor of shape {tuple(x.shape)}, index {index!r})")


def _view(array, index):
    """array[index] for a normalised index: a view where the index is basic."""
    if index.__class__ is Advanced:
        if index.empty:
            return array.reshape(-1)[:0].reshape(index.shape)
        return array[index.basic + (Ellipsis,)][index.adv]
    return array[index + (Ellipsis,)]  # `...` keeps an int-only index a 0-d view


class GetItem(Primitive):
    """y = x[index].  dy/dx: grad scattered back into zeros, summing repeated indices."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape = x.shape
        ctx.index = index
        try:
            return _view(x.array, index)
        except IndexError as exc:
            raise _numpy_bounds(exc) from None

    @staticmethod
    def kernel(a, index):
        return _view(a, normalize(index, a.shape, xp_of(a)))

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.call(grad, ctx.index, ctx.shape), None

    @classmethod
    def apply(cls, x, index):
        index = normalize(index, x.shape, x.xp)
        out = super().apply(x, index)
        if index.__class__ is not Advanced:
            register_view(x, out, GetItem, (index,))  # a basic index is a view
        return out

    @staticmethod
    def jvp(ctx, tx, _):
        return GetItem.apply(tx, ctx.args[1])


class IndexAdd(Primitive):
    """y = zeros(shape) with y[index] += x.  dy/dx = x's slots of grad: grad[index]."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, index, shape):
        index = normalize(index, shape, x.xp)
        ctx.index = index
        return IndexAdd.kernel(x.array, index, shape)

    @staticmethod
    def kernel(a, index, shape):
        backend = backend_of(a)
        index = normalize(index, shape, backend.xp)
        out = backend.xp.zeros(shape, dtype=a.dtype)
        if index.__class__ is Advanced:
            if index.empty:
                return out
            # np.add.at: repeated indices sum (index_put_ with accumulate=True)
            backend.scatter_add(out[index.basic + (Ellipsis,)], index.adv, a)
        else:
            out[index + (Ellipsis,)] = a
        return out

    @staticmethod
    def backward(ctx, grad):
        return GetItem.call(grad, ctx.index), None, None

    @staticmethod
    def jvp(ctx, tx, *_):
        return IndexAdd.apply(tx, *ctx.args[1:])


class SetItem(Primitive):
    """y = x with y[index] = v.  dy/dx = grad with the slots zeroed; dy/dv = grad[index].

    As PyTorch's index_put_: v broadcasts to the shape of x[index] after its leading ones
    are dropped; a repeated index keeps the last write, and every copy of v gets its gradient.
    """

    _array_rule = True

    @staticmethod
    def forward(ctx, x, value, index):
        index = normalize(index, x.shape, x.xp)
        ctx.index = index
        ctx.value_shape = getattr(value, "shape", ())
        out = x.array.copy()
        SetItem.write(out, value, index)
        return out

    @staticmethod
    def kernel(a, value, index):
        xp = xp_of(a)
        out = xp.asarray(a).copy()  # asarray: 0-d math may have handed over a numpy scalar
        SetItem.write(out, value, normalize(index, a.shape, xp))
        return out

    @staticmethod
    def write(out, value, index):
        """out[index] = value in place, with PyTorch's broadcast of the value."""
        if isinstance(value, Tensor):
            v = value.array
        elif out.dtype != dtypes.float16:  # PyTorch lets a float16 slot take 70000 as inf
            v = dtypes.checked_number(value, out.dtype)  # uint8 takes -1, not -1.5 or nan
        else:
            v = value
        _check_value_shape(v, result_shape(index, out.shape, None))
        vshape = tuple(getattr(v, "shape", ()))
        lead = 0
        while lead < len(vshape) and vshape[lead] == 1:
            lead += 1
        if lead:  # leading ones never matter (PyTorch drops them)
            v = v.reshape(vshape[lead:])
        if index.__class__ is Advanced:
            if not index.empty:
                try:
                    out[index.basic + (Ellipsis,)][index.adv] = v
                except IndexError as exc:
                    raise _numpy_bounds(exc) from None
        else:
            out[index + (Ellipsis,)] = v

    @staticmethod
    def backward(ctx, grad):
        from autograd.ops.shape import Reshape, sum_to

        nx, nv = ctx.needs_input_grad[:2]
        gx = SetItem.call(grad, 0.0, ctx.index) if nx else None
        gv = None
        if nv:
            gv = GetItem.call(grad, ctx.index)
            shape = ctx.value_shape
            if gv.ndim < len(shape):
                gv = Reshape.call(gv, (1,) * (len(shape) - gv.ndim) + gv.shape)
            gv = sum_to(gv, shape)
        return gx, gv, None

    @staticmethod
    def jvp(ctx, tx, tv, _):
        """ẏ = ẋ with ẏ[index] = v̇ (zeros where a side has no tangent)."""
        x, _, index = ctx.args
        if tx is None:
            tx = x.new_zeros(x.shape, dtype=ctx.output.dtype)
        return SetItem.apply(tx, 0.0 if tv is None else tv, index)


def _broadcasts(shape, target):
    return len(shape) <= len(target) and all(
        s == t or s == 1 for s, t in zip(shape[::-1], target[::-1])
    )


def _along(index, dim, xp):
    """The full advanced index that picks index[...] along dim and the same position elsewhere."""
    xp_index = []
    for d in range(index.ndim):
        if d == dim:
            xp_index.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = index.shape[d]
            xp_index.append(xp.arange(index.shape[d]).reshape(shape))
    return tuple(xp_index)


class Gather(Primitive):
    """y[i][j] = x[index[i][j]][j] (dim 0).  dy/dx: grad scatter-added back at index."""

    _saved_attrs = ("full",)
    _array_rule = True

    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.shape = x.shape
        for d, (s, n) in enumerate(zip(index.shape, x.shape)):
            if d != dim and s > n:
                raise RuntimeError(
                    f"gather(): Size does not match at dimension {d} expected index "
                    f"{tuple(index.shape)} to be smaller than self {tuple(x.shape)} apart from "
                    f"dimension {dim}"
                )
        n = x.shape[dim] if x.ndim else 1  # a 0-d tensor gathers as one of size 1
        if index.size:
            # numpy would wrap a negative index to the end; torch refuses it, and any >= n
            lo, hi = index.min().item(), index.max().item()
            if lo < 0 or hi >= n:
                bad = lo if lo < 0 else hi
                raise RuntimeError(
                    f"gather(): index {bad} is out of bounds for dimension {dim} with size {n}"
                )
        full = _along(index, dim, x.xp)
        ctx.full = full
        return x.array[full]

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.call(grad, ctx.full, ctx.shape), None, None

    @staticmethod
    def jvp(ctx, tx, *_):
        return Gather.apply(tx, *ctx.args[1:])


# --------------------------------------------------------------------------- Tensor's methods


def setitem(x, index, value):
    if index is False:
        return  # PyTorch: x[False] = v writes nothing and checks nothing
    if not isinstance(value, (Tensor, int, float, bool)):
        value = Tensor(value, device=x.device)
    elif isinstance(value, Tensor) and value._backend is not x._backend:
        value = value.to(x.device)  # x[i] = t copies across devices, as torch's
    elif not isinstance(value, (Tensor, bool)) and x.dtype != dtypes.float16:
        dtypes.checked_number(value, x.dtype)  # PyTorch converts the value before indexing
    mixed = isinstance(value, Tensor) and value.dtype != x.dtype
    try:
        normalized = normalize(index, x.shape, x.xp)
    except IndexError as e:  # PyTorch: the index's form, the value's shape, dtypes, bounds
        if getattr(e, "index", None) is not None:  # an index array's bound: index_put_'s
            _check_value_shape(value, result_shape(e.index, x.shape, None))
            if mixed:
                check_put(x, index, value)
        raise  # an int's bound: PyTorch selects with it first
    if mixed:
        _check_value_shape(value, result_shape(normalized, x.shape, None))
        check_put(x, index, value)
    inplace(x, SetItem, value, normalized)


def _check_value_shape(value, target):
    """PyTorch's RuntimeError for a value that does not broadcast to x[index]'s shape (its
    leading ones never matter)."""
    vshape = tuple(getattr(value, "shape", ()))
    lead = 0
    while lead < len(vshape) and vshape[lead] == 1:
        lead += 1
    if not _broadcasts(vshape[lead:], target):
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast to "
            f"indexing result of shape {list(target)}"
        )


def index_array(index, x, op, names=("the index", "self")):
    """An index tensor (or list) as an integer array on x's device; PyTorch's errors for an
    index on another device (naming index and x as `names` do) or of a non-integer dtype."""
    if isinstance(index, Tensor) and index._backend is not x._backend:
        raise DeviceError(
            f"{op}(): expected all tensors on the same device, but {names[0]} is on "
            f"{index.device} and {names[1]} on {x.device}"
        )
    a = index.array if isinstance(index, Tensor) else x.xp.asarray(index)
    if a.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {a.dtype}")
    return a


def gather(input, dim, index):
    """out[i][j][k] = input[index[i][j][k]][j][k] for dim=0, as torch.gather."""
    d = _dim(dim, input.ndim, "gather")
    idx = index_array(index, input, "gather", ("argument 2 (index)", "argument 0 (input)"))
    if idx.ndim != input.ndim:
        raise RuntimeError(
            f"gather(): Index tensor must have the same number of dimensions as input tensor "
            f"(index shape {tuple(idx.shape)}, input shape {tuple(input.shape)})"
        )
    return Gather.apply(input, idx, d)


from backends import backend_of, get_backend  # noqa: E402

_CPU_XP = get_backend("cpu").xp
