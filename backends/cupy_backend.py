"""The GPU backend: cupy. The only module that imports cupy, and only when asked for."""

from backends.backend import Backend, Device, DeviceError


def _import_cupy():
    try:
        import cupy
    except Exception as exc:  # ImportError, or a CUDA runtime that fails to load
        return None, exc
    return cupy, None


def cuda_device_count():
    cupy, _ = _import_cupy()
    if cupy is None:
        return 0
    try:
        return cupy.cuda.runtime.getDeviceCount()
    except Exception:
        return 0


class CupyBackend(Backend):
    name = "cupy"

    def __init__(self, cupy, device):
        super().__init__(cupy, device)
        self._cuda_device = cupy.cuda.Device(device.index or 0)
        self.array_type = cupy.ndarray

    def to_numpy(self, array):
        return self.xp.asnumpy(array)

    def from_numpy(self, array):
        with self._cuda_device:
            return self.xp.asarray(array)

    def scatter_add(self, target, index, values):
        import cupyx

        cupyx.scatter_add(target, index, values)

    def as_strided(self, array, shape, strides):
        return self.xp.lib.stride_tricks.as_strided(array, shape, strides)

    def sliding_window_view(self, array, window_shape, axis=None):
        return self.xp.lib.stride_tricks.sliding_window_view(array, window_shape, axis=axis)

    def is_array(self, obj):
        return isinstance(obj, self.xp.ndarray)

    def owns(self, array):
        # every GPU's arrays are cupy.ndarray: the device tells them apart
        return isinstance(array, self.xp.ndarray) and array.device.id == self._cuda_device.id

    # --- special functions (helper math) ---
    def erf(self, array):
        import cupyx.scipy.special

        return cupyx.scipy.special.erf(array)

    def erfc(self, array):
        import cupyx.scipy.special

        return cupyx.scipy.special.erfc(array)

    def erfinv(self, array):
        import cupyx.scipy.special

        return cupyx.scipy.special.erfinv(array)


def make_cupy_backend(device):
    cupy, exc = _import_cupy()
    if cupy is None:
        raise DeviceError(
            f"device '{device}' is not available: cupy is not installed or failed to import "
            f"({exc.__class__.__name__}: {exc}); available devices: ['cpu']"
        )
    count = cuda_device_count()
    index = device.index or 0
    if index >= count:
        raise DeviceError(f"device '{device}' is not available: cupy sees {count} CUDA device(s)")
    return CupyBackend(cupy, Device("cuda", index))
