"""The layers and losses that complete torch.nn's common set, against PyTorch 2.13.

Each row builds our module and torch's from one hypothesis-drawn configuration; torch's
state_dict is loaded into ours (the names and shapes map one to one), then the output, the
gradient of every input and every parameter, the repr and (for running statistics) the buffers
must agree, in float32 and float64.
"""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn

DTYPES = {
    "float32": (torch.float32, autograd.float32),
    "float64": (torch.float64, autograd.float64),
}
TOL = {"float32": dict(rtol=2e-4, atol=2e-5), "float64": dict(rtol=1e-9, atol=1e-11)}


def _seed(draw):
    return np.random.default_rng(draw(st.integers(0, 2**31 - 1)))


def _shape(draw, min_dims, max_dims, min_side=1, max_side=4):
    n = draw(st.integers(min_dims, max_dims))
    return tuple(draw(st.integers(min_side, max_side)) for _ in range(n))


class Case:
    """ours, theirs: modules; inputs: arrays; grad: which inputs are differentiable."""

    def __init__(self, ours, theirs, inputs, grad=None, int_inputs=(), tol32=None):
        self.tol32 = tol32
        self.ours = ours
        self.theirs = theirs
        self.inputs = inputs
        self.grad = grad if grad is not None else [True] * len(inputs)
        self.int_inputs = set(int_inputs)


# --------------------------------------------------------------------------- activations
def _activation(make, kwargs_strategy=None, min_dims=1):
    def build(draw):
        kwargs = draw(kwargs_strategy) if kwargs_strategy is not None else {}
        rng = _seed(draw)
        x = rng.standard_normal(_shape(draw, min_dims, 4)) * 3
        return Case(make(nn, **kwargs), make(torch.nn, **kwargs), [x])

    return build


def _glu(draw):
    rng = _seed(draw)
    shape = list(_shape(draw, 1, 4))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] = 2 * draw(st.integers(1, 3))
    return Case(nn.GLU(dim), torch.nn.GLU(dim), [rng.standard_normal(shape)])


def _prelu(draw):
    rng = _seed(draw)
    shape = _shape(draw, 2, 4)
    n = draw(st.sampled_from([1, shape[1]]))
    init = draw(st.floats(-1, 1))
    return Case(nn.PReLU(n, init), torch.nn.PReLU(n, init), [rng.standard_normal(shape)])


def _softmax2d(draw):
    rng = _seed(draw)
    return Case(nn.Softmax2d(), torch.nn.Softmax2d(), [rng.standard_normal(_shape(draw, 3, 4))])


# --------------------------------------------------------------------------- convolutions
def _conv1d(draw):
    rng = _seed(draw)
    groups = draw(st.integers(1, 2))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    k = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 2))
    dilation = draw(st.integers(1, 2))
    padding = draw(st.sampled_from([0, 1, 2] + (["same", "valid"] if stride == 1 else [])))
    mode = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    bias = draw(st.booleans())
    length = dilation * (k - 1) + 1 + draw(st.integers(2, 5))
    args = (c_in, c_out, k, stride, padding, dilation, groups, bias, mode)
    batch = draw(st.sampled_from([(), (2,)]))
    x = rng.standard_normal(batch + (c_in, length))
    return Case(nn.Conv1d(*args), torch.nn.Conv1d(*args), [x])


