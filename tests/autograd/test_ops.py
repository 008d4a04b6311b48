"""Every op against PyTorch (CPU), driven by one table.

A row names an op, says how to call it (`fn(T, *tensors, **params)`, with T = `autograd` or
torch spelled the same way; `torch_fn` where torch spells it differently), how to draw its
inputs (shapes with broadcasting, size-1 dims and 0-d tensors; a domain where the op is
smooth: positive for log/sqrt/pow, away from kinks and ties for relu/abs/max), and whether it
is differentiable and smooth. From the table, under hypothesis:

    forward parity    values in float64, and result dtypes for float32 inputs, as torch
    gradient parity   our backward and torch's for the same upstream gradient
    gradcheck         against central differences, float64
    gradgradcheck     second order, for smooth ops

and a check that the table exercises every primitive of `autograd.ops.PRIMITIVES`.
Tie-breaking at kinks (max/min, maximum/minimum, relu, abs, clamp) needs exact inputs and
exact answers, so it has explicit tests at the end.
"""

import dataclasses
import math
from typing import Callable, Optional

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
import nn.functional as autograd_F
from autograd import ops
from autograd.testing import GRID, broadcastable_shapes, shapes, tensors, valid_dims
from backends import get_backend
from backends.numpy_backend import NumpyBackend

# Largest side drawn by each kind of test: gradcheck builds the full Jacobian, and
# gradgradcheck differentiates that again, so they get smaller inputs.
SIDE_PARITY = 4
SIDE_GRADCHECK = 3
SIDE_GRADGRAD = 2


class _Torch:
    """torch, spelled as autograd spells it (autograd.pad is torch.nn.functional.pad)."""

    pad = staticmethod(F.pad)

    def __getattr__(self, name):
        return getattr(torch, name)


TORCH = _Torch()


# --------------------------------------------------------------------------- the table
@dataclasses.dataclass(frozen=True)
class Case:
    """One draw of an op's inputs: the differentiable arrays, and the other arguments."""

    arrays: tuple
    params: dict


@dataclasses.dataclass(frozen=True)
class Row:
    name: str
    fn: Callable  # fn(T, *tensors, **params), T = autograd (and torch unless torch_fn)
    inputs: Callable  # inputs(max_side, empty=True) -> strategy of Case
    torch_fn: Optional[Callable] = None
    grad: bool = True  # differentiable: gradient parity and gradcheck
    smooth: bool = True  # second derivatives exist on the drawn domain: gradgradcheck
    tol: dict = dataclasses.field(default_factory=dict)  # gradcheck eps/atol/rtol

    def ours(self, *xs, **params):
        return self.fn(autograd, *xs, **params)

    def theirs(self, *xs, **params):
        return (self.torch_fn or self.fn)(TORCH, *xs, **params)

    def __repr__(self):
        return self.name


def case(layout, domain=None, params=None):
    """A recipe: layout(draw, side) gives the input shapes, or (shapes, params); each input
    is drawn by `autograd.testing.tensors` over its domain (one dict of tensors() options,
    or one per input); params(draw, *shapes) draws the remaining arguments.
    empty=False rejects draws with an empty input (they would check nothing)."""

    def make(side, empty=True):
        @st.composite
        def draw_case(draw):
            laid = layout(draw, side)
            shapes_, kwargs = laid if isinstance(laid, tuple) else (laid, {})
            assume(empty or all(0 not in shape for shape in shapes_))
            domains = domain if isinstance(domain, list) else [domain or {}] * len(shapes_)
            arrays = tuple(
                draw(tensors(shape, **dom), label=f"input {i}").array
                for i, (shape, dom) in enumerate(zip(shapes_, domains, strict=True))
            )
            if params is not None:
                kwargs = {**kwargs, **params(draw, *shapes_)}
            return Case(arrays, kwargs)

        return draw_case()

    return make


# Domains (options of autograd.testing.tensors).
POSITIVE = {"positive": True}
NO_KINKS = {"avoid_kinks": True}
DISTINCT = {"distinct": True}
NONZERO = {
    "elements": st.tuples(st.floats(0.25, 3.0), st.booleans()).map(
        lambda p: -p[0] if p[1] else p[0]
    )
}
# prod's gradient is prod / x where no element is 0 (as torch): its second derivative loses
# all precision for tiny nonzero x, so prod draws exact zeros or |x| >= 0.25.
WITH_ZEROS = {"elements": st.one_of(st.just(0.0), NONZERO["elements"])}
TIES = {"elements": st.sampled_from([0.0, 1.0, 2.0])}


def offset_grid(i):
    """Input i on its own grid, (k + (i+1)/4) / GRID: no element of one input ties with an
    element of another, and none is 0 or a multiple of 1/GRID (a simple bound)."""
    k = st.integers(-3 * GRID, 3 * GRID - 1)
    return {"elements": k.map(lambda k: (k + (i + 1) / 4) / GRID)}


# Layouts.
def same(n=1, min_dims=0, max_dims=3, min_side=1):
    def layout(draw, side):
        shape = draw(shapes(min_dims, max_dims, min_side, max(side, min_side)), label="shape")
        return [shape] * n

    return layout


def broadcast(n=2, min_side=1):
    def layout(draw, side):
        return list(draw(broadcastable_shapes(n, min_side=min_side, max_side=side), label="shapes"))

    return layout


def broadcastable_to(draw, target):
    """A shape that broadcasts to target: a suffix of it, some sides set to 1."""
    keep = draw(st.integers(0, len(target)))
    suffix = target[len(target) - keep :]
    ones = draw(st.lists(st.booleans(), min_size=keep, max_size=keep))
    return tuple(1 if one else s for s, one in zip(suffix, ones, strict=True))


def reduce_params(none=True, tuples=True, **choices):
    """dim (None, int or tuple, as allowed) and keepdim, plus pick(**choices)."""

    def params(draw, shape, *_):
        dims = valid_dims(len(shape), allow_none=none, allow_tuple=tuples)
        out = {"dim": draw(dims, label="dim"), "keepdim": draw(st.booleans(), label="keepdim")}
        return {**out, **pick(**choices)(draw)}

    return params


def one_dim(draw, shape, *_):
    return {"dim": int_dim(draw, len(shape))}


def pick(**choices):
    """Params drawn from lists of choices: pick(p=[1, 2]) -> {"p": 1} or {"p": 2}."""

    def params(draw, *_):
        return {name: draw(st.sampled_from(opts), label=name) for name, opts in choices.items()}

    return params


def int_dim(draw, ndim, extra=0):
    """A valid int dim for ndim dims (extra=1: one more, as unsqueeze and stack take)."""
    n = max(ndim + extra, 1)
    return draw(st.integers(-n, n - 1), label="dim")


# --------------------------------------------------------------------------- matmul
def matmul_layout(kind):
    def layout(draw, side):
        n, k, m = (draw(st.integers(1, side)) for _ in range(3))
        if kind == "1d@1d":
            return [(k,), (k,)]
        if kind == "1d@2d":
            return [(k,), (k, m)]
        if kind == "2d@1d":
            return [(n, k), (k,)]
        if kind == "2d@2d":
            return [(n, k), (k, m)]
        # batched: batch dims that broadcast, or a 1-D operand against a batch
        batch_a, batch_b = draw(broadcastable_shapes(2, min_dims=0, max_dims=2, max_side=side))
        shape_a = batch_a + (n, k)
        shape_b = batch_b + (k, m)
        vector = draw(st.sampled_from(["none", "left", "right"]))
        if vector == "left":
            shape_a = (k,)
        elif vector == "right":
            shape_b = (k,)
        return [shape_a, shape_b]

    return layout


# --------------------------------------------------------------------------- shape params
def reshape_params(draw, shape, *_):
    size = math.prod(shape)
    options = [(-1,), tuple(reversed(shape)), shape + (1,), (1,) + shape, (size,)]
    return {"shape": draw(st.sampled_from(options))}


def transpose_params(draw, shape, *_):
    return {"dim0": int_dim(draw, len(shape)), "dim1": int_dim(draw, len(shape))}


def permute_params(draw, shape, *_):
    ndim = len(shape)
    perm = draw(st.permutations(range(ndim)))
    negate = draw(st.lists(st.booleans(), min_size=ndim, max_size=ndim))
    return {"dims": tuple(d - ndim if neg else d for d, neg in zip(perm, negate, strict=True))}


def flatten_params(draw, shape, *_):
    ndim = len(shape)
    n = max(ndim, 1)
    start = draw(st.integers(0, n - 1))
    end = draw(st.integers(start, n - 1))
    start -= n * draw(st.booleans())
    end -= n * draw(st.booleans())
    return {"start_dim": start, "end_dim": end}


def squeeze_params(draw, shape, *_):
    return {"dim": draw(valid_dims(len(shape)))}


def unsqueeze_params(draw, shape, *_):
    return {"dim": int_dim(draw, len(shape), extra=1)}


def expand_params(allow_minus_one):
    def params(draw, shape, *_):
        lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
        body = []
        for s in shape:
            if s == 1:
                body.append(draw(st.integers(1, 3)))
            elif allow_minus_one and draw(st.booleans()):
                body.append(-1)
            else:
                body.append(s)
        return {"shape": lead + tuple(body)}

    return params


