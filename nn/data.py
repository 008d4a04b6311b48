"""Data loading as torch.utils.data: datasets give samples, samplers give indices, a
`DataLoader` batches them.

    from nn.data import DataLoader, TensorDataset
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    for xb, yb in loader:           # Tensors of shape (32, ...), the last batch may be smaller
        ...

Everything runs in the calling process: `num_workers > 0` is accepted and gives the batches
that `num_workers=0` gives (no worker processes are started). A dataset that can fetch many
samples at once defines `get_batch(indices)` returning the collated batch; with the default
collate the loader then skips the per-sample path (one `__getitem__` per sample), which makes
batch-10 epochs over 60,000 images cheap.

Random orders come from a `generator=` (an `autograd.Generator`, or a numpy
`Generator`), or, without one, from the default generator (`autograd.manual_seed`), drawn
as PyTorch draws them: with an autograd generator or none, the samplers, `random_split` and
`DataLoader(shuffle=True)` give torch's very orders for the same seed (each iteration of a
loader also draws torch's base seed first). The loader's own `seed=s` makes epoch k's order
a function of (s, k) alone (not torch's stream), so a run resumed at epoch k
(`loader.set_epoch(k)`) sees the batches of an uninterrupted one.
"""

import bisect
import itertools
import math
import numbers
import warnings
import weakref

import numpy as np

import autograd
from autograd import Tensor, from_numpy, randint, stack, tensor

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "ChainDataset", "Subset",
    "random_split", "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
    "WeightedRandomSampler", "BatchSampler", "DataLoader", "default_collate",
    "default_convert", "get_worker_info",
]  # fmt: skip


# --------------------------------------------------------------------------- random streams
_seeded_streams = weakref.WeakKeyDictionary()


def _stream(generator):
    """A numpy Generator to draw from for `generator`.

    None: a fresh stream from a seed drawn from the default generator (autograd.manual_seed),
    as torch's samplers do. A numpy Generator: itself. An autograd.Generator: its own stream
    (draws advance it). Any other object with `initial_seed()`: a stream started from that
    seed, kept per object and restarted when the seed changes.
    """
    if generator is None:
        return np.random.default_rng(int(randint(0, 2**62, (1,)).item()))
    if isinstance(generator, np.random.Generator):
        return generator
    rng = getattr(generator, "_rng", None)
    if isinstance(rng, np.random.Generator):
        return rng
    if hasattr(generator, "initial_seed"):
        seed = int(generator.initial_seed())
        kept = _seeded_streams.get(generator)
        if kept is None or kept[0] != seed:
            kept = _seeded_streams[generator] = (seed, np.random.default_rng(seed))
        return kept[1]
    raise TypeError(
        "generator must be an autograd.Generator (or a numpy.random.Generator), got "
        f"{type(generator).__name__}"
    )


def _is_autograd_generator(generator):
    return isinstance(generator, autograd.Generator)


def _random_int64(generator=None):
    """torch's `torch.empty((), dtype=torch.int64).random_(generator=generator).item()`."""
    return int(autograd.empty((), dtype=autograd.int64).random_(generator=generator).item())


def _sampler_generator(generator):
    """The autograd.Generator torch's RandomSampler draws from: the given one, or one seeded
    from the default generator (a 64-bit draw); None for a numpy-style generator."""
    if generator is None:
        return autograd.Generator().manual_seed(_random_int64())
    return generator if _is_autograd_generator(generator) else None


def _check_generator(generator):
    if generator is not None and not (
        isinstance(generator, np.random.Generator) or hasattr(generator, "initial_seed")
    ):
        raise TypeError(
            "generator must be an autograd.Generator (or a numpy.random.Generator), got "
            f"{type(generator).__name__}"
        )


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


