"""`Dropout`: zero elements at random while training, scaling the rest by 1/(1-p)."""

from nn import functional as F
from nn.module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Each element is zeroed with probability p in training mode; identity in eval mode."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


# --------------------------------------------------------------------------- (helper nnlayers)
__all__ += ["Dropout1d", "Dropout2d", "AlphaDropout"]


class Dropout1d(Dropout):
    """Zero whole channels of (N, C, L) or (C, L) input with probability p while training."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(Dropout):
    """Zero whole channels of (N, C, H, W) or (C, H, W) input with probability p."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class AlphaDropout(Dropout):
    """Dropout that keeps SELU's self-normalisation (mean 0, variance 1)."""

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)
