"""Benchmark: the reference NumPy convolution (solutions/conv.py) against ``F.conv2d`` in float64.

Shape from the issue: N=8, C=16, 32x32 images, F=32 filters of 3x3, stride 1, padding 1.
Runs each candidate in turn, several rounds, and reports the best time of each (the least
disturbed by other processes), plus the ratio NumPy / torch. Usage:

    .venv/bin/python benchmarks/bench_conv.py [--rounds 7] [--number 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent


def load_solution():
    spec = importlib.util.spec_from_file_location("solution_conv", ROOT / "solutions" / "conv.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def best_time(fn, rounds: int, number: int) -> float:
    fn()  # warm-up
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0,
                        help="threads for torch and BLAS (0: leave the defaults)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    sol = load_solution()
    rng = np.random.default_rng(0)
    N, C, H, W, Fn, K = 8, 16, 32, 32, 32, 3
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((Fn, C, K, K))
    b = rng.standard_normal(Fn)
    out, cache = sol.conv_forward(x, w, b, 1, 1)
    dout = rng.standard_normal(out.shape)

    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    dt = torch.tensor(dout)
    out_t = F.conv2d(xt, wt, bt, 1, 1)
    grads_t = torch.autograd.grad(out_t, (xt, wt, bt), dt, retain_graph=True)
    grads = sol.conv_backward(dout, cache)
    assert np.allclose(out, out_t.detach().numpy()), "forward differs from F.conv2d"
    for mine, theirs in zip(grads, grads_t):
        assert np.allclose(mine, theirs.numpy()), "backward differs from autograd"

    def torch_forward():
        with torch.no_grad():
            F.conv2d(xt, wt, bt, 1, 1)

    def torch_backward():
        torch.autograd.grad(out_t, (xt, wt, bt), dt, retain_graph=True)

    rows = [
        ("forward", lambda: sol.conv_forward(x, w, b, 1, 1), torch_forward),
        ("backward", lambda: sol.conv_backward(dout, cache), torch_backward),
    ]
    print(f"float64, N={N} C={C} {H}x{W} F={Fn} k={K} stride 1 padding 1; "
          f"torch {torch.__version__}, {torch.get_num_threads()} torch thread(s); "
          f"best of {args.rounds} rounds x {args.number}")
    for name, mine, theirs in rows:
        t_np = best_time(mine, args.rounds, args.number)
        t_torch = best_time(theirs, args.rounds, args.number)
        print(f"{name:9s} numpy {t_np * 1e3:8.2f} ms   torch {t_torch * 1e3:8.2f} ms   "
              f"ratio {t_np / t_torch:5.2f}x")


if __name__ == "__main__":
    main()
