"""The Keeper's ledger: cumulative (pay, penalty) per Provider, epoch by epoch.

Every Keeper computes the same results root from the same verdicts, so the rule
is a pure function of the verdicts (:class:`PayPolicy`):

- **pay** of a Provider for an epoch = what the Market vests for it in that epoch,
  ``sum(size * price)`` over its orders in the epoch's blob universe (orders active
  in the epoch with at least one blob), and only when its proof PASSED;
- **penalty** for a FAILED or MISSED proof = ``due * penalty_bps // 10_000`` of
  that same amount (default 10,000 bps: one epoch's pay), slashed from its pledge
  at settlement (capped there by the pledge) and given to its Users. The unpaid
  pay is forfeited to its Users by the Market as well.
- Orders with no blob yet are neither paid nor penalised (nothing can be
  challenged; their vested escrow is forfeited to the User at settlement).
- An epoch nobody opened (no seed) has no verdicts: nothing paid, no penalty.

Totals are cumulative, so a Provider can settle through any attested epoch with
the leaf of that epoch; every Provider seen once stays in every later tree.
The results tree of an epoch is :class:`memo_py.chain.merkle.ResultsTree` over
``(provider, cum_pay, cum_penalty)``. Epochs are recorded in order, each once.

If the Keepers' quorum attests a root this Keeper did not compute (it saw a
different verdict), :meth:`Ledger.adopt` replaces its totals of that epoch by the
attested ones and recomputes the later epochs from their verdicts, so it agrees
again from the next epoch on. A Keeper whose ledger is behind the newest attested
epoch (it joins a running network, or was down) does not replay what it missed:
:meth:`Ledger.start_from` takes the attested results as its base.

State is one SQLite file (WAL, synchronous FULL); amounts are stored as decimal
text (they are uint256).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address

from memo_py.chain.merkle import ZERO, ResultsTree
from memo_py.errors import UnknownEpoch
from memo_py.keeper.verify import PASSED, ProofMessage, Verdict

__all__ = ["BPS", "EpochResults", "Ledger", "PayPolicy"]

BPS = 10_000

Entry = tuple[str, int, int]


@dataclass(frozen=True)
class PayPolicy:
    """How a verdict turns into (pay, penalty); see the module docstring."""

    penalty_bps: int = BPS

    def apply(self, verdict: Verdict) -> tuple[int, int]:
        if verdict.outcome == PASSED:
            return verdict.due, 0
        return 0, verdict.due * self.penalty_bps // BPS


@dataclass(frozen=True)
class EpochResults:
    """An epoch's cumulative results, sorted by Provider address, and their root."""

    epoch: int
    entries: tuple[Entry, ...]

    @property
    def tree(self) -> ResultsTree:
        return ResultsTree(self.entries)

    @property
    def root(self) -> bytes:
        return self.tree.root if self.entries else ZERO

    def entry(self, provider: str) -> Entry | None:
        provider = to_checksum_address(provider)
        return next((e for e in self.entries if e[0] == provider), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "root": "0x" + self.root.hex(),
            "results": [[p, str(pay), str(penalty)] for p, pay, penalty in self.entries],
        }

    @classmethod
    def from_json(cls, epoch: int, results: Any) -> EpochResults:
        """Results as a list of ``[provider, cum_pay, cum_penalty]`` (amounts as decimal strings or ints)."""
        if not isinstance(results, list) or len(results) > 100_000:
            raise ValueError("results must be a list of [provider, cum_pay, cum_penalty]")
        entries = []
        for item in results:
            if not isinstance(item, list) or len(item) != 3:
                raise ValueError("each result is [provider, cum_pay, cum_penalty]")
            provider, pay, penalty = item
            try:
                address = to_checksum_address(provider)
                amounts = [int(a) for a in (pay, penalty) if not isinstance(a, bool)]
            except (TypeError, ValueError):
                raise ValueError(f"bad result {item!r}") from None
            if len(amounts) != 2 or not all(0 <= a < 2**256 for a in amounts):
                raise ValueError(f"bad amounts in result {item!r}")
            entries.append((address, amounts[0], amounts[1]))
        return cls.of(epoch, entries)

    @classmethod
    def of(cls, epoch: int, entries: Iterable[Entry]) -> EpochResults:
        ordered = sorted(entries, key=lambda e: e[0].lower())
        if len({e[0].lower() for e in ordered}) != len(ordered):
            raise ValueError("a provider appears twice in the results")
        return cls(epoch, tuple(ordered))


