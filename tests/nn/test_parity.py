"""Layers, activations and losses against PyTorch in float64: same forward, same gradients for
inputs and parameters, with weights copied from the torch module through load_state_dict."""

import numpy as np
import pytest
import torch
from helpers import assert_close, check_forward_backward, copy_weights, ours, theirs

import autograd
import nn
import nn.functional as F
from autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)


def check_module(our_module, torch_module, x, *, upstream=None):
    """Forward, input grad and parameter grads of our module equal torch's."""
    copy_weights(our_module, torch_module)
    check_forward_backward(our_module, torch_module, x, RNG, upstream)


# An input with exact zeros (kinks) and values on both tails.
X = np.concatenate(
    [[0.0, -0.0, 1e-3, -1e-3, 30.0, -30.0, 5.0, -5.0], RNG.standard_normal(16)]
).reshape(4, 6)

ACTIVATIONS = [
    (lambda: nn.ReLU(), lambda: torch.nn.ReLU()),
    (lambda: nn.LeakyReLU(), lambda: torch.nn.LeakyReLU()),
    (lambda: nn.LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2)),
    (lambda: nn.ELU(), lambda: torch.nn.ELU()),
    (lambda: nn.ELU(alpha=0.5), lambda: torch.nn.ELU(alpha=0.5)),
    (lambda: nn.GELU(), lambda: torch.nn.GELU()),
    (lambda: nn.GELU(approximate="tanh"), lambda: torch.nn.GELU(approximate="tanh")),
    (lambda: nn.Sigmoid(), lambda: torch.nn.Sigmoid()),
    (lambda: nn.Tanh(), lambda: torch.nn.Tanh()),
    (lambda: nn.Softmax(dim=1), lambda: torch.nn.Softmax(dim=1)),
    (lambda: nn.Softmax(dim=0), lambda: torch.nn.Softmax(dim=0)),
    (lambda: nn.LogSoftmax(dim=1), lambda: torch.nn.LogSoftmax(dim=1)),
    (lambda: nn.LogSoftmax(dim=-1), lambda: torch.nn.LogSoftmax(dim=-1)),
    (lambda: nn.Flatten(0), lambda: torch.nn.Flatten(0)),
    (lambda: nn.Identity(), lambda: torch.nn.Identity()),
]


@pytest.mark.parametrize("make", ACTIVATIONS, ids=lambda m: repr(m[0]()))
def test_activation_matches_torch(make):
    ours_m, torch_m = make[0](), make[1]()
    assert repr(ours_m) == repr(torch_m)
    check_module(ours_m, torch_m, X)


def test_erf_matches_torch_across_ranges():
    x = np.concatenate([np.linspace(-7, 7, 2001), [0.5, -0.5, 0.4999999, 1e-300, 0.0, 40.0]])
    xo, xt = ours(x, True), theirs(x, True)
    yo, yt = F.erf(xo), torch.erf(xt)
    assert_close(yo, yt, rtol=1e-15, atol=2e-16)
    yo.sum().backward()
    yt.sum().backward()
    assert_close(xo.grad, xt.grad, rtol=1e-14, atol=1e-300)


def test_erf_float32_keeps_dtype():
    y = F.erf(autograd.tensor([0.3, -2.0]))
    assert y.dtype == autograd.float32
    np.testing.assert_allclose(y.numpy(), torch.erf(torch.tensor([0.3, -2.0])).numpy(), 1e-6)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_second_order(approximate):
    x = ours(RNG.standard_normal((2, 3)), True)
    assert gradcheck(lambda t: F.gelu(t, approximate), (x,))
    assert gradgradcheck(lambda t: F.gelu(t, approximate), (x,))


def test_gelu_rejects_unknown_approximation():
    """As torch: a RuntimeError (it was a ValueError)."""
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.functional.gelu(torch.tensor(X), approximate="fast")
    with pytest.raises(type(theirs.value), match="approximate"):
        F.gelu(ours(X), approximate="fast")


# --------------------------------------------------------------------------- layers
@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda m: m.Linear(6, 3), (4, 6)),
        (lambda m: m.Linear(6, 3, bias=False), (4, 6)),
        (lambda m: m.Linear(6, 3), (2, 5, 6)),
        (lambda m: m.Linear(6, 1), (6,)),
        (lambda m: m.Sequential(m.Linear(6, 5), m.Tanh(), m.Linear(5, 2)), (3, 6)),
        (lambda m: m.Sequential(m.Flatten(), m.Linear(6, 2), m.ReLU()), (3, 2, 3)),
    ],
    ids=["linear", "linear-nobias", "linear-batched", "linear-1d", "mlp", "flatten-linear"],
)
def test_layer_matches_torch(make, shape):
    torch_m = make(torch.nn).double()
    our_m = make(nn).double()
    assert repr(our_m) == repr(torch_m)
    check_module(our_m, torch_m, RNG.standard_normal(shape))


