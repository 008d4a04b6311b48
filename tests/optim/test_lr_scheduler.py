"""lr schedulers against torch.optim.lr_scheduler: the same lr sequences, group by group."""

import warnings

import pytest
import torch

import optim
from autograd import Tensor
from optim import lr_scheduler

LRS = (0.1, 0.03)


def make(lib, name, kwargs, last_epoch=None):
    """An SGD over two param groups (lrs LRS) and the named scheduler on it."""
    if lib == "ours":
        mod, sched_mod = optim, lr_scheduler
        params = [Tensor([1.0], requires_grad=True) for _ in LRS]
    else:
        mod, sched_mod = torch.optim, torch.optim.lr_scheduler
        params = [torch.ones(1, requires_grad=True) for _ in LRS]
    opt = mod.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, LRS)], lr=1.0)
    extra = {} if last_epoch is None else {"last_epoch": last_epoch}
    return opt, getattr(sched_mod, name)(opt, **kwargs, **extra)


def run(opt, sched, steps):
    """get_last_lr() after construction and after each of `steps` epochs."""
    lrs = [list(sched.get_last_lr())]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's "optimizer.step() before scheduler.step()"
        for _ in range(steps):
            opt.step()
            sched.step()
            lrs.append(list(sched.get_last_lr()))
            assert lrs[-1] == [g["lr"] for g in opt.param_groups]
    return lrs


CASES = [
    ("StepLR", dict(step_size=3)),
    ("StepLR", dict(step_size=2, gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=5)),
    ("CosineAnnealingLR", dict(T_max=4, eta_min=0.01)),
    ("CosineAnnealingLR", dict(T_max=1)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
]
IDS = [f"{n}-" + "-".join(f"{k}={v}" for k, v in kw.items()) for n, kw in CASES]


def n_steps(kwargs):
    return 2 * kwargs.get("T_max", 6) + 3


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_lr_sequence_equals_torch(name, kwargs):
    ours = run(*make("ours", name, kwargs), n_steps(kwargs))
    theirs = run(*make("torch", name, kwargs), n_steps(kwargs))
    assert ours[0] == list(LRS)
    assert len({tuple(x) for x in ours}) > 1  # the lr does change
    for a, b in zip(ours, theirs):
        assert a == pytest.approx(b, rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_state_dict_like_torch_and_round_trip(name, kwargs):
    opt, sched = make("ours", name, kwargs)
    topt, tsched = make("torch", name, kwargs)
    run(opt, sched, 4)
    run(topt, tsched, 4)
    sd, tsd = sched.state_dict(), tsched.state_dict()
    assert "optimizer" not in sd
    for key in ["last_epoch", "base_lrs", "_last_lr", "_step_count", *kwargs]:
        assert sd[key] == pytest.approx(tsd[key], rel=1e-13), key
    assert sched.last_epoch == tsched.last_epoch == 4

    # Resume: a fresh optimizer + scheduler loaded from the dicts continues like the original.
    opt_sd = opt.state_dict()
    rest = run(opt, sched, n_steps(kwargs))
    opt2, sched2 = make("ours", name, kwargs)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sd)
    assert run(opt2, sched2, n_steps(kwargs)) == rest


@pytest.mark.parametrize("name, kwargs", CASES, ids=IDS)
def test_step_with_epoch_uses_closed_form_like_torch(name, kwargs):
    opt, sched = make("ours", name, kwargs)
    topt, tsched = make("torch", name, kwargs)
    for epoch in [3, 1, 6]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched.step(epoch)
            tsched.step(epoch)
        assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-13)
        assert sched.last_epoch == epoch


@pytest.mark.parametrize("lib", ["ours", "torch"])
def test_resuming_without_initial_lr_raises(lib):
    with pytest.raises(KeyError, match="initial_lr"):
        make(lib, "StepLR", dict(step_size=2), last_epoch=3)


def test_resuming_with_last_epoch_like_torch():
    seqs = []
    for lib in ["ours", "torch"]:
        opt, _ = make(lib, "CosineAnnealingLR", dict(T_max=6))
        mod = lr_scheduler if lib == "ours" else torch.optim.lr_scheduler
        sched = mod.CosineAnnealingLR(opt, T_max=6, last_epoch=2)
        seqs.append(run(opt, sched, 8))
    for a, b in zip(*seqs):
        assert a == pytest.approx(b, rel=1e-13)


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.StepLR(object(), step_size=1)


def test_scheduler_drives_training_lr():
    p = Tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        opt.zero_grad()
        p.sum().backward()  # grad 1: each step moves p by the current lr
        opt.step()
        sched.step()
    assert p.item() == pytest.approx(1.0 - (1.0 + 0.5 + 0.25))
