"""A strict test double for a GPU backend: numpy underneath, cupy's manners on top.

cupy's arrays live on the device, so the commonest way device code breaks on its first GPU
run is a host array sneaking in. This backend makes those leaks raise on the CPU:

- `np.asarray(a)`, `np.array(a)`, any `numpy.f(a)` or ufunc `np.exp(a)`: TypeError (cupy
  refuses `__array__`; op code must reach arrays through `x.xp`, never the host's numpy);
- `a + host_array`, `xp.f(a, host_array)`: TypeError (cupy refuses numpy arrays in kernels;
  `xp.asarray(host)`/`xp.array(host)` stay allowed: an explicit host-to-device copy);
- `float(a)`, `int(a)`, `bool(a)`, `complex(a)`, `operator.index(a)`: TypeError (a silent
  device-to-host synchronisation; `a.item()` and `a.tolist()` are the explicit ones);
- reductions return 0-d arrays, never numpy scalars (cupy's do), so code relying on a Python
  number from `a.sum()` raises too;
- `to_numpy` returns a copy (cupy's `asnumpy` does), so code that writes through it and
  expects the tensor to change fails its test.

It is a test double for the device discipline, not GPU support: it lives in tests/ and is
never listed by `backends.available()`. Tests install it for a moment as a CUDA device
(`strict_device()`), so the `.cuda()`/`.to("cuda")` paths run too.
"""

import contextlib
import functools
import types

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from backends import backend as _registry
from backends.backend import Backend, Device
from backends.numpy_backend import NumpyBackend

__all__ = ["StrictArray", "StrictBackend", "HostLeak", "strict_device", "STRICT"]


class HostLeak(TypeError):
    """A host conversion or a host array where a device array is required."""


def _leak(what):
    raise HostLeak(
        f"host leak: {what} (a device array refuses implicit conversion to the host, as "
        "cupy's do; use x.xp for array functions, .item()/.tolist()/backend.to_numpy for an "
        "explicit copy)"
    )


def _unwrap(obj, host_ok=False):
    """StrictArray -> its numpy array, inside tuples, lists and dicts; a numpy array raises."""
    cls = obj.__class__
    if cls is StrictArray:
        return obj._a
    if cls is tuple or cls is list:
        return cls(_unwrap(o, host_ok) for o in obj)
    if cls is dict:
        return {k: _unwrap(v, host_ok) for k, v in obj.items()}
    if isinstance(obj, np.ndarray) and not host_ok:
        _leak(f"a host numpy array of shape {obj.shape} mixed with device arrays")
    if isinstance(obj, _Proxy):
        return obj._obj
    if isinstance(obj, _tensor_type()):
        _leak("a Tensor passed to an array function (use .array)")
    return obj


@functools.cache
def _tensor_type():
    from autograd import Tensor

    return Tensor


def _wrap(obj, originals=()):
    """numpy results -> StrictArray (numpy scalars to 0-d arrays, as cupy returns them); an
    unwrapped argument handed back comes back as the same wrapper (`astype(copy=False)`)."""
    if isinstance(obj, np.ndarray):
        for wrapper in originals:
            if wrapper._a is obj:
                return wrapper
        return StrictArray(obj)
    if isinstance(obj, np.generic):
        return StrictArray(np.asarray(obj))
    cls = obj.__class__
    if cls is tuple or cls is list:
        return cls(_wrap(o, originals) for o in obj)
    if isinstance(obj, np.random.Generator):
        return _Proxy(obj)
    return obj


def _strict_args(args):
    return [a for a in args if a.__class__ is StrictArray]


def _call(fn, args, kwargs, host_ok=False, extra=()):
    originals = _strict_args(args) + list(extra)
    out = fn(*_unwrap(args, host_ok), **_unwrap(kwargs, host_ok))
    return _wrap(out, originals)


