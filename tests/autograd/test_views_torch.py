"""Views, in-place writes through them, splits and empty reductions against PyTorch.

view never copies (it raises where the strides cannot express the shape) and view(dtype)
reinterprets bits; an in-place op on a base with live views, or on a view, gives the
gradients PyTorch gives (a view that is gone leaves no trace); a write into memory that
several elements share (expand) raises PyTorch's error; split/chunk/unbind/tensor_split and
the reductions handle size-0 dims as PyTorch does.
"""

import numpy as np
import pytest
import torch
from helpers import outcome
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Tensor

MODULES = [torch, autograd]


def as_np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else t.detach().numpy()


def assert_same(theirs, ours):
    """Results (a tensor or a sequence of tensors) or errors (the same type) alike."""
    (rt, et), (ra, ea) = theirs, ours
    if et is not None or ea is not None:
        assert et is not None and ea is not None, f"torch: {et!r}; ours: {ea!r}"
        assert type(et) is type(ea), f"torch: {et!r}; ours: {ea!r}"
        return
    if isinstance(rt, (tuple, list)):
        assert len(rt) == len(ra)
        for t, a in zip(rt, ra):
            assert_same((t, None), (a, None))
        return
    assert tuple(rt.shape) == tuple(ra.shape)
    assert str(rt.dtype).replace("torch.", "") == str(ra.dtype).replace("bool_", "bool")
    np.testing.assert_allclose(as_np(ra), as_np(rt), rtol=1e-6, equal_nan=True)


def both(fn):
    assert_same(outcome(lambda: fn(torch)), outcome(lambda: fn(autograd)))


# --------------------------------------------------------------------------- view
def test_view_of_a_transpose_raises_instead_of_copying():
    """Bug: x.T.view(-1) silently returned a copy, so writes through it went nowhere."""
    for m in MODULES:
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            m.zeros(3, 4).T.view(-1)
    x = autograd.zeros(3, 4)
    x.T.reshape(-1)  # reshape still copies
    y = x.T.view(2, 2, 3)  # a view the strides allow
    y[1, 1, 2] = 5.0
    assert x[2, 3].item() == 5.0


