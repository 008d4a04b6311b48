"""Tensor: an array on a backend, plus what the graph needs (grad, requires_grad, grad_fn).

Operators and methods dispatch to the primitives in `autograd.ops`; this module holds no
array math of its own.
"""

from sys import getrefcount
from weakref import ref as _weakref

from autograd.args import (
    _check_broadcast_to,
    _correction,
    _dim,
    _dim_args,
    _dims,
    _infer_shape,
    _numpy_names,
    _shape_args,
)
from autograd.grad_mode import state as _grad
from backends import DeviceError, dtypes, get_backend
from backends.backend import backend_of, default_backend

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
        "_grad",  # .grad: a validated property; the engine writes this slot directly
        "_requires_grad",  # .requires_grad likewise
        "grad_fn",
        "_backend",
        "_vc",  # [version, views]: shared by all that share storage (_register_view)
        "_view_of",  # (root base, steps) for a view: how to derive it again from its base
        "_hooks",
        "name",
        "__weakref__",
    )
    # As a vertex of the graph a Tensor is always a leaf that accumulates into .grad.
    _fn = None
    _next = ()
    _retain = False
    _dtype = property(lambda self: self.array.dtype)  # the gradient's, for the engine
    __hash__ = object.__hash__  # __eq__ is elementwise; identity keys optimizer state

    def __init__(self, data, requires_grad=False, dtype=None, device=None):
        if device is not None:
            backend = get_backend(device)
        elif isinstance(data, Tensor):
            backend = data._backend
        else:
            backend = default_backend(None)  # the CPU unless set_default_device said otherwise
            if hasattr(data, "shape") and not backend.is_array(data):
                owner = backend_of(data)
                if owner is not None and owner.device.type != "cpu":
                    backend = owner  # a device array stays on its device
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
            data = _unwrap_nested(data)
            try:
                array = backend.from_python(data, floats)
            except ValueError as exc:
                raise (_ragged(data) or exc) from None
        if dtype is not None:
            array = array.astype(dtypes.as_dtype(dtype), copy=False)
        if array.dtype.kind not in "biufc":
            raise _bad_data(data, array)
        self.array = array
        self._grad = None
        self._requires_grad = False
        self.grad_fn = None
        self._backend = backend
        self._vc = None
        self._view_of = None
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
    def grad(self):
        """The accumulated gradient (a Tensor of this tensor's shape, dtype, device) or None."""
        return self._grad

    @grad.setter
    def grad(self, value):
        # Validated as PyTorch does, so that optimizers never meet a gradient that would
        # broadcast or change dtype; the engine writes `_grad` itself, skipping these checks.
        if value is not None:
            _check_grad(self, value)
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if value.__class__ is not bool:
            raise RuntimeError(f"requires_grad must be a bool, got {type(value).__name__}")
        if self.grad_fn is not None:
            msg = "you can only change requires_grad flags of leaf variables."
            if not value:
                msg += (
                    " If you want to use a computed variable in a subgraph that doesn't "
                    "require differentiation use var_no_grad = var.detach()."
                )
            raise RuntimeError(msg)
        self.requires_grad_(value)

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
        return bool(self.array.item())  # explicit: device arrays refuse bool()

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    def __repr__(self):
        from autograd.printing import tensor_repr

        name = None if self.grad_fn is None else self.grad_fn.name()
        return tensor_repr(self, _defaults.dtype, name)

    # ------------------------------------------------------------------ graph
    def requires_grad_(self, requires_grad=True):
        if requires_grad and self.array.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients "
                f"(got a tensor of dtype {self.dtype})"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. Use detach()."
            )
        self._requires_grad = requires_grad
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
        self._requires_grad = False
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
            self._grad = _wrap(grad.array, grad._backend)
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
        t._grad = None if self._grad is None else self._grad.__deepcopy__(memo)
        t._requires_grad = self._requires_grad
        t.grad_fn = None
        t._backend = self._backend
        t._vc = None
        t._view_of = None
        t._hooks = None
        t.name = self.name
        return t

    # ------------------------------------------------------------------ conversion
    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False):
        """`.to(device)`, `.to(dtype)`, `.to(device, dtype)` or `.to(other_tensor)`.
        `non_blocking` is accepted and ignored: every copy here is synchronous."""
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

    def cuda(self, device=None, non_blocking=False):
        """To a GPU: `cuda()`, `cuda(1)`, `cuda("cuda:1")` or `cuda(device("cuda", 1))`."""
        return self.to(_cuda_device(device))

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

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other):
        return ops.Add.apply(self, other)

    def __radd__(self, other):
        return ops.Add.apply(other, self)

    def __sub__(self, other):
        return ops.Sub.apply(self, other)

    def __rsub__(self, other):
        return _named(ops.Sub.apply(other, self), "RsubBackward1")

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
        return _matmul(self, _as_tensor(other, self))

    def __rmatmul__(self, other):
        return _matmul(_as_tensor(other, self), self)

    def __neg__(self):
        return ops.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.Abs.apply(self)

    def add(self, other, alpha=1):
        return self + _scaled(other, alpha, self)

    def sub(self, other, alpha=1):
        return self - _sub_term(other, alpha, self)

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
        if self.dtype.kind not in "biu":
            raise TypeError(
                "~ (operator.invert) is only implemented on integer and Boolean-type tensors, "
                f"got {self.dtype}"
            )
        return self.bitwise_not()

    def __and__(self, other):
        return self.bitwise_and(other)

    def __or__(self, other):
        return self.bitwise_or(other)

    def __xor__(self, other):
        return self.bitwise_xor(other)

    __rand__ = __and__
    __ror__ = __or__
    __rxor__ = __xor__

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
        _check_cast(self, other, "add")  # before alpha's checks, as PyTorch
        return _inplace(self, ops.Add, _scaled(other, alpha, self))

    def sub_(self, other, alpha=1):
        return _inplace(self, ops.Sub, _sub_term(other, alpha, self, inplace=True))

    def mul_(self, other):
        return _inplace(self, ops.Mul, other)

    def div_(self, other):
        return _inplace(self, ops.Div, other)

    def pow_(self, exponent):
        return _inplace(self, ops.Pow, exponent)

    def clamp_(self, min=None, max=None):
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            return _clamp_tensor(self, min, max, inplace=True)
        return _inplace(self, ops.Clamp, min, max)

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        return _inplace(self, ops.Fill, value)

    def copy_(self, src):
        src = _as_tensor(src, self)
        if src._backend is not self._backend:  # copy_ moves across devices, as torch's
            src = src.to(self.device)
        return _inplace(self, ops.Copy, src)

    def __setitem__(self, index, value):
        if index is False:
            return  # PyTorch: x[False] = v writes nothing and checks nothing
        if not isinstance(value, (Tensor, int, float, bool)):
            value = Tensor(value, device=self.device)
        elif isinstance(value, Tensor) and value._backend is not self._backend:
            value = value.to(self.device)  # x[i] = t copies across devices, as torch's
        normalized = ops.index.normalize(index, self.shape, self.xp)
        if isinstance(value, Tensor) and value.dtype != self.dtype:
            ops.index.check_put(self, index, value)
        _inplace(self, ops.SetItem, value, normalized)

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
            return _clamp_tensor(self, min, max)
        return ops.Clamp.apply(self, min, max)

    clip = clamp

    def maximum(self, other):
        return ops.Maximum.apply(self, _as_tensor(other, self))

    def minimum(self, other):
        return ops.Minimum.apply(self, _as_tensor(other, self))

    def where(self, condition, other):
        return where(condition, self, other)

    def square(self):
        return self**2  # pow, as PyTorch: bool squares to int64

    def rsqrt(self):
        if self.dtype == dtypes.float16:  # PyTorch: in float32, rounded once (not twice)
            return (1 / self.float().sqrt()).half()
        return 1 / self.sqrt()

    def reciprocal(self):
        return ops.Reciprocal.apply(self)

    def log1p(self):
        return ops.Log1p.apply(self)

    def expm1(self):
        return ops.Expm1.apply(self)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        x = _reduce_input(self, dtype)
        if x.dtype.kind in "bu" or x.dtype.kind == "i" and x.dtype.itemsize < 8:
            x = x.to(dtypes.int64)  # as PyTorch: integer sums accumulate in int64
        out = ops.Sum.apply(x, _dims(dim, self.ndim, "sum"), keepdim)
        # sum(dtype=uint8) wraps, sum(dtype=bool) is any(): the int64 sum cast, as PyTorch
        return out if dtype is None or out.dtype == dtype else out.to(dtype)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        from autograd.ops import composite

        if dtype is not None and dtypes.as_dtype(dtype).kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Optional dtype must be either a floating "
                f"point or complex dtype. Got: {dtypes.torch_name(dtypes.as_dtype(dtype))}"
            )
        x = self if dtype is None else self.to(dtype)
        return _named(composite.mean(x, dim, keepdim), f"MeanBackward{0 if dim is None else 1}")

    def var(
        self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None
    ):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        from autograd.ops import composite

        out = composite.var(self, dim, _correction(unbiased, correction), keepdim)
        return _named(out, "VarBackward0")

    def std(
        self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None
    ):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        from autograd.ops import composite

        out = composite.std(self, dim, _correction(unbiased, correction), keepdim)
        return _named(out, "StdBackward0")

    def prod(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        out = ops.Prod.apply(_reduce_input(self, dtype), _dims(dim, self.ndim, "prod"), keepdim)
        return out if dtype is None or out.dtype == dtype else out.to(dtype)  # wraps, as sum

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
        dims = _nonempty(self, _dims(dim, self.ndim, "amax"), "amax")
        return ops.Amax.apply(self, dims, keepdim)

    def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        dims = _nonempty(self, _dims(dim, self.ndim, "amin"), "amin")
        return ops.Amin.apply(self, dims, keepdim)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        return _arg_extremum(self, "argmax", dim, keepdim)

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        return _arg_extremum(self, "argmin", dim, keepdim)

    def logsumexp(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        from autograd.ops import composite

        return _named(composite.logsumexp(self, dim, keepdim), "LogsumexpBackward0")

    def softmax(self, dim=-1, dtype=None):
        from autograd.ops import composite

        x = self if dtype is None else self.to(dtype)
        return _named(composite.softmax(x, dim), "SoftmaxBackward0")

    def log_softmax(self, dim=-1, dtype=None):
        x = self if dtype is None else self.to(dtype)
        dim = _dim(dim, x.ndim, "log_softmax")
        if x.dtype.kind != "f" and not x.numel():  # as softmax: empty, of x's dtype
            return _wrap(x.array.copy(), x._backend)
        return ops.reduce.LogSoftmax.apply(x, dim if x.ndim else None)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape):
        shape = _shape_args(shape)
        return ops.Reshape.apply(self, _infer_shape(shape, self.array.size, self.shape, "reshape"))

    def view(self, *shape):
        """The same storage seen with another shape (never a copy: raises where the strides
        cannot express it, as PyTorch), or with another dtype (its bits reinterpreted)."""
        if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
            return _view_dtype(self, dtypes.as_dtype(shape[0]))
        shape = _infer_shape(_shape_args(shape), self.array.size, self.shape, "view")
        _check_viewable(self.array, shape)
        return ops.Reshape.apply(self, shape)

    def view_as(self, other):
        return self.view(other.shape)

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
        return _named(ops.Permute.apply(self, tuple(dims)), "TransposeBackward0")

    swapaxes = transpose

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return _named(self.T, "TBackward0")

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
        if shape == self.shape:
            return self._alias()
        return _named(self.reshape(shape), f"SqueezeBackward{0 if dim is None else 1}")

    def unsqueeze(self, dim):
        dim = _dim(dim, self.ndim + 1, "unsqueeze")
        return _named(
            self.reshape(self.shape[:dim] + (1,) + self.shape[dim:]), "UnsqueezeBackward0"
        )

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
        return ops.GetItem.apply(self, index)

    def split(self, split_size_or_sections, dim=0):
        from autograd.ops import composite

        pieces = composite.split(self, split_size_or_sections, dim)
        return tuple(_named(p, "SplitBackward0") for p in pieces)

    def chunk(self, chunks, dim=0):
        from autograd.ops import composite

        return tuple(_named(p, "SplitBackward0") for p in composite.chunk(self, chunks, dim))

    def unbind(self, dim=0):
        if self.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        dim = _dim(dim, self.ndim, "unbind")
        pieces = (self[(slice(None),) * dim + (i,)] for i in range(self.shape[dim]))
        return tuple(_named(p, "UnbindBackward0") for p in pieces)

    def gather(self, dim, index):
        return gather(self, dim, index)

    def repeat(self, *sizes):
        from autograd.ops import composite

        return composite.repeat(self, _shape_args(sizes))

    # --- learner names (random): random fills, protocol dunders, devices, dlpack ---------------
    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return _rnd().normal_(self, mean, std, generator=generator)

    def uniform_(self, a=0.0, b=1.0, *, generator=None, **kw):
        """Fill with U[from, to) (`from`/`to` as keywords, as torch spells them)."""
        return _rnd().uniform_(self, a, b, generator=generator, **kw)

    def bernoulli_(self, p=0.5, *, generator=None):
        return _rnd().bernoulli_(self, p, generator=generator)

    def random_(self, *args, generator=None, **kw):
        """random_(), random_(to), random_(from, to): integers drawn into this tensor."""
        return _rnd().random_(self, *args, generator=generator, **kw)

    def exponential_(self, lambd=1.0, *, generator=None):
        return _rnd().exponential_(self, lambd, generator=generator)

    def geometric_(self, p, *, generator=None):
        return _rnd().geometric_(self, p, generator=generator)

    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        return _rnd().log_normal_(self, mean, std, generator=generator)

    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        return _rnd().cauchy_(self, median, sigma, generator=generator)

    def bernoulli(self, p=None, *, generator=None):
        return _rnd().bernoulli(self, p, generator=generator)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return _rnd().multinomial(self, num_samples, replacement, generator=generator)

    def nelement(self):
        return self.array.size

    def ndimension(self):
        return self.array.ndim

    def element_size(self):
        return self.array.dtype.itemsize

    @property
    def itemsize(self):
        return self.array.dtype.itemsize

    @property
    def nbytes(self):
        return self.array.nbytes

    def is_floating_point(self):
        return self.array.dtype.kind == "f"

    def is_complex(self):
        return self.array.dtype.kind == "c"

    def is_signed(self):
        return self.array.dtype.kind in "fic"

    @property
    def is_cuda(self):
        return self._backend.device.type == "cuda"

    @property
    def is_cpu(self):
        return self._backend.device.type == "cpu"

    is_mps = False
    is_meta = False

    def get_device(self):
        """-1 on the CPU, else the GPU's index (as torch)."""
        device = self._backend.device
        return -1 if device.type == "cpu" else device.index or 0

    def type(self, dtype=None):
        """'torch.FloatTensor' and the like without an argument, else a cast."""
        if dtype is None:
            name = _TENSOR_TYPES.get(self.array.dtype.name, self.array.dtype.name)
            return f"torch.{'cuda.' if self.is_cuda else ''}{name}"
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            names = {v: k for k, v in _TENSOR_TYPES.items()}
            dtype = names[dtype.rsplit(".", 1)[-1]]
        return self.to(dtype)

    def __format__(self, format_spec):
        """f"{t:.2f}" formats a 0-d tensor's number; other tensors take no format spec."""
        if self.array.ndim == 0:
            return self.item().__format__(format_spec)
        if format_spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)

    def __index__(self):
        """An integer tensor of one element as a list index or range() bound."""
        if self.array.dtype.kind not in "iub" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.array.item())

    def __contains__(self, element):
        """`element in t`: whether any element of t equals it."""
        if not isinstance(element, (Tensor, int, float, bool)):
            raise RuntimeError(
                f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                f"{type(element)}."
            )
        return bool((self == element).array.any().item())

    def is_contiguous(self, memory_format=None):
        return bool(self.array.flags.c_contiguous)

    def contiguous(self, memory_format=None):
        """self when its elements lie in row-major order, else a row-major copy (recorded)."""
        if self.array.flags.c_contiguous:
            return self
        return ops.Clone.apply(self)

    def stride(self, dim=None):
        """Steps between neighbours along each dim, in elements (0 along expanded dims)."""
        size = self.array.dtype.itemsize
        strides = tuple(s // size for s in self.array.strides)
        return strides if dim is None else strides[_dim(dim, self.ndim, "stride")]

    def data_ptr(self):
        return _data_ptr(self.array)

    def storage_offset(self):
        """Elements between the start of the storage this tensor views and its first element."""
        root = self.array
        while isinstance(root.base, type(self.array)):
            root = root.base
        return (_data_ptr(self.array) - _data_ptr(root)) // self.array.dtype.itemsize

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """Export for `from_dlpack` in torch, numpy, cupy, ...: zero-copy."""
        if self.requires_grad:
            raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
        kwargs = {"stream": stream, "max_version": max_version, "dl_device": dl_device}
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        if copy is not None:
            kwargs["copy"] = copy
        return self.array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self.array.__dlpack_device__()

    # --- tensor math (helper math): thin methods over autograd.mathops / autograd.linalg ---
    def log10(self):
        return _mathops.log10(self)

    def log2(self):
        return _mathops.log2(self)

    def exp2(self):
        return _mathops.exp2(self)

    def tan(self):
        return _mathops.tan(self)

    def sinh(self):
        return _mathops.sinh(self)

    def cosh(self):
        return _mathops.cosh(self)

    def asin(self):
        return _mathops.asin(self)

    def acos(self):
        return _mathops.acos(self)

    def atan(self):
        return _mathops.atan(self)

    def asinh(self):
        return _mathops.asinh(self)

    def acosh(self):
        return _mathops.acosh(self)

    def atanh(self):
        return _mathops.atanh(self)

    arcsin, arccos, arctan = asin, acos, atan
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def erf(self):
        return _mathops.erf(self)

    def erfc(self):
        return _mathops.erfc(self)

    def erfinv(self):
        return _mathops.erfinv(self)

    def floor(self):
        return _mathops.floor(self)

    def ceil(self):
        return _mathops.ceil(self)

    def trunc(self):
        return _mathops.trunc(self)

    fix = trunc

    def round(self, decimals=0):
        return _mathops.round(self, decimals=decimals)

    def frac(self):
        return _mathops.frac(self)

    def fmod(self, other):
        return _mathops.fmod(self, other)

    def remainder(self, other):
        return _mathops.remainder(self, other)

    def __mod__(self, other):
        return _mathops.remainder(self, other)

    def __rmod__(self, other):
        return _mathops.remainder(other, self)

    def atan2(self, other):
        return _mathops.atan2(self, other)

    arctan2 = atan2

    def lerp(self, end, weight):
        return _mathops.lerp(self, end, weight)

    def logaddexp(self, other):
        return _mathops.logaddexp(self, other)

    def logaddexp2(self, other):
        return _mathops.logaddexp2(self, other)

    def hypot(self, other):
        return _mathops.hypot(self, other)

    def xlogy(self, other):
        return _mathops.xlogy(self, other)

    def clamp_min(self, min):
        return self.clamp(min=min)

    def clamp_max(self, max):
        return self.clamp(max=max)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return _mathops.nan_to_num(self, nan, posinf, neginf)

    # in place: the out-of-place op on a clone (so nothing it saves is overwritten), copied in
    def _math_inplace(self, fn, *args, **kwargs):
        out = fn(self.clone(), *args, **kwargs)
        if out.dtype != self.dtype and not dtypes.can_cast(out.dtype, self.dtype):
            raise _cast_error(out.dtype, self.dtype, fn.__name__)  # copy_ would cast
        return self.copy_(out)

    def floor_(self):
        return self._math_inplace(_mathops.floor)

    def ceil_(self):
        return self._math_inplace(_mathops.ceil)

    def trunc_(self):
        return self._math_inplace(_mathops.trunc)

    def round_(self, decimals=0):
        return self._math_inplace(_mathops.round, decimals=decimals)

    def fmod_(self, other):
        return self._math_inplace(_mathops.fmod, other)

    def remainder_(self, other):
        return self._math_inplace(_mathops.remainder, other)

    def lerp_(self, end, weight):
        return self._math_inplace(_mathops.lerp, end, weight)

    def clamp_min_(self, min):
        return self.clamp_(min=min)

    def clamp_max_(self, max):
        return self.clamp_(max=max)

    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
        return self._math_inplace(_mathops.nan_to_num, nan, posinf, neginf)

    def masked_fill(self, mask, value):
        return _mathops.masked_fill(self, mask, value)

    def masked_fill_(self, mask, value):
        return self._math_inplace(_mathops.masked_fill, mask, value)

    def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
        return self._math_inplace(_mathops.scatter, dim, index, src, value, reduce=reduce)

    def scatter_add_(self, dim, index, src):
        return self._math_inplace(_mathops.scatter_add, dim, index, src)

    def index_add_(self, dim, index, source, *, alpha=1):
        return self._math_inplace(_mathops.index_add, dim, index, source, alpha=alpha)

    def index_fill_(self, dim, index, value):
        return self._math_inplace(_mathops.index_fill, dim, index, value)

    def index_copy_(self, dim, index, source):
        return self._math_inplace(_mathops.index_copy, dim, index, source)

    def tril_(self, diagonal=0):
        return self._math_inplace(_mathops.tril, diagonal)

    def triu_(self, diagonal=0):
        return self._math_inplace(_mathops.triu, diagonal)

    # logical and comparison
    def isnan(self):
        return _mathops.isnan(self)

    def isinf(self):
        return _mathops.isinf(self)

    def isfinite(self):
        return _mathops.isfinite(self)

    def isposinf(self):
        return _mathops.isposinf(self)

    def isneginf(self):
        return _mathops.isneginf(self)

    def logical_and(self, other):
        return _mathops.logical_and(self, other)

    def logical_or(self, other):
        return _mathops.logical_or(self, other)

    def logical_xor(self, other):
        return _mathops.logical_xor(self, other)

    def all(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _mathops.all(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def any(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _mathops.any(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _mathops.isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _mathops.allclose(self, other, rtol, atol, equal_nan)

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    # sorting and scans
    def sort(self, dim=-1, descending=False, stable=False, *, axis=None):
        return _mathops.sort(self, dim, descending, stable, axis=axis)

    def argsort(self, dim=-1, descending=False, stable=False, *, axis=None):
        return _mathops.argsort(self, dim, descending, stable, axis=axis)

    def msort(self):
        return _mathops.msort(self)

    def topk(self, k, dim=-1, largest=True, sorted=True, *, axis=None):
        return _mathops.topk(self, k, dim, largest, sorted, axis=axis)

    def kthvalue(self, k, dim=-1, keepdim=False, *, axis=None, keepdims=None):
        return _mathops.kthvalue(self, k, dim, keepdim, axis=axis, keepdims=keepdims)

    def median(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _mathops.median(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def mode(self, dim=-1, keepdim=False, *, axis=None, keepdims=None):
        return _mathops.mode(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def cumsum(self, dim=None, *, dtype=None, axis=None):
        return _mathops.cumsum(self, dim, dtype=dtype, axis=axis)

    def cumprod(self, dim=None, *, dtype=None, axis=None):
        return _mathops.cumprod(self, dim, dtype=dtype, axis=axis)

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        return _mathops.diff(self, n, dim, prepend, append)

    # counting
    def bincount(self, weights=None, minlength=0):
        return _mathops.bincount(self, weights, minlength)

    def histc(self, bins=100, min=0, max=0):
        return _mathops.histc(self, bins, min, max)

    def histogram(self, bins=100, *, range=None, weight=None, density=False):
        return _mathops.histogram(self, bins, range=range, weight=weight, density=density)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _mathops.unique(self, sorted, return_inverse, return_counts, dim)

    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        return _mathops.unique_consecutive(self, return_inverse, return_counts, dim)

    # selection and construction
    def index_select(self, dim, index):
        return _mathops.index_select(self, dim, index)

    def masked_select(self, mask):
        return _mathops.masked_select(self, mask)

    def take(self, index):
        return _mathops.take(self, index)

    def scatter(self, dim, index, src=None, value=None, *, reduce=None):
        return _mathops.scatter(self, dim, index, src, value, reduce=reduce)

    def scatter_add(self, dim, index, src):
        return _mathops.scatter_add(self, dim, index, src)

    def index_add(self, dim, index, source, *, alpha=1):
        return _mathops.index_add(self, dim, index, source, alpha=alpha)

    def index_fill(self, dim, index, value):
        return _mathops.index_fill(self, dim, index, value)

    def index_copy(self, dim, index, source):
        return _mathops.index_copy(self, dim, index, source)

    def roll(self, shifts, dims=None):
        return _mathops.roll(self, shifts, dims)

    def flip(self, *dims):
        return _mathops.flip(self, dims[0] if len(dims) == 1 else dims)

    def fliplr(self):
        return _mathops.fliplr(self)

    def flipud(self):
        return _mathops.flipud(self)

    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        return _mathops.repeat_interleave(self, repeats, dim, output_size=output_size)

    def tile(self, *dims):
        return _mathops.tile(self, _shape_args(dims))

    def tril(self, diagonal=0):
        return _mathops.tril(self, diagonal)

    def triu(self, diagonal=0):
        return _mathops.triu(self, diagonal)

    def outer(self, vec2):
        return _mathops.outer(self, vec2)

    ger = outer

    def diag(self, diagonal=0):
        return _mathops.diag(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _mathops.diagonal_(self, offset, dim1, dim2)

    def trace(self):
        return _mathops.trace(self)

    def kron(self, other):
        return _mathops.kron(self, other)

    def cross(self, other, dim=None):
        return _mathops.cross(self, other, dim)

    def narrow(self, dim, start, length):
        return _mathops.narrow(self, dim, start, length)

    def movedim(self, source, destination):
        return _mathops.movedim(self, source, destination)

    moveaxis = movedim
    swapdims = transpose

    def mm(self, mat2):
        return _mathops.mm(self, mat2)

    def bmm(self, mat2):
        return _mathops.bmm(self, mat2)

    def mv(self, vec):
        return _mathops.mv(self, vec)

    def dot(self, other):
        return _mathops.dot(self, other)

    inner = dot

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _mathops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _mathops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return _linalg.tensor_norm(self, p, dim, keepdim, dtype)

    # numpy's axis / keepdims beside dim / keepdim (helper math): the methods whose own
    # signature lacks them
    chunk = _numpy_names(chunk)
    gather = _numpy_names(gather)
    log_softmax = _numpy_names(log_softmax)
    softmax = _numpy_names(softmax)
    size = _numpy_names(size)
    split = _numpy_names(split)
    squeeze = _numpy_names(squeeze)
    unbind = _numpy_names(unbind)
    unflatten = _numpy_names(unflatten)
    unsqueeze = _numpy_names(unsqueeze)
    cross = _numpy_names(cross)
    diff = _numpy_names(diff)
    index_add = _numpy_names(index_add)
    index_add_ = _numpy_names(index_add_)
    index_copy = _numpy_names(index_copy)
    index_copy_ = _numpy_names(index_copy_)
    index_fill = _numpy_names(index_fill)
    index_fill_ = _numpy_names(index_fill_)
    index_select = _numpy_names(index_select)
    narrow = _numpy_names(narrow)
    norm = _numpy_names(norm)
    repeat_interleave = _numpy_names(repeat_interleave)
    scatter = _numpy_names(scatter)
    scatter_ = _numpy_names(scatter_)
    scatter_add = _numpy_names(scatter_add)
    scatter_add_ = _numpy_names(scatter_add_)
    unique = _numpy_names(unique)
    unique_consecutive = _numpy_names(unique_consecutive)

    # --- learner names (lead): new_* factories, nonzero, select, bitwise ops ---
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        """A copy of data as a tensor with this one's dtype and device unless given."""
        return Tensor(data, requires_grad=requires_grad, dtype=dtype or self.dtype,
                      device=device or self.device)  # fmt: skip

    def _new_filled(self, fill, size, dtype, device, requires_grad):
        from autograd.creation import full

        size = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        out = full(tuple(size), fill, dtype=dtype or self.dtype, device=device or self.device)
        return out.requires_grad_() if requires_grad else out

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_filled(0, size, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_filled(1, size, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_filled(0, size, dtype, device, requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return self._new_filled(fill_value, (size,), dtype, device, requires_grad)

    def nonzero(self, *, as_tuple=False):
        """The indices of the non-zero elements: (n, ndim) int64, or one 1-D tensor per dim."""
        xp = self._backend.xp
        if as_tuple:
            if self.ndim == 0:
                return (_wrap(xp.nonzero(self.array.reshape(1))[0], self._backend),)
            return tuple(_wrap(i.astype(dtypes.int64), self._backend)
                         for i in xp.nonzero(self.array))  # fmt: skip
        return _wrap(xp.argwhere(self.array).astype(dtypes.int64), self._backend)

    def argwhere(self):
        return self.nonzero()

    def select(self, dim, index):
        """The slice at `index` along `dim`, that dim removed (a view): x[..., index, ...]."""
        if self.ndim == 0:
            raise IndexError("select() cannot be applied to a 0-dim tensor.")
        dim = _dim(dim, self.ndim, "select")
        return self[(slice(None),) * dim + (index,)]

    select = _numpy_names(select)
    stride = _numpy_names(stride)

    def _bitwise(self, other, name):
        kinds = [self.dtype.kind]
        if isinstance(other, Tensor):
            kinds.append(other.dtype.kind)
        elif isinstance(other, float):
            kinds.append("f")
        if any(k not in "biu" for k in kinds):
            raise RuntimeError(
                f"\"{name}_cpu\" not implemented for '{_TORCH_KIND.get('f', 'Float')}': "
                f"{name} takes integer or bool tensors, got {self.dtype}"
                + (f" and {other.dtype}" if isinstance(other, Tensor) else "")
            )
        if isinstance(other, Tensor) and other._backend is not self._backend:
            raise DeviceError(
                f"{name}: expected both tensors on the same device, got {self.device} and "
                f"{other.device}"
            )
        from autograd.ops._util import promote

        try:
            a, b, _ = promote(self, other, opmath=False)  # PyTorch's promotion, ints wrap
            out = getattr(self._backend.xp, name)(a, b)
        except ValueError:
            raise RuntimeError(
                f"{name}: shapes {tuple(self.shape)} and {tuple(getattr(other, 'shape', ()))} "
                "are not broadcastable"
            ) from None
        return _wrap(out, self._backend)

    def bitwise_and(self, other):
        return self._bitwise(other, "bitwise_and")

    def bitwise_or(self, other):
        return self._bitwise(other, "bitwise_or")

    def bitwise_xor(self, other):
        return self._bitwise(other, "bitwise_xor")

    def bitwise_not(self):
        if self.dtype.kind not in "biu":
            raise RuntimeError(f"bitwise_not takes integer or bool tensors, got {self.dtype}")
        return _wrap(self._backend.xp.invert(self.array), self._backend)

    # --- index helper (indexing, views, splits) ---
    def tensor_split(self, indices_or_sections, dim=0):
        from autograd.ops import composite

        return composite.tensor_split(self, indices_or_sections, dim)

    tensor_split = _numpy_names(tensor_split)

    # --- mpi (post-accumulate-grad hooks) ---
    def register_post_accumulate_grad_hook(self, hook):
        """Call hook(self) once backward has accumulated into self.grad (leaves only), as
        torch's; the hook returns None. The handle's .remove() takes it off."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        return _engine.register_post_accumulate_grad_hook(self, hook)


# --------------------------------------------------------------------------- helpers
_new = object.__new__


def _named(out, name):
    """out, its grad_fn shown under PyTorch's name for the op the user called when that op
    is a composite here (mean() ends in a division: its node reads "MeanBackward0")."""
    node = out.grad_fn
    if node is not None and node.__class__ is not type(out):
        node._torch_name = name
    return out


_TORCH_KIND = {"f": "Float"}

# dtype name -> torch's legacy tensor type name, for Tensor.type()
_TENSOR_TYPES = {
    "float16": "HalfTensor", "float32": "FloatTensor", "float64": "DoubleTensor",
    "int8": "CharTensor", "int16": "ShortTensor", "int32": "IntTensor", "int64": "LongTensor",
    "uint8": "ByteTensor", "bool": "BoolTensor",
}  # fmt: skip


def _rnd():
    """autograd.random, imported on first use (it imports creation, which imports us)."""
    from autograd import random

    return random


def _data_ptr(array):
    """The address of an array's first element (numpy's or cupy's array interface)."""
    interface = getattr(array, "__array_interface__", None)
    if interface is None:
        interface = array.__cuda_array_interface__
    return interface["data"][0]


def _sole_owner(t, dtype):
    """Whether gradient t, held by the engine in one variable and passed on to
    Tensor._accumulate, is referenced from nowhere else, nor its array (no other tensor, no
    view, no hook that kept it), and has the given dtype."""
    a = t.array
    # references to t: the engine's variable, _accumulate's and this frame's arguments and
    # getrefcount's; to a: t.array, the local a and getrefcount's
    return a.base is None and a.dtype == dtype and getrefcount(t) == 4 and getrefcount(a) == 3


def _cuda_device(device):
    """`.cuda(device)`'s argument as a device string: None, an index, a string or a device."""
    if device is None:
        return "cuda"
    if isinstance(device, int) and not isinstance(device, bool):
        return f"cuda:{device}"
    device = str(device)
    if not device.startswith("cuda"):
        raise RuntimeError(f"Invalid device, must be cuda device, got {device}")
    return device


def _wrap(data, backend):
    """A fresh Tensor around an array: the hot path every op's result goes through."""
    if data.__class__ is not backend.array_type:
        data = backend.xp.asarray(data)  # numpy hands back scalars from 0-d math
    t = _new(Tensor)
    t.array = data
    t._grad = None
    t._requires_grad = False
    t.grad_fn = None
    t._backend = backend
    t._vc = None
    t._view_of = None
    t._hooks = None
    t.name = None
    return t


# Bumped by every in-place op: while it is unchanged, no saved tensor can have changed.
_inplace_epoch = [0]


def tensor(data, requires_grad=False, dtype=None, device=None):
    """Build a tensor from data (copied), as `torch.tensor`."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def _check_grad(t, grad):
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


def _bad_data(data, array):
    """The error for Python data that holds no numbers, as PyTorch words it."""
    stack = [data]
    while stack:
        d = stack.pop()
        if isinstance(d, (list, tuple)):
            stack.extend(reversed(d))
        elif isinstance(d, (str, bytes)):
            return TypeError(f"new(): invalid data type '{type(d).__name__}'")
        elif not isinstance(d, (bool, int, float, complex, Tensor)) and not hasattr(d, "dtype"):
            return RuntimeError(f"Could not infer dtype of {type(d).__name__}")
    return TypeError(f"tensor(): cannot make a tensor of dtype {array.dtype}")


def _ragged(data):
    """The error for nested lists of unequal lengths, worded as PyTorch's."""
    level = [data]
    dim = 0
    while level:
        seqs = [d for d in level if isinstance(d, (list, tuple))]
        if seqs and len(seqs) != len(level):
            d = next(d for d in level if not isinstance(d, (list, tuple)))
            return ValueError(f"expected sequence of length {len(seqs[0])} at dim {dim} (got "
                              f"{type(d).__name__})")  # fmt: skip
        for s in seqs[1:]:
            if len(s) != len(seqs[0]):
                return ValueError(
                    f"expected sequence of length {len(seqs[0])} at dim {dim} (got {len(s)})"
                )
        level = [x for s in seqs for x in s]
        dim += 1
    return None


def _unwrap_nested(data):
    if isinstance(data, (list, tuple)):
        return [_unwrap_nested(d) for d in data]
    if isinstance(data, Tensor):
        return data.array.tolist()
    return data


def _matmul(x, y):
    """x @ y; operands of two dtypes only where PyTorch takes them (an empty batched product,
    which has y's dtype, even int32 @ bool), else MatMul raises."""
    if x.dtype != y.dtype and ops.linalg.empty_bmm(x, y):
        x = x.to(y.dtype)
    return ops.MatMul.apply(x, y)


def _reduce_input(x, dtype):
    """x cast to a reduction's dtype= argument (sum, prod); PyTorch differentiates no integer
    result, so a graph that would need one raises."""
    if dtype is None:
        return x
    dtype = dtypes.as_dtype(dtype)
    if dtype.kind != "f" and x._requires_grad and _grad.enabled:
        raise RuntimeError(f"Autograd not support dtype: {dtypes.torch_name(dtype)}")
    return x.to(dtype)


def _as_tensor(value, like):
    """A Python number or array as a constant tensor on `like`'s device."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (int, float, bool)):
        dtype = dtypes.scalar_type(value, like.dtype, _defaults.dtype)
        # where(c, uint8, -1) holds 255, where(c, uint8, 300) raises, as PyTorch (which lets
        # a float16 operand take 70000 as inf)
        check = dtypes.wrap_number if dtype == dtypes.float16 else dtypes.checked_number
        value = check(value, dtype)
        return _wrap(like._backend.xp.asarray(value, dtype=dtype), like._backend)
    return Tensor(value, device=like.device)


def _compare(x, y, name):
    backend = x._backend
    if isinstance(y, Tensor):
        if y._backend is not backend:
            raise DeviceError(
                f"{name}: expected both tensors on the same device, got {x.device} and {y.device}"
            )
    elif not isinstance(y, (int, float, bool)):
        y = Tensor(y, device=x.device)
    if name in _COMPARISONS:  # on the promoted operands, as PyTorch (uint8 < -1 is uint8 < 255)
        a, b, _ = _promote(x, y, False)
    else:
        a, b = x.array, y.array if isinstance(y, Tensor) else y
    try:
        out = getattr(backend.xp, name)(a, b)
    except ValueError:
        raise RuntimeError(
            f"{name}: shapes {tuple(x.shape)} and {tuple(getattr(y, 'shape', ()))} "
            "are not broadcastable"
        ) from None
    return _wrap(out, backend)


_COMPARISONS = frozenset(("equal", "not_equal", "less", "less_equal", "greater", "greater_equal"))


def _clamp_tensor(x, lo, hi, inplace=False):
    """clamp with tensor bounds: x and the bounds cast to their common dtype (PyTorch's
    promotion over all three; in place, the bounds cast to x's), then one ClampTensor
    (PyTorch's subgradients)."""
    if not all(b is None or isinstance(b, Tensor) for b in (lo, hi)):
        raise TypeError(
            "clamp() received an invalid combination of arguments: min and max must both be "
            f"Tensors or both numbers, got {type(lo).__name__} and {type(hi).__name__}"
        )
    dt = dtypes.result_types([t.array for t in (x, lo, hi) if t is not None], _defaults.dtype)
    if dt.kind == "b" and lo is not None and hi is not None:
        raise NotImplementedError("\"clamp_cpu\" not implemented for 'Bool'")
    if inplace:
        if not dtypes.can_cast(dt, x.dtype):
            raise RuntimeError(
                f"result type {dtypes.torch_name(dt)} can't be cast to the desired output type "
                f"{dtypes.torch_name(x.dtype)}"
            )
        dt = x.dtype
    lo, hi = (b if b is None or b.dtype == dt else ops.Cast.apply(b, dt) for b in (lo, hi))
    try:
        if inplace:
            return _inplace(x, ops.ClampTensor, lo, hi)
        return ops.ClampTensor.apply(x if x.dtype == dt else ops.Cast.apply(x, dt), lo, hi)
    except ValueError:
        shapes = [tuple(t.shape) for t in (x, lo, hi) if t is not None]
        raise RuntimeError(f"clamp: shapes {shapes} are not broadcastable") from None


def _cast_error(result, dtype, name):
    return RuntimeError(
        f"result type {dtypes.torch_name(result)} can't be cast to the desired output type "
        f"{dtypes.torch_name(dtype)} (in {name}_)"
    )


def _check_cast(x, value, name):
    """PyTorch's refusal of an in-place op on x whose result dtype x can't hold."""
    operand = value.array if isinstance(value, Tensor) else value
    dt = dtypes.result_types([x.array, operand], _defaults.dtype)
    if dt != x.dtype and not dtypes.can_cast(dt, x.dtype):
        raise _cast_error(dt, x.dtype, name)


def _sub_term(value, alpha, x, inplace=False):
    """_scaled for sub / sub_, in PyTorch's order of checks: a bool operand first (value
    unscaled: Sub raises its error), then (sub_) the cast into x, then alpha."""
    if x.dtype.kind == "b" or isinstance(value, bool):
        return value
    if isinstance(value, Tensor) and value.dtype.kind == "b":
        return value
    if inplace:
        _check_cast(x, value, "sub")
    return _scaled(value, alpha, x)


def _scaled(value, alpha, x):
    """alpha * value, the term add/sub (and add_/sub_) of x take from value, as PyTorch's
    x + alpha * value: alpha is checked against the result dtype (a float alpha only for
    floats, a bool alpha only for bool), and multiplies value cast to the result dtype and
    broadcast to the output's shape (so value's gradient is grad * alpha summed, as
    PyTorch's, even for an infinite alpha). A tensor of x's floating dtype that records
    nothing and carries no tangent (an optimizer's step) is scaled on its array, without
    the dispatch of an op: the same numbers, as a Python number takes the array's dtype."""
    if (
        value.__class__ is Tensor
        and value.array.dtype == x.array.dtype
        and value.array.dtype.kind == "f"
        and alpha.__class__ is not bool
        and not (_grad.enabled and value.requires_grad)
        and _function._dual_level is None
    ):
        return value if alpha == 1 else _wrap(value.array * alpha, value._backend)
    operand = value.array if isinstance(value, Tensor) else value
    dt = dtypes.result_types([x.array, operand], _defaults.dtype)
    if isinstance(alpha, bool) and dt.kind != "b":
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if dt.kind != "f" and not isinstance(alpha, int):
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    if alpha == 1:
        return value
    if dt.kind == "b":  # value and alpha (a Python bool stays one: True * False is 0)
        return value if alpha else (False if isinstance(value, bool) else value * False)
    if not isinstance(value, Tensor):
        return value * alpha
    if value.dtype != dt:
        value = ops.Cast.apply(value, dt)
    if value.requires_grad and value.shape != x.shape:
        try:
            shape = x.xp.broadcast_shapes(x.shape, value.shape)
        except ValueError:
            return value * alpha  # add raises, naming both shapes
        if shape != value.shape:
            value = ops.Expand.apply(value, shape)
    return value * alpha


def _register_view(base, out, fn, args):
    """Record that `out` = fn.apply(base, *args) shares base's storage.

    Invariant (what keeps gradients right when storage is written in place): every view
    knows its root base (the tensor that is no one's view) and the view steps that derive
    it from the root, and the root's version counter lists its live views (weakly). An
    in-place op on a view rebases the root onto a graph that writes the new values into
    the view's region (`_rebase_root`); after any recorded in-place op, every live view of
    the root is derived again from the root's new graph (`_refresh_views`), as PyTorch's
    CopySlices and view rebasing do. A view that is gone costs nothing."""
    vc = base._vc
    if vc is None:
        vc = base._vc = [0, False]
    out._vc = vc
    step = (fn, args, base.array.shape)
    view = base._view_of
    out._view_of = (base, (step,)) if view is None else (view[0], view[1] + (step,))
    views = vc[1]
    if not views:
        views = vc[1] = []
    views.append(_weakref(out))
    n = len(views)
    if n >= 32 and not n & (n - 1):  # at powers of two: amortised O(1) pruning
        views[:] = [r for r in views if r() is not None]


def _shared_vc(t):
    """The version counter `t` shares with its views, created on first need."""
    vc = t._vc
    if vc is None:
        vc = t._vc = [0, False]
    return vc


def _live_views(root):
    vc = root._vc
    views = vc[1] if vc is not None else None
    if not views:
        return []
    out = []
    for ref in views:
        v = ref()
        if v is not None and v._view_of is not None and v._view_of[0] is root:
            out.append(v)
    return out


def _derive(root, steps):
    v = root
    for fn, args, _ in steps:
        v = fn.apply(v, *args)
    return v


def _refresh_views(root, views):
    """Derive each live view of root again from root's current graph (PyTorch rebases a
    view's grad_fn the same way after an in-place op on its base)."""
    for v in views:
        steps = v._view_of[1]
        if any(fn is _ViewDtype for fn, _, _ in steps):
            continue  # not differentiable: nothing to rebase
        nv = _derive(root, steps)
        v.grad_fn = nv.grad_fn
        v._requires_grad = nv._requires_grad


def _rebase_root(root, steps, new):
    """The root after its view (root seen through steps) takes the values of `new`:
    root + A(new - V(root)), with V the view and A its adjoint (scatter back into the
    root's shape). Gradient: to root, grad with the view's region zeroed; to new, V(grad)."""
    from autograd.broadcast import sum_to

    d = new - _derive(root, steps)
    for fn, args, in_shape in reversed(steps):
        if fn is ops.GetItem:
            d = ops.IndexAdd.apply(d, args[0], in_shape)
        elif fn is ops.Reshape:
            d = ops.Reshape.apply(d, in_shape)
        elif fn is ops.Permute:
            dims = args[0]
            d = ops.Permute.apply(d, tuple(sorted(range(len(dims)), key=dims.__getitem__)))
        elif fn is ops.Expand:
            d = sum_to(d, in_shape)
        else:
            raise AssertionError(f"no adjoint for view step {fn.__name__}")
    return root + d


_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)


def _overlaps(a):
    """Whether two elements of array a share memory (a stride 0 over a dim of size > 1:
    expand's views; PyTorch checks the same)."""
    strides = a.strides
    if 0 not in strides or a.size == 0:
        return False
    return any(st == 0 and n > 1 for st, n in zip(strides, a.shape))


def _written(t, fn, args):
    """The part of t's array that an in-place fn writes."""
    if fn is ops.SetItem:
        index = args[1]
        if index.__class__ is ops.index.Advanced:
            return None  # index_put_ warns, no more (PyTorch)
        return t.array[index + (Ellipsis,)]
    return t.array


def _inplace(t, fn, *args):
    """Apply `fn` out of place, then write the result into t's storage and bump its version.

    When the graph is recorded the old value becomes the op's input (copied, since the
    storage is about to change) and t takes the op's node as its grad_fn. Writing into a
    view rebases its root, and every live view of the root is derived again (see
    `_register_view` for the invariant).
    """
    written = _written(t, fn, args)
    if written is not None and fn is not ops.Fill and _overlaps(written):
        raise RuntimeError(_OVERLAP)  # fill_ writes one value: no element can disagree
    record = _grad.enabled and (
        t.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in args)
    )
    level = _function._dual_level  # forward mode: t's tangent follows its new value
    view = t._view_of
    name = fn.__name__.lower()
    if record:
        if t.grad_fn is None and t.requires_grad:
            raise RuntimeError(
                f"a leaf Variable that requires grad is being used in an in-place operation "
                f"({name}_ on a tensor of shape {tuple(t.shape)}). "
                "Wrap it in `with no_grad():` or use the out-of-place op."
            )
        if view is not None:
            root = view[0]
            if root.grad_fn is None and root.requires_grad:
                raise RuntimeError(
                    f"a view of a leaf Variable that requires grad is being used in an in-place "
                    f"operation ({name}_ on a view of shape {tuple(t.shape)} of a leaf of shape "
                    f"{tuple(root.shape)}). Wrap it in `with no_grad():` or clone() the leaf."
                )
            if any(step[0] is _ViewDtype for step in view[1]):
                raise RuntimeError(
                    f"in-place {name}_ with gradients recorded on a view(dtype) of a tensor: "
                    "such a view is not differentiable. Use the out-of-place op."
                )
        old = _wrap(t.array.copy(), t._backend)
        old._requires_grad = t._requires_grad
        old.grad_fn = t.grad_fn
        if level is not None:
            level.transfer(t, old)
        out = fn.apply(old, *args)
    elif level is None and (
        (fn._inplace is not None and _direct_ok(fn, t, args)) or fn is ops.SetItem
    ):
        # Nothing recorded: compute straight into t's storage (optimizer steps, no_grad code).
        if fn is ops.SetItem:
            value = args[0]
            if isinstance(value, Tensor) and value._backend is not t._backend:
                raise DeviceError(
                    f"index_put_: the value is on {value.device}, the tensor on {t.device}"
                )
            ops.SetItem.write(t.array, value, args[1])
            _bump(t)
        else:
            _inplace_direct(t, fn, *args)
        return t
    else:
        out = fn.apply(t, *args)
    if out.shape != t.shape:
        raise RuntimeError(
            f"output with shape {tuple(t.shape)} doesn't match the broadcast shape "
            f"{tuple(out.shape)} in {name}_"
        )
    if out.dtype != t.dtype and not dtypes.can_cast(out.dtype, t.dtype):
        raise RuntimeError(
            f"result type {dtypes.torch_name(out.dtype)} can't be cast to the desired output "
            f"type {dtypes.torch_name(t.dtype)} (in {name}_)"
        )
    if record and view is not None:
        new_root = _rebase_root(root, view[1], out)  # reads the root before the write
    if fn is ops.SetItem:
        _write_index(t.array, args[1], out.array)  # only the indexed region changes
    else:
        t.array[...] = out.array
    _bump(t)
    if level is not None:
        level.transfer(out, t)
    if record:
        if view is None:
            root = t
            _take_graph(t, out)
        else:
            _take_graph(root, new_root)
        views = _live_views(root)
        if views:
            _refresh_views(root, views)
    return t


def _bump(t):
    vc = t._vc
    if vc is None:
        vc = t._vc = [0, False]
    vc[0] += 1
    _inplace_epoch[0] += 1


def _take_graph(t, out):
    """t (written in place) now stands for out's value in the graph."""
    prev = t.grad_fn
    t.grad_fn = out.grad_fn
    t._requires_grad = out._requires_grad
    if prev is not None and prev._retain:
        # retain_grad() follows t to its new value (as PyTorch): .grad is d/d(new t).
        prev._retain = False
        t.grad_fn._retain = True
        t.grad_fn._out = prev._out


def _write_index(a, index, values):
    """a[index] = values[index]: the region of a setitem, from the full result."""
    if index.__class__ is ops.index.Advanced:
        if not index.empty:
            region = index.basic + (Ellipsis,)
            a[region][index.adv] = values[region][index.adv]
    else:
        region = index + (Ellipsis,)
        a[region] = values[region]


class _ViewDtype:
    """The step of a view(dtype): a reinterpretation of bits, not differentiable."""

    @staticmethod
    def apply(x, dtype):
        return _view_dtype(x, dtype)


_TORCH_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "uint8": "Byte",
    "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long", "bool": "Bool",
}  # fmt: skip


def _view_dtype(x, dtype):
    """x's bits read as dtype, as Tensor.view(dtype): the same shape for the same itemsize,
    else the last dim scaled by the ratio of itemsizes (PyTorch's errors where it cannot)."""
    a = x.array
    old, new = a.dtype.itemsize, dtypes.as_dtype(dtype).itemsize
    if old != new:
        what = (
            f"to view {_TORCH_NAMES.get(a.dtype.name, a.dtype.name)} as "
            f"{_TORCH_NAMES.get(dtypes.as_dtype(dtype).name, str(dtype))} (different element sizes)"
        )
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        if a.shape[-1] != 1 and a.strides[-1] != old:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {a.strides[-1] // old}")
        if new > old:
            k = new // old
            if a.shape[-1] % k:
                raise RuntimeError(
                    f"self.size(-1) must be divisible by {k} {what}, but got {a.shape[-1]}"
                )
            offset = _storage_offset(a)
            if offset % k:
                raise RuntimeError(
                    f"self.storage_offset() must be divisible by {k} {what}, but got {offset}"
                )
            for d in range(a.ndim - 1):
                if (a.strides[d] // old) % k:
                    raise RuntimeError(
                        f"self.stride({d}) must be divisible by {k} {what}, but got "
                        f"{a.strides[d] // old}"
                    )
        if a.size == 0:
            shape = a.shape[:-1] + (a.shape[-1] * old // new,)
            out = _wrap(x.xp.empty(shape, dtype=dtype), x._backend)
            _register_view(x, out, _ViewDtype, (dtype,))
            return out
    out = _wrap(a.view(dtype), x._backend)  # not differentiable (PyTorch): no graph
    _register_view(x, out, _ViewDtype, (dtype,))
    return out


def _storage_offset(a):
    """a's offset in elements from the start of the array that owns its memory."""
    base = a
    while getattr(base, "base", None) is not None and hasattr(base.base, "dtype"):
        base = base.base
    start = getattr(a, "__array_interface__", None)
    if start is not None:
        return (start["data"][0] - base.__array_interface__["data"][0]) // a.dtype.itemsize
    return (a.data.ptr - base.data.ptr) // a.dtype.itemsize  # cupy


def _check_viewable(a, shape):
    """Raise as PyTorch's view where no strides over a's memory give `shape` (its
    computeStride: each run of dims that is contiguous in memory may only be split or merged
    within itself)."""
    if _view_strides(a.shape, [s // a.dtype.itemsize for s in a.strides], shape) is None:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        )


def _view_strides(old_shape, old_strides, shape):
    """PyTorch's computeStride: the strides of a view of shape `shape`, or None."""
    if not old_shape:
        return [1] * len(shape)
    numel = 1
    for s in old_shape:
        numel *= s
    if numel == 0:
        return [1] * len(shape)  # nothing to address: any shape views
    strides = [0] * len(shape)
    view_d = len(shape) - 1
    chunk_base = old_strides[-1]
    tensor_numel = 1
    view_numel = 1
    for d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[d]
        if d == 0 or (old_shape[d - 1] != 1 and old_strides[d - 1] != tensor_numel * chunk_base):
            while view_d >= 0 and (view_numel < tensor_numel or shape[view_d] == 1):
                strides[view_d] = view_numel * chunk_base
                view_numel *= shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                chunk_base = old_strides[d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return strides


def _direct_ok(fn, t, args):
    """Whether numpy's own `op=` computes what PyTorch's promotion does: copy_, or a float
    tensor beside a tensor of its dtype or a Python number (float16 aside: PyTorch computes
    that in float32). Everything else takes the out-of-place route and a checked cast."""
    if fn is ops.Copy:
        return True
    dt = t.array.dtype
    if dt.kind != "f" or dt == dtypes.float16:
        return False
    other = args[0]
    if other.__class__ is Tensor:
        return other.array.dtype == dt
    return other.__class__ is float or other.__class__ is int


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
        if not t.array.flags.writeable:
            raise RuntimeError(
                f"{fn.__name__.lower()}_: the tensor's memory is read-only (a read-only array "
                "given to from_numpy?); clone() it first"
            ) from None
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
        return (ops.Amax if sign > 0 else ops.Amin).apply(x, dims, keepdim, dim is None)
    d = _dim(dim, x.ndim, kind)
    _nonempty(x, (d,) if x.ndim else None, kind)
    indices = _arg_extremum(x, "arg" + kind, d, True, values=True)
    values = ops.Gather.apply(x, indices.array, d) if x.ndim else x.clone()
    if not keepdim and x.ndim:
        values = values.squeeze(d)
        indices = indices.squeeze(d)
    return _ReturnTypes(_named(values, f"{kind.capitalize()}Backward0"), indices)


def _nonempty(x, dims, op):
    """dims, unless a dim reduced over is empty (PyTorch's IndexError; max, argmax and
    amax have no value there, where sum has 0). Kept dims may be empty."""
    if x.array.size:
        return dims
    if dims is None:
        raise RuntimeError(
            f"{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument."
        )
    for d in dims:
        if x.shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
    return dims


def _arg_extremum(x, name, dim, keepdim, values=False):
    if x.dtype.kind == "b" and not values:
        raise RuntimeError(f"{name}(): does not support bool input")
    xp = x._backend.xp
    if x.array.size == 0:
        if dim is None:
            raise IndexError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        dim = _dim(dim, x.ndim, name)
        _nonempty(x, (dim,), name)
        shape = tuple(1 if d == dim else s for d, s in enumerate(x.shape))
        if not keepdim:
            shape = shape[:dim] + shape[dim + 1 :]
        return _wrap(xp.zeros(shape, dtype="int64"), x._backend)
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
    if isinstance(index, Tensor) and index._backend is not input._backend:
        raise DeviceError(
            f"gather(): expected all tensors on the same device, but argument 2 (index) is on "
            f"{index.device} and argument 0 (input) on {input.device}"
        )
    idx = index.array if isinstance(index, Tensor) else input.xp.asarray(index)
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


class _LazyModule:
    """A module imported on first use (mathops and linalg import this module), which then
    takes this placeholder's global name."""

    def __init__(self, name, alias):
        self._name = name
        self._alias = alias

    def __getattr__(self, attr):
        import importlib

        module = importlib.import_module(self._name)
        globals()[self._alias] = module
        return getattr(module, attr)


_mathops = _LazyModule("autograd.mathops", "_mathops")  # tensor math (helper math)
_linalg = _LazyModule("autograd.linalg", "_linalg")
from autograd.ops._util import promote as _promote  # noqa: E402
