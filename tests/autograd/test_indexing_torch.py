"""Indexing against PyTorch over random index tuples: every mix of ints, slices, None,
Ellipsis, integer lists/tensors (negative too), bool masks (of lower rank, 0-d) and bools;
getitem values and gradients, setitem values and gradients, and the errors of bad indices.

PyTorch, not numpy, is the oracle: an int beside an array index selects first, so it never
counts as an array index (numpy moves the array dims to the front there).
"""

import numpy as np
import pytest
import torch
from helpers import outcome
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Tensor


# --------------------------------------------------------------------------- strategy
@st.composite
def index_cases(draw, allow_bad=True):
    """(shape, index spec): the spec is a list of items that `build` turns into torch's
    index and ours. Items consume the dims of `shape` left to right; an Ellipsis takes a run
    of dims in the middle, and the items after it then consume exactly the rest."""
    ndim = draw(st.integers(0, 4))
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=ndim, max_size=ndim)))
    # array indices broadcast to one shape (masks' nonzero lengths may not: an error case)
    common = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=2)))
    bad = allow_bad and draw(st.integers(0, 4)) == 0

    def item(dim, room):
        """One item at `dim` with `room` dims left to consume: (spec, dims consumed)."""
        kinds = ["none", "bool"]
        if room:
            kinds += ["int", "slice", "slice", "array", "array", "list", "int0d"]
        if room and shape[dim]:
            kinds += ["mask"]
        kind = draw(st.sampled_from(kinds))
        n = shape[dim] if room else 0
        if kind in ("int", "int0d") and n == 0 and not bad:
            kind = "slice"
        if kind == "none":
            return ("none",), 0
        if kind == "bool":
            return ("bool", draw(st.booleans()), draw(st.booleans())), 0
        if kind in ("int", "int0d"):
            hi = n + 3 if bad else n - 1
            return (kind, draw(st.integers(-n, max(hi, -n)))), 1
        if kind == "slice":
            start = draw(st.none() | st.integers(-5, 5))
            stop = draw(st.none() | st.integers(-5, 5))
            step = draw(st.none() | st.integers(1, 3))
            return ("slice", slice(start, stop, step)), 1
        if kind in ("array", "list"):
            lead = draw(st.integers(0, len(common)))
            ashape = tuple(
                draw(st.sampled_from([s, 1])) for s in common[lead:]
            )  # broadcastable to common
            if n == 0:
                ashape = (0,)
            hi = n + 2 if bad else n - 1
            values = np.array(
                draw(
                    st.lists(
                        st.integers(-n, hi),
                        min_size=int(np.prod(ashape)),
                        max_size=int(np.prod(ashape)),
                    )
                )
                if n or bad
                else [],
                dtype=np.int64,
            ).reshape(ashape)
            return (kind, values), 1
        k = draw(st.integers(1, room))
        while 0 in shape[dim : dim + k]:
            k -= 1
        mask = np.array(
            draw(
                st.lists(
                    st.booleans(),
                    min_size=int(np.prod(shape[dim : dim + k])),
                    max_size=int(np.prod(shape[dim : dim + k])),
                )
            ),
            dtype=bool,
        ).reshape(shape[dim : dim + k])
        return ("mask", mask), k

    items = []
    dim = 0
    ellipsis_at = draw(st.none() | st.integers(0, 3))
    for position in range(draw(st.integers(0, 4))):
        if position == ellipsis_at:
            tail = draw(st.integers(0, ndim - dim))  # dims the items after it consume
            items.append(("ellipsis",))
            rest = []
            end = ndim
            start = ndim - tail
            d = start
            while d < end:
                spec, used = item(d, end - d)
                rest.append(spec)
                d += used
            items += rest
            break
        spec, used = item(dim, ndim - dim)
        items.append(spec)
        dim += used
    if bad and draw(st.booleans()):
        items += [("int", 0)] * (ndim + 1 - dim)  # too many indices
    return shape, items


