"""Hypothesis strategies and a helper to property-test the gradients of your own functions.

    from hypothesis import given
    from autograd.testing import assert_gradients, tensors

    @given(tensors(shape=(2, 3)), tensors(shape=(3,), positive=True))
    def test_my_fn(x, w):
        assert_gradients(lambda x, w: (x * w.log()).tanh().sum(dim=-1), x, w)

`tensors` draws float64 tensors that require grad (what `gradcheck` needs); `shapes`,
`broadcastable_shapes` and `valid_dims` draw the shapes and `dim=` arguments to feed them.
Keep shapes small: `gradcheck` builds the full Jacobian, one backward pass per output
element and two forward passes per input element.

The strategies need `hypothesis` (`pip install hypothesis`); the rest of `autograd` does not.

`assert_close(actual, expected)` is torch.testing.assert_close: the same default
tolerances per dtype, the same pairing of numbers, sequences and mappings, and the same
AssertionError text.
"""

import cmath
import collections.abc
import contextlib
import math
import numbers

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError:  # assert_close needs no hypothesis; the strategies below do
    st = hnp = None

from autograd._tensor import Tensor, get_default_dtype
from autograd.finite_differences import gradcheck, gradgradcheck
from backends import dtypes
from backends.dtypes import promote_types

__all__ = [
    "assert_close",
    "shapes",
    "tensors",
    "broadcastable_shapes",
    "valid_dims",
    "assert_gradients",
    "GRID",
    "POSITIVE_MIN",
]

# `avoid_kinks` / `distinct` elements lie on the midpoints of a grid of step 1/GRID:
# (k + 1/2) / GRID. They are never 0 and never a multiple of 1/GRID (so never equal to
# bounds such as 0, +-0.5, +-1, 2.25, ...), and two distinct ones differ by >= 1/GRID,
# far more than gradcheck's eps: finite differences never straddle a kink or a tie.
GRID = 64
# `positive=True` keeps elements at or above this, where log, sqrt and x ** y are smooth
# with derivatives of moderate size.
POSITIVE_MIN = 0.25


def shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    """Array shapes: tuples of `min_dims..max_dims` sides in `min_side..max_side`.

    `min_dims=0` (the default) includes 0-d tensors; `min_side=0` includes empty dims.
    """
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=4):
    """Tuples of `num_shapes` shapes that broadcast together, as PyTorch and numpy do.

    Ranks differ and sides of 1 stretch: e.g. ((4, 1, 3), (2, 1), ()).
    """
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes,
        min_dims=min_dims,
        max_dims=max_dims,
        min_side=min_side,
        max_side=max_side,
    ).map(lambda result: tuple(result.input_shapes))


def _elements(dtype, min_value, max_value, positive, avoid_kinks, distinct):
    if positive:
        min_value = max(min_value, POSITIVE_MIN)
    if min_value > max_value:
        raise ValueError(f"tensors: empty range [{min_value}, {max_value}]")
    if dtype.kind != "f":
        return st.integers(math.ceil(min_value), math.floor(max_value))
    if avoid_kinks or distinct:
        lo = math.ceil(min_value * GRID - 0.5)
        hi = math.floor(max_value * GRID - 0.5)
        return st.integers(lo, hi).map(lambda k: (k + 0.5) / GRID)
    return st.floats(
        min_value,
        max_value,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
        width=8 * dtype.itemsize,
    )


def tensors(
    shape=None,
    dtype="float64",
    min_value=-3.0,
    max_value=3.0,
    requires_grad=True,
    positive=False,
    elements=None,
    avoid_kinks=False,
    distinct=False,
):
    """`autograd.Tensor`s drawn by hypothesis.

    shape: None (any of `shapes()`), a fixed shape, or a strategy of shapes.
    dtype: any dtype `Tensor` accepts; requires_grad applies to floating dtypes only.
    min_value, max_value: the range of the elements.
    positive: elements >= POSITIVE_MIN (0.25), for log, sqrt and the base of pow.
    avoid_kinks: elements on the (k + 1/2) / GRID grid, away from 0 and from simple bounds,
        for functions with kinks there (relu, abs, clamp).
    distinct: as avoid_kinks, and no two elements equal, for functions that pick among
        elements (max, min, argmax): no ties, so finite differences stay valid.
    elements: a strategy of Python numbers that replaces all of the above.
    """
    dtype = dtypes.as_dtype(dtype)
    if elements is None:
        elements = _elements(dtype, min_value, max_value, positive, avoid_kinks, distinct)
    if shape is None:
        shape = shapes()
    arrays = hnp.arrays(dtype, shape, elements=elements, unique=distinct)
    grad = requires_grad and dtype.kind == "f"
    return arrays.map(lambda array: Tensor(array, requires_grad=grad))


