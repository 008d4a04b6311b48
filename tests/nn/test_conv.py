"""Conv2d, MaxPool2d, AvgPool2d and their functional forms against PyTorch, in float64.

Hypothesis draws the configurations (kernel, stride, padding including 'same'/'valid',
dilation, groups, batched or unbatched input, size-1 dims); ours and torch's run from the same
weights and inputs and must give the same outputs and the same gradients for the input, the
weight and the bias. Max pooling routes a window's gradient whole to its first maximum, as
torch: inputs with ties check it exactly. Then gradcheck/gradgradcheck, errors and reprs.
"""

import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from helpers import assert_close, raises_like_torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn.functional as F
from autograd import gradcheck, gradgradcheck
from nn import AvgPool2d, Conv2d, MaxPool2d
from nn.functional import avg_pool2d, conv2d, max_pool2d

EXAMPLES = settings(max_examples=20, deadline=None)


def ours(array, requires_grad=False):
    return autograd.tensor(array, requires_grad=requires_grad)


def theirs(array, requires_grad=False):
    return torch.tensor(array, requires_grad=requires_grad)


def run_both(f_ours, f_theirs, arrays, rng, exact=False):
    """f on leaves made from arrays, ours and torch's; the outputs and, for one random
    upstream gradient, the gradients of every array must agree (bit for bit if exact)."""
    xs = [ours(a, True) for a in arrays]
    ts = [theirs(a, True) for a in arrays]
    out, expected = f_ours(*xs), f_theirs(*ts)
    if isinstance(expected, tuple):  # return_indices
        np.testing.assert_array_equal(out[1].numpy(), expected[1].numpy())
        out, expected = out[0], expected[0]
    check = np.testing.assert_array_equal if exact else assert_close
    check(out.detach().numpy(), expected.detach().numpy())
    if exact:  # small integers: any order of summation gives the same gradient
        g = rng.integers(-4, 5, tuple(expected.shape)).astype(np.float64)
    else:
        g = rng.standard_normal(tuple(expected.shape))
    out.backward(ours(g))
    expected.backward(theirs(g))
    for i, (x, t) in enumerate(zip(xs, ts)):
        check(x.grad.numpy(), t.grad.numpy(), err_msg=f"gradient of input {i}")


# --------------------------------------------------------------------------- convolution
@st.composite
def conv_configs(draw, max_side=4):
    """Arguments of a 2-D convolution that fits its input, and the shapes to draw."""
    groups = draw(st.sampled_from([1, 1, 2, 3]), label="groups")
    c_in = groups * draw(st.integers(1, 2), label="in channels per group")
    c_out = groups * draw(st.integers(1, 2), label="out channels per group")
    kernel = (draw(st.integers(1, 3), label="kh"), draw(st.integers(1, 3), label="kw"))
    dilation = draw(st.sampled_from([1, 2, (1, 2)]), label="dilation")
    padding = draw(st.sampled_from([0, 1, (0, 2), (2, 1), "valid", "same"]), label="padding")
    stride = 1 if padding == "same" else draw(st.sampled_from([1, 2, (2, 1), 3]), label="stride")
    d = (dilation, dilation) if isinstance(dilation, int) else dilation
    spans = [di * (k - 1) + 1 for k, di in zip(kernel, d)]
    if isinstance(padding, str):
        pads = (0, 0)  # 'same' pads enough for any size
    else:
        pads = (padding, padding) if isinstance(padding, int) else padding
    sizes = [
        draw(st.integers(max(1, s - 2 * p), max(1, s - 2 * p) + max_side - 1), label="H, W")
        for s, p in zip(spans, pads)
    ]
    batch = draw(st.sampled_from([None, 1, 2]), label="batch (None: unbatched)")
    shape = ((batch,) if batch else ()) + (c_in, *sizes)
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    bias = draw(st.booleans(), label="bias")
    return shape, (c_out, c_in // groups) + kernel, bias, kwargs


@EXAMPLES
@given(config=conv_configs(), seed=st.integers(0, 2**32 - 1))
def test_conv2d_matches_torch(config, seed):
    shape, weight_shape, bias, kwargs = config
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(shape), rng.standard_normal(weight_shape)]
    if bias:
        arrays.append(rng.standard_normal(weight_shape[0]))
    run_both(
        lambda *a: conv2d(*a, **kwargs),
        lambda *a: TF.conv2d(*a, **kwargs),
        arrays,
        rng,
    )