def test_embedding_matches_torch():
    torch_m = torch.nn.Embedding(5, 3, padding_idx=1).double()
    our_m = nn.Embedding(5, 3, padding_idx=1).double()
    assert repr(our_m) == repr(torch_m)
    copy_weights(our_m, torch_m)
    idx = np.array([[0, 1, 4], [1, 1, 2]])
    yo, yt = our_m(autograd.tensor(idx)), torch_m(torch.tensor(idx))
    assert_close(yo, yt)
    g = RNG.standard_normal(yt.shape)
    yo.backward(ours(g))
    yt.backward(theirs(g))
    assert_close(our_m.weight.grad, torch_m.weight.grad)  # padding row: zero gradient
    fresh = nn.Embedding(5, 3, padding_idx=-1)
    assert fresh.padding_idx == 4 and np.all(fresh.weight.detach().numpy()[4] == 0)


def test_maxout_is_max_of_linear_pieces():
    # PyTorch has no Maxout: build it from torch's Linear, amax over pieces.
    m = nn.Maxout(4, 3, pieces=2).double()
    assert repr(m) == "Maxout(in_features=4, out_features=3, pieces=2, bias=True)"
    lin = torch.nn.Linear(4, 6).double()
    copy_weights(m, lin)
    x = RNG.standard_normal((5, 4))
    xo, xt = ours(x, True), theirs(x, True)
    yo = m(xo)
    yt = lin(xt).reshape(5, 3, 2).max(dim=-1).values
    assert_close(yo, yt)
    g = RNG.standard_normal((5, 3))
    yo.backward(ours(g))
    yt.backward(theirs(g))
    assert_close(xo.grad, xt.grad)
    assert_close(m.weight.grad, lin.weight.grad)
    assert_close(m.bias.grad, lin.bias.grad)


def test_dropout_train_and_eval():
    autograd.manual_seed(0)
    d = nn.Dropout(p=0.25)
    assert repr(d) == repr(torch.nn.Dropout(p=0.25))
    x = ours(np.ones((200, 50)), True)
    y = d(x)
    values = y.detach().numpy()
    assert set(np.unique(values)) <= {0.0, 1 / 0.75}
    assert abs((values == 0).mean() - 0.25) < 0.02
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), values)  # grad = mask / (1 - p)
    d.eval()
    assert d(x) is x
    assert np.all(F.dropout(x, 1.0).detach().numpy() == 0)
    assert F.dropout(x, 0.0) is x
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


# --------------------------------------------------------------------------- losses
def _probs(shape):
    return 1 / (1 + np.exp(-RNG.standard_normal(shape)))


def _labels(shape, n, ignore=False):
    y = RNG.integers(0, n, shape)
    if ignore:
        y.flat[0] = -100
    return y