class Ledger:
    """Verdicts, cumulative totals, received proofs and attestation state, in SQLite."""

    def __init__(self, path: str | os.PathLike[str], policy: PayPolicy | None = None) -> None:
        self.policy = policy if policy is not None else PayPolicy()
        self._db = sqlite3.connect(os.fspath(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS epochs (
                epoch INTEGER PRIMARY KEY, opened INTEGER NOT NULL, recorded REAL NOT NULL,
                adopted INTEGER NOT NULL DEFAULT 0, attested_root BLOB);
            CREATE TABLE IF NOT EXISTS verdicts (
                epoch INTEGER NOT NULL, provider TEXT NOT NULL, outcome TEXT NOT NULL, due TEXT NOT NULL,
                pay TEXT NOT NULL, penalty TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (epoch, provider));
            CREATE TABLE IF NOT EXISTS totals (
                epoch INTEGER NOT NULL, provider TEXT NOT NULL, cum_pay TEXT NOT NULL, cum_penalty TEXT NOT NULL,
                PRIMARY KEY (epoch, provider));
            CREATE TABLE IF NOT EXISTS proofs (
                epoch INTEGER NOT NULL, provider TEXT NOT NULL, body TEXT NOT NULL, received REAL NOT NULL,
                PRIMARY KEY (epoch, provider));
            CREATE TABLE IF NOT EXISTS proposals (
                epoch INTEGER NOT NULL, root BLOB NOT NULL, body TEXT NOT NULL, PRIMARY KEY (epoch, root));
            """
        )
        self._lock = threading.RLock()

    def close(self) -> None:
        self._db.close()

    # -- proofs received --------------------------------------------------------

    def record_proof(self, proof: ProofMessage, now: float | None = None) -> None:
        """Keep a pushed proof (a later push for the same epoch replaces it)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO proofs VALUES (?, ?, ?, ?)",
                (proof.epoch, to_checksum_address(proof.provider), json.dumps(proof.to_json()), now or time.time()),
            )

    def proof(self, epoch: int, provider: str) -> ProofMessage | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM proofs WHERE epoch = ? AND provider = ?", (epoch, to_checksum_address(provider))
            ).fetchone()
        return None if row is None else ProofMessage.from_json(json.loads(row[0]))

    # -- epochs -----------------------------------------------------------------

    def last_epoch(self) -> int | None:
        """The newest recorded epoch."""
        with self._lock:
            row = self._db.execute("SELECT MAX(epoch) FROM epochs").fetchone()
        return None if row[0] is None else int(row[0])

    def is_recorded(self, epoch: int) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM epochs WHERE epoch = ?", (epoch,)).fetchone() is not None

    def record_epoch(self, epoch: int, verdicts: Sequence[Verdict], *, opened: bool = True) -> EpochResults:
        """Apply an epoch's verdicts to the totals (epochs in increasing order, each once)."""
        with self._lock:
            last = self.last_epoch()
            if last is not None and epoch <= last:
                raise ValueError(f"epoch {epoch} is not after the last recorded epoch {last}")
            if len({v.provider for v in verdicts}) != len(verdicts):
                raise ValueError("two verdicts for one provider")
            previous = self._totals(last) if last is not None else {}
            rows = []
            totals = dict(previous)
            for v in verdicts:
                if v.epoch != epoch:
                    raise ValueError(f"a verdict of epoch {v.epoch} in epoch {epoch}")
                pay, penalty = self.policy.apply(v)
                provider = to_checksum_address(v.provider)
                rows.append((epoch, provider, v.outcome, str(v.due), str(pay), str(penalty), v.reason))
                cum_pay, cum_penalty = totals.get(provider, (0, 0))
                totals[provider] = (cum_pay + pay, cum_penalty + penalty)
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("INSERT INTO epochs (epoch, opened, recorded) VALUES (?, ?, ?)", (epoch, int(opened), time.time()))
                self._db.executemany("INSERT INTO verdicts VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                self._write_totals(epoch, totals)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return self.results(epoch)

    def results(self, epoch: int) -> EpochResults:
        """The epoch's cumulative results (UnknownEpoch if it is not recorded)."""
        with self._lock:
            if not self.is_recorded(epoch):
                raise UnknownEpoch(f"epoch {epoch} has no results here yet")
            totals = self._totals(epoch)
        return EpochResults.of(epoch, ((p, pay, pen) for p, (pay, pen) in totals.items()))

    def opened(self, epoch: int) -> bool:
        with self._lock:
            row = self._db.execute("SELECT opened FROM epochs WHERE epoch = ?", (epoch,)).fetchone()
        return bool(row and row[0])

    def verdicts(self, epoch: int) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT provider, outcome, due, pay, penalty, reason FROM verdicts WHERE epoch = ? ORDER BY provider",
                (epoch,),
            ).fetchall()
        keys = ("provider", "outcome", "due", "pay", "penalty", "reason")
        return [dict(zip(keys, r)) for r in rows]

    def mark_attested(self, epoch: int, root: bytes) -> None:
        with self._lock:
            self._db.execute("UPDATE epochs SET attested_root = ? WHERE epoch = ?", (root, epoch))

    def attested_root(self, epoch: int) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT attested_root FROM epochs WHERE epoch = ?", (epoch,)).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    # -- proposals and adoption -------------------------------------------------------

    def record_proposal(self, results: EpochResults) -> None:
        """Keep results another Keeper proposed, in case the quorum attests them."""
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO proposals VALUES (?, ?, ?)",
                (results.epoch, results.root, json.dumps(results.to_json()["results"])),
            )

    def proposal(self, epoch: int, root: bytes) -> EpochResults | None:
        with self._lock:
            row = self._db.execute("SELECT body FROM proposals WHERE epoch = ? AND root = ?", (epoch, root)).fetchone()
        return None if row is None else EpochResults.from_json(epoch, json.loads(row[0]))

    def adopt(self, results: EpochResults) -> None:
        """Replace an epoch's totals by attested ones and recompute the later epochs."""
        with self._lock:
            if not self.is_recorded(results.epoch):
                raise UnknownEpoch(f"epoch {results.epoch} is not recorded here")
            later = [
                int(r[0])
                for r in self._db.execute("SELECT epoch FROM epochs WHERE epoch > ? ORDER BY epoch", (results.epoch,))
            ]
            self._db.execute("BEGIN IMMEDIATE")
            try:
                totals = {p: (pay, pen) for p, pay, pen in results.entries}
                self._write_totals(results.epoch, totals)
                self._db.execute("UPDATE epochs SET adopted = 1 WHERE epoch = ?", (results.epoch,))
                for epoch in later:
                    for provider, pay, penalty in self._db.execute(
                        "SELECT provider, pay, penalty FROM verdicts WHERE epoch = ?", (epoch,)
                    ).fetchall():
                        cum_pay, cum_penalty = totals.get(provider, (0, 0))
                        totals[provider] = (cum_pay + int(pay), cum_penalty + int(penalty))
                    self._write_totals(epoch, totals)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def start_from(self, results: EpochResults, root: bytes) -> None:
        """Continue from attested results: record ``results.epoch`` with the attested totals
        (no verdicts of its own, marked adopted and attested with ``root``), so the next
        epoch recorded adds to them. For a Keeper that joins late or was away: the epochs
        it skips are attested already, and judging them now would judge old epochs against
        today's data."""
        if results.root != root:
            raise ValueError(f"the results of epoch {results.epoch} do not hash to the attested root")
        with self._lock:
            last = self.last_epoch()
            if last is not None and results.epoch <= last:
                raise ValueError(f"epoch {results.epoch} is not after the last recorded epoch {last}")
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO epochs (epoch, opened, recorded, adopted, attested_root) VALUES (?, 1, ?, 1, ?)",
                    (results.epoch, time.time(), root),
                )
                self._write_totals(results.epoch, {p: (pay, pen) for p, pay, pen in results.entries})
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # -- internals --------------------------------------------------------------

    def _totals(self, epoch: int) -> dict[str, tuple[int, int]]:
        rows = self._db.execute("SELECT provider, cum_pay, cum_penalty FROM totals WHERE epoch = ?", (epoch,))
        return {p: (int(pay), int(pen)) for p, pay, pen in rows}

    def _write_totals(self, epoch: int, totals: dict[str, tuple[int, int]]) -> None:
        self._db.execute("DELETE FROM totals WHERE epoch = ?", (epoch,))
        self._db.executemany(
            "INSERT INTO totals VALUES (?, ?, ?, ?)",
            [(epoch, p, str(pay), str(pen)) for p, (pay, pen) in totals.items()],
        )
