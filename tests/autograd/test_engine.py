"""Engine semantics: accumulation, retain/create graph, grad(), hooks, grad mode, in-place
and the version counter, custom Functions, dtypes. PyTorch (CPU) is the oracle."""

import threading

import numpy as np
import pytest
import torch
from helpers import Cube, Double
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Function, Tensor, Value, enable_grad, no_grad, set_grad_enabled


def leaf(values, dtype="float64"):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


def tleaf(values):
    return torch.tensor(np.array(values, dtype="float64"), requires_grad=True)


def close(ours, theirs, atol=1e-10):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    ours = ours.array if isinstance(ours, Tensor) else ours
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=atol)


@pytest.fixture
def default_dtype():
    """Restore the default dtype whatever a test does to it."""
    before = autograd.get_default_dtype()
    yield
    autograd.set_default_dtype(before)


# --------------------------------------------------------------------------- accumulation
def test_grad_accumulates_across_backward_calls():
    x = leaf([1.0, -2.0, 3.0])
    (x * x).sum().backward()
    first = x.grad.array.copy()
    np.testing.assert_allclose(first, 2 * x.array)
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.array, first + 3)


def test_value_used_twice_sums_its_gradients():
    x = leaf([2.0])
    y = x * x + x  # x reaches the output along three edges
    y.backward(Tensor(np.ones(1)))
    np.testing.assert_allclose(x.grad.array, [2 * 2.0 + 1])


def test_same_tensor_twice_in_one_op():
    x = leaf([3.0, -1.0])
    (x + x).sum().backward()
    np.testing.assert_allclose(x.grad.array, [2.0, 2.0])
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.array, 2 * x.array)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(-2, 2), min_size=1, max_size=4))
def test_diamond_graph_matches_torch(values):
    def f(x, lib):
        a = x * 2
        b = lib.sin(a) if lib is torch else a.sin()
        c = a * a
        d = b + c  # a reaches d along two paths
        e = d * a  # and a third time
        return (e + b * c).sum()

    x = leaf(values)
    f(x, None).backward()
    xt = tleaf(values)
    f(xt, torch).backward()
    close(x.grad, xt.grad)


# --------------------------------------------------------------------------- retain_graph
def test_second_backward_without_retain_graph_raises():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward_and_doubles_grad():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    once = x.grad.array.copy()
    y.backward()
    np.testing.assert_allclose(x.grad.array, 2 * once)
    xt = tleaf([1.0, 2.0])
    (xt.exp() * xt).sum().backward()
    close(once, xt.grad)


def test_grad_then_backward_frees_graph():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    autograd.grad(y, x)
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        y.backward()


# --------------------------------------------------------------------------- higher order
def test_second_derivative_of_cube():
    x = leaf([1.5, -2.0, 0.5])
    y = (x**3).sum()
    (g,) = autograd.grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.array, 3 * x.array**2)
    assert g.requires_grad
    (h,) = autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.array, 6 * x.array)


def test_third_derivative_via_backward_create_graph():
    x = leaf([0.7])
    y = (x**4).sum()
    y.backward(create_graph=True)
    g = x.grad
    x.grad = None
    (g2,) = autograd.grad(g.sum(), x, create_graph=True)
    (g3,) = autograd.grad(g2.sum(), x)
    np.testing.assert_allclose(g2.array, 12 * 0.7**2)
    np.testing.assert_allclose(g3.array, 24 * 0.7)


def test_hessian_vector_product_matches_torch():
    xs = [0.3, -1.2, 0.8]
    vs = [1.0, 0.5, -2.0]

    def f(x, lib):
        s = lib.sin(x) if lib is torch else x.sin()
        return (s * x.exp()).sum() + (x * x).sum() * x[0]

    x = leaf(xs)
    (g,) = autograd.grad(f(x, None), x, create_graph=True)
    (hv,) = autograd.grad((g * Tensor(np.array(vs))).sum(), x)

    xt = tleaf(xs)
    (gt,) = torch.autograd.grad(f(xt, torch), xt, create_graph=True)
    (hvt,) = torch.autograd.grad((gt * torch.tensor(vs, dtype=torch.float64)).sum(), xt)
    close(g, gt)
    close(hv, hvt)


@pytest.mark.parametrize("op", ["abs", "relu", "clamp"])
def test_grad_of_grad_through_piecewise_linear_op_is_zero(op):
    x = leaf([1.0, -2.0])
    f = {"abs": x.abs, "relu": x.relu, "clamp": lambda: x.clamp(-3.0, 0.5)}[op]
    (g,) = autograd.grad(f().sum(), x, create_graph=True)
    assert g.requires_grad  # recorded, as torch records threshold_backward
    (h,) = autograd.grad(g.sum(), x)
    np.testing.assert_array_equal(h.array, [0.0, 0.0])  # the true second derivative
    if op != "clamp":  # torch does not record clamp's backward: it raises instead
        xt = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
        ft = {"abs": xt.abs, "relu": xt.relu}[op]
        (gt,) = torch.autograd.grad(ft().sum(), xt, create_graph=True)
        (ht,) = torch.autograd.grad(gt.sum(), xt)
        np.testing.assert_array_equal(h.array, ht.numpy(force=True))


