"""turn_cpu: CPU time of the two largest parts of a routine turn, measured alone.

- model_client_cpu_ms_per_call: one streamed chat completion through ``ChatModel`` (the
  real client code) against the scripted OpenAI-compatible server on loopback, with the
  real tool schemas and a short history; CPU of the calling thread only (the server runs
  in another thread), at 1 and at 50 calls in flight.
- service_cpu_ms_per_turn: one routine turn (one model call, no tools) through
  ``AgentService`` with SQLite state and an in-process zero-latency model, 50 sessions of
  12 turns each, so histories grow as in a conversation.

No target of its own: these explain where api_load's server CPU per turn goes
(docs/performance.md).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support import in_process_service, write_result  # noqa: E402

REPLY = "Here are a few options you might like."


async def model_client(calls: int = 400) -> dict[str, float]:
    from shopagent.agent.fake_openai import FakeOpenAIServer, FakeReply
    from shopagent.agent.models import ChatModel, ModelEndpoint
    from shopagent.settings import Settings
    from shopagent.tools.builtin import build_registry

    tools = build_registry(Settings()).openai_schemas()
    history = [
        {"role": "system", "content": "You are a shopping assistant. " * 30},
        *[
            {"role": r, "content": c}
            for _ in range(3)
            for r, c in (("user", "linen shirts size 1"), ("assistant", REPLY))
        ],
    ]
    reply = FakeReply(text=REPLY, delay_s=0.02)
    out: dict[str, float] = {}
    with FakeOpenAIServer(responder=lambda body: reply) as server:
        model = ChatModel(ModelEndpoint("local", server.base_url, "fake", "k", 10, 1))
        try:
            for _ in range(20):  # warm up: connections, caches
                await model.complete(history, tools)
            for in_flight in (1, 50):
                gate = asyncio.Semaphore(in_flight)

                async def one(gate: asyncio.Semaphore = gate) -> None:
                    async with gate:
                        await model.complete(history, tools)

                cpu0 = time.thread_time()
                await asyncio.gather(*(one() for _ in range(calls)))
                out[f"model_client_cpu_ms_per_call_{in_flight}_in_flight"] = round(
                    (time.thread_time() - cpu0) * 1000 / calls, 2
                )
        finally:
            await model.aclose()
    return out


class _Model:
    """Zero-latency in-process model: streams a short answer, no tool calls."""

    tier = "local"

    async def complete(self, messages: list[dict[str, Any]], tools: Any, **kw: Any) -> Any:
        from shopagent.agent.models import ModelReply

        if kw.get("on_delta"):
            for word in REPLY.split():
                kw["on_delta"](word + " ")
        return ModelReply(text=REPLY, tokens_in=10, tokens_out=8)

    async def ping(self) -> tuple[bool, str]:
        return True, "in-process"

    async def aclose(self) -> None:
        return None


async def service(data: Path, sessions_n: int = 50, turns_each: int = 12) -> dict[str, float]:
    from shopagent.settings import Settings

    settings = Settings(data_dir=data, state_backend="sqlite")
    async with in_process_service(settings, _Model()) as svc:
        sessions = svc.sessions
        sids = [(await sessions.create_session("bench")).session_id for _ in range(sessions_n)]
        wall: list[float] = []
        cpu0 = time.process_time()
        total = sessions_n * turns_each
        for i in range(total):
            t0 = time.perf_counter()
            events = [
                e
                async for e in svc.stream_turn(
                    user_id="bench", session_id=sids[i % sessions_n], text=f"linen shirts {i}"
                )
            ]
            wall.append((time.perf_counter() - t0) * 1000)
            assert events[-1].type == "done" and not any(e.type == "error" for e in events)
        cpu_ms = (time.process_time() - cpu0) * 1000 / total
    return {
        "service_turns": total,
        "service_cpu_ms_per_turn": round(cpu_ms, 2),
        "service_turn_p50_ms": round(statistics.median(wall), 2),
    }


def main() -> None:
    result: dict[str, Any] = asyncio.run(model_client())
    with tempfile.TemporaryDirectory() as tmp:
        result.update(asyncio.run(service(Path(tmp))))
    write_result("turn_cpu", result)


if __name__ == "__main__":
    main()
