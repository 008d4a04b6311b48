"""`Parameter`: a Tensor that a Module registers as one of its learnable weights."""

from autograd import Tensor, empty

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A leaf Tensor that requires grad by default; assigning one to a Module attribute
    registers it, so `parameters()` and `state_dict()` find it.

    As in PyTorch, `Parameter(t)` shares t's storage (and version counter) rather than copying.
    """

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter expects a Tensor, got {type(data).__name__}")
        p = data.detach()  # a new leaf on the same storage
        p.__class__ = cls
        p.requires_grad_(requires_grad)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happened in __new__

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
