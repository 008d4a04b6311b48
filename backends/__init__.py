"""Where arrays live: numpy on the CPU, cupy on the GPU, behind one `Backend` interface."""

from backends import dtypes
from backends.backend import (
    Backend,
    Device,
    DeviceError,
    available,
    get_backend,
    manual_seed,
    parse_device,
)

__all__ = [
    "Backend",
    "Device",
    "DeviceError",
    "available",
    "dtypes",
    "get_backend",
    "manual_seed",
    "parse_device",
]
