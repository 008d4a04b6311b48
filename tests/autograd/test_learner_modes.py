"""torch.Size, the grad-mode switches as bare decorators, inference_mode, the legacy
Variable and `torch.autograd.*` under `import autograd as torch`, against torch."""

import re
from pathlib import Path

import numpy as np
import pytest
import torch

import autograd as ag

SHAPES = [(), (0,), (1,), (3, 8), (2, 0, 4), (1, 1, 1, 5)]


@pytest.mark.parametrize("shape", SHAPES)
def test_size_is_torch_size(shape):
    ours, theirs = ag.zeros(shape), torch.zeros(shape)
    for got, want in ((ours.shape, theirs.shape), (ours.size(), theirs.size())):
        assert isinstance(got, ag.Size) and isinstance(got, tuple)
        assert got == want and tuple(got) == tuple(want) and hash(got) == hash(want)
        # torch prints torch.Size([...]); ours names its own module in the same form
        assert repr(got) == repr(want).replace("torch.", "autograd.")
        assert str(got) == str(want).replace("torch.", "autograd.")
        assert got.numel() == want.numel()
        for s in (slice(1, None), slice(None, -1), slice(None, None, -1)):
            assert isinstance(got[s], ag.Size) and got[s] == want[s]
            assert repr(got[s]) == repr(want[s]).replace("torch.", "autograd.")
        for i in range(-len(want), len(want)):
            assert got[i] == want[i] and type(got[i]) is int
    assert ag.Size(list(shape)) == ours.shape
    assert ag.zeros(ours.shape).shape == shape and ours.view(ours.shape).shape == shape


def test_size_slices_and_unpacks():
    ours = ag.zeros(2, 3, 4)
    n, c, hw = ours.shape
    assert (n, c, hw) == (2, 3, 4)
    assert ours.shape[1:] == (3, 4) and ours.shape + (5,) == (2, 3, 4, 5)
    assert ag.Size([2, 3]).numel() == 6 and ag.Size().numel() == 1


def _modes(lib):
    return lib.is_grad_enabled(), lib.is_inference_mode_enabled()


@pytest.mark.parametrize("name", ["no_grad", "enable_grad", "inference_mode"])
@pytest.mark.parametrize("outer_grad", [True, False])
def test_bare_and_called_decorators_as_torch(name, outer_grad):
    """`@torch.no_grad` (bare) and `@torch.no_grad()` both wrap; so for enable_grad and
    inference_mode; the modes inside and after match torch's."""
    seen = {}
    for lib in (ag, torch):
        switch = getattr(lib, name)

        def probe(x, lib=lib):
            return _modes(lib), (x * 2).requires_grad

        results = []
        for decorated in (switch(probe), switch()(probe)):
            lib.set_grad_enabled(outer_grad)
            try:
                x = lib.ones(2, requires_grad=True)
                results.append((decorated(x), _modes(lib)))
            finally:
                lib.set_grad_enabled(True)
        seen[lib] = results
    assert seen[ag] == seen[torch]


@pytest.mark.parametrize("mode", [True, False, None])
@pytest.mark.parametrize("outer_grad", [True, False])
def test_inference_mode_context_as_torch(mode, outer_grad):
    seen = {}
    for lib in (ag, torch):
        lib.set_grad_enabled(outer_grad)
        try:
            switch = lib.inference_mode() if mode is None else lib.inference_mode(mode)
            with switch:
                inside = _modes(lib)
                with lib.no_grad():
                    nested = _modes(lib)
                after_nested = _modes(lib)
            seen[lib] = (inside, nested, after_nested, _modes(lib))
        finally:
            lib.set_grad_enabled(True)
    assert seen[ag] == seen[torch]


def test_inference_mode_records_nothing():
    x = ag.ones(3, requires_grad=True)
    with ag.inference_mode():
        y = (x * x).sum()
    assert not y.requires_grad and y.grad_fn is None
    assert (x * x).sum().requires_grad  # and recording is back after


def test_inference_mode_restores_on_error():
    with pytest.raises(ValueError):
        with ag.inference_mode():
            raise ValueError("boom")
    assert _modes(ag) == (True, False)


@pytest.mark.parametrize("requires_grad", [False, True])
def test_variable_as_torch(requires_grad):
    values = [[1.0, -2.0], [3.0, 0.5]]
    ours = ag.autograd.Variable(ag.tensor(values), requires_grad=requires_grad)
    theirs = torch.autograd.Variable(torch.tensor(values), requires_grad=requires_grad)
    assert ours.requires_grad == theirs.requires_grad and ours.is_leaf == theirs.is_leaf
    assert ours.grad_fn is None and theirs.grad_fn is None
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    base = ag.tensor(values)
    alias = ag.autograd.Variable(base)
    alias.data[0, 0] = 7.0  # shares storage with the tensor it wraps, as torch's
    assert base[0, 0].item() == 7.0
    assert isinstance(base, ag.autograd.Variable) and isinstance(theirs, torch.autograd.Variable)
    assert not isinstance([1.0], ag.autograd.Variable)


def test_variable_of_a_non_leaf_is_detached_as_torch():
    x = ag.ones(2, requires_grad=True)
    tx = torch.ones(2, requires_grad=True)
    ours, theirs = ag.autograd.Variable(x * 2), torch.autograd.Variable(tx * 2)
    assert (ours.requires_grad, ours.grad_fn) == (theirs.requires_grad, theirs.grad_fn)


def test_variable_refuses_non_tensors_as_torch():
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        torch.autograd.Variable([1.0, 2.0])
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        ag.autograd.Variable([1.0, 2.0])


def test_torch_autograd_names_under_import_as_torch():
    """`import autograd as torch` then torch.autograd.grad / .Function / .functional."""
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = ag.autograd.grad((x**3).sum(), x)
    np.testing.assert_allclose(g.numpy(), 3 * np.array([1.0, 2.0, 3.0]) ** 2)
    assert ag.autograd.Function is ag.Function
    assert ag.autograd.functional.jacobian is ag.functional.jacobian
    assert ag.autograd.backward is ag.backward


def test_version_is_the_packages():
    assert re.fullmatch(r"\d+\.\d+\.\d+", ag.__version__)
    cfg = (Path(__file__).resolve().parents[2] / "setup.cfg").read_text()
    assert "version = attr: autograd.__version__" in cfg
