"""Regression tests: an optimizer step or load_state_dict that fails changes nothing (no
parameter, no state), and the error names the parameter by its place in param_groups.

Every optimizer in `optim` that keeps the base class's step (the subclass writes only the
per-parameter update) is covered, including ones added later."""

import inspect

import numpy as np
import pytest

import autograd as ag
import optim
from autograd import Tensor
from optim.optimizer import Optimizer

OPTIMIZERS = sorted(
    name
    for name, cls in vars(optim).items()
    if inspect.isclass(cls)
    and issubclass(cls, Optimizer)
    and cls is not Optimizer
    and cls.step is Optimizer.step
)
EXTRA = {"SGD": dict(momentum=0.9), "RMSprop": dict(momentum=0.5, centered=True)}


def setup(name, dtype="float64"):
    rng = np.random.default_rng(0)
    params = [
        Tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in [(3, 4), (4,)]
    ]
    opt = getattr(optim, name)(params, lr=0.01, **EXTRA.get(name, {}))
    for p in params:
        p.grad = Tensor(rng.standard_normal(p.shape).astype(dtype))
    opt.step()  # some state exists
    return params, opt


def snapshot(params, opt):
    sd = opt.state_dict()
    state = {
        i: {k: (v.numpy().copy() if isinstance(v, Tensor) else v) for k, v in s.items()}
        for i, s in sd["state"].items()
    }
    return [p.detach().numpy().copy() for p in params], [p._version for p in params], state


def assert_unchanged(before, after):
    (pa, va, sa), (pb, vb, sb) = before, after
    for a, b in zip(pa, pb):
        np.testing.assert_array_equal(a, b)
    assert va == vb
    assert sa.keys() == sb.keys()
    for i in sa:
        assert sa[i].keys() == sb[i].keys()
        for k in sa[i]:
            np.testing.assert_array_equal(sa[i][k], sb[i][k])


def test_every_base_class_optimizer_is_covered():
    assert {"SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "NAdam"} <= set(OPTIMIZERS)


BAD_GRADS = {
    "shape": lambda p: ag.ones(3),  # would broadcast into (4,)
    "int64": lambda p: ag.ones(*p.shape, dtype=ag.int64),
    "float32": lambda p: ag.ones(*p.shape, dtype=ag.float32),
}


@pytest.mark.parametrize("bad", BAD_GRADS)
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_step_failing_on_second_param_updates_the_first(name, bad):
    params, opt = setup(name)
    for p in params:
        p.grad = ag.ones_like(p)
    params[1].grad.data = BAD_GRADS[bad](params[1])  # .data bypasses the .grad checks
    before = snapshot(params, opt)
    with pytest.raises(RuntimeError, match=r"param_groups\[0\]\['params'\]\[1\]"):
        opt.step()
    assert_unchanged(before, snapshot(params, opt))


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_step_with_a_parameter_resized_through_data_is_refused(name):
    params, opt = setup(name)
    params[0].data = ag.zeros(2, 2, dtype=ag.float64)  # the grad and state keep (3, 4)
    with pytest.raises(RuntimeError, match=r"param_groups\[0\]\['params'\]\[0\]"):
        opt.step()
    np.testing.assert_array_equal(params[0].detach().numpy(), np.zeros((2, 2)))


def test_step_error_names_the_group_and_index():
    a = Tensor(np.zeros(2), requires_grad=True)
    b = Tensor(np.zeros(3), requires_grad=True)
    c = Tensor(np.zeros(3), requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b, c], "lr": 0.5}], lr=0.1)
    a.grad = ag.ones(2, dtype=ag.float64)
    b.grad = ag.ones(3, dtype=ag.float64)
    c.grad = ag.ones(3, dtype=ag.float64)
    c.grad.data = ag.ones(1, dtype=ag.float64)
    with pytest.raises(RuntimeError, match=r"param_groups\[1\]\['params'\]\[1\].*\(1,\)"):
        opt.step()
    assert a._version == b._version == 0


def state_key(opt):
    """A state entry that has the parameter's shape (None for stateless plain SGD)."""
    for k, v in opt.state_dict()["state"][1].items():
        if isinstance(v, Tensor) and v.ndim > 0:
            return k
    return None


CORRUPT = {
    "wrong_shape": lambda v: ag.zeros(3, dtype=v.dtype),
    "scalar": lambda v: ag.zeros((), dtype=v.dtype),
    "bool": lambda v: ag.zeros(v.shape, dtype=ag.bool),
    "not_a_tensor": lambda v: [0.0] * 4,
}


@pytest.mark.parametrize("corrupt", CORRUPT)
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_load_state_dict_accepts_a_state_tensor_of_the_wrong_shape(name, corrupt):
    params, opt = setup(name)
    key = state_key(opt)
    if key is None:
        assert name == "SGD" and not EXTRA.get(name)
        return
    sd = opt.state_dict()
    sd["state"][1][key] = CORRUPT[corrupt](sd["state"][1][key])
    before = snapshot(params, opt)
    with pytest.raises(ValueError, match=rf"param_groups\[0\]\['params'\]\[1\].*'{key}'"):
        opt.load_state_dict(sd)
    assert_unchanged(before, snapshot(params, opt))
    for p in params:
        p.grad = ag.ones_like(p)
    opt.step()  # still usable


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_load_state_dict_with_wrong_step_shape_is_refused(name):
    params, opt = setup(name)
    sd = opt.state_dict()
    if "step" not in sd["state"][0]:
        return
    sd["state"][0]["step"] = ag.zeros(2)
    before = snapshot(params, opt)
    with pytest.raises(ValueError, match="'step'"):
        opt.load_state_dict(sd)
    assert_unchanged(before, snapshot(params, opt))


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_load_state_dict_round_trip_still_works(name):
    params, opt = setup(name)
    sd = opt.state_dict()
    params2 = [Tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    opt2 = getattr(optim, name)(params2, lr=0.01, **EXTRA.get(name, {}))
    opt2.load_state_dict(sd)
    for p, q in zip(params, params2):
        p.grad = ag.ones_like(p)
        q.grad = ag.ones_like(q)
    opt.step()
    opt2.step()
    for p, q in zip(params, params2):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_load_state_dict_group_size_mismatch_is_refused_like_torch():
    import torch

    a = Tensor(np.zeros(2), requires_grad=True)
    b = Tensor(np.zeros(2), requires_grad=True)
    sd = optim.Adam([a, b]).state_dict()
    at = torch.zeros(2, requires_grad=True)
    sdt = torch.optim.Adam([at, torch.zeros(2, requires_grad=True)]).state_dict()
    with pytest.raises(ValueError) as theirs:
        torch.optim.Adam([at]).load_state_dict(sdt)
    with pytest.raises(type(theirs.value)):
        optim.Adam([a]).load_state_dict(sd)