def cat_layout(stack):
    def layout(draw, side):
        n = draw(st.integers(1, 3), label="number of tensors")
        shape = draw(shapes(min_dims=0 if stack else 1, max_side=side), label="shape")
        dim = int_dim(draw, len(shape), extra=1 if stack else 0)
        if stack:
            return [shape] * n, {"dim": dim}
        d = dim % len(shape)
        sizes = draw(st.lists(st.integers(0, side), min_size=n, max_size=n))
        return [shape[:d] + (s,) + shape[d + 1 :] for s in sizes], {"dim": dim}

    return layout


def split_params(draw, shape, *_):
    dim = int_dim(draw, len(shape))
    n = shape[dim]
    if draw(st.booleans()):
        return {"split": draw(st.integers(1, n + 1)), "dim": dim}
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
    sections = [b - a for a, b in zip([0] + cuts, cuts + [n], strict=True)]
    return {"split": sections, "dim": dim}


def chunk_params(draw, shape, *_):
    return {"chunks": draw(st.integers(1, 4)), "dim": int_dim(draw, len(shape))}


# --------------------------------------------------------------------------- pad
def pad_layout(mode):
    def layout(draw, side):
        k = draw(st.integers(1, 3 if mode != "constant" else 2), label="padded dims")
        if mode == "constant":
            ndim = draw(st.integers(k, 3))
        else:  # torch pads the last k dims of a (k+1)- or (k+2)-D input
            ndim = k + draw(st.integers(1, 2))
        low = 2 if mode == "reflect" else 1
        lead = [draw(st.integers(1, 2)) for _ in range(ndim - k)]
        padded = [draw(st.integers(low, max(side, low))) for _ in range(k)]
        shape = tuple(lead + padded)
        pad = []
        for s in reversed(padded):  # torch lists the last dim first
            if mode == "reflect":
                lo, hi = draw(st.integers(0, s - 1)), draw(st.integers(0, s - 1))
            elif mode == "circular":
                lo, hi = draw(st.integers(0, s)), draw(st.integers(0, s))
            elif mode == "replicate":
                lo, hi = draw(st.integers(0, 2)), draw(st.integers(0, 2))
            else:  # negative widths crop
                lo, hi = draw(st.integers(-1, 2)), draw(st.integers(-1, 2))
                if s + lo + hi < 1:
                    lo, hi = max(lo, 0), max(hi, 0)
            pad += [lo, hi]
        params = {"pad": tuple(pad), "mode": mode}
        if mode == "constant":
            params["value"] = draw(st.sampled_from([0.0, -1.5]))
        return [shape], params

    return layout


# --------------------------------------------------------------------------- indexing
def positions(shape, index):
    """Flat positions of the elements x[index] picks, by numpy's rules (the torch oracle
    for indices torch does not take, such as negative steps)."""
    return np.arange(math.prod(shape)).reshape(shape)[index].copy()


def has_negative_step(index):
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, slice) and i.step is not None and i.step < 0 for i in items)


def basic_index_params(draw, shape, *_):
    return {"index": draw(hnp.basic_indices(shape, allow_newaxis=True), label="index")}


def index_basic(T, x, index):
    if T is TORCH and has_negative_step(index):
        return x.reshape(-1)[torch.tensor(positions(tuple(x.shape), index))]
    return x[index]


def int_array_params(draw, shape, *_):
    form = draw(st.sampled_from(["all dims", "dim 0", "dim 1 after a slice"]))
    result = shapes(min_dims=0, max_dims=2, max_side=3)
    if form == "all dims":
        index = draw(hnp.integer_array_indices(shape, result_shape=result))
    elif form == "dim 0" or len(shape) < 2:
        index = draw(hnp.integer_array_indices(shape[:1], result_shape=result))
    else:
        (arr,) = draw(hnp.integer_array_indices(shape[1:2], result_shape=result))
        index = (slice(None), arr)
    return {"index": index}


def _tensor_index(T, index):
    items = index if isinstance(index, tuple) else (index,)
    return tuple(T.tensor(i) if isinstance(i, np.ndarray) else i for i in items)


def index_advanced(T, x, index):
    return x[_tensor_index(T, index)]


def mask_params(draw, shape, *_):
    lead = draw(st.integers(1, len(shape)))
    mask = draw(hnp.arrays(np.bool_, shape[:lead]), label="mask")
    return {"index": mask}


def setitem_layout(kind):
    def layout(draw, side):
        shape = draw(shapes(min_dims=1, max_side=side), label="shape")
        if kind == "basic":
            index = draw(hnp.basic_indices(shape, allow_newaxis=True), label="index")
        elif kind == "int array":  # unique: torch leaves the winner of a repeat unspecified
            n = shape[0]
            picked = draw(st.permutations(range(n)))[: draw(st.integers(1, n))]
            index = np.array([p - n if draw(st.booleans()) else p for p in picked])
        else:
            index = draw(hnp.arrays(np.bool_, shape[: draw(st.integers(1, len(shape)))]))
        target = np.empty(shape)[index].shape
        value_shape = broadcastable_to(draw, target)
        if draw(st.booleans()) and len(value_shape) == len(target):
            value_shape = (1,) + value_shape  # leading ones are dropped, as numpy and torch do
        return [shape, value_shape], {"index": index}

    return layout


def setitem(T, x, v, index):
    y = x.clone()  # in-place writes on a leaf that requires grad are refused
    if T is TORCH and has_negative_step(index):
        pos = positions(tuple(x.shape), index)
        v = v.reshape(tuple(v.shape)[max(0, v.ndim - pos.ndim) :])
        flat = y.reshape(-1)
        flat[torch.tensor(pos.reshape(-1))] = v.expand(pos.shape).reshape(-1)
        return flat.reshape(x.shape)
    y[_tensor_index(T, index) if not isinstance(index, tuple) else index] = v
    return y


def gather_layout(draw, side):
    shape = draw(shapes(min_dims=0, max_side=side), label="shape")
    dim = int_dim(draw, len(shape))
    d = dim % max(len(shape), 1)
    # any length along dim; at most the input's elsewhere (torch's rule)
    index_shape = tuple(draw(st.integers(1, side if i == d else s)) for i, s in enumerate(shape))
    n = shape[d] if shape else 1
    index = draw(hnp.arrays(np.int64, index_shape, elements=st.integers(0, n - 1)), label="index")
    return [shape], {"dim": dim, "index": index}


def clamp_layout(draw, side):
    # Bounds broadcast to x's shape: torch 2.13's clamp backward fails when they stretch x.
    shape = draw(shapes(max_side=side), label="shape")
    return [shape, broadcastable_to(draw, shape), broadcastable_to(draw, shape)]


def copy_layout(draw, side):
    shape = draw(shapes(max_side=side), label="shape")
    return [shape, broadcastable_to(draw, shape)]


# --------------------------------------------------------------------------- devices
# A second CPU backend stands in for another device: ToDevice moves between backend objects,
# so its forward and backward run here without a GPU.
_OTHER_CPU = NumpyBackend()


def to_device_and_back(T, x):
    if T is TORCH:
        return x.to("cpu") * 2
    there = ops.ToDevice.apply(x, _OTHER_CPU)
    return ops.ToDevice.apply(there * 2, get_backend("cpu"))


# --------------------------------------------------------------------------- rows
def _scalar_operands(T, x):
    return (2.0 - x) * 3 + 1.5 / (x * x + 1) - x / 4 + 1


def _prod(T, x, dim, keepdim):
    return x.prod() if dim is None else x.prod(dim, keepdim)  # torch.prod takes one dim or none


def dim_tuple_params(draw, shape, *_):
    dims = valid_dims(len(shape), allow_none=False).filter(lambda d: isinstance(d, tuple))
    return {"dim": draw(dims, label="dim"), "keepdim": draw(st.booleans(), label="keepdim")}


def _max_values_tuple(T, x, dim, keepdim):
    return x.max(dim=dim, keepdim=keepdim) if T is autograd else x.amax(dim=dim, keepdim=keepdim)


def _min_values_tuple(T, x, dim, keepdim):
    return x.min(dim=dim, keepdim=keepdim) if T is autograd else x.amin(dim=dim, keepdim=keepdim)


def _fill_tensor(T, x, v):
    y = x.clone()
    y.fill_(v)
    return y * x


def _fill(T, x):
    y = x.clone()
    y.fill_(0.5)
    return y * x


def _copy(T, x, src):
    y = x.clone()
    y.copy_(src)
    return y + x


def _inplace_arith(T, x, w):
    y = x.clone()
    y *= w
    y += w
    y -= 0.5
    y /= 2.0
    return y


def _where(T, x, y, cond):
    return T.where(T.tensor(cond), x, y)


def _cond_layout(draw, side):
    shape_c, shape_x, shape_y = draw(broadcastable_shapes(3, max_side=side), label="shapes")
    return [shape_x, shape_y], {"cond": draw(hnp.arrays(np.bool_, shape_c), label="cond")}


