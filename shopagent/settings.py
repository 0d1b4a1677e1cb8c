"""The one settings object. Every knob has one name, one default and a line in .env.example.

Values come from the environment (prefix ``SHOPAGENT_``) or a ``.env`` file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shopagent.mcp_config import McpServerConfig


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHOPAGENT_", env_file=".env", extra="ignore", env_nested_delimiter="__"
    )

    # --- deployment -------------------------------------------------------------------------
    environment: Literal["development", "test", "production"] = Field(
        "development", description="'production' refuses a dev key and requires hashed API keys."
    )
    data_dir: Path = Field(
        Path("data"), description="Embedded state: index, SQLite, models, images."
    )
    host: str = Field("127.0.0.1", description="Address `shopagent serve` binds.")
    port: int = Field(8000, description="Port `shopagent serve` binds.")
    log_level: str = Field("INFO", description="Log level; INFO never logs message text or keys.")

    # --- session state ----------------------------------------------------------------------
    state_backend: Literal["sqlite", "redis"] = Field(
        "sqlite", description="Checkpoints, carts, orders, sessions: SQLite file or Redis."
    )
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis (>= 6, no modules).")
    redis_cluster: bool = Field(False, description="redis_url names a Redis Cluster node.")
    cart_ttl_s: int = Field(30 * 24 * 3600, description="Cart lifetime after its last change.")
    profile_ttl_s: int = Field(180 * 24 * 3600, description="Shopper profile lifetime.")
    idempotency_ttl_s: int = Field(
        7 * 24 * 3600, description="How long a write's idempotency record is kept."
    )
    checkpoint_ttl_s: int = Field(
        0, description="Session (checkpoint) lifetime in Redis; 0 keeps it until deleted."
    )

    # --- retrieval --------------------------------------------------------------------------
    index_backend: Literal["edge", "server"] = Field(
        "edge", description="Embedded Qdrant Edge in data_dir, or a Qdrant server/cluster."
    )
    qdrant_url: str = Field("http://127.0.0.1:6333", description="Qdrant server (backend server).")
    qdrant_api_key: SecretStr | None = Field(None, description="Qdrant server API key.")
    qdrant_collection: str = Field("products", description="Collection name.")
    qdrant_timeout_s: float = Field(10.0, description="Qdrant server request timeout.")
    qdrant_shard_number: int = Field(
        1,
        ge=1,
        description="Backend server: shards of a new collection (spread over a cluster's "
        "nodes; docs/scale.md).",
    )
    qdrant_replication_factor: int = Field(
        1, ge=1, description="Backend server: copies of each shard in a cluster."
    )
    qdrant_write_consistency_factor: int = Field(
        1, ge=1, description="Backend server: replicas that must confirm a write."
    )
    index_quantization: Literal["scalar", "binary", "none"] = Field(
        "scalar",
        description="Compressed copy of the text vectors kept in RAM (int8 scalar, 1-bit "
        "binary, none); results are rescored on the floats. Set when the index is created "
        "(docs/scale.md).",
    )
    index_vectors_on_disk: bool = Field(
        False,
        description="Text vectors' floats memory-mapped from disk and read on demand to "
        "rescore, instead of loaded into RAM when the index opens (~1.5 KB per product "
        "less; each rescored candidate may then be a disk read). Image vectors are always "
        "int8 codes in RAM and floats on disk. Set at index creation (docs/scale.md).",
    )
    index_payload_on_disk: Literal["auto"] | bool = Field(
        "auto",
        description="Stored payload (the product records a page shows): auto keeps it in "
        "RAM while it fits SHOPAGENT_INDEX_PAYLOAD_RAM_MB and memory-maps it from disk above "
        "(each hit of a page is then a disk read after a restart); true / false force it. "
        "Filters use payload indexes in RAM either way. Embedded engine: decided when the "
        "index opens and applied when it is optimised (after every ingest); server: at "
        "collection creation, auto = on disk (docs/scale.md).",
    )
    index_payload_ram_mb: int = Field(
        256,
        ge=0,
        description="With SHOPAGENT_INDEX_PAYLOAD_ON_DISK=auto: the most stored payload kept "
        "in RAM (~0.9 KB per product on disk: ~280k products; 1M products' ~0.9 GB stay on "
        "disk).",
    )
    index_oversampling: float = Field(
        2.0,
        ge=1.0,
        description="Candidates scored on quantised vectors per wanted result before rescoring.",
    )
    index_hnsw_ef: int = Field(
        256,
        ge=8,
        description="HNSW search breadth (recall vs latency). Below the candidates a "
        "query asks for (prefetch 100 x oversampling 2) it changes nothing; 256 kept 1M "
        "recall@10 at 0.971 (0.958 at 128) for ~0.5 ms at p50, ~1 ms at p99 (docs/scale.md).",
    )
    index_search_threads: int = Field(
        0,
        ge=0,
        description="Search threads of the embedded engine (Qdrant Edge; its own default is "
        "8 on 2 cores). 0 = one per segment that holds points, at most 2 (a built index is "
        "one segment plus an empty appendable one: 1 thread); the pool runs segments side "
        "by side, extra threads only spin (docs/scale.md). Applied whenever the index opens.",
    )
    text_encoder: Literal["onnx-int8", "onnx", "torch"] = Field(
        "onnx-int8",
        description="MiniLM text encoder: onnx-int8 (fastest on CPU, cosine ~0.993 to "
        "torch), onnx (fp32, torch's vectors), torch (the reference). An index made by "
        "another one needs `shopagent reembed`.",
    )
    image_encoder: Literal["descriptor", "clip"] = Field(
        "descriptor", description="Weight-free colour/shape descriptors, or CLIP from a path."
    )
    clip_model_path: Path | None = Field(
        None, description="Local folder of a CLIP/SigLIP model (image_encoder=clip)."
    )
    demo_catalog_size: int = Field(5000, description="Products in the generated demo catalog.")
    demo_catalog_seed: int = Field(7, description="Seed of the demo catalog generator.")
    ingest_max_delete_share: float = Field(
        0.2,
        ge=0,
        le=1,
        description="`ingest --delete-missing` deletes at most this share of the catalog "
        "unless given --force.",
    )
    image_fetch_timeout_s: float = Field(10.0, description="Feed image download timeout.")
    image_fetch_max_bytes: int = Field(
        10 * 1024 * 1024, description="Largest feed image downloaded."
    )

    # --- model tiers ------------------------------------------------------------------------
    embedded_model_dir: Path | None = Field(
        None, description="Embedded NLU artifact; default <data_dir>/models/embedded."
    )
    nlu_confidence_threshold: float = Field(
        0.6, description="Below this NLU confidence the router escalates."
    )
    embedded_threads: int = Field(
        1,
        description="Torch threads per embedded NLU call of a torch-runtime model (older "
        "artifacts); 0 = torch default. The ONNX runtime runs one thread.",
    )
    local_base_url: str | None = Field(
        None, description="OpenAI-compatible URL of the local VLM (vLLM), e.g. http://vllm:8000/v1."
    )
    local_model: str = Field(
        "shop-lora", description="Model or LoRA module name on the local tier."
    )
    local_api_key: SecretStr = Field(SecretStr("EMPTY"), description="Local tier API key.")
    local_timeout_s: float = Field(30.0, description="Local tier request timeout.")
    frontier_base_url: str | None = Field(
        None, description="OpenAI-compatible URL of the frontier tier."
    )
    frontier_model: str = Field("gpt-4.1", description="Frontier model name.")
    frontier_api_key: SecretStr | None = Field(None, description="Frontier tier API key.")
    frontier_timeout_s: float = Field(60.0, description="Frontier tier request timeout.")
    model_max_retries: int = Field(
        1, description="Retries of a failed model request (the SDK's; the only retry layer)."
    )

    # --- agent bounds -----------------------------------------------------------------------
    max_steps_per_turn: int = Field(6, description="Tool rounds per turn before it ends.")
    max_tokens_per_turn: int = Field(8000, description="Model tokens per turn before it ends.")
    turn_deadline_s: float = Field(60.0, description="Wall-clock limit of one turn.")

    # --- tools ------------------------------------------------------------------------------
    tool_plugins_allow: list[str] = Field(
        default_factory=list, description="Entry points in group 'shopagent.tools' allowed to load."
    )

    # --- MCP (docs/mcp.md) --------------------------------------------------------------------
    mcp_servers: list[McpServerConfig] = Field(
        default_factory=list,
        description="Product teams' MCP servers whose allowed tools join the registry "
        "(JSON list; see shopagent/mcp_config.py).",
    )
    plugin_match_threshold: float = Field(
        0.6,
        description="Cosine similarity (MiniLM) at which the embedded tier takes a turn as a "
        "request for a tool that declares example requests.",
    )
    mcp_token_secret: SecretStr | None = Field(
        None,
        description="Signs the confirmation tokens of writes over /mcp; unset: a secret kept "
        "in <data_dir>/mcp (set one shared value for several replicas).",
    )
    mcp_confirm_ttl_s: float = Field(
        900.0, description="How long a write proposed over MCP can be confirmed."
    )

    # --- API --------------------------------------------------------------------------------
    api_keys: dict[str, str] = Field(
        default_factory=dict, description="sha256(key) hex -> user id. Keys are stored hashed."
    )
    dev_api_key: SecretStr | None = Field(
        None, description="Development only: a plain key for user 'dev' (make run prints it)."
    )
    max_body_bytes: int = Field(12 * 1024 * 1024, description="Largest request body.")
    max_message_chars: int = Field(2000, description="Longest chat message.")
    max_image_bytes: int = Field(8 * 1024 * 1024, description="Largest uploaded image.")
    max_image_pixels: int = Field(40_000_000, description="Most pixels in an uploaded image.")
    rate_limit_per_minute: int = Field(60, description="Requests per user per minute.")
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed to call the API from a browser."
    )
    turn_lock_ttl_s: float = Field(
        5.0,
        description="Redis turn lock lifetime; a heartbeat renews it while the turn runs, so "
        "a crashed process frees its sessions within this time.",
    )
    instance_id: str | None = Field(
        None,
        description="Names this API process in the turn locks it holds; at startup it clears "
        "its own stale ones (default: host name and port).",
    )
    expose_docs: bool | None = Field(
        None, description="Serve /docs and /openapi.json (default: yes, except in production)."
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="Bearer token /metrics requires; in production /metrics is 404 unless "
        "one is set.",
    )
    auth_failures_per_minute: int = Field(
        20, description="Failed API-key checks per client address per minute before 429."
    )
    shutdown_grace_s: float = Field(
        20.0,
        description="On SIGTERM, how long running turns may finish; new turns get 503.",
    )
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
    def docs_exposed(self) -> bool:
        return (
            self.expose_docs if self.expose_docs is not None else (self.environment != "production")
        )

    @property
    def lock_owner(self) -> str:
        if self.instance_id:
            return self.instance_id
        import socket

        return f"{socket.gethostname()}:{self.port}"

    @property
    def embedded_model_path(self) -> Path:
        return self.embedded_model_dir or self.data_dir / "models" / "embedded"


@lru_cache
def get_settings() -> Settings:
    return Settings()
