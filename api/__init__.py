"""The HTTP API and the web chat page: ``create_app(settings) -> FastAPI``.

Routes live in api/routes.py (/v1) and api/app.py (/, /healthz, /readyz, /metrics);
wire models in api/schema.py; dependencies in api/deps.py.
"""

from shopagent.api._logging import configure_logging
from shopagent.api._serve import serve_app
from shopagent.api.app import create_app

__all__ = ["configure_logging", "create_app", "serve_app"]