def _where_scalar_layout(draw, side):
    shape_c, shape_x = draw(broadcastable_shapes(2, max_side=side), label="shapes")
    return [shape_x], {"cond": draw(hnp.arrays(np.bool_, shape_c), label="cond")}


# --------------------------------------------------------------------------- sliding windows
def window_layout(columns):
    """Unfold's input (N, C, H, W) with a kernel, dilation, padding (asymmetric, of a value)
    and stride that fit it; with columns=True, Fold's input instead: the columns
    (C, kh, kw, N, Ho, Wo) of such an image."""

    def layout(draw, side):
        n, c = draw(st.integers(1, 2), label="N"), draw(st.integers(1, 2), label="C")
        kernel = (draw(st.integers(1, 2), label="kh"), draw(st.integers(1, 3), label="kw"))
        dilation = (draw(st.integers(1, 2), label="dh"), draw(st.integers(1, 2), label="dw"))
        padding = tuple(
            (draw(st.integers(0, 1), label="pad before"), draw(st.integers(0, 2), label="after"))
            for _ in range(2)
        )
        stride = (draw(st.integers(1, 2), label="sh"), draw(st.integers(1, 3), label="sw"))
        spans = [
            d * (k - 1) + 1 - lo - hi
            for k, d, (lo, hi) in zip(kernel, dilation, padding, strict=True)
        ]
        size = tuple(
            draw(st.integers(max(s, 1), max(s, 1) + side - 1), label="H, W") for s in spans
        )
        params = {"kernel": kernel, "dilation": dilation, "padding": padding, "stride": stride}
        if not columns:
            params["value"] = draw(st.sampled_from([0.0, -1.5]), label="value")
            return [(n, c) + size], params
        out = tuple((h - s) // j + 1 for h, s, j in zip(size, spans, stride, strict=True))
        return [(c,) + kernel + (n,) + out], {**params, "size": size}

    return layout


def unfold(T, x, kernel, dilation, padding, stride, value):
    if T is autograd:
        return ops.Unfold.apply(x, kernel, dilation, padding, stride, value)
    (top, bottom), (left, right) = padding
    x = F.pad(x, (left, right, top, bottom), value=value)
    n, c, h, w = x.shape
    ho, wo = (
        (s - d * (k - 1) - 1) // j + 1
        for s, k, d, j in zip((h, w), kernel, dilation, stride, strict=True)
    )
    cols = F.unfold(x, kernel, dilation=dilation, stride=stride)  # (N, C*kh*kw, Ho*Wo)
    return cols.reshape(n, c, *kernel, ho, wo).permute(1, 2, 3, 0, 4, 5)


def fold(T, cols, kernel, dilation, padding, stride, size):
    if T is autograd:
        return ops.Fold.apply(cols, size, kernel, dilation, padding, stride)
    (top, bottom), (left, right) = padding
    c, kh, kw, n, ho, wo = cols.shape
    flat = cols.permute(3, 0, 1, 2, 4, 5).reshape(n, c * kh * kw, ho * wo)
    padded = (size[0] + top + bottom, size[1] + left + right)
    out = F.fold(flat, padded, kernel, dilation=dilation, stride=stride)
    return out[:, :, top : top + size[0], left : left + size[1]]


def window_max(T, x, dim):
    """Max over dim with the gradient to the first maximum: torch's max(dim) routes so."""
    return ops.WindowMax.apply(x, dim) if T is autograd else x.max(dim).values


def conv_layout(draw, side):
    """conv2d's input (N, C, H, W), weight (O, C/groups, kh, kw) and, one draw in two, bias
    (O,), with a stride, padding (also 'same'), dilation and groups that fit them. Sizes
    leave the image at least one window (padding included)."""
    groups = draw(st.sampled_from([1, 1, 2]), label="groups")
    c = groups * draw(st.integers(1, 2), label="C/groups")
    o = groups * draw(st.integers(1, 2), label="O/groups")
    kernel = (draw(st.integers(1, 3), label="kh"), draw(st.integers(1, 2), label="kw"))
    dilation = (draw(st.integers(1, 2), label="dh"), draw(st.integers(1, 2), label="dw"))
    padding = draw(st.sampled_from([0, 1, (1, 0), "same"]), label="padding")
    stride = (1, 1) if padding == "same" else draw(st.sampled_from([1, 2, (1, 2)]), label="s")
    pads = (0, 0) if isinstance(padding, str) else (padding, padding)
    pads = pads[0] if isinstance(pads[0], tuple) else pads
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    size = tuple(
        draw(st.integers(max(1, s - 2 * p), max(1, s - 2 * p) + side - 1), label="H, W")
        for s, p in zip(spans, pads, strict=True)
    )
    n = draw(st.integers(1, 2), label="N")
    bias = [(o,)] if draw(st.booleans(), label="bias") else []
    params = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    return [(n, c) + size, (o, c // groups) + kernel] + bias, params


def _conv2d(T, x, w, *b, **p):
    functional = autograd_F if T is autograd else F
    return functional.conv2d(x, w, *b, **p)


def conv_transpose_layout(draw, side):
    """conv_transpose2d's input (N, C, H, W), weight (C, O/groups, kh, kw), bias or none."""
    groups = draw(st.sampled_from([1, 2]), label="groups")
    c = groups * draw(st.integers(1, 2), label="C/groups")
    o_group = draw(st.integers(1, 2), label="O/groups")
    kernel = (draw(st.integers(1, 3), label="kh"), draw(st.integers(1, 2), label="kw"))
    stride = draw(st.sampled_from([1, 2, (1, 2)]), label="stride")
    size = (draw(st.integers(1, side), label="H"), draw(st.integers(1, side), label="W"))
    bias = [(o_group * groups,)] if draw(st.booleans(), label="bias") else []
    params = {"stride": stride, "groups": groups}
    return [(draw(st.integers(1, 2), label="N"), c) + size, (c, o_group) + kernel] + bias, params


def _conv_transpose2d(T, x, w, *b, **p):
    functional = autograd_F if T is autograd else F
    return functional.conv_transpose2d(x, w, *b, **p)


def _windows_touch_input(n, k, s, p, d, ceil_mode):
    """Whether every pooling window along a dim of size n holds at least one input element
    (PyTorch's output count, ceil_mode's last window included when it starts in bounds)."""
    span = n + 2 * p - d * (k - 1) - 1
    o = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (o - 1) * s >= n + p:
        o -= 1
    return all(any(0 <= i * s - p + j * d < n for j in range(k)) for i in range(o))


def pool_layout(blocks):
    """max/avg pooling's input (N, C, H, W) or (C, H, W) and a kernel, stride, padding,
    dilation and ceil_mode that fit it; blocks=True: non-overlapping windows (stride =
    kernel, no padding or dilation), the reshape path."""

    def layout(draw, side):
        kernel = (draw(st.integers(1, 3), label="kh"), draw(st.integers(1, 2), label="kw"))
        if blocks:
            stride, padding, dilation = kernel, (0, 0), (1, 1)
        else:
            stride = (draw(st.integers(1, 2), label="sh"), draw(st.integers(1, 3), label="sw"))
            padding = tuple(draw(st.integers(0, k // 2), label="pad") for k in kernel)
            dilation = (draw(st.integers(1, 2), label="dh"), 1)
        spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
        size = tuple(
            draw(st.integers(max(1, s - 2 * p), max(1, s - 2 * p) + side), label="H, W")
            for s, p in zip(spans, padding, strict=True)
        )
        lead = draw(st.sampled_from([(1, 2), (2, 1), (2,)]), label="N, C")
        ceil_mode = draw(st.booleans(), label="ceil_mode")
        params = {
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
            "ceil_mode": ceil_mode,
        }
        # a window wholly in the padding gives -inf (max) and no finite differences
        assume(
            all(
                _windows_touch_input(*dims, ceil_mode)
                for dims in zip(size, kernel, stride, padding, dilation, strict=True)
            )
        )
        return [lead + size], params

    return layout


def _max_pool2d(T, x, **p):
    functional = autograd_F if T is autograd else F
    return functional.max_pool2d(x, **p)


def _avg_pool2d(T, x, dilation, **p):
    functional = autograd_F if T is autograd else F
    return functional.avg_pool2d(x, **p)


# --------------------------------------------------------------------------- layers, losses
def linear_layout(draw, side):
    """x (*, in), weight (out, in) and, for one draw in two, bias (out,)."""
    lead = draw(shapes(max_dims=2, min_side=0, max_side=side), label="leading dims")
    n_in = draw(st.integers(1, side), label="in_features")
    n_out = draw(st.integers(1, side), label="out_features")
    bias = [(n_out,)] if draw(st.booleans(), label="bias") else []
    return [lead + (n_in,), (n_out, n_in)] + bias


def nll_layout(draw, side):
    """Scores (N, C, d...) or (C,), class indices (-1: ignored), class weights or none, and a
    reduction."""
    shape = draw(shapes(min_dims=1, max_side=side), label="shape")
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    target_shape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    classes = st.integers(-1, n_classes - 1)
    target = draw(hnp.arrays(np.int64, target_shape, elements=classes), label="target")
    reduction = draw(st.sampled_from(["mean", "sum", "none"]), label="reduction")
    assume(reduction != "mean" or (target != -1).any())  # the mean of no target is nan
    weights = hnp.arrays(np.float64, (n_classes,), elements=st.floats(0.25, 2.0))
    weight = draw(st.one_of(st.none(), weights), label="weight")
    return [shape], {"target": target, "weight": weight, "reduction": reduction}


def _nll_loss(T, x, target, weight, reduction, fused=False):
    w = None if weight is None else T.tensor(weight, dtype=x.dtype)
    if T is TORCH:
        loss = F.cross_entropy if fused else F.nll_loss
        return loss(x, torch.tensor(target), w, ignore_index=-1, reduction=reduction)
    loss = ops.loss.CrossEntropy if fused else ops.loss.NLLLoss
    return loss.apply(x, T.tensor(target).array, w, -1, reduction)  # on x's device


WIDE = {"elements": st.floats(-1000.0, 1000.0)}  # e^x overflows float64 beyond 709


OFF_GRIDS = [offset_grid(i) for i in range(3)]
unary = case(same(1, min_side=0))  # 0-d, size-1 and empty dims

PROBABILITIES = {"min_value": 0.05, "max_value": 0.95}


def _bce(T, x, y):
    """Elementwise binary cross-entropy (its primitive), gradients to input and target."""
    functional = autograd_F if T is autograd else F
    return functional.binary_cross_entropy(x, y, reduction="none")


def _bce_logits(T, x, y):
    functional = autograd_F if T is autograd else F
    return functional.binary_cross_entropy_with_logits(x, y, reduction="none")


def _bce_logits_pos(T, x, y, p):
    """A 0-d pos_weight p, broadcast against x."""
    functional = autograd_F if T is autograd else F
    weight = T.tensor(p, dtype=x.dtype)
    return functional.binary_cross_entropy_with_logits(x, y, reduction="none", pos_weight=weight)


def _gelu(T, x):
    functional = autograd_F if T is autograd else F
    return functional.gelu(x)


ROWS = [
    # ----------------------------------------------------------- elementwise, binary
    Row("add", lambda T, x, y: x + y, case(broadcast(2, min_side=0))),
    Row("sub", lambda T, x, y: x - y, case(broadcast(2))),
    Row("mul", lambda T, x, y: x * y, case(broadcast(2))),
    Row("div", lambda T, x, y: x / y, case(broadcast(2), [{}, NONZERO])),
    Row("scalar_operands", _scalar_operands, unary),
    Row("pow_int_exponent", lambda T, x, p: x**p, case(same(1), params=pick(p=[0, 1, 2, 3]))),
    Row(
        "pow_real_exponent",
        lambda T, x, p: x**p,
        case(same(1), POSITIVE, pick(p=[-1.5, -1.0, 0.5, 2.5])),
    ),
    Row("pow_tensor_tensor", lambda T, x, y: x**y, case(broadcast(2), [POSITIVE, {}])),
    Row("pow_scalar_base", lambda T, x, b: b**x, case(same(1), params=pick(b=[2.0, 0.5, 3.0]))),
    Row("neg", lambda T, x: -x, unary),
    Row("maximum", lambda T, x, y: T.maximum(x, y), case(broadcast(2), OFF_GRIDS[:2])),
    Row("minimum", lambda T, x, y: T.minimum(x, y), case(broadcast(2), OFF_GRIDS[:2])),
    Row("where", _where, case(_cond_layout)),
    Row(
        "where_scalar_other",
        lambda T, x, cond: T.where(T.tensor(cond), x, 0.5),
        case(_where_scalar_layout),
    ),
    # ----------------------------------------------------------- elementwise, unary
    Row("exp", lambda T, x: x.exp(), unary),
    Row("log", lambda T, x: x.log(), case(same(1, min_side=0), POSITIVE)),
    Row("sqrt", lambda T, x: T.sqrt(x), case(same(1, min_side=0), POSITIVE)),
    Row("log1p", lambda T, x: x.log1p(), case(same(1, min_side=0), POSITIVE)),
    Row("expm1", lambda T, x: x.expm1(), unary),
    Row("sin", lambda T, x: x.sin(), unary),
    Row("cos", lambda T, x: T.cos(x), unary),
    Row("tanh", lambda T, x: x.tanh(), unary),
    Row("sigmoid", lambda T, x: x.sigmoid(), unary),
    Row("relu", lambda T, x: x.relu(), case(same(1), NO_KINKS)),
    Row("abs", lambda T, x: x.abs(), case(same(1), NO_KINKS)),
    Row("sign", lambda T, x: x.sign(), case(same(1), NO_KINKS)),
    Row(
        "clamp",
        lambda T, x, bounds: x.clamp(**bounds),
        case(
            same(1),
            NO_KINKS,
            pick(
                bounds=[
                    {"min": -1.0, "max": 0.5},
                    {"max": 0.25},
                    {"min": -0.5},
                    {"min": 0.0, "max": 0.0},
                    {"min": 1.0, "max": -1.0},
                ]
            ),
        ),
    ),  # fmt: skip
    Row("clamp_tensor_bounds", lambda T, x, lo, hi: x.clamp(lo, hi), case(clamp_layout, OFF_GRIDS)),
    # ----------------------------------------------------------- reductions
    Row("sum", lambda T, x, **p: x.sum(**p), case(same(1, min_side=0), params=reduce_params())),
    Row("mean", lambda T, x, **p: x.mean(**p), case(same(1), params=reduce_params())),
    Row(
        "var",
        lambda T, x, **p: x.var(**p),
        case(same(1, min_dims=1, min_side=3), params=reduce_params(correction=[0, 1, 2])),
    ),
    Row(
        "var_unbiased_flag",
        lambda T, x, dim, keepdim, unbiased: x.var(dim, unbiased, keepdim),
        case(
            same(1, min_dims=1, min_side=2),
            params=reduce_params(False, False, unbiased=[True, False]),
        ),
    ),
    Row(
        "std",
        lambda T, x, **p: x.std(**p),
        case(same(1, min_dims=1, min_side=2), DISTINCT, params=reduce_params()),
    ),
    Row("prod", _prod, case(same(1), NONZERO, params=reduce_params(tuples=False))),
    Row("prod_with_zeros", _prod, case(same(1), WITH_ZEROS, params=reduce_params(tuples=False))),
    Row("max_full", lambda T, x: x.max(), case(same(1), DISTINCT)),
    Row("min_full", lambda T, x: T.min(x), case(same(1), DISTINCT)),
    Row(
        "max_dim",
        lambda T, x, **p: x.max(**p),
        case(same(1), DISTINCT, params=reduce_params(none=False, tuples=False)),
    ),
    Row(
        "min_dim",
        lambda T, x, **p: x.min(**p),
        case(same(1), DISTINCT, params=reduce_params(none=False, tuples=False)),
    ),
    Row("max_dim_tuple", _max_values_tuple, case(same(1), DISTINCT, params=dim_tuple_params)),
    Row("min_dim_tuple", _min_values_tuple, case(same(1), DISTINCT, params=dim_tuple_params)),
    Row("amax", lambda T, x, **p: x.amax(**p), case(same(1), DISTINCT, params=reduce_params())),
    Row("amin", lambda T, x, **p: T.amin(x, **p), case(same(1), DISTINCT, params=reduce_params())),
    Row(
        "logsumexp",
        lambda T, x, **p: T.logsumexp(x, **p),
        case(same(1), params=reduce_params(none=False)),
    ),
    Row("softmax", lambda T, x, dim: x.softmax(dim), case(same(1), params=one_dim)),
    Row("log_softmax", lambda T, x, dim: T.log_softmax(x, dim), case(same(1), params=one_dim)),
    *(
        Row(
            name + suffix,
            f,
            case(same(1), elements, params=reduce_params(tuples=False)),
            grad=False,
        )
        for suffix, elements in (("", DISTINCT), ("_ties", TIES))  # ties: the first index wins
        for name, f in (
            ("argmax", lambda T, x, **p: x.argmax(**p)),
            ("argmin", lambda T, x, **p: T.argmin(x, **p)),
        )
    ),
    # ----------------------------------------------------------- shape
    Row("reshape", lambda T, x, shape: x.reshape(shape), case(same(1), params=reshape_params)),
    Row("view", lambda T, x, shape: x.view(shape), case(same(1), params=reshape_params)),
    Row(
        "transpose",
        lambda T, x, dim0, dim1: x.transpose(dim0, dim1),
        case(same(1), params=transpose_params),
    ),
    Row("permute", lambda T, x, dims: x.permute(dims), case(same(1), params=permute_params)),
    Row("flatten", lambda T, x, **p: x.flatten(**p), case(same(1), params=flatten_params)),
    Row(
        "squeeze",
        lambda T, x, dim: x.squeeze(dim) if dim is not None else x.squeeze(),
        case(same(1, max_dims=4), params=squeeze_params),
    ),
    Row("unsqueeze", lambda T, x, dim: x.unsqueeze(dim), case(same(1), params=unsqueeze_params)),
    Row("expand", lambda T, x, shape: x.expand(shape), case(same(1), params=expand_params(True))),
    Row(
        "broadcast_to",
        lambda T, x, shape: T.broadcast_to(x, shape),
        case(same(1), params=expand_params(False)),
    ),
    Row("T", lambda T, x: x.T, case(same(1, min_dims=2, max_dims=2))),  # torch warns off 2-D
    Row("mT", lambda T, x: x.mT, case(same(1, min_dims=2))),
    Row("cat", lambda T, *xs, dim: T.cat(xs, dim), case(cat_layout(stack=False))),
    Row("stack", lambda T, *xs, dim: T.stack(xs, dim), case(cat_layout(stack=True))),
    Row(
        "split",
        lambda T, x, split, dim: T.split(x, split, dim),
        case(same(1, min_dims=1), params=split_params),
    ),
    Row(
        "chunk",
        lambda T, x, chunks, dim: x.chunk(chunks, dim),
        case(same(1, min_dims=1), params=chunk_params),
    ),
    Row("pad_constant", lambda T, x, **p: T.pad(x, **p), case(pad_layout("constant"))),
    Row("pad_reflect", lambda T, x, **p: T.pad(x, **p), case(pad_layout("reflect"))),
    Row("pad_replicate", lambda T, x, **p: T.pad(x, **p), case(pad_layout("replicate"))),
    Row("pad_circular", lambda T, x, **p: T.pad(x, **p), case(pad_layout("circular"))),
    # ----------------------------------------------------------- indexing
    Row("index_basic", index_basic, case(same(1), params=basic_index_params)),
    Row("index_int_arrays", index_advanced, case(same(1, min_dims=1), params=int_array_params)),
    Row("index_bool_mask", index_advanced, case(same(1, min_dims=1), params=mask_params)),
    Row("setitem_basic", setitem, case(setitem_layout("basic"))),
    Row("setitem_int_array", setitem, case(setitem_layout("int array"))),
    Row("setitem_bool_mask", setitem, case(setitem_layout("mask"))),
    Row("gather", lambda T, x, dim, index: T.gather(x, dim, T.tensor(index)), case(gather_layout)),
    # ----------------------------------------------------------- matmul
    Row("matmul_1d_1d", lambda T, x, y: x @ y, case(matmul_layout("1d@1d"))),
    Row("matmul_1d_2d", lambda T, x, y: T.matmul(x, y), case(matmul_layout("1d@2d"))),
    Row("matmul_2d_1d", lambda T, x, y: x @ y, case(matmul_layout("2d@1d"))),
    Row("matmul_2d_2d", lambda T, x, y: x.matmul(y), case(matmul_layout("2d@2d"))),
    Row("matmul_batched", lambda T, x, y: x @ y, case(matmul_layout("batched"))),
    # ----------------------------------------------------------- copies, casts, in-place
    Row("clone", lambda T, x: x.clone() * 1, unary),
    Row(
        "to_dtype",
        lambda T, x: (x.to(T.float32) * 2).to(T.float64),
        case(same(1)),
        tol={"eps": 1e-3, "atol": 1e-3},
    ),
    Row("to_device", to_device_and_back, case(same(1))),
    Row("fill_", _fill, case(same(1))),
    Row("fill_tensor_value", _fill_tensor, case(lambda d, side: [d(shapes(max_side=side)), ()])),
    Row("copy_", _copy, case(copy_layout)),
    Row("inplace_arith", _inplace_arith, case(copy_layout)),
    # ----------------------------------------------------------- sliding windows
    Row("unfold", unfold, case(window_layout(columns=False))),
    Row("fold", fold, case(window_layout(columns=True))),
    Row("window_max", window_max, case(same(1, min_dims=1), DISTINCT, params=one_dim)),
    # ----------------------------------------------------------- convolution and pooling
    Row("conv2d", _conv2d, case(conv_layout)),
    Row("conv_transpose2d", _conv_transpose2d, case(conv_transpose_layout)),
    Row("max_pool2d", _max_pool2d, case(pool_layout(blocks=False), DISTINCT)),
    Row("max_pool2d_blocks", _max_pool2d, case(pool_layout(blocks=True), DISTINCT)),
    Row("avg_pool2d", _avg_pool2d, case(pool_layout(blocks=False))),
    # ----------------------------------------------------------- layers and losses
    Row(
        "linear",
        lambda T, x, w, *b: ops.linalg.Linear.apply(x, w, *b),
        case(linear_layout),
        torch_fn=lambda T, x, w, *b: F.linear(x, w, *b),
    ),
    Row("log_softmax_wide", lambda T, x, dim: x.log_softmax(dim), case(same(1), WIDE, one_dim)),
    Row("nll_loss", _nll_loss, case(nll_layout)),
    Row("cross_entropy", lambda T, x, **p: _nll_loss(T, x, **p, fused=True), case(nll_layout)),
    Row("binary_cross_entropy", _bce, case(same(2, min_side=0), [PROBABILITIES] * 2)),
    Row("bce_with_logits", _bce_logits, case(same(2, min_side=0))),
    Row("gelu", _gelu, unary),  # (helper memory) the Gelu primitive, GeluGrad in its backward
    Row(
        "bce_with_logits_pos_weight",
        _bce_logits_pos,
        case(same(2, min_side=0), params=lambda draw, *_: {"p": draw(st.floats(0.25, 4.0))}),
    ),
]


def _square_layout(draw, side):
    """(batch..., n, n): 0 or 1 batch dims (maybe empty), n from 0."""
    n = draw(st.integers(0, max(side, 1)), label="n")
    batch = draw(shapes(0, 1, 0, max(side, 1)), label="batch")
    return [tuple(batch) + (n, n)]


def _dominant(T, x):
    """x + n I: with |x_ij| < 1, diagonally dominant, so far from singular."""
    n = x.shape[-1]
    return x + n * T.eye(n, dtype=x.dtype)


# --------------------------------------------------------------------------- tensor math
# (helper math) special functions, scans, scatter, einsum, norms and the compositions built
# on them (sorting, selection, construction).
UNIT = {"min_value": -0.9, "max_value": 0.9}
ABOVE_ONE = {"min_value": 1.25, "max_value": 3.0}
# k/7 + 0.013: at least 0.013 from an integer and 0.05 from a half-integer, also times 10,
# so finite differences never straddle a jump of floor/ceil/round/trunc (or of fmod and
# remainder by the divisors below).
ROUNDING = {"elements": st.integers(-21, 21).map(lambda k: k / 7 + 0.013)}
DIVISORS = {"elements": st.sampled_from([1.5, -2.5, 0.75])}


def _unary_row(names, domain=None, **kw):
    """One row for several unary methods on the same input: a tuple of their outputs."""

    def fn(T, x):
        return tuple(getattr(x, name)() if i % 2 else getattr(T, name)(x) for i, name in
                     enumerate(names.split()))  # fmt: skip

    return Row(names.replace(" ", "_"), fn, case(same(1, min_side=0), domain), **kw)


def scan_params(draw, shape, *_):
    return {"dim": int_dim(draw, len(shape))}


def scatter_layout(mode):
    """x, src and an index of src's shape (no index shape larger than x off dim); "set" draws
    each target slot at most once per column (torch leaves the winner of a repeat open)."""

    def layout(draw, side):
        shape = draw(shapes(min_dims=1, max_dims=3, max_side=side), label="shape")
        d = draw(st.integers(0, len(shape) - 1), label="dim")
        n = shape[d]
        index_shape = tuple(
            draw(st.integers(1, n)) if i == d else draw(st.integers(1, s))
            for i, s in enumerate(shape)
        )
        if mode == "set":
            cols = math.prod(index_shape) // index_shape[d]
            perms = [draw(st.permutations(range(n)))[: index_shape[d]] for _ in range(cols)]
            index = np.moveaxis(
                np.array(perms, dtype=np.int64).T.reshape(
                    (index_shape[d],) + index_shape[:d] + index_shape[d + 1 :]
                ),
                0,
                d,
            )
        else:
            index = draw(hnp.arrays(np.int64, index_shape, elements=st.integers(0, n - 1)))
        return [shape, index_shape], {"dim": d - len(shape) * draw(st.booleans()), "index": index}

    return layout


def _scatter(T, x, src, dim, index):
    return x.scatter(dim, T.tensor(index), src)


def _scatter_add(T, x, src, dim, index):
    return T.scatter_add(x, dim, T.tensor(index), src)


EINSUMS = {
    "ij,jk->ik": [(2, 3), (3, 4)],
    "bij,bjk->bik": [(2, 2, 3), (2, 3, 2)],
    "ii->i": [(3, 3)],
    "ii": [(3, 3)],
    "ij->": [(2, 3)],
    "i,j->ij": [(2,), (3,)],
    "ij,ij->i": [(2, 3), (2, 3)],
    "...j,jk->...k": [(2, 2, 3), (3, 2)],
    "iij,jk->ik": [(2, 2, 3), (3, 2)],
}


def einsum_layout(draw, side):
    eq = draw(st.sampled_from(sorted(EINSUMS)), label="equation")
    return list(EINSUMS[eq]), {"equation": eq}


def norm_params(draw, shape, *_):
    dims = valid_dims(len(shape), allow_none=True, allow_tuple=True)
    out = {"dim": draw(dims, label="dim"), "keepdim": draw(st.booleans(), label="keepdim")}
    return {**out, "ord": draw(st.sampled_from([2, 1, 3, 0.5, math.inf, -math.inf, -1.5]))}


def _vector_norm(T, x, ord, dim, keepdim):
    return T.linalg.vector_norm(x, ord, dim, keepdim)


def _matrix_norm(T, x, ord):
    return T.linalg.matrix_norm(x, ord)


def sort_params(draw, shape, *_):
    return {"dim": int_dim(draw, len(shape)), "descending": draw(st.booleans())}


def topk_layout(draw, side):
    shape = draw(shapes(min_dims=1, max_side=side), label="shape")
    dim = int_dim(draw, len(shape))
    k = draw(st.integers(0, shape[dim]), label="k")
    return [shape], {"k": k, "dim": dim, "largest": draw(st.booleans())}


def kth_layout(draw, side):
    shape = draw(shapes(min_dims=1, max_side=side), label="shape")
    dim = int_dim(draw, len(shape))
    k = draw(st.integers(1, shape[dim]), label="k")
    return [shape], {"k": k, "dim": dim, "keepdim": draw(st.booleans())}


def diff_layout(draw, side):
    shape = draw(shapes(min_dims=1, max_side=side), label="shape")
    dim = int_dim(draw, len(shape))
    d = dim % len(shape)
    extra = [shape[:d] + (draw(st.integers(1, 2)),) + shape[d + 1 :] for _ in range(2)]
    n = draw(st.integers(1, 3), label="n")
    return [shape] + extra, {"n": n, "dim": dim}


def _masked_fill(T, x, mask):
    return x.masked_fill(T.tensor(mask), -1.5)


def _mask_layout(draw, side):
    shape_x, shape_m = draw(broadcastable_shapes(2, max_side=side), label="shapes")
    assume(np.broadcast_shapes(shape_x, shape_m) == shape_x)
    return [shape_x], {"mask": draw(hnp.arrays(np.bool_, shape_m), label="mask")}


def index_select_layout(draw, side):
    shape = draw(shapes(min_dims=1, max_side=side), label="shape")
    dim = int_dim(draw, len(shape))
    n = shape[dim]
    index = draw(hnp.arrays(np.int64, (draw(st.integers(0, 4)),), elements=st.integers(0, n - 1)))
    return [shape], {"dim": dim, "index": index}


def index_add_layout(draw, side):
    (shape,), p = index_select_layout(draw, side)
    src = list(shape)
    src[p["dim"]] = len(p["index"])
    return [shape, tuple(src)], p


def roll_params(draw, shape, *_):
    if draw(st.booleans()):
        return {"shifts": draw(st.integers(-5, 5)), "dims": None}
    dims = draw(st.permutations(range(len(shape))))[: draw(st.integers(1, len(shape)))]
    return {"shifts": tuple(draw(st.integers(-5, 5)) for _ in dims), "dims": tuple(dims)}


def flip_params(draw, shape, *_):
    dims = draw(st.permutations(range(len(shape))))[: draw(st.integers(0, len(shape)))]
    return {"dims": tuple(d - len(shape) * draw(st.booleans()) for d in dims)}


def repeat_interleave_params(draw, shape, *_):
    dim = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)), label="dim")
    n = math.prod(shape) if dim is None else shape[dim]
    if draw(st.booleans()):
        return {"repeats": draw(st.integers(0, 3)), "dim": dim}
    return {"repeats": draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), "dim": dim}


def _repeat_interleave(T, x, repeats, dim):
    r = T.tensor(repeats) if isinstance(repeats, list) else repeats
    return x.repeat_interleave(r, dim=dim)


def diagonal_params(draw, shape, *_):
    d1, d2 = draw(st.permutations(range(len(shape))))[:2]
    return {"offset": draw(st.integers(-3, 3)), "dim1": d1, "dim2": d2}


def movedim_params(draw, shape, *_):
    k = draw(st.integers(1, len(shape)))
    src = draw(st.permutations(range(len(shape))))[:k]
    dst = draw(st.permutations(range(len(shape))))[:k]
    return {"source": tuple(src), "destination": tuple(dst)}


def cross_layout(draw, side):
    """Two shapes (*, 3) that broadcast, of the same ndim (torch.linalg.cross asks for it)."""
    a, b = draw(broadcastable_shapes(2, min_dims=0, max_dims=2, max_side=side), label="shapes")
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    return [a + (3,), b + (3,)]


def _lerp_layout(draw, side):
    return list(draw(broadcastable_shapes(3, max_side=side), label="shapes"))


MATH_ROWS = [
    # unary functions in groups by domain (one row each, a tuple of outputs: fewer draws)
    _unary_row("log10 log2 acosh", ABOVE_ONE),
    _unary_row("exp2 sinh cosh atan asinh erf erfc"),
    _unary_row("reciprocal", NONZERO),
    _unary_row("rsqrt", POSITIVE),
    _unary_row("tan asin acos atanh erfinv", UNIT),
    _unary_row("floor ceil trunc round frac", ROUNDING),
    Row(
        "round_decimals",
        lambda T, x, decimals: x.round(decimals=decimals),
        case(same(1), ROUNDING, pick(decimals=[1, 2, -1])),
        tol={"eps": 1e-7},
    ),
    Row("atan2", lambda T, y, x: T.atan2(y, x), case(broadcast(2), [NONZERO, NONZERO])),
    Row("fmod", lambda T, x, y: T.fmod(x, y), case(broadcast(2), [ROUNDING, DIVISORS])),
    Row("remainder", lambda T, x, y: x.remainder(y), case(broadcast(2), [ROUNDING, DIVISORS])),
    Row(
        "div_floor",
        lambda T, x, y: T.div(x, y, rounding_mode="floor"),
        case(broadcast(2), [ROUNDING, DIVISORS]),
    ),
    Row(
        "div_trunc",
        lambda T, x, y: x.div(y, rounding_mode="trunc"),
        case(broadcast(2), [ROUNDING, DIVISORS]),
    ),
    Row(
        "floor_divide",
        lambda T, x, y: x // y,
        case(broadcast(2), [ROUNDING, DIVISORS]),
        grad=False,
    ),
    Row("lerp", lambda T, a, b, w: T.lerp(a, b, w), case(_lerp_layout)),
    Row("logaddexp", lambda T, x, y: T.logaddexp(x, y), case(broadcast(2), WIDE)),
    Row("hypot", lambda T, x, y: T.hypot(x, y), case(broadcast(2), [NONZERO, NONZERO])),
    Row("xlogy", lambda T, x, y: T.xlogy(x, y), case(broadcast(2), [WITH_ZEROS, POSITIVE])),
    Row("cumsum", lambda T, x, dim: x.cumsum(dim), case(same(1, min_side=0), params=scan_params)),
    Row("cumprod", lambda T, x, dim: T.cumprod(x, dim), case(same(1), NONZERO, scan_params)),
    Row(
        "cumprod_with_zeros",
        lambda T, x, dim: x.cumprod(dim),
        case(same(1), WITH_ZEROS, scan_params),
    ),
    Row("scatter", _scatter, case(scatter_layout("set"))),
    Row("scatter_add", _scatter_add, case(scatter_layout("add"))),
    Row("einsum", lambda T, *xs, equation: T.einsum(equation, *xs), case(einsum_layout)),
    Row("vector_norm", _vector_norm, case(same(1), NONZERO, norm_params), smooth=False),
    Row("norm_fro", lambda T, x: x.norm(), case(same(1, min_side=0), NONZERO)),
    Row(
        "matrix_norm",
        _matrix_norm,
        case(same(1, min_dims=2), DISTINCT, pick(ord=["fro", 1, -1, math.inf, -math.inf])),
        smooth=False,
    ),
    Row(
        "sort",
        lambda T, x, dim, descending: x.sort(dim, descending),
        case(same(1), DISTINCT, sort_params),
    ),
    Row("topk", lambda T, x, **p: x.topk(**p), case(topk_layout, DISTINCT)),
    Row("kthvalue", lambda T, x, **p: T.kthvalue(x, **p), case(kth_layout, DISTINCT)),
    Row(
        "median_dim",
        lambda T, x, **p: x.median(**p),
        case(same(1), DISTINCT, reduce_params(none=False, tuples=False)),
    ),
    Row("diff", lambda T, x, a, b, **p: T.diff(x, prepend=a, append=b, **p), case(diff_layout)),
    Row("masked_fill", _masked_fill, case(_mask_layout)),
    Row(
        "index_select",
        lambda T, x, dim, index: x.index_select(dim, T.tensor(index)),
        case(index_select_layout),
    ),
    Row(
        "index_add",
        lambda T, x, s, dim, index: x.index_add(dim, T.tensor(index), s, alpha=2.0),
        case(index_add_layout),
    ),
    Row("roll", lambda T, x, **p: x.roll(**p), case(same(1, min_dims=1), params=roll_params)),
    Row("flip", lambda T, x, dims: T.flip(x, dims), case(same(1), params=flip_params)),
    Row(
        "repeat_interleave",
        _repeat_interleave,
        case(same(1, min_dims=1), params=repeat_interleave_params),
    ),
    Row(
        "tril",
        lambda T, x, k: x.tril(k),
        case(same(1, min_dims=2), params=pick(k=[0, 1, -1, 3])),
    ),
    Row(
        "triu",
        lambda T, x, k: T.triu(x, k),
        case(same(1, min_dims=2), params=pick(k=[0, 1, -2])),
    ),
    Row("outer", lambda T, x, y: T.outer(x, y), case(lambda d, s: [(d(st.integers(0, s)),), (2,)])),
    Row(
        "diag_embed",
        lambda T, x, k: T.diag(x, k),
        case(same(1, min_dims=1, max_dims=1), params=pick(k=[0, 1, -2])),
    ),
    Row(
        "diagonal",
        lambda T, x, **p: x.diagonal(**p),
        case(same(1, min_dims=2), params=diagonal_params),
    ),
    Row("trace", lambda T, x: x.trace(), case(same(1, min_dims=2, max_dims=2))),
    Row("kron", lambda T, x, y: T.kron(x, y), case(broadcast(2))),
    Row("cross", lambda T, x, y: T.linalg.cross(x, y), case(cross_layout)),
    Row(
        "movedim",
        lambda T, x, **p: T.movedim(x, **p),
        case(same(1, min_dims=1), params=movedim_params),
    ),
    Row("take", lambda T, x: x.take(T.tensor([[0, -1], [0, 0]])), case(same(1))),
    Row(
        "masked_select",
        lambda T, x, mask: x.masked_select(T.tensor(mask)),
        case(_mask_layout),
    ),
    # (names helper) inverse and determinant of diagonally dominant (well-conditioned) matrices
    Row("linalg_inv", lambda T, x: T.linalg.inv(_dominant(T, x)), case(_square_layout, UNIT)),
    Row("linalg_det", lambda T, x: T.linalg.det(_dominant(T, x)), case(_square_layout, UNIT)),
]
ROWS = ROWS + MATH_ROWS
ROWS_BY_NAME = {row.name: row for row in ROWS}
assert len(ROWS_BY_NAME) == len(ROWS), "row names must be unique"
GRAD_ROWS = [row for row in ROWS if row.grad]
SMOOTH_ROWS = [row for row in GRAD_ROWS if row.smooth]


# --------------------------------------------------------------------------- helpers
def ours_leaves(arrays, dtype=np.float64, requires_grad=True):
    return [autograd.Tensor(a.astype(dtype), requires_grad=requires_grad) for a in arrays]


def torch_leaves(arrays, dtype=np.float64, requires_grad=True):
    return [torch.tensor(a.astype(dtype), requires_grad=requires_grad) for a in arrays]


def as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def assert_matches(ours, theirs, rtol=1e-7, atol=1e-7):
    """Same shape, same dtype, same values (exactly for integers and bools)."""
    assert isinstance(ours, autograd.Tensor), f"expected a Tensor, got {type(ours).__name__}"
    assert tuple(ours.shape) == tuple(theirs.shape), f"shape {ours.shape} != torch {theirs.shape}"
    assert dtype_name(ours) == dtype_name(theirs), f"dtype {ours.dtype} != torch {theirs.dtype}"
    a = ours.detach().numpy()
    b = theirs.detach().numpy()
    if a.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def assert_grads_match(xs, ts, rtol=1e-7, atol=1e-7):
    for i, (x, t) in enumerate(zip(xs, ts, strict=True)):
        ours = np.zeros(x.shape) if x.grad is None else x.grad.numpy()
        theirs = np.zeros(tuple(t.shape)) if t.grad is None else t.grad.numpy()
        assert ours.shape == theirs.shape, f"input {i}: grad shape {ours.shape} != {theirs.shape}"
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=f"input {i}")


def call(row, case_, T_inputs, ours):
    return as_list((row.ours if ours else row.theirs)(*T_inputs, **case_.params))


def param_rows(rows):
    return pytest.mark.parametrize("row", rows, ids=[row.name for row in rows])


# --------------------------------------------------------------------------- table tests
@param_rows(ROWS)
@settings(max_examples=25)
@given(data=st.data())
def test_forward_matches_torch(row, data):
    c = data.draw(row.inputs(SIDE_PARITY), label="case")
    ours = call(row, c, ours_leaves(c.arrays), True)
    theirs = call(row, c, torch_leaves(c.arrays), False)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs, strict=True):
        assert_matches(o, t)
        assert o.requires_grad == t.requires_grad
    # float32 in, torch's result dtype out
    ours = call(row, c, ours_leaves(c.arrays, np.float32), True)
    theirs = call(row, c, torch_leaves(c.arrays, np.float32), False)
    for o, t in zip(ours, theirs, strict=True):
        assert_matches(o, t, rtol=1e-4, atol=1e-4)


