"""Run the app under uvicorn with a graceful shutdown that drains turns.

On SIGTERM (or Ctrl-C) uvicorn stops accepting connections and waits for the open ones;
the app's ``Drain`` meanwhile answers new turns on open connections with 503 and, just
before ``shutdown_grace_s`` runs out, ends running turns with an ``error`` + ``done``, so
no turn is cut by uvicorn's own cancellation (which would log "Exception in ASGI
application" and send a 500 for a turn that had not started streaming).
"""

from __future__ import annotations

import asyncio
from types import FrameType
from typing import Any

import uvicorn

from shopagent.settings import Settings


class _DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: Any) -> None:
        super().__init__(config)
        self._app = app
        self._loop: asyncio.AbstractEventLoop | None = None

    async def serve(self, sockets: Any = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().serve(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        drain = getattr(self._app.state, "drain", None)
        if drain is not None and self._loop is not None:
            drain.begin(self._loop)
        super().handle_exit(sig, frame)


def serve_app(app: Any, settings: Settings, **kwargs: Any) -> None:
    """Serve ``app`` on the settings' host and port until SIGTERM/SIGINT."""
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_config=None,
        # a little past the drain deadline: turns end themselves first
        timeout_graceful_shutdown=int(settings.shutdown_grace_s) + 2,
        **kwargs,
    )
    _DrainingServer(config, app).run()
