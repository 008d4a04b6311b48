"""MultiheadAttention and scaled_dot_product_attention against PyTorch in float64: outputs,
attention weights, input and parameter gradients, masks of every kind, state dicts and errors."""

import math

import numpy as np
import pytest
import torch
from helpers import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import gradcheck, gradgradcheck
from nn.attention import (
    MultiheadAttention,
    multi_head_attention_forward,
    scaled_dot_product_attention,
)

RNG = np.random.default_rng(0)


def ours(array, requires_grad=False):
    return None if array is None else autograd.tensor(array, requires_grad=requires_grad)


def theirs(array, requires_grad=False):
    return None if array is None else torch.tensor(array, requires_grad=requires_grad)


def make_mask(rng, kind, shape, keep_first=True):
    """None, or a bool / float mask of `shape` with about 40% of positions hidden (True, or
    -inf among normal values); keep_first leaves key 0 visible so no query is fully masked."""
    if kind is None:
        return None
    hide = rng.random(shape) < 0.4
    if keep_first:
        hide[..., 0] = False
    if kind == "bool":
        return hide
    values = rng.standard_normal(shape)
    values[hide] = -np.inf
    return values


def copy_randomised(our_m, torch_m, rng):
    """Random values for every torch parameter (biases start at zero), loaded into ours."""
    with torch.no_grad():
        for p in torch_m.parameters():
            p.copy_(torch.tensor(rng.standard_normal(p.shape) * 0.5))
    sd = {k: v.detach().numpy() for k, v in torch_m.state_dict().items()}
    result = our_m.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []


