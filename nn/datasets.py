"""Datasets read from files on disk: Fashion-MNIST from Debian's `dataset-fashion-mnist`.

    from nn.datasets import FashionMNIST
    train = FashionMNIST(train=True)          # 60,000 images; FashionMNIST(train=False): 10,000
    image, label = train[0]                   # Tensor (1, 28, 28) float32 in [0, 1], int in 0..9

The files are the IDX files of the original release, gzipped, as the Debian package installs
them under /usr/share/datasets/fashion-mnist. Nothing is downloaded.
"""

import gzip
import os
import zlib

import numpy as np

from autograd import from_numpy
from nn.data import Dataset

__all__ = ["FashionMNIST", "DatasetFileError", "read_idx", "write_idx", "INSTALL_HINT"]

INSTALL_HINT = "install it with `sudo apt-get install dataset-fashion-mnist` (or run `make run`)"

# IDX: a big-endian header (0, 0, type code, number of dimensions), one uint32 per dimension,
# then the data. 0x08 is unsigned bytes, the only type these files use.
_UBYTE = 0x08


class DatasetFileError(OSError):
    """A dataset file is missing, truncated or not in the expected format."""


def read_idx(path, ndim):
    """The uint8 array stored in the gzipped IDX file at `path`, which must have `ndim` dims."""
    if not os.path.isfile(path):
        raise DatasetFileError(f"dataset file not found: {path}; {INSTALL_HINT}")
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as e:
        raise DatasetFileError(
            f"dataset file is truncated or corrupt: {path} ({e}); reinstall it: {INSTALL_HINT}"
        ) from e
    header = 4 + 4 * ndim
    if len(raw) < header or raw[0] != 0 or raw[1] != 0 or raw[2] != _UBYTE or raw[3] != ndim:
        raise DatasetFileError(
            f"dataset file is not an IDX file of {ndim}-d unsigned bytes: {path}; "
            f"reinstall it: {INSTALL_HINT}"
        )
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise DatasetFileError(
            f"dataset file is truncated or corrupt: {path} holds {len(raw)} bytes, its header "
            f"(shape {shape}) says {expected}; reinstall it: {INSTALL_HINT}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def write_idx(path, array):
    """Write a uint8 array as a gzipped IDX file (how small stand-in datasets are made)."""
    array = np.ascontiguousarray(array)
    if array.dtype != np.uint8:
        raise TypeError(f"write_idx: only uint8 arrays are supported, got {array.dtype}")
    header = bytes([0, 0, _UBYTE, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())
    return path


class FashionMNIST(Dataset):
    """Zalando's Fashion-MNIST: 28x28 grey images of 10 kinds of clothing.

    root: the folder holding the four *-idx?-ubyte.gz files.
    train: the 60,000 training images, else the 10,000 test images.
    transform / target_transform: applied to each image Tensor / int label when given.

    `data` (uint8, (N, 28, 28)) and `targets` (int64, (N,)) are numpy arrays, as torchvision
    keeps its tensors. A sample is (image, label): image a float32 Tensor (1, 28, 28) scaled
    to [0, 1] as torchvision's ToTensor does, label an int.
    """

    classes = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]  # fmt: skip
    files = {
        True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
        False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
    }
    default_root = "/usr/share/datasets/fashion-mnist"

    def __init__(self, root=default_root, train=True, transform=None, target_transform=None):
        self.root = os.fspath(root)
        self.train = bool(train)
        self.transform = transform
        self.target_transform = target_transform
        images_file, labels_file = (os.path.join(self.root, f) for f in self.files[self.train])
        images = read_idx(images_file, 3)
        labels = read_idx(labels_file, 1)
        if images.shape[0] != labels.shape[0]:
            raise DatasetFileError(
                f"dataset files disagree: {images_file} has {images.shape[0]} images but "
                f"{labels_file} has {labels.shape[0]} labels; reinstall them: {INSTALL_HINT}"
            )
        if labels.size and labels.max() >= len(self.classes):
            raise DatasetFileError(
                f"dataset file has a label {int(labels.max())} outside 0..9: {labels_file}; "
                f"reinstall it: {INSTALL_HINT}"
            )
        self.data = images
        self.targets = labels.astype(np.int64)

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"FashionMNIST: index {index} is out of range for {n} images")
        image = from_numpy(self.data[index][None].astype(np.float32) / np.float32(255))
        label = int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    @property
    def get_batch(self):
        """(images (B, 1, 28, 28) float32, labels (B,) int64) in one go; None when a transform
        must see each sample (the loader then takes the per-sample path)."""
        if self.transform is not None or self.target_transform is not None:
            return None
        return self._batch

    def _batch(self, indices):
        indices = np.asarray(indices, dtype=np.int64)
        images = self.data[indices][:, None].astype(np.float32) / np.float32(255)  # (B,1,28,28)
        return from_numpy(images), from_numpy(self.targets[indices])

    def __repr__(self):
        split = "Train" if self.train else "Test"
        return f"FashionMNIST(split={split}, images={len(self)}, root={self.root!r})"
