"""Dtypes, spelled as PyTorch spells them, and PyTorch's promotion rules.

numpy's dtype objects serve both backends (cupy uses them too).
"""

import numpy as np

float16 = half = np.dtype("float16")
float32 = np.dtype("float32")
float64 = double = np.dtype("float64")
int8 = np.dtype("int8")
int16 = short = np.dtype("int16")
int32 = np.dtype("int32")
int64 = long = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def as_dtype(dtype):
    """Accept a dtype, a string ('float32'), a numpy or Python type (float -> float64)."""
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"not a dtype: {dtype!r}") from None


def is_floating(dtype):
    return dtype.kind == "f"


def category(dtype):
    """0 bool, 1 integer, 2 floating: PyTorch promotes across categories by these."""
    return _CATEGORY.get(dtype.kind, 3)


def result_type(a, a_ndim, b, b_ndim, default_float):
    """PyTorch's result dtype of a binary op on tensors of dtypes a and b.

    Dimensioned operands outrank zero-dim ones within a category; a higher category wins
    across them (an integer tensor with a float operand gives that float's dtype).
    """
    if a == b:
        return a
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    if (a_ndim == 0) != (b_ndim == 0):
        return b if a_ndim == 0 else a
    return np.promote_types(a, b)


def scalar_type(value, tensor_dtype, default_float):
    """Dtype of the result of `tensor op python_scalar` (the scalar is 'weak' in PyTorch)."""
    kind = tensor_dtype.kind
    if isinstance(value, bool):
        return tensor_dtype
    if isinstance(value, int):
        return np.dtype("int64") if kind == "b" else tensor_dtype
    if isinstance(value, float):
        return tensor_dtype if kind == "f" else default_float
    return tensor_dtype
