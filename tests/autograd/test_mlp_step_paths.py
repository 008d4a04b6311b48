"""The shortcuts of the MLP training step (bench/mlp_step.py) beyond test_fast_paths: softmax's
shift over a short class dim taken across rows, Linear's backward on raw arrays, the
optimizer's one-test check of a fitting gradient. Each gives PyTorch's numbers, and the same
bits as the general route it stands in for."""

import numpy as np
import pytest
import torch

import nn
import nn.functional as F
import optim
from autograd import Tensor
from autograd import grad as autograd_grad
from autograd.ops import reduce

# rows x classes: short class dims taken across rows (2..32 classes, 16 rows or more), and
# their neighbours that keep numpy's reduction (1 class, 33 classes, few rows, 3-D)
SHAPES = [(16, 2), (128, 10), (40, 32), (37, 33), (15, 10), (64, 1), (4, 8, 10), (3, 0)]
DTYPES = [np.float16, np.float32, np.float64]
SPECIAL = np.array([0.0, -0.0, -1.0, 2.5, -np.inf, np.inf, 300.0, -300.0])
TOL = {np.float16: (2e-3, 1e-3), np.float32: (1e-5, 1e-6), np.float64: (1e-10, 1e-12)}


def _scores(shape, dtype, special, seed=0):
    rng = np.random.default_rng(seed)
    if special:  # ties of 0.0 and -0.0 for a row's max, infinite and far-apart rows
        return rng.choice(SPECIAL, size=shape, p=[0.3, 0.3, 0.1, 0.1, 0.1, 0.02, 0.04, 0.04])
    return (rng.standard_normal(shape) * 4).astype(dtype)


def _plain(a, fn):
    """softmax / log_softmax of a along its last dim as they were computed before the
    shortcut: shifted by numpy's own max along that dim."""
    with np.errstate(all="ignore"):
        out = a - a.max(axis=-1, keepdims=True)
        if fn == "softmax":
            e = np.exp(out)
            s = e.sum(axis=-1, keepdims=True, dtype="float32" if a.dtype.itemsize < 4 else None)
            return e / s.astype(a.dtype)
        return out - np.log(np.exp(out).sum(axis=-1, keepdims=True))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("special", [False, True])
def test_softmax_shift_across_rows_matches_torch_and_the_plain_max(shape, dtype, special):
    a = _scores(shape, dtype, special).astype(dtype)
    if a.size:
        # the same maxima as numpy's own reduction (a tie of 0.0 and -0.0 may pick either)
        got = reduce._max_keepdim(np, a, a.ndim - 1)
        np.testing.assert_array_equal(got, a.max(axis=-1, keepdims=True))
        assert got.shape == a.shape[:-1] + (1,) and got.dtype == a.dtype
    for fn in ("softmax", "log_softmax"):
        with np.errstate(all="ignore"):
            ours = getattr(F, fn)(Tensor(a), -1).numpy()
        theirs = getattr(torch, fn)(torch.tensor(a), -1).numpy()
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        rtol, atol = TOL[dtype]
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)
        if a.size and (fn == "log_softmax" or dtype != np.float16):  # bits as before
            np.testing.assert_array_equal(ours, _plain(a, fn).astype(dtype))


def test_softmax_shift_keeps_a_non_contiguous_input():
    a = _scores((10, 40), np.float32, False).T  # (40, 10), columns apart: numpy's route
    ours = F.log_softmax(Tensor(a), 1).numpy()
    np.testing.assert_array_equal(ours, _plain(np.ascontiguousarray(a), "log_softmax"))
    theirs = torch.log_softmax(torch.tensor(a), 1).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_over_short_class_dim_matches_torch(dtype):
    a = _scores((64, 10), dtype, False).astype(dtype)
    y = np.random.default_rng(1).integers(0, 10, 64)
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    loss = F.cross_entropy(x, Tensor(y))
    tloss = torch.nn.functional.cross_entropy(t, torch.tensor(y))
    loss.backward()
    tloss.backward()
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=rtol)
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol)
    assert x.grad.dtype == t.grad.numpy().dtype


# --------------------------------------------------------------------------- linear's backward
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (0, 4), (4,)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("transposed", [False, True])
def test_linear_backward_on_arrays_and_recorded_agree_with_torch(dtype, shape, bias, transposed):
    rng = np.random.default_rng(2)
    a = rng.standard_normal(shape[::-1] if transposed else shape).astype(dtype)
    a = a.T if transposed else a  # a non-contiguous input
    w = rng.standard_normal((3, 4)).astype(dtype)
    b = rng.standard_normal(3).astype(dtype) if bias else None
    g = rng.standard_normal(shape[:-1] + (3,)).astype(dtype)

    def ours(create_graph):
        x, wt = Tensor(a, requires_grad=True), Tensor(w, requires_grad=True)
        bt = None if b is None else Tensor(b, requires_grad=True)
        out = F.linear(x, wt, bt)
        out.backward(Tensor(g), create_graph=create_graph)  # on arrays, or recorded
        return [t.grad for t in (x, wt, bt) if t is not None]

    xs = [torch.tensor(v, requires_grad=True) for v in (a, w, b) if v is not None]
    torch.nn.functional.linear(*xs).backward(torch.tensor(g))
    raw, recorded = ours(False), ours(True)
    rtol, atol = TOL[dtype]
    for r, c, t in zip(raw, recorded, xs, strict=True):
        assert r.dtype == c.dtype == t.grad.numpy().dtype and r.shape == tuple(t.shape)
        np.testing.assert_array_equal(r.numpy(), c.detach().numpy())  # the two speeds: same bits
        np.testing.assert_allclose(r.numpy(), t.grad.numpy(), rtol=rtol, atol=atol * 10)
    assert recorded[1].grad_fn is not None  # create_graph recorded the weight's gradient


