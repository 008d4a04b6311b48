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
