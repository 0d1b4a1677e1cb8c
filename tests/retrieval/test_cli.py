from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from shopagent.cli import app
from shopagent.commands.retrieval import parse_price_phrase
from shopagent.settings import get_settings

runner = CliRunner()


@pytest.fixture
def cli_env(data_dir, monkeypatch):
    monkeypatch.setenv("SHOPAGENT_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()


def test_price_phrases():
    assert parse_price_phrase("red dress under 50") == ("red dress", None, 50.0)
    assert parse_price_phrase("boots over $80") == ("boots", 80.0, None)
    assert parse_price_phrase("lamp 20-40") == ("lamp", 20.0, 40.0)
    assert parse_price_phrase("sofa") == ("sofa", None, None)


def test_ingest_then_search_from_the_command_line(cli_env, tmp_path):
    feed = tmp_path / "feed.jsonl"
    rows = [
        {
            "id": "R1",
            "title": "Red Linen Wrap Dress",
            "price": 45,
            "category": "Apparel > Dresses",
            "attributes": {"color": "red"},
        },
        {
            "id": "R2",
            "title": "Red Silk Evening Dress",
            "price": 180,
            "category": "Apparel > Dresses",
            "attributes": {"color": "red"},
        },
        {"id": "B1", "title": "Blue Canvas Backpack", "price": 40, "category": "Bags > Backpacks"},
    ]
    feed.write_text(
        "\n".join(json.dumps(r) for r in rows[:2]) + "\n{oops\n" + json.dumps(rows[2]) + "\n"
    )
    result = runner.invoke(app, ["ingest", str(feed)])
    assert result.exit_code == 0, result.output
    assert "3 products ingested, 1 rows skipped" in result.output
    assert "line 3: invalid JSON" in result.output

    result = runner.invoke(app, ["search", "red dress under 50", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["filters_applied"]["price_max"] == "50.0" and out["query"] == "red dress"
    assert [p["id"] for p in out["products"]] == ["R1"]

    table = runner.invoke(app, ["search", "backpack"])
    assert table.exit_code == 0 and "Blue Canvas Backpack" in table.output


def test_bad_input_gives_a_message_and_nonzero_exit(cli_env, tmp_path):
    result = runner.invoke(app, ["ingest", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2 and "file_not_found" in result.output
    feed = tmp_path / "f.csv"
    feed.write_text("id,title,price\n")
    result = runner.invoke(app, ["ingest", str(feed), "--format", "xml"])
    assert result.exit_code == 2 and "bad_format" in result.output
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{nope\n")
    result = runner.invoke(app, ["ingest", str(broken)])
    assert result.exit_code == 1 and "line 1" in result.output
    result = runner.invoke(app, ["search", "shoes over 90 under 10"])
    assert result.exit_code == 2 and "invalid_filters" in result.output
    assert "Traceback" not in result.output


def test_index_held_by_another_process_is_a_clear_error(cli_env):
    from shopagent.retrieval import open_catalog

    holder = open_catalog(get_settings())  # e.g. the running server
    try:
        result = runner.invoke(app, ["search", "lamp"])
        assert result.exit_code == 2 and "index_locked" in result.output
        assert "Traceback" not in result.output
    finally:
        holder.close()


def test_a_damaged_index_is_named_with_the_way_back(cli_env, tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "T1", "title": "Steel Tent Peg", "price": 3}) + "\n")
    assert runner.invoke(app, ["ingest", str(feed)]).exit_code == 0
    index = cli_env / "index" / "products"
    for state in index.glob("segments/*/segment.json"):
        state.write_text("{cut sh")  # a file cut short by a crash or a bad restore
    result = runner.invoke(app, ["search", "tent peg"])
    assert result.exit_code == 2
    assert "error [index_damaged]" in result.output and "ingest the feed again" in result.output
    assert "Traceback" not in result.output


def test_make_run_twice_is_a_clear_error_not_a_traceback(cli_env, capsys):
    """A second `make run` (`shopagent serve --dev`) while the first holds the index: the
    console script (``app()``, not the test runner) prints the reason and exits 2."""
    from shopagent.retrieval import open_catalog

    holder = open_catalog(get_settings())  # the first server
    try:
        with pytest.raises(SystemExit) as done:
            app(["serve", "--dev"], prog_name="shopagent")
        assert done.value.code == 2
        err = capsys.readouterr().err
        assert "error [index_locked]" in err and "open in another process" in err
        assert "Traceback" not in err
    finally:
        holder.close()


def test_unreachable_qdrant_server_is_a_clear_error(cli_env, monkeypatch, tmp_path):
    from socket import socket

    with socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SHOPAGENT_INDEX_BACKEND", "server")
    monkeypatch.setenv("SHOPAGENT_QDRANT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("SHOPAGENT_QDRANT_TIMEOUT_S", "1")
    get_settings.cache_clear()
    result = runner.invoke(app, ["search", "lamp"])
    assert result.exit_code == 2 and "index_unavailable" in result.output
    assert "Traceback" not in result.output


def test_delete_missing_over_the_share_needs_force(cli_env, tmp_path):
    feed = tmp_path / "feed.jsonl"
    rows = [{"id": f"T{i}", "title": f"Camp Stool {i}", "price": "15.00"} for i in range(5)]
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert runner.invoke(app, ["ingest", str(feed)]).exit_code == 0
    feed.write_text(json.dumps(rows[0]) + "\n")  # a truncated export
    result = runner.invoke(app, ["ingest", str(feed), "--delete-missing"])
    assert result.exit_code == 1 and "too_many_deletions" in result.output
    assert "4 of the catalog's products" in result.output
    result = runner.invoke(app, ["ingest", str(feed), "--delete-missing", "--force"])
    assert result.exit_code == 0 and "4 deleted" in result.output


def test_cli_ingest_builds_the_index_for_the_catalog_size(cli_env, tmp_path, monkeypatch):
    # A budget of 0 MB puts any payload on disk: only an optimised index shows it.
    monkeypatch.setenv("SHOPAGENT_INDEX_PAYLOAD_RAM_MB", "0")
    get_settings.cache_clear()
    feed = tmp_path / "plants.jsonl"
    feed.write_text(
        "\n".join(
            json.dumps({"id": f"PL{i}", "title": f"Potted fern no. {i}", "price": 9 + i})
            for i in range(12)
        )
        + "\n"
    )
    result = runner.invoke(app, ["ingest", str(feed)])
    assert result.exit_code == 0, result.output
    kinds = {
        json.loads(f.read_text())["config"]["payload_storage_type"]["type"]
        for f in (cli_env / "index" / "products").glob("segments/*/segment.json")
    }
    assert kinds == {"mmap"}
