"""The seed lectures' worked examples, with Value and with Tensor.

The expected numbers are the lectures' own (rounded as printed there), not outputs of this
library: (x+y)z and y(x^2+x) from the computational-graph lecture, and the 2-2-2 sigmoid
network worked through one step of backpropagation by hand.
"""

import numpy as np
import pytest

from autograd import Tensor, Value


def scalar_tensor(x, dtype="float64"):
    return Tensor(np.array(x, dtype=dtype), requires_grad=True)


# --------------------------------------------------------------------------- f = (x + y) z
def test_add_mul_gate_value():
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    f = (x + y) * z
    f.backward()
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_add_mul_gate_tensor(dtype):
    x, y, z = (scalar_tensor(v, dtype) for v in (-2.0, 5.0, -4.0))
    q = x + y
    q.retain_grad()
    f = q * z
    f.backward()
    assert f.item() == -12.0
    assert (x.grad.item(), y.grad.item(), z.grad.item()) == (-4.0, -4.0, 3.0)
    assert q.grad.item() == -4.0


# --------------------------------------------------------------------------- f = y (x^2 + x)
def test_polynomial_value():
    x, y = Value(2.0), Value(1.0)
    f = y * (x**2 + x)
    f.backward()
    assert f.data == 6.0
    assert (x.grad, y.grad) == (5.0, 6.0)


def test_polynomial_value_with_product_form():
    x, y = Value(2.0), Value(1.0)
    f = y * (x * x + x)  # x used three times: its gradients sum
    f.backward()
    assert (x.grad, y.grad) == (5.0, 6.0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_polynomial_tensor(dtype):
    x, y = scalar_tensor(2.0, dtype), scalar_tensor(1.0, dtype)
    f = y * (x**2 + x)
    f.backward()
    assert f.item() == 6.0
    assert (x.grad.item(), y.grad.item()) == (5.0, 6.0)


# --------------------------------------------------------------------------- 2-2-2 network
I1, I2 = 0.05, 0.10
W = [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55]  # w1..w8
B1, B2 = 0.35, 0.60
T1, T2 = 0.01, 0.99
LR = 0.5
LOSS = 0.298371109
UPDATED = {"w5": 0.35891648, "w6": 0.408666186, "w7": 0.511301270, "w8": 0.561370121,
           "w1": 0.149780716}  # fmt: skip
INDEX = {"w1": 0, "w5": 4, "w6": 5, "w7": 6, "w8": 7}


def check_network(loss, new_weights, atol):
    assert loss == pytest.approx(LOSS, abs=atol)
    for name, expected in UPDATED.items():
        assert new_weights[INDEX[name]] == pytest.approx(expected, abs=atol), name


def network(w, i1, i2, b1, b2):
    """The network one unit at a time: (loss, h1, o1, o2) from the weights w1..w8 (Values or
    one-element Tensors), the inputs and the biases (numbers or Values)."""
    h1 = (w[0] * i1 + w[1] * i2 + b1).sigmoid()
    h2 = (w[2] * i1 + w[3] * i2 + b1).sigmoid()
    o1 = (w[4] * h1 + w[5] * h2 + b2).sigmoid()
    o2 = (w[6] * h1 + w[7] * h2 + b2).sigmoid()
    return 0.5 * (T1 - o1) ** 2 + 0.5 * (T2 - o2) ** 2, h1, o1, o2


def test_network_value():
    w = [Value(v, label=f"w{k + 1}") for k, v in enumerate(W)]
    loss, h1, o1, o2 = network(w, Value(I1), Value(I2), Value(B1), Value(B2))
    loss.backward()
    new = [p.data - LR * p.grad for p in w]
    check_network(loss.data, new, atol=1e-7)
    # The lecture's intermediate values as a cross-check of the forward pass.
    assert h1.data == pytest.approx(0.593269992, abs=1e-9)
    assert o1.data == pytest.approx(0.75136507, abs=1e-8)
    assert o2.data == pytest.approx(0.772928465, abs=1e-9)


@pytest.mark.parametrize("dtype, atol", [("float64", 1e-7), ("float32", 1e-5)])
def test_network_tensor_elementwise(dtype, atol):
    w = [scalar_tensor(v, dtype) for v in W]
    loss = network(w, I1, I2, B1, B2)[0]
    loss.backward()
    assert loss.dtype == np.dtype(dtype)
    new = [p.item() - LR * p.grad.item() for p in w]
    check_network(loss.item(), new, atol)


@pytest.mark.parametrize("dtype, atol", [("float64", 1e-7), ("float32", 1e-5)])
def test_network_tensor_matrix(dtype, atol):
    """The same network as two layers: h = sigmoid(W1 i + b1), o = sigmoid(W2 h + b2)."""
    w1 = Tensor(np.array(W[:4], dtype=dtype).reshape(2, 2), requires_grad=True)
    w2 = Tensor(np.array(W[4:], dtype=dtype).reshape(2, 2), requires_grad=True)
    i = Tensor(np.array([I1, I2], dtype=dtype))
    t = Tensor(np.array([T1, T2], dtype=dtype))
    h = (w1 @ i + B1).sigmoid()
    o = (w2 @ h + B2).sigmoid()
    loss = (0.5 * (t - o) ** 2).sum()
    loss.backward()
    # One SGD step, in place under no_grad as an optimizer does it.
    from autograd import no_grad

    with no_grad():
        w1 -= LR * w1.grad
        w2 -= LR * w2.grad
    new = w1.data.reshape(-1).tolist() + w2.data.reshape(-1).tolist()
    check_network(loss.item(), new, atol)
