"""What PyTorch's graph shows for the functional forms, and their inplace=True forms, against
torch: `print(loss.grad_fn)` names the op the user called (<MseLossBackward0>, not the last
op of our composition), and `F.relu(x, inplace=True)` / `nn.ReLU(inplace=True)` / `x.exp_()`
write into x with torch's values, gradients, versions and errors."""

import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as TF

import autograd as ag
import nn
import nn.functional as AF

RNG = np.random.default_rng(7)
X = RNG.standard_normal((4, 6)).astype(np.float32) * 2
P = RNG.random((4, 6)).astype(np.float32)
IMG = RNG.standard_normal((1, 2, 4, 6)).astype(np.float32)


def _name(t):
    node = t.grad_fn
    return None if node is None else (node.name() if hasattr(node, "name") else type(node).__name__)


LOSSES = {
    "mse_loss": lambda F, L, x, p, r: F.mse_loss(x, p, reduction=r),
    "smooth_l1_loss": lambda F, L, x, p, r: F.smooth_l1_loss(x, p, reduction=r),
    "huber_loss": lambda F, L, x, p, r: F.huber_loss(x, p, reduction=r),
    "binary_cross_entropy": lambda F, L, x, p, r: F.binary_cross_entropy(
        x.sigmoid(), p, reduction=r
    ),
    "binary_cross_entropy_weighted": lambda F, L, x, p, r: F.binary_cross_entropy(
        x.sigmoid(), p, weight=p, reduction=r
    ),
    "bce_with_logits": lambda F, L, x, p, r: F.binary_cross_entropy_with_logits(x, p, reduction=r),
    "soft_margin_loss": lambda F, L, x, p, r: F.soft_margin_loss(x, p, reduction=r),
    "margin_ranking_loss": lambda F, L, x, p, r: F.margin_ranking_loss(x, p, p, reduction=r),
    "triplet_margin_loss": lambda F, L, x, p, r: F.triplet_margin_loss(x, p, p * 2, reduction=r),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_nodes_are_named_as_torch(name, reduction):
    call = LOSSES[name]
    ours = call(AF, ag, ag.tensor(X, requires_grad=True), ag.tensor(P), reduction)
    theirs = call(TF, torch, torch.tensor(X, requires_grad=True), torch.tensor(P), reduction)
    assert _name(ours) == _name(theirs)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5)


