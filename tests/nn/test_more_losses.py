"""MultiLabelSoftMarginLoss, MultiMarginLoss, MultiLabelMarginLoss and
TripletMarginWithDistanceLoss against torch: values, dtypes, shapes, gradients (gradcheck in
float64), grad_fn names, reprs and errors."""

import warnings

import numpy as np
import pytest
import torch

import autograd
import nn
import nn.functional as F
from autograd import gradcheck, gradgradcheck

TOL = {"float32": 1e-5, "float64": 1e-12}
REDUCTIONS = ["mean", "sum", "none"]


def _both(a, requires_grad=False):
    a = np.asarray(a)
    grad = requires_grad and a.dtype.kind == "f"
    return autograd.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)


def _outcome(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return None, fn()
        except Exception as error:  # noqa: BLE001  (the type is what is compared)
            return type(error), str(error)


def _check(ours_fn, torch_fn, x, xt, dtype, name=None):
    out, out_t = ours_fn(), torch_fn()
    assert tuple(out.shape) == tuple(out_t.shape)
    assert str(out.dtype) == str(out_t.dtype).removeprefix("torch.")
    np.testing.assert_allclose(
        out.detach().numpy(), out_t.detach().numpy(), rtol=TOL[dtype], atol=TOL[dtype]
    )
    if name is not None and out_t.grad_fn is not None:
        assert out.grad_fn.name() == out_t.grad_fn.name() == name
    if x.requires_grad and out.numel() and out_t.grad_fn is not None:
        w = np.random.default_rng(5).standard_normal(tuple(out.shape)).astype(dtype)
        (out * autograd.tensor(w)).sum().backward()
        (out_t * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(
            x.grad.numpy(), xt.grad.numpy(), rtol=10 * TOL[dtype], atol=10 * TOL[dtype]
        )


def _empty_batch(out, reduction):
    """torch 2.13's C++ margin losses return uninitialised memory for an empty batch reduced:
    ours are the mean (nan) and sum (0) of no losses."""
    value = out.item()
    assert np.isnan(value) if reduction == "mean" else value == 0.0


def _data(shape, dtype, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ------------------------------------------------------------ multilabel_soft_margin_loss
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(3, 4), (1, 1), (0, 4), (4,), (2, 3, 2)])
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_loss(dtype, reduction, shape, weighted):
    x, xt = _both(_data(shape, dtype), True)
    y, yt = _both((np.random.default_rng(1).random(shape) > 0.5).astype(dtype))
    kw, kwt = {}, {}
    if weighted:
        kw["weight"], kwt["weight"] = _both(_data(shape[-1:], dtype, 2))
    _check(
        lambda: F.multilabel_soft_margin_loss(x, y, reduction=reduction, **kw),
        lambda: torch.nn.functional.multilabel_soft_margin_loss(xt, yt, reduction=reduction, **kwt),
        x,
        xt,
        dtype,
    )
    layer = nn.MultiLabelSoftMarginLoss(reduction=reduction, **kw)
    layer_t = torch.nn.MultiLabelSoftMarginLoss(reduction=reduction, **kwt)
    assert repr(layer) == repr(layer_t)
    x.grad = None
    xt.grad = None
    _check(lambda: layer(x, y), lambda: layer_t(xt, yt), x, xt, dtype)


# ------------------------------------------------------------ multi_margin_loss
MM_CASES = [((3, 4), [0, 3, 1]), ((1, 1), [0]), ((0, 4), []), ((4,), [2]), ((4,), 2),
            ((), 0), ((5, 2), [1, 0, 0, 1, 1])]  # fmt: skip


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape,target", MM_CASES)
@pytest.mark.parametrize("p,margin,weighted", [(1, 1.0, False), (2, 0.5, True), (1, 2, True)])
def test_multi_margin_loss(dtype, reduction, shape, target, p, margin, weighted):
    x, xt = _both(_data(shape, dtype), True)
    y, yt = _both(np.asarray(target, dtype="int64"))
    kw, kwt = {}, {}
    if weighted:
        c = shape[-1] if shape else 1
        kw["weight"], kwt["weight"] = _both(np.abs(_data((c,), dtype, 2)))
    args = dict(p=p, margin=margin, reduction=reduction)
    if shape == (0, 4) and reduction != "none":
        _empty_batch(F.multi_margin_loss(x, y, **args, **kw), reduction)
        return
    _check(
        lambda: F.multi_margin_loss(x, y, **args, **kw),
        lambda: torch.nn.functional.multi_margin_loss(xt, yt, **args, **kwt),
        x,
        xt,
        dtype,
        "MultiMarginLossBackward0",
    )
    layer, layer_t = nn.MultiMarginLoss(**args, **kw), torch.nn.MultiMarginLoss(**args, **kwt)
    assert repr(layer) == repr(layer_t)


def test_multi_margin_loss_gradcheck():
    x = autograd.tensor(_data((3, 5), "float64", 3), requires_grad=True)
    w = autograd.tensor(np.abs(_data((5,), "float64", 4)) + 0.1, requires_grad=True)
    y = autograd.tensor([0, 4, 2])
    for p in (1, 2):
        assert gradcheck(lambda x, w, p=p: F.multi_margin_loss(x, y, p=p, margin=0.7, weight=w),
                         (x, w))  # fmt: skip
    assert gradgradcheck(lambda x: F.multi_margin_loss(x, y, p=2, reduction="none"), (x,))


# ------------------------------------------------------------ multilabel_margin_loss
MLM_CASES = [
    ((3, 4), [[0, 3, -1, 1], [2, 2, 1, -1], [-1, 0, 1, 2]]),
    ((2, 3), [[0, 1, 2], [1, -1, -1]]),
    ((1, 1), [[0]]),
    ((0, 4), np.zeros((0, 4))),
    ((4,), [3, 0, -1, 2]),
    ((), 0),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape,target", MLM_CASES)
def test_multilabel_margin_loss(dtype, reduction, shape, target):
    x, xt = _both(_data(shape, dtype), True)
    y, yt = _both(np.asarray(target, dtype="int64"))
    if shape == (0, 4) and reduction != "none":
        _empty_batch(F.multilabel_margin_loss(x, y, reduction=reduction), reduction)
        return
    _check(
        lambda: F.multilabel_margin_loss(x, y, reduction=reduction),
        lambda: torch.nn.functional.multilabel_margin_loss(xt, yt, reduction=reduction),
        x,
        xt,
        dtype,
        "MultilabelMarginLossBackward0",
    )
    layer = nn.MultiLabelMarginLoss(reduction=reduction)
    assert repr(layer) == repr(torch.nn.MultiLabelMarginLoss(reduction=reduction))


def test_multilabel_margin_loss_gradcheck():
    x = autograd.tensor(_data((3, 4), "float64", 3), requires_grad=True)
    y = autograd.tensor([[0, 3, -1, 1], [2, 2, 1, -1], [1, 0, 3, 2]])
    assert gradcheck(lambda x: F.multilabel_margin_loss(x, y), (x,))
    assert gradcheck(lambda x: F.multilabel_margin_loss(x, y, reduction="none"), (x,))


# ------------------------------------------------------------ triplet with a distance
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(3, 4), (1, 1), (0, 4), (4,)])
@pytest.mark.parametrize("swap,margin", [(False, 1.0), (True, 0.3)])
@pytest.mark.parametrize("distance", ["default", "cosine", "l1"])
def test_triplet_margin_with_distance_loss(dtype, reduction, shape, swap, margin, distance):
    a, at = _both(_data(shape, dtype, 0), True)
    p, pt = _both(_data(shape, dtype, 1), True)
    n, nt = _both(_data(shape, dtype, 2), True)
    fn = {"default": None, "cosine": lambda u, v: 1 - F.cosine_similarity(u, v, dim=-1),
          "l1": lambda u, v: (u - v).abs().sum(-1)}[distance]  # fmt: skip
    fn_t = {"default": None, "cosine": lambda u, v: 1 - torch.cosine_similarity(u, v, dim=-1),
            "l1": lambda u, v: (u - v).abs().sum(-1)}[distance]  # fmt: skip
    kw = dict(margin=margin, swap=swap, reduction=reduction)
    _check(
        lambda: F.triplet_margin_with_distance_loss(a, p, n, distance_function=fn, **kw),
        lambda: torch.nn.functional.triplet_margin_with_distance_loss(
            at, pt, nt, distance_function=fn_t, **kw
        ),
        a,
        at,
        dtype,
    )
    layer = nn.TripletMarginWithDistanceLoss(distance_function=fn, **kw)
    layer_t = torch.nn.TripletMarginWithDistanceLoss(distance_function=fn_t, **kw)
    if fn is None:
        assert repr(layer) == repr(layer_t)
    out, out_t = layer(a, p, n), layer_t(at, pt, nt)
    np.testing.assert_allclose(out.detach().numpy(), out_t.detach().numpy(), rtol=1e-5)


