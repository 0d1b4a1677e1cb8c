#!/usr/bin/env bash
# Installs what sentence-transformers' ONNX backend needs, for bench/text_encoders.py only,
# into an overlay folder beside the venv (default .bench-overlay/st-onnx), never into it:
# that backend needs optimum-onnx, whose only release pins transformers < 4.58, while the
# project runs transformers 5 and sentence-transformers 6. The bench puts the folder first on
# PYTHONPATH for its st-* contenders; torch, onnxruntime and numpy come from the venv.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-.bench-overlay/st-onnx}"
.venv/bin/pip install --quiet --no-deps --target "$dir" \
  sentence-transformers==5.1.2 transformers==4.57.6 tokenizers==0.22.2 \
  huggingface_hub==0.36.2 datasets==4.4.1 optimum==2.1.0 optimum-onnx==0.1.0
echo "overlay ready: $dir"
