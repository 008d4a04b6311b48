"""Tensor.unfold(dimension, size, step): PyTorch's sliding windows, against torch."""

import numpy as np
import pytest
import torch

import autograd as ag
from autograd import gradcheck

CASES = [
    ((2, 5), 1, 2, 2),
    ((2, 5), 1, 3, 1),
    ((2, 5), 0, 2, 1),
    ((2, 5), -1, 2, 3),
    ((2, 5), 1, 0, 1),
    ((7,), 0, 7, 1),
    ((3, 4, 6), 2, 2, 2),
    ((3, 4, 6), 1, 3, 2),
    ((0, 4), 1, 2, 1),
    ((), 0, 1, 1),
    ((), 0, 0, 1),
]


@pytest.mark.parametrize("shape, dim, size, step", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_unfold_as_torch(shape, dim, size, step, dtype):
    values = np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape) * 1.5 ** (dtype != "int64")
    ours = ag.tensor(values).unfold(dim, size, step)
    theirs = torch.tensor(values).unfold(dim, size, step)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("shape, dim, size, step", [c for c in CASES if c[0] and 0 not in c[0]])
def test_unfold_gradient_as_torch(shape, dim, size, step):
    rng = np.random.default_rng(0)
    values = rng.standard_normal(shape)
    upstream = None
    grads = []
    for lib in (ag, torch):
        x = lib.tensor(values, requires_grad=True)
        out = x.unfold(dim, size, step)
        if upstream is None:
            upstream = rng.standard_normal(tuple(out.shape))
        (out * lib.tensor(upstream)).sum().backward()
        grads.append((x.grad.numpy(), out.grad_fn.name()))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12)
    assert grads[0][1] == grads[1][1]
    x = ag.tensor(values, requires_grad=True)
    assert gradcheck(lambda t: t.unfold(dim, size, step), (x,))


@pytest.mark.parametrize(
    "args, error",
    [((1, 6, 1), RuntimeError), ((1, 2, 0), RuntimeError), ((1, -1, 1), RuntimeError),
     ((2, 1, 1), IndexError)],
)  # fmt: skip
def test_unfold_errors_as_torch(args, error):
    for lib in (ag, torch):
        with pytest.raises(error):
            lib.arange(10.0).reshape(2, 5).unfold(*args)


def test_unfold_refuses_writes_rather_than_dropping_them():
    """PyTorch's unfold is a view: a write reaches the input. Ours is a copy, so a write is
    refused (an error), never silently lost."""
    x = ag.arange(10.0).reshape(2, 5)
    windows = x.unfold(1, 2, 2)
    with pytest.raises(ValueError):
        windows[0, 0, 0] = 100.0
    assert x[0, 0].item() == 0.0


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unfold_of_a_transposed_view_as_torch(dim):
    values = np.arange(24.0).reshape(4, 6)
    ours = ag.tensor(values).T.unfold(dim, 2, 1)
    theirs = torch.tensor(values).T.unfold(dim, 2, 1)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
