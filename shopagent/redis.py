"""The one way the service connects to Redis.

Every component (API limits and locks, commerce stores, the checkpointer) builds its async
client here, so all of them share the same policy: a bounded, blocking connection pool. A
burst of turns then waits briefly for a free connection instead of opening one socket per
command until the process runs out of file descriptors (found by bench/api_load.py).
"""

from __future__ import annotations

from typing import Any

from shopagent.settings import Settings

MAX_CONNECTIONS = 64  # per component and process
POOL_TIMEOUT_S = 5.0  # waiting longer than this for a connection is an error (503)


def tag_safe(value: str) -> str:
    """``value`` made safe inside a Redis Cluster hash tag ``{...}``: a ``}`` would end the
    tag early and split one owner's keys over slots. Reversible (percent-escaping)."""
    return value.replace("%", "%25").replace("{", "%7B").replace("}", "%7D")


def async_redis(settings: Settings, *, max_connections: int = MAX_CONNECTIONS) -> Any:
    import redis.asyncio as aredis

    if settings.redis_cluster:  # the cluster client keeps a bounded pool per node itself
        return aredis.RedisCluster.from_url(settings.redis_url, max_connections=max_connections)
    pool: Any = aredis.BlockingConnectionPool.from_url(
        settings.redis_url, max_connections=max_connections, timeout=POOL_TIMEOUT_S
    )
    return aredis.Redis(connection_pool=pool)
