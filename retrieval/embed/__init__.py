"""Encoders: dense text (MiniLM), sparse keywords (BM25) and images (descriptor or CLIP).

One module per concern, imported from here:

- ``_text``: :class:`TextEmbedder`, the dense text vectors the index stores, and
  :func:`text_encoder_name`, the tag that says which encoder made them;
- ``_runtimes``: how MiniLM runs (torch, or ONNX Runtime on a built model file);
- ``_onnx_model``: that model file, built once from the packaged weights and verified;
- ``_turn``: :class:`TurnEncoder`, MiniLM cut at layer 4 for a shopper's turn (the intent
  model's features, then the sentence vector only when asked), from the two halves
  ``_onnx_parts`` exports;
- ``_minilm``: the packaged weights, tokenizer and pooling every runtime shares;
- ``_cache``: vectors by content hash, so unchanged texts are never embedded twice;
- ``_sparse``: BM25 term weights; ``_images``: image encoders.

The text encoder runs in one of three ways (``SHOPAGENT_TEXT_ENCODER``), all from the
packaged MiniLM weights:

- ``onnx-int8`` (default): ONNX Runtime with int8 weights, the fastest on CPU; its vectors
  are close to torch's but not equal;
- ``onnx``: ONNX Runtime, fp32: torch's vectors;
- ``torch``: sentence-transformers on torch, the reference.

Speed and agreement with torch are measured by ``bench/text_encoders.py`` (figures in
``bench/results/text_encoders.json`` and docs/performance.md). Vectors of different variants
never mix: the cache keys and the tag stored with every indexed point name the variant.
Heavy libraries (onnxruntime, torch, sentence-transformers, transformers) are imported when
an encoder is first used, never at import.
"""

from shopagent.retrieval.embed._images import (
    ClipEncoder,
    DescriptorEncoder,
    ImageEncoder,
    make_image_encoder,
    open_image,
)
from shopagent.retrieval.embed._minilm import (
    DEFAULT_MAX_SEQ_LENGTH,
    TEXT_DIM,
    TEXT_MODEL_ID,
    default_model_dir,
    minilm_path,
)
from shopagent.retrieval.embed._onnx_parts import features_of
from shopagent.retrieval.embed._sparse import SparseEncoder
from shopagent.retrieval.embed._text import (
    DEFAULT_TEXT_ENCODER,
    TEXT_ENCODERS,
    TextEmbedder,
    TextEncoderKind,
    text_encoder_name,
)
from shopagent.retrieval.embed._turn import TurnEncoder

__all__ = [
    "DEFAULT_MAX_SEQ_LENGTH",
    "DEFAULT_TEXT_ENCODER",
    "TEXT_DIM",
    "TEXT_ENCODERS",
    "TEXT_MODEL_ID",
    "ClipEncoder",
    "DescriptorEncoder",
    "ImageEncoder",
    "SparseEncoder",
    "TextEmbedder",
    "TextEncoderKind",
    "TurnEncoder",
    "default_model_dir",
    "features_of",
    "make_image_encoder",
    "minilm_path",
    "open_image",
    "text_encoder_name",
]
