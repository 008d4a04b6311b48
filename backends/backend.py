"""Backend: the array module (`xp`) and device of a tensor, and the device registry."""

import os

__all__ = [
    "Backend", "Device", "get_backend", "available", "DeviceError", "set_default_device",
    "get_default_device",
]  # fmt: skip


class DeviceError(RuntimeError):
    """A device was asked for that this machine cannot provide, or devices were mixed."""


class Device:
    """A device as PyTorch names it: ``device(type='cuda', index=0)``; equal to its string."""

    __slots__ = ("type", "index", "_previous")

    # the device types torch.device accepts (this machine may run only cpu and cuda)
    TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
             "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
             "privateuseone")  # fmt: skip

    def __init__(self, type, index=None):
        """`device("cuda:1")`, `device("cuda", 1)`, `device(other_device)`, as torch.device."""
        if isinstance(type, Device):
            type, index = type.type, type.index if index is None else index
        elif isinstance(type, int) and not isinstance(type, bool):  # device(0): an accelerator
            type, index = "cuda", type
            if not available_cuda():
                raise DeviceError("Cannot access accelerator device when none is available.")
        elif not isinstance(type, str):
            raise TypeError(f"device(): expected a string or an int, got {type!r}")
        elif ":" in type:
            if index is not None:
                raise RuntimeError(f"device(): type (string) {type!r} must not include an index "
                                   "because index was passed explicitly")  # fmt: skip
            type, _, number = type.partition(":")
            if not number.isdigit():
                raise DeviceError(f"Invalid device string: '{type}:{number}'")
            index = int(number)
        if type not in Device.TYPES:
            raise DeviceError(
                f"Expected one of {', '.join(Device.TYPES)} device type at start of device "
                f"string: {type}"
            )
        if index is not None and index < 0:
            raise DeviceError("Device index must not be negative")
        self.type = type
        self.index = index

    def __enter__(self):
        """`with device(...):` factories default to this device inside the block."""
        self._previous = get_default_device()
        set_default_device(self)
        return self

    def __exit__(self, *exc):
        set_default_device(self._previous)

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
        if device.type not in ("cpu", "cuda"):
            raise DeviceError(f"device '{device}' is not supported: expected 'cpu' or 'cuda:N'")
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
        self._scalars = {}
        self.seed(_seed.by_type.get(device.type, _seed.value))

    # --- random numbers (helper random) ------------------------------------------------------
    # Each backend holds its device's default generator (`rng`, seeded with `rng_seed`), as
    # PyTorch holds one per device; `autograd.Generator` objects hold their own.
    def seed(self, seed):
        self.rng_seed = seed
        self.rng = self.new_rng(seed)

    def new_rng(self, seed):
        return self.xp.random.default_rng(seed)

    def rng_state(self, rng, seed):
        """The generator's full state as bytes, `seed` (its initial seed) included (for
        `Generator.get_state`)."""
        raise NotImplementedError(f"the random state of a {self.device} generator is not readable")

    def rng_from_state(self, state):
        """(generator, initial seed) from `rng_state`'s bytes."""
        raise NotImplementedError(f"the random state of a {self.device} generator is not settable")

    def uniform(self, rng, shape, dtype, low=0.0, high=1.0):
        """U[low, high) in `dtype` (floating), drawn in that dtype: no float64 intermediate for
        float32, and never 1.0 (a float32 draw rounded to float16 could be)."""
        if dtype.itemsize >= 4:
            u = rng.random(shape, dtype=dtype)
        else:
            bits = 11  # float16's significand: k / 2^11 is exact
            u = (rng.integers(0, 1 << bits, size=shape) * (1.0 / (1 << bits))).astype(dtype)
        if low != 0 or high != 1:
            u = (u * (high - low) + low).astype(dtype, copy=False)
        return u

    def normal(self, rng, shape, dtype, mean=0.0, std=1.0, contiguous=True):
        """N(mean, std^2) in `dtype` (floating), drawn in float32 unless float64 is asked for;
        `contiguous` says whether the draw fills a contiguous tensor (the CPU's stream
        differs)."""
        if dtype.itemsize >= 4:
            z = rng.standard_normal(shape, dtype=dtype)
        else:
            z = rng.standard_normal(shape, dtype=self.xp.float32).astype(dtype)
        if mean != 0 or std != 1:
            z = (z * std + mean).astype(dtype, copy=False)
        return z

    def integers(self, rng, low, high, shape, dtype, endpoint=False, full=False):
        """Integers in [low, high) (or [low, high] with endpoint), stored as `dtype` (which
        must hold them, or be floating); `full` says the range is the dtype's (random_())."""
        draw = dtype if dtype.kind in "iu" else self.xp.int64
        out = rng.integers(low, high, size=shape, dtype=draw, endpoint=endpoint)
        return out.astype(dtype, copy=False)

    def exponential(self, rng, shape, dtype, lambd=1.0):
        """Exp(lambd) in `dtype` (floating)."""
        if dtype.itemsize >= 4:
            e = rng.standard_exponential(shape, dtype=dtype)
        else:
            e = rng.standard_exponential(shape, dtype=self.xp.float32).astype(dtype)
        if lambd != 1:
            e = (e / lambd).astype(dtype, copy=False)
        return e

    def permutation(self, rng, n):
        return rng.permutation(n)

    def geometric(self, rng, shape, dtype, p):
        """Geometric(p) on 1, 2, ...: the inverse CDF ceil(log(1-u) / log(1-p))."""
        xp = self.xp
        u = self.uniform(rng, shape, xp.float64)
        return xp.maximum(xp.ceil(xp.log1p(-u) / xp.log1p(-p)), 1).astype(dtype)

    def log_normal(self, rng, shape, dtype, mean, std):
        z = self.normal(rng, shape, dtype)
        return self.xp.exp(z * std + mean).astype(dtype, copy=False)

    def cauchy(self, rng, shape, dtype, median, sigma):
        xp = self.xp
        u = self.uniform(rng, shape, xp.float64)
        return (median + sigma * xp.tan(xp.pi * (u - 0.5))).astype(dtype)

    def scalar(self, value, dtype):
        """`value` as a 0-d array of `dtype`, cached: numpy computes with a 0-d array of the
        right dtype about twice as fast as with a Python number (no promotion step)."""
        key = (value, dtype)
        if value == 0 and value.__class__ is float:
            key = (value, dtype, str(value))  # -0.0 == 0.0 (and hashes alike): keep its sign
        cached = self._scalars.get(key)
        if cached is None:
            cached = self.xp.asarray(value, dtype=dtype)
            if len(self._scalars) < 4096:  # constants of a program repeat; step counters don't
                self._scalars[key] = cached
        return cached

    def asarray(self, data, dtype=None):
        return self.xp.asarray(data, dtype=dtype)

    def sum(self, a, axis=None, keepdims=False, dtype=None):
        """a summed over axis (None: all, or a tuple of dims)."""
        return a.sum(axis=axis, keepdims=keepdims, dtype=dtype)

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

    def owns(self, array):
        """Truthy when `array` lives on this backend: True when it is of this backend's type
        (a backend whose type no other backend uses, numpy's, answers "alone", and
        backend_of then remembers the type)."""
        return self.is_array(array)

    def cudnn(self):
        """cuDNN's convolution bindings where this backend has them (cupy's), else None:
        convolution then runs as im2col + matmul."""
        return None

    def __repr__(self):
        return f"<{type(self).__name__} device={self.device}>"

    # One backend per device: copies (deepcopy of a model or a state dict) share it.
    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return get_backend, (str(self.device),)


