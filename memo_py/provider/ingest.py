"""Chunk ingest: receive, check, pack, commit on every core, store durably, answer.

``ckzg`` holds the GIL while it commits (about 90 ms a blob), so commitments run
in a persistent process pool: :class:`Committer`. Its workers are forked once,
after the trusted setup is loaded, so they inherit it; each blob is its own
task, so concurrent uploads share all the cores. The event loop never does the
heavy work itself: packing and the store's fsyncs run in threads, commits in
the pool.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from starlette.concurrency import run_in_threadpool

from memo_py import native
from memo_py.children import worker_pool
from memo_py.cores import usable_cores
from memo_py.crypto import kzg
from memo_py.crypto.setup import trusted_setup
from memo_py.errors import NotPermitted
from memo_py.native import BYTES_PER_BLOB, PAYLOAD_BYTES_PER_BLOB
from memo_py.provider.agreements import Agreement, AgreementBook
from memo_py.provider.store import MAX_TAG_BYTES, ChunkConflict, ChunkMissing, ChunkStore

__all__ = ["Committer", "Ingest", "split_blobs"]


def _ready() -> bool:
    return True


def _load_setup() -> None:
    trusted_setup()


def split_blobs(packed: bytes) -> list[bytes]:
    """Packed blob bytes as a list of 131072-byte blobs."""
    return [packed[k : k + BYTES_PER_BLOB] for k in range(0, len(packed), BYTES_PER_BLOB)]


class Committer:
    """A persistent pool of processes that commit blobs and build openings."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or usable_cores())
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> Committer:
        """Load the setup, fork the workers and wait until they answer (blocking).

        Call it from a thread that lives as long as the pool: the workers are killed
        when the thread that forked them exits (:mod:`memo_py.children`).
        """
        if self._pool is not None:
            return self
        trusted_setup()
        # Workers die with the daemon, even a killed one (memo_py.children); they are
        # forked here, by the thread that calls start(), which must live as long as the pool.
        if "fork" in multiprocessing.get_all_start_methods():
            pool = worker_pool(self.workers)
        else:  # pragma: no cover - platforms without fork load the setup in each worker
            pool = worker_pool(self.workers, fork=False, initializer=_load_setup)
        for future in [pool.submit(_ready) for _ in range(self.workers)]:
            future.result()
        self._pool = pool
        return self

    @property
    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            raise RuntimeError("the committer is not started")
        return self._pool

    async def commit(self, blobs: Sequence[bytes]) -> list[bytes]:
        """Commitments of ``blobs``, one pool task each, in order."""
        loop = asyncio.get_running_loop()
        return list(await asyncio.gather(*(loop.run_in_executor(self.pool, kzg.commit, b) for b in blobs)))

    async def open(self, blob: bytes, z: int) -> kzg.Opening:
        """The KZG opening of one blob at z (one pool task)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, kzg.open_blob, blob, z)

    async def prove(self, blobs: Sequence[bytes], coeffs: Sequence[int], z: int) -> kzg.Opening:
        """The aggregated opening of ``blobs``, as :func:`memo_py.crypto.kzg.prove`.

        The native fold releases the GIL, so it runs in a thread; only the folded blob
        travels to the pool for the opening.
        """
        folded = await run_in_threadpool(kzg.fold, list(blobs), list(coeffs))
        return await self.open(folded, z)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Committer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class Ingest:
    """Checks a chunk against its agreement, commits it and stores it."""

    def __init__(self, store: ChunkStore, committer: Committer, agreements: AgreementBook) -> None:
        self.store = store
        self.committer = committer
        #: Where released chunks are recorded: a released position takes no new chunk.
        self.agreements = agreements
        #: When each order last received a chunk (monotonic seconds, this run of the daemon):
        #: housekeeping keeps an unsettled agreement that is still being filled.
        self._last_put: dict[bytes, float] = {}
        #: The clock of those times (a test moves it on).
        self.clock = time.monotonic

    def receiving(self, within: float) -> set[bytes]:
        """The orders that received a chunk in the last ``within`` seconds."""
        since = self.clock() - within
        return {oid for oid, when in list(self._last_put.items()) if when >= since}

    @staticmethod
    def check_position(agreement: Agreement, first_blob: int) -> None:
        """Raise ValueError unless ``first_blob`` starts a chunk inside the agreement."""
        if first_blob % agreement.chunk_blobs:
            raise ValueError(f"first blob {first_blob} is not a multiple of chunk_blobs {agreement.chunk_blobs}")
        if first_blob + agreement.chunk_blobs > agreement.blob_count:
            raise ValueError(f"blobs {first_blob}.. are beyond the order's {agreement.blob_count} blobs")

    async def put(
        self, agreement: Agreement, signer: str, first_blob: int, data: bytes, tag: bytes = b""
    ) -> list[bytes]:
        """Store one chunk of the order (with the User's opaque ``tag``) and return its blob
        commitments (after fsync)."""
        if signer != agreement.user:
            raise NotPermitted(f"{signer} is not the User of order 0x{agreement.order_id.hex()}")
        self.check_position(agreement, first_blob)
        if len(data) != agreement.chunk_bytes:
            raise ValueError(
                f"a chunk of this order is {agreement.chunk_blobs} x {PAYLOAD_BYTES_PER_BLOB}"
                f" = {agreement.chunk_bytes} bytes, got {len(data)}"
            )
        if len(tag) > MAX_TAG_BYTES:
            raise ValueError(f"a chunk tag is at most {MAX_TAG_BYTES} bytes, got {len(tag)}")
        if first_blob in await run_in_threadpool(self.agreements.released, agreement.order_id):
            raise ChunkConflict(f"blob {first_blob} of order 0x{agreement.order_id.hex()} was released by its User")
        self._last_put[agreement.order_id] = self.clock()
        known = await run_in_threadpool(self._known, agreement.order_id, first_blob, data, tag)
        if known is not None:
            return known
        packed = await run_in_threadpool(native.pack_blobs, data)
        commitments = await self.committer.commit(split_blobs(packed))
        record = await run_in_threadpool(self.store.put, agreement.order_id, first_blob, data, commitments, tag)
        return list(record.commitments)

    def _known(self, oid: bytes, first_blob: int, data: bytes, tag: bytes = b"") -> list[bytes] | None:
        """The commitments of an identical chunk already stored; ChunkConflict for another one."""
        try:
            record = self.store.record(oid, first_blob)
        except ChunkMissing:
            return None
        if record.size != len(data) or record.sha256 != hashlib.sha256(data).digest() or record.tag != tag:
            raise ChunkConflict(f"blob {first_blob} of order 0x{oid.hex()} already holds other data")
        return list(record.commitments)
