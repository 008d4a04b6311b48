"""Module API and containers that learner code uses, against torch.nn: hooks with kwargs,
prepend and always_call, ModuleDict, ParameterList, ParameterDict, Sequential/ModuleList pop,
half/type."""

from collections import OrderedDict

import numpy as np
import pytest
import torch

import autograd
import nn


class Scale(nn.Module):
    def forward(self, x, factor=1.0):
        return x * factor


class TorchScale(torch.nn.Module):
    def forward(self, x, factor=1.0):
        return x * factor


@pytest.mark.parametrize("make,tensor", [(Scale, autograd.tensor), (TorchScale, torch.tensor)])
def test_forward_hooks_with_kwargs_and_prepend_run_as_torch(make, tensor):
    calls = []
    m = make()

    def pre(module, args, kwargs):
        calls.append("pre")
        return args, {**kwargs, "factor": kwargs.get("factor", 1.0) * 2}

    def first(module, args):
        calls.append("first")

    def post(module, args, kwargs, out):
        calls.append(("post", kwargs["factor"]))
        return out + 1

    m.register_forward_pre_hook(pre, with_kwargs=True)
    m.register_forward_pre_hook(first, prepend=True)
    handle = m.register_forward_hook(post, with_kwargs=True)
    out = m(tensor([1.0, 2.0]), factor=3.0)
    assert out.tolist() == [7.0, 13.0]
    assert calls == ["first", "pre", ("post", 6.0)]
    handle.remove()
    assert m(tensor([1.0]), factor=1.0).tolist() == [2.0]


@pytest.mark.parametrize("make,tensor", [(Scale, autograd.tensor), (TorchScale, torch.tensor)])
def test_always_call_forward_hook_runs_when_forward_raises(make, tensor):
    seen = []
    m = make()
    m.register_forward_hook(lambda mod, args, out: seen.append("always"), always_call=True)
    m.register_forward_hook(lambda mod, args, out: seen.append("normal"))
    with pytest.raises(TypeError):
        m(tensor([1.0]), unknown=2)
    assert seen == ["always"]


def test_pre_hook_with_kwargs_must_return_a_pair():
    m = Scale()
    m.register_forward_pre_hook(lambda mod, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match="new_args, new_kwargs"):
        m(autograd.tensor([1.0, 2.0]))


def _same_state(ours, theirs):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (k, v), (_, t) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert tuple(v.shape) == tuple(t.shape), k


def test_module_dict_as_torch():
    ours = nn.ModuleDict({"b": nn.Linear(2, 3), "a": nn.ReLU()})
    theirs = torch.nn.ModuleDict({"b": torch.nn.Linear(2, 3), "a": torch.nn.ReLU()})
    assert list(ours.keys()) == list(theirs.keys()) == ["b", "a"]
    ours["c"] = nn.Linear(3, 1)
    theirs["c"] = torch.nn.Linear(3, 1)
    ours.update([("d", nn.Tanh())])
    theirs.update([("d", torch.nn.Tanh())])
    _same_state(ours, theirs)
    assert repr(ours) == repr(theirs)
    assert "c" in ours and len(ours) == len(theirs) == 4
    assert isinstance(ours.pop("d"), nn.Tanh) and "d" not in ours
    assert [type(m).__name__ for m in ours.values()] == ["Linear", "ReLU", "Linear"]
    ours.clear()
    assert len(ours) == 0 and list(ours.parameters()) == []


def test_parameter_list_as_torch():
    arrays = [np.ones((2, 3), np.float32), np.zeros(4, np.float32)]
    ours = nn.ParameterList([nn.Parameter(autograd.tensor(a)) for a in arrays])
    theirs = torch.nn.ParameterList([torch.nn.Parameter(torch.tensor(a)) for a in arrays])
    ours.append(autograd.ones(5))  # a plain Tensor becomes a Parameter, as torch
    theirs.append(torch.ones(5))
    assert isinstance(ours[2], nn.Parameter) and ours[2].requires_grad
    _same_state(ours, theirs)
    assert [k for k, _ in ours.named_parameters()] == ["0", "1", "2"]
    assert len(ours) == 3 and ours[-1] is ours[2]
    assert len(ours[1:]) == 2
    assert repr(ours).replace("float32", "torch.float32") == repr(theirs)
    ours += [nn.Parameter(autograd.zeros(1))]
    assert len(ours) == 4
    with pytest.raises(IndexError):
        ours[4]


