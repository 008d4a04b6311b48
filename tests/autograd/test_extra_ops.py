"""torch.std_mean / var_mean and take_along_dim against torch: values, dtypes, shapes,
gradients (and gradcheck in float64), grad_fn names, warnings and errors."""

import warnings

import numpy as np
import pytest
import torch

import autograd
from autograd import gradcheck, gradgradcheck

TOL = {"float16": 2e-3, "float32": 1e-5, "float64": 1e-12}


def _pair(shape, dtype, seed=0, requires_grad=True):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    ours = autograd.tensor(a, requires_grad=requires_grad)
    theirs = torch.tensor(a, requires_grad=requires_grad)
    return ours, theirs


def _same(ours, theirs, tol):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(
        ours.detach().numpy().astype("float64"),
        theirs.detach().numpy().astype("float64"),
        rtol=tol,
        atol=tol,
        equal_nan=True,
    )


def _outcome(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = fn()
        except Exception as error:  # noqa: BLE001  (the type is what is compared)
            return type(error), None, [str(w.message) for w in caught]
    return None, out, [str(w.message).split(" (Triggered")[0] for w in caught]


CASES = [
    ((3, 4), {}),
    ((3, 4), {"dim": 1}),
    ((3, 4), {"dim": 0, "keepdim": True}),
    ((3, 4), {"dim": (0, 1), "correction": 0}),
    ((3, 4), {"dim": -1, "unbiased": False}),
    ((2, 1, 3), {"dim": 1}),  # a dof <= 0 warning and nan/inf
    ((2, 1, 3), {"dim": [0, 2], "correction": 2, "keepdim": True}),
    ((0, 3), {"dim": 0}),
    ((0, 3), {"dim": 1}),
    ((1,), {}),
    ((), {}),
    ((5,), {"correction": 1.5}),
]


@pytest.mark.parametrize("op", ["std_mean", "var_mean"])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("shape,kwargs", CASES)
def test_moments_match_torch(op, dtype, shape, kwargs):
    x, xt = _pair(shape, dtype)
    err, out, warned = _outcome(lambda: getattr(autograd, op)(x, **kwargs))
    err_t, out_t, warned_t = _outcome(lambda: getattr(torch, op)(xt, **kwargs))
    assert err is err_t
    assert warned == warned_t
    if err is not None:
        return
    assert isinstance(out, tuple) and len(out) == 2
    for o, t in zip(out, out_t, strict=True):
        _same(o, t, TOL[dtype])
        assert type(o.grad_fn).__name__ == type(t.grad_fn).__name__ or (
            o.grad_fn.name() == t.grad_fn.name()
        )
    if dtype != "float16" and x.numel():
        w = np.random.default_rng(1).standard_normal(out[0].shape)
        ((out[0] * autograd.tensor(w, dtype=x.dtype)).sum() + out[1].sum() * 3).backward()
        ((out_t[0] * torch.tensor(w, dtype=xt.dtype)).sum() + out_t[1].sum() * 3).backward()
        _same(x.grad, xt.grad, 1e-4 if dtype == "float32" else 1e-10)


def test_moments_unbiased_positional_and_method_names():
    x, xt = _pair((3, 4), "float64")
    for args in [(True,), (False,), (0, False), (1, True, True)]:
        for op in ("std_mean", "var_mean"):
            for o, t in zip(getattr(autograd, op)(x, *args), getattr(torch, op)(xt, *args)):
                _same(o, t, 1e-12)
    assert autograd.std_mean(x, 1)[0].grad_fn.name() == "StdMeanBackward0"
    assert autograd.var_mean(x, 1)[1].grad_fn.name() == "VarMeanBackward0"


@pytest.mark.parametrize("op", ["std_mean", "var_mean"])
@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)])
def test_moments_gradcheck(op, dim):
    x = autograd.tensor(np.random.default_rng(2).standard_normal((3, 4)), requires_grad=True)

    def f(x):
        s, m = getattr(autograd, op)(x, dim)
        return s * 2 + m

    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"dim": 2},
        {"dim": 1.5},
        {"unbiased": True, "correction": 1},
        {"unbiased": 1},
        {"correction": "a"},
    ],
)
@pytest.mark.parametrize("op", ["std_mean", "var_mean"])
def test_moments_bad_arguments(op, kwargs):
    x, xt = _pair((3, 4), "float32")
    assert (
        _outcome(lambda: getattr(autograd, op)(x, **kwargs))[0]
        is (_outcome(lambda: getattr(torch, op)(xt, **kwargs))[0])
    )