@EXAMPLES
@given(
    config=conv_configs(),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_conv2d_module_matches_torch(config, mode, seed):
    shape, (c_out, _, kh, kw), bias, kwargs = config
    c_in = shape[-3]
    if mode != "zeros":  # reflect needs padding < size (circular <=): at most 2 is drawn
        shape = shape[:-2] + tuple(max(s, 3) for s in shape[-2:])
    layer = torch.nn.Conv2d(c_in, c_out, (kh, kw), bias=bias, padding_mode=mode, **kwargs)
    layer = layer.double()
    ours_layer = Conv2d(c_in, c_out, (kh, kw), bias=bias, padding_mode=mode, **kwargs).double()
    assert repr(ours_layer) == repr(layer)
    sd = {k: v.detach().numpy() for k, v in layer.state_dict().items()}
    assert ours_layer.load_state_dict(sd) == ([], [])
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    xo, xt = ours(x, True), theirs(x, True)
    yo, yt = ours_layer(xo), layer(xt)
    assert_close(yo, yt)
    g = rng.standard_normal(tuple(yt.shape))
    yo.backward(ours(g))
    yt.backward(theirs(g))
    assert_close(xo.grad, xt.grad)
    for name, p in ours_layer.named_parameters():
        assert_close(p.grad, dict(layer.named_parameters())[name].grad)


def test_conv2d_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(0)
    cases = [
        ((1, 2, 4, 3), (2, 1, 2, 2), dict(stride=(2, 1), padding=1, groups=2)),
        ((2, 1, 3, 4), (1, 1, 2, 2), dict(padding="same", dilation=(1, 2))),
    ]
    for shape, weight_shape, kwargs in cases:
        x = ours(rng.standard_normal(shape), True)
        w = ours(rng.standard_normal(weight_shape), True)
        b = ours(rng.standard_normal(weight_shape[0]), True)

        def f(x, w, b, kwargs=kwargs):
            return conv2d(x, w, b, **kwargs)

        assert gradcheck(f, (x, w, b))
        assert gradgradcheck(f, (x, w, b))


def test_conv2d_default_init_as_pytorch():
    autograd.manual_seed(0)
    layer = Conv2d(6, 32, (3, 5), groups=2)
    assert layer.weight.shape == (32, 3, 3, 5) and layer.bias.shape == (32,)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    bound = 1 / math.sqrt(3 * 3 * 5)  # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), ..)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.detach().numpy()).max() <= bound
    assert np.abs(layer.weight.detach().numpy()).max() > 0.95 * bound  # the whole range is used
    # U(-b, b) has standard deviation b / sqrt(3); 1440 weights pin it to a few percent
    assert abs(layer.weight.detach().numpy().std() / (bound / math.sqrt(3)) - 1) < 0.1
    assert Conv2d(2, 3, 2, bias=False).bias is None


# --------------------------------------------------------------------------- pooling
@st.composite
def pool_configs(draw, kind):
    kernel = (draw(st.integers(1, 3), label="kh"), draw(st.integers(1, 3), label="kw"))
    stride = draw(st.sampled_from([None, 1, 2, (1, 2), (3, 1)]), label="stride")
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    kwargs = dict(stride=stride, padding=padding, ceil_mode=draw(st.booleans(), label="ceil"))
    dilation = (1, 1)
    if kind == "max":
        dilation = (draw(st.integers(1, 2), label="dh"), draw(st.integers(1, 2), label="dw"))
        kwargs["dilation"] = dilation
        kwargs["return_indices"] = draw(st.booleans(), label="return_indices")
    else:
        kwargs["count_include_pad"] = draw(st.booleans(), label="count_include_pad")
        kwargs["divisor_override"] = draw(st.sampled_from([None, None, 3]), label="divisor")
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    sizes = [
        draw(st.integers(max(1, s - 2 * p), max(1, s - 2 * p) + 4), label="H, W")
        for s, p in zip(spans, padding)
    ]
    batch = draw(st.sampled_from([None, 1, 2]), label="batch (None: unbatched)")
    channels = draw(st.integers(1, 2), label="C")
    return ((batch,) if batch else ()) + (channels, *sizes), kernel, kwargs


# Few distinct values: many windows hold ties, and sums of small integers are exact.
TIES = [-1.0, 0.0, 2.0, 2.0]


@EXAMPLES
@given(config=pool_configs("max"), seed=st.integers(0, 2**32 - 1))
def test_max_pool2d_matches_torch_ties_included(config, seed):
    shape, kernel, kwargs = config
    rng = np.random.default_rng(seed)
    x = rng.choice(TIES, shape)
    run_both(
        lambda x: max_pool2d(x, kernel, **kwargs),
        lambda x: TF.max_pool2d(x, kernel, **kwargs),
        [x],
        rng,
        exact=True,
    )


@EXAMPLES
@given(config=pool_configs("avg"), seed=st.integers(0, 2**32 - 1))
def test_avg_pool2d_matches_torch(config, seed):
    shape, kernel, kwargs = config
    rng = np.random.default_rng(seed)
    run_both(
        lambda x: avg_pool2d(x, kernel, **kwargs),
        lambda x: TF.avg_pool2d(x, kernel, **kwargs),
        [rng.standard_normal(shape)],
        rng,
    )


def test_max_pool2d_routes_a_tie_to_the_first_maximum_only():
    x = ours([[[[1.0, 3.0], [3.0, 3.0]]]], True)
    max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[0.0, 1.0], [0.0, 0.0]]]])
    # amax would split it: 1/3 each (what max pooling must not do)
    y = ours([[[[1.0, 3.0], [3.0, 3.0]]]], True)
    y.amax().backward()
    assert y.grad.numpy()[0, 0, 0, 1] == pytest.approx(1 / 3)


