"""Schemathesis against the published OpenAPI document, over real HTTP (uvicorn).

Property-based requests per operation (valid and invalid), then a stateful run that
follows the spec's links (create a session -> message it, confirm, read, delete). Any
5xx, any response that breaks the documented schema, status code or content type fails.
Bounded by example counts so the default run stays within ~30-60 s on 2 cores.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from shopagent.api import create_app
from shopagent.api._scripted import ScriptedAgentService
from shopagent.api.deps import hash_key
from tests.api.helpers import ALICE, LiveServer, make_settings

pytestmark = pytest.mark.schemathesis

# The spec states settings-derived limits (message length): build it with the server's.
_LIMITS = {"max_message_chars": 500}
_SPEC_SETTINGS = make_settings(Path("/nonexistent-schemathesis"), **_LIMITS)
schema = schemathesis.openapi.from_dict(
    create_app(_SPEC_SETTINGS, open_service=ScriptedAgentService.open).openapi()
)

_HYPOTHESIS = settings(
    max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("schemathesis-data")
    app = create_app(
        make_settings(data, **_LIMITS), open_service=lambda s: ScriptedAgentService.open(s)
    )
    with LiveServer(app) as live:
        yield live


def _excluded(case: Any) -> list[Any]:
    # JSON Schema cannot say "the bytes of a PNG": random bytes sent as a photo are rightly
    # refused (a documented 400/415). Every other check, 5xx included, still applies.
    return [positive_data_acceptance] if case.operation.path == "/v1/images" else []


@schema.parametrize()
@_HYPOTHESIS
def test_every_operation_answers_within_its_spec(case: Any, server: LiveServer) -> None:
    case.call_and_validate(base_url=server.url, headers=ALICE, excluded_checks=_excluded(case))


def test_stateful_conversation_flows(server: LiveServer) -> None:
    users = iter(range(1_000_000))

    class Flows(schema.as_state_machine()):  # type: ignore[misc]
        # Each scenario runs as a brand-new user, so it starts from an empty state (no
        # sessions, empty cart) whatever earlier scenarios left on the shared server.
        def setup(self) -> None:
            key = f"key-schemathesis-{next(users)}"
            server.app.state.settings.api_keys[hash_key(key)] = key
            self.headers = {"Authorization": f"Bearer {key}"}

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": server.url, "headers": self.headers}

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=_excluded(case),
                transport_kwargs=kwargs,
            )

    # No shrinking: the server keeps state between steps, so a replayed shrink would not
    # see the same responses; the first failure found is reported as is. Every flow is
    # checked for 5xx and schema violations; whether some flow follows the links all the
    # way into a real turn depends on the generated data and on timing (a 409 from a turn
    # still running ends a flow early), so up to three rounds of 20 flows run until one has.
    for round_ in range(3):
        Flows.run(
            settings=settings(
                max_examples=20,
                stateful_step_count=8,
                deadline=None,
                derandomize=round_ == 0,  # reproducible first round; fresh data after
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
        )
        if server.app.state.service.model_calls_started > 0:
            break
    # The links took it from a created session into real turns, not only 404s.
    assert server.app.state.service.model_calls_started > 0
