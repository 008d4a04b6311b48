"""BatchNorm1d/2d and LayerNorm against PyTorch in float64: forward, input and parameter
gradients, running statistics over training steps, eval output, state dicts and errors."""

import numpy as np
import pytest
import torch
from helpers import assert_close, check_forward_backward, ours
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import gradcheck, gradgradcheck
from nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm, batch_norm, layer_norm

RNG = np.random.default_rng(0)


def randomise_and_copy(our_module, torch_module, rng):
    """Give torch's affine parameters non-trivial values, then load its state dict into ours:
    the names and shapes must map one to one."""
    with torch.no_grad():
        for p in torch_module.parameters():
            p.copy_(torch.tensor(rng.uniform(0.5, 1.5, p.shape)))
    sd = {k: v.detach().numpy() for k, v in torch_module.state_dict().items()}
    result = our_module.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []


def check_step(our_module, torch_module, x, rng):
    """One forward and backward of both: same output, input grad and parameter grads."""
    for m in (our_module, torch_module):
        for p in m.parameters():
            p.grad = None
    check_forward_backward(our_module, torch_module, x, rng)


def assert_same_state(our_module, torch_module):
    ours_sd, torch_sd = our_module.state_dict(), torch_module.state_dict()
    assert list(ours_sd) == list(torch_sd)
    for key, value in torch_sd.items():
        assert_close(ours_sd[key], value)
        assert str(ours_sd[key].dtype) == str(value.dtype).removeprefix("torch.")


# --------------------------------------------------------------------------- BatchNorm
@st.composite
def batch_norm_shapes(draw, layer):
    n = draw(st.integers(1, 4))
    c = draw(st.integers(1, 4))
    rest = tuple(draw(st.integers(1, 3)) for _ in range({"1d-2D": 0, "1d-3D": 1, "2d": 2}[layer]))
    if n * int(np.prod(rest)) == 1:  # one value per channel cannot train; see the error test
        n = 2
    return (n, c) + rest


@pytest.mark.parametrize("layer", ["1d-2D", "1d-3D", "2d"])
@pytest.mark.parametrize("momentum, track_running_stats", [(0.1, True), (None, True), (0.3, False)])
@settings(max_examples=4, deadline=None)
@given(
    data=st.data(),
    affine=st.booleans(),
    bias=st.booleans(),
    eps=st.sampled_from([1e-5, 0.1]),
    seed=st.integers(0, 2**32 - 1),
)
def test_batch_norm_matches_torch_over_training_steps_and_eval(
    layer, momentum, track_running_stats, data, affine, bias, eps, seed
):
    shape = data.draw(batch_norm_shapes(layer))
    options = dict(momentum=momentum, track_running_stats=track_running_stats, affine=affine,
                   bias=bias, eps=eps)  # fmt: skip
    rng = np.random.default_rng(seed)
    cls, torch_cls = (BatchNorm2d, torch.nn.BatchNorm2d) if layer == "2d" else (
        BatchNorm1d, torch.nn.BatchNorm1d)  # fmt: skip
    our_m, torch_m = cls(shape[1], **options).double(), torch_cls(shape[1], **options).double()
    assert repr(our_m) == repr(torch_m)
    randomise_and_copy(our_m, torch_m, rng)
    for _ in range(3):  # each step moves the running statistics
        check_step(our_m, torch_m, rng.normal(1.0, 2.0, shape), rng)
        assert_same_state(our_m, torch_m)
    our_m.eval()
    torch_m.eval()
    check_step(our_m, torch_m, rng.normal(1.0, 2.0, shape), rng)
    assert_same_state(our_m, torch_m)  # eval moves nothing


def test_batch_norm_state_dict_keys_shapes_and_dtypes_equal_torch():
    for kwargs in ({}, {"affine": False}, {"bias": False}, {"track_running_stats": False}):
        our_m, torch_m = BatchNorm2d(3, **kwargs).double(), torch.nn.BatchNorm2d(3, **kwargs)
        torch_m.double()
        randomise_and_copy(our_m, torch_m, RNG)
        assert_same_state(our_m, torch_m)
    assert BatchNorm1d(3).double().num_batches_tracked.dtype == autograd.int64


def test_batch_norm_running_stats_are_updated_in_place_outside_the_graph():
    m = BatchNorm1d(3).double()
    running_mean, running_var = m.running_mean, m.running_var
    sd = m.state_dict()
    x = ours(RNG.normal(2.0, 3.0, (5, 3)), True)
    m(x).sum().backward()
    assert m.running_mean is running_mean and m.running_var is running_var
    assert not running_mean.requires_grad and running_mean.grad_fn is None
    assert int(m.num_batches_tracked) == 1
    # state_dict tensors share storage with the buffers, so an earlier one sees the update
    np.testing.assert_allclose(sd["running_mean"].numpy(), running_mean.numpy())
    expected = 0.1 * x.detach().numpy().mean(0)
    np.testing.assert_allclose(running_mean.numpy(), expected, rtol=1e-12)


def test_batch_norm_momentum_none_is_the_plain_average_of_batches():
    m = BatchNorm1d(2, momentum=None).double()
    batches = [RNG.normal(k, 1.0 + k, (4, 2, 3)) for k in range(3)]
    for b in batches:
        m(ours(b))
    means = np.mean([b.mean(axis=(0, 2)) for b in batches], axis=0)
    unbiased = np.mean([b.var(axis=(0, 2), ddof=1) for b in batches], axis=0)
    np.testing.assert_allclose(m.running_mean.numpy(), means, rtol=1e-12)
    np.testing.assert_allclose(m.running_var.numpy(), unbiased, rtol=1e-12)


