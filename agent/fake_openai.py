"""A scripted OpenAI-compatible chat server on loopback, for tests and benchmarks.

It speaks the same protocol vLLM serves (``/v1/chat/completions`` with tools, streaming
and non-streaming, ``/v1/models``), so the real client code is exercised end to end.
Responses come from a script (a queue) or a responder function; every request is
recorded. This is the model boundary: only models are faked, never our own code.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse


@dataclass
class FakeReply:
    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any] | str]] = field(default_factory=list)
    status: int = 200  # non-200 answers an error body
    delay_s: float = 0.0
    tokens_in: int = 50
    tokens_out: int = 20


Responder = Callable[[dict[str, Any]], FakeReply]


class FakeOpenAIServer:
    def __init__(self, model: str = "fake-model", responder: Responder | None = None) -> None:
        self.model = model
        self.script: deque[FakeReply] = deque()
        self.responder = responder
        self.requests: list[dict[str, Any]] = []
        self.on_request: Callable[[dict[str, Any]], None] | None = None
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.app = self._build_app()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def push(self, *replies: FakeReply) -> None:
        self.script.extend(replies)

    def _next(self, body: dict[str, Any]) -> FakeReply:
        if self.script:
            return self.script.popleft()
        if self.responder is not None:
            return self.responder(body)
        return FakeReply(text="(fake model: no scripted reply)")

    def _build_app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/models")
        async def models() -> dict[str, Any]:
            return {"object": "list", "data": [{"id": self.model, "object": "model"}]}

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> Any:
            body = await request.json()
            self.requests.append(body)
            if self.on_request is not None:
                self.on_request(body)
            reply = self._next(body)
            if reply.delay_s:
                await asyncio.sleep(reply.delay_s)
            if reply.status != 200:
                return JSONResponse(
                    {"error": {"message": "scripted failure", "type": "server_error"}},
                    status_code=reply.status,
                )
            if body.get("stream"):
                return StreamingResponse(self._stream(reply), media_type="text/event-stream")
            return self._full(reply)

        return app

    def _tool_calls(self, reply: FakeReply) -> list[dict[str, Any]]:
        return [
            {
                "id": f"call_{uuid.uuid4().hex[:12]}",
                "type": "function",
                "function": {
                    "name": name,
                    "arguments": args if isinstance(args, str) else json.dumps(args),
                },
            }
            for name, args in reply.tool_calls
        ]

    def _full(self, reply: FakeReply) -> dict[str, Any]:
        msg: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
        if reply.tool_calls:
            msg["tool_calls"] = self._tool_calls(reply)
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:8]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": msg,
                    "finish_reason": "tool_calls" if reply.tool_calls else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": reply.tokens_in,
                "completion_tokens": reply.tokens_out,
                "total_tokens": reply.tokens_in + reply.tokens_out,
            },
        }

    async def _stream(self, reply: FakeReply) -> AsyncIterator[str]:
        base = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:8]}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.model,
        }

        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            data = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            return f"data: {json.dumps(data)}\n\n"

        yield chunk({"role": "assistant"})
        words = reply.text.split(" ") if reply.text else []
        for i, word in enumerate(words):
            yield chunk({"content": word if i == 0 else " " + word})
        for i, call in enumerate(self._tool_calls(reply)):
            yield chunk(
                {
                    "tool_calls": [
                        {
                            "index": i,
                            "id": call["id"],
                            "type": "function",
                            "function": {"name": call["function"]["name"], "arguments": ""},
                        }
                    ]
                }
            )
            yield chunk(
                {
                    "tool_calls": [
                        {"index": i, "function": {"arguments": call["function"]["arguments"]}}
                    ]
                }
            )
        yield chunk({}, "tool_calls" if reply.tool_calls else "stop")
        usage = {
            **base,
            "choices": [],
            "usage": {
                "prompt_tokens": reply.tokens_in,
                "completion_tokens": reply.tokens_out,
                "total_tokens": reply.tokens_in + reply.tokens_out,
            },
        }
        yield f"data: {json.dumps(usage)}\n\n"
        yield "data: [DONE]\n\n"

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> FakeOpenAIServer:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake OpenAI server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
