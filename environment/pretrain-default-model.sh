#!/usr/bin/env bash
# Pretrains TuneLab's embedded default model into lib/src/main/resources/dev/tunelab/default-model (run by hand,
# never in CI; it takes as long as --minutes says). Needs ../shared/datasets beside the repository (or --datasets).
# Example: environment/pretrain-default-model.sh --minutes 40 --seed 1234
# PRETRAIN_THREADS sets PyTorch's intra-op threads (default 2; 1 is faster on a CPU shared with other jobs).
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${PRETRAIN_THREADS:-2}"
mvn -B -q ${MVN_OFFLINE--o} compile -pl lib
mvn -B -q ${MVN_OFFLINE--o} dependency:build-classpath -pl lib -Dmdep.outputFile=target/pretrain-classpath.txt
export OMP_NUM_THREADS="$threads"
exec java -Xmx8g -Dai.djl.offline=true -Dai.djl.default_engine=PyTorch \
  -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "lib/target/classes:$(cat lib/target/pretrain-classpath.txt)" dev.tunelab.pretrain.PretrainMain "$@"
