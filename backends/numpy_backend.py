"""The CPU backend: numpy."""

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from backends.backend import Backend, Device


class NumpyBackend(Backend):
    name = "numpy"

    def __init__(self):
        super().__init__(np, Device("cpu"))
        self.array_type = np.ndarray

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


RNG_STATE_SIZE = 37
