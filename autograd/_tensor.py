"""Tensor: an array on a backend, plus what the graph needs (grad, requires_grad, grad_fn).

The class holds state and dispatch only. Operators and the core methods call a primitive of
`autograd.ops` directly; every other method is a function of the module of its kind, listed
in `_METHODS` below (`t.kthvalue(k)` is `autograd.mathops.kthvalue(t, k)`). The in-place
machinery (version counters, views) lives in `autograd.inplace`.
"""

import importlib

from autograd._lazy import LazyModule
from autograd.args import Size, _dim_args, _dims, _numpy_names, _shape_args
from backends import dtypes, get_backend
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


class _In:
    """A Tensor method that is function `function` of `module` (which imports this one, so it
    is imported on first use): `t.name(...)` calls `module.function(t, ...)`. The first lookup
    puts that function itself on Tensor, so later calls cost nothing extra and
    `inspect.signature` reads the function's own."""

    def __init__(self, module, name, function):
        self.module = module
        self.name = name
        self.function = function

    def __get__(self, obj, owner=None):
        fn = getattr(importlib.import_module(self.module), self.function)
        setattr(Tensor, self.name, fn)
        return fn if obj is None else fn.__get__(obj, owner)


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

    # ------------------------------------------------------------------ state
    data = property(
        lambda self: _wrap(self.array, self._backend),
        lambda self, value: _protocols.set_data(self, value),
        doc="""As in PyTorch: a detached Tensor sharing this one's storage. In-place changes made
        through it are not recorded and leave this tensor's version counter where it was.""",
    )

    @property
    def grad(self):
        """The accumulated gradient (a Tensor of this tensor's shape, dtype, device) or None."""
        return self._grad

    @grad.setter
    def grad(self, value):
        # Validated as PyTorch does, so that optimizers never meet a gradient that would
        # broadcast or change dtype; the engine writes `_grad` itself, skipping these checks.
        if value is not None:
            _protocols.check_grad(self, value)
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    requires_grad = property(
        lambda self: self._requires_grad,
        lambda self, value: _protocols.set_requires_grad(self, value),
    )
    shape = property(lambda self: Size(self.array.shape))
    ndim = property(lambda self: self.array.ndim)
    dtype = property(lambda self: self.array.dtype)
    device = property(lambda self: self._backend.device)
    backend = property(lambda self: self._backend)
    xp = property(lambda self: self._backend.xp, doc="The array module (numpy or cupy).")
    is_leaf = property(lambda self: self.grad_fn is None)
    _version = property(lambda self: 0 if self._vc is None else self._vc[0])
    T = property(lambda self: self.permute(*range(self.ndim - 1, -1, -1)))
    mT = property(lambda self: ops.shape.mT(self))
    itemsize = property(lambda self: self.array.dtype.itemsize)
    nbytes = property(lambda self: self.array.nbytes)
    is_cuda = property(lambda self: self._backend.device.type == "cuda")
    is_cpu = property(lambda self: self._backend.device.type == "cpu")
    is_mps = False
    is_meta = False
    retains_grad = property(lambda self: self.grad_fn is not None and self.grad_fn._retain)

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
        t._vc = _ip.shared_vc(self)
        return t

    def detach_(self):
        self.grad_fn = None
        self._requires_grad = False
        return self

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's .grad (gradient: 1 for a scalar)."""
        _engine.backward(
            (self,),
            None if gradient is None else (gradient,),
            retain_graph,
            create_graph,
            inputs=inputs,
        )

    def clone(self):
        return ops.Clone.apply(self)

    def contiguous(self, memory_format=None):
        """self when its elements lie in row-major order, else a row-major copy (recorded)."""
        return self if self.array.flags.c_contiguous else ops.Clone.apply(self)

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other):
        return ops.Add._binary(self, other)

    def __radd__(self, other):
        return ops.Add._binary(other, self)

    def __sub__(self, other):
        return ops.Sub._binary(self, other)

    def __rsub__(self, other):
        return _named(ops.Sub._binary(other, self), "RsubBackward1")

    def __mul__(self, other):
        return ops.Mul._binary(self, other)

    def __rmul__(self, other):
        return ops.Mul._binary(other, self)

    def __truediv__(self, other):
        return ops.Div._binary(self, other)

    def __rtruediv__(self, other):
        if other.__class__ is float or other.__class__ is int:
            # PyTorch's number / tensor is tensor.reciprocal() * number (its rounding too)
            return ops.Mul._binary(ops.Reciprocal.apply(self), other)
        return ops.Div._binary(other, self)

    def __pow__(self, other):
        return ops.Pow.apply(self, other)

    def __rpow__(self, other):
        return ops.Pow.apply(other, self)

    def __matmul__(self, other):
        return ops.linalg.matmul(self, _as_tensor(other, self))

    def __rmatmul__(self, other):
        return ops.linalg.matmul(_as_tensor(other, self), self)

    def __neg__(self):
        return ops.Neg._unary(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.Abs.apply(self)

    def __rmod__(self, other):
        return _mathops.remainder(other, self)

    def add(self, other, alpha=1):
        return self + ops.elementwise.scaled(other, alpha, self)

    def sub(self, other, alpha=1):
        return self - ops.elementwise.sub_term(other, alpha, self)

    def mul(self, other):
        return self * other

    def pow(self, exponent):
        return self**exponent

    def matmul(self, other):
        return self @ other

    def neg(self):
        return -self

    # comparisons (and bits, in _METHODS): no gradient flows through them
    def __eq__(self, other):
        return _mathops.compare(self, other, "equal")

    def __ne__(self, other):
        return _mathops.compare(self, other, "not_equal")

    def __lt__(self, other):
        return _mathops.compare(self, other, "less")

    def __le__(self, other):
        return _mathops.compare(self, other, "less_equal")

    def __gt__(self, other):
        return _mathops.compare(self, other, "greater")

    def __ge__(self, other):
        return _mathops.compare(self, other, "greater_equal")

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__
    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    # ------------------------------------------------------------------ in place
    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def add_(self, other, alpha=1):
        ops.elementwise.check_cast(self, other, "add")  # before alpha's checks, as PyTorch
        return _ip.inplace(self, ops.Add, ops.elementwise.scaled(other, alpha, self))

    def sub_(self, other, alpha=1):
        term = ops.elementwise.sub_term(other, alpha, self, inplace=True)
        return _ip.inplace(self, ops.Sub, term)

    def mul_(self, other):
        return _ip.inplace(self, ops.Mul, other)

    def div_(self, other):
        return _ip.inplace(self, ops.Div, other)

    def pow_(self, exponent):
        return _ip.inplace(self, ops.Pow, exponent)

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        return _ip.inplace(self, ops.Fill, value)

    def __setitem__(self, index, value):
        ops.index.setitem(self, index, value)

    # ------------------------------------------------------------------ elementwise
    def exp(self):
        return ops.Exp._unary(self)

    def log(self):
        return ops.Log._unary(self)

    def sqrt(self):
        return ops.Sqrt._unary(self)

    def sin(self):
        return ops.Sin._unary(self)

    def cos(self):
        return ops.Cos._unary(self)

    def tanh(self):
        return ops.Tanh._unary(self)

    def sigmoid(self):
        return ops.Sigmoid._unary(self)

    def relu(self):
        return ops.Relu._unary(self)

    def abs(self):
        return ops.Abs.apply(self)

    def sign(self):
        return ops.Sign.apply(self)

    def maximum(self, other):
        return ops.Maximum.apply(self, _as_tensor(other, self))

    def minimum(self, other):
        return ops.Minimum.apply(self, _as_tensor(other, self))

    def where(self, condition, other):
        return ops.elementwise.where(condition, self, other)

    def square(self):
        return self**2  # pow, as PyTorch: bool squares to int64

    def reciprocal(self):
        return ops.Reciprocal.apply(self)

    def log1p(self):
        return ops.Log1p.apply(self)

    def expm1(self):
        return ops.Expm1.apply(self)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        dim, keepdim = _dim_args(dim, keepdim, axis, keepdims)
        x = ops.reduce.reduce_input(self, dtype)
        if x.dtype.kind in "bu" or x.dtype.kind == "i" and x.dtype.itemsize < 8:
            x = x.to(dtypes.int64)  # as PyTorch: integer sums accumulate in int64
        out = ops.Sum.apply(x, _dims(dim, self.ndim, "sum"), keepdim)
        # sum(dtype=uint8) wraps, sum(dtype=bool) is any(): the int64 sum cast, as PyTorch
        return out if dtype is None or out.dtype == dtype else out.to(dtype)

    # ------------------------------------------------------------------ shape and indexing
    def __getitem__(self, index):
        return ops.GetItem.apply(self, index)

    def view_as(self, other):
        return self.view(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def expand_as(self, other):
        return self.broadcast_to(other.shape)

    def gather(self, dim, index):
        return ops.index.gather(self, dim, index)

    gather = _numpy_names(gather)

    def flip(self, *dims):
        return _mathops.flip(self, dims[0] if len(dims) == 1 else dims)

    def tile(self, *dims):
        return _mathops.tile(self, _shape_args(dims))

    def random_(self, *args, generator=None, **kw):
        """random_(), random_(to), random_(from, to): integers drawn into this tensor."""
        return _random.random_(self, *args, generator=generator, **kw)


# Tensor's methods that are functions of the module of their kind, which imports this one: a
# method is looked up there on first use (`_In`). "alias=function" names a method after
# another function of that module.
_METHODS = {
    "autograd.ops.shape": """reshape view flatten unflatten transpose swapaxes=transpose
        swapdims=transpose t permute squeeze unsqueeze expand broadcast_to unbind select split
        chunk tensor_split repeat""",
    "autograd.ops.reduce": """mean var std prod max min amax amin argmax argmin logsumexp
        softmax log_softmax""",
    "autograd.protocols": """size dim=ndimension ndimension numel nelement=numel element_size
        is_floating_point is_complex is_signed get_device is_contiguous stride data_ptr
        storage_offset __len__=length item numpy __array__=array tolist __float__=as_float
        __int__=as_int __bool__=as_bool __iter__=iterate __repr__=text __format__=formatted
        __index__=as_index __contains__=contains __dlpack__=dlpack __dlpack_device__=dlpack_device
        __deepcopy__=deepcopy cpu cuda float=to_float32 double=to_float64 half=to_float16
        long=to_int64 int=to_int32 bool=to_bool type_as""",
    "autograd.ops.elementwise": "clamp clip=clamp clamp_ to type=tensor_type",
    "autograd.inplace": "copy_ _accumulate=accumulate",
    "autograd.hooks": "retain_grad register_hook register_post_accumulate_grad_hook",
    "autograd.creation": "new_tensor new_zeros new_ones new_empty new_full",
    "autograd.random": """normal_ uniform_ bernoulli_ exponential_ geometric_
        log_normal_ cauchy_ bernoulli multinomial""",
    "autograd.linalg": "norm=tensor_norm",
    "autograd.extra_ops": "take_along_dim det",
    "autograd.mathops": """div floor_divide __floordiv__=floor_divide __rfloordiv__=rfloor_divide
        rsqrt log10 log2 exp2 tan sinh cosh asin acos atan asinh acosh atanh
        arcsin=asin arccos=acos arctan=atan arcsinh=asinh arccosh=acosh arctanh=atanh erf erfc
        erfinv floor ceil trunc fix=trunc round frac fmod remainder atan2 arctan2=atan2 lerp
        logaddexp logaddexp2 hypot xlogy clamp_min clamp_max nan_to_num
        floor_ ceil_ trunc_ round_ fmod_ remainder_ lerp_ clamp_min_ clamp_max_ nan_to_num_
        masked_fill masked_fill_ scatter_ scatter_add_ index_add_ index_fill_ index_copy_ tril_
        triu_ isnan isinf isfinite isposinf isneginf logical_and logical_or logical_xor
        logical_not all any isclose allclose equal sort argsort msort topk kthvalue median mode
        cumsum cumprod diff bincount histc histogram unique unique_consecutive index_select
        masked_select take scatter scatter_add index_add index_fill index_copy roll fliplr
        flipud repeat_interleave tril triu outer ger=outer diag diagonal=diagonal_ trace kron
        cross narrow movedim moveaxis=movedim mm bmm mv dot inner=dot addmm baddbmm nonzero unfold
        argwhere bitwise_and bitwise_or bitwise_xor bitwise_not __and__=bitwise_and
        __rand__=bitwise_and __or__=bitwise_or __ror__=bitwise_or __xor__=bitwise_xor
        __rxor__=bitwise_xor __invert__=invert __mod__=remainder __imod__=remainder_ exp_ log_
        sqrt_ sigmoid_ tanh_ relu_ abs_ absolute_ neg_ negative_ sin_ cos_ tan_ asin_ acos_ atan_
        arcsin_ arccos_ arctan_ sinh_ cosh_ asinh_ acosh_ atanh_ arcsinh_ arccosh_ arctanh_ log2_
        log10_ log1p_ expm1_ exp2_ rsqrt_ reciprocal_ square_ sign_ erf_ erfc_ erfinv_ frac_ fix_
        atan2_ arctan2_ hypot_ xlogy_ true_divide_ divide_ multiply_ subtract_ clip_ cumsum_
        cumprod_ logical_and_ logical_or_ logical_xor_ logical_not_ bitwise_and_ bitwise_or_
        bitwise_xor_ bitwise_not_ eq_ ne_ lt_ le_ gt_ ge_ greater_ greater_equal_ less_
        less_equal_ not_equal_""",
}
for _module, _names in _METHODS.items():
    for _name in _names.split():
        _name, _, _function = _name.partition("=")
        setattr(Tensor, _name, _In(_module, _name, _function or _name))


# --------------------------------------------------------------------------- helpers
_new = object.__new__


def _named(out, name):
    """out, its grad_fn shown under PyTorch's name for the op the user called when that op
    is a composite here (mean() ends in a division: its node reads "MeanBackward0")."""
    node = out.grad_fn
    if node is not None and node.__class__ is not type(out):
        node._torch_name = name
    return out


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


def tensor(data, requires_grad=False, dtype=None, device=None):
    """Build a tensor from data (copied), as `torch.tensor`."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


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


# The modules Tensor's methods call, which import Tensor themselves: each is imported on the
# first read of one of its names (autograd._lazy), then read as a plain global.
ops = LazyModule("autograd.ops", globals(), "ops")  # the primitives
_engine = LazyModule("autograd.engine", globals(), "_engine")
_mathops = LazyModule("autograd.mathops", globals(), "_mathops")  # tensor math (helper math)
_ip = LazyModule("autograd.inplace", globals(), "_ip")  # views, versions, in-place writes
_random = LazyModule("autograd.random", globals(), "_random")
_protocols = LazyModule("autograd.protocols", globals(), "_protocols")  # attribute checks