def test_grad_without_create_graph_returns_constants():
    x = leaf([1.0, 2.0])
    (g,) = autograd.grad((x**2).sum(), x)
    assert not g.requires_grad
    assert g.grad_fn is None


# --------------------------------------------------------------------------- autograd.grad
def test_grad_returns_tuple_and_leaves_dot_grad_alone():
    x = leaf([1.0, 2.0])
    w = leaf([3.0, 4.0])
    out = autograd.grad((x * w).sum(), (x, w))
    assert isinstance(out, tuple) and len(out) == 2
    np.testing.assert_allclose(out[0].array, w.array)
    np.testing.assert_allclose(out[1].array, x.array)
    assert x.grad is None and w.grad is None
    single = autograd.grad((x * w).sum(), x)
    assert isinstance(single, tuple) and len(single) == 1


def test_grad_allow_unused():
    x = leaf([1.0])
    unused = leaf([2.0])
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        autograd.grad(y, (x, unused), retain_graph=True)
    gx, gu = autograd.grad(y, (x, unused), allow_unused=True)
    np.testing.assert_allclose(gx.array, [2.0])
    assert gu is None


def test_grad_outputs_weights_a_vector_output():
    x = leaf([1.0, 2.0, 3.0])
    v = np.array([0.5, -1.0, 2.0])
    (g,) = autograd.grad(x**2, x, grad_outputs=Tensor(v))
    np.testing.assert_allclose(g.array, 2 * x.array * v)


def test_grad_with_respect_to_non_leaf():
    x = leaf([1.0, 2.0])
    h = x * 3
    y = (h * h).sum()
    gh, gx = autograd.grad(y, (h, x))
    np.testing.assert_allclose(gh.array, 2 * h.array)
    np.testing.assert_allclose(gx.array, 18 * x.array)
    assert h.grad is None and x.grad is None


def test_grad_multiple_outputs():
    x = leaf([1.0, 2.0])
    (g,) = autograd.grad([(x**2).sum(), (x * 5).sum()], x)
    np.testing.assert_allclose(g.array, 2 * x.array + 5)


