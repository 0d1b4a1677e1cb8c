"""Arguments read from a shopper's words by argument name (agent/plugin_args.py).

A hardware / hobby shop's voice, not the demo's fashion catalog."""

from decimal import Decimal

from shopagent.agent import plugin_args

DEFAULTS = {
    "occasions": {"housewarming": {}, "retirement party": {}, "new workshop": {}},
    "recipients": {"men": ["uncle", "dad"], "women": ["aunt"], "kids": ["niece"]},
}
FACETS = {"brand": ["Torvik", "Bramble"], "material": ["pine", "steel"], "color": ["olive"]}
GIFT = {k: {} for k in ("request", "recipient", "interests", "occasion", "budget")}


def test_a_gift_request_fills_budget_recipient_and_interests() -> None:
    args = plugin_args.read(
        GIFT, "something for my uncle who loves woodworking, max 45", FACETS, DEFAULTS
    )
    assert args["budget"] == "45"
    assert args["recipient"] == "uncle"
    assert any("woodworking" in i for i in args["interests"])


def test_who_it_is_for_stops_before_what_they_do_and_what_they_have_is_an_interest() -> None:
    # a pet shop's voice: the friend is "friend", not "friend who"; the kitten says cats
    text = "gift for a friend who just got a kitten, under 40"
    assert plugin_args.recipient(text, DEFAULTS) == "friend"
    assert plugin_args.interests(text) == ["kittens"]
    assert plugin_args.interests("something for my aunt, she has a new puppy") == ["puppies"]
    assert plugin_args.recipient("a gift for a neighbour with a garden", DEFAULTS) == "neighbour"
    assert plugin_args.recipient("for a coffee lover", DEFAULTS) == "coffee lover"


def test_budget_phrasings_and_sizes_are_not_budgets() -> None:
    assert plugin_args.budget("I've got 70 left") == Decimal("70")
    assert plugin_args.budget("kit for the garage, 120 in total") == Decimal("120")
    assert plugin_args.budget("drill bits, budget of 19.50") == Decimal("19.50")
    assert plugin_args.budget("gloves size 10") is None
    # an approximate budget is still the cap the ideas must keep to
    assert plugin_args.budget("a gift for my dad, budget around 50") == Decimal("50")
    assert plugin_args.budget("want to spend about $35 on a router bit set") == Decimal("35")
    assert plugin_args.budget("around 10mm drill bits") is None
    assert plugin_args.budget("for my dad who is 70, nothing over 40 pounds") == Decimal("40")


def test_an_occasion_is_found_from_the_shops_defaults_or_an_event_phrase() -> None:
    assert "retirement" in (plugin_args.occasion("ideas for a retirement party?", DEFAULTS) or "")
    assert plugin_args.occasion("kitting out a new workshop", DEFAULTS) == "new workshop"
    assert plugin_args.occasion("bits for a garden barbecue", DEFAULTS) == "garden barbecue"
    assert plugin_args.occasion("hex keys in steel", DEFAULTS) is None
    # praise is no part of the occasion: "a nice housewarming present" is for a housewarming
    said = "what would be a nice housewarming present"
    assert plugin_args.occasion(said, DEFAULTS) == "housewarming"


def test_self_statements_fill_profile_arguments_and_forgetting_names_its_part() -> None:
    remember = {"request": {}, "sizes": {}, "likes": {}, "excludes": {}}
    got = plugin_args.read(remember, "I love Torvik but never pine", FACETS, DEFAULTS)
    assert got["likes"] == {"brand": ["Torvik"]}
    assert got["excludes"] == {"material": ["pine"]}
    forget = {"request": {}, "what": {}, "value": {}}
    assert plugin_args.read(forget, "forget that I like Bramble", FACETS, DEFAULTS) == {
        "what": "likes",
        "value": "Bramble",
    }
    assert plugin_args.read(forget, "wipe everything about me", FACETS, DEFAULTS)["what"] == (
        "everything"
    )


def test_only_arguments_the_schema_names_are_filled() -> None:
    assert plugin_args.read({"query": {}}, "gift for my aunt under 30", FACETS, DEFAULTS) == {}