# --------------------------------------------------------------------------- datasets
class Dataset:
    """A map from indices 0..len-1 to samples: subclasses define `__getitem__` and `__len__`."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: subclasses define `__iter__` (and `__len__` if they know it)."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __add__(self, other):
        return ChainDataset([self, other])


def _check_index(index, n, owner):
    if not -n <= index < n:
        raise IndexError(f"{owner}: index {index} is out of range for {n} samples")
    return index % n


class TensorDataset(Dataset):
    """Samples are rows of the given Tensors: `dataset[i] == tuple(t[i] for t in tensors)`.

    Any index a Tensor takes works on every tensor at once: `dataset[2:5]` and
    `dataset[index_tensor]` give tuples of row blocks, as PyTorch's.
    """

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
        if _is_int(index):
            index = _check_index(int(index), len(self), "TensorDataset")
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]

    def get_batch(self, indices):
        """The rows at `indices` of every tensor, each gathered in one indexing op (a list,
        as default_collate makes of tuple samples)."""
        index = from_numpy(np.asarray(indices, dtype=np.int64))
        return [t[index.to(t.device)] for t in self.tensors]


class ConcatDataset(Dataset):
    """The samples of several datasets one after the other."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        n = len(self)
        if index < 0:
            if -index > n:
                raise ValueError("absolute value of index should not exceed dataset length")
            index += n
        if index >= n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for {n} samples")
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset):
    """Several iterable datasets, one after the other."""

    def __init__(self, datasets):
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self):
        return sum(len(d) for d in self.datasets)


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order (`indices` kept as given)."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices
        flat = np.asarray(indices, dtype=np.int64).reshape(-1)
        n = len(dataset)
        if flat.size and (flat.min() < -n or flat.max() >= n):
            raise IndexError(f"Subset: indices out of range for a dataset of {n} samples")
        self._flat = flat

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[int(self._flat[i]) for i in index]]
        index = _check_index(index, len(self), "Subset")
        return self.dataset[int(self._flat[index])]

    def __len__(self):
        return len(self._flat)

    @property
    def get_batch(self):
        """The wrapped dataset's batched fetch, through `indices`; None when it has none."""
        inner = getattr(self.dataset, "get_batch", None)
        if inner is None:
            return None
        return lambda indices: inner(self._flat[np.asarray(indices, dtype=np.int64)])


def random_split(dataset, lengths, generator=None):
    """Split `dataset` into non-overlapping random Subsets of the given lengths.

    lengths: ints summing to len(dataset), or fractions summing to 1 (each gets
    floor(n * fraction), and the remainder goes one by one to the splits in order).
    """
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = []
        for i, fraction in enumerate(lengths):
            if fraction < 0 or fraction > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            sizes.append(int(math.floor(n * fraction)))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        lengths = sizes
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.",
                    stacklevel=2,
                )
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    _check_generator(generator)
    if generator is None or _is_autograd_generator(generator):  # torch: randperm
        order = autograd.randperm(sum(lengths), generator=generator).tolist()
    else:
        order = _stream(generator).permutation(sum(lengths)).tolist()
    return [
        Subset(dataset, order[end - length : end])
        for end, length in zip(itertools.accumulate(lengths), lengths)
    ]


