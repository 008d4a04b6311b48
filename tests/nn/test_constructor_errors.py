"""Regression tests: layer arguments that PyTorch refuses (at construction or at the first
forward) are refused here with the same exception type, at the same moment; garbage is never
computed into NaNs or silently wrapped indices."""

import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close_as, copy_weights

import autograd
import nn

X4 = (1, 4, 8, 8)
CASES = [
    # (layer, args, kwargs, input shape)
    ("Conv2d", (4, 6), dict(kernel_size=0), X4),
    ("Conv2d", (4, 6), dict(kernel_size=-1), X4),
    ("Conv2d", (4, 6), dict(kernel_size=3, stride=0), X4),
    ("Conv2d", (4, 6), dict(kernel_size=3, stride=-1), X4),
    ("Conv2d", (4, 6), dict(kernel_size=3, groups=0), X4),
    ("Conv2d", (4, 6), dict(kernel_size=3, groups=-2), X4),
    ("Conv2d", (4, 6), dict(kernel_size=3, groups=4), X4),
    ("Conv2d", (3, 6), dict(kernel_size=3, groups=2), (1, 3, 8, 8)),
    ("Conv2d", (4, 6), dict(kernel_size=3, groups=2), X4),
    ("Conv2d", (4, 6), dict(kernel_size=3, padding=-1), X4),
    ("Conv2d", (4, 6), dict(kernel_size=3, dilation=0), X4),
    ("Conv2d", (4, 6), dict(kernel_size=3, padding="same", stride=2), X4),
    ("Conv2d", (4, 6), dict(kernel_size=3, padding="full"), X4),
    ("Conv2d", (4, 6), dict(kernel_size=3, padding_mode="foo"), X4),
    ("Conv2d", (-1, 6), dict(kernel_size=3), X4),
    ("Conv2d", (4, -1), dict(kernel_size=3), X4),
    ("Conv2d", (4.0, 6), dict(kernel_size=3), X4),
    ("Conv2d", (4, 6), dict(kernel_size=2.5), X4),
    ("Conv2d", (4, 6), dict(kernel_size=9), X4),  # kernel larger than the padded input
    ("Embedding", (-1, 3), {}, None),
    ("Embedding", (3, -2), {}, None),
    ("Embedding", (3, 2.0), {}, None),
    ("Embedding", (3, 2), dict(padding_idx=3), None),
    ("Embedding", (3, 2), dict(padding_idx=-4), None),
    ("BatchNorm1d", (-1,), {}, (2, 3)),
    ("BatchNorm2d", (2.0,), {}, (2, 2, 3, 3)),
    ("BatchNorm2d", (3,), {}, (2, 2, 3, 3)),
    ("LayerNorm", (-1,), {}, (2, 3)),
    ("LayerNorm", ((2, -1),), {}, (2, 3)),
    ("LayerNorm", (4,), {}, (2, 3)),
    ("Linear", (-1, 3), {}, (2, 3)),
    ("Linear", (3, -2), {}, (2, 3)),
    ("Linear", (3.0, 2), {}, (2, 3)),
]
# Conv1d and the transposed convolutions share Conv2d's constructor, the 1-D pools their 2-D
# forms' argument checks: the same garbage, refused the same way.
X3 = (1, 4, 8)
CASES += [
    (name, (4, 6), kwargs, shape)
    for name, shape in (("Conv1d", X3), ("ConvTranspose1d", X3), ("ConvTranspose2d", X4))
    for kwargs in (
        dict(kernel_size=0), dict(kernel_size=3, stride=0), dict(kernel_size=3, groups=0),
        dict(kernel_size=3, groups=4), dict(kernel_size=3, padding=-1),
        dict(kernel_size=3, dilation=0), dict(kernel_size=2.5),
        dict(kernel_size=3, padding_mode="foo"), dict(kernel_size=3, output_padding=1),
    )
    if name != "Conv1d" or "output_padding" not in kwargs
] + [
    ("Conv1d", (4, 6), dict(kernel_size=3, padding="same", stride=2), X3),
    ("Conv1d", (4, 6), dict(kernel_size=3, padding="full"), X3),
    ("Conv1d", (-1, 6), dict(kernel_size=3), X3),
    ("ConvTranspose2d", (4, 6), dict(kernel_size=3, padding_mode="reflect"), X4),
]  # fmt: skip
# The windows both pools refuse, in 2-D and 1-D (negative sizes in 2-D only), then each
# pool's own options (max's dilation, avg's divisor_override) and a padding both accept.
WINDOWS = [dict(kernel_size=0), dict(kernel_size=2, stride=0), dict(kernel_size=2, padding=2)]
CASES += [
    (pool + dims, (), kwargs, shape)
    for pool in ("MaxPool", "AvgPool")
    for dims, shape, more in (
        ("2d", X4, [dict(kernel_size=-1), dict(kernel_size=2, padding=-1)]),
        ("1d", X3, []),
    )
    for kwargs in WINDOWS + more
] + [
    ("MaxPool2d", (), dict(kernel_size=2, dilation=0), X4),
    ("MaxPool2d", (), dict(kernel_size=2, padding=1), X4),
    ("MaxPool1d", (), dict(kernel_size=2, dilation=0), X3),
    ("AvgPool2d", (), dict(kernel_size=2, divisor_override=0), X4),
    ("AvgPool2d", (), dict(kernel_size=3, padding=1), X4),
]


