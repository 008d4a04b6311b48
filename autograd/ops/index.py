"""Indexing primitives and their adjoints: reading scatters gradients back with a sum."""

from autograd.function import Function
from autograd.tensor import _shared_vc


class _Primitive(Function):
    _builtin = True


def _is_basic(index):
    """Only ints, slices, None and Ellipsis: no element can be selected twice."""
    items = index if isinstance(index, tuple) else (index,)
    return all(
        i is None or i is Ellipsis or isinstance(i, (int, slice)) and not isinstance(i, bool)
        for i in items
    )


def _index_error(op, x, index, exc):
    return IndexError(f"{op}: {exc} (tensor of shape {tuple(x.shape)}, index {index!r})")


class GetItem(_Primitive):
    """y = x[index].  dy/dx: grad scattered back into zeros, summing repeated indices."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape = x.shape
        ctx.index = index
        try:
            out = x.array[index]
        except (IndexError, ValueError, TypeError) as exc:
            raise _index_error("index", x, index, exc) from None
        if not isinstance(out, x._backend.array_type):
            # An int for every dim gives numpy a scalar copy; `...` makes it a 0-d view.
            out = x.array[(index if isinstance(index, tuple) else (index,)) + (Ellipsis,)]
        return out

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, ctx.index, ctx.shape), None

    @classmethod
    def apply(cls, x, index):
        out = super().apply(x, index)
        if _is_basic(index):
            out._vc = _shared_vc(x)  # a basic index is a view: in-place writes show through
        return out

    @staticmethod
    def jvp(tangents, out, x, index):
        return GetItem.apply(tangents[0], index)


class IndexAdd(_Primitive):
    """y = zeros(shape) with y[index] += x.  dy/dx = x's slots of grad: grad[index]."""

    @staticmethod
    def forward(ctx, x, index, shape):
        ctx.index = index
        out = x.xp.zeros(shape, dtype=x.dtype)
        if _is_basic(index):
            out[index] = x.array
        else:
            x._backend.scatter_add(out, index, x.array)
        return out

    @staticmethod
    def backward(ctx, grad):
        return GetItem.apply(grad, ctx.index), None, None

    @staticmethod
    def jvp(tangents, out, x, index, shape):
        return IndexAdd.apply(tangents[0], index, shape)


class SetItem(_Primitive):
    """y = x with y[index] = v.  dy/dx = grad with the slots zeroed; dy/dv = grad[index]."""

    @staticmethod
    def forward(ctx, x, value, index):
        ctx.index = index
        ctx.value_shape = getattr(value, "shape", ())
        out = x.array.copy()
        v = value.array if hasattr(value, "data") else value
        lead = 0
        while lead < getattr(v, "ndim", 0) and v.shape[lead] == 1:
            lead += 1
        if lead:  # leading ones never matter (PyTorch drops them; numpy only for basic indices)
            v = v.reshape(v.shape[lead:])
        try:
            out[index] = v
        except (IndexError, ValueError, TypeError) as exc:
            raise _index_error("index_put (x[index] = value)", x, index, exc) from None
        return out

    @staticmethod
    def backward(ctx, grad):
        from autograd.broadcast import sum_to

        nx, nv = ctx.needs_input_grad[:2]
        gx = SetItem.apply(grad, 0.0, ctx.index) if nx else None
        gv = None
        if nv:
            gv = GetItem.apply(grad, ctx.index)
            shape = ctx.value_shape
            if gv.ndim < len(shape):
                gv = gv.reshape((1,) * (len(shape) - gv.ndim) + gv.shape)
            gv = sum_to(gv, shape)
        return gx, gv, None

    @staticmethod
    def jvp(tangents, out, x, value, index):
        """ẏ = ẋ with ẏ[index] = v̇ (zeros where a side has no tangent)."""
        tx, tv = tangents[:2]
        if tx is None:
            from autograd.tensor import _wrap

            tx = _wrap(x.xp.zeros(x.shape, dtype=out.dtype), x._backend)
        return SetItem.apply(tx, 0.0 if tv is None else tv, index)


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


class Gather(_Primitive):
    """y[i][j] = x[index[i][j]][j] (dim 0).  dy/dx: grad scatter-added back at index."""

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
        n = x.shape[dim] if x.ndim else 1
        if index.size and (index.min() < 0 or index.max() >= n):
            # as PyTorch: no wrapping of negative indices (numpy would silently wrap -1)
            bad = index.min() if index.min() < 0 else index.max()
            raise RuntimeError(
                f"gather(): index {bad} is out of bounds for dimension {dim} with size {n} "
                f"(input shape {tuple(x.shape)}, index shape {tuple(index.shape)})"
            )
        full = _along(index, dim, x.xp)
        ctx.full = full
        return x.array[full]

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, ctx.full, ctx.shape), None, None

    @staticmethod
    def jvp(tangents, out, x, index, dim):
        return Gather.apply(tangents[0], index, dim)