@st.composite
def strided(draw):
    """(shape, permutation, slices, target shape) of a view of a permuted, sliced tensor."""
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=ndim, max_size=ndim)))
    perm = tuple(draw(st.permutations(range(ndim))))
    slices = tuple(
        slice(draw(st.integers(0, 1)), None, draw(st.integers(1, 2))) for _ in range(ndim)
    )
    n = int(np.prod(np.empty(shape).transpose(perm)[slices].shape))
    sizes = [d for d in range(1, n + 1) if n % d == 0] if n else [0]
    first = draw(st.sampled_from(sizes))
    target = (first, n // first if first else 3) if draw(st.booleans()) else (n,)
    if draw(st.booleans()):
        target = target + (1,)
    return shape, perm, slices, target


@settings(max_examples=60)
@given(case=strided())
def test_view_raises_exactly_where_torch_raises_and_shares_memory(case):
    shape, perm, slices, target = case
    x_np = np.arange(float(np.prod(shape))).reshape(shape)

    def fn(m):
        return m.tensor(x_np).permute(*perm)[slices].view(target)

    both(fn)
    base = autograd.tensor(x_np)
    v = outcome(lambda: base.permute(*perm)[slices].view(target))[0]
    if v is not None and v.numel():
        v.fill_(-1.0)  # a view: the base sees the write
        assert (base.numpy() == -1).sum() == v.numel()


VIEW_DTYPE_CASES = [
    ("float32", (2, 3), None, "int32"),
    ("float32", (2, 4), None, "int16"),
    ("float64", (5, 4), None, "int16"),
    ("int16", (3, 4), None, "float32"),
    ("uint8", (4, 8), None, "float64"),
    ("bool", (3,), None, "uint8"),
    ("uint8", (4, 4), (slice(None), slice(1, 3)), "int16"),  # storage offset
    ("uint8", (4, 3), None, "int16"),  # last size not divisible
    ("float32", (4, 3), "t", "int16"),  # last stride not 1
    ("uint8", (3, 4), (slice(None, None, 2),), "int32"),
    ("float32", (), None, "int16"),  # 0-d
    ("float32", (), None, "int32"),
    ("int64", (4, 0), None, "int16"),
]


@pytest.mark.parametrize("src, shape, index, dst", VIEW_DTYPE_CASES)
def test_view_dtype_reinterprets_bits_as_torch(src, shape, index, dst):
    rng = np.random.default_rng(0)
    data = (rng.standard_normal(shape) * 100).astype(src)

    def fn(m):
        x = m.tensor(data)
        if index == "t":
            x = x.t()
        elif index is not None:
            x = x[index]
        return x.view(getattr(m, dst if dst != "bool" else "bool"))

    both(fn)


def test_view_dtype_is_a_view_without_gradient():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    y = x.view(autograd.int32)
    assert not y.requires_grad and y.grad_fn is None
    z = autograd.tensor([1.0, 2.0])
    z.view(autograd.int32)[0] = 0
    assert z[0].item() == 0.0  # the bits are shared


# --------------------------------------------------------------------------- in-place + views
def _rows_iterated(m, b):
    for _row in b:
        pass


def _times_one(m, b):
    b[0] * 1


def _split(m, b):
    b.split(1)


def _unbind(m, b):
    b.unbind()


@pytest.mark.parametrize("take", [_rows_iterated, _times_one, _split, _unbind])
def test_inplace_after_the_views_are_gone_no_longer_raises_shares_storage(take):
    """Bug: once any view of a tensor was taken, every later in-place op on it raised
    "shares storage with a view" for the rest of its life, even with the view gone."""

    def fn(m):
        w = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = w * 2
        take(m, b)
        b.mul_(w)
        b.add_(1)
        (b * b).sum().backward()
        return [b, w.grad]

    both(fn)


def _live_row(m, w, b):
    r = b[0]
    b.mul_(w)
    return (r * m.tensor([1.0, 10.0])).sum(), r


def _write_into_a_row(m, w, b):
    r = b[1]
    r.mul_(w[0])
    return (b * m.tensor([[1.0, 2.0], [3.0, 4.0]])).sum(), r


def _setitem_through_transpose(m, w, b):
    t = b.T
    t[0] += w[1] * 5
    return (b * b).sum(), t


def _view_chain(m, w, b):
    v = b.view(4)[1::2]
    v.add_(w[:, 0] ** 2)
    return (b**2).sum() + v.sum(), v


def _base_and_two_views(m, w, b):
    r0, r1 = b[0], b[:, 1]
    r0.mul_(3)
    b.add_(w)
    return (r1 * r1).sum() + (r0 * m.tensor([1.0, -1.0])).sum(), b


def _reshaped_view(m, w, b):
    v = b.reshape(4)
    b[0, 0] = w[1, 1] * 7
    return (v * m.tensor([1.0, 2.0, 3.0, 4.0])).sum(), v


@pytest.mark.parametrize(
    "body",
    [
        _live_row,
        _write_into_a_row,
        _setitem_through_transpose,
        _view_chain,
        _base_and_two_views,
        _reshaped_view,
    ],
)
def test_inplace_with_live_views_gives_torchs_gradient(body):
    def fn(m):
        w = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = w * 1
        loss, view = body(m, w, b)
        loss.backward()
        return [view, b, w.grad]

    both(fn)


def test_accumulating_into_rows_of_a_buffer_gives_torchs_gradient():
    def fn(m):
        v = m.tensor([1.0, 2.0], requires_grad=True)
        out = m.zeros(3, 2)
        for i in range(3):
            out[i] += v * i  # an in-place add on the view out[i], then a setitem
        (out**2).sum().backward()
        return [out, v.grad]

    both(fn)


def test_inplace_on_a_view_of_a_leaf_that_requires_grad_raises():
    for m in MODULES:
        w = m.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="view of a leaf Variable"):
            w[0].add_(1)


def test_a_view_saved_for_backward_then_written_through_its_base_raises():
    def fn(m):
        w = m.tensor([1.0, 2.0], requires_grad=True)
        b = w * 2
        v = b[:1]
        y = v * v
        b.add_(1)
        y.sum().backward()

    both(fn)


