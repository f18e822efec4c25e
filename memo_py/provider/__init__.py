"""The Provider role: stores chunks and proves it every epoch.

- :mod:`~memo_py.provider.store`: chunk files plus SQLite metadata, fsynced before acknowledging.
- :mod:`~memo_py.provider.agreements`: agreements with Users and capacity reservation.
- :mod:`~memo_py.provider.ingest`: the commit worker pool and chunk ingest.
- :mod:`~memo_py.provider.cosign`: checks and co-signs order updates.
- :mod:`~memo_py.provider.prover`: epoch proofs over the active orders' blobs.
- :mod:`~memo_py.provider.service`: the HTTP API (``create_app``).
- :mod:`~memo_py.provider.chain`: what the daemon needs from the chain (``ProviderChain``).
"""

from memo_py.provider.agreements import Agreement, AgreementBook, Terms, order_id
from memo_py.provider.chain import ChainOrder, ProviderChain
from memo_py.provider.config import KeeperEndpoint, ProviderConfig
from memo_py.provider.ingest import Committer, Ingest
from memo_py.provider.prover import EpochProof, Prover, blob_universe, push_proof
from memo_py.provider.service import ProviderService, create_app, status_of
from memo_py.provider.store import ChunkConflict, ChunkMissing, ChunkRecord, ChunkStore, StoreFull

__all__ = [
    "Agreement",
    "AgreementBook",
    "ChainOrder",
    "ChunkConflict",
    "ChunkMissing",
    "ChunkRecord",
    "ChunkStore",
    "Committer",
    "EpochProof",
    "Ingest",
    "KeeperEndpoint",
    "ProviderChain",
    "ProviderConfig",
    "ProviderService",
    "Prover",
    "StoreFull",
    "Terms",
    "blob_universe",
    "create_app",
    "order_id",
    "push_proof",
    "status_of",
]
