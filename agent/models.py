"""OpenAI-compatible model tiers: ``local`` (vLLM serving the fine-tuned VLM) and
``frontier`` (any OpenAI-compatible API). One client class, two configurations.

The official ``openai`` SDK is the only retry layer (``max_retries`` from settings):
stacking our own retries on top would multiply latency on a dead endpoint.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import openai

from shopagent.errors import ModelError
from shopagent.settings import Settings


@dataclass
class ModelToolCall:
    id: str
    name: str
    arguments: str  # raw JSON text as the model produced it; validated by the tool layer


@dataclass
class ModelReply:
    text: str = ""
    tool_calls: list[ModelToolCall] = field(default_factory=list)
    tokens_in: int = 0
    tokens_out: int = 0
    finish_reason: str | None = None


@dataclass(frozen=True)
class ModelEndpoint:
    tier: str
    base_url: str
    model: str
    api_key: str
    timeout_s: float
    max_retries: int


def endpoints_from_settings(settings: Settings) -> dict[str, ModelEndpoint]:
    """The configured OpenAI-compatible tiers; an unconfigured tier is simply absent."""
    out: dict[str, ModelEndpoint] = {}
    if settings.local_base_url:
        out["local"] = ModelEndpoint(
            "local",
            settings.local_base_url,
            settings.local_model,
            settings.local_api_key.get_secret_value(),
            settings.local_timeout_s,
            settings.model_max_retries,
        )
    if settings.frontier_base_url:
        key = settings.frontier_api_key.get_secret_value() if settings.frontier_api_key else "none"
        out["frontier"] = ModelEndpoint(
            "frontier",
            settings.frontier_base_url,
            settings.frontier_model,
            key,
            settings.frontier_timeout_s,
            settings.model_max_retries,
        )
    return out


def _http_client() -> Any:
    """The SDK's aiohttp transport (``openai[aiohttp]``): the same client, timeouts and
    retries, at about half the CPU per streamed call of its default httpx pool, whose
    per-request scan of idle connections grows with concurrency (profiled under
    bench/api_load.py). Falls back to the default when aiohttp is not installed."""
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return None
    return openai.DefaultAioHttpClient()


def _refused(exc: BaseException) -> bool:
    """The aiohttp transport reports a refused connection as a connect *timeout*; the
    cause chain tells them apart (an OSError that is not a timeout)."""
    seen: BaseException | None = exc.__cause__ or exc.__context__
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, OSError) and not isinstance(seen, TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class ChatModel:
    """Streams one chat completion with tools; images travel as ``image_url`` data URLs."""

    def __init__(self, endpoint: ModelEndpoint) -> None:
        self.endpoint = endpoint
        self.tier = endpoint.tier
        self._client = openai.AsyncOpenAI(
            base_url=endpoint.base_url,
            api_key=endpoint.api_key,
            timeout=endpoint.timeout_s,
            max_retries=endpoint.max_retries,
            http_client=_http_client(),
        )
        self._tools_json: dict[tuple[str, ...], tuple[list[Any], str]] = {}

    def _body(self, kwargs: dict[str, Any]) -> bytes:
        """The request JSON. The tool schemas are the same on every call with a tool set and
        make up most of the body, so their JSON is encoded once per set (a deep equality
        check, far cheaper than encoding, guards against a changed schema)."""
        tools = kwargs.get("tools")
        rest = {k: v for k, v in kwargs.items() if k != "tools"}
        head = json.dumps(rest, ensure_ascii=False, separators=(",", ":"))
        if not tools:
            return head.encode()
        names = tuple(t.get("function", {}).get("name", "") for t in tools)
        cached = self._tools_json.get(names)
        if cached is None or cached[0] != tools:
            if len(self._tools_json) >= 64:  # tool sets are few; never grow without bound
                self._tools_json.clear()
            cached = (
                copy.deepcopy(tools),
                json.dumps(tools, ensure_ascii=False, separators=(",", ":")),
            )
            self._tools_json[names] = cached
        return f'{head[:-1]},"tools":{cached[1]}}}'.encode()

    async def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        *,
        max_tokens: int | None = None,
        on_delta: Callable[[str], None] | None = None,
    ) -> ModelReply:
        kwargs: dict[str, Any] = {
            "model": self.endpoint.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if tools:
            kwargs["tools"] = tools
            kwargs["tool_choice"] = "auto"
        if max_tokens:
            kwargs["max_tokens"] = max_tokens
        reply = ModelReply()
        calls: dict[int, dict[str, str]] = {}
        text: list[str] = []
        try:
            # The SDK's generic ``post`` keeps its auth, timeouts, retries and errors but
            # skips ``chat.completions.create``'s typed-dict transform of every message and
            # tool schema and its pydantic model per chunk: together about 60% of the
            # client's CPU per call (profiled), and our body is plain JSON already.
            stream = await self._client.post(
                "/chat/completions",
                content=self._body(kwargs),
                cast_to=object,
                stream=True,
                stream_cls=openai.AsyncStream[object],
            )
            async for chunk in stream:
                if not isinstance(chunk, dict):
                    continue
                usage = chunk.get("usage")
                if usage:
                    reply.tokens_in = usage.get("prompt_tokens") or 0
                    reply.tokens_out = usage.get("completion_tokens") or 0
                for choice in chunk.get("choices") or ():
                    if choice.get("finish_reason"):
                        reply.finish_reason = choice["finish_reason"]
                    delta = choice.get("delta")
                    if not delta:
                        continue
                    content = delta.get("content")
                    if content:
                        text.append(content)
                        if on_delta is not None:
                            on_delta(content)
                    for tc in delta.get("tool_calls") or ():
                        slot = calls.setdefault(
                            tc.get("index", 0), {"id": "", "name": "", "arguments": ""}
                        )
                        if tc.get("id"):
                            slot["id"] = tc["id"]
                        fn = tc.get("function") or {}
                        slot["name"] += fn.get("name") or ""
                        slot["arguments"] += fn.get("arguments") or ""
        except openai.APIStatusError as exc:
            raise ModelError(
                f"{self.tier} model answered HTTP {exc.status_code}", code="model_http_error"
            ) from exc
        except openai.APITimeoutError as exc:
            if _refused(exc):
                raise ModelError(
                    f"{self.tier} model unreachable", code="model_unreachable"
                ) from exc
            raise ModelError(f"{self.tier} model timed out", code="model_timeout") from exc
        except openai.APIConnectionError as exc:
            raise ModelError(f"{self.tier} model unreachable", code="model_unreachable") from exc
        except openai.OpenAIError as exc:
            raise ModelError(f"{self.tier} model failed: {exc}", code="model_error") from exc
        reply.text = "".join(text)
        reply.tool_calls = [
            ModelToolCall(
                id=c["id"] or f"call_{i}", name=c["name"], arguments=c["arguments"] or "{}"
            )
            for i, c in sorted(calls.items())
        ]
        if not reply.tokens_in:  # servers that omit usage: a rough estimate keeps budgets honest
            reply.tokens_in = sum(len(json.dumps(m)) for m in messages) // 4
            reply.tokens_out = (
                len(reply.text) + sum(len(c.arguments) for c in reply.tool_calls)
            ) // 4
        return reply

    async def ping(self) -> tuple[bool, str]:
        """Readiness: the endpoint lists models (vLLM and OpenAI both serve GET /models)."""
        url = self.endpoint.base_url.rstrip("/") + "/models"
        try:
            async with httpx.AsyncClient(timeout=3.0) as client:
                resp = await client.get(
                    url, headers={"Authorization": f"Bearer {self.endpoint.api_key}"}
                )
        except httpx.HTTPError as exc:
            return False, f"unreachable: {type(exc).__name__}"
        if resp.status_code != 200:
            return False, f"HTTP {resp.status_code}"
        return True, self.endpoint.model

    async def aclose(self) -> None:
        await self._client.close()
