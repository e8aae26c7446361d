"""The augmentation topic's references: ``torch.flip`` and ``F.interpolate`` (bilinear,
align_corners=False), in float64 on (H, W, C) images."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def horizontal_flip(img, device: str) -> np.ndarray:
    t = torch.tensor(img, dtype=torch.float64, device=device)
    return torch.flip(t, dims=[1]).cpu().numpy().copy()


def crop_and_resize(img, top: int, left: int, height: int, width: int, out_size, device: str) -> np.ndarray:
    crop = torch.tensor(np.asarray(img)[top:top + height, left:left + width], dtype=torch.float64,
                        device=device)
    size = (out_size, out_size) if isinstance(out_size, int) else tuple(out_size)
    out = F.interpolate(crop.permute(2, 0, 1)[None], size=size, mode="bilinear", align_corners=False)
    return out[0].permute(1, 2, 0).cpu().numpy().copy()
