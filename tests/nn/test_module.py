"""Module machinery: registration, walking, repr, state_dict, hooks, modes, devices/dtypes."""

import copy
import math
from collections import OrderedDict

import numpy as np
import pytest
import torch

import autograd
import nn
from nn.parameter import Parameter


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
        self.heads = nn.ModuleList([nn.Linear(2, 1), nn.Linear(2, 1, bias=False)])
        self.scale = Parameter(autograd.ones(1))
        self.register_buffer("count", autograd.zeros(1, dtype=autograd.int64))
        self.register_buffer("cache", autograd.zeros(2), persistent=False)
        self.note = "plain attribute"

    def forward(self, x):
        h = self.layers(x)
        return sum(head(h) for head in self.heads) * self.scale


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(),
                                          torch.nn.Linear(4, 2))  # fmt: skip
        self.heads = torch.nn.ModuleList([torch.nn.Linear(2, 1), torch.nn.Linear(2, 1, bias=False)])
        self.scale = torch.nn.Parameter(torch.ones(1))
        self.register_buffer("count", torch.zeros(1, dtype=torch.int64))
        self.register_buffer("cache", torch.zeros(2), persistent=False)

    def forward(self, x):
        h = self.layers(x)
        return sum(head(h) for head in self.heads) * self.scale


def test_parameter_is_a_leaf_tensor_requiring_grad():
    p = Parameter(autograd.tensor([1.0, 2.0]))
    assert isinstance(p, autograd.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert repr(p) == repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))
    assert not Parameter(autograd.ones(2), requires_grad=False).requires_grad
    assert type(copy.deepcopy(p)) is Parameter
    assert type(p * 2) is autograd.Tensor


def test_registration_and_names_match_torch():
    net, tnet = Net(), TorchNet()
    names = [n for n, _ in net.named_parameters()]
    assert names == [n for n, _ in tnet.named_parameters()]
    assert names[0] == "scale" and "layers.0.weight" in names and "heads.1.weight" in names
    assert [n for n, _ in net.named_modules()] == [n for n, _ in tnet.named_modules()]
    assert [n for n, _ in net.named_children()] == ["layers", "heads"]
    assert [n for n, _ in net.named_buffers()] == ["count", "cache"]
    assert list(net.state_dict()) == list(tnet.state_dict())
    assert len(list(net.parameters())) == 8 and len(list(net.parameters(recurse=False))) == 1
    assert net.note == "plain attribute" and "note" not in net._parameters
    assert net.get_submodule("layers.2") is net.layers[2]
    assert net.get_parameter("heads.0.bias") is net.heads[0].bias


def test_repr_matches_torch():
    assert repr(Net()) == repr(TorchNet()).replace("TorchNet(", "Net(", 1)


def test_reassigning_and_deleting_attributes():
    net = Net()
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        net.scale = autograd.ones(1)
    net.scale = None
    assert "scale" not in dict(net.named_parameters())
    net.layers = nn.Linear(3, 2)  # a module replaces a module
    assert [n for n, _ in net.named_children()] == ["layers", "heads"]
    del net.heads
    assert [n for n, _ in net.named_children()] == ["layers"]
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'heads'"):
        _ = net.heads
    with pytest.raises(AttributeError, match="before Module.__init__"):

        class Broken(nn.Module):
            def __init__(self):
                self.w = Parameter(autograd.ones(1))

        Broken()


def test_shared_parameter_counted_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, lin)
    assert len(list(seq.parameters())) == 2
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_state_dict_round_trip_and_detached():
    a, b = Net(), Net()
    sd = a.state_dict()
    assert isinstance(sd, OrderedDict)
    assert all(not t.requires_grad for t in sd.values())
    b.load_state_dict(sd)
    for (name, p), (_, q) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy(), err_msg=name)
    x = autograd.randn(5, 3)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())
    # the state dict's tensors share storage (like torch) but are cut from the graph
    assert sd["scale"].grad_fn is None


