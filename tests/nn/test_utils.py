"""nn.utils against torch.nn.utils: gradient clipping, parameters <-> vector, pad_sequence."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from nn.utils import clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters
from nn.utils.rnn import pad_sequence


def _twin_params(shapes, dtype, rng, scale=1.0):
    ours, theirs = [], []
    for shape in shapes:
        value = rng.standard_normal(shape)
        grad = rng.standard_normal(shape) * scale
        p = nn.Parameter(autograd.tensor(value, dtype=dtype))
        p.grad = autograd.tensor(grad, dtype=dtype)
        t = torch.nn.Parameter(torch.tensor(value, dtype=getattr(torch, dtype)))
        t.grad = torch.tensor(grad, dtype=getattr(torch, dtype))
        ours.append(p)
        theirs.append(t)
    return ours, theirs


@settings(max_examples=25)
@given(
    shapes=st.lists(st.lists(st.integers(0, 4), max_size=3).map(tuple), min_size=1, max_size=4),
    max_norm=st.sampled_from([0.1, 1.0, 5.0, 1e3]),
    norm_type=st.sampled_from([2.0, 1.0, 3.0, math.inf, 0.5]),
    dtype=st.sampled_from(["float32", "float64"]),
    scale=st.sampled_from([1e-3, 1.0, 10.0]),
)
def test_clip_grad_norm_matches_torch(shapes, max_norm, norm_type, dtype, scale):
    ours, theirs = _twin_params(shapes, dtype, np.random.default_rng(len(shapes)), scale)
    try:
        total_t = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    except RuntimeError:  # the inf norm of an empty gradient
        with pytest.raises(RuntimeError):
            clip_grad_norm_(ours, max_norm, norm_type)
        return
    total_o = clip_grad_norm_(ours, max_norm, norm_type)
    tol = dict(rtol=1e-5, atol=1e-7) if dtype == "float32" else dict(rtol=1e-12, atol=1e-14)
    assert isinstance(total_o, autograd.Tensor) and total_o.shape == ()
    assert total_o.dtype == getattr(autograd, dtype)
    np.testing.assert_allclose(total_o.item(), total_t.item(), **tol)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), **tol)


def test_clip_grad_norm_of_a_single_tensor_and_of_no_grads_as_torch():
    p = nn.Parameter(autograd.tensor([3.0, 4.0]))
    p.grad = autograd.tensor([3.0, 4.0])
    total = clip_grad_norm_(p, 1.0)
    assert abs(total.item() - 5.0) < 1e-6
    np.testing.assert_allclose(p.grad.numpy(), np.array([3.0, 4.0]) / (5.0 + 1e-6), rtol=1e-6)
    empty = clip_grad_norm_([nn.Parameter(autograd.zeros(2))], 1.0)
    assert empty.item() == torch.nn.utils.clip_grad_norm_([torch.nn.Parameter(torch.zeros(2))], 1.0)


def test_clip_grad_norm_error_if_nonfinite_changes_nothing():
    p = nn.Parameter(autograd.zeros(3))
    p.grad = autograd.tensor([1.0, float("inf"), 2.0])
    before = p.grad.numpy().copy()
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(p.grad.numpy(), before)
    t = torch.nn.Parameter(torch.zeros(3))
    t.grad = torch.tensor([1.0, float("inf"), 2.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        torch.nn.utils.clip_grad_norm_([t], 1.0, error_if_nonfinite=True)
    total = clip_grad_norm_([p], 1.0)  # without the check: scaled by 1/inf, as torch
    total_t = torch.nn.utils.clip_grad_norm_([t], 1.0)
    assert math.isinf(total.item()) and math.isinf(total_t.item())
    np.testing.assert_array_equal(p.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("clip", [0.0, 0.5, 2])
def test_clip_grad_value_matches_torch(clip):
    ours, theirs = _twin_params([(3, 4), (5,)], "float32", np.random.default_rng(0))
    ours.append(nn.Parameter(autograd.zeros(2)))  # no grad: skipped
    theirs.append(torch.nn.Parameter(torch.zeros(2)))
    assert clip_grad_value_(ours, clip) is None
    torch.nn.utils.clip_grad_value_(theirs, clip)
    for p, t in zip(ours[:2], theirs[:2]):
        np.testing.assert_array_equal(p.grad.numpy(), t.grad.numpy())
    assert ours[2].grad is None


def test_parameters_to_vector_and_back_match_torch():
    ours = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    vo = parameters_to_vector(ours.parameters())
    vt = torch.nn.utils.parameters_to_vector(theirs.parameters())
    np.testing.assert_array_equal(vo.detach().numpy(), vt.detach().numpy())
    (vo * vo).sum().backward()  # a node of the graph, as torch's
    np.testing.assert_allclose(ours[0].weight.grad.numpy(), 2 * ours[0].weight.detach().numpy())
    new = np.arange(vt.numel(), dtype=np.float32)
    vector_to_parameters(autograd.tensor(new), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs.parameters())
    for (k, p), (_, t) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), t.detach().numpy(), err_msg=k)
    with pytest.raises(TypeError):
        vector_to_parameters(new, ours.parameters())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_torch(batch_first, padding_side):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((n, 2)) for n in (3, 1, 4)]
    ours = [autograd.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    yo = pad_sequence(ours, batch_first, -1.0, padding_side)
    yt = torch.nn.utils.rnn.pad_sequence(theirs, batch_first, -1.0, padding_side)
    np.testing.assert_array_equal(yo.detach().numpy(), yt.detach().numpy())
    g = rng.standard_normal(tuple(yt.shape))
    yo.backward(autograd.tensor(g))
    yt.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())
