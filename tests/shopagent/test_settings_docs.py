"""The settings docs stay true: .env.example and the README table come from Settings."""

from pathlib import Path

import pytest

from shopagent._settings_doc import ROOT, env_example, readme_with_table
from shopagent.settings import Settings


def test_env_example_lists_every_setting_with_its_default() -> None:
    assert (ROOT / ".env.example").read_text() == env_example(), (
        "stale: run `python -m shopagent._settings_doc`"
    )


def test_readme_configuration_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text()
    assert readme == readme_with_table(readme), "stale: run `python -m shopagent._settings_doc`"
    for name in Settings.model_fields:
        assert f"`SHOPAGENT_{name.upper()}`" in readme


def test_copying_env_example_gives_the_defaults(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text((ROOT / ".env.example").read_text())
    assert Settings(_env_file=env) == Settings(_env_file=None)


def test_production_refuses_a_dev_key() -> None:
    with pytest.raises(ValueError, match="DEV_API_KEY"):
        Settings(_env_file=None, environment="production", dev_api_key="k", api_keys={"h": "u"})
    with pytest.raises(ValueError, match="API_KEYS"):
        Settings(_env_file=None, environment="production")
