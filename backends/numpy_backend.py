"""The CPU backend: numpy."""

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from backends import mt19937
from backends.backend import Backend, Device


class NumpyBackend(Backend):
    name = "numpy"

    def __init__(self):
        super().__init__(np, Device("cpu"))
        self.array_type = np.ndarray

    def sum(self, a, axis=None, keepdims=False, dtype=None):
        # the ufunc itself, not ndarray.sum's Python wrapper: a little faster, and an overflow
        # warning comes from here, where backends.errors' filter knows it as ours
        return np.add.reduce(a, axis=axis, dtype=dtype, keepdims=keepdims)

    def to_numpy(self, array):
        return array

    def from_numpy(self, array):
        return np.asarray(array)

    def scatter_add(self, target, index, values):
        """target[index] += values, summing repeated indices (the backward of indexing)."""
        np.add.at(target, index, values)

    def as_strided(self, array, shape, strides):
        return as_strided(array, shape, strides, writeable=False)

    def read_only(self, array):
        """array, refusing writes from now on (a write raises ValueError)."""
        array.flags.writeable = False
        return array

    def sliding_window_view(self, array, window_shape, axis=None):
        return sliding_window_view(array, window_shape, axis=axis)

    def is_array(self, obj):
        return isinstance(obj, np.ndarray)

    def owns(self, array):
        # numpy's 0-d math hands back scalars (np.float32, ...): those are the CPU's too
        # (exactly ndarray: a subclass may be another backend's test double)
        return "alone" if array.__class__ is np.ndarray or isinstance(array, np.generic) else False

    # --- random numbers: PyTorch's CPU streams (backends/mt19937.py) -------------------------
    def new_rng(self, seed):
        return mt19937.TorchCPUGenerator(seed)

    def rng_state(self, rng, seed):
        return rng.state_bytes(seed)

    def rng_from_state(self, state):
        return mt19937.TorchCPUGenerator.from_bytes(state)

    def uniform(self, rng, shape, dtype, low=0.0, high=1.0):
        return mt19937.uniform(rng, math.prod(shape), dtype, low, high).reshape(shape)

    def normal(self, rng, shape, dtype, mean=0.0, std=1.0, contiguous=True):
        n = math.prod(shape)
        return mt19937.normal(rng, n, dtype, mean, std, contiguous).reshape(shape)

    def integers(self, rng, low, high, shape, dtype, endpoint=False, full=False):
        span = high - low + bool(endpoint)
        return mt19937.integers(rng, math.prod(shape), low, span, dtype, full).reshape(shape)

    def exponential(self, rng, shape, dtype, lambd=1.0):
        return mt19937.exponential(rng, math.prod(shape), dtype, lambd).reshape(shape)

    def permutation(self, rng, n):
        return mt19937.permutation(rng, n)

    def geometric(self, rng, shape, dtype, p):
        return mt19937.geometric(rng, math.prod(shape), dtype, p).reshape(shape)

    def log_normal(self, rng, shape, dtype, mean, std):
        return mt19937.log_normal(rng, math.prod(shape), dtype, mean, std).reshape(shape)

    def cauchy(self, rng, shape, dtype, median, sigma):
        return mt19937.cauchy(rng, math.prod(shape), dtype, median, sigma).reshape(shape)

    # --- special functions (helper math): numpy has no erf ---
    def erf(self, array):
        """erf, elementwise, by the C library's erf (correctly rounded to a few ulps)."""
        return _elementwise(_ERF, array)

    def erfc(self, array):
        return _elementwise(_ERFC, array)

    def erfinv(self, array):
        """The inverse of erf on [-1, 1] (nan outside, +-inf at +-1): Winitzki's closed form
        as the start, then Halley steps on erf(x) = y, with erfc on the tail so that 1 - |y|
        keeps its digits; converges to float64 rounding."""
        a = np.asarray(array)
        y = np.abs(a.astype(np.float64))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log1my2 = np.log1p(-y * y)
            k = 2.0 / (np.pi * 0.147) + log1my2 / 2
            x = np.sqrt(np.sqrt(k * k - log1my2 / 0.147) - k)
            interior = y < 1
            x = np.where(interior, x, 0.0)
            tail = y > 0.5
            for _ in range(4):
                f = np.where(tail, (1.0 - y) - _elementwise(_ERFC, x), _elementwise(_ERF, x) - y)
                df = _TWO_OVER_SQRT_PI * np.exp(-x * x)
                x = x - np.where(interior, f / (df + x * f), 0.0)
            x = np.where(y == 1, np.inf, np.where((y > 1) | np.isnan(y), np.nan, x))
            out = np.copysign(x, a.astype(np.float64))
        return out.astype(a.dtype if a.dtype.kind == "f" else np.float64, copy=False)


_ERF = np.frompyfunc(math.erf, 1, 1)
_ERFC = np.frompyfunc(math.erfc, 1, 1)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _elementwise(ufunc, array):
    """A Python-level ufunc over a float array, in float64, back to the array's dtype."""
    a = np.asarray(array)
    out = np.asarray(ufunc(a.astype(np.float64, copy=False)), dtype=np.float64)
    return out.astype(a.dtype if a.dtype.kind == "f" else np.float64, copy=False)
