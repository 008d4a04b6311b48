"""Resizing layers: `Upsample` (and the UpsamplingNearest2d/UpsamplingBilinear2d aliases),
`PixelShuffle`/`PixelUnshuffle`, and the padding layers (`ZeroPad2d`, `ConstantPad2d`,
`ReflectionPad2d`, `ReplicationPad2d` and their 1-D forms), over `nn.functional`."""

from nn import functional as F
from nn._args import _ntuple
from nn.module import Module

__all__ = [
    "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle",
    "PixelUnshuffle", "ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d",
    "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d",
]  # fmt: skip


class Upsample(Module):
    """F.interpolate as a layer: size or scale_factor, mode 'nearest' | 'nearest-exact' |
    'linear' | 'bilinear', align_corners for the linear modes."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):  # fmt: skip
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)  # fmt: skip

    def extra_repr(self):
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class PixelShuffle(Module):
    """(*, C r^2, H, W) -> (*, C, H r, W r) (Shi et al., 2016)."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H r, W r) -> (*, C r^2, H, W)."""

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"


class _PadNd(Module):
    _dims = 1
    _mode = "constant"

    def __init__(self, padding):
        super().__init__()
        # PyTorch's _pair/_quadruple: no checks, F.pad refuses at forward what is wrong (a
        # pair given to a 2-D layer pads only the last dim, as there)
        self.padding = _ntuple(padding, 2 * self._dims)
        self.value = 0.0

    def forward(self, input):
        if self._mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class ConstantPad1d(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad2d(ConstantPad1d):
    _dims = 2


class ZeroPad1d(_PadNd):
    """Zeros on both sides of the last dim (ZeroPad2d: of the last two)."""


class ZeroPad2d(ZeroPad1d):
    _dims = 2


class ReflectionPad1d(_PadNd):
    _mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    _dims = 2


class ReplicationPad1d(_PadNd):
    _mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    _dims = 2