def test_grad_input_not_requiring_grad_raises():
    x = leaf([1.0])
    c = Tensor([1.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        autograd.grad((x * c).sum(), c)


# --------------------------------------------------------------------------- hooks
def test_hook_on_leaf_modifies_grad_and_can_be_removed():
    x = leaf([1.0, 2.0])
    seen = []

    def hook(g):
        seen.append(g.array.copy())
        return g * 10

    handle = x.register_hook(hook)
    (x * 3).sum().backward()
    np.testing.assert_allclose(seen[0], [3.0, 3.0])
    np.testing.assert_allclose(x.grad.array, [30.0, 30.0])
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.array, [3.0, 3.0])
    assert len(seen) == 1


def test_hook_on_non_leaf_changes_upstream_grad():
    def run(lib_leaf):
        x = lib_leaf([1.0, -2.0])
        h = x * x
        h.register_hook(lambda g: g * 2)
        (h * 3).sum().backward()
        return x.grad

    close(run(leaf), run(tleaf))


def test_hook_returning_none_observes_only():
    x = leaf([1.0, 2.0])
    h = x * 2
    got = []
    h.register_hook(lambda g: got.append(g.array.copy()))
    (h * h).sum().backward()
    np.testing.assert_allclose(got[0], 2 * h.array)
    np.testing.assert_allclose(x.grad.array, 4 * h.array)


def test_non_leaf_hook_removed():
    x = leaf([1.0])
    h = x * 2
    handle = h.register_hook(lambda g: g * 100)
    handle.remove()
    h.sum().backward()
    np.testing.assert_allclose(x.grad.array, [2.0])


def test_register_hook_on_tensor_not_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        Tensor([1.0]).register_hook(lambda g: g)


# --------------------------------------------------------------------------- retain_grad
def test_non_leaf_grad_is_none_without_retain_grad():
    x = leaf([1.0, 2.0])
    h = x * 2
    (h * h).sum().backward()
    assert h.grad is None
    assert x.grad is not None


def test_retain_grad_keeps_and_accumulates_non_leaf_grad():
    x = leaf([1.0, 2.0])
    h = x * 2
    h.retain_grad()
    assert h.retains_grad
    y = (h * h).sum()
    y.backward(retain_graph=True)
    np.testing.assert_allclose(h.grad.array, 2 * h.array)
    y.backward()
    np.testing.assert_allclose(h.grad.array, 4 * h.array)
    np.testing.assert_allclose(x.grad.array, 2 * 2 * 2 * h.array)


def test_retain_grad_sees_hooked_gradient_like_torch():
    def run(lib_leaf):
        x = lib_leaf([1.0, 3.0])
        h = x * x
        h.retain_grad()
        h.register_hook(lambda g: g * 3)
        (h * 2).sum().backward()
        return h.grad, x.grad

    ours, theirs = run(leaf), run(tleaf)
    close(ours[0], theirs[0])
    close(ours[1], theirs[1])


def test_retain_grad_follows_inplace_like_torch():
    """Regression: after y.retain_grad(); y.mul_(3), y.grad was the gradient with respect to
    y's old value; PyTorch gives the gradient with respect to its current value."""

    def run(mk):
        x = mk([1.0, 2.0])
        y = x * 2
        y.retain_grad()
        y.mul_(3)
        y[0] = x[1]
        (y * y).sum().backward()
        return y.grad, x.grad

    ours, theirs = run(leaf), run(tleaf)
    close(ours[0], theirs[0])
    close(ours[1], theirs[1])


def test_hook_registered_before_inplace_sees_old_value_grad_like_torch():
    def run(mk):
        x = mk([1.0, 2.0])
        y = x * 2
        seen = []
        y.register_hook(lambda g: seen.append(np.array(g.tolist())))
        y.mul_(3)
        (y * y).sum().backward()
        return seen[0], x.grad

    ours, theirs = run(leaf), run(tleaf)
    np.testing.assert_allclose(ours[0], theirs[0])
    close(ours[1], theirs[1])


# --------------------------------------------------------------------------- inputs=
def test_backward_inputs_limits_accumulation():
    x = leaf([1.0, 2.0])
    w = leaf([3.0, 4.0])
    h = x * w
    (h * h).sum().backward(inputs=[x])
    np.testing.assert_allclose(x.grad.array, 2 * h.array * w.array)
    assert w.grad is None


def test_backward_inputs_non_leaf():
    x = leaf([1.0, 2.0])
    h = x * 3
    (h * h).sum().backward(inputs=[h])
    np.testing.assert_allclose(h.grad.array, 2 * h.array)
    assert x.grad is None


# --------------------------------------------------------------------------- grad mode
def test_no_grad_context_records_nothing():
    x = leaf([1.0])
    with no_grad():
        y = x * 2
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_grad_mode_nests_and_restores():
    x = leaf([1.0])
    with no_grad():
        with enable_grad():
            a = x * 2
            with set_grad_enabled(False):
                b = x * 2
            c = x * 2
        d = x * 2
    e = x * 2
    assert [t.requires_grad for t in (a, b, c, d, e)] == [True, False, True, False, True]


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with no_grad():
            raise ValueError("boom")
    assert autograd.is_grad_enabled()


def test_grad_mode_decorators():
    x = leaf([1.0])

    @no_grad()
    def f():
        return x * 2

    @enable_grad()
    def g():
        return x * 2

    @set_grad_enabled(False)
    def h():
        return x * 2

    assert autograd.is_grad_enabled()  # decorating must not switch the mode
    assert not f().requires_grad
    assert autograd.is_grad_enabled()
    with no_grad():
        assert g().requires_grad
        assert not autograd.is_grad_enabled()
    assert not h().requires_grad
    assert autograd.is_grad_enabled()


def test_set_grad_enabled_as_function_call():
    try:
        set_grad_enabled(False)
        assert not autograd.is_grad_enabled()
        assert not (leaf([1.0]) * 2).requires_grad
    finally:
        set_grad_enabled(True)
    assert autograd.is_grad_enabled()


def test_grad_mode_is_thread_local():
    x = leaf([1.0])
    inside, proceed = threading.Event(), threading.Event()
    result = {}

    def worker():
        with no_grad():
            result["thread_enabled"] = autograd.is_grad_enabled()
            inside.set()
            proceed.wait(5)
            result["thread_requires_grad"] = (x * 2).requires_grad

    t = threading.Thread(target=worker)
    t.start()
    assert inside.wait(5)
    # The worker sits inside no_grad right now; this thread must still record.
    main_enabled = autograd.is_grad_enabled()
    main_requires = (x * 2).requires_grad
    proceed.set()
    t.join(5)
    assert main_enabled and main_requires
    assert result == {"thread_enabled": False, "thread_requires_grad": False}


def test_new_thread_starts_with_grad_enabled():
    result = {}
    with no_grad():
        t = threading.Thread(target=lambda: result.setdefault("on", autograd.is_grad_enabled()))
        t.start()
        t.join(5)
    assert result["on"] is True


# --------------------------------------------------------------------------- requires_grad, detach
def test_requires_grad_propagation():
    x = leaf([1.0, 2.0])
    c = Tensor([3.0, 4.0])
    assert not c.requires_grad and c.is_leaf
    assert x.is_leaf and x.grad_fn is None
    y = x * c
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    z = c * 2
    assert not z.requires_grad and z.grad_fn is None
    assert not (x > 0).requires_grad
    assert y.sum().requires_grad


def test_requires_grad_flag_on_non_leaf_cannot_be_cleared():
    y = leaf([1.0]) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)


