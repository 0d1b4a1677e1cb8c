"""Product and uploaded images: a content-addressed store and a guarded URL fetcher.

Feeds are untrusted: :func:`fetch_image` only fetches http(s) URLs whose host resolves
to public addresses (never loopback, private, link-local, multicast or reserved ranges),
re-checks every redirect hop, and enforces time and size limits.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import socket
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from shopagent.errors import InvalidInput, NotFound, PayloadTooLarge

_ID = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{1,5}$")
_EXT = re.compile(r"^[a-z0-9]{1,5}$")


class ImageStore:
    """Images by content: ``put`` returns ``<sha256>.<ext>``; the same bytes give the same id."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes, ext: str, *, owner: str | None = None) -> str:
        """Store ``data``; with ``owner``, also record that this user uploaded it (ids are
        content hashes, so two users uploading one photo share the bytes, not access)."""
        ext = ext.lower().lstrip(".")
        if not _EXT.match(ext):
            raise InvalidInput(f"bad image extension {ext!r}", code="bad_request")
        image_id = f"{hashlib.sha256(data).hexdigest()}.{ext}"
        target = self.path(image_id)
        if not target.exists():
            tmp = target.with_suffix(target.suffix + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(target)  # atomic: readers never see a half-written file
        if owner is not None:
            self._owner_mark(image_id, owner).touch()
        return image_id

    def _owner_mark(self, image_id: str, owner: str) -> Path:
        tag = hashlib.sha256(owner.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self.path(image_id).with_name(f"{image_id}.{tag}.owner")

    def path(self, image_id: str) -> Path:
        if not _ID.match(image_id or ""):
            raise NotFound(f"no image {image_id!r}")
        return self.root / image_id

    def get(self, image_id: str) -> bytes:
        p = self.path(image_id)
        try:
            return p.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"no image {image_id!r}") from None

    def exists(self, image_id: str, *, owner: str | None = None) -> bool:
        """Whether the image is stored and, given ``owner``, was uploaded by that user."""
        try:
            if owner is not None:
                return self._owner_mark(image_id, owner).exists() and self.path(image_id).exists()
            return self.path(image_id).exists()
        except NotFound:
            return False


Resolver = Callable[[str, int], list[str]]


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def check_url(url: str, resolver: Resolver = _system_resolver) -> None:
    """Raise InvalidInput(code='unsafe_url') unless ``url`` is http(s) to public addresses."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise InvalidInput(f"bad image URL {url!r}: {exc}", code="unsafe_url") from exc
    if parts.scheme not in ("http", "https"):
        raise InvalidInput(
            f"image URL scheme {parts.scheme!r} not allowed (http/https only)", code="unsafe_url"
        )
    host = parts.hostname
    if not host:
        raise InvalidInput(f"image URL {url!r} has no host", code="unsafe_url")
    try:
        addrs = resolver(host, port)
    except OSError as exc:
        raise InvalidInput(f"cannot resolve {host!r}: {exc}", code="unsafe_url") from exc
    if not addrs:
        raise InvalidInput(f"cannot resolve {host!r}", code="unsafe_url")
    for a in addrs:
        ip = ipaddress.ip_address(a.split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            raise InvalidInput(
                f"image host {host!r} resolves to non-public address {ip}", code="unsafe_url"
            )


def fetch_image(
    url: str,
    *,
    timeout_s: float = 10.0,
    max_bytes: int = 10 * 1024 * 1024,
    client: httpx.Client | None = None,
    resolver: Resolver = _system_resolver,
    max_redirects: int = 3,
) -> bytes:
    """GET an image from an untrusted feed URL, guarded as the module docstring says."""
    # httpx timeouts are per operation; a slow drip could run forever without a deadline.
    deadline = time.monotonic() + timeout_s
    own = client is None
    http = client or httpx.Client(timeout=timeout_s)
    try:
        for _ in range(max_redirects + 1):
            check_url(url, resolver)
            try:
                with http.stream("GET", url, timeout=timeout_s, follow_redirects=False) as resp:
                    if resp.is_redirect:
                        url = urljoin(url, resp.headers.get("location", ""))
                        continue
                    if resp.status_code != 200:
                        raise InvalidInput(
                            f"image URL returned HTTP {resp.status_code}", code="image_fetch_failed"
                        )
                    declared = resp.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > max_bytes:
                        raise PayloadTooLarge(f"image larger than {max_bytes} bytes")
                    buf = bytearray()
                    for chunk in resp.iter_bytes():
                        buf.extend(chunk)
                        if len(buf) > max_bytes:
                            raise PayloadTooLarge(f"image larger than {max_bytes} bytes")
                        if time.monotonic() > deadline:
                            raise InvalidInput(
                                f"image fetch exceeded {timeout_s}s", code="image_fetch_failed"
                            )
                    return bytes(buf)
            except httpx.HTTPError as exc:
                raise InvalidInput(
                    f"image fetch failed: {exc.__class__.__name__}: {exc}",
                    code="image_fetch_failed",
                ) from exc
        raise InvalidInput("too many redirects fetching image", code="image_fetch_failed")
    finally:
        if own:
            http.close()
