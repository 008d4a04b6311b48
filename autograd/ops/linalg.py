"""Matrix products: matmul (1-D, 2-D and batched operands, as torch.matmul) and the affine
map of a linear layer."""

import math

from autograd import function as _function
from autograd.function import Primitive
from autograd.grad_mode import state as _grad
from autograd.ops._util import array_of, like, output_of, xp_of
from autograd.ops.elementwise import Where
from autograd.ops.shape import Permute, Reshape, Sum, sum_to


def empty_bmm(x, y):
    """Whether torch.matmul(x, y) runs its batched path (bmm) with nothing to multiply (an
    empty result or k = 0): PyTorch checks no dtypes there (the result has y's), where every
    other path (dot, mv, mm, and a batch folded into mm) raises on a dtype mismatch."""
    a, b = x.array, y.array
    if min(a.ndim, b.ndim) < 1 or max(a.ndim, b.ndim) < 3:
        return False
    if (x.requires_grad or y.requires_grad) and _grad.enabled:
        # with a graph to record, an operand of one batch that requires grad is folded into
        # mm, and an integer result cannot require grad: both raise
        if y.dtype.kind != "f":
            return False
        for t in (x, y):
            if t.requires_grad and math.prod(t.shape[:-2]) == 1:
                return False
    k = a.shape[-1]
    if k != (b.shape[-2] if b.ndim > 1 else b.shape[0]):
        return False
    if max(a.ndim, b.ndim) >= 3 and min(a.ndim, b.ndim) <= 2 and _folds(x, y):
        return False
    m = a.shape[-2] if a.ndim > 1 else 1
    n = b.shape[-1] if b.ndim > 1 else 1
    try:
        batch = x.xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        return False
    return k == 0 or m * n * math.prod(batch) == 0


def _folds(x, y):
    """PyTorch's should_fold for a >= 3-D operand beside a 1-D or 2-D one: the larger one (b
    transposed when it is b) folds into a matrix for mm when the smaller requires grad, or
    when x is not 2-D and the fold needs no copy (empty, or its batch dims contiguous)."""
    larger_first = x.ndim >= y.ndim
    if (y if larger_first else x).requires_grad:
        return True
    if x.ndim == 2:
        return False
    t1 = x.array if larger_first else y.array.swapaxes(-1, -2)
    if t1.size == 0:
        return True
    shape, strides = t1.shape, t1.strides
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(t1.ndim - 2))


def _check_bool_matmul(a, b, k):
    """PyTorch's CPU kernels have no bool matmul: NotImplementedError, unless nothing is
    multiplied (an empty result, or k = 0 outside a dot product, which is filled in)."""
    if a.ndim == 1 and b.ndim == 1:
        kernel = "dot"
    elif k and a.size and b.size:
        kernel = "addmv_impl_cpu" if min(a.ndim, b.ndim) == 1 else "addmm_impl_cpu_"
        kernel = "bmm" if min(a.ndim, b.ndim) > 2 else kernel
    else:
        return
    raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