def check_attention(our_m, torch_m, inputs, rng, **kwargs):
    """Run both on (query, key, value) arrays (the same array object stands for the same
    tensor: self-attention); compare output, weights and every gradient."""
    cache_o, cache_t = {}, {}
    args_o = [cache_o.setdefault(id(a), ours(a, True)) for a in inputs]
    args_t = [cache_t.setdefault(id(a), theirs(a, True)) for a in inputs]
    kw_o = {k: ours(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    kw_t = {k: theirs(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    yo, wo = our_m(*args_o, **kw_o)
    yt, wt = torch_m(*args_t, **kw_t)
    assert_close(yo, yt)
    assert (wo is None) == (wt is None)
    g = rng.standard_normal(yt.shape)
    loss_o, loss_t = (yo * ours(g)).sum(), (yt * theirs(g)).sum()
    if wt is not None:
        assert_close(wo, wt)
        h = rng.standard_normal(wt.shape)
        loss_o, loss_t = loss_o + (wo * ours(h)).sum(), loss_t + (wt * theirs(h)).sum()
    loss_o.backward()
    loss_t.backward()
    for a in inputs:
        assert_close(cache_o[id(a)].grad, cache_t[id(a)].grad)
    torch_params = dict(torch_m.named_parameters())
    our_params = dict(our_m.named_parameters())
    assert our_params.keys() == torch_params.keys()
    for name, p in our_params.items():
        assert_close(p.grad, torch_params[name].grad)
    return yo, wo


def build(rng, **options):
    our_m = MultiheadAttention(**options).double()
    torch_m = torch.nn.MultiheadAttention(**options).double()
    copy_randomised(our_m, torch_m, rng)
    return our_m, torch_m


# --------------------------------------------------------------------------- MultiheadAttention
@pytest.mark.parametrize("kind", ["self", "cross", "kvdim"])
@settings(max_examples=8, deadline=None)
@given(
    heads=st.sampled_from([1, 2]),
    head_dim=st.integers(1, 3),
    lengths=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 2)),
    batched=st.booleans(),
    flags=st.fixed_dictionaries(
        {
            "bias": st.booleans(),
            "add_bias_kv": st.booleans(),
            "add_zero_attn": st.booleans(),
            "batch_first": st.booleans(),
        }
    ),
    masks=st.tuples(
        st.sampled_from([None, "bool", "float"]),
        st.sampled_from([None, "bool", "float"]),
        st.sampled_from([2, 3]),
    ),
    weights=st.sampled_from([(True, True), (True, False), (False, True)]),
    seed=st.integers(0, 2**32 - 1),
)
def test_multihead_attention_matches_torch(
    kind, heads, head_dim, lengths, batched, flags, masks, weights, seed
):
    rng = np.random.default_rng(seed)
    e = heads * head_dim
    target_len, source_len, batch = lengths
    kdim, vdim = (e + 1, e + 2) if kind == "kvdim" else (e, e)
    our_m, torch_m = build(rng, embed_dim=e, num_heads=heads, kdim=kdim, vdim=vdim, **flags)

    def seq(length, dim):
        if not batched:
            return rng.standard_normal((length, dim))
        return rng.standard_normal((batch, length, dim) if flags["batch_first"] else
                                   (length, batch, dim))  # fmt: skip

    if kind == "self":
        query = key = value = seq(target_len, e)
        source_len = target_len
    else:
        query, key, value = seq(target_len, e), seq(source_len, kdim), seq(source_len, vdim)
    attn_kind, padding_kind, attn_rank = masks
    n = batch if batched else 1
    attn_shape = (target_len, source_len) if attn_rank == 2 else (n * heads, target_len, source_len)
    padding_shape = (batch, source_len) if batched else (source_len,)
    need_weights, average = weights
    check_attention(
        our_m,
        torch_m,
        (query, key, value),
        rng,
        attn_mask=make_mask(rng, attn_kind, attn_shape),
        key_padding_mask=make_mask(rng, padding_kind, padding_shape),
        need_weights=need_weights,
        average_attn_weights=average,
    )


@pytest.mark.parametrize("attn_mask", [None, "bool-2d", "float-2d", "bool-3d", "float-3d"])
@pytest.mark.parametrize("key_padding_mask", [None, "bool", "float"])
def test_multihead_attention_masks(attn_mask, key_padding_mask):
    rng = np.random.default_rng(1)
    our_m, torch_m = build(rng, embed_dim=4, num_heads=2)
    q, k, v = (rng.standard_normal((length, 3, 4)) for length in (2, 4, 4))
    attn = None
    if attn_mask is not None:
        kind, rank = attn_mask.split("-")
        attn = make_mask(rng, kind, (2, 4) if rank == "2d" else (6, 2, 4))
    padding = make_mask(rng, key_padding_mask, (3, 4))
    for need_weights in (True, False):
        check_attention(our_m, torch_m, (q, k, v), rng, attn_mask=attn,
                        key_padding_mask=padding, need_weights=need_weights)  # fmt: skip


def test_multihead_attention_is_causal_hint():
    rng = np.random.default_rng(2)
    our_m, torch_m = build(rng, embed_dim=4, num_heads=2, batch_first=True)
    x = rng.standard_normal((2, 3, 4))
    causal = np.triu(np.ones((3, 3), dtype=bool), 1)
    for need_weights in (True, False):
        check_attention(our_m, torch_m, (x, x, x), rng, attn_mask=causal, is_causal=True,
                        need_weights=need_weights)  # fmt: skip
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        our_m(ours(x), ours(x), ours(x), is_causal=True)


def test_multihead_attention_fully_masked_query_as_torch():
    # A query that may see no key: NaN when the weights are returned (plain softmax), zeros
    # otherwise (SDPA's safe softmax), as PyTorch.
    rng = np.random.default_rng(3)
    our_m, torch_m = build(rng, embed_dim=4, num_heads=2)
    x = rng.standard_normal((3, 2, 4))
    padding = np.zeros((2, 3), dtype=bool)
    padding[0] = True
    yo, _ = our_m(ours(x), ours(x), ours(x), key_padding_mask=ours(padding))
    yt, _ = torch_m(theirs(x), theirs(x), theirs(x), key_padding_mask=theirs(padding))
    assert np.isnan(yo.detach().numpy()[:, 0]).all()
    assert_close(yo, yt, equal_nan=True)
    yo, _ = check_attention(our_m, torch_m, (x, x, x), rng, key_padding_mask=padding,
                            need_weights=False)  # fmt: skip
    assert np.isfinite(yo.detach().numpy()).all()


def test_multihead_attention_dropout_in_training_only():
    autograd.manual_seed(0)
    rng = np.random.default_rng(4)
    our_m, torch_m = build(rng, embed_dim=4, num_heads=2, dropout=0.5)
    q, kv = rng.standard_normal((3, 2, 4)), rng.standard_normal((5, 2, 4))
    our_m.eval()
    torch_m.eval()
    _, eval_weights = check_attention(our_m, torch_m, (q, kv, kv), rng,
                                      average_attn_weights=False)  # fmt: skip
    our_m.train()
    _, train_weights = our_m(ours(q), ours(kv), ours(kv), average_attn_weights=False)
    eval_weights, train_weights = eval_weights.detach().numpy(), train_weights.detach().numpy()
    dropped = train_weights == 0
    assert 0 < dropped.mean() < 1
    np.testing.assert_allclose(train_weights[~dropped], 2 * eval_weights[~dropped], rtol=1e-12)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"bias": False},
        {"kdim": 3, "vdim": 5},
        {"add_bias_kv": True},
        {"kdim": 2, "bias": False, "add_bias_kv": True},
    ],
    ids=["default", "no-bias", "kvdim", "bias-kv", "mixed"],
)
def test_multihead_attention_state_dict_and_repr_equal_torch(options):
    our_m = MultiheadAttention(4, 2, **options)
    torch_m = torch.nn.MultiheadAttention(4, 2, **options)
    assert repr(our_m) == repr(torch_m)
    ours_sd, torch_sd = our_m.state_dict(), torch_m.state_dict()
    assert [(k, tuple(v.shape)) for k, v in ours_sd.items()] == [
        (k, tuple(v.shape)) for k, v in torch_sd.items()
    ]
    assert [n for n, _ in our_m.named_parameters()] == [n for n, _ in torch_m.named_parameters()]
    our_m.load_state_dict({k: v.numpy() for k, v in torch_sd.items()})
    for k, v in our_m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), torch_sd[k].numpy())
    assert our_m.in_proj_weight is None or our_m.in_proj_weight.dtype == autograd.float32


