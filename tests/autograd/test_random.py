"""Random numbers: generators reproduce per seed; dtypes, shapes, ranges, errors and
distributions as torch's, and on the CPU torch's very numbers, bit for bit (the parity tests
at the end)."""

import math

import numpy as np
import pytest
import torch

import autograd
from autograd import Tensor


def T(x):
    return torch.tensor(np.asarray(x))


def same_error(fn_ours, fn_torch, message=True):
    """Both raise; ours raises torch's exception type (and torch's message, where the
    message comes from this module rather than from the engine's own checks)."""
    with pytest.raises(Exception) as theirs:
        fn_torch()
    with pytest.raises(type(theirs.value)) as ours:
        fn_ours()
    if message:
        assert str(ours.value).split("(")[0].strip() == str(theirs.value).split("(")[0].strip()


FACTORIES = {
    # name: (ours, torch's), called with (lib, generator)
    "rand": lambda m, g: m.rand(2, 3, generator=g),
    "rand_tuple": lambda m, g: m.rand((4,), generator=g),
    "randn": lambda m, g: m.randn(3, 2, generator=g),
    "randn_f64": lambda m, g: m.randn(5, generator=g, dtype=m.float64),
    "randn_f16": lambda m, g: m.randn(5, generator=g, dtype=m.float16),
    "randint": lambda m, g: m.randint(10, (7,), generator=g),
    "randint_low": lambda m, g: m.randint(-3, 3, (2, 2), generator=g),
    "randint_int8": lambda m, g: m.randint(0, 100, (3,), generator=g, dtype=m.int8),
    "randint_float": lambda m, g: m.randint(5, (3,), generator=g, dtype=m.float32),
    "randint_kw": lambda m, g: m.randint(low=2, high=5, size=(3,), generator=g),
    "randperm": lambda m, g: m.randperm(9, generator=g),
    "randperm_f32": lambda m, g: m.randperm(4, generator=g, dtype=m.float32),
    "randperm_0": lambda m, g: m.randperm(0, generator=g),
    "multinomial": lambda m, g: m.multinomial(m.tensor([1.0, 2.0, 0.0, 3.0]), 3, generator=g),
    "multinomial_2d": lambda m, g: m.multinomial(
        m.tensor([[1.0, 2.0], [0.5, 0.0]]), 4, replacement=True, generator=g
    ),
    "normal_tt": lambda m, g: m.normal(m.zeros(3, 1), m.ones(4), generator=g),
    "normal_tf": lambda m, g: m.normal(m.zeros(2, dtype=m.float64), 2.0, generator=g),
    "normal_ft": lambda m, g: m.normal(1.0, m.ones(3), generator=g),
    "normal_ff": lambda m, g: m.normal(0.0, 1.0, (2, 2), generator=g),
    "normal_ff_f64": lambda m, g: m.normal(0.0, 1.0, (2,), generator=g, dtype=m.float64),
    "bernoulli": lambda m, g: m.bernoulli(m.full((3, 2), 0.5), generator=g),
    "bernoulli_p": lambda m, g: m.bernoulli(m.zeros(4, dtype=m.float64), 0.3, generator=g),
    "rand_like": lambda m, g: m.rand_like(m.zeros(2, dtype=m.float64), generator=g),
    "randn_like": lambda m, g: m.randn_like(m.zeros(3), generator=g),
    "randint_like": lambda m, g: m.randint_like(m.zeros(2), 5, generator=g),
    "randint_like_lh": lambda m, g: m.randint_like(m.zeros(2, dtype=m.int32), 2, 5, generator=g),
    "empty_shape": lambda m, g: m.rand(0, 3, generator=g),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factory_dtype_shape_and_seed_as_torch(name):
    make = FACTORIES[name]
    theirs = make(torch, torch.Generator().manual_seed(0))
    ours = make(autograd, autograd.Generator().manual_seed(0))
    assert isinstance(ours, Tensor)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    assert ours.requires_grad == theirs.requires_grad
    again = make(autograd, autograd.Generator().manual_seed(0))
    np.testing.assert_array_equal(ours.numpy(), again.numpy())  # same seed, same numbers
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())  # torch's numbers