def test_max_pool2d_with_infinities_and_nan_as_torch():
    # where every element is -inf, torch picks the window's first element inside the input
    # (not the -inf padding); a NaN wins over everything, and the last NaN wins
    x = np.full((1, 1, 5, 5), -np.inf)
    x[0, 0, 1, 1] = x[0, 0, 2, 3] = x[0, 0, 3, 3] = np.nan
    x[0, 0, 4, 4] = np.inf
    for kwargs in [dict(padding=1, stride=2), dict(padding=1, ceil_mode=True, stride=2)]:
        xo, xt = ours(x, True), theirs(x, True)
        out, index = max_pool2d(xo, 3, return_indices=True, **kwargs)
        expected, expected_index = TF.max_pool2d(xt, 3, return_indices=True, **kwargs)
        np.testing.assert_array_equal(out.detach().numpy(), expected.detach().numpy())
        np.testing.assert_array_equal(index.numpy(), expected_index.numpy())
        out.sum().backward()
        expected.sum().backward()
        np.testing.assert_array_equal(xo.grad.numpy(), xt.grad.numpy())


def test_pooling_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(1)
    x = ours(rng.permutation(2 * 2 * 5 * 4).reshape(2, 2, 5, 4) / 8.0, True)  # no ties
    pools = [
        lambda x: max_pool2d(x, 2, 1, padding=1, dilation=(2, 1), ceil_mode=True),
        lambda x: avg_pool2d(x, (3, 2), 2, padding=1, ceil_mode=True, count_include_pad=False),
    ]
    for pool in pools:
        assert gradcheck(pool, (x,))
        assert gradgradcheck(pool, (x,))


def test_pool_modules_match_functional_and_torch_repr():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 7, 6))
    pairs = [
        (MaxPool2d(2), torch.nn.MaxPool2d(2)),
        (
            MaxPool2d((2, 3), (1, 2), 1, 1, True, True),
            torch.nn.MaxPool2d((2, 3), (1, 2), 1, 1, True, True),
        ),
        (AvgPool2d(3, 1, 1), torch.nn.AvgPool2d(3, 1, 1)),
        (AvgPool2d(2, None, 1, True, False, 3), torch.nn.AvgPool2d(2, None, 1, True, False, 3)),
    ]
    for layer, expected in pairs:
        assert repr(layer) == repr(expected)
        out, want = layer(ours(x)), expected(theirs(x))
        if isinstance(want, tuple):
            np.testing.assert_array_equal(out[1].numpy(), want[1].numpy())
            out, want = out[0], want[0]
        assert_close(out, want)