def test_triplet_margin_with_distance_loss_gradcheck():
    a, p, n = (autograd.tensor(_data((3, 4), "float64", s), requires_grad=True) for s in range(3))
    assert gradcheck(lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, swap=True),
                     (a, p, n))  # fmt: skip


# ------------------------------------------------------------ errors, as torch's
ERRORS = [
    ("multi_margin_loss", (_data((3, 4), "float32"), np.array([0, 4, 1])), {}),
    ("multi_margin_loss", (_data((3, 4), "float32"), np.array([0, -1, 1])), {}),
    ("multi_margin_loss", (_data((3, 4), "float32"), np.array([0, 1])), {}),
    ("multi_margin_loss", (_data((3, 4), "float32"), np.array([[0, 1, 1]])), {}),
    ("multi_margin_loss", (_data((3, 4), "float32"), np.array([0.0, 1, 1])), {}),
    ("multi_margin_loss", (_data((3, 4), "float32"), np.array([0, 1, 1])), {"p": 3}),
    ("multi_margin_loss", (_data((3, 0), "float32"), np.array([0, 0, 0])), {}),
    ("multi_margin_loss", (_data((2, 3, 4), "float32"), np.array([0, 0])), {}),
    ("multi_margin_loss", (np.ones((3, 4), "int64"), np.array([0, 0, 0])), {}),
    ("multi_margin_loss", (_data((3, 4), "float32"), np.array([0, 1, 1])), {"reduction": "x"}),
    ("multi_margin_loss", (_data((4,), "float32"), np.array([0, 1])), {}),
    ("multilabel_margin_loss", (_data((3, 4), "float32"), np.array([[0, 4, -1, 1]] * 3)), {}),
    ("multilabel_margin_loss", (_data((3, 4), "float32"), np.array([[0, -2, -1, 1]] * 3)), {}),
    ("multilabel_margin_loss", (_data((3, 4), "float32"), np.array([[0, 1, -1]] * 3)), {}),
    ("multilabel_margin_loss", (_data((3, 4), "float32"), np.array([[0.0, 1, -1, 1]] * 3)), {}),
    ("multilabel_margin_loss", (_data((3, 0), "float32"), np.zeros((3, 0), "int64")), {}),
    ("multilabel_margin_loss", (_data((3, 4), "float32"), np.zeros((3, 4), "int64")),
     {"reduction": "bad"}),
    ("multilabel_soft_margin_loss", (_data((3, 4), "float32"), np.ones((3, 4), "float32")),
     {"reduction": "bad"}),
    ("multilabel_soft_margin_loss", (_data((3, 4), "float32"), np.ones((3, 3), "float32")), {}),
    ("multilabel_soft_margin_loss", (_data((), "float32"), np.ones((), "float32")), {}),
]  # fmt: skip