def test_two_generators_are_independent_and_the_default_is_untouched():
    autograd.manual_seed(5)
    expected = autograd.rand(4).numpy()
    autograd.manual_seed(5)
    g1, g2 = autograd.Generator().manual_seed(1), autograd.Generator().manual_seed(1)
    a = autograd.rand(4, generator=g1).numpy()
    autograd.randn(100, generator=g1)  # draws from g1 only
    b = autograd.rand(4, generator=g2).numpy()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(autograd.rand(4).numpy(), expected)


def test_manual_seed_reproduces_every_factory_and_differs_across_seeds():
    def draw(seed):
        autograd.manual_seed(seed)
        return np.concatenate(
            [
                autograd.rand(3).numpy(),
                autograd.randn(3).numpy(),
                autograd.randint(100, (3,)).numpy(),
                autograd.randperm(5).numpy(),
                autograd.zeros(3).normal_().numpy(),
            ]
        )

    np.testing.assert_array_equal(draw(3), draw(3))
    assert not np.array_equal(draw(3), draw(4))


def test_generator_api_as_torch():
    g, tg = autograd.Generator(), torch.Generator()
    assert g.initial_seed() == tg.initial_seed() == 67280421310721
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    assert repr(g.device) == repr(tg.device) and g.device == "cpu"
    assert g.manual_seed(-1).initial_seed() == tg.manual_seed(-1).initial_seed() == 2**64 - 1
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s and 0 <= s < 2**64
    with pytest.raises(RuntimeError):
        g.manual_seed(1.5)
    with pytest.raises(ValueError):
        g.manual_seed(2**64)
    assert autograd.manual_seed(7) is autograd.default_generator
    assert autograd.initial_seed() == 7 == autograd.default_generator.initial_seed()
    assert isinstance(autograd.seed(), int)


def test_state_round_trips_and_is_a_uint8_tensor():
    g = autograd.Generator().manual_seed(11)
    autograd.rand(5, generator=g)
    state = g.get_state()
    assert isinstance(state, Tensor) and state.dtype == autograd.uint8 and state.ndim == 1
    a = autograd.randn(6, generator=g).numpy()
    g.manual_seed(99)
    g.set_state(state)
    np.testing.assert_array_equal(autograd.randn(6, generator=g).numpy(), a)
    assert g.initial_seed() == 11
    # state of one generator restores another; the default generator's likewise
    h = autograd.Generator().set_state(state)
    np.testing.assert_array_equal(autograd.randn(6, generator=h).numpy(), a)
    saved = autograd.get_rng_state()
    b = autograd.rand(3).numpy()
    autograd.set_rng_state(saved)
    np.testing.assert_array_equal(autograd.rand(3).numpy(), b)
    saved = autograd.get_rng_state()
    with autograd.random.fork_rng():
        autograd.rand(10)
    expected = autograd.rand(3, generator=autograd.Generator().set_state(saved)).numpy()
    np.testing.assert_array_equal(autograd.rand(3).numpy(), expected)


def test_bad_state_raises_as_torch():
    g, tg = autograd.Generator(), torch.Generator()
    same_error(lambda: g.set_state(autograd.zeros(3)), lambda: tg.set_state(torch.zeros(3)))
    with pytest.raises(RuntimeError, match="size"):
        g.set_state(autograd.zeros(3, dtype=autograd.uint8))
    before = g.get_state().numpy()
    with pytest.raises(RuntimeError):
        g.set_state(autograd.zeros(50, dtype=autograd.uint8))
    np.testing.assert_array_equal(g.get_state().numpy(), before)  # no state changed


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_rand_range_and_moments(dtype):
    g = autograd.Generator().manual_seed(0)
    u = autograd.rand(20000, generator=g, dtype=getattr(autograd, dtype)).numpy()
    assert u.dtype == np.dtype(dtype)
    assert u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.var() - 1 / 12) < 0.005
    z = autograd.randn(20000, generator=g, dtype=getattr(autograd, dtype)).numpy()
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1) < 0.03


def test_randint_high_is_exclusive_and_covers_the_range():
    g = autograd.Generator().manual_seed(0)
    x = autograd.randint(-2, 3, (5000,), generator=g).numpy()
    assert set(np.unique(x)) == {-2, -1, 0, 1, 2}
    x = autograd.randint(2, (100,), generator=g, dtype=autograd.bool).numpy()
    assert x.dtype == np.bool_ and set(np.unique(x)) == {False, True}