def outcome(lib, case, x=None):
    """("ctor", exception type) where building the layer fails, ("forward", type) where its
    forward does, else ("ok", output, layer); x: the input (ones of the case's shape)."""
    name, args, kwargs, shape = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            layer = getattr(lib.nn if lib is torch else nn, name)(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the type is what is compared
            return ("ctor", type(exc))
        if x is None:
            x = np.array([0, 2]) if shape is None else np.ones(shape, dtype=np.float32)
        make = torch.tensor if lib is torch else autograd.tensor
        try:
            out = layer(*map(make, x)) if isinstance(x, list) else layer(make(x))
        except Exception as exc:  # noqa: BLE001
            return ("forward", type(exc))
        return ("ok", out[0] if isinstance(out, tuple) else out, layer)


def case_id(case):
    name, args, kwargs, _ = case
    return f"{name}{args}" + "".join(f"-{k}={v!r}" for k, v in kwargs.items())


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_layer_constructed_with_garbage_runs(case):
    """Refused as torch refuses it: the same exception type, at the same moment (building
    the layer or its forward), or else the same output shape."""
    theirs, ours = outcome(torch, case), outcome(autograd, case)
    if theirs[0] == "ok":
        assert ours[0] == "ok", ours
        assert tuple(ours[1].shape) == tuple(theirs[1].shape)
    else:
        assert ours == theirs


# Issue 12: every conv/pool layer given a kernel_size/stride/padding/dilation (output_size
# for the adaptive pools) that is a tuple of the wrong length, zero, negative, a float, a
# bool, None or a string: as PyTorch's layers, ours keep what they are given and the
# functional form refuses it at forward. Same exception type at the same moment, or the
# same values (torch's weights copied into ours).
_GEOMETRY = ("kernel_size", "stride", "padding", "dilation")
_LAYER_ARGS = {
    # layer: (positional args, the required argument's name and value, arguments, input)
    "Conv1d": ((4, 6), "kernel_size", 3, _GEOMETRY + ("groups",), (2, 4, 9)),
    "Conv2d": ((4, 6), "kernel_size", 3, _GEOMETRY + ("groups",), (2, 4, 7, 6)),
    "ConvTranspose1d": ((4, 6), "kernel_size", 3, _GEOMETRY + ("output_padding",), (2, 4, 5)),
    "ConvTranspose2d": ((4, 6), "kernel_size", 3, _GEOMETRY + ("output_padding",), (4, 5, 6)),
    "MaxPool1d": ((), "kernel_size", 2, _GEOMETRY + ("ceil_mode",), (2, 3, 9)),
    "MaxPool2d": ((), "kernel_size", 2, _GEOMETRY + ("ceil_mode",), (2, 3, 7, 6)),
    "AvgPool1d": ((), "kernel_size", 2, _GEOMETRY[:3] + ("count_include_pad",), (2, 3, 9)),
    "AvgPool2d": ((), "kernel_size", 2, _GEOMETRY[:3] + ("divisor_override",), (3, 7, 6)),
    "AdaptiveAvgPool1d": ((), "output_size", 2, ("output_size",), (2, 3, 9)),
    "AdaptiveAvgPool2d": ((), "output_size", 2, ("output_size",), (2, 3, 7, 6)),
    "AdaptiveMaxPool1d": ((), "output_size", 2, ("output_size",), (2, 3, 9)),
    "AdaptiveMaxPool2d": ((), "output_size", 2, ("output_size",), (3, 7, 6)),
}
_BAD = [
    0, -1, 1, 2, 2.0, 2.5, True, False, None, "a", "same", np.int64(2), (), (2,), (1, 1),
    (2, 2), (3, 3, 3), [2, 2], (2, 0), (0, 2), (2, -1), (2.0, 2), (True, 2), (2, True), (2, None),
    (None,),
]  # fmt: skip
ARG_CASES = [
    (name, args, {required: default, arg: value}, shape)
    for name, (args, required, default, names, shape) in _LAYER_ARGS.items()
    for arg in names
    for value in _BAD
] + [
    # with a padding_mode PyTorch's layer pads by F.pad with the padding as given: one value
    # pads only the last dim of an unbatched 2-D input, and is refused for a batched one
    (name, (4, 6), dict(kernel_size=3, padding=padding, padding_mode=mode), shape)
    for name, shapes in (("Conv1d", ((2, 4, 9), (4, 9))), ("Conv2d", ((2, 4, 7, 6), (4, 7, 6))))
    for shape in shapes
    for mode in ("reflect", "replicate", "circular")
    for padding in (1, (), (1,), (2,), (1, 2), (1, 1, 1), "same", "valid", 6)
] + [
    (name, (), {"in_channels": 4, "out_channels": 6, "kernel_size": 3, arg: value}, shape)
    for name, shape in (("Conv1d", (2, 4, 9)), ("Conv2d", (2, 4, 7, 6)),
                        ("ConvTranspose1d", (2, 4, 9)), ("ConvTranspose2d", (4, 7, 6)))
    for arg in ("in_channels", "out_channels", "groups")
    for value in (0, -1, 2, 2.0, 4.0, True, False, None, "a")
]  # fmt: skip


def same_outcome_or_layer(case, x):
    """Both libraries fail alike (asserted; returns None), or both build and run: then ours,
    holding torch's weights, and torch's output."""
    theirs, ours = outcome(torch, case, x), outcome(autograd, case, x)
    if theirs[0] != "ok" or ours[0] != "ok":
        assert ours[:2] == theirs[:2]
        return None
    _, out_t, layer_t = theirs
    name, args, kwargs, _ = case
    layer = getattr(nn, name)(*args, **kwargs)
    copy_weights(layer, layer_t)
    return layer, out_t


@pytest.mark.parametrize("case", ARG_CASES, ids=[case_id(c) for c in ARG_CASES])
def test_conv_and_pool_layer_arguments_refused_as_torch_refuses_them(case):
    x = np.random.default_rng(0).standard_normal(case[3]).astype(np.float32)
    built = same_outcome_or_layer(case, x)
    if built is None:
        return
    layer, out_t = built
    out = layer(autograd.tensor(x))
    assert_close_as(out[0] if isinstance(out, tuple) else out, out_t.detach())


def test_a_refused_forward_changes_no_parameter():
    layer = nn.Conv1d(4, 6, kernel_size=3, stride=(2, 2))
    before = [p.detach().numpy().copy() for p in layer.parameters()]
    with pytest.raises(RuntimeError, match="stride"):
        layer(autograd.ones(1, 4, 8))
    for p, b in zip(layer.parameters(), before):
        np.testing.assert_array_equal(p.detach().numpy(), b)
    assert all(p.grad is None for p in layer.parameters())


def test_conv1d_with_a_3_tuple_kernel_builds_and_fails_at_forward_as_torch():
    layer_t = torch.nn.Conv1d(4, 6, kernel_size=(3, 3, 3))
    layer = nn.Conv1d(4, 6, kernel_size=(3, 3, 3))
    assert layer.kernel_size == layer_t.kernel_size
    assert tuple(layer.weight.shape) == tuple(layer_t.weight.shape)
    with pytest.raises(RuntimeError) as theirs:
        layer_t(torch.ones(1, 4, 8))
    with pytest.raises(type(theirs.value), match="3D weight"):
        layer(autograd.ones(1, 4, 8))


def test_avgpool1d_with_a_pair_kernel_builds_and_fails_at_forward_as_torch():
    layer_t = torch.nn.AvgPool1d(kernel_size=(2, 2))
    layer = nn.AvgPool1d(kernel_size=(2, 2))
    assert (layer.kernel_size, layer.stride) == (layer_t.kernel_size, layer_t.stride)
    with pytest.raises(RuntimeError) as theirs:
        layer_t(torch.ones(1, 4, 8))
    with pytest.raises(type(theirs.value), match="'kernel_size' should contain one int"):
        layer(autograd.ones(1, 4, 8))


def test_conv2d_with_a_1_tuple_kernel_is_refused_not_computed_as_a_square_kernel():
    """It was: (3,) repeated to (3, 3) and computed; torch's weight is 3-D and refused."""
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.Conv2d(4, 6, kernel_size=(3,))(torch.ones(1, 4, 8, 8))
    with pytest.raises(type(theirs.value)):
        nn.Conv2d(4, 6, kernel_size=(3,))(autograd.ones(1, 4, 8, 8))


@pytest.mark.parametrize("output_size", [0, (0, 2), (3, 0)])
@pytest.mark.parametrize("kind", ["avg", "max"])
def test_adaptive_pool_to_size_zero_is_empty_as_torch(kind, output_size):
    """It was a ZeroDivisionError (avg) or an empty stack (max); torch returns an empty
    output, on the graph. (Its backward then raises in torch, while ours gives zeros: left.)"""
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 4)).astype(np.float32)
    f = getattr(nn.functional, f"adaptive_{kind}_pool2d")
    f_t = getattr(torch.nn.functional, f"adaptive_{kind}_pool2d")
    xt = torch.tensor(x, requires_grad=True)
    xo = autograd.tensor(x, requires_grad=True)
    out, out_t = f(xo, output_size), f_t(xt, output_size)
    assert tuple(out.shape) == tuple(out_t.shape)
    assert out.requires_grad and out_t.requires_grad
    f1 = getattr(nn.functional, f"adaptive_{kind}_pool1d")
    f1_t = getattr(torch.nn.functional, f"adaptive_{kind}_pool1d")
    assert tuple(f1(xo[0], 0).shape) == tuple(f1_t(xt[0], 0).shape)