def _draw_dim_tuples(draw, ndim):
    n = max(ndim, 1)
    picked = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    negate = draw(st.lists(st.booleans(), min_size=len(picked), max_size=len(picked)))
    return tuple(d - n if neg else d for d, neg in zip(picked, negate, strict=True))


def valid_dims(ndim, allow_none=True, allow_tuple=True):
    """`dim=` arguments valid for a tensor of `ndim` dims, as PyTorch accepts them.

    None (all dims), an int in [-ndim, ndim) (for a 0-d tensor: 0 or -1), or a non-empty
    tuple of distinct dims in any order, each possibly negative.
    """
    n = max(ndim, 1)
    options = [st.integers(-n, n - 1)]
    if allow_none:
        options.insert(0, st.none())
    if allow_tuple:
        options.append(st.composite(_draw_dim_tuples)(ndim))
    return st.one_of(options)


def assert_gradients(fn, *inputs, second_order=True, **tol):
    """Check fn's first (and, by default, second) derivatives by finite differences.

    `inputs` are float64 tensors; those with requires_grad are differentiated. `tol` goes
    to `gradcheck`/`gradgradcheck`: eps, atol, rtol. Raises `GradcheckError` naming the
    input, element, analytic and numerical values on a mismatch.
    """
    gradcheck(fn, inputs, **tol)
    if second_order:
        gradgradcheck(fn, inputs, **tol)
    return True


# --- assert_close: torch.testing.assert_close ---

