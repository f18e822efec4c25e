"""Verification of a Provider's epoch proof.

For a Provider and an epoch the Keeper:

1. rebuilds the blob universe from the chain's orders, with the Provider's own
   rule (:func:`memo_py.chain.records.blob_universe`: blobs of the orders active
   in the epoch, ordered by (order id, blob index));
2. fetches the Provider's commitments of each order once per root
   (``GET /orders/{id}/commitments?root=…``: the order as that root describes it,
   with the zero commitment where a chunk its User deleted was), checks them against
   the order's on-chain root (:class:`memo_py.chain.merkle.CommitmentTree`) and keeps
   them decoded and subgroup-checked (:class:`memo_py.crypto.kzg.Commitments`) for
   later epochs;
3. derives the challenge from the epoch seed (:func:`memo_py.crypto.challenge.derive`);
4. checks the proof (pushed to ``POST /proofs`` or pulled from ``GET /proofs/{epoch}``):
   ``C = sum rho_i C_i`` over the sampled commitments, then the KZG opening of C at z.

The verdict is PASSED, FAILED (a wrong proof, or commitments that do not match the
root: the Provider's fault) or MISSED (no proof, or the Provider could not be reached).
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import py_arkworks_bls12381 as ark

from memo_py.chain.merkle import CommitmentTree
from memo_py.chain.records import blob_universe
from memo_py.crypto import challenge, kzg
from memo_py.errors import CommitmentMismatch, MemoError
from memo_py.keeper.chain import ChainOrder, KeeperChain, RegisteredProvider
from memo_py.protocol.http import RemoteError, SignedClient

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
    """An epoch proof as ``GET /proofs/{epoch}`` serves it and ``POST /proofs`` takes it."""

    provider: str
    epoch: int
    blob_count: int
    indices: tuple[int, ...]
    y: bytes
    proof: bytes

    @classmethod
    def from_json(cls, data: Any) -> ProofMessage:
        if not isinstance(data, dict):
            raise ValueError("a proof is a JSON object")
        missing = {"provider", "epoch", "blob_count", "indices", "y", "proof"} - set(data)
        if missing:
            raise ValueError(f"a proof needs the fields {sorted(missing)}")
        provider = data["provider"]
        if not isinstance(provider, str):
            raise ValueError("provider must be an address")
        _hex("provider", provider, 20)
        indices = data["indices"]
        if not isinstance(indices, list) or len(indices) > 1 << 16:
            raise ValueError("indices must be a list of at most 65536 integers")
        return cls(
            provider=provider,
            epoch=_uint("epoch", data["epoch"]),
            blob_count=_uint("blob_count", data["blob_count"]),
            indices=tuple(_uint("index", i) for i in indices),
            y=_hex("y", data["y"], 32),
            proof=_hex("proof", data["proof"], 48),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "epoch": self.epoch,
            "blob_count": self.blob_count,
            "indices": list(self.indices),
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
    # The Provider lists the order as it stands now; an order that grew since the judged
    # epoch has more blobs, and only the first blob_count belong to the root on record.
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
        """The Provider's orders challenged in ``epoch``, in universe order."""
        return blob_universe(self.chain.orders_of(provider, epoch), epoch)

    def _client(self, provider: RegisteredProvider) -> SignedClient:
        return SignedClient(self._key, provider.endpoint, provider.address, timeout=self.timeout)

    def commitments(self, provider: RegisteredProvider, order: ChainOrder) -> kzg.Commitments:
        """The order's validated commitments, fetched from the Provider the first time."""
        cached = self.cache.get(order)
        if cached is not None:
            return cached
        with self._client(provider) as client:
            answer = client.get_json(f"/orders/0x{order.order_id.hex()}/commitments", {"root": "0x" + order.root.hex()})
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
        due = due_of(orders)

        def verdict(outcome: str, reason: str = "") -> Verdict:
            if outcome != PASSED:
                log.info("provider %s epoch %d: %s (%s)", provider.address, epoch, outcome, reason)
            return Verdict(provider.address, epoch, outcome, due, reason)

        if proof is None:
            try:
                proof = self.pull_proof(provider, epoch)
            except RemoteError as exc:
                return verdict(MISSED, f"no proof: {exc}")
            except ValueError as exc:
                return verdict(FAILED, f"malformed proof: {exc}")
            except Exception as exc:  # network errors of every kind: the Provider is unreachable
                return verdict(MISSED, f"unreachable: {type(exc).__name__}: {exc}")
        total = sum(o.blob_count for o in orders)
        ch = challenge.derive(seed, provider.address, total, self.sample_size)
        if proof.epoch != epoch or proof.provider.lower() != provider.address.lower():
            return verdict(FAILED, "the proof is for another epoch or Provider")
        if proof.blob_count != total or proof.indices != ch.indices:
            return verdict(FAILED, f"the proof answers another challenge (blob count {proof.blob_count}, expected {total})")
        starts = []
        offset = 0
        for order in orders:
            starts.append(offset)
            offset += order.blob_count
        points = []
        try:
            for index in ch.indices:
                which = bisect.bisect_right(starts, index) - 1
                points.append(self.commitments(provider, orders[which]).points[index - starts[which]])
        except CommitmentMismatch as exc:
            return verdict(FAILED, str(exc))
        except RemoteError as exc:
            if exc.status == 404:  # the Provider does not know an order it is paid for
                return verdict(FAILED, f"commitments refused: {exc}")
            return verdict(MISSED, f"commitments unavailable: {exc}")
        except Exception as exc:
            return verdict(MISSED, f"commitments unavailable: {type(exc).__name__}: {exc}")
        combined = ark.G1Point.multiexp_unchecked(points, [ark.Scalar(c) for c in ch.coeffs]).to_compressed_bytes()
        try:
            ok = kzg.verify_opening(combined, ch.z, proof.y, proof.proof)
        except MemoError as exc:
            return verdict(FAILED, f"malformed proof: {exc}")
        return verdict(PASSED) if ok else verdict(FAILED, "the KZG opening does not verify")