def _conv_transpose(dims):
    def build(draw):
        rng = _seed(draw)
        groups = draw(st.integers(1, 2))
        c_in = groups * draw(st.integers(1, 2))
        c_out = groups * draw(st.integers(1, 2))
        k = tuple(draw(st.integers(1, 3)) for _ in range(dims))
        stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
        dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
        padding = tuple(draw(st.integers(0, 2)) for _ in range(dims))
        output_padding = tuple(
            draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation)
        )
        bias = draw(st.booleans())
        sizes = tuple(draw(st.integers(1, 4)) for _ in range(dims))
        for size, kk, s, p, op, d in zip(sizes, k, stride, padding, output_padding, dilation):
            if (size - 1) * s - 2 * p + d * (kk - 1) + op + 1 <= 0:
                padding = (0,) * dims  # torch refuses an empty output
        args = (c_in, c_out, k, stride, padding, output_padding, groups, bias, dilation)
        ours = (nn.ConvTranspose1d if dims == 1 else nn.ConvTranspose2d)(*args)
        theirs = (torch.nn.ConvTranspose1d if dims == 1 else torch.nn.ConvTranspose2d)(*args)
        batch = draw(st.sampled_from([(), (2,)]))
        return Case(ours, theirs, [rng.standard_normal(batch + (c_in,) + sizes)])

    return build


