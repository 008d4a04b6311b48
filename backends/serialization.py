"""Host arrays to and from the safetensors format: the one place that calls `safetensors`.

A safetensors file is an 8-byte header length, a JSON header (name -> dtype, shape, offsets,
plus an optional string-to-string `__metadata__`), then the raw little-endian bytes. It holds
no code, so loading one cannot run anything (unlike pickle).
"""

import json
import struct
import warnings

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
    widened = []
    try:
        with safe_open(path, framework="numpy") as f:
            metadata = f.metadata() or {}
            arrays = {}
            for name in f.keys():
                try:
                    arrays[name] = f.get_tensor(name)
                except (TypeError, AttributeError) as exc:  # a dtype numpy lacks (bfloat16)
                    arrays[name] = _read_raw(path, name, exc)
                    widened.append(name)
    except SafetensorError as exc:
        raise FormatError(str(exc)) from None
    if widened:
        warnings.warn(
            f"'{path}': bfloat16 tensors {widened} were loaded as float32 (exactly: every "
            "bfloat16 is a float32); numpy has no bfloat16",
            stacklevel=3,
        )
    return arrays, metadata


def _read_raw(path, name, exc):
    """A bfloat16 tensor of a safetensors file, widened to float32 (its bits are the high
    half of a float32's). Other dtypes numpy lacks raise FormatError."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        info = header[name]
        if info["dtype"] != "BF16":
            raise FormatError(f"tensor '{name}' cannot be read into numpy: {exc}")
        start, end = info["data_offsets"]
        f.seek(8 + n + start)
        raw = f.read(end - start)
    bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
    return bits.view(np.float32).reshape(info["shape"])
