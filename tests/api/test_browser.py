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
    # a card on sale shows the price before the sale, struck through
    expect(cards.nth(1).locator(".price")).to_contain_text("$45.50")
    expect(cards.nth(1).locator(".price s.was")).to_have_text("$59.00")
    expect(first.locator(".price s")).to_have_count(0)
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
    expect(page.locator("#cart .cart-line .title")).to_have_text("Linen Shirt")
    expect(page.locator("#cart .qty .n")).to_have_text("1")
    expect(page.locator("#cart")).to_contain_text("$39.00")

    # A shirt on sale: its line shows the price before the sale struck through, and the
    # cart what the sale saves.
    box.fill("add the oxford shirt to my cart")
    box.press("Enter")
    confirm = page.get_by_role("group", name="Confirm action").last
    expect(confirm).to_contain_text("Add 1 x Oxford Shirt (M) for 45.50 USD")
    confirm.get_by_role("button", name="Confirm").click()
    expect(page.locator("#cart .cart-line .title")).to_have_text(["Linen Shirt", "Oxford Shirt"])
    expect(page.locator("#cart .cart-line").nth(1).locator(".price s.was")).to_have_text("$59.00")
    expect(page.locator("#cart .savings")).to_have_text("You save $13.50")
    expect(page.locator("#cart .cart-line").first.locator(".price s.was")).to_have_count(0)

    # The session list shows this conversation, current.
    current = page.locator("#sessions .session[aria-current='true']")
    expect(current).to_have_text("blue linen shirts under $50")
    page.screenshot(path=str(ARTIFACTS / "web-chat-desktop.png"), full_page=True)

    # 4. Reload: history, cards and session come back from the API.
    page.reload()
    expect(page.locator(".product-card")).to_have_count(6)
    expect(page.locator("#cart .cart-line .title")).to_have_text(["Linen Shirt", "Oxford Shirt"])

    # 5. A phone (a new browser: no remembered session): nothing overflows sideways; the
    #    side panel opens on demand, shows the cart, and reopens the conversation.
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    phone.goto(server.url + "/")
    toggle = phone.get_by_role("button", name="Chats & cart")
    expect(phone.locator("#side")).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(phone.locator("#cart .cart-line .title")).to_have_text(["Linen Shirt", "Oxford Shirt"])
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


def test_a_failed_turn_reads_as_a_sentence_with_a_retry(browser: Any, live_factory: Any) -> None:
    from playwright.sync_api import expect

    server = live_factory(environment="development", dev_api_key="dev-browser-key")
    page = browser.new_page()
    page.goto(server.url + "/")
    box = page.get_by_label("Message")
    box.fill("boom")  # the scripted agent fails mid-turn
    box.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The turn failed; try again.")
    assert "internal_error" not in page.locator("main").inner_text()
    alert.get_by_role("button", name="Try again").click()
    # The retry sends the same request again (it fails again here, the same way).
    expect(page.get_by_role("alert")).to_have_count(1)
    expect(page.get_by_role("alert")).to_contain_text("The turn failed")
    expect(page.locator(".msg.user")).to_have_count(1)


def test_a_look_shows_as_a_group_with_the_servers_total(browser: Any, live_factory: Any) -> None:
    """The look group (complete_the_look's result) renders its items and the total the
    server sent: here a total below the items' sum, which the page must not recompute."""
    from playwright.sync_api import expect

    server = live_factory(environment="development", dev_api_key="dev-browser-key")
    page = browser.new_page(locale="en-US")
    page.goto(server.url + "/")
    page.evaluate(
        """async () => {
          const ui = await import("/static/ui.js");
          const look = {total: "140.00", currency: "EUR", items: [
            {product_id: "a", title: "Trail Tent", unit_price: "99.00", currency: "EUR",
             options: {"capacity": "2 person"}},
            {product_id: "b", title: "Camp Stove", unit_price: "45.00", currency: "EUR"}]};
          document.querySelector("#log").append(
            ui.lookGroup(look, () => { window.lookAdded = look.items.length; }));
        }"""
    )
    group = page.get_by_role("region", name="Suggested look")
    expect(group.locator("li")).to_have_count(2)
    expect(group).to_contain_text("Capacity: 2 person")
    expect(group.locator(".total strong")).to_have_text("€140.00")
    group.get_by_role("button", name="Add the whole look to cart").click()
    assert page.evaluate("window.lookAdded") == 2