@pytest.mark.parametrize("index", [[-1], [3], [0, -3], [1, 5]])
def test_embedding_negative_index_wraps_to_the_last_row(index):
    w = np.arange(6, dtype=np.float32).reshape(3, 2)
    emb = nn.Embedding(3, 2, _weight=autograd.tensor(w))
    with pytest.raises(IndexError) as theirs:
        torch.nn.functional.embedding(torch.tensor(index), torch.tensor(w))
    with pytest.raises(type(theirs.value), match="index out of range in self"):
        emb(autograd.tensor(index))
    with pytest.raises(type(theirs.value)):
        nn.functional.embedding(autograd.tensor(index), autograd.tensor(w))


@pytest.mark.parametrize("index", [[[-1, 0]], [[3, 0]], [[0, -4]]])
def test_gather_negative_index_wraps_to_the_last_row(index):
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    with pytest.raises(RuntimeError) as theirs:
        torch.gather(torch.tensor(x), 0, torch.tensor(index))
    with pytest.raises(type(theirs.value)) as ours:
        autograd.tensor(x, requires_grad=True).gather(0, autograd.tensor(index))
    bad = [i for i in np.ravel(index) if not 0 <= i < 3][0]
    assert f"index {bad} is out of bounds for dimension 0 with size 3" in str(ours.value)
    assert str(theirs.value) in str(ours.value)


