"""Backend: the array module (`xp`) and device of a tensor, and the device registry."""

import threading

__all__ = ["Backend", "Device", "get_backend", "available", "DeviceError"]


class DeviceError(RuntimeError):
    """A device was asked for that this machine cannot provide, or devices were mixed."""


class Device:
    """A device as PyTorch names it: ``device(type='cuda', index=0)``; equal to its string."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        self.type = type
        self.index = index

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other):
        if isinstance(other, str):
            other = parse_device(other)
        if not isinstance(other, Device):
            return NotImplemented
        return self.type == other.type and (self.index or 0) == (other.index or 0)

    def __hash__(self):
        return hash((self.type, self.index or 0))


def parse_device(device):
    """`"cpu"`, `"cuda"`, `"cuda:1"` or a `Device` -> `Device`; anything else raises."""
    if isinstance(device, Device):
        return device
    if not isinstance(device, str):
        raise TypeError(f"device must be a string like 'cpu' or 'cuda:0', got {device!r}")
    kind, colon, index = device.partition(":")
    if kind not in ("cpu", "cuda"):
        raise DeviceError(f"unknown device {device!r}: expected 'cpu', 'cuda' or 'cuda:N'")
    if colon:  # "cuda:" with no index is as invalid as "cuda:x"
        if not index.isdigit():
            raise DeviceError(f"bad device index in {device!r}: expected 'cuda:N' with N >= 0")
        return Device(kind, int(index))
    return Device(kind, None)


class Backend:
    """Where arrays live: `xp` is numpy or cupy; the helpers cover what they spell differently."""

    name = "abstract"

    def __init__(self, xp, device):
        self.xp = xp
        self.device = device
        self._local = threading.local()
        self._scalars = {}

    # Random numbers come from one generator per backend so seeds reproduce per device.
    @property
    def rng(self):
        rng = getattr(self._local, "rng", None)
        if rng is None:
            rng = self._local.rng = self.xp.random.default_rng(_seed.value)
        return rng

    def seed(self, seed):
        self._local.rng = self.xp.random.default_rng(seed)

    def scalar(self, value, dtype):
        """`value` as a 0-d array of `dtype`, cached: numpy computes with a 0-d array of the
        right dtype about twice as fast as with a Python number (no promotion step)."""
        key = (value, dtype)
        cached = self._scalars.get(key)
        if cached is None:
            cached = self.xp.asarray(value, dtype=dtype)
            if len(self._scalars) < 4096:  # constants of a program repeat; step counters don't
                self._scalars[key] = cached
        return cached

    def asarray(self, data, dtype=None):
        return self.xp.asarray(data, dtype=dtype)

    def from_python(self, data, default_float):
        """Python numbers/lists as PyTorch reads them: bool, int64, else the float default."""
        array = self.xp.asarray(data)
        if array.dtype.kind == "f":
            array = array.astype(default_float, copy=False)
        elif array.dtype.kind in "iu" and array.dtype.itemsize != 8:
            array = array.astype("int64")
        return array

    def windows(self, array, kernel_size, dilation, stride):
        """The sliding windows of an (N, C, H, W) array, as a strided view without a copy:
        (N, C, kh, kw, Ho, Wo) with view[n, c, i, j, p, q] = array[n, c, p*sh + i*dh, q*sw + j*dw]
        and Ho = (H - dh*(kh-1) - 1) // sh + 1 (likewise Wo)."""
        n, c, h, w = array.shape
        (kh, kw), (dh, dw), (sh, sw) = kernel_size, dilation, stride
        ho = (h - dh * (kh - 1) - 1) // sh + 1
        wo = (w - dw * (kw - 1) - 1) // sw + 1
        s_n, s_c, s_h, s_w = array.strides
        shape = (n, c, kh, kw, ho, wo)
        return self.as_strided(array, shape, (s_n, s_c, dh * s_h, dw * s_w, sh * s_h, sw * s_w))

    def window_max(self, windows, first=0):
        """Max over the leading axis of windows (K, ...), and where it is, as PyTorch's max
        pooling picks it: the first maximum (a later equal value does not win), or the last
        NaN; where no element beats -inf, `first` (ints broadcastable to the rest: padding is
        -inf, and PyTorch then picks the window's first element inside the input).
        Returns (index, values). A loop over the short window axis with branch-free updates:
        numpy's argmax along it, and masked writes, are an order of magnitude slower."""
        xp = self.xp
        k = windows.shape[0]
        small = "int8" if k <= 127 else "int32"
        if isinstance(first, int) and first == 0:
            best = windows[0, ...].copy()  # [0, ...]: a 0-d array, not a scalar, for 1-D input
            index = xp.zeros(best.shape, dtype=small)
            start = 1
        else:
            best = xp.full(windows.shape[1:], -xp.inf, dtype=windows.dtype)
            index = xp.empty(best.shape, dtype=small)  # C order (np.array of a broadcast isn't)
            index[...] = first
            start = 0
        for i in range(start, k):
            v = windows[i, ...]
            wins = v > best
            wins |= xp.isnan(v)
            index += wins.view("int8") * (i - index)  # index = i where v wins
            xp.maximum(best, v, out=best)
        return index, best

    def __repr__(self):
        return f"<{type(self).__name__} device={self.device}>"

    # One backend per device: copies (deepcopy of a model or a state dict) share it.
    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return get_backend, (str(self.device),)


class _Seed:
    value = None


_seed = _Seed()
_backends = {}


def get_backend(device=None):
    """The backend for a device string (``None`` means the CPU)."""
    if device is None:
        key = "cpu"
    elif isinstance(device, str) and device in _backends:
        return _backends[device]
    else:
        key = str(parse_device(device))
    backend = _backends.get(key)
    if backend is None:
        dev = parse_device(key)
        if dev.type == "cpu":
            from backends.numpy_backend import NumpyBackend

            backend = NumpyBackend()
        else:
            from backends.cupy_backend import make_cupy_backend

            backend = make_cupy_backend(dev)
        _backends[key] = backend
    return backend


def available():
    """The usable device strings: always ``"cpu"``; ``"cuda"`` when cupy sees a GPU."""
    from backends.cupy_backend import cuda_device_count

    devices = ["cpu"]
    if cuda_device_count() > 0:
        devices.append("cuda")
    return devices


def manual_seed(seed):
    """Seed every backend's generator (existing and future ones)."""
    _seed.value = seed
    for backend in _backends.values():
        backend.seed(seed)
