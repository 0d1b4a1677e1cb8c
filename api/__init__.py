"""The HTTP API and the web chat page: ``create_app(settings) -> FastAPI``.

Routes live in api/routes.py (/v1) and api/app.py (/, /healthz, /readyz, /metrics);
wire models in api/schema.py; dependencies in api/deps.py.
"""

from api.app import create_app

__all__ = ["create_app"]
