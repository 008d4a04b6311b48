"""The class-index losses: nll_loss and cross_entropy as primitives, and cross-entropy's
backward as one op. (binary_cross_entropy and its logits form are elementwise: see
ops/elementwise.py.)"""

from autograd.function import Primitive
from autograd.ops._util import like, output_of, xp_of
from autograd.ops.elementwise import Exp, _floating
from autograd.ops.index import _along
from autograd.ops.reduce import LogSoftmax, _log_softmax, _log_softmax_tangent
from autograd.ops.shape import Reshape, Sum

# Scores or log-probabilities x of shape (N, C, d1, ...), or (C,), and class indices y of shape
# (N, d1, ...), or (). loss = -w[y] log p[y], w the class weights (1 without them), 0 where y is
# ignore_index; summed ('sum'), averaged by sum w[y] ('mean') or kept per target ('none').


def _targets(xp, a, target, weight, ignore_index):
    """(full, w): a[full] are the targets' entries, shaped (N, 1, d1, ...), and w their
    weights, or None when all are 1 (no class weights, no target ignored: the usual case).
    Raises IndexError for a target that is not a class."""
    class_dim = 1 if a.ndim > 1 else 0
    n_classes = a.shape[class_dim]
    # Usually every target is a class and none is ignored: their min and max tell; or, for
    # an ignore_index that is no class, the max alone of the targets read as unsigned (a
    # negative one reads as a huge number): below n_classes, all are classes, none ignored.
    if not target.size:
        lo = hi = 0
    elif not 0 <= ignore_index < n_classes and _unsigned(target).max().item() < n_classes:
        lo = hi = 0
    else:
        lo, hi = target.min().item(), target.max().item()
    counted = target != ignore_index if lo <= ignore_index <= hi else None
    if lo < 0 or hi >= n_classes:
        bad = (target < 0) | (target >= n_classes)
        if counted is not None:
            bad &= counted
        if bad.any().item():
            raise IndexError(f"Target {target[bad].reshape(-1)[0].item()} is out of bounds.")
    safe = target if counted is None else xp.where(counted, target, 0)  # ignored: class 0
    index = safe.reshape(safe.shape[:class_dim] + (1,) + safe.shape[class_dim:])
    full = _along(index, class_dim, xp)
    w = None if weight is None else weight.array[index].astype(a.dtype, copy=False)
    if counted is not None:
        mask = counted.reshape(index.shape)
        w = mask.astype(a.dtype) if w is None else w * mask
    return full, w


def _unsigned(target):
    """An integer array's bits read as the unsigned integers of its width (a view)."""
    return target if target.dtype.kind == "u" else target.view(f"u{target.dtype.itemsize}")


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
    return Reshape.call(grad, ctx.picked_shape) if ctx.reduction == "none" else grad


def _dense(xp, shape, dtype, full, value):
    """zeros(shape) with value at x[full] (one entry per target, so no repeats)."""
    out = xp.zeros(shape, dtype=dtype)
    out[full] = value
    return out


class NLLLoss(Primitive):
    """loss = -w[y] x[y] for log-probabilities x (see above).
    dloss/dx = -w[y] (/ sum w[y] for the mean) at each target's entry, 0 elsewhere.

    A primitive for speed: checking the targets, picking, weighting and reducing are one
    node on the arrays, instead of a dozen ops on tensors.
    """

    _array_rule = True
    _saved_attrs = ("full", "coef")

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
        dense = _dense(xp_of(grad), ctx.shape, ctx.dtype, ctx.full, ctx.coef)
        return _spread(grad, ctx) * like(dense, grad), None, None, None, None

    @staticmethod
    def jvp(ctx, tx, *_):
        """Linear in x: the same loss of the tangent."""
        return NLLLoss.apply(tx, *ctx.args[1:])


class CrossEntropy(Primitive):
    """loss = NLLLoss(log_softmax(x)) along the class dim, for scores x (see above).
    dloss/dx = -coef (softmax(x) - onehot(y)), coef = -w[y] (/ sum w[y] for the mean).

    A primitive for speed: one node for log_softmax and nll_loss, whose backward is one op
    (CrossEntropyGrad) instead of a scatter and log_softmax's backward.
    """

    _array_rule = True
    _saved_attrs = ("logp", "full", "coef")

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
        # log_softmax: the saved array, or recomputed when the backward is recorded (output_of)
        y = output_of(ctx, LogSoftmax, x, ctx.dim, name="logp")
        gx = CrossEntropyGrad.call(_spread(grad, ctx), y, ctx.full, ctx.coef)
        return gx, None, None, None, None

    @staticmethod
    def jvp(ctx, tx, *_):
        """The loss's tangent: NLLLoss of log_softmax's tangent."""
        x = ctx.args[0]
        dim = 1 if x.ndim > 1 else 0
        ty = _log_softmax_tangent(tx, LogSoftmax.apply(x, dim), dim)
        return NLLLoss.apply(ty, *ctx.args[1:])


class CrossEntropyGrad(Primitive):
    """z = (e^y - onehot) c with c = -coef g: the cross-entropy's backward as one op, from
    y = log_softmax(x), the loss's gradient g (0-d, or one per target) and coef = d loss /
    d y at the targets' entries y[full] (a number, or one per target).
    dz/dg: the sum of u (e^y - onehot) (-coef) over the classes (and over the targets for a
    0-d g); dz/dy: u c e^y, for an upstream gradient u."""

    _array_rule = True
    _saved_attrs = ("full", "coef")

    @staticmethod
    def forward(ctx, g, y, full, coef):
        ctx.save_for_backward(g, y)
        ctx.full = full
        ctx.coef = coef
        return CrossEntropyGrad.kernel(g.array, y.array, full, coef)

    @staticmethod
    def kernel(g, y, full, coef):
        c = g * -coef  # 0-d, or (N, 1, d1, ...): spreads over the classes
        z = xp_of(y).exp(y)
        z *= c
        z[full] -= c
        return z

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        ng, ny = ctx.needs_input_grad[:2]
        minus_coef = _constant(-ctx.coef, y)
        p = Exp.call(y)
        gg = gy = None
        if ng:
            onehot = like(_dense(xp_of(y), y.shape, y.dtype, ctx.full, 1), y)
            class_dim = (1 if y.ndim > 1 else 0,)
            gg = Sum.call(grad * (p - onehot), class_dim, True) * minus_coef
            gg = Sum.call(gg, None, False) if g.ndim == 0 else gg
        if ny:
            gy = grad * (g * minus_coef) * p
        return gg, gy, None, None

    @staticmethod
    def jvp(ctx, tg, ty, *_):
        """ż = (e^y - onehot) (-coef) ġ + c e^y ẏ."""
        g, y, full, coef = ctx.args
        minus_coef = _constant(-coef, y)
        tz = None if tg is None else CrossEntropyGrad.apply(tg, y, full, coef)
        if ty is not None:
            term = (g * minus_coef) * y.exp() * ty
            tz = term if tz is None else tz + term
        return tz


def _constant(value, ref):
    """A number as a constant of ref's dtype and device, in ref's kind (Tensor or raw array:
    see _util.like)."""
    return like(xp_of(ref).asarray(value, dtype=ref.dtype), ref)
