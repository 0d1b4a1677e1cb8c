"""The one settings object. Every knob has one name, one default and a line in .env.example.

Values come from the environment (prefix ``SHOPAGENT_``) or a ``.env`` file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHOPAGENT_", env_file=".env", extra="ignore", env_nested_delimiter="__"
    )

    # --- deployment -------------------------------------------------------------------------
    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(
        Path("data"), description="Embedded state: index, SQLite, models, images."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"

    # --- session state ----------------------------------------------------------------------
    state_backend: Literal["sqlite", "redis"] = "sqlite"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_cluster: bool = False  # redis_url names a Redis Cluster node (cluster client)
    cart_ttl_s: int = 30 * 24 * 3600
    profile_ttl_s: int = 180 * 24 * 3600
    idempotency_ttl_s: int = 7 * 24 * 3600
    checkpoint_ttl_s: int = 0  # 0 keeps checkpoints until the session is deleted

    # --- retrieval --------------------------------------------------------------------------
    index_backend: Literal["edge", "server"] = "edge"
    qdrant_url: str = "http://127.0.0.1:6333"
    qdrant_api_key: SecretStr | None = None
    qdrant_collection: str = "products"
    qdrant_timeout_s: float = 10.0
    image_encoder: Literal["descriptor", "clip"] = "descriptor"
    clip_model_path: Path | None = None
    demo_catalog_size: int = 5000
    demo_catalog_seed: int = 7
    image_fetch_timeout_s: float = 10.0
    image_fetch_max_bytes: int = 10 * 1024 * 1024

    # --- model tiers ------------------------------------------------------------------------
    embedded_model_dir: Path | None = None  # default: <data_dir>/models/embedded
    nlu_confidence_threshold: float = 0.6
    embedded_threads: int = 1  # torch threads per embedded NLU call; 0 = torch default
    local_base_url: str | None = None  # e.g. http://vllm:8000/v1
    local_model: str = "shop-lora"
    local_api_key: SecretStr = SecretStr("EMPTY")
    local_timeout_s: float = 30.0
    frontier_base_url: str | None = None
    frontier_model: str = "gpt-4.1"
    frontier_api_key: SecretStr | None = None
    frontier_timeout_s: float = 60.0
    model_max_retries: int = 1

    # --- agent bounds -----------------------------------------------------------------------
    max_steps_per_turn: int = 6
    max_tokens_per_turn: int = 8000
    turn_deadline_s: float = 60.0
    max_images_per_turn: int = 1

    # --- tools ------------------------------------------------------------------------------
    tool_plugins_allow: list[str] = Field(
        default_factory=list, description="Entry points in group 'shopagent.tools' allowed to load."
    )

    # --- API --------------------------------------------------------------------------------
    api_keys: dict[str, str] = Field(
        default_factory=dict, description="sha256(key) hex -> user id. Keys are stored hashed."
    )
    dev_api_key: SecretStr | None = Field(
        None, description="Development only: a plain key for user 'dev' (make run prints it)."
    )
    max_body_bytes: int = 12 * 1024 * 1024
    max_message_chars: int = 2000
    max_image_bytes: int = 8 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    rate_limit_per_minute: int = 60
    cors_origins: list[str] = Field(default_factory=list)
    model_prices: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {
            "embedded": {"in": 0.0, "out": 0.0},
            "local": {"in": 0.05, "out": 0.20},
            "frontier": {"in": 2.00, "out": 8.00},
        },
        description="USD per 1M tokens, in/out, per tier: the /metrics cost estimate.",
    )

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production":
            if self.dev_api_key is not None:
                raise ValueError("SHOPAGENT_DEV_API_KEY must not be set in production")
            if not self.api_keys:
                raise ValueError(
                    "SHOPAGENT_API_KEYS must map at least one hashed key in production"
                )
        return self

    @property
    def embedded_model_path(self) -> Path:
        return self.embedded_model_dir or self.data_dir / "models" / "embedded"


@lru_cache
def get_settings() -> Settings:
    return Settings()
