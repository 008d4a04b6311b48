"""nn.data (Dataset, TensorDataset, Subset, DataLoader, default_collate) and nn.datasets
(IDX files, FashionMNIST): batching, shuffling, drop_last, and the errors for bad files."""

import gzip
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from nn.data import DataLoader, Dataset, Subset, TensorDataset, default_collate
from nn.datasets import DatasetFileError, FashionMNIST, read_idx, write_idx


def rows(n, features=3):
    """x with row i filled with i (so a batch shows which samples it holds), y = i % 10."""
    x = autograd.tensor(np.repeat(np.arange(n, dtype=np.float32)[:, None], features, axis=1))
    y = autograd.tensor(np.arange(n) % 10)
    return x, y


def seen_indices(loader):
    return [int(v) for xb, _ in loader for v in xb[:, 0].tolist()]


class PerSample(Dataset):
    """Only __getitem__/__len__, samples as numpy arrays and ints: the per-sample path."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return np.full(3, i, dtype=np.float32), i % 10

    def __len__(self):
        return self.n


# --------------------------------------------------------------------------- TensorDataset
def test_tensor_dataset_indexes_rows():
    x, y = rows(5)
    ds = TensorDataset(x, y)
    assert len(ds) == 5
    xi, yi = ds[3]
    assert xi.tolist() == [3.0, 3.0, 3.0] and yi.item() == 3
    assert ds[-1][1].item() == 4
    with pytest.raises(IndexError, match="out of range"):
        ds[5]


def test_tensor_dataset_rejects_bad_inputs():
    with pytest.raises(ValueError, match=r"Size mismatch.*\[4, 5\]"):
        TensorDataset(autograd.zeros(4, 2), autograd.zeros(5))
    with pytest.raises(TypeError, match="takes Tensors, got ndarray"):
        TensorDataset(np.zeros(3))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


# --------------------------------------------------------------------------- batching
def test_batches_in_order_with_a_short_last_batch():
    x, y = rows(23)
    loader = DataLoader(TensorDataset(x, y), batch_size=10)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [b[0].shape for b in batches] == [(10, 3), (10, 3), (3, 3)]
    assert [b[1].dtype for b in batches] == [autograd.int64] * 3
    assert seen_indices(loader) == list(range(23))


def test_drop_last_drops_the_short_batch():
    x, y = rows(23)
    loader = DataLoader(TensorDataset(x, y), batch_size=10, drop_last=True)
    assert len(loader) == 2
    assert seen_indices(loader) == list(range(20))


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 40),
    batch_size=st.integers(1, 12),
    drop_last=st.booleans(),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_every_sample_once_per_epoch(n, batch_size, drop_last, shuffle, seed):
    x, y = rows(n)
    loader = DataLoader(TensorDataset(x, y), batch_size, shuffle=shuffle, drop_last=drop_last,
                        seed=seed)  # fmt: skip
    seen = seen_indices(loader)
    batches = list(loader)
    expected = (n // batch_size) if drop_last else -(-n // batch_size)
    assert len(batches) == len(loader) == expected
    assert all(b[0].shape[0] == batch_size for b in batches[:-1])
    if drop_last:
        assert len(seen) == expected * batch_size and len(set(seen)) == len(seen)
    else:
        assert sorted(seen) == list(range(n))
    if not shuffle:
        assert seen == sorted(seen)


def test_per_sample_path_equals_the_batched_path():
    # PerSample has no get_batch, so it goes through __getitem__ and default_collate.
    x, _ = rows(17)
    fast = DataLoader(TensorDataset(x, autograd.tensor(np.arange(17) % 10)), 5, shuffle=True,
                      seed=3)  # fmt: skip
    slow = DataLoader(PerSample(17), 5, shuffle=True, seed=3)
    for (xf, yf), (xs, ys) in zip(fast, slow):
        assert xf.tolist() == xs.tolist() and yf.tolist() == ys.tolist()
        assert ys.dtype == autograd.int64


def test_collate_fn_is_used():
    calls = []

    def collate(samples):
        calls.append(len(samples))
        return samples

    x, y = rows(7)
    batches = list(DataLoader(TensorDataset(x, y), 3, collate_fn=collate))
    assert calls == [3, 3, 1]
    assert isinstance(batches[0], list) and len(batches[0]) == 3


def test_default_collate_types():
    batch = default_collate([{"a": 1, "b": 0.5, "c": True, "s": "x"},
                             {"a": 2, "b": 1.5, "c": False, "s": "y"}])  # fmt: skip
    assert batch["a"].dtype == autograd.int64 and batch["a"].tolist() == [1, 2]
    assert batch["b"].dtype == autograd.float64 and batch["b"].tolist() == [0.5, 1.5]
    assert batch["c"].dtype == autograd.bool and batch["c"].tolist() == [True, False]
    assert batch["s"] == ["x", "y"]
    stacked = default_collate([autograd.ones(2, 3), autograd.zeros(2, 3)])
    assert stacked.shape == (2, 2, 3)
    with pytest.raises(TypeError, match="found <class 'object'>"):
        default_collate([object()])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (3,)])


# --------------------------------------------------------------------------- shuffling
def test_shuffle_is_reproducible_from_the_seed_and_changes_per_epoch():
    x, y = rows(50)
    a = DataLoader(TensorDataset(x, y), 8, shuffle=True, seed=7)
    b = DataLoader(TensorDataset(x, y), 8, shuffle=True, seed=7)
    epoch0, epoch1 = seen_indices(a), seen_indices(a)
    assert epoch0 == seen_indices(b) and epoch1 == seen_indices(b)
    assert epoch0 != epoch1  # a new order each epoch
    assert epoch0 != list(range(50))
    assert seen_indices(DataLoader(TensorDataset(x, y), 8, shuffle=True, seed=8)) != epoch0


def test_set_epoch_replays_an_epoch():
    # What --resume relies on: epoch k's order depends on (seed, k) only.
    x, y = rows(30)
    loader = DataLoader(TensorDataset(x, y), 4, shuffle=True, seed=1)
    orders = [seen_indices(loader) for _ in range(3)]
    fresh = DataLoader(TensorDataset(x, y), 4, shuffle=True, seed=1)
    fresh.set_epoch(2)
    assert seen_indices(fresh) == orders[2]
    # sample_order(k) is epoch k's order, without moving the loader
    order = DataLoader(TensorDataset(x, y), 4, shuffle=True, seed=1).sample_order(1)
    assert order.tolist() == orders[1]
    with pytest.raises(ValueError, match="set_epoch"):
        fresh.set_epoch(-1)


def test_shuffle_from_a_generator_and_from_manual_seed():
    x, y = rows(40)
    a = DataLoader(TensorDataset(x, y), 5, shuffle=True, generator=np.random.default_rng(0))
    b = DataLoader(TensorDataset(x, y), 5, shuffle=True, generator=np.random.default_rng(0))
    assert seen_indices(a) == seen_indices(b)
    autograd.manual_seed(11)
    first = seen_indices(DataLoader(TensorDataset(x, y), 5, shuffle=True))
    autograd.manual_seed(11)
    assert seen_indices(DataLoader(TensorDataset(x, y), 5, shuffle=True)) == first
    assert sorted(first) == list(range(40)) and first != list(range(40))


def test_bad_loader_arguments():
    x, y = rows(4)
    ds = TensorDataset(x, y)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size should be a positive integer"):
            DataLoader(ds, batch_size=bad)
    with pytest.raises(ValueError, match="not both"):
        DataLoader(ds, shuffle=True, seed=0, generator=np.random.default_rng(0))
    with pytest.raises(TypeError, match="autograd.Generator"):
        DataLoader(ds, shuffle=True, generator=0)
    for bad in (-1, 1.5, "0"):
        with pytest.raises(ValueError, match="seed must be an int >= 0"):
            DataLoader(ds, shuffle=True, seed=bad)


def test_subset_keeps_the_batched_path():
    x, y = rows(20)
    sub = Subset(TensorDataset(x, y), [3, 1, 4, 1, 5])
    assert len(sub) == 5 and sub[2][0][0].item() == 4
    assert sub.get_batch is not None
    assert seen_indices(DataLoader(sub, 2)) == [3, 1, 4, 1, 5]
    assert Subset(PerSample(5), [0, 2]).get_batch is None
    with pytest.raises(IndexError, match="out of range"):
        Subset(TensorDataset(x, y), [20])


# --------------------------------------------------------------------------- IDX files
def fake_fashion_mnist(root, n_train=30, n_test=20, seed=0):
    """Write the four files of Fashion-MNIST with random images into root."""
    rng = np.random.default_rng(seed)
    os.makedirs(root, exist_ok=True)
    for train, n in ((True, n_train), (False, n_test)):
        images_file, labels_file = FashionMNIST.files[train]
        write_idx(os.path.join(root, images_file), rng.integers(0, 256, (n, 28, 28), np.uint8))
        write_idx(os.path.join(root, labels_file), rng.integers(0, 10, n, np.uint8))
    return root


def test_idx_round_trip(tmp_path):
    a = np.random.default_rng(0).integers(0, 256, (4, 5, 6), np.uint8)
    path = write_idx(tmp_path / "a.gz", a)
    np.testing.assert_array_equal(read_idx(path, 3), a)
    with pytest.raises(DatasetFileError, match="not an IDX file of 1-d"):
        read_idx(path, 1)


def test_fashion_mnist_from_files(tmp_path):
    root = fake_fashion_mnist(tmp_path)
    train, test = FashionMNIST(root), FashionMNIST(root, train=False)
    assert (len(train), len(test)) == (30, 20)
    image, label = train[4]
    assert image.shape == (1, 28, 28) and image.dtype == autograd.float32
    np.testing.assert_allclose(image.numpy()[0], train.data[4] / 255, rtol=1e-6)
    assert label == train.targets[4] and isinstance(label, int)
    xb, yb = next(iter(DataLoader(train, batch_size=8)))
    assert xb.shape == (8, 1, 28, 28) and yb.dtype == autograd.int64
    np.testing.assert_allclose(xb.numpy()[:, 0], train.data[:8] / 255, rtol=1e-6)
    flipped = FashionMNIST(root, transform=lambda t: 1 - t, target_transform=lambda c: -c)
    assert flipped.get_batch is None
    xf, yf = next(iter(DataLoader(flipped, batch_size=8)))
    np.testing.assert_allclose(xf.numpy(), 1 - xb.numpy(), atol=1e-6)
    assert yf.tolist() == (-yb).tolist()


def test_missing_file_names_it_and_the_package(tmp_path):
    root = fake_fashion_mnist(tmp_path)
    os.remove(tmp_path / "t10k-labels-idx1-ubyte.gz")
    FashionMNIST(root)  # the training files are all there
    with pytest.raises(DatasetFileError) as info:
        FashionMNIST(root, train=False)
    message = str(info.value)
    assert "not found" in message and "t10k-labels-idx1-ubyte.gz" in message
    assert "apt-get install dataset-fashion-mnist" in message


def test_truncated_gzip_is_reported(tmp_path):
    root = fake_fashion_mnist(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetFileError, match="truncated or corrupt.*train-images-idx3-ubyte"):
        FashionMNIST(root)


def test_short_payload_and_garbage_are_reported(tmp_path):
    root = fake_fashion_mnist(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    with gzip.open(path, "rb") as f:
        raw = f.read()
    with gzip.open(path, "wb") as f:  # a valid gzip stream whose payload is cut short
        f.write(raw[:-100])
    with pytest.raises(DatasetFileError, match="holds .* bytes, its header"):
        FashionMNIST(root)
    path.write_bytes(b"this is not gzip at all")
    with pytest.raises(DatasetFileError, match="train-images-idx3-ubyte.gz.*apt-get install"):
        FashionMNIST(root)


def test_images_and_labels_must_agree(tmp_path):
    root = fake_fashion_mnist(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(29, np.uint8))
    with pytest.raises(DatasetFileError, match="30 images but .* 29 labels"):
        FashionMNIST(root)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.full(30, 10, np.uint8))
    with pytest.raises(DatasetFileError, match="label 10 outside"):
        FashionMNIST(root)


@pytest.mark.skipif(
    not os.path.isdir(FashionMNIST.default_root),
    reason="Debian's dataset-fashion-mnist is not installed",
)
def test_the_installed_fashion_mnist():
    test = FashionMNIST(train=False)
    assert len(test) == 10_000 and test.data.shape == (10_000, 28, 28)
    assert sorted(np.unique(test.targets).tolist()) == list(range(10))
    assert np.bincount(test.targets).tolist() == [1000] * 10


# =========================================================================== torch parity
# torch.utils.data side by side: every deterministic result (slices, splits' sizes, sequential
# batches, collation, lengths, errors) must equal torch's. Random orders are not torch's
# stream; for them the tests check the properties (permutations, weights, reproducibility).
import collections  # noqa: E402
import inspect  # noqa: E402
import warnings  # noqa: E402

import torch  # noqa: E402
import torch.utils.data as tud  # noqa: E402

import nn.data as nd  # noqa: E402


def plain(x):
    """A batch as nested Python values, Tensors as (dtype name, shape, values)."""
    if isinstance(x, torch.Tensor):
        return ("tensor", str(x.dtype).replace("torch.", ""), tuple(x.shape), x.tolist())
    if isinstance(x, autograd.Tensor):
        return ("tensor", str(x.dtype), tuple(x.shape), x.tolist())
    if _is_namedtuple(x):
        return (type(x).__name__, tuple(plain(v) for v in x))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [plain(v) for v in x])
    if isinstance(x, dict):
        return ("dict", {k: plain(v) for k, v in x.items()})
    return x


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def both(array_fn):
    """The same arrays as (ours, torch's) tensors."""
    arrays = array_fn()
    return [autograd.tensor(a) for a in arrays], [torch.tensor(a) for a in arrays]


def tensor_pair(n=10):
    rng = np.random.default_rng(0)
    return both(lambda: [rng.normal(size=(n, 3)), np.arange(n) % 4])


class SeededGenerator:
    """What DataLoader needs of a generator before autograd.Generator: manual_seed and
    initial_seed (a stream restarted by manual_seed)."""

    def __init__(self):
        self._seed = 0

    def manual_seed(self, seed):
        self._seed = seed
        nd._seeded_streams.pop(self, None)
        return self

    def initial_seed(self):
        return self._seed


def generators():
    """Seeded generators of each kind DataLoader takes, made anew for each call."""
    made = [lambda s: np.random.default_rng(s), lambda s: SeededGenerator().manual_seed(s)]
    if hasattr(autograd, "Generator"):
        made.append(lambda s: autograd.Generator().manual_seed(s))
    return made


# --------------------------------------------------------------------------- datasets
@pytest.mark.parametrize(
    "index",
    [3, -1, slice(2, 5), slice(None, None, 3), slice(8, 20), [1, 3, 3], "tensor", "bool"],
    ids=str,
)
def test_tensor_dataset_indexes_as_torch(index):
    (x, y), (tx, ty) = tensor_pair()
    ours, theirs = TensorDataset(x, y), tud.TensorDataset(tx, ty)
    if index == "tensor":
        index, tindex = autograd.tensor(np.array([4, 0, 9])), torch.tensor([4, 0, 9])
    elif index == "bool":
        mask = np.arange(10) % 3 == 0
        index, tindex = autograd.tensor(mask), torch.tensor(mask)
    else:
        tindex = index
    assert plain(ours[index]) == plain(theirs[tindex])


def test_concat_dataset_as_torch():
    (x, y), (tx, ty) = tensor_pair(7)
    parts = [(0, 3), (3, 3), (3, 7)]  # an empty one in the middle
    ours = nd.ConcatDataset([TensorDataset(x[a:b], y[a:b]) for a, b in parts])
    theirs = tud.ConcatDataset([tud.TensorDataset(tx[a:b], ty[a:b]) for a, b in parts])
    assert len(ours) == len(theirs) == 7
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    for i in range(-7, 7):
        assert plain(ours[i]) == plain(theirs[i])
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        ours[-8]
    with pytest.raises(IndexError):
        ours[7]
    added = TensorDataset(x, y) + TensorDataset(x, y)
    assert isinstance(added, nd.ConcatDataset) and len(added) == 14
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        nd.ConcatDataset([Stream(3)])
    with pytest.raises(AssertionError, match="empty iterable"):
        nd.ConcatDataset([])


def test_subset_as_torch():
    (x, y), (tx, ty) = tensor_pair()
    ours, theirs = (
        Subset(TensorDataset(x, y), [5, 2, 7]),
        tud.Subset(tud.TensorDataset(tx, ty), [5, 2, 7]),
    )
    assert ours.indices == theirs.indices == [5, 2, 7]
    for i in [0, 1, 2, -1]:
        assert plain(ours[i]) == plain(theirs[i])
    assert plain(ours[[0, 2]]) == plain(theirs[[0, 2]])


@pytest.mark.parametrize(
    "n, lengths",
    [(10, [3, 7]), (10, [0.5, 0.5]), (11, [0.3, 0.3, 0.4]), (7, [0.1, 0.2, 0.7]), (5, [1.0]),
     (9, [2, 3, 4]), (3, [0.25, 0.25, 0.25, 0.25])],
    ids=str,
)  # fmt: skip
def test_random_split_sizes_as_torch_and_a_partition(n, lengths):
    (x, y), (tx, ty) = tensor_pair(n)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = nd.random_split(TensorDataset(x, y), lengths, generator=np.random.default_rng(0))
    with warnings.catch_warnings(record=True) as tcaught:
        warnings.simplefilter("always")
        theirs = tud.random_split(tud.TensorDataset(tx, ty), lengths)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    assert [str(w.message) for w in caught] == [str(w.message) for w in tcaught]
    indices = [i for s in ours for i in s.indices]
    assert sorted(indices) == list(range(n))
    assert all(isinstance(s, Subset) and isinstance(s.indices, list) for s in ours)


@pytest.mark.parametrize(
    "make", generators(), ids=["numpy", "seeded", "autograd"][: len(generators())]
)
def test_random_split_reproducible_from_the_generator(make):
    ds = PerSample(20)
    a = [s.indices for s in nd.random_split(ds, [5, 15], generator=make(3))]
    b = [s.indices for s in nd.random_split(ds, [5, 15], generator=make(3))]
    c = [s.indices for s in nd.random_split(ds, [5, 15], generator=make(4))]
    assert a == b and a != c


@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.6], [1.2, -0.2], [11]], ids=str)
def test_random_split_errors_as_torch(lengths):
    with pytest.raises(ValueError) as theirs:
        tud.random_split(range(10), lengths)
    with pytest.raises(ValueError) as ours:
        nd.random_split(PerSample(10), lengths)
    assert str(ours.value) == str(theirs.value)


