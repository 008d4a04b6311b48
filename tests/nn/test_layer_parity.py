"""Layers under hypothesis: random configurations of Linear, Conv2d, the pools, BatchNorm,
LayerNorm, Embedding, RNN/LSTM/GRU and MultiheadAttention, in float32 and float64, against
torch: same output, same input gradient, same gradient for every parameter (and the same
running statistics), with torch's weights copied into ours."""

import numpy as np
import pytest
import torch
from helpers import assert_close_as, assert_same_grads, copy_weights
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def linear(draw):
    i, o = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    bias = draw(st.booleans())
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    return lambda m: m.Linear(i, o, bias=bias), (*lead, i)


def conv2d(draw):
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 3))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    mode = draw(st.sampled_from(["zeros", "circular", "replicate"]))
    bias = draw(st.booleans())
    span = [d * (kk - 1) + 1 for d, kk in zip(dilation, k)]
    h = draw(st.integers(max(1, span[0] - 2 * padding[0]), 7))
    w = draw(st.integers(max(1, span[1] - 2 * padding[1]), 7))
    if mode == "circular":  # torch: circular padding must not wrap more than once
        h, w = max(h, padding[0]), max(w, padding[1])
    batch = draw(st.sampled_from([(), (1,), (2,)]))

    def make(m):
        return m.Conv2d(cin, cout, k, stride=stride, padding=padding, dilation=dilation,
                        groups=groups, bias=bias, padding_mode=mode)  # fmt: skip

    return make, (*batch, cin, h, w)


