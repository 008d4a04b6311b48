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


def _optional_parameter(module, name, present, shape, device=None, dtype=None):
    """module.<name> = an uninitialised Parameter of `shape` (reset_parameters fills it), or,
    when not `present`, None registered under that name (as PyTorch's bias=False)."""
    if present:
        setattr(module, name, Parameter(empty(shape, device=device, dtype=dtype)))
    else:
        module.register_parameter(name, None)


def _affine_parameters(module, shape, affine, bias, device=None, dtype=None):
    """A normalisation layer's scale `weight` and shift `bias`, both of `shape`."""
    _optional_parameter(module, "weight", affine, shape, device, dtype)
    _optional_parameter(module, "bias", affine and bias, shape, device, dtype)
