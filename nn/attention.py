"""Attention (Vaswani et al., 2017): `scaled_dot_product_attention`, `MultiheadAttention` and
its functional form `multi_head_attention_forward`, with PyTorch's shapes, masks and names.

attention(Q, K, V) = softmax(Q K^T / sqrt(d) + mask) V, composed from matmul, softmax and
friends, so every gradient comes from the primitives' rules.
"""

import math

from autograd import arange, cat, empty, pad, zeros
from nn import functional as F
from nn import init
from nn.linear import Linear
from nn.module import Module
from nn.parameter import Parameter

__all__ = [
    "MultiheadAttention", "NonDynamicallyQuantizableLinear", "scaled_dot_product_attention",
    "multi_head_attention_forward",
]  # fmt: skip

_NEG_INF = float("-inf")


# --------------------------------------------------------------------------- the core
def _neg_inf_where(mask, dtype):
    """An additive mask: -inf where `mask` (bool) holds, 0 elsewhere."""
    return zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(mask, _NEG_INF)


def _softmax(scores, safe):
    """Softmax over the last dim. safe=True (PyTorch's SDPA): a row that is -inf throughout,
    a query allowed to see no key, gives zeros and a zero gradient instead of NaN."""
    if not safe:
        return scores.softmax(-1)
    top = scores.detach().amax(-1, keepdim=True)
    top = top.masked_fill(top == _NEG_INF, 0.0)
    e = (scores - top).exp()
    total = e.sum(-1, keepdim=True)
    return e / total.masked_fill(total == 0, 1.0)


def _attend(q, k, v, bias, dropout_p, scale, safe):
    """(softmax(q k^T * scale + bias) with dropout) v, and the weights: (..., L, S)."""
    scores = (q * scale).matmul(k.transpose(-2, -1))  # (..., L, S)
    if bias is not None:
        scores = scores + bias
    weights = _softmax(scores, safe)
    if dropout_p > 0.0:
        weights = F.dropout(weights, dropout_p)
    return weights.matmul(v), weights


def _causal_bias(target_len, source_len, like):
    """-inf where key j comes after query i (j > i), as PyTorch's tril: (L, S)."""
    rows = arange(target_len, device=like.device).reshape(target_len, 1)
    cols = arange(source_len, device=like.device).reshape(1, source_len)
    return _neg_inf_where(cols > rows, like.dtype)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):  # fmt: skip
    """softmax(Q K^T * scale + mask) V: (..., L, E), (..., S, E), (..., S, Ev) -> (..., L, Ev).

    scale defaults to 1/sqrt(E). A bool attn_mask is True where a query may attend to a key;
    a float one is added to the scores; is_causal (instead of attn_mask) hides each key that
    comes after the query (j > i). A query that may attend to nothing gets zeros. Dropout
    applies to the weights whenever dropout_p > 0 (there is no training flag). enable_gqa lets
    key and value have fewer heads (dim -3) than query, each shared by a group of query heads.
    """
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError(
            f"scaled_dot_product_attention: expected query, key and value with at least 2 dims, "
            f"got shapes {tuple(query.shape)}, {tuple(key.shape)} and {tuple(value.shape)}"
        )
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(
            f"scaled_dot_product_attention: query (..., L, E), key (..., S, E) and value "
            f"(..., S, Ev) do not fit: got shapes {tuple(query.shape)}, {tuple(key.shape)} and "
            f"{tuple(value.shape)}"
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True"
        )
    if enable_gqa:
        key, value = _repeat_heads(key, query), _repeat_heads(value, query)
    target_len, source_len = query.shape[-2], key.shape[-2]
    bias = None
    if attn_mask is not None:
        if attn_mask.dtype.kind == "b":
            bias = _neg_inf_where(attn_mask.logical_not(), query.dtype)
        elif attn_mask.dtype.kind == "f":
            bias = attn_mask
        else:
            raise RuntimeError(
                f"scaled_dot_product_attention: expected attn_mask of dtype bool or float, "
                f"got {attn_mask.dtype}"
            )
    if is_causal:
        bias = _causal_bias(target_len, source_len, query)
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    out, _ = _attend(query, key, value, bias, dropout_p, scale, safe=True)
    return out


