"""Reductions: sum, amax (max/min), prod, log_softmax and the negative log-likelihood. Each
backward spreads grad back over the reduced dims."""

import math

from autograd import function as _function
from autograd.function import Function
from autograd.grad_mode import state as _grad
from autograd.tensor import _wrap
from backends import dtypes


class _Primitive(Function):
    _builtin = True


def _keepdim_shape(shape, dims):
    """The shape a reduction over dims has with keepdim=True."""
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _unreduce(grad, shape, dims):
    """Broadcast a reduction's gradient back to the input's shape."""
    keep = _keepdim_shape(shape, dims)
    if grad.shape != keep:
        grad = Reshape.apply(grad, keep)
    return grad if keep == shape else Expand.apply(grad, shape)


def _empty_error(op, x, dims):
    # PyTorch: RuntimeError when no dim is given, IndexError when a given dim is empty
    return (RuntimeError if dims is None else IndexError)(
        f"{op}(): cannot reduce over a zero-size dim (input shape {tuple(x.shape)}, dims {dims}); "
        "specify a dim of non-zero size"
    )


class Sum(_Primitive):
    """y = sum_i x_i over dims.  dy/dx_i = 1."""

    @staticmethod
    def forward(ctx, x, dims=None, keepdim=False):
        ctx.shape = x.shape
        ctx.dims = dims
        a = x.array
        if a.dtype.kind == "f" and a.dtype.itemsize < 4:
            # float16 accumulates in float32 and rounds once, as PyTorch (numpy rounds each step)
            return a.sum(axis=dims, keepdims=keepdim, dtype="float32").astype(a.dtype)
        return a.sum(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx.shape, ctx.dims), None, None

    @staticmethod
    def jvp(tangents, out, x, dims=None, keepdim=False):
        return Sum.apply(tangents[0], dims, keepdim)


class Var(_Primitive):
    """y = sum (x - mean)^2 / (n - c) over dims.  dy/dx = 2 (x - mean) / (n - c).

    A primitive so the gradient is PyTorch's formula: through the composition, the mean's
    own path (analytically 0) turns one infinite element into nan everywhere. The rule is in
    Tensor ops, mean included, so second derivatives stay exact."""

    @staticmethod
    def forward(ctx, x, dims=None, correction=1, keepdim=False):
        ctx.save_for_backward(x)
        ctx.dims = dims
        ctx.shape = x.shape
        a = x.array
        n = _count(a.shape, dims)
        ctx.scale = 2 / (n - correction) if n > correction else math.inf
        wide = "float32" if a.dtype.itemsize < 4 else None  # float16 accumulates in float32
        d = a - a.mean(axis=dims, keepdims=True, dtype=wide)
        out = (d * d).sum(axis=dims, keepdims=keepdim, dtype=wide)
        out = out / max(n - correction, 0) if n > correction else out * math.nan
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return (
            _unreduce(grad, ctx.shape, ctx.dims) * _dvar(x, ctx.dims, ctx.scale),
            None,
            None,
            None,
        )

    @staticmethod
    def jvp(tangents, out, x, dims=None, correction=1, keepdim=False):
        """ẏ = sum ẋ 2 (x - mean) / (n - c)."""
        n = _count(x.shape, dims)
        scale = 2 / (n - correction) if n > correction else math.inf
        return Sum.apply(tangents[0] * _dvar(x, dims, scale), dims, keepdim)


def _dvar(x, dims, scale):
    """2 (x - mean) / (n - c), the mean kept in the graph for second derivatives."""
    mean = Sum.apply(x, dims, True) / _count(x.shape, dims)
    return (x - mean) * scale


def _count(shape, dims):
    n = 1
    for d in range(len(shape)) if dims is None else dims:
        n *= shape[d]
    return n


