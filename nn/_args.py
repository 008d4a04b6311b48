"""Argument handling shared by the functional forms and the layers: ints, int lists, shapes.

As PyTorch's, a layer keeps the kernel_size, stride, padding and dilation it is given
(`_ntuple`, PyTorch's nn.modules.utils._single/_pair: no checks), and its functional form
refuses them at forward: a non-int is a TypeError (PyTorch's argument parser, `_int_list`),
a list of the wrong length or a bad value a RuntimeError (the op's own checks)."""

import numbers
import operator
from collections.abc import Iterable


def _is_int(v):
    """An int or a numpy integer (anything with __index__), but not a bool."""
    if isinstance(v, bool):
        return False
    try:
        operator.index(v)
    except TypeError:
        return False
    return True


def _ntuple(value, n):
    """PyTorch's _ntuple: an iterable as a tuple (of any length), anything else repeated n
    times. No checks: the weight's shape or the functional form refuses what is wrong."""
    if isinstance(value, Iterable):
        return tuple(value)
    return (value,) * n


def _int_list(value, n, name, op):
    """An int-list argument as PyTorch's argument parser takes it: an int (not a bool) ->
    n copies, a tuple or list of ints (a bool past the first: 1 or 0) -> that tuple, whatever
    its length (the op checks it); anything else a TypeError naming op and the argument."""
    if isinstance(value, (tuple, list)):
        for pos, v in enumerate(value):
            # a bool passes as 1 or 0, except first: the parser then takes it for no int list
            if not (_is_int(v) or isinstance(v, bool) and pos > 0):
                raise TypeError(
                    f"{op}: argument '{name}' must be tuple of ints, but found element of type "
                    f"{type(v).__name__} at pos {pos} ({name}={value!r})"
                )
        return tuple(int(v) for v in value)
    if not _is_int(value):
        raise TypeError(
            f"{op}: argument '{name}' must be tuple of ints, not {type(value).__name__} "
            f"({name}={value!r})"
        )
    return (int(value),) * n


def _int_arg(value, name, op):
    """An int argument (not a bool, a float or None), as PyTorch's parser takes it."""
    if not _is_int(value):
        raise TypeError(
            f"{op}: argument '{name}' must be int, not {type(value).__name__} ({name}={value!r})"
        )
    return int(value)


def _bool_arg(value, name, op):
    """A bool argument: PyTorch's parser refuses an int or anything else."""
    if not isinstance(value, bool) and type(value).__name__ != "bool_":
        raise TypeError(
            f"{op}: argument '{name}' must be bool, not {type(value).__name__} ({name}={value!r})"
        )
    return bool(value)


def _check_shape(shape):
    """A parameter's shape, refused as torch.empty refuses it: TypeError for a non-int (a bool
    passes as 1 or 0, except first: PyTorch's parser then takes the tuple for no int list),
    RuntimeError for a negative size."""
    for pos, s in enumerate(shape):
        if not (_is_int(s) or isinstance(s, bool) and pos > 0):
            raise TypeError(
                f"empty(): argument 'size' must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {pos} (shape {tuple(shape)})"
            )
    for s in shape:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {int(s)}: "
                f"{[int(v) for v in shape]}"
            )
    return tuple(int(s) for s in shape)


def _float_arg(value, name, op):
    """float(value), as PyTorch's Python layer code converts it (RNN's dropout): a TypeError
    for None, a tuple, a complex, ...; a ValueError for a non-numeric string."""
    try:
        return float(value)
    except TypeError:
        raise TypeError(
            f"{op}: argument '{name}' must be a real number, not {type(value).__name__} "
            f"({name}={value!r})"
        ) from None


def _check_real(value, name, op, complex_error=TypeError):
    """A float/Number argument as PyTorch's argument parser takes it at forward: a real
    number (bool and numpy scalars included) or a Tensor; None, a tuple, a string ... a
    TypeError; a complex complex_error (a 'Number' argument is parsed, then refused by the
    real-valued kernel: RuntimeError). Call it only when type(value) is not float."""
    if (
        isinstance(value, numbers.Real)
        or hasattr(value, "__float__")
        and not isinstance(value, (str, complex, numbers.Complex))
    ):
        return
    kind = complex_error if isinstance(value, numbers.Complex) else TypeError
    raise kind(
        f"{op}: argument '{name}' must be a real number, not {type(value).__name__} "
        f"({name}={value!r})"
    )
