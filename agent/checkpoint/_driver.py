"""Runs checkpointer *plans* on a Redis client, sync or async.

A plan is a generator that yields a batch of commands (a list of tuples), receives their
replies, and finally returns its result; list plans also yield finished ``CheckpointTuple``s
between batches. Writing each operation once as a plan keeps the sync and async APIs
identical, and each batch goes out as one non-transactional pipeline (one round trip).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from typing import Any

from langgraph.checkpoint.base import CheckpointTuple

Cmd = tuple[Any, ...]
Plan = Generator[Any, Any, Any]


def _s(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class PlanDriver:
    """Mixin: needs ``client`` (sync) and ``aclient`` (async) Redis clients."""

    client: Any
    aclient: Any

    def _exec(self, cmds: list[Cmd]) -> list[Any]:
        if not cmds:
            return []
        pipe = self.client.pipeline(transaction=False)
        for cmd in cmds:
            pipe.execute_command(*cmd)
        replies: list[Any] = pipe.execute()
        return replies

    async def _aexec(self, cmds: list[Cmd]) -> list[Any]:
        if not cmds:
            return []
        pipe = self.aclient.pipeline(transaction=False)
        for cmd in cmds:
            pipe.execute_command(*cmd)
        replies: list[Any] = await pipe.execute()
        return replies

    def _iter(self, plan: Plan) -> Iterator[CheckpointTuple]:
        reply: Any = None
        while True:
            try:
                out = plan.send(reply)
            except StopIteration:
                return
            if isinstance(out, CheckpointTuple):
                reply = None
                yield out
            else:
                reply = self._exec(out)

    async def _aiter(self, plan: Plan) -> AsyncIterator[CheckpointTuple]:
        reply: Any = None
        while True:
            try:
                out = plan.send(reply)
            except StopIteration:
                return
            if isinstance(out, CheckpointTuple):
                reply = None
                yield out
            else:
                reply = await self._aexec(out)

    def _run(self, plan: Plan) -> Any:
        try:
            out = plan.send(None)
            while True:
                out = plan.send(self._exec(out))
        except StopIteration as stop:
            return stop.value

    async def _arun(self, plan: Plan) -> Any:
        try:
            out = plan.send(None)
            while True:
                out = plan.send(await self._aexec(out))
        except StopIteration as stop:
            return stop.value
