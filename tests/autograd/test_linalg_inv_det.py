"""linalg.inv, linalg.det, torch.det and Tensor.det against torch: values, dtypes, shapes
(batched, empty), gradients (gradcheck and gradgradcheck in float64), singular input (inv's
LinAlgError and message, det's gradient in both walks) and bad input."""

import numpy as np
import pytest
import torch

import autograd
from autograd import gradcheck, gradgradcheck

SHAPES = [(1, 1), (2, 2), (3, 3), (4, 4), (2, 3, 3), (2, 1, 2, 2), (0, 0), (0, 3, 3), (2, 0, 0)]
TOL = {"float32": 2e-5, "float64": 1e-10}


def _matrix(shape, dtype, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    n = shape[-1]
    return (a + n * np.eye(n)).astype(dtype) if n else a.astype(dtype)


def _both(a, requires_grad=True):
    return (
        autograd.tensor(a, requires_grad=requires_grad),
        torch.tensor(a, requires_grad=requires_grad),
    )


def _close(ours, theirs, tol):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("op", ["inv", "det"])
def test_values_and_gradients_match_torch(op, dtype, shape):
    x, xt = _both(_matrix(shape, dtype))
    out, out_t = getattr(autograd.linalg, op)(x), getattr(torch.linalg, op)(xt)
    _close(out, out_t, TOL[dtype])
    if out_t.grad_fn is not None:
        assert out.grad_fn.name() == out_t.grad_fn.name()
    if out.numel():
        w = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(dtype)
        (out * autograd.tensor(w)).sum().backward()
        (out_t * torch.tensor(w)).sum().backward()
        _close(x.grad, xt.grad, 10 * TOL[dtype])


@pytest.mark.parametrize("shape", [(2, 3, 3), (1, 1)])
def test_det_spellings(shape):
    x, xt = _both(_matrix(shape, "float64"))
    for ours, theirs in ((autograd.det(x), torch.det(xt)), (x.det(), xt.det())):
        _close(ours, theirs, 1e-12)
        assert ours.grad_fn.name() == theirs.grad_fn.name() == "LinalgDetBackward0"


@pytest.mark.parametrize("shape", [(3, 3), (2, 2, 2)])
def test_gradcheck(shape):
    x = autograd.tensor(_matrix(shape, "float64", 2), requires_grad=True)
    for fn in (autograd.linalg.inv, autograd.linalg.det):
        assert gradcheck(fn, (x,))
        assert gradgradcheck(fn, (x,))


def test_forward_mode_matches_reverse():
    import autograd.forward_ad as fwAD

    a = _matrix((3, 3), "float64", 3)
    t = np.random.default_rng(4).standard_normal((3, 3))
    for op in ("inv", "det"):
        with fwAD.dual_level():
            dual = fwAD.make_dual(autograd.tensor(a), autograd.tensor(t))
            tangent = fwAD.unpack_dual(getattr(autograd.linalg, op)(dual)).tangent
        with torch.autograd.forward_ad.dual_level():
            dual_t = torch.autograd.forward_ad.make_dual(torch.tensor(a), torch.tensor(t))
            out_t = getattr(torch.linalg, op)(dual_t)
            tangent_t = torch.autograd.forward_ad.unpack_dual(out_t).tangent
        np.testing.assert_allclose(tangent.numpy(), tangent_t.numpy(), rtol=1e-10, atol=1e-10)


SINGULAR = [
    [[1.0, 2, 3], [2, 4, 6], [1, 0, 1]],
    [[0.0, 0], [0, 0]],
    [[1.0, 2], [2, 4]],
    [[0.0, 1], [0, 0]],
    [[1.0, 2, 3], [4, 5, 6], [7, 8, 9]],
]


@pytest.mark.parametrize("matrix", SINGULAR[:4])  # the last one: LU's rounding leaves it regular
def test_singular_inv_raises_torchs_linalg_error(matrix):
    for a in (np.array(matrix), np.stack([np.eye(len(matrix)), np.array(matrix)])):
        x, xt = _both(a)
        with pytest.raises(torch.linalg.LinAlgError) as theirs:
            torch.linalg.inv(xt)
        with pytest.raises(autograd.linalg.LinAlgError) as ours:
            autograd.linalg.inv(x)
        assert isinstance(ours.value, RuntimeError)
        assert str(ours.value) == str(theirs.value)
        assert x.grad is None and x._version == 0


@pytest.mark.parametrize("matrix", SINGULAR)
@pytest.mark.parametrize("create_graph", [False, True])
def test_singular_det_gradient_as_torch(matrix, create_graph):
    # torch 2.13: 0 in a plain backward, the cofactor matrix (from an SVD) under create_graph
    if matrix is SINGULAR[0] and not create_graph:
        # numpy's LU leaves det exactly 0 (gradient 0), torch's -6.7e-16 (cofactors): the
        # rule agrees, the two LAPACKs' rounding does not
        return
    x, xt = _both(np.array(matrix))
    d, d_t = autograd.linalg.det(x), torch.linalg.det(xt)
    _close(d, d_t, 1e-12)
    (g,) = autograd.grad(d, x, create_graph=create_graph)
    (g_t,) = torch.autograd.grad(d_t, xt, create_graph=create_graph)
    _close(g, g_t, 1e-9)


BAD = [((2, 3), "float32"), ((3,), "float32"), ((3, 3), "int64"), ((3, 3), "float16"),
       ((2, 2, 3), "float64")]  # fmt: skip


@pytest.mark.parametrize("shape,dtype", BAD)
@pytest.mark.parametrize("op", ["inv", "det"])
def test_bad_input_as_torch(op, shape, dtype):
    x, xt = _both(np.ones(shape, dtype), requires_grad=False)
    with pytest.raises(Exception) as theirs:
        getattr(torch.linalg, op)(xt)
    with pytest.raises(Exception) as ours:
        getattr(autograd.linalg, op)(x)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)
