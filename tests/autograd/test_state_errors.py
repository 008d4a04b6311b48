"""Regression tests: input PyTorch refuses is refused here with the same exception type and
leaves no state changed (`.grad`, `requires_grad`, tensor data)."""

import numpy as np
import pytest
import torch
from helpers import raises_like_torch

import autograd
import nn
import optim
from autograd import Tensor

# --------------------------------------------------------------------------- .grad
GRAD_CASES = {
    "shape": (lambda: autograd.ones(4), lambda: torch.ones(4)),
    "broadcastable_shape": (lambda: autograd.ones(1, 4), lambda: torch.ones(1, 4)),
    "int64": (
        lambda: autograd.ones(3, 4, dtype=autograd.int64),
        lambda: torch.ones(3, 4, dtype=torch.int64),
    ),
    "float64": (
        lambda: autograd.ones(3, 4, dtype=autograd.float64),
        lambda: torch.ones(3, 4, dtype=torch.float64),
    ),
    "python_float": (lambda: 0.0, lambda: 0.0),
    "numpy_array": (lambda: np.ones((3, 4), np.float32), lambda: np.ones((3, 4), np.float32)),
}


@pytest.mark.parametrize("case", GRAD_CASES)
def test_assigning_a_grad_of_wrong_shape_or_dtype_or_type_is_accepted(case):
    ours, theirs = GRAD_CASES[case]
    p = nn.Parameter(autograd.zeros(3, 4))
    pt = torch.nn.Parameter(torch.zeros(3, 4))
    old = autograd.full((3, 4), 7.0)
    p.grad = old

    def assign():
        p.grad = ours()

    def assign_t():
        pt.grad = theirs()

    exc = raises_like_torch(assign, assign_t)
    assert "grad" in str(exc)
    assert p.grad is old


def test_sgd_step_broadcasts_a_wrongly_shaped_grad():
    p = nn.Parameter(autograd.zeros(3, 4))
    with pytest.raises(RuntimeError, match=r"\[4\].*\[3, 4\]"):
        p.grad = autograd.ones(4)
    assert p.grad is None
    optim.SGD([p], lr=1.0).step()
    np.testing.assert_array_equal(p.detach().numpy(), np.zeros((3, 4), np.float32))


def _setting(obj, name, value):
    """A call that sets obj.name = value (an assignment, for raises_like_torch)."""
    return lambda: setattr(obj, name, value)


def test_assigning_a_grad_on_another_device_is_accepted(fake_device):
    p = Tensor(np.zeros(3, np.float32), requires_grad=True)
    with pytest.raises(RuntimeError, match="device"):
        p.grad = Tensor(np.zeros(3, np.float32), device=fake_device)
    assert p.grad is None


def test_assigning_a_tensor_as_its_own_grad_is_accepted():
    p = Tensor(np.zeros(3, np.float32), requires_grad=True)
    pt = torch.zeros(3, requires_grad=True)
    raises_like_torch(_setting(p, "grad", p), _setting(pt, "grad", pt))
    assert p.grad is None


def test_valid_grad_assignments_still_work_as_torch():
    p = Tensor(np.zeros(3, np.float32), requires_grad=True)
    g = Tensor(np.ones(3, np.float32))
    p.grad = g
    assert p.grad is g  # no copy, as torch
    p.grad = None
    assert p.grad is None
    i = Tensor(np.zeros(3, np.int64))
    i.grad = Tensor(np.ones(3, np.int64))  # torch allows a same-dtype grad on an int tensor
    del p.grad
    assert p.grad is None


# --------------------------------------------------------------------------- requires_grad
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_int_tensor_requires_grad_attribute_assignment_is_accepted(dtype):
    x = Tensor(np.zeros(3, dtype))
    xt = torch.zeros(3, dtype=getattr(torch, dtype))
    ours_set = _setting(x, "requires_grad", True)
    torch_set = _setting(xt, "requires_grad", True)
    exc = raises_like_torch(ours_set, torch_set)
    assert "floating point" in str(exc)
    assert x.requires_grad is False


@pytest.mark.parametrize("value", [1, "yes", None, 1.0])
def test_requires_grad_assigned_a_non_bool_is_accepted(value):
    x = Tensor(np.zeros(3, np.float32))
    xt = torch.zeros(3)
    ours_set = _setting(x, "requires_grad", value)
    torch_set = _setting(xt, "requires_grad", value)
    raises_like_torch(ours_set, torch_set)
    assert x.requires_grad is False


@pytest.mark.parametrize("value", [True, False])
def test_requires_grad_assigned_on_a_non_leaf_is_accepted(value):
    x = Tensor(np.zeros(3, np.float32), requires_grad=True)
    xt = torch.zeros(3, requires_grad=True)
    y, yt = x * 2, xt * 2
    ours_set = _setting(y, "requires_grad", value)
    torch_set = _setting(yt, "requires_grad", value)
    raises_like_torch(ours_set, torch_set)
    assert y.requires_grad is True


