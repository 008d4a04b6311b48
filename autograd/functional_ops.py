"""The ops as free functions, as PyTorch spells them (`autograd.exp(x)`, `autograd.cat(...)`)."""

import functools
import warnings

from autograd._tensor import Tensor, _as_tensor
from autograd.args import broadcast_sizes
from autograd.grad_mode import is_grad_enabled, no_grad
from autograd.ops import composite
from backends import dtypes

__all__ = [
    "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "sign", "clamp",
    "clip", "maximum", "minimum", "sum", "mean", "max", "min", "amax", "amin", "var", "std",
    "prod", "logsumexp", "argmax", "argmin", "softmax", "log_softmax", "reshape", "transpose",
    "permute", "flatten", "squeeze", "unsqueeze", "broadcast_to", "cat", "concat", "stack",
    "split", "chunk", "pad", "matmul", "mm", "bmm", "add", "sub", "mul", "div", "pow", "neg",
    "square", "clone", "detach", "numel", "unbind", "broadcast_tensors", "subtract",
    "multiply", "divide", "true_divide", "negative", "absolute", "positive", "floor_divide",
]  # fmt: skip


def _method(name):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = name
    fn.__doc__ = f"`{name}(input, ...)`, the same as `input.{name}(...)`."
    return fn


exp = _method("exp")
log = _method("log")
sqrt = _method("sqrt")
sin = _method("sin")
cos = _method("cos")
tanh = _method("tanh")
sigmoid = _method("sigmoid")
relu = _method("relu")
abs = _method("abs")
sign = _method("sign")
clamp = _method("clamp")
clip = _method("clip")
sum = _method("sum")
mean = _method("mean")
max = _method("max")
min = _method("min")
amax = _method("amax")
amin = _method("amin")
var = _method("var")
std = _method("std")
prod = _method("prod")
logsumexp = _method("logsumexp")
argmax = _method("argmax")
argmin = _method("argmin")
softmax = _method("softmax")
log_softmax = _method("log_softmax")
reshape = _method("reshape")
transpose = _method("transpose")
permute = _method("permute")
flatten = _method("flatten")
squeeze = _method("squeeze")
unsqueeze = _method("unsqueeze")
broadcast_to = _method("broadcast_to")
split = _method("split")
chunk = _method("chunk")
matmul = _method("matmul")
add = _method("add")
sub = _method("sub")
mul = _method("mul")
div = _method("div")
pow = _method("pow")
neg = _method("neg")
square = _method("square")
clone = _method("clone")
detach = _method("detach")
numel = _method("numel")
unbind = _method("unbind")

mm = bmm = matmul
subtract, multiply, negative = sub, mul, neg  # PyTorch's aliases
divide = div


def true_divide(input, other):
    """input / other, as torch.true_divide."""
    return input / other


floor_divide = _method("floor_divide")
absolute = _method("abs")


def positive(input):
    """input itself, as torch.positive (bool raises)."""
    if input.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def maximum(input, other):
    """Elementwise max; ties split the gradient in half, as PyTorch."""
    if not isinstance(input, Tensor):
        input = _as_tensor(input, other)
    return input.maximum(other)


def minimum(input, other):
    if not isinstance(input, Tensor):
        input = _as_tensor(input, other)
    return input.minimum(other)


def cat(tensors, dim=0, *, axis=None):
    return composite.cat(tensors, dim if axis is None else axis)


concat = cat


def stack(tensors, dim=0, *, axis=None):
    from autograd._tensor import _named

    return _named(composite.stack(tensors, dim if axis is None else axis), "StackBackward0")


def pad(input, pad, mode="constant", value=0.0):
    """Pad the last dims: pad = (left, right, top, bottom, ...), as torch.nn.functional.pad."""
    return composite.pad(input, tuple(pad), mode, value)


def broadcast_tensors(*tensors):
    shape = ()
    for t in tensors:
        shape = broadcast_sizes(shape, tuple(t.shape))
    return tuple(t.broadcast_to(shape) for t in tensors)


# --- tensor math (helper math): autograd.mathops and autograd.linalg as torch.X ---
from autograd import linalg as _linalg  # noqa: E402
from autograd import mathops as _mathops  # noqa: E402

