"""Optimizers against torch.optim: same parameters after 20 steps on a small MLP.

Every expectation comes from torch itself (run side by side from the same initial values),
never from this library's own outputs.
"""

import re
import warnings

import numpy as np
import pytest
import torch
from helpers import OptimizerSide as Side

import autograd as ag
import optim
from autograd import Tensor

STEPS = 20
TOL = dict(rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------------- the model
def initial_values(seed=0):
    """W1 (4,3), b1 (4,), W2 (2,4), b2 (2,), inputs X (5,3), target Y (5,2)."""
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=s) for s in [(4, 3), (4,), (2, 4), (2,)]]
    return params, rng.normal(size=(5, 3)), rng.normal(size=(5, 2))


def assert_params_close(ours, theirs):
    for i, (a, b) in enumerate(zip(ours.arrays(), theirs.arrays())):
        np.testing.assert_allclose(a, b, **TOL, err_msg=f"parameter {i}")


# --------------------------------------------------------------------------- parity table
CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.2)),
    ("Adagrad", dict(lr=0.1, eps=1e-3, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, centered=True, momentum=0.5, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, maximize=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True)),
    ("AdamW", dict(lr=0.01, betas=(0.5, 0.9), maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.05, weight_decay=0.1)),
    ("NAdam", dict(lr=0.05, momentum_decay=0.01, betas=(0.8, 0.99))),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.01, maximize=True)),
]
CASE_IDS = [f"{name}-" + "-".join(f"{k}={v}" for k, v in kw.items()) for name, kw in CASES]


@pytest.mark.parametrize("name, kwargs", CASES, ids=CASE_IDS)
def test_same_parameters_as_torch(name, kwargs):
    values = initial_values()
    ours, theirs = Side("ours", values), Side("torch", values)
    opt, topt = ours.optimizer(name, **kwargs), theirs.optimizer(name, **kwargs)
    assert type(opt) is getattr(optim, name)
    ours.train(opt, STEPS)
    theirs.train(topt, STEPS)
    # The parameters moved, so the comparison says something.
    assert max(np.abs(a - b).max() for a, b in zip(ours.arrays(), values[0])) > 1e-3
    assert_params_close(ours, theirs)


@pytest.mark.parametrize("name, kwargs", CASES, ids=CASE_IDS)
def test_state_matches_torch(name, kwargs):
    """state_dict()['state'] has torch's indices, names and values after a few steps."""
    values = initial_values(1)
    ours, theirs = Side("ours", values), Side("torch", values)
    opt, topt = ours.optimizer(name, **kwargs), theirs.optimizer(name, **kwargs)
    ours.train(opt, 3)
    theirs.train(topt, 3)
    state, tstate = opt.state_dict()["state"], topt.state_dict()["state"]
    tstate = {i: {k: v for k, v in s.items() if v is not None} for i, s in tstate.items()}
    tstate = {i: s for i, s in tstate.items() if s}
    assert sorted(state) == sorted(tstate)
    for i in tstate:
        assert sorted(state[i]) == sorted(tstate[i])
        for k, v in tstate[i].items():
            np.testing.assert_allclose(state[i][k].numpy(), v.numpy(), **TOL, err_msg=k)
            assert state[i][k].dtype == np.dtype(str(v.dtype).replace("torch.", ""))


def test_param_groups_with_different_lr():
    values = initial_values(2)
    groups = [{"params": [0, 1], "lr": 0.2}, {"params": [2, 3], "momentum": 0.5}]
    ours, theirs = Side("ours", values), Side("torch", values)
    opt = ours.optimizer("SGD", groups, lr=0.01, momentum=0.9)
    topt = theirs.optimizer("SGD", groups, lr=0.01, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.01]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.5]
    ours.train(opt, STEPS)
    theirs.train(topt, STEPS)
    assert_params_close(ours, theirs)


def test_add_param_group_later():
    values = initial_values(3)
    ours, theirs = Side("ours", values), Side("torch", values)
    opt = optim.Adam(ours.params[:2], lr=0.05)
    topt = torch.optim.Adam(theirs.params[:2], lr=0.05)
    ours.train(opt, 3)
    theirs.train(topt, 3)
    opt.add_param_group({"params": ours.params[2:], "lr": 0.01, "amsgrad": True})
    topt.add_param_group({"params": theirs.params[2:], "lr": 0.01, "amsgrad": True})
    ours.train(opt, 5)
    theirs.train(topt, 5)
    assert_params_close(ours, theirs)