# --------------------------------------------------------------------------- samplers
def test_sequential_and_batch_samplers_as_torch():
    assert list(nd.SequentialSampler(range(5))) == list(tud.SequentialSampler(range(5)))
    for n, bs, drop in [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False), (0, 2, False)]:
        ours = nd.BatchSampler(range(n), bs, drop)
        theirs = tud.BatchSampler(range(n), bs, drop)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


@pytest.mark.parametrize(
    "make", generators(), ids=["numpy", "seeded", "autograd"][: len(generators())]
)
@pytest.mark.parametrize("replacement, num_samples", [(False, None), (False, 23), (True, 40)])
def test_random_sampler(make, replacement, num_samples):
    ours = nd.RandomSampler(range(10), replacement, num_samples, generator=make(1))
    theirs = tud.RandomSampler(range(10), replacement, num_samples)
    first, second = list(ours), list(ours)
    assert len(ours) == len(theirs) == len(first) == len(second)
    assert first != second  # a new order at each iteration
    if replacement:
        assert set(first) <= set(range(10))
    else:
        for start in range(0, len(first), 10):  # whole permutations, the last cut short
            block = first[start : start + 10]
            assert len(set(block)) == len(block)
    again = nd.RandomSampler(range(10), replacement, num_samples, generator=make(1))
    assert list(again) == first


