"""The `shopagent` command as its console script runs it (``app()``): what goes wrong around
a command is one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import pytest

from shopagent.cli import app
from shopagent.settings import get_settings


@pytest.fixture
def fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        app(args, prog_name="shopagent")
    return int(done.value.code or 0), capsys.readouterr().err


def test_a_setting_the_environment_gets_wrong_names_the_variable(
    fresh_settings, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("SHOPAGENT_PORT", "eighty")
    code, err = _run(["serve"], capsys)
    assert code == 2
    assert "error [invalid_setting]: SHOPAGENT_PORT: Input should be a valid integer" in err
    assert "Traceback" not in err


def test_chat_with_no_server_there_says_so(fresh_settings, capsys) -> None:
    code, err = _run(["chat", "--url", "http://127.0.0.1:9", "--api-key", "k"], capsys)
    assert code == 1
    assert "cannot reach http://127.0.0.1:9" in err and "Traceback" not in err


def test_a_data_folder_that_cannot_be_made_is_named(fresh_settings, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SHOPAGENT_DATA_DIR", "/proc/no-such-folder")
    code, err = _run(["search", "lamp"], capsys)
    assert code == 2
    assert "error [io_error]:" in err and "/proc/no-such-folder" in err
    assert "Traceback" not in err


def test_a_damaged_state_file_stops_the_start_and_is_named(
    fresh_settings, monkeypatch, capsys, tmp_path
) -> None:
    (tmp_path / "state.sqlite").write_bytes(b"not a database, " * 400)  # e.g. a bad restore
    monkeypatch.setenv("SHOPAGENT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SHOPAGENT_STATE_BACKEND", "sqlite")
    code, err = _run(["serve"], capsys)
    assert code == 2
    assert "error [state_damaged]:" in err and str(tmp_path / "state.sqlite") in err
    assert "Traceback" not in err
    assert (tmp_path / "state.sqlite").read_bytes() == b"not a database, " * 400  # untouched


def test_a_port_another_program_holds_is_said_before_anything_loads(
    fresh_settings, monkeypatch, capsys, tmp_path
) -> None:
    import socket

    monkeypatch.setenv("SHOPAGENT_DATA_DIR", str(tmp_path))
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        code, err = _run(["serve", "--host", "127.0.0.1", "--port", str(port)], capsys)
    assert code == 2
    assert f"error [port_in_use]: cannot listen on 127.0.0.1:{port}" in err
    assert not (tmp_path / "index").exists()  # said before the catalog was opened