def test_randperm_is_a_permutation():
    g = autograd.Generator().manual_seed(0)
    for n in (0, 1, 2, 17):
        p = autograd.randperm(n, generator=g).numpy()
        np.testing.assert_array_equal(np.sort(p), np.arange(n))
        assert p.dtype == np.int64


def test_multinomial_without_replacement_is_distinct_and_follows_weights():
    g = autograd.Generator().manual_seed(0)
    w = autograd.tensor([[1.0, 0.0, 3.0, 6.0]] * 4000)  # unnormalised rows
    x = autograd.multinomial(w, 3, generator=g).numpy()
    assert x.shape == (4000, 3) and x.dtype == np.int64
    assert all(len(set(row)) == 3 for row in x)
    assert (x[:, :2] != 1).all()  # the zero-weight category only when nothing else is left
    first = np.bincount(x[:, 0], minlength=4) / 4000
    np.testing.assert_allclose(first, [0.1, 0.0, 0.3, 0.6], atol=0.03)
    # all categories, zero weights last (torch samples them only when it must)
    full = autograd.multinomial(autograd.tensor([1.0, 0.0]), 2, generator=g).numpy()
    np.testing.assert_array_equal(full, torch.multinomial(torch.tensor([1.0, 0.0]), 2).numpy())


def test_multinomial_with_replacement_frequencies():
    g = autograd.Generator().manual_seed(0)
    x = autograd.multinomial(autograd.tensor([2.0, 0.0, 6.0]), 20000, True, generator=g).numpy()
    assert x.shape == (20000,)
    np.testing.assert_allclose(np.bincount(x, minlength=3) / 20000, [0.25, 0, 0.75], atol=0.015)


MULTINOMIAL_ERRORS = {
    "negative": (lambda m: m.multinomial(m.tensor([1.0, -1.0]), 1)),
    "inf": (lambda m: m.multinomial(m.tensor([1.0, math.inf]), 1)),
    "nan": (lambda m: m.multinomial(m.tensor([1.0, math.nan]), 1)),
    "all_zero_row": (lambda m: m.multinomial(m.tensor([[1.0, 1.0], [0.0, 0.0]]), 1)),
    "too_many": (lambda m: m.multinomial(m.tensor([1.0, 0.0]), 3)),
    "zero_samples": (lambda m: m.multinomial(m.tensor([1.0, 0.0]), 0)),
    "int_input": (lambda m: m.multinomial(m.tensor([1, 2]), 1)),
    "3d": (lambda m: m.multinomial(m.ones(2, 2, 2), 1)),
    "0d": (lambda m: m.multinomial(m.tensor(1.0), 1)),
    "float_count": (lambda m: m.multinomial(m.tensor([1.0, 2.0]), 2.0)),
}


@pytest.mark.parametrize("name", sorted(MULTINOMIAL_ERRORS))
def test_multinomial_errors_as_torch(name):
    fn = MULTINOMIAL_ERRORS[name]
    same_error(lambda: fn(autograd), lambda: fn(torch))


def test_normal_broadcasts_and_scales():
    g = autograd.Generator().manual_seed(0)
    mean = autograd.tensor([[-5.0], [5.0]])
    std = autograd.tensor([0.5, 2.0, 4.0])
    x = np.stack([autograd.normal(mean, std, generator=g).numpy() for _ in range(3000)])
    np.testing.assert_allclose(x.mean(0), [[-5] * 3, [5] * 3], atol=0.25)
    np.testing.assert_allclose(x.std(0), [[0.5, 2, 4]] * 2, rtol=0.08)
    y = autograd.normal(3.0, 0.0, (4,), generator=g).numpy()
    np.testing.assert_array_equal(y, [3.0] * 4)


