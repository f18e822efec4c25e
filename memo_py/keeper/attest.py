"""Attestation: Keepers BLS-sign an epoch's results root, one of them aggregates.

Each Keeper signs ``attestation_message(chain_id, epochs, epoch, root)``
(:func:`memo_py.chain.merkle.attestation_message`) with its BLS key, and only a
root its own ledger gives for that epoch (``POST /attestations/{epoch}/sign``
answers 409 otherwise, and keeps the proposal in case the quorum attests it).

The aggregator of an epoch is the Keeper in the lowest active Registry slot that
answers (``GET /health``). A Keeper of rank r (its position among active slots)
aggregates when every Keeper below it is unreachable, or when the epoch is still
unattested ``r * aggregator_timeout`` seconds after its results were ready (the
one below is up but stuck). Aggregating means: its own signature, then signatures
from the other Keepers until their weight reaches the quorum
(``weight * den >= total * num``, at least 2/3); each one is checked against the
signer's registered key before it counts. Then one ``Epochs.attest`` with the root,
the signer bitmap (bit = slot) and the aggregate signature. Without quorum nothing
is submitted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from eth_utils import to_checksum_address

from memo_py.chain.merkle import ZERO, attestation_message
from memo_py.crypto import bls
from memo_py.errors import MemoError, NotPermitted, ResultsMismatch
from memo_py.keeper.chain import KeeperChain, KeeperSlot
from memo_py.keeper.ledger import EpochResults, Ledger
from memo_py.protocol.http import SignedClient, get_public_json
from memo_py.protocol.limits import MAX_MESSAGE_BYTES, MAX_RESULTS_BYTES

__all__ = ["Attestation", "Attestor", "has_quorum"]

log = logging.getLogger(__name__)


def has_quorum(weight: int, total: int, quorum: tuple[int, int]) -> bool:
    """The Epochs contract's rule: ``weight > 0 and weight * den >= total * num``."""
    num, den = quorum
    return weight > 0 and weight * den >= total * num


@dataclass(frozen=True)
class Attestation:
    """An aggregated attestation, ready for ``Epochs.attest``."""

    epoch: int
    root: bytes
    bitmap: int
    signature: bytes
    signers: tuple[int, ...]
    weight: int