def test_detach_cuts_graph_and_shares_data():
    x = leaf([1.0, 2.0])
    h = x * 2
    d = h.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    np.testing.assert_array_equal(d.array, h.array)
    assert np.shares_memory(d.array, h.array)
    (d * x).sum().backward()
    np.testing.assert_allclose(x.grad.array, h.array)  # no path through d


def test_detach_shares_version_counter():
    x = leaf([1.0, 2.0])
    h = x * 1.0
    y = (h * h).sum()  # saves h
    with no_grad():
        h.detach().mul_(5.0)
    with pytest.raises(RuntimeError, match="inplace"):
        y.backward()


# --------------------------------------------------------------------------- .grad aliasing
def test_leaf_grads_never_alias():
    x = leaf([1.0, 2.0])
    y = leaf([3.0, 4.0])
    (x + y).sum().backward()
    assert not np.shares_memory(x.grad.array, y.grad.array)
    x.grad.zero_()
    np.testing.assert_allclose(y.grad.array, [1.0, 1.0])
    np.testing.assert_allclose(x.grad.array, [0.0, 0.0])


def test_leaf_grads_never_alias_with_create_graph():
    """Regression: with create_graph=True, z = x + y handed the same gradient tensor to both
    leaves, so x.grad is y.grad and x.grad.zero_() wiped y.grad."""
    x = leaf([1.0, 2.0])
    y = leaf([3.0, 4.0])
    (x + y).sum().backward(create_graph=True)
    assert x.grad is not y.grad
    assert not np.shares_memory(x.grad.array, y.grad.array)
    with no_grad():
        x.grad.zero_()
    np.testing.assert_allclose(y.grad.array, [1.0, 1.0])


def test_create_graph_grad_is_differentiable():
    x = leaf([1.0, 2.0])
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (g2,) = autograd.grad(x.grad.sum(), x)
    np.testing.assert_allclose(g2.array, 6 * x.array)


def test_leaf_grad_does_not_alias_root_gradient():
    x = leaf([1.0, 2.0])
    seed = Tensor(np.array([1.0, 1.0]))
    (x * 1).backward(seed)
    x.grad.mul_(7)
    np.testing.assert_allclose(seed.array, [1.0, 1.0])
    y = leaf([0.0, 0.0])
    y.backward(seed)  # a leaf as the root: its grad must still be a fresh buffer
    y.grad.add_(1)
    np.testing.assert_allclose(seed.array, [1.0, 1.0])


def test_grad_of_identity_through_add_does_not_alias_across_calls():
    x = leaf([1.0])
    y = leaf([1.0])
    (x + y).sum().backward()
    g = x.grad
    (x + y).sum().backward()
    assert x.grad is not g or np.allclose(g.array, [2.0])
    np.testing.assert_allclose(x.grad.array, [2.0])
    np.testing.assert_allclose(y.grad.array, [2.0])


# --------------------------------------------------------------------------- deep graphs
DEPTH = 100_000


def test_deep_tensor_chain_no_recursion_error():
    x = leaf([0.5])
    y = x
    for _ in range(DEPTH):
        y = y * 1.0
    y = y + 0.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, [1.0])


def test_deep_value_chain_no_recursion_error():
    x = Value(0.5)
    y = x
    for _ in range(DEPTH):
        y = y + 0.0
    y = y * 2.0
    y.backward()
    assert x.grad == pytest.approx(2.0)


# --------------------------------------------------------------------------- version counter
INPLACE_ON_SAVED = {
    "iadd": lambda h: h.__iadd__(1.0),
    "mul_": lambda h: h.mul_(2.0),
    "setitem": lambda h: h.__setitem__(0, 9.0),
    "copy_": lambda h: h.copy_(Tensor(np.array([5.0, 6.0]))),
    "fill_": lambda h: h.fill_(3.0),
    "zero_": lambda h: h.zero_(),
}


@pytest.mark.parametrize("name", sorted(INPLACE_ON_SAVED))
def test_inplace_on_saved_non_leaf_raises(name):
    x = leaf([1.0, 2.0])
    h = x * 2
    y = (h * h).sum()  # Mul saves h
    INPLACE_ON_SAVED[name](h)
    with pytest.raises(RuntimeError, match=r"(?i)inplace.*version|modified by an inplace"):
        y.backward()
    assert x.grad is None


