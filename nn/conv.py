"""The convolution layers `Conv1d`, `Conv2d`, `ConvTranspose1d` and `ConvTranspose2d`, over
their functional forms in `nn.functional`.

Parameters, default initialisation and repr are PyTorch's: weight (out, in/groups, *k) for a
convolution, (in, out/groups, *k) for a transposed one, and both weight and bias drawn from
U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = weight.shape[1] * prod(k) (PyTorch's
kaiming_uniform_(a=sqrt(5))).
"""

from autograd import empty
from nn import functional as F
from nn import init
from nn._args import _check_shape, _ntuple
from nn.module import Module
from nn.parameter import Parameter, _optional_parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """Conv1d's and Conv2d's constructor (_dims = 1 or 2), which the transposed ones share."""

    _dims = 1
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):  # fmt: skip
        super().__init__()
        name = type(self).__name__
        n = self._dims
        # PyTorch's order and its checks only: the weight's shape refuses a non-int or negative
        # kernel size (torch.empty's errors), the functional form the rest at forward.
        self.kernel_size = _ntuple(kernel_size, n)
        self.stride = _ntuple(stride, n)
        self.dilation = _ntuple(dilation, n)
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, n)
        if groups <= 0:
            raise ValueError(f"{name}: groups must be a positive integer, got {groups!r}")
        for what, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
            if channels % groups != 0:
                raise ValueError(
                    f"{name}: {what} must be divisible by groups, got {what}={channels} and "
                    f"groups={groups}"
                )
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"{name}: Invalid padding string {padding!r}, should be one of "
                    "['same', 'valid']"
                )
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(
                    f"{name}: padding='same' is not supported for strided convolutions"
                )
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"{name}: padding_mode must be one of {list(_PADDING_MODES)}, but got "
                f"padding_mode={padding_mode!r}"
            )
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {name}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.output_padding = (0,) * n
        self.groups = groups
        self.padding_mode = padding_mode
        if self._transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(empty(_check_shape(shape), device=device, dtype=dtype))
        _optional_parameter(self, "bias", bias, out_channels, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        init._reset_affine(self.weight, self.bias, empty_fan_in_bias=False)

    def extra_repr(self):
        """The options that differ from an n-d convolution's defaults, as PyTorch's repr."""
        n = self._dims
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        s += f", stride={self.stride}"
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    def forward(self, input):
        # op=self: errors name the layer by its repr, formatted only when one is raised
        conv = F._conv1d if self._dims == 1 else F._conv2d
        return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                    self.groups, self.padding_mode, self)  # fmt: skip


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) or (C_in, L) inputs, as torch.nn.Conv1d."""


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) or (C_in, H, W) inputs, as torch.nn.Conv2d.
    padding: int, pair, 'valid' or 'same'; padding_mode: 'zeros', 'reflect', 'replicate' or
    'circular'."""

    _dims = 2


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):  # fmt: skip
        n = self._dims
        # PyTorch's _single/_pair first: a padding string becomes a tuple of characters, which
        # conv_transpose refuses at forward (a TypeError) while the constructor takes it.
        padding = _ntuple(padding, n)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)  # fmt: skip
        self.output_padding = _ntuple(output_padding, n)

    def forward(self, input, output_size=None):
        output_padding = self._output_padding(input, output_size)
        conv = F.conv_transpose1d if self._dims == 1 else F.conv_transpose2d
        return conv(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                    self.groups, self.dilation)  # fmt: skip

    def _output_padding(self, input, output_size):
        """output_padding that makes the output output_size (PyTorch's _output_padding)."""
        if output_size is None:
            return self.output_padding
        n = self._dims
        output_size = tuple(output_size)[-n:]
        if len(output_size) != n:
            raise ValueError(
                f"ConvTranspose{n}D: for {input.ndim}D input, output_size must have {n} or "
                f"{n + 2} elements (got {len(output_size)})"
            )
        result = []
        for d in range(n):
            size = input.shape[input.ndim - n + d]
            smallest = ((size - 1) * self.stride[d] - 2 * self.padding[d]
                        + self.dilation[d] * (self.kernel_size[d] - 1) + 1)  # fmt: skip
            largest = smallest + self.stride[d] - 1
            if not smallest <= output_size[d] <= largest:
                raise ValueError(
                    f"requested an output size of {list(output_size)}, but valid sizes range "
                    f"from {smallest} to {largest} (for an input of {list(input.shape[2:])})"
                )
            result.append(output_size[d] - smallest)
        return tuple(result)


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution, as torch.nn.ConvTranspose1d: (N, C_in, L) -> (N, C_out, Lo),
    Lo = (L - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1."""


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution, as torch.nn.ConvTranspose2d: (N, C_in, H, W) ->
    (N, C_out, Ho, Wo), Ho = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1.
    """

    _dims = 2
