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


# --------------------------------------------------------------------------- Function._binary
def _operands(dtype):
    a = np.linspace(-2, 3, 12).reshape(3, 4)
    b = np.linspace(0.5, 4, 4)
    return {
        "same": (
            lambda: Tensor(a.astype(dtype), requires_grad=True),
            lambda: Tensor(b.astype(dtype)),
        ),
        "both_grad": (
            lambda: Tensor(a.astype(dtype), requires_grad=True),
            lambda: Tensor(b.astype(dtype), requires_grad=True),
        ),
        "mixed": (
            lambda: Tensor(a.astype(dtype), requires_grad=True),
            lambda: Tensor(b.astype(np.float64), requires_grad=True),
        ),
        "int_other": (
            lambda: Tensor(a.astype(dtype), requires_grad=True),
            lambda: Tensor(b.astype(np.int64)),
        ),
        "float": (lambda: Tensor(a.astype(dtype), requires_grad=True), lambda: 0.5),
        "int": (lambda: 3, lambda: Tensor(b.astype(dtype), requires_grad=True)),
        "bool": (lambda: Tensor(a.astype(dtype), requires_grad=True), lambda: True),
        "no_grad": (lambda: Tensor(a.astype(dtype)), lambda: Tensor(b.astype(dtype))),
    }


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div"])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("kind", list(_operands(np.float32)))
def test_the_binary_fast_path_records_what_apply_records(op, dtype, kind):
    """Tensor's arithmetic takes Function._binary, apply's bookkeeping unrolled: the output,
    its dtype, its vertex (name, saved state) and the gradients are apply's."""
    fn = getattr(autograd.ops, op)
    make_x, make_y = _operands(dtype)[kind]
    results = []
    for entry in (fn._binary, fn.apply):
        x, y = make_x(), make_y()
        try:
            out = entry(x, y)
        except Exception as e:  # the same error from both, or a failure below
            results.append((type(e), str(e)))
            continue
        vertex = out.grad_fn
        state = None
        if vertex is not None:
            state = (vertex.name(), sorted(k for k in vertex.__dict__ if k not in ("_next",)))
            out.sum().backward()
        grads = [
            t.grad.numpy() if isinstance(t, Tensor) and t.grad is not None else None for t in (x, y)
        ]
        results.append((out.detach().numpy(), out.dtype, out.requires_grad, state, grads))
    fast, slow = results
    if len(slow) == 2:
        assert fast == slow
        return
    np.testing.assert_array_equal(fast[0], slow[0])
    assert fast[1:4] == slow[1:4]
    for g, h in zip(fast[4], slow[4]):
        assert (g is None) == (h is None)
        if g is not None:
            assert g.dtype == h.dtype
            np.testing.assert_array_equal(g, h)


@pytest.mark.parametrize(
    "method", ["neg", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu"]
)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64])
def test_the_unary_fast_path_records_what_apply_records(method, dtype):
    fn = {"neg": "Neg"}.get(method, method.capitalize())
    fn = getattr(autograd.ops, fn)
    results = []
    for entry in (fn._unary, fn.apply):
        x = Tensor(
            np.linspace(0.25, 3, 12).reshape(3, 4).astype(dtype), requires_grad=dtype != np.int64
        )
        out = entry(x)
        vertex = out.grad_fn
        state = None if vertex is None else (vertex.name(), sorted(vertex.__dict__))
        if vertex is not None:
            out.sum().backward()
        grad = None if x.grad is None else x.grad.numpy()
        results.append((out.detach().numpy(), out.dtype, state, grad))
    (a, *rest_a), (b, *rest_b) = results
    np.testing.assert_array_equal(a, b)
    assert rest_a[:2] == rest_b[:2]
    if rest_a[2] is not None:
        np.testing.assert_array_equal(rest_a[2], rest_b[2])