@param_rows(GRAD_ROWS)
@settings(max_examples=25)
@given(data=st.data())
def test_gradients_match_torch(row, data):
    c = data.draw(row.inputs(SIDE_PARITY), label="case")
    xs = ours_leaves(c.arrays)
    ts = torch_leaves(c.arrays)
    pairs = [
        (o, t)
        for o, t in zip(call(row, c, xs, True), call(row, c, ts, False), strict=True)
        if t.requires_grad
    ]
    assert pairs, "no differentiable output"
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    upstream = [rng.standard_normal(tuple(t.shape)) for _, t in pairs]
    autograd.backward([o for o, _ in pairs], [autograd.Tensor(g) for g in upstream])
    torch.autograd.backward([t for _, t in pairs], [torch.tensor(g) for g in upstream])
    assert_grads_match(xs, ts)


@param_rows(GRAD_ROWS)
@settings(max_examples=15)
@given(data=st.data())
def test_gradcheck(row, data):
    assert _check(autograd.gradcheck, row, data, SIDE_GRADCHECK)


@param_rows(SMOOTH_ROWS)
@settings(max_examples=10)
@given(data=st.data())
def test_gradgradcheck(row, data):
    assert _check(autograd.gradgradcheck, row, data, SIDE_GRADGRAD)


