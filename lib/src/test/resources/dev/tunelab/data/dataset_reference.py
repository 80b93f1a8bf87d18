"""Independent reference numbers for the data tests (Debian python3 + numpy only).

Usage: dataset_reference.py <shared/datasets dir>; prints one JSON object.
"""
import json
import sys
import unicodedata

import numpy as np

root = sys.argv[1]


def normalize(text):
    s = unicodedata.normalize("NFKC", text).lower()
    out = []
    for ch in s:
        out.append(ch if ch.isalnum() else " ")
    return " ".join("".join(out).split())


def shingles(text, n=5):
    s = normalize(text)
    if len(s) <= n:
        return {s} if s else set()
    return {s[i:i + n] for i in range(len(s) - n + 1)}


def jaccard(a, b):
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


# greedy near-duplicate removal by brute force over all earlier kept rows
with open(f"{root}/instructions-rasbt/instruction-data.json", encoding="utf-8") as f:
    rows = json.load(f)
sets = [shingles(r["instruction"]) for r in rows]
kept, removed = [], []
for i, s in enumerate(sets):
    best = None
    for j in kept:
        jac = jaccard(s, sets[j])
        if jac >= 0.7 and (best is None or jac > best[1]):
            best = (j, jac)
    if best is None:
        kept.append(i)
    else:
        removed.append([i, best[0], round(best[1], 6)])

# exact duplicates of (instruction, input)
seen, exact = set(), 0
for r in rows:
    key = (r["instruction"], r["input"])
    exact += key in seen
    seen.add(key)

# character lengths (code points) of the sentiment sentences as stored (no cleaning)
texts = []
for name in ("imdb_labelled.txt", "yelp_labelled.txt"):
    with open(f"{root}/sentiment-uci/{name}", "rb") as f:
        for line in f.read().decode("utf-8").split("\n"):
            if line:
                texts.append(line.split("\t")[0])
lengths = np.array([len(t) for t in texts])

print(json.dumps({
    "near_removed": removed,
    "exact_instruction_input_duplicates": exact,
    "sentiment_rows": len(texts),
    "sentiment_chars": {"mean": float(lengths.mean()), "p50": float(np.percentile(lengths, 50)),
                        "p95": float(np.percentile(lengths, 95)), "min": int(lengths.min()),
                        "max": int(lengths.max())},
}))
