"""Tensor's Python protocols, queries and conversions: numbers and truth, len and iteration,
repr and format, numpy and dlpack export, deepcopy, sizes and storage, `.float()` and the
like; and the checks on assigning `.data`, `.grad` and `.requires_grad`. Tensor's methods of
these names are these functions (see `autograd._tensor._METHODS`)."""

from autograd._tensor import Tensor, _defaults, _new
from autograd.args import Size, _dim, _numpy_names
from autograd.ops.elementwise import cuda_device
from backends import DeviceError, dtypes


def set_data(t, value):
    """PyTorch's `p.data = value`: p takes value's storage (shape and dtype may change)."""
    if not isinstance(value, Tensor):
        raise TypeError(
            f"data: expected a Tensor, got {type(value).__name__} "
            "(use .array for the backend array)"
        )
    if value._backend is not t._backend:
        raise DeviceError(f"data: the new data is on {value.device}, the tensor on {t.device}")
    t.array = value.array


def set_requires_grad(t, value):
    """`t.requires_grad = value`: a bool, and only on a leaf."""
    if value.__class__ is not bool:
        raise RuntimeError(f"requires_grad must be a bool, got {type(value).__name__}")
    if t.grad_fn is not None:
        msg = "you can only change requires_grad flags of leaf variables."
        if not value:
            msg += (
                " If you want to use a computed variable in a subgraph that doesn't "
                "require differentiation use var_no_grad = var.detach()."
            )
        raise RuntimeError(msg)
    t.requires_grad_(value)


def check_grad(t, grad):
    """PyTorch's checks on `t.grad = grad`: a Tensor of t's shape, dtype and device."""
    if not isinstance(grad, Tensor):
        raise TypeError(
            f"assigned grad expected to be a Tensor or None but got grad of type "
            f"{type(grad).__name__}"
        )
    if grad is t:
        raise RuntimeError("can't assign Variable as its own grad")
    if grad.array.dtype != t.array.dtype:
        raise RuntimeError(
            f"assigned grad has data of a different type: attempting to assign a gradient with "
            f"dtype '{grad.dtype}' to a tensor with dtype '{t.dtype}'. Please ensure that the "
            "gradient and the tensor have the same dtype"
        )
    if grad._backend is not t._backend:
        raise RuntimeError(
            f"assigned grad has data located on a different device: attempting to assign a "
            f"gradient located on device '{grad.device}' to a tensor located on device "
            f"'{t.device}'. Please ensure that the gradient and the tensor are on the same device"
        )
    if grad.array.shape != t.array.shape:
        raise RuntimeError(
            f"assigned grad has data of a different size: attempting to assign a gradient of "
            f"size '{list(grad.shape)}' to a tensor of size '{list(t.shape)}'. Please ensure "
            "that the gradient and the tensor are the same size"
        )


def size(t, dim=None):
    if dim is None:
        return Size(t.array.shape)
    return t.array.shape[_dim(dim, t.ndim, "size")]


def ndimension(t):
    return t.array.ndim


def numel(t):
    return t.array.size


def element_size(t):
    return t.array.dtype.itemsize


def is_floating_point(t):
    return t.array.dtype.kind == "f"


def is_complex(t):
    return t.array.dtype.kind == "c"


def is_signed(t):
    return t.array.dtype.kind in "fic"


def get_device(t):
    """-1 on the CPU, else the GPU's index (as torch)."""
    device = t._backend.device
    return -1 if device.type == "cpu" else device.index or 0


def is_contiguous(t, memory_format=None):
    return bool(t.array.flags.c_contiguous)