def _check(check, row, data, side):
    """check (gradcheck or gradgradcheck) of row's op at drawn non-empty inputs, each dim at
    most side long."""
    c = data.draw(row.inputs(side, empty=False), label="case")
    autograd.manual_seed(0)  # gradgradcheck draws its upstream gradient
    return check(lambda *xs: row.ours(*xs, **c.params), ours_leaves(c.arrays), **row.tol)


@param_rows(GRAD_ROWS)
@settings(max_examples=8)
@given(data=st.data())
def test_both_speeds_of_each_rule_agree(row, data):
    """Each backward rule is written once and runs at two speeds (Function._array_rule): on
    raw arrays when no graph of the backward is recorded, on Tensors under create_graph.
    Both give the same gradients, of the same dtypes, in float64 and float32."""
    c = data.draw(row.inputs(SIDE_PARITY), label="case")
    for dtype, rtol in ((np.float64, 1e-12), (np.float32, 1e-5)):
        results = []
        for create_graph in (False, True):
            xs = ours_leaves(c.arrays, dtype)
            outs = [o for o in call(row, c, xs, True) if o.requires_grad]
            if not outs:
                return
            rng = np.random.default_rng(0)
            upstream = [
                autograd.Tensor(rng.standard_normal(tuple(o.shape)).astype(o.dtype)) for o in outs
            ]
            autograd.backward(outs, upstream, create_graph=create_graph)
            results.append([None if x.grad is None else x.grad.detach().numpy() for x in xs])
        for fast, recorded in zip(*results, strict=True):
            assert (fast is None) == (recorded is None)
            if fast is not None:
                assert fast.dtype == recorded.dtype
                np.testing.assert_allclose(fast, recorded, rtol=rtol, atol=rtol)