_MATH = [
    "log10", "log2", "exp2", "tan", "sinh", "cosh", "asin", "acos", "atan", "asinh", "acosh",
    "atanh", "erf", "erfc", "erfinv", "floor", "ceil", "trunc", "round", "frac", "fmod",
    "remainder", "atan2", "lerp", "logaddexp", "logaddexp2", "hypot", "xlogy", "clamp_min",
    "clamp_max", "nan_to_num", "isnan", "isinf", "isfinite", "isposinf", "isneginf",
    "logical_and", "logical_or", "logical_xor", "logical_not", "all", "any", "isclose",
    "allclose", "equal", "sort", "argsort", "msort", "topk", "kthvalue", "median", "mode",
    "cumsum", "cumprod", "diff", "bincount", "histc", "histogram", "unique",
    "unique_consecutive", "masked_fill", "index_select", "masked_select", "take", "scatter",
    "scatter_add", "index_add", "index_fill", "index_copy", "roll", "flip", "fliplr", "flipud",
    "repeat_interleave", "tile", "tril", "triu", "outer", "ger", "einsum", "diag", "trace",
    "kron", "cross", "narrow", "movedim", "moveaxis", "meshgrid", "cartesian_prod", "mv", "dot",
    "addmm", "baddbmm", "addmv", "mm", "bmm",
]  # fmt: skip
for _name in _MATH:
    globals()[_name] = getattr(_mathops, _name)
diagonal = _mathops.diagonal_
arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2  # noqa: F821
arcsinh, arccosh, arctanh, fix = asinh, acosh, atanh, trunc  # noqa: F821
inner = dot  # noqa: F821
eq = _method("eq")
ne = _method("ne")
lt = _method("lt")
le = _method("le")
gt = _method("gt")
ge = _method("ge")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
swapaxes = swapdims = _method("transpose")
repeat = _method("repeat")
clamp_ = _method("clamp_")


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None, *, axis=None,
         keepdims=None):  # fmt: skip
    """torch.norm: the vector p-norm over dim ('fro': 2), as Tensor.norm."""
    args = (input, p, dim, keepdim, dtype)
    if out is not None:
        return _write_out(
            "norm", out, _linalg.tensor_norm, args, {"axis": axis, "keepdims": keepdims}
        )
    return _linalg.tensor_norm(*args, axis=axis, keepdims=keepdims)


__all__ += _MATH + [
    "diagonal", "arcsin", "arccos", "arctan", "arctan2", "arcsinh", "arccosh", "arctanh",
    "fix", "inner", "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less",
    "less_equal", "not_equal", "swapaxes", "swapdims", "norm",
]  # fmt: skip

# --- learner names (lead) ---
log1p = _method("log1p")
expm1 = _method("expm1")
rsqrt = _method("rsqrt")
reciprocal = _method("reciprocal")
nonzero = _method("nonzero")
argwhere = _method("argwhere")
select = _method("select")
bitwise_and = _method("bitwise_and")
bitwise_or = _method("bitwise_or")
bitwise_xor = _method("bitwise_xor")
bitwise_not = _method("bitwise_not")
__all__ += [
    "log1p", "expm1", "rsqrt", "reciprocal", "nonzero", "argwhere", "select", "bitwise_and",
    "bitwise_or", "bitwise_xor", "bitwise_not",
]  # fmt: skip


# --- out=: the free functions that take PyTorch's out= argument ---
def _write_out(name, out, fn, args, kwargs):
    """fn(*args, **kwargs) written into `out` (a tensor, or a tuple of tensors for an op with
    several results), as PyTorch's out= argument: cast to out's dtype where PyTorch allows
    the cast, resized (with PyTorch's warning unless out is empty) where its shape differs,
    otherwise written in place (a version bump, seen by out's views); returns out. Refused
    while grad mode is on and an argument or out requires grad, as PyTorch refuses it."""
    outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if is_grad_enabled() and _any_requires_grad((*args, *kwargs.values(), *outs)):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    if name in _OUT_DTYPE and len(outs) == 1 and "dtype" not in kwargs:
        kwargs = {**kwargs, "dtype": outs[0].dtype}  # PyTorch computes in out's dtype
    with no_grad():
        result = fn(*args, **kwargs)
    results = tuple(result) if isinstance(result, tuple) else (result,)
    if len(results) == 1 and isinstance(out, (tuple, list)):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if len(results) != len(outs):
        raise TypeError(f"{name}(): expected out to hold {len(results)} tensors, got {len(outs)}")
    for o, r in zip(outs, results):
        _check_out(name, o, r, name in _SAME_DTYPE)
    for o, r in zip(outs, results):
        _write_one(o, r)
    return out if len(outs) == 1 and not isinstance(out, (tuple, list)) else tuple(outs)