# --------------------------------------------------------------------------- samplers
class Sampler:
    """Iterates over dataset indices (or batches of them); subclasses define `__iter__`."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation (num_samples > len: several permutations, the last cut short), or
    with replacement num_samples uniform draws. A new order at each iteration."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        if not _is_int(self.num_samples) or self.num_samples <= 0:
            raise ValueError(
                "num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}"
            )
        _check_generator(generator)

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        gen = _sampler_generator(self.generator)
        if gen is not None:  # torch's draws
            if self.replacement:
                yield from autograd.randint(n, (self.num_samples,), generator=gen).tolist()
                return
            for _ in range(self.num_samples // n):
                yield from autograd.randperm(n, generator=gen).tolist()
            yield from autograd.randperm(n, generator=gen).tolist()[: self.num_samples % n]
            return
        rng = _stream(self.generator)
        if self.replacement:
            yield from rng.integers(0, n, size=self.num_samples).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from rng.permutation(n).tolist()
        yield from rng.permutation(n)[: self.num_samples % n].tolist()

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order, a new one at each iteration."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator
        _check_generator(generator)

    def __iter__(self):
        n = len(self.indices)
        if self.generator is None or _is_autograd_generator(self.generator):  # torch's draws
            order = autograd.randperm(n, generator=self.generator).tolist()
        else:
            order = _stream(self.generator).permutation(n).tolist()
        for i in order:
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """num_samples indices drawn with probabilities proportional to `weights` (with
    replacement by default; without it, num_samples <= len(weights) distinct ones)."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not _is_int(num_samples) or num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={num_samples}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        w = weights.numpy() if isinstance(weights, Tensor) else weights
        w = np.asarray(w, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}"
            )
        _check_generator(generator)
        self.weights = tensor(w, dtype=autograd.float64)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        w = self.weights.numpy()
        if not (np.isfinite(w).all() and (w >= 0).all()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if not w.sum() > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not self.replacement and self.num_samples > len(w):
            raise RuntimeError(
                "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
            )
        if self.generator is None or _is_autograd_generator(self.generator):  # torch's draws
            draws = autograd.multinomial(
                self.weights, self.num_samples, self.replacement, generator=self.generator
            )
            yield from draws.tolist()
            return
        rng = _stream(self.generator)
        if self.replacement:
            draws = rng.choice(len(w), size=self.num_samples, p=w / w.sum())
        else:
            # The k largest w_i / E_i, E_i ~ Exp(1): sequential draws without replacement.
            keys = np.where(w > 0, w / rng.exponential(size=len(w)), -1.0)
            draws = np.argsort(-keys, kind="stable")[: self.num_samples]
        yield from draws.tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of batch_size indices from `sampler`; the last one shorter unless drop_last."""

    def __init__(self, sampler, batch_size, drop_last):
        if not _is_int(batch_size) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self):
        it = iter(self.sampler)
        while True:
            batch = list(itertools.islice(it, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return -(-len(self.sampler) // self.batch_size)


class _EpochSampler(Sampler):
    """The loader's `seed=` order: epoch k is a permutation drawn from (seed, k) alone."""

    def __init__(self, loader):
        self.loader = loader

    def __iter__(self):
        return iter(self.loader.sample_order(self.loader._sampling_epoch).tolist())

    def __len__(self):
        return len(self.loader.dataset)


# --------------------------------------------------------------------------- collation
_COLLATE_ERROR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def default_collate(batch):
    """Stack a list of samples into a batch, as PyTorch's default_collate does.

    Tensors are stacked on a new first dimension; numpy arrays and numpy scalars become
    Tensors of their dtype; Python ints an int64 Tensor, floats a float64 one, bools a bool
    one; strings stay a list; dicts are collated key by key, named tuples field by field,
    other tuples and lists field by field into a list.
    """
    first = batch[0]  # an empty batch raises IndexError, as torch's
    if isinstance(first, Tensor):
        return stack(batch)
    if isinstance(first, np.ndarray):
        if first.dtype.kind in "USO":
            raise TypeError(_COLLATE_ERROR.format(first.dtype))
        return from_numpy(np.stack(batch))
    if isinstance(first, np.generic):
        if first.dtype.kind in "USO":
            raise TypeError(_COLLATE_ERROR.format(first.dtype))
        return from_numpy(np.asarray(batch))
    if isinstance(first, bool):
        return tensor(batch, dtype=autograd.bool)
    if isinstance(first, numbers.Integral):
        return tensor(batch, dtype=autograd.int64)
    if isinstance(first, numbers.Real):
        return tensor(batch, dtype=autograd.float64)
    if isinstance(first, (str, bytes)):
        return batch  # the container as given (a tuple inside a tuple sample), as torch's
    if isinstance(first, dict):
        collated = {key: default_collate([sample[key] for sample in batch]) for key in first}
        try:
            return type(first)(collated)
        except TypeError:
            return collated
    if _is_namedtuple(first):
        return type(first)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(first, (tuple, list)):
        if any(len(sample) != len(first) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(column) for column in zip(*batch)]
        if isinstance(first, tuple):
            return fields  # a list, as torch's
        try:
            return type(first)(fields)
        except TypeError:
            return fields
    raise TypeError(_COLLATE_ERROR.format(type(first)))


def default_convert(data):
    """One sample made of Tensors where it held numpy arrays (batch_size=None's collate)."""
    if isinstance(data, np.ndarray) and data.dtype.kind not in "USO":
        return from_numpy(data)
    if isinstance(data, np.generic) and data.dtype.kind not in "USO":
        return from_numpy(np.asarray(data))
    if isinstance(data, dict):
        return type(data)({k: default_convert(v) for k, v in data.items()})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    return data


def get_worker_info():
    """None: the loader runs in the calling process (as torch's in its main process)."""
    return None


# --------------------------------------------------------------------------- the loader
class DataLoader:
    """Iterate over a dataset in batches, as torch.utils.data.DataLoader.

    dataset: a `Dataset` (`__getitem__`, `__len__`) or an `IterableDataset`.
    batch_size: samples per batch (None: no batching, samples one by one).
    shuffle: a new random order every epoch. sampler / batch_sampler: the indices (or the
    index lists) to visit, instead of shuffle / batch_size / drop_last.
    drop_last: drop the last batch when it is smaller than batch_size.
    collate_fn: list of samples -> batch (default: `default_collate`).
    generator: an `autograd.Generator` (or numpy Generator) the random orders come from.
    seed: (ours) an int; epoch k's order depends on (seed, k) only (see `set_epoch`).
    num_workers, pin_memory, timeout, worker_init_fn, prefetch_factor, persistent_workers,
    ...: accepted and checked as torch's; the loading stays in this process (the batches
    are the same), and worker_init_fn is not called.
    """

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle=None,
        sampler=None,
        batch_sampler=None,
        num_workers=0,
        collate_fn=None,
        pin_memory=False,
        drop_last=False,
        timeout=0,
        worker_init_fn=None,
        multiprocessing_context=None,
        generator=None,
        *,
        prefetch_factor=None,
        persistent_workers=False,
        pin_memory_device="",
        in_order=True,
        seed=None,
    ):
        if not _is_int(num_workers) or num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                "to None."
            )
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if generator is not None and seed is not None:
            raise ValueError("DataLoader: give a generator or a seed, not both")
        _check_generator(generator)
        if seed is not None and (not _is_int(seed) or seed < 0):
            raise ValueError(f"DataLoader: seed must be an int >= 0, got {seed!r}")
        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            if shuffle not in (False, None):
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, "
                    f"but got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler option, "
                    f"but got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler "
                    f"option, but got batch_sampler={batch_sampler}"
                )
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if batch_size is not None and (not _is_int(batch_size) or batch_size <= 0):
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self.generator = generator
        self.seed = None if seed is None else int(seed)
        self.shuffle = bool(shuffle)
        self.epoch = 0
        self._sampling_epoch = 0
        if sampler is None and not iterable:
            if not shuffle:
                sampler = SequentialSampler(dataset)
            elif seed is not None:
                sampler = _EpochSampler(self)
            else:
                sampler = RandomSampler(dataset, generator=generator)
        if batch_size is not None and batch_sampler is None and not iterable:
            batch_sampler = BatchSampler(sampler, batch_size, bool(drop_last))
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_last = bool(drop_last)
        if collate_fn is None:
            auto_batching = batch_sampler is not None or (iterable and batch_size is not None)
            collate_fn = default_collate if auto_batching else default_convert
        self.collate_fn = collate_fn

    def set_epoch(self, epoch):
        """Make the next iteration epoch `epoch` (its shuffled order, with `seed`)."""
        if not _is_int(epoch) or epoch < 0:
            raise ValueError(f"DataLoader.set_epoch: epoch must be an int >= 0, got {epoch!r}")
        self.epoch = int(epoch)

    def sample_order(self, epoch=None):
        """With `seed`: the sample indices that epoch `epoch` (default: the next) visits."""
        epoch = self.epoch if epoch is None else epoch
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        if self.seed is None:
            return np.asarray(list(self.sampler), dtype=np.int64)
        return np.random.default_rng([self.seed, epoch]).permutation(n)

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def __iter__(self):
        gen = self.generator
        if gen is None or _is_autograd_generator(gen) and gen.device.type == "cpu":
            _random_int64(gen)  # torch's iterator draws its workers' base seed
        if isinstance(self.dataset, IterableDataset):
            self.epoch += 1
            return self._iter_stream()
        self._sampling_epoch = self.epoch  # samplers are lazy: they draw at the first batch
        self.epoch += 1
        batches = iter(self.batch_sampler if self.batch_sampler is not None else self.sampler)
        return self._iter_map(batches)

    def _iter_stream(self):
        it = iter(self.dataset)
        if self.batch_size is None:
            for sample in it:
                yield self.collate_fn(sample)
            return
        while True:
            samples = list(itertools.islice(it, self.batch_size))
            if not samples or (self.drop_last and len(samples) < self.batch_size):
                return
            yield self.collate_fn(samples)

    def _iter_map(self, batches):
        if self.batch_sampler is None:
            for index in batches:
                yield self.collate_fn(self.dataset[index])
            return
        get_batch = None
        if self.collate_fn is default_collate:
            get_batch = getattr(self.dataset, "get_batch", None)
        get_items = getattr(self.dataset, "__getitems__", None)
        for indices in batches:
            if get_batch is not None:
                batch = get_batch(indices)
                yield list(batch) if type(batch) is tuple else batch  # as default_collate
            elif get_items is not None:
                yield self.collate_fn(get_items(indices))
            else:
                yield self.collate_fn([self.dataset[i] for i in indices])

    def __repr__(self):
        try:
            size = f" of {len(self.dataset)}"
        except TypeError:
            size = ""
        return (
            f"DataLoader({type(self.dataset).__name__}{size}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )


# ------------------------------------------------------------------ mpi (DistributedSampler)
class DistributedSampler(Sampler):
    """Rank `rank`'s shard of the dataset's indices, as torch's DistributedSampler.

    Every rank draws the same order (a permutation seeded by seed + epoch when shuffling, so
    call set_epoch at each epoch) and takes every num_replicas-th index from its rank on.
    Without drop_last the order is padded with its own head to a multiple of num_replicas
    (each rank gets ceil(N / R) indices); with it the tail is cut (floor). The shards of the
    unpadded indices partition the dataset. With shuffle=False the indices equal torch's; the
    shuffled order has torch's structure, and DataLoader(shuffle=True, seed=seed)'s stream
    rather than torch's: so N ranks with batch B see, step by step, the same images as one
    process with batch N*B (when N divides the dataset's length).
    """

    def __init__(
        self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False
    ):
        if num_replicas is None or rank is None:
            import autograd.distributed as dist

            if not dist.is_available() or not dist.is_initialized():
                raise RuntimeError(
                    "DistributedSampler: pass num_replicas and rank, or call "
                    "autograd.distributed.init_process_group first"
                )
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            # DataLoader(seed=)'s stream: batch k of N ranks x B holds the very images of
            # batch k of one process with DataLoader(batch_size=N*B, shuffle=True, seed=seed)
            indices = np.random.default_rng([self.seed, self.epoch]).permutation(n).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            else:
                indices += (indices * math.ceil(padding / len(indices)))[:padding]
        else:
            indices = indices[: self.total_size]
        assert len(indices) == self.total_size
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """A new shuffled order for this epoch (the same on every rank)."""
        self.epoch = epoch


__all__ += ["DistributedSampler"]
