"""Checks on an uploaded photo before it is stored: type from its bytes, size, pixel count.

The type is sniffed from the magic bytes, never taken from the file name or the part's
Content-Type (both are client-chosen). The pixel count is read from the header before
anything is decoded, so a small file that would inflate to gigabytes is refused cheaply.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from shopagent.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType

_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}


@dataclass(frozen=True)
class CheckedImage:
    media_type: str
    ext: str
    width: int
    height: int


def sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return None


def _header_size(data: bytes, media_type: str) -> tuple[int, int] | None:
    """Width and height straight from the fixed header, for formats that have one there,
    so the pixel limit holds even for a file Pillow would refuse to open."""
    if media_type == "image/png" and len(data) >= 24 and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if media_type == "image/gif" and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    return None


def check_image(data: bytes, *, max_bytes: int, max_pixels: int) -> CheckedImage:
    """Raise 413/415/400-class errors for anything we will not store. CPU-bound: run in a
    thread."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"image larger than {max_bytes} bytes", code="image_too_large")
    if not data:
        raise InvalidInput("empty file", code="invalid_image")
    media_type = sniff(data)
    if media_type is None:
        raise UnsupportedMediaType(
            "not a supported image: send PNG, JPEG, WebP or GIF", code="unsupported_image_type"
        )

    header = _header_size(data, media_type)
    if header is not None and header[0] * header[1] > max_pixels:
        raise PayloadTooLarge(
            f"image has {header[0] * header[1]} pixels; the limit is {max_pixels}",
            code="image_too_many_pixels",
        )

    from PIL import Image

    try:
        with warnings.catch_warnings():
            # Pillow warns (and past 2x its own limit raises) on huge images; our limit,
            # checked below from the header alone, is the one that applies.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > max_pixels:
                    raise PayloadTooLarge(
                        f"image has {width * height} pixels; the limit is {max_pixels}",
                        code="image_too_many_pixels",
                    )
                img.verify()  # structure and checksums, without a full decode
    except (PayloadTooLarge, InvalidInput):
        raise
    except Image.DecompressionBombError as exc:
        raise PayloadTooLarge(
            f"image has too many pixels; the limit is {max_pixels}", code="image_too_many_pixels"
        ) from exc
    except Exception as exc:  # Pillow raises many types for corrupt files
        raise InvalidInput("the image is damaged or truncated", code="invalid_image") from exc
    if width <= 0 or height <= 0:
        raise InvalidInput("the image has no pixels", code="invalid_image")
    return CheckedImage(media_type, _EXT[media_type], width, height)
