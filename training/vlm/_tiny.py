"""A tiny, randomly initialised Qwen2.5-VL built from a config: the offline test model.

It has the architecture, tokens, chat template and processor of the real thing, so the
pipeline (data -> LoRA -> save -> reload -> generate -> parse) runs for real on a machine
without weights or a GPU. It knows nothing: tests check the pipeline's mechanics, never
the model's quality. Nothing is downloaded; the tokenizer is trained here in a fraction of a
second on generated shopping text plus the prompt and tool schemas it will have to read.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from shopagent.agent.prompts import SYSTEM_PROMPT
from shopagent.training.vlm._processor import build_processor, save_processor
from shopagent.training.vlm._template import serving_chat_template

# Qwen2.5's control tokens. Image/vision tokens are special (never split, stripped on decode);
# <tool_call> tags are ordinary added tokens as in Qwen2.5, so they survive
# skip_special_tokens=True and the hermes parser can see them.
SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
    "<|video_pad|>",
]
ADDED_TOKENS = ["<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"]

_COLORS = ["red", "blue", "black", "white", "green", "beige", "navy", "grey", "pink", "brown"]
_THINGS = [
    "sneakers",
    "boots",
    "jacket",
    "dress",
    "t-shirt",
    "jeans",
    "backpack",
    "scarf",
    "sandals",
    "hoodie",
    "lamp",
    "mug",
    "sofa",
    "watch",
    "sunglasses",
]
_PHRASES = [
    "show me {c} {t}",
    "I need {c} {t} under {p} euros",
    "do you have {t} in {c}?",
    "find something like this photo",
    "add the second one to my cart",
    "what sizes does it come in?",
    "cheaper {t} please",
    "now in {c}",
    "I found {n} {c} {t} from {p} EUR.",
    "Added to your cart.",
    "Which size do you wear?",
]


def _rendered_prompt(tool_schemas: list[dict[str, Any]]) -> str:
    """The fixed head of every example (system prompt, tool header, schemas) as rendered."""
    import jinja2

    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson"] = lambda x: json.dumps(x, ensure_ascii=False)
    return env.from_string(serving_chat_template()).render(
        messages=[{"role": "system", "content": SYSTEM_PROMPT}],
        tools=tool_schemas,
        add_generation_prompt=False,
    )


def _corpus(tool_schemas: list[dict[str, Any]], texts: Iterable[str], seed: int) -> list[str]:
    rng = random.Random(seed)
    # The prompt and schemas start every example; repeated here, BPE merges them into few,
    # long tokens, which keeps sequences (and the CPU test) short.
    fixed = [
        _rendered_prompt(tool_schemas),
        SYSTEM_PROMPT,
        *(json.dumps(s, ensure_ascii=False) for s in tool_schemas),
    ]
    lines = fixed * 50
    for _ in range(3000):
        lines.append(
            rng.choice(_PHRASES).format(
                c=rng.choice(_COLORS),
                t=rng.choice(_THINGS),
                p=rng.randint(10, 300),
                n=rng.randint(2, 40),
            )
        )
        lines.append(
            json.dumps(
                {
                    "name": rng.choice(tool_schemas)["function"]["name"],
                    "arguments": {"query": rng.choice(_THINGS), "color": rng.choice(_COLORS)},
                }
            )
        )
    lines.extend(texts)
    return lines


def train_tokenizer(
    tool_schemas: list[dict[str, Any]],
    texts: Iterable[str] = (),
    *,
    vocab_size: int = 3000,
    seed: int = 0,
) -> Any:
    """A byte-level BPE tokenizer (Qwen's kind) wrapped for transformers, with the template."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from shopagent.training.vlm._template import training_chat_template

    raw = Tokenizer(models.BPE())
    # use_regex=False lets merges cross word boundaries, so the fixed prompt and schema text
    # become a few long tokens (the CPU test runs on short sequences). Real tokenizers split
    # on words; nothing downstream depends on how text is cut.
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    raw.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    raw.train_from_iterator(_corpus(tool_schemas, texts, seed), trainer)
    raw.add_tokens([AddedToken(t, special=False, normalized=False) for t in ADDED_TOKENS])
    return PreTrainedTokenizerFast(
        tokenizer_object=raw,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        chat_template=training_chat_template(),
        padding_side="right",
    )


def tiny_image_processor() -> Any:
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    # 112x112 at most: 8x8 patches of 14 px, merged 2x2 -> 16 image tokens per image.
    return Qwen2VLImageProcessorPil(min_pixels=28 * 28, max_pixels=112 * 112)


def tiny_config(tokenizer: Any) -> Any:
    from transformers import Qwen2_5_VLConfig

    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    text = dict(
        vocab_size=len(tokenizer),
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        # head_dim 32: the three M-RoPE sections (time, height, width) must sum to 16.
        rope_parameters={
            "rope_type": "default",
            "rope_theta": 1_000_000.0,
            "mrope_section": [4, 6, 6],
        },
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"],
    )
    vision = dict(
        depth=2,
        hidden_size=64,
        intermediate_size=128,
        num_heads=2,
        out_hidden_size=128,
        patch_size=14,
        spatial_merge_size=2,
        temporal_patch_size=2,
        window_size=112,
        fullatt_block_indexes=[1],
    )
    return Qwen2_5_VLConfig(
        text_config=text,
        vision_config=vision,
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
    )


def build_tiny_vlm(
    folder: str | Path,
    tool_schemas: list[dict[str, Any]],
    texts: Iterable[str] = (),
    *,
    seed: int = 0,
    lm_head_scale: float = 8.0,
) -> Path:
    """Write a tiny random Qwen2.5-VL (weights, config, tokenizer, processor) to ``folder``.

    ``lm_head_scale`` widens the random output layer: LoRA leaves ``lm_head`` frozen, and a
    default-initialised one (std 0.02 over 128 dims) cannot express confident predictions,
    which puts a floor under the loss. Real checkpoints have a trained head and need nothing.
    """
    import torch
    from transformers import GenerationConfig, Qwen2_5_VLForConditionalGeneration

    folder = Path(folder)
    torch.manual_seed(seed)
    tokenizer = train_tokenizer(tool_schemas, texts, seed=seed)
    config = tiny_config(tokenizer)
    model = Qwen2_5_VLForConditionalGeneration(config)
    with torch.no_grad():
        model.lm_head.weight.mul_(lm_head_scale)
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    pad = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    model.generation_config = GenerationConfig(
        eos_token_id=[eos], pad_token_id=pad, do_sample=False
    )
    model.save_pretrained(folder)
    save_processor(build_processor("qwen2_5_vl", tokenizer, tiny_image_processor()), folder)
    return folder
