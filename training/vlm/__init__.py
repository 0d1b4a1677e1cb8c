"""Fine-tuning the local tier's VLM: SFT data from conversations, LoRA training, checks.

Heavy libraries (torch, transformers, peft, trl) are imported inside the functions that need
them, so importing this package is cheap.
"""

from shopagent.training.vlm._build import build_sft_data, card_markdown
from shopagent.training.vlm._collate import VlmCollator, encode_example, token_lengths
from shopagent.training.vlm._config import LANGUAGE_MODEL_TARGETS, LoraTrainConfig
from shopagent.training.vlm._generate import (
    check_adapter,
    generate,
    load_for_inference,
    predict_tool_calls,
)
from shopagent.training.vlm._processor import load_processor, save_processor
from shopagent.training.vlm._sft_data import convert, dedupe_key, is_exact, split_by_conversation
from shopagent.training.vlm._synthetic import DEMO_TOOL_SCHEMAS, write_demo_sessions
from shopagent.training.vlm._template import (
    parse_tool_calls,
    serving_chat_template,
    training_chat_template,
    write_serving_template,
)
from shopagent.training.vlm._tiny import build_tiny_vlm, train_tokenizer
from shopagent.training.vlm._train import TrainResult, read_split, train_lora

__all__ = [
    "DEMO_TOOL_SCHEMAS",
    "LANGUAGE_MODEL_TARGETS",
    "LoraTrainConfig",
    "TrainResult",
    "VlmCollator",
    "build_sft_data",
    "build_tiny_vlm",
    "card_markdown",
    "check_adapter",
    "convert",
    "dedupe_key",
    "encode_example",
    "generate",
    "is_exact",
    "load_for_inference",
    "load_processor",
    "predict_tool_calls",
    "parse_tool_calls",
    "read_split",
    "save_processor",
    "serving_chat_template",
    "split_by_conversation",
    "token_lengths",
    "train_lora",
    "train_tokenizer",
    "training_chat_template",
    "write_demo_sessions",
    "write_serving_template",
]
