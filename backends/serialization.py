"""Host arrays to and from the safetensors format: the one place that calls `safetensors`.

A safetensors file is an 8-byte header length, a JSON header (name -> dtype, shape, offsets,
plus an optional string-to-string `__metadata__`), then the raw little-endian bytes. It holds
no code, so loading one cannot run anything (unlike pickle).
"""

import numpy as np
import safetensors.numpy
from safetensors import SafetensorError, safe_open

__all__ = ["FormatError", "to_safetensors", "read_safetensors"]


class FormatError(ValueError):
    """A file is not a readable safetensors file (truncated, garbage, unsupported dtype)."""


def to_safetensors(arrays, metadata=None):
    """{name: host array} and {str: str} metadata -> the bytes of a safetensors file."""
    # not np.ascontiguousarray: it turns a 0-d array (Adam's 'step') into shape (1,)
    arrays = {name: np.asarray(a, order="C") for name, a in arrays.items()}
    try:
        return safetensors.numpy.save(arrays, metadata=metadata)
    except SafetensorError as exc:
        raise TypeError(f"cannot store these arrays in safetensors: {exc}") from None


def read_safetensors(path):
    """The {name: numpy array} (sorted by name) and the metadata dict (or {}) of a file.

    Raises FileNotFoundError for a missing file and FormatError for an unreadable one.
    """
    try:
        with safe_open(path, framework="numpy") as f:
            metadata = f.metadata() or {}
            arrays = {}
            for name in f.keys():
                try:
                    arrays[name] = f.get_tensor(name)
                except TypeError as exc:  # a dtype numpy cannot hold, e.g. bfloat16
                    raise FormatError(f"tensor '{name}' cannot be read into numpy: {exc}") from None
    except SafetensorError as exc:
        raise FormatError(str(exc)) from None
    return arrays, metadata