def test_step_with_closure_returns_loss_and_matches_torch():
    values = initial_values(4)
    ours, theirs = Side("ours", values), Side("torch", values)
    opt, topt = ours.optimizer("SGD", lr=0.1), theirs.optimizer("SGD", lr=0.1)
    for _ in range(5):
        with ag.no_grad():  # step runs the closure with grad enabled, as torch does
            loss = opt.step(ours.closure(opt))
        tloss = topt.step(theirs.closure(topt))
        assert loss.item() == pytest.approx(tloss.item(), rel=1e-12)
    assert_params_close(ours, theirs)


def test_parameters_without_grad_are_skipped():
    values = initial_values(5)
    ours = Side("ours", values)
    opt = optim.Adam(ours.params, lr=0.1)
    W1, b1, W2, b2 = ours.params
    (W2.sum() + b2.sum()).backward()
    before = ours.arrays()
    opt.step()
    after = ours.arrays()
    np.testing.assert_array_equal(after[0], before[0])
    np.testing.assert_array_equal(after[1], before[1])
    assert not np.array_equal(after[2], before[2])
    assert W1 not in opt.state and W2 in opt.state


def test_step_bumps_version_so_a_stale_graph_raises():
    values = initial_values(6)
    ours, theirs = Side("ours", values), Side("torch", values)
    for side, mod in [(ours, optim), (theirs, torch.optim)]:
        opt = mod.SGD(side.params, lr=0.1)
        side.loss().backward()
        loss = side.loss()  # saves W1, W2 for backward
        opt.step()  # changes them in place
        with pytest.raises(RuntimeError):
            loss.backward()


# --------------------------------------------------------------------------- zero_grad
def test_zero_grad_set_to_none():
    ours = Side("ours", initial_values())
    opt = optim.SGD(ours.params, lr=0.1)
    ours.loss().backward()
    opt.zero_grad()
    assert all(p.grad is None for p in ours.params)
    opt.zero_grad()  # no grads: nothing to do


def test_zero_grad_in_place_keeps_the_grad_tensor():
    ours = Side("ours", initial_values())
    opt = optim.SGD(ours.params, lr=0.1)
    ours.loss().backward()
    grads = [p.grad for p in ours.params]
    assert any(np.abs(g.numpy()).max() > 0 for g in grads)
    opt.zero_grad(set_to_none=False)
    for p, g in zip(ours.params, grads):
        assert p.grad is g
        assert not g.requires_grad
        np.testing.assert_array_equal(g.numpy(), np.zeros(p.shape))
    # The zeroed grads accumulate the next backward like fresh ones.
    ours.loss().backward()
    expected = Side("ours", initial_values())
    expected.loss().backward()
    for p, q in zip(ours.params, expected.params):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


def test_zero_grad_detaches_a_grad_with_history():
    x = Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([x], lr=0.1)
    (x**3).sum().backward(create_graph=True)
    assert x.grad.grad_fn is not None
    opt.zero_grad(set_to_none=False)
    assert x.grad.grad_fn is None and not x.grad.requires_grad
    assert x.grad.tolist() == [0.0, 0.0]


# --------------------------------------------------------------------------- state_dict
ROUND_TRIP = [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("AdamW", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05)),
]


@pytest.mark.parametrize("name, kwargs", ROUND_TRIP, ids=[c[0] for c in ROUND_TRIP])
def test_state_dict_round_trip_continues_like_uninterrupted(name, kwargs):
    values = initial_values(7)
    straight = Side("ours", values)
    opt = straight.optimizer(name, **kwargs)
    straight.train(opt, 5)
    saved = opt.state_dict()
    saved_arrays = straight.arrays()
    saved_state = {
        i: {k: v.numpy().copy() for k, v in s.items()} for i, s in saved["state"].items()
    }
    straight.train(opt, STEPS - 5)

    # The saved dict is a snapshot: stepping on did not change it.
    for i, s in saved["state"].items():
        for k, v in s.items():
            np.testing.assert_array_equal(v.numpy(), saved_state[i][k])

    resumed = Side("ours", (saved_arrays, values[1], values[2]))
    opt2 = resumed.optimizer(name, **kwargs)
    opt2.load_state_dict(saved)
    resumed.train(opt2, STEPS - 5)
    for a, b in zip(resumed.arrays(), straight.arrays()):
        np.testing.assert_array_equal(a, b)
    # And both equal torch's uninterrupted run.
    theirs = Side("torch", values)
    theirs.train(theirs.optimizer(name, **kwargs), STEPS)
    assert_params_close(resumed, theirs)


