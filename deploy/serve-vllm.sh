#!/usr/bin/env bash
# Serve the base VLM with the shop's LoRA adapter behind vLLM's OpenAI-compatible API.
#
#   deploy/serve-vllm.sh            (reads deploy/.env if present; see deploy/.env.example)
#
# The agent's local tier then needs only settings:
#   SHOPAGENT_LOCAL_BASE_URL=http://<host>:8000/v1  SHOPAGENT_LOCAL_MODEL=$LORA_NAME
# Requesting model "$LORA_NAME" runs base + adapter; requesting "$SERVED_BASE_NAME" runs the
# bare base (the "base" eval configuration), from the same server.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [[ -f "$here/.env" ]]; then set -a; source "$here/.env"; set +a; fi

: "${BASE_MODEL_DIR:?local folder of the base model, e.g. /models/Qwen2.5-VL-7B-Instruct}"
: "${ADAPTER_DIR:?folder written by: shopagent train lora --out ...}"
LORA_NAME="${LORA_NAME:-shop-lora}"
SERVED_BASE_NAME="${SERVED_BASE_NAME:-shop-base}"
# The template the adapter was trained with (it renders tools AND images; the stock
# Qwen2.5-VL template renders no tools). `shopagent train lora` writes it next to the adapter.
CHAT_TEMPLATE="${CHAT_TEMPLATE:-$ADAPTER_DIR/chat_template.serving.jinja}"

# Weights come from local folders only.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

exec vllm serve "$BASE_MODEL_DIR" \
  --served-model-name "$SERVED_BASE_NAME" \
  --host "${VLLM_HOST:-0.0.0.0}" --port "${VLLM_PORT:-8000}" \
  --api-key "${VLLM_API_KEY:-EMPTY}" \
  --chat-template "$CHAT_TEMPLATE" --chat-template-content-format openai \
  --enable-auto-tool-choice --tool-call-parser hermes \
  --enable-lora --lora-modules "$LORA_NAME=$ADAPTER_DIR" \
  --max-lora-rank "${MAX_LORA_RANK:-16}" --max-loras "${MAX_LORAS:-2}" \
  --max-model-len "${MAX_MODEL_LEN:-8192}" \
  --limit-mm-per-prompt "{\"image\": ${MAX_IMAGES_PER_PROMPT:-4}, \"video\": 0}" \
  --enable-prefix-caching \
  --gpu-memory-utilization "${GPU_MEMORY_UTILIZATION:-0.90}" \
  --dtype "${VLLM_DTYPE:-bfloat16}" \
  ${VLLM_EXTRA_ARGS:-}
