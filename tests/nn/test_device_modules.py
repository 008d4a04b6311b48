"""Every layer, loss and optimizer, a checkpoint and a short training run, on every device
present plus the strict test double (tests/strict_backend.py), against ours on the CPU.

A module is built on the CPU, copied and moved with `Module.to(device)`; both copies see the
same inputs. Outputs, input and parameter gradients, and buffers (running statistics) must
agree, and live on the device. On the strict device a host leak raises (a numpy call on a
device array, `float()` of one, a host array mixed in).
"""

import copy
import os

import numpy as np
import pytest

import autograd
import nn
import optim

# `device`: the fixture in tests/conftest.py (the strict device, and cuda where there is one)


def f(*shape):
    return ("f", shape)


def i(high, *shape):
    return ("i", high, shape)


def b(*shape):
    return ("b", shape)


def arrays(specs, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for spec in specs:
        if spec[0] == "f":
            out.append(rng.standard_normal(spec[1]))
        elif spec[0] == "i":
            out.append(rng.integers(0, spec[1], spec[2]))
        else:
            out.append(rng.random(spec[1]) < 0.5)
    return out


P = f(4, 3)  # probabilities below are sigmoid(...) of these


W = autograd.tensor([0.5, 2.0, 1.0])  # class weights


def _ones():
    return nn.Parameter(autograd.ones(3))


# name -> (constructor, input specs[, prepare(inputs) -> inputs]); every nn.Module class
LAYERS = {
    "AdaptiveAvgPool1d": (lambda: nn.AdaptiveAvgPool1d(3), [f(2, 3, 7)]),
    "AdaptiveAvgPool2d": (lambda: nn.AdaptiveAvgPool2d((2, 3)), [f(2, 3, 5, 7)]),
    "AdaptiveMaxPool1d": (lambda: nn.AdaptiveMaxPool1d(3), [f(2, 3, 7)]),
    "AdaptiveMaxPool2d": (lambda: nn.AdaptiveMaxPool2d(2), [f(2, 3, 5, 7)]),
    "AvgPool1d": (lambda: nn.AvgPool1d(3, 2, 1), [f(2, 3, 7)]),
    "AvgPool2d": (lambda: nn.AvgPool2d(3, 2, 1, ceil_mode=True), [f(2, 3, 6, 7)]),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(3), [f(4, 3, 5)]),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(3), [f(4, 3, 2, 2)]),
    "Bilinear": (lambda: nn.Bilinear(3, 4, 2), [f(5, 3), f(5, 4)]),
    "CELU": (lambda: nn.CELU(0.7), [f(3, 4)]),
    "ConstantPad1d": (lambda: nn.ConstantPad1d((1, 2), 0.5), [f(2, 3, 4)]),
    "ConstantPad2d": (lambda: nn.ConstantPad2d(1, -1.0), [f(2, 3, 4)]),
    "Conv1d": (lambda: nn.Conv1d(3, 4, 3, stride=2, padding=1), [f(2, 3, 9)]),
    "Conv2d": (lambda: nn.Conv2d(4, 6, 3, padding=1, groups=2, dilation=1), [f(2, 4, 6, 5)]),
    "Conv2d_strided": (lambda: nn.Conv2d(3, 2, (2, 3), stride=2, dilation=(1, 2)), [f(1, 3, 7, 8)]),
    "Conv2d_circular": (lambda: nn.Conv2d(2, 2, 3, 1, 1, padding_mode="circular"), [f(1, 2, 4, 4)]),
    "ConvTranspose1d": (lambda: nn.ConvTranspose1d(3, 2, 3, stride=2), [f(2, 3, 5)]),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1), [f(2, 3, 4, 4)]),
    "CosineSimilarity": (lambda: nn.CosineSimilarity(dim=1), [f(4, 3), f(4, 3)]),
    "ELU": (lambda: nn.ELU(), [f(3, 4)]),
    "Embedding": (lambda: nn.Embedding(7, 3, padding_idx=1), [i(7, 2, 5)]),
    "Flatten": (lambda: nn.Flatten(), [f(2, 3, 4)]),
    "GELU": (lambda: nn.GELU(), [f(3, 4)]),
    "GELU_tanh": (lambda: nn.GELU("tanh"), [f(3, 4)]),
    "GLU": (lambda: nn.GLU(), [f(3, 4)]),
    "GRU": (lambda: nn.GRU(3, 4, num_layers=2, bidirectional=True), [f(5, 2, 3)]),
    "GRUCell": (lambda: nn.GRUCell(3, 4), [f(2, 3)]),
    "GroupNorm": (lambda: nn.GroupNorm(2, 4), [f(3, 4, 5)]),
    "Hardshrink": (lambda: nn.Hardshrink(), [f(3, 4)]),
    "Hardsigmoid": (lambda: nn.Hardsigmoid(), [f(3, 4)]),
    "Hardswish": (lambda: nn.Hardswish(), [f(3, 4)]),
    "Hardtanh": (lambda: nn.Hardtanh(), [f(3, 4)]),
    "Identity": (lambda: nn.Identity(), [f(3, 4)]),
    "InstanceNorm1d": (lambda: nn.InstanceNorm1d(3, affine=True), [f(2, 3, 5)]),
    "InstanceNorm2d": (lambda: nn.InstanceNorm2d(3, track_running_stats=True), [f(2, 3, 3, 4)]),
    "LSTM": (lambda: nn.LSTM(3, 4, batch_first=True), [f(2, 5, 3)]),
    "LSTMCell": (lambda: nn.LSTMCell(3, 4), [f(2, 3)]),
    "LayerNorm": (lambda: nn.LayerNorm((3, 4)), [f(2, 3, 4)]),
    "LazyBatchNorm1d": (lambda: nn.LazyBatchNorm1d(), [f(4, 3)]),
    "LazyBatchNorm2d": (lambda: nn.LazyBatchNorm2d(), [f(2, 3, 2, 2)]),
    "LazyConv2d": (lambda: nn.LazyConv2d(2, 3), [f(1, 3, 5, 5)]),
    "LazyLinear": (lambda: nn.LazyLinear(2), [f(4, 3)]),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.2), [f(3, 4)]),
    "Linear": (lambda: nn.Linear(3, 4), [f(2, 5, 3)]),
    "LogSigmoid": (lambda: nn.LogSigmoid(), [f(3, 4)]),
    "LogSoftmax": (lambda: nn.LogSoftmax(dim=1), [f(3, 4)]),
    "MaxPool1d": (lambda: nn.MaxPool1d(3, 2, 1), [f(2, 3, 7)]),
    "MaxPool2d": (lambda: nn.MaxPool2d(2), [f(2, 3, 6, 7)]),
    "MaxPool2d_padded": (lambda: nn.MaxPool2d(3, 2, 1, ceil_mode=True), [f(1, 2, 5, 6)]),
    "Maxout": (lambda: nn.Maxout(3, 2, 3), [f(4, 3)]),
    "Mish": (lambda: nn.Mish(), [f(3, 4)]),
    "MultiheadAttention": (
        lambda: nn.MultiheadAttention(4, 2, add_bias_kv=True),
        [f(3, 2, 4), f(5, 2, 4), f(5, 2, 4)],
    ),
    "PReLU": (lambda: nn.PReLU(3), [f(2, 3, 4)]),
    "PairwiseDistance": (lambda: nn.PairwiseDistance(), [f(4, 3), f(4, 3)]),
    "PixelShuffle": (lambda: nn.PixelShuffle(2), [f(1, 8, 2, 3)]),
    "PixelUnshuffle": (lambda: nn.PixelUnshuffle(2), [f(1, 2, 4, 6)]),
    "RNN": (lambda: nn.RNN(3, 4, nonlinearity="relu"), [f(5, 2, 3)]),
    "RNNCell": (lambda: nn.RNNCell(3, 4), [f(2, 3)]),
    "ReLU": (lambda: nn.ReLU(), [f(3, 4)]),
    "ReLU6": (lambda: nn.ReLU6(), [f(3, 4)]),
    "ReflectionPad1d": (lambda: nn.ReflectionPad1d(2), [f(2, 3, 4)]),
    "ReflectionPad2d": (lambda: nn.ReflectionPad2d(1), [f(2, 3, 4)]),
    "ReplicationPad1d": (lambda: nn.ReplicationPad1d(2), [f(2, 3, 4)]),
    "ReplicationPad2d": (lambda: nn.ReplicationPad2d((1, 0, 2, 1)), [f(1, 2, 3, 4)]),
    "SELU": (lambda: nn.SELU(), [f(3, 4)]),
    "SiLU": (lambda: nn.SiLU(), [f(3, 4)]),
    "Sigmoid": (lambda: nn.Sigmoid(), [f(3, 4)]),
    "Softmax": (lambda: nn.Softmax(dim=-1), [f(3, 4)]),
    "Softmax2d": (lambda: nn.Softmax2d(), [f(2, 3, 2, 2)]),
    "Softmin": (lambda: nn.Softmin(dim=0), [f(3, 4)]),
    "Softplus": (lambda: nn.Softplus(beta=2.0), [f(3, 4)]),
    "Softshrink": (lambda: nn.Softshrink(), [f(3, 4)]),
    "Softsign": (lambda: nn.Softsign(), [f(3, 4)]),
    "Tanh": (lambda: nn.Tanh(), [f(3, 4)]),
    "Tanhshrink": (lambda: nn.Tanhshrink(), [f(3, 4)]),
    "Threshold": (lambda: nn.Threshold(0.1, 20.0), [f(3, 4)]),
    "TransformerEncoder": (
        lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), 2),
        [f(3, 2, 4)],
    ),
    "TransformerEncoderLayer": (
        lambda: nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True),
        [f(2, 3, 4)],
    ),
    "Unflatten": (lambda: nn.Unflatten(1, (2, 2)), [f(3, 4)]),
    "Upsample": (lambda: nn.Upsample(scale_factor=2, mode="nearest"), [f(1, 2, 3, 3)]),
    "UpsamplingBilinear2d": (lambda: nn.UpsamplingBilinear2d(scale_factor=2), [f(1, 2, 3, 3)]),
    "UpsamplingNearest2d": (lambda: nn.UpsamplingNearest2d(size=(5, 4)), [f(1, 2, 3, 3)]),
    "ZeroPad1d": (lambda: nn.ZeroPad1d((2, 1)), [f(2, 3, 4)]),
    "ZeroPad2d": (lambda: nn.ZeroPad2d(1), [f(1, 2, 3, 4)]),
    "Sequential": (lambda: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)), [f(5, 3)]),
    "ModuleList": (lambda: _Chain(nn.ModuleList([nn.Linear(3, 3), nn.Tanh()])), [f(2, 3)]),
    "ModuleDict": (lambda: _Chain(nn.ModuleDict({"a": nn.Linear(3, 3)})), [f(2, 3)]),
    "ParameterList": (lambda: _Chain(nn.ParameterList([_ones()])), [f(2, 3)]),
    "ParameterDict": (lambda: _Chain(nn.ParameterDict({"w": _ones()})), [f(2, 3)]),
    # (names helper)
    "Unfold": (lambda: nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=2), [f(2, 3, 4, 5)]),
    "Fold": (lambda: nn.Fold((4, 5), 2), [f(2, 12, 12)]),
    "LocalResponseNorm": (lambda: nn.LocalResponseNorm(3, alpha=0.5), [f(2, 5, 3, 4)]),
}  # fmt: skip
# random in training mode: compared in eval mode, and trained only for device and shape
RANDOM = {
    "Dropout": (lambda: nn.Dropout(0.3), [f(3, 4)]),
    "Dropout1d": (lambda: nn.Dropout1d(0.3), [f(2, 3, 4)]),
    "Dropout2d": (lambda: nn.Dropout2d(0.3), [f(2, 3, 4, 4)]),
    "AlphaDropout": (lambda: nn.AlphaDropout(0.3), [f(3, 4)]),
}
LOSSES = {
    "BCELoss": (lambda: nn.BCELoss(), [P, f(4, 3)], "p"),
    "BCEWithLogitsLoss": (lambda: nn.BCEWithLogitsLoss(pos_weight=W), [f(4, 3), f(4, 3)], "p2"),
    "CosineEmbeddingLoss": (lambda: nn.CosineEmbeddingLoss(0.1), [P, f(4, 3), i(2, 4)], "sign"),
    "CrossEntropyLoss": (lambda: nn.CrossEntropyLoss(label_smoothing=0.1), [f(4, 3), i(3, 4)]),
    "CrossEntropyLoss_weight": (lambda: nn.CrossEntropyLoss(weight=W), [f(4, 3, 2), i(3, 4, 2)]),
    "GaussianNLLLoss": (lambda: nn.GaussianNLLLoss(), [f(4, 3), f(4, 3), f(4, 3)], "pos"),
    "HingeEmbeddingLoss": (lambda: nn.HingeEmbeddingLoss(), [f(4, 3), i(2, 4, 3)], "sign"),
    "HuberLoss": (lambda: nn.HuberLoss(delta=0.5), [f(4, 3), f(4, 3)]),
    "KLDivLoss": (lambda: nn.KLDivLoss(reduction="batchmean"), [f(4, 3), P], "p2"),
    "L1Loss": (lambda: nn.L1Loss(), [f(4, 3), f(4, 3)]),
    "MSELoss": (lambda: nn.MSELoss(reduction="sum"), [f(4, 3), f(4, 3)]),
    "MarginRankingLoss": (lambda: nn.MarginRankingLoss(0.2), [f(4), f(4), i(2, 4)], "sign"),
    "NLLLoss": (lambda: nn.NLLLoss(ignore_index=1), [f(4, 3), i(3, 4)]),
    "PoissonNLLLoss": (lambda: nn.PoissonNLLLoss(), [f(4, 3), f(4, 3)], "pos"),
    "SmoothL1Loss": (lambda: nn.SmoothL1Loss(beta=0.5), [f(4, 3), f(4, 3)]),
    "SoftMarginLoss": (lambda: nn.SoftMarginLoss(), [f(4, 3), i(2, 4, 3)], "sign"),
    "TripletMarginLoss": (lambda: nn.TripletMarginLoss(), [f(4, 3), f(4, 3), f(4, 3)]),
    # (names helper)
    "MultiLabelSoftMarginLoss": (lambda: nn.MultiLabelSoftMarginLoss(weight=W),
                                 [f(4, 3), i(2, 4, 3)]),
    "MultiMarginLoss": (lambda: nn.MultiMarginLoss(p=2, margin=0.5, weight=W), [f(4, 3), i(3, 4)]),
    "MultiLabelMarginLoss": (lambda: nn.MultiLabelMarginLoss(), [f(4, 3), i(3, 4, 3)]),
    "TripletMarginWithDistanceLoss": (lambda: nn.TripletMarginWithDistanceLoss(swap=True),
                                      [f(4, 3), f(4, 3), f(4, 3)]),
}  # fmt: skip


