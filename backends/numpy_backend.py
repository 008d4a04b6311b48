"""The CPU backend: numpy."""

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

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

    def sliding_window_view(self, array, window_shape, axis=None):
        return sliding_window_view(array, window_shape, axis=axis)

    def is_array(self, obj):
        return isinstance(obj, np.ndarray)

    def owns(self, array):
        # numpy's 0-d math hands back scalars (np.float32, ...): those are the CPU's too
        # (exactly ndarray: a subclass may be another backend's test double)
        return "alone" if array.__class__ is np.ndarray or isinstance(array, np.generic) else False

    # --- random numbers (helper random) ------------------------------------------------------
    def rng_state(self, rng):
        """PCG64's 128-bit state and increment, then its buffered 32-bit half-word."""
        st = rng.bit_generator.state
        if st["bit_generator"] != "PCG64":
            raise NotImplementedError(f"cannot save the state of {st['bit_generator']}")
        inner = st["state"]
        return (
            inner["state"].to_bytes(16, "little")
            + inner["inc"].to_bytes(16, "little")
            + st["has_uint32"].to_bytes(1, "little")
            + st["uinteger"].to_bytes(4, "little")
        )

    def rng_from_state(self, state):
        if len(state) != RNG_STATE_SIZE:
            raise RuntimeError(
                f"Expected a generator state of size {RNG_STATE_SIZE} but found the input RNG "
                f"state size to be {len(state)}"
            )
        bit_generator = np.random.PCG64()
        bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {
                "state": int.from_bytes(state[:16], "little"),
                "inc": int.from_bytes(state[16:32], "little"),
            },
            "has_uint32": state[32],
            "uinteger": int.from_bytes(state[33:37], "little"),
        }
        return np.random.Generator(bit_generator)

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


RNG_STATE_SIZE = 37
_ERF = np.frompyfunc(math.erf, 1, 1)
_ERFC = np.frompyfunc(math.erfc, 1, 1)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _elementwise(ufunc, array):
    """A Python-level ufunc over a float array, in float64, back to the array's dtype."""
    a = np.asarray(array)
    out = np.asarray(ufunc(a.astype(np.float64, copy=False)), dtype=np.float64)
    return out.astype(a.dtype if a.dtype.kind == "f" else np.float64, copy=False)