def test_torch_state_dict_loads_one_to_one():
    net, tnet = Net(), TorchNet()
    net.load_state_dict({k: v.detach().numpy() for k, v in tnet.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    out = net(autograd.tensor(x)).detach().numpy()
    np.testing.assert_allclose(out, tnet(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def _snapshot(module):
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


def _unchanged(module, snapshot):
    now = _snapshot(module)
    return now.keys() == snapshot.keys() and all(np.array_equal(now[k], snapshot[k]) for k in now)


def test_strict_errors_name_keys_and_leave_model_unchanged():
    net = Net()
    before = _snapshot(net)
    good = {k: v + 1 for k, v in Net().state_dict().items()}

    missing = dict(good)
    del missing["layers.2.bias"]
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "layers.2.bias"'):
        net.load_state_dict(missing)
    assert _unchanged(net, before)

    unexpected = dict(good, extra=autograd.ones(1))
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "extra"'):
        net.load_state_dict(unexpected)
    assert _unchanged(net, before)

    wrong = dict(good)
    wrong["layers.0.weight"] = autograd.ones(3, 4)
    with pytest.raises(RuntimeError, match=r"size mismatch for layers.0.weight: copying a param "
                       r"with shape \(3, 4\) from checkpoint, the shape in current model is "
                       r"\(4, 3\)"):  # fmt: skip
        net.load_state_dict(wrong)
    assert _unchanged(net, before)

    # strict=False: missing/unexpected reported, the rest loaded; shape mismatch still raises
    result = net.load_state_dict(dict(missing, extra=autograd.ones(1)), strict=False)
    assert result.missing_keys == ["layers.2.bias"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(net.scale.detach().numpy(), good["scale"].detach().numpy())
    with pytest.raises(RuntimeError, match="size mismatch"):
        net.load_state_dict(wrong, strict=False)


def test_load_keeps_parameter_identity_and_dtype():
    net = nn.Linear(2, 2)
    w = net.weight
    net.load_state_dict({"weight": np.ones((2, 2)), "bias": np.zeros(2)})
    assert net.weight is w and w.dtype == autograd.float32 and w.requires_grad
    np.testing.assert_array_equal(w.detach().numpy(), np.ones((2, 2)))


def test_forward_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    pre = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    post = lin.register_forward_hook(lambda m, args, out: calls.append((m, args)) or out + 1)
    x = autograd.ones(1, 2)
    y = lin(x)
    assert calls[0][0] is lin and np.all(calls[0][1][0].detach().numpy() == 0)
    np.testing.assert_allclose(y.detach().numpy(), lin.bias.detach().numpy()[None] + 1, rtol=1e-6)
    pre.remove()
    post.remove()
    np.testing.assert_allclose(
        lin(x).detach().numpy(), (x @ lin.weight.T + lin.bias).detach().numpy()
    )
    assert len(calls) == 1


def test_train_eval_apply_and_requires_grad():
    net = Net()
    assert net.training and all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen.count("Linear") == 4
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_zero_grad():
    lin = nn.Linear(2, 1)
    lin(autograd.ones(3, 2)).sum().backward()
    assert lin.weight.grad is not None
    lin.zero_grad(set_to_none=False)
    assert np.all(lin.weight.grad.detach().numpy() == 0)
    lin.zero_grad()
    assert lin.weight.grad is None and lin.bias.grad is None


def test_to_dtype_in_place_keeps_identity():
    net = Net()
    w = net.layers[0].weight
    net.layers[0](autograd.ones(1, 3)).sum().backward()
    assert net.to(autograd.float64) is net
    assert net.layers[0].weight is w and w.dtype == autograd.float64 and w.requires_grad
    assert w.grad.dtype == autograd.float64
    assert net.count.dtype == autograd.int64  # integer buffers keep their dtype
    assert net.cache.dtype == autograd.float64
    out = net(autograd.ones(2, 3, dtype=autograd.float64))
    assert out.dtype == autograd.float64
    net.float()
    assert w.dtype == autograd.float32
    assert net.to("cpu") is net


def test_containers():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear) and seq[1] is list(seq)[1]
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub._modules) == ["1", "2"]
    seq.append(nn.Sigmoid())
    assert list(seq._modules) == ["0", "1", "2", "3"]
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and isinstance(seq[1], nn.Linear)
    with pytest.raises(IndexError):
        seq[5]
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert [n for n, _ in named.named_parameters()] == ["fc.weight", "fc.bias"]
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.ReLU())
    ml += [nn.Tanh()]
    assert len(ml) == 3 and isinstance(ml[-1], nn.Tanh) and len(ml[:2]) == 2
    ml.insert(0, nn.Sigmoid())
    assert [type(m).__name__ for m in ml] == ["Sigmoid", "Linear", "ReLU", "Tanh"]
    assert [n for n, _ in ml.named_parameters()] == ["1.weight", "1.bias"]


def test_missing_forward_raises():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)


# --------------------------------------------------------------------------- init
def test_linear_default_init_bounds():
    autograd.manual_seed(0)
    lin = nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)  # kaiming_uniform_(a=sqrt(5)) gives 1/sqrt(fan_in), as torch
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound  # U(-a, a) has std a/sqrt(3)
    tw = torch.nn.Linear(50, 40).weight.detach().numpy()
    assert abs(np.abs(tw).max() - np.abs(w).max()) < 0.05 * bound