NORMAL_ERRORS = {
    "negative_std_tensor": lambda m: m.normal(m.zeros(3), m.ones(3) * -1),
    "negative_std_float": lambda m: m.normal(0.0, -1.0, (2,)),
    "negative_std_tf": lambda m: m.normal(m.zeros(3), -1.0),
    "shapes": lambda m: m.normal(m.zeros(3), m.ones(4)),
    "int_mean": lambda m: m.normal(m.tensor([1, 2]), 1.0),
    "rand_int_dtype": lambda m: m.rand(3, dtype=m.int64),
    "randn_int_dtype": lambda m: m.randn(3, dtype=m.int64),
    "randint_empty_range": lambda m: m.randint(5, 5, (3,)),
    "randint_uint8_overflow": lambda m: m.randint(0, 300, (3,), dtype=m.uint8),
    "randint_uint8_negative": lambda m: m.randint(-1, 2, (2,), dtype=m.uint8),
    "randint_bool": lambda m: m.randint(3, (2,), dtype=m.bool),
    "randint_requires_grad": lambda m: m.randint(0, 3, (2,), requires_grad=True),
    "negative_size": lambda m: m.rand(2, -1),
    "randperm_negative": lambda m: m.randperm(-1),
    "bernoulli_p_range": lambda m: m.bernoulli(m.tensor([1.5])),
    "bernoulli_float_p": lambda m: m.bernoulli(m.tensor([0.5]), 2.0),
    "bernoulli_int": lambda m: m.bernoulli(m.tensor([1, 0])),
    "rand_like_int": lambda m: m.rand_like(m.zeros(2, dtype=m.int64)),
}


@pytest.mark.parametrize("name", sorted(NORMAL_ERRORS))
def test_factory_errors_as_torch(name):
    fn = NORMAL_ERRORS[name]
    same_error(lambda: fn(autograd), lambda: fn(torch), name != "randint_requires_grad")


def test_bernoulli_frequencies_and_dtype():
    g = autograd.Generator().manual_seed(0)
    p = autograd.tensor([0.0, 0.2, 0.9, 1.0], dtype=autograd.float64)
    x = np.stack([autograd.bernoulli(p, generator=g).numpy() for _ in range(4000)])
    assert x.dtype == np.float64 and set(np.unique(x)) <= {0.0, 1.0}
    np.testing.assert_allclose(x.mean(0), [0, 0.2, 0.9, 1], atol=0.03)


