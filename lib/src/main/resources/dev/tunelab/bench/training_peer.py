# PyTorch peer of the `training` benchmark: the same small Llama (RMSNorm, rotary, SiLU MLP, tied head) trained with
# AdamW + global-norm clipping, full fine-tuning or LoRA (frozen base, A/B adapters) - written here, no PEFT package.
# Prints one JSON line: tokens/s (median over repetitions) and peak RSS growth per mode.
import json, math, statistics, sys, threading, time
import torch

cfg = json.loads(sys.argv[1])
torch.manual_seed(0)
torch.set_num_threads(cfg["threads"])
V, H, I, L, NH = cfg["vocab"], cfg["hidden"], cfg["intermediate"], cfg["layers"], cfg["heads"]
B, T, D = cfg["batch"], cfg["seq"], cfg["hidden"] // cfg["heads"]


def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Sampler:
    def __init__(self):
        self.peak, self.stop = rss(), False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop:
            self.peak = max(self.peak, rss())
            time.sleep(0.002)

    def close(self):
        self.stop = True
        self.t.join()
        return self.peak


class LoraLinear(torch.nn.Module):
    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        self.A = torch.nn.Parameter(torch.empty(r, base.in_features).uniform_(-1 / math.sqrt(base.in_features), 1 / math.sqrt(base.in_features)))
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, r))
        self.scale = alpha / r

    def forward(self, x):
        return self.base(x) + (x @ self.A.t() @ self.B.t()) * self.scale


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.n1, self.n2 = torch.nn.Parameter(torch.ones(H)), torch.nn.Parameter(torch.ones(H))
        self.q, self.k, self.v, self.o = [torch.nn.Linear(H, H, bias=False) for _ in range(4)]
        self.gate, self.up = torch.nn.Linear(H, I, bias=False), torch.nn.Linear(H, I, bias=False)
        self.down = torch.nn.Linear(I, H, bias=False)


def rms(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * w


class Llama(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Parameter(torch.randn(V, H) * 0.02)
        self.blocks = torch.nn.ModuleList([Block() for _ in range(L)])
        self.norm = torch.nn.Parameter(torch.ones(H))
        inv = 1.0 / (10000 ** (torch.arange(0, D, 2).float() / D))
        ang = torch.outer(torch.arange(T).float(), inv)
        self.cos, self.sin = torch.cat([ang.cos()] * 2, -1), torch.cat([ang.sin()] * 2, -1)

    def rope(self, x):
        x1, x2 = x[..., : D // 2], x[..., D // 2:]
        return x * self.cos + torch.cat([-x2, x1], -1) * self.sin

    def forward(self, ids):
        x = self.emb[ids]
        mask = torch.full((T, T), float("-inf")).triu(1)
        for b in self.blocks:
            h = rms(x, b.n1)
            q = self.rope(b.q(h).view(B, T, NH, D).transpose(1, 2))
            k = self.rope(b.k(h).view(B, T, NH, D).transpose(1, 2))
            v = b.v(h).view(B, T, NH, D).transpose(1, 2)
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D) + mask, -1)
            x = x + b.o((att @ v).transpose(1, 2).reshape(B, T, H))
            h = rms(x, b.n2)
            x = x + b.down(torch.nn.functional.silu(b.gate(h)) * b.up(h))
        return rms(x, self.norm) @ self.emb.t()


def measure(mode):
    base_rss = rss()
    model = Llama()
    if mode == "lora":
        for p in model.parameters():
            p.requires_grad_(False)
        for b in model.blocks:
            for name in cfg["targets"]:
                setattr(b, name, LoraLinear(getattr(b, name), cfg["r"], cfg["alpha"]))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, V, (B, T), generator=g)
    sampler = Sampler()
    times = []
    for step in range(cfg["warmup"] + cfg["reps"]):
        t0 = time.perf_counter()
        logits = model(ids)
        loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, V), ids[:, 1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=False)
        if step >= cfg["warmup"]:
            times.append(time.perf_counter() - t0)
    peak = sampler.close()
    return B * T / statistics.median(times), peak - base_rss


out = {}
for mode in cfg["modes"]:
    tps, mem = measure(mode)
    out[mode + "_tps"], out[mode + "_mem"] = tps, mem
print(json.dumps(out))
