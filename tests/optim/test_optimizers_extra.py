"""The optimizers added for learner code (Adadelta, Adamax, RAdam, ASGD, Rprop, LBFGS) and
PyTorch's keywords on every optimizer, against torch.optim run side by side.

Each case trains a small MLP for 20+ steps in float64 and float32 from the same initial values;
the expectations are torch's parameters, state and param groups, never our own outputs.
"""

import copy
import inspect

import numpy as np
import pytest
import torch
from helpers import OptimizerSide as Side

import optim
from autograd import Tensor

STEPS = 24
TOL = {
    "float64": dict(rtol=1e-10, atol=1e-12),
    "float32": dict(rtol=2e-5, atol=2e-6),
}
DTYPES = ["float64", "float32"]
# LBFGS's float32 runs on the MLP: float32 rounding (1e-7) grown by ~20 quasi-Newton
# iterations, whose direction and step length depend on differences of gradients.
LBFGS_TOL = dict(TOL, float32=dict(rtol=5e-4, atol=5e-5))


def initial_values(seed, dtype):
    """W1 (4,3), b1 (4,), W2 (2,4), b2 (2,), inputs X (6,3), target Y (6,2)."""
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=s).astype(dtype) for s in [(4, 3), (4,), (2, 4), (2,)]]
    return params, rng.normal(size=(6, 3)).astype(dtype), rng.normal(size=(6, 2)).astype(dtype)


def assert_close(ours, theirs, dtype, tol=TOL):
    for i, (a, b) in enumerate(zip(ours.arrays(), theirs.arrays())):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, **tol[dtype], err_msg=f"parameter {i}")


def pair(seed, dtype):
    values = initial_values(seed, dtype)
    return values, Side("ours", values), Side("torch", values)


# --------------------------------------------------------------------------- parity table
CASES = [
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1)),
    ("Adadelta", dict(lr=0.5, maximize=True, foreach=False)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, maximize=True, capturable=False)),
    ("RAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01, maximize=True)),
    ("ASGD", dict(lr=0.1)),
    ("ASGD", dict(lr=0.1, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, t0=0, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.1), step_sizes=(1e-3, 0.2))),
    ("Rprop", dict(lr=0.01, maximize=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, foreach=False, fused=None)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, amsgrad=True, capturable=False, foreach=None)),
    ("AdamW", dict(lr=0.05, amsgrad=True, maximize=True)),
    ("Adagrad", dict(lr=0.1, foreach=None, differentiable=False)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, foreach=False)),
    ("NAdam", dict(lr=0.05, decoupled_weight_decay=True, weight_decay=0.1, capturable=False)),
]
CASE_IDS = [f"{name}-" + "-".join(f"{k}={v}" for k, v in kw.items()) for name, kw in CASES]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, kwargs", CASES, ids=CASE_IDS)
def test_same_parameters_and_state_as_torch(name, kwargs, dtype):
    values, ours, theirs = pair(0, dtype)
    opt, topt = ours.optimizer(name, **kwargs), theirs.optimizer(name, **kwargs)
    assert type(opt) is getattr(optim, name)
    ours.train(opt, STEPS)
    theirs.train(topt, STEPS)
    assert max(np.abs(a - b).max() for a, b in zip(ours.arrays(), values[0])) > 1e-3
    assert_close(ours, theirs, dtype)
    state, tstate = opt.state_dict()["state"], topt.state_dict()["state"]
    assert sorted(state) == sorted(tstate)
    for i in tstate:
        assert sorted(state[i]) == sorted(tstate[i])
        for k, v in tstate[i].items():
            if isinstance(v, torch.Tensor):
                assert str(state[i][k].dtype) == str(v.dtype).replace("torch.", ""), k
                # float32 gradients (Rprop's 'prev') differ in their last bits, in proportion
                # to the largest entry: cancellations give small entries an absolute error.
                tol = dict(TOL[dtype])
                tol["atol"] *= max(1.0, float(v.abs().max()))
                np.testing.assert_allclose(state[i][k].numpy(), v.numpy(), **tol, err_msg=k)
    groups, tgroups = opt.state_dict()["param_groups"], topt.state_dict()["param_groups"]
    assert groups == tgroups


