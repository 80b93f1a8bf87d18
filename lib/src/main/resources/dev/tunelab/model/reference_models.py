"""Independent PyTorch reference for TuneLab's decoders (Llama family and GPT-2), written from the papers and the
Hugging Face checkpoint layout with plain torch ops (no `transformers`). Used by the parity tests and the generation
benchmark.

usage:
  reference_models.py logits   MODEL_DIR REQUEST_JSON OUT_F32   -> raw float32 logits [B, T, V] in OUT_F32
  reference_models.py generate MODEL_DIR REQUEST_JSON           -> {"ids": [[...]]} greedy, KV cache
  reference_models.py bench    MODEL_DIR REQUEST_JSON           -> {"tokens_per_s": ..} greedy, KV cache
  reference_models.py serve    MODEL_DIR REQUEST_JSON           -> {"ready": true}, then for each "run" line on stdin
                               one timed greedy generation: {"seconds": .., "cpu_seconds": ..} (for interleaved timing)
  reference_models.py grad     MODEL_DIR REQUEST_JSON OUT_F32   -> {"loss": ..}; gradients of request["names"] of the
                               mean next-token cross-entropy, concatenated as raw float32 in OUT_F32
REQUEST_JSON: {"ids": [[...]], "mask": [[...]] or null, "new_tokens": N, "repetitions": R, "precision": "fp16"}
"precision": "fp16" (Llama only) emulates fp16 mixed precision as autocast runs nn.Linear: each linear's input,
weight and bias are rounded to fp16, the products are summed in fp32 (a product of two fp16 numbers is exact in fp32,
so this is what an fp16 GEMM with fp32 accumulation computes) and the output is rounded to fp16 and back; everything
else stays fp32. Backward goes through the same roundings (the gradient is rounded to fp16 at each cast). torch 1.13
has no CPU fp16 matmul, hence the emulation.
"""
import json
import math
import struct
import sys
import time

import numpy as np
import torch

NEG = -1e9


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        raw = data[base + b:base + e]
        dt = info["dtype"]
        if dt == "F32":
            arr = np.frombuffer(raw, dtype="<f4")
        elif dt == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        elif dt == "F16":
            arr = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        else:
            raise ValueError("dtype " + dt)
        out[name] = torch.from_numpy(arr.copy()).reshape(info["shape"])
    return out


def positions_and_mask(mask, past_len, t):
    """mask: [B, S] of 1/0 over all key positions (past + new). Returns position ids [B, T], additive mask [B,1,T,S]."""
    s = mask.shape[1]
    pos = (torch.cumsum(mask, dim=1) - 1).clamp(min=0)[:, past_len:]
    q_idx = torch.arange(past_len, s).view(t, 1)
    k_idx = torch.arange(s).view(1, s)
    allowed = (k_idx <= q_idx).view(1, 1, t, s) & (mask > 0).view(mask.shape[0], 1, 1, s)
    add = torch.zeros(allowed.shape).masked_fill(~allowed, NEG)
    return pos.long(), add


