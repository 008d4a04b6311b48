"""nn.functional's added forms against torch.nn.functional: kinks and tails of the
activations, one_hot, normalize, dropout variants, interpolate's errors, label smoothing."""

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import autograd
import nn
import nn.functional as F

# the kinks of every activation below, and tails where a naive formula overflows
KINKS = np.array(
    [0.0, -0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 0.5, -0.5, 20.0, 10.0, 100.0, -100.0, 1e-8, -1e-8, 2.5]
)

ACTIVATIONS = [
    ("silu", {}), ("softplus", {}), ("softplus", {"beta": 2.0, "threshold": 20.0}),
    ("softplus", {"beta": 0.5, "threshold": 1.0}), ("mish", {}), ("hardtanh", {}),
    ("hardtanh", {"min_val": -3.0, "max_val": 6.0}), ("relu6", {}), ("hardswish", {}),
    ("hardsigmoid", {}), ("logsigmoid", {}), ("softsign", {}), ("tanhshrink", {}),
    ("celu", {}), ("celu", {"alpha": 0.5}), ("selu", {}), ("hardshrink", {}),
    ("softshrink", {}), ("softshrink", {"lambd": 1.0}), ("softmin", {"dim": 0}),
    ("threshold", {"threshold": 1.0, "value": 7.0}),
]  # fmt: skip


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kwargs", ACTIVATIONS, ids=lambda v: str(v))
def test_activation_kinks_and_tails_match_torch(name, kwargs, dtype):
    xo = autograd.tensor(KINKS, dtype=dtype, requires_grad=True)
    xt = torch.tensor(KINKS, dtype=getattr(torch, dtype), requires_grad=True)
    yo, yt = getattr(F, name)(xo, **kwargs), getattr(TF, name)(xt, **kwargs)
    assert yo.dtype == xo.dtype
    tol = dict(rtol=1e-6, atol=1e-7) if dtype == "float32" else dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), **tol)
    g = np.linspace(-1, 1, len(KINKS))
    yo.backward(autograd.tensor(g, dtype=dtype))
    yt.backward(torch.tensor(g, dtype=getattr(torch, dtype)))
    assert np.isfinite(xo.grad.numpy()).all()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), **tol)


@pytest.mark.parametrize("name,kwargs", [("l1_loss", {}), ("smooth_l1_loss", {"beta": 1.0}),
                                         ("smooth_l1_loss", {"beta": 0.0}),
                                         ("huber_loss", {"delta": 1.0}),
                                         ("huber_loss", {"delta": 0.5})])  # fmt: skip
def test_regression_losses_at_their_kinks_match_torch(name, kwargs):
    x = np.array([0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 3.0])
    y = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 1.0, -4.0])
    xo, xt = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    lo = getattr(F, name)(xo, autograd.tensor(y), reduction="sum", **kwargs)
    lt = getattr(TF, name)(xt, torch.tensor(y), reduction="sum", **kwargs)
    np.testing.assert_allclose(lo.item(), lt.item(), rtol=1e-12)
    lo.backward()
    lt.backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


def test_prelu_at_zero_and_negative_zero_matches_torch():
    x = np.array([[0.0, -0.0, 1.0], [-2.0, 0.0, 3.0]])
    w = np.array([0.25, -0.5, 2.0])
    xo, wo = autograd.tensor(x, requires_grad=True), autograd.tensor(w, requires_grad=True)
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    F.prelu(xo, wo).sum().backward()
    TF.prelu(xt, wt).sum().backward()
    np.testing.assert_array_equal(xo.grad.numpy(), xt.grad.numpy())
    np.testing.assert_array_equal(wo.grad.numpy(), wt.grad.numpy())


# --------------------------------------------------------------------------- one_hot
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3), (1, 1, 4)])
@pytest.mark.parametrize("num_classes", [-1, 7])
def test_one_hot_matches_torch(shape, num_classes):
    labels = np.random.default_rng(0).integers(0, 5, shape)
    if labels.size == 0 and num_classes == -1:
        with pytest.raises(RuntimeError):
            TF.one_hot(torch.tensor(labels), num_classes)
        with pytest.raises(RuntimeError):
            F.one_hot(autograd.tensor(labels), num_classes)
        return
    ours = F.one_hot(autograd.tensor(labels), num_classes)
    theirs = TF.one_hot(torch.tensor(labels), num_classes)
    assert ours.dtype == autograd.int64
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize(
    "labels,num_classes",
    [([0, -1], -1), ([0, 3], 3), ([1, 5], 2), ([0.0, 1.0], -1)],
    ids=["negative", "equal-to-num-classes", "above", "float"],
)
def test_one_hot_refuses_what_torch_refuses(labels, num_classes):
    with pytest.raises(RuntimeError):
        TF.one_hot(torch.tensor(labels), num_classes)
    with pytest.raises(RuntimeError):
        F.one_hot(autograd.tensor(labels), num_classes)


