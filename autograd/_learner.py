"""torch's top-level names about dtypes and the `torch.backends` flags, and the legacy
`torch.autograd.Variable`, for learner code.

`dtype` is numpy's dtype class (both backends use numpy's dtype objects); promotion follows
PyTorch's rules in `backends.dtypes`.
"""

import types

from autograd import accelerator as _accelerator
from autograd._tensor import Tensor, _defaults
from backends import dtypes, get_backend
from backends.backend import available_cuda

__all__ = [
    "dtype", "bfloat16", "finfo", "iinfo", "promote_types", "result_type", "can_cast",
    "is_tensor", "is_floating_point", "numel", "backends", "Variable",
]  # fmt: skip

dtype = type(dtypes.float32).__mro__[-2]  # numpy.dtype: isinstance(x.dtype, autograd.dtype)
_xp = get_backend("cpu").xp  # for the host-side limits of dtypes


class _Unsupported:
    """A dtype numpy cannot hold: the name exists, and using it says why it fails."""

    def __init__(self, name):
        self._name = name

    @property
    def dtype(self):  # numpy.dtype(x) reads x.dtype: fail there with the reason
        raise TypeError(f"{self._name} is not supported: numpy (and so dagrad) has no {self._name}")

    def __repr__(self):
        return f"autograd.{self._name} (not supported: numpy has no {self._name})"


bfloat16 = _Unsupported("bfloat16")


class finfo:
    """Machine limits of a floating dtype as Python floats: bits, eps, max, min, tiny
    (= smallest_normal), resolution, dtype (its name)."""

    def __init__(self, type=None):
        type = _defaults.dtype if type is None else dtypes.as_dtype(type)
        if type.kind != "f":
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to "
                "handle 'torch.finfo'"
            )
        info = _xp.finfo(type)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = float(10.0 ** -int(info.precision))
        self.dtype = type.name

    def __repr__(self):
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )


class iinfo:
    """Limits of an integer dtype as Python ints: bits, max, min, dtype (its name)."""

    def __init__(self, type):
        type = dtypes.as_dtype(type)
        if type.kind not in "iub":
            raise TypeError(
                "torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                "'torch.iinfo'"
            )
        info = _xp.iinfo(type) if type.kind != "b" else None
        self.bits = type.itemsize * 8
        self.max = 1 if info is None else int(info.max)
        self.min = 0 if info is None else int(info.min)
        self.dtype = type.name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


def promote_types(type1, type2):
    """The dtype both promote to, by PyTorch's rules (a float beats any integer:
    int64 with float16 is float16, where numpy says float64)."""
    a, b = dtypes.as_dtype(type1), dtypes.as_dtype(type2)
    return dtypes.result_type(a, 1, b, 1, _defaults.dtype)


def _python_dtype(value):
    if isinstance(value, bool):
        return dtypes.bool_
    if isinstance(value, int):
        return dtypes.int64
    return _defaults.dtype


def result_type(tensor1, tensor2):
    """The dtype of `tensor1 op tensor2` (Tensors or Python numbers), as torch.result_type:
    a 0-d tensor or a number ranks below a dimensioned tensor of the same category."""
    t1, t2 = isinstance(tensor1, Tensor), isinstance(tensor2, Tensor)
    if t1 and t2:
        return dtypes.result_type(
            tensor1.dtype, tensor1.ndim, tensor2.dtype, tensor2.ndim, _defaults.dtype
        )
    if t1:
        return dtypes.scalar_type(tensor2, tensor1.dtype, _defaults.dtype)
    if t2:
        return dtypes.scalar_type(tensor1, tensor2.dtype, _defaults.dtype)
    return dtypes.result_type(_python_dtype(tensor1), 0, _python_dtype(tensor2), 0, _defaults.dtype)


def can_cast(from_, to):
    """Whether PyTorch's casting rules allow from_ -> to: never to a lower category
    (float -> integer, integer -> bool)."""
    return dtypes.category(dtypes.as_dtype(from_)) <= dtypes.category(dtypes.as_dtype(to))


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


# torch.backends: the flags tutorials set, and the queries they make
backends = types.SimpleNamespace(
    mps=types.SimpleNamespace(is_available=lambda: False, is_built=lambda: False),
    cudnn=types.SimpleNamespace(
        is_available=lambda: available_cuda() and get_backend("cuda").cudnn() is not None,
        enabled=True,
        benchmark=False,
        deterministic=False,
        allow_tf32=True,
    ),
    cuda=types.SimpleNamespace(
        is_built=available_cuda,
        matmul=types.SimpleNamespace(allow_tf32=False),
    ),
    accelerator=_accelerator,
)


class _VariableType(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)  # every tensor is a Variable, as in PyTorch


class Variable(metaclass=_VariableType):
    """The legacy `torch.autograd.Variable(t, requires_grad=False)`: as in PyTorch since 0.4,
    a tensor, `t` detached (sharing its storage) with `requires_grad` set."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)