def test_batch_norm_eval_uses_running_stats_and_train_uses_the_batch():
    m = BatchNorm1d(2).double()
    x = RNG.normal(5.0, 2.0, (6, 2))
    train_out = m(ours(x)).detach().numpy()
    np.testing.assert_allclose(train_out.mean(0), 0.0, atol=1e-12)
    m.eval()
    eval_out = m(ours(x)).detach().numpy()
    expected = (x - m.running_mean.numpy()) / np.sqrt(m.running_var.numpy() + 1e-5)
    np.testing.assert_allclose(eval_out, expected, rtol=1e-12)
    single = m(ours(x[:1]))  # one sample is fine in eval
    assert single.shape == (1, 2)


def test_batch_norm_float32_by_default():
    m = BatchNorm2d(2)
    assert m.weight.dtype == autograd.float32 and m.running_var.dtype == autograd.float32
    assert m(autograd.randn(2, 2, 3, 3)).dtype == autograd.float32


def test_batch_norm_errors_name_the_layer_and_shape_and_leave_state_unchanged():
    m = BatchNorm1d(4)
    with pytest.raises(ValueError, match=r"BatchNorm1d\(4\): expected 2D or 3D input \(got 4D"):
        m(autograd.randn(2, 4, 3, 3))
    with pytest.raises(ValueError, match=r"BatchNorm2d\(4\): expected 4D input \(got 3D"):
        BatchNorm2d(4)(autograd.randn(2, 4, 3))
    with pytest.raises(RuntimeError, match=r"BatchNorm1d\(4\).*4 channels.*\(2, 3\)"):
        m(autograd.randn(2, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        m(autograd.randn(1, 4))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        BatchNorm2d(4)(autograd.randn(1, 4, 1, 1))
    assert int(m.num_batches_tracked) == 0
    assert np.all(m.running_mean.numpy() == 0) and np.all(m.running_var.numpy() == 1)
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 4"):
        batch_norm(autograd.randn(2, 3), autograd.zeros(4), autograd.ones(4))
    with pytest.raises(RuntimeError, match="running_mean and running_var must be given"):
        batch_norm(autograd.randn(2, 3), None, None, training=False)
    with pytest.raises(ValueError, match="eps must be positive"):
        batch_norm(autograd.randn(2, 3), None, None, training=True, eps=0.0)


def test_batch_norm_functional_gradcheck():
    x = ours(RNG.standard_normal((3, 2, 2)), True)
    w = ours(RNG.uniform(0.5, 1.5, 2), True)
    b = ours(RNG.standard_normal(2), True)
    mean, var = ours(RNG.standard_normal(2)), ours(RNG.uniform(0.5, 2.0, 2))
    assert gradcheck(lambda x, w, b: batch_norm(x, None, None, w, b, training=True), (x, w, b))
    assert gradgradcheck(lambda x, w: batch_norm(x, None, None, w, training=True), (x, w))
    assert gradcheck(lambda x, w, b: batch_norm(x, mean, var, w, b), (x, w, b))


# --------------------------------------------------------------------------- LayerNorm
@st.composite
def layer_norm_cases(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    k = draw(st.integers(1, len(shape)))
    normalized = shape[len(shape) - k :]
    as_int = k == 1 and draw(st.booleans())
    options = {
        "elementwise_affine": draw(st.booleans()),
        "bias": draw(st.booleans()),
        "eps": draw(st.sampled_from([1e-5, 0.1])),
    }
    return shape, normalized[0] if as_int else list(normalized), options


@settings(max_examples=20, deadline=None)
@given(layer_norm_cases(), st.integers(0, 2**32 - 1))
def test_layer_norm_matches_torch(case, seed):
    shape, normalized_shape, options = case
    rng = np.random.default_rng(seed)
    our_m = LayerNorm(normalized_shape, **options).double()
    torch_m = torch.nn.LayerNorm(normalized_shape, **options).double()
    assert repr(our_m) == repr(torch_m)
    randomise_and_copy(our_m, torch_m, rng)
    assert_same_state(our_m, torch_m)
    check_step(our_m, torch_m, rng.normal(1.0, 2.0, shape), rng)
    our_m.eval()  # no mode dependence
    torch_m.eval()
    check_step(our_m, torch_m, rng.normal(1.0, 2.0, shape), rng)


def test_layer_norm_errors():
    with pytest.raises(RuntimeError, match=r"expected input with shape \[\*, 4\].*size\[2, 3\]"):
        LayerNorm(4)(autograd.randn(2, 3))
    with pytest.raises(RuntimeError, match=r"expected input with shape \[\*, 2, 3\]"):
        layer_norm(autograd.randn(3), (2, 3))
    with pytest.raises(RuntimeError, match=r"weight of shape \(3,\)"):
        layer_norm(autograd.randn(2, 4), (4,), weight=autograd.ones(3))


def test_layer_norm_functional_gradcheck():
    x = ours(RNG.standard_normal((2, 2, 3)), True)
    w = ours(RNG.uniform(0.5, 1.5, (2, 3)), True)
    b = ours(RNG.standard_normal((2, 3)), True)
    assert gradcheck(lambda x, w, b: layer_norm(x, (2, 3), w, b), (x, w, b))
    assert gradgradcheck(lambda x, w: layer_norm(x, 3, w[0]), (x, w))
