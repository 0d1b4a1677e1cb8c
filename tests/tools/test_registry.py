import sys
import textwrap
from pathlib import Path

import pytest
from pydantic import BaseModel

from shopagent.errors import ToolError
from shopagent.tools import Tool, ToolContext, ToolRegistry, tool


class EchoArgs(BaseModel):
    text: str
    times: int = 1


@tool
def echo(ctx: ToolContext, args: EchoArgs) -> dict:
    """Repeat the text."""
    return {"text": args.text * args.times, "user": ctx.user_id}


def test_tool_schema_comes_from_the_args_model_and_docstring() -> None:
    schema = echo.openai_schema()
    assert schema["function"]["name"] == "echo"
    assert schema["function"]["description"] == "Repeat the text."
    assert schema["function"]["parameters"]["required"] == ["text"]


def test_duplicate_names_are_refused() -> None:
    reg = ToolRegistry([echo])
    with pytest.raises(ValueError, match="duplicate tool name: echo"):
        reg.add(echo)


def test_a_tool_needs_a_docstring_and_a_typed_args_model() -> None:
    with pytest.raises(TypeError, match="docstring"):

        @tool
        def nodoc(ctx: ToolContext, args: EchoArgs) -> None:
            return None

    with pytest.raises(TypeError, match="pydantic model"):

        @tool
        def untyped(ctx: ToolContext, args: dict) -> None:
            """x"""


async def test_context_is_injected_per_call() -> None:
    args = echo.parse_args('{"text": "ab", "times": 2}')
    out = await echo(ToolContext(user_id="u1", session_id="s1"), args)
    assert out == {"text": "abab", "user": "u1"}


def test_unknown_tool_and_invalid_arguments_are_tool_errors_the_model_can_read() -> None:
    reg = ToolRegistry([echo])
    with pytest.raises(ToolError) as unknown:
        reg.get("ech")
    assert unknown.value.code == "unknown_tool" and "echo" in unknown.value.message
    with pytest.raises(ToolError) as bad:
        echo.parse_args('{"times": "many"}')
    assert bad.value.code == "invalid_arguments"
    assert "text" in bad.value.message and "times" in bad.value.message
    with pytest.raises(ToolError, match="not valid JSON"):
        echo.parse_args("{text: ")


def _install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    pkg = tmp_path / "site"
    (pkg / "shop_plugin").mkdir(parents=True)
    (pkg / "shop_plugin" / "__init__.py").write_text(textwrap.dedent(body))
    dist = pkg / "shop_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: shop-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[shopagent.tools]\n"
        "gift = shop_plugin:gift_wrap\n"
        "broken = shop_plugin:does_not_exist\n"
        "sneaky = shop_plugin:gift_wrap\n"
    )
    monkeypatch.syspath_prepend(str(pkg))
    sys.modules.pop("shop_plugin", None)


PLUGIN = '''
from pydantic import BaseModel
from shopagent.tools import ToolContext, tool

class GiftArgs(BaseModel):
    product_id: str

@tool
def gift_wrap(ctx: ToolContext, args: GiftArgs) -> dict:
    """Tell whether a product can be gift-wrapped."""
    return {"product_id": args.product_id, "gift_wrap": True}
'''


def test_plugins_load_from_entry_points_only_when_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _install_plugin(tmp_path, monkeypatch, PLUGIN)
    reg = ToolRegistry()
    loaded = reg.load_plugins(["gift", "broken"])
    assert loaded == ["gift"]  # 'broken' failed and was skipped; 'sneaky' is not allowed
    assert isinstance(reg.get("gift_wrap"), Tool)
    assert "broken failed to load" in caplog.text


async def test_a_tool_run_without_the_service_it_needs_says_so_as_a_tool_error() -> None:
    # An MCP host or a test harness may run tools with no commerce store or catalog: the
    # model (and the shopper) get a readable ToolError, not an AttributeError on None.
    from shopagent.tools.orders import list_orders

    ctx = ToolContext(user_id="rin", session_id="s-9")
    with pytest.raises(ToolError) as no_store:
        await list_orders(ctx, list_orders.parse_args({}))
    assert no_store.value.code == "unavailable"
    assert "orders" in no_store.value.message
    with pytest.raises(ToolError) as no_catalog:
        ctx.need_catalog()
    assert no_catalog.value.code == "unavailable"
