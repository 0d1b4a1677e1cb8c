"""``shopagent serve`` (the HTTP API and web page) and ``shopagent chat`` (a terminal client).

Heavy imports (FastAPI, uvicorn, the agent) happen inside the commands, so ``shopagent
--help`` stays fast.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

DEV_KEY_FILE = "dev_api_key"


def dev_key(data_dir: Path) -> str:
    """The development key, kept in the data folder so restarts keep working browsers."""
    path = Path(data_dir) / DEV_KEY_FILE
    try:
        key = path.read_text().strip()
        if key:
            return key
    except OSError:
        pass
    key = "dev-" + secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


_STATE_FILES = ("state.sqlite", "commerce.sqlite")  # checkpoints; carts, orders, sessions


def _check_state_files(settings: Any) -> None:
    """A damaged SQLite state file ("file is not a database") stops the start with one line
    that names it, before anything is opened (the app's startup would fail on it with
    uvicorn's traceback). Reading the header is all it takes; nothing is written."""
    import sqlite3

    from shopagent.errors import Unavailable

    if settings.state_backend != "sqlite":
        return
    for name in _STATE_FILES:
        path = Path(settings.data_dir) / name
        if not path.exists():
            continue
        try:
            uri = f"{path.resolve().as_uri()}?mode=ro"  # read-only; any folder name
            with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
                db.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise Unavailable(
                f"{path} cannot be read ({exc}); restore it from a backup, or move it aside "
                "to start without what it held",
                code="state_damaged",
            ) from None


def _check_port(host: str, port: int) -> None:
    """A port another program holds is said at once, not after the catalog and the models
    have loaded (uvicorn would find out only then)."""
    import socket

    from shopagent.errors import Conflict

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return  # an address uvicorn will report in its own words
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(addr)
        except OSError as exc:
            raise Conflict(
                f"cannot listen on {host}:{port} ({exc.strerror}): another program uses it; "
                "stop it or choose another port (--port, SHOPAGENT_PORT)",
                code="port_in_use",
            ) from None


def _prepare_dev(settings: Any) -> Any:
    """First start of `make run`: the demo catalog and the embedded model, with progress.
    Both are cached in the data folder, so a restart takes seconds. Returns the open
    catalog, which the agent then shares (opening it twice would load its encoder twice)."""
    from shopagent.retrieval import ensure_demo_catalog, is_merchant_catalog

    typer.secho(f"==> catalog in {settings.data_dir}", bold=True)
    # Builds the demo only where no merchant catalog is: a merchant's one is kept.
    catalog = ensure_demo_catalog(settings, progress=True)
    if is_merchant_catalog(settings, catalog.index):
        typer.secho(f"    the merchant catalog ({catalog.count()} products), not the demo")
    else:
        typer.secho(f"    the demo catalog ({settings.demo_catalog_size} products)")
    try:
        import shopagent.training.embedded as embedded_training

        ensure = getattr(embedded_training, "ensure_embedded_model", None)
    except ImportError:
        ensure = None
    if ensure is None:
        typer.secho(
            "==> embedded model: no trainer installed; routine turns go to the "
            "configured model tiers",
            fg="yellow",
        )
        return catalog
    typer.secho(f"==> embedded model in {settings.embedded_model_path}", bold=True)
    ensure(settings, catalog=catalog, progress=True)
    return catalog


def serve(
    dev: bool = typer.Option(
        False,
        "--dev",
        help="Embedded defaults: demo catalog, embedded model, a dev API key (development only).",
    ),
    host: str | None = typer.Option(None, help="Bind address (default: settings.host)"),
    port: int | None = typer.Option(None, help="Port (default: settings.port)"),
) -> None:
    """Run the HTTP API and the web chat page."""
    from pydantic import SecretStr

    from shopagent.settings import get_settings

    settings = get_settings()
    updates: dict[str, Any] = {}
    if host:
        updates["host"] = host
    if port:
        updates["port"] = port
    key = None
    if dev:
        if settings.environment != "development":
            typer.secho(
                "--dev is for development only (SHOPAGENT_ENVIRONMENT=development)",
                fg="red",
                err=True,
            )
            raise typer.Exit(2)
        key = (
            settings.dev_api_key.get_secret_value()
            if settings.dev_api_key
            else dev_key(settings.data_dir)
        )
        updates["dev_api_key"] = SecretStr(key)
    settings = settings.model_copy(update=updates)
    _check_port(settings.host, settings.port)
    _check_state_files(settings)
    if dev:
        catalog = _prepare_dev(settings)
    else:
        from shopagent.retrieval import open_catalog

        # Opened here, not in the app's startup: a catalog that cannot be opened (its index
        # held by a running server, an unreachable Qdrant) is then one line and exit status
        # 2 (shopagent/cli.py), not uvicorn's startup traceback.
        catalog = open_catalog(settings)

    from shopagent.api import configure_logging, create_app, serve_app

    configure_logging(settings.log_level)
    from shopagent.agent.service import AgentService

    def opener(s: Any) -> Any:
        return AgentService.open(s, catalog=catalog)

    app = create_app(settings, open_service=opener)
    url = f"http://{settings.host}:{settings.port}"
    typer.secho(f"==> shopagent on {url}  (web chat: {url}/, API docs: {url}/docs)", bold=True)
    if key:
        typer.secho(f"==> dev API key: {key}", fg="green")
        typer.echo(f"    terminal client: shopagent chat --url {url} --api-key {key}")
    try:
        serve_app(app, settings)
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after a clean shutdown
        pass
    finally:
        catalog.close()


# --- the terminal client ---------------------------------------------------------------------

Ask = Callable[[str], str]
Say = Callable[..., None]


def _show_products(products: list[dict[str, Any]], say: Say) -> None:
    for i, p in enumerate(products, 1):
        attrs = ", ".join(
            f"{k}: {v if not isinstance(v, list) else '/'.join(map(str, v))}"
            for k, v in (p.get("attributes") or {}).items()
            if k in ("color", "size", "material")
        )
        say(
            f"  {i}. {p['title']} - {p['price']} {p.get('currency', 'USD')}"
            f"{f'  ({attrs})' if attrs else ''}  [{p['id']}]"
        )


def _render_turn(client: Any, session_id: str, events: Any, ask: Ask, say: Say) -> None:
    """Print one streamed turn; a confirmation request is asked and answered in place."""
    pending: list[dict[str, Any]] = []
    streamed = False
    for kind, data in events:
        if kind == "route":
            say(f"[{data['tier']}] {data.get('reason', '')}", dim=True)
        elif kind == "tool_call":
            say(f"  -> {data['name']}", dim=True)
        elif kind == "tool_result" and not data.get("ok", True):
            say(f"  !! {data['name']} failed: {data.get('error_code')}", fg="yellow")
        elif kind == "products":
            _show_products(data["products"], say)
        elif kind == "message_delta":
            say(data["text"], nl=False)
            streamed = True
        elif kind == "message":
            say("" if streamed else data["text"])
        elif kind == "confirm_required":
            pending.append(data)
        elif kind == "error":
            say(f"error: {data['message']} ({data['code']})", fg="red")
    for confirm in pending:
        answer = ask(f"{confirm['summary']} - confirm? [y/N] ").strip().lower()
        approve = answer in ("y", "yes")
        _render_turn(
            client,
            session_id,
            client.confirm(session_id, confirm["confirmation_id"], approve),
            ask,
            say,
        )


def chat_loop(client: Any, session_id: str, ask: Ask, say: Say) -> None:
    """Read lines until /quit or end of input. /photo PATH attaches a photo to the next
    message, /cart shows the cart, /new starts a new conversation."""
    import httpx

    from shopagent.api.client import ApiError

    image_id = None
    while True:
        try:
            line = ask("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            say("")
            return
        if not line:
            continue
        try:
            if line in ("/quit", "/exit"):
                return
            if line == "/cart":
                cart = client.cart()
                for ln in cart["lines"]:
                    say(f"  {ln['quantity']} x {ln['title']}  {ln['line_total']}")
                say(f"  {cart['item_count']} item(s), total {cart['total']} {cart['currency']}")
                continue
            if line == "/new":
                session_id = client.create_session()
                say(f"new conversation {session_id}", dim=True)
                continue
            if line.startswith("/photo "):
                image_id = client.upload_image(Path(line[7:].strip()).expanduser())
                say("photo attached; it goes with your next message", dim=True)
                continue
            _render_turn(client, session_id, client.send(session_id, line, image_id), ask, say)
            image_id = None
        except ApiError as exc:
            say(f"error: {exc.message} ({exc.code})", fg="red")
        except (OSError, httpx.TransportError) as exc:  # a file, or the server gone
            say(f"error: {exc}", fg="red")


def chat(
    url: str | None = typer.Option(None, help="API base URL (default: from settings)"),
    api_key: str | None = typer.Option(
        None, envvar="SHOPAGENT_API_KEY", help="API key (default: the dev key of `make run`)"
    ),
    session: str | None = typer.Option(None, help="Continue this session id"),
) -> None:
    """Chat with the assistant in the terminal, over the HTTP API."""
    import httpx

    from shopagent.api.client import ApiError, ShopAgentClient
    from shopagent.settings import get_settings

    settings = get_settings()
    url = url or f"http://{settings.host}:{settings.port}"
    key = api_key or (settings.dev_api_key.get_secret_value() if settings.dev_api_key else None)
    if key is None and (Path(settings.data_dir) / DEV_KEY_FILE).exists():
        key = dev_key(settings.data_dir)
    if not key:
        typer.secho("no API key: pass --api-key or set SHOPAGENT_API_KEY", fg="red", err=True)
        raise typer.Exit(2)

    def say(text: str = "", nl: bool = True, **style: Any) -> None:
        typer.secho(text, nl=nl, **style)

    with ShopAgentClient(url, key) as client:
        try:
            sid = session or client.create_session()
        except (ApiError, OSError, httpx.TransportError) as exc:
            typer.secho(f"cannot reach {url}: {exc}", fg="red", err=True)
            raise typer.Exit(1) from None
        say(f"conversation {sid} - /photo PATH, /cart, /new, /quit", dim=True)
        chat_loop(client, sid, input, say)


def register(
    *,
    app: typer.Typer,
    train: typer.Typer,
    evals: typer.Typer,
    tools: typer.Typer,
    sessions: typer.Typer,
) -> None:
    app.command("serve")(serve)
    app.command("chat")(chat)


__all__ = ["chat", "chat_loop", "dev_key", "register", "serve"]
