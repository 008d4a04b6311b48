"""SGD's update p <- p - lr g runs straight on the arrays in the usual case (optim.optimizer.
_add_scaled_), and through add_ otherwise: either way the same numbers, dtypes, version
counters and views as PyTorch's SGD."""

import numpy as np
import pytest
import torch

import autograd
import optim
from autograd import no_grad
from optim.optimizer import _add_scaled_

DTYPES = [np.float64, np.float32, np.float16]


def _pair(array):
    ours = autograd.tensor(array, requires_grad=True)
    theirs = torch.tensor(array, requires_grad=True)
    return ours, theirs


def _grads(shape, dtype, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 4), (1,), (0, 2), ()])
@pytest.mark.parametrize("options", [{}, {"maximize": True}, {"momentum": 0.9}])
def test_sgd_steps_match_torch(dtype, shape, options):
    p0 = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    ours, theirs = _pair(p0)
    view = ours.view(-1)  # a view sees every update
    opt = optim.SGD([ours], lr=0.1, **options)
    topt = torch.optim.SGD([theirs], lr=0.1, **options)
    for step in range(3):
        g = _grads(shape, dtype, step + 1)
        ours.grad = autograd.tensor(g)
        theirs.grad = torch.tensor(g)
        opt.step()
        topt.step()
        tol = 1e-3 if dtype == np.float16 else 1e-6
        np.testing.assert_allclose(
            ours.detach().numpy(), theirs.detach().numpy(), rtol=tol, atol=tol
        )
        assert ours.dtype == p0.dtype
        assert ours._version == theirs._version
        np.testing.assert_array_equal(view.detach().numpy(), ours.detach().numpy().reshape(-1))
    assert ours.grad is not None and ours.grad.dtype == p0.dtype  # the gradient is untouched


def test_add_scaled_equals_add_on_the_direct_and_the_general_route():
    """The same numbers and version bump as add_ itself, for every kind of operand."""
    rng = np.random.default_rng(3)
    cases = [
        (rng.standard_normal((4, 5)).astype(np.float32), None),  # the direct route
        (rng.standard_normal((4, 5)).astype(np.float16), None),  # float16: add_'s route
        (rng.standard_normal((5, 4)).astype(np.float32).T, None),  # non-contiguous parameter
        (rng.standard_normal((4, 5)), np.float32),  # a gradient of another dtype
    ]
    for p_array, grad_dtype in cases:
        g_array = rng.standard_normal(p_array.shape).astype(grad_dtype or p_array.dtype)
        for alpha in (-0.01, 1, -3):
            a = autograd.tensor(p_array.copy())
            b = autograd.tensor(p_array.copy())
            g = autograd.tensor(g_array)
            with no_grad():
                out = _add_scaled_(a, g, alpha)
                b.add_(g, alpha=alpha)
            assert out is a
            np.testing.assert_array_equal(a.numpy(), b.numpy())
            assert a.dtype == b.dtype and a._version == b._version == 1


def test_add_scaled_outside_no_grad_raises_as_add():
    """Recording on: the leaf check of add_ (the direct route is for no_grad only)."""
    p = autograd.tensor(np.ones(3, np.float32), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        _add_scaled_(p, autograd.tensor(np.ones(3, np.float32)), -0.1)
    assert p._version == 0
    np.testing.assert_array_equal(p.detach().numpy(), np.ones(3, np.float32))


def test_sgd_step_with_a_bad_state_changes_nothing():
    """The all-or-nothing check still runs before any update (the direct route included)."""
    a = autograd.tensor(np.ones(3, np.float32), requires_grad=True)
    b = autograd.tensor(np.ones(2, np.float32), requires_grad=True)
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    a.grad = autograd.tensor(np.ones(3, np.float32))
    b.grad = autograd.tensor(np.ones(2, np.float32))
    opt.step()
    before, version = a.detach().numpy().copy(), a._version
    opt.state[b]["momentum_buffer"] = autograd.tensor(np.ones(3, np.float32))  # wrong shape
    with pytest.raises(RuntimeError, match="no parameter was updated"):
        opt.step()
    np.testing.assert_array_equal(a.detach().numpy(), before)
    assert a._version == version