def test_load_state_dict_restores_group_options_and_casts_state():
    values = initial_values(8)
    src = Side("ours", values)
    opt = src.optimizer("Adam", lr=0.05)
    src.train(opt, 2)
    opt.param_groups[0]["lr"] = 0.001
    saved = opt.state_dict()
    dst = Side("ours", values)
    for p in dst.params:
        p.array = p.array.astype("float32")
    opt2 = dst.optimizer("Adam", lr=0.5)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[0]["lr"] == 0.001
    assert opt2.param_groups[0]["params"][0] is dst.params[0]
    state = opt2.state[dst.params[0]]
    assert state["exp_avg"].dtype == np.float32
    assert state["step"].item() == 2.0
    # Loaded state is the optimizer's own: the dict's tensors are not aliased.
    state["exp_avg"].array[...] = 0
    assert np.abs(saved["state"][0]["exp_avg"].numpy()).max() > 0


def test_state_dict_layout_like_torch():
    values = initial_values(9)
    groups = [{"params": [0, 1], "lr": 0.2}, {"params": [2, 3]}]
    ours, theirs = Side("ours", values), Side("torch", values)
    opt = ours.optimizer("SGD", groups, lr=0.01, momentum=0.9)
    topt = theirs.optimizer("SGD", groups, lr=0.01, momentum=0.9)
    ours.train(opt, 1)
    theirs.train(topt, 1)
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert set(sd) == set(tsd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [g["params"] for g in tsd["param_groups"]]
    for g, tg in zip(sd["param_groups"], tsd["param_groups"]):
        assert {k: tg[k] for k in g} == g


def load_error_cases():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0], requires_grad=True)
    src = optim.Adam([a, b], lr=0.1)
    (a.sum() + b.sum()).backward()
    src.step()
    saved = src.state_dict()
    two_groups = optim.Adam([{"params": [a]}, {"params": [b]}]).state_dict()
    wrong_shape = {
        "state": {0: dict(saved["state"][1])},
        "param_groups": [{**saved["param_groups"][0], "params": [0]}],
    }
    return saved, two_groups, wrong_shape


