"""The scale-out deployment (deploy/compose.scale.yaml) is wired consistently: replicas are
interchangeable, every balancer knows every replica, settings exist in the code."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import yaml

from shopagent.retrieval.index import IndexLayout
from shopagent.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _compose() -> dict:
    return dict(yaml.safe_load((DEPLOY / "compose.scale.yaml").read_text()))


def _upstreams(conf: str) -> set[str]:
    text = (DEPLOY / conf).read_text()
    return set(re.findall(r"^\s*server ([\w-]+):\d+", text, re.M))


def test_api_replicas_are_stateless_and_identical() -> None:
    services = _compose()["services"]
    apis = sorted(s for s in services if re.fullmatch(r"api-\d+", s))
    assert len(apis) >= 2
    envs = [services[a]["environment"] for a in apis]
    assert all(e == envs[0] for e in envs)
    env = envs[0]
    # State lives in the Redis Cluster, the catalog in the Qdrant cluster: nothing local.
    assert env["SHOPAGENT_STATE_BACKEND"] == "redis" and env["SHOPAGENT_REDIS_CLUSTER"] == "true"
    assert env["SHOPAGENT_INDEX_BACKEND"] == "server"
    # Every variable is a real setting, and the values parse as the API will read them.
    fields = set(Settings.model_fields)
    for key in env:
        assert key.removeprefix("SHOPAGENT_").lower() in fields, key
    values = {k.removeprefix("SHOPAGENT_").lower(): v for k, v in env.items() if "${" not in str(v)}
    layout = IndexLayout.from_settings(Settings(**values))
    qdrants = [s for s in services if s.startswith("qdrant-")]
    assert layout.shard_number >= len(qdrants) and layout.replication_factor >= 2
    assert layout.write_consistency_factor <= layout.replication_factor
    assert set(apis) == _upstreams("nginx.api.conf")


def test_balancers_reach_every_replica() -> None:
    services = _compose()["services"]
    api_env = services["api-1"]["environment"]
    llm_host = urlparse(api_env["SHOPAGENT_LOCAL_BASE_URL"]).hostname
    assert llm_host in services
    vllms = {s for s in services if s.startswith("vllm-")}
    assert len(vllms) >= 2 and vllms == _upstreams("nginx.llm.conf")
    gpus = [
        services[v]["deploy"]["resources"]["reservations"]["devices"][0]["device_ids"][0]
        for v in sorted(vllms)
    ]
    assert len(set(gpus)) == len(gpus)  # one GPU each
    redis_nodes = {s for s in services if re.fullmatch(r"redis-\d+", s)}
    init = " ".join(services["redis-cluster-init"]["entrypoint"])
    assert {n for n in redis_nodes if f"{n}:6379" in init} == redis_nodes
    assert urlparse(api_env["SHOPAGENT_REDIS_URL"]).hostname in redis_nodes


def test_every_required_variable_is_in_the_env_example() -> None:
    text = (DEPLOY / "compose.scale.yaml").read_text()
    required = set(re.findall(r"\$\{([A-Z_]+)(?::\?[^}]*)?\}", text))
    keys = set(re.findall(r"^([A-Z_]+)=", (DEPLOY / ".env.example").read_text(), re.M))
    optional = set(re.findall(r"\$\{([A-Z_]+):-", text))
    assert required - optional <= keys, required - optional - keys
