"""A bookshop: shelves named by genre ("Fantasy", "History") beside shelves named by a thing
("Children's Books", "Cookbooks"), formats as the option, and questions over a list that
one book's page answers ("which one is vegetarian?", "is it out in paperback?"). The intent
model is a stub (the model boundary); the text encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier, ToolOutcome

from .mini_shop import Reads, pages, product, shown
from .mini_shop import shop_tier as _tier

BOOKS = [
    product("f-1", "The Hobbit", "Books > Fantasy", format=["Paperback", "Audiobook"]),
    product("f-2", "The Name of the Wind", "Books > Fantasy", format=["Paperback", "Ebook"]),
    product("c-1", "Salt Fat Acid Heat", "Books > Cookbooks", format=["Hardcover"]),
    product("c-2", "Ottolenghi Simple", "Books > Cookbooks", format=["Hardcover"]),
    product("k-1", "The Gruffalo", "Books > Children's Books", format=["Board Book"]),
    product("h-1", "Sapiens", "Books > History", format=["Paperback"]),
]
PAGES = {
    "c-1": "The four elements of good cooking, with illustrations.",
    "c-2": "130 vegetarian-friendly recipes in 30 minutes or less.",
}


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(BOOKS, encode, Reads("search", 0.95))


def _shown(*ids: str) -> DialogueState:
    return shown(BOOKS, *ids)


def _pages(*ids: str) -> list[ToolOutcome]:
    return pages(BOOKS, PAGES, *ids)


@pytest.mark.parametrize(
    ("text", "shelf"), [("fantasy books", "Fantasy"), ("history books", "History")]
)
def test_a_genre_with_the_thing_it_shelves_is_that_shelf(
    shop: EmbeddedTier, text: str, shelf: str
) -> None:
    nlu = shop.understand(text, DialogueState())
    assert "not_carried" not in nlu.notes and nlu.slots.category == shelf, nlu


def test_a_singular_shelf_is_said_as_products_in_it() -> None:
    from shopagent.agent.embedded._phrases import FOUND_ONE, _describe, _singular

    what, _ = _describe({"category": "Books > Fantasy", "color": "Red"})
    assert what == "red products in Fantasy"
    assert FOUND_ONE[1].format(what=_singular(what), which="", title="X") == (
        "There's one red product in Fantasy: X."
    )


@pytest.mark.parametrize(
    ("text", "shown", "said", "pick"),
    [
        ("which one is vegetarian?", ("c-1", "c-2"), "vegetarian-friendly", "c-2"),
        ("so which of them has illustrations", ("c-2", "c-1"), "illustrations", "c-1"),
        ("is it available as an audiobook?", ("f-1", "f-2"), "comes in Audiobook", "f-1"),
        ("is it out in ebook?", ("f-1", "f-2"), "comes in Ebook", "f-2"),
    ],
)
def test_which_one_a_page_answers(
    shop: EmbeddedTier, text: str, shown: tuple[str, ...], said: str, pick: str
) -> None:
    which = text.startswith(("which", "so which"))
    shop.model = Reads("compare" if which else "product_details", 0.5 if which else 0.9)
    s = _shown(*shown)
    if which:
        s.focus = shown[0]  # "which one" asks of the list, not of the one in focus
    nlu = shop.understand(text, s)
    s = shop.update_state(s, nlu)
    plan = shop.plan(nlu, s)
    assert [c.args.get("product_id") for c in plan.calls] == list(shown), plan
    reply, after = shop.respond(nlu, s, _pages(*shown))
    assert said in reply.text and reply.product_ids == [pick], reply


def test_an_option_asked_about_is_answered_with_its_own_price() -> None:
    from shopagent.agent.embedded._answers import answer

    hobbit = {
        "id": "f-1",
        "title": "The Hobbit",
        "currency": "USD",
        "variants": [
            {"id": "v1", "options": {"format": "Paperback"}, "price": "10.99"},
            {"id": "v2", "options": {"format": "Hardcover"}, "price": "19.78"},
            {"id": "v3", "options": {"format": "Audiobook"}, "price": "16.48"},
        ],
    }
    assert answer("how much is the hardcover", hobbit) == "The Hobbit in Hardcover costs $19.78."
    assert answer("and the audiobook?", hobbit) == "Yes, The Hobbit comes in Audiobook, $16.48."
    assert answer("how much is it?", hobbit) == (
        "The Hobbit costs $10.99 to $19.78 depending on the option."
    )


def test_an_option_asked_about_and_confirmed_is_the_one_added(shop: EmbeddedTier) -> None:
    s = _shown("f-1", "f-2")
    s.focus = "f-1"
    shop.model = Reads("product_details", 0.9)
    nlu = shop.understand("does it come as an audiobook?", s)
    s = shop.update_state(s, nlu)
    reply, s = shop.respond(nlu, s, _pages("f-1"))
    assert reply.text == "Yes, The Hobbit comes in Audiobook.", reply
    shop.model = Reads("add_to_cart", 0.95)
    nlu = shop.understand("add it", s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert [(c.name, c.args.get("product_id"), c.args.get("options")) for c in plan.calls] == [
        ("add_to_cart", "f-1", {"format": "Audiobook"})
    ], plan
    # another product added next is added with its own choice, not that one
    nlu = shop.understand("add the second one", s)
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert [(c.args.get("product_id"), c.args.get("options")) for c in plan.calls] == [
        ("f-2", None)
    ], plan


def test_which_one_no_page_answers_is_said_so(shop: EmbeddedTier) -> None:
    shop.model = Reads("compare", 0.5)
    s = _shown("c-1", "c-2")
    nlu = shop.understand("which one is gluten free?", s)
    s = shop.update_state(s, nlu)
    reply, _ = shop.respond(nlu, s, _pages("c-1", "c-2"))
    assert reply.text == "None of their product pages says anything about gluten free.", reply


def test_a_rare_word_of_one_title_names_that_product() -> None:
    from shopagent.agent.embedded._titles import TitleIndex

    index = TitleIndex(
        {
            "d": "Dune by Frank Herbert",
            "s": "Sapiens by Yuval Noah Harari",
            "o": "Ottolenghi Simple",
            "b": "Snoozeden Orthopedic Dog Bed",
            "h": "The Hobbit by J.R.R. Tolkien",
        }
    )
    english = {"dune": 920, "simple": 120151, "orthopedic": 984, "sapiens": 0, "hobbit": 909}

    def frequency(word: str) -> int | None:
        return english.get(word, 5000)

    assert index.rare_name("is the hardcover dune in stock?", frequency) == "d"
    assert index.rare_name("how much is sapiens?", frequency) == "s"  # no English word
    assert index.rare_name("is it simple to read?", frequency) is None  # a common word
    assert index.rare_name("is it orthopedic?", frequency) is None  # said, not named
    assert index.rare_name("the hobbit or the dune one?", frequency) is None  # two: neither
    assert index.rare_name("the hobbit", lambda w: None) is None  # no word list installed


def test_the_stock_of_the_option_asked_about() -> None:
    from shopagent.agent.embedded._answers import answer

    dune = {
        "id": "d",
        "title": "Dune",
        "variants": [
            {"id": "v1", "options": {"format": "Paperback"}, "available": True, "quantity": 12},
            {"id": "v2", "options": {"format": "Hardcover"}, "available": False, "quantity": 0},
        ],
    }
    assert answer("is the hardcover in stock?", dune) == "No, Dune in Hardcover is sold out."
    assert answer("is the paperback in stock?", dune) == (
        "Yes, Dune in Paperback is in stock (12 available)."
    )
