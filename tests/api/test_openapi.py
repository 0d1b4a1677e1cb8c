"""The published OpenAPI document is complete: every body, response and SSE event has a
schema a client generator can use."""

from __future__ import annotations

from pathlib import Path

from shopagent.api import create_app
from shopagent.api._scripted import ScriptedAgentService
from shopagent.api.schema import SSE_EVENT_MODELS
from tests.api.helpers import make_settings


def _spec() -> dict:  # type: ignore[type-arg]
    return create_app(
        make_settings(Path("/nonexistent")), open_service=ScriptedAgentService.open
    ).openapi()


def test_every_operation_documents_bodies_and_error_shapes() -> None:
    spec = _spec()
    ops = [
        (path, method, op) for path, item in spec["paths"].items() for method, op in item.items()
    ]
    assert {(p, m) for p, m, _ in ops} >= {
        ("/v1/sessions", "post"),
        ("/v1/sessions", "get"),
        ("/v1/sessions/{session_id}", "get"),
        ("/v1/sessions/{session_id}", "delete"),
        ("/v1/sessions/{session_id}/messages", "post"),
        ("/v1/sessions/{session_id}/confirm", "post"),
        ("/v1/images", "post"),
        ("/v1/tools", "get"),
        ("/v1/cart", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
    }
    for path, method, op in ops:
        assert op.get("operationId"), (path, method)
        if "requestBody" in op:
            for media in op["requestBody"]["content"].values():
                schema = media["schema"]
                assert "$ref" in schema or schema.get("type") or schema.get("anyOf"), (path, method)
        for status, response in op["responses"].items():
            if status == "204":
                continue
            assert response.get("content"), (path, method, status)
            for media_type, media in response["content"].items():
                assert media.get("schema"), (path, method, status, media_type)
            if path.startswith("/v1") and status.startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)


def test_sse_events_are_schemas_in_the_spec() -> None:
    spec = _spec()
    schemas = spec["components"]["schemas"]
    for model in SSE_EVENT_MODELS:
        assert model.__name__ in schemas
        assert schemas[model.__name__]["properties"]["type"]["const"] == (
            model.model_fields["type"].default
        )
    for path in ("/v1/sessions/{session_id}/messages", "/v1/sessions/{session_id}/confirm"):
        stream = spec["paths"][path]["post"]["responses"]["200"]["content"]
        assert list(stream) == ["text/event-stream"]
        assert stream["text/event-stream"]["itemSchema"] == {
            "$ref": "#/components/schemas/SseEvent"
        }
    data = schemas["SseEvent"]["properties"]["data"]
    assert data["contentMediaType"] == "application/json"
    assert len(data["contentSchema"]["oneOf"]) == len(SSE_EVENT_MODELS)
    assert schemas["MessageIn"]["properties"]["text"]["maxLength"] == 2000
