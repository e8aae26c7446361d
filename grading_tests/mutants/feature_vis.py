"""Misconceptions about showing filters, activation maximization and saliency maps."""

import torch

from grading_tests.mutants import mutant

# ---------------------------------------------------------------------------- filters_to_images


@mutant("filters_to_images", "scaling with the smallest and largest weight of the whole layer, not of each filter")
def filters_global_minmax(weight):
    w = weight.detach()
    low, high = w.min(), w.max()
    return ((w - low) / (high - low)).permute(0, 2, 3, 1)


@mutant("filters_to_images", "keeping the channels first: (F, C, KH, KW) images")
def filters_channels_first(weight):
    w = weight.detach()
    low = w.amin(dim=(1, 2, 3), keepdim=True)
    span = w.amax(dim=(1, 2, 3), keepdim=True) - low
    return torch.where(span > 0, (w - low) / torch.where(span > 0, span, torch.ones_like(span)), torch.zeros_like(w))


@mutant("filters_to_images", "dividing by max - min even for a constant filter (0 / 0 = NaN)")
def filters_nan_for_constant(weight):
    w = weight.detach()
    low = w.amin(dim=(1, 2, 3), keepdim=True)
    return ((w - low) / (w.amax(dim=(1, 2, 3), keepdim=True) - low)).permute(0, 2, 3, 1)


@mutant("filters_to_images", "scaling each channel of each filter on its own")
def filters_per_channel(weight):
    w = weight.detach()
    low = w.amin(dim=(2, 3), keepdim=True)
    span = w.amax(dim=(2, 3), keepdim=True) - low
    scaled = torch.where(span > 0, (w - low) / torch.where(span > 0, span, torch.ones_like(span)),
                         torch.zeros_like(w))
    return scaled.permute(0, 2, 3, 1)


@mutant("filters_to_images", "swapping the kernel's rows and columns: (F, KW, KH, C) images")
def filters_transposed_kernel(weight):
    w = weight.detach()
    low = w.amin(dim=(1, 2, 3), keepdim=True)
    span = w.amax(dim=(1, 2, 3), keepdim=True) - low
    scaled = torch.where(span > 0, (w - low) / torch.where(span > 0, span, torch.ones_like(span)),
                         torch.zeros_like(w))
    return scaled.permute(0, 3, 2, 1)


# ---------------------------------------------------------------------------- activation_maximization


@mutant("activation_maximization", "the plain gradient step x + learning_rate * g, not normalised by its norm")
def ascent_plain_gradient(model, x0, channel, steps=20, learning_rate=0.1):
    model.eval()
    x = x0.detach().clone()
    for _ in range(steps):
        x.requires_grad_(True)
        (g,) = torch.autograd.grad(model(x)[:, channel].mean(), x)
        x = (x + learning_rate * g).detach()
    return x


@mutant("activation_maximization", "gradient descent: x - learning_rate * g / norm (the activation goes down)")
def ascent_descends(model, x0, channel, steps=20, learning_rate=0.1):
    model.eval()
    x = x0.detach().clone()
    for _ in range(steps):
        x.requires_grad_(True)
        (g,) = torch.autograd.grad(model(x)[:, channel].mean(), x)
        x = (x - learning_rate * g / (g.norm() + 1e-8)).detach()
    return x


@mutant("activation_maximization", "forgetting model.eval() (batch norm normalises with the batch's statistics)")
def ascent_without_eval(model, x0, channel, steps=20, learning_rate=0.1):
    x = x0.detach().clone()
    for _ in range(steps):
        x.requires_grad_(True)
        (g,) = torch.autograd.grad(model(x)[:, channel].mean(), x)
        x = (x + learning_rate * g / (g.norm() + 1e-8)).detach()
    return x


@mutant("activation_maximization", "objective.backward(), leaving a .grad on every parameter")
def ascent_leaves_parameter_grads(model, x0, channel, steps=20, learning_rate=0.1):
    model.eval()
    x = x0.detach().clone()
    for _ in range(steps):
        x.requires_grad_(True)
        model(x)[:, channel].mean().backward()
        g = x.grad
        x = (x + learning_rate * g / (g.norm() + 1e-8)).detach()
    return x


@mutant("activation_maximization", "updating x0 itself in place")
def ascent_in_place(model, x0, channel, steps=20, learning_rate=0.1):
    model.eval()
    x = x0
    for _ in range(steps):
        x.requires_grad_(True)
        (g,) = torch.autograd.grad(model(x)[:, channel].mean(), x)
        with torch.no_grad():
            x.add_(learning_rate * g / (g.norm() + 1e-8))
    return x.detach()


@mutant("activation_maximization", "normalising each example's gradient by its own norm")
def ascent_norm_per_example(model, x0, channel, steps=20, learning_rate=0.1):
    model.eval()
    x = x0.detach().clone()
    for _ in range(steps):
        x.requires_grad_(True)
        (g,) = torch.autograd.grad(model(x)[:, channel].mean(), x)
        norms = g.flatten(1).norm(dim=1).view(-1, 1, 1, 1)
        x = (x + learning_rate * g / (norms + 1e-8)).detach()
    return x


# ---------------------------------------------------------------------------- saliency_map


@mutant("saliency_map", "the signed gradient (no absolute value) before the maximum over channels")
def saliency_without_abs(model, x, target):
    model.eval()
    x = x.detach().clone().requires_grad_(True)
    scores = model(x)
    index = torch.as_tensor(target, dtype=torch.long, device=scores.device).view(-1, 1)
    (g,) = torch.autograd.grad(scores.gather(1, index).sum(), x)
    return g.amax(dim=1)


@mutant("saliency_map", "summing the absolute gradient over the channels instead of taking its maximum")
def saliency_sum_over_channels(model, x, target):
    model.eval()
    x = x.detach().clone().requires_grad_(True)
    scores = model(x)
    index = torch.as_tensor(target, dtype=torch.long, device=scores.device).view(-1, 1)
    (g,) = torch.autograd.grad(scores.gather(1, index).sum(), x)
    return g.abs().sum(dim=1)


@mutant("saliency_map", "the gradient of the sum of all scores, not of each example's target score")
def saliency_all_scores(model, x, target):
    model.eval()
    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(model(x).sum(), x)
    return g.abs().amax(dim=1)


@mutant("saliency_map", "the gradient of the softmax probability instead of the score")
def saliency_of_softmax(model, x, target):
    model.eval()
    x = x.detach().clone().requires_grad_(True)
    probabilities = torch.softmax(model(x), dim=1)
    index = torch.as_tensor(target, dtype=torch.long, device=probabilities.device).view(-1, 1)
    (g,) = torch.autograd.grad(probabilities.gather(1, index).sum(), x)
    return g.abs().amax(dim=1)


@mutant("saliency_map", "leaving the model in training mode (batch norm uses the batch's statistics)")
def saliency_train_mode(model, x, target):
    x = x.detach().clone().requires_grad_(True)
    scores = model(x)
    index = torch.as_tensor(target, dtype=torch.long, device=scores.device).view(-1, 1)
    (g,) = torch.autograd.grad(scores.gather(1, index).sum(), x)
    return g.abs().amax(dim=1)


@mutant("saliency_map", "scores.backward(), leaving a .grad on every parameter")
def saliency_leaves_parameter_grads(model, x, target):
    model.eval()
    x = x.detach().clone().requires_grad_(True)
    scores = model(x)
    index = torch.as_tensor(target, dtype=torch.long, device=scores.device).view(-1, 1)
    scores.gather(1, index).sum().backward()
    return x.grad.abs().amax(dim=1)
