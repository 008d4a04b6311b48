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
        self._cudnn = None  # looked up at the first convolution
        self.array_type = cupy.ndarray

    # --- cuDNN convolution (helper strict): written for the GPU, not yet run on one ---------
    def cudnn(self):
        """cupyx.cudnn when cupy was built with it and libcudnn loads, else None (im2col)."""
        if self._cudnn is None:
            try:
                import cupyx.cudnn as api
                from cupy.cuda import cudnn as lib

                lib.getVersion()
                self._cudnn = api
            except Exception:  # ImportError, or a cuDNN library that fails to load
                self._cudnn = False
        return self._cudnn or None

    def conv2d_cudnn(self, x, w, stride, padding, dilation, groups):
        """Cross-correlation of x (N, C, H, W) with w (O, C/groups, kh, kw), no bias."""
        xp = self.xp
        n, _, h, wd = x.shape
        o, _, kh, kw = w.shape
        ho = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        wo = (wd + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
        y = xp.empty((n, o, ho, wo), dtype=x.dtype)
        self.cudnn().convolution_forward(
            xp.ascontiguousarray(x), xp.ascontiguousarray(w), None, y, tuple(padding),
            tuple(stride), tuple(dilation), groups, auto_tune=False, tensor_core="auto",
        )  # fmt: skip
        return y

    def conv2d_cudnn_backward(self, x, w, gy, stride, padding, dilation, groups):
        """(dL/dx, dL/dw) of conv2d_cudnn for the upstream gradient gy."""
        xp, api = self.xp, self.cudnn()
        x, w, gy = xp.ascontiguousarray(x), xp.ascontiguousarray(w), xp.ascontiguousarray(gy)
        gx, gw = xp.empty_like(x), xp.empty_like(w)
        conv = (tuple(padding), tuple(stride), tuple(dilation), groups)
        flags = {"deterministic": False, "auto_tune": False, "tensor_core": "auto"}
        api.convolution_backward_data(w, gy, None, gx, *conv, **flags)
        api.convolution_backward_filter(x, gy, gw, *conv, **flags)
        return gx, gw

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

    def read_only(self, array):
        """array as it is: cupy arrays have no read-only flag, so writes are not refused."""
        return array

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
