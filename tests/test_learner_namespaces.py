"""Learner code reaches nn, optim and utils.data through the top-level module."""

import pytest
import torch

import autograd
import nn
import optim


def test_torch_nn_module_reachable_from_top_level():
    assert autograd.nn is nn
    assert isinstance(nn.Linear(2, 3), autograd.nn.Module)
    assert autograd.nn.functional.relu is nn.functional.relu


def test_torch_optim_optimizer_reachable_from_top_level():
    assert autograd.optim is optim
    opt = autograd.optim.SGD(nn.Linear(2, 3).parameters(), lr=0.1)
    assert isinstance(opt, autograd.optim.Optimizer)
    assert isinstance(
        torch.optim.SGD(torch.nn.Linear(2, 3).parameters(), lr=0.1), torch.optim.Optimizer
    )


def test_torch_utils_data_reachable_from_top_level():
    assert autograd.utils.data.DataLoader is nn.data.DataLoader
    assert autograd.utils.data.TensorDataset is nn.data.TensorDataset


def test_unknown_top_level_name_still_raises_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        autograd.no_such_name  # noqa: B018
    assert not hasattr(autograd, "no_such_name")