class Amax(_Primitive):
    """y = max over dims.  dy/dx_i = 1/k for the k elements tied at the max, else 0 (PyTorch)."""

    _saves_output = True
    _name = "max"

    @classmethod
    def forward(cls, ctx, x, dims=None, keepdim=False):
        ctx.save_for_backward(x)
        ctx.dims = dims
        a = x.array
        if a.size == 0:
            # Empty only along kept dims: an empty result, as PyTorch (numpy refuses).
            if any(a.shape[d] == 0 for d in (range(a.ndim) if dims is None else dims)):
                raise _empty_error(cls._name, x, dims)
            out = x.xp.empty(_keepdim_shape(a.shape, dims), dtype=a.dtype)
        else:
            out = getattr(a, cls._name)(axis=dims, keepdims=True)
        ctx.out = out
        return out if keepdim else out.reshape(_reduced_shape(a.shape, dims))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        hit = x.array == ctx.out
        weight = hit / hit.sum(axis=ctx.dims, keepdims=True)
        return (
            _unreduce(grad, x.shape, ctx.dims) * _wrap(weight.astype(grad.dtype), x._backend),
            None,
            None,
        )

    @staticmethod
    def jvp(tangents, out, x, dims=None, keepdim=False):
        """ẏ = the mean of ẋ over the elements tied at the max."""
        hit = x.array == out.array.reshape(_keepdim_shape(x.shape, dims))
        weight = hit / hit.sum(axis=dims, keepdims=True)
        tx = tangents[0]
        return Sum.apply(tx * _wrap(weight.astype(tx.dtype), x._backend), dims, keepdim)


class Amin(Amax):
    """y = min over dims.  dy/dx_i = 1/k for the k elements tied at the min, else 0 (PyTorch).
    Its own reduction, not -max(-x): negation wraps unsigned integers and fails on bool."""

    _name = "min"


class LogSoftmax(_Primitive):
    """y = x - log sum_j e^(x_j) along dim, shifted by the max so nothing overflows.
    dy/dx: grad - softmax(x) sum(grad), with softmax(x) = e^y.

    A primitive for speed and accuracy: one pass instead of six ops, and y computed from
    x - max directly (PyTorch's kernel does the same).
    """

    _saves_output = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.save_for_backward(x)
        ctx.dim = dim
        if x.array.dtype.kind != "f":
            raise NotImplementedError(
                f"\"log_softmax\" not implemented for '{dtypes.torch_name(x.array.dtype)}'"
            )
        ctx.out = out = _log_softmax(x.xp, x.array, dim)
        return out

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        dim = ctx.dim
        # y recomputed when the backward is recorded or carries tangents (see elementwise)
        if _grad.enabled or _function._dual_level is not None:
            y = LogSoftmax.apply(x, dim)
        else:
            y = _wrap(ctx.out, x._backend)
        return LogSoftmaxGrad.apply(grad, y, dim), None

    @staticmethod
    def jvp(tangents, out, x, dim):
        """dy = dx - sum(softmax(x) dx) along dim."""
        (tx, _) = tangents
        recorded = _grad.enabled and (out.requires_grad or tx.requires_grad)
        y = LogSoftmax.apply(x, dim) if recorded else out  # see elementwise._own
        return tx - Sum.apply(y.exp() * tx, _as_dims(dim), True)


class LogSoftmaxGrad(_Primitive):
    """z = g - e^y sum(g) along dim, log_softmax's backward as one op (y its output).
    dz/dg: u - sum(u e^y), dz/dy: -u e^y sum(g), for an upstream gradient u."""

    @staticmethod
    def forward(ctx, g, y, dim):
        ctx.save_for_backward(g, y)
        ctx.dim = dim
        a = g.array
        return a - g.xp.exp(y.array) * a.sum(axis=dim, keepdims=True)

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        ng, ny, _ = ctx.needs_input_grad
        dims = _as_dims(ctx.dim)
        p = y.exp()
        gg = grad - Sum.apply(grad * p, dims, True) if ng else None
        gy = -grad * p * Sum.apply(g, dims, True) if ny else None
        return gg, gy, None

    @staticmethod
    def jvp(tangents, out, g, y, dim):
        """ż = ġ - e^y sum(ġ) - e^y ẏ sum(g)."""
        tg, ty, _ = tangents
        tz = None if tg is None else LogSoftmaxGrad.apply(tg, y, dim)
        if ty is not None:
            term = -(y.exp() * ty) * Sum.apply(g, _as_dims(dim), True)
            tz = term if tz is None else tz + term
        return tz


