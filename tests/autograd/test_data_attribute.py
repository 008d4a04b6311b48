"""`.data` as in PyTorch: a detached Tensor on the same storage whose in-place changes are
not recorded; `.array` is the backend array itself."""

import numpy as np
import pytest
import torch

import autograd
from autograd import Tensor


def _pair(values):
    return Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)


def test_data_is_a_detached_tensor_sharing_storage():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = x.data
    assert isinstance(d, Tensor) and not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert d.array is x.array
    d[0] = 7.0
    assert x.array[0] == 7.0


def test_data_inplace_does_not_move_the_version_counter():
    x, tx = _pair([1.0, 2.0, 3.0])
    _ = x * 2
    _ = tx * 2
    before, tbefore = x._version, tx._version
    x.data.mul_(3)
    tx.data.mul_(3)
    assert x._version == before and tx._version == tbefore


def test_manual_sgd_update_through_data_matches_torch():
    w, tw = _pair([[0.5, -1.0], [2.0, 0.25]])
    for _ in range(3):
        (w * w).sum().backward()
        (tw * tw).sum().backward()
        w.data += -0.1 * w.grad
        tw.data += -0.1 * tw.grad
        w.grad.data.zero_()
        tw.grad.data.zero_()
    np.testing.assert_allclose(
        w.numpy() if not w.requires_grad else w.detach().numpy(), tw.detach().numpy(), rtol=1e-6
    )
    assert w.is_leaf and w.requires_grad


def test_data_std_is_pytorchs_not_numpys():
    x, tx = _pair([1.0, 2.0, 4.0, 8.0])
    assert x.data.std().item() == pytest.approx(tx.data.std().item(), rel=1e-6)


def test_data_zero_and_fill_write_through():
    w = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    w.data.zero_()
    assert (w.array == 0).all()
    w.data.fill_(2.5)
    assert (w.array == 2.5).all()


def test_assigning_data_replaces_storage_and_checks_type():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.data = Tensor([5.0, 6.0, 7.0])
    assert x.shape == (3,) and x.requires_grad and x.is_leaf
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError):
        tx.data = 5
    with pytest.raises(TypeError, match="data"):
        x.data = 5
    assert x.shape == (3,)


def test_array_is_the_backend_array():
    x = Tensor([1.0, 2.0])
    assert isinstance(x.array, np.ndarray)
    assert x.numpy() is not None and np.shares_memory(x.numpy(), x.array)


def test_value_data_stays_a_float():
    v = autograd.Value(3.0)
    assert v.data == 3.0 and type(v.data) is float