def test_one_hot_refuses_int32_as_torch():
    with pytest.raises(RuntimeError):
        TF.one_hot(torch.tensor([1, 2], dtype=torch.int32))
    with pytest.raises(RuntimeError):
        F.one_hot(autograd.tensor([1, 2], dtype=autograd.int32))


# --------------------------------------------------------------------------- norms, distances
@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, math.inf])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_normalize_matches_torch(p, dim):
    x = np.random.default_rng(1).standard_normal((3, 4))
    x[0] = 0.0  # a zero row: the norm is raised to eps
    xo, xt = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = F.normalize(xo, p, dim), TF.normalize(xt, p, dim)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
    g = np.random.default_rng(2).standard_normal(x.shape)
    yo.backward(autograd.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_cosine_similarity_broadcasts_and_clamps_like_torch():
    x1 = np.random.default_rng(3).standard_normal((4, 1, 3))
    x2 = np.random.default_rng(4).standard_normal((1, 5, 3)) * 1e-9  # norms below eps
    a, b = autograd.tensor(x1, requires_grad=True), autograd.tensor(x2, requires_grad=True)
    c, d = torch.tensor(x1, requires_grad=True), torch.tensor(x2, requires_grad=True)
    yo, yt = F.cosine_similarity(a, b, dim=-1), TF.cosine_similarity(c, d, dim=-1)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-10)
    yo.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), c.grad.numpy(), rtol=1e-8)
    np.testing.assert_allclose(b.grad.numpy(), d.grad.numpy(), rtol=1e-8)


# --------------------------------------------------------------------------- dropout variants
@pytest.mark.parametrize(
    "ours,theirs,shape",
    [
        (F.dropout1d, TF.dropout1d, (4, 3, 5)),
        (F.dropout2d, TF.dropout2d, (4, 3, 2, 5)),
        (F.alpha_dropout, TF.alpha_dropout, (4, 6)),
        (F.dropout, TF.dropout, (4, 6)),
    ],
)
def test_dropout_variants_are_the_identity_in_eval(ours, theirs, shape):
    x = autograd.randn(*shape)
    assert ours(x, 0.5, training=False) is x
    assert ours(x, 0.0, training=True) is x
    with pytest.raises(ValueError):
        ours(x, 1.5)
    with pytest.raises(ValueError):
        theirs(torch.zeros(shape), 1.5)


@pytest.mark.parametrize("fn,shape", [(F.dropout1d, (200, 30, 4)), (F.dropout2d, (200, 30, 2, 2))])
def test_channel_dropout_zeroes_whole_channels_at_rate_p(fn, shape):
    autograd.manual_seed(0)
    x = autograd.ones(*shape)
    y = fn(x, 0.3, training=True).numpy()
    per_channel = y.reshape(shape[0], shape[1], -1)
    assert ((per_channel == 0).all(-1) | (per_channel == 1 / 0.7).all(-1)).all()
    rate = (per_channel[..., 0] == 0).mean()
    assert abs(rate - 0.3) < 0.03


def test_alpha_dropout_keeps_mean_and_variance_as_torch():
    autograd.manual_seed(0)
    x = autograd.randn(200000)
    y = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    # the dropped value is PyTorch's: a (alpha' p - alpha') with alpha' = 1.7581
    t = TF.alpha_dropout(torch.randn(200000), 0.2, training=True).numpy()
    dropped_t = np.unique(np.round(t, 6), return_counts=True)
    dropped_o = np.unique(np.round(y, 6), return_counts=True)
    assert dropped_t[0][np.argmax(dropped_t[1])] == dropped_o[0][np.argmax(dropped_o[1])]


def test_dropout_modules_follow_training_mode():
    for layer in (nn.Dropout1d(0.5), nn.Dropout2d(0.5), nn.AlphaDropout(0.5)):
        x = (
            autograd.randn(2, 3, 4)
            if not isinstance(layer, nn.Dropout2d)
            else autograd.randn(2, 3, 4, 4)
        )
        layer.eval()
        assert layer(x) is x
        layer.train()
        assert not np.array_equal(layer(x).numpy(), x.numpy())
    assert repr(nn.Dropout2d(0.2)) == repr(torch.nn.Dropout2d(0.2))
    assert repr(nn.AlphaDropout()) == repr(torch.nn.AlphaDropout())