def test_random_sampler_without_generator_follows_manual_seed():
    autograd.manual_seed(5)
    a = list(nd.RandomSampler(range(30)))
    autograd.manual_seed(5)
    assert list(nd.RandomSampler(range(30))) == a and sorted(a) == list(range(30))


def test_subset_random_sampler():
    indices = [4, 8, 15, 16, 23, 42]
    sampler = nd.SubsetRandomSampler(indices, generator=np.random.default_rng(0))
    draws = [list(sampler) for _ in range(3)]
    assert all(sorted(d) == indices for d in draws) and len(sampler) == 6
    assert len({tuple(d) for d in draws}) > 1


def test_weighted_random_sampler():
    weights = [0.0, 1.0, 3.0, 0.0, 6.0]
    sampler = nd.WeightedRandomSampler(weights, 20000, generator=np.random.default_rng(0))
    counts = np.bincount(list(sampler), minlength=5) / 20000
    np.testing.assert_allclose(counts, np.array(weights) / 10, atol=0.015)
    assert len(sampler) == len(tud.WeightedRandomSampler(weights, 20000)) == 20000
    distinct = nd.WeightedRandomSampler(
        weights, 3, replacement=False, generator=np.random.default_rng(1)
    )
    assert sorted(distinct) == [1, 2, 4]
    too_many = nd.WeightedRandomSampler(weights, 6, replacement=False)
    with pytest.raises(RuntimeError, match="without replacement"):
        list(too_many)
    with pytest.raises(RuntimeError, match="without replacement"):
        list(tud.WeightedRandomSampler(weights, 6, replacement=False))


