"""`torch.cuda`'s queries as learner code calls them: is_available, device_count, seeding.

CUDA here means cupy on an NVIDIA GPU; without one, the queries say so (False, 0) and what
needs a GPU raises a DeviceError, as PyTorch built without CUDA raises.
"""

from backends import DeviceError, get_backend
from backends import manual_seed as _seed_backends
from backends.backend import available_cuda, fresh_seed
from backends.cupy_backend import cuda_device_count

__all__ = [
    "is_available", "device_count", "current_device", "get_device_name", "synchronize",
    "manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed", "empty_cache",
    "is_bf16_supported",
]  # fmt: skip


def is_available():
    return available_cuda()


def device_count():
    return cuda_device_count()


def _require():
    if not available_cuda():
        raise DeviceError(
            "CUDA is not available: cupy is not installed or sees no GPU (cuda.is_available() "
            "is False)"
        )


def current_device():
    _require()
    return 0


def get_device_name(device=None):
    _require()
    backend = get_backend("cuda" if device is None else device)
    props = backend.xp.cuda.runtime.getDeviceProperties(backend.device.index or 0)
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else name


def synchronize(device=None):
    """Wait for the GPU's queued work (every op here is already synchronous on the CPU)."""
    _require()
    get_backend("cuda" if device is None else device).xp.cuda.Device().synchronize()


def manual_seed(seed):
    """Seed the CUDA default generators (applied when a GPU is first used; silently kept
    without one, as PyTorch does)."""
    from autograd.random import _check_seed

    _seed_backends(_check_seed(seed), "cuda")


manual_seed_all = manual_seed


def seed():
    s = fresh_seed()
    _seed_backends(s, "cuda")
    return s


seed_all = seed


def initial_seed():
    _require()
    return get_backend("cuda").rng_seed


def empty_cache():
    """Return cached GPU memory to the driver (nothing to do without a GPU)."""
    if available_cuda():
        get_backend("cuda").xp.get_default_memory_pool().free_all_blocks()


def is_bf16_supported(including_emulation=True):
    return False  # numpy and cupy have no bfloat16
