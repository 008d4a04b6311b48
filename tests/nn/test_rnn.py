"""RNN, LSTM, GRU and their cells against PyTorch in float64: torch's state dict loads one to
one, and outputs, final states and the gradients of inputs, initial states and every parameter
agree, over hypothesis-drawn configurations; gradcheck on small ones; errors name the layer."""

import math
import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import gradcheck, gradgradcheck
from nn import rnn


def ours(array, requires_grad=False):
    return autograd.tensor(array, requires_grad=requires_grad)


def theirs(array, requires_grad=False):
    return torch.tensor(array, requires_grad=requires_grad)


def copy_weights(our_module, torch_module):
    """Load torch's state dict into ours: the same keys, in the same order, with the same shapes."""
    theirs_sd = torch_module.state_dict()
    ours_sd = our_module.state_dict()
    assert list(ours_sd) == list(theirs_sd)
    for key, value in theirs_sd.items():
        assert tuple(ours_sd[key].shape) == tuple(value.shape), key
    result = our_module.load_state_dict({k: v.numpy() for k, v in theirs_sd.items()})
    assert result.missing_keys == [] and result.unexpected_keys == []


def flat(out):
    """(output, h_n) or (output, (h_n, c_n)) as a flat tuple."""
    y, state = out
    return (y,) + (tuple(state) if isinstance(state, tuple) else (state,))


def compare_grads(our_module, torch_module, our_leaves, torch_leaves):
    for a, b in zip(our_leaves, torch_leaves):
        assert_close(a.grad, b.grad)
    torch_params = dict(torch_module.named_parameters())
    our_params = dict(our_module.named_parameters())
    assert list(our_params) == list(torch_params)
    for name, p in our_params.items():
        assert p.grad is not None, name
        assert_close(p.grad, torch_params[name].grad)


def backward_both(our_outs, torch_outs, rng):
    """Send the same random upstream gradient into every output on both sides."""
    our_loss, torch_loss = 0, 0
    for o, t in zip(our_outs, torch_outs):
        g = rng.standard_normal(tuple(t.shape))
        our_loss = our_loss + (o * ours(g)).sum()
        torch_loss = torch_loss + (t * theirs(g)).sum()
    our_loss.backward()
    torch_loss.backward()


def check_both(pair, outs, leaves, rng):
    """The outputs agree; after one upstream gradient, so do the gradients of the leaves and
    of every parameter. pair, outs, leaves: (ours, torch's) each."""
    (our_outs, torch_outs), (our_m, torch_m) = outs, pair
    assert len(our_outs) == len(torch_outs)
    for a, b in zip(our_outs, torch_outs):
        assert_close(a, b)
    backward_both(our_outs, torch_outs, rng)
    compare_grads(our_m, torch_m, *leaves)


# --------------------------------------------------------------------------- layers
LAYERS = {
    "rnn_tanh": lambda m, **kw: m.RNN(**kw),
    "rnn_relu": lambda m, **kw: m.RNN(nonlinearity="relu", **kw),
    "lstm": lambda m, **kw: m.LSTM(**kw),
    "lstm_proj": lambda m, **kw: m.LSTM(proj_size=2, **kw),
    "gru": lambda m, **kw: m.GRU(**kw),
}

CONFIGS = st.fixed_dictionaries(
    {
        "seq_len": st.sampled_from([1, 2, 3, 6]),  # 6: more than one halving in _timesteps
        "batch": st.sampled_from([None, 1, 3]),  # None: unbatched input
        "num_layers": st.integers(1, 2),
        "bidirectional": st.booleans(),
        "batch_first": st.booleans(),
        "bias": st.booleans(),
        "with_hx": st.booleans(),
        "seed": st.integers(0, 2**16),
    }
)


def make_pair(kind, input_size=3, hidden_size=4, **kw):
    torch_m = LAYERS[kind](torch.nn, input_size=input_size, hidden_size=hidden_size, **kw)
    our_m = LAYERS[kind](rnn, input_size=input_size, hidden_size=hidden_size, **kw)
    torch_m, our_m = torch_m.double(), our_m.double()
    assert repr(our_m) == repr(torch_m)
    copy_weights(our_m, torch_m)
    return our_m, torch_m


