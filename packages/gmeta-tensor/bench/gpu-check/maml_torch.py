# The GPU check's PyTorch peer: the same meta-step as mamlStep.ts (sizes passed as JSON in
# argv[1]), timed on the same GPU; also cuBLAS's own SGEMM rate through torch.matmul.
# Prints one JSON line.
import json, sys, time
import torch

S = json.loads(sys.argv[1])
gemm_n = int(sys.argv[2])
dev = "cuda"
torch.backends.cuda.matmul.allow_tf32 = False

def med(fn, reps):
    for _ in range(3): fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); fn(); e.record(); torch.cuda.synchronize()
        ts.append(s.elapsed_time(e) / 1e3)
    ts.sort()
    return ts[len(ts) // 2]

a = torch.rand(gemm_n, gemm_n, device=dev); b = torch.rand(gemm_n, gemm_n, device=dev)
t_gemm = med(lambda: torch.matmul(a, b), 20)

n = S["support"] + S["query"]; in_dim = S["slots"] * S["embDim"] + S["dense"]
table = (torch.rand(S["vocab"], S["embDim"], device=dev) * 0.2 - 0.1).requires_grad_()
w1 = (torch.rand(in_dim, S["hidden"], device=dev) * 0.2 - 0.1).requires_grad_()
b1 = torch.zeros(S["hidden"], device=dev, requires_grad=True)
w2 = (torch.rand(S["hidden"], 1, device=dev) * 0.2 - 0.1).requires_grad_()
b2 = torch.zeros(1, device=dev, requires_grad=True)
adam = torch.optim.Adam([w1, b1, w2, b2], lr=1e-3); sgd = torch.optim.SGD([table], lr=0.05)
bce = torch.nn.functional.binary_cross_entropy_with_logits
T_ = S["tasks"]

def step():
    ids = torch.randint(0, S["vocab"], (T_ * n * S["slots"],), device=dev)
    xd = torch.rand(T_, n, S["dense"], device=dev); y = (torch.rand(T_, n, 1, device=dev) > 0.5).float()
    x = torch.cat([table[ids].reshape(T_, n, -1), xd], 2)
    xs, xq, ys, yq = x[:, :S["support"]], x[:, S["support"]:], y[:, :S["support"]], y[:, S["support"]:]
    p0 = [w1.expand(T_, *w1.shape), b1.reshape(1, 1, -1).expand(T_, 1, -1), w2.expand(T_, *w2.shape), b2.reshape(1, 1, 1).expand(T_, 1, 1)]
    f = lambda p, xx: torch.bmm(torch.relu(torch.bmm(xx, p[0]) + p[1]), p[2]) + p[3]
    ls = bce(f(p0, xs), ys) * T_
    gs = torch.autograd.grad(ls, p0, create_graph=True)
    fast = [p - S["innerLr"] * g for p, g in zip(p0, gs)]
    lq = bce(f(fast, xq), yq)
    grads = torch.autograd.grad(lq, [w1, b1, w2, b2, table])
    for p, g in zip([w1, b1, w2, b2, table], grads): p.grad = g
    adam.step(); sgd.step()

t_step = med(step, 20)
print(json.dumps({"gemm_s": t_gemm, "gemm_n": gemm_n, "step_s": t_step, "samples_per_step": T_ * n, "torch": torch.__version__, "gpu": torch.cuda.get_device_name(0)}))
