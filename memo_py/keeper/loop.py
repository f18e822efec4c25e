"""The Keeper's epoch cycle, one step per :meth:`EpochLoop.tick`.

A tick, given the time ``now`` (so tests need no sleeping):

1. **Open.** Once the current epoch's seed block is sealed and it has no seed yet,
   send ``Epochs.open_epoch`` with that block's header (another Keeper may win the
   race; that is fine: whoever opens it, the seed is the same).
2. **Catch up, reconcile.** A Keeper whose ledger ends before the newest attested
   epoch (it joined a running network, or was down) starts from the attested
   results of that epoch (:meth:`Ledger.start_from`, checked against the root on
   chain) instead of judging old epochs against today's data; it waits, judging
   nothing, until a peer serves them. If the chain attested a root this Keeper
   did not compute, adopt the attested results (:meth:`Ledger.adopt`), from the
   proposal a peer sent or from a peer's ``GET /results/{epoch}``.
3. **Verify.** Every epoch that is over and not yet recorded, oldest first:
   an epoch without a seed is opened now (its seed is fixed by its seed block, so
   opening late changes nothing); one that can no longer be opened (its seed block
   is older than the chain remembers) is recorded empty; otherwise,
   once every Provider with something to prove has pushed its proof or
   ``proof_grace`` seconds have passed since the Keeper saw the epoch over, each
   Provider's proof is verified (pulled when it was not pushed; up to
   ``VERIFY_THREADS`` Providers at a time), the verdicts go into the ledger and
   into the RAFI risk tracker.
4. **Attest.** For the newest recorded, opened, unattested epoch (the contract
   attests in increasing order, and totals are cumulative, so older ones need no
   root of their own), the Keeper whose turn it is aggregates and submits.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from memo_py.chain.errors import ChainRevert
from memo_py.chain.merkle import ZERO
from memo_py.chain.records import RegisteredProvider
from memo_py.keeper.attest import Attestation, Attestor
from memo_py.keeper.chain import KeeperChain
from memo_py.keeper.ledger import Ledger
from memo_py.keeper.rafi import RiskTracker
from memo_py.keeper.verify import PASSED, Verdict, Verifier
from memo_py.runner import QuietSteps

__all__ = ["EpochLoop", "TickReport", "VERIFY_THREADS"]

#: Providers verified at the same time.
VERIFY_THREADS = 8
#: The newest finished epochs whose proof grace starts together (older ones start when reached),
#: so a Keeper far behind keeps a bounded table.
GRACE_HORIZON = 256

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    """What one tick did."""

    opened: bool = False
    recorded: list[int] = field(default_factory=list)
    waiting: int | None = None
    adopted: list[int] = field(default_factory=list)
    #: The attested epoch a Keeper that was behind started from.
    caught_up: int | None = None
    attestation: Attestation | None = None
    no_quorum: int | None = None
    error: str | None = None


class EpochLoop:
    """One Keeper's cycle of open, verify, attest."""

    def __init__(
        self,
        chain: KeeperChain,
        ledger: Ledger,
        verifier: Verifier,
        attestor: Attestor,
        risk: RiskTracker,
        *,
        proof_grace: float,
        aggregator_timeout: float,
        first_epoch: int = 0,
        quiet_seconds: float = 0.0,
    ) -> None:
        self.chain = chain
        self._quiet = QuietSteps(quiet_seconds)
        #: Whether the last step left work for the next one (an epoch to open or to attest).
        self._pending = False
        self.ledger = ledger
        self.verifier = verifier
        self.attestor = attestor
        self.risk = risk
        self.proof_grace = proof_grace
        self.aggregator_timeout = aggregator_timeout
        self.first_epoch = first_epoch
        self._over_since: dict[int, float] = {}
        self._ready_at: dict[int, float] = {}

    def tick(self, now: float) -> TickReport:
        report = TickReport()
        current = self.chain.current_epoch()
        if self._quiet.skip(current, now):
            return report  # nothing was pending, and no epoch has ended since
        self._pending = False
        self._step(current, now, report)
        if not (self._pending or report.waiting is not None or report.no_quorum is not None or report.error):
            self._quiet.settled(current, now)
        return report

    def _step(self, current: int, now: float, report: TickReport) -> None:
        """Open the current epoch, judge the finished ones, attest; ``self._pending`` when
        something is left that a later step of the same epoch must do."""
        if self.chain.seed_of(current) is None:
            try:
                report.opened = self.chain.open_epoch(current) is not None
            except Exception as exc:  # someone else opened it first, or the node is down
                log.debug("could not open epoch %d: %s", current, exc)
            # Its seed block may not be sealed yet: try again next step, not next epoch.
            self._pending = self._pending or not report.opened
        if not self._catch_up(report):
            self._pending = True
            return
        self._reconcile(report)
        last = self.ledger.last_epoch()
        epoch = self.first_epoch if last is None else last + 1
        for over in range(max(epoch, current - GRACE_HORIZON), current):
            # Every finished epoch's grace runs from now on, side by side: a Keeper that is
            # behind waits one grace period for them all, not one per epoch.
            self._over_since.setdefault(over, now)
        while epoch < current:
            if not self._judge(epoch, now, report):
                break
            epoch += 1
        self._attest(now, report)

    # -- verify -------------------------------------------------------------------

    def _judge(self, epoch: int, now: float, report: TickReport) -> bool:
        """Verify and record ``epoch``; False while its proofs are still awaited."""
        seed = self.chain.seed_of(epoch)
        if seed is None:
            try:
                self.chain.open_epoch(epoch)
            except ChainRevert as exc:  # too old to open, or a peer opened it just now
                log.debug("epoch %d not opened: %s", epoch, exc)
            seed = self.chain.seed_of(epoch)
        if seed is None:
            self.ledger.record_epoch(epoch, [], opened=False)
            report.recorded.append(epoch)
            return True
        providers = list(self.chain.providers())
        since = self._over_since.setdefault(epoch, now)
        if now - since < self.proof_grace:
            expected = [p for p in providers if self.verifier.universe(p.address, epoch)]
            if any(self.ledger.proof(epoch, p.address) is None for p in expected):
                report.waiting = epoch
                return False
        verdicts: list[Verdict] = []
        for provider, verdict in zip(providers, self._verify_all(providers, epoch, seed)):
            if verdict is None:
                continue
            verdicts.append(verdict)
            if verdict.outcome == PASSED:
                self.risk.seen_provider(provider.address, now)
            else:
                self.risk.failed_provider(provider.address, now)
        self.ledger.record_epoch(epoch, verdicts)
        self._ready_at[epoch] = now
        self._over_since.pop(epoch, None)
        report.recorded.append(epoch)
        return True

    def _verify_all(self, providers: list[RegisteredProvider], epoch: int, seed: bytes) -> list[Verdict | None]:
        """Each Provider's verdict, in order. Providers are verified side by side: a
        verdict waits on the network (a pulled proof, commitments not yet cached), and
        one unreachable Provider must not hold up the others for its whole timeout."""
        def one(provider: RegisteredProvider) -> Verdict | None:
            return self.verifier.verify(provider, epoch, seed, self.ledger.proof(epoch, provider.address))

        if len(providers) <= 1:
            return [one(p) for p in providers]
        with ThreadPoolExecutor(min(VERIFY_THREADS, len(providers)), thread_name_prefix="memo-verify") as pool:
            return list(pool.map(one, providers))

    # -- attest -------------------------------------------------------------------

    def _candidate(self) -> int | None:
        last = self.ledger.last_epoch()
        if last is None:
            return None
        latest = self.chain.latest_attested()
        for epoch in range(last, (latest if latest is not None else self.first_epoch - 1), -1):
            if self.ledger.opened(epoch) and self.ledger.results(epoch).root != ZERO:
                return epoch
        return None

    def _attest(self, now: float, report: TickReport) -> None:
        epoch = self._candidate()
        if epoch is None or self.chain.results_root(epoch) is not None:
            return
        self._pending = True  # attested below or not: the next step checks the chain again
        results = self.ledger.results(epoch)
        waited = now - self._ready_at.setdefault(epoch, now)
        if not self.attestor.is_my_turn(waited, self.aggregator_timeout):
            return
        attestation = self.attestor.collect(results)
        if attestation is None:
            report.no_quorum = epoch
            return
        try:
            self.attestor.submit(attestation)
        except Exception as exc:  # another Keeper attested first, or the node refused: retry next tick
            log.warning("epoch %d: attestation not submitted: %s", epoch, exc)
            report.error = f"{type(exc).__name__}: {exc}"
            return
        self.ledger.mark_attested(epoch, attestation.root)
        report.attestation = attestation

    def _catch_up(self, report: TickReport) -> bool:
        """Start from the newest attested epoch's results when the ledger ends before it;
        False while no peer serves them (the Keeper then judges nothing this tick)."""
        latest = self.chain.latest_attested()
        last = self.ledger.last_epoch()
        if latest is None or latest < self.first_epoch or (last is not None and last >= latest):
            return True
        root = self.chain.results_root(latest)
        results = None if root is None else self.attestor.fetch_results(latest, root)
        if results is None:
            log.warning("behind the attested epoch %d, and no peer serves its results yet", latest)
            report.error = f"waiting for the attested results of epoch {latest}"
            return False
        log.info("starting from the attested results of epoch %d (the ledger ended at %s)", latest, last)
        self.ledger.start_from(results, root)
        report.caught_up = latest
        return True

    def _reconcile(self, report: TickReport) -> None:
        latest = self.chain.latest_attested()
        if latest is None or not self.ledger.is_recorded(latest) or self.ledger.attested_root(latest) is not None:
            return
        root = self.chain.results_root(latest)
        if root is None:
            return
        if self.ledger.results(latest).root != root:
            adopted = self.ledger.proposal(latest, root) or self.attestor.fetch_results(latest, root)
            if adopted is None:
                log.warning("epoch %d was attested with a root this Keeper cannot rebuild yet", latest)
                return
            log.warning("epoch %d: adopting the attested results (this Keeper's verdicts differed)", latest)
            self.ledger.adopt(adopted)
            report.adopted.append(latest)
        self.ledger.mark_attested(latest, root)
