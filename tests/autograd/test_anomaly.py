"""Anomaly mode names the op, the shapes and the user's line of the first NaN/Inf."""

import pathlib

import pytest
from helpers import Double

import autograd as A

THIS = pathlib.Path(__file__).name


@pytest.fixture(autouse=True)
def _off_afterwards():
    yield
    A.set_detect_anomaly(False)


def test_nan_in_forward_names_op_shapes_and_line():
    x = A.tensor([[1.0, -1.0, 2.0]], requires_grad=True)
    with A.detect_anomaly():
        with pytest.raises(A.AnomalyError) as info:
            x.log()  # the culprit line
    message = str(info.value)
    assert "Log produced nan" in message and "(1, 3)" in message
    assert f"{THIS}:" in info.value.where and "the culprit line" in info.value.where
    assert info.value.op == "Log"


def test_inf_in_forward_without_grad_is_caught_too():
    x = A.tensor([0.0, 1.0])
    with A.detect_anomaly(), pytest.raises(A.AnomalyError, match=r"Div produced inf"):
        _ = A.tensor(1.0) / x
    # a number over a tensor is its reciprocal times the number, as PyTorch computes it
    with A.detect_anomaly(), pytest.raises(A.AnomalyError, match=r"Reciprocal produced inf"):
        _ = 1.0 / x


def test_nan_in_backward_names_the_op_created_at_the_users_line():
    x = A.tensor([0.0, 4.0], requires_grad=True)
    with A.detect_anomaly():
        y = x.sqrt()  # d sqrt / dx = inf at 0: planted
        loss = y.sum()
        with pytest.raises(A.AnomalyError) as info:
            loss.backward()
    assert "SqrtBackward0 returned inf" in str(info.value)  # PyTorch's node name
    assert "planted" in info.value.where
    assert x.grad is None  # nothing accumulated: the error left .grad alone


def test_nan_in_a_user_functions_backward_is_named():
    class Bad(Double):
        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    x = A.tensor([1.0, 2.0], requires_grad=True)
    with A.detect_anomaly():
        out = Bad.apply(x).sum()  # user op
        with pytest.raises(A.AnomalyError, match=r"BadBackward returned nan .* input 0"):
            out.backward()


def test_without_anomaly_mode_nans_flow_silently_as_in_torch():
    x = A.tensor([-1.0], requires_grad=True)
    y = x.log()
    y.sum().backward()
    assert y.array[0] != y.array[0]  # nan
    assert not A.is_anomaly_enabled()


def test_flags_decorator_and_check_nan_false():
    @A.detect_anomaly()
    def f(x):
        assert A.is_anomaly_enabled() and A.is_anomaly_check_nan_enabled()
        return x.log()

    with pytest.raises(A.AnomalyError):
        f(A.tensor([-1.0]))
    assert not A.is_anomaly_enabled()
    with A.detect_anomaly(check_nan=False):
        assert A.is_anomaly_enabled() and not A.is_anomaly_check_nan_enabled()
        A.tensor([-1.0]).log()  # recorded, not checked
    A.set_detect_anomaly(True)
    assert A.is_anomaly_enabled()
    A.set_detect_anomaly(False)
    assert not A.is_anomaly_enabled()


def test_a_layer_inside_nn_is_reported_at_the_callers_line():
    nn = pytest.importorskip("nn")
    layer = nn.Linear(2, 2)
    x = A.tensor([[float("inf"), 1.0]])
    with A.detect_anomaly(), pytest.raises(A.AnomalyError) as info:
        layer(x)  # the caller
    assert f"{THIS}:" in info.value.where and "the caller" in info.value.where
