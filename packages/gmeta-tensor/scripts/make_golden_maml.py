#!/usr/bin/env python3
"""Writes the golden fixture of one second-order MAML step, computed by PyTorch.

Model: a 2-layer MLP (D -> H, tanh, H -> 1) on binary labels with BCE-with-logits.
Meta-batch: 2 tasks, each with a support and a query set; 1 inner SGD step with
create_graph=True (second order), then the mean query loss and its meta-gradient with
respect to the initial weights. The first-order meta-gradient is stored too.

Run: /usr/bin/python3 scripts/make_golden_maml.py test/fixtures/maml_golden.json
(Debian's python3-torch; the fixture is committed so tests do not need PyTorch.)
"""
import json
import os
import sys

import torch

MAGIC = "GMETA-GOLDEN-MAML"
VERSION = 1


def mlp(params, x):
    w1, b1, w2, b2 = params
    h = torch.tanh(x @ w1.T + b1)
    return (h @ w2.T + b2).squeeze(-1)


def bce(logits, y):
    return torch.nn.functional.binary_cross_entropy_with_logits(logits, y)


def main(out_path):
    torch.manual_seed(20231021)
    T, NS, NQ, D, H = 2, 5, 4, 3, 4
    alpha = 0.5
    dt = torch.float64
    w1 = (torch.randn(H, D, dtype=dt) * 0.7).requires_grad_()
    b1 = (torch.randn(H, dtype=dt) * 0.1).requires_grad_()
    w2 = (torch.randn(1, H, dtype=dt) * 0.7).requires_grad_()
    b2 = (torch.randn(1, dtype=dt) * 0.1).requires_grad_()
    params = [w1, b1, w2, b2]
    xs = torch.randn(T, NS, D, dtype=dt)
    ys = (torch.rand(T, NS, dtype=dt) < 0.5).to(dt)
    xq = torch.randn(T, NQ, D, dtype=dt)
    yq = (torch.rand(T, NQ, dtype=dt) < 0.5).to(dt)

    support_losses, query_losses, inner_grads, adapted = [], [], [], []
    query_fo = []
    for t in range(T):
        ls = bce(mlp(params, xs[t]), ys[t])
        g = torch.autograd.grad(ls, params, create_graph=True)
        fast = [p - alpha * gi for p, gi in zip(params, g)]
        lq = bce(mlp(fast, xq[t]), yq[t])
        support_losses.append(ls)
        query_losses.append(lq)
        inner_grads.append([gi.detach() for gi in g])
        adapted.append([f.detach() for f in fast])
        # First order: the inner gradient treated as a constant.
        fast_fo = [p - alpha * gi.detach() for p, gi in zip(params, g)]
        query_fo.append(bce(mlp(fast_fo, xq[t]), yq[t]))
    meta_loss = torch.stack(query_losses).mean()
    meta_grads = torch.autograd.grad(meta_loss, params, retain_graph=True)
    meta_loss_fo = torch.stack(query_fo).mean()
    meta_grads_fo = torch.autograd.grad(meta_loss_fo, params)

    names = ["w1", "b1", "w2", "b2"]
    tensors = {}

    def put(name, t):
        t = t.detach()
        tensors[name] = {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}

    for n, p in zip(names, params):
        put(n, p)
    put("xs", xs)
    put("ys", ys)
    put("xq", xq)
    put("yq", yq)
    put("support_losses", torch.stack(support_losses))
    put("query_losses", torch.stack(query_losses))
    put("meta_loss", meta_loss)
    for t in range(T):
        for n, gi, fi in zip(names, inner_grads[t], adapted[t]):
            put(f"inner_grad.{t}.{n}", gi)
            put(f"adapted.{t}.{n}", fi)
    for n, g in zip(names, meta_grads):
        put(f"meta_grad.{n}", g)
    for n, g in zip(names, meta_grads_fo):
        put(f"meta_grad_fo.{n}", g)

    doc = {
        "magic": MAGIC,
        "version": VERSION,
        "producer": f"torch {torch.__version__}",
        "config": {"tasks": T, "support": NS, "query": NQ, "dense": D, "hidden": H,
                   "inner_lr": alpha, "inner_steps": 1, "activation": "tanh",
                   "loss": "bce_with_logits_mean", "dtype": "float64"},
        "tensors": tensors,
    }
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, out_path)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/maml_golden.json")