class Attestor:
    """Signs this Keeper's roots, answers peers' sign requests, and aggregates."""

    def __init__(
        self,
        address: str,
        private_key: bytes | str,
        bls_secret: bytes,
        chain: KeeperChain,
        ledger: Ledger,
        peers: Mapping[str, str],
        *,
        timeout: float = 10.0,
    ) -> None:
        self.address = to_checksum_address(address)
        self._key = private_key
        self._bls = bls_secret
        self.bls_public = bls.public_key(bls_secret)
        self.chain = chain
        self.ledger = ledger
        self.peers = {to_checksum_address(a): url for a, url in peers.items()}
        self.timeout = timeout

    # -- signing ----------------------------------------------------------------

    def message(self, epoch: int, root: bytes) -> bytes:
        return attestation_message(self.chain.chain_id, self.chain.epochs, epoch, root)

    def sign(self, epoch: int, root: bytes) -> bytes:
        return bls.sign(self._bls, self.message(epoch, root))

    def my_slot(self, keepers: Sequence[KeeperSlot] | None = None) -> KeeperSlot | None:
        keepers = self.chain.keepers() if keepers is None else keepers
        return next((k for k in keepers if to_checksum_address(k.address) == self.address), None)

    def answer_sign_request(self, signer: str, epoch: int, payload: Any) -> dict[str, Any]:
        """``POST /attestations/{epoch}/sign``: sign the proposed root if it is ours too."""
        keepers = self.chain.keepers()
        if not any(to_checksum_address(k.address) == to_checksum_address(signer) for k in keepers):
            raise NotPermitted(f"{signer} is not an active Keeper")
        if not isinstance(payload, dict) or "root" not in payload or "results" not in payload:
            raise ValueError("a sign request is {root, results}")
        proposed = EpochResults.from_json(epoch, payload["results"])
        root_text = payload["root"]
        if not isinstance(root_text, str) or root_text.lower() != "0x" + proposed.root.hex():
            raise ValueError("the proposed results do not hash to the proposed root")
        if proposed.root == ZERO:
            raise ValueError("an empty results root cannot be attested")
        mine = self.ledger.results(epoch)  # UnknownEpoch (404) while this Keeper has not judged it
        if mine.root != proposed.root:
            self.ledger.record_proposal(proposed)
            raise ResultsMismatch(
                f"epoch {epoch}: this Keeper's results root is 0x{mine.root.hex()}, not 0x{proposed.root.hex()}"
            )
        me = self.my_slot(keepers)
        if me is None:
            raise NotPermitted("this Keeper holds no active slot")
        return {
            "epoch": epoch,
            "root": "0x" + mine.root.hex(),
            "slot": me.slot,
            "signature": "0x" + self.sign(epoch, mine.root).hex(),
        }

    # -- aggregation ----------------------------------------------------------------

    def ranked(self) -> list[KeeperSlot]:
        return sorted(self.chain.keepers(), key=lambda k: k.slot)

    def reachable(self, keeper: KeeperSlot) -> bool:
        url = self.peers.get(to_checksum_address(keeper.address))
        if url is None:
            return False
        try:
            get_public_json(url, "/health", timeout=min(self.timeout, 3.0))
            return True
        except (httpx.HTTPError, httpx.InvalidURL, MemoError):  # down, refusing, or answering nonsense
            return False

    def is_my_turn(self, waited: float, aggregator_timeout: float) -> bool:
        """Whether this Keeper should aggregate now, ``waited`` seconds after its results were ready."""
        ranked = self.ranked()
        rank = next((i for i, k in enumerate(ranked) if to_checksum_address(k.address) == self.address), None)
        if rank is None:
            return False
        if rank == 0 or waited >= rank * aggregator_timeout:
            return True
        return not any(self.reachable(k) for k in ranked[:rank])

    def collect(self, results: EpochResults) -> Attestation | None:
        """Gather signatures for ``results`` until quorum; None if quorum is out of reach."""
        keepers = self.ranked()
        me = self.my_slot(keepers)
        if me is None:
            return None
        total = sum(k.weight for k in keepers)
        quorum = self.chain.quorum()
        message = self.message(results.epoch, results.root)
        signatures = {me.slot: self.sign(results.epoch, results.root)}
        weight = me.weight
        body = json.dumps({"root": "0x" + results.root.hex(), "results": results.to_json()["results"]}).encode()
        for keeper in keepers:
            if has_quorum(weight, total, quorum):
                break
            if keeper.slot in signatures:
                continue
            signature = self._ask(keeper, results.epoch, body)
            if signature is None:
                continue
            try:
                valid = bls.verify(keeper.pubkey, message, signature)
            except Exception:
                valid = False
            if not valid:
                log.warning("keeper %s sent a signature that does not verify for epoch %d", keeper.address, results.epoch)
                continue
            signatures[keeper.slot] = signature
            weight += keeper.weight
        if not has_quorum(weight, total, quorum):
            log.info("epoch %d: signer weight %d of %d is below quorum %s", results.epoch, weight, total, quorum)
            return None
        slots = tuple(sorted(signatures))
        return Attestation(
            epoch=results.epoch,
            root=results.root,
            bitmap=sum(1 << s for s in slots),
            signature=bls.aggregate([signatures[s] for s in slots]),
            signers=slots,
            weight=weight,
        )

    def _ask(self, keeper: KeeperSlot, epoch: int, body: bytes) -> bytes | None:
        url = self.peers.get(to_checksum_address(keeper.address))
        if url is None:
            return None
        try:
            with SignedClient(self._key, url, keeper.address, timeout=self.timeout) as client:
                answer = client.request(
                    "POST", f"/attestations/{epoch}/sign", content=body, limit=MAX_MESSAGE_BYTES
                ).json()
            text = answer["signature"]
            if int(answer["slot"]) != keeper.slot:
                return None
            return bytes.fromhex(text[2:])
        except Exception as exc:  # a peer down or disagreeing must not stop the others
            log.info("keeper %s did not sign epoch %d: %s", keeper.address, epoch, exc)
            return None

    def submit(self, attestation: Attestation) -> bytes:
        return self.chain.attest(attestation.epoch, attestation.root, attestation.bitmap, attestation.signature)

    def fetch_results(self, epoch: int, root: bytes) -> EpochResults | None:
        """Results of ``epoch`` hashing to ``root``, from a peer (to adopt an attested root)."""
        for address, url in self.peers.items():
            try:
                with SignedClient(self._key, url, address, timeout=self.timeout) as client:
                    answer = client.get_json(f"/results/{epoch}", limit=MAX_RESULTS_BYTES)
                results = EpochResults.from_json(epoch, answer["results"])
            except Exception:
                continue
            if results.root == root:
                return results
        return None
