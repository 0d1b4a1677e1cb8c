"""The fault suite reuses the API tests' fixtures (the real app over a scripted agent)
and the agent tests' (a real AgentService over a fake model endpoint)."""

from tests.agent.conftest import (  # noqa: F401
    agent_settings,
    backend,
    fake_model,
    pick_product,
    service_factory,
    shared_catalog,
    small_catalog_dir,
)
from tests.api.conftest import api, api_factory, live_factory  # noqa: F401