# --------------------------------------------------------------------------- pooling
def _max_pool1d(draw):
    rng = _seed(draw)
    k = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 3))
    padding = draw(st.integers(0, k // 2))
    dilation = draw(st.integers(1, 2))
    ceil_mode = draw(st.booleans())
    indices = draw(st.booleans())
    length = dilation * (k - 1) + 1 + draw(st.integers(0, 5))
    args = (k, stride, padding, dilation, indices, ceil_mode)
    x = rng.standard_normal(draw(st.sampled_from([(), (2,)])) + (3, length))
    return Case(nn.MaxPool1d(*args), torch.nn.MaxPool1d(*args), [x])


def _avg_pool1d(draw):
    rng = _seed(draw)
    k = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 3))
    padding = draw(st.integers(0, k // 2))
    args = (k, stride, padding, draw(st.booleans()), draw(st.booleans()))
    x = rng.standard_normal(draw(st.sampled_from([(), (2,)])) + (3, k + draw(st.integers(0, 5))))
    return Case(nn.AvgPool1d(*args), torch.nn.AvgPool1d(*args), [x])


def _adaptive(name, dims, with_indices):
    def build(draw):
        rng = _seed(draw)
        sizes = tuple(draw(st.integers(1, 7)) for _ in range(dims))
        out = tuple(draw(st.integers(1, 5)) for _ in range(dims))
        if dims == 2:
            out = draw(st.sampled_from([out, out[0], (None, out[1]), (out[0], None)]))
        else:
            out = out[0]
        kwargs = {"return_indices": draw(st.booleans())} if with_indices else {}
        x = rng.standard_normal(draw(st.sampled_from([(), (2,)])) + (3,) + sizes)
        return Case(getattr(nn, name)(out, **kwargs), getattr(torch.nn, name)(out, **kwargs), [x])

    return build


# --------------------------------------------------------------------------- normalization
def _group_norm(draw):
    rng = _seed(draw)
    groups = draw(st.integers(1, 3))
    channels = groups * draw(st.integers(1, 2))
    affine = draw(st.booleans())
    # at least 2 values per group: with 1, torch returns its rounding noise instead of 0
    shape = (draw(st.integers(1, 3)), channels) + _shape(draw, 1, 2, 2, 4)
    x = rng.standard_normal(shape) * 2 + 1
    ours, theirs = (
        nn.GroupNorm(groups, channels, 1e-5, affine),
        torch.nn.GroupNorm(groups, channels, 1e-5, affine),
    )
    if affine:  # not the identity's 1 and 0, so their gradients matter
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(rng.standard_normal(channels)))
            theirs.bias.copy_(torch.tensor(rng.standard_normal(channels)))
    return Case(ours, theirs, [x])


def _instance_norm(dims):
    def build(draw):
        rng = _seed(draw)
        c = draw(st.integers(1, 3))
        affine = draw(st.booleans())
        track = draw(st.booleans())
        momentum = draw(st.sampled_from([0.1, 0.5, None]))
        batch = draw(st.sampled_from([(), (1,), (3,)]))
        x = rng.standard_normal(batch + (c,) + tuple(draw(st.integers(2, 4)) for _ in range(dims)))
        name = f"InstanceNorm{dims}d"
        kwargs = dict(affine=affine, track_running_stats=track, momentum=momentum)
        theirs = getattr(torch.nn, name)(c, **kwargs)
        if affine:
            with torch.no_grad():
                theirs.weight.copy_(torch.tensor(rng.standard_normal(c)))
        return Case(getattr(nn, name)(c, **kwargs), theirs, [x * 2 + 1])

    return build


# --------------------------------------------------------------------------- resizing, padding
def _upsample(draw):
    rng = _seed(draw)
    mode = draw(st.sampled_from(["nearest", "nearest-exact", "bilinear", "bilinear-corners"]))
    align = {"bilinear": False, "bilinear-corners": True}.get(mode)
    mode = "bilinear" if align is not None else mode
    if draw(st.booleans()):
        kwargs = {"size": draw(st.sampled_from([3, (2, 5), (1, 1), (7, 4)]))}
    else:
        kwargs = {"scale_factor": draw(st.sampled_from([2, 0.5, 1.5, (2, 3), (0.7, 1.3)]))}
    x = rng.standard_normal((2, 2) + _shape(draw, 2, 2, 1, 5))
    return Case(
        nn.Upsample(mode=mode, align_corners=align, **kwargs),
        torch.nn.Upsample(mode=mode, align_corners=align, **kwargs),
        [x],
    )


def _linear_upsample(draw):
    rng = _seed(draw)
    align = draw(st.booleans())
    scale = draw(st.sampled_from([2.0, 0.5, 1.7, 3.0]))
    x = rng.standard_normal((2, 2, draw(st.integers(1, 6))))
    return Case(
        nn.Upsample(scale_factor=scale, mode="linear", align_corners=align),
        torch.nn.Upsample(scale_factor=scale, mode="linear", align_corners=align),
        [x],
    )


def _pad(name, dims):
    def build(draw):
        rng = _seed(draw)
        sizes = tuple(draw(st.integers(3, 5)) for _ in range(dims))
        if draw(st.booleans()):
            padding = draw(st.integers(0, 2))
        else:
            padding = tuple(draw(st.integers(0, 2)) for _ in range(2 * dims))
        args = (padding, 1.5) if name.startswith("Constant") else (padding,)
        x = rng.standard_normal(draw(st.sampled_from([(2,), ()])) + (2,) + sizes)
        return Case(getattr(nn, name)(*args), getattr(torch.nn, name)(*args), [x])

    return build


def _pixel_shuffle(draw):
    rng = _seed(draw)
    r = draw(st.integers(1, 3))
    lead = draw(st.sampled_from([(), (2,), (2, 1)]))
    if draw(st.booleans()):
        x = rng.standard_normal(lead + (r * r * 2, 2, 3))
        return Case(nn.PixelShuffle(r), torch.nn.PixelShuffle(r), [x])
    x = rng.standard_normal(lead + (2, 2 * r, 3 * r))
    return Case(nn.PixelUnshuffle(r), torch.nn.PixelUnshuffle(r), [x])


# --------------------------------------------------------------------------- two-input layers
def _cosine_similarity(draw):
    rng = _seed(draw)
    shape = _shape(draw, 1, 3, 1, 4)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    eps = draw(st.sampled_from([1e-8, 1e-3]))
    x1, x2 = rng.standard_normal(shape), rng.standard_normal(shape)
    return Case(nn.CosineSimilarity(dim, eps), torch.nn.CosineSimilarity(dim, eps), [x1, x2])


def _pairwise_distance(draw):
    rng = _seed(draw)
    shape = _shape(draw, 1, 2, 1, 4)
    p = draw(st.sampled_from([1.0, 2.0, 3.0, float("inf")]))
    keepdim = draw(st.booleans())
    x1, x2 = rng.standard_normal(shape), rng.standard_normal(shape)
    return Case(
        nn.PairwiseDistance(p, 1e-6, keepdim), torch.nn.PairwiseDistance(p, 1e-6, keepdim), [x1, x2]
    )


def _bilinear(draw):
    rng = _seed(draw)
    in1, in2, out = (draw(st.integers(1, 4)) for _ in range(3))
    bias = draw(st.booleans())
    lead = draw(st.sampled_from([(), (3,), (2, 3)]))
    x1, x2 = rng.standard_normal(lead + (in1,)), rng.standard_normal(lead + (in2,))
    return Case(nn.Bilinear(in1, in2, out, bias), torch.nn.Bilinear(in1, in2, out, bias), [x1, x2])


def _unflatten(draw):
    rng = _seed(draw)
    sizes = draw(st.sampled_from([(2, 3), (3, 2), (6,), (1, 6), (-1, 2)]))
    x = rng.standard_normal((2, 6, 2))
    return Case(nn.Unflatten(1, sizes), torch.nn.Unflatten(1, sizes), [x])


def _transformer_encoder_layer(draw):
    rng = _seed(draw)
    heads = draw(st.integers(1, 2))
    d_model = heads * draw(st.integers(2, 3))
    kwargs = dict(
        dim_feedforward=draw(st.integers(1, 6)),
        dropout=0.0,
        activation=draw(st.sampled_from(["relu", "gelu"])),
        batch_first=draw(st.booleans()),
        norm_first=draw(st.booleans()),
        bias=draw(st.booleans()),
    )
    x = rng.standard_normal(draw(st.sampled_from([(3, 2), (1, 1), (2, 3)])) + (d_model,))
    ours = nn.TransformerEncoderLayer(d_model, heads, **kwargs)
    theirs = torch.nn.TransformerEncoderLayer(d_model, heads, **kwargs)
    # LayerNorm's gradient over a few features amplifies float32 rounding, which the two
    # libraries do in a different order: float32 is held to 1e-3 here (float64 to 1e-9)
    return Case(ours, theirs, [x], tol32=dict(rtol=2e-3, atol=2e-4))


# --------------------------------------------------------------------------- losses
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


def _pointwise_loss(name, kwargs_strategy=None, target=lambda rng, s: rng.standard_normal(s)):
    def build(draw):
        rng = _seed(draw)
        kwargs = draw(kwargs_strategy) if kwargs_strategy is not None else {}
        kwargs["reduction"] = draw(REDUCTIONS)
        shape = _shape(draw, 0, 3)
        x, y = rng.standard_normal(shape) * 2, target(rng, shape)
        return Case(getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs), [x, y])

    return build


