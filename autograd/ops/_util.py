"""What the primitives share: operand promotion, broadcast errors, and the few helpers that
let one backward rule run on raw arrays (an array-speed walk) or on Tensors (a recorded one)."""

from autograd import function as _function
from autograd._tensor import Tensor, _defaults, _wrap
from autograd.grad_mode import state as _grad
from backends import backend_of, dtypes
from backends import errors as _errors

_HALF = dtypes.float16
_OPMATH = dtypes.float32


def promote(x, y, opmath=True):
    """(a, b, dtype): the arrays an op on x and y computes with, and its result dtype, by
    PyTorch's promotion (dtypes.result_types; one of x, y may be a Python number). Each
    array is cast from its own dtype, a number wraps into the dtype as PyTorch converts it.
    A float16 result beside a scalar (a number, or a one-element tensor as the second
    operand) computes in float32, as PyTorch's CPU kernels do for mul and div (so x / 70000 is not
    x / inf); not where opmath=False (add, sub, comparisons: PyTorch casts the scalar to
    float16 first, so x + 70000 is inf), nor for a 0-d tensor first (s * x casts s)."""
    if isinstance(x, Tensor):
        a = x.array
        if isinstance(y, Tensor):
            b = y.array
            if a.dtype is b.dtype or a.dtype == b.dtype:
                return a, b, a.dtype
            dt = dtypes.result_type(a.dtype, a.ndim, b.dtype, b.ndim, _defaults.dtype)
            if dt is _HALF and opmath and b.size == 1:  # a scalar second, 0-d or not
                return a.astype(_OPMATH, copy=False), b.astype(_OPMATH, copy=False), dt
            return a.astype(dt, copy=False), b.astype(dt, copy=False), dt
        dt = a.dtype
        if (y.__class__ is float and dt.kind != "f") or (
            y.__class__ is not float and dt.kind == "b" and not isinstance(y, bool)
        ):
            dt = dtypes.scalar_type(y, dt, _defaults.dtype)
        return _cast_with_number(x, a, y, dt, opmath)
    b = y.array
    dt = b.dtype
    if (x.__class__ is float and dt.kind != "f") or (
        x.__class__ is not float and dt.kind == "b" and not isinstance(x, bool)
    ):
        dt = dtypes.scalar_type(x, dt, _defaults.dtype)
    b, a, dt = _cast_with_number(y, b, x, dt, opmath)
    return a, b, dt


def _cast_with_number(t, a, value, dt, opmath):
    """(array, number as a 0-d array, result dtype) for tensor t (array a) beside a number."""
    if opmath and (dt is _HALF or dt == _HALF):
        return a.astype(_OPMATH), t._backend.scalar(float(value), _OPMATH), dt
    if a.dtype != dt:
        a = a.astype(dt)
    if value.__class__ is float or value.__class__ is int:
        # a cached 0-d array of a's dtype: numpy computes with it twice as fast as with the
        # number (and no numpy rule of its own, such as OverflowError, applies)
        if dt.kind != "f":
            value = dtypes.wrap_number(value, dt)
        return a, t._backend.scalar(value, dt), dt
    if isinstance(value, bool):
        return a, t._backend.scalar(dtypes.wrap_number(value, dt), dt), dt
    return a, t._backend.asarray(value), dt


def operands(op, x, y):
    """The arrays an op on x and y computes with, promoted as PyTorch does (see promote)."""
    a, b, _ = promote(x, y)
    return a, b


def binary(op, fn, x, y, opmath=True):
    """fn(a, b) on the promoted operands of x and y, in the result dtype; a broadcasting
    failure raises PyTorch's RuntimeError naming op and the shapes."""
    if isinstance(x, Tensor) and isinstance(y, Tensor):
        a = x.array
        b = y.array
        if a.dtype is b.dtype:  # the common case: numpy keeps the dtype, as PyTorch
            try:
                return fn(a, b)
            except ValueError:
                raise broadcast_error(op, x, y) from None
    a, b, dt = promote(x, y, opmath)
    try:
        out = fn(a, b)
    except ValueError:
        raise broadcast_error(op, x, y) from None
    return out if out.dtype == dt else out.astype(dt)


def shape_of(v):
    return v.array.shape if isinstance(v, Tensor) else ()


def broadcast_error(op, x, y):
    return RuntimeError(
        f"{op}: the size of tensor a {tuple(shape_of(x))} must match the size of tensor b "
        f"{tuple(shape_of(y))} or be broadcastable to it"
    )


# ----------------------------------------------------------------------- rules at two speeds
def array_of(v):
    """The raw array of a rule's operand: a Tensor's array, or the array itself."""
    return v.array if isinstance(v, Tensor) else v


def xp_of(v):
    """The array module (numpy or cupy) of a rule's operand, Tensor or raw array."""
    return v.xp if isinstance(v, Tensor) else backend_of(v).xp


def like(array, ref):
    """A constant array computed inside a rule, in the kind of ref: wrapped when the rule
    runs on Tensors, as it is when it runs on arrays."""
    return _wrap(array, ref._backend) if isinstance(ref, Tensor) else array


def output_of(ctx, fn, *args, name="out"):
    """The op's output, saved as ctx.<name>, for its backward rule: the raw array in an
    array-speed walk; recomputed with fn.apply(*args) when the backward is recorded or
    carries tangents, so that the gradient of the gradient reaches the inputs (saving the
    output Tensor itself would form a cycle); else wrapped."""
    if _grad.raw:
        return getattr(ctx, name)
    if _grad.enabled or _function._dual_level is not None:
        return fn.apply(*args)
    return _wrap(getattr(ctx, name), args[0]._backend)


_BITS = {2: dtypes.int16, 4: dtypes.int32, 8: dtypes.int64}


def zero_where(drop, g, inplace=False):
    """g's array with 0 where the boolean array `drop` is true (in place on g if asked): a
    select, so an inf or nan of g there gives 0 (g * ~drop would give nan), as PyTorch's
    threshold_backward and clamp_backward. Done by masking g's bits: numpy's `where` (and
    `copyto(where=)`) run about 15 times slower than this on arrays of 32k elements and up."""
    if g.size <= 1024 and not inplace:  # small: where's one call beats the four below
        backend = backend_of(g)
        return backend.xp.where(drop, backend.scalar(0, g.dtype), g)
    bits = _BITS[g.dtype.itemsize]
    keep = drop.astype(bits)
    keep -= 1  # 0 where dropped, all ones where kept
    if inplace:
        view = g.view(bits)
        view &= keep
        return g
    return (g.view(bits) & keep).view(g.dtype)


def in_float(v, grad):
    """A rule's integer or bool operand in grad's dtype at array speed, as PyTorch's rule
    computes grad * y (an int32 -2^31 is -inf in float16; numpy would widen to float64)."""
    if isinstance(v, Tensor) or not hasattr(v, "dtype") or v.dtype.kind == "f":
        return v
    return v.astype(grad.dtype)


# numpy's floating-point warnings off for a block (inf and nan arrive silently, as in PyTorch)
_quiet = _errors.quiet


def _into(fresh, other):
    """fresh * other, where fresh is an array the rule has just made (nobody else holds it)
    of the result's shape and dtype: in place at array speed, so the product needs no array
    of its own; out of place (recorded) on Tensors."""
    if _grad.raw:
        fresh *= other
        return fresh
    return fresh * other