SAMPLER_ERRORS = [
    ("RandomSampler", (range(4),), dict(replacement=1)),
    ("RandomSampler", (range(4),), dict(num_samples=0)),
    ("RandomSampler", (range(4),), dict(num_samples=2.5)),
    ("WeightedRandomSampler", ([1.0, 2.0], 0), {}),
    ("WeightedRandomSampler", ([[1.0, 2.0]], 2), {}),
    ("WeightedRandomSampler", ([1.0, 2.0], 2), dict(replacement=0)),
    ("BatchSampler", (range(4), 0, False), {}),
    ("BatchSampler", (range(4), 2, 1)),
]


@pytest.mark.parametrize("case", SAMPLER_ERRORS, ids=str)
def test_sampler_errors_as_torch(case):
    name, args, kwargs = (*case, {})[:3]
    with pytest.raises((ValueError, TypeError)) as theirs:
        getattr(tud, name)(*args, **kwargs)
    with pytest.raises(theirs.type) as ours:
        getattr(nd, name)(*args, **kwargs)
    assert str(ours.value) == str(theirs.value)


# --------------------------------------------------------------------------- collation
Point = collections.namedtuple("Point", "x y")
COLLATE = {
    "ints": [1, 2, 3],
    "floats": [0.5, 1.0, -2.0],
    "bools": [True, False],
    "strings": ["a", "bc"],
    "bytes": [b"a", b"b"],
    "numpy arrays": [np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32)],
    "numpy int16 scalars": [np.int16(1), np.int16(2)],
    "numpy float64 scalars": [np.float64(1.5), np.float64(2.5)],
    "tuples": [(1, 2.0, "a"), (3, 4.0, "b")],
    "lists": [[1, 2], [3, 4]],
    "dicts": [{"a": 1, "b": [0.5, 1]}, {"a": 2, "b": [1.5, 2]}],
    "named tuples": [Point(1, 2.0), Point(3, 4.0)],
    "nested": [({"k": (1, np.float32(2))}, [0.5]), ({"k": (3, np.float32(4))}, [1.5])],
    "tensors": "tensors",
}