def _no_target_grad(build):
    def wrapped(draw):
        case = build(draw)
        case.grad = [True] + [False] * (len(case.inputs) - 1)
        return case

    return wrapped


def _kl_div(draw):
    rng = _seed(draw)
    reduction = draw(st.sampled_from(["mean", "sum", "none", "batchmean"]))
    log_target = draw(st.booleans())
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 4)))
    logits = rng.standard_normal(shape)
    x = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    y = rng.dirichlet(np.ones(shape[1]), size=shape[0])
    y = np.log(y) if log_target else y
    kwargs = dict(reduction=reduction, log_target=log_target)
    return Case(nn.KLDivLoss(**kwargs), torch.nn.KLDivLoss(**kwargs), [x, y])


def _margin_ranking(draw):
    rng = _seed(draw)
    n = draw(st.integers(1, 5))
    kwargs = dict(margin=draw(st.floats(0, 1)), reduction=draw(REDUCTIONS))
    y = rng.choice([-1.0, 1.0], n)
    inputs = [rng.standard_normal(n), rng.standard_normal(n), y]
    case = Case(nn.MarginRankingLoss(**kwargs), torch.nn.MarginRankingLoss(**kwargs), inputs)
    case.grad = [True, True, False]
    return case


def _cosine_embedding(draw):
    rng = _seed(draw)
    batch = draw(st.sampled_from([(), (1,), (4,)]))
    d = draw(st.integers(1, 4))
    kwargs = dict(margin=draw(st.floats(-0.5, 0.5)), reduction=draw(REDUCTIONS))
    y = rng.choice([-1.0, 1.0], batch) if batch else np.array(rng.choice([-1.0, 1.0]))
    inputs = [rng.standard_normal(batch + (d,)), rng.standard_normal(batch + (d,)), y]
    case = Case(nn.CosineEmbeddingLoss(**kwargs), torch.nn.CosineEmbeddingLoss(**kwargs), inputs)
    case.grad = [True, True, False]
    return case


