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
    with pytest.raises(TypeError, match="found object"):
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
    with pytest.raises(TypeError, match="numpy.random.Generator"):
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
