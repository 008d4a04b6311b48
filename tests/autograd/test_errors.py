"""Bad input raises a clear error naming the op and the shapes or argument at fault, and
leaves every tensor and gradient as it was."""

import re

import numpy as np
import pytest
from helpers import Cube, Double, assert_unchanged, snapshot

import autograd
import backends
import backends.backend
from autograd import Tensor, no_grad


def leaf(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return Tensor(rng.standard_normal(shape), requires_grad=True)


def with_grads(*tensors):
    """Give each leaf a .grad first, so 'unchanged' is checked on real buffers."""
    sum(((t * t).sum() for t in tensors), Tensor(0.0)).backward()
    return tensors


# Each row: the failing call on leaves a (2, 3) and b, the exception, and regexes that the
# message must contain (op name and shapes/argument).
CASES = {
    "matmul": (
        lambda a, b: a @ b,
        (4, 5),
        RuntimeError,
        [r"matmul", r"2x3|\(2, 3\)", r"4x5|\(4, 5\)"],
    ),
    "matmul_batched": (
        lambda a, b: a.reshape(1, 2, 3) @ b,
        (2, 4, 2),
        RuntimeError,
        [r"matmul", r"1, 2, 3|1x2x3|2x3", r"2, 4, 2|2x4x2|4x2"],
    ),
    "add_broadcast": (lambda a, b: a + b, (4, 3), RuntimeError, [r"add", r"\(2, 3\)", r"\(4, 3\)"]),
    "mul_broadcast": (lambda a, b: a * b, (2, 4), RuntimeError, [r"mul", r"\(2, 3\)", r"\(2, 4\)"]),
    "sub_broadcast": (lambda a, b: a - b, (2,), RuntimeError, [r"sub", r"\(2, 3\)", r"\(2,\)"]),
    "div_broadcast": (lambda a, b: b / a, (3, 2), RuntimeError, [r"div", r"\(2, 3\)", r"\(3, 2\)"]),
    "sum_dim": (lambda a, b: a.sum(dim=2), (1,), IndexError, [r"sum", r"range", r"got 2\b"]),
    "sum_neg_dim": (lambda a, b: a.sum(dim=-3), (1,), IndexError, [r"sum", r"got -3\b"]),
    "mean_dim": (lambda a, b: a.mean(dim=5), (1,), IndexError, [r"mean", r"got 5\b"]),
    "max_dim": (lambda a, b: a.max(dim=2), (1,), IndexError, [r"max", r"got 2\b"]),
    "softmax_dim": (lambda a, b: a.softmax(dim=2), (1,), IndexError, [r"softmax", r"got 2\b"]),
    "log_softmax_dim": (
        lambda a, b: a.log_softmax(dim=-3),
        (1,),
        IndexError,
        [r"log_softmax", r"got -3\b"],
    ),
    "transpose_dim": (lambda a, b: a.transpose(0, 2), (1,), IndexError, [r"transpose", r"got 2\b"]),
    "squeeze_dim": (lambda a, b: a.squeeze(3), (1,), IndexError, [r"squeeze", r"got 3\b"]),
    "cat_dim": (lambda a, b: autograd.cat([a, b], dim=2), (2, 3), IndexError, [r"cat", r"got 2\b"]),
    "cat_shapes": (
        lambda a, b: autograd.cat([a, b], dim=0),
        (2, 4),
        RuntimeError,
        [r"cat", r"\(2, 3\)", r"\(2, 4\)"],
    ),
    "reshape": (lambda a, b: a.reshape(4, 2), (1,), RuntimeError, [r"reshape", r"\[4, 2\]", r"6"]),
    "view_infer": (lambda a, b: a.view(4, -1), (1,), RuntimeError, [r"view", r"6"]),
    "backward_non_scalar": (
        lambda a, b: (a * b).backward(),
        (2, 3),
        RuntimeError,
        [r"scalar", r"\(2, 3\)"],
    ),
    "backward_wrong_gradient_shape": (
        lambda a, b: (a * 2).backward(Tensor(np.ones((3, 2)))),
        (1,),
        RuntimeError,
        [r"[Mm]ismatch in shape", r"\(3, 2\)", r"\(2, 3\)"],
    ),
    "grad_wrong_grad_outputs_shape": (
        lambda a, b: autograd.grad(a * b, a, grad_outputs=Tensor(np.ones(3))),
        (2, 3),
        RuntimeError,
        [r"grad", r"\(3,\)", r"\(2, 3\)"],
    ),
    "inplace_broadcast_grows": (
        lambda a, b: (a * 1).add_(b),
        (2, 2, 3),
        RuntimeError,
        [r"add_", r"\(2, 3\)", r"\(2, 2, 3\)"],
    ),
    "inplace_on_leaf": (lambda a, b: a.mul_(2.0), (1,), RuntimeError, [r"leaf", r"mul_"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_error_is_clear_and_leaves_state_unchanged(name):
    fn, b_shape, exc, patterns = CASES[name]
    a, b = leaf(2, 3), leaf(*b_shape, seed=1)
    with_grads(a, b)
    before = snapshot(a, b)
    with pytest.raises(exc) as info:
        fn(a, b)
    message = str(info.value)
    for pattern in patterns:
        assert re.search(pattern, message), f"{pattern!r} not in {message!r}"
    assert_unchanged(before, (a, b))


def test_integer_tensor_asked_to_require_grad():
    with pytest.raises(RuntimeError, match=r"floating point.*int64"):
        Tensor([1, 2, 3], requires_grad=True)
    t = Tensor(np.arange(3, dtype=np.int32))
    with pytest.raises(RuntimeError, match="int32"):
        t.requires_grad_()
    assert not t.requires_grad


def test_mixing_devices_raises_naming_both(fake_device):
    a = leaf(2, 3)
    with_grads(a)
    b = Tensor(np.ones((2, 3)), device=fake_device)
    assert b.device == "cuda:7"
    before = snapshot(a)
    for op in (lambda: a + b, lambda: b * a, lambda: a @ b.T, lambda: a == b):
        with pytest.raises(backends.DeviceError) as info:
            op()
        assert "cpu" in str(info.value) and "cuda:7" in str(info.value)
    assert_unchanged(before, (a,))


def test_mixing_devices_in_backward_gradient(fake_device):
    a = leaf(2)
    with pytest.raises(RuntimeError, match="cuda:7"):
        (a * 2).backward(Tensor(np.ones(2), device=fake_device))
    assert a.grad is None


def test_unavailable_cuda_names_the_device():
    if "cuda" in backends.available():
        pytest.skip("a GPU is present: 'cuda' is available here")
    with pytest.raises(backends.DeviceError, match=r"'cuda:1'"):
        Tensor([1.0], device="cuda:1")
    t = leaf(2)
    with pytest.raises(backends.DeviceError, match=r"'cuda'"):
        t.to("cuda")
    assert t.device == "cpu"


def test_bad_device_string():
    with pytest.raises(backends.DeviceError, match="tpu"):
        Tensor([1.0], device="tpu")


# --------------------------------------------------------------------------- mid-way failure
def test_backward_failing_midway_leaves_all_grads_unchanged():
    x, w, v = leaf(3), leaf(3, seed=1), leaf(3, seed=2)
    with_grads(x, w, v)
    before = snapshot(x, w, v)
    c = Tensor(np.arange(3.0))
    inner = x * c  # Mul saves c
    loss = ((inner * w).sum() + (v * 3).sum()) * 2.0  # w, v get their gradient first
    c.add_(1.0)
    with pytest.raises(RuntimeError, match=r"inplace.*version") as info:
        loss.backward()
    assert "(3,)" in str(info.value)
    assert_unchanged(before, (x, w, v))


def test_backward_failing_midway_leaves_retained_grads_unchanged():
    x = leaf(3)
    c = Tensor(np.arange(3.0))
    h = x * c
    h2 = h * 2
    h2.retain_grad()
    loss = (h2 * h2).sum()
    c.mul_(2.0)
    with pytest.raises(RuntimeError, match="version"):
        loss.backward()
    assert h2.grad is None and x.grad is None


def test_failed_backward_can_be_retried_after_fix():
    """A failed pass frees nothing it did not run; a fresh graph works normally."""
    x = leaf(2)
    c = Tensor(np.array([1.0, 2.0]))
    y = (x * c).sum()
    c.fill_(5.0)
    with pytest.raises(RuntimeError, match="version"):
        y.backward()
    (x * c).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [5.0, 5.0])


def test_wrong_shape_gradient_from_custom_function_leaves_grads():
    class Bad(Double):
        @staticmethod
        def backward(ctx, grad):
            return grad.reshape(-1)[:2]

    x, w = leaf(3), leaf(3, seed=1)
    with_grads(x, w)
    before = snapshot(x, w)
    with pytest.raises(RuntimeError, match=r"Bad.*\[2\].*\[3\]"):
        (Bad.apply(x) * w).sum().backward()
    assert_unchanged(before, (x, w))


def test_inplace_mismatch_keeps_data_and_version():
    h = leaf(2, 3) * 1.0
    before = snapshot(h)
    with pytest.raises(RuntimeError, match="mul"):
        h.mul_(Tensor(np.ones(4)))
    with no_grad():
        with pytest.raises(RuntimeError, match="add_"):
            h.add_(Tensor(np.ones((5, 2, 3))))
    assert_unchanged(before, (h,))


# --------------------------------------------------------------------------- gradcheck
class WrongCube(Cube):
    """Forward x^3, backward deliberately 2x^2 instead of 3x^2."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x**2


def test_gradcheck_error_names_input_element_and_values():
    x = Tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    with pytest.raises(autograd.GradcheckError) as info:
        autograd.gradcheck(WrongCube.apply, (x,))
    message = str(info.value)
    assert "input 0" in message
    assert "[0]" in message  # the first element already disagrees
    assert "analytic" in message and "numer" in message
    assert "0.5" in message  # analytic 2 * 0.25
    # numerical 3 * 0.25, by central differences of x x x (PyTorch's x^3): 0.74999999999...
    assert "0.75" in message or "0.749999999" in message
    assert autograd.gradcheck(WrongCube.apply, (x,), raise_exception=False) is False


def test_gradcheck_names_the_second_input():
    def f(a, b):
        return a * 2 + WrongCube.apply(b)

    a = Tensor(np.array([1.0]), requires_grad=True)
    b = Tensor(np.array([1.0, 3.0]), requires_grad=True)
    with pytest.raises(autograd.GradcheckError, match="input 1"):
        autograd.gradcheck(f, (a, b))


def test_gradgradcheck_catches_a_non_differentiable_backward():
    class DetachedCube(Cube):
        """First derivative right, but written on detached data: second derivative lost."""

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x.detach() ** 2

    x = Tensor(np.array([0.5, -1.5]), requires_grad=True)
    assert autograd.gradcheck(DetachedCube.apply, (x,))
    with pytest.raises(autograd.GradcheckError):
        autograd.gradgradcheck(DetachedCube.apply, (x,))


def test_gradcheck_requires_float64():
    x = Tensor(np.array([1.0], dtype=np.float32), requires_grad=True)
    with pytest.raises(ValueError, match="float64"):
        autograd.gradcheck(lambda t: t * 2, (x,))


# An index tensor on another device or of a float dtype: each op's own words (one helper,
# ops.index.index_array, checks for gather and the index ops of mathops).
INDEX_OPS = {
    "gather": (
        lambda x, i: autograd.gather(x, 0, i),
        "argument 2 (index) is on cuda:7 and argument 0 (input) on cpu",
    ),
    "index_select": (lambda x, i: x.index_select(0, i.reshape(-1)), "the index is on"),
    "take": (lambda x, i: x.take(i), "the index is on cuda:7 and self on cpu"),
    "index_add": (lambda x, i: x.index_add(0, i.reshape(-1), x), "the index is on"),
}


@pytest.mark.parametrize("name", sorted(INDEX_OPS))
def test_index_of_another_device_or_dtype_names_the_op(name, fake_device):
    call, where = INDEX_OPS[name]
    x = leaf(2, 3)
    with_grads(x)
    before = snapshot(x)
    far = Tensor(np.zeros((1, 3), dtype=np.int64), device=fake_device)
    prefix = f"{name}(): expected all tensors on the same device, but {where}"
    with pytest.raises(backends.DeviceError, match=re.escape(prefix)):
        call(x, far)
    floats = Tensor(np.zeros((1, 3), dtype=np.float32))
    with pytest.raises(RuntimeError, match=re.escape(f"{name}(): Expected dtype int64 for index")):
        call(x, floats)
    assert_unchanged(before, (x,))