def test_multihead_attention_initialisation_as_torch():
    autograd.manual_seed(0)
    e = 64
    m = MultiheadAttention(e, 4, add_bias_kv=True)
    w = m.in_proj_weight.detach().numpy()
    bound = math.sqrt(6.0 / (e + 3 * e))  # xavier_uniform_ on (3E, E)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert np.all(m.in_proj_bias.detach().numpy() == 0)
    assert np.all(m.out_proj.bias.detach().numpy() == 0)
    out_w = m.out_proj.weight.detach().numpy()  # Linear's default, bound 1/sqrt(E)
    assert np.abs(out_w).max() <= 1 / math.sqrt(e) and np.abs(out_w).max() > 0.9 / math.sqrt(e)
    bias_k = m.bias_k.detach().numpy()  # xavier_normal_ on (1, 1, E): std sqrt(2 / (2E))
    assert bias_k.shape == (1, 1, e) and 0.5 / math.sqrt(e) < bias_k.std() < 1.5 / math.sqrt(e)


def test_multihead_attention_float32_and_unbatched_shapes():
    m = MultiheadAttention(6, 3)
    x = autograd.randn(4, 6)
    out, weights = m(x, x, x)
    assert out.shape == (4, 6) and weights.shape == (4, 4) and out.dtype == autograd.float32
    out, weights = m(x, x, x, average_attn_weights=False)
    assert weights.shape == (3, 4, 4)
    np.testing.assert_allclose(weights.detach().numpy().sum(-1), 1.0, rtol=1e-6)