class LlamaRef:
    def __init__(self, cfg, w):
        self.cfg, self.w = cfg, w
        self.h = cfg["hidden_size"]
        self.nh = cfg["num_attention_heads"]
        self.nkv = cfg.get("num_key_value_heads", self.nh)
        self.hd = cfg.get("head_dim", self.h // self.nh)
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.layers = cfg["num_hidden_layers"]
        qwen = cfg["model_type"] == "qwen2"
        self.qkv_bias = qwen or cfg.get("attention_bias", False)
        self.o_bias = (not qwen) and cfg.get("attention_bias", False)
        self.lm_head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
        inv = 1.0 / (cfg.get("rope_theta", 10000.0) ** (torch.arange(0, self.hd, 2, dtype=torch.float64) / self.hd))
        rs = cfg.get("rope_scaling")
        if rs:
            factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
            old = rs["original_max_position_embeddings"]
            wavelen = 2 * math.pi / inv
            smooth = (old / wavelen - lo) / (hi - lo)
            scaled = torch.where(wavelen > old / lo, inv / factor, inv)
            mid = (wavelen <= old / lo) & (wavelen >= old / hi)
            inv = torch.where(mid, (1 - smooth) * inv / factor + smooth * inv, scaled)
        self.inv_freq = inv

    def head(self, x):
        return x @ self.lm_head.t()

    def rms(self, x, weight):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * weight

    def lin(self, x, name, bias):
        y = x @ self.w[name + ".weight"].t()
        return y + self.w[name + ".bias"] if bias else y

    def rope(self, x, pos):
        ang = pos.double().unsqueeze(-1) * self.inv_freq  # [B, T, D/2]
        cos = torch.cat([ang.cos(), ang.cos()], -1).float().unsqueeze(1)
        sin = torch.cat([ang.sin(), ang.sin()], -1).float().unsqueeze(1)
        x1, x2 = x[..., : self.hd // 2], x[..., self.hd // 2:]
        return x * cos + torch.cat([-x2, x1], -1) * sin

    def forward(self, ids, mask, past=None):
        b, t = ids.shape
        past_len = 0 if past is None else past["k"][0].shape[2]
        full_mask = mask if past is None else torch.cat([past["mask"], mask], 1)
        pos, add = positions_and_mask(full_mask, past_len, t)
        x = self.w["model.embed_tokens.weight"][ids]
        new = {"k": [], "v": [], "mask": full_mask}
        for i in range(self.layers):
            p = "model.layers.%d." % i
            h = self.rms(x, self.w[p + "input_layernorm.weight"])
            q = self.lin(h, p + "self_attn.q_proj", self.qkv_bias).view(b, t, self.nh, self.hd).transpose(1, 2)
            k = self.lin(h, p + "self_attn.k_proj", self.qkv_bias).view(b, t, self.nkv, self.hd).transpose(1, 2)
            v = self.lin(h, p + "self_attn.v_proj", self.qkv_bias).view(b, t, self.nkv, self.hd).transpose(1, 2)
            q, k = self.rope(q, pos), self.rope(k, pos)
            if past is not None:
                k = torch.cat([past["k"][i], k], 2)
                v = torch.cat([past["v"][i], v], 2)
            new["k"].append(k)
            new["v"].append(v)
            rep = self.nh // self.nkv
            kk = k.repeat_interleave(rep, dim=1)
            vv = v.repeat_interleave(rep, dim=1)
            att = torch.softmax(q @ kk.transpose(-1, -2) / math.sqrt(self.hd) + add, -1) @ vv
            att = att.transpose(1, 2).reshape(b, t, self.nh * self.hd)
            x = x + self.lin(att, p + "self_attn.o_proj", self.o_bias)
            h = self.rms(x, self.w[p + "post_attention_layernorm.weight"])
            g = self.lin(h, p + "mlp.gate_proj", False)
            x = x + self.lin(torch.nn.functional.silu(g) * self.lin(h, p + "mlp.up_proj", False), p + "mlp.down_proj", False)
        x = self.rms(x, self.w["model.norm.weight"])
        return self.head(x), new


def fp16(t):
    return t.half().float()


class LlamaFp16Ref(LlamaRef):
    """LlamaRef with every linear (the tied or untied head included) in emulated fp16 mixed precision."""

    def lin(self, x, name, bias):
        y = fp16(x) @ fp16(self.w[name + ".weight"]).t()
        return fp16(y + fp16(self.w[name + ".bias"]) if bias else y)

    def head(self, x):
        return fp16(fp16(x) @ fp16(self.lm_head).t())


class Gpt2Ref:
    def __init__(self, cfg, w):
        self.cfg, self.w = cfg, w
        self.h = cfg["n_embd"]
        self.nh = cfg["n_head"]
        self.hd = self.h // self.nh
        self.eps = cfg.get("layer_norm_epsilon", 1e-5)
        self.layers = cfg["n_layer"]

    def ln(self, x, name):
        return torch.nn.functional.layer_norm(x, (self.h,), self.w[name + ".weight"], self.w[name + ".bias"], self.eps)

    def conv1d(self, x, name):  # HF Conv1D: weight [in, out]
        return x @ self.w[name + ".weight"] + self.w[name + ".bias"]

    @staticmethod
    def gelu_new(x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))

    def forward(self, ids, mask, past=None):
        b, t = ids.shape
        past_len = 0 if past is None else past["k"][0].shape[2]
        full_mask = mask if past is None else torch.cat([past["mask"], mask], 1)
        pos, add = positions_and_mask(full_mask, past_len, t)
        x = self.w["transformer.wte.weight"][ids] + self.w["transformer.wpe.weight"][pos]
        new = {"k": [], "v": [], "mask": full_mask}
        for i in range(self.layers):
            p = "transformer.h.%d." % i
            qkv = self.conv1d(self.ln(x, p + "ln_1"), p + "attn.c_attn")
            q, k, v = [z.view(b, t, self.nh, self.hd).transpose(1, 2) for z in qkv.split(self.h, dim=2)]
            if past is not None:
                k = torch.cat([past["k"][i], k], 2)
                v = torch.cat([past["v"][i], v], 2)
            new["k"].append(k)
            new["v"].append(v)
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.hd) + add, -1) @ v
            x = x + self.conv1d(att.transpose(1, 2).reshape(b, t, self.h), p + "attn.c_proj")
            m = self.gelu_new(self.conv1d(self.ln(x, p + "ln_2"), p + "mlp.c_fc"))
            x = x + self.conv1d(m, p + "mlp.c_proj")
        x = self.ln(x, "transformer.ln_f")
        return x @ self.w["transformer.wte.weight"].t(), new


