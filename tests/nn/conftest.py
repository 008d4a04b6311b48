"""Helpers shared by the nn tests that compare a layer with its PyTorch twin (import them
with `from conftest import ...`): one array on both sides, closeness by dtype, and torch's
weights copied into ours through load_state_dict."""

import numpy as np

import autograd

# float32 differs from torch by the order of its sums; float64 to rounding.
TOLERANCES = {np.dtype(np.float32): (2e-4, 2e-5), np.dtype(np.float64): (1e-9, 1e-11)}


def ours(array, requires_grad=False):
    return autograd.tensor(array, requires_grad=requires_grad)


def theirs(array, requires_grad=False):
    import torch

    return torch.tensor(array, requires_grad=requires_grad)


def to_numpy(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def assert_close(a, b, rtol=1e-10, atol=1e-12, err_msg=""):
    a, b = to_numpy(a), to_numpy(b)
    assert a.shape == b.shape, (a.shape, b.shape, err_msg)
    assert a.dtype == b.dtype, (a.dtype, b.dtype, err_msg)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=err_msg)


def assert_close_as(a, b, err_msg=""):
    """assert_close with the tolerance of b's dtype."""
    rtol, atol = TOLERANCES[to_numpy(b).dtype]
    assert_close(a, b, rtol, atol, err_msg)


def copy_weights(our_module, torch_module):
    """Load torch's state dict into ours: proves the names and shapes map one to one."""
    sd = {k: v.detach().numpy() for k, v in torch_module.state_dict().items()}
    result = our_module.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []


def assert_same_grads(our_module, torch_module):
    """Every parameter's gradient (None where torch's is None) equals torch's."""
    torch_params = dict(torch_module.named_parameters())
    our_params = dict(our_module.named_parameters())
    assert our_params.keys() == torch_params.keys()
    for name, p in our_params.items():
        pt = torch_params[name]
        if pt.grad is None:
            assert p.grad is None or not to_numpy(p.grad).any(), name
            continue
        assert p.grad is not None, name
        assert_close_as(p.grad, pt.grad, err_msg=name)
