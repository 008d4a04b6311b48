"""nn.init's additions and the default initialisation of the added layers, against torch:
deterministic fills equal torch's exactly; random ones follow the same distribution."""

import math

import numpy as np
import pytest
import torch

import autograd
import nn
from nn import init


@pytest.mark.parametrize(
    "nonlinearity,param",
    [("linear", None), ("conv1d", None), ("conv_transpose2d", None), ("sigmoid", None),
     ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)],
)  # fmt: skip
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(
        nonlinearity, param
    )


@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (5, 2), (1, 1)])
def test_eye_matches_torch(shape):
    ours = init.eye_(autograd.empty(*shape))
    np.testing.assert_array_equal(ours.numpy(), torch.nn.init.eye_(torch.empty(shape)).numpy())
    with pytest.raises(ValueError):
        init.eye_(autograd.empty(2, 2, 2))


@pytest.mark.parametrize("shape,groups", [((4, 2, 3), 1), ((6, 3, 3, 3), 1), ((4, 2, 3, 3), 2),
                                          ((2, 4, 1, 3, 3), 1), ((6, 1, 5), 3)])  # fmt: skip
def test_dirac_matches_torch(shape, groups):
    ours = init.dirac_(autograd.empty(*shape), groups)
    theirs = torch.nn.init.dirac_(torch.empty(shape), groups)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_dirac_makes_conv1d_the_identity():
    conv = nn.Conv1d(3, 3, 3, padding=1, bias=False)
    init.dirac_(conv.weight)
    x = autograd.randn(2, 3, 7)
    np.testing.assert_allclose(conv(x).detach().numpy(), x.numpy(), rtol=1e-6)


@pytest.mark.parametrize("shape", [(4, 4), (3, 7), (7, 3), (4, 2, 3)])
@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_orthogonal_is_semi_orthogonal_as_torch(shape, gain):
    autograd.manual_seed(0)
    w = init.orthogonal_(autograd.empty(*shape, dtype=autograd.float64), gain).numpy()
    flat = w.reshape(shape[0], -1)
    rows, cols = flat.shape
    gram = flat @ flat.T if rows <= cols else flat.T @ flat
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(rows, cols)), atol=1e-12)


def test_trunc_normal_stays_in_bounds_with_the_truncated_moments():
    autograd.manual_seed(0)
    mean, std, a, b = 0.5, 2.0, -1.0, 1.5
    ours = init.trunc_normal_(autograd.empty(200000, dtype=autograd.float64), mean, std, a, b)
    theirs = torch.nn.init.trunc_normal_(torch.empty(200000, dtype=torch.float64), mean, std, a, b)
    ours = ours.numpy()
    assert ours.min() >= a and ours.max() <= b
    assert abs(ours.mean() - theirs.mean().item()) < 0.01
    assert abs(ours.std() - theirs.std().item()) < 0.01


def test_sparse_zeroes_ceil_sparsity_rows_per_column_as_torch():
    ours = init.sparse_(autograd.empty(10, 6), 0.25, std=0.5).numpy()
    theirs = torch.nn.init.sparse_(torch.empty(10, 6), 0.25, std=0.5).numpy()
    assert ((ours == 0).sum(0) == (theirs == 0).sum(0)).all()  # ceil(2.5) = 3 per column


def test_generator_is_accepted_by_the_random_fills():
    t = autograd.empty(3, 4)
    for fill in (init.uniform_, init.normal_, init.xavier_uniform_, init.xavier_normal_,
                 init.kaiming_uniform_, init.kaiming_normal_, init.orthogonal_,
                 init.trunc_normal_):  # fmt: skip
        fill(t, generator=None)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity,a", [("relu", 0), ("leaky_relu", 0.1), ("tanh", 0)])
def test_kaiming_spread_matches_torch(mode, nonlinearity, a):
    autograd.manual_seed(0)
    ours = init.kaiming_normal_(autograd.empty(300, 200, 2), a, mode, nonlinearity).numpy()
    theirs = torch.nn.init.kaiming_normal_(torch.empty(300, 200, 2), a, mode, nonlinearity)
    assert abs(ours.std() / theirs.std().item() - 1) < 0.01
    ours = init.kaiming_uniform_(autograd.empty(300, 200, 2), a, mode, nonlinearity).numpy()
    theirs = torch.nn.init.kaiming_uniform_(torch.empty(300, 200, 2), a, mode, nonlinearity)
    assert abs(np.abs(ours).max() / theirs.abs().max().item() - 1) < 0.01


# the default initialisation of the added layers: the same bound, the same spread
LAYERS = [
    ("Conv1d", (6, 40, 5), {}),
    ("Conv1d", (6, 40, 5), {"groups": 2}),
    ("ConvTranspose1d", (40, 6, 5), {}),
    ("ConvTranspose2d", (40, 6, 3), {"groups": 2}),
    ("Bilinear", (30, 20, 40), {}),
]


@pytest.mark.parametrize("name,args,kwargs", LAYERS, ids=lambda v: str(v))
def test_default_initialisation_matches_torch(name, args, kwargs):
    autograd.manual_seed(0)
    ours = dict(getattr(nn, name)(*args, **kwargs).named_parameters())
    theirs = dict(getattr(torch.nn, name)(*args, **kwargs).named_parameters())
    assert ours.keys() == theirs.keys()
    w = theirs["weight"]
    # PyTorch's bound: 1/sqrt(fan_in), fan_in = weight.shape[1] * kernel (Bilinear: in1)
    fan_in = w.shape[1] * (math.prod(w.shape[2:]) if name != "Bilinear" else 1)
    bound = 1 / math.sqrt(fan_in)
    for key, p in ours.items():
        t = theirs[key].detach().numpy()
        p = p.detach().numpy()
        assert p.shape == t.shape and p.dtype == t.dtype
        assert np.abs(p).max() <= bound and np.abs(t).max() <= bound  # both U(-b, b)
        if p.size > 200:  # and spread over it
            assert abs(p.std() / (bound / math.sqrt(3)) - 1) < 0.1
            assert abs(t.std() / (bound / math.sqrt(3)) - 1) < 0.1


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (lambda: nn.PReLU(3, 0.1), lambda: torch.nn.PReLU(3, 0.1)),
        (lambda: nn.GroupNorm(2, 4), lambda: torch.nn.GroupNorm(2, 4)),
        (lambda: nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
         lambda: torch.nn.InstanceNorm2d(3, affine=True, track_running_stats=True)),
    ],
)  # fmt: skip
def test_deterministic_defaults_equal_torch(ours, theirs):
    ours, theirs = ours(), theirs()
    sd_o, sd_t = ours.state_dict(), theirs.state_dict()
    assert list(sd_o) == list(sd_t)
    for k in sd_o:
        np.testing.assert_array_equal(sd_o[k].numpy(), sd_t[k].numpy())
        assert sd_o[k].dtype.name == str(sd_t[k].dtype).replace("torch.", "")
