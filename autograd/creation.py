"""Factories: zeros, ones, arange, randn, ... as in PyTorch (float32 unless told otherwise);
Tensor's new_zeros and the like."""

import math
import operator

from autograd._tensor import Tensor, _defaults, _wrap
from backends import dtypes, get_backend
from backends.backend import default_backend

__all__ = [
    "zeros", "ones", "full", "empty", "zeros_like", "ones_like", "full_like", "empty_like",
    "rand_like", "randn_like", "arange", "linspace", "eye", "rand", "randn", "randint",
    "manual_seed", "from_numpy", "as_tensor", "randint_like", "randperm",
]  # fmt: skip


def _size(size):
    """A size as torch's argument parser takes it: ints or numpy integers (anything with
    __index__); a bool passes as 1 or 0 except first (the parser then takes the list for no
    int list); a float, None, ... a TypeError; a negative size a RuntimeError."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for i, s in enumerate(size):
        try:
            if isinstance(s, bool) and i == 0:
                raise TypeError
            out.append(operator.index(s))
        except TypeError:
            # torch's types: TypeError for a non-int, RuntimeError for a negative size
            raise TypeError(
                f"argument 'size' must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {i} (size {size!r})"
            ) from None
    for s in out:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {out}")
    return tuple(out)


def _make(array, backend, requires_grad):
    t = _wrap(array, backend)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype(dtype):
    return _defaults.dtype if dtype is None else dtypes.as_dtype(dtype)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    b = default_backend(device)
    return _make(b.xp.zeros(_size(size), dtype=_dtype(dtype)), b, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    b = default_backend(device)
    return _make(b.xp.ones(_size(size), dtype=_dtype(dtype)), b, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    b = default_backend(device)
    return _make(b.xp.empty(_size(size), dtype=_dtype(dtype)), b, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    b = default_backend(device)
    if dtype is None:
        dtype = dtypes.scalar_type(fill_value, _defaults.dtype, _defaults.dtype)
        if isinstance(fill_value, bool):
            dtype = dtypes.bool_
        elif isinstance(fill_value, int):
            dtype = dtypes.int64
    dtype = dtypes.as_dtype(dtype)
    shape = _size((size,))
    value = dtypes.fill_number(fill_value, dtype, math.prod(shape))  # uint8 takes no -1.5
    return _make(b.xp.full(shape, value, dtype=dtype), b, requires_grad)


def _like(factory, t, dtype, device, requires_grad, *args):
    """factory(t.shape, *args) with t's dtype and device unless given."""
    return factory(
        t.shape,
        *args,
        dtype=t.dtype if dtype is None else dtype,
        device=t.device if device is None else device,
        requires_grad=requires_grad,
    )


def zeros_like(t, dtype=None, device=None, requires_grad=False):
    return _like(zeros, t, dtype, device, requires_grad)


def ones_like(t, dtype=None, device=None, requires_grad=False):
    return _like(ones, t, dtype, device, requires_grad)


def empty_like(t, dtype=None, device=None, requires_grad=False):
    return _like(empty, t, dtype, device, requires_grad)


