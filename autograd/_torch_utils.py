"""`torch.utils` as learner code reaches it from the top-level module: `.data` is nn.data."""

from nn import data  # noqa: F401