@pytest.mark.parametrize("name, kwargs", [
    ("xavier_uniform_", {}), ("xavier_uniform_", {"gain": 2.0}), ("xavier_normal_", {}),
    ("kaiming_uniform_", {}), ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", {"a": 0.2}), ("kaiming_normal_", {"nonlinearity": "tanh"}),
    ("uniform_", {"a": -2.0, "b": 3.0}), ("normal_", {"mean": 1.0, "std": 0.5}),
])  # fmt: skip
def test_init_statistics_match_torch(name, kwargs):
    autograd.manual_seed(1)
    torch.manual_seed(1)
    ours = getattr(nn.init, name)(autograd.empty(300, 200, 3, dtype=autograd.float64), **kwargs)
    theirs = getattr(torch.nn.init, name)(torch.empty(300, 200, 3, dtype=torch.float64), **kwargs)
    ours, theirs = ours.detach().numpy(), theirs.detach().numpy()
    assert abs(ours.mean() - theirs.mean()) < 0.01 * theirs.std() + 1e-3 * abs(theirs.mean())
    assert abs(ours.std() / theirs.std() - 1) < 0.01
    if "uniform" in name:
        assert ours.min() >= theirs.min() - 1e-3 * theirs.std()
        assert ours.max() <= theirs.max() + 1e-3 * theirs.std()


def test_init_in_place_without_graph():
    p = Parameter(autograd.empty(3, 4))
    assert nn.init.constant_(p, 0.5) is p and np.all(p.detach().numpy() == 0.5)
    assert nn.init.zeros_(p) is p and np.all(p.detach().numpy() == 0)
    assert nn.init.ones_(p) is p and np.all(p.detach().numpy() == 1)
    assert nn.init.kaiming_normal_(p) is p
    assert p.grad_fn is None and p.requires_grad and p.is_leaf


@pytest.mark.parametrize(
    "args",
    [
        ("linear",),
        ("sigmoid",),
        ("tanh",),
        ("relu",),
        ("leaky_relu",),
        ("leaky_relu", 0.2),
        ("selu",),
        ("conv2d",),
    ],
)
def test_calculate_gain_matches_torch(args):
    assert nn.init.calculate_gain(*args) == pytest.approx(torch.nn.init.calculate_gain(*args))


def test_init_errors():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(autograd.empty(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        nn.init.kaiming_uniform_(autograd.empty(3, 3), mode="fan_avg")
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        nn.init.calculate_gain("swish")
