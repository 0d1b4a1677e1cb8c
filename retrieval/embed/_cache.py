"""Text vectors by content hash in SQLite, so re-ingesting unchanged text costs nothing."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


class VectorCache:
    """``key -> float32 vector``; a key names the encoder and the text (``TextEmbedder``), so
    vectors of two encoders never mix. ``path=None`` caches nothing.

    A cache is an optimisation: when its file cannot be opened, read or written (a
    read-only or full data folder) it logs once and acts as empty, and search goes on."""

    def __init__(self, path: Path | None, dim: int) -> None:
        self.dim = dim
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._warned = False
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(str(path), check_same_thread=False)
                # A new search query writes its vector here, on the query's path: with a
                # write-ahead log a commit is an append, not a journal file created, synced
                # and deleted. NORMAL: a power cut may lose the last vectors, never the file.
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute("CREATE TABLE IF NOT EXISTS v (h TEXT PRIMARY KEY, b BLOB)")
            except (OSError, sqlite3.Error) as exc:
                self._degrade(exc)
                self._db = None

    def _degrade(self, exc: Exception) -> None:
        if not self._warned:
            self._warned = True
            log.warning("vector cache unavailable, going on without it: %s", exc)

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        if self._db is None or not keys:
            return {}
        out: dict[str, np.ndarray] = {}
        with self._lock:
            try:
                # SQLite caps the number of bound parameters per statement.
                for i in range(0, len(keys), 500):
                    chunk = list(keys[i : i + 500])
                    marks = ",".join("?" * len(chunk))
                    rows = self._db.execute(f"SELECT h, b FROM v WHERE h IN ({marks})", chunk)
                    for h, b in rows:
                        arr = np.frombuffer(b, dtype=np.float32)
                        if arr.shape[0] == self.dim:
                            out[h] = arr
            except sqlite3.Error as exc:
                self._degrade(exc)
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        if self._db is None or not items:
            return
        with self._lock:
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO v VALUES (?, ?)",
                    [(h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items.items()],
                )
                self._db.commit()
            except sqlite3.Error as exc:
                self._degrade(exc)
                try:
                    self._db.rollback()
                except sqlite3.Error:
                    pass

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