@pytest.mark.parametrize("name", sorted(INPLACE_ON_SAVED))
def test_inplace_on_saved_constant_raises(name):
    """A saved tensor that does not require grad is modified outside the graph."""
    x = leaf([1.0, 2.0])
    c = Tensor(np.array([3.0, 4.0]))
    y = (x * c).sum()  # Mul saves c
    INPLACE_ON_SAVED[name](c)
    with pytest.raises(RuntimeError, match=r"version"):
        y.backward()
    assert x.grad is None


SAVES_OUTPUT = {
    "exp": lambda x: x.exp(),
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    "sqrt": lambda x: x.sqrt(),
    "max": lambda x: x.max(),
    "amax_dim": lambda x: x.amax(0),
}


@pytest.mark.parametrize("name", sorted(SAVES_OUTPUT))
@pytest.mark.parametrize("grad_mode", ["recording", "no_grad"])
def test_inplace_on_output_an_op_saved_raises(name, grad_mode):
    """Regression: exp/sigmoid/tanh/sqrt/amax keep their output array for backward; an
    in-place change to the output silently gave a wrong gradient (2*exp(x) got 4*exp(x))."""
    x = leaf([1.0, 2.0])
    out = SAVES_OUTPUT[name](x)
    if grad_mode == "recording":
        out.mul_(2.0)
    else:
        with no_grad():
            out.mul_(2.0)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*version"):
        out.sum().backward()
    assert x.grad is None


@pytest.mark.parametrize("name", sorted(SAVES_OUTPUT))
def test_op_that_saves_output_without_inplace_matches_torch(name):
    x = leaf([1.0, 2.0])
    (SAVES_OUTPUT[name](x) * 2).sum().backward()
    xt = tleaf([1.0, 2.0])
    (SAVES_OUTPUT[name](xt) * 2).sum().backward()
    close(x.grad, xt.grad)


class ExpSavingResult(Function):
    """PyTorch's documentation example: the Function saves its own result."""

    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * result


def test_custom_function_saving_its_result():
    x = leaf([1.0, 2.0])
    (ExpSavingResult.apply(x) * 2).sum().backward()
    np.testing.assert_allclose(x.grad.array, 2 * np.exp(x.array))


def test_inplace_on_output_a_custom_function_saved_raises():
    """Regression: the output shares the saved result's array but not its version counter,
    so an in-place change to it gave a wrong gradient instead of an error."""
    x = leaf([1.0, 2.0])
    y = ExpSavingResult.apply(x)
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match="version"):
        y.sum().backward()


def test_inplace_on_view_of_saved_tensor_raises():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    c = Tensor(np.arange(4.0))
    y = (x * c).sum()
    view = c.reshape(2, 2)
    view.mul_(2.0)  # writes through to c
    np.testing.assert_allclose(c.array, [0.0, 2.0, 4.0, 6.0])
    with pytest.raises(RuntimeError, match="version"):
        y.backward()


def test_inplace_on_slice_view_of_saved_tensor_raises():
    x = leaf([1.0, 2.0, 3.0])
    c = Tensor(np.array([1.0, 2.0, 3.0]))
    y = (x * c).sum()
    c[1:].fill_(0.0)
    np.testing.assert_allclose(c.array, [1.0, 0.0, 0.0])
    with pytest.raises(RuntimeError, match="version"):
        y.backward()


@pytest.mark.parametrize(
    "make_view",
    [lambda h: h[0:2], lambda h: h.reshape(2, 2), lambda h: h.reshape(2, 2).T, lambda h: h[1]],
)
def test_inplace_under_no_grad_on_view_of_saved_non_leaf_raises(make_view):
    x = leaf([1.0, 2.0, 3.0, 4.0])
    h = x * 1.0
    y = (h * h).sum()
    with no_grad():
        make_view(h).mul_(2.0)
    assert h.array.sum() > x.array.sum()  # the view wrote through
    with pytest.raises(RuntimeError, match="version"):
        y.backward()


def test_full_int_index_is_a_view_like_torch():
    """Regression: x[0, 2] (an int for every dim) gave a numpy scalar copy, so
    x[0, 2].fill_(-1) silently did nothing yet bumped x's version."""

    def run(t):
        with no_grad() if isinstance(t, Tensor) else torch.no_grad():
            t[1].fill_(0.0)
            t[0, 2].fill_(-1.0)
            t[0][1].mul_(10.0)
        return t

    ours = run(Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True))
    theirs = run(torch.arange(6.0, dtype=torch.float64).reshape(2, 3).requires_grad_())
    close(ours, theirs)