def test_parameter_dict_as_torch():
    ours = nn.ParameterDict({"w": nn.Parameter(autograd.ones(2)), "b": autograd.zeros(3)})
    theirs = torch.nn.ParameterDict({"w": torch.nn.Parameter(torch.ones(2)), "b": torch.zeros(3)})
    _same_state(ours, theirs)
    assert list(ours) == list(theirs) == ["b", "w"]  # a plain dict's keys sorted, as torch
    assert isinstance(ours["b"], nn.Parameter)
    assert repr(ours) == repr(theirs).replace("torch.", "")
    assert ours.get("missing") is None and "w" in ours
    ours.update({"c": autograd.ones(1)})
    assert list(ours.keys()) == ["b", "w", "c"]
    assert ours.pop("w").shape == (2,) and list(ours) == ["b", "c"]
    model = nn.Module()
    model.params = ours
    assert [k for k, _ in model.named_parameters()] == ["params.b", "params.c"]


def test_sequential_and_module_list_pop_as_torch():
    ours = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1))
    theirs = torch.nn.Sequential(torch.nn.Linear(1, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    assert type(ours.pop(1)).__name__ == type(theirs.pop(1)).__name__ == "ReLU"
    _same_state(ours, theirs)
    layers = nn.ModuleList([nn.ReLU(), nn.Tanh()])
    assert isinstance(layers.pop(0), nn.ReLU) and len(layers) == 1
    assert isinstance(layers[0], nn.Tanh)
    seq = nn.Sequential(OrderedDict([("a", nn.ReLU()), ("b", nn.Tanh())]))
    assert isinstance(seq[1:][0], nn.Tanh)


def test_half_and_type_cast_as_torch():
    ours = nn.BatchNorm1d(3)
    theirs = torch.nn.BatchNorm1d(3)
    ours.half()
    theirs.half()
    for (k, v), (_, t) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert v.dtype.name == str(t.dtype).replace("torch.", ""), k
    ours.type(autograd.float64)
    theirs.type(torch.float64)  # every tensor, the integer counter too
    for (k, v), (_, t) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert v.dtype.name == str(t.dtype).replace("torch.", ""), k


def test_instance_norm_running_stats_follow_torch_over_steps():
    ours = nn.InstanceNorm1d(3, momentum=0.3, track_running_stats=True, affine=True)
    theirs = torch.nn.InstanceNorm1d(3, momentum=0.3, track_running_stats=True, affine=True)
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.standard_normal((4, 3, 5))
        ours(autograd.tensor(x, dtype=autograd.float32))
        theirs(torch.tensor(x, dtype=torch.float32))
    for (k, v), (_, t) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        np.testing.assert_allclose(v.numpy(), t.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    ours.eval()
    theirs.eval()
    x = rng.standard_normal((2, 3, 5))
    np.testing.assert_allclose(
        ours(autograd.tensor(x, dtype=autograd.float32)).detach().numpy(),
        theirs(torch.tensor(x, dtype=torch.float32)).detach().numpy(),
        rtol=1e-5,
        atol=1e-6,
    )


def test_conv_transpose_output_size_as_torch():
    ours = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    theirs = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 4)).astype(np.float32)
    for size in [(7, 7), (8, 8), (1, 3, 8, 7)]:
        yo = ours(autograd.tensor(x), output_size=size)
        yt = theirs(torch.tensor(x), output_size=size)
        np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError):
        theirs(torch.tensor(x), output_size=(9, 9))
    with pytest.raises(ValueError):
        ours(autograd.tensor(x), output_size=(9, 9))


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.Conv1d(4, 6, 3, groups=3),
        lambda m: m.ConvTranspose2d(4, 6, 3, groups=3),
        lambda m: m.ConvTranspose2d(2, 2, 3, padding_mode="reflect"),
        lambda m: m.GroupNorm(3, 4),
    ],
)
def test_constructor_errors_as_torch(make):
    with pytest.raises(ValueError):
        make(torch.nn)
    with pytest.raises(ValueError):
        make(nn)