FORMS = {
    "leaky_relu": lambda F, L, x: F.leaky_relu(x, 0.1),
    "elu": lambda F, L, x: F.elu(x),
    "selu": lambda F, L, x: F.selu(x),
    "celu": lambda F, L, x: F.celu(x, 0.5),
    "silu": lambda F, L, x: F.silu(x),
    "mish": lambda F, L, x: F.mish(x),
    "hardtanh": lambda F, L, x: F.hardtanh(x),
    "relu6": lambda F, L, x: F.relu6(x),
    "hardswish": lambda F, L, x: F.hardswish(x),
    "hardsigmoid": lambda F, L, x: F.hardsigmoid(x),
    "threshold": lambda F, L, x: F.threshold(x, 0.1, 2.0),
    "softplus": lambda F, L, x: F.softplus(x),
    "logsigmoid": lambda F, L, x: F.logsigmoid(x),
    "gelu_tanh": lambda F, L, x: F.gelu(x, approximate="tanh"),
    "glu": lambda F, L, x: F.glu(x),
    "softshrink": lambda F, L, x: F.softshrink(x),
    "hardshrink": lambda F, L, x: F.hardshrink(x),
    "prelu": lambda F, L, x: F.prelu(x, L.full((1,), 0.25)),
    "layer_norm": lambda F, L, x: F.layer_norm(x, (6,)),
    "layer_norm_affine": lambda F, L, x: F.layer_norm(x, (6,), L.ones(6), L.zeros(6)),
    "group_norm": lambda F, L, x: F.group_norm(x.reshape(2, 4, 3), 2),
    "batch_norm": lambda F, L, x: F.batch_norm(x, None, None, training=True),
    "batch_norm_eval": lambda F, L, x: F.batch_norm(x, L.zeros(6), L.ones(6)),
    "embedding": lambda F, L, x: F.embedding(L.tensor([0, 2]), x),
    "pairwise_distance": lambda F, L, x: F.pairwise_distance(x, x * 2),
    "clamp_min": lambda F, L, x: L.clamp_min(x, 0.5),
    "clamp_max": lambda F, L, x: x.clamp_max(0.5),
    "clamp_both": lambda F, L, x: x.clamp(-0.5, 0.5),
    "interpolate_nearest": lambda F, L, x: F.interpolate(x.reshape(1, 2, 2, 6), scale_factor=2),
    "interpolate_bilinear": lambda F, L, x: F.interpolate(
        x.reshape(1, 2, 2, 6), scale_factor=2, mode="bilinear"
    ),
    "interpolate_linear": lambda F, L, x: F.interpolate(
        x.reshape(1, 4, 6), size=9, mode="linear", align_corners=True
    ),
    "interpolate_nearest3d": lambda F, L, x: F.interpolate(x.reshape(1, 1, 2, 2, 6), size=3),
    "interpolate_area": lambda F, L, x: F.interpolate(x.reshape(1, 1, 4, 6), size=(2, 3)),
    "avg_pool2d": lambda F, L, x: F.avg_pool2d(x.reshape(1, 1, 4, 6), 2),
    "avg_pool2d_padded": lambda F, L, x: F.avg_pool2d(x.reshape(1, 1, 4, 6), 3, 1, 1),
    "max_pool2d_overlapping": lambda F, L, x: F.max_pool2d(x.reshape(1, 1, 4, 6), 3, 1),
    "adaptive_avg_pool2d": lambda F, L, x: F.adaptive_avg_pool2d(x.reshape(1, 1, 4, 6), (2, 3)),
    "adaptive_avg_pool2d_global": lambda F, L, x: F.adaptive_avg_pool2d(x.reshape(1, 1, 4, 6), 1),
    "pixel_shuffle": lambda F, L, x: F.pixel_shuffle(x.reshape(1, 4, 2, 3), 2),
    "pixel_unshuffle": lambda F, L, x: F.pixel_unshuffle(x.reshape(1, 1, 4, 6), 2),
    "conv_transpose2d": lambda F, L, x: F.conv_transpose2d(
        x.reshape(1, 2, 3, 4), L.ones(2, 1, 2, 2)
    ),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_functional_nodes_are_named_as_torch(name):
    call = FORMS[name]
    ours = call(AF, ag, ag.tensor(X, requires_grad=True))
    theirs = call(TF, torch, torch.tensor(X, requires_grad=True))
    assert _name(ours) == _name(theirs)


# (name, call with inplace) for each activation PyTorch computes in place
IN_PLACE = {
    "relu": lambda F, x: F.relu(x, inplace=True),
    "relu_positional": lambda F, x: F.relu(x, True),
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.2, inplace=True),
    "elu": lambda F, x: F.elu(x, 0.7, True),
    "selu": lambda F, x: F.selu(x, inplace=True),
    "celu": lambda F, x: F.celu(x, 0.5, inplace=True),
    "silu": lambda F, x: F.silu(x, inplace=True),
    "mish": lambda F, x: F.mish(x, inplace=True),
    "hardtanh": lambda F, x: F.hardtanh(x, -0.5, 0.5, True),
    "relu6": lambda F, x: F.relu6(x, inplace=True),
    "hardswish": lambda F, x: F.hardswish(x, inplace=True),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x, inplace=True),
    "threshold": lambda F, x: F.threshold(x, 0.1, 2.0, True),
    "dropout_eval": lambda F, x: F.dropout(x, 0.5, training=False, inplace=True),
}


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_activations_as_torch(name):
    call = IN_PLACE[name]
    seen = []
    for F, L in ((AF, ag), (TF, torch)):
        leaf = L.tensor(X, requires_grad=True)
        y = leaf * 1.5  # a non-leaf: in-place is allowed on it
        version = y._version
        out = call(F, y)
        assert out is y
        (out * L.tensor(P)).sum().backward()
        seen.append((out.detach().numpy().copy(), leaf.grad.numpy().copy(), _name(out),
                     y._version > version))  # fmt: skip
    (v1, g1, n1, b1), (v2, g2, n2, b2) = seen
    np.testing.assert_allclose(v1, v2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g1, g2, rtol=1e-5, atol=1e-6)
    assert (n1, b1) == (n2, b2)