# dtype name -> (rtol, atol), torch's defaults; other dtypes (integers, bool) compare exactly
_DTYPE_PRECISIONS = {"float16": (1e-3, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}
_NUMBER_DTYPES = {int: "int64", float: "float64", complex: "complex128"}


class _Failure(Exception):
    """A comparison failed: the exception type to raise, its message and the item's path."""

    def __init__(self, type, msg, id=()):
        super().__init__(msg)
        self.type, self.msg, self.id = type, msg, id

    def to_error(self, msg=None):
        if not isinstance(msg, str):
            generated = self.msg
            if self.id:
                generated += (
                    f"\n\nThe failure occurred for item {''.join(str([i]) for i in self.id)}"
                )
            msg = msg(generated) if callable(msg) else generated
        return self.type(msg)


class _Unsupported(Exception):
    pass


def _tolerances(dtype_names, rtol, atol, id):
    if (rtol is None) ^ (atol is None):
        raise _Failure(
            ValueError,
            "Both 'rtol' and 'atol' must be either specified or omitted, "
            f"but got no {'rtol' if rtol is None else 'atol'}.",
            id,
        )
    if rtol is not None:
        return rtol, atol
    rtols, atols = zip(*(_DTYPE_PRECISIONS.get(str(d), (0.0, 0.0)) for d in dtype_names))
    return max(rtols), max(atols)


def _mismatch_msg(identifier, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol):
    equality = rtol == 0 and atol == 0

    def diff_msg(kind, diff, idx, tol):
        if idx is None:
            line = f"{kind.title()} difference: {diff}"
        else:
            line = f"Greatest {kind} difference: {diff} at index {idx}"
        if not equality:
            line += f" (up to {tol} allowed)"
        return line + "\n"

    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += f"{extra.strip()}\n"
    msg += diff_msg("absolute", abs_diff, abs_idx, atol)
    msg += diff_msg("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_msg(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    extra = f"Expected {expected} but got {actual}."
    return _mismatch_msg("Scalars", extra, abs_diff, None, atol, rel_diff, None, rtol)


def _is_bool(x):
    return isinstance(x, bool) or (
        type(x).__module__ == "numpy" and type(x).__name__ in ("bool", "bool_")
    )


def _is_number(x):
    return isinstance(x, (int, float, complex)) or (
        type(x).__module__ == "numpy" and isinstance(x, numbers.Number)
    )


def _compare_numbers(actual, expected, id, rtol, atol, equal_nan, check_dtype):
    if check_dtype and type(actual) is not type(expected):
        raise _Failure(
            AssertionError,
            f"The (d)types do not match: {type(actual)} != {type(expected)}.",
            id,
        )
    if actual == expected:
        return
    if equal_nan and cmath.isnan(actual) and cmath.isnan(expected):
        return
    abs_diff = abs(actual - expected)
    if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
        return
    raise _Failure(AssertionError, _scalar_msg(actual, expected, rtol, atol), id)


def _as_tensor(x):
    if isinstance(x, Tensor):
        return x
    from autograd.creation import as_tensor

    try:
        return as_tensor(x)
    except Exception:
        raise _Unsupported from None


def _isclose(xp, a, b, rtol, atol, equal_nan):
    """torch.isclose on arrays: a == b, or |a - b| <= atol + rtol |b| (finite), in a's dtype."""
    close = a == b
    if equal_nan and a.dtype.kind in "fc":
        close = close | (xp.isnan(a) & xp.isnan(b))
    if rtol == 0 and atol == 0:
        return close
    if a.dtype.kind not in "fc":
        a, b = a.astype("float64"), b.astype("float64")
    with xp.errstate(invalid="ignore", over="ignore"):
        error = xp.abs(a - b)
        allowed = xp.asarray(atol, dtype=a.dtype) + xp.abs(rtol * b)
        return close | (xp.isfinite(error) & (error <= allowed))


def _unravel(flat, shape):
    index = []
    for size in reversed(shape):
        flat, rest = divmod(flat, size)
        index.append(rest)
    return tuple(reversed(index))


def _tensor_msg(xp, a, b, matches, rtol, atol):
    n = matches.size
    mismatched = n - int(matches.sum())
    extra = f"Mismatched elements: {mismatched} / {n} ({mismatched / n:.1%})"
    a, b, hit = a.reshape(-1), b.reshape(-1), matches.reshape(-1)
    if a.dtype.kind not in "fc":  # as torch: integers (and bools) in int64, ratios in float32
        a, b = a.astype("int64"), b.astype("int64")
    with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
        abs_diff = xp.abs(a - b)
        abs_diff[hit] = 0
        rel_diff = abs_diff / xp.abs(b)
        if a.dtype.kind not in "fc":
            rel_diff = rel_diff.astype(str(get_default_dtype()))
    rel_diff[hit] = 0
    i, j = int(xp.argmax(abs_diff)), int(xp.argmax(rel_diff))
    return _mismatch_msg(
        "Tensor-likes",
        extra,
        abs_diff[i].item(),
        _unravel(i, matches.shape),
        atol,
        rel_diff[j].item(),
        _unravel(j, matches.shape),
        rtol,
    )


def _compare_tensors(actual, expected, id, rtol, atol, equal_nan, checks):
    check_device, check_dtype, check_layout, check_stride = checks
    rtol, atol = _tolerances([actual.dtype, expected.dtype], rtol, atol, id)

    def mismatch(attribute, a, b):
        raise _Failure(
            AssertionError, f"The values for attribute '{attribute}' do not match: {a} != {b}.", id
        )

    if actual.shape != expected.shape:
        mismatch("shape", actual.shape, expected.shape)
    if check_stride and actual.stride() != expected.stride():
        mismatch("stride()", actual.stride(), expected.stride())
    if check_device and actual.device != expected.device:
        mismatch("device", actual.device, expected.device)
    if check_dtype and actual.dtype != expected.dtype:
        mismatch("dtype", actual.dtype, expected.dtype)
    actual, expected = actual.detach().cpu(), expected.detach().cpu()
    if actual.dtype != expected.dtype:
        dtype = promote_types(actual.dtype, expected.dtype)
        actual, expected = actual.to(dtype), expected.to(dtype)
    xp, a, b = actual.xp, actual.array, expected.array
    matches = _isclose(xp, a, b, rtol, atol, equal_nan)
    if bool(matches.all()):
        return
    if a.ndim == 0:
        msg = _scalar_msg(a.item(), b.item(), rtol, atol)
    else:
        msg = _tensor_msg(xp, a, b, matches, rtol, atol)
    raise _Failure(AssertionError, msg, id)


def _pairs(actual, expected, id, options):
    """Yield (kind, actual, expected, id) leaves, as torch's originate_pairs."""
    seq = collections.abc.Sequence
    if (
        isinstance(actual, seq)
        and not isinstance(actual, str)
        and isinstance(expected, seq)
        and not isinstance(expected, str)
    ):
        if len(actual) != len(expected):
            raise _Failure(
                AssertionError,
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                id,
            )
        for i in range(len(actual)):
            yield from _pairs(actual[i], expected[i], (*id, i), options)
        return
    mapping = collections.abc.Mapping
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        actual_keys, expected_keys = set(actual.keys()), set(expected.keys())
        if actual_keys != expected_keys:
            raise _Failure(
                AssertionError,
                "The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {sorted(expected_keys - actual_keys)}\n"
                f"Additional keys in the actual mapping: {sorted(actual_keys - expected_keys)}",
                id,
            )
        keys = actual_keys
        with contextlib.suppress(Exception):
            keys = sorted(keys)
        for key in keys:
            yield from _pairs(actual[key], expected[key], (*id, key), options)
        return
    yield _leaf(actual, expected, id, options)


def _leaf(actual, expected, id, options):
    rtol, atol, equal_nan, checks, allow_subclasses = options
    if actual is None or expected is None:
        if actual is None and expected is None:
            return None
        return _Failure(AssertionError, f"None mismatch: {actual} is not {expected}", id)
    if _is_bool(actual) and _is_bool(expected):
        actual, expected = bool(actual), bool(expected)
        if actual is not expected:
            return _Failure(AssertionError, f"Booleans mismatch: {actual} is not {expected}", id)
        return None
    if _is_number(actual) and _is_number(expected):
        actual, expected = (
            x.item() if type(x).__module__ == "numpy" else x for x in (actual, expected)
        )
        rtol, atol = _tolerances(
            [_NUMBER_DTYPES[type(x)] for x in (actual, expected)], rtol, atol, id
        )
        return (_compare_numbers, actual, expected, id, rtol, atol, equal_nan, checks[1])
    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if related and (allow_subclasses or type(actual) is type(expected)):
        try:
            a, b = _as_tensor(actual), _as_tensor(expected)
        except _Unsupported:
            pass
        else:
            rtol, atol = _tolerances([a.dtype, b.dtype], rtol, atol, id)
            return (_compare_tensors, a, b, id, rtol, atol, equal_nan, checks)
    raise _Failure(
        TypeError,
        "No comparison pair was able to handle inputs of type "
        f"{type(actual)} and {type(expected)}.",
        id,
    )


def assert_close(
    actual,
    expected,
    *,
    allow_subclasses=True,
    rtol=None,
    atol=None,
    equal_nan=False,
    check_device=True,
    check_dtype=True,
    check_layout=True,
    check_stride=False,
    msg=None,
):
    """Raise AssertionError unless actual and expected are close: |a - e| <= atol + rtol |e|
    elementwise, with equal shapes (and devices, dtypes unless told not to check).

    Without rtol/atol, the loosest default of the two dtypes: float16 1e-3/1e-5, float32
    1.3e-6/1e-5, float64 1e-7/1e-7, others exact. Tensors (and numpy arrays), Python numbers,
    bools and None compare leaf by leaf through sequences and mappings, as torch's.
    `msg` (a string, or a callable given the generated message) replaces the message.
    """
    __tracebackhide__ = True
    checks = (check_device, check_dtype, check_layout, check_stride)
    options = (rtol, atol, equal_nan, checks, allow_subclasses)
    try:
        leaves = list(_pairs(actual, expected, (), options))
    except _Failure as failure:
        raise failure.to_error() from None
    for leaf in leaves:
        if leaf is None:
            continue
        try:
            if isinstance(leaf, _Failure):
                raise leaf
            leaf[0](*leaf[1:])
        except _Failure as failure:
            raise failure.to_error(msg) from None
