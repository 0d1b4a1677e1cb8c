"""A toy shop: ages in the product pages ("Ages 3 to 8", "Suitable from birth"), sets
whose option values are several words ("Pirate Ship"), a teddy in 25, 40 and 60cm, a kite
that is sold out, and parents who ask "is it ok for a 5 year old?", "how long does a game
take?" and "the big one please". The intent model is a stub (the model boundary); the text
encoder is the real MiniLM."""

from __future__ import annotations

import pytest

from shopagent.agent.embedded import DialogueState, EmbeddedTier, NLUResult
from shopagent.agent.embedded._answers import answer, only_option_values, said_options
from shopagent.agent.embedded._schema import ToolOutcome
from shopagent.retrieval.ages import asked_age, stated_ages

from .mini_shop import Reads, planned, product, shown
from .mini_shop import shop_tier as _tier

TOYS = [
    product("teddy", "Classic Teddy Bear", "Toys > Soft Toys", size=["25cm", "40cm", "60cm"]),
    product("unicorn", "Sparkle Unicorn Plush", "Toys > Soft Toys", color=["White", "Pink"]),
    product("bricks", "Creator Brick Set", "Toys > Building Toys", Set=["Castle", "Pirate Ship"]),
    product("cards", "Quick Draw Card Game", "Toys > Games"),
    product("board", "Treasure Island Board Game", "Toys > Games"),
]


@pytest.fixture(scope="module")
def shop(encode: object) -> EmbeddedTier:
    return _tier(TOYS, encode, Reads("search", 0.9))


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("Lean-to-steer scooter. Ages 3 to 8, up to 50kg.", 3, 8),
        ("450 bricks. Ages 7+.", 7, None),
        ("Chunky blocks. For ages 1 and up.", 1, None),
        ("A map of the world. For ages 12 to adult.", 12, None),
        ("Soft plush bear. Suitable from birth.", 0, None),
        ("Wooden balance bike for toddlers aged 2-4.", 2, 4),
    ],
)
def test_the_ages_a_page_gives(text: str, low: int, high: int | None) -> None:
    ages = stated_ages(text)
    assert ages is not None and (ages.low, ages.high) == (low, high), ages


def test_the_age_a_shopper_asks_about() -> None:
    assert asked_age("is it ok for a 5 year old") == (5, "a 5 year old")
    assert asked_age("my nephew is turning five") == (5, "a 5 year old")
    assert asked_age("good for my 9yo?") == (9, "a 9 year old")
    assert asked_age("ok for toddlers?") == (2, "toddlers")
    assert asked_age("my daughter is 10 and getting into painting") == (10, "a 10 year old")
    assert asked_age("he's 7") == (7, "a 7 year old")
    assert asked_age("my son is 10 months") is None and asked_age("the price is 10") is None
    assert asked_age("is it machine washable") is None
    assert stated_ages("Machine washable at 40C.") is None


def test_an_age_question_is_answered_from_the_page() -> None:
    scooter = {"title": "Kids 3-Wheel Scooter", "description": "Lights. Ages 3 to 8, up to 50kg."}
    quoted = 'Its page says: "Ages 3 to 8, up to 50kg."'
    said = answer("is the scooter ok for a 5 year old", scooter)
    assert said == f"Yes, Kids 3-Wheel Scooter suits a 5 year old. {quoted}"
    said = answer("is it ok for toddlers?", scooter)
    assert said == f"No, Kids 3-Wheel Scooter isn't meant for toddlers. {quoted}"
    assert answer("what age is it for", scooter) == f"The product page says: {quoted[15:]}"
    # a page without ages: no age answer made up
    said = answer("is it ok for a 5 year old", {"title": "Kite", "description": "Flies well."})
    assert said is not None and "suits" not in said and "isn't meant" not in said


def test_how_long_a_game_takes_is_read_from_the_pages(shop: EmbeddedTier) -> None:
    """Two games shown: "how long does a game take" is a question their pages answer (the
    board game's "30 minutes a game"), not a search for games."""
    s = shown(TOYS, "cards", "board")
    s.filters = {"category": "Games"}
    shop.model = Reads("search", 0.5)
    nlu = shop.understand("how long does a game take", s)
    assert nlu.intent == "product_details", nlu
    plan = shop.plan(nlu, shop.update_state(s, nlu))
    assert [c.args["product_id"] for c in plan.calls] == ["cards", "board"], plan
    board = {
        "title": "Treasure Island Board Game",
        "description": "2 to 6 players, 30 minutes a game.",
    }
    said = answer("how long does a game take", board)
    assert said == 'The product page says: "2 to 6 players, 30 minutes a game."', said


def test_a_question_of_it_with_nothing_shown_is_no_off_topic_turn(shop: EmbeddedTier) -> None:
    """ "what age is it for" with nothing shown asks which product; "does it come as a pirate
    ship" names a set the shop sells, so it searches (not "we don't carry pirate ships")."""
    nlu, plan = planned(shop, "what age is it for", DialogueState(), "out_of_scope", 0.87)
    assert nlu.intent == "product_details" and not plan.calls and plan.reply, (nlu, plan)
    assert "Search for something first" in plan.reply
    nlu, plan = planned(shop, "does it come as a pirate ship", DialogueState(), "out_of_scope")
    assert nlu.intent == "search" and "not_carried" not in nlu.notes, nlu
    assert plan.calls[0].name == "catalog_search" and "pirate ship" in plan.calls[0].args["query"]


def test_the_big_one_is_the_largest_measure(shop: EmbeddedTier) -> None:
    sizes = {"size": ["25cm", "40cm", "60cm"]}
    assert said_options("the big one please", sizes) == {"size": "60cm"}
    assert only_option_values("the smallest one", sizes) == {"size": "25cm"}
    # letters and counts have no measure to rank by
    assert said_options("the big one", {"size": ["S", "M", "L"]}) == {}
    assert said_options("the big one", {"pack": ["1 Pillow", "2 Pillows"]}) == {}
    s = shown(TOYS, "teddy", "unicorn")
    s.focus, s.last_intent = "teddy", "product_details"
    _, plan = planned(shop, "the big one please", s, "add_to_cart", 0.46)
    assert [(c.name, c.args.get("size")) for c in plan.calls] == [("add_to_cart", "60cm")], plan
    # after a question about the teddy, its own size picks it (not a search of the list)
    _, plan = planned(shop, "ok the 40cm", s, "refine")
    assert [(c.name, c.args.get("size")) for c in plan.calls] == [("add_to_cart", "40cm")], plan


def test_a_sold_out_match_offers_only_its_own_kind(shop: EmbeddedTier) -> None:
    """ "any kites" finds the kite sold out: the in-stock alternatives are other kites, not
    the puzzle and crayons the same search ranked below it."""
    cards = [
        {
            "id": "kite",
            "title": "Rainbow Stunt Kite",
            "category": "Outdoor Toys",
            "in_stock": False,
        },
        {"id": "puzzle", "title": "Jigsaw Puzzle", "category": "Puzzles", "in_stock": True},
    ]
    found = ToolOutcome(
        name="catalog_search",
        args={"query": "kites"},
        content={
            "products": cards,
            "total": 2,
            "sold_out_matches": [{"id": "kite", "title": "Rainbow Stunt Kite"}],
        },
    )
    nlu = NLUResult(intent="search", confidence=0.9, text="any kites")
    reply, _ = shop.respond(nlu, DialogueState(), [found])
    assert reply.text == (
        "Rainbow Stunt Kite is sold out right now. Nothing else like it is in stock right now."
    ), reply.text
