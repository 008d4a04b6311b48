"""F.unfold / F.fold (nn.Unfold / nn.Fold), F.pdist and F.local_response_norm
(nn.LocalResponseNorm) against torch: values, shapes, dtypes, gradients (gradcheck in
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


def _both(a, requires_grad=True):
    a = np.asarray(a)
    grad = requires_grad and a.dtype.kind == "f"
    return autograd.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)


def _data(shape, dtype="float64", seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _check(out, out_t, x, xt, dtype, name=None):
    assert tuple(out.shape) == tuple(out_t.shape)
    assert str(out.dtype) == str(out_t.dtype).removeprefix("torch.")
    tol = TOL[dtype]
    np.testing.assert_allclose(out.detach().numpy(), out_t.detach().numpy(), rtol=tol, atol=tol)
    if name is not None and out_t.grad_fn is not None:
        assert out.grad_fn.name() == out_t.grad_fn.name() == name
    if out.numel() and out_t.grad_fn is not None:
        w = _data(tuple(out.shape), dtype, 9)
        (out * autograd.tensor(w)).sum().backward()
        (out_t * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=10 * tol, atol=10 * tol)


def _outcome(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as error:  # noqa: BLE001  (the outcome is what is compared)
            return type(error), str(error)
    return None, None


UNFOLD = [
    ((2, 3, 5, 6), dict(kernel_size=2)),
    ((3, 5, 6), dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))),
    ((1, 1, 1, 1), dict(kernel_size=1)),
    ((0, 2, 4, 4), dict(kernel_size=3, padding=1)),
    ((2, 1, 7, 5), dict(kernel_size=[3, 2], dilation=2, padding=(2, 0), stride=3)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,kwargs", UNFOLD)
def test_unfold_and_fold_match_torch(dtype, shape, kwargs):
    x, xt = _both(_data(shape, dtype))
    out, out_t = F.unfold(x, **kwargs), torch.nn.functional.unfold(xt, **kwargs)
    _check(out, out_t, x, xt, dtype, "Im2ColBackward0")
    layer, layer_t = nn.Unfold(**kwargs), torch.nn.Unfold(**kwargs)
    assert repr(layer) == repr(layer_t)
    np.testing.assert_array_equal(layer(x).detach().numpy(), layer_t(xt).detach().numpy())
    # fold: the adjoint, from columns of the shape unfold made
    c, ct = _both(_data(tuple(out.shape), dtype, 1))
    size = shape[-2:]
    out, out_t = F.fold(c, size, **kwargs), torch.nn.functional.fold(ct, size, **kwargs)
    _check(out, out_t, c, ct, dtype, "Col2ImBackward0")
    layer, layer_t = nn.Fold(size, **kwargs), torch.nn.Fold(size, **kwargs)
    assert repr(layer) == repr(layer_t)
    np.testing.assert_allclose(layer(c).detach().numpy(), layer_t(ct).detach().numpy())


def test_unfold_fold_gradcheck():
    x = autograd.tensor(_data((1, 2, 4, 5)), requires_grad=True)
    kw = dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    assert gradcheck(lambda x: F.unfold(x, **kw), (x,))
    assert gradgradcheck(lambda x: F.unfold(x, **kw) ** 2, (x,))
    cols = autograd.tensor(_data(tuple(F.unfold(x, **kw).shape), seed=2), requires_grad=True)
    assert gradcheck(lambda c: F.fold(c, (4, 5), **kw), (cols,))


BLOCK_ERRORS = [
    ("unfold", (2, 3, 5, 6), (7,), {}),
    ("unfold", (2, 3, 5, 6), (0,), {}),
    ("unfold", (2, 3, 5, 6), (2,), {"padding": -1}),
    ("unfold", (2, 3, 5, 6), (2,), {"stride": 0}),
    ("unfold", (2, 3, 5, 6), (2,), {"dilation": 0}),
    ("unfold", (2, 3, 5, 6), ((2, 2, 2),), {}),
    ("unfold", (1, 2, 3, 5, 6), (2,), {}),
    ("unfold", (2, 0, 5, 5), (2,), {}),
    ("unfold", (3, 5), (2,), {}),
    ("fold", (2, 12, 20), ((5, 6), 3), {}),
    ("fold", (2, 12, 20), ((5, 7), 2), {}),
    ("fold", (2, 13, 20), ((5, 6), 2), {}),
    ("fold", (1, 2, 12, 20), ((5, 6), 2), {}),
    ("fold", (2, 12, 20), (5, 2), {}),
    ("fold", (2, 12, 30), ((5, 6), 2), {"padding": 1, "stride": (2, 1)}),
    ("fold", (2, 12, 20), ((5, 6), 0), {}),
    ("fold", (2, 0, 20), ((5, 6), 2), {}),
    ("fold", (2, 12, 20), ((5, 6, 1), 2), {}),
]


@pytest.mark.parametrize("name,shape,args,kwargs", BLOCK_ERRORS)
def test_unfold_fold_errors_match_torch(name, shape, args, kwargs):
    x, xt = _both(_data(shape, "float32"))
    err, text = _outcome(lambda: getattr(F, name)(x, *args, **kwargs))
    err_t, text_t = _outcome(lambda: getattr(torch.nn.functional, name)(xt, *args, **kwargs))
    assert err is not None and err is err_t
    assert text == text_t
    assert x.grad is None


@pytest.mark.parametrize("name,args", [("unfold", (2,)), ("fold", ((5, 6), 2))])
def test_unfold_fold_refuse_integers_as_torch(name, args):
    shape = (2, 3, 5, 6) if name == "unfold" else (2, 12, 20)
    err, text = _outcome(lambda: getattr(F, name)(autograd.ones(shape, dtype=autograd.int64),
                                                  *args))  # fmt: skip
    err_t, text_t = _outcome(
        lambda: getattr(torch.nn.functional, name)(torch.ones(shape, dtype=torch.long), *args)
    )
    assert err is err_t is NotImplementedError and text == text_t


# ------------------------------------------------------------------ pdist
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(4, 3), (1, 3), (0, 3), (5, 1), (3, 0)])
@pytest.mark.parametrize("p", [2, 1, 3.5, 0.5, 0, float("inf")])
def test_pdist_matches_torch(dtype, shape, p):
    x, xt = _both(_data(shape, dtype))
    _check(F.pdist(x, p), torch.nn.functional.pdist(xt, p), x, xt, dtype, "PdistBackward0")


def test_pdist_gradcheck():
    x = autograd.tensor(_data((4, 3)), requires_grad=True)
    for p in (1, 2, 3.0):
        assert gradcheck(lambda x, p=p: F.pdist(x, p), (x,))
    assert gradgradcheck(lambda x: F.pdist(x), (x,))


def test_pdist_of_equal_rows_has_gradient_zero_as_torch():
    a = np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 1.0]])
    x, xt = _both(a)
    _check(F.pdist(x), torch.nn.functional.pdist(xt), x, xt, "float64")


PDIST_ERRORS = [((4,), 2, "float32"), ((2, 2, 2), 2, "float32"), ((3, 2), -1, "float32"),
                ((3, 2), 2, "int64")]  # fmt: skip


@pytest.mark.parametrize("shape,p,dtype", PDIST_ERRORS)
def test_pdist_errors_match_torch(shape, p, dtype):
    x, xt = _both(_data(shape).astype(dtype))
    err, text = _outcome(lambda: F.pdist(x, p))
    err_t, text_t = _outcome(lambda: torch.nn.functional.pdist(xt, p))
    assert err is not None and (err, text) == (err_t, text_t)


# ------------------------------------------------------------------ local_response_norm
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(2, 5, 3, 4), (3, 5, 6), (2, 1, 3), (1, 4, 2, 2, 3), (2, 0, 3)])
@pytest.mark.parametrize(
    "size,alpha,beta,k",
    [(3, 1e-4, 0.75, 1.0), (2, 0.5, 0.6, 2.0), (1, 1.0, 1.0, 0.5), (6, 0.3, 0.75, 1.0)],
)
def test_local_response_norm_matches_torch(dtype, shape, size, alpha, beta, k):
    x, xt = _both(_data(shape, dtype))
    out = F.local_response_norm(x, size, alpha, beta, k)
    out_t = torch.nn.functional.local_response_norm(xt, size, alpha, beta, k)
    _check(out, out_t, x, xt, dtype)
    layer = nn.LocalResponseNorm(size, alpha, beta, k)
    layer_t = torch.nn.LocalResponseNorm(size, alpha, beta, k)
    assert repr(layer) == repr(layer_t)
    if x.numel() == 0:
        assert out is x and out_t is xt  # torch hands the empty input back itself


def test_local_response_norm_gradcheck_and_errors():
    x = autograd.tensor(_data((2, 4, 3)), requires_grad=True)
    assert gradcheck(lambda x: F.local_response_norm(x, 3, 0.5, 0.75, 1.0), (x,))
    assert gradgradcheck(lambda x: F.local_response_norm(x, 2, 0.5, 0.75, 1.0), (x,))
    for shape in ((3, 2), (3,)):
        err = _outcome(lambda s=shape: F.local_response_norm(autograd.ones(s), 2))
        err_t = _outcome(lambda s=shape: torch.nn.functional.local_response_norm(torch.ones(s), 2))
        assert err == err_t and err[0] is ValueError