class _Proxy:
    """A numpy object (a Generator) whose methods take and return device arrays."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def __getattr__(self, name):
        attr = getattr(self._obj, name)
        return _method(attr) if callable(attr) else _wrap(attr)


def _method(fn):
    return lambda *args, **kwargs: _call(fn, args, kwargs)


class StrictArray:
    """A numpy array that behaves as a device array: see the module docstring."""

    __slots__ = ("_a", "__weakref__")
    __hash__ = None

    def __init__(self, array):
        assert isinstance(array, np.ndarray), type(array)
        self._a = array

    # ------------------------------------------------------------- refused host conversions
    def __array__(self, *args, **kwargs):
        _leak("numpy.asarray/array of a device array (__array__)")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        _leak(f"numpy.{ufunc.__name__}{'' if method == '__call__' else '.' + method} called "
              "on a device array, or a host array in an operator with one")  # fmt: skip

    def __array_function__(self, func, types, args, kwargs):
        _leak(f"numpy.{func.__name__} called on a device array")

    def __float__(self):
        _leak("float() of a device array")

    def __int__(self):
        _leak("int() of a device array")

    def __index__(self):
        _leak("a device array used as a Python int (operator.index)")

    def __complex__(self):
        _leak("complex() of a device array")

    def __bool__(self):
        _leak("bool() of a device array (an `if`/`and`/`or` on device data)")

    # ------------------------------------------------------------- explicit host values
    def item(self, *args):
        return self._a.item(*args)

    def tolist(self):
        return self._a.tolist()

    def __repr__(self):
        return f"StrictArray({self._a!r})"

    __str__ = __repr__

    # ------------------------------------------------------------- the array itself
    @property
    def shape(self):
        return self._a.shape

    @shape.setter
    def shape(self, value):
        self._a.shape = value

    @property
    def dtype(self):
        return self._a.dtype

    @property
    def ndim(self):
        return self._a.ndim

    @property
    def size(self):
        return self._a.size

    @property
    def T(self):
        return StrictArray(self._a.T)

    def __getattr__(self, name):
        if name.startswith("__"):  # __array_interface__, __array_struct__: no host views
            raise AttributeError(name)
        attr = getattr(self._a, name)
        if callable(attr):
            return lambda *args, **kwargs: _call(attr, args, kwargs, extra=(self,))
        return _wrap(attr)

    def __getitem__(self, key):
        return _wrap(self._a[_unwrap(key)])

    def __setitem__(self, key, value):
        self._a[_unwrap(key)] = _unwrap(value)

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (StrictArray(np.asarray(self._a[i])) for i in range(len(self._a)))

    def __copy__(self):
        return StrictArray(self._a.copy())

    def __deepcopy__(self, memo):
        return StrictArray(self._a.copy())

    def __reduce__(self):
        return StrictArray, (self._a,)

    def __dlpack__(self, *args, **kwargs):
        return self._a.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._a.__dlpack_device__()


def _operator(name):
    def op(self, *args):
        out = getattr(self._a, name)(*_unwrap(args))
        if out is NotImplemented:
            return out
        return self if out is self._a else _wrap(out)

    op.__name__ = name
    return op


_OPERATORS = """add radd sub rsub mul rmul truediv rtruediv floordiv rfloordiv mod rmod pow rpow
matmul rmatmul divmod rdivmod and rand or ror xor rxor lshift rlshift rshift rrshift
iadd isub imul itruediv ifloordiv imod ipow imatmul iand ior ixor ilshift irshift
neg pos abs invert lt le gt ge eq ne""".split()
for _name in _OPERATORS:
    setattr(StrictArray, f"__{_name}__", _operator(f"__{_name}__"))


class _Ufunc:
    """A numpy ufunc that takes device arrays (and refuses host ones): call, reduce, at..."""

    __slots__ = ("_ufunc",)

    def __init__(self, ufunc):
        self._ufunc = ufunc

    def __call__(self, *args, **kwargs):
        return _call(self._ufunc, args, kwargs)

    def __getattr__(self, name):
        attr = getattr(self._ufunc, name)
        return _method(attr) if callable(attr) else attr


# numpy names cupy lacks (cupyx.errstate is cupy's spelling), so device code must not use them
_NOT_IN_CUPY = frozenset({"errstate", "seterr", "geterr", "frompyfunc", "vectorize"})
# explicit host-to-device copies cupy allows
_TRANSFERS = frozenset({"asarray", "array"})


class StrictXP:
    """The array module of the strict backend: numpy's names, taking device arrays."""

    def __init__(self, module=np):
        self._module = module
        self._cache = {}

    def __getattr__(self, name):
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        if name in _NOT_IN_CUPY:
            raise AttributeError(f"cupy has no {name!r} (the strict backend follows cupy)")
        if name == "ndarray":
            return StrictArray
        attr = getattr(self._module, name)
        if isinstance(attr, types.ModuleType):
            out = StrictXP(attr)
        elif isinstance(attr, np.ufunc):
            out = _Ufunc(attr)
        elif isinstance(attr, type) or not callable(attr):
            out = attr  # dtypes, finfo, constants
        elif name in _TRANSFERS:
            out = functools.partial(_transfer, attr)
        else:
            out = _method(attr)
        self._cache[name] = out
        return out

    def __repr__(self):
        return f"<strict {self._module.__name__}>"


