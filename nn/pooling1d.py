"""1-D pooling (`MaxPool1d`, `AvgPool1d`) and adaptive pooling (`AdaptiveAvgPool1d/2d`,
`AdaptiveMaxPool1d/2d`), as PyTorch's, over their functional forms in `nn.functional`."""

from nn import functional as F
from nn.module import Module
from nn.pooling import _MaxPoolNd

__all__ = [
    "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
]  # fmt: skip


class MaxPool1d(_MaxPoolNd):
    """Max over windows of (N, C, L) or (C, L) input (stride defaults to kernel_size)."""

    def forward(self, input):
        return F._max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                             self.ceil_mode, self.return_indices, self)  # fmt: skip


class AvgPool1d(Module):
    """Mean over windows of (N, C, L) or (C, L) input (stride defaults to kernel_size)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):  # fmt: skip
        super().__init__()
        op = "AvgPool1d"
        self.kernel_size = (F._single(kernel_size, "kernel_size", op),)
        stride = kernel_size if stride is None or stride == [] or stride == () else stride
        self.stride = (F._single(stride, "stride", op),)
        self.padding = (F._single(padding, "padding", op),)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F._avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                             self.count_include_pad, self)  # fmt: skip

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePool(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePool):
    """Mean over L split into output_size near-equal windows (PyTorch's bounds)."""

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptivePool):
    """Mean over (H, W) split into output_size windows; None in output_size keeps that size."""

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)


class _AdaptiveMaxPool(_AdaptivePool):
    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """Max over L split into output_size windows; return_indices as MaxPool1d."""

    def forward(self, input):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """Max over (H, W) split into output_size windows; return_indices as MaxPool2d."""

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)
