"""The web chat page in a real browser: Debian's headless Chromium driven by Playwright.

A shopper types a query and sees product cards, uploads a photo for visual search, adds
an item to the cart through the confirmation (answered with the keyboard) and sees the
cart; then the same page on a phone-sized viewport. Screenshots go to test-artifacts/.
Skipped only when SHOPAGENT_SKIP_BROWSER=1.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if os.environ.get("SHOPAGENT_SKIP_BROWSER") == "1":
        pytest.skip("SHOPAGENT_SKIP_BROWSER=1: browser test skipped on request")
    if shutil.which("chromium") is None and not Path(CHROMIUM).exists():
        pytest.fail(
            "chromium is not installed: run `make test` (scripts/system-deps.sh "
            "installs it) or set SHOPAGENT_SKIP_BROWSER=1"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _product_images(data_dir: Path) -> None:
    from PIL import Image

    folder = data_dir / "media" / "products"
    folder.mkdir(parents=True, exist_ok=True)
    for i, color in enumerate([(40, 90, 200), (240, 240, 240), (140, 180, 230)], 1):
        Image.new("RGB", (64, 64), color).save(folder / f"p-{i:05d}.png")


def test_shopper_searches_uploads_a_photo_and_confirms_add_to_cart(
    browser: Any, live_factory: Any, data_dir: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    _product_images(data_dir)
    server = live_factory(environment="development", dev_api_key="dev-browser-key")
    ARTIFACTS.mkdir(exist_ok=True)
    photo = tmp_path / "my-shirt.png"
    from PIL import Image

    Image.new("RGB", (32, 32), (30, 60, 180)).save(photo)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.url + "/")

    # 1. A query, sent with the keyboard, streams a reply with product cards.
    box = page.get_by_label("Message")
    box.fill("blue linen shirts under $50")
    box.press("Enter")
    cards = page.locator(".msg.assistant").last.locator(".product-card")
    expect(cards).to_have_count(3)
    first = cards.first
    expect(first.get_by_role("heading")).to_have_text("Linen Shirt")
    expect(first.locator(".price")).to_have_text("$39.00")
    expect(first.locator(".attrs")).to_contain_text("linen")
    page.wait_for_function("() => document.querySelector('.product-card img').naturalWidth > 0")
    expect(page.locator(".msg.assistant").last.locator(".text")).to_have_text(
        "Here are 3 shirts you might like."
    )

    # 2. A photo for visual search: attached, previewed, sent with the message.
    page.get_by_label("Add photo").set_input_files(str(photo))
    expect(page.get_by_alt_text("Attached photo preview")).to_be_visible()
    box.fill("something like this")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".msg.user").last.get_by_alt_text("Your photo")).to_be_visible()
    expect(page.locator(".msg.assistant").last.locator(".product-card")).to_have_count(3)
    expect(page.locator("#attachment")).to_be_hidden()

    # 3. Add to cart needs an explicit yes: the Confirm button takes focus; Enter answers.
    box.fill("add the linen shirt to my cart")
    box.press("Enter")
    confirm = page.get_by_role("group", name="Confirm action")
    expect(confirm).to_contain_text("Add 1 x Linen Shirt (M) for 39.00 USD")
    expect(page.locator("#cart")).to_contain_text("Your cart is empty.")
    yes = confirm.get_by_role("button", name="Confirm")
    expect(yes).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".msg.assistant").last).to_contain_text("Added Linen Shirt to your cart.")
    expect(page.locator("#cart")).to_contain_text("1 × Linen Shirt")
    expect(page.locator("#cart")).to_contain_text("$39.00")

    # The session list shows this conversation, current.
    current = page.locator("#sessions .session[aria-current='true']")
    expect(current).to_have_text("blue linen shirts under $50")
    page.screenshot(path=str(ARTIFACTS / "web-chat-desktop.png"), full_page=True)

    # 4. Reload: history, cards and session come back from the API.
    page.reload()
    expect(page.locator(".product-card")).to_have_count(6)
    expect(page.locator("#cart")).to_contain_text("1 × Linen Shirt")

    # 5. A phone (a new browser: no remembered session): nothing overflows sideways; the
    #    side panel opens on demand, shows the cart, and reopens the conversation.
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    phone.goto(server.url + "/")
    toggle = phone.get_by_role("button", name="Chats & cart")
    expect(phone.locator("#side")).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(phone.locator("#cart")).to_contain_text("1 × Linen Shirt")
    phone.get_by_role("button", name="blue linen shirts under $50", exact=True).click()
    expect(phone.locator("#side")).to_be_hidden()
    expect(phone.locator(".product-card")).to_have_count(6)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the phone"
    phone.locator(".product-card img").last.scroll_into_view_if_needed()
    phone.wait_for_function(
        "() => [...document.querySelectorAll('.product-card img')].slice(-3)"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    phone.screenshot(path=str(ARTIFACTS / "web-chat-phone.png"))
    assert errors == []


def test_page_asks_for_a_key_when_none_is_injected(browser: Any, live_factory: Any) -> None:
    from playwright.sync_api import expect

    server = live_factory()  # environment "test": no dev key in the page
    page = browser.new_page()
    page.goto(server.url + "/")
    key = page.get_by_label("API key")
    expect(key).to_be_visible()
    key.fill("key-bob")
    key.press("Enter")
    expect(page.get_by_label("API key")).to_be_hidden()
    page.get_by_label("Message").fill("shirts")
    page.get_by_label("Message").press("Enter")
    expect(page.locator(".product-card")).to_have_count(3)
    # Stored for the next visit.
    assert page.evaluate("localStorage.getItem('shopagent.apiKey')") == "key-bob"


# --- end to end: the real AgentService, a real demo catalog, a scripted model ------------


def _scripted_vlm(photo_id: str, product_id: str, options: dict[str, str]) -> Any:
    """The local tier's replies, by what the request carries: the model boundary is the
    only fake here (an OpenAI-compatible server on loopback)."""
    from agent.fake_openai import FakeReply

    def respond(body: dict[str, Any]) -> FakeReply:
        messages = body["messages"]
        last = messages[-1]
        if last["role"] == "tool":
            called = [
                tc["function"]["name"]
                for m in messages
                if m["role"] == "assistant"
                for tc in m.get("tool_calls") or []
            ]
            if called and called[-1] == "add_to_cart":
                return FakeReply(text="Added it to your cart.")
            return FakeReply(text="Here are some picks from the catalog.")
        content = last["content"]
        if isinstance(content, list):  # the photo travels as pixels
            return FakeReply(tool_calls=[("visual_search", {"image_id": photo_id, "limit": 4})])
        if "cart" in content:
            return FakeReply(
                tool_calls=[("add_to_cart", {"product_id": product_id, "quantity": 1, **options})]
            )
        return FakeReply(tool_calls=[("catalog_search", {"query": content, "page_size": 4})])

    return respond


def _in_stock(catalog: Any) -> tuple[str, str, dict[str, str]]:
    for hit in catalog.search("", {}, page_size=50).hits:
        product = catalog.get_product(hit.product.id if hasattr(hit, "product") else hit.id)
        for v in product.variants:
            if v.available:
                options = {k: str(x) for k, x in v.options.items() if k in ("size", "color")}
                return product.id, product.title, options
    raise AssertionError("no product in stock")


def test_real_agent_end_to_end(browser: Any, real_data_dir: Path, tmp_path: Path) -> None:
    import hashlib

    from PIL import Image
    from playwright.sync_api import expect

    from agent.fake_openai import FakeOpenAIServer
    from api import create_app
    from retrieval import open_catalog
    from tests.api.helpers import LiveServer, make_settings

    settings = make_settings(
        real_data_dir, environment="development", dev_api_key="dev-e2e", demo_catalog_size=60
    )
    catalog = open_catalog(settings)
    product_id, title, options = _in_stock(catalog)
    photo = tmp_path / "photo.png"
    Image.new("RGB", (48, 48), (200, 30, 30)).save(photo)
    photo_id = hashlib.sha256(photo.read_bytes()).hexdigest() + ".png"

    with FakeOpenAIServer(
        model="shop-lora", responder=_scripted_vlm(photo_id, product_id, options)
    ) as vlm:
        from agent.service import AgentService

        # The catalog just built is shared with the service (one index handle, one
        # embedding model in memory), as evals do.
        app = create_app(
            settings.model_copy(update={"local_base_url": vlm.base_url}),
            open_service=lambda s: AgentService.open(s, catalog=catalog),
        )
        with LiveServer(app) as server:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            # A real agent on a shared 2-core machine: give every wait the same slack.
            page.set_default_timeout(30_000)
            slow = {"timeout": 30_000}
            page.goto(server.url + "/")
            box = page.get_by_label("Message")

            box.fill("show me some shirts")
            box.press("Enter")
            reply = page.locator(".msg.assistant").last
            expect(reply.locator(".product-card").first).to_be_visible(timeout=30_000)
            expect(reply.locator(".text")).to_have_text(
                "Here are some picks from the catalog.", **slow
            )
            page.wait_for_function(
                "() => document.querySelector('.product-card img').naturalWidth > 0"
            )

            expect(page.locator("#composer")).to_have_attribute("aria-busy", "false", **slow)
            page.get_by_label("Add photo").set_input_files(str(photo))
            box.fill("like this")
            box.press("Enter")
            expect(
                page.locator(".msg.assistant").last.locator(".product-card").first
            ).to_be_visible(timeout=30_000)

            # The composer takes the next message once this turn's stream has ended.
            expect(page.locator("#composer")).to_have_attribute("aria-busy", "false", **slow)
            box.fill("add it to my cart")
            box.press("Enter")
            confirm = page.get_by_role("group", name="Confirm action")
            expect(confirm).to_be_visible(timeout=30_000)
            expect(confirm).to_contain_text(product_id, **slow)
            confirm.get_by_role("button", name="Confirm").click()
            expect(page.locator(".msg.assistant").last).to_contain_text(
                "Added it to your cart.", timeout=30_000
            )
            expect(page.locator("#cart")).to_contain_text(f"1 × {title}", **slow)
            page.screenshot(path=str(ARTIFACTS / "web-chat-real-agent.png"), full_page=True)
            assert errors == []
    catalog.close()
    # The model saw the photo as pixels in the visual-search turn.
    assert any(isinstance(r["messages"][-1]["content"], list) for r in vlm.requests)
