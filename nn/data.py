"""Data loading in PyTorch's style: a `Dataset` gives samples, a `DataLoader` batches them.

    from nn.data import DataLoader, TensorDataset
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, seed=0)
    for xb, yb in loader:           # Tensors of shape (32, ...), the last batch may be smaller
        ...

The loader runs in the calling process (no worker processes). A dataset that can fetch many
samples at once defines `get_batch(indices)` returning the collated batch; the loader then
skips the per-sample path (one `__getitem__` per sample and a `collate_fn`), which is what
makes batch-10 epochs over 60,000 images cheap.

Shuffling is reproducible: with `seed=s`, epoch k visits the samples in an order drawn from
(s, k) alone, so a run resumed at epoch k (`loader.set_epoch(k)`) sees the same batches as an
uninterrupted one. With a numpy `generator`, orders are drawn from it; with neither, a seed is
drawn from the CPU generator of `autograd.manual_seed` at each epoch, as PyTorch does.
"""

import numbers

import numpy as np

import autograd
from autograd import Tensor, from_numpy, randint, stack, tensor

__all__ = ["Dataset", "TensorDataset", "Subset", "DataLoader", "default_collate"]


class Dataset:
    """A map from indices 0..len-1 to samples: subclasses define `__getitem__` and `__len__`."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


def _check_index(index, n, owner):
    if not -n <= index < n:
        raise IndexError(f"{owner}: index {index} is out of range for {n} samples")
    return index % n


class TensorDataset(Dataset):
    """Samples are rows of the given Tensors: `dataset[i] == (t[i] for t in tensors)`."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset takes Tensors, got {type(t).__name__}")
            if t.ndim == 0:
                raise ValueError("TensorDataset: a 0-d tensor has no rows to index")
        sizes = [t.shape[0] for t in tensors]
        if len(set(sizes)) != 1:
            raise ValueError(f"Size mismatch between tensors: first dimensions are {sizes}")
        self.tensors = tensors

    def __getitem__(self, index):
        index = _check_index(index, len(self), "TensorDataset")
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]

    def get_batch(self, indices):
        """The rows at `indices` of every tensor, each gathered in one indexing op."""
        index = from_numpy(np.asarray(indices, dtype=np.int64))
        return tuple(t[index.to(t.device)] for t in self.tensors)


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        n = len(dataset)
        if self.indices.size and (self.indices.min() < -n or self.indices.max() >= n):
            raise IndexError(f"Subset: indices out of range for a dataset of {n} samples")

    def __getitem__(self, index):
        index = _check_index(index, len(self), "Subset")
        return self.dataset[int(self.indices[index])]

    def __len__(self):
        return len(self.indices)

    @property
    def get_batch(self):
        """The wrapped dataset's batched fetch, through `indices`; None when it has none."""
        inner = getattr(self.dataset, "get_batch", None)
        if inner is None:
            return None
        return lambda indices: inner(self.indices[np.asarray(indices)])


def default_collate(batch):
    """Stack a list of samples into a batch, as PyTorch's default_collate does.

    Tensors are stacked on a new first dimension; numpy arrays too (into a Tensor); Python
    ints become an int64 Tensor, floats a float64 one, bools a bool one; tuples, lists and
    dicts are collated field by field; strings are left as a list.
    """
    if not batch:
        raise ValueError("default_collate: the batch is empty")
    first = batch[0]
    if isinstance(first, Tensor):
        return stack(batch)
    if isinstance(first, np.ndarray):
        return from_numpy(np.stack(batch))
    if isinstance(first, np.generic):
        return from_numpy(np.asarray(batch))
    if isinstance(first, bool):
        return tensor(batch, dtype=autograd.bool)
    if isinstance(first, numbers.Integral):
        return tensor(batch, dtype=autograd.int64)
    if isinstance(first, numbers.Real):
        return tensor(batch, dtype=autograd.float64)
    if isinstance(first, str):
        return list(batch)
    if isinstance(first, dict):
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(sample) != len(first) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(list(column)) for column in zip(*batch)]
        return tuple(fields) if isinstance(first, tuple) else fields
    raise TypeError(
        "default_collate: batch must contain Tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(first).__name__}"
    )


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")
    return int(value)


class DataLoader:
    """Iterate over a dataset in batches.

    dataset: a `Dataset` (or anything with `__getitem__` and `__len__`).
    batch_size: samples per batch. shuffle: a new order every epoch.
    drop_last: drop the last batch when it is smaller than batch_size.
    collate_fn: list of samples -> batch (default: `default_collate`).
    generator: a `numpy.random.Generator` to draw the orders from.
    seed: an int; epoch k's order depends on (seed, k) only (see `set_epoch`).
    """

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle=False,
        drop_last=False,
        collate_fn=None,
        generator=None,
        seed=None,
    ):
        self.dataset = dataset
        self.batch_size = _positive_int(batch_size, "batch_size")
        if not isinstance(shuffle, bool):
            raise TypeError(f"DataLoader: shuffle must be a bool, got {shuffle!r}")
        if generator is not None and seed is not None:
            raise ValueError("DataLoader: give a generator or a seed, not both")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(
                f"DataLoader: generator must be a numpy.random.Generator, got "
                f"{type(generator).__name__}"
            )
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0
        ):
            raise ValueError(f"DataLoader: seed must be an int >= 0, got {seed!r}")
        self.shuffle = shuffle
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.generator = generator
        self.seed = None if seed is None else int(seed)
        self.epoch = 0

    def set_epoch(self, epoch):
        """Make the next iteration epoch `epoch` (its shuffled order, with `seed`)."""
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
            raise ValueError(f"DataLoader.set_epoch: epoch must be an int >= 0, got {epoch!r}")
        self.epoch = epoch

    def __len__(self):
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def sample_order(self, epoch=None):
        """The sample indices that epoch `epoch` (default: the next one) visits, in order.
        Only with `seed` is this a pure function; a generator (or neither) draws anew."""
        epoch = self.epoch if epoch is None else epoch
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        if self.generator is not None:
            rng = self.generator
        elif self.seed is not None:
            rng = np.random.default_rng([self.seed, epoch])
        else:
            rng = np.random.default_rng(int(randint(0, 2**62, (1,)).item()))
        return rng.permutation(n)

    def __iter__(self):
        order = self.sample_order()
        self.epoch += 1
        get_batch = None
        if self.collate_fn is None:
            get_batch = getattr(self.dataset, "get_batch", None)
        collate = default_collate if self.collate_fn is None else self.collate_fn
        stop = len(self) * self.batch_size
        for start in range(0, stop, self.batch_size):
            indices = order[start : start + self.batch_size]
            if get_batch is not None:
                yield get_batch(indices)
            else:
                yield collate([self.dataset[int(i)] for i in indices])

    def __repr__(self):
        return (
            f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, "
            f"batch_size={self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