def _primitives_in_graph(roots):
    """The Function classes of every node reachable from roots."""
    seen = set()
    visited = set()
    stack = [r.grad_fn for r in roots if r.grad_fn is not None]
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        seen.add(node._fn)
        stack.extend(u for u in node._next if u is not None and u._fn is not None)
    return seen


def _primitives_of_row(row):
    """The primitives in the graphs a row builds: forward, and backward with create_graph
    (an upstream gradient that requires grad records the backward's own ops, IndexAdd...)."""
    seen = set()

    @settings(max_examples=5)
    @given(row.inputs(SIDE_GRADCHECK))
    def run(c):
        xs = ours_leaves(c.arrays)
        outs = [o for o in as_list(row.ours(*xs, **c.params)) if o.requires_grad]
        upstream = [autograd.ones_like(o).requires_grad_() for o in outs]
        grads = autograd.grad(outs, xs, upstream, create_graph=True, allow_unused=True)
        seen.update(_primitives_in_graph(outs + [g for g in grads if g is not None]))

    run()
    return seen


def test_every_primitive_is_exercised_by_a_row():
    # floor_divide has no derivative in PyTorch: its row is forward only (grad=False), and
    # test_floor_divide_backward_raises_as_torch checks the error
    seen = {ops.FloorDivide}
    for row in GRAD_ROWS:
        seen |= _primitives_of_row(row)
    missing = sorted(p.__name__ for p in set(ops.PRIMITIVES) - seen)
    assert not missing, f"primitives no row exercises: {missing}"


