"""agent_overhead: what the graph itself costs per turn.

One turn through the whole graph (understand -> route -> act -> tools -> act -> respond)
with a zero-latency scripted model making 2 tool calls, real Redis checkpointing. The
model is an in-process stand-in with the ChatModel interface, so no HTTP time is counted.
Targets on 2 cores: p50 <= 15 ms, p99 <= 40 ms.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support import in_process_service, percentile, redis_server, rss_mb, write_result  # noqa: E402

TURNS = 300
WARMUP = 20


class ScriptedModel:
    """Zero-latency model: two tool calls, then a short answer."""

    tier = "local"

    async def complete(self, messages: list[dict[str, Any]], tools: Any, **_: Any) -> Any:
        from shopagent.agent.models import ModelReply, ModelToolCall

        if messages[-1]["role"] == "tool":
            return ModelReply(
                text="Your cart is empty and you have no orders.", tokens_in=10, tokens_out=8
            )
        return ModelReply(
            tool_calls=[
                ModelToolCall("c1", "view_cart", "{}"),
                ModelToolCall("c2", "list_orders", "{}"),
            ],
            tokens_in=10,
            tokens_out=8,
        )

    async def ping(self) -> tuple[bool, str]:
        return True, "scripted"

    async def aclose(self) -> None:
        return None


async def run(redis_url: str, data_dir: Path) -> dict[str, Any]:
    from shopagent.settings import Settings

    settings = Settings(data_dir=data_dir, state_backend="redis", redis_url=redis_url)
    put_ms: list[float] = []
    async with in_process_service(settings, ScriptedModel()) as svc:
        sessions, saver = svc.sessions, svc.checkpointer
        original = saver.aput

        async def timed_put(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                put_ms.append((time.perf_counter() - t0) * 1000)

        saver.aput = timed_put
        turn_ms: list[float] = []
        for i in range(WARMUP + TURNS):
            sid = (await sessions.create_session("bench")).session_id
            t0 = time.perf_counter()
            events = [
                e
                async for e in svc.stream_turn(
                    user_id="bench", session_id=sid, text="what's in my cart and my orders?"
                )
            ]
            elapsed = (time.perf_counter() - t0) * 1000
            assert events[-1].type == "done" and sum(e.type == "tool_result" for e in events) == 2
            if i >= WARMUP:
                turn_ms.append(elapsed)
        put_ms = put_ms[-len(turn_ms) * 6 :]
    return {
        "turns": TURNS,
        "tool_calls_per_turn": 2,
        "turn_overhead_p50_ms": round(percentile(turn_ms, 50), 2),
        "turn_overhead_p99_ms": round(percentile(turn_ms, 99), 2),
        "checkpoint_put_p50_ms": round(percentile(put_ms, 50), 3),
        "checkpoints_per_turn": round(len(put_ms) / max(1, len(turn_ms)), 1),
        "rss_mb": round(rss_mb(), 1),
        "target": "p50 <= 15 ms, p99 <= 40 ms (2 cores)",
    }


def main() -> None:
    with redis_server() as url, tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(run(url, Path(tmp)))
    write_result("agent_overhead", result)


if __name__ == "__main__":
    main()
