"""Argument checks shared by Tensor's methods: dims, shapes and indices, normalised or
rejected with an error that names the op and the shapes at fault."""

from backends import get_backend

_CPU = get_backend("cpu")


class Size(tuple):
    """A tensor's shape (`x.shape`, `x.size()`), as torch.Size: a tuple of ints, so
    `x.shape == (2, 3)` holds and it unpacks and indexes as one; a slice is a Size again;
    `numel()` is the product."""

    __slots__ = ()

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Size(item) if index.__class__ is slice else item

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self):
        return f"autograd.Size({list(self)})"


def _dim(dim, ndim, op):
    """Wrap a possibly negative dim into range, or raise naming the op."""
    if type(dim) is not int:
        # a numpy integer is an int to PyTorch's parser, a bool is not
        if isinstance(dim, bool) or not hasattr(dim, "__index__"):
            raise TypeError(f"{op}: dim must be an int, got {dim!r}")
        dim = dim.__index__()
    lo = -max(ndim, 1)
    hi = max(ndim, 1) - 1
    if not lo <= dim <= hi:
        raise IndexError(
            f"{op}: Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
        )
    return dim % max(ndim, 1)


def _dims(dim, ndim, op):
    """None | int | tuple -> a sorted tuple of non-negative dims, or None for 'all'."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if not dim:
            return None  # PyTorch reads an empty dim list as "all dims"
        dims = tuple(sorted(_dim(d, ndim, op) for d in dim))
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{op}: dim {tuple(dim)} appears multiple times in the list of dims")
        return dims if ndim > 0 else ()
    dim = _dim(dim, ndim, op)  # checked on 0-d tensors too: only -1 and 0 name their dim
    return (dim,) if ndim > 0 else ()


# The default of a dim that PyTorch requires (softmax, log_softmax, logsumexp): leaving it
# out is PyTorch's TypeError, as is passing None.
class _Required:
    __slots__ = ()

    def __repr__(self):
        return "<required>"


REQUIRED = _Required()


def _required_dim(dim, axis, op, kind="int"):
    """The dim (or numpy's axis) of an op whose dim PyTorch requires; TypeError as PyTorch's
    argument parser raises it when it is missing or None (kind: "int" or "tuple of ints")."""
    if axis is not None:
        if dim is not REQUIRED:
            raise TypeError(f"{op}(): pass either dim or axis, not both")
        dim = axis
    if dim is REQUIRED:
        raise TypeError(f'{op}() missing 1 required positional arguments: "dim"')
    if dim is None:
        raise TypeError(f"{op}(): argument 'dim' must be {kind}, not NoneType")
    return dim


def _correction(unbiased, correction, op):
    """var/std's correction (1, Bessel's, by default), with PyTorch's TypeErrors for an
    argument of the wrong type, or for both unbiased and correction given. A complex
    correction comes back as it is: PyTorch checks the input's dtype before refusing it."""
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}(): pass either unbiased or correction, not both")
    if unbiased is not None:
        if not isinstance(unbiased, bool):
            name = type(unbiased).__name__
            raise TypeError(f"{op}(): argument 'unbiased' must be bool, not {name}")
        return 1 if unbiased else 0
    if correction is None:
        return 1
    if getattr(correction, "ndim", None) == 0 and hasattr(correction, "item"):
        correction = correction.item()  # a 0-d tensor or array
    if isinstance(correction, (int, float, complex)):
        return correction
    if not hasattr(correction, "ndim"):  # numpy numbers
        if hasattr(correction, "__index__"):
            return correction.__index__()
        if hasattr(correction, "__float__"):
            return float(correction)
    name = type(correction).__name__
    raise TypeError(f"{op}(): argument 'correction' must be Number, not {name}")