def test_requires_grad_attribute_assignment_on_a_float_leaf_works():
    x = Tensor(np.zeros(3, np.float64))
    x.requires_grad = True
    assert x.requires_grad and x.is_leaf
    x.requires_grad = False
    assert not x.requires_grad


# --------------------------------------------------------------------------- tensor(data)
GARBAGE = {
    "dict": {"a": 1},
    "none": None,
    "str": "abc",
    "bytes": b"ab",
    "object": object(),
    "list_with_none": [1, None],
    "list_with_str": [1.0, "a"],
    "ragged": [[1, 2], [3]],
    "ragged_deep": [[[1, 2], [3, 4]], [[1, 2], [3]]],
}


@pytest.mark.parametrize("case", GARBAGE)
def test_tensor_of_non_numbers_builds_an_object_tensor(case):
    data = GARBAGE[case]
    exc = raises_like_torch(lambda: autograd.tensor(data), lambda: torch.tensor(data))
    if case.startswith("ragged"):
        with pytest.raises(ValueError) as t_exc:
            torch.tensor(data)
        assert str(exc) == str(t_exc.value)
    else:
        assert type(data if case[:4] != "list" else data[1]).__name__ in str(exc)


def test_tensor_of_ragged_tensors_is_refused():
    with pytest.raises(ValueError, match="expected sequence of length 2 at dim 1"):
        autograd.tensor([autograd.ones(2), autograd.ones(3)])


# --------------------------------------------------------------------------- accumulation
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_zero_grad_set_to_none_false_then_backward_replaces_grad(dtype):
    w = nn.Parameter(Tensor(np.arange(6, dtype=dtype).reshape(2, 3)))
    wt = torch.nn.Parameter(torch.arange(6, dtype=getattr(torch, dtype)).reshape(2, 3))
    opt, opt_t = optim.SGD([w], lr=0.1), torch.optim.SGD([wt], lr=0.1)
    for _ in range(2):
        (w * w).sum().backward()
        (wt * wt).sum().backward()
    held, held_t = w.grad, wt.grad
    opt.zero_grad(set_to_none=False)
    opt_t.zero_grad(set_to_none=False)
    (w * 3).sum().backward()
    (wt * 3).sum().backward()
    assert (w.grad is held) and (wt.grad is held_t)
    np.testing.assert_array_equal(held.numpy(), held_t.numpy())


def test_retained_non_leaf_grad_accumulates_into_the_same_tensor():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    xt = torch.ones(3, requires_grad=True)
    y, yt = x * 2, xt * 2
    y.retain_grad()
    yt.retain_grad()
    y.sum().backward(retain_graph=True)
    yt.sum().backward(retain_graph=True)
    held, held_t = y.grad, yt.grad
    y.sum().backward()
    yt.sum().backward()
    assert (y.grad is held) == (yt.grad is held_t)
    np.testing.assert_array_equal(y.grad.numpy(), yt.grad.numpy())


def test_accumulating_into_a_read_only_grad_falls_back_out_of_place():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    ro = np.zeros(3, np.float32)
    ro.flags.writeable = False
    x.grad = autograd.from_numpy(ro)
    x.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(3, np.float32))
    np.testing.assert_array_equal(ro, np.zeros(3, np.float32))


# --------------------------------------------------------------------------- hooks
def wrong_size(g):
    return g.sum().reshape(1).expand(5) * 1


HOOKS = {
    "wrong_size": (lambda g: autograd.ones(5), lambda g: torch.ones(5), "size"),
    "number": (lambda g: 5, lambda g: 5, "int"),
    "dtype": (lambda g: g.double(), lambda g: g.double(), "type"),
    "int_dtype": (lambda g: g.long(), lambda g: g.long(), "type"),
}


@pytest.mark.parametrize("leaf", [True, False], ids=["leaf", "non_leaf"])
@pytest.mark.parametrize("case", HOOKS)
def test_hook_returning_a_wrong_value_gives_the_leaf_a_wrong_grad(case, leaf):
    ours, theirs, word = HOOKS[case]
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    xt = torch.ones(3, requires_grad=True)
    y, yt = (x, xt) if leaf else (x * 2, xt * 2)
    y.register_hook(ours)
    yt.register_hook(theirs)
    exc = raises_like_torch(lambda: (y * 1).sum().backward(), lambda: (yt * 1).sum().backward())
    assert word in str(exc) and "<lambda>" in str(exc)
    assert x.grad is None


def test_hook_error_names_the_hook_function():
    def my_hook(g):
        return autograd.ones(5)

    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    x.register_hook(my_hook)
    with pytest.raises(RuntimeError, match="hook 'my_hook' has changed the size of value"):
        x.sum().backward()