def test_inplace_on_base_of_saved_view_raises():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    c = Tensor(np.arange(4.0))
    cv = c.reshape(2, 2)
    y = (x.reshape(2, 2) * cv).sum()  # saves the view
    c.add_(1.0)
    with pytest.raises(RuntimeError, match="version"):
        y.backward()


def test_inplace_on_view_of_grad_requiring_tensor_is_refused_or_correct():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    h = x * 1.0
    y_before = (h * h).sum()
    v = h.reshape(2, 2)
    try:
        v.mul_(2.0)
    except RuntimeError as exc:
        assert "view" in str(exc)
        return
    with pytest.raises(RuntimeError, match="version"):
        y_before.backward()


def test_inplace_that_does_not_touch_saved_tensor_is_fine():
    """Add saves nothing, so modifying its input afterwards is legal (as in PyTorch)."""
    x = leaf([1.0, 2.0])
    h = x * 2
    y = (h + 1).sum()
    h.add_(100.0)
    y.backward()
    np.testing.assert_allclose(x.grad.array, [2.0, 2.0])


def test_inplace_on_leaf_requiring_grad_raises():
    x = leaf([1.0, 2.0])
    for op in (
        lambda: x.add_(1.0),
        lambda: x.mul_(2.0),
        lambda: x.__setitem__(0, 1.0),
        lambda: x.zero_(),
        lambda: x.fill_(1.0),
        lambda: x.copy_(Tensor([0.0, 0.0])),
    ):
        with pytest.raises(RuntimeError, match="leaf"):
            op()
    np.testing.assert_array_equal(x.array, [1.0, 2.0])
    assert x.is_leaf and x.grad_fn is None


def test_inplace_on_leaf_under_no_grad_is_allowed():
    x = leaf([1.0, 2.0])
    v0 = x._version
    with no_grad():
        x.add_(1.0)
        x[0] = 10.0
        x.mul_(2.0)
    np.testing.assert_array_equal(x.array, [20.0, 6.0])
    assert x.is_leaf and x.requires_grad
    assert x._version > v0
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.array, 2 * x.array)


def test_inplace_chain_on_non_leaf_matches_torch():
    def run(mk):
        x = mk([1.0, 2.0, 3.0])
        w = mk([0.5, -1.0, 2.0])
        y = x * 2
        y += w
        y.mul_(w)
        y[0] = x[1]
        y.sub_(x)
        y /= w
        (y * y).sum().backward()
        return y, x.grad, w.grad

    ours, theirs = run(leaf), run(tleaf)
    for a, b in zip(ours, theirs, strict=True):
        close(a, b)


def test_inplace_records_version_bumps():
    x = leaf([1.0, 2.0])
    h = x * 2
    v = h._version
    h.add_(1.0)
    h[0] = 0.0
    h.mul_(2.0)
    assert h._version == v + 3


def test_inplace_with_grad_requiring_other_operand():
    """y.add_(w) where y doesn't require grad but w does: y joins the graph."""

    def run(mk, plain):
        w = mk([1.0, -2.0])
        y = plain([3.0, 4.0])
        y.add_(w * w)
        assert y.requires_grad
        (y * 3).sum().backward()
        return w.grad

    close(
        run(leaf, lambda v: Tensor(np.array(v))),
        run(tleaf, lambda v: torch.tensor(v, dtype=torch.float64)),
    )


# --------------------------------------------------------------------------- custom Function
def test_custom_function_cube():
    t = leaf([1.0, -2.0, 0.5])
    y = Cube.apply(t)
    np.testing.assert_allclose(y.array, t.array**3)
    assert y.requires_grad and y.grad_fn is not None
    y.sum().backward()
    np.testing.assert_allclose(t.grad.array, 3 * t.array**2)


def test_custom_function_cube_second_order():
    t = leaf([1.0, -2.0])
    (g,) = autograd.grad(Cube.apply(t).sum(), t, create_graph=True)
    (h,) = autograd.grad(g.sum(), t)
    np.testing.assert_allclose(h.array, 6 * t.array)


def test_custom_function_passes_gradcheck():
    assert autograd.gradcheck(Cube.apply, (leaf([0.3, -1.1]),))
    assert autograd.gradgradcheck(Cube.apply, (leaf([0.3, -1.1]),))


def test_gradgradcheck_evaluates_first_derivative_with_grad_enabled():
    """Regression: gradgradcheck's finite differences ran the first derivative under no_grad,
    so it produced no outputs and every gradgradcheck crashed with an IndexError."""
    x = leaf([0.4, -0.9])
    assert autograd.gradgradcheck(lambda t: t.sin() * t, (x,))
    assert autograd.gradgradcheck(lambda t: t**3, (x,))