def build(T, items):
    """The index tuple for module T (torch or autograd) from a spec."""
    out = []
    for spec in items:
        kind = spec[0]
        if kind == "none":
            out.append(None)
        elif kind == "ellipsis":
            out.append(Ellipsis)
        elif kind == "bool":
            out.append(T.tensor(spec[1]) if spec[2] else spec[1])
        elif kind == "int":
            out.append(spec[1])
        elif kind == "int0d":
            out.append(T.tensor(spec[1]))
        elif kind == "slice":
            out.append(spec[1])
        elif kind == "array":
            out.append(T.tensor(spec[1]))
        elif kind == "list":
            out.append(spec[1].tolist())
        elif kind == "mask":
            out.append(T.tensor(spec[1]))
    return tuple(out)


def both_raise_alike(theirs, ours):
    assert ours is not None, f"torch raised {type(theirs).__name__}: {theirs}; we did not"
    assert type(ours) is type(theirs), f"torch: {theirs!r}; ours: {ours!r}"


def close(ours, theirs):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.dtype == autograd.float64
    np.testing.assert_allclose(np.asarray(ours.detach()), theirs.detach().numpy(), rtol=1e-12)


# --------------------------------------------------------------------------- tests
@settings(max_examples=150)
@given(case=index_cases(), seed=st.integers(0, 2**16))
def test_getitem_and_its_gradient_match_torch(case, seed):
    shape, items = case
    rng = np.random.default_rng(seed)
    x_np = rng.standard_normal(shape)
    xt = torch.tensor(x_np, requires_grad=True)
    xa = autograd.tensor(x_np, requires_grad=True)
    yt, et = outcome(lambda: xt[build(torch, items)])
    ya, ea = outcome(lambda: xa[build(autograd, items)])
    if et is not None:
        both_raise_alike(et, ea)
        return
    assert ea is None, f"we raised {ea!r}; torch gave shape {tuple(yt.shape)}"
    close(ya, yt)
    g = rng.standard_normal(tuple(yt.shape))
    yt.backward(torch.tensor(g))
    ya.backward(autograd.tensor(g))
    close(xa.grad, xt.grad)  # repeated indices sum their gradients


@settings(max_examples=100)
@given(
    case=index_cases(),
    seed=st.integers(0, 2**16),
    form=st.sampled_from(["same", "lead1", "bcast", "scalar"]),
)
def test_setitem_and_its_gradient_match_torch(case, seed, form):
    shape, items = case
    rng = np.random.default_rng(seed)
    x_np = rng.standard_normal(shape)
    target = outcome(lambda: torch.empty(shape)[build(torch, items)])[0]
    vshape = () if target is None else tuple(target.shape)
    if form == "lead1":
        vshape = (1,) + vshape
    elif form == "bcast":
        vshape = tuple(s if rng.integers(2) else 1 for s in vshape)[rng.integers(len(vshape) + 1) :]
    elif form == "scalar":
        vshape = ()
    v_np = rng.standard_normal(vshape)
    w = rng.standard_normal(shape)

    def run(T):
        x = T.tensor(x_np, requires_grad=True)
        v = T.tensor(v_np, requires_grad=True)
        y = x * 1  # a non-leaf: in-place writes on a leaf that requires grad are refused
        y[build(T, items)] = v
        (y * T.tensor(w)).sum().backward()
        return y, x.grad, v.grad

    theirs, et = outcome(lambda: run(torch))
    ours, ea = outcome(lambda: run(autograd))
    if et is not None:
        both_raise_alike(et, ea)
        return
    assert ea is None, f"we raised {ea!r}"
    close(ours[0], theirs[0])  # a repeated index: the last write wins in both
    close(ours[1], theirs[1])
    close(ours[2], theirs[2])  # ... and every copy of v gets its gradient


