"""The deploy files agree with each other and with the code: flags, names, eval configs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from shopagent.evals import load_config
from shopagent.settings import Settings
from shopagent.training.vlm import LoraTrainConfig

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_serve_script_has_the_serving_contract() -> None:
    script = (DEPLOY / "serve-vllm.sh").read_text()
    for flag in (
        "--enable-auto-tool-choice",
        "--tool-call-parser hermes",
        "--enable-lora",
        "--lora-modules",
        "--max-lora-rank",
        "--max-model-len",
        "--enable-prefix-caching",
        "--gpu-memory-utilization",
        "--chat-template",
        "--chat-template-content-format openai",
    ):
        assert flag in script, flag
    # The adapter's trained rank must fit the server's default --max-lora-rank.
    rank = int(re.search(r"MAX_LORA_RANK:-(\d+)", script).group(1))  # type: ignore[union-attr]
    assert LoraTrainConfig().rank <= rank
    assert "chat_template.serving.jinja" in script and "HF_HUB_OFFLINE=1" in script
    if shutil.which("bash"):
        subprocess.run(["bash", "-n", str(DEPLOY / "serve-vllm.sh")], check=True)


def test_compose_and_env_example_agree() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert set(compose["services"]) == {"qdrant", "redis", "vllm", "api"}
    api = compose["services"]["api"]
    assert api["environment"]["SHOPAGENT_LOCAL_BASE_URL"] == "http://vllm:8000/v1"
    assert api["environment"]["SHOPAGENT_STATE_BACKEND"] == "redis"
    env_example = (DEPLOY / ".env.example").read_text()
    keys = set(re.findall(r"^([A-Z_]+)=", env_example, re.M))
    used = set(re.findall(r"\$\{([A-Z_]+)", (DEPLOY / "compose.yaml").read_text()))
    optional = {"QDRANT_VERSION", "REDIS_VERSION"}
    assert used - optional <= keys, used - keys
    # The module name the adapter is served under is what the agent asks for by default.
    assert "LORA_NAME=shop-lora" in env_example
    assert Settings.model_fields["local_model"].default == LoraTrainConfig().module_name
    fields = set(Settings.model_fields)
    for key in keys:
        if key.startswith("SHOPAGENT_"):
            assert key.removeprefix("SHOPAGENT_").lower() in fields, key


@pytest.mark.parametrize("name", ["embedded", "base", "finetuned", "frontier"])
def test_eval_configs_load_in_the_runner(name: str) -> None:
    config = load_config(DEPLOY / "eval-configs" / f"{name}.json")
    update = config.settings_update({"OPENAI_API_KEY": "sk-test"})
    expected_local = {
        "embedded": None,
        "base": "shop-base",
        "finetuned": "shop-lora",
        "frontier": None,
    }[name]
    assert update.get("local_model") == expected_local
    assert (update["frontier_base_url"] is not None) == (name == "frontier")
