"""`Embedding`: a lookup table of learned vectors, one row per index."""

from autograd import empty, no_grad
from nn import functional as F
from nn import init
from nn._args import _check_shape
from nn.module import Module
from nn.parameter import Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """(*) integer indices -> (*, embedding_dim); weight (num_embeddings, embedding_dim) ~ N(0, 1),
    with the padding_idx row zeroed and left without gradient, as PyTorch."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, _weight=None,
                 device=None, dtype=None):  # fmt: skip
        super().__init__()
        _check_shape((num_embeddings, embedding_dim))
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        if padding_idx is not None:
            padding_idx = F._padding_row(padding_idx, num_embeddings)
        self.padding_idx = padding_idx
        if _weight is None:
            self.weight = Parameter(empty(num_embeddings, embedding_dim, device=device,
                                          dtype=dtype))  # fmt: skip
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError(
                    "Shape of weight does not match num_embeddings and embedding_dim"
                )
            self.weight = Parameter(_weight)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0.0

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s
