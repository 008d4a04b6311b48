"""Checkpoints: `save(obj, path)` and `load(path)` in the safetensors format, never pickle.

`obj` nests dicts, lists and tuples around Tensors and Python scalars, e.g.
``{"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}``. The tensors go
into the file under dotted keys ("model.fc.weight", "optimizer.state.0.exp_avg"); the structure
around them (containers, int keys, scalars, which key sits where) goes into the header's
metadata as JSON under "dagrad". A plain safetensors file, e.g. one written by PyTorch's
``safetensors.torch.save_file(model.state_dict(), path)``, has no such entry and loads as a flat
``{name: Tensor}`` dict, ready for `Module.load_state_dict`.
"""

import errno
import json
import os
import uuid

from autograd._tensor import Tensor
from autograd.creation import from_numpy
from backends import get_backend
from backends.serialization import FormatError, read_safetensors, to_safetensors

__all__ = ["save", "load"]

_META_KEY = "dagrad"
_VERSION = 1
_RESERVED = "__metadata__"  # the header's own metadata entry: no tensor may take this name
_SCALARS = (bool, int, float, str, type(None))


def save(obj, path):
    """Write obj (nested dicts/lists/tuples of Tensors and Python scalars) to path.

    Atomic: the bytes go to a temporary file in the same directory, which is flushed to disk
    and then renamed over path, so a failure midway leaves any existing file as it was.
    """
    arrays = {}
    tree = _encode(obj, [], arrays, set())
    spec = json.dumps({"version": _VERSION, "tree": tree}, separators=(",", ":"))
    data = to_safetensors(arrays, metadata={_META_KEY: spec})
    atomic_write(os.fspath(path), data)


def load(path, device="cpu", map_location=None, *, weights_only=None):
    """Read a checkpoint written by `save` (or any safetensors file) with tensors on device
    (`map_location`, torch's name, is the same: a device string or `device`).
    `weights_only` is accepted as in `torch.load`: a checkpoint here is always weights only
    (safetensors: tensors and the plain structure around them, never pickled objects).

    Raises FileNotFoundError when there is no file at path, and ValueError naming path when
    the file is not a readable safetensors checkpoint (truncated, garbage).
    """
    if map_location is not None:
        if not isinstance(map_location, str) and map_location.__class__.__name__ != "Device":
            raise TypeError(f"load: map_location must be a device, got {map_location!r}")
        device = map_location
    backend = get_backend(device)  # an unknown device fails before the file is read
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, "nn.load: a directory, not a checkpoint file", path)
    try:
        arrays, metadata = read_safetensors(path)
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, "nn.load: no checkpoint file", path) from None
    except FormatError as exc:
        raise ValueError(f"nn.load: '{path}' is not a safetensors checkpoint: {exc}") from None
    tensors = {}
    for key, array in arrays.items():
        t = from_numpy(array)
        tensors[key] = t if t.backend is backend else t.to(backend.device)
    spec = metadata.get(_META_KEY)
    if spec is None:
        return tensors
    try:
        spec = json.loads(spec)
        if not isinstance(spec, dict) or spec.get("version") != _VERSION:
            raise FormatError(f"unknown layout {str(spec)[:80]!r}")
        return _decode(spec["tree"], tensors)
    except RecursionError:
        raise ValueError(
            f"nn.load: '{path}' has a corrupt '{_META_KEY}' entry in its metadata: it is "
            "nested too deeply to be a checkpoint's structure"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"nn.load: '{path}' has a corrupt '{_META_KEY}' entry in its metadata: {exc}"
        ) from None


# ---------------------------------------------------------------------- structure <-> JSON
# A node is a JSON scalar (a Python scalar saved as itself) or a one-tag object:
# {"tensor": key} | {"dict": [[key, node], ...]} | {"list": [node, ...]} | {"tuple": [...]}.
# Dict items are pairs, not a JSON object, so int keys (optimizer state) stay ints.


