"""Replaying through a scripted service: traces recorded, scores reflect behaviour."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopagent.evals import EvalConfig, load_conversations, run_conversations
from shopagent.evals._config import TierPrice


def _config(**kw) -> EvalConfig:  # type: ignore[no-untyped-def]
    return EvalConfig(name=kw.pop("name", "test"), **kw)


async def _run(fakes, dataset_file: Path, mode: str, **kw):  # type: ignore[no-untyped-def]
    shop = fakes.shop(mode=mode)
    convs = load_conversations(dataset_file)
    result = await run_conversations(
        convs,
        kw.pop("config", _config()),
        factory=fakes.factory(shop),
        data_dir=dataset_file.parent,
        dataset=str(dataset_file),
        **kw,
    )
    return shop, result


async def test_well_behaved_agent_scores_full_marks(fakes, dataset_file: Path) -> None:
    shop, run = await _run(fakes, dataset_file, "good")
    s = run.summary
    failures = [
        (c.id, t.index, t.score.failures)
        for c in run.conversations
        for t in c.turns
        if not t.score.success
    ]
    assert failures == []
    assert s["conversation_success"] == 1.0 and s["turn_success"] == 1.0
    assert s["tool_precision"] == 1.0 and s["tool_recall"] == 1.0
    assert s["argument_accuracy"] == 1.0
    assert s["constraint_satisfaction"] == 1.0
    assert s["cart_match"] == 1.0 and s["safety"] == 1.0
    assert s["tier_share"]["embedded"] == 1.0 and s["escalation_rate"] == 0.0


async def test_misbehaving_agent_fails_the_checks_it_breaks(fakes, dataset_file: Path) -> None:
    _, run = await _run(fakes, dataset_file, "bad")
    by_id = {c.id: c for c in run.conversations}
    search = by_id["search-red"].turns[0]
    assert not search.score.success
    assert search.score.checks["products"] is False  # a blue dress at $120.99 shown
    assert search.score.checks["tier"] is False
    assert search.score.constraints_total == 6 and search.score.constraints_ok == 4
    # Only the first product is checked with top_k=1, and it satisfies everything.
    from shopagent.evals import Turn, score_turn

    top1 = Turn.model_validate(
        {
            "user": "x",
            "expect": {"products": {"constraints": ["color=red", "price<=50"], "top_k": 1}},
        }
    )
    assert score_turn(top1, search, _config(), user_id="u", writes=set()).success
    add = by_id["add-confirm"].turns[1]
    assert add.cart_changed and add.score.checks["forbid"] is False
    assert add.score.checks["confirmation"] is False
    confirm = by_id["add-confirm"].turns[2]
    assert confirm.skipped and not confirm.errors
    assert confirm.score.failures[0] == "replay: no confirmation was pending to answer"
    s = run.summary
    assert s["safety"] < 1.0 and s["constraint_satisfaction"] < 1.0
    assert s["tier_share"]["frontier"] > 0.5 and s["escalation_rate"] > 0.5
    assert s["conversation_success"] < 0.5


async def test_each_conversation_runs_as_a_fresh_user_with_bounded_concurrency(
    fakes, tmp_path: Path
) -> None:
    import json

    convs = [
        {
            "id": f"c{i}",
            "turns": [
                {"user": "add a dress"},
                {"confirm": True, "expect": {"cart": {"item_count": 1}}},
            ],
        }
        for i in range(12)
    ]
    p = tmp_path / "d.jsonl"
    p.write_text("\n".join(json.dumps(c) for c in convs))
    shop, run = await _run(fakes, p, "good", concurrency=3)
    users = {u for u, _ in shop.turns_seen}
    assert len(users) == 12  # one user per conversation: carts never carry over
    assert all(c.turns[1].cart["item_count"] == 1 for c in run.conversations)
    assert shop.max_active <= 3 and shop.max_active > 1
    assert run.summary["cart_match"] == 1.0


async def test_cost_per_tier_and_ratio_against_frontier(fakes, dataset_file: Path) -> None:
    cfg = _config(
        prices={
            "embedded": TierPrice(input_usd_per_mtok=1.0, output_usd_per_mtok=2.0),
            "frontier": TierPrice(input_usd_per_mtok=10.0, output_usd_per_mtok=20.0),
        }
    )
    _, good = await _run(fakes, dataset_file, "good", config=cfg)
    # good: 6 user turns on embedded at 40 in/50 out, 2 confirm turns with no tokens.
    assert good.summary["tokens_in"] == {"embedded": 240}
    expected = 6 * (40 * 1.0 + 50 * 2.0) / 1e6
    assert good.summary["cost_total_usd"] == pytest.approx(expected)
    _, bad = await _run(fakes, dataset_file, "bad", config=cfg)
    assert bad.summary["cost_per_conversation_usd"] > 5 * good.summary["cost_per_conversation_usd"]
    assert good.summary["cost_ratio_vs_frontier"] < bad.summary["cost_ratio_vs_frontier"]


def test_self_hosted_price_derives_from_hourly_rate_and_throughput() -> None:
    p = TierPrice(hour_usd=3.6, input_tokens_per_s=1000, output_tokens_per_s=100)
    assert p.input_per_mtok == pytest.approx(1.0)  # $0.001/s / 1000 tok/s = $1 per 1M
    assert p.output_per_mtok == pytest.approx(10.0)
    cpu = TierPrice(hour_usd=3.6, call_seconds=0.5)
    assert cpu.cost(0, 0, calls=4) == pytest.approx(0.002)


async def test_a_crashing_turn_is_recorded_and_the_run_goes_on(fakes, tmp_path: Path) -> None:
    import json

    p = tmp_path / "d.jsonl"
    p.write_text(
        "\n".join(
            json.dumps(c)
            for c in [
                {"id": "a", "turns": [{"user": "boom"}, {"user": "hi"}]},
                {"id": "b", "turns": [{"user": "hi"}]},
                {"id": "c", "turns": [{"user": "hi", "image": {"product_id": "p-00001"}}]},
            ]
        )
    )
    _, run = await _run(fakes, p, "good")
    by_id = {c.id: c for c in run.conversations}
    assert by_id["a"].turns[0].score.failures == ["error: error events ['internal_error']"]
    assert by_id["a"].turns[1].score.success and by_id["b"].success
    # The image file does not exist: the conversation records why and its turn fails.
    assert "FileNotFoundError" in (by_id["c"].error or "")
    assert not by_id["c"].turns[0].score.success
    assert run.summary["runner_errors"] == 1


def test_either_or_tool_expectation_and_precision_counts() -> None:
    from shopagent.evals import Turn, TurnRecord, score_turn

    turn = Turn.model_validate(
        {
            "user": "where is my order",
            "expect": {
                "tool_calls": [
                    {
                        "name": ["list_orders", "order_status"],
                        "arguments": {"order_id": {"regex": "^o-"}},
                    }
                ]
            },
        }
    )
    rec = TurnRecord(
        index=0,
        kind="user",
        tool_calls=[
            {"name": "view_cart", "arguments": {}},
            {"name": "order_status", "arguments": {"order_id": "o-1"}},
        ],
    )
    s = score_turn(turn, rec, _config(), user_id="u", writes=set())
    assert s.success and (s.tool_tp, s.tool_pred, s.tool_expected) == (1, 2, 1)
    rec.tool_calls[1]["arguments"] = {"order_id": "12"}
    s = score_turn(turn, rec, _config(), user_id="u", writes=set())
    assert not s.success and s.args_ok == 0 and s.failures[0].startswith("tool_args:")


def test_a_tier_reporting_tokens_but_no_calls_is_priced_per_turn() -> None:
    from shopagent.evals._scoring import turn_cost

    cfg = _config(prices={"embedded": TierPrice(hour_usd=3.6, call_seconds=0.01)})
    usage = {"tokens_in": {"embedded": 7}, "tokens_out": {}, "model_calls": {}}
    assert turn_cost(usage, cfg) == pytest.approx(0.00001)  # 10 ms at $0.001/s
    assert turn_cost({"tokens_in": {}, "model_calls": {}}, cfg) == 0.0
