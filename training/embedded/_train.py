"""Train the embedded tier's intent model on generated turns, on CPU, in about a minute.

The encoder stays frozen (see agent/embedded/_model.py for why): its pooled states are
computed once per generated turn, in batches of equal-length turns (no padding), and an
MLP head is fit on the cached vectors. Temperature scaling on held-out templates makes the
confidence calibrated, which is what the router's threshold compares against.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from shopagent.agent.embedded import (
    INTENTS,
    IntentHead,
    IntentModel,
    features,
    load_encoder,
    load_tokenizer,
)
from shopagent.retrieval.embed import TurnEncoder
from shopagent.training.embedded._generate import Example


@dataclass
class TrainConfig:
    n_layers: int = 4  # of MiniLM's 6: keeps one turn well under 15 ms on a CPU core
    epochs: int = 20
    batch_size: int = 128
    lr: float = 3e-3
    hidden: int = 256
    label_smoothing: float = 0.05
    scale: float = 1.0  # size of the generated set relative to DEFAULT_MIX
    seed: int = 0
    max_len: int = 48
    threads: int = 1  # more threads only spin against each other on a shared 2-core box
    quantize: bool = True  # int8 encoder (same at inference): faster turns
    # "onnx": the encoder is MiniLM's first 4 layers as an int8 ONNX model (TurnEncoder),
    # whose states the plugin matcher reuses; "torch": the same layers on torch (older)
    runtime: str = "onnx"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _progress(enabled: bool) -> Any:
    if not enabled:
        return nullcontext(None)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )


def _buckets(
    ids: list[list[int]], labels: list[int], batch: int, rng: random.Random
) -> list[tuple[list[int], int]]:
    """Batches of example indices with equal token length."""
    by_len: dict[int, list[int]] = defaultdict(list)
    for i, seq in enumerate(ids):
        by_len[len(seq)].append(i)
    out = []
    for _, idx in by_len.items():
        rng.shuffle(idx)
        out += [(idx[k : k + batch], len(ids[idx[0]])) for k in range(0, len(idx), batch)]
    rng.shuffle(out)
    return out


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The temperature minimising held-out NLL (a grid: robust, and 1-D)."""
    best, best_t = math.inf, 1.0
    for t in [0.5 + 0.1 * k for k in range(46)]:
        nll = nn.functional.cross_entropy(logits / t, labels).item()
        if nll < best:
            best, best_t = nll, t
    return round(best_t, 2)


def expected_calibration_error(conf: list[float], correct: list[bool], bins: int = 10) -> float:
    total, ece = len(conf), 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(conf) if lo < c <= hi or (b == 0 and c == 0)]
        if idx:
            acc = sum(correct[i] for i in idx) / len(idx)
            avg = sum(conf[i] for i in idx) / len(idx)
            ece += len(idx) / total * abs(acc - avg)
    return round(ece, 4)


def train_intent_model(
    examples: list[Example],
    cfg: TrainConfig,
    *,
    progress: bool = True,
    parts_dir: Path | None = None,
) -> tuple[IntentModel, dict[str, Any]]:
    """``parts_dir``: where the ``onnx`` runtime's encoder files are kept or built; the
    artifact must be saved where ``encoder_dir`` finds them (``train`` does)."""
    t0 = time.monotonic()
    threads = torch.get_num_threads()
    torch.set_num_threads(max(1, cfg.threads))
    try:
        return _train(examples, cfg, progress, t0, parts_dir)
    finally:
        torch.set_num_threads(threads)


def _train(
    examples: list[Example], cfg: TrainConfig, progress: bool, t0: float, parts_dir: Path | None
) -> tuple[IntentModel, dict[str, Any]]:
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    intents = list(INTENTS)
    encoder: TurnEncoder | None = None
    if cfg.runtime == "onnx":
        if cfg.n_layers != TurnEncoder.layers or not cfg.quantize:
            raise ValueError(
                f"the onnx runtime is MiniLM's first {TurnEncoder.layers} layers, int8: "
                f"n_layers={cfg.n_layers}, quantize={cfg.quantize} need runtime='torch'"
            )
        tok, bert = load_tokenizer(), None
        if parts_dir is None:
            raise ValueError("the onnx runtime needs parts_dir: where its encoder is kept")
        encoder = TurnEncoder(parts_dir)
    elif cfg.runtime == "torch":
        tok, bert = load_encoder(cfg.n_layers, quantize=cfg.quantize)
    else:
        raise ValueError(f"unknown runtime {cfg.runtime!r}: 'onnx' or 'torch'")
    train = [e for e in examples if e.split == "train"]
    val = [e for e in examples if e.split == "val"]
    ids = tok([e.text or "." for e in train + val], truncation=True, max_length=cfg.max_len)[
        "input_ids"
    ]
    labels = torch.tensor([intents.index(e.intent) for e in train + val])
    n_train = len(train)

    with _progress(progress) as bar:
        batches = _buckets(ids, labels.tolist(), 128, rng)
        task = bar.add_task("encoding turns", total=len(ids)) if bar else None
        feats: torch.Tensor | None = None
        with torch.inference_mode():
            for idx, _ in batches:
                rows = [ids[i] for i in idx]
                if encoder is not None:
                    f = torch.from_numpy(encoder.trunk(rows)[0])
                else:
                    f = features(bert, torch.tensor(rows))
                if feats is None:
                    feats = torch.empty(len(ids), f.shape[1])
                feats[idx] = f
                if bar:
                    bar.advance(task, len(idx))
        assert feats is not None
        feats = feats.clone()
        head = IntentHead(feats.shape[1], len(intents), cfg.hidden)
        x_tr, y_tr = feats[:n_train], labels[:n_train]
        opt = torch.optim.AdamW(head.parameters(), lr=cfg.lr, weight_decay=0.01)
        steps = math.ceil(n_train / cfg.batch_size) * cfg.epochs
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=steps)
        loss_fn = nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)
        task = bar.add_task("training head", total=cfg.epochs) if bar else None
        head.train()
        for _ in range(cfg.epochs):
            perm = torch.randperm(n_train)
            for k in range(0, n_train, cfg.batch_size):
                b = perm[k : k + cfg.batch_size]
                loss = loss_fn(head(x_tr[b]), y_tr[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
            if bar:
                bar.advance(task)
        head.eval()

    with torch.inference_mode():
        train_acc = (head(x_tr).argmax(-1) == y_tr).float().mean().item()
        v_logits, v_labels = head(feats[n_train:]), labels[n_train:]
        temperature = fit_temperature(v_logits, v_labels) if len(v_labels) else 1.0
        conf, pred = torch.softmax(v_logits / temperature, dim=-1).max(dim=-1)
        correct = (pred == v_labels).tolist()
    metrics = {
        "train_examples": n_train,
        "val_examples": len(v_labels),
        "train_intent_accuracy": round(train_acc, 4),
        "val_intent_accuracy": round(sum(correct) / max(1, len(correct)), 4),
        "val_ece": expected_calibration_error(conf.tolist(), correct),
        "temperature": temperature,
        "train_seconds": round(time.monotonic() - t0, 1),
    }
    model = IntentModel(
        tok, bert, head, intents, temperature, cfg.max_len, cfg.quantize, encoder=encoder
    )
    return model, metrics
