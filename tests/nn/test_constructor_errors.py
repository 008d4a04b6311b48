"""Regression tests: layer arguments that PyTorch refuses (at construction or at the first
forward) are refused here with the same exception type, at the same moment; garbage is never
computed into NaNs or silently wrapped indices."""

import warnings

import numpy as np
import pytest
import torch

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
    ("MaxPool2d", (), dict(kernel_size=0), X4),
    ("MaxPool2d", (), dict(kernel_size=-1), X4),
    ("MaxPool2d", (), dict(kernel_size=2, stride=0), X4),
    ("MaxPool2d", (), dict(kernel_size=2, padding=2), X4),
    ("MaxPool2d", (), dict(kernel_size=2, padding=-1), X4),
    ("MaxPool2d", (), dict(kernel_size=2, dilation=0), X4),
    ("MaxPool2d", (), dict(kernel_size=2, padding=1), X4),
    ("AvgPool2d", (), dict(kernel_size=0), X4),
    ("AvgPool2d", (), dict(kernel_size=-1), X4),
    ("AvgPool2d", (), dict(kernel_size=2, stride=0), X4),
    ("AvgPool2d", (), dict(kernel_size=2, padding=2), X4),
    ("AvgPool2d", (), dict(kernel_size=2, padding=-1), X4),
    ("AvgPool2d", (), dict(kernel_size=2, divisor_override=0), X4),
    ("AvgPool2d", (), dict(kernel_size=3, padding=1), X4),
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
    ("MaxPool1d", (), dict(kernel_size=0), X3),
    ("MaxPool1d", (), dict(kernel_size=2, stride=0), X3),
    ("MaxPool1d", (), dict(kernel_size=2, padding=2), X3),
    ("MaxPool1d", (), dict(kernel_size=2, dilation=0), X3),
    ("AvgPool1d", (), dict(kernel_size=0), X3),
    ("AvgPool1d", (), dict(kernel_size=2, stride=0), X3),
    ("AvgPool1d", (), dict(kernel_size=2, padding=2), X3),
]  # fmt: skip


def run(lib, name, args, kwargs, shape):
    layer = getattr(lib.nn if lib is torch else nn, name)(*args, **kwargs)
    if shape is None:
        x = torch.tensor([0, 2]) if lib is torch else autograd.tensor([0, 2])
    else:
        x = torch.ones(shape) if lib is torch else autograd.ones(*shape)
    return tuple(layer(x).shape)


def outcome(lib, case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return run(lib, *case)
        except Exception as exc:  # noqa: BLE001 - the type is what is compared
            return type(exc)


def case_id(case):
    name, args, kwargs, _ = case
    return f"{name}{args}" + "".join(f"-{k}={v}" for k, v in kwargs.items())


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_layer_constructed_with_garbage_runs(case):
    theirs = outcome(torch, case)
    ours = outcome(autograd, case)
    assert ours == theirs
    if isinstance(theirs, type):  # and at the same moment: construction or forward
        name, args, kwargs, _ = case
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                getattr(torch.nn, name)(*args, **kwargs)
            built = True
        except Exception:  # noqa: BLE001
            built = False
        if not built:  # where torch refuses at construction, so do we (we may refuse sooner)
            with pytest.raises(theirs):
                getattr(nn, name)(*args, **kwargs)


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
