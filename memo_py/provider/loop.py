"""The Provider's epoch loop, one step per :meth:`ProviderLoop.tick`.

A tick, given the time ``now`` (so tests need no sleeping):

1. **Prove.** Every epoch that has ended (``epoch < current_epoch``), has a seed,
   is at most ``catch_up_epochs`` behind and is not yet handled, oldest first: build
   the proof with the orders the chain holds *for that epoch*
   (``orders_of(provider, epoch)``, the Keepers' rule in
   :mod:`memo_py.keeper.verify`: same universe, same ``sample_size``) and push it to
   every configured Keeper (:meth:`ProviderService.push_epoch`). An ended epoch
   without a seed was never opened; one without active orders has nothing to prove.
   Keepers judge an epoch once it is over, so proving then is what they wait for.
2. **Retry.** A push that failed is retried on later ticks (backing off from
   ``retry_base`` seconds up to 16 times that) until ``push_retry_seconds`` after the
   epoch's first push. A Keeper answering 409 has judged the epoch already and is
   not asked again. (A Keeper that was never reached also pulls ``GET /proofs``.)
3. **Withdraw.** When the chain has an attested results root newer than the last
   one handled, fetch this Provider's cumulative totals and Merkle proof from a
   Keeper (``GET /results/{epoch}/{provider}``), check the proof against the chain's
   root, and call ``withdraw_pay`` if ``cum_pay`` grew beyond what was withdrawn.
4. **Housekeeping.** Once per epoch, release the agreements that are over (never
   settled on-chain and no longer can be, or ended with every paid epoch attested
   and no dispute open): their chunks are deleted and their reservation freed; and
   delete the chunks their Users released, once no Keeper or dispute can ask for
   them under an older root (:mod:`memo_py.provider.housekeeping`).

Before those, every tick answers the on-chain disputes against this Provider
(``Disputes.vy``: an unanswered one is slashed after its deadline). For each open
dispute not answered yet: read the challenged blob back from the chunk store (its
chunk, packed, sliced; the zero blob if the dispute's root releases it), its
commitment, the commitment's Merkle path in the
order's commitment tree as the dispute recorded it (its ``blob_count`` and ``root``),
open the blob at the dispute's z (:func:`memo_py.crypto.kzg.open_blob`), check the
opening locally and send ``answer``. A failure (the node, a revert, a missing chunk)
is retried with the loop's back-off while the dispute stays open; a missing blob is
logged as an error, since there is nothing to answer with.

Progress lives in ``loop.db`` (SQLite, WAL, synchronous FULL) in the Provider's data
directory, so a restarted daemon neither proves an epoch again nor withdraws twice.
The one window is a crash between ``withdraw_pay`` and its record: the next tick
sends the same cumulative totals again, which the Market settles as zero new pay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address

from memo_py.chain.merkle import CommitmentTree, results_leaf, verify_results_proof
from memo_py.crypto import kzg
from memo_py.errors import UnknownEpoch
from memo_py.protocol.http import RemoteError, SignedClient
from memo_py.protocol.limits import MAX_MESSAGE_BYTES
from memo_py.provider.config import KeeperEndpoint
from memo_py.provider.housekeeping import UPLOAD_IDLE_SECONDS, Release, releasable, releasable_chunks, release, release_chunks
from memo_py.provider.store import ChunkMissing
from memo_py.runner import QuietSteps

__all__ = ["LoopReport", "LoopState", "ProviderLoop", "Withdrawal"]

log = logging.getLogger(__name__)

# Epoch states: every one but PENDING is final.
PENDING = "pending"  # proof not built yet (a build failed; retried within the window)
PROVED = "proved"
EMPTY = "empty"  # no active order with blobs: nothing to prove
UNOPENED = "unopened"  # ended without a seed
FAILED = "failed"  # could not build the proof within the retry window
SKIPPED = "skipped"  # found too late (more than catch_up_epochs behind)

# Push states.
DELIVERED = "delivered"
RETRY = "retry"
REFUSED = "refused"  # the Keeper judged the epoch already (409), or the window closed

# Dispute states: ANSWERED and EXPIRED are final.
ANSWERED = "answered"
MISSING = "missing"  # the blob (or its commitments) is not in the store: retried, logged as an error
EXPIRED = "expired"  # the chain refused the answer because the deadline passed

_SCHEMA = """
CREATE TABLE IF NOT EXISTS epochs (
    epoch INTEGER PRIMARY KEY,
    state TEXT NOT NULL,
    blob_count INTEGER NOT NULL DEFAULT 0,
    first_try REAL NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS pushes (
    epoch INTEGER NOT NULL,
    keeper TEXT NOT NULL,
    url TEXT NOT NULL,
    state TEXT NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (epoch, keeper)
);
CREATE TABLE IF NOT EXISTS withdrawals (
    epoch INTEGER PRIMARY KEY,
    root BLOB NOT NULL,
    cum_pay TEXT NOT NULL,
    cum_penalty TEXT NOT NULL,
    tx BLOB NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS disputes (
    dispute_id INTEGER PRIMARY KEY,
    state TEXT NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    tx BLOB NOT NULL DEFAULT x''
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Withdrawal:
    """A ``withdraw_pay`` this Provider sent."""

    epoch: int
    cum_pay: int
    cum_penalty: int
    tx: bytes


@dataclass
class LoopReport:
    """What one tick did."""

    proved: list[int] = field(default_factory=list)
    empty: list[int] = field(default_factory=list)
    #: Outcome per Keeper URL of every push made in this tick, by epoch.
    pushed: dict[int, dict[str, str]] = field(default_factory=dict)
    withdrawal: Withdrawal | None = None
    #: Disputes answered in this tick.
    answered: list[int] = field(default_factory=list)
    #: Agreements released in this tick (see :mod:`~memo_py.provider.housekeeping`), and the
    #: bytes of chunks deleted with them.
    released: list[Release] = field(default_factory=list)
    freed_bytes: int = 0
    errors: list[str] = field(default_factory=list)


class LoopState:
    """The loop's progress in SQLite (thread-safe)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(os.fspath(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- meta -------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def cursor(self) -> int | None:
        """The first epoch not yet handled for good (None before the first tick)."""
        with self._lock:
            value = self._meta("cursor")
        return None if value is None else int(value)

    def set_cursor(self, epoch: int) -> None:
        with self._lock:
            self._set_meta("cursor", str(epoch))

    def checked(self) -> int | None:
        """The newest attested epoch already handled by the withdrawal step."""
        with self._lock:
            value = self._meta("checked")
        return None if value is None else int(value)

    def set_checked(self, epoch: int) -> None:
        with self._lock:
            self._set_meta("checked", str(epoch))

    # -- epochs -----------------------------------------------------------------

    def epoch(self, epoch: int) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT state, blob_count, first_try, tries, next_try, error FROM epochs WHERE epoch = ?", (epoch,)
            ).fetchone()
        if row is None:
            return None
        return dict(zip(("state", "blob_count", "first_try", "tries", "next_try", "error"), row))

    def set_epoch(
        self, epoch: int, state: str, now: float, *, blob_count: int = 0, next_try: float = 0.0, error: str = ""
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO epochs (epoch, state, blob_count, first_try, tries, next_try, error)"
                " VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT(epoch) DO UPDATE SET state = excluded.state,"
                " blob_count = excluded.blob_count, tries = tries + 1, next_try = excluded.next_try,"
                " error = excluded.error",
                (epoch, state, blob_count, now, next_try, error),
            )

    def proved_epochs(self) -> list[int]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT epoch FROM epochs WHERE state = ? ORDER BY epoch", (PROVED,))]

    # -- pushes -----------------------------------------------------------------

    def add_pushes(self, epoch: int, keepers: Sequence[KeeperEndpoint]) -> None:
        with self._transaction():
            for keeper in keepers:
                self._db.execute(
                    "INSERT OR IGNORE INTO pushes (epoch, keeper, url, state) VALUES (?, ?, ?, ?)",
                    (epoch, to_checksum_address(keeper.address), keeper.url, RETRY),
                )

    def last_proved(self) -> int | None:
        """The newest epoch this Provider proved (None before the first)."""
        with self._lock:
            (epoch,) = self._db.execute("SELECT MAX(epoch) FROM epochs WHERE state = ?", (PROVED,)).fetchone()
        return None if epoch is None else int(epoch)

    def retrying(self) -> bool:
        """Whether any push waits for another try."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM pushes WHERE state = ? LIMIT 1", (RETRY,)).fetchone() is not None

    def due_pushes(self, now: float) -> dict[int, list[KeeperEndpoint]]:
        """Pushes to (re)try now, by epoch."""
        with self._lock:
            rows = self._db.execute(
                "SELECT epoch, keeper, url FROM pushes WHERE state = ? AND next_try <= ? ORDER BY epoch, keeper",
                (RETRY, now),
            ).fetchall()
        out: dict[int, list[KeeperEndpoint]] = {}
        for epoch, keeper, url in rows:
            out.setdefault(epoch, []).append(KeeperEndpoint(address=keeper, url=url))
        return out

    def pushes(self, epoch: int) -> dict[str, dict[str, Any]]:
        """Every push of ``epoch``, by Keeper address."""
        with self._lock:
            rows = self._db.execute(
                "SELECT keeper, url, state, tries, error FROM pushes WHERE epoch = ?", (epoch,)
            ).fetchall()
        return {k: {"url": u, "state": s, "tries": t, "error": e} for k, u, s, t, e in rows}

    def set_push(self, epoch: int, keeper: str, state: str, *, next_try: float = 0.0, error: str = "") -> None:
        with self._lock:
            self._db.execute(
                "UPDATE pushes SET state = ?, tries = tries + 1, next_try = ?, error = ? WHERE epoch = ? AND keeper = ?",
                (state, next_try, error, epoch, to_checksum_address(keeper)),
            )

    def push_tries(self, epoch: int, keeper: str) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT tries FROM pushes WHERE epoch = ? AND keeper = ?", (epoch, to_checksum_address(keeper))
            ).fetchone()
        return 0 if row is None else row[0]

    # -- disputes -----------------------------------------------------------------

    def dispute(self, dispute_id: int) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT state, tries, next_try, error, tx FROM disputes WHERE dispute_id = ?", (dispute_id,)
            ).fetchone()
        if row is None:
            return None
        return dict(zip(("state", "tries", "next_try", "error", "tx"), row))

    def set_dispute(
        self, dispute_id: int, state: str, *, next_try: float = 0.0, error: str = "", tx: bytes = b""
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO disputes (dispute_id, state, tries, next_try, error, tx) VALUES (?, ?, 1, ?, ?, ?)"
                " ON CONFLICT(dispute_id) DO UPDATE SET state = excluded.state, tries = tries + 1,"
                " next_try = excluded.next_try, error = excluded.error, tx = excluded.tx",
                (dispute_id, state, next_try, error, tx),
            )

    def answered_disputes(self) -> list[int]:
        with self._lock:
            return [
                r[0]
                for r in self._db.execute("SELECT dispute_id FROM disputes WHERE state = ? ORDER BY dispute_id", (ANSWERED,))
            ]

    # -- withdrawals --------------------------------------------------------------

    def withdrawn_pay(self) -> int:
        """The largest ``cum_pay`` withdrawn so far (0 before the first withdrawal)."""
        with self._lock:
            rows = self._db.execute("SELECT cum_pay FROM withdrawals").fetchall()
        return max((int(r[0]) for r in rows), default=0)

    def record_withdrawal(self, w: Withdrawal, root: bytes, now: float) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO withdrawals (epoch, root, cum_pay, cum_penalty, tx, at) VALUES (?, ?, ?, ?, ?, ?)",
                (w.epoch, root, str(w.cum_pay), str(w.cum_penalty), w.tx, now),
            )
            self._set_meta("checked", str(w.epoch))

    def withdrawals(self) -> list[Withdrawal]:
        with self._lock:
            rows = self._db.execute("SELECT epoch, cum_pay, cum_penalty, tx FROM withdrawals ORDER BY epoch").fetchall()
        return [Withdrawal(e, int(p), int(q), bytes(t)) for e, p, q, t in rows]