def _triplet(draw):
    rng = _seed(draw)
    shape = draw(st.sampled_from([(3,), (4, 3), (1, 2)]))
    kwargs = dict(
        margin=draw(st.floats(0.1, 2)),
        p=draw(st.sampled_from([1.0, 2.0, 3.0])),
        swap=draw(st.booleans()),
        reduction=draw(REDUCTIONS),
    )
    inputs = [rng.standard_normal(shape) for _ in range(3)]
    return Case(nn.TripletMarginLoss(**kwargs), torch.nn.TripletMarginLoss(**kwargs), inputs)


def _poisson(draw):
    rng = _seed(draw)
    log_input = draw(st.booleans())
    kwargs = dict(log_input=log_input, full=draw(st.booleans()), reduction=draw(REDUCTIONS))
    shape = _shape(draw, 1, 3)
    x = rng.standard_normal(shape) if log_input else rng.random(shape) + 0.1
    y = rng.poisson(2.0, shape).astype(float)
    case = Case(nn.PoissonNLLLoss(**kwargs), torch.nn.PoissonNLLLoss(**kwargs), [x, y])
    case.grad = [True, False]
    return case


def _gaussian(draw):
    rng = _seed(draw)
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 4)))
    var_shape = draw(st.sampled_from([shape, shape[:-1], shape[:-1] + (1,)]))
    kwargs = dict(full=draw(st.booleans()), reduction=draw(REDUCTIONS))
    var = rng.random(var_shape) + 0.1
    var.flat[0] = draw(st.sampled_from([var.flat[0], 1e-8]))  # clamped to eps outside the graph
    inputs = [rng.standard_normal(shape), rng.standard_normal(shape), var]
    return Case(nn.GaussianNLLLoss(**kwargs), torch.nn.GaussianNLLLoss(**kwargs), inputs)


def _cross_entropy_smoothed(draw):
    rng = _seed(draw)
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    extra = draw(st.sampled_from([(), (2,)]))
    kwargs = dict(
        label_smoothing=draw(st.sampled_from([0.0, 0.1, 0.5, 1.0])),
        reduction=draw(REDUCTIONS),
        ignore_index=draw(st.sampled_from([-100, 1])),
    )
    weight = rng.random(c) + 0.1 if draw(st.booleans()) else None
    x = rng.standard_normal((n, c) + extra)
    if draw(st.booleans()):
        y = rng.integers(0, c, (n,) + extra)
        y.flat[0] = 0  # at least one counted target
        int_inputs = (1,)
    else:
        y = rng.dirichlet(np.ones(c), size=(n,) + extra)
        y = np.moveaxis(y, -1, 1)
        int_inputs = ()
        kwargs["ignore_index"] = -100
    ours = nn.CrossEntropyLoss(None if weight is None else autograd.tensor(weight), **kwargs)
    theirs = torch.nn.CrossEntropyLoss(None if weight is None else torch.tensor(weight), **kwargs)
    return Case(ours, theirs, [x, y], grad=[True, False], int_inputs=int_inputs)


