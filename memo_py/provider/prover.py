"""Epoch proofs: the Provider's answer to each epoch's challenge.

The universe of an epoch is the Provider's on-chain orders as they stood at the
epoch's universe block (``Epochs.universe_block``: the last block of the epoch
before, fixed before the seed exists), active in that epoch and paying, ordered
by order id; of each order only its live blobs count (a non-zero commitment under
that root). A Keeper builds the same list from the chain and the commitments. The
challenge (:func:`memo_py.crypto.challenge.derive`) samples each order on its own;
the Provider reads those blobs back from its chunk store (chunks are stored as
payload, so it packs the chunk again and slices the blob out), folds them natively
and opens the fold at z with one KZG proof (:func:`memo_py.crypto.kzg.prove`, run
in the commit pool).
"""

from __future__ import annotations

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
from memo_py.chain.records import ChainOrder, blob_universe, universe_order  # blob_universe re-exported from here
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
    universe: bytes
    samples: tuple[tuple[int, int], ...]
    y: bytes
    proof: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "epoch": self.epoch,
            "universe": "0x" + self.universe.hex(),
            "samples": [list(pair) for pair in self.samples],
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
        """Derive the challenge over the epoch's frozen universe (the chain's orders at its
        universe block, as the Keepers read them), read the sampled blobs and prove."""
        orders = blob_universe(await run_in_threadpool(self.chain.orders_of, self.address, epoch), epoch)
        universe, reading = await run_in_threadpool(self._universe, orders)
        if not any(u.live for u in universe):
            raise UnknownEpoch(f"no live blobs to prove in epoch {epoch}")
        key = (epoch, bytes(seed), self.sample_size, tuple((o.order_id, o.root, o.blob_count, o.size) for o in orders))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        live = [k for k, u in enumerate(universe) if u.live]
        universe = [universe[k] for k in live]
        reading = [reading[k] for k in live]
        binding = challenge.EpochBinding(self.chain.chain_id, self.chain.epochs, epoch, seed)
        ch = challenge.derive(binding, self.address, universe, self.sample_size)
        blobs = await run_in_threadpool(self._read_blobs, reading, ch.samples)
        opening = await self.committer.prove(blobs, ch.coeffs, ch.z)
        proof = EpochProof(self.address, epoch, ch.universe, ch.samples, opening.y_bytes, opening.proof)
        self._cache[key] = proof
        while len(self._cache) > 8:
            self._cache.popitem(last=False)
        return proof

    def _universe(self, orders: Sequence[ChainOrder]) -> tuple[list[Any], list[tuple[Any, frozenset[int]]]]:
        """Each order as its challenge sees it (live blobs from this Provider's commitments
        under the order's root), and what reading its blobs needs (agreement, released)."""
        universe, reading = [], []
        for order in orders:
            agreement = self.agreements.find(order.order_id)
            if agreement is None:
                raise ChunkMissing(f"order 0x{order.order_id.hex()} is on-chain but has no agreement here")
            commitments, released = self.versions.commitments(agreement, order.root, order.blob_count)
            universe.append(universe_order(order, commitments))
            reading.append((agreement, released))
        return universe, reading

    def _read_blobs(self, reading: Sequence[tuple[Any, frozenset[int]]], samples: Sequence[tuple[int, int]]) -> list[bytes]:
        """The sampled blobs, reading each chunk once (never one that the root releases)."""
        caches: dict[int, dict[int, bytes]] = {}
        out = []
        for position, index in samples:
            agreement, released = reading[position]
            out.append(self.versions.blob(agreement, index, released, caches.setdefault(position, {})))
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
