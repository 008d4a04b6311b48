"""Lazy layers, as PyTorch's: the input size is read off the first input.

`nn.LazyLinear(10)` holds `UninitializedParameter`s until its first call; that call builds the
full layer (`Linear(x.shape[-1], 10)`, with its default initialisation), fills the placeholders
in place, so an optimizer made before the first call keeps working, and the module becomes a
plain `Linear`. The same for `LazyConv2d` (in_channels from the input) and `LazyBatchNorm1d/2d`
(num_features).
"""

from autograd import Tensor, empty
from nn.conv import Conv2d
from nn.linear import Linear
from nn.module import Module
from nn.normalization import BatchNorm1d, BatchNorm2d
from nn.parameter import Parameter

__all__ = [
    "UninitializedParameter",
    "UninitializedBuffer",
    "LazyLinear",
    "LazyConv2d",
    "LazyBatchNorm1d",
    "LazyBatchNorm2d",
]


def _materialize(t, like, cls):
    t.array = like.array
    t._backend = like.backend
    t.__class__ = cls


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet; a lazy layer fills it at its first call."""

    __slots__ = ()

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return Parameter.__new__(cls, empty(0, device=device, dtype=dtype), requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass  # everything happened in __new__

    def materialize(self, like):
        """Take `like`'s storage in place and become a plain Parameter."""
        _materialize(self, like, Parameter)

    def __repr__(self):
        return "<UninitializedParameter>"


class UninitializedBuffer(Tensor):
    """A buffer whose shape is not known yet (a lazy BatchNorm's running statistics)."""

    __slots__ = ()

    def __new__(cls, device=None, dtype=None):
        t = empty(0, device=device, dtype=dtype)
        t.__class__ = cls
        return t

    def __init__(self, device=None, dtype=None):
        pass  # everything happened in __new__

    def materialize(self, like):
        """Take `like`'s storage in place and become a plain Tensor."""
        _materialize(self, like, Tensor)

    def __repr__(self):
        return "<UninitializedBuffer>"


# The registries a Module keeps itself; everything else the full layer sets is copied over.
_OWN = {
    "_parameters",
    "_buffers",
    "_modules",
    "_forward_pre_hooks",
    "_forward_hooks",
    "training",
}


class _LazyModule(Module):
    """Registers placeholders now; at the first call builds `cls_to_become` with the size
    read from the input, moves its tensors into the placeholders and takes its class."""

    cls_to_become = None

    def __init__(self, args, kwargs, parameters, buffers=()):
        super().__init__()
        self.__dict__["_lazy_call"] = (args, kwargs)
        device, dtype = kwargs.get("device"), kwargs.get("dtype")
        for name in parameters:
            self.register_parameter(name, UninitializedParameter(device=device, dtype=dtype))
        for name in buffers:
            self.register_buffer(name, UninitializedBuffer(device=device, dtype=dtype))

    def has_uninitialized_params(self):
        return True

    def _inferred_size(self, input):
        raise NotImplementedError

    def forward(self, input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{type(self).__name__}: expected a Tensor input to infer its size, got "
                f"{type(input).__name__}"
            )
        self._materialize(self._inferred_size(input))
        return self.forward(input, *args, **kwargs)  # now the full layer's forward

    def _materialize(self, size):
        args, kwargs = self.__dict__["_lazy_call"]
        d = self.__dict__
        # the placeholders followed Module.to(device/dtype): build the layer where they are
        held = [t for t in d["_parameters"].values() if isinstance(t, UninitializedParameter)]
        held += [t for t in d["_buffers"].values() if isinstance(t, UninitializedBuffer)]
        if held:
            kwargs = {**kwargs, "device": held[0].device, "dtype": held[0].dtype}
        full = self.cls_to_become(size, *args, **kwargs)
        for registry in ("_parameters", "_buffers"):
            ours = d[registry]
            merged = {}
            for name, new in full.__dict__[registry].items():  # in the full layer's order
                t = ours.get(name)
                if isinstance(t, (UninitializedParameter, UninitializedBuffer)):
                    t.materialize(new)
                    new = t  # the same object: references to it stay valid
                merged[name] = new
            ours.clear()
            ours.update(merged)
        for key, value in full.__dict__.items():
            if key not in _OWN:
                d[key] = value
        del d["_lazy_call"]
        if not full.training:
            self.training = False
        self.__class__ = self.cls_to_become

    def extra_repr(self):
        args, kwargs = self.__dict__["_lazy_call"]
        shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
        return ", ".join(shown)


class LazyLinear(_LazyModule):
    """`Linear` whose in_features is the last dim of its first input."""

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        names = ("weight", "bias") if bias else ("weight",)
        kwargs = {"bias": bias, "device": device, "dtype": dtype}
        super().__init__((out_features,), kwargs, names)
        if not bias:
            self.register_parameter("bias", None)

    def _inferred_size(self, input):
        if input.ndim == 0:
            raise RuntimeError("LazyLinear: expected an input with at least 1 dimension, got 0-d")
        return input.shape[-1]


class LazyConv2d(_LazyModule):
    """`Conv2d` whose in_channels is the channel dim of its first input."""

    cls_to_become = Conv2d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):  # fmt: skip
        kwargs = {
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
            "groups": groups,
            "bias": bias,
            "padding_mode": padding_mode,
            "device": device,
            "dtype": dtype,
        }
        names = ("weight", "bias") if bias else ("weight",)
        super().__init__((out_channels, kernel_size), kwargs, names)
        if not bias:
            self.register_parameter("bias", None)

    def _inferred_size(self, input):
        if input.ndim not in (3, 4):
            raise RuntimeError(
                f"LazyConv2d: expected 3D (unbatched) or 4D (batched) input, got shape "
                f"{tuple(input.shape)}"
            )
        return input.shape[0] if input.ndim == 3 else input.shape[1]


class _LazyBatchNorm(_LazyModule):
    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None):  # fmt: skip
        kwargs = {
            "eps": eps,
            "momentum": momentum,
            "affine": affine,
            "track_running_stats": track_running_stats,
            "device": device,
            "dtype": dtype,
        }
        names = ("weight", "bias") if affine else ()
        buffers = ("running_mean", "running_var") if track_running_stats else ()
        super().__init__((), kwargs, names, buffers)

    def _inferred_size(self, input):
        if input.ndim < 2:
            raise ValueError(
                f"{type(self).__name__}: expected an input with a channel dim, got shape "
                f"{tuple(input.shape)}"
            )
        return input.shape[1]


class LazyBatchNorm1d(_LazyBatchNorm):
    """`BatchNorm1d` whose num_features is dim 1 of its first input."""

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyBatchNorm):
    """`BatchNorm2d` whose num_features is dim 1 of its first input."""

    cls_to_become = BatchNorm2d