class MatMul(Primitive):
    """z = x @ y.  dz/dx = grad @ y^T, dz/dy = x^T @ grad (batch dims summed back)."""

    _array_rule = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        a, b = x.array, y.array
        ctx.ndims = (a.ndim, b.ndim)  # its name (DotBackward0, MmBackward0, ...)
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError(
                f"matmul: both arguments need at least 1 dimension, got shapes "
                f"{tuple(a.shape)} and {tuple(b.shape)}"
            )
        k_a = a.shape[-1]
        k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if k_a != k_b:
            raise RuntimeError(
                f"matmul: mat1 and mat2 shapes cannot be multiplied "
                f"({_describe(a.shape)} and {_describe(b.shape)}): inner sizes {k_a} != {k_b}"
            )
        if a.dtype != b.dtype:
            raise RuntimeError(
                f"matmul: expected both operands to have the same dtype, but got {a.dtype} "
                f"and {b.dtype}"
            )
        if a.dtype.kind == "b":
            _check_bool_matmul(a, b, k_a)
        try:
            return a @ b
        except ValueError:
            raise RuntimeError(
                f"matmul: batch dims of {tuple(a.shape)} and {tuple(b.shape)} are not broadcastable"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        if x.ndim == 1 and y.ndim == 1:  # dot product: grad is a scalar
            return (grad * y if nx else None, grad * x if ny else None)
        # Promote vectors to matrices, as the forward did, then undo it.
        xm = Reshape.call(x, (1,) + x.shape) if x.ndim == 1 else x  # (.., n, k)
        ym = Reshape.call(y, y.shape + (1,)) if y.ndim == 1 else y  # (.., k, m)
        g = grad
        if x.ndim == 1:
            g = Reshape.call(g, g.shape[:-1] + (1,) + g.shape[-1:])
        if y.ndim == 1:
            g = Reshape.call(g, g.shape + (1,))  # (.., n, m)
        # Each gradient is computed in its operand's layout: for a transposed view, such as
        # the weight.t() of linear, as the transpose of a product. Undoing the view then gives
        # a contiguous gradient, where the plain product would need a transposing copy.
        gx = gy = None
        if nx:
            if _transposed(array_of(x)):
                gx = _mT(MatMul.call(ym, _mT(g)))
            else:
                gx = MatMul.call(g, _mT(ym))
            gx = Reshape.call(sum_to(gx, xm.shape), x.shape)
        if ny:
            if _transposed(array_of(y)):
                gy = _mT(MatMul.call(_mT(g), xm))
            else:
                gy = MatMul.call(_mT(xm), g)
            gy = Reshape.call(sum_to(gy, ym.shape), y.shape)
        return gx, gy

    @staticmethod
    def kernel(a, b):
        return a @ b

    @staticmethod
    def jvp(ctx, tx, ty):
        """ż = ẋ @ y + x @ ẏ."""
        x, y = ctx.args
        tz = None if tx is None else MatMul.apply(tx, y)
        if ty is not None:
            term = MatMul.apply(x, ty)
            tz = term if tz is None else tz + term
        return tz


def _mT(v):
    """v with its last two dims swapped (a view), Tensor or raw array."""
    n = v.ndim
    return Permute.call(v, tuple(range(n - 2)) + (n - 1, n - 2))


def _transposed(a):
    """Whether the last two dims of array a are stored column-major (a transposed view)."""
    return a.ndim > 1 and a.strides[-2] < a.strides[-1]


class Linear(Primitive):
    """y = x W^T + b over the last dim of x, as one node (torch's addmm): W (out, in), b (out,).
    dy/dx = grad W, dy/dW = grad^T x and dy/db = sum of grad, over all leading dims of x.

    A primitive for speed: one node instead of transpose, matmul and add, with the weight's
    gradient computed in the weight's layout (no transposing copy) and the bias added in place.
    """

    _array_rule = True

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight)
        a, w = x.array, weight.array
        ctx.ndim = a.ndim  # its name (AddmmBackward0, MmBackward0 or ViewBackward0)
        ctx.has_bias = bias is not None  # addmm even for a bias that needs no gradient
        if a.ndim == 0 or w.ndim != 2 or a.shape[-1] != w.shape[1]:
            raise RuntimeError(
                f"linear: input of shape {tuple(a.shape)} and weight of shape {tuple(w.shape)} "
                f"cannot be multiplied: weight must be (out_features, in_features) with "
                f"in_features the input's last dim"
            )
        b = None if bias is None else bias.array
        if b is not None and b.shape != w.shape[:1]:
            raise RuntimeError(
                f"linear: bias of shape {tuple(b.shape)} does not match weight of shape "
                f"{tuple(w.shape)}: expected ({w.shape[0]},)"
            )
        if a.dtype != w.dtype or (b is not None and b.dtype != w.dtype):
            raise RuntimeError(
                f"linear: expected input, weight and bias to have the same dtype, but got "
                f"{a.dtype}, {w.dtype} and {None if b is None else b.dtype}"
            )
        out = a @ w.T  # a transposed view: BLAS reads it as it lies
        if b is not None:
            out += b  # out is fresh: no second array for the sum
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        nx, nw = needs[0], needs[1]
        nb = len(needs) > 2 and needs[2]  # the bias is an argument, or left out
        gx = MatMul.call(grad, weight) if nx else None  # (*, out) @ (out, in)
        gw = gb = None
        if nw or nb:
            out_features, in_features = weight.shape
            g, x2 = grad, x
            if x.ndim != 2:  # all leading dims as one batch dim
                n = math.prod(x.shape[:-1])
                g = Reshape.call(grad, (n, out_features))
                x2 = Reshape.call(x, (n, in_features))
            if nw:
                gw = MatMul.call(Permute.call(g, (1, 0)), x2)  # (out, N) @ (N, in)
            if nb:
                gb = Sum.call(g, (0,), False)
        return gx, gw, gb

    @staticmethod
    def jvp(ctx, tx, tw, tb=None):
        """ẏ = ẋ W^T + x Ẇ^T + ḃ."""
        x, weight = ctx.args[:2]
        ty = None if tx is None else Linear.apply(tx, weight, None)
        if tw is not None:
            term = Linear.apply(x, tw, None)
            ty = term if ty is None else ty + term
        if tb is not None:
            ty = tb if ty is None else ty + tb
        return ty