def initial_state(kind, torch_m, batch, rng):
    """Random (h_0[, c_0]) arrays of the shapes torch expects."""
    k = torch_m.num_layers * (2 if torch_m.bidirectional else 1)
    lead = (k,) if batch is None else (k, batch)
    h_size = torch_m.proj_size or torch_m.hidden_size
    states = [rng.standard_normal(lead + (h_size,))]
    if kind.startswith("lstm"):
        states.append(rng.standard_normal(lead + (torch_m.hidden_size,)))
    return states


def run_layer(kind, module, x, hx):
    if hx is None:
        return module(x)
    return module(x, tuple(hx) if kind.startswith("lstm") else hx[0])


@pytest.mark.parametrize("kind", list(LAYERS))
@settings(max_examples=15, deadline=None)
@given(cfg=CONFIGS)
def test_layer_matches_torch(kind, cfg):
    rng = np.random.default_rng(cfg["seed"])
    our_m, torch_m = make_pair(
        kind,
        num_layers=cfg["num_layers"],
        bias=cfg["bias"],
        batch_first=cfg["batch_first"],
        bidirectional=cfg["bidirectional"],
    )
    seq_len, batch = cfg["seq_len"], cfg["batch"]
    if batch is None:
        shape = (seq_len, 3)
    else:
        shape = (batch, seq_len, 3) if cfg["batch_first"] else (seq_len, batch, 3)
    x = rng.standard_normal(shape)
    our_leaves, torch_leaves = [ours(x, True)], [theirs(x, True)]
    our_hx = torch_hx = None
    if cfg["with_hx"]:
        states = initial_state(kind, torch_m, batch, rng)
        our_hx = [ours(s, True) for s in states]
        torch_hx = [theirs(s, True) for s in states]
        our_leaves += our_hx
        torch_leaves += torch_hx
    our_outs = flat(run_layer(kind, our_m, our_leaves[0], our_hx))
    torch_outs = flat(run_layer(kind, torch_m, torch_leaves[0], torch_hx))
    check_both((our_m, torch_m), (our_outs, torch_outs), (our_leaves, torch_leaves), rng)


@pytest.mark.parametrize("kind", list(LAYERS))
def test_long_sequence_matches_torch(kind):
    """13 steps, both directions: every branch of the halving split is taken."""
    rng = np.random.default_rng(1)
    our_m, torch_m = make_pair(kind, bidirectional=True)
    x = rng.standard_normal((13, 2, 3))
    xo, xt = ours(x, True), theirs(x, True)
    outs = flat(our_m(xo)), flat(torch_m(xt))
    check_both((our_m, torch_m), outs, ([xo], [xt]), rng)


@pytest.mark.parametrize("length", [1, 2, 3, 4, 5, 8, 13, 31])
def test_timesteps_are_the_rows_and_pass_their_gradients_back(length):
    x = ours(np.arange(length * 2.0).reshape(length, 2), True)
    steps = rnn._timesteps(x)
    assert len(steps) == length
    weights = np.arange(1.0, length + 1)
    loss = 0
    for t, s in enumerate(steps):
        assert s.shape == (2,)
        np.testing.assert_array_equal(s.detach().numpy(), [2.0 * t, 2.0 * t + 1])
        loss = loss + s.sum() * float(weights[t])
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.repeat(weights[:, None], 2, axis=1))


def test_layers_gradcheck_through_input_and_state():
    rng = np.random.default_rng(2)
    for make in (rnn.RNN, rnn.LSTM, rnn.GRU):
        m = make(2, 2, num_layers=2, bidirectional=True).double()
        x = ours(rng.standard_normal((3, 1, 2)), True)
        states = [ours(rng.standard_normal((4, 1, 2)), True)]
        if make is rnn.LSTM:
            states.append(ours(rng.standard_normal((4, 1, 2)), True))

        def fn(x, *states, m=m):
            return flat(m(x, tuple(states) if len(states) == 2 else states[0]))

        assert gradcheck(fn, (x, *states))