# --------------------------------------------------------------------------- overlap
INPLACE = {
    "add_": lambda t: t.add_(1),
    "sub_": lambda t: t.sub_(1),
    "mul_": lambda t: t.mul_(2),
    "div_": lambda t: t.div_(2),
    "pow_": lambda t: t.pow_(2),
    "clamp_": lambda t: t.clamp_(0, 1),
    "copy_": lambda t: t.copy_(t.detach().clone() + 1),
    "iadd": lambda t: t.__iadd__(1),
    "setitem_column": lambda t: t.__setitem__((slice(None), 0), 5.0),
    "setitem_all": lambda t: t.__setitem__(Ellipsis, 5.0),
    "fill_": lambda t: t.fill_(2.0),  # allowed: one value everywhere
    "zero_": lambda t: t.zero_(),
    "setitem_one_element": lambda t: t.__setitem__((0, 0), 5.0),  # allowed: no overlap
}


@pytest.mark.parametrize("op", sorted(INPLACE))
def test_inplace_into_an_expanded_view_raises_overlap_error_as_torch(op):
    """Bug: expand(3, 2).add_(1) said "(3, 2) doesn't match the broadcast shape of (3, 2)
    and ()" where PyTorch refuses a write into memory that several elements share."""

    def fn(m):
        x = m.tensor([1.0, 2.0])
        INPLACE[op](x.expand(3, 2))
        return x

    theirs, ours = outcome(lambda: fn(torch)), outcome(lambda: fn(autograd))
    assert_same(theirs, ours)
    if ours[1] is not None:
        assert "more than one element of the written-to tensor" in str(ours[1])


def test_inplace_into_a_non_overlapping_expand_reaches_the_base():
    def fn(m):
        x = m.tensor([1.0, 2.0])
        e = x.expand(1, 2)
        e.mul_(3)
        e[0, 1] = 7.0
        return x

    both(fn)


def test_a_refused_overlapping_write_changes_nothing():
    x = autograd.tensor([1.0, 2.0])
    e = x.expand(3, 2)
    with pytest.raises(RuntimeError, match="more than one element"):
        e.add_(1)
    assert x.tolist() == [1.0, 2.0] and x._version == 0


# --------------------------------------------------------------------------- splits
SPLITS = [
    ("chunk", (0,), (3,), {}),
    ("chunk", (0, 2), (3, 1), {}),
    ("chunk", (2, 0), (3, 1), {}),
    ("chunk", (5,), (3,), {}),
    ("chunk", (6,), (4,), {}),
    ("chunk", (2,), (5,), {}),
    ("chunk", (2,), (0,), {}),
    ("chunk", (), (1,), {}),
    ("split", (0,), (0,), {}),
    ("split", (0,), (2,), {}),
    ("split", (3,), (0,), {}),
    ("split", (3,), (-1,), {}),
    ("split", (3,), ([1, -1, 3],), {}),
    ("split", (3,), ([0, 3, 0],), {}),
    ("split", (3,), (5,), {}),
    ("split", (4, 3), (2,), {"dim": -1}),
    ("split", (), (1,), {}),
    ("unbind", (0,), (), {}),
    ("unbind", (0, 3), (1,), {}),
    ("unbind", (), (), {}),
    ("tensor_split", (5,), (3,), {}),
    ("tensor_split", (0,), (3,), {}),
    ("tensor_split", (5,), ([1, 4],), {}),
    ("tensor_split", (5,), ([4, 1, 9],), {}),
    ("tensor_split", (5,), ([-1],), {}),
    ("tensor_split", (5,), (0,), {}),
    ("tensor_split", (3, 7), (3,), {"dim": 1}),
    ("tensor_split", (), (2,), {}),
]


@pytest.mark.parametrize("op, shape, args, kwargs", SPLITS)
def test_split_chunk_unbind_tensor_split_edges_match_torch(op, shape, args, kwargs):
    x_np = np.random.default_rng(0).standard_normal(shape)

    def fn(m):
        x = m.tensor(x_np, requires_grad=True)
        pieces = getattr(x, op)(*args, **kwargs)
        if pieces:
            sum((p * (i + 1)).sum() for i, p in enumerate(pieces)).backward()
        return list(pieces) + ([x.grad] if pieces and x.grad is not None else [])

    both(fn)


