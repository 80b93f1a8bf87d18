#!/usr/bin/env bash
# LoRA vs QLoRA vs few-shot prompting of the embedded default model on sentiment-uci (imdb + yelp, 2,000 sentences).
# All three use the same seeded, stratified train/test split (eval's split code: `finetune --test-fraction` calls
# EvalCommand.holdOut) and the same label-log-likelihood scoring of the words " negative" / " positive" after
# "Text: ...\nLabel:". Results: $OUT/{lora,qlora}/test-metrics.json, $OUT/few-shot.json and a table on stdout.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
DATA_DIR=${DATA_DIR:-../shared/datasets/sentiment-uci}
OUT=${OUT:-lib/target/sentiment-lora-vs-fewshot}
SEED=${SEED:-42}
TEST=${TEST:-0.2}
K=${K:-4}
LR=${LR:-2e-3}
EPOCHS=${EPOCHS:-3}
mkdir -p "$OUT"
data="$OUT/sentiment-uci.tsv"
# both files, labels as words so the prompting baseline scores the same answer words the adapters learn
cat "$DATA_DIR/imdb_labelled.txt" "$DATA_DIR/yelp_labelled.txt" \
  | sed -E $'s/\t[[:space:]]*1[[:space:]]*$/\tpositive/; s/\t[[:space:]]*0[[:space:]]*$/\tnegative/' > "$data.tmp"
mv "$data.tmp" "$data"

common=(--data "$data" --test-fraction "$TEST" --seed "$SEED" --val-fraction 0 --prompt 'Text: {text}\nLabel:'
  --targets all-linear --r 8 --alpha 16 --dropout 0.05 --lr "$LR" --epochs "$EPOCHS" --batch-size 16
  --scheduler linear --warmup 5 --max-length 128)
for method in lora qlora; do
  ./tunelab finetune --method "$method" "${common[@]}" --out "$OUT/$method"
done
t0=$(date +%s)
./tunelab eval --strategy few-shot --k "$K" --data "$data" --columns text,label --test-fraction "$TEST" \
  --seed "$SEED" --out "$OUT/few-shot.json"
echo "few-shot eval seconds: $(( $(date +%s) - t0 ))"

/usr/bin/python3 - "$OUT" "$K" <<'PY'
import json, sys, os
out, k = sys.argv[1], sys.argv[2]
fs = json.load(open(os.path.join(out, "few-shot.json")))
print(f"| strategy | accuracy | macro-F1 | held-out n | train s | trainable params |")
print(f"|---|---|---|---|---|---|")
m = fs["metrics"]
print(f"| few-shot k={k} | {m['accuracy']:.4f} | {m['macro_f1']:.4f} | {int(m['examples'])} | 0 | 0 |")
for method in ("lora", "qlora"):
    t = json.load(open(os.path.join(out, method, "test-metrics.json")))
    print(f"| {method} | {t['accuracy']:.4f} | {t['macro_f1']:.4f} | {t['test_examples']} | "
          f"{t['train_seconds']:.0f} | {t['trainable_params']:,} of {t['total_params']:,} |")
PY
