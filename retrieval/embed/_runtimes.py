"""The two ways MiniLM runs: sentence-transformers on torch, and ONNX Runtime (fp32 or int8).

Both take texts and return L2-normalised float32 vectors of the same model, pooled the same
way; ``TextEmbedder`` picks one by name. Heavy libraries are imported on first use.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from shopagent.retrieval.embed._minilm import (
    TEXT_DIM,
    cores,
    padded,
    pool,
    sentence_transformer,
    token_ids,
)
from shopagent.retrieval.embed._onnx_model import session as onnx_session

# Up to this many texts count as a query: run on the calling thread, one thread, no lock.
SMALL = 8

# torch has one intra-op thread pool per process, and an ONNX batch already runs one thread
# per core: one batch encode at a time is fastest.
_ENCODE_LOCK = threading.Lock()


class TextRuntime(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...

    def warm_up(self) -> None: ...


@contextlib.contextmanager
def _torch_threads(n: int | None) -> Iterator[None]:
    """Run a single short query on one thread: intra-op parallelism buys nothing for one
    sentence, and on a busy CPU its spin-waiting costs many times the work itself."""
    if n is None:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class TorchRuntime:
    """sentence-transformers on torch: the reference the ONNX builds are checked against."""

    def __init__(self, max_seq_length: int, batch_size: int) -> None:
        self.max_seq_length = max_seq_length
        self.batch_size = batch_size

    def _model(self) -> Any:
        with _ENCODE_LOCK:
            return sentence_transformer(self.max_seq_length)

    def warm_up(self) -> None:
        self._model()

    def encode(self, texts: list[str]) -> np.ndarray:
        model = self._model()
        with _ENCODE_LOCK, _torch_threads(1 if len(texts) <= SMALL else None):
            out = model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(out, dtype=np.float32)


class OnnxRuntime:
    """ONNX Runtime on the model file :mod:`._onnx_model` builds (``kind``: onnx or onnx-int8)."""

    def __init__(self, kind: str, model_dir: Path, max_seq_length: int, batch_size: int) -> None:
        self.kind = kind
        self.model_dir = model_dir
        self.max_seq_length = max_seq_length
        self.batch_size = batch_size  # texts per session call
        self._session: Any = None

    def warm_up(self) -> None:
        """Build (on a data folder's first start) or find and verify the model file."""
        if self._session is None:
            self._session = onnx_session(self.kind, self.model_dir)

    def encode(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        session = self._session
        ids = token_ids(texts, self.max_seq_length)
        out = np.empty((len(texts), TEXT_DIM), dtype=np.float32)

        def run(rows: list[int]) -> tuple[list[int], np.ndarray]:
            feeds = padded([ids[i] for i in rows])
            return rows, pool(session.run(None, feeds)[0], feeds["attention_mask"])

        if len(texts) <= SMALL:
            # A query: on the calling thread, no lock, so concurrent queries run side by side.
            for i in range(len(texts)):
                out[i] = run([i])[1][0]
            return out
        # Sorted by length, a chunk pads to little more than its own texts; the chunks run
        # on one thread per core (the session is single-threaded and releases the GIL),
        # longest first so no core idles on a long last chunk.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]), reverse=True)
        chunks = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        workers = min(cores(), len(chunks))
        with _ENCODE_LOCK:  # one batch at a time: each already uses every core
            if workers == 1:
                done = [run(c) for c in chunks]
            else:
                with ThreadPoolExecutor(
                    max_workers=workers, thread_name_prefix="minilm-onnx"
                ) as pool_:
                    done = list(pool_.map(run, chunks))
        for rows, vectors in done:
            out[rows] = vectors
        return out