class _Chain(nn.Module):
    """x through a container's items in order: a module applied, a parameter multiplied."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        keyed = isinstance(self.inner, (nn.ModuleDict, nn.ParameterDict))
        for item in self.inner.values() if keyed else self.inner:
            x = item(x) if isinstance(item, nn.Module) else x * item
        return x


def _prepare(kind, xs):
    """Bring drawn inputs into a loss's domain."""
    if kind == "p":
        xs[0] = 1 / (1 + np.exp(-xs[0]))
        xs[1] = 1 / (1 + np.exp(-xs[1]))
    elif kind == "p2":
        xs[1] = 1 / (1 + np.exp(-xs[1]))
    elif kind == "sign":
        xs[-1] = 2 * xs[-1] - 1
    elif kind == "pos":
        xs[-1] = np.abs(xs[-1]) + 0.1
    return xs


def _tensors(xs, device, dtype):
    out = []
    for x in xs:
        if x.dtype.kind == "f":
            out.append(autograd.tensor(x.astype(dtype), device=device, requires_grad=True))
        else:
            out.append(autograd.tensor(x, device=device))
    return out


def _first(out):
    return out[0] if isinstance(out, tuple) else out


def _host(t):
    return t.detach().cpu().numpy()


def _close(a, b, what, dtype):
    tol = 1e-4 if dtype == np.float32 else 1e-10
    assert a.shape == b.shape and a.dtype == b.dtype, (what, a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=what)


