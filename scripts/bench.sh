#!/usr/bin/env bash
# Runs every benchmark in bench/ (or those named: scripts/bench.sh retrieval api_load).
# Each prints its figures and writes bench/results/<name>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
mkdir -p bench/results
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in bench/*.py; do n=$(basename "$f" .py); [[ "$n" == _* ]] || names+=("$n"); done
fi
for n in "${names[@]}"; do
  echo "==> bench $n"
  if [[ "$n" == text_encoders && ! -d .bench-overlay/st-onnx/optimum ]]; then
    # sentence-transformers' ONNX backend, compared in that bench, cannot live in the venv.
    scripts/st_onnx_overlay.sh || echo "(no overlay: its st-* contenders are skipped)"
  fi
  .venv/bin/python "bench/$n.py"
done
