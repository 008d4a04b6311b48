"""lr schedulers against torch.optim.lr_scheduler: the same lr sequences, group by group."""

import warnings

import pytest
import torch

import optim
from autograd import Tensor
from optim import lr_scheduler

LRS = (0.1, 0.03)


def _groups(lib):
    """(optim module, lr_scheduler module, two param groups of one parameter, lrs LRS)."""
    if lib == "ours":
        mod, sched_mod = optim, lr_scheduler
        params = [Tensor([1.0], requires_grad=True) for _ in LRS]
    else:
        mod, sched_mod = torch.optim, torch.optim.lr_scheduler
        params = [torch.ones(1, requires_grad=True) for _ in LRS]
    return mod, sched_mod, [{"params": [p], "lr": lr} for p, lr in zip(params, LRS)]


def make(lib, name, kwargs, last_epoch=None):
    """An SGD over two param groups (lrs LRS) and the named scheduler on it."""
    mod, sched_mod, groups = _groups(lib)
    opt = mod.SGD(groups, lr=1.0)
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


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("StepLR", dict(step_size=1)),
        ("ReduceLROnPlateau", {}),
        ("CyclicLR", dict(base_lr=0.1, max_lr=1.0)),
        ("OneCycleLR", dict(max_lr=1.0, total_steps=10)),
    ],
)
def test_scheduler_needs_an_optimizer(name, kwargs):
    for mod in (lr_scheduler, torch.optim.lr_scheduler):
        with pytest.raises(TypeError, match="object is not an Optimizer"):
            getattr(mod, name)(object(), **kwargs)


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


# --------------------------------------------------------------------------- the rest of torch's
# Each case builds its scheduler from the library's module (ours or torch's), so composite
# schedulers and lambdas are set up the same way on both sides.
class Halve:
    """A callable object (its __dict__ is what state_dict saves, as torch's)."""

    def __init__(self, every):
        self.every = every

    def __call__(self, epoch):
        return 0.5 ** (epoch // self.every)


MORE = {
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[3, 7, 7, 12], gamma=0.3),
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda e: 0.95**e),
    "LambdaLR-per-group": lambda m, o: m.LambdaLR(o, [lambda e: 1 / (e + 1), Halve(4)]),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lambda e: 0.9 if e % 3 else 1.1),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.1, total_iters=8),
    "LinearLR-down": lambda m, o: m.LinearLR(o, 1.0, 0.05, total_iters=11),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=6),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=14, power=2.0),
    "PolynomialLR-linear": lambda m, o: m.PolynomialLR(o, total_iters=9),
    "CosineAnnealingWarmRestarts": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=5),
    "CosineAnnealingWarmRestarts-mult": lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001
    ),
    "OneCycleLR": lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=60),
    "OneCycleLR-linear-3phase": lambda m, o: m.OneCycleLR(
        o,
        max_lr=[0.5, 2.0],
        epochs=6,
        steps_per_epoch=10,
        anneal_strategy="linear",
        three_phase=True,
        pct_start=0.25,
        div_factor=10.0,
        final_div_factor=100.0,
    ),  # fmt: skip
    "OneCycleLR-no-momentum": lambda m, o: m.OneCycleLR(
        o, max_lr=0.3, total_steps=45, cycle_momentum=False
    ),
    "CyclicLR": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5),
    "CyclicLR-triangular2": lambda m, o: m.CyclicLR(
        o, [0.01, 0.02], [0.1, 0.3], step_size_up=4, step_size_down=7, mode="triangular2"
    ),
    "CyclicLR-exp_range": lambda m, o: m.CyclicLR(
        o, 0.01, 0.1, step_size_up=3, mode="exp_range", gamma=0.97, base_momentum=0.7
    ),
    "CyclicLR-scale_fn": lambda m, o: m.CyclicLR(
        o,
        0.01,
        0.1,
        step_size_up=6,
        scale_fn=lambda x: 1 / x,
        scale_mode="cycle",
        cycle_momentum=False,
    ),  # fmt: skip
    "SequentialLR": lambda m, o: m.SequentialLR(
        o,
        [m.LinearLR(o, 0.1, total_iters=4), m.ExponentialLR(o, 0.9), m.StepLR(o, 3, 0.5)],
        milestones=[5, 12],
    ),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, 0.5, total_iters=4), m.ExponentialLR(o, 0.9)]
    ),
    "ChainedScheduler-cosine": lambda m, o: m.ChainedScheduler(
        [m.LinearLR(o, 0.2, total_iters=5), m.CosineAnnealingLR(o, T_max=10)], optimizer=o
    ),
}