def pool_args(draw):
    k = draw(st.integers(1, 3))
    stride = draw(st.sampled_from([None, 1, 2]))
    padding = draw(st.integers(0, k // 2))
    ceil_mode = draw(st.booleans())
    h, w = draw(st.integers(k, 7)), draw(st.integers(k, 7))
    return k, stride, padding, ceil_mode, (draw(st.integers(1, 2)), 2, h, w)


def maxpool2d(draw):
    k, stride, padding, ceil_mode, shape = pool_args(draw)
    dilation = draw(st.integers(1, 2)) if shape[2] >= 2 * (k - 1) + 1 <= shape[3] else 1
    return (
        lambda m: m.MaxPool2d(k, stride, padding, dilation=dilation, ceil_mode=ceil_mode),
        shape,
    )


def avgpool2d(draw):
    k, stride, padding, ceil_mode, shape = pool_args(draw)
    include = draw(st.booleans())
    return (
        lambda m: m.AvgPool2d(k, stride, padding, ceil_mode=ceil_mode, count_include_pad=include),
        shape,
    )


def batchnorm(draw):
    two_d = draw(st.booleans())
    c = draw(st.integers(1, 3))
    affine, track = draw(st.booleans()), draw(st.booleans())
    momentum = draw(st.sampled_from([0.1, 0.5, None]))
    n = draw(st.integers(2, 4))
    shape = (n, c, draw(st.integers(1, 3)), draw(st.integers(1, 3))) if two_d else (n, c)
    if not two_d and draw(st.booleans()):
        shape = (n, c, draw(st.integers(1, 4)))
    cls = "BatchNorm2d" if two_d else "BatchNorm1d"
    return (
        lambda m: getattr(m, cls)(c, momentum=momentum, affine=affine, track_running_stats=track),
        shape,
    )


def layernorm(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    k = draw(st.integers(1, len(shape)))
    affine, bias = draw(st.booleans()), draw(st.booleans())
    return lambda m: m.LayerNorm(shape[-k:], elementwise_affine=affine, bias=bias), shape


def embedding(draw):
    num, dim = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    padding_idx = draw(st.one_of(st.none(), st.integers(-num, num - 1)))
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
    idx = draw(st.lists(st.integers(0, num - 1), min_size=int(np.prod(shape)),
                        max_size=int(np.prod(shape))))  # fmt: skip
    return lambda m: m.Embedding(num, dim, padding_idx=padding_idx), np.array(idx).reshape(shape)


def recurrent(kind):
    def strategy(draw):
        i, h = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        layers = draw(st.integers(1, 2))
        bias, batch_first, bidir = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
        t, n = draw(st.integers(1, 3)), draw(st.integers(1, 2))
        shape = (n, t, i) if batch_first else (t, n, i)
        if draw(st.booleans()):
            shape = (t, i)  # unbatched

        def make(m):
            return getattr(m, kind)(i, h, num_layers=layers, bias=bias, batch_first=batch_first,
                                    bidirectional=bidir)  # fmt: skip

        return make, shape

    return strategy


def attention(draw):
    heads = draw(st.integers(1, 2))
    e = heads * draw(st.integers(1, 3))
    bias, batch_first = draw(st.booleans()), draw(st.booleans())
    add_bias_kv, add_zero_attn = draw(st.booleans()), draw(st.booleans())
    kdim = draw(st.one_of(st.none(), st.integers(1, 3)))
    vdim = kdim if kdim is None else draw(st.integers(1, 3))
    lq, lk, n = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))

    def make(m):
        return m.MultiheadAttention(e, heads, bias=bias, batch_first=batch_first,
                                    add_bias_kv=add_bias_kv, add_zero_attn=add_zero_attn,
                                    kdim=kdim, vdim=vdim)  # fmt: skip

    def shape(length, dim):
        return (n, length, dim) if batch_first else (length, n, dim)

    return make, (shape(lq, e), shape(lk, kdim or e), shape(lk, vdim or e))


LAYERS = {
    "Linear": linear,
    "Conv2d": conv2d,
    "MaxPool2d": maxpool2d,
    "AvgPool2d": avgpool2d,
    "BatchNorm": batchnorm,
    "LayerNorm": layernorm,
    "Embedding": embedding,
    "RNN": recurrent("RNN"),
    "LSTM": recurrent("LSTM"),
    "GRU": recurrent("GRU"),
    "MultiheadAttention": attention,
}


def first(out):
    """The tensor to differentiate: the output, or (output, state) -> output; attention's
    weights are compared too."""
    return out if not isinstance(out, tuple) else out[0]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layer", LAYERS)
@settings(max_examples=6)
@given(data=st.data())
def test_layer_matches_torch_under_hypothesis(layer, dtype, data):
    make, spec = LAYERS[layer](data.draw)
    torch_dtype = DTYPES[dtype]
    torch_m = make(torch.nn).to(torch_dtype)
    our_m = make(nn).double() if dtype == "float64" else make(nn).float()
    copy_weights(our_m, torch_m)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    if layer == "Embedding":
        xs = [autograd.tensor(spec)]
        xts = [torch.tensor(spec)]
    else:
        shapes = spec if isinstance(spec[0], tuple) else (spec,)
        arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
        xs = [autograd.tensor(a, requires_grad=True) for a in arrays]
        xts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, out_t = our_m(*xs), torch_m(*xts)
    y, yt = first(out), first(out_t)
    assert_close_as(y, yt, err_msg="output")
    if layer == "MultiheadAttention":
        assert_close_as(out[1], out_t[1], err_msg="attention weights")
    if isinstance(out_t, tuple) and layer != "MultiheadAttention":
        states_t = out_t[1] if isinstance(out_t[1], tuple) else (out_t[1],)
        states = out[1] if isinstance(out[1], tuple) else (out[1],)
        for s, st_ in zip(states, states_t):
            assert_close_as(s, st_, err_msg="final state")
    g = rng.standard_normal(tuple(yt.shape)).astype(dtype)
    y.backward(autograd.tensor(g))
    yt.backward(torch.tensor(g))
    for i, (x, xt) in enumerate(zip(xs, xts)):
        if xt.grad is not None:
            assert_close_as(x.grad, xt.grad, err_msg=f"input {i} grad")
    assert_same_grads(our_m, torch_m)
    buffers_t = dict(torch_m.named_buffers())
    for name, b in our_m.named_buffers():
        np.testing.assert_allclose(b.numpy(), buffers_t[name].numpy(), rtol=1e-5, err_msg=name)