def test_custom_function_forward_sees_no_grad_and_no_input_graph():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            seen["enabled"] = autograd.is_grad_enabled()
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    x = leaf([1.0])
    y = Probe.apply(x)
    assert seen["enabled"] is False
    assert isinstance(y.grad_fn, autograd.Node)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, [2.0])


def test_custom_function_needs_input_grad_and_non_tensor_args():
    seen = {}

    class Scale(Function):
        @staticmethod
        def forward(ctx, x, y, k):
            ctx.save_for_backward(x, y)
            ctx.k = k
            return x * y * k

        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved_tensors
            seen["needs"] = tuple(ctx.needs_input_grad)
            gx = grad * y * ctx.k if ctx.needs_input_grad[0] else None
            gy = grad * x * ctx.k if ctx.needs_input_grad[1] else None
            return gx, gy, None

    x = leaf([1.0, 2.0])
    c = Tensor(np.array([3.0, 4.0]))
    Scale.apply(x, c, 5.0).sum().backward()
    assert seen["needs"] == (True, False, False)
    np.testing.assert_allclose(x.grad.array, c.array * 5)


def test_custom_function_saved_tensors_version_checked():
    x = leaf([1.0, 2.0])
    h = x * 1.0
    y = Cube.apply(h).sum()
    h.add_(1.0)
    with pytest.raises(RuntimeError, match="version"):
        y.backward()


def test_custom_function_wrong_shape_gradient_raises():
    class Bad(Double):
        @staticmethod
        def backward(ctx, grad):
            return grad.sum()  # shape () instead of (3,)

    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=r"(?s)Bad.*invalid gradient.*\[3\]"):
        Bad.apply(x).sum().backward()
    assert x.grad is None


def test_custom_function_wrong_number_of_gradients_raises():
    class Two(Double):
        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    x = leaf([1.0])
    with pytest.raises(RuntimeError, match=r"Two.*incorrect number of gradients"):
        Two.apply(x).sum().backward()


def test_custom_function_without_grad_inputs_records_nothing():
    y = Cube.apply(Tensor(np.array([2.0])))
    assert not y.requires_grad and y.grad_fn is None
    np.testing.assert_allclose(y.array, [8.0])


# --------------------------------------------------------------------------- dtypes
def test_default_dtypes():
    assert Tensor(1.5).dtype == autograd.float32
    assert Tensor([1.0, 2.0]).dtype == autograd.float32
    assert Tensor([[1, 2]]).dtype == autograd.int64
    assert Tensor(3).dtype == autograd.int64
    assert Tensor([True]).dtype == autograd.bool
    assert Tensor(np.zeros(2, dtype=np.float64)).dtype == autograd.float64
    assert Tensor(np.zeros(2, dtype=np.int32)).dtype == autograd.int32
    assert Tensor(np.zeros(2, dtype=np.float16)).dtype == autograd.float16
    assert Tensor([1.0], dtype=autograd.float64).dtype == autograd.float64


def test_dtypes_match_torch_defaults():
    for data in (1.5, [1.0, 2.0], [1, 2], 3, [True, False]):
        ours = Tensor(data).dtype
        theirs = torch.tensor(data).dtype
        assert str(theirs).removeprefix("torch.") == {"bool": "bool"}.get(str(ours), str(ours))


def test_set_default_dtype_changes_and_is_restored(default_dtype):
    autograd.set_default_dtype(autograd.float64)
    assert autograd.get_default_dtype() == autograd.float64
    assert Tensor([1.0]).dtype == autograd.float64
    assert Tensor([1]).dtype == autograd.int64  # ints are unaffected
    assert autograd.ones(2).dtype == autograd.float64


def test_set_default_dtype_rejects_integer(default_dtype):
    with pytest.raises(TypeError, match="floating"):
        autograd.set_default_dtype(autograd.int64)
    assert autograd.get_default_dtype() == autograd.float32


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        Tensor([1, 2], requires_grad=True)
    t = Tensor([1, 2])
    with pytest.raises(RuntimeError, match="int64"):
        t.requires_grad_()
    assert not t.requires_grad


def test_float32_graph_keeps_float32_grads():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x * 0.5).sum().backward()
    assert x.grad.dtype == autograd.float32


# --------------------------------------------------------------------------- hashing
def test_hash_is_identity_and_eq_is_elementwise():
    a = Tensor([1.0, 2.0])
    b = Tensor([1.0, 2.0])
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b"
    assert hash(a) == id(a) or hash(a) == object.__hash__(a)
    eq = a == b
    assert isinstance(eq, Tensor) and eq.dtype == autograd.bool
    np.testing.assert_array_equal(eq.array, [True, True])
    assert a in {a} and b not in {a}


