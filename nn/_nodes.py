"""What PyTorch's graph shows for the functional forms composed of several ops here: their
node's name (`_node`), and their inplace=True forms (`_in_place`)."""

import functools

from autograd import mathops as _mathops
from autograd._tensor import _named


def _node(name):
    """The function's result shows PyTorch's node: PyTorch computes it as one op, composed of
    several here (`print(F.mse_loss(x, y).grad_fn)` reads <MseLossBackward0 ...> in both).
    A tensor handed back unchanged (an in-place form's input, named there) keeps its node's
    name."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            out = fn(*args, **kwargs)
            node = getattr(out, "grad_fn", None)
            if node is not None and not _is_argument(out, args):
                node._torch_name = name
            return out

        return wrapper

    return decorate


def _is_argument(out, args):
    return any(out is a for a in args)  # handed back unchanged: its node is not this op's


def _in_place(fn, input, node, *args):
    """PyTorch's inplace=True: fn(input, *args) computed out of place and written into input
    by autograd's in-place machinery (a version bump; a leaf that requires grad is refused; a
    view's base follows), input's node shown under PyTorch's name for the in-place op."""
    out = _mathops._in_place(fn, input, *args)
    return out if node is None else _named(out, node)
