"""Eval configurations: which tiers a run uses and what each tier's tokens cost.

A configuration is a TOML (or JSON) file::

    name = "embedded+local"
    [tiers.local]                      # present = enabled; embedded is always on
    base_url = "http://127.0.0.1:8001/v1"
    model = "shop-lora"
    api_key_env = "LOCAL_API_KEY"      # read from the environment, never from the file
    [prices.local]                     # self-hosted: $/GPU-hour and measured throughput
    hour_usd = 2.50
    input_tokens_per_s = 20000
    output_tokens_per_s = 1500
    [prices.frontier]                  # API: $ per 1M tokens
    input_usd_per_mtok = 2.00
    output_usd_per_mtok = 8.00

Prices that a file leaves out take the defaults below, so every run has a cost.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

TIERS = ("embedded", "local", "frontier")


class TierPrice(BaseModel):
    """$/1M tokens directly (API tiers), or derived from an hourly machine price and the
    measured throughput (self-hosted tiers). ``call_seconds`` prices tiers whose work is
    not token-shaped (the embedded encoder): machine time per model call."""

    model_config = ConfigDict(extra="forbid")
    input_usd_per_mtok: float | None = Field(default=None, ge=0)
    output_usd_per_mtok: float | None = Field(default=None, ge=0)
    hour_usd: float | None = Field(default=None, ge=0, description="$/GPU-hour or $/CPU-hour")
    input_tokens_per_s: float | None = Field(default=None, gt=0)
    output_tokens_per_s: float | None = Field(default=None, gt=0)
    call_seconds: float | None = Field(
        default=None, ge=0, description="Machine seconds per model call"
    )

    @property
    def input_per_mtok(self) -> float:
        if self.input_usd_per_mtok is not None:
            return self.input_usd_per_mtok
        if self.hour_usd is not None and self.input_tokens_per_s:
            return self.hour_usd / 3600 / self.input_tokens_per_s * 1e6
        return 0.0

    @property
    def output_per_mtok(self) -> float:
        if self.output_usd_per_mtok is not None:
            return self.output_usd_per_mtok
        if self.hour_usd is not None and self.output_tokens_per_s:
            return self.hour_usd / 3600 / self.output_tokens_per_s * 1e6
        return 0.0

    def cost(self, tokens_in: int, tokens_out: int, calls: int) -> float:
        usd = tokens_in * self.input_per_mtok / 1e6 + tokens_out * self.output_per_mtok / 1e6
        if self.call_seconds is not None and self.hour_usd is not None:
            usd += calls * self.call_seconds * self.hour_usd / 3600
        return usd


# Defaults: a GPT-4.1-class API price; an H100 at $2.50/h serving a 7B VLM with vLLM
# (prefill ~20k tok/s, decode ~1.5k tok/s aggregate); one CPU core at $0.04/h spending
# ~15 ms per MiniLM call. Edit per deployment; the report prints the table it used.
DEFAULT_PRICES: dict[str, TierPrice] = {
    "embedded": TierPrice(hour_usd=0.04, call_seconds=0.015),
    "local": TierPrice(hour_usd=2.50, input_tokens_per_s=20000, output_tokens_per_s=1500),
    "frontier": TierPrice(input_usd_per_mtok=2.00, output_usd_per_mtok=8.00),
}


class TierEndpoint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base_url: str
    model: str | None = None
    api_key_env: str | None = Field(
        default=None, description="Environment variable holding the key"
    )


class FrontierReference(BaseModel):
    """Tokens a frontier-only configuration spends per turn, for the cost ratio when no
    measured frontier-only run is at hand (system prompt + tool schemas + history in,
    a short reply or tool call out)."""

    model_config = ConfigDict(extra="forbid")
    tokens_in_per_turn: float = 3500
    tokens_out_per_turn: float = 120
    calls_per_turn: float = 1.6


class EvalConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    tiers: dict[str, TierEndpoint] = Field(
        default_factory=dict, description="local/frontier endpoints; embedded is always on"
    )
    prices: dict[str, TierPrice] = Field(default_factory=dict)
    frontier_reference: FrontierReference = Field(default_factory=FrontierReference)
    settings: dict[str, Any] = Field(
        default_factory=dict, description="Other Settings overrides (e.g. nlu thresholds)"
    )

    @model_validator(mode="after")
    def _fill(self) -> EvalConfig:
        unknown = (set(self.tiers) | set(self.prices)) - set(TIERS)
        if unknown:
            raise ValueError(f"unknown tiers {sorted(unknown)}; known: {list(TIERS)}")
        if "embedded" in self.tiers:
            raise ValueError("the embedded tier is in process: it takes no endpoint")
        self.prices = {t: self.prices.get(t, DEFAULT_PRICES[t]) for t in TIERS}
        return self

    @property
    def tier_names(self) -> list[str]:
        return ["embedded", *[t for t in ("local", "frontier") if t in self.tiers]]

    def settings_update(self, env: dict[str, str] | None = None) -> dict[str, Any]:
        """The Settings fields this configuration sets (tiers left out are switched off)."""
        environ: Mapping[str, str] = os.environ if env is None else env
        upd: dict[str, Any] = dict(self.settings)
        for tier in ("local", "frontier"):
            ep = self.tiers.get(tier)
            upd[f"{tier}_base_url"] = ep.base_url if ep else None
            if ep and ep.model:
                upd[f"{tier}_model"] = ep.model
            if ep and ep.api_key_env:
                key = environ.get(ep.api_key_env)
                if key is None:
                    raise ValueError(
                        f"{self.name}: environment variable {ep.api_key_env} "
                        f"(the {tier} API key) is not set"
                    )
                upd[f"{tier}_api_key"] = SecretStr(key)
        return upd

    def frontier_only_cost_per_turn(self, measured: tuple[float, float, float] | None) -> float:
        """Estimated $ per turn if every turn went to the frontier tier; ``measured`` is
        (tokens_in, tokens_out, calls) per frontier turn observed in this run, if any."""
        t_in, t_out, calls = measured or (
            self.frontier_reference.tokens_in_per_turn,
            self.frontier_reference.tokens_out_per_turn,
            self.frontier_reference.calls_per_turn,
        )
        return self.prices["frontier"].cost(int(t_in), int(t_out), int(calls))


def load_config(path: str | Path) -> EvalConfig:
    p = Path(path)
    raw = p.read_bytes()
    data = json.loads(raw) if p.suffix == ".json" else tomllib.loads(raw.decode("utf-8"))
    data.setdefault("name", p.stem)
    return EvalConfig.model_validate(data)