def test_hardtanh_bounds_errors_as_torch():
    for m in (torch.nn, nn):
        with pytest.raises(AssertionError):
            m.Hardtanh(1.0, 1.0)
    with pytest.raises(ValueError):
        torch.nn.functional.hardtanh(torch.zeros(2), 2.0, 1.0)
    with pytest.raises(ValueError):
        nn.functional.hardtanh(autograd.zeros(2), 2.0, 1.0)


def test_new_names_are_exported_like_torch():
    names = [
        "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AdaptiveAvgPool1d", "AvgPool1d", "MaxPool1d",
        "Conv1d", "ConvTranspose2d", "ConvTranspose1d", "Identity", "Unflatten", "ModuleDict",
        "ParameterList", "ParameterDict", "SiLU", "Softplus", "Mish", "Hardtanh", "ReLU6",
        "Hardswish", "Hardsigmoid", "PReLU", "GroupNorm", "InstanceNorm2d", "InstanceNorm1d",
        "Softmax2d", "LogSigmoid", "Softsign", "Tanhshrink", "CELU", "SELU", "GLU", "Threshold",
        "Dropout1d", "Dropout2d", "AlphaDropout", "Upsample", "ZeroPad2d", "ConstantPad2d",
        "ReflectionPad2d", "PixelShuffle", "CosineSimilarity", "PairwiseDistance", "Bilinear",
        "L1Loss", "SmoothL1Loss", "HuberLoss", "KLDivLoss", "CosineEmbeddingLoss",
        "MarginRankingLoss", "SoftMarginLoss", "TripletMarginLoss", "PoissonNLLLoss",
        "GaussianNLLLoss",
    ]  # fmt: skip
    for name in names:
        assert name in nn.__all__ and hasattr(torch.nn, name), name


@pytest.mark.parametrize("train", [True, False])
def test_transformer_encoder_with_padding_mask_matches_torch(train):
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    theirs = torch.nn.TransformerEncoder(layer, 2, norm=torch.nn.LayerNorm(8),
                                         enable_nested_tensor=False)  # fmt: skip
    ours = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True), 2, nn.LayerNorm(8)
    )
    result = ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    ours.train(train)
    theirs.train(train)
    x = np.random.default_rng(0).standard_normal((2, 5, 8)).astype(np.float32)
    pad = np.array([[False] * 5, [False, False, False, True, True]])
    yo = ours(autograd.tensor(x), src_key_padding_mask=autograd.tensor(pad))
    with torch.no_grad() if not train else torch.enable_grad():
        yt = theirs(torch.tensor(x), src_key_padding_mask=torch.tensor(pad))
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("input_grad", [True, False])
def test_full_backward_hook_sees_and_replaces_grads_as_torch(input_grad):
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh()).double()
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh()).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 3))
    g = np.random.default_rng(1).standard_normal((2, 4))
    results = []
    for model, make in ((ours, autograd.tensor), (theirs, torch.tensor)):
        seen = []

        def hook(module, grad_input, grad_output, seen=seen):
            seen.append([None if t is None else t.detach().numpy().copy() for t in grad_input])
            seen.append([t.detach().numpy().copy() for t in grad_output])
            return None if grad_input[0] is None else (grad_input[0] * 3,)

        handle = model[0].register_full_backward_hook(hook)
        xt = make(x, requires_grad=input_grad)
        with pytest.warns(UserWarning) if not input_grad else _no_warning():
            model(xt).backward(make(g))
        results.append((seen, None if xt.grad is None else xt.grad.numpy(),
                        model[0].weight.grad.numpy()))  # fmt: skip
        handle.remove()
    (seen_o, grad_o, w_o), (seen_t, grad_t, w_t) = results
    assert len(seen_o) == len(seen_t) == 2
    for a, b in zip(seen_o[0] + seen_o[1], seen_t[0] + seen_t[1]):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-10)
    if input_grad:
        np.testing.assert_allclose(grad_o, grad_t, rtol=1e-10)
    else:
        assert grad_o is None and grad_t is None
    np.testing.assert_allclose(w_o, w_t, rtol=1e-10)  # the hook changes only grad_input


class _no_warning:
    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)
