"""The shortcuts the MLP benchmark (bench/mlp_step.py) relies on, and what they must not break:
gradients handed to .grad without a copy only when nothing else holds them, gradients of
transposed operands in their operand's layout, the fused linear / log_softmax / nll_loss nodes
(their values and gradients are in test_ops' table), relu's mask at NaN."""

import numpy as np
import pytest
import torch

import autograd
import nn.functional as F
from autograd import Tensor


def leaf(shape=(3, 4), dtype=np.float32):
    return Tensor(np.arange(np.prod(shape), dtype=dtype).reshape(shape) / 7, requires_grad=True)


# --------------------------------------------------------------------------- .grad ownership
def test_a_gradient_only_the_engine_holds_becomes_grad_without_a_copy():
    x = leaf()
    seen = []
    x.register_hook(lambda g: seen.append(id(g.array)))  # records the array, keeps no reference
    (x * 2).sum().backward()
    assert id(x.grad.array) == seen[0]
    np.testing.assert_array_equal(x.grad.numpy(), np.full((3, 4), 2, np.float32))


def test_a_gradient_a_hook_kept_is_copied():
    for keep_array in (False, True):
        x = leaf()
        kept = []
        x.register_hook(lambda g, k=keep_array, kept=kept: kept.append(g.array if k else g))
        (x * 2).sum().backward()
        array = kept[0] if keep_array else kept[0].array
        assert not np.shares_memory(x.grad.array, array)


def test_one_gradient_sent_to_two_tensors_is_not_shared():
    a, b = leaf(), leaf()
    (a + b).backward(autograd.ones(3, 4))  # add hands the same gradient to both
    assert not np.shares_memory(a.grad.array, b.grad.array)
    y = a * 3
    y.retain_grad()
    y.clone().sum().backward()  # clone passes y's gradient on unchanged
    assert not np.shares_memory(y.grad.array, a.grad.array)


def test_the_callers_gradient_is_not_taken_as_grad():
    x = leaf()
    g = autograd.ones(3, 4)
    x.backward(g)
    assert not np.shares_memory(x.grad.array, g.array)
    x.grad.zero_()
    np.testing.assert_array_equal(g.numpy(), np.ones((3, 4), np.float32))


def test_a_second_backward_accumulates_in_place_as_torch():
    # PyTorch's AccumulateGrad adds into the existing .grad (grad mode off): same object
    x = leaf()
    xt = torch.ones(3, 4, requires_grad=True)
    (x * 2).sum().backward()
    (xt * 2).sum().backward()
    first, first_t = x.grad, xt.grad
    (x * 2).sum().backward()
    (xt * 2).sum().backward()
    assert (x.grad is first) == (xt.grad is first_t) == True  # noqa: E712
    np.testing.assert_array_equal(first.numpy(), first_t.numpy())


# --------------------------------------------------------------------------- layouts
def test_gradient_of_a_transposed_operand_is_contiguous_after_the_transpose():
    # W.t() used to give W a transposed gradient, which .grad then copied element by element
    w = leaf((5, 4), np.float64)
    x = Tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    gx, gw = autograd.grad((x.t() @ w.t()).sum(), [x, w])  # grad() hands them on uncopied
    assert gw.array.flags.c_contiguous and gx.array.flags.c_contiguous
    xt = torch.tensor(x.detach().numpy(), requires_grad=True)
    wt = torch.tensor(w.detach().numpy(), requires_grad=True)
    (xt.t() @ wt.t()).sum().backward()
    np.testing.assert_allclose(gw.numpy(), wt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gx.numpy(), xt.grad.numpy(), rtol=1e-12)


def test_linear_weight_gradient_is_contiguous():
    x = Tensor(np.ones((2, 3, 4), np.float32))
    w, b = leaf((5, 4)), leaf((5,))
    gw, gb = autograd.grad(F.linear(x, w, b).sum(), [w, b])
    assert gw.array.flags.c_contiguous and gw.dtype == np.float32
    np.testing.assert_array_equal(gb.numpy(), np.full(5, 6, np.float32))


# --------------------------------------------------------------------------- errors
def test_linear_names_the_shapes_at_fault():
    x = Tensor(np.ones((2, 3), np.float32))
    with pytest.raises(RuntimeError, match=r"linear: input of shape \(2, 3\) and weight of shape"):
        F.linear(x, leaf((5, 4)))
    with pytest.raises(RuntimeError, match=r"linear: bias of shape \(4,\)"):
        F.linear(x, leaf((5, 3)), leaf((4,)))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.linear(x, leaf((5, 3), np.float64))


def test_nll_loss_rejects_a_target_out_of_range_before_recording():
    x = leaf((2, 3))
    with pytest.raises(IndexError, match="Target -2 is out of bounds"):
        F.nll_loss(x, Tensor(np.array([0, -2])), ignore_index=-1)
    assert x.grad is None


# --------------------------------------------------------------------------- torch's edge values
def test_relu_passes_the_gradient_at_nan_like_torch():
    # heaviside gave a NaN mask there; torch's threshold_backward passes grad on
    values = np.array([np.nan, -1.0, 0.0, 2.0])
    x, t = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    x.relu().backward(Tensor(np.ones(4)))
    t.relu().backward(torch.ones(4, dtype=torch.float64))
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


def test_log_softmax_of_infinite_rows_matches_torch():
    inf = np.inf
    rows = np.array([[-inf, -inf], [inf, 1.0], [inf, -inf], [-inf, 1.0], [1e3, -1e3]])
    with np.errstate(invalid="ignore"):
        ours = Tensor(rows).log_softmax(1).numpy()
    np.testing.assert_array_equal(ours, torch.log_softmax(torch.tensor(rows), 1).numpy())


def test_add_with_alpha_keeps_the_tangent_of_other():
    # add_'s alpha is applied on the array when nothing records: not when other is dual
    from autograd import forward_ad

    with forward_ad.dual_level():
        p = Tensor(np.ones(3))
        other = forward_ad.make_dual(Tensor(np.ones(3)), Tensor(np.full(3, 2.0)))
        p.add_(other, alpha=3.0)
        primal, tangent = forward_ad.unpack_dual(p)
    np.testing.assert_array_equal(primal.numpy(), np.full(3, 4.0))
    np.testing.assert_array_equal(tangent.numpy(), np.full(3, 6.0))