def _log_softmax(xp, a, dim):
    """log_softmax of array a along dim. A row holding +inf, or only -inf, comes out all nan,
    as in PyTorch."""
    if a.size == 0:
        return a.copy()
    out = a - a.max(axis=dim, keepdims=True)
    out -= xp.log(xp.exp(out).sum(axis=dim, keepdims=True))
    return out


def _as_dims(dim):
    return None if dim is None else (dim,)


# --------------------------------------------------------------------------- class-index losses
# Scores or log-probabilities x of shape (N, C, d1, ...), or (C,), and class indices y of shape
# (N, d1, ...), or (). loss = -w[y] log p[y], w the class weights (1 without them), 0 where y is
# ignore_index; summed ('sum'), averaged by sum w[y] ('mean') or kept per target ('none').


def _targets(xp, a, target, weight, ignore_index):
    """(full, w): a[full] are the targets' entries, shaped (N, 1, d1, ...), and w their
    weights, or None when all are 1 (no class weights, no target ignored: the usual case).
    Raises IndexError for a target that is not a class."""
    class_dim = 1 if a.ndim > 1 else 0
    n_classes = a.shape[class_dim]
    # Usually every target is a class and none is ignored: their min and max tell.
    lo, hi = (target.min(), target.max()) if target.size else (0, 0)
    counted = target != ignore_index if lo <= ignore_index <= hi else None
    if lo < 0 or hi >= n_classes:
        bad = (target < 0) | (target >= n_classes)
        if counted is not None:
            bad &= counted
        if bad.any():
            raise IndexError(f"Target {target[bad].flat[0]} is out of bounds.")
    safe = target if counted is None else xp.where(counted, target, 0)  # ignored: class 0
    index = safe.reshape(safe.shape[:class_dim] + (1,) + safe.shape[class_dim:])
    full = _along(index, class_dim, xp)
    w = None if weight is None else weight.array[index].astype(a.dtype, copy=False)
    if counted is not None:
        mask = counted.reshape(index.shape)
        w = mask.astype(a.dtype) if w is None else w * mask
    return full, w


def _nll(ctx, picked, w, reduction, target_shape):
    """The loss from the targets' log-probabilities `picked`; keeps in ctx what the backward
    needs: coef = d loss / d picked, and the reduction."""
    if w is not None:
        picked = picked * w
    total = 1
    # float16 sums (and divides by the count, which may not fit it) in float32, as PyTorch
    wide = "float32" if picked.dtype.itemsize < 4 else None
    if reduction == "mean":
        total = picked.size if w is None else w.sum(dtype=wide)
        loss = (-picked.sum(dtype=wide) / total).astype(picked.dtype)  # 0/0 = nan, as PyTorch
    elif reduction == "sum":
        loss = -picked.sum(dtype=wide).astype(picked.dtype)
    else:
        loss = -picked.reshape(target_shape)
    ctx.coef = -1 / total if w is None else -w / total
    ctx.picked_shape = picked.shape
    ctx.reduction = reduction
    return loss


def _spread(grad, ctx):
    """The loss's gradient shaped to broadcast over the targets' entries: per target for
    'none', (N, 1, d1, ...); a 0-d gradient as it is."""
    return Reshape.apply(grad, ctx.picked_shape) if ctx.reduction == "none" else grad


def _dense(xp, shape, dtype, full, value):
    """zeros(shape) with value at x[full] (one entry per target, so no repeats)."""
    out = xp.zeros(shape, dtype=dtype)
    out[full] = value
    return out