def test_gather_in_range_indices_still_match_torch():
    x = np.arange(12, dtype=np.float64).reshape(3, 4)
    idx = np.array([[2, 0, 1, 2], [0, 0, 0, 1]])
    t = autograd.tensor(x, requires_grad=True)
    tt = torch.tensor(x, requires_grad=True)
    out, out_t = t.gather(0, autograd.tensor(idx)), torch.gather(tt, 0, torch.tensor(idx))
    np.testing.assert_array_equal(out.detach().numpy(), out_t.detach().numpy())
    (out * out).sum().backward()
    (out_t * out_t).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), tt.grad.numpy())


def test_gather_on_an_empty_dim_with_indices_is_refused():
    with pytest.raises(RuntimeError, match="out of bounds"):
        autograd.zeros(0, 2).gather(0, autograd.zeros(1, 2, dtype=autograd.int64))


# The functional forms themselves, refusing the same garbage as torch.nn.functional's.
_F_ARGS = {
    # op: (input and weight shapes, or input shape and the required int; arguments)
    "conv1d": (((2, 4, 9), (6, 4, 3)), ("stride", "padding", "dilation", "groups")),
    "conv2d": (((2, 4, 7, 6), (6, 4, 3, 3)), ("stride", "padding", "dilation", "groups")),
    "conv_transpose1d": (((2, 4, 5), (4, 6, 3)), ("stride", "padding", "output_padding")),
    "conv_transpose2d": (((4, 5, 6), (4, 6, 3, 3)), ("stride", "padding", "dilation", "groups")),
    "max_pool1d": (((2, 3, 9), 2), ("kernel_size", "stride", "padding", "dilation")),
    "max_pool2d": (((3, 7, 6), 2), ("kernel_size", "stride", "padding", "ceil_mode")),
    "avg_pool1d": (((2, 3, 9), 2), ("kernel_size", "stride", "padding", "count_include_pad")),
    "avg_pool2d": (((2, 3, 7, 6), 2), ("kernel_size", "padding", "divisor_override")),
    "adaptive_avg_pool1d": (((2, 3, 9), 2), ("output_size",)),
    "adaptive_avg_pool2d": (((3, 7, 6), 2), ("output_size",)),
    "adaptive_max_pool1d": (((2, 3, 9), 2), ("output_size",)),
    "adaptive_max_pool2d": (((2, 3, 7, 6), 2), ("output_size",)),
}
_F_BAD = [0, -1, 2.0, True, None, "a", "same", (), (2,), (2, 2, 2), (2, -1), (2.0, 2), (None, 3),
          (True, 2), (2, True)]  # fmt: skip