def test_cnn_forward_backward_matches_torch():
    # the layers together: a small LeNet-style stack, weights from torch's initialisation
    torch.manual_seed(0)
    t_layers = [torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.MaxPool2d(2),
                torch.nn.Conv2d(4, 6, 3, stride=2, groups=2), torch.nn.AvgPool2d(2)]  # fmt: skip
    o_layers = [Conv2d(1, 4, 3, padding=1), MaxPool2d(2), Conv2d(4, 6, 3, stride=2, groups=2),
                AvgPool2d(2)]  # fmt: skip
    for o, t in zip(o_layers, t_layers):
        o.double()
        t.double()
        o.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    x = np.random.default_rng(3).standard_normal((3, 1, 12, 12))
    xo, xt = ours(x, True), theirs(x, True)
    yo, yt = xo, xt
    for o, t in zip(o_layers, t_layers):
        yo, yt = o(yo).relu(), t(yt).relu()
    assert_close(yo, yt)
    yo.sum().backward()
    yt.sum().backward()
    assert_close(xo.grad, xt.grad)
    for o, t in zip(o_layers, t_layers):
        for p, q in zip(o.parameters(), t.parameters()):
            assert_close(p.grad, q.grad)


# --------------------------------------------------------------------------- errors
X = ours(np.zeros((1, 4, 5, 5)))
W = ours(np.zeros((2, 4, 3, 3)))
SMALL = ours(np.zeros((1, 2, 3, 3)))

CONV_ERRORS = [
    (
        RuntimeError,
        r"Conv2d\(3, 8, kernel_size=\(3, 3\).*expected input\[1, 4, 5, 5\] to have 3 channels, "
        "but got 4",
        lambda: Conv2d(3, 8, 3).double()(X),
    ),
    (
        RuntimeError,
        r"conv2d: Calculated padded input size per channel: \(5 x 5\)\. Kernel size: \(6 x 6\)",
        lambda: conv2d(X, ours(np.zeros((2, 4, 6, 6)))),
    ),
    (RuntimeError, r"Kernel size: \(7 x 7\)", lambda: conv2d(X, W, dilation=3)),
    (
        RuntimeError,
        r"Given groups=2, expected weight to be divisible by 2 at dimension 0",
        lambda: conv2d(X, ours(np.zeros((3, 2, 3, 3))), groups=2),
    ),
    (
        RuntimeError,
        r"expected bias to be 1-dimensional with 2 elements, but got bias of size \[3\]",
        lambda: conv2d(X, W, ours(np.zeros(3))),
    ),
    (
        RuntimeError,
        r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: "
        r"\[4, 5\]",
        lambda: Conv2d(3, 8, 3)(ours(np.zeros((4, 5)))),
    ),
    (  # the functional form raises torch.nn.functional.conv2d's RuntimeError, the layer ValueError
        RuntimeError,
        "conv2d: padding='same' is not supported for strided convolutions",
        lambda: conv2d(X, W, stride=2, padding="same"),
    ),
    (RuntimeError, "Input type .*float32.*should be the same", lambda: conv2d(X.float(), W)),
    (RuntimeError, "non-positive stride", lambda: Conv2d(4, 4, 3, stride=0).double()(X)),
    (
        ValueError,
        "Conv2d: in_channels must be divisible by groups",
        lambda: Conv2d(3, 4, 3, groups=2),
    ),
    (
        ValueError,
        "Conv2d: out_channels must be divisible by groups",
        lambda: Conv2d(4, 3, 3, groups=2),
    ),
    (ValueError, "Conv2d: groups must be a positive integer", lambda: Conv2d(4, 4, 3, groups=0)),
    (ValueError, "Invalid padding string 'full'", lambda: Conv2d(4, 4, 3, padding="full")),
    (ValueError, "padding_mode must be one of", lambda: Conv2d(4, 4, 3, padding_mode="x")),
    (
        ValueError,
        "Conv2d: padding='same' is not supported for strided convolutions",
        lambda: Conv2d(4, 4, 3, stride=2, padding="same"),
    ),
    (TypeError, r"empty\(\): argument 'size' .* type float", lambda: Conv2d(4, 4, 2.5)),
]

