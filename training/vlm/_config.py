"""LoRA training settings. Training is a batch job, not the service: these are CLI options
(``shopagent train lora --help``) with their defaults here, not fields of ``Settings``."""

from __future__ import annotations

from pydantic import BaseModel, Field

# LoRA on the language model only. Qwen2.5-VL's vision blocks also have gate/up/down
# projections, and vLLM applies LoRA to the language model of multimodal models only (it warns
# and drops vision weights), so adapting the vision tower would train what is never served.
LANGUAGE_MODEL_TARGETS = (
    r".*language_model.*\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)"
)


class LoraTrainConfig(BaseModel):
    rank: int = Field(16, ge=1, description="LoRA rank r (vLLM: keep <= --max-lora-rank).")
    alpha: int = Field(32, ge=1, description="LoRA alpha; the update is scaled by alpha/r.")
    dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: str = Field(
        LANGUAGE_MODEL_TARGETS, description="Regex over module names (PEFT target_modules)."
    )
    learning_rate: float = Field(2e-4, gt=0)
    epochs: float = Field(3.0, gt=0)
    max_length: int = Field(
        4096,
        ge=64,
        description="Tokens per example, image tokens included; "
        "longer examples are left out (cutting would split an image).",
    )
    batch_size: int = Field(1, ge=1)
    grad_accum: int = Field(8, ge=1, description="Gradient accumulation steps.")
    gradient_checkpointing: bool = True
    warmup_ratio: float = Field(0.03, ge=0, lt=1)
    lr_scheduler: str = "cosine"
    weight_decay: float = 0.0
    logging_steps: int = Field(10, ge=1)
    save_total_limit: int = Field(2, ge=1, description="Epoch checkpoints kept for resuming.")
    seed: int = 0
    bf16: bool | None = Field(None, description="None: bf16 where the GPU supports it.")
    max_image_pixels: int | None = Field(
        None, description="Cap on pixels per image (bounds image tokens); None keeps the base's."
    )
    module_name: str = Field(
        "shop-lora", description="LoRA module name vLLM serves it under (SHOPAGENT_LOCAL_MODEL)."
    )