class NLLLoss(_Primitive):
    """loss = -w[y] x[y] for log-probabilities x (see above).
    dloss/dx = -w[y] (/ sum w[y] for the mean) at each target's entry, 0 elsewhere.

    A primitive for speed: checking the targets, picking, weighting and reducing are one
    node on the arrays, instead of a dozen ops on tensors.
    """

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        a = x.array
        full, w = _targets(x.xp, a, target, weight, ignore_index)
        ctx.full = full
        ctx.shape = a.shape
        ctx.dtype = a.dtype
        return _nll(ctx, a[full], w, reduction, target.shape)

    @staticmethod
    def backward(ctx, grad):
        dense = _dense(grad.xp, ctx.shape, ctx.dtype, ctx.full, ctx.coef)
        return _spread(grad, ctx) * _wrap(dense, grad._backend), None, None, None, None

    @staticmethod
    def jvp(tangents, out, x, target, weight, ignore_index, reduction):
        """Linear in x: the same loss of the tangent."""
        return NLLLoss.apply(tangents[0], target, weight, ignore_index, reduction)


class CrossEntropy(_Primitive):
    """loss = NLLLoss(log_softmax(x)) along the class dim, for scores x (see above).
    dloss/dx = -coef (softmax(x) - onehot(y)), coef = -w[y] (/ sum w[y] for the mean).

    A primitive for speed: one node for log_softmax and nll_loss, whose backward is one op
    (CrossEntropyGrad) instead of a scatter and log_softmax's backward.
    """

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        ctx.save_for_backward(x)
        xp = x.xp
        dim = 1 if x.ndim > 1 else 0
        logp = _log_softmax(xp, _floating(x), dim)
        full, w = _targets(xp, logp, target, weight, ignore_index)
        ctx.dim = dim
        ctx.logp = logp
        ctx.full = full
        return _nll(ctx, logp[full], w, reduction, target.shape)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # log_softmax recomputed when the backward is recorded or carries tangents
        if _grad.enabled or _function._dual_level is not None:
            y = LogSoftmax.apply(x, ctx.dim)
        else:
            y = _wrap(ctx.logp, x._backend)
        gx = CrossEntropyGrad.apply(_spread(grad, ctx), y, ctx.full, ctx.coef)
        return gx, None, None, None, None

    @staticmethod
    def jvp(tangents, out, x, target, weight, ignore_index, reduction):
        """The loss's tangent: NLLLoss of log_softmax's tangent."""
        tx = tangents[0]
        dim = 1 if x.ndim > 1 else 0
        ty = LogSoftmax.jvp([tx, None], LogSoftmax.apply(x, dim), x, dim)
        return NLLLoss.apply(ty, target, weight, ignore_index, reduction)


class CrossEntropyGrad(_Primitive):
    """z = (e^y - onehot) c with c = -coef g: the cross-entropy's backward as one op, from
    y = log_softmax(x), the loss's gradient g (0-d, or one per target) and coef = d loss /
    d y at the targets' entries y[full] (a number, or one per target).
    dz/dg: the sum of u (e^y - onehot) (-coef) over the classes (and over the targets for a
    0-d g); dz/dy: u c e^y, for an upstream gradient u."""

    @staticmethod
    def forward(ctx, g, y, full, coef):
        ctx.save_for_backward(g, y)
        ctx.full = full
        ctx.coef = coef
        c = g.array * -coef  # 0-d, or (N, 1, d1, ...): spreads over the classes
        z = y.xp.exp(y.array)
        z *= c
        z[full] -= c
        return z

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        ng, ny = ctx.needs_input_grad[:2]
        minus_coef = _as_tensor(-ctx.coef, y)
        p = y.exp()
        gg = gy = None
        if ng:
            onehot = _wrap(_dense(y.xp, y.shape, y.dtype, ctx.full, 1), y._backend)
            class_dim = (1 if y.ndim > 1 else 0,)
            gg = Sum.apply(grad * (p - onehot), class_dim, True) * minus_coef
            gg = Sum.apply(gg, None, False) if g.ndim == 0 else gg
        if ny:
            gy = grad * (g * minus_coef) * p
        return gg, gy, None, None

    @staticmethod
    def jvp(tangents, out, g, y, full, coef):
        """ż = (e^y - onehot) (-coef) ġ + c e^y ẏ."""
        tg, ty = tangents[:2]
        minus_coef = _as_tensor(-coef, y)
        tz = None if tg is None else CrossEntropyGrad.apply(tg, y, full, coef)
        if ty is not None:
            term = (g * minus_coef) * y.exp() * ty
            tz = term if tz is None else tz + term
        return tz