@pytest.mark.parametrize("name", ["relu", "elu", "hardtanh", "silu"])
def test_in_place_on_a_leaf_that_requires_grad_is_refused_as_torch(name):
    for F, L in ((AF, ag), (TF, torch)):
        leaf = L.tensor(X, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            IN_PLACE[name](F, leaf)
        assert leaf._version == 0


def test_in_place_saved_input_is_caught_as_torch():
    """An in-place activation over a tensor an earlier op saved: backward refuses, as torch."""
    for F, L in ((AF, ag), (TF, torch)):
        y = L.tensor(X, requires_grad=True) * 1.0
        z = y.sigmoid()  # saves its output z
        F.relu(z, inplace=True)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            (z * 2).sum().backward()


def _cnn(lib_nn):
    return lib_nn.Sequential(
        lib_nn.Conv2d(2, 3, 3, padding=1),
        lib_nn.ReLU(inplace=True),
        lib_nn.Flatten(),
        lib_nn.Linear(3 * 4 * 6, 5),
        lib_nn.LeakyReLU(0.1, inplace=True),
        lib_nn.Dropout(0.3, inplace=True),
        lib_nn.Linear(5, 2),
        lib_nn.ELU(inplace=True),
    )


def test_layers_with_inplace_train_as_torch():
    ours, theirs = _cnn(nn), _cnn(tnn)
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
            p.data = ag.tensor(q.numpy().copy())
    ours.eval()  # dropout off: the same numbers in both
    theirs.eval()
    assert repr(ours) == repr(theirs)
    x = IMG
    ours(ag.tensor(x)).sum().backward()
    theirs(torch.tensor(x)).sum().backward()
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-5)


UNARY = """exp log sqrt sigmoid tanh relu abs neg sin cos tan asin acos atan sinh cosh log2
    log10 log1p expm1 exp2 rsqrt reciprocal square sign erf erfc erfinv fix""".split()


