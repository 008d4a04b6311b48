"""Argument checks shared by the functional forms and the layers: ints, int tuples, shapes."""

import operator


def _is_int(v):
    """An int or a numpy integer (anything with __index__), but not a bool."""
    if isinstance(v, bool):
        return False
    try:
        operator.index(v)
    except TypeError:
        return False
    return True


def _ntuple(value, n, name, op):
    """An int or a sequence of n ints (or of one, repeated) -> n-tuple of ints, as PyTorch's
    _single/_pair; anything else raises TypeError naming op and the argument."""
    what = "a pair of ints" if n == 2 else f"a {n}-tuple of ints"
    if isinstance(value, (tuple, list)):
        items = tuple(value) * n if len(value) == 1 else tuple(value)
        if len(items) != n or not all(_is_int(v) for v in items):
            raise TypeError(f"{op}: {name} must be an int or {what}, got {value!r}")
        return tuple(int(v) for v in items)
    if not _is_int(value):
        raise TypeError(f"{op}: {name} must be an int or {what}, got {value!r}")
    return (int(value),) * n


def _pair(value, name, op):
    return _ntuple(value, 2, name, op)


def _single(value, name, op):
    """An int or a 1-tuple -> int."""
    return _ntuple(value, 1, name, op)[0]


def _check_shape(shape):
    """A parameter's shape, refused as torch.empty refuses it: TypeError for a non-int,
    RuntimeError for a negative size."""
    for s in shape:
        if not _is_int(s):
            raise TypeError(
                f"empty(): argument 'size' must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {shape.index(s)} (shape {tuple(shape)})"
            )
    for s in shape:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(shape)}"
            )
    return tuple(int(s) for s in shape)