F_CASES = [(op, arg, v) for op, (_, args) in _F_ARGS.items() for arg in args for v in _F_BAD]


def _functional_outcome(lib, op, arg, value):
    (shape, second), _ = _F_ARGS[op]
    rng = np.random.default_rng(0)
    make = torch.tensor if lib is torch else autograd.tensor
    x = make(rng.standard_normal(shape).astype(np.float32))
    if isinstance(second, tuple):
        second = make(rng.standard_normal(second).astype(np.float32))
    f = getattr(torch.nn.functional if lib is torch else nn.functional, op)
    args = (x, value) if arg in ("kernel_size", "output_size") else (x, second)
    kwargs = {} if arg in ("kernel_size", "output_size") else {arg: value}
    try:
        out = f(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the type is what is compared
        return type(exc)
    return np.asarray((out[0] if isinstance(out, tuple) else out).detach().numpy())


@pytest.mark.parametrize(
    "op, arg, value", F_CASES, ids=[f"{op}-{arg}={value!r}" for op, arg, value in F_CASES]
)
def test_conv_and_pool_functional_arguments_refused_as_torch_refuses_them(op, arg, value):
    theirs = _functional_outcome(torch, op, arg, value)
    ours = _functional_outcome(autograd, op, arg, value)
    if isinstance(theirs, type):
        assert ours == theirs
    else:
        assert not isinstance(ours, type), ours
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


# Issue 12, the other layers' numeric hyper-parameters: a tuple, None, a bool, a string, a
# complex, a numpy scalar, a negative, a NaN or a float where PyTorch wants an int or a float.
# Same exception type at the same moment, or the same values (torch's weights copied in).
_SCALARS = [True, np.float64(0.1), np.int64(1), None, (2,), "a", 1 + 2j, -1, float("nan"), 0, 2.5]
_X2, _X4 = (3, 4), (2, 4, 3, 5)
_SCALAR_ARGS = [
    # (layer, function of the value -> (args, kwargs), input shape; a list: two inputs)
    ("BatchNorm1d", lambda v: ((4,), dict(momentum=v)), _X2),
    ("BatchNorm1d", lambda v: ((4,), dict(eps=v)), _X2),
    ("BatchNorm2d", lambda v: ((4,), dict(momentum=v)), _X4),
    ("LayerNorm", lambda v: ((4,), dict(eps=v)), _X2),
    ("GroupNorm", lambda v: ((2, 4), dict(eps=v)), _X4),
    ("GroupNorm", lambda v: ((v, 4), {}), _X4),
    ("LeakyReLU", lambda v: ((v,), {}), _X2),
    ("Threshold", lambda v: ((v, 0.5), {}), _X2),
    ("Threshold", lambda v: ((0.1, v), {}), _X2),
    ("CosineSimilarity", lambda v: ((v,), {}), [_X2, _X2]),
    ("CosineSimilarity", lambda v: ((1, v), {}), [_X2, _X2]),
    ("CosineSimilarity", lambda v: ((v, -1), {}), [_X2, _X2]),
    ("RNN", lambda v: ((4, 3), dict(dropout=v)), (2, 3, 4)),
    ("RNN", lambda v: ((4, 3), dict(num_layers=v)), (2, 3, 4)),
    ("RNN", lambda v: ((4, v), {}), (2, 3, 4)),
    ("GRU", lambda v: ((4, v), {}), (2, 3, 4)),
    ("GRUCell", lambda v: ((4, v), {}), (2, 4)),
    ("GRUCell", lambda v: ((v, 3), {}), (2, 1)),
    ("Linear", lambda v: ((v, 3), {}), (2, 1)),
    ("Linear", lambda v: ((1, v), {}), (2, 1)),
    ("PixelShuffle", lambda v: ((v,), {}), (1, 4, 4, 4)),
    ("PixelUnshuffle", lambda v: ((v,), {}), (1, 4, 4, 4)),
    ("PixelShuffle", lambda v: ((v,), {}), (4, 4)),
    ("ELU", lambda v: ((v,), {}), _X2),
    ("CELU", lambda v: ((v,), {}), _X2),
    ("Softplus", lambda v: ((v,), {}), _X2),
    ("Softplus", lambda v: ((1.0, v), {}), _X2),
    ("Hardshrink", lambda v: ((v,), {}), _X2),
    ("Softshrink", lambda v: ((v,), {}), _X2),
    ("Hardtanh", lambda v: ((v, 1.0), {}), _X2),
    ("Dropout", lambda v: ((v,), {}), (0, 4)),
    ("Softmax", lambda v: ((v,), {}), _X2),
    ("LogSoftmax", lambda v: ((v,), {}), _X2),
    ("Flatten", lambda v: ((v,), {}), _X4),
    ("Flatten", lambda v: ((0, v), {}), _X4),
    ("Unflatten", lambda v: ((v, (2, 2)), {}), _X2),
    ("PairwiseDistance", lambda v: ((v,), {}), [_X2, _X2]),
    ("PairwiseDistance", lambda v: ((2.0, v), {}), [_X2, _X2]),
    ("Upsample", lambda v: ((), dict(scale_factor=v)), _X4),
    ("Upsample", lambda v: ((), dict(size=v)), _X4),
    ("Upsample", lambda v: ((), dict(size=(2, v))), _X4),
    ("Embedding", lambda v: ((5, 3), dict(padding_idx=v)), np.array([0, 2, 4])),
    ("Dropout1d", lambda v: ((v,), {}), (0, 3, 4)),
    ("Dropout2d", lambda v: ((v,), {}), (0, 3, 4, 4)),
    ("AlphaDropout", lambda v: ((v,), {}), (0, 4)),
    ("GELU", lambda v: ((), dict(approximate=v)), _X2),
    ("PReLU", lambda v: ((1, v), {}), _X2),
    ("Bilinear", lambda v: ((4, 4, v), {}), [_X2, _X2]),
    ("LSTM", lambda v: ((4, 3), dict(proj_size=v)), (2, 3, 4)),
    ("MultiheadAttention", lambda v: ((4, v), {}), [(2, 3, 4)] * 3),
]
# The padding layers keep what they are given (PyTorch's _pair/_quadruple) and F.pad refuses
# at forward what is wrong: a pair given to a 2-D layer pads only W, as there.
_PADDINGS = _SCALARS + [(2, 2), (1, 2, 3), (1, 0, 2, 1), (1, -1, 0, 2), (True, 1), (1,) * 6]
_PADDING_ARGS = [
    (name, lambda v: ((v,), {}), shape)
    for name in ("ZeroPad1d", "ZeroPad2d", "ReflectionPad1d", "ReflectionPad2d",
                 "ReplicationPad1d", "ReplicationPad2d")
    for shape in ((2, 3, 4, 5), (3, 4, 5))
] + [
    (name, lambda v: ((v, 0.5), {}), (2, 3, 4, 5)) for name in ("ConstantPad1d", "ConstantPad2d")
] + [("ConstantPad2d", lambda v: ((1, v), {}), (2, 3, 4, 5))]  # fmt: skip
SCALAR_CASES = [(name, *make(v), shape) for name, make, shape in _SCALAR_ARGS for v in _SCALARS]
SCALAR_CASES += [(name, *make(v), shape) for name, make, shape in _PADDING_ARGS for v in _PADDINGS]
# The losses' numbers: class targets, +-1 targets, positive targets.
_CLS, _SIGN = np.array([0, 2, 3]), np.array([1.0, -1.0, 1.0], dtype=np.float32)
_POS = np.abs(np.random.default_rng(5).standard_normal(_X2)).astype(np.float32) + 0.1
_PROBS = _POS / _POS.sum(1, keepdims=True)
_LOSS_ARGS = [
    ("HuberLoss", lambda v: ((), dict(delta=v)), [_X2, _X2]),
    ("SmoothL1Loss", lambda v: ((), dict(beta=v)), [_X2, _X2]),
    ("CrossEntropyLoss", lambda v: ((), dict(label_smoothing=v)), [_X2, _CLS]),
    ("CrossEntropyLoss", lambda v: ((), dict(label_smoothing=v)), [_X2, _PROBS]),
    ("CrossEntropyLoss", lambda v: ((), dict(ignore_index=v)), [_X2, _CLS]),
    ("NLLLoss", lambda v: ((), dict(ignore_index=v)), [_X2, _CLS]),
    ("MarginRankingLoss", lambda v: ((), dict(margin=v)), [(3,), (3,), _SIGN]),
    ("HingeEmbeddingLoss", lambda v: ((), dict(margin=v)), [(3,), _SIGN]),
    ("CosineEmbeddingLoss", lambda v: ((), dict(margin=v)), [_X2, _X2, _SIGN]),
    ("TripletMarginLoss", lambda v: ((), dict(margin=v)), [_X2, _X2, _X2]),
    ("TripletMarginLoss", lambda v: ((), dict(p=v)), [_X2, _X2, _X2]),
    ("GaussianNLLLoss", lambda v: ((), dict(eps=v)), [_X2, _X2, _POS]),
    ("PoissonNLLLoss", lambda v: ((), dict(eps=v)), [_X2, _POS]),
]  # fmt: skip
SCALAR_CASES += [(name, *make(v), shape) for name, make, shape in _LOSS_ARGS for v in _SCALARS]


def _input(shape, seed=0):
    if isinstance(shape, np.ndarray):
        return shape
    rng = np.random.default_rng(seed)
    if isinstance(shape, list):
        return [_input(s, seed + i) for i, s in enumerate(shape)]
    return rng.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("case", SCALAR_CASES, ids=[case_id(c) for c in SCALAR_CASES])
def test_layer_numeric_arguments_refused_or_computed_as_torch(case):
    """It was: LayerNorm(eps=(2,)), LeakyReLU((2,)), Threshold(0.1, None) computed (NaNs for
    the last); Linear(True, 3) and GRUCell(4, True) refused where torch builds them; RNN's
    dropout=None a ValueError, not torch's TypeError; ZeroPad2d(True) computed and
    ZeroPad2d((2, 2)) refused; PixelShuffle(0) a ZeroDivisionError."""
    x = _input(case[3])
    built = same_outcome_or_layer(case, x)
    if built is None:
        return
    layer, out_t = built
    xs = [autograd.tensor(a) for a in (x if isinstance(x, list) else [x])]
    out = layer(*xs)
    out = (out[0] if isinstance(out, tuple) else out).detach().numpy()
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-5, atol=1e-6)  # NaN = NaN


