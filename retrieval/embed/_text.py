"""Dense text vectors: MiniLM through one of its runtimes, with a content-hash cache."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from shopagent.errors import InvalidInput
from shopagent.retrieval.embed._cache import VectorCache
from shopagent.retrieval.embed._minilm import (
    DEFAULT_MAX_SEQ_LENGTH,
    TEXT_DIM,
    TEXT_MODEL_ID,
    default_model_dir,
)
from shopagent.retrieval.embed._onnx_model import RECIPE
from shopagent.retrieval.embed._runtimes import OnnxRuntime, TextRuntime, TorchRuntime

TextEncoderKind = Literal["onnx-int8", "onnx", "torch"]
TEXT_ENCODERS: tuple[str, ...] = get_args(TextEncoderKind)
DEFAULT_TEXT_ENCODER: TextEncoderKind = "onnx-int8"
# Search queries whose vectors are also kept in memory (1.5 KB each): the same few words
# ("boots", "linen shirts") are searched turn after turn, and a read of the cache file is
# a hash, a lock and a SQLite query (~0.14 ms a search in turn_cpu's conversations).
QUERY_VECTORS_IN_MEMORY = 1024


def text_encoder_name(kind: str, max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH) -> str:
    """What made a text vector: the cache-key prefix and the tag stored with indexed points.
    ``torch`` keeps the bare model id, the name its vectors had before there were variants."""
    if kind not in TEXT_ENCODERS:
        raise InvalidInput(
            f"unknown text encoder {kind!r}; choose one of {TEXT_ENCODERS}", code="bad_config"
        )
    name = TEXT_MODEL_ID if kind == "torch" else f"{TEXT_MODEL_ID}+{kind}-r{RECIPE}"
    return name if max_seq_length == DEFAULT_MAX_SEQ_LENGTH else f"{name}+seq{max_seq_length}"


class TextEmbedder:
    """MiniLM sentence embeddings, L2-normalised (cosine = dot), batched and cached.

    ``encoder`` picks the runtime (see the package docstring); ``model_dir`` is where the
    ONNX variants keep their model file (default: :func:`default_model_dir`)."""

    dim = TEXT_DIM

    def __init__(
        self,
        cache_path: Path | None = None,
        *,
        encoder: str = DEFAULT_TEXT_ENCODER,
        model_dir: Path | None = None,
        batch_size: int | None = None,
        max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH,
    ) -> None:
        self.name = text_encoder_name(encoder, max_seq_length)
        self.encoder = encoder
        self.max_seq_length = max_seq_length
        self.model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        self._cache = VectorCache(cache_path, self.dim)
        self._recent = functools.lru_cache(maxsize=QUERY_VECTORS_IN_MEMORY)(self._query_vector)
        self._runtime: TextRuntime
        if encoder == "torch":
            self.batch_size = batch_size or 128
            self._runtime = TorchRuntime(max_seq_length, self.batch_size)
        else:
            # Length-sorted chunks carry little padding, so small ones lose nothing.
            self.batch_size = batch_size or 32
            self._runtime = OnnxRuntime(encoder, self.model_dir, max_seq_length, self.batch_size)

    def warm_up(self) -> None:
        """Load (or build) the model now rather than on the first text."""
        self._runtime.warm_up()

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.name}\0{text}".encode()).hexdigest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed without the cache."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._runtime.encode(list(texts))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        cached = self._cache.get_many(keys)
        todo = [i for i, k in enumerate(keys) if k not in cached]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if todo:
            fresh = self.encode([texts[i] for i in todo])
            self._cache.put_many({keys[i]: fresh[j] for j, i in enumerate(todo)})
            out[todo] = fresh
        for i, k in enumerate(keys):
            if k in cached:
                out[i] = cached[k]
        return out

    def embed_one(self, text: str) -> np.ndarray:
        """One query's vector (read-only: shared by every search for the same text)."""
        row: np.ndarray = self._recent(text)
        return row

    def _query_vector(self, text: str) -> np.ndarray:
        row: np.ndarray = self.embed([text])[0]
        row.setflags(write=False)
        return row

    def close(self) -> None:
        self._cache.close()
