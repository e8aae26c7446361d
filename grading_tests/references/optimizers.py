"""The optimizers topic's references: torch.optim and torch.optim.lr_scheduler themselves."""

from __future__ import annotations

import numpy as np
import torch

from grading_tests.reference_cache import per_class


def _tensors(parameters: dict[str, np.ndarray], device: str) -> dict[str, torch.Tensor]:
    return {k: torch.tensor(v, dtype=torch.float64, device=device, requires_grad=True)
            for k, v in parameters.items()}


def _numpy(tensors: dict[str, torch.Tensor], prefix: str = "") -> dict[str, np.ndarray]:
    return {prefix + k: t.detach().cpu().numpy().copy() for k, t in tensors.items()}


@per_class
def run_optimizer(kind: str, parameters, gradient_steps, device: str, **hp) -> list[dict]:
    """Apply torch's optimizer for each gradient dict in turn; record parameters and state."""
    params = _tensors(parameters, device)
    names = list(params)
    if kind == "momentum":
        beta, lr = hp["beta"], hp["learning_rate"]
        # SPEC's v = beta v + (1-beta) g equals SGD with lr*(1-beta), dampening 0; buffer = v/(1-beta).
        opt = torch.optim.SGD(params.values(), lr=lr * (1 - beta), momentum=beta, dampening=0, foreach=False)
        state_key, scale = "momentum_buffer", 1 - beta
    elif kind == "rmsprop":
        opt = torch.optim.RMSprop(params.values(), lr=hp["learning_rate"], alpha=hp["beta2"],
                                  eps=hp["epsilon"], foreach=False)
        state_key, scale = "square_avg", 1.0
    elif kind == "adam":
        opt = torch.optim.Adam(params.values(), lr=hp["learning_rate"],
                               betas=(hp["beta1"], hp["beta2"]), eps=hp["epsilon"], foreach=False)
        state_key, scale = "exp_avg", 1.0
    else:
        raise ValueError(kind)
    history = []
    for grads in gradient_steps:
        for name in names:
            params[name].grad = torch.tensor(grads["d" + name], dtype=torch.float64, device=device)
        opt.step()
        record = {"parameters": _numpy(params)}
        state = {"d" + n: opt.state[params[n]][state_key] * scale for n in names}
        record["v" if kind != "rmsprop" else "s"] = _numpy(state)
        if kind == "adam":
            record["s"] = _numpy({"d" + n: opt.state[params[n]]["exp_avg_sq"] for n in names})
        history.append(record)
    return history


def scheduled_lr(kind: str, learning_rate0: float, epoch: int, device: str, **hp) -> float:
    """The learning rate torch's scheduler gives after ``epoch`` calls of ``scheduler.step()``."""
    param = torch.zeros(1, dtype=torch.float64, device=device, requires_grad=True)
    opt = torch.optim.SGD([param], lr=learning_rate0)
    if kind == "step":
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=hp["epochs_drop"], gamma=hp["drop"])
    elif kind == "exponential":
        sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=hp["decay_rate"])
    elif kind == "inverse_time":
        rate, interval = hp["decay_rate"], hp["time_interval"]
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: 1.0 / (1.0 + rate * (e // interval)))
    elif kind == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=hp["total_epochs"],
                                                           eta_min=hp["min_learning_rate"])
    else:
        raise ValueError(kind)
    for _ in range(epoch):
        opt.step()
        sched.step()
    return float(sched.get_last_lr()[0])