def test_batchnorm_with_a_bad_momentum_changes_no_state():
    layer = nn.BatchNorm1d(4, momentum=(2,))
    with pytest.raises(TypeError, match="momentum"):
        layer(autograd.ones(3, 4))
    assert int(layer.num_batches_tracked.item()) == 0


def test_threshold_nan_input_and_threshold_as_torch():
    """It was x > threshold -> x: a NaN input became value; PyTorch's is x <= threshold."""
    x = np.array([np.nan, 0.5, 0.1, -1.0, np.inf], dtype=np.float32)
    for threshold in (0.1, float("nan")):
        out = nn.functional.threshold(autograd.tensor(x), threshold, 7.0)
        ref = torch.nn.functional.threshold(torch.tensor(x), threshold, 7.0)
        np.testing.assert_array_equal(out.numpy(), ref.numpy())


@pytest.mark.parametrize("size", [np.int64(2), np.int32(3), (np.int64(2), 3), (3, True)])
@pytest.mark.parametrize("factory", ["empty", "zeros", "ones", "randn", "rand"])
def test_creation_accepts_numpy_integer_sizes_as_torch(factory, size):
    args = size if isinstance(size, tuple) else (size,)
    assert tuple(getattr(autograd, factory)(*args).shape) == tuple(
        getattr(torch, factory)(*args).shape
    )
    assert tuple(getattr(autograd, factory)(args).shape) == tuple(
        getattr(torch, factory)(args).shape
    )