def full_like(t, fill_value, dtype=None, device=None, requires_grad=False):
    return _like(full, t, dtype, device, requires_grad, fill_value)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """Values from start to end (exclusive); int64 for integer arguments, as PyTorch."""
    if end is None:
        start, end = 0, start
    b = default_backend(device)
    if dtype is None:
        integral = all(isinstance(v, int) for v in (start, end, step))
        dtype = dtypes.int64 if integral else _defaults.dtype
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    return _make(b.xp.arange(start, end, step).astype(dtypes.as_dtype(dtype)), b, requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    b = default_backend(device)
    return _make(b.xp.linspace(start, end, steps).astype(_dtype(dtype)), b, requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    b = default_backend(device)
    return _make(b.xp.eye(n, m, dtype=_dtype(dtype)), b, requires_grad)


def from_numpy(array):
    """A CPU tensor sharing memory with a numpy array (its dtype kept)."""
    b = get_backend("cpu")
    if not b.is_array(array):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    if any(s < 0 for s in array.strides):  # as torch.from_numpy (x[::-1] may still make one)
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with "
            "negative strides are not currently supported. (You can probably work around this "
            "by making a copy of your array with array.copy().)"
        )
    return _wrap(array, b)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    return Tensor(data, dtype=dtype, device=device)


# the random factories live with the generators (autograd.random); named here as before


# --------------------------------------------------------------------------- Tensor's methods
# x.new_zeros(...) and the like: a new tensor with x's dtype and device unless given.


def new_tensor(x, data, dtype=None, device=None, requires_grad=False):
    """A copy of data as a tensor with this one's dtype and device unless given."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype or x.dtype,
                  device=device or x.device)  # fmt: skip


def _new_filled(x, fill, size, dtype, device, requires_grad):
    size = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    out = full(tuple(size), fill, dtype=dtype or x.dtype, device=device or x.device)
    return out.requires_grad_() if requires_grad else out


def new_zeros(x, *size, dtype=None, device=None, requires_grad=False):
    return _new_filled(x, 0, size, dtype, device, requires_grad)


def new_ones(x, *size, dtype=None, device=None, requires_grad=False):
    return _new_filled(x, 1, size, dtype, device, requires_grad)


def new_empty(x, *size, dtype=None, device=None, requires_grad=False):
    return _new_filled(x, 0, size, dtype, device, requires_grad)


def new_full(x, size, fill_value, dtype=None, device=None, requires_grad=False):
    return _new_filled(x, fill_value, (size,), dtype, device, requires_grad)


from autograd.random import (  # noqa: E402
    manual_seed,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
)


def from_dlpack(ext_tensor):
    """A tensor sharing memory with any DLPack exporter (torch, numpy, cupy, dagrad), on the
    exporter's device."""
    if isinstance(ext_tensor, Tensor):
        return _wrap(ext_tensor.array, ext_tensor._backend)
    if not hasattr(ext_tensor, "__dlpack_device__"):
        raise TypeError(
            f"from_dlpack expects an object with __dlpack__ and __dlpack_device__, got "
            f"{type(ext_tensor).__name__}"
        )
    kind, index = ext_tensor.__dlpack_device__()
    if int(kind) == 1:  # kDLCPU
        backend = get_backend("cpu")
    elif int(kind) == 2:  # kDLCUDA
        backend = get_backend(f"cuda:{index}")
    else:
        raise RuntimeError(f"from_dlpack: unsupported DLPack device type {int(kind)}")
    return _wrap(backend.xp.from_dlpack(ext_tensor), backend)


# --- legacy typed constructors (lead): torch.FloatTensor(2, 3), torch.LongTensor([1, 2]) ---
def _legacy_constructor(name, dtype):
    def make(*args, device=None):
        """`{name}(*sizes)`: a tensor of that shape (zero-filled, where torch leaves the
        memory uninitialised); `{name}(data)`: the data as this dtype."""
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return zeros(*args, dtype=dtype, device=device)
        if len(args) == 1:
            return Tensor(args[0], dtype=dtype, device=device)
        raise TypeError(f"{name}: expected sizes (ints) or one sequence of data, got {args!r}")

    make.__name__ = make.__qualname__ = name
    make.__doc__ = make.__doc__.format(name=name)
    return make


FloatTensor = _legacy_constructor("FloatTensor", dtypes.float32)
DoubleTensor = _legacy_constructor("DoubleTensor", dtypes.float64)
HalfTensor = _legacy_constructor("HalfTensor", dtypes.float16)
LongTensor = _legacy_constructor("LongTensor", dtypes.int64)
IntTensor = _legacy_constructor("IntTensor", dtypes.int32)
ShortTensor = _legacy_constructor("ShortTensor", dtypes.int16)
ByteTensor = _legacy_constructor("ByteTensor", dtypes.uint8)
CharTensor = _legacy_constructor("CharTensor", dtypes.int8)
BoolTensor = _legacy_constructor("BoolTensor", dtypes.bool_)