_NO_LEAF = object()


def _refused(outcome: str) -> bool:
    """Whether a :func:`~memo_py.provider.prover.push_proof` outcome is a 409 (epoch already judged)."""
    return outcome.startswith("RemoteError: HTTP 409")


class ProviderLoop:
    """One Provider's cycle of prove, push, withdraw (see the module docstring).

    ``service`` is the :class:`~memo_py.provider.service.ProviderService` whose prover,
    chain and configuration the loop uses (the daemon's app holds the same one).
    """

    def __init__(self, service: Any, state: LoopState | None = None, *, retry_base: float | None = None) -> None:
        self.service = service
        self.config = service.config
        self.chain = service.chain
        self.address = to_checksum_address(service.address)
        self._owns_state = state is None
        self.state = state if state is not None else LoopState(self.config.data_dir / "loop.db")
        self.retry_base = self.config.tick_seconds if retry_base is None else retry_base
        self._withdraw_next_try = 0.0
        self._withdraw_tries = 0
        self._housekept: int | None = None  # the epoch of the last housekeeping pass
        self._quiet = QuietSteps(self.config.quiet_seconds)
        self._pending = False
        self._lock = threading.Lock()

    def close(self) -> None:
        if self._owns_state:
            self.state.close()

    def _backoff(self, tries: int) -> float:
        return self.retry_base * min(2 ** max(tries - 1, 0), 16)

    def tick(self, now: float) -> LoopReport:
        """One step: prove ended epochs, retry failed pushes, withdraw from a new attested root,
        and once an epoch release the agreements that are over."""
        with self._lock:
            report = LoopReport()
            try:
                current = self.chain.current_epoch()
            except Exception as exc:  # the node is down: nothing to do this tick
                report.errors.append(f"current_epoch: {type(exc).__name__}: {exc}")
                return report
            if self._quiet.skip(current, now):
                return report  # nothing was pending, and no epoch has ended since
            self._pending = False
            self._disputes(now, report)
            self._prove(current, now, report)
            self._retry(now, report)
            self._withdraw(now, report)
            self._housekeep(current, report)
            for error in report.errors:
                log.warning("provider loop: %s", error)
            if not (self._pending or report.errors or self._withdraw_tries or self.state.retrying()
                    or self._awaiting_attestation()):
                self._quiet.settled(current, now)
            return report

    def _awaiting_attestation(self) -> bool:
        """Whether an epoch this Provider proved is newer than the last attested one it handled:
        the Keepers attest it within the epoch, and its pay is then withdrawn."""
        proved, checked = self.state.last_proved(), self.state.checked()
        return proved is not None and (checked is None or checked < proved)

    def withdraw_now(self, now: float) -> LoopReport:
        """Only the withdrawal step, at once (``memo provider withdraw``); shares the loop's records."""
        with self._lock:
            report = LoopReport()
            self._withdraw_next_try = 0.0
            self._withdraw(now, report)
            return report

    # -- housekeeping ---------------------------------------------------------------

    def _housekeep(self, current: int, report: LoopReport) -> None:
        """Once per epoch: release the agreements that are over, with their chunks, and
        delete the chunks their Users released."""
        if self._housekept == current:
            return
        try:
            orders = {o.order_id: o for o in self.chain.orders_of(self.address)}
            attested = self.chain.latest_attested()
            finder = getattr(self.chain, "open_disputes_of", None)
            disputed = {bytes(d.order_id) for d in finder(self.address)} if finder is not None else set()
            receiving = self.service.ingest.receiving(UPLOAD_IDLE_SECONDS)
            releases = releasable(self.service.agreements.all(), orders, current, attested, disputed, receiving)
            report.freed_bytes += release(self.service, releases)
            chunks = releasable_chunks(self.service.agreements, orders, current, attested, disputed)
            report.freed_bytes += release_chunks(self.service, chunks)
        except Exception as exc:  # the node is down: keep everything, try next tick
            report.errors.append(f"housekeeping: {type(exc).__name__}: {exc}")
            return
        report.released.extend(releases)
        self._housekept = current

    # -- prove ----------------------------------------------------------------------

    def _prove(self, current: int, now: float, report: LoopReport) -> None:
        low = max(0, current - self.config.catch_up_epochs)
        cursor = self.state.cursor()
        if cursor is None:
            cursor = low
        for epoch in range(cursor, low):  # ended while the daemon was down for too long
            row = self.state.epoch(epoch)
            if row is None or row["state"] == PENDING:
                self.state.set_epoch(epoch, SKIPPED, now)
        first_open = None
        for epoch in range(max(cursor, low), current):
            row = self.state.epoch(epoch)
            if row is None or (row["state"] == PENDING and now >= row["next_try"]):
                self._prove_epoch(epoch, now, row, report)
                row = self.state.epoch(epoch)
            if row is not None and row["state"] == PENDING and first_open is None:
                first_open = epoch
        self.state.set_cursor(current if first_open is None else first_open)
        self._pending = self._pending or first_open is not None

    def _prove_epoch(self, epoch: int, now: float, row: dict[str, Any] | None, report: LoopReport) -> None:
        try:
            seed = self.chain.seed_of(epoch)
            if seed is None:
                self.state.set_epoch(epoch, UNOPENED, now)
                return
            proof = asyncio.run(self.service.prover.build_proof(epoch, seed))
        except UnknownEpoch:  # no active order with blobs in that epoch
            self.state.set_epoch(epoch, EMPTY, now)
            report.empty.append(epoch)
            return
        except Exception as exc:  # a chain read or a missing chunk: retry within the window
            first = now if row is None else row["first_try"]
            tries = 1 if row is None else row["tries"] + 1
            error = f"epoch {epoch}: proof not built: {type(exc).__name__}: {exc}"
            report.errors.append(error)
            if now - first >= self.config.push_retry_seconds:
                self.state.set_epoch(epoch, FAILED, now, error=error)
            else:
                self.state.set_epoch(epoch, PENDING, now, next_try=now + self._backoff(tries), error=error)
            return
        self.state.set_epoch(epoch, PROVED, now, blob_count=len(proof.samples))
        self.state.add_pushes(epoch, self.config.keepers)
        report.proved.append(epoch)
        self._push(epoch, list(self.config.keepers), now, report)

    # -- push -----------------------------------------------------------------------

    def _push(self, epoch: int, keepers: list[KeeperEndpoint], now: float, report: LoopReport) -> None:
        if not keepers:
            return
        try:
            outcomes = asyncio.run(self.service.push_epoch(epoch, keepers))
        except Exception as exc:  # the proof could not be rebuilt (e.g. after a restart): retry later
            outcomes = {k.url: f"{type(exc).__name__}: {exc}" for k in keepers}
        report.pushed[epoch] = outcomes
        first = self.state.epoch(epoch)
        opened = now if first is None else first["first_try"]
        for keeper in keepers:
            outcome = outcomes.get(keeper.url, "not attempted")
            if outcome == "ok":
                self.state.set_push(epoch, keeper.address, DELIVERED)
            elif _refused(outcome):
                self.state.set_push(epoch, keeper.address, REFUSED, error=outcome)
            elif now - opened >= self.config.push_retry_seconds:
                self.state.set_push(epoch, keeper.address, REFUSED, error=f"gave up: {outcome}")
            else:
                tries = self.state.push_tries(epoch, keeper.address) + 1
                self.state.set_push(epoch, keeper.address, RETRY, next_try=now + self._backoff(tries), error=outcome)

    def _retry(self, now: float, report: LoopReport) -> None:
        for epoch, keepers in self.state.due_pushes(now).items():
            if epoch in report.pushed:
                continue  # pushed in this very tick
            self._push(epoch, keepers, now, report)

    # -- disputes -------------------------------------------------------------------

    def _disputes(self, now: float, report: LoopReport) -> None:
        """Answer every open dispute against this Provider not answered yet (see the module docstring)."""
        finder = getattr(self.chain, "open_disputes_of", None)
        if finder is None:  # a chain without disputes
            return
        try:
            disputes = list(finder(self.address))
        except Exception as exc:  # the node is down: next tick
            report.errors.append(f"disputes: {type(exc).__name__}: {exc}")
            return
        for dispute in disputes:
            row = self.state.dispute(dispute.dispute_id)
            if row is None or row["state"] not in (ANSWERED, EXPIRED):
                self._pending = True  # to answer, or to retry
            if row is not None and (row["state"] in (ANSWERED, EXPIRED) or now < row["next_try"]):
                continue
            tries = 1 if row is None else row["tries"] + 1
            where = f"dispute {dispute.dispute_id} (order 0x{bytes(dispute.order_id).hex()}, blob {dispute.blob_index})"
            try:
                commitment, path, y, proof = self._dispute_answer(dispute)
            except ChunkMissing as exc:
                error = f"{where}: cannot answer, the blob is not in the store: {exc}"
                log.error("%s (it will be slashed after its deadline %d unless the chunk comes back)", error, dispute.deadline)
                report.errors.append(error)
                self.state.set_dispute(dispute.dispute_id, MISSING, next_try=now + self._backoff(tries), error=error)
                continue
            except Exception as exc:
                error = f"{where}: no answer built: {type(exc).__name__}: {exc}"
                report.errors.append(error)
                self.state.set_dispute(dispute.dispute_id, MISSING, next_try=now + self._backoff(tries), error=error)
                continue
            try:
                tx = self.chain.answer_dispute(dispute.dispute_id, commitment, path, y, proof)
            except Exception as exc:  # the node is down or the Disputes contract refused
                error = f"{where}: answer not sent: {type(exc).__name__}: {exc}"
                report.errors.append(error)
                if "deadline passed" in str(exc):
                    self.state.set_dispute(dispute.dispute_id, EXPIRED, error=error)
                else:
                    self.state.set_dispute(dispute.dispute_id, RETRY, next_try=now + self._backoff(tries), error=error)
                continue
            self.state.set_dispute(dispute.dispute_id, ANSWERED, tx=bytes(tx))
            report.answered.append(dispute.dispute_id)
            log.info("answered %s (tx 0x%s)", where, bytes(tx).hex())

    def _dispute_answer(self, dispute: Any) -> tuple[bytes, list[bytes], bytes, bytes]:
        """(commitment, Merkle path, y, KZG proof) answering ``dispute`` from the chunk store.

        The order is read as the root the dispute recorded describes it: a blob of a
        chunk that root releases is the zero blob, answered without data. Raises
        ChunkMissing when the blob or the order's commitments are not all here."""
        order_id, index, count = bytes(dispute.order_id), int(dispute.blob_index), int(dispute.blob_count)
        agreement = self.service.agreements.find(order_id)
        if agreement is None:
            raise ChunkMissing(f"order 0x{order_id.hex()} has no agreement here")
        if not 0 <= index < count <= agreement.blob_count:
            raise ChunkMissing(f"blob {index} of {count} is outside the order's {agreement.blob_count} blobs here")
        versions = self.service.versions
        commitments, released = versions.commitments(agreement, bytes(dispute.root), count)
        missing = sum(c is None for c in commitments)
        if missing:
            raise ChunkMissing(f"{missing} of the order's {count} commitments are not stored")
        tree = CommitmentTree(commitments)  # type: ignore[arg-type]
        if tree.root != bytes(dispute.root):
            raise ValueError(
                f"the stored commitments of order 0x{order_id.hex()} do not match the disputed root 0x{bytes(dispute.root).hex()}"
            )
        blob = versions.blob(agreement, index, released, {})  # ChunkMissing if gone or corrupted
        commitment = commitments[index]
        assert commitment is not None
        opening = kzg.open_blob(blob, int(dispute.z))
        if not kzg.verify_opening(commitment, int(dispute.z), opening.y, opening.proof):
            raise ChunkMissing(f"the stored blob {index} of order 0x{order_id.hex()} does not match its commitment")
        return commitment, tree.proof(index), opening.y_bytes, opening.proof

    # -- withdraw -------------------------------------------------------------------

    def _withdraw(self, now: float, report: LoopReport) -> None:
        if now < self._withdraw_next_try:
            return
        try:
            latest = self.chain.latest_attested()
            checked = self.state.checked()
            if latest is None or (checked is not None and latest <= checked):
                return
            root = self.chain.results_root(latest)
            if root is None:
                return
            found = self._fetch_results(latest, root)
            if found is None:
                raise LookupError(f"no Keeper served a valid results proof for epoch {latest}")
            if found is _NO_LEAF:  # this Provider has no leaf: nothing to withdraw
                self.state.set_checked(latest)
                return
            cum_pay, cum_penalty, proof = found  # type: ignore[misc]
            if cum_pay <= self.state.withdrawn_pay():
                self.state.set_checked(latest)
                return
            tx = self.chain.withdraw_pay(latest, cum_pay, cum_penalty, proof)
        except Exception as exc:  # a Keeper or the node is down, or the Market refused: back off
            self._withdraw_tries += 1
            self._withdraw_next_try = now + self._backoff(self._withdraw_tries)
            report.errors.append(f"withdrawal: {type(exc).__name__}: {exc}")
            return
        withdrawal = Withdrawal(latest, cum_pay, cum_penalty, bytes(tx))
        self.state.record_withdrawal(withdrawal, root, now)
        self._withdraw_tries = 0
        report.withdrawal = withdrawal
        log.info("withdrew pay through epoch %d: cumulative %d (tx 0x%s)", latest, cum_pay, withdrawal.tx.hex())

    def _fetch_results(self, epoch: int, root: bytes) -> tuple[int, int, list[bytes]] | object | None:
        """This Provider's (cum_pay, cum_penalty, proof) in ``epoch`` from the first Keeper whose
        proof verifies against ``root``; ``_NO_LEAF`` when every Keeper says it has no leaf; else None."""
        key = self.config.private_key.get_secret_value()
        absent = 0
        for keeper in self.config.keepers:
            try:
                with SignedClient(key, keeper.url, keeper.address, timeout=10.0) as client:
                    answer = client.get_json(f"/results/{epoch}/{self.address}", limit=MAX_MESSAGE_BYTES)
                cum_pay, cum_penalty = int(answer["cum_pay"]), int(answer["cum_penalty"])
                proof = [bytes.fromhex(p[2:]) for p in answer["proof"]]
            except RemoteError as exc:
                if exc.status == 404:
                    absent += 1
                log.info("results of epoch %d not served by %s: %s", epoch, keeper.url, exc)
                continue
            except Exception as exc:  # down, or a malformed answer: ask the next one
                log.info("results of epoch %d not served by %s: %s", epoch, keeper.url, exc)
                continue
            if verify_results_proof(proof, root, results_leaf(self.address, cum_pay, cum_penalty)):
                return cum_pay, cum_penalty, proof
            log.warning("keeper %s served results of epoch %d that do not match the attested root", keeper.url, epoch)
        if self.config.keepers and absent == len(self.config.keepers):
            return _NO_LEAF
        return None
