"""Factories: zeros, ones, arange, randn, ... as in PyTorch (float32 unless told otherwise)."""

from autograd.tensor import Tensor, _defaults, _wrap
from backends import dtypes, get_backend
from backends import manual_seed as _seed_backends

__all__ = [
    "zeros", "ones", "full", "empty", "zeros_like", "ones_like", "full_like", "empty_like",
    "rand_like", "randn_like", "arange", "linspace", "eye", "rand", "randn", "randint",
    "manual_seed", "from_numpy", "as_tensor",
]  # fmt: skip


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for i, s in enumerate(size):
        if not isinstance(s, int) or isinstance(s, bool):
            # torch's types: TypeError for a non-int, RuntimeError for a negative size
            raise TypeError(
                f"argument 'size' must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {i} (size {size!r})"
            )
    for s in size:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(size)


def _make(array, backend, requires_grad):
    t = _wrap(array, backend)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype(dtype):
    return _defaults.dtype if dtype is None else dtypes.as_dtype(dtype)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    b = get_backend(device)
    return _make(b.xp.zeros(_size(size), dtype=_dtype(dtype)), b, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    b = get_backend(device)
    return _make(b.xp.ones(_size(size), dtype=_dtype(dtype)), b, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    b = get_backend(device)
    return _make(b.xp.empty(_size(size), dtype=_dtype(dtype)), b, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    b = get_backend(device)
    if dtype is None:
        dtype = dtypes.scalar_type(fill_value, _defaults.dtype, _defaults.dtype)
        if isinstance(fill_value, bool):
            dtype = dtypes.bool_
        elif isinstance(fill_value, int):
            dtype = dtypes.int64
    return _make(
        b.xp.full(_size((size,)), fill_value, dtype=dtypes.as_dtype(dtype)), b, requires_grad
    )


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


def rand_like(t, dtype=None, device=None, requires_grad=False):
    return _like(rand, t, dtype, device, requires_grad)


def randn_like(t, dtype=None, device=None, requires_grad=False):
    return _like(randn, t, dtype, device, requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """Values from start to end (exclusive); int64 for integer arguments, as PyTorch."""
    if end is None:
        start, end = 0, start
    b = get_backend(device)
    if dtype is None:
        integral = all(isinstance(v, int) for v in (start, end, step))
        dtype = dtypes.int64 if integral else _defaults.dtype
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    return _make(b.xp.arange(start, end, step).astype(dtypes.as_dtype(dtype)), b, requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    b = get_backend(device)
    return _make(b.xp.linspace(start, end, steps).astype(_dtype(dtype)), b, requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    b = get_backend(device)
    return _make(b.xp.eye(n, m, dtype=_dtype(dtype)), b, requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None):
    """Uniform on [0, 1)."""
    b = get_backend(device)
    array = b.rng.random(_size(size)).astype(_dtype(dtype))
    return _make(array, b, requires_grad)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None):
    """Standard normal."""
    b = get_backend(device)
    array = b.rng.standard_normal(_size(size)).astype(_dtype(dtype))
    return _make(array, b, requires_grad)


def randint(low, high=None, size=None, dtype=None, device=None, requires_grad=False):
    """Integers in [low, high), int64 by default."""
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    b = get_backend(device)
    array = b.rng.integers(low, high, size=_size((size,))).astype(
        dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
    )
    return _make(array, b, requires_grad)


def manual_seed(seed):
    """Seed the random numbers of every device."""
    _seed_backends(seed)


def from_numpy(array):
    """A CPU tensor sharing memory with a numpy array (its dtype kept)."""
    b = get_backend("cpu")
    if not b.is_array(array):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    return _wrap(array, b)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    return Tensor(data, dtype=dtype, device=device)