@pytest.mark.parametrize("name", UNARY)
def test_tensor_in_place_methods_as_torch(name):
    values = np.array([[0.3, -0.7, 2.0], [0.9, -0.1, 0.5]], np.float32)
    seen = []
    for L in (ag, torch):
        leaf = L.tensor(values, requires_grad=True)
        y = leaf * 1
        out = getattr(y, name + "_")()
        assert out is y and y._version == 1
        out.sum().backward()
        seen.append((out.detach().numpy(), leaf.grad.numpy(), _name(out)))
    np.testing.assert_allclose(seen[0][0], seen[1][0], rtol=1e-5, atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(seen[0][1], seen[1][1], rtol=1e-5, atol=1e-6, equal_nan=True)
    assert seen[0][2] == seen[1][2]


@pytest.mark.parametrize("name", ["eq", "lt", "ge", "logical_and", "bitwise_xor"])
def test_in_place_comparisons_keep_the_dtype_as_torch(name):
    for dtype in ("float32", "int64", "bool"):
        a_values, b_values = [1, 0, 3, 2], [1, 2, 3, 0]
        results = []
        for L in (ag, torch):
            a = L.tensor(a_values).to(getattr(L, dtype))
            b = L.tensor(b_values).to(getattr(L, dtype))
            try:
                r = getattr(a, name + "_")(b)
                results.append((str(r.dtype).replace("torch.", ""), r.tolist()))
            except (RuntimeError, NotImplementedError) as e:
                results.append(type(e).__name__)
        assert results[0] == results[1], (dtype, results)


@pytest.mark.parametrize("bias", ["none", "constant", "parameter"])
def test_linear_node_is_addmm_whenever_a_bias_is_given_as_torch(bias):
    names = []
    for F, L in ((AF, ag), (TF, torch)):
        b = {"none": None, "constant": L.ones(4), "parameter": L.ones(4, requires_grad=True)}
        y = F.linear(L.ones(2, 3, requires_grad=True), L.ones(4, 3), b[bias])
        names.append(_name(y))
    assert names[0] == names[1]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(4, 6), (6,), (2, 3, 2), (0, 6)])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_with_probabilities_as_torch(reduction, shape, weighted):
    """Composed in PyTorch's order: its nodes (NegBackward0, DivBackward1 for the mean over
    the whole sum) and its values and gradients."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(np.float32)
    p = rng.random(shape).astype(np.float32)
    classes = shape[1] if len(shape) > 1 else shape[0]
    w = rng.random(classes).astype(np.float32) if weighted else None
    seen = []
    for F, L in ((AF, ag), (TF, torch)):
        xt = L.tensor(x, requires_grad=True)
        out = F.cross_entropy(xt, L.tensor(p), weight=None if w is None else L.tensor(w),
                              reduction=reduction)  # fmt: skip
        if x.size:
            out.sum().backward()
        grad = None if xt.grad is None else xt.grad.numpy()
        seen.append((_name(out), out.detach().numpy(), grad))
    assert seen[0][0] == seen[1][0]
    np.testing.assert_allclose(seen[0][1], seen[1][1], rtol=1e-6, equal_nan=True)
    if x.size:
        np.testing.assert_allclose(seen[0][2], seen[1][2], rtol=1e-5, atol=1e-6)


SPECIAL = np.array(
    [[0.0, -0.0, 1.0, -1.0, 6.0, -3.0], [3.0, 0.1, np.inf, -np.inf, 20.0, -20.0]] * 2, np.float64
)


@pytest.mark.parametrize("name", sorted(set(IN_PLACE) - {"relu_positional", "dropout_eval"}))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["contiguous", "transposed view"])
def test_in_place_activations_over_dtypes_layouts_and_special_points(name, dtype, layout):
    """In place into a transposed view of a non-leaf (its base follows), at 0, +-inf, the
    kinks: values and gradients as torch's."""
    call = IN_PLACE[name]
    seen = []
    for F, L in ((AF, ag), (TF, torch)):
        leaf = L.tensor(SPECIAL.astype(dtype), requires_grad=True)
        base = leaf * 1.0
        y = base.T if layout == "transposed view" else base
        call(F, y)
        weights = L.tensor(
            np.linspace(0.5, 1.5, SPECIAL.size).reshape(SPECIAL.shape), dtype=leaf.dtype
        )
        (base * weights).sum().backward()
        seen.append((base.detach().numpy(), leaf.grad.numpy()))
    np.testing.assert_allclose(seen[0][0], seen[1][0], rtol=1e-5, atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(seen[0][1], seen[1][1], rtol=1e-5, atol=1e-6, equal_nan=True)


def test_hardswish_gradient_at_infinities_is_finite_as_torch():
    """Its unselected middle branch gave 0 * inf = nan at +-inf; torch's is 1 and 0."""
    values = np.array([-np.inf, -3.0, -2.5, 0.0, 3.0, np.inf, np.nan])
    grads = []
    for F, L in ((AF, ag), (TF, torch)):
        x = L.tensor(values, requires_grad=True)
        F.hardswish(x).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)
