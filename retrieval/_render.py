"""Product pictures for the demo catalog: the product's colour in its category's silhouette.

Shapes are drawn in a unit square from a few primitives; a small seeded jitter in position
and scale keeps pictures of one category from being pixel-identical, while colour and
silhouette stay what visual search should find.
"""

from __future__ import annotations

import io
import random
from typing import Any

from PIL import Image, ImageDraw

SIZE = 256
P = tuple[float, float]

# primitive: (kind, points-or-box, part) with part "main" (product colour) or "dark"/"grey"
_SHAPES: dict[str, list[tuple[Any, ...]]] = {
    "dress": [
        (
            "poly",
            [(0.40, 0.12), (0.60, 0.12), (0.62, 0.30), (0.78, 0.88), (0.22, 0.88), (0.38, 0.30)],
            "main",
        )
    ],
    "tshirt": [
        (
            "poly",
            [
                (0.30, 0.15),
                (0.42, 0.12),
                (0.58, 0.12),
                (0.70, 0.15),
                (0.90, 0.35),
                (0.78, 0.45),
                (0.70, 0.38),
                (0.70, 0.85),
                (0.30, 0.85),
                (0.30, 0.38),
                (0.22, 0.45),
                (0.10, 0.35),
            ],
            "main",
        )
    ],
    "jacket": [
        (
            "poly",
            [
                (0.30, 0.12),
                (0.70, 0.12),
                (0.88, 0.30),
                (0.92, 0.85),
                (0.78, 0.85),
                (0.74, 0.45),
                (0.74, 0.88),
                (0.26, 0.88),
                (0.26, 0.45),
                (0.22, 0.85),
                (0.08, 0.85),
                (0.12, 0.30),
            ],
            "main",
        ),
        ("line", [(0.5, 0.14), (0.5, 0.88)], "dark"),
    ],
    "trousers": [
        (
            "poly",
            [
                (0.30, 0.10),
                (0.70, 0.10),
                (0.76, 0.90),
                (0.56, 0.90),
                (0.50, 0.35),
                (0.44, 0.90),
                (0.24, 0.90),
            ],
            "main",
        )
    ],
    "skirt": [("poly", [(0.36, 0.25), (0.64, 0.25), (0.82, 0.75), (0.18, 0.75)], "main")],
    "sneaker": [
        (
            "poly",
            [
                (0.10, 0.55),
                (0.40, 0.50),
                (0.58, 0.36),
                (0.72, 0.38),
                (0.90, 0.58),
                (0.90, 0.68),
                (0.10, 0.68),
            ],
            "main",
        ),
        ("rect", (0.10, 0.66, 0.90, 0.72), "grey"),
    ],
    "boot": [
        (
            "poly",
            [(0.35, 0.12), (0.60, 0.12), (0.62, 0.55), (0.88, 0.62), (0.88, 0.80), (0.35, 0.80)],
            "main",
        ),
        ("rect", (0.35, 0.78, 0.88, 0.84), "dark"),
    ],
    "sandal": [
        ("rect", (0.12, 0.62, 0.88, 0.70), "main"),
        ("line", [(0.35, 0.62), (0.50, 0.45), (0.65, 0.62)], "main"),
    ],
    "heel": [
        (
            "poly",
            [
                (0.12, 0.40),
                (0.30, 0.42),
                (0.75, 0.66),
                (0.88, 0.66),
                (0.88, 0.72),
                (0.30, 0.60),
                (0.18, 0.52),
            ],
            "main",
        ),
        ("rect", (0.14, 0.50, 0.19, 0.80), "main"),
    ],
    "backpack": [
        ("rect", (0.28, 0.20, 0.72, 0.85), "main"),
        ("ellipse", (0.40, 0.10, 0.60, 0.26), "dark"),
        ("rect", (0.35, 0.55, 0.65, 0.78), "dark"),
    ],
    "bag": [
        ("poly", [(0.20, 0.40), (0.80, 0.40), (0.86, 0.80), (0.14, 0.80)], "main"),
        ("arc", (0.32, 0.18, 0.68, 0.58), "dark"),
    ],
    "tote": [
        ("poly", [(0.22, 0.35), (0.78, 0.35), (0.74, 0.88), (0.26, 0.88)], "main"),
        ("arc", (0.34, 0.12, 0.50, 0.50), "dark"),
        ("arc", (0.50, 0.12, 0.66, 0.50), "dark"),
    ],
    "wallet": [
        ("rect", (0.18, 0.36, 0.82, 0.70), "main"),
        ("line", [(0.18, 0.50), (0.82, 0.50)], "dark"),
    ],
    "ring": [("ring", (0.25, 0.25, 0.75, 0.75), "main")],
    "necklace": [
        ("arc", (0.20, 0.05, 0.80, 0.70), "main"),
        ("ellipse", (0.44, 0.62, 0.56, 0.76), "main"),
    ],
    "earring": [
        ("ring", (0.18, 0.30, 0.44, 0.56), "main"),
        ("ring", (0.56, 0.30, 0.82, 0.56), "main"),
    ],
    "watch": [
        ("rect", (0.42, 0.08, 0.58, 0.92), "dark"),
        ("ellipse", (0.32, 0.32, 0.68, 0.68), "main"),
    ],
    "lamp": [
        ("poly", [(0.34, 0.15), (0.66, 0.15), (0.78, 0.42), (0.22, 0.42)], "main"),
        ("rect", (0.48, 0.42, 0.52, 0.82), "dark"),
        ("rect", (0.36, 0.82, 0.64, 0.88), "dark"),
    ],
    "vase": [
        (
            "poly",
            [
                (0.42, 0.12),
                (0.58, 0.12),
                (0.56, 0.28),
                (0.72, 0.55),
                (0.64, 0.88),
                (0.36, 0.88),
                (0.28, 0.55),
                (0.44, 0.28),
            ],
            "main",
        )
    ],
    "rug": [("rect", (0.10, 0.25, 0.90, 0.75), "main"), ("rect", (0.20, 0.35, 0.80, 0.65), "dark")],
    "cushion": [
        (
            "poly",
            [
                (0.18, 0.22),
                (0.50, 0.28),
                (0.82, 0.22),
                (0.76, 0.50),
                (0.82, 0.78),
                (0.50, 0.72),
                (0.18, 0.78),
                (0.24, 0.50),
            ],
            "main",
        )
    ],
    "mirror": [
        ("ellipse", (0.25, 0.10, 0.75, 0.90), "main"),
        ("ellipse", (0.31, 0.17, 0.69, 0.83), "grey"),
    ],
    "sofa": [
        ("rect", (0.10, 0.35, 0.90, 0.70), "main"),
        ("rect", (0.06, 0.45, 0.18, 0.75), "main"),
        ("rect", (0.82, 0.45, 0.94, 0.75), "main"),
        ("rect", (0.12, 0.75, 0.16, 0.84), "dark"),
        ("rect", (0.84, 0.75, 0.88, 0.84), "dark"),
    ],
    "chair": [
        ("rect", (0.30, 0.12, 0.70, 0.50), "main"),
        ("rect", (0.26, 0.50, 0.74, 0.60), "main"),
        ("rect", (0.28, 0.60, 0.33, 0.90), "dark"),
        ("rect", (0.67, 0.60, 0.72, 0.90), "dark"),
    ],
    "table": [
        ("rect", (0.08, 0.35, 0.92, 0.44), "main"),
        ("rect", (0.14, 0.44, 0.20, 0.85), "main"),
        ("rect", (0.80, 0.44, 0.86, 0.85), "main"),
    ],
    "shelf": [
        ("rect", (0.25, 0.08, 0.75, 0.92), "main"),
        ("rect", (0.30, 0.14, 0.70, 0.34), "grey"),
        ("rect", (0.30, 0.40, 0.70, 0.60), "grey"),
        ("rect", (0.30, 0.66, 0.70, 0.86), "grey"),
    ],
    "mug": [("rect", (0.25, 0.28, 0.65, 0.80), "main"), ("ring", (0.55, 0.38, 0.82, 0.66), "main")],
    "pan": [
        ("ellipse", (0.08, 0.35, 0.60, 0.70), "main"),
        ("rect", (0.58, 0.48, 0.95, 0.56), "dark"),
    ],
    "kettle": [
        ("poly", [(0.28, 0.30), (0.72, 0.30), (0.80, 0.85), (0.20, 0.85)], "main"),
        ("arc", (0.32, 0.08, 0.68, 0.50), "dark"),
        ("line", [(0.22, 0.45), (0.08, 0.30)], "main"),
    ],
    "knife": [
        ("poly", [(0.10, 0.48), (0.62, 0.40), (0.62, 0.56), (0.14, 0.54)], "grey"),
        ("rect", (0.62, 0.42, 0.92, 0.56), "main"),
    ],
    "headphones": [
        ("arc", (0.20, 0.12, 0.80, 0.72), "main"),
        ("rect", (0.14, 0.45, 0.30, 0.78), "main"),
        ("rect", (0.70, 0.45, 0.86, 0.78), "main"),
    ],
    "speaker": [
        ("rect", (0.30, 0.10, 0.70, 0.90), "main"),
        ("ellipse", (0.38, 0.45, 0.62, 0.72), "dark"),
        ("ellipse", (0.44, 0.20, 0.56, 0.32), "dark"),
    ],
    "keyboard": [
        ("rect", (0.06, 0.38, 0.94, 0.66), "main"),
        ("rect", (0.12, 0.44, 0.88, 0.48), "dark"),
        ("rect", (0.12, 0.54, 0.88, 0.58), "dark"),
    ],
    "lipstick": [
        ("rect", (0.40, 0.45, 0.60, 0.88), "dark"),
        ("poly", [(0.42, 0.45), (0.58, 0.45), (0.58, 0.22), (0.42, 0.30)], "main"),
    ],
    "perfume": [
        ("rect", (0.28, 0.35, 0.72, 0.88), "main"),
        ("rect", (0.42, 0.20, 0.58, 0.35), "dark"),
    ],
    "jar": [("rect", (0.26, 0.40, 0.74, 0.82), "main"), ("rect", (0.24, 0.30, 0.76, 0.40), "dark")],
    "mat": [
        ("rect", (0.12, 0.30, 0.88, 0.70), "main"),
        ("ellipse", (0.72, 0.30, 0.92, 0.70), "main"),
    ],
    "bottle": [
        ("rect", (0.36, 0.25, 0.64, 0.90), "main"),
        ("rect", (0.41, 0.10, 0.59, 0.25), "dark"),
    ],
    "dumbbell": [
        ("rect", (0.12, 0.30, 0.28, 0.70), "main"),
        ("rect", (0.72, 0.30, 0.88, 0.70), "main"),
        ("rect", (0.28, 0.46, 0.72, 0.54), "dark"),
    ],
    "racket": [
        ("ellipse", (0.25, 0.06, 0.75, 0.60), "main"),
        ("ellipse", (0.31, 0.12, 0.69, 0.54), "grey"),
        ("rect", (0.47, 0.58, 0.53, 0.94), "dark"),
    ],
    "bear": [
        ("ellipse", (0.30, 0.42, 0.70, 0.88), "main"),
        ("ellipse", (0.34, 0.14, 0.66, 0.46), "main"),
        ("ellipse", (0.30, 0.10, 0.42, 0.22), "main"),
        ("ellipse", (0.58, 0.10, 0.70, 0.22), "main"),
    ],
    "blocks": [
        ("rect", (0.15, 0.55, 0.45, 0.85), "main"),
        ("rect", (0.50, 0.55, 0.80, 0.85), "main"),
        ("rect", (0.32, 0.25, 0.62, 0.55), "main"),
    ],
    "car": [
        (
            "poly",
            [
                (0.08, 0.55),
                (0.25, 0.50),
                (0.35, 0.34),
                (0.65, 0.34),
                (0.78, 0.50),
                (0.92, 0.55),
                (0.92, 0.70),
                (0.08, 0.70),
            ],
            "main",
        ),
        ("ellipse", (0.18, 0.62, 0.34, 0.78), "dark"),
        ("ellipse", (0.66, 0.62, 0.82, 0.78), "dark"),
    ],
}


