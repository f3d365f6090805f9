"""PyTorch peer of the G-Meta trainer benchmark (bench/trainer.ts): the same MetaDLRM,
meta-batches, algorithm and optimizers, written the way one would for speed in eager PyTorch:

- all tasks batched: per-task fast weights [T, out, in] through torch.baddbmm, no task loop;
- one lookup of the unique ids of support and query together (torch.unique), E_U a leaf;
- adapted rows per (task, id) pair, numbered by one torch.unique over task * U + inverse;
- bag pooling with index_add (twice differentiable, unlike embedding_bag);
- second order through torch.autograd.grad(create_graph=True), or first order without it;
- Adam on the dense weights, row-wise Adagrad on the looked-up rows only;
- batch preparation (dedup, pair numbering, the padded layout) as a DataLoader's workers
  would do it: ahead of the timed steps, or inside them with "prepare": "inline".

Usage: python3 trainer_torch.py BATCHES.json THREADS
Prints one JSON line: per-step seconds of the timed steps and the torch version.
       python3 trainer_torch.py --serve THREADS
Reads one BATCHES.json path per line on stdin and answers each with that JSON line, so the
benchmark can alternate rounds of its own steps and the peer's without importing torch again.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def run(spec):
    c = spec["config"]
    T, K, D, DIM = c["tasks"], c["innerSteps"], c["denseDim"], c["dim"]
    second = c["order"] == 2
    alpha, outer_lr, emb_lr = c["innerLr"], c["outerLr"], c["embeddingLr"]
    vocab = c["vocab"]
    pooling = c["pooling"]
    torch.manual_seed(0)

    def linear_params(widths):
        ps = []
        for i in range(len(widths) - 1):
            w = torch.empty(widths[i + 1], widths[i])
            torch.nn.init.kaiming_uniform_(w, a=5 ** 0.5)
            ps += [w.requires_grad_(), torch.zeros(widths[i + 1], requires_grad=True)]
        return ps

    F_ = len(vocab) + 1
    tri = torch.triu_indices(F_, F_, 1)
    tri_flat = tri[0] * F_ + tri[1]
    bottom = linear_params([D] + c["bottom"] + [DIM])
    top = linear_params([DIM + tri_flat.numel()] + c["top"] + [1])
    dense = bottom + top
    tables = [torch.randn(v, DIM) * 0.05 for v in vocab]
    accum = [torch.zeros(v) for v in vocab]
    opt = torch.optim.Adam(dense, lr=outer_lr)

    def to_block(b):
        n = len(b["labels"])
        to = torch.tensor(b["taskOffsets"], dtype=torch.long)
        counts = to[1:] - to[:-1]
        task_of = torch.repeat_interleave(torch.arange(T), counts)
        return {
            "n": n,
            "labels": torch.tensor(b["labels"], dtype=torch.float32),
            "dense": torch.tensor(b["dense"], dtype=torch.float32).view(n, D),
            "task": task_of,
            "slots": [(torch.tensor(s["ids"], dtype=torch.long), torch.tensor(s["offsets"], dtype=torch.long)) for s in b["slots"]],
            "counts": counts,
        }

    batches = [{"support": to_block(b["support"]), "query": to_block(b["query"])} for b in spec["batches"]]

    def pad_index(blk):
        # Samples to a padded [T, W] layout, so the batched GEMMs see tasks on the leading axis.
        W = int(blk["counts"].max())
        start = torch.cumsum(blk["counts"], 0) - blk["counts"]
        pos = torch.arange(blk["n"]) - start[blk["task"]]
        flat = blk["task"] * W + pos
        mask = torch.zeros(T * W)
        mask[flat] = 1
        return W, flat, mask.view(T, W)

    def mlp(ps, x, last_act):
        h = x
        for i in range(0, len(ps), 2):
            h = torch.baddbmm(ps[i + 1].unsqueeze(1), h, ps[i].transpose(1, 2))
            if i + 2 < len(ps) or last_act:
                h = torch.relu(h)
        return h

    def prepare(batch):
        # What a DataLoader's workers would do ahead of the step (collate_fn): dedup of each
        # table's ids, (task, row) pair numbering, the padded [T, W] layout and the data moved
        # into it. Nothing here reads a parameter or a table row.
        S, Q = batch["support"], batch["query"]
        uniq, inv_s, inv_q = [], [], []
        for k in range(len(vocab)):
            ids_s, ids_q = S["slots"][k][0], Q["slots"][k][0]
            u, inv = torch.unique(torch.cat([ids_s, ids_q]), return_inverse=True)
            uniq.append(u)
            inv_s.append(inv[: ids_s.numel()])
            inv_q.append(inv[ids_s.numel():])
        pair_s, pair_q, pair_row = [], [], []
        for k in range(len(vocab)):
            U = uniq[k].numel()
            occ_task = lambda blk: torch.repeat_interleave(blk["task"], blk["slots"][k][1][1:] - blk["slots"][k][1][:-1])
            key = torch.cat([occ_task(S) * U + inv_s[k], occ_task(Q) * U + inv_q[k]])
            pk, pinv = torch.unique(key, return_inverse=True)
            pair_row.append(pk % U)
            pair_s.append(pinv[: inv_s[k].numel()])
            pair_q.append(pinv[inv_s[k].numel():])

        def block(blk, pairs):
            W, flat, mask = pad_index(blk)
            n = blk["n"]
            slots = []
            for k in range(len(vocab)):
                offs = blk["slots"][k][1]
                lens = offs[1:] - offs[:-1]
                slots.append((torch.repeat_interleave(torch.arange(n), lens), lens.clamp(min=1).unsqueeze(1), pairs[k]))
            return {
                "n": n, "W": W, "flat": flat, "mask": mask, "counts": blk["counts"].clamp(min=1), "slots": slots,
                "dense": torch.zeros(T * W, D).index_copy(0, flat, blk["dense"]).view(T, W, D),
                "y": torch.zeros(T * W).index_copy(0, flat, blk["labels"]).view(T, W),
            }

        return {"uniq": uniq, "pair_row": pair_row, "s": block(S, pair_s), "q": block(Q, pair_q)}

    def step(p):
        uniq = p["uniq"]
        # One lookup per table for support and query together.
        e_u = [tables[k][uniq[k]].requires_grad_() for k in range(len(vocab))]
        pair_row = p["pair_row"]

        def forward(fast, rows, blk):
            W, n = blk["W"], blk["n"]
            vecs = [mlp(fast[: len(bottom)], blk["dense"], True)]
            for k in range(len(vocab)):
                seg, lens, pairs = blk["slots"][k]
                picked = rows[k][pairs]
                pooled = torch.zeros(n, DIM).index_add(0, seg, picked)
                if pooling[k] == "mean":
                    pooled = pooled / lens
                vecs.append(torch.zeros(T * W, DIM).index_copy(0, blk["flat"], pooled).view(T, W, DIM))
            z = torch.stack(vecs, 2).view(T * W, F_, DIM)
            dots = torch.bmm(z, z.transpose(1, 2)).view(T * W, F_ * F_)[:, tri_flat].view(T, W, -1)
            return mlp(fast[len(bottom):], torch.cat([vecs[0], dots], 2), False).squeeze(-1)

        def task_losses(logits, blk):
            l = F.binary_cross_entropy_with_logits(logits, blk["y"], reduction="none")
            return (l * blk["mask"]).sum(1) / blk["counts"]

        fast = [w.unsqueeze(0).expand(T, *w.shape) for w in dense]
        rows = [e_u[k][pair_row[k]] for k in range(len(vocab))]
        for _ in range(K):
            loss = task_losses(forward(fast, rows, p["s"]), p["s"]).sum()
            g = torch.autograd.grad(loss, fast + rows, create_graph=second)
            fast = [w - alpha * gi for w, gi in zip(fast, g[: len(fast)])]
            rows = [r - alpha * gi for r, gi in zip(rows, g[len(fast):])]
        meta = task_losses(forward(fast, rows, p["q"]), p["q"]).mean()
        grads = torch.autograd.grad(meta, dense + e_u)
        for w, gw in zip(dense, grads[: len(dense)]):
            w.grad = gw
        opt.step()
        with torch.no_grad():
            for k in range(len(vocab)):
                gk = grads[len(dense) + k]
                accum[k][uniq[k]] += gk.pow(2).mean(1)
                tables[k][uniq[k]] -= emb_lr * gk / (accum[k][uniq[k]].sqrt() + 1e-10).unsqueeze(1)
        return float(meta)

    warmup, steps = spec["warmup"], spec["steps"]
    # "ahead": batches prepared before the timed steps, as a DataLoader's workers overlap it
    # with training; "inline": preparation inside each timed step.
    ahead = spec.get("prepare", "inline") == "ahead"
    prepared = [prepare(b) for b in batches] if ahead else None
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        step(prepared[i % len(batches)] if ahead else prepare(batches[i % len(batches)]))
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return {"seconds": times, "torch": torch.__version__, "threads": torch.get_num_threads()}


def main():
    torch.set_num_threads(int(sys.argv[2]))
    if sys.argv[1] != "--serve":
        print(json.dumps(run(json.load(open(sys.argv[1])))))
        return
    for line in sys.stdin:
        print(json.dumps(run(json.load(open(line.strip())))), flush=True)


if __name__ == "__main__":
    main()