POOL_ERRORS = [
    (
        RuntimeError,
        r"MaxPool2d\(kernel_size=2, .*\): pad should be at most half of effective kernel size, "
        r"but got pad=\(2, 2\)",
        lambda: MaxPool2d(2, padding=2)(SMALL),  # as PyTorch's, refused at forward
    ),
    (
        RuntimeError,
        "avg_pool2d: pad should be at most half",
        lambda: avg_pool2d(SMALL, 2, 1, (0, 2)),
    ),
    (
        RuntimeError,
        r"max_pool2d: Given input size: \(2x3x3\)\. Calculated output size: \(2x0x0\)\. Output "
        "size is too small",
        lambda: max_pool2d(SMALL, 4),
    ),
    (
        RuntimeError,
        r"AvgPool2d\(kernel_size=4, stride=4, padding=0\): Given input size",
        lambda: AvgPool2d(4)(SMALL),
    ),
    (RuntimeError, "non-empty 3D or 4D", lambda: max_pool2d(ours(np.zeros((3, 3))), 2)),
    (RuntimeError, "non-empty 3D or 4D", lambda: avg_pool2d(ours(np.zeros((1, 0, 3, 3))), 2)),
    (RuntimeError, "stride should be greater than zero", lambda: max_pool2d(SMALL, 2, 0)),
    (RuntimeError, "kernel_size must be greater than zero", lambda: avg_pool2d(SMALL, 0, 1)),
    (
        RuntimeError,
        "dilation should be greater than zero",
        lambda: max_pool2d(SMALL, 2, dilation=0),
    ),
    (RuntimeError, "divisor must be not zero", lambda: avg_pool2d(SMALL, 2, divisor_override=0)),
]


@pytest.mark.parametrize("exc, match, fn", CONV_ERRORS + POOL_ERRORS)
def test_errors_name_the_layer_and_the_shapes(exc, match, fn):
    with pytest.raises(exc, match=match):
        fn()


# --------------------------------------------------------------------------- the fast paths
# (helper cnn) the Convolution primitive and the non-overlapping max pooling by reshape.
@st.composite
def block_configs(draw):
    """Non-overlapping max pooling (stride = kernel): sizes that leave rows and columns past
    the last whole block, ceil_mode on or off, batched or not."""
    kernel = (draw(st.integers(1, 3), label="kh"), draw(st.integers(1, 3), label="kw"))
    sizes = [draw(st.integers(k, 2 * k + 2), label="H, W") for k in kernel]
    batch = draw(st.sampled_from([None, 1, 2]), label="batch")
    shape = ((batch,) if batch else ()) + (draw(st.integers(1, 2), label="C"), *sizes)
    return shape, kernel, draw(st.booleans(), label="ceil_mode")


@EXAMPLES
@given(config=block_configs(), seed=st.integers(0, 2**32 - 1))
def test_block_max_pool_routes_ties_nan_and_inf_as_torch(config, seed):
    shape, kernel, ceil_mode = config
    rng = np.random.default_rng(seed)
    x = rng.choice(
        [-np.inf, -1.0, 0.0, 2.0, 2.0, np.nan, np.inf],
        shape,
        p=[1, 2, 2, 3, 3, 1, 1] / np.array(13.0),
    )
    run_both(
        lambda x: max_pool2d(x, kernel, ceil_mode=ceil_mode, return_indices=True),
        lambda x: TF.max_pool2d(x, kernel, ceil_mode=ceil_mode, return_indices=True),
        [x],
        rng,
        exact=True,
    )


