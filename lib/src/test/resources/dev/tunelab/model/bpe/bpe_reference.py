"""Independent byte-level BPE encoder (standard library only) for checking TuneLab's Java tokenizer.

Usage: bpe_reference.py tokenizer.json sentences.txt  -> one JSON list of ids per input line (no BOS).
Input lines are JSON strings so that newlines and tabs survive. The GPT-2 pre-tokenisation regex is re-implemented
as a scanner over Unicode categories because Python's re module has no \\p{L}.
"""
import json
import sys
import unicodedata

WHITE = set([9, 10, 11, 12, 13, 32, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
            + list(range(0x2000, 0x200B)))
CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"]


def is_space(c):
    return ord(c) in WHITE


def is_letter(c):
    return unicodedata.category(c).startswith("L")


def is_number(c):
    return unicodedata.category(c).startswith("N")


def is_other(c):
    return not (is_space(c) or is_letter(c) or is_number(c))


def pre_tokenize(text):
    pieces, i, n = [], 0, len(text)
    while i < n:
        match = None
        for c in CONTRACTIONS:
            if text.startswith(c, i):
                match = i + len(c)
                break
        if match is None:
            for cls in (is_letter, is_number, is_other):
                j = i + 1 if text[i] == " " and i + 1 < n and cls(text[i + 1]) else i
                if j < n and cls(text[j]):
                    while j < n and cls(text[j]):
                        j += 1
                    match = j
                    break
        if match is None:
            j = i
            while j < n and is_space(text[j]):
                j += 1
            if j == n or j - 1 > i:
                match = j if j == n else j - 1
            else:
                match = j
        pieces.append(text[i:match])
        i = match
    return pieces


def byte_chars():
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def main():
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    vocab = spec["model"]["vocab"]
    ranks = {}
    for r, m in enumerate(spec["model"]["merges"]):
        pair = tuple(m) if isinstance(m, list) else tuple(m.split(" ", 1))
        ranks.setdefault(pair, r)
    specials = sorted((t["content"] for t in spec["added_tokens"]), key=len, reverse=True)
    table = byte_chars()

    def bpe(piece):
        symbols = [table[b] for b in piece.encode("utf-8")]
        while len(symbols) > 1:
            best = min(range(len(symbols) - 1), key=lambda k: (ranks.get((symbols[k], symbols[k + 1]), 1 << 60), k))
            if (symbols[best], symbols[best + 1]) not in ranks:
                break
            symbols[best:best + 2] = [symbols[best] + symbols[best + 1]]
        return [vocab[s] for s in symbols]

    def encode(text):
        ids, i = [], 0
        while i <= len(text):
            hits = [(text.find(s, i), s) for s in specials if text.find(s, i) >= 0]
            at, s = min(hits, key=lambda h: h[0]) if hits else (len(text), None)
            for piece in pre_tokenize(text[i:at]):
                ids.extend(bpe(piece))
            if s is None:
                break
            ids.append(vocab[s])
            i = at + len(s)
        return ids

    out = sys.stdout
    for line in open(sys.argv[2], encoding="utf-8"):
        out.write(json.dumps(encode(json.loads(line))) + "\n")


if __name__ == "__main__":
    main()
