"""Tensor: an array on a backend, plus what the graph needs (grad, requires_grad, grad_fn).

Operators and methods dispatch to the primitives in `autograd.ops`; this module holds no
array math of its own.
"""

from sys import getrefcount

from autograd.args import (
    _check_broadcast_to,
    _correction,
    _dim,
    _dim_args,
    _dims,
    _infer_shape,
    _shape_args,
)
from autograd.grad_mode import state as _grad
from backends import DeviceError, dtypes, get_backend

__all__ = ["Tensor", "tensor", "set_default_dtype", "get_default_dtype"]

_CPU = get_backend("cpu")


class _Defaults:
    dtype = dtypes.float32


_defaults = _Defaults()


def set_default_dtype(dtype):
    """The dtype of tensors made from Python floats (float32 unless changed)."""
    dtype = dtypes.as_dtype(dtype)
    if not dtypes.is_floating(dtype):
        raise TypeError(f"set_default_dtype: only floating dtypes are supported, got {dtype}")
    _defaults.dtype = dtype


def get_default_dtype():
    return _defaults.dtype


class Tensor:
    """An n-dimensional array that records the ops applied to it for reverse-mode autodiff."""

    __slots__ = (
        "array",
        "grad",
        "requires_grad",
        "grad_fn",
        "_backend",
        "_vc",  # version counter [version, has_views], shared with views; None until needed
        "_hooks",
        "name",
        "__weakref__",
    )
    # As a vertex of the graph a Tensor is always a leaf that accumulates into .grad.
    _fn = None
    _next = ()
    _retain = False
    __hash__ = object.__hash__  # __eq__ is elementwise; identity keys optimizer state

    def __init__(self, data, requires_grad=False, dtype=None, device=None):
        if device is not None:
            backend = get_backend(device)
        elif isinstance(data, Tensor):
            backend = data._backend
        else:
            backend = _CPU
        if isinstance(data, Tensor):
            array = data.array
            if data._backend is not backend:
                array = backend.from_numpy(data._backend.to_numpy(array))
            array = array.copy()
        elif hasattr(data, "dtype") and hasattr(data, "shape"):
            # An array (numpy, cupy or a numpy scalar) keeps its dtype.
            if backend.is_array(data):
                array = data.copy()
            else:
                array = backend.from_numpy(data if hasattr(data, "__array__") else data)
                array = backend.xp.array(array, copy=True)
        else:
            # A float dtype asked for reads the numbers in it: 0.15 as float64 is not rounded
            # through float32 first.
            floats = _defaults.dtype
            if dtype is not None and dtypes.as_dtype(dtype).kind == "f":
                floats = dtypes.as_dtype(dtype)
            array = backend.from_python(_unwrap_nested(data), floats)
        if dtype is not None:
            array = array.astype(dtypes.as_dtype(dtype), copy=False)
        self.array = array
        self.grad = None
        self.requires_grad = False
        self.grad_fn = None
        self._backend = backend
        self._vc = None
        self._hooks = None
        self.name = None
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ attributes
    @property
    def data(self):
        """As in PyTorch: a detached Tensor sharing this one's storage. In-place changes made
        through it are not recorded and leave this tensor's version counter where it was."""
        return _wrap(self.array, self._backend)

    @data.setter
    def data(self, value):
        # PyTorch's `p.data = t`: p takes t's storage (shape and dtype may change).
        if not isinstance(value, Tensor):
            raise TypeError(
                f"data: expected a Tensor, got {type(value).__name__} "
                "(use .array for the backend array)"
            )
        if value._backend is not self._backend:
            raise DeviceError(
                f"data: the new data is on {value.device}, the tensor on {self.device}"
            )
        self.array = value.array

    @property
    def shape(self):
        return self.array.shape

    @property
    def ndim(self):
        return self.array.ndim

    @property
    def dtype(self):
        return self.array.dtype

    @property
    def device(self):
        return self._backend.device

    @property
    def backend(self):
        return self._backend

    @property
    def xp(self):
        """The array module (numpy or cupy) of this tensor's device."""
        return self._backend.xp

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def _version(self):
        return 0 if self._vc is None else self._vc[0]

    @property
    def T(self):
        return self.permute(*range(self.ndim - 1, -1, -1))

    @property
    def mT(self):
        if self.ndim == 0:  # the identity, as PyTorch (deprecated there)
            return self._alias()
        if self.ndim == 1:
            raise RuntimeError(
                "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
            )
        return self.transpose(-2, -1)

    def size(self, dim=None):
        if dim is None:
            return self.array.shape
        return self.array.shape[_dim(dim, self.ndim, "size")]

    def dim(self):
        return self.array.ndim

    def numel(self):
        return self.array.size

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def item(self):
        if self.array.size != 1:
            raise ValueError(
                f"a Tensor with {self.array.size} elements cannot be converted to Scalar"
            )
        return self.array.item()

    def numpy(self):
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self._backend.to_numpy(self.array)

    def __array__(self, dtype=None, copy=None):
        array = self._backend.to_numpy(self.array)
        return array if dtype is None else array.astype(dtype)

    def tolist(self):
        return self.array.tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.array.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self.array.size} elements is ambiguous"
            )
        return bool(self.array)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    def __repr__(self):
        body = repr(self._backend.to_numpy(self.array))
        body = body[body.index("(") + 1 : body.rindex(")")] if body.startswith("array") else body
        body = body.split(", dtype=")[0]
        extras = []
        if self.dtype not in (_defaults.dtype, dtypes.int64, dtypes.bool_):
            extras.append(f"dtype={self.dtype}")
        if self.device.type != "cpu":
            extras.append(f"device='{self.device}'")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body.replace("\n      ", "\n       ")] + extras) + ")"

    # ------------------------------------------------------------------ graph
    def requires_grad_(self, requires_grad=True):
        if requires_grad and self.array.dtype.kind != "f":
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, got {self.dtype}"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. Use detach()."
            )
        self.requires_grad = requires_grad
        return self

    def detach(self):
        """The same data, cut from the graph; shares the version counter with self."""
        t = _wrap(self.array, self._backend)
        vc = self._vc
        if vc is None:
            vc = self._vc = [0, False]
        t._vc = vc
        return t

    def detach_(self):
        self.grad_fn = None
        self.requires_grad = False
        return self

    def retain_grad(self):
        """Keep .grad on a non-leaf after backward (leaves always keep theirs)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None and not self.grad_fn._retain:
            import weakref

            self.grad_fn._retain = True
            self.grad_fn._out = weakref.ref(self)

    @property
    def retains_grad(self):
        return self.grad_fn is not None and self.grad_fn._retain

    def register_hook(self, hook):
        """Call hook(grad) when this tensor's gradient is computed; a return value replaces it."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn.register_hook(hook)
        from autograd.function import RemovableHandle

        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's .grad (gradient: 1 for a scalar)."""
        _engine.backward(
            (self,),
            None if gradient is None else (gradient,),
            retain_graph,
            create_graph,
            inputs=inputs,
        )

    def _accumulate(self, grad, create_graph):
        if self.grad is None and not create_graph and _sole_owner(grad, self.dtype):
            # As PyTorch's AccumulateGrad, which steals a gradient whose use count is 1: no
            # copy of an array that only the engine holds.
            self.grad = _wrap(grad.array, grad._backend)
            return
        from autograd.function import _accumulate_into

        _accumulate_into(self, grad, create_graph)  # copies: no two tensors share a .grad

    def __deepcopy__(self, memo):
        """A copy of a leaf, with its own storage (and .grad); as in PyTorch, not of a
        non-leaf, whose graph cannot be copied."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment. Use .detach() or .clone() first."
            )
        t = _new(type(self))
        memo[id(self)] = t
        t.array = self.array.copy()
        t.grad = None if self.grad is None else self.grad.__deepcopy__(memo)
        t.requires_grad = self.requires_grad
        t.grad_fn = None
        t._backend = self._backend
        t._vc = None
        t._hooks = None
        t.name = self.name
        return t

    # ------------------------------------------------------------------ conversion
    def to(self, *args, dtype=None, device=None, copy=False):
        """`.to(device)`, `.to(dtype)`, `.to(device, dtype)` or `.to(other_tensor)`."""
        for a in args:
            if isinstance(a, Tensor):
                device, dtype = a.device, a.dtype
            elif isinstance(a, str) and (a.startswith("cpu") or a.startswith("cuda")):
                device = a
            elif a.__class__.__name__ == "Device":
                device = a
            else:
                dtype = a
        out = self
        if device is not None and get_backend(device) is not self._backend:
            out = ops.ToDevice.apply(out, get_backend(device))
        if dtype is not None and dtypes.as_dtype(dtype) != out.dtype:
            out = ops.Cast.apply(out, dtypes.as_dtype(dtype))
        if copy and out is self:
            out = self.clone()
        return out

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else f"cuda:{device}")

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool_)

    def type_as(self, other):
        return self.to(other.dtype)

    def clone(self):
        return ops.Clone.apply(self)

    def contiguous(self):
        return self

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other):
        return ops.Add.apply(self, other)

    def __radd__(self, other):
        return ops.Add.apply(other, self)

    def __sub__(self, other):
        return ops.Sub.apply(self, other)

    def __rsub__(self, other):
        return ops.Sub.apply(other, self)

    def __mul__(self, other):
        return ops.Mul.apply(self, other)

    def __rmul__(self, other):
        return ops.Mul.apply(other, self)

    def __truediv__(self, other):
        return ops.Div.apply(self, other)

    def __rtruediv__(self, other):
        return ops.Div.apply(other, self)

    def __pow__(self, other):
        return ops.Pow.apply(self, other)

    def __rpow__(self, other):
        return ops.Pow.apply(other, self)

    def __matmul__(self, other):
        return ops.MatMul.apply(self, _as_tensor(other, self))

    def __rmatmul__(self, other):
        return ops.MatMul.apply(_as_tensor(other, self), self)

    def __neg__(self):
        return ops.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.Abs.apply(self)

    def add(self, other, alpha=1):
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other, alpha=1):
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    def pow(self, exponent):
        return self**exponent

    def matmul(self, other):
        return self @ other

    def neg(self):
        return -self

    mm = bmm = matmul

    # comparisons: no gradient flows through them
    def __eq__(self, other):
        return _compare(self, other, "equal")

    def __ne__(self, other):
        return _compare(self, other, "not_equal")

    def __lt__(self, other):
        return _compare(self, other, "less")

    def __le__(self, other):
        return _compare(self, other, "less_equal")

    def __gt__(self, other):
        return _compare(self, other, "greater")

    def __ge__(self, other):
        return _compare(self, other, "greater_equal")

    eq = __eq__
    ne = __ne__
    lt = __lt__
    le = __le__
    gt = __gt__
    ge = __ge__

    def equal(self, other):
        return self.shape == other.shape and bool(
            self._backend.xp.array_equal(self.array, other.array)
        )

    def logical_not(self):
        return _wrap(self._backend.xp.logical_not(self.array), self._backend)

    def __invert__(self):
        if self.dtype.kind != "b":
            raise TypeError(f"~ is only defined for bool tensors, got {self.dtype}")
        return self.logical_not()

    def __and__(self, other):
        return _compare(self, other, "logical_and")

    def __or__(self, other):
        return _compare(self, other, "logical_or")

    # ------------------------------------------------------------------ in-place
    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def add_(self, other, alpha=1):
        return _inplace(self, ops.Add, _scaled(other, alpha))

    def sub_(self, other, alpha=1):
        return _inplace(self, ops.Sub, _scaled(other, alpha))

    def mul_(self, other):
        return _inplace(self, ops.Mul, other)

    def div_(self, other):
        return _inplace(self, ops.Div, other)

    def pow_(self, exponent):
        return _inplace(self, ops.Pow, exponent)

    def clamp_(self, min=None, max=None):
        return _inplace(self, ops.Clamp, min, max)

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        return _inplace(self, ops.Fill, value)

    def copy_(self, src):
        src = _as_tensor(src, self)
        return _inplace(self, ops.Copy, src)

    def __setitem__(self, index, value):
        _inplace(self, ops.SetItem, value, _index(index))

    # ------------------------------------------------------------------ elementwise
    def exp(self):
        return ops.Exp.apply(self)

    def log(self):
        return ops.Log.apply(self)

    def sqrt(self):
        return ops.Sqrt.apply(self)

    def sin(self):
        return ops.Sin.apply(self)

    def cos(self):
        return ops.Cos.apply(self)

    def tanh(self):
        return ops.Tanh.apply(self)

    def sigmoid(self):
        return ops.Sigmoid.apply(self)

    def relu(self):
        return ops.Relu.apply(self)

    def abs(self):
        return ops.Abs.apply(self)

    def sign(self):
        return ops.Sign.apply(self)

    def clamp(self, min=None, max=None):
        if min is None and max is None:
            raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            # where, not maximum/minimum: at a bound the gradient goes to self, as in PyTorch
            out = self
            if min is not None:
                min = _as_tensor(min, self)
                out = where(out < min, min, out)
            if max is not None:
                max = _as_tensor(max, self)
                out = where(out > max, max, out)
            return out
        return ops.Clamp.apply(self, min, max)

    clip = clamp

    def maximum(self, other):
        return ops.Maximum.apply(self, _as_tensor(other, self))

    def minimum(self, other):
        return ops.Minimum.apply(self, _as_tensor(other, self))

    def where(self, condition, other):
        return where(condition, self, other)

    def square(self):
        return self * self

    def rsqrt(self):
        return 1 / self.sqrt()

    def reciprocal(self):
        return 1 / self

    def log1p(self):
        return (self + 1).log()

    def expm1(self):
        return self.exp() - 1

    # ------------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        x = self if dtype is None else self.to(dtype)
        if x.dtype.kind in "bu" or x.dtype.kind == "i" and x.dtype.itemsize < 8:
            x = x.to(dtypes.int64)  # as PyTorch: integer sums accumulate in int64
        return ops.Sum.apply(x, _dims(dim, self.ndim, "sum"), keepdim)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        from autograd.ops import composite

        x = self if dtype is None else self.to(dtype)
        return composite.mean(x, dim, keepdim)

    def var(
        self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None
    ):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        from autograd.ops import composite

        return composite.var(self, dim, _correction(unbiased, correction), keepdim)

    def std(
        self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None
    ):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        from autograd.ops import composite

        return composite.var(self, dim, _correction(unbiased, correction), keepdim, root=True)

    def prod(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        return ops.Prod.apply(self, _dims(dim, self.ndim, "prod"), keepdim)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """max() -> the largest value; max(dim) -> (values, indices) as in PyTorch."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        return _extremum(self, "max", dim, keepdim, axis, keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        return _extremum(self, "min", dim, keepdim, axis, keepdims)

    def amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        return ops.Amax.apply(self, _dims(dim, self.ndim, "amax"), keepdim)

    def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        return _amin(self, _dims(dim, self.ndim, "amin"), keepdim)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        return _arg_extremum(self, "argmax", dim, keepdim)

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        return _arg_extremum(self, "argmin", dim, keepdim)

    def logsumexp(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        from autograd.ops import composite

        return composite.logsumexp(self, dim, keepdim)

    def softmax(self, dim=-1):
        from autograd.ops import composite

        return composite.softmax(self, dim)

    def log_softmax(self, dim=-1):
        dim = _dim(dim, self.ndim, "log_softmax")
        return ops.reduce.LogSoftmax.apply(self, dim if self.ndim else None)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape):
        shape = _shape_args(shape)
        return ops.Reshape.apply(self, _infer_shape(shape, self.array.size, self.shape, "reshape"))

    def view(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
            return self.to(shape[0])
        shape = _shape_args(shape)
        return ops.Reshape.apply(self, _infer_shape(shape, self.array.size, self.shape, "view"))

    def view_as(self, other):
        return self.reshape(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        start = _dim(start_dim, self.ndim, "flatten")
        end = _dim(end_dim, self.ndim, "flatten")
        if self.ndim == 0:
            return self.reshape(1)
        if start > end:
            raise RuntimeError(
                f"flatten() has invalid args: start_dim {start_dim} cannot come after end_dim "
                f"{end_dim} (shape {tuple(self.shape)})"
            )
        shape = self.shape[:start] + (-1,) + self.shape[end + 1 :]
        if 0 in self.shape:
            size = 1
            for s in self.shape[start : end + 1]:
                size *= s
            shape = self.shape[:start] + (size,) + self.shape[end + 1 :]
        return self.reshape(shape)

    def unflatten(self, dim, sizes):
        if self.ndim == 0:
            raise RuntimeError("unflatten: Dimension specified as 0 but tensor has no dimensions")
        dim = _dim(dim, self.ndim, "unflatten")
        # -1 is inferred from the unflattened dim alone (other dims may be empty)
        sizes = _infer_shape(tuple(sizes), self.shape[dim], self.shape[dim : dim + 1], "unflatten")
        return self.reshape(self.shape[:dim] + sizes + self.shape[dim + 1 :])

    def transpose(self, dim0, dim1):
        dims = list(range(self.ndim))
        d0 = _dim(dim0, self.ndim, "transpose")
        d1 = _dim(dim1, self.ndim, "transpose")
        if not dims:  # a 0-d tensor: dims 0 and -1 both name the tensor itself
            return self._alias()
        dims[d0], dims[d1] = dims[d1], dims[d0]
        return ops.Permute.apply(self, tuple(dims))

    swapaxes = transpose

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return self.T

    def permute(self, *dims):
        dims = _shape_args(dims)
        if len(dims) != self.ndim:
            raise RuntimeError(
                f"permute: number of dims {len(dims)} don't match the tensor's {self.ndim} "
                f"dims (shape {tuple(self.shape)})"
            )
        dims = tuple(_dim(d, self.ndim, "permute") for d in dims)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"permute: repeated dim in {dims}")
        return ops.Permute.apply(self, dims)

    def squeeze(self, dim=None):
        if dim is None:
            shape = tuple(s for s in self.shape if s != 1)
        else:
            dims = _dims(dim, self.ndim, "squeeze") or ()
            shape = tuple(s for i, s in enumerate(self.shape) if not (i in dims and s == 1))
        return self.reshape(shape) if shape != self.shape else self._alias()

    def unsqueeze(self, dim):
        dim = _dim(dim, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def expand(self, *sizes):
        sizes = _shape_args(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(
                f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
                f"to the number of dimensions in the tensor ({self.ndim})"
            )
        lead = len(sizes) - self.ndim
        shape = tuple(s if s != -1 else self.shape[i - lead] for i, s in enumerate(sizes))
        return self.broadcast_to(shape)

    def expand_as(self, other):
        return self.broadcast_to(other.shape)

    def broadcast_to(self, shape):
        shape = tuple(shape)
        if shape == self.shape:
            return self._alias()
        _check_broadcast_to(self.shape, shape)
        return ops.Expand.apply(self, shape)

    def _alias(self):
        return ops.Reshape.apply(self, self.shape)

    def __getitem__(self, index):
        return ops.GetItem.apply(self, _index(index))

    def split(self, split_size_or_sections, dim=0):
        from autograd.ops import composite

        return composite.split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        from autograd.ops import composite

        return composite.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        dim = _dim(dim, self.ndim, "unbind")
        return tuple(self[(slice(None),) * dim + (i,)] for i in range(self.shape[dim]))

    def gather(self, dim, index):
        return gather(self, dim, index)

    def masked_fill(self, mask, value):
        return where(mask, _as_tensor(value, self).to(self.dtype), self)

    def repeat(self, *sizes):
        from autograd.ops import composite

        return composite.repeat(self, _shape_args(sizes))


# --------------------------------------------------------------------------- helpers
_new = object.__new__


def _sole_owner(t, dtype):
    """Whether gradient t, held by the engine in one variable and passed on to
    Tensor._accumulate, is referenced from nowhere else, nor its array (no other tensor, no
    view, no hook that kept it), and has the given dtype."""
    a = t.array
    # references to t: the engine's variable, _accumulate's and this frame's arguments and
    # getrefcount's; to a: t.array, the local a and getrefcount's
    return a.base is None and a.dtype == dtype and getrefcount(t) == 4 and getrefcount(a) == 3


def _wrap(data, backend):
    """A fresh Tensor around an array: the hot path every op's result goes through."""
    if data.__class__ is not backend.array_type:
        data = backend.xp.asarray(data)  # numpy hands back scalars from 0-d math
    t = _new(Tensor)
    t.array = data
    t.grad = None
    t.requires_grad = False
    t.grad_fn = None
    t._backend = backend
    t._vc = None
    t._hooks = None
    t.name = None
    return t


# Bumped by every in-place op: while it is unchanged, no saved tensor can have changed.
_inplace_epoch = [0]


def _shared_vc(t):
    """The version counter `t` shares with its views, created on first need."""
    vc = t._vc
    if vc is None:
        vc = t._vc = [0, False]
    vc[1] = True
    return vc


def tensor(data, requires_grad=False, dtype=None, device=None):
    """Build a tensor from data (copied), as `torch.tensor`."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def _unwrap_nested(data):
    if isinstance(data, (list, tuple)):
        return [_unwrap_nested(d) for d in data]
    if isinstance(data, Tensor):
        return data.array.tolist()
    return data


def _as_tensor(value, like):
    """A Python number or array as a constant tensor on `like`'s device."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (int, float, bool)):
        dtype = dtypes.scalar_type(value, like.dtype, _defaults.dtype)
        return _wrap(like._backend.xp.asarray(value, dtype=dtype), like._backend)
    return Tensor(value, device=like.device)


def _compare(x, y, name):
    backend = x._backend
    if isinstance(y, Tensor):
        if y._backend is not backend:
            raise DeviceError(
                f"{name}: expected both tensors on the same device, got {x.device} and {y.device}"
            )
        y = y.array
    elif not isinstance(y, (int, float, bool)):
        y = Tensor(y, device=x.device).array
    try:
        out = getattr(backend.xp, name)(x.array, y)
    except ValueError:
        raise RuntimeError(
            f"{name}: shapes {tuple(x.shape)} and {tuple(getattr(y, 'shape', ()))} "
            "are not broadcastable"
        ) from None
    return _wrap(out, backend)


def _scaled(value, alpha):
    """value * alpha, for the alpha of add_ and sub_. A floating tensor that records nothing
    and carries no tangent (an optimizer's step) is scaled on its array, without the dispatch
    of an op: the same numbers, as a Python number takes the array's dtype either way."""
    if alpha == 1:
        return value
    if (
        value.__class__ is Tensor
        and value.array.dtype.kind == "f"
        and not (_grad.enabled and value.requires_grad)
        and _function._dual_level is None
    ):
        return _wrap(value.array * alpha, value._backend)
    return value * alpha


def _inplace(t, fn, *args):
    """Apply `fn` out of place, then write the result into t's storage and bump its version.

    When the graph is recorded the old value becomes the op's input (copied, since the
    storage is about to change) and t takes the op's node as its grad_fn.
    """
    record = _grad.enabled and (
        t.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in args)
    )
    level = _function._dual_level  # forward mode: t's tangent follows its new value
    if record:
        if t.grad_fn is None and t.requires_grad:
            raise RuntimeError(
                f"a leaf Variable that requires grad is being used in an in-place operation "
                f"({fn.__name__.lower()}_ on a tensor of shape {tuple(t.shape)}). "
                "Wrap it in `with no_grad():` or use the out-of-place op."
            )
        if t._vc is not None and t._vc[1]:
            raise RuntimeError(
                f"in-place {fn.__name__.lower()}_ on a tensor that shares storage with a view "
                "while recording gradients is not supported (the view's gradient would be "
                "wrong). Use the out-of-place op, or .clone() first."
            )
        old = _wrap(t.array.copy(), t._backend)
        old.requires_grad = t.requires_grad
        old.grad_fn = t.grad_fn
        if level is not None:
            level.transfer(t, old)
        out = fn.apply(old, *args)
    elif fn._inplace is not None and level is None:
        # Nothing recorded: compute straight into t's storage (optimizer steps, no_grad code).
        _inplace_direct(t, fn, *args)
        return t
    else:
        out = fn.apply(t, *args)
    if out.shape != t.shape:
        raise RuntimeError(
            f"output with shape {tuple(t.shape)} doesn't match the broadcast shape "
            f"{tuple(out.shape)} in {fn.__name__.lower()}_"
        )
    if out.dtype != t.dtype and not t._backend.xp.can_cast(out.dtype, t.dtype, "same_kind"):
        raise RuntimeError(
            f"result type {out.dtype} can't be cast to the desired output type {t.dtype} "
            f"in {fn.__name__.lower()}_"
        )
    t.array[...] = out.array
    vc = t._vc
    if vc is None:
        vc = t._vc = [0, False]
    vc[0] += 1
    _inplace_epoch[0] += 1
    if level is not None:
        level.transfer(out, t)
    if record:
        prev = t.grad_fn
        t.grad_fn = out.grad_fn
        t.requires_grad = out.requires_grad
        if prev is not None and prev._retain:
            # retain_grad() follows t to its new value (as PyTorch): .grad is d/d(new t).
            prev._retain = False
            t.grad_fn._retain = True
            t.grad_fn._out = prev._out
    return t


def _inplace_direct(t, fn, other):
    """t.array op= other, with the errors of the out-of-place route; bumps t's version."""
    if isinstance(other, Tensor):
        if other._backend is not t._backend:
            raise DeviceError(
                f"{fn.__name__.lower()}_: expected both tensors on the same device, got "
                f"{t.device} and {other.device}"
            )
        other = other.array
    try:
        fn._inplace(t.array, other)
    except ValueError:
        raise RuntimeError(
            f"output with shape {tuple(t.shape)} doesn't match the broadcast shape of "
            f"{tuple(t.shape)} and {tuple(getattr(other, 'shape', ()))} in "
            f"{fn.__name__.lower()}_"
        ) from None
    except TypeError:  # numpy's casting error: a float result into an integer tensor
        raise RuntimeError(
            f"result type of {fn.__name__.lower()}_ can't be cast to the desired output type "
            f"{t.dtype}"
        ) from None
    vc = t._vc
    if vc is None:
        vc = t._vc = [0, False]
    vc[0] += 1
    _inplace_epoch[0] += 1


def _index(index):
    """Tensors inside an index become arrays; everything else passes through."""
    if isinstance(index, Tensor):
        return index.array
    if isinstance(index, tuple):
        return tuple(i.array if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return (
            _CPU.xp.asarray(index)
            if index and not any(isinstance(i, (slice, type(None), type(Ellipsis))) for i in index)
            else index
        )
    return index


class _ReturnTypes(tuple):
    """(values, indices), as torch.return_types.max."""

    __slots__ = ()

    def __new__(cls, values, indices):
        return super().__new__(cls, (values, indices))

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])


def _extremum(x, kind, dim, keepdim, axis, keepdims):
    dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
    sign = 1 if kind == "max" else -1
    if dim is None or isinstance(dim, (tuple, list)):
        dims = _dims(dim, x.ndim, kind)
        if dim is None and x.array.size == 0:
            raise RuntimeError(
                f"{kind}(): Expected reduction dim to be specified for input.numel() == 0"
            )
        return ops.Amax.apply(x, dims, keepdim) if sign > 0 else _amin(x, dims, keepdim)
    d = _dim(dim, x.ndim, kind)
    indices = _arg_extremum(x, "arg" + kind, d, True)
    values = ops.Gather.apply(x, indices.array, d) if x.ndim else x.clone()
    if not keepdim and x.ndim:
        values = values.squeeze(d)
        indices = indices.squeeze(d)
    return _ReturnTypes(values, indices)


def _amin(x, dims, keepdim):
    """min x = -max(-x) for floats (the gradient comes with it). Integers and bools carry no
    gradient and -x wraps for uint8 and INT_MIN: min x = ~max(~x), ~ monotone and exact."""
    if x.dtype.kind == "f":
        return -ops.Amax.apply(-x, dims, keepdim)
    out = ops.Amax.apply(_wrap(x.xp.invert(x.array), x._backend), dims, keepdim)
    return _wrap(x.xp.invert(out.array), x._backend)


def _arg_extremum(x, name, dim, keepdim):
    xp = x._backend.xp
    if x.array.size == 0 and (dim is None or x.shape[_dim(dim, x.ndim, name)] == 0):
        raise IndexError(
            f"{name}(): Expected a reduction dim of non-zero size (input shape "
            f"{tuple(x.shape)}, dim {dim}); specify a dim for an input with numel() == 0"
        )
    if dim is None:
        out = getattr(xp, name)(x.array)
        if keepdim:
            out = out.reshape((1,) * x.ndim)
    else:
        dim = _dim(dim, x.ndim, name)
        out = (
            getattr(xp, name)(x.array, axis=dim, keepdims=keepdim)
            if x.ndim
            else getattr(xp, name)(x.array)
        )
    return _wrap(xp.asarray(out, dtype="int64"), x._backend)


def where(condition, input, other):
    """Elements of input where condition holds, else of other.  Gradient routes likewise."""
    ref = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else condition
    cond = condition.array if isinstance(condition, Tensor) else _as_tensor(condition, ref).array
    x = _as_tensor(input, ref if isinstance(ref, Tensor) and ref.dtype.kind == "f" else ref)
    y = _as_tensor(other, x)
    return ops.Where.apply(cond, x, y)


def gather(input, dim, index):
    """out[i][j][k] = input[index[i][j][k]][j][k] for dim=0, as torch.gather."""
    d = _dim(dim, input.ndim, "gather")
    idx = index.array if isinstance(index, Tensor) else _CPU.xp.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"gather(): Expected dtype int64 for index, got {idx.dtype}")
    if idx.ndim != input.ndim:
        raise RuntimeError(
            f"gather(): Index tensor must have the same number of dimensions as input tensor "
            f"(index shape {tuple(idx.shape)}, input shape {tuple(input.shape)})"
        )
    return ops.Gather.apply(input, idx, d)


from autograd import engine as _engine  # noqa: E402
from autograd import function as _function  # noqa: E402  (forward mode's flag)
from autograd import ops  # noqa: E402  (ops need Tensor defined first)
