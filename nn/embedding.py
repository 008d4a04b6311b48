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

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 _freeze=False, device=None, dtype=None):  # fmt: skip
        super().__init__()
        _check_shape((num_embeddings, embedding_dim))
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        if padding_idx is not None:
            padding_idx = F._padding_row(padding_idx, num_embeddings)
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(empty(num_embeddings, embedding_dim, device=device,
                                          dtype=dtype), requires_grad=not _freeze)  # fmt: skip
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError(
                    "Shape of weight does not match num_embeddings and embedding_dim"
                )
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):  # fmt: skip
        """An Embedding whose weight is `embeddings` (2-D: rows are the vectors), frozen
        (requires_grad=False) unless freeze=False, as PyTorch's."""
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)  # fmt: skip

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0.0

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)  # fmt: skip

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        for name, default in _REPR_DEFAULTS:  # the options PyTorch's repr shows when set
            value = getattr(self, name)
            if value != default:
                s += f", {name}={value}"
        return s


_REPR_DEFAULTS = (("padding_idx", None), ("max_norm", None), ("norm_type", 2),
                  ("scale_grad_by_freq", False), ("sparse", False))  # fmt: skip