# --------------------------------------------------------------------------- subclasses
class _Param(Tensor):
    """A Tensor subclass, as nn.Parameter will be."""

    __slots__ = ()


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "where", "maximum"])
def test_tensor_subclass_operands_broadcast_like_tensors(op):
    # Regression: exact-class checks once treated a subclass as a Python number (shape ()),
    # which summed a broadcast gradient down to the wrong shape.
    rows = np.arange(1.0, 7.0).reshape(2, 3)
    col = np.array([[0.5], [2.0]])
    p = _Param(col, requires_grad=True)
    x = Tensor(rows, requires_grad=True)
    fns = {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b,
        "where": lambda a, b: autograd.where(b > 3, a, b),
        "maximum": lambda a, b: a.maximum(b),
    }
    tfns = dict(fns, where=lambda a, b: torch.where(b > 3, a, b), maximum=torch.maximum)
    fns[op](p, x).sum().backward()
    pt = torch.tensor(col, requires_grad=True)
    xt = torch.tensor(rows, requires_grad=True)
    tfns[op](pt, xt).sum().backward()
    assert p.grad.shape == (2, 1)
    np.testing.assert_allclose(p.grad.array, pt.grad.numpy())
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy())


# --------------------------------------------------------------------------- in-place, unrecorded
@pytest.mark.parametrize(
    "method, operand, expected",
    [
        ("add_", 2.0, [3.0, 4.0]),
        ("sub_", Tensor([1.0, 1.0]), [0.0, 1.0]),
        ("mul_", Tensor([[3.0]]).reshape(1), [3.0, 6.0]),
        ("div_", 2.0, [0.5, 1.0]),
        ("copy_", Tensor([7.0, 8.0]), [7.0, 8.0]),
    ],
)
def test_unrecorded_inplace_writes_into_the_same_storage(method, operand, expected):
    p = Tensor([1.0, 2.0], requires_grad=True)
    storage = p.array
    view = p.detach()
    with no_grad():
        getattr(p, method)(operand)
    assert p.array is storage  # no new array: optimizers update parameters in place
    np.testing.assert_array_equal(view.array, expected)
    assert p._version == 1 and p.is_leaf and p.requires_grad


def test_unrecorded_inplace_errors_match_the_recorded_route():
    with pytest.raises(RuntimeError, match="can't be cast"):
        Tensor([1, 2]).add_(0.5)
    with pytest.raises(RuntimeError, match="broadcast shape"):
        Tensor([1.0, 2.0]).add_(Tensor([[1.0, 2.0], [3.0, 4.0]]))
    x = Tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="broadcast shape"):
        x.mul_(Tensor([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.array, [1.0, 2.0])  # unchanged
    assert x._version == 0


def test_deepcopy_of_a_leaf_copies_storage_and_grad():
    import copy

    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    y = copy.deepcopy({"w": x})["w"]
    assert y is not x and y.requires_grad and y.is_leaf and y.device == x.device
    np.testing.assert_array_equal(y.array, x.array)
    np.testing.assert_array_equal(y.grad.array, [2.0, 4.0])
    y.array[0] = 5.0
    assert x.array[0] == 1.0  # its own storage
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(x * 2)


def test_backward_in_threads_keeps_each_threads_array_speed_switch():
    """The array-speed switch was one global: backwards in parallel threads restored each
    other's value, leaving it on after all had finished (and a create_graph backward could
    run its rules on raw arrays). It is per thread now, as grad mode."""
    import threading

    from autograd.grad_mode import state

    errors = []

    def work(create_graph):
        try:
            for _ in range(200):
                x = autograd.tensor([1.0, 2.0], requires_grad=True)
                y = (x.exp() * x).sum()
                (g,) = autograd.grad(y, x, create_graph=create_graph)
                expected = (x.exp() * (x + 1)).detach()
                assert autograd.allclose(g.detach(), expected)
                if create_graph:
                    assert g.requires_grad  # recorded: its rules ran on Tensors
                    g.sum().backward()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i % 2 == 0,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert state.raw is False


@pytest.mark.parametrize("create_graph", [False, True])
def test_gradient_of_a_float16_input_beside_float32_is_float16_at_both_speeds(create_graph):
    """grad(..., create_graph=True) handed a 0-d float16 input a float32 gradient (the cast
    to each vertex's dtype ran only in the array-speed walk); torch's is float16, and the
    cast is part of the recorded graph (its gradient reaches y)."""
    import torch

    results = []
    for lib, grad in ((autograd, autograd.grad), (torch, torch.autograd.grad)):
        x = lib.tensor(2.0, dtype=lib.float16, requires_grad=True)
        y = lib.tensor([1.0, 2.0], requires_grad=True)
        (g,) = grad((x * y).sum(), x, create_graph=create_graph)
        second = grad(g, y)[0].tolist() if create_graph else None
        results.append((str(g.dtype).replace("torch.", ""), g.item(), second))
    assert results[0] == results[1]
