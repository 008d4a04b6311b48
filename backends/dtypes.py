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


def promote_types(a, b):
    """torch.promote_types: across categories the higher one's dtype (int16 with float16 is
    float16, where numpy says float32); within a category numpy's table, which agrees."""
    if a == b:
        return a
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def _combine(higher, lower):
    """A state of higher priority (dimensioned > zero-dim > Python number) keeps its dtype
    unless the lower one is of a higher category (PyTorch's combine_categories)."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def number_dtype(value, default_float):
    """The dtype a Python number takes in promotion: bool, int64 or the default float."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    return default_float


def result_types(operands, default_float):
    """PyTorch's result dtype of an op on `operands`: arrays (anything with .dtype and .ndim)
    and Python numbers. Dimensioned arrays outrank 0-d ones, which outrank numbers; a lower
    rank only matters when it is of a higher category (bool < int < float)."""
    dim = zero = number = None
    for v in operands:
        dtype = getattr(v, "dtype", None)
        if dtype is None:
            dt = number_dtype(v, default_float)
            number = dt if number is None else promote_types(number, dt)
        elif v.ndim:
            dim = dtype if dim is None else promote_types(dim, dtype)
        else:
            zero = dtype if zero is None else promote_types(zero, dtype)
    return _combine(dim, _combine(zero, number))


def result_type(a, a_ndim, b, b_ndim, default_float):
    """PyTorch's result dtype of a binary op on tensors of dtypes a and b (see result_types)."""
    if a == b:
        return a
    if (a_ndim == 0) == (b_ndim == 0):
        return promote_types(a, b)
    dim, zero = (b, a) if a_ndim == 0 else (a, b)
    return _combine(dim, zero)


_TORCH_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
    "int64": "Long", "float16": "Half", "float32": "Float", "float64": "Double",
}  # fmt: skip


def torch_name(dtype):
    """The name PyTorch's messages give a dtype: Float, Long, Byte, ..."""
    return _TORCH_NAMES.get(dtype.name, dtype.name)


def can_cast(from_, to):
    """torch.can_cast: no cast to a lower category (float to int, int to bool)."""
    return category(from_) <= category(to)


def wrap_number(value, dtype):
    """A Python number as `dtype` holds it, as PyTorch converts a scalar operand: integers
    wrap modulo 2^bits (uint8 - 3 is uint8 + 253), bool is nonzero."""
    kind = dtype.kind
    if kind == "b":
        return bool(value)
    if kind in "iu" and isinstance(value, int):
        bits = 8 * dtype.itemsize
        value &= (1 << bits) - 1
        if kind == "i" and value >= 1 << (bits - 1):
            value -= 1 << bits
        return value
    if kind in "iu":
        return int(value)  # a float scalar into an integer computation truncates
    return float(value) if isinstance(value, bool) else value


# PyTorch's C++ names of the dtypes, as its overflow messages give them.
_C_NAMES = {
    "bool": "bool", "uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
    "int64": "int64_t", "float16": "c10::Half", "float32": "float", "float64": "double",
}  # fmt: skip


def overflows(value, dtype):
    """c10::overflows: whether the Python number `value` is out of `dtype`'s range. A bool
    never is, nor anything into bool; an integer into an unsigned type may be down to -max
    (it wraps: uint8 takes -1 as 255), a float may not be below 0; +-inf and nan fit the float
    types only."""
    kind = dtype.kind
    if kind == "b" or isinstance(value, bool):
        return False
    if isinstance(value, complex) and kind != "c":  # c10: an imaginary part never fits
        if value.imag:
            return True
        value = value.real
    if kind in "iu":
        info = np.iinfo(dtype)
        low = -int(info.max) if kind == "u" and isinstance(value, int) else int(info.min)
        return not low <= value <= int(info.max)  # nan compares False: it overflows
    if value != value or dtype.itemsize == 8 or abs(value) == float("inf"):
        return False
    return abs(value) > float(np.finfo(dtype).max)


def checked_number(value, dtype):
    """A Python number converted to dtype as PyTorch converts a Scalar it checks (fill_,
    masked_fill, full, clamp and where bounds, a pow exponent): RuntimeError when it
    `overflows`, else `wrap_number`."""
    if overflows(value, dtype):
        name = _C_NAMES.get(dtype.name, dtype.name)
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    if isinstance(value, complex) and dtype.kind != "c":
        value = value.real  # its imaginary part is 0 (overflows refused any other)
    return wrap_number(value, dtype)


def fill_number(value, dtype, numel):
    """A Python number to fill `numel` elements of dtype, as PyTorch's fill_ (full, pad)
    converts it: checked (`checked_number`), except into a single float16 element, whose
    fast path lets 70000 become inf."""
    if numel == 1 and dtype == float16:
        return wrap_number(value, dtype)
    return checked_number(value, dtype)


def scalar_type(value, tensor_dtype, default_float):
    """Dtype of the result of `tensor op python_scalar` (the scalar is 'weak' in PyTorch)."""
    return _combine(tensor_dtype, number_dtype(value, default_float))