# --------------------------------------------------------------------------- interpolate
def test_interpolate_refuses_what_torch_refuses():
    x = autograd.zeros(1, 1, 4, 4)
    xt = torch.zeros(1, 1, 4, 4)
    bad = [
        dict(size=2, scale_factor=2),
        dict(),
        dict(size=2, mode="nearest", align_corners=True),
        dict(size=(2, 2, 2)),
    ]
    for kwargs in bad:
        with pytest.raises(ValueError):
            TF.interpolate(xt, **kwargs)
        with pytest.raises(ValueError):
            F.interpolate(x, **kwargs)
    with pytest.raises(NotImplementedError):
        TF.interpolate(xt, size=3, mode="linear")
    with pytest.raises(NotImplementedError):
        F.interpolate(x, size=3, mode="linear")


@pytest.mark.parametrize("scale", [2, 3, 0.5])
def test_interpolate_nearest_3d_and_area_match_torch(scale):
    x = np.random.default_rng(5).standard_normal((2, 3, 7))
    for mode in ("nearest", "nearest-exact", "area"):
        yo = F.interpolate(autograd.tensor(x), scale_factor=scale, mode=mode)
        yt = TF.interpolate(torch.tensor(x), scale_factor=scale, mode=mode)
        np.testing.assert_allclose(yo.numpy(), yt.numpy(), rtol=1e-12)


# --------------------------------------------------------------------------- cross-entropy
def test_cross_entropy_label_smoothing_refuses_out_of_range_as_torch():
    x, y = autograd.randn(3, 4), autograd.tensor([0, 1, 2])
    with pytest.raises(RuntimeError):
        TF.cross_entropy(torch.randn(3, 4), torch.tensor([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(RuntimeError):
        F.cross_entropy(x, y, label_smoothing=1.5)


def test_cross_entropy_label_smoothing_unbatched_matches_torch():
    x = np.random.default_rng(6).standard_normal(5)
    xo, xt = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    lo = F.cross_entropy(xo, autograd.tensor(2), label_smoothing=0.3)
    lt = TF.cross_entropy(xt, torch.tensor(2), label_smoothing=0.3)
    np.testing.assert_allclose(lo.item(), lt.item(), rtol=1e-12)
    lo.backward()
    lt.backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10)


def test_functional_names_exist_as_in_torch():
    names = [
        "adaptive_avg_pool2d", "adaptive_avg_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d",
        "silu", "softplus", "mish", "hardtanh", "relu6", "group_norm", "instance_norm", "conv1d",
        "conv_transpose1d", "conv_transpose2d", "avg_pool1d", "max_pool1d", "interpolate",
        "normalize", "cosine_similarity", "pairwise_distance", "l1_loss", "smooth_l1_loss",
        "huber_loss", "kl_div", "dropout", "dropout1d", "dropout2d", "embedding", "pad",
        "one_hot", "glu", "logsigmoid", "pixel_shuffle", "bilinear", "prelu", "selu", "celu",
    ]  # fmt: skip
    for name in names:
        assert callable(getattr(F, name)), name
        assert callable(getattr(TF, name)), name


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_accepts_value_none_and_refuses_a_value_for_other_modes_as_torch(mode):
    x = np.random.default_rng(7).standard_normal((1, 2, 4))
    yo = F.pad(autograd.tensor(x), (2, 1), mode=mode, value=None)
    yt = TF.pad(torch.tensor(x), (2, 1), mode=mode, value=None)
    np.testing.assert_array_equal(yo.numpy(), yt.numpy())
    if mode != "constant":
        with pytest.raises(RuntimeError):
            TF.pad(torch.tensor(x), (2, 1), mode=mode, value=1.0)
        with pytest.raises(RuntimeError):
            F.pad(autograd.tensor(x), (2, 1), mode=mode, value=1.0)


def test_embedding_takes_torchs_keywords():
    w = autograd.randn(5, 3, requires_grad=True)
    idx = autograd.tensor([[0, 4], [2, 2]])
    out = F.embedding(idx, w, padding_idx=None, norm_type=2.0, scale_grad_by_freq=False)
    np.testing.assert_array_equal(out.detach().numpy(), w.detach().numpy()[idx.numpy()])
    with pytest.raises(NotImplementedError):
        F.embedding(idx, w, scale_grad_by_freq=True)


@pytest.mark.parametrize("max_norm", [0.5, 1.5, 100.0])
@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, float("inf")])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_max_norm_renormalizes_the_picked_rows_as_torch(max_norm, norm_type, padding_idx):
    """max_norm scales, in place and without gradient, each picked row whose norm exceeds it
    (PyTorch's embedding_renorm_); the layer takes torch's positional order, so
    Embedding(6, 3, None, 1.5) means max_norm=1.5 (it was refused, and the 4th argument was
    _weight)."""
    w = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32) * 2
    idx = np.array([[0, 2, 2], [5, 1, 0]])
    results = []
    for lib, layers in ((torch, torch.nn), (autograd, nn)):
        e = layers.Embedding(6, 3, padding_idx, max_norm, norm_type, _weight=lib.tensor(w))
        out = e(lib.tensor(idx))
        (out * lib.tensor(np.arange(18.0, dtype=np.float32).reshape(2, 3, 3))).sum().backward()
        results.append([t.detach().numpy() for t in (out, e.weight, e.weight.grad)])
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("freeze", [True, False])
def test_embedding_from_pretrained_as_torch(freeze):
    w = np.random.default_rng(1).standard_normal((4, 2)).astype(np.float32)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(w), freeze=freeze, padding_idx=1)
    ours = nn.Embedding.from_pretrained(autograd.tensor(w), freeze=freeze, padding_idx=1)
    assert ours.weight.requires_grad == theirs.weight.requires_grad == (not freeze)
    assert repr(ours) == repr(theirs)
    idx = [[1, 3], [0, 0]]
    np.testing.assert_array_equal(
        ours(autograd.tensor(idx)).detach().numpy(), theirs(torch.tensor(idx)).detach().numpy()
    )
    with pytest.raises(AssertionError):
        nn.Embedding.from_pretrained(autograd.tensor(w[0]))


