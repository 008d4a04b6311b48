"""`torch.accelerator` (PyTorch 2.6+): the one accelerator of this machine, if any (CUDA)."""

from backends import DeviceError, get_backend
from backends.backend import Device, available_cuda
from backends.cupy_backend import cuda_device_count

__all__ = [
    "is_available", "current_accelerator", "device_count", "current_device_index",
    "current_device_idx", "synchronize",
]  # fmt: skip


def is_available():
    return available_cuda()


def current_accelerator(check_available=False):
    """device(type='cuda') when a GPU is usable, else None."""
    return Device("cuda") if available_cuda() else None


def device_count():
    return cuda_device_count()


def current_device_index():
    if not available_cuda():
        raise DeviceError("Cannot access accelerator device when none is available.")
    return 0


current_device_idx = current_device_index


def synchronize(device=None):
    if not available_cuda():
        raise DeviceError("Cannot access accelerator device when none is available.")
    get_backend("cuda" if device is None else device).xp.cuda.Device().synchronize()
