"""The ``shopagent`` command. Each area registers its commands from shopagent/commands/."""

from __future__ import annotations

import importlib
from typing import Any

import typer

from shopagent.errors import ShopAgentError


class _Cli(typer.Typer):
    """The command line: an error of ours that a command did not answer itself (the catalog
    index held by a running server), a setting the environment gets wrong
    (``SHOPAGENT_PORT=abc``) or a file system that refuses (a data folder that cannot be
    made, a full disk) ends the command with its message on stderr and exit status 2,
    never a traceback."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from pydantic import ValidationError

        try:
            return super().__call__(*args, **kwargs)
        except ShopAgentError as exc:
            _fail(f"error [{exc.code}]: {exc.message}")
        except OSError as exc:  # "[Errno 13] Permission denied: 'data/...'" says it all
            _fail(f"error [io_error]: {exc}")
        except ValidationError as exc:
            if exc.title != "Settings":  # a bug elsewhere keeps its traceback
                raise
            for err in exc.errors():
                where = "__".join(str(p) for p in err["loc"]).upper()
                name = f"SHOPAGENT_{where}: " if where else ""
                _fail(f"error [invalid_setting]: {name}{err['msg']}", done=False)
            raise SystemExit(2) from None


def _fail(line: str, *, done: bool = True) -> None:
    typer.secho(line, fg=typer.colors.RED, err=True)
    if done:
        raise SystemExit(2) from None


app = _Cli(help="shopagent: a self-hostable shopping assistant.", no_args_is_help=True)
train_app = typer.Typer(
    help="Train models: the embedded tier, SFT data, LoRA adapters.", no_args_is_help=True
)
eval_app = typer.Typer(
    help="Replay conversations and compare configurations.", no_args_is_help=True
)
tools_app = typer.Typer(help="Inspect the tool registry.", no_args_is_help=True)
sessions_app = typer.Typer(help="Manage sessions (export to replay format).", no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(tools_app, name="tools")
app.add_typer(sessions_app, name="sessions")

_COMMAND_MODULES = ["tools", "retrieval", "train_embedded", "train_vlm", "evals", "api", "mcp"]

# Every listed module must import: a missing or broken one is a broken install, and
# skipping it would only hide the error behind a "no such command" message.
for _name in _COMMAND_MODULES:
    _mod = importlib.import_module(f"shopagent.commands.{_name}")
    _mod.register(app=app, train=train_app, evals=eval_app, tools=tools_app, sessions=sessions_app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