# --- end to end: the real AgentService, a real demo catalog, a scripted model ------------


def _scripted_vlm(photo_id: str, product_id: str, options: dict[str, str]) -> Any:
    """The local tier's replies, by what the request carries: the model boundary is the
    only fake here (an OpenAI-compatible server on loopback)."""
    from shopagent.agent.fake_openai import FakeReply

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

    from shopagent.agent.fake_openai import FakeOpenAIServer
    from shopagent.api import create_app
    from shopagent.retrieval import open_catalog
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
        from shopagent.agent.service import AgentService

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
            expect(confirm).to_contain_text(title, **slow)
            confirm.get_by_role("button", name="Confirm").click()
            expect(page.locator(".msg.assistant").last).to_contain_text(
                "Added it to your cart.", timeout=30_000
            )
            expect(page.locator("#cart .cart-line .title")).to_have_text(title, **slow)
            page.screenshot(path=str(ARTIFACTS / "web-chat-real-agent.png"), full_page=True)
            assert errors == []
    catalog.close()
    # The model saw the photo as pixels in the visual-search turn.
    assert any(isinstance(r["messages"][-1]["content"], list) for r in vlm.requests)


# --- card actions, quick replies, cart, comparison, accessibility: the real agent --------

SERIOUS = ("serious", "critical")


def _axe(page: Any, where: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v.get("impact") in SERIOUS
    ]
    assert not bad, f"accessibility violations {where}: {bad}"