def test_multihead_attention_errors():
    with pytest.raises(ValueError, match="embed_dim and num_heads must be greater than 0"):
        MultiheadAttention(0, 2)
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        MultiheadAttention(5, 2)
    m = MultiheadAttention(4, 2)
    x = autograd.randn(3, 2, 4)
    with pytest.raises(AssertionError, match="query should be unbatched 2D or batched 3D"):
        m(autograd.randn(1, 3, 2, 4), x, x)
    with pytest.raises(AssertionError, match="expected `key` and `value` to be 3-D"):
        m(x, autograd.randn(3, 4), x)
    with pytest.raises(AssertionError, match="was expecting embedding dimension of 4, but got 5"):
        m(autograd.randn(3, 2, 5), x, x)
    with pytest.raises(RuntimeError, match=r"2D attn_mask is \(3, 2\), but should be \(3, 3\)"):
        m(x, x, x, attn_mask=autograd.zeros(3, 2))
    with pytest.raises(RuntimeError, match=r"3D attn_mask is \(2, 3, 3\), but should be"):
        m(x, x, x, attn_mask=autograd.zeros(2, 3, 3))
    with pytest.raises(AssertionError, match="only bool and floating types of key_padding_mask"):
        m(x, x, x, key_padding_mask=autograd.zeros(2, 3, dtype=autograd.int64))
    with pytest.raises(AssertionError, match=r"key_padding_mask of shape \(2, 3\)"):
        m(x, x, x, key_padding_mask=autograd.zeros(2, 4, dtype=autograd.bool))
    with pytest.raises(AssertionError, match="key shape"):
        m(x, x, autograd.randn(2, 2, 4))


