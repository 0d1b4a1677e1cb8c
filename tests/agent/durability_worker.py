"""A worker process for the durability test. Settings come from the environment.

``add PRODUCT_JSON``: start a session, ask for a write, confirm it (the test kills the
process while the confirmed turn waits on the model).
``resume SESSION``: complete the interrupted turn, try once more, print the cart.
Everything is printed as JSON lines.
"""

from __future__ import annotations

import asyncio
import json
import sys

from shopagent.agent.service import AgentService
from shopagent.settings import Settings


async def main(cmd: str, arg: str) -> None:
    async with AgentService.open(Settings(), embedded=None) as svc:
        if cmd == "add":
            sid = (await svc.sessions.create_session("alice")).session_id
            print(json.dumps({"session_id": sid}), flush=True)
            events = [e async for e in svc.stream_turn(user_id="alice", session_id=sid, text=arg)]
            ask = events[-2]
            print(ask.model_dump_json(), flush=True)
            async for e in svc.stream_confirm(
                user_id="alice", session_id=sid, confirmation_id=ask.confirmation_id, approve=True
            ):
                print(e.model_dump_json(), flush=True)
        elif cmd == "resume":
            for attempt in (1, 2):
                async for e in svc.stream_resume(user_id="alice", session_id=arg):
                    print(json.dumps({"attempt": attempt, **e.model_dump()}), flush=True)
            print(json.dumps({"cart": await svc.get_cart(user_id="alice")}), flush=True)
        else:
            raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