def _repeat_heads(t, query):
    """(..., Hk, S, E) -> (..., Hq, S, E), each of the Hk heads repeated Hq // Hk times."""
    if query.ndim < 3 or t.ndim < 3:
        raise RuntimeError("scaled_dot_product_attention: enable_gqa needs a heads dim (-3)")
    heads, kv_heads = query.shape[-3], t.shape[-3]
    if heads % kv_heads:
        raise RuntimeError(
            f"scaled_dot_product_attention: enable_gqa needs the query's heads ({heads}) to be "
            f"a multiple of key's and value's ({kv_heads})"
        )
    group = heads // kv_heads
    lead, (s, e) = t.shape[:-3], t.shape[-2:]
    t = t.unsqueeze(-3).expand(*lead, kv_heads, group, s, e)  # (..., Hk, g, S, E)
    return t.reshape(*lead, heads, s, e)


# --------------------------------------------------------------------------- multi-head
def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the input is batched (3-D) or not (2-D); raises, as PyTorch, if neither."""
    if query.ndim == 3:
        kind, rank = "batched (3-D)", 3
    elif query.ndim == 2:
        kind, rank = "unbatched (2-D)", 2
    else:
        raise AssertionError(
            f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D "
            f"query tensor (shape {tuple(query.shape)})"
        )
    if key.ndim != rank or value.ndim != rank:
        raise AssertionError(
            f"For {kind} `query`, expected `key` and `value` to be {rank}-D but found "
            f"{key.ndim}-D and {value.ndim}-D tensors respectively"
        )
    if key_padding_mask is not None and key_padding_mask.ndim != rank - 1:
        raise AssertionError(
            f"For {kind} `query`, expected `key_padding_mask` to be `None` or {rank - 1}-D but "
            f"found {key_padding_mask.ndim}-D tensor instead"
        )
    if attn_mask is not None:
        if attn_mask.ndim not in (2, 3):
            raise AssertionError(
                f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                f"{attn_mask.ndim}-D tensor instead"
            )
        expected = (num_heads, query.shape[0], key.shape[0])
        if rank == 2 and attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(
                f"Expected `attn_mask` shape to be {expected} but got {tuple(attn_mask.shape)}"
            )
    return rank == 3


def _additive_mask(mask, name, dtype):
    """A bool mask (True = masked out) as 0 / -inf of `dtype`; a float mask as it is."""
    if mask is None or mask.dtype.kind == "f":
        return mask
    if mask.dtype.kind != "b":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return _neg_inf_where(mask, dtype)


def _check_weight(name, w, shape):
    if w is None:
        raise AssertionError(f"multi_head_attention_forward: {name} is None")
    if tuple(w.shape) != shape:
        raise RuntimeError(
            f"multi_head_attention_forward: expected {name} of shape {shape}, got {tuple(w.shape)}"
        )


def _in_projection(query, key, value, embed_dim, separate, in_proj_weight, in_proj_bias,
                   q_proj_weight, k_proj_weight, v_proj_weight):  # fmt: skip
    """q, k, v = query W_q^T + b_q, key W_k^T + b_k, value W_v^T + b_v."""
    e = embed_dim
    if in_proj_bias is not None:
        _check_weight("in_proj_bias", in_proj_bias, (3 * e,))
    b_q, b_k, b_v = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
    if separate:
        _check_weight("q_proj_weight", q_proj_weight, (e, query.shape[-1]))
        _check_weight("k_proj_weight", k_proj_weight, (e, key.shape[-1]))
        _check_weight("v_proj_weight", v_proj_weight, (e, value.shape[-1]))
        w_q, w_k, w_v = q_proj_weight, k_proj_weight, v_proj_weight
    else:
        _check_weight("in_proj_weight", in_proj_weight, (3 * e, e))
        if query is key and key is value:  # self-attention: one matmul for all three
            return F.linear(query, in_proj_weight, in_proj_bias).chunk(3, dim=-1)
        w_q, w_k, w_v = in_proj_weight.chunk(3)
    return F.linear(query, w_q, b_q), F.linear(key, w_k, b_k), F.linear(value, w_v, b_v)


def _heads(t, batch, num_heads, head_dim, name, static):
    """(S, N, E) -> (N, H, S, head_dim); or a given static_k/static_v (N * H, S, head_dim)."""
    if static is None:
        return t.reshape(t.shape[0], batch, num_heads, head_dim).permute(1, 2, 0, 3)
    if static.ndim != 3 or static.shape[0] != batch * num_heads or static.shape[2] != head_dim:
        raise AssertionError(
            f"expecting {name} of shape ({batch * num_heads}, S, {head_dim}), got "
            f"{tuple(static.shape)}"
        )
    return static.reshape(batch, num_heads, static.shape[1], head_dim)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True,
                                 is_causal=False):  # fmt: skip
    """Multi-head attention on (L, N, E) query and (S, N, Ek/Ev) key/value, or unbatched
    (L, E) and (S, E), as torch.nn.functional.multi_head_attention_forward.

    Each of the H heads attends with its own slice of the projected q, k, v:
    head_h = softmax(q_h k_h^T / sqrt(E / H) + mask) v_h, and out = concat(heads) W_o^T + b_o.
    Masks: bool True hides a key, float is added to the scores. key_padding_mask (N, S);
    attn_mask (L, S) or (N * H, L, S). Returns (out (L, N, E), weights (N, L, S) averaged
    over heads, or (N, H, L, S); None unless need_weights).
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    target_len, batch, embed_dim = query.shape
    source_len = key.shape[0]
    key_padding_mask = _additive_mask(key_padding_mask, "key_padding_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # PyTorch trusts the hint: a causal mask is built below instead
    else:
        attn_mask = _additive_mask(attn_mask, "attn_mask", query.dtype)
        is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(
                f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                f"{tuple(value.shape[:2])}"
            )
    elif key.shape != value.shape:
        raise AssertionError(
            f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}"
        )
    q, k, v = _in_projection(query, key, value, embed_dim, use_separate_proj_weight,
                             in_proj_weight, in_proj_bias, q_proj_weight, k_proj_weight,
                             v_proj_weight)  # fmt: skip
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (target_len, source_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, but should be "
                    f"{(target_len, source_len)}."
                )
            attn_mask = attn_mask.reshape(1, 1, target_len, source_len)
        else:
            if tuple(attn_mask.shape) != (batch * num_heads, target_len, source_len):
                raise RuntimeError(
                    f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, but should be "
                    f"{(batch * num_heads, target_len, source_len)}."
                )
            attn_mask = attn_mask.reshape(batch, num_heads, target_len, source_len)
    if (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k and bias_v must be given together (or neither)")
    if bias_k is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key or value.")
        # one more key and value, learned, shared by the batch
        k = cat([k, bias_k.expand(1, batch, embed_dim)])  # (S + 1, N, E)
        v = cat([v, bias_v.expand(1, batch, embed_dim)])
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    q = _heads(q, batch, num_heads, head_dim, "q", None)  # (N, H, L, head_dim)
    k = _heads(k, batch, num_heads, head_dim, "static_k", static_k)
    v = _heads(v, batch, num_heads, head_dim, "static_v", static_v)
    if add_zero_attn:
        # one more key and value, all zeros, so that a query can attend to "nothing"
        k = cat([k, zeros((batch, num_heads, 1, head_dim), dtype=k.dtype, device=k.device)], 2)
        v = cat([v, zeros((batch, num_heads, 1, head_dim), dtype=v.dtype, device=v.device)], 2)
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    source_len = k.shape[2]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (batch, source_len):
            raise AssertionError(
                f"Expected key_padding_mask of shape {(batch, source_len)} (batch, source "
                f"length), but got {tuple(key_padding_mask.shape)}"
            )
        padding = key_padding_mask.reshape(batch, 1, 1, source_len)
        attn_mask = padding if attn_mask is None else attn_mask + padding
    if is_causal:
        attn_mask = _causal_bias(target_len, source_len, q)
    if not training:
        dropout_p = 0.0
    # PyTorch normalises with a plain softmax when it returns the weights (a fully masked
    # query gives NaN) and with SDPA's safe one otherwise (zeros).
    out, weights = _attend(q, k, v, attn_mask, dropout_p, 1.0 / math.sqrt(head_dim),
                           safe=not need_weights)  # fmt: skip
    out = out.permute(2, 0, 1, 3).reshape(target_len, batch, embed_dim)  # (L, N, E)
    out = F.linear(out, out_proj_weight, out_proj_bias)
    if need_weights and average_attn_weights:
        weights = weights.mean(1)  # (N, L, S)
    if not is_batched:
        out = out.squeeze(1)
        weights = weights.squeeze(0)
    return out, (weights if need_weights else None)


class NonDynamicallyQuantizableLinear(Linear):
    """A `Linear`, under the name PyTorch gives MultiheadAttention's out_proj (so reprs match)."""


class MultiheadAttention(Module):
    """Attention with num_heads heads of size embed_dim // num_heads (Vaswani et al., 2017).

    forward(query (L, N, E), key (S, N, kdim), value (S, N, vdim)) -> (out (L, N, E),
    weights (N, L, S) or None); (N, L, E) etc. with batch_first=True; unbatched (L, E) too.
    Parameters as PyTorch: in_proj_weight (3E, E) and in_proj_bias (3E,) (q_proj_weight,
    k_proj_weight, v_proj_weight when kdim or vdim differ from E), out_proj (a Linear), and
    bias_k, bias_v (1, 1, E) with add_bias_kv.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):  # fmt: skip
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} "
                f"and num_heads={num_heads} instead"
            )
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError(
                f"embed_dim must be divisible by num_heads (got embed_dim={embed_dim}, "
                f"num_heads={num_heads})"
            )
        factory = {"device": device, "dtype": dtype}
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty(3 * embed_dim, embed_dim, **factory))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter(empty(embed_dim, embed_dim, **factory))
            self.k_proj_weight = Parameter(empty(embed_dim, self.kdim, **factory))
            self.v_proj_weight = Parameter(empty(embed_dim, self.vdim, **factory))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, **factory))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias, **factory)
        if add_bias_kv:
            self.bias_k = Parameter(empty(1, 1, embed_dim, **factory))
            self.bias_v = Parameter(empty(1, 1, embed_dim, **factory))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        """PyTorch's: xavier_uniform_ projections, zero biases (out_proj's weight keeps
        Linear's default), xavier_normal_ bias_k and bias_v."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):  # fmt: skip
        is_batched = query.ndim == 3
        if self.batch_first and is_batched:
            # keep `query is key is value` true, so self-attention takes the one-matmul path
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = query.transpose(1, 0), key.transpose(1, 0)
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        out, weights = multi_head_attention_forward(
            query,
            key,
            value,
            self.embed_dim,
            self.num_heads,
            self.in_proj_weight,
            self.in_proj_bias,
            self.bias_k,
            self.bias_v,
            self.add_zero_attn,
            self.dropout,
            self.out_proj.weight,
            self.out_proj.bias,
            training=self.training,
            key_padding_mask=key_padding_mask,
            need_weights=need_weights,
            attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights,
            is_causal=is_causal,
        )
        if self.batch_first and is_batched:
            out = out.transpose(1, 0)
        return out, weights
