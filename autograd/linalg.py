"""autograd.linalg: norms, as torch.linalg (vector_norm, matrix_norm, norm).

Compositions of primitives: the gradient of a norm at the zero vector is 0, as PyTorch's
(not the NaN of 0/0), by computing the root and the powers on safe values under a mask.
"""

import math

from autograd._tensor import Tensor, _named, _wrap
from autograd.args import _dim, _dims, _numpy_names
from autograd.ops.elementwise import Where
from autograd.ops.linalg import Det, Inv
from backends import dtypes

__all__ = ["vector_norm", "matrix_norm", "norm", "cross", "inv", "det", "LinAlgError"]

INF = math.inf


def _check_float(x, op, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"{op}: Expected a floating point or complex tensor as input. Got {x.dtype}"
        )
    return x


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """(sum |x_i|^ord)^(1/ord) over dim (all elements if None); ord inf/-inf: max/min |x_i|;
    ord 0: the count of nonzeros.  d/dx_i = sign(x_i) |x_i|^(ord-1) / norm^(ord-1)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"linalg.vector_norm: expected a Tensor, got {type(x).__name__}")
    x = _check_float(x, "linalg.vector_norm", dtype)
    if isinstance(dim, int):
        dim = (dim,)
    dims = _dims(dim, x.ndim, "linalg.vector_norm")
    ord = float(ord)
    if ord in (INF, -INF):
        if x.numel() == 0:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor "
                "because the operation does not have an identity"
            )
        a = x.abs()
        return a.amax(dims, keepdim) if ord > 0 else a.amin(dims, keepdim)
    if ord == 0:
        nonzero = _wrap((x.array != 0).astype(x.dtype), x._backend)
        return (x * 0 + nonzero).sum(dims, keepdim)  # gradient 0, as PyTorch
    if ord == 1 or _count(x, dims) == 1:  # one element: |x| exactly, as PyTorch
        return x.abs().sum(dims, keepdim)
    if ord < 0:  # |0|^ord = inf makes the norm 0, with gradient 0 (as PyTorch), not NaN
        zero = x.array == 0
        powered = Where.apply(zero, math.inf, Where.apply(zero, 1.0, x.abs()) ** ord)
        return powered.sum(dims, keepdim) ** (1 / ord)
    # No rescaling by max |x|: PyTorch's norm overflows (inf) and underflows (0) as the plain
    # formula does, and the contract is its numbers.
    return _p_norm(x, ord, dims, keepdim)


def _count(x, dims):
    n = 1
    for d in range(x.ndim) if dims is None else dims:
        n *= x.shape[d]
    return n


def _p_norm(x, ord, dims, keepdim):
    if ord == 2:
        return _safe_root((x * x).sum(dims, keepdim), 0.5)
    zero = x.array == 0
    a = Where.apply(zero, 1.0, x.abs())
    powered = Where.apply(zero, 0.0, a**ord)  # |x|^ord with gradient 0 at x = 0
    return _safe_root(powered.sum(dims, keepdim), 1 / ord)


def _safe_root(s, p):
    """s^p, with gradient 0 where s = 0 (s >= 0)."""
    zero = s.array == 0
    return Where.apply(zero, 0.0, Where.apply(zero, 1.0, s) ** p)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """Norms of the matrices in the (dim[0], dim[1]) planes: 'fro' (the 2-norm of the
    entries), 1 / -1 (max / min column sum of |a|), inf / -inf (max / min row sum)."""
    A = _check_float(A, "linalg.matrix_norm", dtype)
    if A.ndim < 2:
        raise RuntimeError(
            f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions, got "
            f"shape {tuple(A.shape)}"
        )
    d0 = _dim(dim[0], A.ndim, "linalg.matrix_norm")
    d1 = _dim(dim[1], A.ndim, "linalg.matrix_norm")
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} needs an SVD (not yet)")
    if ord in (1, -1):
        sums = A.abs().sum(d0, keepdim=True)
        out = sums.amax(d1, keepdim=True) if ord == 1 else sums.amin(d1, keepdim=True)
    elif ord in (INF, -INF):
        sums = A.abs().sum(d1, keepdim=True)
        out = sums.amax(d0, keepdim=True) if ord > 0 else sums.amin(d0, keepdim=True)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    return out if keepdim else out.squeeze((d0, d1))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """torch.linalg.norm: a vector norm (1-D input or an int dim), a matrix norm (2-D input or
    a 2-tuple dim); ord=None: the 2-norm of the flattened entries (over dim if given)."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim == 1:
            return vector_norm(A, ord, None, keepdim, dtype=dtype)
        if A.ndim == 2:
            return matrix_norm(A, ord, (0, 1), keepdim, dtype=dtype)
        raise RuntimeError(
            f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
            f"{A.ndim}D."
        )
    if len(dim) == 1:
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.norm: ord={ord!r} is a matrix norm; dim must have 2 dims")
        return vector_norm(A, ord, dim, keepdim, dtype=dtype)
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    raise RuntimeError(f"linalg.norm: dim must be an int or a pair of ints, got {dim}")


