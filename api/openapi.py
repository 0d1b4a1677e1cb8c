"""The OpenAPI document: error bodies on every route, SSE events as schemas.

FastAPI documents JSON bodies by itself. What it cannot see is added here:
- the error body ``{"error": {"code", "message"}}`` for every 4xx a route can answer;
- the SSE stream of a turn: every event model goes into ``components/schemas`` and the
  ``text/event-stream`` response carries an ``itemSchema`` (the OpenAPI 3.2 way, also what
  FastAPI's own SSE support emits) whose ``data`` is one of those events, by ``type``;
- links from a created session to the routes that take its id, so clients and
  Schemathesis' stateful tests can follow the conversation flow.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from shopagent.api.schema import SSE_EVENT_MODELS, ErrorBody

_ERR = {"model": ErrorBody}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    503: {**_ERR, "description": "Session store (Redis) unavailable; retry shortly"},
    400: {**_ERR, "description": "Bad request (e.g. an empty message, a damaged image)"},
    401: {**_ERR, "description": "Missing or invalid API key"},
    404: {**_ERR, "description": "No such resource, or it belongs to another user"},
    409: {**_ERR, "description": "A turn is already running in this session"},
    413: {**_ERR, "description": "Body, image or pixel count over the limit"},
    415: {**_ERR, "description": "Wrong media type"},
    422: {**_ERR, "description": "Malformed JSON or invalid fields"},
    429: {
        **_ERR,
        "description": "Rate limit exceeded; see Retry-After",
        "headers": {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
        },
    },
}

_EVENT_NAMES = [m.model_fields["type"].default for m in SSE_EVENT_MODELS]
_SSE_DESCRIPTION = (
    "A stream of Server-Sent Events. Each event's `event:` field is its type and its "
    "`data:` field the JSON of that event (see `itemSchema` and the *Event schemas). "
    "Order: route, then any of tool_call/tool_result/products/message_delta, then message "
    "or confirm_required; `error` reports a failure; `done` is always last."
)

SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": _SSE_DESCRIPTION,
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    },
}


def _sse_item_schema() -> dict[str, Any]:
    refs = {
        name: f"#/components/schemas/{m.__name__}"
        for name, m in zip(_EVENT_NAMES, SSE_EVENT_MODELS, strict=True)
    }
    return {
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"type": "string", "enum": _EVENT_NAMES},
            "id": {"type": "string", "description": "Sequence number within the turn"},
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": {
                    "oneOf": [{"$ref": r} for r in refs.values()],
                    "discriminator": {"propertyName": "type", "mapping": refs},
                },
            },
        },
    }


def build_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    spec = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=getattr(app, "openapi_tags", None),
    )
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    _, defs = models_json_schema(
        [(m, "serialization") for m in SSE_EVENT_MODELS],
        ref_template="#/components/schemas/{model}",
    )
    for name, schema in defs.get("$defs", {}).items():
        schemas.setdefault(name, schema)

    # Limits that come from settings, stated where clients (and Schemathesis) read them.
    settings = getattr(app.state, "settings", None)
    message = schemas.get("MessageIn", {})
    if settings is not None and "text" in message.get("properties", {}):
        message["properties"]["text"]["maxLength"] = settings.max_message_chars
    # A message needs text (not only blanks) or a photo.
    message["anyOf"] = [
        {"required": ["text"], "properties": {"text": {"pattern": r"\S"}}},
        {"required": ["image_id"], "properties": {"image_id": {"type": "string"}}},
    ]

    schemas["SseEvent"] = _sse_item_schema()
    links = {
        "GetSession": "get_session",
        "DeleteSession": "delete_session",
        "SendMessage": "post_message",
        "Confirm": "post_confirm",
    }
    for path_item in spec.get("paths", {}).values():
        for op in path_item.values():
            if not isinstance(op, dict):
                continue
            for status, response in op.get("responses", {}).items():
                content = response.get("content", {})
                sse = content.get("text/event-stream")
                if sse is None:
                    continue
                if status == "200":
                    # OpenAPI 3.2: itemSchema is one event, schema the whole stream as an
                    # array of events, with exactly one done.
                    sse["itemSchema"] = {"$ref": "#/components/schemas/SseEvent"}
                    sse["schema"] = {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/SseEvent"},
                        "contains": {"properties": {"event": {"const": "done"}}},
                        "minContains": 1,
                        "maxContains": 1,
                    }
                    content.pop("application/json", None)
                else:  # FastAPI gives an SSE route's errors its media type; they are JSON
                    content["application/json"] = content.pop("text/event-stream")
            if op.get("operationId") == "create_session":
                op["responses"]["201"]["links"] = {
                    name: {
                        "operationId": target,
                        "parameters": {"session_id": "$response.body#/session_id"},
                    }
                    for name, target in links.items()
                }
    spec["info"]["x-sse-events"] = _EVENT_NAMES
    app.openapi_schema = spec
    return spec
