"""A checkpointer that serves a thread's last read once more, instead of reading it again.

Within one turn the service reads the thread's checkpoint to see where it stands (is a
turn cut off, is a confirmation pending), then the graph's run reads it again to start:
the same deserialised history, the largest read of a turn. :class:`HeldReadSaver` wraps
any saver; :meth:`HeldReadSaver.hold` reads a thread now and answers the next
``keep_for`` reads of exactly that config from it. Any write to the thread (put, writes,
delete, copy onto it, prune) drops what is held first; everything else goes to the
wrapped saver unchanged. Measured in ``bench/turn_cpu.py`` (figures in docs/performance.md).

Only a checkpoint without pending writes is held: ``aget_state`` applies those to the
tuple it gets, in place. Safe because a session runs one turn at a time (the service's
``_exclusive`` in a process, the API's turn lock across processes), so nothing else
writes the thread between the hold and the run's read; the service releases the thread
when its turn ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterator, Mapping, Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    DeltaChannelHistory,
)

_Key = tuple[Any, Any, Any]


def _key(config: RunnableConfig) -> _Key:
    c = config.get("configurable", {})
    return (c.get("thread_id"), c.get("checkpoint_ns", ""), c.get("checkpoint_id"))


def _thread(config: RunnableConfig) -> Any:
    return config.get("configurable", {}).get("thread_id")


class HeldReadSaver(BaseCheckpointSaver[Any]):
    """``inner`` with held reads (see the module's docstring)."""

    def __init__(self, inner: BaseCheckpointSaver[Any], *, keep_for: int = 2) -> None:
        super().__init__(serde=inner.serde)
        self.inner = inner
        self.keep_for = keep_for
        # (thread, namespace, checkpoint id) -> [tuple or None, reads left]
        self._held: dict[_Key, list[Any]] = {}

    # --- holding ---------------------------------------------------------------------------
    async def hold(self, config: RunnableConfig) -> CheckpointTuple | None:
        """Read ``config``'s checkpoint now, keep it for the next reads, return it."""
        key = _key(config)
        self._held.pop(key, None)
        saved = await self.inner.aget_tuple(config)
        if saved is None or not saved.pending_writes:  # None: a new thread, nothing yet
            self._held[key] = [saved, self.keep_for]
        return saved

    def release(self, thread_id: Any) -> None:
        """Forget whatever is held for ``thread_id``."""
        for key in [k for k in self._held if k[0] == thread_id]:
            del self._held[key]

    def held_threads(self) -> set[Any]:
        return {k[0] for k in self._held}

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        key = _key(config)
        held = self._held.get(key)
        if held is None:  # (a held None is a list holding None, not a miss)
            return await self.inner.aget_tuple(config)
        held[1] -= 1
        if held[1] <= 0:
            del self._held[key]
        saved: CheckpointTuple | None = held[0]
        return saved

    # --- writes: drop the thread's held read, then write -----------------------------------
    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        self.release(_thread(config))
        return await self.inner.aput(config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        # The same signature as the base: LangGraph passes ``task_path`` only to savers
        # whose method names it.
        self.release(_thread(config))
        await self.inner.aput_writes(config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        self.release(thread_id)
        await self.inner.adelete_thread(thread_id)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        self._held.clear()  # which threads those runs wrote is the inner saver's business
        await self.inner.adelete_for_runs(run_ids)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        self.release(target_thread_id)
        await self.inner.acopy_thread(source_thread_id, target_thread_id)

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        for thread_id in thread_ids:
            self.release(thread_id)
        await self.inner.aprune(thread_ids, strategy=strategy)

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        self.release(_thread(config))
        return self.inner.put(config, checkpoint, metadata, new_versions)

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self.release(_thread(config))
        self.inner.put_writes(config, writes, task_id, task_path)

    def delete_thread(self, thread_id: str) -> None:
        self.release(thread_id)
        self.inner.delete_thread(thread_id)

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        self._held.clear()
        self.inner.delete_for_runs(run_ids)

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        self.release(target_thread_id)
        self.inner.copy_thread(source_thread_id, target_thread_id)

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        for thread_id in thread_ids:
            self.release(thread_id)
        self.inner.prune(thread_ids, strategy=strategy)

    # --- everything else: the wrapped saver's ----------------------------------------------
    @property
    def config_specs(self) -> list[Any]:
        return self.inner.config_specs

    def get_next_version(self, current: Any, channel: None) -> Any:
        return self.inner.get_next_version(current, channel)

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self.inner.get_tuple(config)

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        return self.inner.list(config, filter=filter, before=before, limit=limit)

    def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        return self.inner.alist(config, filter=filter, before=before, limit=limit)

    def get_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        return self.inner.get_delta_channel_history(config=config, channels=channels)

    async def aget_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        return await self.inner.aget_delta_channel_history(config=config, channels=channels)

    def with_allowlist(self, extra_allowlist: Collection[tuple[str, ...]]) -> HeldReadSaver:
        inner = self.inner.with_allowlist(extra_allowlist)
        if inner is self.inner:
            return self
        clone = HeldReadSaver(inner, keep_for=self.keep_for)
        clone._held = self._held  # one set of held reads, whichever copy the graph uses
        return clone