def test_first_conv_skips_the_input_gradient(monkeypatch):
    # an input that needs no gradient gets none computed: the first layer's costliest product
    import autograd.ops.conv as conv_ops

    calls = []
    original = conv_ops._conv_input
    monkeypatch.setattr(conv_ops, "_conv_input", lambda *a: calls.append(1) or original(*a))
    rng = np.random.default_rng(4)
    x = ours(rng.standard_normal((2, 3, 6, 6)))
    w = ours(rng.standard_normal((4, 3, 3, 3)), True)
    conv2d(x, w, padding=1).sum().backward()
    assert calls == [] and x.grad is None and w.grad is not None
    x.requires_grad_()
    conv2d(x, w, padding=1).sum().backward()
    assert calls == [1] and x.grad is not None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_and_pool_keep_the_dtype_and_give_contiguous_outputs(dtype):
    rng = np.random.default_rng(5)
    x = ours(rng.standard_normal((2, 3, 8, 8)).astype(dtype), True)
    w = ours(rng.standard_normal((4, 3, 3, 3)).astype(dtype), True)
    b = ours(rng.standard_normal(4).astype(dtype), True)
    y = conv2d(x, w, b, padding=1)
    p = max_pool2d(y, 2)
    assert y.array.flags.c_contiguous and p.array.flags.c_contiguous
    p.sum().backward()
    for t in (y, p, x.grad, w.grad, b.grad):
        assert t.dtype == x.dtype


def test_conv2d_second_order_matches_torch():
    # grad-of-grad through Convolution, ConvInputGrad and ConvWeightGrad, against torch's
    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal((2, 2, 5, 4)), rng.standard_normal((4, 1, 3, 2)),
              rng.standard_normal(4)]  # fmt: skip
    kwargs = dict(stride=(1, 2), padding=1, dilation=(2, 1), groups=2)
    results = []
    for T, F_, make in ((autograd, conv2d, ours), (torch, TF.conv2d, theirs)):
        x, w, b = (make(a, True) for a in arrays)
        y = F_(x, w, b, **kwargs)
        gx, gw = T.autograd.grad((y * y).sum(), (x, w), create_graph=True) if T is torch else (
            autograd.grad((y * y).sum(), (x, w), create_graph=True))  # fmt: skip
        ((gx * gx).sum() + (gw * gw).sum()).backward()
        results.append([t.grad for t in (x, w, b)])
    for o, t in zip(*results):
        assert_close(o, t, rtol=1e-9, atol=1e-9)


# conv2d and conv_transpose2d share their input, weight and dtype checks (_conv_input and
# _check_dtypes in nn._functional_conv): each raises torch's exception type, naming the op.
CONV_INPUT_ERRORS = {
    "input_2d": ((4, 5), (4, 4, 3, 3), "float64", "Expected 3D .* input to {op}"),
    "input_5d": ((1, 4, 5, 5, 5), (4, 4, 3, 3), "float64", "Expected 3D .* input to {op}"),
    "weight_3d": ((1, 4, 5, 5), (4, 4, 3), "float64", "expected a 4D weight"),
    "dtypes_differ": ((1, 4, 5, 5), (4, 4, 3, 3), "float32", "Input type .* should be the same"),
    "empty_kernel": ((1, 4, 5, 5), (4, 4, 0, 3), "float64", "kernel size should be greater"),
}


@pytest.mark.parametrize("op", ["conv2d", "conv_transpose2d"])
@pytest.mark.parametrize("case", sorted(CONV_INPUT_ERRORS))
def test_conv_input_errors_match_torch(op, case):
    x_shape, w_shape, x_dtype, message = CONV_INPUT_ERRORS[case]
    x, w = np.zeros(x_shape, x_dtype), np.zeros(w_shape)
    exc = raises_like_torch(
        lambda: getattr(F, op)(autograd.tensor(x), autograd.tensor(w)),
        lambda: getattr(TF, op)(torch.tensor(x), torch.tensor(w)),
    )
    assert re.search(f"^{op}: " + message.format(op=op), str(exc)), str(exc)


@pytest.mark.parametrize("op, x_shape, w_shape", [
    ("conv_transpose1d", (1, 4, 8), (4, 6, 0)),
    ("conv_transpose2d", (1, 4, 8, 8), (4, 6, 3, 0)),
    ("conv_transpose2d", (4, 8, 8), (4, 6, 0, 0)),
])  # fmt: skip
def test_conv_transpose_with_an_empty_kernel_raises_like_torch(op, x_shape, w_shape):
    """It used to return an output of the input's size computed from nothing."""
    x, w = np.ones(x_shape), np.ones(w_shape)
    exc = raises_like_torch(
        lambda: getattr(F, op)(autograd.tensor(x), autograd.tensor(w)),
        lambda: getattr(TF, op)(torch.tensor(x), torch.tensor(w)),
    )
    assert str(exc).startswith(f"{op}: kernel size should be greater than zero"), str(exc)