def tensor_norm(x, p="fro", dim=None, keepdim=False, dtype=None):
    """torch.norm / Tensor.norm: the vector p-norm over dim (all dims if None); 'fro' is the
    2-norm; 'nuc' the nuclear norm (not yet)."""
    if isinstance(p, str):
        if p == "fro":
            return vector_norm(x, 2, dim, keepdim, dtype=dtype)
        if p == "nuc":
            return matrix_norm(x, "nuc", (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
        raise RuntimeError(f"norm: unknown p {p!r}")
    if p is None:
        p = 2
    return vector_norm(x, p, dim, keepdim, dtype=dtype)


def cross(input, other, *, dim=-1):
    from autograd import mathops

    return mathops.cross(input, other, dim)


# numpy's axis / keepdims beside dim / keepdim
vector_norm = _numpy_names(vector_norm)
matrix_norm = _numpy_names(matrix_norm)
norm = _numpy_names(norm)
tensor_norm = _numpy_names(tensor_norm)
cross = _numpy_names(cross)


# --- learner names (names helper): inv, det ---


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a matrix the op cannot handle (a singular one to inv)."""


def _square(A, op):
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}(): argument 'A' (position 1) must be Tensor, not {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"{op}: A must be batches of square matrices, but they are {A.shape[-2]} by "
            f"{A.shape[-1]} matrices"
        )
    if A.dtype.kind != "f":
        raise RuntimeError(
            f"{op}: Expected a floating point or complex tensor as input. Got "
            f"{dtypes.torch_name(A.dtype)}"
        )


def _zero_pivot(matrix):
    """LAPACK getrf's info for one matrix (host rows of floats): the 1-based index of the
    first zero pivot of the LU factorization with partial pivoting, or 0."""
    lu = [list(row) for row in matrix]
    n = len(lu)
    info = 0
    for j in range(n):
        p = max(range(j, n), key=lambda i: abs(lu[i][j]))
        if lu[p][j] == 0:
            info = info or j + 1
            continue
        lu[j], lu[p] = lu[p], lu[j]
        for i in range(j + 1, n):
            f = lu[i][j] / lu[j][j]
            for k in range(j + 1, n):
                lu[i][k] -= f * lu[j][k]
    return info


def inv(A, *, out=None):
    """A^-1 over the last two dims (batched), as torch.linalg.inv; a singular matrix raises
    LinAlgError naming its first zero pivot, as LAPACK finds it.  dA = -A^-T G A^-T."""
    _square(A, "linalg.inv")
    if out is not None:
        raise NotImplementedError("linalg.inv: out= is not supported")
    if A.dtype.itemsize < 4:
        raise RuntimeError(
            f"linalg.inv: Low precision dtypes not supported. Got {dtypes.torch_name(A.dtype)}"
        )
    try:
        return _named(Inv.apply(A), "LinalgInvExBackward0")
    except A.xp.linalg.LinAlgError:
        n = A.shape[-1]
        which, info = 0, n
        for k, matrix in enumerate(A.array.reshape(-1, n, n).tolist()):
            if _zero_pivot(matrix):
                which, info = k, _zero_pivot(matrix)
                break
        batch = f"(Batch element {which}): " if A.ndim > 2 else ""
        raise LinAlgError(
            f"linalg.inv: {batch}The diagonal element {info} is zero, the inversion could "
            "not be completed because the input matrix is singular."
        ) from None


def det(A, *, out=None):
    """det A over the last two dims (batched), as torch.linalg.det.  d(det)/dA = det A^-T."""
    _square(A, "linalg.det")
    if out is not None:
        raise NotImplementedError("linalg.det: out= is not supported")
    if A.dtype.itemsize < 4:
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{dtypes.torch_name(A.dtype)}'")
    return _named(Det.apply(A), "LinalgDetBackward0")