NEW = ["Adadelta", "Adamax", "RAdam", "ASGD", "Rprop"]


@pytest.mark.parametrize("name", NEW)
def test_param_groups_with_different_hyperparameters(name):
    extra = {
        "Adadelta": {"rho": 0.7},
        "Adamax": {"betas": (0.5, 0.9)},
        "RAdam": {"weight_decay": 0.2},
        "ASGD": {"t0": 3},
        "Rprop": {"etas": (0.4, 1.3)},
    }[name]
    groups = [{"params": [0, 1], "lr": 0.03}, {"params": [2, 3], **extra}]
    _, ours, theirs = pair(1, "float64")
    opt = ours.optimizer(name, groups, lr=0.07)
    topt = theirs.optimizer(name, groups, lr=0.07)
    ours.train(opt, STEPS)
    theirs.train(topt, STEPS)
    assert_close(ours, theirs, "float64")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NEW + ["SGD", "Adam"])
def test_lr_assigned_to_a_group_takes_effect(name, dtype):
    _, ours, theirs = pair(2, dtype)
    opt, topt = ours.optimizer(name, lr=0.05), theirs.optimizer(name, lr=0.05)
    for o, side in [(opt, ours), (topt, theirs)]:
        side.train(o, 10)
        o.param_groups[0]["lr"] = 0.005
        side.train(o, 12)
    assert_close(ours, theirs, dtype)
    if name == "Rprop":
        return  # lr only seeds the step sizes on the first step, in torch too
    # Against a run that kept the first lr, the change shows.
    _, kept, _ = pair(2, dtype)
    kept.train(kept.optimizer(name, lr=0.05), 22)
    assert any(not np.allclose(a, b) for a, b in zip(ours.arrays(), kept.arrays()))


ROUND_TRIP = [
    ("Adadelta", dict(lr=0.5)),
    ("Adamax", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05)),
    ("ASGD", dict(lr=0.1, t0=4)),
    ("Rprop", dict(lr=0.05)),
    ("LBFGS", dict(lr=0.5, max_iter=3, history_size=4)),
    ("LBFGS", dict(max_iter=3, history_size=3, line_search_fn="strong_wolfe")),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, kwargs", ROUND_TRIP, ids=[str(c) for c in ROUND_TRIP])
def test_state_dict_round_trip_mid_run_equals_uninterrupted(name, kwargs, dtype):
    # LBFGS on the MLP amplifies rounding (torch's matmuls differ from ours in the last bit)
    # by ~10x per iteration past ~20 iterations: keep 18 iterations, 3 per step.
    half = 3 if name == "LBFGS" else 12
    values, straight, theirs = pair(3, dtype)
    opt = straight.optimizer(name, **kwargs)
    straight.train(opt, half)
    saved = opt.state_dict()
    snapshot = copy.deepcopy(saved)
    resumed = Side("ours", (straight.arrays(), values[1], values[2]))
    straight.train(opt, half)
    # Stepping on changed nothing in the saved dict.
    for i, s in saved["state"].items():
        for k, v in s.items():
            if isinstance(v, Tensor):
                np.testing.assert_array_equal(v.numpy(), snapshot["state"][i][k].numpy())
    opt2 = resumed.optimizer(name, **kwargs)
    opt2.load_state_dict(saved)
    resumed.train(opt2, half)
    for a, b in zip(resumed.arrays(), straight.arrays()):
        np.testing.assert_array_equal(a, b)
    theirs.train(theirs.optimizer(name, **kwargs), 2 * half)
    assert_close(resumed, theirs, dtype, LBFGS_TOL if name == "LBFGS" else TOL)


