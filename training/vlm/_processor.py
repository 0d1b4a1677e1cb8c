"""Load and save a Qwen-VL processor from its parts.

``AutoProcessor`` for the Qwen-VL family insists on a video processor, which needs
torchvision; torchvision from PyPI does not load beside the CPU torch this project pins. So
the processor is assembled from the tokenizer and the PIL image processor, with no video
processor: this project sends images, never video. A real checkpoint folder (tokenizer files,
``preprocessor_config.json``) loads the same way, and always with ``local_files_only``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from shopagent.training.vlm._template import TEMPLATE_FILE, training_chat_template

# model_type -> processor class name in transformers. Qwen3-VL shares the Qwen2-VL image
# processor (patch 16 is read from preprocessor_config.json).
_PROCESSORS = {
    "qwen2_vl": "Qwen2VLProcessor",
    "qwen2_5_vl": "Qwen2_5_VLProcessor",
    "qwen3_vl": "Qwen3VLProcessor",
}


def model_type_of(folder: Path) -> str:
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    model_type = str(config.get("model_type", ""))
    if model_type not in _PROCESSORS:
        raise ValueError(
            f"{folder}: model_type {model_type!r} is not a supported Qwen-VL-class model "
            f"({', '.join(sorted(_PROCESSORS))})"
        )
    return model_type


@lru_cache
def _without_video(name: str) -> type:
    """The processor class, accepting ``video_processor=None``.

    ProcessorMixin type-checks every part against its registry, and looking up the video
    class is exactly what fails without torchvision; a missing part has nothing to check.
    """
    import transformers

    base = getattr(transformers, name)

    def check_argument_for_proper_class(self: Any, argument_name: str, argument: Any) -> Any:
        if argument is None:
            return None
        return base.check_argument_for_proper_class(self, argument_name, argument)

    def save_pretrained(self: Any, save_directory: Any, *args: Any, **kwargs: Any) -> None:
        # The stock method walks every part, the missing video processor included (the
        # Trainer calls it at each checkpoint).
        save_processor(self, save_directory)

    return type(
        name,
        (base,),
        {
            "check_argument_for_proper_class": check_argument_for_proper_class,
            "save_pretrained": save_pretrained,
        },
    )


def build_processor(
    model_type: str, tokenizer: Any, image_processor: Any, chat_template: str | None = None
) -> Any:
    cls = _without_video(_PROCESSORS[model_type])
    return cls(
        image_processor=image_processor,
        tokenizer=tokenizer,
        video_processor=None,
        chat_template=chat_template or training_chat_template(),
    )


def load_processor(folder: str | Path, chat_template: str | None = None) -> Any:
    """The processor of a local model folder, with this project's chat template.

    The folder's own template is replaced on purpose: stock Qwen2.5-VL templates do not render
    tools, and training must render exactly what ``vllm serve --chat-template`` will.
    """
    from transformers import AutoTokenizer
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    folder = Path(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    image_processor = Qwen2VLImageProcessorPil.from_pretrained(folder, local_files_only=True)
    return build_processor(model_type_of(folder), tokenizer, image_processor, chat_template)


def save_processor(processor: Any, folder: str | Path) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    processor.tokenizer.save_pretrained(folder)
    processor.image_processor.save_pretrained(folder)
    (folder / TEMPLATE_FILE).write_text(processor.chat_template, encoding="utf-8")