def _on(t, device):
    assert t.device == autograd.device(device), f"{t.device} != {device}"


def _check_module(make, specs, device, dtype, prepare=None, train=True):
    autograd.manual_seed(0)
    cpu = make().to(dtype)
    xs = arrays(specs)
    if prepare:
        xs = _prepare(prepare, xs)
    if not train:
        cpu.eval()
    if getattr(cpu, "has_uninitialized_params", lambda: False)():
        # a lazy layer moved first builds its parameters on the device at its first call
        lazy = make().to(dtype).to(device)
        lazy(*_tensors(xs, device, dtype))
        for p in lazy.parameters():
            _on(p, device)
        with autograd.no_grad():  # built on the CPU, so both copies start from one draw
            cpu(*_tensors(xs, "cpu", dtype))
        cpu.zero_grad()
    moved = copy.deepcopy(cpu).to(device)
    assert moved.to(device) is moved
    for p in moved.parameters():
        _on(p, device)
    results = []
    for module, dev in ((cpu, "cpu"), (moved, device)):
        inputs = _tensors(xs, dev, dtype)
        out = _first(module(*inputs))
        _on(out, dev)
        loss = (out * out).sum() if out.dtype.kind == "f" else None
        if loss is not None and loss.requires_grad:
            loss.backward()
        results.append((out, inputs, module))
    (o1, in1, m1), (o2, in2, m2) = results
    _close(_host(o2), _host(o1), "output", dtype)
    for k, (a, b) in enumerate(zip(in2, in1)):
        if b.grad is not None:
            _on(a.grad, device)
            _close(_host(a.grad), _host(b.grad), f"grad of input {k}", dtype)
    for (name, p2), (_, p1) in zip(m2.named_parameters(), m1.named_parameters(), strict=True):
        assert (p2.grad is None) == (p1.grad is None), name
        if p1.grad is not None:
            _on(p2.grad, device)
            _close(_host(p2.grad), _host(p1.grad), f"grad of {name}", dtype)
    for (name, b2), (_, b1) in zip(m2.named_buffers(), m1.named_buffers(), strict=True):
        _on(b2, device)
        _close(_host(b2), _host(b1), f"buffer {name}", b1.dtype.type)