LAMBD = st.fixed_dictionaries({"lambd": st.sampled_from([0.5, 1.0])})
SMOOTH = st.fixed_dictionaries({"beta": st.sampled_from([0.0, 0.5, 1.0, 2.0])})
HUBER = st.fixed_dictionaries({"delta": st.sampled_from([0.3, 1.0, 2.5])})
SIGNS = lambda rng, s: rng.choice([-1.0, 1.0], s)  # noqa: E731

ROWS = {
    "SiLU": _activation(lambda m: m.SiLU()),
    "Softplus": _activation(
        lambda m, **k: m.Softplus(**k),
        st.fixed_dictionaries(
            {"beta": st.sampled_from([1.0, 0.5, 2.0]), "threshold": st.sampled_from([20.0, 1.0])}
        ),
    ),
    "Mish": _activation(lambda m: m.Mish()),
    "Hardtanh": _activation(
        lambda m, **k: m.Hardtanh(**k),
        st.fixed_dictionaries(
            {"min_val": st.sampled_from([-1.0, -2.0]), "max_val": st.sampled_from([1.0, 0.5])}
        ),
    ),
    "ReLU6": _activation(lambda m: m.ReLU6()),
    "Hardswish": _activation(lambda m: m.Hardswish()),
    "Hardsigmoid": _activation(lambda m: m.Hardsigmoid()),
    "PReLU": _prelu,
    "LogSigmoid": _activation(lambda m: m.LogSigmoid()),
    "Softsign": _activation(lambda m: m.Softsign()),
    "Tanhshrink": _activation(lambda m: m.Tanhshrink()),
    "CELU": _activation(
        lambda m, **k: m.CELU(**k), st.fixed_dictionaries({"alpha": st.sampled_from([1.0, 0.5])})
    ),
    "SELU": _activation(lambda m: m.SELU()),
    "GLU": _glu,
    "Threshold": _activation(
        lambda m, **k: m.Threshold(**k),
        st.fixed_dictionaries(
            {"threshold": st.sampled_from([0.0, 0.5]), "value": st.sampled_from([-1.0, 2.0])}
        ),
    ),
    "Softmax2d": _softmax2d,
    "Softmin": _activation(
        lambda m, **k: m.Softmin(**k), st.fixed_dictionaries({"dim": st.sampled_from([0, -1])})
    ),
    "Hardshrink": _activation(lambda m, **k: m.Hardshrink(**k), LAMBD),
    "Softshrink": _activation(lambda m, **k: m.Softshrink(**k), LAMBD),
    "Identity": _activation(lambda m: m.Identity(3, unused=True)),
    "Conv1d": _conv1d,
    "ConvTranspose1d": _conv_transpose(1),
    "ConvTranspose2d": _conv_transpose(2),
    "MaxPool1d": _max_pool1d,
    "AvgPool1d": _avg_pool1d,
    "AdaptiveAvgPool1d": _adaptive("AdaptiveAvgPool1d", 1, False),
    "AdaptiveAvgPool2d": _adaptive("AdaptiveAvgPool2d", 2, False),
    "AdaptiveMaxPool1d": _adaptive("AdaptiveMaxPool1d", 1, True),
    "AdaptiveMaxPool2d": _adaptive("AdaptiveMaxPool2d", 2, True),
    "GroupNorm": _group_norm,
    "InstanceNorm1d": _instance_norm(1),
    "InstanceNorm2d": _instance_norm(2),
    "Upsample": _upsample,
    "Upsample-linear": _linear_upsample,
    "ZeroPad1d": _pad("ZeroPad1d", 1),
    "ZeroPad2d": _pad("ZeroPad2d", 2),
    "ConstantPad1d": _pad("ConstantPad1d", 1),
    "ConstantPad2d": _pad("ConstantPad2d", 2),
    "ReflectionPad1d": _pad("ReflectionPad1d", 1),
    "ReflectionPad2d": _pad("ReflectionPad2d", 2),
    "ReplicationPad1d": _pad("ReplicationPad1d", 1),
    "ReplicationPad2d": _pad("ReplicationPad2d", 2),
    "PixelShuffle": _pixel_shuffle,
    "CosineSimilarity": _cosine_similarity,
    "PairwiseDistance": _pairwise_distance,
    "Bilinear": _bilinear,
    "Unflatten": _unflatten,
    "TransformerEncoderLayer": _transformer_encoder_layer,
    "L1Loss": _pointwise_loss("L1Loss"),
    "SmoothL1Loss": _pointwise_loss("SmoothL1Loss", SMOOTH),
    "HuberLoss": _pointwise_loss("HuberLoss", HUBER),
    "KLDivLoss": _kl_div,
    "SoftMarginLoss": _no_target_grad(_pointwise_loss("SoftMarginLoss", target=SIGNS)),
    "MarginRankingLoss": _margin_ranking,
    "CosineEmbeddingLoss": _cosine_embedding,
    "TripletMarginLoss": _triplet,
    "PoissonNLLLoss": _poisson,
    "GaussianNLLLoss": _gaussian,
    "CrossEntropyLoss-smoothing": _cross_entropy_smoothed,
}


