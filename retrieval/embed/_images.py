"""Image encoders: a weight-free descriptor (the default) or a local CLIP/SigLIP-class tower."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from shopagent.errors import InvalidInput


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
        return (
            np.stack([self.embed_array(self._prepare(b)) for b in images])
            if images
            else np.zeros((0, self.dim), dtype=np.float32)
        )

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
        hue = (
            np.where(
                mx == r,
                ((g - b) / delta) % 6,
                np.where(mx == g, (b - r) / delta + 2, (r - g) / delta + 4),
            )
            / 6.0
        )
        sat = np.where(mx > 0, (mx - mn) / (mx + 1e-6), 0)
        hi = np.minimum((hue * self._HUE).astype(int), self._HUE - 1)
        si = np.minimum((sat * self._SAT).astype(int), self._SAT - 1)
        vi = np.minimum((mx * self._VAL).astype(int), self._VAL - 1)
        # greys have no meaningful hue: put them all in hue bin 0
        hi = np.where(si == 0, 0, hi)
        color = np.bincount(
            (hi * self._SAT + si) * self._VAL + vi, minlength=self._HUE * self._SAT * self._VAL
        ).astype(np.float32)
        color = np.sqrt(color)  # dampen the dominant bin so secondary colours count

        # shape: mask cropped to its bounding box, resampled to a fixed grid
        ys, xs = np.nonzero(mask)
        crop = mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32)
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
        cell = cy[:, None] * self._CELLS + cx[None, :]
        edges = np.bincount(
            (cell * self._ORIENT + oi).ravel(),
            weights=mag.ravel(),
            minlength=self._CELLS * self._CELLS * self._ORIENT,
        )

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
            raise InvalidInput(
                f"clip_model_path {model_path} is not a directory", code="bad_config"
            )
        from transformers import AutoModel, AutoProcessor

        self._processor = AutoProcessor.from_pretrained(str(model_path), local_files_only=True)
        self._model = AutoModel.from_pretrained(str(model_path), local_files_only=True).eval()
        cfg = self._model.config
        self.dim = int(
            getattr(cfg, "projection_dim", None) or getattr(cfg, "vision_config", cfg).hidden_size
        )
        self.name = f"clip:{Path(model_path).name}"

    def embed_images(self, images: Sequence[bytes]) -> np.ndarray:
        import torch

        pil = [open_image(b) for b in images]
        with torch.inference_mode():
            inputs = self._processor(images=pil, return_tensors="pt")
            feats = self._model.get_image_features(**inputs)
        if not isinstance(feats, torch.Tensor):  # some versions return a model output
            feats = feats.pooler_output
        arr: np.ndarray = feats.float().numpy()
        unit: np.ndarray = arr / (np.linalg.norm(arr, axis=1, keepdims=True) + 1e-9)
        return unit


def make_image_encoder(kind: str, clip_model_path: Path | None = None) -> ImageEncoder:
    if kind == "clip":
        if clip_model_path is None:
            raise InvalidInput(
                "image_encoder=clip needs SHOPAGENT_CLIP_MODEL_PATH", code="bad_config"
            )
        return ClipEncoder(clip_model_path)
    return DescriptorEncoder()