@settings(max_examples=40)
@given(case=index_cases(allow_bad=False))
def test_setitem_with_no_grad_matches_torch(case):
    shape, items = case
    x_np = np.arange(float(np.prod(shape))).reshape(shape)
    target = torch.empty(shape)[build(torch, items)]
    v_np = -1 - np.arange(float(target.numel())).reshape(tuple(target.shape))
    xt = torch.tensor(x_np)
    xa = autograd.tensor(x_np)
    xt[build(torch, items)] = torch.tensor(v_np)
    xa[build(autograd, items)] = autograd.tensor(v_np)
    close(xa, xt)
    assert xa._version == 1


# --------------------------------------------------------------------------- regressions
def test_int_beside_array_index_with_a_slice_between_selects_first():
    """Bug: x[1, :, [0, 1, 2]] came out transposed, and zeros(2,3,4)[0, :, [0, 1]] had shape
    (2, 3) (numpy's rule: advanced dims first) instead of torch's (3, 2)."""
    x = np.arange(18.0).reshape(2, 3, 3)
    ours = autograd.tensor(x)[1, :, [0, 1, 2]]
    theirs = torch.tensor(x)[1, :, [0, 1, 2]]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert autograd.zeros(2, 3, 4)[0, :, [0, 1]].shape == (3, 2)
    assert (
        autograd.zeros(2, 3, 4)[0, None, :, [0, 1]].shape
        == torch.zeros(2, 3, 4)[0, None, :, [0, 1]].shape
    )
    assert autograd.zeros(2, 3, 4)[..., 0, [1]].shape == torch.zeros(2, 3, 4)[..., 0, [1]].shape


def test_int_beside_array_index_setitem_takes_pytorch_shaped_values():
    """Bug: x[0, :, [0, 1]] = v refused v of torch's shape (3, 2)."""
    v = np.arange(6.0).reshape(3, 2)
    xa = autograd.zeros(2, 3, 4)
    xt = torch.zeros(2, 3, 4)
    xa[0, :, [0, 1]] = autograd.tensor(v, dtype=autograd.float32)
    xt[0, :, [0, 1]] = torch.tensor(v, dtype=torch.float32)
    np.testing.assert_array_equal(xa.numpy(), xt.numpy())
    with pytest.raises(RuntimeError, match="shape mismatch"):
        xa[0, :, [0, 1]] = autograd.zeros(2, 3)


def test_out_of_range_index_names_index_dim_and_size():
    x = autograd.zeros(2, 3)
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 1 with size 3"):
        x[0, 3]
    with pytest.raises(IndexError, match="index -4 is out of bounds for dimension 1 with size 3"):
        x[:, [0, -4]]
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 2"):
        x[Tensor([5]).long()] = 1.0
    assert x._version == 0  # a refused write changes nothing


def test_float_and_small_int_index_dtypes_are_refused_as_torch():
    x = autograd.zeros(3)
    for bad in (autograd.tensor([1.0]), autograd.tensor([1], dtype=autograd.int8)):
        with pytest.raises(IndexError, match="long, int, byte or bool"):
            x[bad]
    with pytest.raises(IndexError, match="valid indices"):
        x[1.0]


def test_list_holding_sequences_indexes_as_a_tuple():
    x = np.arange(24.0).reshape(2, 3, 4)
    with pytest.warns(UserWarning):
        theirs = torch.tensor(x)[[[0, 1], [1, 0]]]
    np.testing.assert_array_equal(autograd.tensor(x)[[[0, 1], [1, 0]]].numpy(), theirs.numpy())
    assert autograd.tensor(x)[[]].shape == (0, 3, 4)


def test_repeated_setitem_index_last_write_wins_and_every_copy_gets_gradient():
    v = autograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = autograd.zeros(5) * 1
    y[[1, 1, 1]] = v
    assert y.tolist() == [0.0, 3.0, 0.0, 0.0, 0.0]
    y.sum().backward()
    assert v.grad.tolist() == [1.0, 1.0, 1.0]  # as torch's index_put backward
