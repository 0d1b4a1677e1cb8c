"""Plugin tools written as plain sync functions (blocking I/O is common in them) run in a
worker thread, never on the event loop that serves every other shopper's turn."""

from __future__ import annotations

import threading

from pydantic import BaseModel

from shopagent.tools import ToolContext, tool


class LookupArgs(BaseModel):
    sku: str


@tool(examples=["is the warranty extended for it"])
def warranty_lookup(ctx: ToolContext, args: LookupArgs) -> dict[str, object]:
    """Warranty terms of a product (a blocking call to the team's service)."""
    return {"sku": args.sku, "thread": threading.get_ident()}


def _precheck(ctx: ToolContext, args: LookupArgs) -> dict[str, object]:
    return {"thread": threading.get_ident()}


@tool(writes=True, precheck=_precheck)
def extend_warranty(ctx: ToolContext, args: LookupArgs) -> dict[str, object]:
    """Extend the warranty of a product."""
    return {"thread": threading.get_ident()}


async def test_sync_tool_and_precheck_run_off_the_event_loop() -> None:
    loop_thread = threading.get_ident()
    ctx = ToolContext(user_id="noor", session_id="s-1", idempotency_key="k")
    out = await warranty_lookup(ctx, warranty_lookup.parse_args({"sku": "DRL-18V"}))
    assert out["sku"] == "DRL-18V" and out["thread"] != loop_thread
    checked = await extend_warranty.check(ctx, extend_warranty.parse_args({"sku": "DRL-18V"}))
    assert checked["thread"] != loop_thread  # the precheck's result is handed back
    assert warranty_lookup.examples == ("is the warranty extended for it",)
    assert warranty_lookup.origin == "builtin"
