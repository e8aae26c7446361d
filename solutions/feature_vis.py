"""What a CNN learns: its first-layer filters as images, inputs that excite one channel
(activation maximization), and saliency maps (Simonyan et al. 2014).

``model`` is any network that maps images ``(N, C, H, W)`` to features ``(N, K, h, w)`` or to
scores ``(N, K)``; every function works on the device and dtype of its tensors.
"""

import torch


def filters_to_images(weight):
    """A conv weight ``(F, C, KH, KW)`` as ``F`` images ``(F, KH, KW, C)`` (channels last, as
    ``plt.imshow`` wants them), each filter min-max scaled to ``[0, 1]`` on its own: its smallest
    weight becomes 0, its largest 1. A constant filter gives zeros.
    """
    ### BEGIN SOLUTION
    w = weight.detach()
    flat = w.reshape(w.shape[0], -1)
    low = flat.min(dim=1).values.view(-1, 1, 1, 1)
    span = flat.max(dim=1).values.view(-1, 1, 1, 1) - low
    safe = torch.where(span > 0, span, torch.ones_like(span))
    scaled = torch.where(span > 0, (w - low) / safe, torch.zeros_like(w))
    return scaled.permute(0, 2, 3, 1)
    ### END SOLUTION


def activation_maximization(model, x0, channel, steps=20, learning_rate=0.1):
    """Gradient ascent on the input: starting from ``x0 (N, C, H, W)``, ``steps`` times
    ``x = x + learning_rate * g / (g.norm() + 1e-8)``, ``g`` the gradient with respect to ``x``
    of ``model(x)[:, channel].mean()`` and ``g.norm()`` taken over the whole tensor.

    Calls ``model.eval()`` first. Leaves the model's parameters unchanged with ``.grad`` None,
    and ``x0`` unchanged. Returns the last ``x`` ``(N, C, H, W)``, detached.
    """
    ### BEGIN SOLUTION
    model.eval()  # batch norm with its running statistics, no dropout
    x = x0.detach().clone()
    for _ in range(steps):
        x.requires_grad_(True)
        objective = model(x)[:, channel].mean()
        # The gradient with respect to x only: the parameters' .grad stay None.
        (g,) = torch.autograd.grad(objective, x)
        x = (x + learning_rate * g / (g.norm() + 1e-8)).detach()
    return x
    ### END SOLUTION


def saliency_map(model, x, target):
    """How much each pixel matters to the target class: in eval mode, the absolute gradient of
    the score ``model(x)[i, target[i]]`` with respect to ``x[i]``, the maximum over channels.

    ``x (N, C, H, W)``, ``target`` a sequence or an integer tensor of ``N`` class indices.
    Returns ``(N, H, W)``; the parameters are left unchanged with ``.grad`` None.
    """
    ### BEGIN SOLUTION
    model.eval()  # batch norm with its running statistics, no dropout
    leaf = x.detach().clone().requires_grad_(True)
    scores = model(leaf)
    index = torch.as_tensor(target, dtype=torch.long, device=scores.device).view(-1, 1)
    # In eval mode example i's score depends on x[i] alone: one backward pass for the whole batch.
    picked = scores.gather(1, index).sum()
    (g,) = torch.autograd.grad(picked, leaf)
    return g.abs().amax(dim=1)
    ### END SOLUTION