# in-place fills: (method call, torch's dtype) -> shape/dtype kept, range as torch's
INPLACE = {
    "normal_": lambda t, g: t.normal_(2.0, 0.5, generator=g),
    "uniform_": lambda t, g: t.uniform_(-1.0, 3.0, generator=g),
    "exponential_": lambda t, g: t.exponential_(2.0, generator=g),
    "bernoulli_": lambda t, g: t.bernoulli_(0.3, generator=g),
    "random_to": lambda t, g: t.random_(5, generator=g),
    "random_from_to": lambda t, g: t.random_(2, 6, generator=g),
    "geometric_": lambda t, g: t.geometric_(0.5, generator=g),
    "log_normal_": lambda t, g: t.log_normal_(generator=g),
    "cauchy_": lambda t, g: t.cauchy_(generator=g),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_fills_as_torch(name, dtype):
    fill = INPLACE[name]
    ours = autograd.zeros(4000, dtype=getattr(autograd, dtype))
    theirs = torch.zeros(4000, dtype=getattr(torch, dtype))
    out = fill(ours, autograd.Generator().manual_seed(0))
    fill(theirs, torch.Generator().manual_seed(0))
    assert out is ours and ours.dtype == np.dtype(dtype) and ours._version == 1
    a, b = ours.numpy(), theirs.numpy()
    if name.startswith("random") or name in ("bernoulli_", "geometric_"):
        assert set(np.unique(a)) <= set(range(0, 100))
        assert set(np.unique(a)) == set(np.unique(b)) or name == "geometric_"
    if name == "uniform_":
        assert a.min() >= -1 and a.max() < 3
    if name in ("normal_", "exponential_", "uniform_", "bernoulli_", "random_to"):
        np.testing.assert_allclose(a.mean(), b.mean(), atol=0.1)
        np.testing.assert_allclose(a.std(), b.std(), rtol=0.1)


def test_random_without_bounds_as_torch():
    for dtype in ("uint8", "int8", "bool", "float16"):
        x = autograd.zeros(3000, dtype=getattr(autograd, dtype)).random_().numpy()
        y = torch.zeros(3000, dtype=getattr(torch, dtype)).random_().numpy()
        assert x.dtype == y.dtype
        top = 2**11 if dtype == "float16" else autograd.iinfo(getattr(autograd, dtype)).max
        assert x.min() >= 0 and x.max() <= top and x.max() > 0.5 * y.max()
    f = autograd.zeros(1000).random_().numpy()
    assert f.min() >= 0 and f.max() <= 2**24 and f.max() > 2**23


INPLACE_ERRORS = {
    "uniform_int": lambda m: m.zeros(3, dtype=m.int64).uniform_(),
    "normal_int": lambda m: m.zeros(3, dtype=m.int64).normal_(),
    "normal_std": lambda m: m.zeros(3).normal_(0, -1),
    "uniform_range": lambda m: m.zeros(3).uniform_(2, 1),
    "exponential_lambda": lambda m: m.zeros(3).exponential_(-1),
    "exponential_int": lambda m: m.zeros(3, dtype=m.int64).exponential_(),
    "bernoulli_p": lambda m: m.zeros(3).bernoulli_(1.5),
    "random_range": lambda m: m.zeros(3).random_(5, 2),
    "random_int8_range": lambda m: m.zeros(3, dtype=m.int8).random_(0, 300),
    "leaf_requires_grad": lambda m: m.zeros(3).requires_grad_().normal_(),
}


@pytest.mark.parametrize("name", sorted(INPLACE_ERRORS))
def test_inplace_errors_as_torch_and_change_nothing(name):
    fn = INPLACE_ERRORS[name]
    same_error(lambda: fn(autograd), lambda: fn(torch), name != "leaf_requires_grad")


def test_inplace_fill_failure_leaves_tensor_unchanged():
    x = autograd.ones(3)
    with pytest.raises(RuntimeError):
        x.uniform_(2, 1)
    np.testing.assert_array_equal(x.numpy(), [1, 1, 1])
    assert x._version == 0


def test_bernoulli_inplace_with_tensor_p_broadcasts():
    x = autograd.zeros(2, 3).bernoulli_(autograd.tensor([0.0, 1.0, 1.0]))
    np.testing.assert_array_equal(x.numpy(), [[0, 1, 1], [0, 1, 1]])


def test_requires_grad_and_device_keywords():
    x = autograd.rand(2, 3, requires_grad=True, device="cpu")
    assert x.requires_grad and x.is_leaf and x.device == "cpu"
    y = autograd.randn(2, dtype=autograd.float64, requires_grad=True)
    assert y.dtype == autograd.float64 and y.requires_grad
    assert autograd.rand(size=(2, 3)).shape == (2, 3)


def test_generator_device_mismatch_and_wrong_type_raise():
    with pytest.raises(TypeError):
        autograd.rand(2, generator=np.random.default_rng(0))


# --------------------------------------------------------------------------- torch's streams
SIZES = (0, 1, 15, 16, 17, 100)
SEEDS = (0, 1, 2**32 + 5, -3)


def _same_stream(ours, theirs):
    """Our draw is torch's, bit for bit, and both generators end in the same state."""
    a, b = ours.numpy(), theirs.numpy()
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(autograd.get_rng_state().numpy(), torch.get_rng_state().numpy())


def _seeded(seed):
    autograd.manual_seed(seed)
    torch.manual_seed(seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rand_randn_and_likes_are_torchs(seed, dtype):
    _seeded(seed)
    for n in SIZES:
        for op in ("rand", "randn", "rand", "randn"):  # a cached normal carries over
            ours = getattr(autograd, op)(n, dtype=getattr(autograd, dtype))
            theirs = getattr(torch, op)(n, dtype=getattr(torch, dtype))
            _same_stream(ours, theirs)
    x = autograd.zeros(3, 7, dtype=getattr(autograd, dtype))
    tx = torch.zeros(3, 7, dtype=getattr(torch, dtype))
    _same_stream(autograd.rand_like(x), torch.rand_like(tx))
    _same_stream(autograd.randn_like(x), torch.randn_like(tx))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_generator_streams_are_torchs_and_leave_the_default_alone(dtype):
    _seeded(4)
    g, tg = autograd.Generator(), torch.Generator()  # both start from 67280421310721
    for n in SIZES:
        a = autograd.randn(n, generator=g, dtype=getattr(autograd, dtype)).numpy()
        b = torch.randn(n, generator=tg, dtype=getattr(torch, dtype)).numpy()
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(g.get_state().numpy(), tg.get_state().numpy())
    g.manual_seed(2**40 + 9)
    tg.manual_seed(2**40 + 9)
    a = autograd.rand(50, generator=g, dtype=getattr(autograd, dtype))
    b = torch.rand(50, generator=tg, dtype=getattr(torch, dtype))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    _same_stream(autograd.rand(5), torch.rand(5))  # the default generators untouched


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inplace_fills_are_torchs(dtype):
    ad, td = getattr(autograd, dtype), getattr(torch, dtype)
    _seeded(7)
    for n in SIZES:
        for low, high in ((-0.3, 0.7), (-1 / 3, 2 / 7), (0.1, 5.3)):
            _same_stream(autograd.empty(n, dtype=ad).uniform_(low, high),
                         torch.empty(n, dtype=td).uniform_(low, high))  # fmt: skip
        for mean, std in ((0.3, 0.07), (-2.0, 3.3)):
            _same_stream(autograd.empty(n, dtype=ad).normal_(mean, std),
                         torch.empty(n, dtype=td).normal_(mean, std))  # fmt: skip
            _same_stream(autograd.normal(mean, std, (n,), dtype=ad),
                         torch.normal(mean, std, (n,), dtype=td))  # fmt: skip
        _same_stream(autograd.empty(n, dtype=ad).exponential_(2.5),
                     torch.empty(n, dtype=td).exponential_(2.5))  # fmt: skip
        _same_stream(autograd.empty(n, dtype=ad).bernoulli_(0.3),
                     torch.empty(n, dtype=td).bernoulli_(0.3))  # fmt: skip


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal_with_tensor_arguments_and_bernoulli_are_torchs(dtype):
    ad, td = getattr(autograd, dtype), getattr(torch, dtype)
    _seeded(8)
    for n in SIZES:
        mean = np.linspace(-1, 1, n).astype(dtype)
        std = np.linspace(0.1, 2, n).astype(dtype)
        m, s, tm, ts = autograd.tensor(mean), autograd.tensor(std), T(mean), T(std)
        _same_stream(autograd.normal(m, s), torch.normal(tm, ts))
        _same_stream(autograd.normal(m, 0.37), torch.normal(tm, 0.37))
        _same_stream(autograd.normal(0.37, s), torch.normal(0.37, ts))
        p = np.linspace(0, 1, n).astype(dtype)
        _same_stream(autograd.bernoulli(autograd.tensor(p)), torch.bernoulli(T(p)))
        _same_stream(autograd.bernoulli(autograd.tensor(p), 0.3), torch.bernoulli(T(p), 0.3))
        _same_stream(autograd.empty(n, dtype=ad).bernoulli_(autograd.tensor(p)),
                     torch.empty(n, dtype=td).bernoulli_(T(p)))  # fmt: skip


@pytest.mark.parametrize(
    "low, high, dtype",
    [(0, 10, "int64"), (-5, 7, "int32"), (0, 2**32 + 3, "int64"), (-(2**40), 2**40, "int64"),
     (0, 3, "uint8"), (-100, 100, "int8"), (0, 100, "float32"), (0, 2**33, "float64"),
     (-(2**63), 2**63 - 1, "int64"), (0, 2**28 - 1, "int64"), (0, 2**28, "int64"),
     (-(2**31), 2**31 - 1, "int32"), (0, 2**28, "int32"), (0, 2**28, "float64")],
)  # fmt: skip
def test_randint_is_torchs(low, high, dtype):
    _seeded(4)
    for n in SIZES:
        _same_stream(autograd.randint(low, high, (n,), dtype=getattr(autograd, dtype)),
                     torch.randint(low, high, (n,), dtype=getattr(torch, dtype)))  # fmt: skip
    g, tg = autograd.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    a = autograd.randint(low, high, (40,), generator=g, dtype=getattr(autograd, dtype))
    b = torch.randint(low, high, (40,), generator=tg, dtype=getattr(torch, dtype))
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize(
    "dtype", ["int64", "int32", "int16", "int8", "uint8", "bool", "float32", "float64"]
)
def test_random_and_randint_like_are_torchs(dtype):
    ad, td = getattr(autograd, dtype), getattr(torch, dtype)
    _seeded(5)
    _same_stream(autograd.empty(30, dtype=ad).random_(), torch.empty(30, dtype=td).random_())
    _same_stream(autograd.empty(30, dtype=ad).random_(2), torch.empty(30, dtype=td).random_(2))
    if dtype != "bool":
        _same_stream(autograd.empty(30, dtype=ad).random_(1, 100),
                     torch.empty(30, dtype=td).random_(1, 100))  # fmt: skip
        _same_stream(autograd.randint_like(autograd.zeros(9, dtype=ad), 3, 50),
                     torch.randint_like(torch.zeros(9, dtype=td), 3, 50))  # fmt: skip
    if dtype in ("int64", "int32"):  # spans of 2^28 or more draw random64s (random_() not)
        _same_stream(autograd.empty(30, dtype=ad).random_(2**29),
                     torch.empty(30, dtype=td).random_(2**29))  # fmt: skip
        _same_stream(autograd.empty(30, dtype=ad).random_(-5, None),
                     torch.empty(30, dtype=td).random_(-5, None))  # fmt: skip
    if dtype == "int64":  # random_(from, None): [from, max]; the full range: random64 itself
        for low in (5, -(2**63)):
            _same_stream(autograd.empty(30, dtype=ad).random_(low, None),
                         torch.empty(30, dtype=td).random_(low, None))  # fmt: skip


def test_randperm_is_torchs():
    _seeded(7)
    for n in (0, 1, 2, 5, 17, 100, 1000, 70000):
        _same_stream(autograd.randperm(n), torch.randperm(n))
    _same_stream(autograd.randperm(9, dtype=autograd.int32), torch.randperm(9, dtype=torch.int32))
    g, tg = autograd.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    a, b = autograd.randperm(50, generator=g), torch.randperm(50, generator=tg)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(7,), (3, 5), (4, 100)])