W3 = RNG.uniform(0.5, 2.0, 3)
LOSSES = [
    # (name, ours, torch, input, target, target is data for the loss (not differentiated))
    (
        "mse",
        nn.MSELoss,
        torch.nn.MSELoss,
        {},
        RNG.standard_normal((4, 3)),
        RNG.standard_normal((4, 3)),
    ),
    (
        "ce",
        nn.CrossEntropyLoss,
        torch.nn.CrossEntropyLoss,
        {},
        RNG.standard_normal((5, 3)),
        _labels(5, 3),
    ),
    (
        "ce-ignore",
        nn.CrossEntropyLoss,
        torch.nn.CrossEntropyLoss,
        {"ignore_index": -100},
        RNG.standard_normal((5, 3)),
        _labels(5, 3, ignore=True),
    ),
    (
        "ce-weight",
        nn.CrossEntropyLoss,
        torch.nn.CrossEntropyLoss,
        {"weight": W3},
        RNG.standard_normal((5, 3)),
        _labels(5, 3, ignore=True),
    ),
    (
        "ce-spatial",
        nn.CrossEntropyLoss,
        torch.nn.CrossEntropyLoss,
        {},
        RNG.standard_normal((2, 3, 2, 2)),
        _labels((2, 2, 2), 3),
    ),
    (
        "ce-unbatched",
        nn.CrossEntropyLoss,
        torch.nn.CrossEntropyLoss,
        {},
        RNG.standard_normal(3),
        np.array(2),
    ),
    (
        "ce-probs",
        nn.CrossEntropyLoss,
        torch.nn.CrossEntropyLoss,
        {"weight": W3},
        RNG.standard_normal((4, 3)),
        np.apply_along_axis(lambda r: r / r.sum(), 1, _probs((4, 3))),
    ),
    (
        "ce-large",
        nn.CrossEntropyLoss,
        torch.nn.CrossEntropyLoss,
        {},
        np.array([[1000.0, -1000.0, 0.0], [-800.0, 800.0, 1.0]]),
        np.array([1, 1]),
    ),
    (
        "nll",
        nn.NLLLoss,
        torch.nn.NLLLoss,
        {"weight": W3},
        np.log(_probs((5, 3))),
        _labels(5, 3, ignore=True),
    ),
    ("bce", nn.BCELoss, torch.nn.BCELoss, {}, _probs((4, 3)), RNG.uniform(0, 1, (4, 3))),
    (
        "bce-weight",
        nn.BCELoss,
        torch.nn.BCELoss,
        {"weight": RNG.uniform(0, 1, 3)},
        _probs((4, 3)),
        (RNG.uniform(0, 1, (4, 3)) > 0.5).astype(float),
    ),
    (
        "bce-logits",
        nn.BCEWithLogitsLoss,
        torch.nn.BCEWithLogitsLoss,
        {},
        np.concatenate([[0.0, 50.0, -50.0, 800.0, -800.0, 1e-3], RNG.standard_normal(6)]).reshape(
            4, 3
        ),
        RNG.uniform(0, 1, (4, 3)),
    ),
    (
        "bce-logits-pos",
        nn.BCEWithLogitsLoss,
        torch.nn.BCEWithLogitsLoss,
        {"pos_weight": RNG.uniform(0.5, 3, 3), "weight": RNG.uniform(0, 1, 3)},
        np.concatenate([[0.0, 50.0, -50.0], RNG.standard_normal(9)]).reshape(4, 3),
        RNG.uniform(0, 1, (4, 3)),
    ),
    (
        "hinge",
        nn.HingeEmbeddingLoss,
        torch.nn.HingeEmbeddingLoss,
        {},
        np.array([0.5, 1.0, 2.0, -1.0, 0.3, 0.0, 3.0]),
        np.array([1.0, -1.0, -1.0, -1.0, 1.0, -1.0, 0.0]),
    ),
    (
        "hinge-margin",
        nn.HingeEmbeddingLoss,
        torch.nn.HingeEmbeddingLoss,
        {"margin": 2.0},
        RNG.standard_normal((3, 4)),
        np.sign(RNG.standard_normal((3, 4))),
    ),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("row", LOSSES, ids=[row[0] for row in LOSSES])
def test_loss_matches_torch(row, reduction):
    _, our_cls, torch_cls, kwargs, x, y = row
    our_kwargs = {k: ours(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    torch_kwargs = {k: theirs(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    our_loss = our_cls(reduction=reduction, **our_kwargs)
    torch_loss = torch_cls(reduction=reduction, **torch_kwargs)
    assert repr(our_loss) == repr(torch_loss)
    xo, xt = ours(x, True), theirs(x, True)
    lo, lt = our_loss(xo, ours(y)), torch_loss(xt, theirs(y))
    assert_close(lo, lt)
    g = RNG.standard_normal(lt.shape)
    lo.backward(ours(g))
    lt.backward(theirs(g))
    assert_close(xo.grad, xt.grad)


@pytest.mark.parametrize("row", [r for r in LOSSES if r[0] in ("mse", "ce-weight", "bce",
                                                               "bce-logits-pos", "hinge")],
                         ids=lambda r: r[0])  # fmt: skip
def test_loss_second_order(row):
    _, our_cls, _, kwargs, x, y = row
    loss = our_cls(**{k: ours(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()})
    kink = (np.abs(x) < 1e-3) | np.isclose(x, 1.0)  # hinge: margin - x = 0
    x = np.where(kink, 0.3, x)  # away from kinks, for finite differences
    assert gradgradcheck(lambda t: loss(t, ours(y)), (ours(x, True),))


def test_bce_clamps_log_like_torch():
    x, y = np.array([0.0, 1.0, 0.5]), np.array([1.0, 0.0, 1.0])
    lo = F.binary_cross_entropy(ours(x), ours(y), reduction="none")
    lt = torch.nn.functional.binary_cross_entropy(theirs(x), theirs(y), reduction="none")
    assert_close(lo, lt)
    assert lo.numpy()[0] == 100.0


def test_loss_errors():
    loss = nn.MSELoss(reduction="avg")  # as torch: kept, refused at forward
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        loss(ours(np.ones(2)), ours(np.ones(2)))
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(ours(np.zeros((2, 3))), autograd.tensor([0, 3]))
    with pytest.raises(ValueError, match=r"batch_size \(2\) to match target batch_size \(3\)"):
        F.cross_entropy(ours(np.zeros((2, 3))), autograd.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy(ours(np.full((3, 1), 0.5)), ours(np.ones(3)))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(ours(np.array([1.5])), ours(np.array([1.0])))
