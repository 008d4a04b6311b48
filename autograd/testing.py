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

Needs `hypothesis` (`pip install hypothesis`); the rest of `autograd` does not.
"""

import math

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd._tensor import Tensor
from autograd.finite_differences import gradcheck, gradgradcheck
from backends import dtypes

__all__ = [
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


@st.composite
def _dim_tuples(draw, ndim):
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
        options.append(_dim_tuples(ndim))
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
