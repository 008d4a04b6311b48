"""Seeded layers, nn.init, dropout and the data samplers give torch's numbers on the CPU:
the same seed and the same calls in torch's order draw the same stream (autograd/random.py,
backends/mt19937.py)."""

import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import autograd
import nn
import nn.functional as F
from nn import data as ddata
from nn import init


def _seeded(seed):
    autograd.manual_seed(seed)
    torch.manual_seed(seed)


def _same_state():
    np.testing.assert_array_equal(autograd.get_rng_state().numpy(), torch.get_rng_state().numpy())


LAYERS = {
    "linear": lambda m: m.Linear(4, 2),
    "linear_big": lambda m: m.Linear(100, 30),
    "linear_nobias": lambda m: m.Linear(5, 3, bias=False),
    "conv1d": lambda m: m.Conv1d(3, 8, 3),
    "conv2d": lambda m: m.Conv2d(3, 8, 3),
    "conv_transpose2d": lambda m: m.ConvTranspose2d(3, 8, 3),
    "embedding": lambda m: m.Embedding(10, 5),
    "embedding_padding": lambda m: m.Embedding(40, 7, padding_idx=2),
    "rnn": lambda m: m.RNN(4, 6, 2),
    "lstm": lambda m: m.LSTM(4, 6, 2, bidirectional=True),
    "lstm_proj": lambda m: m.LSTM(4, 6, 1, proj_size=3),
    "gru": lambda m: m.GRU(4, 6),
    "lstm_cell": lambda m: m.LSTMCell(4, 6),
    "gru_cell": lambda m: m.GRUCell(4, 6),
    "layer_norm": lambda m: m.LayerNorm(5),
    "batch_norm": lambda m: m.BatchNorm2d(5),
    "bilinear": lambda m: m.Bilinear(3, 4, 5),
    "multihead_attention": lambda m: m.MultiheadAttention(8, 2),
    "multihead_attention_kdim": lambda m: m.MultiheadAttention(8, 2, kdim=3, vdim=5),
    "multihead_attention_bias_kv": lambda m: m.MultiheadAttention(8, 2, add_bias_kv=True),
    "encoder_layer": lambda m: m.TransformerEncoderLayer(8, 2, 16),
    "encoder_stack": lambda m: m.TransformerEncoder(
        m.TransformerEncoderLayer(8, 2, 16, batch_first=True, norm_first=True), 2
    ),
    "gru_stack": lambda m: m.GRU(3, 4, num_layers=2, batch_first=True, bidirectional=True),
    "rnn_relu_nobias": lambda m: m.RNN(3, 4, bias=False, nonlinearity="relu"),
    "conv2d_groups": lambda m: m.Conv2d(4, 8, 3, groups=2),
    "instance_norm": lambda m: m.InstanceNorm1d(3, affine=True),
    "sequential": lambda m: m.Sequential(m.Linear(3, 5), m.ReLU(), m.Linear(5, 1)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_seeded_layer_starts_from_torchs_weights(name):
    _seeded(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's nested-tensor note on TransformerEncoder
        theirs = LAYERS[name](torch.nn)
    ours = LAYERS[name](nn)
    t, d = dict(theirs.named_parameters()), dict(ours.named_parameters())
    assert list(d) == list(t)
    for key in t:
        np.testing.assert_array_equal(d[key].detach().numpy(), t[key].detach().numpy(), key)
    _same_state()


INITS = {
    "uniform_": lambda i, t: i.uniform_(t, -0.3, 0.7),
    "normal_": lambda i, t: i.normal_(t, 0.1, 0.02),
    "kaiming_uniform_": lambda i, t: i.kaiming_uniform_(t, mode="fan_out"),
    "kaiming_normal_": lambda i, t: i.kaiming_normal_(t, nonlinearity="relu"),
    "xavier_uniform_": lambda i, t: i.xavier_uniform_(t, gain=2.0),
    "xavier_normal_": lambda i, t: i.xavier_normal_(t, 0.7),
    "trunc_normal_": lambda i, t: i.trunc_normal_(t, std=0.02),
    "trunc_normal_narrow": lambda i, t: i.trunc_normal_(t, 0.0, 1.0, 2.0, 3.0),
    "sparse_": lambda i, t: i.sparse_(t, 0.3),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(INITS))
def test_init_draws_torchs_numbers(name, dtype):
    for shape in ((3, 4), (20, 30)):
        _seeded(1)
        a = INITS[name](torch.nn.init, torch.empty(shape, dtype=getattr(torch, dtype)))
        b = INITS[name](init, autograd.empty(shape, dtype=getattr(autograd, dtype)))
        np.testing.assert_array_equal(b.numpy(), a.numpy())
        _same_state()


def test_lazy_linear_draws_torchs_weights_at_its_first_call():
    _seeded(0)
    theirs, ours = torch.nn.LazyLinear(3), nn.LazyLinear(3)
    theirs(torch.ones(2, 5))
    ours(autograd.ones(2, 5))
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    np.testing.assert_array_equal(ours.bias.detach().numpy(), theirs.bias.detach().numpy())
    _same_state()


def test_orthogonal_draws_torchs_gaussians():
    """orthogonal_'s stream is torch's; its QR (LAPACK through numpy) agrees to rounding."""
    _seeded(2)
    a = torch.nn.init.orthogonal_(torch.empty(6, 9, dtype=torch.float64))
    b = init.orthogonal_(autograd.empty(6, 9, dtype=autograd.float64))
    np.testing.assert_allclose(b.numpy(), a.numpy(), atol=1e-12)
    _same_state()


@pytest.mark.parametrize(
    "name, shape",
    [("dropout", (0,)), ("dropout", (1,)), ("dropout", (17,)), ("dropout", (4, 300)),
     ("dropout1d", (2, 3, 5)), ("dropout2d", (2, 3, 4, 4)), ("alpha_dropout", (50,))],
)  # fmt: skip
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dropout_masks_are_torchs(name, shape, dtype):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    for p in (0.1, 0.5, 0.8):
        _seeded(3)
        a = getattr(torch.nn.functional, name)(torch.from_numpy(x), p, training=True)
        b = getattr(F, name)(autograd.tensor(x), p, training=True)
        np.testing.assert_array_equal(b.numpy(), a.numpy())
        _same_state()


def _batches(lib, data, make, epochs=3):
    """The batches of `epochs` epochs, and a draw after each (the default stream's state)."""
    lib.manual_seed(5)
    loader = make(lib, data)
    out = []
    for _ in range(epochs):
        out += [batch[0].numpy().tolist() for batch in loader]
        out.append(lib.rand(2).numpy().tolist())
    return out


LOADERS = {
    "shuffle": lambda lib, m, ds: m.DataLoader(ds, batch_size=5, shuffle=True),
    "shuffle_generator": lambda lib, m, ds: m.DataLoader(
        ds, batch_size=5, shuffle=True, generator=lib.Generator().manual_seed(9)
    ),
    "sequential": lambda lib, m, ds: m.DataLoader(ds, batch_size=5),
    "replacement": lambda lib, m, ds: m.DataLoader(
        ds, batch_size=4, sampler=m.RandomSampler(ds, replacement=True, num_samples=40)
    ),
    "num_samples": lambda lib, m, ds: m.DataLoader(
        ds, batch_size=4, sampler=m.RandomSampler(ds, num_samples=50)
    ),
    "subset": lambda lib, m, ds: m.DataLoader(
        ds, batch_size=4, sampler=m.SubsetRandomSampler(list(range(3, 20)))
    ),
    "weighted": lambda lib, m, ds: m.DataLoader(
        ds, batch_size=4, sampler=m.WeightedRandomSampler([1.0, 2, 3, 0.5] * 5, 12)
    ),
    "weighted_no_replacement": lambda lib, m, ds: m.DataLoader(
        ds, batch_size=4, sampler=m.WeightedRandomSampler([1.0, 2, 3, 0.5] * 5, 12, False)
    ),
}


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_loader_batches_are_torchs(name):
    x = np.arange(23, dtype=np.float32)

    def make(lib, data):
        mod = tdata if lib is torch else ddata
        ds = mod.TensorDataset(torch.from_numpy(x) if lib is torch else autograd.tensor(x))
        return LOADERS[name](lib, mod, ds)

    assert _batches(autograd, x, make) == _batches(torch, x, make)


def test_random_split_is_torchs():
    for seed in (0, 2):
        _seeded(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = [list(s.indices) for s in tdata.random_split(range(10), [3, 7])]
            b = [list(s.indices) for s in ddata.random_split(list(range(10)), [3, 7])]
        assert a == b
        g, tg = autograd.Generator().manual_seed(4), torch.Generator().manual_seed(4)
        a = [list(s.indices) for s in tdata.random_split(range(12), [0.5, 0.5], generator=tg)]
        b = [list(s.indices) for s in ddata.random_split(list(range(12)), [0.5, 0.5], generator=g)]
        assert a == b