def test_floor_divide_backward_raises_as_torch():
    for lib in (autograd, torch):
        x = lib.tensor([7.5, -7.5], requires_grad=True)
        out = x // 2.0
        assert type(out.grad_fn).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide"):
            out.sum().backward()


# --------------------------------------------------------------------------- numpy spellings
REDUCTIONS = ["sum", "mean", "var", "std", "prod", "max", "min", "amax", "amin", "logsumexp",
              "argmax", "argmin"]  # fmt: skip


@pytest.mark.parametrize("name", REDUCTIONS)
@settings(max_examples=10)
@given(data=st.data())
def test_axis_keepdims_spell_dim_keepdim(name, data):
    x = data.draw(tensors(shapes(min_dims=1, min_side=2), distinct=True), label="x")
    tuples = name not in ("prod", "max", "min", "argmax", "argmin")
    dim = data.draw(valid_dims(x.ndim, allow_none=name != "logsumexp", allow_tuple=tuples))
    keepdim = data.draw(st.booleans())
    by_dim = as_list(getattr(x, name)(dim=dim, keepdim=keepdim))
    by_axis = as_list(getattr(x, name)(axis=dim, keepdims=keepdim))
    for a, b in zip(by_dim, by_axis, strict=True):
        assert a.shape == b.shape
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


