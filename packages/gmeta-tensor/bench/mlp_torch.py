"""Times one forward+backward of a 3-layer MLP in PyTorch (the reference for bench/run.ts).

Usage: python3 mlp_torch.py batch d_in h1 h2 d_out iters threads  -> one JSON line.
"""
import json
import statistics
import sys
import time

import torch

batch, d_in, h1, h2, d_out, iters, threads = map(int, sys.argv[1:8])
torch.set_num_threads(threads)
torch.manual_seed(0)
x = torch.randn(batch, d_in)
y = (torch.rand(batch, d_out) < 0.5).float()
layers = [torch.nn.Linear(d_in, h1), torch.nn.Linear(h1, h2), torch.nn.Linear(h2, d_out)]
params = [p for l in layers for p in l.parameters()]


def step():
    h = torch.relu(layers[0](x))
    h = torch.relu(layers[1](h))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(layers[2](h), y)
    torch.autograd.grad(loss, params)


for _ in range(3):
    step()
samples = []
for _ in range(iters):
    t0 = time.perf_counter()
    step()
    samples.append(time.perf_counter() - t0)
print(json.dumps({"seconds_median": statistics.median(samples), "min": min(samples), "max": max(samples),
                  "torch": torch.__version__, "threads": torch.get_num_threads()}))