def shapes() -> list[str]:
    return list(_SHAPES)


def _shade(rgb: tuple[int, int, int], f: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, int(c * f))) for c in rgb)  # type: ignore[return-value]


def render(shape: str, rgb: tuple[int, int, int], seed: str = "", size: int = SIZE) -> bytes:
    """A PNG of ``shape`` in colour ``rgb`` (unknown shapes fall back to a plain box)."""
    rng = random.Random(seed)
    light = sum(rgb) / 3 > 170
    bg = (196, 202, 210) if light else (244, 243, 240)  # keep light products visible
    img = Image.new("RGB", (size, size), bg)
    draw = ImageDraw.Draw(img)
    scale = rng.uniform(0.86, 1.0)
    off = ((1 - scale) / 2 + rng.uniform(-0.03, 0.03), (1 - scale) / 2 + rng.uniform(-0.03, 0.03))

    def pt(p: P) -> tuple[float, float]:
        return ((off[0] + p[0] * scale) * size, (off[1] + p[1] * scale) * size)

    colours = {
        "main": rgb,
        "dark": _shade(rgb, 0.55) if sum(rgb) > 120 else (70, 70, 74),
        "grey": (150, 152, 156) if not light else (120, 122, 126),
    }
    outline = _shade(rgb, 0.6)
    width = max(2, size // 64)
    for kind, geom, part in _SHAPES.get(shape, [("rect", (0.2, 0.2, 0.8, 0.8), "main")]):
        fill = colours[part]
        if kind == "poly":
            draw.polygon([pt(p) for p in geom], fill=fill, outline=outline)
        elif kind == "line":
            draw.line([pt(p) for p in geom], fill=fill, width=width * 2)
        else:
            box = (*pt(geom[:2]), *pt(geom[2:]))
            if kind == "rect":
                draw.rectangle(box, fill=fill, outline=outline)
            elif kind == "ellipse":
                draw.ellipse(box, fill=fill, outline=outline)
            elif kind == "ring":
                draw.ellipse(box, outline=fill, width=width * 4)
            elif kind == "arc":
                draw.arc(box, 180, 360, fill=fill, width=width * 2)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