@pytest.mark.parametrize("name,arrays,kwargs", ERRORS)
def test_errors_match_torch(name, arrays, kwargs):
    ours = [autograd.tensor(a) for a in arrays]
    theirs = [torch.tensor(a) for a in arrays]
    err, text = _outcome(lambda: getattr(F, name)(*ours, **kwargs))
    err_t, text_t = _outcome(lambda: getattr(torch.nn.functional, name)(*theirs, **kwargs))
    assert err is not None and err is err_t, (text, text_t)
    if "size of tensor a" not in text_t:  # broadcasting's own message is the engine's
        assert text == text_t.replace("torch.", "")


def test_weight_errors_and_layer_arguments():
    x, y = autograd.randn(3, 4), autograd.tensor([0, 1, 2])
    with pytest.raises(RuntimeError, match="inconsistent weight size, expected 4 but got"):
        F.multi_margin_loss(x, y, weight=autograd.ones(3))
    with pytest.raises(RuntimeError, match="expected scalar type Float but found Double"):
        F.multi_margin_loss(x, y, weight=autograd.ones(4, dtype=autograd.float64))
    with pytest.raises(ValueError, match="weight must be one-dimensional"):
        F.multi_margin_loss(x, y, weight=autograd.ones(1, 4))
    for kwargs in ({"p": 3}, {"weight": autograd.ones(2, 2)}):
        tkw = {k: torch.tensor(v.numpy()) if k == "weight" else v for k, v in kwargs.items()}
        with pytest.raises(ValueError) as ours:
            nn.MultiMarginLoss(**kwargs)
        with pytest.raises(ValueError) as theirs:
            torch.nn.MultiMarginLoss(**tkw)
        assert str(ours.value) == str(theirs.value)
    for margin in (0, -1.0):
        with pytest.raises(ValueError) as ours:
            nn.TripletMarginWithDistanceLoss(margin=margin)
        with pytest.raises(ValueError) as theirs:
            torch.nn.TripletMarginWithDistanceLoss(margin=margin)
        assert str(ours.value) == str(theirs.value)
        a = autograd.ones(2, 3)
        with pytest.raises(ValueError, match="margin must be greater than 0"):
            F.triplet_margin_with_distance_loss(a, a, a, margin=margin)
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        F.triplet_margin_with_distance_loss(a, a, autograd.ones(3))
    with pytest.raises(ValueError, match="bad is not a valid value for reduction"):
        F.triplet_margin_with_distance_loss(a, a, a, reduction="bad")