@pytest.mark.parametrize("name", COLLATE)
def test_default_collate_as_torch(name):
    batch = COLLATE[name]
    if batch == "tensors":
        ours, theirs = both(lambda: [np.arange(6.0).reshape(2, 3), np.ones((2, 3))])
        assert plain(default_collate(ours)) == plain(tud.default_collate(theirs))
        return
    assert plain(default_collate(batch)) == plain(tud.default_collate(batch))


def test_default_collate_errors_as_torch():
    for batch in [[], [object()], [[1, 2], [3]], [np.array(["a"])]]:
        with pytest.raises(Exception) as theirs:
            tud.default_collate(batch)
        with pytest.raises(theirs.type) as ours:
            default_collate(batch)
        assert str(ours.value) == str(theirs.value)


def test_default_convert_as_torch():
    sample = (np.zeros(2), 1, [np.ones(1, np.float32)], {"a": np.int64(3)}, "s")
    assert plain(nd.default_convert(sample)) == plain(tud.default_convert(sample))


# --------------------------------------------------------------------------- the loader
class DictSamples(Dataset):
    def __len__(self):
        return 7

    def __getitem__(self, i):
        return {"x": np.full(2, i, np.float32), "i": i, "w": i / 2, "name": f"s{i}"}


class _Stream:
    """n samples (a float32 pair, its index), streamed: for ours and for torch's loader."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter((np.full(2, i, np.float32), i) for i in range(self.n))

    def __len__(self):
        return self.n


class Stream(_Stream, nd.IterableDataset):
    pass


class TorchStream(_Stream, tud.IterableDataset):
    pass


def loaders(kind, **kwargs):
    """(ours, torch's) DataLoader over the same data."""
    if kind == "tensors":
        (x, y), (tx, ty) = tensor_pair(11)
        data, tdata = TensorDataset(x, y), tud.TensorDataset(tx, ty)
    elif kind == "per-sample":
        data, tdata = PerSample(11), PerSample(11)
    elif kind == "dicts":
        data, tdata = DictSamples(), DictSamples()
    else:
        data, tdata = Stream(11), TorchStream(11)
    return DataLoader(data, **kwargs), tud.DataLoader(tdata, **kwargs)


LOADER_CASES = [
    ("tensors", dict()),
    ("tensors", dict(batch_size=4)),
    ("tensors", dict(batch_size=4, drop_last=True)),
    ("tensors", dict(batch_size=None)),
    ("tensors", dict(batch_size=3, num_workers=2)),
    ("tensors", dict(batch_sampler=[[0, 5], [2], [10, 1, 3]])),
    ("tensors", dict(sampler=[9, 3, 3, 0], batch_size=3)),
    ("per-sample", dict(batch_size=5)),
    ("per-sample", dict(batch_size=None)),
    ("per-sample", dict(batch_size=4, collate_fn=lambda s: [len(s), s[0][1]])),
    ("per-sample", dict(batch_size=4, sampler=nd.SequentialSampler(range(11)), pin_memory=True)),
    ("dicts", dict(batch_size=3)),
    ("dicts", dict(batch_size=2, drop_last=True, num_workers=2, prefetch_factor=2)),
    ("stream", dict(batch_size=4)),
    ("stream", dict(batch_size=4, drop_last=True)),
    ("stream", dict(batch_size=None)),
]


@pytest.mark.parametrize("kind, kwargs", LOADER_CASES, ids=[f"{k}-{v}" for k, v in LOADER_CASES])
@pytest.mark.filterwarnings("ignore:.*pin_memory.*:UserWarning")
def test_loader_batches_as_torch(kind, kwargs):
    if isinstance(kwargs.get("sampler"), nd.SequentialSampler):
        tkwargs = dict(kwargs, sampler=tud.SequentialSampler(range(11)))
    else:
        tkwargs = kwargs
    ours = DataLoader(loaders(kind)[0].dataset, **kwargs)
    theirs = tud.DataLoader(loaders(kind)[1].dataset, **tkwargs)
    assert len(ours) == len(theirs)
    first = [plain(b) for b in ours]
    assert first == [plain(b) for b in theirs]
    assert [plain(b) for b in ours] == first  # a second epoch, the same batches
    assert len(first) == len(ours)


@pytest.mark.parametrize(
    "make", generators(), ids=["numpy", "seeded", "autograd"][: len(generators())]
)
def test_shuffle_from_a_generator_of_each_kind(make):
    (x, y), _ = tensor_pair(30)
    a = DataLoader(TensorDataset(x, y), 4, shuffle=True, generator=make(0))
    b = DataLoader(TensorDataset(x, y), 4, shuffle=True, generator=make(0))
    epochs_a = [[v for _, yb in a for v in yb.tolist()] for _ in range(2)]
    epochs_b = [[v for _, yb in b for v in yb.tolist()] for _ in range(2)]
    assert epochs_a == epochs_b and epochs_a[0] != epochs_a[1]
    assert sorted(epochs_a[0]) == sorted(y.tolist())
    assert isinstance(a.sampler, nd.RandomSampler) and isinstance(a.batch_sampler, nd.BatchSampler)


LOADER_ERRORS = [
    dict(num_workers=-1),
    dict(timeout=-1),
    dict(prefetch_factor=2),
    dict(persistent_workers=True),
    dict(sampler=[0, 1], shuffle=True),
    dict(batch_sampler=[[0]], batch_size=2),
    dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_size=None, drop_last=True),
    dict(batch_size=0),
]


