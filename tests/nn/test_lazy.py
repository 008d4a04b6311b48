"""Lazy layers against torch's: sizes read off the first input, placeholders filled in place."""

import numpy as np
import pytest
import torch

import nn
import optim
from autograd import Tensor


def _copy_into(ours, theirs):
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname and tuple(p.shape) == tuple(tp.shape)
        p.data.copy_(Tensor(tp.detach().numpy()))


CASES = [
    (lambda m: m.LazyLinear(3), (5, 4), "Linear"),
    (lambda m: m.LazyLinear(3, bias=False), (2, 7, 4), "Linear"),
    (lambda m: m.LazyConv2d(4, 3, padding=1), (2, 3, 6, 6), "Conv2d"),
    (lambda m: m.LazyConv2d(4, kernel_size=2, stride=2, bias=False), (3, 5, 5), "Conv2d"),
    (lambda m: m.LazyBatchNorm2d(), (4, 3, 5, 5), "BatchNorm2d"),
    (lambda m: m.LazyBatchNorm1d(affine=False), (6, 5), "BatchNorm1d"),
]


@pytest.mark.parametrize("make, shape, becomes", CASES)
def test_lazy_layer_becomes_the_full_layer_as_torch(make, shape, becomes):
    ours, theirs = make(nn), make(torch.nn)
    x = np.random.default_rng(0).standard_normal(shape)
    out_t = theirs(torch.tensor(x, dtype=torch.float32))
    out = ours(Tensor(x.astype(np.float32)))
    assert type(ours).__name__ == type(theirs).__name__ == becomes
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (k, v), (_, tv) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert tuple(v.shape) == tuple(tv.shape) and str(v.dtype) == str(tv.dtype).split(".")[1], k
    _copy_into(ours, theirs)
    out_t = theirs(torch.tensor(x, dtype=torch.float32))
    out = ours(Tensor(x.astype(np.float32)))
    np.testing.assert_allclose(out.detach().numpy(), out_t.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert repr(ours).split("(")[0] == repr(theirs).split("(")[0]


def test_optimizer_made_before_the_first_call_updates_the_materialized_weights():
    model = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(2))
    params = list(model.parameters())
    assert all(isinstance(p, nn.UninitializedParameter) for p in params)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = Tensor(np.ones((3, 5), np.float32))
    model(x).sum().backward()
    assert [p for p in model.parameters()] == params  # the same objects, now filled in
    assert not any(isinstance(p, nn.UninitializedParameter) for p in params)
    assert params[0].shape == (4, 5) and params[2].shape == (2, 4)
    before = params[0].detach().numpy().copy()
    opt.step()
    np.testing.assert_allclose(
        params[0].detach().numpy(), before - 0.1 * params[0].grad.numpy(), rtol=1e-6
    )


def test_lazy_linear_rejects_a_0d_input():
    with pytest.raises(RuntimeError, match="LazyLinear"):
        nn.LazyLinear(3)(Tensor(1.0))
