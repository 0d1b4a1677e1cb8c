from shopagent.agent.router import TurnFeatures, choose_tier

ALL = {"embedded", "local", "frontier"}


def test_confident_routine_turn_stays_embedded() -> None:
    d = choose_tier(TurnFeatures(words=4, intent="search", confidence=0.93, slot_count=2), ALL, 0.6)
    assert d.tier == "embedded"
    assert "routine search" in d.reason


def test_low_confidence_escalates_to_frontier_and_says_why() -> None:
    d = choose_tier(TurnFeatures(words=6, intent="search", confidence=0.31), ALL, 0.6)
    assert d.tier == "frontier"
    assert "low NLU confidence 0.31" in d.reason


def test_many_interacting_constraints_go_to_frontier() -> None:
    f = TurnFeatures(words=20, intent="search", confidence=0.9, slot_count=6)
    assert choose_tier(f, ALL, 0.6).tier == "frontier"


def test_image_turn_that_is_not_visual_search_goes_to_the_vlm() -> None:
    f = TurnFeatures(words=8, has_image=True, intent="product_details", confidence=0.9)
    assert choose_tier(f, ALL, 0.6).tier == "local"
    g = TurnFeatures(words=3, has_image=True, intent="visual_search", confidence=0.9)
    assert choose_tier(g, ALL, 0.6).tier == "embedded"


def test_two_local_failures_escalate_to_frontier() -> None:
    f = TurnFeatures(intent="search", confidence=0.2, failures={"local": 2})
    d = choose_tier(f, ALL, 0.6)
    assert d.tier == "frontier" and "escalated after local failed" in d.reason
    # one failure: the router still escalates (frontier first), local stays usable as fallback
    f1 = TurnFeatures(intent="search", confidence=0.2, failures={"local": 1})
    assert choose_tier(f1, {"embedded", "local"}, 0.6).tier == "local"


def test_unconfigured_tiers_are_skipped_and_the_reason_says_so() -> None:
    d = choose_tier(TurnFeatures(intent="search", confidence=0.2), {"embedded"}, 0.6)
    assert d.tier == "embedded"
    assert "frontier unavailable" in d.reason


def test_no_tier_at_all_answers_none() -> None:
    d = choose_tier(TurnFeatures(intent="search", confidence=0.9), set(), 0.6)
    assert d.tier == "none"
    assert "no model tier can answer" in d.reason


def test_embedded_planner_declining_moves_to_a_model() -> None:
    f = TurnFeatures(intent="search", confidence=0.9, embedded_declined=True)
    assert choose_tier(f, ALL, 0.6).tier == "local"
    assert choose_tier(f, {"embedded"}, 0.6).tier == "none"