def test_multinomial_is_torchs(dtype, shape):
    w = np.random.default_rng(0).random(shape).astype(dtype)
    w[..., 0] = 0  # a zero weight is never drawn
    _seeded(9)
    for k, replacement in ((1, True), (1, False), (3, False), (3, True), (20, True)):
        _same_stream(autograd.multinomial(autograd.tensor(w), k, replacement),
                     torch.multinomial(T(w), k, replacement))  # fmt: skip


def test_state_is_torchs_byte_for_byte_and_loads_torchs_state():
    _seeded(3)
    fresh = autograd.get_rng_state().numpy()
    np.testing.assert_array_equal(fresh, torch.get_rng_state().numpy())
    assert fresh.size == 5056
    _same_stream(autograd.randn(3), torch.randn(3))  # leaves a cached normal in the state
    # torch's state, loaded here, continues torch's stream (the cached normal too)
    autograd.set_rng_state(autograd.tensor(torch.get_rng_state().numpy()))
    _same_stream(autograd.randn(5), torch.randn(5))
    saved = torch.get_rng_state()
    autograd.set_rng_state(autograd.tensor(saved.numpy()))
    with autograd.random.fork_rng():
        autograd.rand(10)
    _same_stream(autograd.rand(700), torch.rand(700))  # across MT19937's 624-word refill
    g = autograd.Generator().set_state(autograd.tensor(saved.numpy()))
    tg = torch.Generator().set_state(saved)
    np.testing.assert_array_equal(autograd.randn(9, generator=g).numpy(),
                                  torch.randn(9, generator=tg).numpy())  # fmt: skip
    assert g.initial_seed() == tg.initial_seed() == 3
    bad = autograd.tensor(saved.numpy())
    bad[8:12] = 0  # `left` 0: torch refuses it
    same_error(lambda: autograd.set_rng_state(bad), lambda: torch.set_rng_state(T(bad.numpy())))