def test_dropout_between_layers():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 2, 3))
    our_m, torch_m = make_pair("lstm", num_layers=3, dropout=1.0)
    # p = 1 zeroes every layer's output but the last's: deterministic, so torch must agree
    for a, b in zip(flat(our_m(ours(x))), flat(torch_m(theirs(x)))):
        assert_close(a, b)
    our_m.eval()
    torch_m.eval()
    for a, b in zip(flat(our_m(ours(x))), flat(torch_m(theirs(x)))):
        assert_close(a, b)
    # 0 < p < 1: random while training, the identity in eval
    our_m, _ = make_pair("gru", num_layers=2, dropout=0.5)
    with autograd.no_grad():
        y1, y2 = our_m(ours(x))[0].numpy(), our_m(ours(x))[0].numpy()
        assert not np.allclose(y1, y2)
        our_m.eval()
        np.testing.assert_array_equal(our_m(ours(x))[0].numpy(), our_m(ours(x))[0].numpy())


def test_dropout_with_one_layer_warns_as_torch():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        rnn.GRU(3, 4, dropout=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rnn.GRU(3, 4, num_layers=2, dropout=0.2)


@pytest.mark.parametrize("kind", list(LAYERS))
def test_init_is_uniform_within_one_over_sqrt_hidden(kind):
    m = LAYERS[kind](rnn, input_size=8, hidden_size=25, num_layers=2, bidirectional=True)
    bound = 1 / math.sqrt(25)
    values = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert np.all(np.abs(values) <= bound)
    assert values.max() > 0.95 * bound and values.min() < -0.95 * bound
    assert abs(values.mean()) < 0.05 * bound
    for p in m.parameters():
        assert p.dtype == autograd.float32 and p.requires_grad


def test_all_weights_and_dtype_follow_torch():
    m = rnn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2, dtype=autograd.float64)
    t = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    assert [[tuple(p.shape) for p in ws] for ws in m.all_weights] == [
        [tuple(p.shape) for p in ws] for ws in t.all_weights
    ]
    assert all(p.dtype == autograd.float64 for p in m.parameters())
    y, h = rnn.GRU(3, 4)(autograd.randn(2, 3))  # default float32, unbatched
    assert y.dtype == h.dtype == autograd.float32
    assert y.shape == (2, 4) and h.shape == (1, 4)


# --------------------------------------------------------------------------- cells
CELLS = {
    "rnn_tanh": lambda m, **kw: m.RNNCell(**kw),
    "rnn_relu": lambda m, **kw: m.RNNCell(nonlinearity="relu", **kw),
    "lstm": lambda m, **kw: m.LSTMCell(**kw),
    "gru": lambda m, **kw: m.GRUCell(**kw),
}