def load(model_dir, precision="fp32"):
    with open(model_dir + "/config.json") as f:
        cfg = json.load(f)
    w = load_safetensors(model_dir + "/model.safetensors")
    if precision == "fp16":
        if cfg["model_type"] == "gpt2":
            raise ValueError("fp16 emulation is written for the Llama family only")
        return LlamaFp16Ref(cfg, w)
    return Gpt2Ref(cfg, w) if cfg["model_type"] == "gpt2" else LlamaRef(cfg, w)


def greedy(model, ids, mask, new_tokens):
    out = []
    logits, past = model.forward(ids, mask)
    for _ in range(new_tokens):
        nxt = logits[:, -1, :].argmax(-1, keepdim=True)
        out.append(nxt)
        logits, past = model.forward(nxt, torch.ones_like(nxt, dtype=torch.float32), past)
    return torch.cat(out, 1)


def main():
    mode, model_dir, request = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
    model = load(model_dir, request.get("precision", "fp32"))
    ids = torch.tensor(request["ids"], dtype=torch.long)
    mask = torch.tensor(request["mask"], dtype=torch.float32) if request.get("mask") else torch.ones(ids.shape)
    if mode == "grad":
        for t in model.w.values():
            t.requires_grad_(True)
        logits, _ = model.forward(ids, mask)
        v = logits.shape[-1]
        loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, v), ids[:, 1:].reshape(-1))
        loss.backward()
        torch.cat([model.w[n].grad.reshape(-1) for n in request["names"]]).numpy().astype("<f4").tofile(sys.argv[4])
        print(json.dumps({"loss": loss.item()}))
        return
    with torch.no_grad():
        if mode == "logits":
            logits, _ = model.forward(ids, mask)
            logits.numpy().astype("<f4").tofile(sys.argv[4])
            print(json.dumps({"shape": list(logits.shape)}))
        elif mode == "generate":
            print(json.dumps({"ids": greedy(model, ids, mask, request["new_tokens"]).tolist()}))
        elif mode == "serve":
            n = request["new_tokens"]
            greedy(model, ids, mask, 4)  # warm-up
            print(json.dumps({"ready": True}), flush=True)
            for line in sys.stdin:
                if line.strip() != "run":
                    break
                t0, c0 = time.perf_counter(), time.process_time()
                greedy(model, ids, mask, n)
                print(json.dumps({"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}),
                      flush=True)
        elif mode == "bench":
            n = request["new_tokens"]
            greedy(model, ids, mask, 4)  # warm-up
            times, cpu = [], []
            for _ in range(request.get("repetitions", 3)):
                t0, c0 = time.perf_counter(), time.process_time()
                greedy(model, ids, mask, n)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            times.sort()
            cpu.sort()
            print(json.dumps({"tokens_per_s": ids.shape[0] * n / times[len(times) // 2],
                              "cpu_ms_per_token": 1000 * cpu[len(cpu) // 2] / (ids.shape[0] * n),
                              "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
