"""A worker process for the durability test: runs one step of a conversation and prints
its events as JSON lines. Settings come from the environment (SHOPAGENT_*)."""

from __future__ import annotations

import asyncio
import json
import sys

from agent.service import AgentService
from shopagent.settings import Settings


async def main(cmd: str, *args: str) -> None:
    settings = Settings()
    async with AgentService.open(settings, embedded=None) as svc:
        if cmd == "start":
            sid = (await svc.sessions.create_session("alice")).session_id
            print(json.dumps({"session_id": sid}), flush=True)
            stream = svc.stream_turn(user_id="alice", session_id=sid, text=args[0])
        elif cmd == "confirm":
            stream = svc.stream_confirm(
                user_id="alice", session_id=args[0], confirmation_id=args[1], approve=True
            )
        elif cmd == "resume":
            stream = svc.stream_resume(user_id="alice", session_id=args[0])
        elif cmd == "cart":
            print(json.dumps(await svc.get_cart(user_id="alice")), flush=True)
            return
        else:
            raise SystemExit(f"unknown command {cmd}")
        async for event in stream:
            print(event.model_dump_json(), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], *sys.argv[2:]))
