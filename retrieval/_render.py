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
    "dress": [("poly", [(.40, .12), (.60, .12), (.62, .30), (.78, .88), (.22, .88), (.38, .30)],
               "main")],
    "tshirt": [("poly", [(.30, .15), (.42, .12), (.58, .12), (.70, .15), (.90, .35), (.78, .45),
                         (.70, .38), (.70, .85), (.30, .85), (.30, .38), (.22, .45), (.10, .35)],
                "main")],
    "jacket": [("poly", [(.30, .12), (.70, .12), (.88, .30), (.92, .85), (.78, .85), (.74, .45),
                         (.74, .88), (.26, .88), (.26, .45), (.22, .85), (.08, .85), (.12, .30)],
                "main"), ("line", [(.5, .14), (.5, .88)], "dark")],
    "trousers": [("poly", [(.30, .10), (.70, .10), (.76, .90), (.56, .90), (.50, .35),
                           (.44, .90), (.24, .90)], "main")],
    "skirt": [("poly", [(.36, .25), (.64, .25), (.82, .75), (.18, .75)], "main")],
    "sneaker": [("poly", [(.10, .55), (.40, .50), (.58, .36), (.72, .38), (.90, .58),
                          (.90, .68), (.10, .68)], "main"), ("rect", (.10, .66, .90, .72),
                                                             "grey")],
    "boot": [("poly", [(.35, .12), (.60, .12), (.62, .55), (.88, .62), (.88, .80), (.35, .80)],
              "main"), ("rect", (.35, .78, .88, .84), "dark")],
    "sandal": [("rect", (.12, .62, .88, .70), "main"), ("line", [(.35, .62), (.50, .45),
                                                                (.65, .62)], "main")],
    "heel": [("poly", [(.12, .40), (.30, .42), (.75, .66), (.88, .66), (.88, .72), (.30, .60),
                       (.18, .52)], "main"), ("rect", (.14, .50, .19, .80), "main")],
    "backpack": [("rect", (.28, .20, .72, .85), "main"), ("ellipse", (.40, .10, .60, .26),
                                                         "dark"),
                 ("rect", (.35, .55, .65, .78), "dark")],
    "bag": [("poly", [(.20, .40), (.80, .40), (.86, .80), (.14, .80)], "main"),
            ("arc", (.32, .18, .68, .58), "dark")],
    "tote": [("poly", [(.22, .35), (.78, .35), (.74, .88), (.26, .88)], "main"),
             ("arc", (.34, .12, .50, .50), "dark"), ("arc", (.50, .12, .66, .50), "dark")],
    "wallet": [("rect", (.18, .36, .82, .70), "main"), ("line", [(.18, .50), (.82, .50)],
                                                       "dark")],
    "ring": [("ring", (.25, .25, .75, .75), "main")],
    "necklace": [("arc", (.20, .05, .80, .70), "main"), ("ellipse", (.44, .62, .56, .76),
                                                        "main")],
    "earring": [("ring", (.18, .30, .44, .56), "main"), ("ring", (.56, .30, .82, .56), "main")],
    "watch": [("rect", (.42, .08, .58, .92), "dark"), ("ellipse", (.32, .32, .68, .68), "main")],
    "lamp": [("poly", [(.34, .15), (.66, .15), (.78, .42), (.22, .42)], "main"),
             ("rect", (.48, .42, .52, .82), "dark"), ("rect", (.36, .82, .64, .88), "dark")],
    "vase": [("poly", [(.42, .12), (.58, .12), (.56, .28), (.72, .55), (.64, .88), (.36, .88),
                       (.28, .55), (.44, .28)], "main")],
    "rug": [("rect", (.10, .25, .90, .75), "main"), ("rect", (.20, .35, .80, .65), "dark")],
    "cushion": [("poly", [(.18, .22), (.50, .28), (.82, .22), (.76, .50), (.82, .78),
                          (.50, .72), (.18, .78), (.24, .50)], "main")],
    "mirror": [("ellipse", (.25, .10, .75, .90), "main"), ("ellipse", (.31, .17, .69, .83),
                                                          "grey")],
    "sofa": [("rect", (.10, .35, .90, .70), "main"), ("rect", (.06, .45, .18, .75), "main"),
             ("rect", (.82, .45, .94, .75), "main"), ("rect", (.12, .75, .16, .84), "dark"),
             ("rect", (.84, .75, .88, .84), "dark")],
    "chair": [("rect", (.30, .12, .70, .50), "main"), ("rect", (.26, .50, .74, .60), "main"),
              ("rect", (.28, .60, .33, .90), "dark"), ("rect", (.67, .60, .72, .90), "dark")],
    "table": [("rect", (.08, .35, .92, .44), "main"), ("rect", (.14, .44, .20, .85), "main"),
              ("rect", (.80, .44, .86, .85), "main")],
    "shelf": [("rect", (.25, .08, .75, .92), "main"), ("rect", (.30, .14, .70, .34), "grey"),
              ("rect", (.30, .40, .70, .60), "grey"), ("rect", (.30, .66, .70, .86), "grey")],
    "mug": [("rect", (.25, .28, .65, .80), "main"), ("ring", (.55, .38, .82, .66), "main")],
    "pan": [("ellipse", (.08, .35, .60, .70), "main"), ("rect", (.58, .48, .95, .56), "dark")],
    "kettle": [("poly", [(.28, .30), (.72, .30), (.80, .85), (.20, .85)], "main"),
               ("arc", (.32, .08, .68, .50), "dark"), ("line", [(.22, .45), (.08, .30)],
                                                      "main")],
    "knife": [("poly", [(.10, .48), (.62, .40), (.62, .56), (.14, .54)], "grey"),
              ("rect", (.62, .42, .92, .56), "main")],
    "headphones": [("arc", (.20, .12, .80, .72), "main"), ("rect", (.14, .45, .30, .78),
                                                          "main"),
                   ("rect", (.70, .45, .86, .78), "main")],
    "speaker": [("rect", (.30, .10, .70, .90), "main"), ("ellipse", (.38, .45, .62, .72),
                                                        "dark"),
                ("ellipse", (.44, .20, .56, .32), "dark")],
    "keyboard": [("rect", (.06, .38, .94, .66), "main"), ("rect", (.12, .44, .88, .48), "dark"),
                 ("rect", (.12, .54, .88, .58), "dark")],
    "lipstick": [("rect", (.40, .45, .60, .88), "dark"), ("poly", [(.42, .45), (.58, .45),
                                                                    (.58, .22), (.42, .30)],
                                                          "main")],
    "perfume": [("rect", (.28, .35, .72, .88), "main"), ("rect", (.42, .20, .58, .35), "dark")],
    "jar": [("rect", (.26, .40, .74, .82), "main"), ("rect", (.24, .30, .76, .40), "dark")],
    "mat": [("rect", (.12, .30, .88, .70), "main"), ("ellipse", (.72, .30, .92, .70), "main")],
    "bottle": [("rect", (.36, .25, .64, .90), "main"), ("rect", (.41, .10, .59, .25), "dark")],
    "dumbbell": [("rect", (.12, .30, .28, .70), "main"), ("rect", (.72, .30, .88, .70), "main"),
                 ("rect", (.28, .46, .72, .54), "dark")],
    "racket": [("ellipse", (.25, .06, .75, .60), "main"), ("ellipse", (.31, .12, .69, .54),
                                                          "grey"),
               ("rect", (.47, .58, .53, .94), "dark")],
    "bear": [("ellipse", (.30, .42, .70, .88), "main"), ("ellipse", (.34, .14, .66, .46),
                                                        "main"),
             ("ellipse", (.30, .10, .42, .22), "main"), ("ellipse", (.58, .10, .70, .22),
                                                        "main")],
    "blocks": [("rect", (.15, .55, .45, .85), "main"), ("rect", (.50, .55, .80, .85), "main"),
               ("rect", (.32, .25, .62, .55), "main")],
    "car": [("poly", [(.08, .55), (.25, .50), (.35, .34), (.65, .34), (.78, .50), (.92, .55),
                      (.92, .70), (.08, .70)], "main"), ("ellipse", (.18, .62, .34, .78),
                                                         "dark"),
            ("ellipse", (.66, .62, .82, .78), "dark")],
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

    colours = {"main": rgb, "dark": _shade(rgb, 0.55) if sum(rgb) > 120 else (70, 70, 74),
               "grey": (150, 152, 156) if not light else (120, 122, 126)}
    outline = _shade(rgb, 0.6)
    width = max(2, size // 64)
    for kind, geom, part in _SHAPES.get(shape, [("rect", (.2, .2, .8, .8), "main")]):
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