# one dtype per layer is enough here: the CPU tables do the dtypes; float32 is the GPU's
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_on_device_matches_the_cpu(device, name):
    make, specs = LAYERS[name]
    _check_module(make, specs, device, np.float32)


@pytest.mark.parametrize("name", sorted(RANDOM))
def test_random_layer_on_device(device, name):
    make, specs = RANDOM[name]
    _check_module(make, specs, device, np.float32, train=False)
    module = make().to(device)
    x = autograd.randn(*specs[0][1], device=device, requires_grad=True)
    out = module(x)
    _on(out, device)
    out.sum().backward()
    _on(x.grad, device)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_on_device_matches_the_cpu(device, name):
    make, specs, *prepare = LOSSES[name]
    _check_module(make, specs, device, np.float64, prepare[0] if prepare else None)


def test_every_module_class_is_covered():
    import inspect

    covered = {name.split("_")[0] for name in (*LAYERS, *RANDOM, *LOSSES)} | {"Module"}
    classes = {
        n
        for n in dir(nn)
        if inspect.isclass(getattr(nn, n)) and issubclass(getattr(nn, n), nn.Module)
    }
    assert not classes - covered, f"modules with no device test: {sorted(classes - covered)}"


# --------------------------------------------------------------------------- optimizers
OPTIMIZERS = [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05)),
    ("Adamax", dict(lr=0.05)),
    ("Adadelta", dict(lr=0.5)),
    ("ASGD", dict(lr=0.05)),
    ("Rprop", dict(lr=0.05)),
    ("LBFGS", dict(lr=0.5, history_size=3, max_iter=3)),
]