@pytest.mark.parametrize("size", [(2.0,), (np.float64(2),), (True,), (True, 3), (np.bool_(True),),
                                  (2, None), (-1,)])  # fmt: skip
def test_creation_refuses_float_bool_first_and_negative_sizes_as_torch(size):
    with pytest.raises(Exception) as theirs:
        torch.empty(*size)
    with pytest.raises(type(theirs.value), match="size|negative"):
        autograd.empty(*size)


def test_conv1d_with_a_numpy_integer_channel_count_builds_as_torch():
    layer = nn.Conv1d(4, np.int64(6), 3)
    assert tuple(layer.weight.shape) == tuple(torch.nn.Conv1d(4, np.int64(6), 3).weight.shape)


@pytest.mark.parametrize("padding_idx", [-1, -4, 3, 0])
def test_functional_embedding_negative_padding_idx_takes_no_gradient(padding_idx):
    """It was: input == -1 never true, so the last row took gradient under padding_idx=-1."""
    w = np.arange(12, dtype=np.float32).reshape(4, 3)
    index = np.array([[0, 3], [3, 1]])
    grads = []
    for lib, f in ((torch, torch.nn.functional.embedding), (autograd, nn.functional.embedding)):
        weight = lib.tensor(w, requires_grad=True)
        out = f(lib.tensor(index), weight, padding_idx=padding_idx)
        (out * out).sum().backward()
        grads.append(weight.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])


