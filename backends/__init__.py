"""Where arrays live: numpy on the CPU, cupy on the GPU, behind one `Backend` interface."""

from backends import dtypes, errors
from backends.backend import (
    Backend,
    Device,
    DeviceError,
    available,
    backend_of,
    get_backend,
    manual_seed,
    parse_device,
)

__all__ = [
    "Backend",
    "Device",
    "DeviceError",
    "available",
    "backend_of",
    "dtypes",
    "errors",
    "get_backend",
    "manual_seed",
    "parse_device",
]