def _transfer(fn, *args, **kwargs):
    return _call(fn, args, kwargs, host_ok=True)


_NUMPY = NumpyBackend()


class StrictBackend(Backend):
    """A CPU backend whose arrays behave as device arrays (see the module docstring)."""

    name = "strict"

    def __init__(self, device=None):
        self.array_type = StrictArray
        super().__init__(StrictXP(), device or Device("cuda", 0))

    def to_numpy(self, array):
        if isinstance(array, np.ndarray):  # cupy.asnumpy accepts host arrays too
            return array
        return array._a.copy()  # a device-to-host copy, never an alias

    def from_numpy(self, array):
        if array.__class__ is StrictArray:
            return array
        return StrictArray(np.array(array, copy=True))

    def scatter_add(self, target, index, values):
        np.add.at(target._a, _unwrap(index), _unwrap(values))

    def as_strided(self, array, shape, strides):
        return StrictArray(as_strided(array._a, shape, strides, writeable=False))

    def sliding_window_view(self, array, window_shape, axis=None):
        return StrictArray(sliding_window_view(array._a, window_shape, axis=axis))

    def read_only(self, array):
        return array  # as cupy's: no read-only flag

    def is_array(self, obj):
        return obj.__class__ is StrictArray

    def rng_state(self, rng, seed):
        """The initial seed, then PCG64's 128-bit state and increment, then its buffered
        32-bit half-word."""
        st = rng._obj.bit_generator.state
        inner = st["state"]
        return (
            seed.to_bytes(8, "little")
            + inner["state"].to_bytes(16, "little")
            + inner["inc"].to_bytes(16, "little")
            + st["has_uint32"].to_bytes(1, "little")
            + st["uinteger"].to_bytes(4, "little")
        )

    def rng_from_state(self, state):
        if len(state) != 45:
            raise RuntimeError(
                f"Expected a generator state of size 45 but found the input RNG state size to "
                f"be {len(state)}"
            )
        bit_generator = np.random.PCG64()
        bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {
                "state": int.from_bytes(state[8:24], "little"),
                "inc": int.from_bytes(state[24:40], "little"),
            },
            "has_uint32": state[40],
            "uinteger": int.from_bytes(state[41:45], "little"),
        }
        return _Proxy(np.random.Generator(bit_generator)), int.from_bytes(state[:8], "little")

    def erf(self, array):
        return StrictArray(np.asarray(_NUMPY.erf(array._a)))

    def erfc(self, array):
        return StrictArray(np.asarray(_NUMPY.erfc(array._a)))

    def erfinv(self, array):
        return StrictArray(np.asarray(_NUMPY.erfinv(array._a)))


def strict_index():
    """The CUDA index the strict device poses as: one past the real GPUs."""
    from backends.cupy_backend import cuda_device_count

    return cuda_device_count()


STRICT = "strict"  # the parameter name tests use for this device


@contextlib.contextmanager
def strict_device():
    """Install a StrictBackend as device `cuda:N` (N = the number of real GPUs) for the block;
    yields the device string. Afterwards the registry is as it was."""
    index = strict_index()
    key = f"cuda:{index}"
    from autograd import random as _random

    saved = dict(_registry._backends)
    generators = dict(_random._default_generators)  # they hold their device's backend
    backend = StrictBackend(Device("cuda", index))
    _registry._backends[key] = backend
    if index == 0:
        _registry._backends["cuda"] = backend
    _random._default_generators.pop(key, None)
    try:
        yield key
    finally:
        _registry._backends.clear()
        _registry._backends.update(saved)
        _random._default_generators.clear()
        _random._default_generators.update(generators)
