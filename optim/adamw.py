"""AdamW: Adam with weight decay decoupled from the gradient."""

from optim.adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    """AdamW, as torch.optim.AdamW: p <- p * (1 - lr * weight_decay), then Adam's step."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):  # fmt: skip
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)  # fmt: skip
