"""Max pooling's backward is a select, as PyTorch's: an inf or nan upstream gradient reaches
only each window's chosen element, and every other input element gets 0 (a product with the
one-hot mask would give inf * 0 = nan there). Regression tests of that bug, first and second
order, for the block (stride = kernel) and the general (overlapping, padded) pools."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import autograd
from nn.functional import max_pool2d

CONFIGS = [
    dict(kernel_size=2),  # block pooling, whole blocks
    dict(kernel_size=2, stride=2),  # the same, on a 5x5 input below: a row and column left out
    dict(kernel_size=(1, 3), stride=(1, 3)),
    dict(kernel_size=3, stride=1, padding=1),  # overlapping windows
    dict(kernel_size=2, stride=1, dilation=2),
]


def _upstream(shape, seed, dtype):
    g = torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)
    flat = g.view(-1)
    flat[:: max(1, flat.numel() // 5)] = float("inf")
    flat[1 :: max(1, flat.numel() // 4)] = float("nan")
    flat[2 :: max(1, flat.numel() // 3)] = -float("inf")
    return g


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("size", [(2, 3, 4, 6), (1, 2, 5, 5)])
def test_max_pool2d_backward_of_nonfinite_gradient_as_torch(config, size, dtype):
    x = torch.randn(size, generator=torch.Generator().manual_seed(1), dtype=dtype)
    xt = x.clone().requires_grad_()
    yt = TF.max_pool2d(xt, **config)
    g = _upstream(yt.shape, 2, dtype)
    yt.backward(g)
    xd = autograd.tensor(x.numpy(), requires_grad=True)
    yd = max_pool2d(xd, **config)
    yd.backward(autograd.tensor(g.numpy()))
    assert xd.grad.dtype == yd.dtype
    # overlapping windows sum in another order than torch's: equal up to rounding
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("config", CONFIGS)
def test_max_pool2d_double_backward_of_nonfinite_gradient_as_torch(config):
    x = torch.randn(2, 2, 5, 6, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    xt = x.clone().requires_grad_()
    yt = TF.max_pool2d(xt, **config)
    g = torch.randn(yt.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    gt = g.clone().requires_grad_()
    (gxt,) = torch.autograd.grad(yt, xt, gt, create_graph=True)
    u = _upstream(x.shape, 5, torch.float64)
    (ggt,) = torch.autograd.grad(gxt, gt, u)

    xd = autograd.tensor(x.numpy(), requires_grad=True)
    gd = autograd.tensor(g.numpy(), requires_grad=True)
    (gxd,) = autograd.grad(max_pool2d(xd, **config), xd, gd, create_graph=True)
    (ggd,) = autograd.grad(gxd, gd, autograd.tensor(u.numpy()))
    np.testing.assert_allclose(ggd.numpy(), ggt.numpy(), rtol=1e-12, atol=1e-12)


def test_max_pool2d_backward_of_finite_gradient_unchanged():
    """The usual, finite gradient still matches torch (the product path)."""
    x = torch.randn(3, 4, 8, 8, generator=torch.Generator().manual_seed(6))
    xt = x.clone().requires_grad_()
    TF.max_pool2d(xt, 2).backward(torch.ones(3, 4, 4, 4) * 0.5)
    xd = autograd.tensor(x.numpy(), requires_grad=True)
    max_pool2d(xd, 2).backward(autograd.tensor(np.full((3, 4, 4, 4), 0.5, np.float32)))
    np.testing.assert_array_equal(xd.grad.numpy(), xt.grad.numpy())


@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_forward_mode_tangent_with_inf_and_nan_matches_torch(config):
    """Forward mode too: a non-finite tangent reaches only the outputs whose window chose it
    (WindowMax's jvp multiplied the tangent by the one-hot mask: inf * 0 = nan elsewhere)."""
    import torch.autograd.forward_ad as tfw

    from autograd import forward_ad as fw

    x = torch.randn(2, 3, 5, 5, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    u = _upstream(x.shape, 8, torch.float64)
    with tfw.dual_level():
        theirs = tfw.unpack_dual(TF.max_pool2d(tfw.make_dual(x, u), **config)).tangent
    with fw.dual_level():
        dual = fw.make_dual(autograd.tensor(x.numpy()), autograd.tensor(u.numpy()))
        ours = fw.unpack_dual(max_pool2d(dual, **config)).tangent
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