def fresh_seed():
    """A non-deterministic 64-bit seed, as PyTorch seeds its default generators at start."""
    return int.from_bytes(os.urandom(8), "little")


class _Seed:
    value = fresh_seed()
    by_type = {}  # a device type seeded on its own (cuda.manual_seed) before its backend exists
    default_device = None  # set_default_device's; None is the CPU


_seed = _Seed()
_backends = {}


def backend_of(array):
    """The backend that owns a backend array (or a numpy scalar that 0-d math handed back),
    or None: how a rule on raw arrays finds its array module, and how `tensor()` keeps a
    device array on its device."""
    backend = _by_type.get(array.__class__)
    if backend is not None:
        return backend
    for backend in tuple(_backends.values()):
        owns = backend.owns(array)
        if owns:
            if owns == _ALONE:  # the only backend of its array type: remember the type
                _by_type[array.__class__] = backend
            return backend
    return None


_ALONE = "alone"
_by_type = {}  # array type -> the backend that alone uses it (numpy's ndarray: the CPU)


def get_backend(device=None):
    """The backend for a device string (``None`` means the CPU)."""
    if device is None:
        key = "cpu"
    elif isinstance(device, str) and device in _backends:
        return _backends[device]
    else:
        dev = parse_device(device)
        # cpu:0 is the cpu; cuda is cuda:0 (one backend per device, or they would not mix)
        key = "cpu" if dev.type == "cpu" else f"cuda:{dev.index or 0}"
    backend = _backends.get(key)
    if backend is None:
        dev = parse_device(key if device is None else device)
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


def manual_seed(seed, device_type=None):
    """Seed every backend's generator, or those of one device type (existing and future)."""
    if device_type is None:
        _seed.value = seed
        _seed.by_type.clear()
    else:
        _seed.by_type[device_type] = seed
    for backend in _backends.values():
        if device_type is None or backend.device.type == device_type:
            backend.seed(seed)


def available_cuda():
    from backends.cupy_backend import cuda_device_count

    return cuda_device_count() > 0


def set_default_device(device):
    """The device of factories called without `device=` (None: the CPU)."""
    device = None if device is None else Device(device)
    if device is not None:
        get_backend(device)  # a device this machine lacks raises now, changing nothing
    _seed.default_device = device


def get_default_device():
    return _seed.default_device or Device("cpu")


def default_backend(device):
    """The backend of `device`, or of the default device when None."""
    return get_backend(_seed.default_device if device is None else device)