def test_linear_grad_of_grad_matches_torch():
    rng = np.random.default_rng(3)
    a, w = rng.standard_normal((4, 3)), rng.standard_normal((2, 3))
    x, wt = Tensor(a, requires_grad=True), Tensor(w, requires_grad=True)
    tx, tw = torch.tensor(a, requires_grad=True), torch.tensor(w, requires_grad=True)
    (gw,) = autograd_grad((F.linear(x, wt) ** 2).sum(), [wt], create_graph=True)
    (tgw,) = torch.autograd.grad((torch.nn.functional.linear(tx, tw) ** 2).sum(), [tw],
                                 create_graph=True)  # fmt: skip
    (gw * gw).sum().backward()
    (tgw * tgw).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(wt.grad.numpy(), tw.grad.numpy(), rtol=1e-12)


# --------------------------------------------------------------------------- the optimizer
def _model_and_torch_twin():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    twin = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    with torch.no_grad():
        for p, q in zip(model.parameters(), twin.parameters(), strict=True):
            q.copy_(torch.tensor(p.detach().numpy()))
    return model, twin


@pytest.mark.parametrize("options", [{}, {"momentum": 0.9, "weight_decay": 0.1},
                                     {"maximize": True, "weight_decay": 0.5}])  # fmt: skip
def test_sgd_steps_of_a_model_match_torch_with_versions(options):
    model, twin = _model_and_torch_twin()
    opt = optim.SGD(model.parameters(), lr=0.1, **options)
    topt = torch.optim.SGD(twin.parameters(), lr=0.1, **options)
    x = np.random.default_rng(4).standard_normal((5, 4)).astype(np.float32)
    y = np.array([0, 1, 1, 0, 1])
    start = [(p._version, q._version) for p, q in zip(model.parameters(), twin.parameters())]
    for _ in range(3):
        for o, m, inp, tgt, lib in ((opt, model, Tensor(x), Tensor(y), F),
                                    (topt, twin, torch.tensor(x), torch.tensor(y),
                                     torch.nn.functional)):  # fmt: skip
            o.zero_grad()
            lib.cross_entropy(m(inp), tgt).backward()
            o.step()
    for p, q, (v, w) in zip(model.parameters(), twin.parameters(), start, strict=True):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6)
        assert p._version - v == q._version - w == 3


@pytest.mark.parametrize("bad", ["shape", "dtype", "state"])
def test_sgd_refuses_a_misfit_before_any_update(bad):
    model, _ = _model_and_torch_twin()
    params = list(model.parameters())
    opt = optim.SGD(params, lr=0.1, momentum=0.9)
    for p in params:
        p.grad = Tensor(np.ones(p.shape, np.float32))
    opt.step()  # momentum buffers exist now
    before = [(p.detach().numpy().copy(), p._version) for p in params]
    last = params[-1]
    if bad == "shape":
        last._grad = Tensor(np.ones((7,), np.float32))  # past the setter's own check
    elif bad == "dtype":
        last._grad = Tensor(np.ones(last.shape, np.float64))
    else:
        opt.state[last]["momentum_buffer"] = Tensor(np.ones((7,), np.float32))
    with pytest.raises(RuntimeError, match=r"param_groups\[0\]\['params'\]\[3\].*no parameter"):
        opt.step()
    for p, (values, version) in zip(params, before, strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), values)
        assert p._version == version


# --------------------------------------------------------------------------- class targets
TARGETS = {
    "classes": [0, 3, 1, 2, 3, 0],
    "negative": [0, -2, 1, 2, 3, 0],
    "past_the_classes": [0, 3, 4, 2, 3, 0],
    "minus_100": [0, -100, 1, 2, -100, 3],
    "minus_1": [0, -1, 1, 2, 3, -1],
}


@pytest.mark.parametrize("targets", list(TARGETS))
@pytest.mark.parametrize("ignore_index", [-100, -1, 0, 2, 4])
@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
def test_class_targets_checked_and_ignored_as_torch(targets, ignore_index, fn):
    a = np.random.default_rng(5).standard_normal((6, 4))
    y = np.array(TARGETS[targets])
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    try:
        expected = getattr(torch.nn.functional, fn)(t, torch.tensor(y), ignore_index=ignore_index)
    except IndexError as e:
        message = str(e).split(" at ")[0].split(".")[0]  # "Target -2 is out of bounds"
        with pytest.raises(IndexError, match=message):
            getattr(F, fn)(x, Tensor(y), ignore_index=ignore_index)
        assert x.grad is None
        return
    for dtype in (np.int64, np.int32, np.int16, np.uint8):
        if dtype == np.uint8 and (y < 0).any():
            continue
        x.grad = None
        loss = getattr(F, fn)(x, Tensor(y.astype(dtype)), ignore_index=ignore_index)
        loss.backward()
        if dtype == np.int64:
            expected.backward()
        np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-12, equal_nan=True)
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-15)
