"""Independent reference values for dev.tunelab.eval metrics.

Reads a JSON file of cases (argv[1]) and prints a JSON object of results.
- classification: scikit-learn (accuracy_score, precision_recall_fscore_support, confusion_matrix, zero_division=0)
- squad: the normalisation and F1 of the official SQuAD evaluation script, re-written here
- bleu: corpus BLEU with the mteval-v13a tokeniser, written here from the sacreBLEU / mteval description
- rouge: ROUGE-N / ROUGE-L F1 (Lin 2004), written here with a recursive memoised LCS
- perplexity: python3-torch cross entropy on random logits
"""
import collections
import json
import math
import re
import string
import sys
from functools import lru_cache

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

cases = json.load(open(sys.argv[1], encoding="utf-8"))
out = {}

# ---- classification (scikit-learn) -------------------------------------------------------------------------------
cls = []
for c in cases["classification"]:
    y, p, labels = c["refs"], c["preds"], c["labels"]
    row = {"accuracy": accuracy_score(y, p)}
    P, R, F, S = precision_recall_fscore_support(y, p, labels=labels, zero_division=0)
    row["per_class"] = [[float(a), float(b), float(f), int(s)] for a, b, f, s in zip(P, R, F, S)]
    for avg in ("macro", "micro", "weighted"):
        ap, ar, af, _ = precision_recall_fscore_support(y, p, labels=labels, average=avg, zero_division=0)
        row[avg] = [float(ap), float(ar), float(af)]
    row["confusion"] = confusion_matrix(y, p, labels=labels).tolist()
    cls.append(row)
out["classification"] = cls


# ---- SQuAD ---------------------------------------------------------------------------------------------------------
def squad_normalize(s):
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def squad_f1(pred, ref):
    p, r = squad_normalize(pred).split(), squad_normalize(ref).split()
    if not p or not r:  # SQuAD v2 convention for empty answers
        return float(p == r)
    common = collections.Counter(p) & collections.Counter(r)
    same = sum(common.values())
    if same == 0:
        return 0.0
    prec, rec = same / len(p), same / len(r)
    return 2 * prec * rec / (prec + rec)


out["squad"] = [[float(squad_normalize(a) == squad_normalize(b)), squad_f1(a, b), squad_normalize(a)]
                for a, b in cases["squad"]]


# ---- BLEU ----------------------------------------------------------------------------------------------------------
def tok13a(line):
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    line = " " + line + " "
    punct = set("{|}~[\\]^_`!\"#$%&()*+:;<=>?@/")
    line = "".join(" " + ch + " " if ch in punct else ch for ch in line)
    line = re.sub(r"([^0-9])([\.,])", r"\1 \2 ", line)
    line = re.sub(r"([\.,])([^0-9])", r" \1 \2", line)
    line = re.sub(r"([0-9])(-)", r"\1 \2 ", line)
    return line.split()


def ngram_counts(tokens):
    c = collections.Counter()
    for n in range(1, 5):
        for i in range(len(tokens) - n + 1):
            c[tuple(tokens[i:i + n])] += 1
    return c


def corpus_bleu(hyps, refsets, smooth):
    correct, total = [0] * 4, [0] * 4
    hl = rl = 0
    for h, refs in zip(hyps, refsets):
        ht = tok13a(h)
        rts = [tok13a(r) for r in refs]
        hl += len(ht)
        rl += min((abs(len(r) - len(ht)), len(r)) for r in rts)[1]
        maxref = collections.Counter()
        for r in rts:
            for g, k in ngram_counts(r).items():
                maxref[g] = max(maxref[g], k)
        for g, k in ngram_counts(ht).items():
            correct[len(g) - 1] += min(k, maxref[g])
        for n in range(1, 5):
            total[n - 1] += max(0, len(ht) - n + 1)
    bp = 1.0 if hl >= rl else (math.exp(1 - rl / hl) if hl > 0 else 0.0)
    prec = [0.0] * 4
    if not any(correct):
        return {"score": 0.0, "bp": bp, "precisions": prec, "hyp_len": hl, "ref_len": rl}
    factor = 1.0
    for n in range(4):
        if total[n] == 0:
            break
        if correct[n] == 0:
            if smooth == "exp":
                factor *= 2
                prec[n] = 100.0 / (factor * total[n])
        else:
            prec[n] = 100.0 * correct[n] / total[n]
    score = 0.0 if min(prec) == 0 else bp * math.exp(sum(math.log(p) for p in prec) / 4)
    return {"score": score, "bp": bp, "precisions": prec, "hyp_len": hl, "ref_len": rl}


out["bleu"] = [corpus_bleu(b["hyps"], b["refs"], b["smooth"]) for b in cases["bleu"]]
out["tok13a"] = [tok13a(s) for s in cases["tok13a"]]


# ---- ROUGE ---------------------------------------------------------------------------------------------------------
def rtok(s):
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).split()


def lcs_len(a, b):
    a, b = tuple(a), tuple(b)
    sys.setrecursionlimit(100000)

    @lru_cache(maxsize=None)
    def go(i, j):
        if i == len(a) or j == len(b):
            return 0
        if a[i] == b[j]:
            return 1 + go(i + 1, j + 1)
        return max(go(i + 1, j), go(i, j + 1))
    return go(0, 0)


def f1(overlap, nc, nr):
    p = overlap / nc if nc else 0.0
    r = overlap / nr if nr else 0.0
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def rouge_n(c, r, n):
    cg = collections.Counter(tuple(c[i:i + n]) for i in range(len(c) - n + 1))
    rg = collections.Counter(tuple(r[i:i + n]) for i in range(len(r) - n + 1))
    return f1(sum((cg & rg).values()), sum(cg.values()), sum(rg.values()))


out["rouge"] = [[rouge_n(rtok(c), rtok(r), 1), rouge_n(rtok(c), rtok(r), 2), f1(lcs_len(rtok(c), rtok(r)),
                 len(rtok(c)), len(rtok(r)))] for c, r in cases["rouge"]]

# ---- perplexity (torch) --------------------------------------------------------------------------------------------
import torch  # noqa: E402  (a missing python3-torch must fail the test)

g = torch.Generator().manual_seed(cases["perplexity_seed"])
logits = torch.randn(37, 50, generator=g, dtype=torch.float64) * 3
targets = torch.randint(0, 50, (37,), generator=g)
logp = torch.log_softmax(logits, dim=-1).gather(1, targets[:, None]).squeeze(1)
out["perplexity"] = {"logprobs": logp.tolist(),
                     "ppl": float(torch.exp(torch.nn.functional.cross_entropy(logits, targets)))}
out["percentile"] = [float(np.percentile(cases["latencies"], 50)), float(np.percentile(cases["latencies"], 95))]
print(json.dumps(out))
