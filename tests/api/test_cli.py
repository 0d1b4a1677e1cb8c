"""`shopagent chat` against a live server: streaming, products, the confirm prompt, /cart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shopagent.api.client import ShopAgentClient
from shopagent.commands.api import chat_loop, dev_key


def _script(lines: list[str]) -> tuple[Any, list[str]]:
    prompts: list[str] = []
    feed: Iterator[str] = iter(lines)

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(feed)  # StopIteration past the end would be a test bug

    return ask, prompts


def test_chat_streams_confirms_and_shows_cart(live_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = live_factory()
    out: list[str] = []

    def say(text: str = "", nl: bool = True, **_: Any) -> None:
        out.append(text + ("\n" if nl else ""))

    photo = tmp_path / "red.png"
    from PIL import Image

    Image.new("RGB", (8, 8), (200, 0, 0)).save(photo)
    ask, prompts = _script(
        [
            "linen shirts",
            "add it to my cart",
            "y",
            f"/photo {photo}",
            "like this",
            "/cart",
            "/photo /does/not/exist.png",
            "/quit",
        ]
    )
    with ShopAgentClient(server.url, "key-alice") as client:
        sid = client.create_session()
        chat_loop(client, sid, ask, say)
    text = "".join(out)
    assert "1. Linen Shirt - 39.00 USD" in text
    assert "Here are 3 shirts you might like." in text
    assert any("Add 1 x Linen Shirt (M) for 39.00 USD - confirm? [y/N]" in p for p in prompts)
    assert "Added Linen Shirt to your cart." in text
    assert "-> visual_search" in text
    assert "1 item(s), total 39.00 USD" in text
    assert "error:" in text  # the missing photo is reported, the loop goes on
    assert prompts[-1] == "you> "


def test_chat_declines_by_default(live_factory) -> None:  # type: ignore[no-untyped-def]
    server = live_factory()
    ask, _ = _script(["add the shirt to the cart", "", "/cart", "/quit"])
    out: list[str] = []
    with ShopAgentClient(server.url, "key-bob") as client:
        chat_loop(
            client, client.create_session(), ask, lambda text="", nl=True, **_: out.append(text)
        )
    assert "0 item(s), total 0.00 USD" in "\n".join(out)


def test_dev_key_is_created_once_and_private(tmp_path: Path) -> None:
    key = dev_key(tmp_path)
    assert key.startswith("dev-") and len(key) > 20
    assert dev_key(tmp_path) == key
    assert (tmp_path / "dev_api_key").stat().st_mode & 0o077 == 0
