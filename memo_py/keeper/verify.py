"""Verification of a Provider's epoch proof.

For a Provider and an epoch the Keeper:

1. takes the Provider's orders as the chain held them at ``Epochs.universe_block(epoch)``
   (the frozen universe, the same snapshot the Provider reads) and keeps those active
   in the epoch that pay (:func:`memo_py.chain.records.blob_universe`);
2. fetches the Provider's commitments of each order once per root
   (``GET /orders/{id}/commitments?root=…``: the order as that root describes it,
   with the zero commitment where a chunk its User deleted was), checks them against
   the order's on-chain root (:class:`memo_py.chain.merkle.CommitmentTree`) and keeps
   them decoded and subgroup-checked (:class:`memo_py.crypto.kzg.Commitments`) for
   later epochs; an order's live blobs are those whose commitment is not zero
   (:func:`memo_py.chain.records.universe_order`), and an order with none is neither
   challenged nor paid;
3. derives the challenge from the epoch seed, bound to the chain, the Epochs
   contract, the epoch and the universe digest (:func:`memo_py.crypto.challenge.derive`:
   every order sampled on its own);
4. checks the proof (pushed to ``POST /proofs`` or pulled from ``GET /proofs/{epoch}``):
   ``C = sum rho_j C_j`` over the sampled commitments, then the KZG opening of C at z.

The verdict is PASSED, FAILED (a wrong proof, or commitments that do not match the
root: the Provider's fault) or MISSED (no proof, or the Provider could not be reached
over the network). Any other error is the Keeper's own: it propagates, and no verdict
is recorded for that Provider until the Keeper can judge it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import py_arkworks_bls12381 as ark

from memo_py.chain.merkle import CommitmentTree
from memo_py.chain.records import blob_universe, universe_order
from memo_py.crypto import challenge, kzg
from memo_py.errors import AnswerTooLarge, CommitmentMismatch, MalformedAnswer, MemoError
from memo_py.keeper.chain import ChainOrder, KeeperChain, RegisteredProvider
from memo_py.protocol.http import RemoteError, SignedClient
from memo_py.protocol.limits import commitments_answer_bytes

__all__ = ["FAILED", "MISSED", "PASSED", "CommitmentCache", "ProofMessage", "Verdict", "Verifier", "due_of"]

log = logging.getLogger(__name__)

PASSED = "passed"
FAILED = "failed"
MISSED = "missed"


def _hex(name: str, value: Any, size: int) -> bytes:
    if not isinstance(value, str) or not value.startswith(("0x", "0X")) or len(value) != 2 + 2 * size:
        raise ValueError(f"{name} must be 0x and {size} bytes of hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise ValueError(f"{name} is not hex") from None


def _uint(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value >= 2**64:
        raise ValueError(f"{name} must be a non-negative integer below 2**64")
    return value


@dataclass(frozen=True)
class ProofMessage:
    """An epoch proof as ``GET /proofs/{epoch}`` serves it and ``POST /proofs`` takes it.

    ``universe`` is the digest of the universe the Provider answered
    (:func:`memo_py.crypto.challenge.universe_digest`); ``samples`` the (order position,
    blob index) pairs it folded, for diagnosis: the Keeper derives both itself.
    """

    provider: str
    epoch: int
    universe: bytes
    samples: tuple[tuple[int, int], ...]
    y: bytes
    proof: bytes

    @classmethod
    def from_json(cls, data: Any) -> ProofMessage:
        if not isinstance(data, dict):
            raise ValueError("a proof is a JSON object")
        missing = {"provider", "epoch", "universe", "samples", "y", "proof"} - set(data)
        if missing:
            raise ValueError(f"a proof needs the fields {sorted(missing)}")
        provider = data["provider"]
        if not isinstance(provider, str):
            raise ValueError("provider must be an address")
        _hex("provider", provider, 20)
        samples = data["samples"]
        if not isinstance(samples, list) or len(samples) > 1 << 16:
            raise ValueError("samples must be a list of at most 65536 [order, blob] pairs")
        pairs = []
        for pair in samples:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ValueError("a sample is an [order, blob] pair")
            pairs.append((_uint("order position", pair[0]), _uint("blob index", pair[1])))
        return cls(
            provider=provider,
            epoch=_uint("epoch", data["epoch"]),
            universe=_hex("universe", data["universe"], 32),
            samples=tuple(pairs),
            y=_hex("y", data["y"], 32),
            proof=_hex("proof", data["proof"], 48),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "epoch": self.epoch,
            "universe": "0x" + self.universe.hex(),
            "samples": [list(pair) for pair in self.samples],
            "y": "0x" + self.y.hex(),
            "proof": "0x" + self.proof.hex(),
        }


@dataclass(frozen=True)
class Verdict:
    """One Provider's outcome for one epoch, and the pay at stake (``due``)."""

    provider: str
    epoch: int
    outcome: str
    due: int
    reason: str = ""