# --------------------------------------------------------------------------- ties
def _pair(values):
    values = np.asarray(values, dtype=np.float64)
    return autograd.Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)


def _exact_grads(f, *values, upstream=None):
    """Run f on ours and torch's leaves, backward with upstream (powers of two, so any
    split of the gradient is exact), and require bit-equal gradients."""
    pairs = [_pair(v) for v in values]
    ours = f(autograd, *[p[0] for p in pairs])
    theirs = f(TORCH, *[p[1] for p in pairs])
    g = np.ones(tuple(theirs.shape)) if upstream is None else np.asarray(upstream, np.float64)
    ours.backward(autograd.Tensor(g))
    theirs.backward(torch.tensor(g))
    for i, (x, t) in enumerate(pairs):
        np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy(), err_msg=f"input {i}")
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


TIED = [[1.0, 3.0, 3.0, -1.0], [3.0, 0.0, 3.0, 2.0], [-4.0, -4.0, 0.0, -4.0]]


def test_max_full_reduction_splits_ties_evenly():
    _exact_grads(lambda T, x: x.max(), TIED, upstream=4.0)


def test_min_full_reduction_splits_ties_evenly():
    _exact_grads(lambda T, x: x.min(), TIED, upstream=0.5)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_dim_routes_ties_to_the_returned_index(dim, keepdim):
    for name in ("max", "min"):
        x, t = _pair(TIED)
        ours = getattr(x, name)(dim, keepdim)
        theirs = getattr(t, name)(dim, keepdim)
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
        g = np.arange(1.0, 1.0 + theirs.values.numel()).reshape(tuple(theirs.values.shape))
        ours.values.backward(autograd.Tensor(g))
        theirs.values.backward(torch.tensor(g))
        np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("name", ["amax", "amin"])
@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1), (-1,)])
def test_amax_amin_split_ties_evenly(name, dim):
    def f(T, x):
        return getattr(x, name)() if dim is None else getattr(x, name)(dim=dim)

    _exact_grads(f, TIED)
    _exact_grads(lambda T, x: f(T, x) * 2.0, TIED)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_window_max_routes_ties_whole_to_the_first_maximum(dim):
    # max pooling's rule (amax splits among ties instead); torch's max(dim) routes the same
    _exact_grads(lambda T, x: window_max(T, x, dim), TIED)
    _exact_grads(lambda T, x: window_max(T, x, dim) * 2.0, TIED)


def test_maximum_minimum_split_equal_elements_in_half():
    x = [[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]]
    y = [[1.0, 0.0, 3.0], [0.0, 4.0, 5.0]]
    _exact_grads(lambda T, a, b: T.maximum(a, b), x, y)
    _exact_grads(lambda T, a, b: T.minimum(a, b), x, y)
    # with broadcasting: a tie in a stretched row sums the halves
    _exact_grads(lambda T, a, b: T.maximum(a, b), x, [[1.0, 2.0, 5.0]])
    _exact_grads(lambda T, a, b: T.minimum(a, b), [2.0], y)


def test_relu_abs_sign_have_zero_gradient_at_zero():
    v = [-1.0, 0.0, -0.0, 2.0]
    _exact_grads(lambda T, x: x.relu(), v)
    _exact_grads(lambda T, x: x.abs(), v)
    _exact_grads(lambda T, x: x.sign(), v)


def test_clamp_passes_gradient_at_the_bounds():
    v = [-2.0, -1.0, 0.0, 0.5, 1.0]
    _exact_grads(lambda T, x: x.clamp(-1.0, 0.5), v)
    _exact_grads(lambda T, x: x.clamp(min=-1.0), v)
    _exact_grads(lambda T, x: x.clamp(max=0.5), v)
    _exact_grads(lambda T, x: T.clamp(x, 0.5, 0.5), v)


def test_clamp_with_tensor_bounds_at_the_bounds():
    v = [-2.0, -1.0, 0.0, 0.5, 1.0]
    lo = [-1.0, -1.0, -1.0, -1.0, -1.0]
    hi = [0.5, 0.5, 0.5, 0.5, 0.5]
    _exact_grads(lambda T, x, a, b: x.clamp(a, b), v, lo, hi)
    _exact_grads(lambda T, x, a: x.clamp(min=a), v, lo)
    _exact_grads(lambda T, x, b: x.clamp(max=b), v, hi)


# --------------------------------------------------------------------------- regressions
def test_empty_dim_tuple_reduces_every_dim_like_torch():
    x, t = _pair(TIED)
    for name in ("sum", "mean", "amax", "amin", "var", "std"):
        assert_matches(getattr(x, name)(dim=()), getattr(t, name)(dim=()))
        kept = getattr(x, name)(dim=(), keepdim=True)
        assert_matches(kept, getattr(t, name)(dim=(), keepdim=True))


def test_python_number_divided_by_tensor():
    # Div.forward read .dtype off a Python number: 1.5 / x raised AttributeError
    for values in ([1.0, 2.0], [1, 2]):
        x, t = autograd.tensor(values), torch.tensor(values)
        assert_matches(1.5 / x, 1.5 / t)
        assert_matches(2 / x, 2 / t)


def test_integer_true_division_gives_the_default_float():
    # only one side was cast to float32: int64 / int64 and int64 / 2 came out float64
    x, t = autograd.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    y, u = autograd.tensor([2, 4, 8], dtype=autograd.int32), torch.tensor([2, 4, 8]).int()
    for ours, theirs in [
        (x / x, t / t),
        (x / 2, t / 2),
        (2 / x, 2 / t),
        (x / y, t / u),
        (x / autograd.tensor(True), t / torch.tensor(True)),
    ]:
        assert_matches(ours, theirs)


def test_transpose_of_a_0d_tensor():
    # transpose(0, -1) of a 0-d tensor raised IndexError; torch returns the tensor
    x, t = _pair(2.5)
    assert_matches(x.transpose(0, -1), t.transpose(0, -1))


def test_setitem_drops_leading_ones_of_the_value_for_a_mask():
    # numpy refuses a (1, 1, 2) value for a boolean mask; torch drops the leading ones
    x, t = _pair(np.zeros((3, 2)))
    v, tv = _pair([[[1.0, 2.0]]])
    mask = np.array([True, False, True])
    y, ty = x.clone(), t.clone()
    y[autograd.tensor(mask)] = v
    ty[torch.tensor(mask)] = tv
    assert_matches(y, ty)
    g = np.arange(6.0).reshape(3, 2)
    y.backward(autograd.Tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_array_equal(v.grad.numpy(), tv.grad.numpy())
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


@pytest.mark.filterwarnings("ignore:divide by zero encountered in log")  # log(0) = -inf
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid"])
def test_float_functions_of_integer_tensors_give_the_default_float(name, dtype):
    # numpy gave float64 (float16 for bool), and sigmoid raised a casting error
    values = np.array([[0, 1, 3], [2, 1, 0]]).astype(dtype)
    x, t = autograd.tensor(values), torch.tensor(values)
    assert_matches(getattr(x, name)(), getattr(t, name)(), rtol=1e-6)
    assert_matches(x.logsumexp(1), t.logsumexp(1), rtol=1e-6)


@pytest.mark.parametrize("bounds", [(0.5, 2.5), (None, 1.5), (1, 2), (0, None)])
def test_clamp_of_an_integer_tensor(bounds):
    # a float bound promotes, as torch: clamp(int64, 0.5, 2.5) was int64
    values = np.array([0, 1, 2, 3])
    x, t = autograd.tensor(values), torch.tensor(values)
    assert_matches(x.clamp(*bounds), t.clamp(*bounds))