@pytest.mark.parametrize("lambd", [0.5, float("nan")])
def test_hardshrink_and_softplus_nan_arguments_as_torch(lambd):
    x = np.array([np.nan, 0.3, -0.3, 1.0, -1.0, 25.0, np.inf, -np.inf], dtype=np.float32)
    pairs = [
        (nn.functional.hardshrink(autograd.tensor(x), lambd),
         torch.nn.functional.hardshrink(torch.tensor(x), lambd)),
        (nn.functional.softplus(autograd.tensor(x), 1.0, lambd),
         torch.nn.functional.softplus(torch.tensor(x), 1.0, lambd)),
    ]  # fmt: skip
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("shape", [(np.int64(2), -1), (2, True, 3), (np.int32(3), np.int64(2)),
                                   (True, 6), (2.0, 3), (np.float64(2), 3)])  # fmt: skip
def test_reshape_takes_numpy_integers_and_a_later_bool_as_torch(shape):
    x = np.arange(6.0, dtype=np.float32)
    try:
        expected = tuple(torch.tensor(x).reshape(shape).shape)
    except Exception as exc:  # noqa: BLE001 - the type is what is compared
        with pytest.raises(type(exc)):
            autograd.tensor(x).reshape(shape)
        return
    assert tuple(autograd.tensor(x).reshape(shape).shape) == expected
    assert tuple(autograd.tensor(x).reshape(*shape).shape) == expected


@pytest.mark.parametrize("value", [1 + 2j, 1 + 0j, -2.5 + 0j])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_fill_with_a_complex_value_as_torch(dtype, value):
    """It was: 1+2j filled a float tensor with 1 (numpy drops the imaginary part)."""
    try:
        expected = torch.zeros(2, dtype=getattr(torch, dtype)).fill_(value).numpy()
    except RuntimeError:
        with pytest.raises(RuntimeError, match="without overflow"):
            autograd.zeros(2, dtype=getattr(autograd, dtype)).fill_(value)
        return
    out = autograd.zeros(2, dtype=getattr(autograd, dtype)).fill_(value)
    np.testing.assert_array_equal(out.numpy(), expected)


_REDUCTION_INPUTS = {
    "MSELoss": [_X2, _X2], "L1Loss": [_X2, _X2], "CrossEntropyLoss": [_X2, _CLS],
    "NLLLoss": [_X2, _CLS], "BCEWithLogitsLoss": [_X2, _PROBS], "HingeEmbeddingLoss": [(3,), _SIGN],
    "KLDivLoss": [_X2, _PROBS], "HuberLoss": [_X2, _X2], "SmoothL1Loss": [_X2, _X2],
    "MarginRankingLoss": [(3,), (3,), _SIGN], "CosineEmbeddingLoss": [_X2, _X2, _SIGN],
    "TripletMarginLoss": [_X2, _X2, _X2], "GaussianNLLLoss": [_X2, _X2, _POS],
    "PoissonNLLLoss": [_X2, _POS],
}  # fmt: skip
REDUCTION_CASES = [
    (name, (), dict(reduction=r), shapes)
    for name, shapes in _REDUCTION_INPUTS.items()
    for r in ("bad", "elementwise_mean", "batchmean", None, 1, "sum")
]


@pytest.mark.parametrize("case", REDUCTION_CASES, ids=[case_id(c) for c in REDUCTION_CASES])
def test_loss_reduction_refused_at_forward_as_torch(case):
    """It was refused when the layer was built; PyTorch's layers keep it and the functional
    form refuses it (and a layer takes the deprecated 'elementwise_mean' for 'mean')."""
    x = _input(case[3])
    theirs, ours = outcome(torch, case, x), outcome(autograd, case, x)
    assert ours[0] == theirs[0], ours
    if theirs[0] == "ok":
        np.testing.assert_allclose(ours[1].detach().numpy(), theirs[1].detach().numpy(), rtol=1e-5)
    else:
        assert ours[1] == theirs[1]


@pytest.mark.parametrize(
    "name",
    ["ELU", "CELU", "Softmax", "LogSoftmax", "Softmin", "GLU", "MarginRankingLoss",
     "CosineEmbeddingLoss", "MaxPool2d", "AvgPool1d", "AvgPool2d", "Linear", "Maxout"],
)  # fmt: skip
def test_layers_over_a_shared_base_name_themselves_in_an_argument_typeerror(name):
    """A layer whose settings live on a private base keeps an __init__ of its own: a bad
    keyword or too many arguments is PyTorch's TypeError, naming the layer as torch does."""
    make = getattr(nn, name)
    theirs = getattr(torch.nn, name, None)
    for args, kwargs in [((), dict(bogus=1)), ((1,) * 9, {})]:
        with pytest.raises(TypeError) as ours:
            make(*args, **kwargs)
        if theirs is None:  # Maxout: ours alone
            assert str(ours.value).startswith(f"{name}.__init__()")
            continue
        with pytest.raises(TypeError) as expected:
            theirs(*args, **kwargs)
        assert str(ours.value).split(" ")[0] == str(expected.value).split(" ")[0]