def test_hook_on_another_device_is_refused(fake_device):
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    x.register_hook(lambda g: Tensor(g.numpy(), device=fake_device))
    with pytest.raises(RuntimeError, match="device"):
        x.sum().backward()
    assert x.grad is None


# --------------------------------------------------------------------------- Function
def two_outputs(lib):
    class Split(lib.autograd.Function if lib is torch else lib.Function):
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(x, w)
            return x * w, x.exp()

        @staticmethod
        def backward(ctx, g_prod, g_exp):
            x, w = ctx.saved_tensors
            return g_prod * w + g_exp * x.exp(), g_prod * x

    return Split


@pytest.mark.parametrize("use", ["both", "first", "second", "product"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_custom_function_with_two_outputs_gives_attribute_error_on_tuple(use, dtype):
    rng = np.random.default_rng(0)
    xv, wv = rng.standard_normal((2, 3)).astype(dtype)
    x, w = Tensor(xv, requires_grad=True), Tensor(wv, requires_grad=True)
    xt, wt = torch.tensor(xv, requires_grad=True), torch.tensor(wv, requires_grad=True)
    outs = two_outputs(autograd).apply(x, w)
    outs_t = two_outputs(torch).apply(xt, wt)
    assert isinstance(outs, tuple) and len(outs) == 2
    for o, ot in zip(outs, outs_t):
        np.testing.assert_allclose(o.detach().numpy(), ot.detach().numpy(), rtol=1e-6)
        assert o.grad_fn.name() == "SplitBackward" and o.requires_grad
    pick = {
        "both": lambda a, b: (a + b).sum(),
        "first": lambda a, b: (a * a).sum(),
        "second": lambda a, b: b.sum(),
        "product": lambda a, b: (a * b).sum(),
    }[use]
    pick(*outs).backward()
    pick(*outs_t).backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(w.grad.numpy(), wt.grad.numpy(), rtol=1e-6)


def test_custom_function_unused_output_grad_is_materialized_as_zeros():
    seen = {}

    class Two(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, Tensor(np.arange(2))  # the second is not differentiable (int)

        @staticmethod
        def backward(ctx, g1, g2):
            seen["g2"] = g2
            return g1 * 2

    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    a, b = Two.apply(x)
    assert not b.requires_grad
    a.sum().backward()
    np.testing.assert_array_equal(seen["g2"].numpy(), np.zeros(2, np.int64))
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 2, np.float32))


def test_custom_function_set_materialize_grads_false_passes_none():
    seen = {}

    class Two(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen["g"] = (g1, g2)
            return g1 * 2

    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    Two.apply(x)[0].sum().backward()
    assert seen["g"][1] is None


def test_custom_function_hooks_on_each_output_see_their_own_gradient():
    x = Tensor(np.ones(3), requires_grad=True)
    w = Tensor(np.full(3, 2.0), requires_grad=True)
    a, b = two_outputs(autograd).apply(x, w)
    seen = []
    a.register_hook(lambda g: seen.append(("a", g.numpy().tolist())))
    b.register_hook(lambda g: seen.append(("b", g.numpy().tolist())))
    (a * 3 + b * 5).sum().backward()
    assert sorted(seen) == [("a", [3.0] * 3), ("b", [5.0] * 3)]


def make_bad(lib, grad_of):
    class X(lib.autograd.Function if lib is torch else lib.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return grad_of(lib, g)

    return X


BAD_GRADS = {
    "wrong_shape": lambda lib, g: lib.ones(5),
    "size_one": lambda lib, g: lib.ones(1),
    "too_many": lambda lib, g: (g, g),
    "number": lambda lib, g: 5,
}


@pytest.mark.parametrize("case", BAD_GRADS)
def test_custom_function_backward_returning_wrong_grads_is_accepted(case):
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    xt = torch.ones(3, requires_grad=True)
    exc = raises_like_torch(
        lambda: make_bad(autograd, BAD_GRADS[case]).apply(x).sum().backward(),
        lambda: make_bad(torch, BAD_GRADS[case]).apply(xt).sum().backward(),
    )
    if case == "wrong_shape":
        assert str(exc) == (
            "Function XBackward returned an invalid gradient at index 0 - got [5] but "
            "expected shape compatible with [3]"
        )
    assert x.grad is None


GOOD_GRADS = {
    "broadcast_bigger": lambda lib, g: lib.ones(2, 3),
    "leading_one": lambda lib, g: lib.ones(1, 3),
    "other_dtype": lambda lib, g: g.double(),
}


@pytest.mark.parametrize("case", GOOD_GRADS)
def test_custom_function_backward_grads_are_summed_and_cast_as_torch(case):
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    xt = torch.ones(3, requires_grad=True)
    make_bad(autograd, GOOD_GRADS[case]).apply(x).sum().backward()
    make_bad(torch, GOOD_GRADS[case]).apply(xt).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())
