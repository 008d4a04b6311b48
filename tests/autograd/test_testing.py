"""autograd.testing: the strategies draw what they promise, and assert_gradients catches a
wrong backward (first and second order)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Function, GradcheckError
from autograd.testing import (
    GRID,
    POSITIVE_MIN,
    assert_gradients,
    broadcastable_shapes,
    shapes,
    tensors,
    valid_dims,
)


@given(tensors(shape=(2, 3)), tensors(shape=(3,), positive=True))
def test_docstring_example(x, w):
    assert_gradients(lambda x, w: (x * w.log()).tanh().sum(dim=-1), x, w)


@given(shapes(min_dims=1, max_dims=2, min_side=0, max_side=3))
def test_shapes_respect_bounds(shape):
    assert 1 <= len(shape) <= 2
    assert all(0 <= s <= 3 for s in shape)


@given(broadcastable_shapes(3, max_side=3))
def test_broadcastable_shapes_broadcast(shapes_):
    assert len(shapes_) == 3
    np.broadcast_shapes(*shapes_)  # raises if they do not
    torch.broadcast_shapes(*shapes_)


@given(tensors(dtype="float32", requires_grad=True))
def test_tensors_have_dtype_and_require_grad(x):
    assert isinstance(x, autograd.Tensor)
    assert x.dtype == autograd.float32
    assert x.requires_grad and x.is_leaf
    assert np.all(np.abs(x.array) <= 3)


@given(tensors(dtype="int64"))
def test_integer_tensors_do_not_require_grad(x):
    assert x.dtype == autograd.int64
    assert not x.requires_grad


@given(tensors(positive=True, min_value=-1.0, max_value=2.0))
def test_positive_tensors(x):
    assert np.all(x.array >= POSITIVE_MIN) and np.all(x.array <= 2.0)


@given(tensors(shape=shapes(min_dims=1, max_side=4), distinct=True))
def test_distinct_tensors_have_no_ties_and_no_kinks(x):
    values = x.array.ravel()
    assert len(set(values.tolist())) == values.size
    assert np.all(np.abs(values * GRID - np.floor(values * GRID) - 0.5) < 1e-12)  # midpoints


@given(tensors(avoid_kinks=True))
def test_avoid_kinks_keeps_off_zero(x):
    assert np.all(np.abs(x.array) >= 0.5 / GRID)


@given(tensors(shape=(3,), elements=st.just(1.5)))
def test_elements_replace_the_domain(x):
    np.testing.assert_array_equal(x.array, [1.5, 1.5, 1.5])


@given(st.data())
def test_valid_dims_are_accepted_by_torch(data):
    shape = data.draw(shapes(min_dims=0, max_dims=3))
    dim = data.draw(valid_dims(len(shape)))
    t = torch.zeros(shape)
    torch.sum(t, dim=dim)  # raises on an invalid dim
    if isinstance(dim, tuple):
        assert dim and len({d % max(len(shape), 1) for d in dim}) == len(dim)


@given(st.data())
def test_valid_dims_without_none_or_tuples(data):
    dim = data.draw(valid_dims(3, allow_none=False, allow_tuple=False))
    assert isinstance(dim, int) and -3 <= dim < 3


class _WrongFirstOrder(Function):
    """y = x^2 with a wrong gradient, 2.1 x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2.1 * x


class _WrongSecondOrder(_WrongFirstOrder):
    """Right gradient, but computed from a constant: its own derivative in x is lost."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x.detach()


@settings(max_examples=5)
@given(tensors(shape=(3,), min_value=0.5, max_value=2.0))
def test_assert_gradients_catches_a_wrong_backward(x):
    with pytest.raises(GradcheckError):
        assert_gradients(_WrongFirstOrder.apply, x)
    assert_gradients(_WrongSecondOrder.apply, x, second_order=False)
    with pytest.raises(GradcheckError):
        assert_gradients(_WrongSecondOrder.apply, x)