def _train(model, opt, x, y, steps=3):
    losses = []
    for _ in range(steps):

        def closure():
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            return loss

        losses.append(opt.step(closure))
    return losses


def _mlp():
    autograd.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).double()


@pytest.mark.parametrize("name, kwargs", OPTIMIZERS, ids=[c[0] for c in OPTIMIZERS])
def test_optimizer_on_device_matches_the_cpu(device, name, kwargs):
    x, y = arrays([f(6, 4), i(3, 6)], seed=1)
    runs = []
    for dev in ("cpu", device):
        model = _mlp().to(dev)
        opt = getattr(optim, name)(model.parameters(), **kwargs)
        _train(model, opt, autograd.tensor(x, device=dev), autograd.tensor(y, device=dev))
        for p in model.parameters():
            _on(p, dev)
            for value in opt.state[p].values():
                # state lives with its parameter; a 0-d `step` stays on the CPU, as torch's
                if isinstance(value, autograd.Tensor) and value.ndim:
                    _on(value, dev)
        runs.append(model)
    for (name_, p2), (_, p1) in zip(runs[1].named_parameters(), runs[0].named_parameters()):
        _close(_host(p2), _host(p1), name_, np.float64)


# --------------------------------------------------------------------------- checkpoints
def test_state_dicts_move_between_devices(device, tmp_path):
    """Saved on one device, loaded on the other, both ways; optimizer state follows its
    parameters (as torch's load_state_dict casts state to the parameter's device)."""
    x, y = arrays([f(6, 4), i(3, 6)], seed=2)
    model = _mlp().to(device)
    opt = optim.Adam(model.parameters(), lr=0.05)
    xd, yd = autograd.tensor(x, device=device), autograd.tensor(y, device=device)
    _train(model, opt, xd, yd, steps=2)
    path = tmp_path / "ckpt.pt"
    autograd.save({"model": model.state_dict(), "optim": opt.state_dict()}, path)

    for target in ("cpu", device):
        state = autograd.load(path, map_location=target)
        other = _mlp().to(target)
        other.load_state_dict(state["model"])
        other_opt = optim.Adam(other.parameters(), lr=0.05)
        other_opt.load_state_dict(state["optim"])
        for p in other.parameters():
            _on(p, target)
            for value in other_opt.state[p].values():
                if isinstance(value, autograd.Tensor) and value.ndim:
                    _on(value, target)
        for (k, a), (_, b) in zip(other.state_dict().items(), model.state_dict().items()):
            _close(_host(a), _host(b), k, np.float64)
        # one more step each: the same parameters wherever the state went
        a = _train(
            other,
            other_opt,
            autograd.tensor(x, device=target),
            autograd.tensor(y, device=target),
            1,
        )
        b = _train(copy.deepcopy(model), _clone_opt(model, opt), xd, yd, 1)
        np.testing.assert_allclose(a[0].item(), b[0].item(), rtol=1e-12)