@pytest.mark.parametrize("kind", list(CELLS))
@settings(max_examples=15, deadline=None)
@given(
    batch=st.sampled_from([None, 1, 3]),
    bias=st.booleans(),
    with_hx=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_cell_matches_torch(kind, batch, bias, with_hx, seed):
    rng = np.random.default_rng(seed)
    torch_m = CELLS[kind](torch.nn, input_size=3, hidden_size=4, bias=bias).double()
    our_m = CELLS[kind](rnn, input_size=3, hidden_size=4, bias=bias).double()
    assert repr(our_m) == repr(torch_m)
    copy_weights(our_m, torch_m)
    lead = () if batch is None else (batch,)
    x = rng.standard_normal(lead + (3,))
    our_leaves, torch_leaves = [ours(x, True)], [theirs(x, True)]
    args_o, args_t = [our_leaves[0]], [torch_leaves[0]]
    if with_hx:
        n_states = 2 if kind == "lstm" else 1
        states = [rng.standard_normal(lead + (4,)) for _ in range(n_states)]
        hx_o, hx_t = [ours(s, True) for s in states], [theirs(s, True) for s in states]
        our_leaves += hx_o
        torch_leaves += hx_t
        args_o.append(tuple(hx_o) if kind == "lstm" else hx_o[0])
        args_t.append(tuple(hx_t) if kind == "lstm" else hx_t[0])
    our_outs, torch_outs = our_m(*args_o), torch_m(*args_t)
    if kind != "lstm":
        our_outs, torch_outs = (our_outs,), (torch_outs,)
    check_both((our_m, torch_m), (our_outs, torch_outs), (our_leaves, torch_leaves), rng)


@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_gradcheck(kind):
    """Through input, state and every parameter (perturbed in place by gradcheck)."""
    rng = np.random.default_rng(4)
    m = CELLS[kind](rnn, input_size=2, hidden_size=2).double()
    x = ours(rng.standard_normal((2, 2)), True)
    states = [ours(rng.standard_normal((2, 2)), True) for _ in range(2 if kind == "lstm" else 1)]
    params = tuple(m.parameters())
    if kind == "lstm":

        def fn(x, h, c, *params):
            return m(x, (h, c))

    else:

        def fn(x, h, *params):
            return m(x, h)

    assert gradcheck(fn, (x, *states) + params)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_cell_gradgradcheck(kind):
    rng = np.random.default_rng(5)
    m = CELLS[kind](rnn, input_size=2, hidden_size=2).double()
    x = ours(rng.standard_normal((1, 2)), True)
    h = ours(rng.standard_normal((1, 2)), True)
    if kind == "lstm":
        c = ours(rng.standard_normal((1, 2)), True)
        assert gradgradcheck(lambda x, h, c: m(x, (h, c)), (x, h, c))
    else:
        assert gradgradcheck(lambda x, h: m(x, h), (x, h))


# --------------------------------------------------------------------------- errors
def x64(*shape):
    return autograd.zeros(*shape, dtype=autograd.float64)


LAYER_ERRORS = [
    # (layer, input, hx, exception, message pattern)
    (lambda: rnn.RNN(3, 4), x64(2, 2, 5), None, RuntimeError,
     r"RNN: input.size\(-1\) must be equal to input_size. Expected 3, got 5 .*\(2, 2, 5\)"),
    (lambda: rnn.GRU(3, 4), x64(3), None, ValueError, r"GRU: Expected input to be 2D.*1D.*\(3,\)"),
    (lambda: rnn.LSTM(3, 4), x64(1, 2, 2, 3), None, ValueError, r"LSTM: .*4D.*\(1, 2, 2, 3\)"),
    (lambda: rnn.RNN(3, 4), x64(5, 2, 3), x64(1, 3, 4), RuntimeError,
     r"RNN: Expected hx size \(1, 2, 4\), got \[1, 3, 4\]"),
    (lambda: rnn.GRU(3, 4, num_layers=2, bidirectional=True), x64(5, 2, 3), x64(2, 2, 4),
     RuntimeError, r"GRU: Expected hx size \(4, 2, 4\), got \[2, 2, 4\]"),
    (lambda: rnn.GRU(3, 4, batch_first=True), x64(2, 5, 3), x64(1, 5, 4), RuntimeError,
     r"GRU: Expected hx size \(1, 2, 4\), got \[1, 5, 4\]"),
    (lambda: rnn.RNN(3, 4), x64(5, 2, 3), x64(2, 4), RuntimeError,
     r"RNN: For batched 3-D input, hx should also be 3-D but got 2-D tensor of shape \(2, 4\)"),
    (lambda: rnn.RNN(3, 4), x64(5, 3), x64(1, 1, 4), RuntimeError,
     r"RNN: For unbatched 2-D input, hx should also be 2-D but got 3-D"),
    (lambda: rnn.RNN(3, 4), x64(5, 3), x64(1, 5), RuntimeError,
     r"RNN: Expected hx size \(1, 4\), got \[1, 5\]"),
    (lambda: rnn.LSTM(3, 4), x64(5, 2, 3), x64(1, 2, 4), TypeError,
     r"LSTM: hx should be a tuple \(h_0, c_0\)"),
    (lambda: rnn.LSTM(3, 4, proj_size=2), x64(5, 2, 3), (x64(1, 2, 4), x64(1, 2, 4)),
     RuntimeError, r"LSTM: Expected hx\[0\] size \(1, 2, 2\), got \[1, 2, 4\]"),
    (lambda: rnn.LSTM(3, 4), x64(5, 2, 3), (x64(1, 2, 4), x64(1, 2, 5)), RuntimeError,
     r"LSTM: Expected hx\[1\] size \(1, 2, 4\), got \[1, 2, 5\]"),
    (lambda: rnn.RNN(3, 4), autograd.zeros(5, 2, 3), None, ValueError,
     r"RNN: input dtype \(float32\) does not match weight dtype \(float64\)"),
    (lambda: rnn.RNN(3, 4), x64(0, 2, 3), None, RuntimeError, r"RNN: .*sequence length"),
    (lambda: rnn.RNN(3, 4), np.zeros((5, 2, 3)), None, TypeError, r"RNN: input should be a"),
]  # fmt: skip


@pytest.mark.parametrize("make, x, hx, error, match", LAYER_ERRORS)
def test_layer_errors_name_layer_and_shapes(make, x, hx, error, match):
    m = make().double()
    before = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    with pytest.raises(error, match=match):
        m(x, hx)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])


