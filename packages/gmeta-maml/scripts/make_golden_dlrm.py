#!/usr/bin/env python3
"""Writes the golden fixture of one MetaDLRM meta-step (MAML, second and first order), by PyTorch.

The model mirrors @gmeta/maml's MetaDLRM: a bottom MLP on dense features (ReLU after every
layer), pooled embedding bags per slot (item: sum of one id, tags: mean of a bag, an empty
bag pools to zeros), pairwise dot interaction of [bottom, item, tags] (upper triangle, row
major), and a top MLP (ReLU between layers) to one logit. Each task adapts its own copy of
the dense weights and of the embedding tables for `inner_steps` SGD steps on its support
set; the meta-loss is the mean over tasks of the query BCE. Tasks are computed one by one
here, with no padding, so the fixture also checks the batched, padded computation.

Run: /usr/bin/python3 scripts/make_golden_dlrm.py test/fixtures/dlrm_golden.json
"""
import json
import os
import sys

import torch

MAGIC = "GMETA-GOLDEN-DLRM"
VERSION = 1
DT = torch.float64


def bag(table, ids, offsets, mode):
    rows = []
    for i in range(len(offsets) - 1):
        seg = ids[offsets[i]:offsets[i + 1]]
        if len(seg) == 0:
            rows.append(torch.zeros(table.shape[1], dtype=DT))
            continue
        r = table[torch.tensor(seg)]
        rows.append(r.sum(0) if mode == "sum" else r.mean(0))
    return torch.stack(rows)


def forward(p, tables, blk):
    h = torch.as_tensor(blk["dense"], dtype=DT).reshape(blk["n"], -1)
    h = torch.relu(h @ p["bottom.0.w"].T + p["bottom.0.b"])
    h = torch.relu(h @ p["bottom.1.w"].T + p["bottom.1.b"])
    item = bag(tables["item"], blk["item_ids"], blk["item_offsets"], "sum")
    tags = bag(tables["tags"], blk["tags_ids"], blk["tags_offsets"], "mean")
    z = torch.stack([h, item, tags], 1)
    dots = z @ z.transpose(1, 2)
    pairs = torch.stack([dots[:, 0, 1], dots[:, 0, 2], dots[:, 1, 2]], 1)
    x = torch.cat([h, pairs], 1)
    x = torch.relu(x @ p["top.0.w"].T + p["top.0.b"])
    return (x @ p["top.1.w"].T + p["top.1.b"]).squeeze(-1)


def loss(p, tables, blk):
    y = torch.as_tensor(blk["labels"], dtype=DT)
    return torch.nn.functional.binary_cross_entropy_with_logits(forward(p, tables, blk), y)


def random_block(g, n, dense, vocab_item, vocab_tags):
    item_ids, item_off, tags_ids, tags_off = [], [0], [], [0]
    for _ in range(n):
        item_ids.append(int(torch.randint(vocab_item, (1,), generator=g)))
        item_off.append(len(item_ids))
        for _ in range(int(torch.randint(0, 3, (1,), generator=g))):
            tags_ids.append(int(torch.randint(vocab_tags, (1,), generator=g)))
        tags_off.append(len(tags_ids))
    return {"n": n, "dense": (torch.rand(n * dense, generator=g) * 2 - 1).tolist(),
            "labels": (torch.rand(n, generator=g) < 0.45).double().tolist(),
            "item_ids": item_ids, "item_offsets": item_off, "tags_ids": tags_ids, "tags_offsets": tags_off}


def meta_step(p0, t0, tasks, alpha, alpha_e, steps, second_order):
    names = list(p0)
    losses = []
    for sup, qry in tasks:
        fast = dict(p0)
        tab = dict(t0)
        for _ in range(steps):
            ls = loss(fast, tab, sup)
            vals = [fast[n] for n in names] + [tab["item"], tab["tags"]]
            g = torch.autograd.grad(ls, vals, create_graph=second_order, allow_unused=True)
            g = [torch.zeros_like(v) if gi is None else gi for v, gi in zip(vals, g)]
            if not second_order:
                g = [x.detach() for x in g]
            fast = {n: fast[n] - alpha * gi for n, gi in zip(names, g[:len(names)])}
            tab = {"item": tab["item"] - alpha_e * g[-2], "tags": tab["tags"] - alpha_e * g[-1]}
        losses.append(loss(fast, tab, qry))
    meta = torch.stack(losses).mean()
    grads = torch.autograd.grad(meta, [p0[n] for n in names] + [t0["item"], t0["tags"]], allow_unused=True)
    grads = [torch.zeros_like(v) if gi is None else gi for v, gi in zip([p0[n] for n in names] + [t0["item"], t0["tags"]], grads)]
    return meta, losses, dict(zip(names + ["table.item", "table.tags"], grads))


def main(out):
    g = torch.Generator().manual_seed(1402)
    D, E, VI, VT = 3, 4, 9, 5
    shapes = {"bottom.0.w": [5, D], "bottom.0.b": [5], "bottom.1.w": [E, 5], "bottom.1.b": [E],
              "top.0.w": [6, E + 3], "top.0.b": [6], "top.1.w": [1, 6], "top.1.b": [1]}
    p0 = {n: (torch.randn(*s, generator=g, dtype=DT) * 0.5).requires_grad_() for n, s in shapes.items()}
    t0 = {"item": (torch.randn(VI, E, generator=g, dtype=DT) * 0.5).requires_grad_(),
          "tags": (torch.randn(VT, E, generator=g, dtype=DT) * 0.5).requires_grad_()}
    sizes = [(3, 2), (5, 4), (1, 3)]
    tasks = [(random_block(g, s, D, VI, VT), random_block(g, q, D, VI, VT)) for s, q in sizes]
    cfg = {"inner_lr": 0.3, "embedding_inner_lr": 0.2, "inner_steps": 2, "dense": D, "dim": E,
           "vocab": {"item": VI, "tags": VT}}
    result = {}
    for order, so in (("second", True), ("first", False)):
        meta, losses, grads = meta_step(p0, t0, tasks, cfg["inner_lr"], cfg["embedding_inner_lr"], cfg["inner_steps"], so)
        result[order] = {"meta_loss": float(meta), "task_losses": [float(x) for x in losses],
                         "grads": {k: v.reshape(-1).tolist() for k, v in grads.items()}}
    doc = {"magic": MAGIC, "version": VERSION, "producer": f"torch {torch.__version__}", "config": cfg,
           "params": {n: {"shape": shapes[n], "data": p0[n].detach().reshape(-1).tolist()} for n in shapes},
           "tables": {k: v.detach().reshape(-1).tolist() for k, v in t0.items()},
           "tasks": [{"support": s, "query": q} for s, q in tasks], "result": result}
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f)
    os.replace(tmp, out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/dlrm_golden.json")
