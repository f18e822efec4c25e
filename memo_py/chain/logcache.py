"""Event logs already read, so that an agent polling the chain reads only new blocks.

Daemons rebuild orders from the Market's events on every tick (``orders_of``:
created + updated, replayed). Read from scratch, each rebuild walks the chain's
whole history since deployment in ``log_chunk``-block ranges: on a chain a year
old, hundreds of RPC calls per query per tick. The cache keeps, per query
(contract, event, argument filters, first block), the logs up to ``reorg_depth``
blocks behind the newest head it has seen; later blocks are read again on every
query, so a reorganisation shallower than that never reaches the cache.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Sequence
from typing import Any

__all__ = ["LogCache", "REORG_DEPTH"]

#: Blocks behind the head that are read again on every query rather than cached.
REORG_DEPTH = 64


class LogCache:
    """Logs of past queries by key; thread-safe."""

    def __init__(self, reorg_depth: int = REORG_DEPTH) -> None:
        if reorg_depth < 0:
            raise ValueError(f"reorg_depth must be non-negative, got {reorg_depth}")
        self.reorg_depth = reorg_depth
        self._entries: dict[Hashable, tuple[int, list[Any]]] = {}  # key -> (last block covered, logs)
        self._lock = threading.Lock()

    def plan(self, key: Hashable, from_block: int, to_block: int) -> tuple[int, list[Any]]:
        """(first block the query must still read, cached logs of ``from_block..to_block``)."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return from_block, []
        covered, logs = entry
        if to_block <= covered:
            return to_block + 1, [log for log in logs if log["blockNumber"] <= to_block]
        return covered + 1, list(logs)

    def store(self, key: Hashable, from_block: int, to_block: int, head: int, logs: Sequence[Any]) -> None:
        """Remember ``logs``, all of ``from_block..to_block``, up to ``reorg_depth`` blocks
        behind ``head`` (never shrinking what is already kept)."""
        covered = min(to_block, head - self.reorg_depth)
        if covered < from_block:
            return
        kept = [log for log in logs if log["blockNumber"] <= covered]
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] < covered:
                self._entries[key] = (covered, kept)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