def test_chunk_of_an_empty_dim_gives_chunks_empty_pieces():
    """Bug: zeros(0).chunk(3) gave 1 piece where PyTorch gives 3 empty ones."""
    assert [p.shape for p in autograd.zeros(0).chunk(3)] == [(0,)] * 3
    assert [p.shape for p in autograd.zeros(4, 0).chunk(2, 1)] == [(4, 0)] * 2


# --------------------------------------------------------------------------- reductions
REDUCTIONS = "max min amax amin argmax argmin sum mean prod var std logsumexp".split()
EMPTY_SHAPES = [(0,), (0, 3), (3, 0), (2, 0, 3)]


def _dims_of(op, shape):
    dims = ["none"] + list(range(len(shape))) + [-1]
    if len(shape) >= 2 and op not in ("max", "min", "argmax", "argmin", "prod"):
        dims.append((0, 1))
    if op == "logsumexp":
        dims.remove("none")
    return dims


CASES = [
    (op, shape, dim, keepdim)
    for op in REDUCTIONS
    for shape in EMPTY_SHAPES
    for dim in _dims_of(op, shape)
    for keepdim in ([False] if dim == "none" else [False, True])
]


@pytest.mark.parametrize("op, shape, dim, keepdim", CASES)
def test_reductions_with_size_zero_dims_match_torch(op, shape, dim, keepdim):
    def fn(m):
        x = m.zeros(shape, dtype=m.float32)
        if op not in ("argmax", "argmin"):
            x.requires_grad_(True)
        f = getattr(x, op)
        out = f() if dim == "none" else f(dim=dim, keepdim=keepdim)
        if isinstance(out, tuple):
            out = out[0]
        if out.requires_grad:
            out.sum().backward()
            return [out, x.grad]
        return [out]

    both(fn)


def test_amax_over_a_nonempty_dim_of_an_empty_tensor_returns_empty():
    """Bug: zeros(0, 3).amax(1) raised where PyTorch returns an empty (0,) result."""
    assert autograd.zeros(0, 3).amax(1).shape == (0,)
    assert autograd.zeros(0, 3).max(1).values.shape == (0,)
    assert autograd.zeros(0, 3).argmin(1, keepdim=True).shape == (0, 1)
    with pytest.raises(IndexError, match=r"amax\(\): Expected reduction dim 0 to have non-zero"):
        autograd.zeros(0, 3).amax(0)
    assert Tensor(np.zeros((0, 3))).sum(0).tolist() == [0.0, 0.0, 0.0]


VIEW_STEPS = {
    "row": lambda t: t[1] if t.ndim and t.shape[0] > 1 else t,
    "col_slice": lambda t: t[..., ::2],
    "transpose": lambda t: t.transpose(0, -1) if t.ndim else t,
    "flatten": lambda t: t.reshape(-1),  # a view or a copy, as the strides allow
    "unsqueeze": lambda t: t.unsqueeze(0),
    "narrow": lambda t: t[:1] if t.ndim else t,
}
WRITES = {
    "mul_w": lambda t, w: t.mul_(w.sum()),
    "add_scalar": lambda t, w: t.add_(2.0),
    "setitem_w": lambda t, w: t.__setitem__(..., w.mean() * 3),
    "copy_": lambda t, w: t.copy_(t.detach() * 0 + w.max()),
}


@settings(max_examples=40)
@given(
    steps=st.lists(st.sampled_from(sorted(VIEW_STEPS)), min_size=1, max_size=3),
    write=st.sampled_from(sorted(WRITES)),
    on_view=st.booleans(),
)
def test_random_view_chains_written_in_place_give_torchs_gradients(steps, write, on_view):
    """Whichever of base and view is written, both carry PyTorch's values and gradients."""
    w_np = np.arange(1.0, 13.0).reshape(3, 4) / 7

    def fn(m):
        w = m.tensor(w_np, requires_grad=True)
        b = w * w
        v = b
        for s in steps:
            v = VIEW_STEPS[s](v)
        WRITES[write](v if on_view else b, w)
        (b * b).sum().backward(retain_graph=True)
        g1 = w.grad.clone()
        (v * v * 2).sum().backward()
        return [b, v, g1, w.grad]

    both(fn)
