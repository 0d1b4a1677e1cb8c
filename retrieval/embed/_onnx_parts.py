"""MiniLM cut in two for a shopper's turn: the first 4 layers and the last 2, as ONNX models.

The embedded tier reads every turn with the intent model, whose features are pooled states
of MiniLM's first 4 layers, and the plugin matcher then wants the same text's sentence
vector, which is MiniLM's 6 layers (the catalog's text encoder). Cut at layer 4, one pass
serves both: ``trunk4`` (token ids -> the intent features and the layer-4 states) runs on
every turn, ``tail2`` (layer-4 states -> the last layer's states) only when the matcher
asks, for a third of a whole pass (docs/performance.md).

Both are built as the text encoder is (:mod:`._onnx_model`: exported from the packaged
weights, int8 per output channel, MatMul only, checked against torch, kept in the data
folder under a manifest). They take one text, or texts of equal length: no padding, no
attention mask, as the intent model has always been run and trained. This module only
exports and checks; :mod:`._turn` runs them.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from shopagent.retrieval.embed._minilm import minilm_path, pool, quiet_hub, token_ids

TRUNK_LAYERS = 4
# kind -> which layers of MiniLM's 6 it holds
PART_KINDS: dict[str, tuple[int, int]] = {
    f"trunk{TRUNK_LAYERS}-int8": (0, TRUNK_LAYERS),
    f"tail{6 - TRUNK_LAYERS}-int8": (TRUNK_LAYERS, 6),
}
TRUNK_KIND, TAIL_KIND = PART_KINDS
# Texts a built part must reproduce torch on (one at a time: the parts take no mask).
_CHECK_TEXTS = ("red linen midi dress", "is the first one waterproof?", "gift for my sister")
# Minimum cosine to torch fp32, per text. int8 weights: the whole model's bar (0.97).
MIN_PART_COS = 0.97


def features_of(hidden_states: Any) -> Any:
    """The intent model's features from a stack of layer states (embeddings first):
    [mean, max] of the top layer and mean of the middle one, (batch, 3 * hidden). The
    torch intent model and the trunk compute the same thing with this function."""
    import torch

    top = hidden_states[-1]
    mid = hidden_states[len(hidden_states) // 2]
    return torch.cat([top.mean(1), top.max(1).values, mid.mean(1)], dim=-1)


def _modules(bert: Any) -> dict[str, Any]:
    import torch

    class Trunk(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embeddings = bert.embeddings
            self.layers = torch.nn.ModuleList(bert.encoder.layer[:TRUNK_LAYERS])

        def forward(self, input_ids: Any) -> Any:
            hidden = self.embeddings(input_ids=input_ids)
            states = [hidden]
            for layer in self.layers:
                hidden = layer(hidden, None)
                states.append(hidden)
            return features_of(states), hidden

    class Tail(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = torch.nn.ModuleList(bert.encoder.layer[TRUNK_LAYERS:])

        def forward(self, hidden: Any) -> Any:
            for layer in self.layers:
                hidden = layer(hidden, None)
            return hidden

    return {TRUNK_KIND: Trunk().eval(), TAIL_KIND: Tail().eval()}


Check = list[tuple[dict[str, np.ndarray], np.ndarray]]


def export_part(kind: str, path: Path) -> Check:
    """Export one part (fp32) to ``path``; returns, per check text, the part's inputs and
    torch's answer: the features (trunk), or the whole model's sentence vector (tail, fed
    torch's layer-4 states)."""
    import torch
    from transformers import AutoModel

    with quiet_hub():
        bert = AutoModel.from_pretrained(str(minilm_path()), local_files_only=True).eval()
    trunk, tail = (m := _modules(bert))[TRUNK_KIND], m[TAIL_KIND]
    check: Check = []
    with torch.no_grad():
        # Before exporting: the exporter leaves a module computing something else afterwards.
        for text in _CHECK_TEXTS:
            ids = torch.tensor(token_ids([text], 64))
            feats, hidden = trunk(ids)
            if kind == TRUNK_KIND:
                check.append(({"input_ids": ids.numpy()}, feats.numpy()[0]))
            else:
                last = tail(hidden).numpy()
                check.append(({"hidden": hidden.numpy()}, pool(last, np.ones(last.shape[:2]))[0]))
        sample = torch.tensor(token_ids([_CHECK_TEXTS[0]], 64))
        module, args, inputs, outputs = (
            (trunk, (sample,), ["input_ids"], ["features", "hidden"])
            if kind == TRUNK_KIND
            else (tail, (trunk(sample)[1],), ["hidden"], ["last_hidden_state"])
        )
    axes = {name: {0: "batch", 1: "sequence"} for name in (*inputs, *outputs)}
    if kind == TRUNK_KIND:
        axes["features"] = {0: "batch"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # TorchScript-exporter deprecation and tracer notes
        torch.onnx.export(
            module,
            args,
            str(path),
            input_names=inputs,
            output_names=outputs,
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    return check


def part_agreement(kind: str, session: Any, check: Check) -> float:
    """The least cosine, over the check texts, between a built part's answer and torch's."""
    worst = 1.0
    for feeds, want in check:
        out = session.run(None, feeds)[0]
        got = out[0] if kind == TRUNK_KIND else pool(out, np.ones(out.shape[:2]))[0]
        cos = float(got @ want / max(float(np.linalg.norm(got) * np.linalg.norm(want)), 1e-12))
        worst = min(worst, cos)
    return worst