def _tensors(case, torch_dtype, our_dtype):
    ours, theirs = [], []
    for i, (x, g) in enumerate(zip(case.inputs, case.grad)):
        x = np.asarray(x)
        if i in case.int_inputs:
            ours.append(autograd.tensor(x.astype(np.int64)))
            theirs.append(torch.tensor(x.astype(np.int64)))
            continue
        ours.append(autograd.tensor(x, dtype=our_dtype, requires_grad=g))
        theirs.append(torch.tensor(x, dtype=torch_dtype, requires_grad=g))
    return ours, theirs


def _close(a, b, tol):
    b = b.detach().numpy()
    a = a.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, **tol)


def check_case(case, dtype):
    torch_dtype, our_dtype = DTYPES[dtype]
    tol = TOL[dtype] if dtype == "float64" or case.tol32 is None else case.tol32
    theirs = case.theirs.to(torch_dtype)
    ours = case.ours.to(our_dtype)
    assert repr(ours) == repr(theirs)
    sd = theirs.state_dict()
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in sd.items()
    ]
    result = ours.load_state_dict({k: v.detach().numpy() for k, v in sd.items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    xo, xt = _tensors(case, torch_dtype, our_dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. KLDivLoss's reduction='mean' advice
        try:
            yt = theirs(*xt)
        except Exception as error:  # then ours refuses the same input, with the same type
            with pytest.raises(type(error)):
                ours(*xo)
            return
        yo = ours(*xo)
    if isinstance(yt, tuple):  # (values, indices)
        assert yo[1].dtype == autograd.int64
        np.testing.assert_array_equal(yo[1].numpy(), yt[1].numpy())
        yo, yt = yo[0], yt[0]
    _close(yo, yt, tol)
    for (_, b), (_, bt) in zip(ours.named_buffers(), theirs.named_buffers()):
        _close(b, bt, tol)
    upstream = np.random.default_rng(1).standard_normal(tuple(yt.shape))
    yo.backward(autograd.tensor(upstream, dtype=our_dtype))
    yt.backward(torch.tensor(upstream, dtype=torch_dtype))
    for a, b in zip(xo, xt):
        if b.requires_grad:
            _close(a.grad, b.grad, tol)
    torch_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, torch_params[name].grad, tol)


@pytest.mark.parametrize("dtype", sorted(DTYPES))
@pytest.mark.parametrize("name", sorted(ROWS))
@settings(max_examples=8)
@given(data=st.data())
def test_layer_matches_torch(name, dtype, data):
    seed = data.draw(st.integers(0, 2**16), label="seed")
    torch.manual_seed(seed)  # torch's default weights: the same for a replayed example
    autograd.manual_seed(seed)
    case = ROWS[name](data.draw)
    check_case(case, dtype)