def test_seeds_as_torch_reads_them():
    for seed in (0, 2**32 - 1, 2**32, 2**63 - 1, -1, -(2**63), 2**64 - 1):
        _seeded(seed)
        assert autograd.initial_seed() == torch.initial_seed()
        _same_stream(autograd.rand(4), torch.rand(4))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_geometric_log_normal_cauchy_are_torchs(dtype):
    ad, td = getattr(autograd, dtype), getattr(torch, dtype)
    _seeded(6)
    for n in SIZES:
        _same_stream(autograd.empty(n, dtype=ad).geometric_(0.3),
                     torch.empty(n, dtype=td).geometric_(0.3))  # fmt: skip
        _same_stream(autograd.empty(n, dtype=ad).log_normal_(0.5, 1.5),
                     torch.empty(n, dtype=td).log_normal_(0.5, 1.5))  # fmt: skip
        _same_stream(autograd.empty(n, dtype=ad).cauchy_(0.5, 2.0),
                     torch.empty(n, dtype=td).cauchy_(0.5, 2.0))  # fmt: skip
    _same_stream(autograd.empty(9, dtype=ad).log_normal_(700.0, 10.0),
                 torch.empty(9, dtype=td).log_normal_(700.0, 10.0))  # overflows to inf  # fmt: skip
    _same_stream(autograd.empty(20, dtype=autograd.int64).geometric_(0.5),
                 torch.empty(20, dtype=torch.int64).geometric_(0.5))  # fmt: skip


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_uniform_that_rounds_to_its_top_gives_its_bottom_as_torch(dtype):
    """torch's uniform kernel maps a value rounded up to `to` back to `from`; float16's
    rand rounds float32 draws, so its 1.0s become 0."""
    ad, td = getattr(autograd, dtype), getattr(torch, dtype)
    top = 1 + {"float16": 2**-8, "float32": 2**-20, "float64": 2**-49}[dtype]
    _seeded(1)
    for low, high in ((1.0, top), (-1.3, 2.1), (-2.0, -1.0)):
        _same_stream(autograd.empty(3000, dtype=ad).uniform_(low, high),
                     torch.empty(3000, dtype=td).uniform_(low, high))  # fmt: skip
    _same_stream(autograd.rand(30000, dtype=ad), torch.rand(30000, dtype=td))
    _same_stream(autograd.randint(0, 7, (50,), dtype=ad), torch.randint(0, 7, (50,), dtype=td))
    _same_stream(autograd.randn(15, dtype=ad), torch.randn(15, dtype=td))