def due_of(orders: Sequence[ChainOrder]) -> int:
    """What the Market vests for these orders in one epoch: ``sum(size * price)``."""
    return sum(o.size * o.price for o in orders)


class CommitmentCache:
    """Validated commitments per order, keyed by (order id, root, blob count).

    An order update that changes its root or blob count makes a new key, so the
    new commitments are fetched and checked again.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[bytes, bytes, int], kzg.Commitments] = {}
        self._lock = threading.Lock()

    def get(self, order: ChainOrder) -> kzg.Commitments | None:
        with self._lock:
            return self._entries.get((order.order_id, order.root, order.blob_count))

    def put(self, order: ChainOrder, commitments: kzg.Commitments) -> None:
        with self._lock:
            self._entries[(order.order_id, order.root, order.blob_count)] = commitments

    def __len__(self) -> int:
        return len(self._entries)


def validate_commitments(order: ChainOrder, answer: Any) -> kzg.Commitments:
    """Check a ``GET /orders/{id}/commitments`` answer against the order; the decoded commitments."""
    if not isinstance(answer, dict) or not isinstance(answer.get("commitments"), list):
        raise CommitmentMismatch("the commitments answer is not {commitments: [...]}")
    # Asked for the order's blob_count, the Provider lists that many; one that lists the
    # order as it stands now (it grew since the judged epoch) has only its first
    # blob_count under the root on record.
    listed = answer["commitments"][: order.blob_count]
    if len(listed) != order.blob_count:
        raise CommitmentMismatch(f"{len(listed)} commitments for an order of {order.blob_count} blobs")
    if any(c is None for c in listed):
        raise CommitmentMismatch(f"{sum(c is None for c in listed)} blobs of the order are not stored")
    try:
        raw = [_hex(f"commitment {i}", c, 48) for i, c in enumerate(listed)]
    except ValueError as exc:
        raise CommitmentMismatch(str(exc)) from None
    if CommitmentTree(raw).root != order.root:
        raise CommitmentMismatch(f"the commitments of order 0x{order.order_id.hex()} do not match its on-chain root")
    try:
        return kzg.Commitments(raw)
    except MemoError as exc:
        raise CommitmentMismatch(f"a commitment is not a valid point: {exc}") from None


class Verifier:
    """Checks Providers' epoch proofs for one Keeper."""

    def __init__(
        self,
        private_key: bytes | str,
        chain: KeeperChain,
        sample_size: int,
        *,
        timeout: float = 10.0,
        cache: CommitmentCache | None = None,
    ) -> None:
        self._key = private_key
        self.chain = chain
        self.sample_size = sample_size
        self.timeout = timeout
        self.cache = cache if cache is not None else CommitmentCache()

    def universe(self, provider: str, epoch: int) -> list[ChainOrder]:
        """The Provider's orders challenged in ``epoch`` (frozen at its universe block), in
        universe order, before the live-blob filter."""
        return blob_universe(self.chain.orders_of(provider, epoch), epoch)

    def _client(self, provider: RegisteredProvider) -> SignedClient:
        return SignedClient(self._key, provider.endpoint, provider.address, timeout=self.timeout)

    def commitments(self, provider: RegisteredProvider, order: ChainOrder) -> kzg.Commitments:
        """The order's validated commitments, fetched from the Provider the first time."""
        cached = self.cache.get(order)
        if cached is not None:
            return cached
        with self._client(provider) as client:
            answer = client.get_json(
                f"/orders/0x{order.order_id.hex()}/commitments",
                {"root": "0x" + order.root.hex(), "blob_count": str(order.blob_count)},
                limit=commitments_answer_bytes(order.blob_count),
            )
        commitments = validate_commitments(order, answer)
        self.cache.put(order, commitments)
        return commitments

    def pull_proof(self, provider: RegisteredProvider, epoch: int) -> ProofMessage:
        with self._client(provider) as client:
            return ProofMessage.from_json(client.get_json(f"/proofs/{epoch}"))

    def verify(
        self, provider: RegisteredProvider, epoch: int, seed: bytes, proof: ProofMessage | None
    ) -> Verdict | None:
        """The Provider's verdict for ``epoch`` (None when it has nothing to prove in it).

        ``proof`` is the one it pushed; without it, the proof is pulled from the Provider.
        """
        orders = self.universe(provider.address, epoch)
        if not orders:
            return None

        def verdict(outcome: str, reason: str = "", due: int = 0) -> Verdict:
            if outcome != PASSED:
                log.info("provider %s epoch %d: %s (%s)", provider.address, epoch, outcome, reason)
            return Verdict(provider.address, epoch, outcome, due, reason)

        everything = due_of(orders)
        try:
            fetched = [self.commitments(provider, order) for order in orders]
        except CommitmentMismatch as exc:
            return verdict(FAILED, str(exc), everything)
        except RemoteError as exc:
            if exc.status == 404:  # the Provider does not know an order it is paid for
                return verdict(FAILED, f"commitments refused: {exc}", everything)
            return verdict(MISSED, f"commitments unavailable: {exc}", everything)
        except (httpx.HTTPError, AnswerTooLarge, MalformedAnswer) as exc:  # unreachable or no answer: its fault, not ours
            return verdict(MISSED, f"commitments unavailable: {type(exc).__name__}: {exc}", everything)
        universe = [universe_order(order, list(c)) for order, c in zip(orders, fetched)]
        # An order without a live blob proves nothing, so it is neither challenged nor paid.
        kept = [k for k, u in enumerate(universe) if u.live]
        if not kept:
            return None
        orders = [orders[k] for k in kept]
        universe = [universe[k] for k in kept]
        fetched = [fetched[k] for k in kept]
        due = due_of(orders)

        if proof is None:
            try:
                proof = self.pull_proof(provider, epoch)
            except RemoteError as exc:
                return verdict(MISSED, f"no proof: {exc}", due)
            except ValueError as exc:
                return verdict(FAILED, f"malformed proof: {exc}", due)
            except httpx.HTTPError as exc:
                return verdict(MISSED, f"unreachable: {type(exc).__name__}: {exc}", due)
        binding = challenge.EpochBinding(self.chain.chain_id, self.chain.epochs, epoch, seed)
        ch = challenge.derive(binding, provider.address, universe, self.sample_size)
        if proof.epoch != epoch or proof.provider.lower() != provider.address.lower():
            return verdict(FAILED, "the proof is for another epoch or Provider", due)
        if proof.universe != ch.universe or proof.samples != ch.samples:
            return verdict(FAILED, "the proof answers another challenge (its universe or samples differ)", due)
        points = [fetched[position].points[index] for position, index in ch.samples]
        combined = ark.G1Point.multiexp_unchecked(points, [ark.Scalar(c) for c in ch.coeffs]).to_compressed_bytes()
        try:
            ok = kzg.verify_opening(combined, ch.z, proof.y, proof.proof)
        except MemoError as exc:
            return verdict(FAILED, f"malformed proof: {exc}", due)
        return verdict(PASSED, due=due) if ok else verdict(FAILED, "the KZG opening does not verify", due)