def stride(t, dim=None):
    """Steps between neighbours along each dim, in elements (0 along expanded dims)."""
    size = t.array.dtype.itemsize
    strides = tuple(s // size for s in t.array.strides)
    return strides if dim is None else strides[_dim(dim, t.ndim, "stride")]


def data_ptr(t):
    return _data_ptr(t.array)


def storage_offset(t):
    """Elements between the start of the storage this tensor views and its first element."""
    root = t.array
    while isinstance(root.base, type(t.array)):
        root = root.base
    return (_data_ptr(t.array) - _data_ptr(root)) // t.array.dtype.itemsize


def length(t):
    if t.ndim == 0:
        raise TypeError("len() of a 0-d tensor")
    return t.array.shape[0]


def item(t):
    if t.array.size != 1:
        raise ValueError(f"a Tensor with {t.array.size} elements cannot be converted to Scalar")
    return t.array.item()


def numpy(t):
    if t.requires_grad:
        raise RuntimeError(
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
        )
    return t._backend.to_numpy(t.array)


def array(t, dtype=None, copy=None):
    array = t._backend.to_numpy(t.array)
    return array if dtype is None else array.astype(dtype)


def tolist(t):
    return t.array.tolist()


def as_float(t):
    return float(t.item())


def as_int(t):
    return int(t.item())


def as_bool(t):
    if t.array.size != 1:
        raise RuntimeError(f"Boolean value of Tensor with {t.array.size} elements is ambiguous")
    return bool(t.array.item())  # explicit: device arrays refuse bool()


def iterate(t):
    if t.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return (t[i] for i in range(t.array.shape[0]))


def text(t):
    from autograd.printing import tensor_repr

    name = None if t.grad_fn is None else t.grad_fn.name()
    return tensor_repr(t, _defaults.dtype, name)


def formatted(t, format_spec):
    """f"{t:.2f}" formats a 0-d tensor's number; other tensors take no format spec."""
    if t.array.ndim == 0:
        return t.item().__format__(format_spec)
    if format_spec:
        raise TypeError("unsupported format string passed to Tensor.__format__")
    return str(t)


def as_index(t):
    """An integer tensor of one element as a list index or range() bound."""
    if t.array.dtype.kind not in "iub" or t.array.size != 1:
        raise TypeError("only integer tensors of a single element can be converted to an index")
    return int(t.array.item())


def contains(t, element):
    """`element in t`: whether any element of t equals it."""
    if not isinstance(element, (Tensor, int, float, bool)):
        raise RuntimeError(
            f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
            f"{type(element)}."
        )
    return bool((t == element).array.any().item())


def dlpack(t, *, stream=None, max_version=None, dl_device=None, copy=None):
    """Export for `from_dlpack` in torch, numpy, cupy, ...: zero-copy."""
    if t.requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    kwargs = {"stream": stream, "max_version": max_version, "dl_device": dl_device}
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    if copy is not None:
        kwargs["copy"] = copy
    return t.array.__dlpack__(**kwargs)


def dlpack_device(t):
    return t.array.__dlpack_device__()


def deepcopy(x, memo):
    """A copy of a leaf, with its own storage (and .grad); as in PyTorch, not of a
    non-leaf, whose graph cannot be copied."""
    if x.grad_fn is not None:
        raise RuntimeError(
            "Only Tensors created explicitly by the user (graph leaves) support the "
            "deepcopy protocol at the moment. Use .detach() or .clone() first."
        )
    t = _new(type(x))
    memo[id(x)] = t
    t.array = x.array.copy()
    t._grad = None if x._grad is None else x._grad.__deepcopy__(memo)
    t._requires_grad = x._requires_grad
    t.grad_fn = None
    t._backend = x._backend
    t._vc = None
    t._view_of = None
    t._hooks = None
    t.name = x.name
    return t


def cpu(t):
    return t.to("cpu")


def cuda(t, device=None, non_blocking=False):
    """To a GPU: `cuda()`, `cuda(1)`, `cuda("cuda:1")` or `cuda(device("cuda", 1))`."""
    return t.to(cuda_device(device))


def _to(dtype):
    """t.to(dtype) as a function named to_<dtype>: Tensor.float(), .double(), ... below."""

    def to_dtype(t):
        return t.to(dtype)

    to_dtype.__name__ = to_dtype.__qualname__ = f"to_{dtype}"
    return to_dtype


to_float32 = _to(dtypes.float32)
to_float64 = _to(dtypes.float64)
to_float16 = _to(dtypes.float16)
to_int64 = _to(dtypes.int64)
to_int32 = _to(dtypes.int32)
to_bool = _to(dtypes.bool_)


def type_as(t, other):
    return t.to(other.dtype)


def _data_ptr(array):
    """The address of an array's first element (numpy's or cupy's array interface)."""
    interface = getattr(array, "__array_interface__", None)
    if interface is None:
        interface = array.__cuda_array_interface__
    return interface["data"][0]


size = _numpy_names(size)
stride = _numpy_names(stride)