def test_kl_div_warns_about_mean_as_torch():
    x, y = autograd.tensor([[-1.0, -0.5]]), autograd.tensor([[0.3, 0.7]])
    with pytest.warns(UserWarning, match="batchmean"):
        TF.kl_div(torch.tensor([[-1.0, -0.5]]), torch.tensor([[0.3, 0.7]]))
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(x, y)


_LOSS_CALLS = {
    "mse_loss": lambda F, L, x, t: F.mse_loss(x, t, reduction="elementwise_mean"),
    "l1_loss": lambda F, L, x, t: F.l1_loss(x, t, reduction="elementwise_mean"),
    "smooth_l1_loss": lambda F, L, x, t: F.smooth_l1_loss(x, t, reduction="elementwise_mean"),
    "huber_loss": lambda F, L, x, t: F.huber_loss(x, t, reduction="elementwise_mean"),
    "kl_div": lambda F, L, x, t: F.kl_div(x, t, reduction="elementwise_mean"),
    "soft_margin_loss": lambda F, L, x, t: F.soft_margin_loss(x, t, reduction="elementwise_mean"),
    "bce": lambda F, L, x, t: F.binary_cross_entropy(x, t, reduction="elementwise_mean"),
    "bce_logits": lambda F, L, x, t: F.binary_cross_entropy_with_logits(
        x, t, reduction="elementwise_mean"
    ),
    "nll_loss": lambda F, L, x, t: F.nll_loss(x, L.tensor([0, 2]), reduction="elementwise_mean"),
    "cross_entropy": lambda F, L, x, t: F.cross_entropy(
        x, L.tensor([0, 2]), reduction="elementwise_mean"
    ),
    "hinge_embedding_loss": lambda F, L, x, t: F.hinge_embedding_loss(
        x, L.ones(2, 3), reduction="elementwise_mean"
    ),
    "margin_ranking_loss": lambda F, L, x, t: F.margin_ranking_loss(
        x[:, 0], x[:, 1], L.tensor([1.0, -1.0]), reduction="elementwise_mean"
    ),
    "cosine_embedding_loss": lambda F, L, x, t: F.cosine_embedding_loss(
        x, t, L.tensor([1.0, -1.0]), reduction="elementwise_mean"
    ),
    "poisson_nll_loss": lambda F, L, x, t: F.poisson_nll_loss(x, t, reduction="elementwise_mean"),
    "gaussian_nll_loss": lambda F, L, x, t: F.gaussian_nll_loss(
        x, t, L.ones(2, 3), reduction="elementwise_mean"
    ),
}


@pytest.mark.parametrize("name", sorted(_LOSS_CALLS))
def test_functional_losses_take_the_deprecated_elementwise_mean_as_torch(name):
    """F.mse_loss(..., reduction='elementwise_mean') is the mean with a deprecation warning in
    PyTorch (only the layers took it here); poisson and gaussian NLL refuse it there."""
    rng = np.random.default_rng(0)
    x, t = rng.uniform(0.1, 0.9, (2, 3)), rng.uniform(0.1, 0.9, (2, 3))
    outcomes = []
    for lib, functional in ((torch, TF), (autograd, F)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out = _LOSS_CALLS[name](functional, lib, lib.tensor(x), lib.tensor(t))
                result = float(out.item())
            except Exception as e:  # compared below
                result = type(e).__name__
        deprecations = sum("elementwise_mean" in str(w.message) for w in caught)
        outcomes.append((result, deprecations, len(caught)))
    (theirs, ours) = outcomes
    if isinstance(theirs[0], float):
        assert ours[0] == pytest.approx(theirs[0], rel=1e-12)
        assert ours[1:] == theirs[1:]
    else:
        assert ours[0] == theirs[0]