def make_more(lib, case, optimizer="SGD"):
    """An optimizer over two groups (lrs LRS; Adam for the betas) and the case's scheduler."""
    mod, sched_mod, groups = _groups(lib)
    kwargs = {"momentum": 0.9} if optimizer == "SGD" else {}
    opt = getattr(mod, optimizer)(groups, lr=1.0, **kwargs)
    return opt, MORE[case](sched_mod, opt)


def run_more(opt, sched, steps):
    """After construction and each step: the lrs and the other group options a schedule sets."""
    keys = ("lr", "momentum", "betas", "initial_lr", "max_lr", "min_lr")
    seq = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(steps + 1):
            if i:
                opt.step()
                sched.step()
            assert list(sched.get_last_lr()) == [g["lr"] for g in opt.param_groups]
            seq.append([{k: g[k] for k in keys if k in g} for g in opt.param_groups])
    return seq


def assert_same_sequence(ours, theirs):
    assert len(ours) == len(theirs)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for group, tgroup in zip(a, b):
            assert group.keys() == tgroup.keys(), step
            for k in group:
                assert group[k] == pytest.approx(tgroup[k], rel=1e-12, abs=1e-15), (step, k)


def steps_of(case):
    return {"OneCycleLR": 60, "OneCycleLR-linear-3phase": 60, "OneCycleLR-no-momentum": 45}.get(
        case, 40
    )


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
@pytest.mark.parametrize("case", sorted(MORE))
def test_more_schedules_equal_torch(case, optimizer):
    ours = run_more(*make_more("ours", case, optimizer), steps_of(case))
    theirs = run_more(*make_more("torch", case, optimizer), steps_of(case))
    assert len({tuple(g["lr"] for g in s) for s in ours}) > 1  # the lr does change
    assert_same_sequence(ours, theirs)


@pytest.mark.parametrize("case", sorted(MORE))
def test_more_schedules_resume_from_state_dict(case):
    """Stopped at step 13, saved, loaded into fresh objects: the rest equals uninterrupted."""
    opt, sched = make_more("ours", case)
    topt, tsched = make_more("torch", case)
    run_more(opt, sched, 13)
    run_more(topt, tsched, 13)
    sd, tsd = sched.state_dict(), tsched.state_dict()
    assert set(sd) == set(tsd) - {"_get_lr_called_within_step"}  # torch's warning flag
    assert sd["_last_lr"] == pytest.approx(tsd["_last_lr"], rel=1e-12)
    opt_sd = opt.state_dict()
    rest = run_more(opt, sched, steps_of(case) - 13)
    opt2, sched2 = make_more("ours", case)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sd)
    assert run_more(opt2, sched2, steps_of(case) - 13) == rest


def test_one_cycle_past_total_steps_raises_like_torch():
    for lib in ["ours", "torch"]:
        opt, sched = make_more(lib, "OneCycleLR-no-momentum")
        run_more(opt, sched, 45)
        with pytest.raises(ValueError, match="Tried to step 46 times"):
            run_more(opt, sched, 1)


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_with_fractional_epochs_like_torch(T_mult):
    epochs = [0, 0.25, 0.5, 1.75, 2.0, 3.3, 4.99, 5.0, 7.5, 12.1, 20.0, 31.7, 3.0]
    seqs = []
    for lib in ["ours", "torch"]:
        mod = lr_scheduler if lib == "ours" else torch.optim.lr_scheduler
        opt, _ = make(lib, "StepLR", dict(step_size=1))
        sched = mod.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=T_mult, eta_min=0.002)
        seq = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for e in epochs:
                sched.step(e)
                seq.append((list(sched.get_last_lr()), sched.last_epoch, sched.T_i, sched.T_cur))
        seqs.append(seq)
    for a, b in zip(*seqs):
        assert a[0] == pytest.approx(b[0], rel=1e-12)
        assert a[1:3] == b[1:3]
        assert a[3] == pytest.approx(b[3], rel=1e-12)


