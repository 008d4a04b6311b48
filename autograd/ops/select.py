"""Writing into positions picked by an index (scatter), and einsum."""

from autograd._tensor import Tensor
from autograd.function import Primitive
from autograd.ops._util import like, xp_of
from autograd.ops.index import GetItem, IndexAdd, SetItem, _along


class Scatter(Primitive):
    """y = x with y[index[i][j]][j] = src[i][j] (dim 0; mode "set"), or += (mode "add").
    dy/dx = 1 off the written slots ("set") or everywhere ("add"); dy/dsrc = grad at the slots
    (gathered, as Gather's forward)."""

    _saved_attrs = ("full",)
    _array_rule = True

    @staticmethod
    def forward(ctx, x, index, dim, src, mode):
        xp = x.xp
        full = _along(index, dim, xp)
        ctx.full = full
        ctx.mode = mode
        out = x.array.copy()
        if isinstance(src, Tensor):
            ctx.src_shape = src.shape
            part = src.array[tuple(slice(0, n) for n in index.shape)].astype(out.dtype)
        else:
            ctx.src_shape = None
            part = xp.asarray(src, dtype=out.dtype)
        try:
            if mode == "add":
                x._backend.scatter_add(out, full, xp.broadcast_to(part, index.shape))
            else:
                out[full] = part
        except IndexError as exc:
            raise IndexError(
                f"scatter: index out of bounds for self of shape {tuple(x.shape)} "
                f"along dim {dim} ({exc})"
            ) from None
        return out

    @staticmethod
    def backward(ctx, grad):
        nx, _, _, ns, _ = ctx.needs_input_grad
        gx = gs = None
        if nx:
            gx = grad if ctx.mode == "add" else SetItem.call(grad, 0.0, ctx.full)
        if ns:
            gs = GetItem.call(grad, ctx.full)
            if gs.shape != ctx.src_shape:
                gs = IndexAdd.call(gs, tuple(slice(0, n) for n in gs.shape), ctx.src_shape)
        return gx, None, None, gs, None

    @staticmethod
    def jvp(ctx, tx, _index, _dim, ts, _mode):
        """ẏ = ẋ with ṡrc scattered in (zeros where a side has no tangent)."""
        x, index, dim, _, mode = ctx.args
        if tx is None:
            tx = x.new_zeros(x.shape, dtype=ctx.output.dtype)
        return Scatter.apply(tx, index, dim, 0.0 if ts is None else ts, mode)


class Einsum(Primitive):
    """y = einsum(eq, x_1, ..., x_n) with explicit output letters and no ellipsis.
    dy/dx_i = einsum of grad with the other operands, giving x_i's letters: a letter repeated
    in x_i (a diagonal) is renamed and tied back with an identity matrix, a letter found in
    no other operand (summed away) is broadcast back with a vector of ones."""

    _array_rule = True

    @staticmethod
    def forward(ctx, equation, *xs):
        ctx.equation = equation
        ctx.save_for_backward(*xs)
        return Einsum.kernel(equation, *[x.array for x in xs])

    @staticmethod
    def kernel(equation, *arrays):
        return xp_of(arrays[0]).einsum(equation, *arrays)

    @staticmethod
    def backward(ctx, grad):
        xs = ctx.saved_tensors
        needs = ctx.needs_input_grad[1:]
        return (None,) + tuple(
            _einsum_adjoint(ctx.equation, i, grad, xs) if n else None for i, n in enumerate(needs)
        )

    @staticmethod
    def jvp(ctx, _, *tangents):
        """ẏ = sum_i einsum(eq, x_1, .., ẋ_i, .., x_n): linear in each operand."""
        equation, *xs = ctx.args
        tz = None
        for i, t in enumerate(tangents):
            if t is not None:
                term = Einsum.apply(equation, *xs[:i], t, *xs[i + 1 :])
                tz = term if tz is None else tz + term
        return tz


_FRESH = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum_adjoint(equation, i, grad, xs):
    lhs, out = equation.split("->")
    subs = lhs.split(",")
    target = subs[i]
    sizes = {}
    for s, x in zip(subs, xs):
        for c, n in zip(s, x.shape):
            sizes[c] = n
    used = set(equation) | set(_FRESH[:0])
    fresh = iter(c for c in _FRESH + "abcdefghijklmnopqrstuvwxyz" if c not in used)
    xp = xp_of(grad)
    operands = [grad] + [x for j, x in enumerate(xs) if j != i]
    letters = [out] + [s for j, s in enumerate(subs) if j != i]
    renamed = ""
    seen = set()
    for c in target:
        if c in seen:  # a diagonal: a new letter, tied to c by the identity
            d = next(fresh)
            renamed += d
            letters.append(c + d)
            operands.append(like(xp.eye(sizes[c], dtype=grad.dtype), grad))
        else:
            renamed += c
            seen.add(c)
    present = set("".join(letters))
    for c in seen - present:  # summed away in the forward: broadcast back
        letters.append(c)
        operands.append(like(xp.ones(sizes[c], dtype=grad.dtype), grad))
    return Einsum.call(",".join(letters) + "->" + renamed, *operands)