# --------------------------------------------------------------------------- LBFGS
# 4 steps of at most 5 iterations: past ~20 iterations on the MLP, rounding differences
# (torch's matmuls against ours) grow ~10x per iteration, in torch against itself too.
LBFGS_CASES = [
    dict(max_iter=5),
    dict(lr=0.5, max_iter=5, history_size=3),
    dict(lr=1, max_iter=5, max_eval=6, history_size=2, tolerance_change=1e-5),
    dict(max_iter=5, line_search_fn="strong_wolfe"),
    dict(lr=0.8, max_iter=5, history_size=2, line_search_fn="strong_wolfe"),
    dict(lr=3.0, max_iter=4, line_search_fn="strong_wolfe"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", LBFGS_CASES, ids=[str(k) for k in LBFGS_CASES])
def test_lbfgs_same_losses_parameters_and_counters_as_torch(kwargs, dtype):
    _, ours, theirs = pair(4, dtype)
    opt, topt = ours.optimizer("LBFGS", **kwargs), theirs.optimizer("LBFGS", **kwargs)
    for _ in range(4):
        loss = opt.step(ours.closure(opt))
        tloss = topt.step(theirs.closure(topt))
        tol = LBFGS_TOL[dtype]
        assert loss.item() == pytest.approx(tloss.item(), rel=tol["rtol"], abs=tol["atol"])
    assert_close(ours, theirs, dtype, LBFGS_TOL)
    state, tstate = opt.state[ours.params[0]], topt.state[theirs.params[0]]
    assert state["func_evals"] == tstate["func_evals"]
    assert state["n_iter"] == tstate["n_iter"]
    assert len(state["old_dirs"]) == len(tstate["old_dirs"])
    assert opt.param_groups[0].keys() == topt.param_groups[0].keys()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_solves_least_squares_as_torch(line_search_fn, dtype):
    """A convex quadratic, default max_iter: both stop on tolerance_grad/tolerance_change at
    the same iteration, at the least-squares solution."""
    rng = np.random.default_rng(5)
    A = rng.normal(size=(12, 5)).astype(dtype)
    b = rng.normal(size=12).astype(dtype)
    results = []
    for make, mod in [(Tensor, optim), (torch.tensor, torch.optim)]:
        x = make(np.zeros(5, dtype=dtype), requires_grad=True)
        At, bt = make(A), make(b)
        opt = mod.LBFGS([x], line_search_fn=line_search_fn, tolerance_grad=1e-5)

        def closure(x=x, At=At, bt=bt, opt=opt):
            opt.zero_grad()
            loss = ((At @ x - bt) ** 2).sum()
            loss.backward()
            return loss

        opt.step(closure)
        results.append((x.detach().numpy().copy(), opt.state[x]["n_iter"]))
    (ours, n_ours), (theirs, n_theirs) = results
    assert n_ours == n_theirs < 20
    np.testing.assert_allclose(ours, theirs, **TOL[dtype])
    solution = np.linalg.lstsq(A.astype(np.float64), b.astype(np.float64), rcond=None)[0]
    np.testing.assert_allclose(ours, solution, rtol=1e-3, atol=1e-4)


def test_lbfgs_a_parameter_without_grad_stays_and_groups_are_refused():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0], requires_grad=True)
    opt = optim.LBFGS([a, b])

    def closure():
        opt.zero_grad()
        loss = ((a - 5.0) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    assert b.tolist() == [3.0]
    np.testing.assert_allclose(a.tolist(), [5.0, 5.0], rtol=1e-6)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        opt.add_param_group({"params": [Tensor([0.0], requires_grad=True)]})
    with pytest.raises(ValueError, match="line_search_fn"):
        optim.LBFGS([a], line_search_fn="armijo")


# --------------------------------------------------------------------------- signatures
TORCH_NAMES = ["SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "NAdam"] + NEW + ["LBFGS"]


@pytest.mark.parametrize("name", TORCH_NAMES)
def test_every_torch_keyword_is_accepted_with_its_default(name):
    ours = inspect.signature(getattr(optim, name).__init__).parameters
    theirs = inspect.signature(getattr(torch.optim, name).__init__).parameters
    assert list(ours) == list(theirs)
    for key, param in theirs.items():
        assert ours[key].kind == param.kind, key
        assert ours[key].default == param.default, key
    # The defaults land in the param groups as torch's do.
    p, tp = Tensor([1.0], requires_grad=True), torch.ones(1, requires_grad=True)
    group = getattr(optim, name)([p]).param_groups[0]
    tgroup = getattr(torch.optim, name)([tp]).param_groups[0]
    assert {k: v for k, v in group.items() if k != "params"} == {
        k: v for k, v in tgroup.items() if k != "params"
    }


@pytest.mark.parametrize("name", [n for n in TORCH_NAMES if n != "LBFGS"])
def test_differentiable_true_is_refused(name):
    with pytest.raises(NotImplementedError, match="differentiable"):
        getattr(optim, name)([Tensor([1.0], requires_grad=True)], differentiable=True)


BAD = [
    ("Adadelta", dict(lr=-1.0)),
    ("Adadelta", dict(rho=1.5)),
    ("Adadelta", dict(eps=-1.0)),
    ("Adadelta", dict(weight_decay=-0.1)),
    ("Adamax", dict(betas=(1.0, 0.9))),
    ("Adamax", dict(betas=(0.9, -0.1))),
    ("RAdam", dict(eps=-1e-8)),
    ("ASGD", dict(lr=-0.1)),
    ("ASGD", dict(weight_decay=-1.0)),
    ("Rprop", dict(etas=(1.5, 1.2))),
    ("Rprop", dict(etas=(0.5, 0.9))),
    ("LBFGS", dict(lr=-1.0)),
    ("SGD", dict(lr=0.1, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)),
]


@pytest.mark.parametrize("name, kwargs", BAD, ids=[str(c) for c in BAD])
def test_bad_options_raise_torchs_message(name, kwargs):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.ones(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)([Tensor([1.0], requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value)


# --------------------------------------------------------------------------- a learner's script
def learner_script(lib, optimizer, scheduler):
    """A tutorial-style loop, written once; only the imports differ between the two runs.
    Returns the losses it would print and the final parameters."""
    if lib == "ours":
        import autograd as T
        import nn
        import nn.data as data
        import optim
    else:
        import torch as T
        import torch.nn as nn
        import torch.optim as optim
        import torch.utils.data as data
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    Y = np.tanh(X @ rng.normal(size=(5, 1))) + 0.1 * rng.normal(size=(40, 1))
    model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    with T.no_grad():
        for p in model.parameters():
            p.copy_(T.tensor(rng.normal(size=tuple(p.shape)) * 0.5))
    loader = data.DataLoader(data.TensorDataset(T.tensor(X), T.tensor(Y)), batch_size=8)
    loss_fn = nn.MSELoss()
    opt = {
        "AdamW": lambda: optim.AdamW(model.parameters(), lr=1e-2, amsgrad=True),
        "RAdam": lambda: optim.RAdam(model.parameters(), lr=1e-2, decoupled_weight_decay=True),
        "SGD": lambda: optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True),
        "Adamax": lambda: optim.Adamax(model.parameters(), lr=1e-2, foreach=False),
    }[optimizer]()
    sched = {
        "OneCycleLR": lambda: optim.lr_scheduler.OneCycleLR(
            opt, max_lr=0.05, epochs=4, steps_per_epoch=len(loader)
        ),
        "CyclicLR": lambda: optim.lr_scheduler.CyclicLR(opt, 0.001, 0.05, step_size_up=3),
        "Warmup+Cosine": lambda: optim.lr_scheduler.SequentialLR(
            opt,
            [
                optim.lr_scheduler.LinearLR(opt, 0.1, total_iters=5),
                optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2),
            ],
            milestones=[5],
        ),
    }[scheduler]()
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    losses = []
    for _epoch in range(4):
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
            losses.append(f"{loss.item():.10f} {opt.param_groups[0]['lr']:.12f}")
        if scheduler != "OneCycleLR":
            plateau.step(total)
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize(
    "optimizer, scheduler",
    [("AdamW", "OneCycleLR"), ("SGD", "CyclicLR"), ("RAdam", "Warmup+Cosine"),
     ("Adamax", "OneCycleLR")],
)  # fmt: skip
def test_a_learner_script_prints_the_same_numbers(optimizer, scheduler):
    ours, params = learner_script("ours", optimizer, scheduler)
    theirs, tparams = learner_script("torch", optimizer, scheduler)
    assert ours == theirs
    for a, b in zip(params, tparams):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