def _as_tensor(value, like):
    """A number or array as a constant tensor of like's dtype and device."""
    return _wrap(like.xp.asarray(value, dtype=like.dtype), like._backend)


def _reduced_shape(shape, dims):
    if dims is None:
        return ()
    return tuple(s for i, s in enumerate(shape) if i not in dims)


class Prod(_Primitive):
    """y = prod_i x_i.  dy/dx_i = prod_{j != i} x_j."""

    @staticmethod
    def forward(ctx, x, dims=None, keepdim=False):
        ctx.save_for_backward(x)
        ctx.dims = dims
        ctx.keepdim = keepdim
        a = x.array
        # integers and bool multiply in int64, as PyTorch (numpy: uint64 for unsigned)
        dtype = "int64" if a.dtype.kind in "biu" else None
        if a.dtype.kind == "f" and a.dtype.itemsize < 4:
            return a.prod(axis=dims, keepdims=keepdim, dtype="float32").astype(a.dtype)
        return a.prod(axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        dims = ctx.dims
        if not x.ndim:  # y = x: PyTorch passes grad on (1.5 at x = inf, not 1.5 * inf / inf)
            return grad, None, None
        if not (x.array == 0).any():
            # out / x first, as PyTorch: grad * out overflows float16 (1.5 * 6e4) where
            # the ratio is 1
            out = Prod.apply(x, dims, True)
            return _unreduce(grad, x.shape, dims) * (out / x), None, None
        return _unreduce(grad, x.shape, dims) * _others_product(x, dims), None, None

    @staticmethod
    def jvp(tangents, out, x, dims=None, keepdim=False):
        """ẏ = sum_i ẋ_i prod_{j != i} x_j."""
        if not (x.array == 0).any():
            others = Prod.apply(x, dims, True) / x
        else:
            others = _others_product(x, dims)
        return Sum.apply(tangents[0] * others, dims, keepdim)


def _others_product(x, dims):
    """prod_{j != i} x_j for each i, without dividing (so zeros are fine), in Tensor ops."""
    ndim = x.ndim
    reduced = tuple(range(ndim)) if dims is None else dims
    kept = tuple(d for d in range(ndim) if d not in reduced)
    perm = kept + reduced
    xt = Permute.apply(x, perm) if perm != tuple(range(ndim)) else x
    lead = xt.shape[: len(kept)]
    n = 1
    for d in reduced:
        n *= x.shape[d]
    flat = Reshape.apply(xt, lead + (n,))  # (..., n)
    grid = Expand.apply(Reshape.apply(flat, lead + (1, n)), lead + (n, n))  # (..., n, n)
    eye = x.xp.eye(n, dtype=bool)
    one = _wrap(x.xp.ones((), dtype=x.dtype), x._backend)
    others = Prod.apply(Where.apply(eye, one, grid), (len(lead) + 1,), False)  # (..., n)
    others = Reshape.apply(others, xt.shape)
    inverse = tuple(perm.index(d) for d in range(ndim))
    return Permute.apply(others, inverse) if perm != tuple(range(ndim)) else others


from autograd.ops.elementwise import Where, _floating  # noqa: E402
from autograd.ops.index import _along  # noqa: E402
from autograd.ops.shape import Expand, Permute, Reshape  # noqa: E402
