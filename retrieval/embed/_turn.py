"""One MiniLM pass for a shopper's turn, in two halves (the models of :mod:`._onnx_parts`).

``trunk`` runs MiniLM's first 4 layers: the intent model's features, and the layer-4 states,
which ``vector`` carries through the last 2 layers to the sentence vector the catalog's text
encoder would give the same text (the plugin matcher's). Each half is one single-threaded
ONNX Runtime session, shared by the process (:func:`._onnx_model.session`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shopagent.retrieval.embed._minilm import TEXT_DIM, pool
from shopagent.retrieval.embed._onnx_model import session
from shopagent.retrieval.embed._onnx_parts import TAIL_KIND, TRUNK_KIND, TRUNK_LAYERS

FEATURES_DIM = 3 * TEXT_DIM


class TurnEncoder:
    """MiniLM cut at layer 4 (``layers`` is 4). Built on a data folder's first start, then
    found in ``model_dir`` beside the text encoder's model file."""

    layers = TRUNK_LAYERS
    features_dim = FEATURES_DIM

    def __init__(self, model_dir: Path) -> None:
        self._trunk = session(TRUNK_KIND, Path(model_dir))
        self._tail = session(TAIL_KIND, Path(model_dir))

    def trunk(self, ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids of texts of equal length (no padding) -> their intent features
        ``(n, 1152)`` and layer-4 states ``(n, tokens, 384)``."""
        feats, hidden = self._trunk.run(None, {"input_ids": np.asarray(ids, dtype=np.int64)})
        return feats, hidden

    def vector(self, hidden: np.ndarray) -> np.ndarray:
        """Layer-4 states (from ``trunk``) -> unit sentence vectors ``(n, 384)``: the text
        encoder's vectors of the same texts (the same weights; docs/performance.md)."""
        last = self._tail.run(None, {"hidden": hidden})[0]
        return pool(last, np.ones(last.shape[:2], dtype=np.float32))