@pytest.mark.parametrize("op", ["std_mean", "var_mean"])
def test_moments_refuse_integers(op):
    with pytest.raises(RuntimeError, match=f"{op} only support floating point"):
        getattr(autograd, op)(autograd.arange(3))
    with pytest.raises(RuntimeError, match=f"{op} only support floating point"):
        getattr(torch, op)(torch.arange(3))


# ------------------------------------------------------------------ take_along_dim

TAKE = [
    ((3, 4), (3, 2), 1),
    ((3, 4), (2, 4), 0),
    ((3, 4), (1, 2), 1),  # indices broadcast over dim 0
    ((3, 1), (3, 5), 1),  # input broadcast? no: dim 1 of input is 1, indices all 0
    ((2, 3, 4), (2, 1, 4), -2),
    ((2, 3, 4), (1, 3, 1), 2),
    ((3, 4), (3, 0), 1),
    ((0, 4), (0, 2), 1),
    ((3, 4), (5,), None),
    ((3, 4), (2, 3), None),
    ((), (), None),
    ((1,), (3,), 0),
]


def _indices(shape, input_shape, dim, seed=0):
    rng = np.random.default_rng(seed)
    if dim is None:
        n = int(np.prod(input_shape))
    else:
        n = input_shape[dim] if input_shape else 1
    return rng.integers(0, max(n, 1), shape).astype("int64")


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "float16"])
@pytest.mark.parametrize("shape,index_shape,dim", TAKE)
def test_take_along_dim_matches_torch(dtype, shape, index_shape, dim):
    grad = dtype in ("float32", "float64")
    x, xt = _pair(shape, dtype if dtype != "int64" else "float64", requires_grad=False)
    if dtype == "int64":
        x, xt = x.long(), xt.long()
    x.requires_grad_(grad)
    xt.requires_grad_(grad)
    i = _indices(index_shape, shape, dim)
    args = () if dim is None else (dim,)
    out = autograd.take_along_dim(x, autograd.tensor(i), *args)
    out_t = torch.take_along_dim(xt, torch.tensor(i), *args)
    _same(out, out_t, 0)
    _same(x.take_along_dim(autograd.tensor(i), *args), out_t, 0)
    if grad:
        assert out.grad_fn.name() == out_t.grad_fn.name()
        w = np.random.default_rng(3).standard_normal(out.shape)
        (out * autograd.tensor(w, dtype=x.dtype)).sum().backward()
        (out_t * torch.tensor(w, dtype=xt.dtype)).sum().backward()
        _same(x.grad, xt.grad, 1e-6)


def test_take_along_dim_of_a_0d_tensor_needs_no_dim():
    for dim in (0, -1):
        with pytest.raises(IndexError, match="Dimension specified as"):
            torch.take_along_dim(torch.tensor(1.0), torch.tensor(0), dim)
        with pytest.raises(IndexError, match="Dimension specified as"):
            autograd.take_along_dim(autograd.tensor(1.0), autograd.tensor(0), dim)


def test_take_along_dim_gradcheck():
    x = autograd.tensor(np.random.default_rng(4).standard_normal((3, 4)), requires_grad=True)
    i = autograd.tensor([[0, 3, 3], [1, 1, 0], [2, 0, 1]])
    assert gradcheck(lambda x: autograd.take_along_dim(x, i, 1), (x,))
    assert gradgradcheck(lambda x: autograd.take_along_dim(x, i, 1) ** 2, (x,))
    assert gradcheck(lambda x: autograd.take_along_dim(x, autograd.tensor([11, 0, 11])), (x,))


@pytest.mark.parametrize(
    "index,dim",
    [
        (np.array([[0]], "int32"), 1),
        (np.array([[1.0]]), 1),
        (np.array([0]), 1),
        (np.array([[0, 0]] * 2), 1),
        (np.array([[0]]), 2),
        (np.array([[0]]), -3),
        (np.array([13]), None),
        (np.array([-13]), None),
    ],
)
def test_take_along_dim_errors(index, dim):
    x, xt = _pair((3, 4), "float32")
    args = () if dim is None else (dim,)
    err = _outcome(lambda: autograd.take_along_dim(x, autograd.tensor(index), *args))[0]
    err_t = _outcome(lambda: torch.take_along_dim(xt, torch.tensor(index), *args))[0]
    assert err is not None and err is err_t
    assert x.grad is None and x._version == 0


@pytest.mark.parametrize("index", [[[4]] * 3, [[-1]] * 3, [[0], [0], [9]]])
def test_take_along_dim_refuses_indices_out_of_range(index):
    # torch 2.13 checks no bounds on this path (it reads past the row: undefined values);
    # we refuse them as torch.gather does
    x = autograd.ones(3, 4, requires_grad=True)
    with pytest.raises(RuntimeError, match="out of bounds for dimension 1 with size 4"):
        autograd.take_along_dim(x, autograd.tensor(index), 1)