def _describe(shape):
    return "x".join(str(s) for s in shape) if len(shape) else "scalar"


def matmul(x, y):
    """x @ y; operands of two dtypes only where PyTorch takes them (an empty batched product,
    which has y's dtype, even int32 @ bool), else MatMul raises."""
    if x.dtype != y.dtype and empty_bmm(x, y):
        x = x.to(y.dtype)
    return MatMul.apply(x, y)


# --------------------------------------------------------------------------- inverse, det
# Their nodes under PyTorch's names (function.py's table, extended here by the names helper:
# the lines could move into that table).
_function._TORCH_NODES.update(
    {"Inv": ("LinalgInvExBackward0", (0,)), "Det": ("LinalgDetBackward0", (0,))}
)


class Inv(Primitive):
    """Y = A^-1 over the last two dims (batched).  dA = -Y^T G Y^T; jvp: Ẏ = -Y Ȧ Y.
    The caller (autograd.linalg.inv) has refused singular input."""

    _array_rule = True
    _saves_output = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        ctx.out = out = Inv.kernel(a.array)
        return out

    @staticmethod
    def kernel(a):
        return xp_of(a).linalg.inv(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        yt = _mT(output_of(ctx, Inv, a))
        return -MatMul.call(MatMul.call(yt, grad), yt)

    @staticmethod
    def jvp(ctx, ta):
        y = Inv.apply(*ctx.args)
        return -MatMul.apply(MatMul.apply(y, ta), y)


class Det(Primitive):
    """d = det A over the last two dims (batched).  dd/dA = adj(A)^T = d A^-T (the cofactor
    matrix); jvp: ḋ = sum(cofactors * Ȧ). A singular A (d = 0) has gradient 0 in a
    first-order backward and its cofactors (from an SVD, taken as constants) under
    create_graph, as PyTorch 2.13."""

    _array_rule = True
    _saves_output = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        ctx.out = out = Det.kernel(a.array)
        return out

    @staticmethod
    def kernel(a):
        return xp_of(a).asarray(xp_of(a).linalg.det(a), dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        d = output_of(ctx, Det, a)
        return _det_grad(a, d, grad)

    @staticmethod
    def jvp(ctx, ta):
        (a,) = ctx.args
        d = Det.apply(a)
        one = like(xp_of(a).ones(tuple(d.shape), dtype=a.dtype), a)
        return Sum.apply(_det_grad(a, d, one) * ta, (a.ndim - 2, a.ndim - 1), False)


def _det_grad(a, d, grad):
    """grad * d(det A)/dA: grad d A^-T where d != 0; where d = 0, 0 in a first-order walk
    (PyTorch's value) and, recorded, grad times the cofactors U diag(prod_{j != i} s_j) Vh
    det(U) det(Vh) of the SVD."""
    xp = xp_of(a)
    arr, darr = array_of(a), array_of(d)
    singular = darr == 0
    any_singular = bool(singular.any().item())  # explicit sync: device arrays refuse bool()
    n = arr.shape[-1]
    box = (...,) + (None, None)
    safe = arr
    if any_singular:
        safe = xp.where(singular[box], xp.eye(n, dtype=arr.dtype), arr)
    safe = like(safe, a) if safe is not arr else a
    g = grad * d
    out = Reshape.call(g, tuple(g.shape) + (1, 1)) * _mT(Inv.call(safe))
    if _grad.raw or not any_singular:
        return out
    u, s, vh = xp.linalg.svd(arr)
    others = xp.prod(xp.where(xp.eye(n, dtype=bool), 1, s[..., None, :]), axis=-1)
    sign = xp.linalg.det(u) * xp.linalg.det(vh)
    cof = (u * others[..., None, :]) @ vh * sign[box]
    g = Reshape.apply(grad, tuple(grad.shape) + (1, 1))
    return Where.apply(singular[box], g * like(cof.astype(arr.dtype), a), out)
