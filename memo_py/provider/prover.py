"""Epoch proofs: the Provider's answer to each epoch's challenge.

The blob universe of an epoch is every blob of the Provider's on-chain orders
active in that epoch, ordered by (order id, blob index); a Keeper builds the same
list from the chain. The challenge (:func:`memo_py.crypto.challenge.derive`)
samples indices into it; the Provider reads those blobs back from its chunk
store (chunks are stored as payload, so it packs the chunk again and slices the
blob out), folds them natively and opens the fold at z with one KZG
proof (:func:`memo_py.crypto.kzg.prove`, run in the commit pool). A blob of a
chunk that the order's root of that epoch releases is the zero blob
(:mod:`memo_py.provider.versions`): it is folded in without being read.
"""

from __future__ import annotations

import bisect
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from memo_py.crypto import challenge
from memo_py.errors import UnknownEpoch
from memo_py.protocol.http import SignedClient
from memo_py.protocol.limits import MAX_MESSAGE_BYTES
from memo_py.chain.records import ChainOrder, blob_universe  # blob_universe re-exported from here
from memo_py.provider.chain import ProviderChain
from memo_py.provider.config import KeeperEndpoint
from memo_py.provider.ingest import Committer
from memo_py.provider.store import ChunkMissing
from memo_py.provider.versions import OrderVersions

__all__ = ["EpochProof", "Prover", "blob_universe", "push_proof"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EpochProof:
    """One epoch's aggregated proof, as ``GET /proofs/{epoch}`` serves it."""

    provider: str
    epoch: int
    blob_count: int
    indices: tuple[int, ...]
    y: bytes
    proof: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "epoch": self.epoch,
            "blob_count": self.blob_count,
            "indices": list(self.indices),
            "y": "0x" + self.y.hex(),
            "proof": "0x" + self.proof.hex(),
        }


class Prover:
    """Builds (and caches) the Provider's epoch proofs."""

    def __init__(
        self,
        address: str,
        versions: OrderVersions,
        chain: ProviderChain,
        committer: Committer,
        sample_size: int,
    ) -> None:
        self.address = address
        self.versions = versions
        self.agreements = versions.agreements
        self.chain = chain
        self.committer = committer
        self.sample_size = sample_size
        self._cache: OrderedDict[tuple[Any, ...], EpochProof] = OrderedDict()

    async def proof_for(self, epoch: int) -> EpochProof:
        """The proof of ``epoch``, from the chain's seed (UnknownEpoch while it has none)."""
        seed = await run_in_threadpool(self.chain.seed_of, epoch)
        if seed is None:
            raise UnknownEpoch(f"epoch {epoch} has no seed yet")
        return await self.build_proof(epoch, seed)

    async def build_proof(self, epoch: int, seed: bytes) -> EpochProof:
        """Derive the challenge over the orders active in ``epoch`` (as the chain holds them
        for that epoch, as the Keepers read them), read the sampled blobs and prove."""
        orders = blob_universe(await run_in_threadpool(self.chain.orders_of, self.address, epoch), epoch)
        total = sum(o.blob_count for o in orders)
        if total == 0:
            raise UnknownEpoch(f"no active orders to prove in epoch {epoch}")
        key = (epoch, bytes(seed), self.sample_size, tuple((o.order_id, o.root, o.blob_count) for o in orders))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        ch = challenge.derive(seed, self.address, total, self.sample_size)
        blobs = await run_in_threadpool(self._read_blobs, orders, ch.indices)
        opening = await self.committer.prove(blobs, ch.coeffs, ch.z)
        proof = EpochProof(self.address, epoch, total, ch.indices, opening.y_bytes, opening.proof)
        self._cache[key] = proof
        while len(self._cache) > 8:
            self._cache.popitem(last=False)
        return proof

    def _read_blobs(self, orders: Sequence[ChainOrder], indices: Sequence[int]) -> list[bytes]:
        """The blobs at universe ``indices``, reading each chunk once (none of a released one)."""
        starts = []
        offset = 0
        for order in orders:
            starts.append(offset)
            offset += order.blob_count
        read: dict[bytes, tuple[Any, frozenset[int], dict[int, bytes]]] = {}
        out = []
        for index in indices:
            which = bisect.bisect_right(starts, index) - 1
            order = orders[which]
            if order.order_id not in read:
                agreement = self.agreements.find(order.order_id)
                if agreement is None:
                    raise ChunkMissing(f"order 0x{order.order_id.hex()} is on-chain but has no agreement here")
                released = self.versions.released_at(agreement, order.root, order.blob_count)
                read[order.order_id] = (agreement, released, {})
            agreement, released, cache = read[order.order_id]
            out.append(self.versions.blob(agreement, index - starts[which], released, cache))
        return out


def push_proof(proof: EpochProof, keepers: Sequence[KeeperEndpoint], private_key: bytes | str) -> dict[str, str]:
    """POST the proof to each Keeper's ``/proofs``; returns "ok" or the error, per Keeper URL."""
    import json

    body = json.dumps(proof.to_json()).encode()
    results = {}
    for keeper in keepers:
        try:
            with SignedClient(private_key, keeper.url, keeper.address, timeout=10.0) as client:
                client.request("POST", "/proofs", content=body, limit=MAX_MESSAGE_BYTES)
            results[keeper.url] = "ok"
        except Exception as exc:  # one Keeper down must not stop the others
            log.warning("proof for epoch %d not delivered to %s: %s", proof.epoch, keeper.url, exc)
            results[keeper.url] = f"{type(exc).__name__}: {exc}"
    return results
