"""The torch names that learner material uses, and which of them dagrad has.

tests/learner_names.json lists, per namespace, the names found in a survey of public learner
code (pytorch/examples, the PyTorch chapters of Dive into Deep Learning, the nn-zero-to-hero
lecture notebooks: how often each appears) plus the names the learner-code issue asked for
(count 0). Each name must exist under dagrad's spelling, except those in MISSING, which must
really be missing: the README's list of what is still missing is this list.
"""

import json
from pathlib import Path

import pytest

import autograd
import nn
import optim

NAMES = json.loads((Path(__file__).parent / "learner_names.json").read_text())

# namespace in the survey -> (our module or class, what it is called in torch)
ROOTS = {
    "torch": (autograd, "torch"),
    "nn": (nn, "torch.nn"),
    "F": (nn.functional, "torch.nn.functional"),
    "optim": (optim, "torch.optim"),
    "lr_scheduler": (optim.lr_scheduler, "torch.optim.lr_scheduler"),
    "utils.data": (nn.data, "torch.utils.data"),
    "Tensor": (autograd.Tensor, "torch.Tensor"),
}

MISSING = {
    "torch": {
        "cuda.set_device",
        "accelerator.set_device_index",
        "accelerator.device_index",
        "cuda.memory_allocated",
        "cuda.memory_reserved",
    },
    "nn": {"DataParallel", "EmbeddingBag", "Transformer"},
}


def _has(root, dotted):
    obj = root
    for part in dotted.split("."):
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


CASES = [(ns, name) for ns, names in NAMES.items() for name in names]


@pytest.mark.parametrize("ns, name", CASES, ids=[f"{ns}.{n}" for ns, n in CASES])
def test_learner_name_exists_unless_listed_missing(ns, name):
    root, torch_name = ROOTS[ns]
    if name in MISSING.get(ns, ()):
        assert not _has(root, name), f"{torch_name}.{name} exists now: take it off MISSING"
    else:
        assert _has(root, name), f"{torch_name}.{name} is used by learner code but missing"


def test_every_missing_name_was_surveyed():
    for ns, names in MISSING.items():
        assert set(names) <= set(NAMES[ns]), ns
