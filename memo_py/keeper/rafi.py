"""RAFI: risk-aware failure identification for repair.

Keepers record when each chunk was last seen alive (a passing proof, a health
check, a good read) and when it was seen failing (a failed proof or read). A
chunk not seen for ``suspect_after`` (10 minutes, as in MEMO's reference) is
*suspect*. How long a suspect chunk is given before it is declared *failed*
and repaired depends on the risk of its stripe, that is, on how much of the
stripe's m-chunk safety margin is already gone:

- more than m/2 chunks missing (suspect or failed): repair at once;
- more than m/4: after 1 h;
- more than m/8: after 4 h;
- otherwise: after 16 h.

So a stripe one loss away from its k-th chunk is repaired within minutes,
while a single slow Provider in a healthy stripe is not churned. Repairs are
handed out riskiest first: the least margin left, then the longest missing.
A chunk seen failing explicitly (a wrong proof, corrupt data) is failed at once.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["ESCALATION", "SUSPECT_AFTER", "ChunkState", "RepairTask", "StripeHealth", "RiskTracker"]

#: Seconds without a sign of life before a chunk is suspect.
SUSPECT_AFTER = 600.0
#: (fraction of m missing that must be exceeded, grace in seconds before a suspect chunk is failed).
ESCALATION: tuple[tuple[float, float], ...] = ((1 / 2, 0.0), (1 / 4, 3600.0), (1 / 8, 4 * 3600.0), (0.0, 16 * 3600.0))


class ChunkState:
    OK = "ok"
    SUSPECT = "suspect"
    FAILED = "failed"


@dataclass
class _Chunk:
    provider: str
    last_seen: float
    failed_at: float | None = None


@dataclass(order=True)
class RepairTask:
    """A stripe to repair: which chunks to rebuild, and how much margin it has left."""

    margin: int
    missing_since: float
    stripe_id: str = field(compare=False)
    chunks: tuple[int, ...] = field(compare=False)


@dataclass(frozen=True)
class StripeHealth:
    stripe_id: str
    k: int
    m: int
    states: tuple[str, ...]

    @property
    def missing(self) -> int:
        return sum(1 for s in self.states if s != ChunkState.OK)

    @property
    def margin(self) -> int:
        """How many more chunks the stripe can lose and still be decoded (negative: lost)."""
        return self.m - sum(1 for s in self.states if s == ChunkState.FAILED)


class RiskTracker:
    """Chunk liveness for the stripes a Keeper looks after, and the repair queue they imply."""

    def __init__(self, suspect_after: float = SUSPECT_AFTER) -> None:
        self.suspect_after = suspect_after
        self._stripes: dict[str, tuple[int, int, list[_Chunk]]] = {}

    def track(self, stripe_id: str, k: int, m: int, providers: Iterable[str], now: float) -> None:
        """Start tracking a stripe whose chunk i is on ``providers[i]``, all alive at ``now``."""
        chunks = [_Chunk(p, now) for p in providers]
        if k < 1 or m < 0 or len(chunks) != k + m:
            raise ValueError(f"stripe {stripe_id!r} needs k + m = {k + m} providers, got {len(chunks)}")
        self._stripes[stripe_id] = (k, m, chunks)

    def forget(self, stripe_id: str) -> None:
        self._stripes.pop(stripe_id, None)

    def seen(self, stripe_id: str, index: int, now: float) -> None:
        """A sign of life: a passing proof, health check or good read of that chunk."""
        chunk = self._chunk(stripe_id, index)
        chunk.last_seen = max(chunk.last_seen, now)
        chunk.failed_at = None

    def seen_provider(self, provider: str, now: float) -> None:
        """A passing proof covers every chunk the Provider holds."""
        for _, _, chunks in self._stripes.values():
            for chunk in chunks:
                if chunk.provider == provider:
                    chunk.last_seen = max(chunk.last_seen, now)
                    chunk.failed_at = None

    def failed_provider(self, provider: str, now: float) -> None:
        """A failed or missed proof: every chunk the Provider holds is failed at once."""
        for _, _, chunks in self._stripes.values():
            for chunk in chunks:
                if chunk.provider == provider and chunk.failed_at is None:
                    chunk.failed_at = now

    def failed(self, stripe_id: str, index: int, now: float) -> None:
        """Evidence of loss (a wrong proof or corrupt data): the chunk is failed at once."""
        self._chunk(stripe_id, index).failed_at = now

    def replaced(self, stripe_id: str, index: int, provider: str, now: float) -> None:
        """A repair put the rebuilt chunk on a new Provider, which checked it against the commitment."""
        _, _, chunks = self._stripes[stripe_id]
        chunks[index] = _Chunk(provider, now)

    def health(self, stripe_id: str, now: float) -> StripeHealth:
        k, m, chunks = self._stripes[stripe_id]
        suspects = [c for c in chunks if c.failed_at is None and now - c.last_seen >= self.suspect_after]
        missing = sum(1 for c in chunks if c.failed_at is not None) + len(suspects)
        grace = self._grace(missing, m)
        states = []
        for c in chunks:
            if c.failed_at is not None:
                states.append(ChunkState.FAILED)
            elif now - c.last_seen >= self.suspect_after:
                overdue = now - c.last_seen - self.suspect_after >= grace
                states.append(ChunkState.FAILED if overdue else ChunkState.SUSPECT)
            else:
                states.append(ChunkState.OK)
        return StripeHealth(stripe_id, k, m, tuple(states))

    def repair_queue(self, now: float) -> list[RepairTask]:
        """Stripes with failed chunks, riskiest first."""
        tasks: list[RepairTask] = []
        for stripe_id, (_, _, chunks) in self._stripes.items():
            health = self.health(stripe_id, now)
            failed = tuple(i for i, s in enumerate(health.states) if s == ChunkState.FAILED)
            if failed:
                since = min(chunks[i].failed_at or chunks[i].last_seen for i in failed)
                heapq.heappush(tasks, RepairTask(health.margin, since, stripe_id, failed))
        return [heapq.heappop(tasks) for _ in range(len(tasks))]

    @staticmethod
    def _grace(missing: int, m: int) -> float:
        if m == 0:
            return 0.0
        fraction = missing / m
        for threshold, grace in ESCALATION:
            if fraction > threshold:
                return grace
        return ESCALATION[-1][1]

    def _chunk(self, stripe_id: str, index: int) -> _Chunk:
        try:
            return self._stripes[stripe_id][2][index]
        except (KeyError, IndexError):
            raise KeyError(f"no chunk {index} in tracked stripe {stripe_id!r}") from None