def _idle(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#composer")).to_have_attribute("aria-busy", "false", timeout=30_000)


def _confirm(page: Any, *, expect_text: str | None = None) -> None:
    """Answer the pending confirmation with the keyboard (its Confirm button has focus)."""
    from playwright.sync_api import expect

    box = page.get_by_role("group", name="Confirm action").last
    expect(box).to_be_visible()
    if expect_text:
        expect(box).to_contain_text(expect_text)
    expect(box.get_by_role("button", name="Confirm")).to_be_focused()
    page.keyboard.press("Enter")
    _idle(page)


def _shop_server(shop_catalog: tuple[Any, Path], tmp_path: Path) -> Any:
    """The real app and AgentService over the test shop; only the model is scripted."""
    import shutil

    from shopagent.agent.fake_openai import FakeOpenAIServer
    from shopagent.agent.service import AgentService
    from shopagent.api import create_app
    from tests.api import shop_fixture
    from tests.api.helpers import LiveServer, make_settings

    catalog, catalog_dir = shop_catalog
    data = tmp_path / "data"
    shutil.copytree(catalog_dir / "media", data / "media")
    vlm = FakeOpenAIServer(model="shop-lora", responder=shop_fixture.scripted_model).__enter__()
    settings = make_settings(
        data, environment="development", dev_api_key="dev-shop", local_base_url=vlm.base_url
    )
    app = create_app(
        settings, open_service=lambda s: AgentService.open(s, catalog=catalog, embedded=None)
    )
    return vlm, LiveServer(app).__enter__()


def test_shopper_acts_on_cards_cart_and_questions_by_button(
    browser: Any, shop_catalog: tuple[Any, Path], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    # A real agent on a shared 2-core machine: every wait gets the same slack.
    expect.set_options(timeout=30_000)
    vlm, server = _shop_server(shop_catalog, tmp_path)
    try:
        _desktop_flow(browser, server.url)
        _phone_flow(browser, server.url)
    finally:
        server.__exit__()
        vlm.__exit__()


def _load(page: Any, url: str) -> int:
    """Opens the page; returns the bytes of JS and CSS it loaded (uncompressed)."""
    sizes: list[int] = []

    def seen(resp: Any) -> None:
        if resp.request.resource_type in ("script", "stylesheet"):
            sizes.append(len(resp.body()))

    page.on("response", seen)
    page.goto(url + "/")
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", seen)
    return sum(sizes)


def _desktop_flow(browser: Any, url: str) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    weight = _load(page, url)
    assert 0 < weight < 100_000, f"first load is {weight} bytes of JS+CSS"
    box = page.get_by_label("Message")

    # Search: cards with euro prices in the browser's locale, no internal ids anywhere.
    box.fill("keyboards")
    box.press("Enter")
    _idle(page)
    reply = page.locator(".msg.assistant").first
    card = reply.locator(".product-card").filter(has_text="Kestrel 75 Mechanical Keyboard")
    expect(card.locator(".price")).to_have_text("€129.00")
    assert "kb-75" not in page.locator("main").inner_text()
    paint = page.evaluate("window.shopagentMetrics.cardPaintMs")
    # The paint time is a figure to print, not a gate: on a loaded 2-core CI box it varies
    # several-fold. The bound only catches a page that hangs while painting cards.
    assert paint and max(paint) < 2000, f"first card painted {paint} ms after its event"
    print(f"page weight {weight} bytes JS+CSS; card paint {paint} ms")
    _axe(page, "after a search")
    page.screenshot(path=str(ARTIFACTS / "page-search-desktop.png"), full_page=True)
    # A product without an image gets a tile, not a broken image; a long title is clamped.
    box.fill("usb microphone")
    box.press("Enter")
    _idle(page)
    mic = page.locator(".msg.assistant").last.locator(".product-card").filter(has_text="Merlin")
    expect(mic.locator(".noimg")).to_be_visible()
    height = mic.locator("h3").evaluate("h => h.getBoundingClientRect().height")
    assert height < 80, f"long title takes {height}px"

    # Details, by keyboard: the drawer shows every image, the description and each variant
    # with its price and stock; the conversation shows the readable request.
    details = card.get_by_role("button", name="Details of Kestrel 75 Mechanical Keyboard")
    details.focus()
    page.keyboard.press("Enter")
    drawer = page.locator("#dialog")
    expect(drawer.get_by_role("heading", name="Kestrel 75 Mechanical Keyboard")).to_be_visible()
    expect(drawer.locator(".gallery img")).to_have_count(2)
    expect(drawer).to_contain_text("hot-swap sockets")
    rows = drawer.locator("table.variants tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="linear")).to_contain_text("€134.50")
    expect(rows.filter(has_text="tactile")).to_contain_text("Out of stock")
    expect(page.locator(".msg.user").last).to_have_text(
        "Show details of Kestrel 75 Mechanical Keyboard"
    )
    _axe(page, "with the details drawer open")
    page.screenshot(path=str(ARTIFACTS / "page-details-desktop.png"))
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    _idle(page)

    # Add from the card: pickers for the real option name; a sold-out value can't be chosen.
    card.get_by_role("button", name="Add Kestrel 75 Mechanical Keyboard to cart").click()
    picker = page.locator("#dialog")
    expect(picker.get_by_role("group", name="Switch type")).to_be_visible()
    expect(picker.get_by_role("radio", name="tactile")).to_be_disabled()
    expect(picker.get_by_role("button", name="Add to cart")).to_be_disabled()
    _axe(page, "with the option picker open")
    picker.get_by_role("radio", name="linear").check()
    expect(picker.locator(".pick-info")).to_contain_text("€134.50")
    page.screenshot(path=str(ARTIFACTS / "page-picker-desktop.png"))
    picker.get_by_role("button", name="Add to cart").focus()
    page.keyboard.press("Enter")
    # The normal confirmation names the exact variant and its price.
    _confirm(page, expect_text="linear")
    cart = page.locator("#cart")
    line = cart.locator(".cart-line").filter(has_text="Kestrel 75")
    expect(line).to_contain_text("Switch type: linear")
    expect(line.locator(".price")).to_have_text("€134.50")

    # Change the quantity in the cart: confirmed, totals from the server.
    line.get_by_role("button", name="One more Kestrel 75 Mechanical Keyboard").click()
    box_ = page.get_by_role("group", name="Confirm action").last
    expect(box_.locator(".facts")).to_have_text("Switch type: linear")  # that line's variant
    _confirm(page)
    expect(line.locator(".qty .n")).to_have_text("2")
    expect(cart.locator(".total strong")).to_have_text("€269.00")

    # A clarifying question answered by button.
    box.fill("add the kestrel 75 please")
    box.press("Enter")
    _idle(page)
    quick = page.locator(".msg.assistant").last.get_by_role("group", name="Suggested answers")
    expect(quick.get_by_role("button")).to_have_text(["clicky", "linear"])
    page.screenshot(path=str(ARTIFACTS / "page-quick-replies-desktop.png"))
    quick.get_by_role("button", name="clicky").click()
    _confirm(page, expect_text="clicky")
    expect(cart.locator(".cart-line")).to_have_count(2)

    # Remove a line: confirmed like any write.
    clicky = cart.locator(".cart-line").filter(has_text="clicky")
    clicky.get_by_role("button", name="Remove Kestrel 75 Mechanical Keyboard").click()
    _confirm(page)
    expect(cart.locator(".cart-line")).to_have_count(1)

    # Compare two cards, chosen with their Compare boxes: a table, one column each.
    cards = page.locator(".msg.assistant .product-card")
    cards.filter(has_text="Kestrel 75").first.get_by_label("Compare Kestrel 75").check()
    cards.filter(has_text="Kestrel 65").first.get_by_label("Compare Kestrel 65").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    _idle(page)
    table = page.locator(".msg.assistant").last.locator("table.compare")
    expect(table.locator("thead th")).to_have_text(
        ["", "Kestrel 75 Mechanical Keyboard", "Kestrel 65 Compact Keyboard"]
    )
    expect(table.locator("tbody tr").first).to_contain_text("€99.00")
    # And when the assistant compares on its own, from typed text.
    box.fill("compare the two keyboards")
    box.press("Enter")
    _idle(page)
    expect(page.locator(".msg.assistant").last.locator("table.compare")).to_be_visible()
    _axe(page, "with a comparison")
    page.screenshot(path=str(ARTIFACTS / "page-compare-desktop.png"), full_page=True)

    # More like this: similar products, never the one asked about.
    cards.filter(has_text="Kestrel 75").first.get_by_role(
        "button", name="Similar to Kestrel 75 Mechanical Keyboard"
    ).click()
    _idle(page)
    expect(page.locator(".msg.user").last).to_have_text(
        "Show more like Kestrel 75 Mechanical Keyboard"
    )
    similar = page.locator(".msg.assistant").last.locator(".product-card h3")
    expect(similar.first).to_be_visible()
    assert "Kestrel 75 Mechanical Keyboard" not in similar.all_inner_texts()

    # Save to a named board, keyboard only: no confirmation, the assistant says where.
    save = cards.filter(has_text="Kestrel 65").first.get_by_role(
        "button", name="Save Kestrel 65 Compact Keyboard to a board"
    )
    save.focus()
    page.keyboard.press("Enter")
    board = page.get_by_role("textbox", name="Board", exact=True)
    expect(board).to_be_focused()
    board.fill("desk setup")
    board.press("Enter")
    _idle(page)
    expect(page.locator(".msg.assistant").last).to_contain_text(
        "Saved Kestrel 65 Compact Keyboard to your desk setup board"
    )

    # Checkout from the cart.
    cart.get_by_role("button", name="Check out").click()
    _confirm(page)
    expect(page.locator(".msg.assistant").last).to_contain_text("is placed")
    expect(cart).to_contain_text("Your cart is empty.")
    page.screenshot(path=str(ARTIFACTS / "page-checkout-desktop.png"), full_page=True)
    assert errors == []
    page.close()


def _phone_flow(browser: Any, url: str) -> None:
    from playwright.sync_api import expect

    phone = browser.new_page(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-US"
    )
    phone.set_default_timeout(30_000)
    errors: list[str] = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    phone.goto(url + "/")
    box = phone.get_by_label("Message")
    box.fill("headphones")
    box.press("Enter")
    _idle(phone)
    card = phone.locator(".product-card").filter(has_text="Heron Studio Headphones").first
    card.get_by_role("button", name="Add Heron Studio Headphones to cart").click()
    picker = phone.locator("#dialog")
    picker.get_by_role("radio", name="walnut").check()
    expect(picker.locator(".pick-info")).to_contain_text("€209.99")
    phone.screenshot(path=str(ARTIFACTS / "page-picker-phone.png"))
    picker.get_by_role("button", name="Add to cart").click()
    _confirm(phone, expect_text="walnut")
    phone.get_by_role("button", name="Chats & cart").click()
    expect(phone.locator("#cart .cart-line")).to_contain_text("Finish: walnut")
    phone.screenshot(path=str(ARTIFACTS / "page-cart-phone.png"))
    phone.keyboard.press("Escape")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the phone"
    _axe(phone, "on a phone")
    phone.screenshot(path=str(ARTIFACTS / "page-phone.png"), full_page=True)
    assert errors == []
    phone.close()
