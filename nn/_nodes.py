"""What PyTorch's graph shows for the functional forms composed of several ops here: their
node's name (`_node`), and their inplace=True forms (`_in_place`)."""

import functools
import inspect

from autograd import mathops as _mathops
from autograd._tensor import _named


def _node(name, in_place=None):
    """The function's result shows PyTorch's node: PyTorch computes it as one op, composed of
    several here (`print(F.mse_loss(x, y).grad_fn)` reads <MseLossBackward0 ...> in both).
    With `in_place` (PyTorch's node for the in-place form), the function's `inplace=True`,
    by keyword or position, computes out of place and writes into the input (`_in_place`)."""

    def decorate(fn):
        position = list(inspect.signature(fn).parameters).index("inplace") if in_place else 0

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if in_place is not None:
                if len(args) > position:
                    inplace = args[position]
                    args = args[:position] + args[position + 1 :]
                else:
                    inplace = kwargs.pop("inplace", False)
                if inplace:
                    return _in_place(fn, args[0], in_place, *args[1:], **kwargs)
            out = fn(*args, **kwargs)
            node = getattr(out, "grad_fn", None)
            if node is not None and not _is_argument(out, args):
                node._torch_name = name
            return out

        return wrapper

    return decorate


def _is_argument(out, args):
    return any(out is a for a in args)  # handed back unchanged: its node is not this op's


def _in_place(fn, input, node, *args, **kwargs):
    """PyTorch's inplace=True: fn(input, ...) computed out of place and written into input by
    autograd's in-place machinery (a version bump; a leaf that requires grad is refused; a
    view's base follows), input's node shown under PyTorch's name for the in-place op."""
    out = _mathops._in_place(fn, input, *args, **kwargs)
    return out if node is None else _named(out, node)