@pytest.mark.parametrize("kwargs", LOADER_ERRORS, ids=str)
def test_loader_errors_as_torch(kwargs):
    with pytest.raises(ValueError) as theirs:
        tud.DataLoader(range(4), **kwargs)
    with pytest.raises(ValueError) as ours:
        DataLoader(PerSample(4), **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    "kwargs", [dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])], ids=str
)
def test_iterable_dataset_refuses_orders_as_torch(kwargs):
    with pytest.raises(ValueError) as theirs:
        tud.DataLoader(TorchStream(3), **kwargs)
    with pytest.raises(ValueError) as ours:
        DataLoader(Stream(3), **kwargs)
    message = str(theirs.value).split(", but got")[0]
    assert str(ours.value).startswith(message)


def test_loader_takes_every_torch_keyword_with_its_default():
    ours = inspect.signature(DataLoader.__init__).parameters
    theirs = inspect.signature(tud.DataLoader.__init__).parameters
    assert list(ours)[: len(theirs)] == list(theirs)
    for key, param in theirs.items():
        assert ours[key].default == param.default, key
        assert ours[key].kind == param.kind, key
    names = tud.__all__ if hasattr(tud, "__all__") else []
    wanted = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "ChainDataset",
              "Subset", "random_split", "Sampler", "SequentialSampler", "RandomSampler",
              "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler", "DataLoader",
              "default_collate", "default_convert", "get_worker_info"]  # fmt: skip
    for name in wanted:
        assert name in names and hasattr(nd, name), name
    assert nd.get_worker_info() is None
