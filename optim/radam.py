"""RAdam: Adam whose adaptive step is switched on once its variance is tractable."""

import math

from optim._flags import flags
from optim.adam import _check_betas_eps
from optim.optimizer import Optimizer, _adam_moments, _fresh_state, _weight_decay

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam, as torch.optim.RAdam.

    g <- g + weight_decay * p  (or p <- p * (1 - lr * weight_decay) when decoupled)
    m <- m + (1 - beta1) * (g - m),  v <- beta2 * v + (1 - beta2) * g * g
    rho_inf = 2 / (1 - beta2) - 1,  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
    rho_t > 5: r = sqrt((rho_t-4)(rho_t-2) rho_inf / ((rho_inf-4)(rho_inf-2) rho_t)),
               p <- p - lr * m / (1 - beta1^t) * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r
    otherwise: p <- p - lr * m / (1 - beta1^t)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):  # fmt: skip
        _check_betas_eps(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        **flags("RAdam", foreach=foreach, capturable=capturable,
                                differentiable=differentiable))  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        _fresh_state(p, state, "exp_avg", "exp_avg_sq")

    def _update(self, p, grad, state, group):
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        state["step"].add_(1)
        step = state["step"].item()
        grad = _weight_decay(p, grad, group, group["decoupled_weight_decay"])
        exp_avg, exp_avg_sq = _adam_moments(state, grad, beta1, beta2)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        bias_corrected_exp_avg = exp_avg / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        if rho_t > 5.0:
            rect = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            adaptive_lr = math.sqrt(bias_correction2) / exp_avg_sq.sqrt().add_(group["eps"])
            p.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
        else:
            p.add_(bias_corrected_exp_avg * lr, alpha=-1.0)