NONCONTIGUOUS_FILLS = {
    "uniform_": lambda t: t.uniform_(-1.0, 2.0),
    "normal_": lambda t: t.normal_(0.5, 2.0),
    "random_": lambda t: t.random_(100),
    "bernoulli_": lambda t: t.bernoulli_(0.5),
    "exponential_": lambda t: t.exponential_(),
    "log_normal_": lambda t: t.log_normal_(),
}
VIEWS = {
    "transposed": lambda m: m.empty(6, 8).t(),
    "permuted": lambda m: m.empty(2, 3, 4).permute(2, 0, 1),
    "strided": lambda m: m.empty(4, 12)[:, ::2],
}


@pytest.mark.parametrize("view", sorted(VIEWS))
@pytest.mark.parametrize("name", sorted(NONCONTIGUOUS_FILLS))
def test_inplace_fill_of_a_view_is_torchs(name, view):
    """torch fills a non-contiguous tensor in memory order (normal_ by its scalar path)."""
    _seeded(0)
    ours, theirs = VIEWS[view](autograd), VIEWS[view](torch)
    NONCONTIGUOUS_FILLS[name](ours)
    NONCONTIGUOUS_FILLS[name](theirs)
    _same_stream(ours, theirs)


def test_float16_fills_are_torchs():
    """float16's normal fill is float32's rounded, but draws no uniforms for the elements a
    partial last block redraws."""
    _seeded(2)
    for n in (*SIZES, 20, 31, 33):
        _same_stream(autograd.randn(n, dtype=autograd.float16), torch.randn(n, dtype=torch.float16))
        _same_stream(autograd.empty(n, dtype=autograd.float16).normal_(0.5, 2.0),
                     torch.empty(n, dtype=torch.float16).normal_(0.5, 2.0))  # fmt: skip
        _same_stream(autograd.rand(n, dtype=autograd.float16), torch.rand(n, dtype=torch.float16))