PLATEAU = [
    dict(),
    dict(mode="max", factor=0.5, patience=2),
    dict(patience=1, threshold=0.05, threshold_mode="abs", cooldown=2),
    dict(mode="max", patience=0, threshold_mode="abs", min_lr=[0.01, 0.001], factor=0.3),
    dict(patience=0, min_lr=0.02, eps=1e-3, factor=0.9),
]


@pytest.mark.parametrize("kwargs", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_lr_on_plateau_like_torch(kwargs):
    rng = __import__("numpy").random.default_rng(0)
    metrics = list(1.0 / (1 + __import__("numpy").arange(60)) + 0.05 * rng.random(60))
    metrics[20:40] = [0.3] * 20  # a plateau
    seqs = []
    for lib in ["ours", "torch"]:
        mod = lr_scheduler if lib == "ours" else torch.optim.lr_scheduler
        opt, _ = make(lib, "StepLR", dict(step_size=1000))
        sched = mod.ReduceLROnPlateau(opt, **kwargs)
        seq = []
        for m in metrics:
            opt.step()
            sched.step(m)
            seq.append((list(sched.get_last_lr()), sched.num_bad_epochs, sched.cooldown_counter))
        seqs.append((seq, sched.state_dict()))
    (ours, sd), (theirs, tsd) = seqs
    assert len({tuple(s[0]) for s in ours}) > 1
    for a, b in zip(ours, theirs):
        assert a[0] == pytest.approx(b[0], rel=1e-12)
        assert a[1:] == b[1:]
    assert set(sd) <= set(tsd)
    for k in sd:
        assert sd[k] == tsd[k], k


def test_reduce_lr_on_plateau_bad_options_like_torch():
    for lib in ["ours", "torch"]:
        mod = lr_scheduler if lib == "ours" else torch.optim.lr_scheduler
        opt, _ = make(lib, "StepLR", dict(step_size=1))
        with pytest.raises(ValueError, match="Factor should be < 1.0"):
            mod.ReduceLROnPlateau(opt, factor=1.0)
        with pytest.raises(ValueError, match="mode avg is unknown"):
            mod.ReduceLROnPlateau(opt, mode="avg")
        with pytest.raises(ValueError, match="threshold mode x is unknown"):
            mod.ReduceLROnPlateau(opt, threshold_mode="x")
        with pytest.raises(ValueError, match="expected 2 min_lrs, got 3"):
            mod.ReduceLROnPlateau(opt, min_lr=[0, 0, 0])


BAD = [
    ("ConstantLR", dict(factor=1.5)),
    ("LinearLR", dict(start_factor=0.0)),
    ("LinearLR", dict(end_factor=1.5)),
    ("CosineAnnealingWarmRestarts", dict(T_0=0)),
    ("CosineAnnealingWarmRestarts", dict(T_0=2, T_mult=0)),
    ("OneCycleLR", dict(max_lr=1.0)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=10, pct_start=1.5)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=10, anneal_strategy="exp")),
    ("OneCycleLR", dict(max_lr=[1.0], total_steps=10)),
    ("CyclicLR", dict(base_lr=0.1, max_lr=1.0, mode="square")),
    ("LambdaLR", dict(lr_lambda=[abs])),
]


@pytest.mark.parametrize("name, kwargs", BAD, ids=[str(c) for c in BAD])
def test_bad_scheduler_options_raise_torchs_message(name, kwargs):
    opt, _ = make("torch", "StepLR", dict(step_size=1))
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim.lr_scheduler, name)(opt, **kwargs)
    opt, _ = make("ours", "StepLR", dict(step_size=1))
    with pytest.raises(ValueError) as ours:
        getattr(lr_scheduler, name)(opt, **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_every_torch_scheduler_and_keyword_exists():
    import inspect

    for name in torch.optim.lr_scheduler.__all__:
        theirs = getattr(torch.optim.lr_scheduler, name)
        ours = getattr(lr_scheduler, name)
        tparams = inspect.signature(theirs.__init__).parameters
        params = inspect.signature(ours.__init__).parameters
        assert list(params) == list(tparams), name
        for key, p in tparams.items():
            assert params[key].default == p.default, (name, key)
    assert issubclass(lr_scheduler.ReduceLROnPlateau, lr_scheduler.LRScheduler)
