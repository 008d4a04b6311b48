"""Adam: bias-corrected running averages of the gradient and its square."""

import math

from autograd import zeros_like
from optim._flags import flags
from optim.optimizer import (
    Optimizer,
    _adam_moments,
    _check,
    _check_nonnegative,
    _fresh_state,
    _weight_decay,
)

__all__ = ["Adam"]


def _check_betas_eps(lr, betas, eps, weight_decay):
    _check_nonnegative(lr=lr, eps=eps)
    _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
    _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
    _check_nonnegative(weight_decay=weight_decay)


class Adam(Optimizer):
    """Adam, as torch.optim.Adam (AdamW's decay with decoupled_weight_decay=True).

    decoupled: p <- p * (1 - lr * weight_decay),  otherwise: g <- g + weight_decay * p
    m <- m + (1 - beta1) * (g - m)
    v <- beta2 * v + (1 - beta2) * g * g
    amsgrad: v_max <- max(v_max, v), and v_max replaces v below
    p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):  # fmt: skip
        _check_betas_eps(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize,
                        **flags("Adam", foreach=foreach, capturable=capturable,
                                differentiable=differentiable, fused=fused),
                        decoupled_weight_decay=decoupled_weight_decay)  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        _fresh_state(p, state, "exp_avg", "exp_avg_sq")
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        state["step"].add_(1)
        grad = _weight_decay(p, grad, group, group["decoupled_weight_decay"])
        exp_avg, exp_avg_sq = _adam_moments(state, grad, beta1, beta2)
        step = state["step"].item()
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = math.sqrt(bias_correction2)
        if group["amsgrad"]:
            max_exp_avg_sq = state["max_exp_avg_sq"]
            max_exp_avg_sq.copy_(max_exp_avg_sq.maximum(exp_avg_sq))
            denom = (max_exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(group["eps"])
        else:
            denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(group["eps"])
        p.add_(exp_avg / denom, alpha=-step_size)