def _any_requires_grad(values):
    for v in values:
        if isinstance(v, (tuple, list)):
            if _any_requires_grad(v):
                return True
        elif isinstance(v, Tensor) and v.requires_grad:
            return True
    return False


def _check_out(name, o, r, same_dtype):
    if o.device != r.device:
        raise RuntimeError(
            f"{name}(): Expected out tensor to have device {r.device}, but got {o.device} instead"
        )
    if same_dtype and o.dtype != r.dtype:
        raise RuntimeError(
            f"{name}(): Expected out tensor to have dtype {r.dtype}, but got {o.dtype} instead"
        )
    if not dtypes.can_cast(r.dtype, o.dtype):
        if name in ("cat", "concat", "stack"):  # PyTorch's cat says it with a TypeError
            raise TypeError(
                f"torch.cat(): input types can't be cast to the desired output type "
                f"{dtypes.torch_name(o.dtype)}"
            )
        raise RuntimeError(
            f"result type {dtypes.torch_name(r.dtype)} can't be cast to the desired output "
            f"type {dtypes.torch_name(o.dtype)}"
        )
    if o.shape != r.shape and o._view_of is not None:
        raise RuntimeError(
            f"{name}(): out is a view of another tensor and cannot be resized from "
            f"{list(o.shape)} to {list(r.shape)}"
        )


def _write_one(o, r):
    if o.shape == r.shape:
        o.copy_(r)  # in place: a version bump, seen by out's views
        return
    if o.numel():
        warnings.warn(
            f"An output with one or more elements was resized since it had shape "
            f"{list(o.shape)}, which does not match the required output shape {list(r.shape)}. "
            "This behavior is deprecated, and in a future PyTorch release outputs will not be "
            "resized unless they have zero elements. You can explicitly reuse an out tensor t "
            "by resizing it, inplace, to zero elements with t.resize_(0).",
            UserWarning,
            stacklevel=4,
        )
    o.array = r.array.astype(o.dtype)  # new storage of the new shape (a copy: r keeps its own)
    _inplace.bump(o)


def _taking_out(fn, name):
    @functools.wraps(fn)
    def wrapper(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        return _write_out(name, out, fn, args, kwargs)

    return wrapper


from autograd import inplace as _inplace  # noqa: E402

# the names whose PyTorch function takes out= (torch.norm handles it in its signature)
_OUT = """exp log sqrt sin cos tanh sigmoid abs absolute sign clamp clip maximum minimum sum
    mean prod max min amax amin var std logsumexp argmax argmin cat concat stack matmul mm bmm
    add sub mul div pow neg square subtract multiply divide true_divide negative floor_divide
    log10 log2 exp2 tan sinh cosh asin acos atan asinh acosh atanh arcsin arccos arctan arcsinh
    arccosh arctanh erf erfc erfinv floor ceil trunc fix round frac fmod remainder atan2 arctan2
    lerp logaddexp logaddexp2 hypot xlogy nan_to_num isposinf isneginf logical_and logical_or
    logical_xor logical_not all any sort msort topk kthvalue mode median cumsum cumprod diff
    histc index_select masked_select take tril triu outer ger diag kron cross mv dot inner addmm
    baddbmm addmv eq ne lt le gt ge greater greater_equal less less_equal not_equal log1p expm1
    rsqrt reciprocal nonzero bitwise_and bitwise_or bitwise_xor bitwise_not""".split()
# PyTorch's kernels of these take out's dtype as the result's (the others cast into it)
_OUT_DTYPE = {"sum", "prod", "cumsum", "cumprod", "mean"}
# and these refuse an out of another dtype than the result's
_SAME_DTYPE = set(
    """matmul mm bmm dot inner mv addmm baddbmm addmv cross diag tril triu index_select
    masked_select take amax amin max min sort msort topk kthvalue mode median clamp clip round
    nan_to_num argmax argmin nonzero all any isposinf isneginf norm abs absolute sign neg
    negative floor ceil trunc fix frac histc""".split()
)
for _name in _OUT:
    globals()[_name] = _taking_out(globals()[_name], _name)