def test_load_state_dict_errors_leave_optimizer_unchanged():
    saved, two_groups, wrong_shape = load_error_cases()
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([5.0], requires_grad=True)
    opt = optim.Adam([x, y], lr=0.3)
    (x.sum() * y.sum()).backward()
    opt.step()
    before_groups = [dict(g) for g in opt.param_groups]
    before_state = {p: {k: v.numpy().copy() for k, v in s.items()} for p, s in opt.state.items()}

    def unchanged():
        assert opt.param_groups == before_groups
        assert set(opt.state) == set(before_state)
        for p, s in opt.state.items():
            for k, v in s.items():
                np.testing.assert_array_equal(v.numpy(), before_state[p][k])

    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict(two_groups)
    unchanged()
    one = optim.Adam([x], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(one)
    unchanged()
    single = optim.Adam([x])
    with pytest.raises(ValueError, match=re.escape("'exp_avg' of shape (1,)")):
        single.load_state_dict(wrong_shape)
    assert len(single.state) == 0 and single.param_groups[0]["lr"] == 1e-3


def test_load_state_dict_error_wording_matches_torch():
    x = torch.zeros(2, requires_grad=True)
    y = torch.zeros(1, requires_grad=True)
    topt = torch.optim.Adam([x, y])
    for bad, pattern in [
        (
            torch.optim.Adam([{"params": [x]}, {"params": [y]}]).state_dict(),
            "different number of parameter groups",
        ),
        (torch.optim.Adam([x]).state_dict(), "doesn't match the size of optimizer's group"),
    ]:
        with pytest.raises(ValueError, match=pattern):
            topt.load_state_dict(bad)


# --------------------------------------------------------------------------- argument checks
ARG_ERRORS = [
    ("SGD", dict(lr=-1), "Invalid learning rate: -1"),
    ("SGD", dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    ("SGD", dict(lr=0.1, weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    (
        "SGD",
        dict(lr=0.1, nesterov=True),
        "Nesterov momentum requires a momentum and zero dampening",
    ),
    (
        "SGD",
        dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
        "Nesterov momentum requires a momentum and zero dampening",
    ),
    ("Adagrad", dict(lr=-0.1), "Invalid learning rate: -0.1"),
    ("Adagrad", dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    ("Adagrad", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("Adagrad", dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
    ("Adagrad", dict(eps=-1e-10), "Invalid epsilon value: -1e-10"),
    ("RMSprop", dict(lr=-1), "Invalid learning rate: -1"),
    ("RMSprop", dict(eps=-1), "Invalid epsilon value: -1"),
    ("RMSprop", dict(momentum=-1), "Invalid momentum value: -1"),
    ("RMSprop", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("RMSprop", dict(alpha=-1), "Invalid alpha value: -1"),
    ("Adam", dict(lr=-1), "Invalid learning rate: -1"),
    ("Adam", dict(eps=-1), "Invalid epsilon value: -1"),
    ("Adam", dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    ("Adam", dict(betas=(-0.1, 0.999)), "Invalid beta parameter at index 0: -0.1"),
    ("Adam", dict(betas=(0.9, 1.5)), "Invalid beta parameter at index 1: 1.5"),
    ("Adam", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("AdamW", dict(lr=-1), "Invalid learning rate: -1"),
    ("AdamW", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    ("AdamW", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("NAdam", dict(lr=-1), "Invalid learning rate: -1"),
    ("NAdam", dict(betas=(2, 0.9)), "Invalid beta parameter at index 0: 2"),
    ("NAdam", dict(momentum_decay=-1), "Invalid momentum_decay value: -1"),
]


@pytest.mark.parametrize("name, kwargs, message", ARG_ERRORS)
def test_argument_errors_use_torch_wording(name, kwargs, message):
    for cls, p in [
        (getattr(optim, name), Tensor([1.0], requires_grad=True)),
        (getattr(torch.optim, name), torch.zeros(1, requires_grad=True)),
    ]:
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            cls([p], **kwargs)


def param_error_cases(lib):
    if lib == "ours":
        make = lambda: Tensor([1.0, 2.0], requires_grad=True)  # noqa: E731
        mod = optim
    else:
        make = lambda: torch.zeros(2, requires_grad=True)  # noqa: E731
        mod = torch.optim
    a, b = make(), make()
    return [
        (lambda: mod.SGD([], lr=0.1), ValueError, "optimizer got an empty parameter list"),
        (lambda: mod.SGD(a, lr=0.1), TypeError, "should be an iterable of Tensors or dicts"),
        (lambda: mod.SGD([{"params": {a, b}}], lr=0.1), TypeError, "ordering of tensors in sets"),
        (lambda: mod.SGD([a * 2], lr=0.1), ValueError, "can't optimize a non-leaf Tensor"),
        (lambda: mod.SGD([a, 1.0], lr=0.1), TypeError, "optimizer can only optimize Tensors"),
        (
            lambda: mod.SGD([{"params": [a]}, {"params": [b, a]}], lr=0.1),
            ValueError,
            "some parameters appear in more than one parameter group",
        ),
    ]


@pytest.mark.parametrize("lib", ["ours", "torch"])
def test_param_errors_use_torch_wording(lib):
    for make, error, message in param_error_cases(lib):
        with pytest.raises(error, match=re.escape(message)):
            make()


@pytest.mark.parametrize("lib", ["ours", "torch"])
def test_duplicate_param_in_one_group_warns(lib):
    p = Tensor([1.0], requires_grad=True) if lib == "ours" else torch.zeros(1, requires_grad=True)
    mod = optim if lib == "ours" else torch.optim
    with pytest.warns(UserWarning, match="duplicate parameters"):
        mod.SGD([p, p], lr=0.1)


def test_repr_lists_groups():
    opt = optim.SGD([Tensor([1.0], requires_grad=True)], lr=0.1, momentum=0.9)
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0\n")
    assert "    lr: 0.1\n" in text and "    momentum: 0.9\n" in text
    assert "params" not in text


def test_no_warnings_in_a_plain_loop():
    ours = Side("ours", initial_values())
    opt = optim.Adam(ours.params)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours.train(opt, 2)


@pytest.mark.parametrize("name, kwargs", [CASES[1], CASES[12], CASES[17], CASES[26]])
def test_float32_parameters_stay_float32_and_match_torch(name, kwargs):
    arrays, X, Y = initial_values(10)
    values = ([a.astype(np.float32) for a in arrays], X.astype(np.float32), Y.astype(np.float32))
    ours, theirs = Side("ours", values), Side("torch", values)
    opt, topt = ours.optimizer(name, **kwargs), theirs.optimizer(name, **kwargs)
    ours.train(opt, 5)
    theirs.train(topt, 5)
    for a, b in zip(ours.arrays(), theirs.arrays()):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    for s in opt.state.values():
        assert all(v.dtype == np.float32 for v in s.values())