def _encode(obj, path, arrays, active):
    if isinstance(obj, Tensor):
        key = _free_key(".".join(path), arrays)
        arrays[key] = obj.backend.to_numpy(obj.array)
        node = {"tensor": key}
        if obj.requires_grad:
            node["requires_grad"] = True
        return node
    if isinstance(obj, _SCALARS):
        return obj
    if not isinstance(obj, (dict, list, tuple)):
        raise TypeError(
            f"nn.save: cannot save a {type(obj).__name__} at {_where(path)}; expected Tensor, "
            "dict, list, tuple, str, int, float, bool or None"
        )
    if id(obj) in active:
        raise ValueError(f"nn.save: the {type(obj).__name__} at {_where(path)} contains itself")
    active.add(id(obj))
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if isinstance(k, bool) or not isinstance(k, (str, int)):
                raise TypeError(
                    f"nn.save: dict keys must be str or int, got {k!r} at {_where(path)}"
                )
            items.append([k, _encode(v, path + [str(k)], arrays, active)])
        node = {"dict": items}
    else:
        kind = "list" if isinstance(obj, list) else "tuple"
        node = {kind: [_encode(v, path + [str(i)], arrays, active) for i, v in enumerate(obj)]}
    active.discard(id(obj))
    return node


def _decode(node, tensors):
    if not isinstance(node, dict):
        if isinstance(node, list):
            raise FormatError("a bare JSON list where a node was expected")
        return node
    if "tensor" in node:
        key = node["tensor"]
        if key not in tensors:
            raise FormatError(f"it names a tensor '{key}' that the file does not hold")
        t = tensors[key]
        if node.get("requires_grad"):
            if not t.dtype.kind == "f":
                raise FormatError(
                    f"tensor '{key}' is marked requires_grad but has dtype {t.dtype} (only "
                    "floating point tensors can require gradients)"
                )
            t.requires_grad_(True)
        return t
    if "dict" in node:
        return {k: _decode(v, tensors) for k, v in node["dict"]}
    if "list" in node:
        return [_decode(v, tensors) for v in node["list"]]
    if "tuple" in node:
        return tuple(_decode(v, tensors) for v in node["tuple"])
    raise FormatError(f"unknown node {str(node)[:80]!r}")


def _free_key(key, taken):
    """key, or key#1, key#2, ... when a dotted name is already used ({"a.b": x, "a": {"b": y}})."""
    if key not in taken and key != _RESERVED:
        return key
    n = 1
    while f"{key}#{n}" in taken:
        n += 1
    return f"{key}#{n}"


def _where(path):
    return f"'{'.'.join(path)}'" if path else "the top level"


# ---------------------------------------------------------------------- atomic write
def atomic_write(path, data):
    """Readers see the old file or the new one, never part of one: the rename is atomic
    because the temporary file lies in the same directory (the same filesystem)."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, "nn.save: no such directory", directory)
    _remove_leftovers(directory, os.path.basename(path))
    # The writer's pid in the name tells a later save whether the file is an orphan.
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    # O_EXCL: never write through a file (or link) someone else put there; 0o666 lets the
    # umask give the usual permissions, as open(path, "wb") would.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        # Inside the try: Ctrl-C can land just after os.open returns, with the file made.
        fd = os.open(tmp, flags, 0o666)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the name points at them
        os.replace(tmp, path)
    except FileExistsError:
        raise  # not ours to delete
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def _remove_leftovers(directory, name):
    """Delete the temporary files of earlier saves to the same path whose writer died (killed
    midway: nothing else would ever remove them). Files of a live writer are left alone."""
    prefix = f".{name}."
    try:
        entries = os.listdir(directory)
    except OSError:
        return
    for entry in entries:
        if not (entry.startswith(prefix) and entry.endswith(".tmp")):
            continue
        parts = entry[len(prefix) : -len(".tmp")].split(".")
        if len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 32:
            continue  # not a name this module makes
        pid = int(parts[0])
        if pid != os.getpid() and _alive(pid):
            continue
        try:
            os.unlink(os.path.join(directory, entry))
        except OSError:
            pass


def _alive(pid):
    if os.name != "posix":
        return True  # no signal-0 probe: keep every file rather than risk a live one
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: leave its file alone
    return True


def _fsync_directory(directory):
    """Make the rename itself durable (POSIX); best effort, as some filesystems refuse."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