CELL_ERRORS = [
    (lambda: rnn.RNNCell(3, 4), x64(1, 2, 3), None, ValueError,
     r"RNNCell: Expected input to be 1D or 2D, got 3D tensor of shape \(1, 2, 3\)"),
    (lambda: rnn.GRUCell(3, 4), x64(2, 5), None, RuntimeError,
     r"GRUCell: input has inconsistent input_size: got 5 expected 3"),
    (lambda: rnn.GRUCell(3, 4), x64(2, 3), x64(3, 4), RuntimeError,
     r"GRUCell: Expected hx of shape \(2, 4\) for input of shape \(2, 3\), got \(3, 4\)"),
    (lambda: rnn.RNNCell(3, 4), x64(3), x64(2, 4), RuntimeError,
     r"RNNCell: Expected hx of shape \(4,\) .*got \(2, 4\)"),
    (lambda: rnn.LSTMCell(3, 4), x64(2, 3), (x64(2, 4), x64(2, 5)), RuntimeError,
     r"LSTMCell: Expected hx\[1\] of shape \(2, 4\)"),
    (lambda: rnn.LSTMCell(3, 4), x64(2, 3), x64(2, 4), TypeError, r"LSTMCell: hx should be"),
    (lambda: rnn.RNNCell(3, 4), autograd.zeros(2, 3), None, ValueError, r"RNNCell: input dtype"),
]  # fmt: skip


@pytest.mark.parametrize("make, x, hx, error, match", CELL_ERRORS)
def test_cell_errors_name_cell_and_shapes(make, x, hx, error, match):
    with pytest.raises(error, match=match):
        make().double()(x, hx)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: rnn.RNN(3, 4, nonlinearity="sigmoid"), ValueError, "Unknown nonlinearity"),
        (lambda: rnn.RNNCell(3, 4, nonlinearity="gelu"), ValueError, "Unknown nonlinearity"),
        (lambda: rnn.LSTM(3, 4, dropout=1.5), ValueError, r"dropout should be .*\[0, 1\]"),
        (lambda: rnn.LSTM(3, 4, dropout=True), ValueError, r"dropout should be"),
        (lambda: rnn.GRU(3, 0), ValueError, "hidden_size must be greater than zero"),
        (lambda: rnn.GRU(0, 3), ValueError, "input_size must be greater than zero"),
        (lambda: rnn.GRU(3, 4, num_layers=0), ValueError, "num_layers must be greater than zero"),
        (lambda: rnn.GRU(3, 4.0), TypeError, "hidden_size should be of type int"),
        (lambda: rnn.GRU(3, 4, bias=1), TypeError, "bias should be of type bool"),
        (lambda: rnn.LSTM(3, 4, proj_size=4), ValueError, "proj_size has to be smaller"),
        (lambda: rnn.LSTM(3, 4, proj_size=-1), ValueError, "proj_size should be a positive"),
        (lambda: rnn.RNNBase("GRU", 3, 4, proj_size=2), ValueError, "only supported for LSTM"),
        (lambda: rnn.RNNBase("CELL", 3, 4), ValueError, "Unrecognized RNN mode"),
    ],
)
def test_constructor_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()
