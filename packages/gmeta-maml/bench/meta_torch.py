"""PyTorch 1.13 peer of bench/run.ts: one second-order MAML meta-step of the same MeLU-style
model on the same meta-batch shape, with tasks batched the same way (per-task fast weights
through bmm, adapted embedding rows per (task, id) pair gathered from the unique rows).

Usage: python3 meta_torch.py T NS NQ D E H1 H2 VITEM VCAT VTAG INNER ITERS THREADS -> one JSON line.
"""
import json
import statistics
import sys
import time

import torch

T, NS, NQ, D, E, H1, H2, VI, VC, VT, K, ITERS, THREADS = map(int, sys.argv[1:14])
torch.set_num_threads(THREADS)
torch.manual_seed(0)
ALPHA = 0.5

widths = [3 * E + D, H1, H2, 1]
params = []
for i in range(3):
    params.append((torch.randn(widths[i + 1], widths[i]) * 0.1).requires_grad_())
    params.append(torch.zeros(widths[i + 1]).requires_grad_())
tables = [torch.randn(v, E) * 0.05 for v in (VI, VC, VT)]


def block(n):
    item = torch.randint(VI, (T * n,))
    cat = torch.randint(VC, (T * n,))
    tag_len = torch.randint(1, 4, (T * n,))
    tags = torch.randint(VT, (int(tag_len.sum()),))
    offsets = torch.cat([torch.zeros(1, dtype=torch.long), tag_len.cumsum(0)])
    return {"dense": torch.randn(T, n, D), "y": (torch.rand(T, n) < 0.4).float(), "item": item, "cat": cat,
            "tags": tags, "offsets": offsets, "n": n}


sup, qry = block(NS), block(NQ)


def pairs(ids_s, ids_q, n_s, n_q, per_sample_task_s, per_sample_task_q):
    """Unique ids of the meta-batch, and per occurrence its (task, unique id) pair."""
    uniq, inv = torch.unique(torch.cat([ids_s, ids_q]), return_inverse=True)
    task = torch.cat([per_sample_task_s, per_sample_task_q])
    key = task * len(uniq) + inv
    pkeys, pinv = torch.unique(key, return_inverse=True)
    return uniq, pkeys % len(uniq), pinv[: len(ids_s)], pinv[len(ids_s):]


def prep():
    ts = torch.arange(T).repeat_interleave(NS)
    tq = torch.arange(T).repeat_interleave(NQ)
    out = []
    for k, name in enumerate(("item", "cat")):
        u, prow, ps, pq = pairs(sup[name], qry[name], NS, NQ, ts, tq)
        out.append((u, prow, ps, pq, None, None))
    tts = ts.repeat_interleave(sup["offsets"].diff())
    ttq = tq.repeat_interleave(qry["offsets"].diff())
    u, prow, ps, pq = pairs(sup["tags"], qry["tags"], NS, NQ, tts, ttq)
    out.append((u, prow, ps, pq, sup["offsets"], qry["offsets"]))
    return out


slots = prep()


def pooled(rows, pair_idx, offsets, n):
    picked = rows[pair_idx]
    if offsets is None:
        return picked.reshape(T, n, E)
    seg = torch.arange(T * n).repeat_interleave(offsets.diff())
    s = torch.zeros(T * n, E).index_add(0, seg, picked)
    cnt = offsets.diff().clamp(min=1).unsqueeze(1).float()
    return (s / cnt).reshape(T, n, E)


def forward(fast, rows, blk, which):
    embs = []
    for k, (u, prow, ps, pq, os_, oq) in enumerate(slots):
        embs.append(pooled(rows[k], ps if which == "s" else pq, os_ if which == "s" else oq, blk["n"]))
    x = torch.cat(embs + [blk["dense"]], 2)
    w1, b1, w2, b2, w3, b3 = fast
    h = torch.relu(torch.bmm(x, w1.transpose(1, 2)) + b1.unsqueeze(1))
    h = torch.relu(torch.bmm(h, w2.transpose(1, 2)) + b2.unsqueeze(1))
    return (torch.bmm(h, w3.transpose(1, 2)) + b3.unsqueeze(1)).squeeze(-1)


def task_losses(logits, y):
    return torch.nn.functional.binary_cross_entropy_with_logits(logits, y, reduction="none").mean(1)


def step():
    eu = [tables[k][u].clone().requires_grad_() for k, (u, *_rest) in enumerate(slots)]
    fast = [p.unsqueeze(0).expand(T, *p.shape) for p in params]
    rows = [eu[k][slots[k][1]] for k in range(3)]
    for _ in range(K):
        ls = task_losses(forward(fast, rows, sup, "s"), sup["y"]).sum()
        g = torch.autograd.grad(ls, fast + rows, create_graph=True)
        fast = [w - ALPHA * gi for w, gi in zip(fast, g[: len(fast)])]
        rows = [r - ALPHA * gi for r, gi in zip(rows, g[len(fast):])]
    lq = task_losses(forward(fast, rows, qry, "q"), qry["y"]).mean()
    torch.autograd.grad(lq, params + eu)


for _ in range(3):
    step()
samples = []
for _ in range(ITERS):
    t0 = time.perf_counter()
    step()
    samples.append(time.perf_counter() - t0)
med = statistics.median(samples)
print(json.dumps({"seconds_median": med, "min": min(samples), "max": max(samples),
                  "samples_per_sec": T * (NS + NQ) / med, "torch": torch.__version__, "threads": torch.get_num_threads()}))