def _dim_args(dim, keepdim, axis, keepdims):
    """Accept numpy's axis/keepdims beside PyTorch's dim/keepdim."""
    if axis is not None:
        if dim is not None:
            raise TypeError("pass either dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, bool(keepdim)


def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for s in shape:
        if type(s) is not int:
            return _shape_slow(shape)
    return tuple(shape)


def _shape_slow(shape):
    """As PyTorch's parser: numpy integers are ints, a bool is 1 or 0 except first."""
    out = []
    for pos, s in enumerate(shape):
        if isinstance(s, bool) and pos == 0 or not hasattr(s, "__index__"):
            raise TypeError(f"shape must be a sequence of ints, got {shape!r}")
        out.append(s.__index__())
    return tuple(out)


def _infer_shape(shape, size, old_shape, op):
    if -1 in shape:
        if shape.count(-1) > 1:
            raise RuntimeError(f"{op}: only one dimension can be inferred, got shape {shape}")
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        if known == 0 or size % known:
            raise RuntimeError(
                f"{op}: shape {list(shape)} is invalid for input of size {size} "
                f"(shape {tuple(old_shape)})"
            )
        shape = tuple(size // known if s == -1 else s for s in shape)
    total = 1
    for s in shape:
        total *= s
    if total != size or any(s < 0 for s in shape):
        raise RuntimeError(
            f"{op}: shape {list(shape)} is invalid for input of size {size} "
            f"(shape {tuple(old_shape)})"
        )
    return shape


def _check_broadcast_to(shape, target):
    ok = len(target) >= len(shape) and all(
        s == t or s == 1 for s, t in zip(shape[::-1], target[::-1])
    )
    if not ok:
        raise RuntimeError(
            f"broadcast_to: the tensor of shape {tuple(shape)} cannot be expanded to "
            f"{tuple(target)} (a dim must match or be 1)"
        )


# --- numpy's spellings (helper math) ---
def _numpy_names(fn):
    """fn, also taking numpy's `axis=` for `dim=` and `keepdims=` for `keepdim=` (as PyTorch
    does), for functions whose own signature lacks them."""
    import functools
    import inspect

    sig = inspect.signature(fn)
    params = sig.parameters
    has_keep = "keepdim" in params and "keepdims" not in params
    has_dim = "dim" in params and "axis" not in params

    @functools.wraps(fn)
    def wrapper(*args, axis=None, keepdims=None, **kwargs):
        if axis is not None:
            if not has_dim:
                raise TypeError(f"{fn.__name__}() got an unexpected keyword argument 'axis'")
            if "dim" in kwargs:
                raise TypeError(f"{fn.__name__}(): pass either dim or axis, not both")
            kwargs["dim"] = axis
        if keepdims is not None:
            if not has_keep:
                raise TypeError(f"{fn.__name__}() got an unexpected keyword argument 'keepdims'")
            kwargs["keepdim"] = keepdims
        return fn(*args, **kwargs)

    extra = []
    if has_dim:
        extra.append(inspect.Parameter("axis", inspect.Parameter.KEYWORD_ONLY, default=None))
    if has_keep:
        extra.append(inspect.Parameter("keepdims", inspect.Parameter.KEYWORD_ONLY, default=None))
    plist = list(params.values())
    var_kw = [p for p in plist if p.kind is inspect.Parameter.VAR_KEYWORD]
    plist = [p for p in plist if p.kind is not inspect.Parameter.VAR_KEYWORD]
    wrapper.__signature__ = sig.replace(parameters=plist + extra + var_kw)
    return wrapper


def broadcast_sizes(a, b):
    """torch's infer_size: the broadcast of two shapes, or its RuntimeError."""
    out = []
    for i in range(max(len(a), len(b))):
        x = a[len(a) - 1 - i] if i < len(a) else 1
        y = b[len(b) - 1 - i] if i < len(b) else 1
        if x != y and x != 1 and y != 1:
            dim = max(len(a), len(b)) - 1 - i
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {dim}"
            )
        out.append(y if x == 1 else x)
    return tuple(reversed(out))
