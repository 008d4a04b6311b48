"""Tensors print as PyTorch prints them: layout, number formats, wrapping, summaries."""

import math

import numpy as np
import pytest
import torch

import autograd as ag
from autograd.printing import get_printoptions, printoptions, set_printoptions

rng = np.random.default_rng(0)
VALUES = [
    [1.0, 2.0],
    [[1.5, -2.25], [3, 4]],
    3.0,
    [1e-5, 1e5],
    [0.1, 0.123456789],
    [math.nan, 1.0, math.inf],
    [0.0, 0.0],
    [1e10, 2.0],
    [123456.789],
    [1e-3, 5.0],
    [-math.inf],
    np.arange(20.0).tolist(),
    np.arange(2000.0).reshape(40, 50).tolist(),
    rng.standard_normal((3, 4, 5)).tolist(),
    rng.standard_normal(30).tolist(),
    (rng.standard_normal((2, 3)) * 1e6).tolist(),
]
INTS = [[1, 2, 3], np.arange(1500).tolist(), [[True] * 3] * 2, [-7, 100000], 5]


def _same(ours, theirs):
    assert repr(ours) == repr(theirs), f"\nours:  {ours!r}\ntorch: {theirs!r}"


@pytest.mark.parametrize("values", VALUES, ids=range(len(VALUES)))
def test_floats_print_as_torch(values):
    _same(ag.tensor(values), torch.tensor(values))


@pytest.mark.parametrize("values", INTS, ids=range(len(INTS)))
def test_integers_and_bools_print_as_torch(values):
    _same(ag.tensor(values), torch.tensor(values))


def test_requires_grad_and_empty_print_as_torch():
    _same(ag.tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True))
    _same(ag.zeros(0), torch.zeros(0))
    assert repr(ag.zeros(0, 3)) == "tensor([], size=(0, 3))" == repr(torch.zeros(0, 3))


def test_other_dtypes_are_named():
    x = ag.tensor([1.0, 2.5], dtype=ag.float64)
    assert repr(x) == "tensor([1.0000, 2.5000], dtype=float64)"
    assert repr(ag.tensor([1, 2], dtype=ag.int32)) == "tensor([1, 2], dtype=int32)"


def test_printoptions_as_torch():
    x, t = ag.tensor([1.123456, 2.5]), torch.tensor([1.123456, 2.5])
    before = get_printoptions()
    try:
        for kwargs in ({"precision": 2}, {"sci_mode": True}, {"threshold": 5, "edgeitems": 1},
                       {"profile": "short"}, {"linewidth": 20}):  # fmt: skip
            set_printoptions(**kwargs)
            torch.set_printoptions(**kwargs)
            _same(x, t)
            _same(ag.arange(10.0), torch.arange(10.0))
            set_printoptions(profile="default")
            torch.set_printoptions(profile="default")
        with printoptions(precision=1):
            assert repr(x) == "tensor([1.1, 2.5])"
        assert get_printoptions() == before
    finally:
        set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
