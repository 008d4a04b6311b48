"""Adamax: Adam with the infinity norm in place of the running root mean square."""

from optim._flags import flags
from optim.adam import _check_betas_eps
from optim.optimizer import Optimizer, _fresh_state, _lerp_, _weight_decay

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax, as torch.optim.Adamax.

    g <- g + weight_decay * p
    m <- m + (1 - beta1) * (g - m)
    u <- max(beta2 * u, |g| + eps)
    p <- p - lr / (1 - beta1^t) * m / u
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False,
                 capturable=False):  # fmt: skip
        _check_betas_eps(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        **flags("Adamax", foreach=foreach, differentiable=differentiable,
                                capturable=capturable))  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        _fresh_state(p, state, "exp_avg", "exp_inf")

    def _update(self, p, grad, state, group):
        beta1, beta2 = group["betas"]
        exp_avg = state["exp_avg"]
        exp_inf = state["exp_inf"]
        state["step"].add_(1)
        grad = _weight_decay(p, grad, group)
        _lerp_(exp_avg, grad, 1 - beta1)
        exp_inf.copy_(exp_inf.mul_(beta2).maximum(grad.abs().add_(group["eps"])))
        bias_correction = 1 - beta1 ** state["step"].item()
        p.add_(exp_avg / exp_inf, alpha=-group["lr"] / bias_correction)