def test_multi_head_attention_forward_static_key_and_value_match_torch():
    rng = np.random.default_rng(5)
    e, heads, n = 4, 2, 2
    arrays = {
        "query": rng.standard_normal((3, n, e)),
        "in_proj_weight": rng.standard_normal((3 * e, e)) * 0.5,
        "in_proj_bias": rng.standard_normal(3 * e),
        "out_proj_weight": rng.standard_normal((e, e)) * 0.5,
        "out_proj_bias": rng.standard_normal(e),
        "static_k": rng.standard_normal((n * heads, 5, e // heads)),
        "static_v": rng.standard_normal((n * heads, 5, e // heads)),
    }

    def run(lib, wrap):
        t = {k: wrap(v, True) for k, v in arrays.items()}
        out, weights = lib(t["query"], t["query"], t["query"], e, heads, t["in_proj_weight"],
                           t["in_proj_bias"], None, None, False, 0.0, t["out_proj_weight"],
                           t["out_proj_bias"], static_k=t["static_k"],
                           static_v=t["static_v"])  # fmt: skip
        (out.sum() + (weights * weights).sum()).backward()
        return out, weights, t

    out_o, w_o, t_o = run(multi_head_attention_forward, ours)
    out_t, w_t, t_t = run(torch.nn.functional.multi_head_attention_forward, theirs)
    assert_close(out_o, out_t)
    assert_close(w_o, w_t)
    for k in arrays:  # static k and v: the k, v rows of in_proj get zero gradients
        assert_close(t_o[k].grad, t_t[k].grad)


def test_multi_head_attention_forward_gradcheck():
    rng = np.random.default_rng(6)
    e, heads = 4, 2
    q = ours(rng.standard_normal((2, 2, e)), True)
    kv = ours(rng.standard_normal((3, 2, e)), True)
    w_in = ours(rng.standard_normal((3 * e, e)) * 0.5, True)
    b_in = ours(rng.standard_normal(3 * e), True)
    w_out = ours(rng.standard_normal((e, e)) * 0.5, True)
    padding = ours(np.array([[False, False, True], [False, True, False]]))

    def fn(q, kv, w_in, b_in, w_out):
        return multi_head_attention_forward(q, kv, kv, e, heads, w_in, b_in, None, None, False,
                                            0.0, w_out, None, key_padding_mask=padding)  # fmt: skip

    assert gradcheck(fn, (q, kv, w_in, b_in, w_out))


# --------------------------------------------------------------------------- SDPA
@settings(max_examples=20, deadline=None)
@given(
    lead=st.lists(st.integers(1, 2), max_size=2),
    sizes=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
    mask=st.sampled_from([None, "bool", "float"]),
    mask_full_rank=st.booleans(),
    is_causal=st.booleans(),
    scale=st.sampled_from([None, 0.7]),
    seed=st.integers(0, 2**32 - 1),
)
def test_scaled_dot_product_attention_matches_torch(
    lead, sizes, mask, mask_full_rank, is_causal, scale, seed
):
    rng = np.random.default_rng(seed)
    target_len, source_len, e, ev = sizes
    lead = tuple(lead)
    q = rng.standard_normal(lead + (target_len, e))
    k = rng.standard_normal(lead + (source_len, e))
    v = rng.standard_normal(lead + (source_len, ev))
    mask_shape = (lead if mask_full_rank else ()) + (target_len, source_len)
    # without key 0 kept, some queries may see no key: both give them zeros
    attn_mask = None if is_causal else make_mask(rng, mask, mask_shape, keep_first=False)
    args_o = [ours(a, True) for a in (q, k, v)]
    args_t = [theirs(a, True) for a in (q, k, v)]
    kwargs = {"is_causal": is_causal, "scale": scale}
    yo = scaled_dot_product_attention(*args_o, attn_mask=ours(attn_mask), **kwargs)
    yt = torch.nn.functional.scaled_dot_product_attention(
        *args_t, attn_mask=theirs(attn_mask), **kwargs
    )
    assert_close(yo, yt)
    g = rng.standard_normal(yt.shape)
    yo.backward(ours(g))
    yt.backward(theirs(g))
    for a, b in zip(args_o, args_t):
        assert_close(a.grad, b.grad)


def test_scaled_dot_product_attention_grouped_query_heads():
    rng = np.random.default_rng(7)
    q, k, v = (rng.standard_normal(s) for s in ((2, 4, 3, 2), (2, 2, 5, 2), (2, 2, 5, 3)))
    args_o = [ours(a, True) for a in (q, k, v)]
    args_t = [theirs(a, True) for a in (q, k, v)]
    yo = scaled_dot_product_attention(*args_o, enable_gqa=True)
    yt = torch.nn.functional.scaled_dot_product_attention(*args_t, enable_gqa=True)
    assert_close(yo, yt)
    yo.sum().backward()
    yt.sum().backward()
    for a, b in zip(args_o, args_t):
        assert_close(a.grad, b.grad)
    with pytest.raises(RuntimeError, match="multiple"):
        scaled_dot_product_attention(ours(q[:, :3]), ours(k), ours(v), enable_gqa=True)


def test_scaled_dot_product_attention_dropout_scales_kept_weights():
    autograd.manual_seed(0)
    q = ours(RNG.standard_normal((2, 3, 4)))
    v = ours(np.eye(3)[None].repeat(2, 0))  # out = the (dropped) weights themselves
    plain = scaled_dot_product_attention(q, q, v).numpy()
    dropped = scaled_dot_product_attention(q, q, v, dropout_p=0.5).numpy()
    kept = dropped != 0
    assert 0 < kept.mean() < 1
    np.testing.assert_allclose(dropped[kept], 2 * plain[kept], rtol=1e-12)


def test_scaled_dot_product_attention_errors():
    with pytest.raises(RuntimeError, match="do not fit"):
        scaled_dot_product_attention(
            autograd.randn(2, 3), autograd.randn(2, 4), autograd.randn(2, 4)
        )
    with pytest.raises(RuntimeError, match="attn_mask of dtype bool or float"):
        x = autograd.randn(2, 3)
        scaled_dot_product_attention(x, x, x, attn_mask=autograd.zeros(2, 2, dtype=autograd.int64))
    with pytest.raises(RuntimeError, match="attn_mask should not be set when is_causal=True"):
        scaled_dot_product_attention(x, x, x, attn_mask=autograd.zeros(2, 2), is_causal=True)


def test_scaled_dot_product_attention_gradcheck_and_gradgradcheck():
    q = ours(RNG.standard_normal((2, 2, 3)), True)
    k = ours(RNG.standard_normal((2, 3, 3)), True)
    v = ours(RNG.standard_normal((2, 3, 2)), True)
    mask = ours(np.array([[0.0, -np.inf, 0.5], [0.1, 0.0, -1.0]]))
    assert gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, mask), (q, k, v))
    assert gradgradcheck(
        lambda q, k, v: scaled_dot_product_attention(q, k, v, is_causal=True), (q, k, v)
    )