def _clone_opt(model, opt):
    new_model = model  # the deepcopy above is only for the loss: compare one step's loss
    clone = optim.Adam(new_model.parameters(), lr=0.05)
    clone.load_state_dict(copy.deepcopy(opt.state_dict()))
    return clone


def test_cpu_state_dict_loads_into_a_device_model(device):
    cpu = _mlp()
    moved = _mlp().to(device)
    moved.load_state_dict(cpu.state_dict())
    for (k, a), (_, b) in zip(moved.state_dict().items(), cpu.state_dict().items()):
        _on(a, device)
        _close(_host(a), _host(b), k, np.float64)


# --------------------------------------------------------------------------- training
def test_short_training_run_on_device_matches_the_cpu(device):
    """A small CNN, SGD with momentum, a few batches from a DataLoader: the same losses."""
    images, labels = arrays([f(16, 1, 8, 8), i(4, 16)], seed=3)
    dataset = nn.data.TensorDataset(
        autograd.tensor(images.astype(np.float32)), autograd.tensor(labels)
    )
    histories = []
    for dev in ("cpu", device):
        autograd.manual_seed(0)
        model = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(4 * 4 * 4, 4),
        ).to(dev)  # fmt: skip
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        loader = nn.data.DataLoader(dataset, batch_size=4, shuffle=False)
        losses = []
        for x, y in loader:
            x, y = x.to(dev), y.to(dev)
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        with autograd.no_grad():
            correct = (model(x).argmax(1) == y).sum().item()
        histories.append((losses, correct))
    np.testing.assert_allclose(histories[1][0], histories[0][0], rtol=1e-4)
    assert histories[1][1] == histories[0][1]


def test_nn_train_runs_on_device(device, tmp_path):
    """`python -m nn.train --device cuda`'s loop (data, epochs, evaluation, checkpoint,
    metrics) on a few hundred images: nothing in it leaks to the host."""
    from nn.datasets import FashionMNIST
    from nn.train.loop import Config, read_checkpoint, run

    root = FashionMNIST.default_root
    if not os.path.exists(os.path.join(root, "train-images-idx3-ubyte.gz")):
        pytest.skip(f"no Fashion-MNIST in {root}")
    metrics = run(Config(recipe="mlp", device=device, epochs=1, limit_train=128, limit_test=64,
                         batch_size=64, out=str(tmp_path), progress=False, plots=False,
                         graph=False))  # fmt: skip
    assert metrics["settings"]["device"] == device
    assert 0 <= metrics["final"]["test_acc"] <= 1
    state = read_checkpoint(os.path.join(tmp_path, "checkpoints", "epoch-001.safetensors"))
    assert state is not None
