"""Order versions: what an on-chain root of an order asks the Provider to hold.

An order's blobs keep their positions for the order's whole life. When the User
deletes data, a co-signed update *releases* the chunks that held it: the order's
``size`` drops by their blobs, and its root puts :data:`~memo_py.crypto.kzg.ZERO_COMMITMENT`
(the commitment of the all-zero blob) where their commitments were. Under that
root a released blob *is* the zero blob: the Provider proves it, and answers a
dispute on it, with no data at all (an opening of the zero polynomial is y = 0 and
the point at infinity).

Older roots still commit to the real data, and Keepers judge every epoch by the
root the order had in it; so a released chunk's file stays on disk until every
epoch under an older root is attested (:mod:`memo_py.provider.housekeeping`).
Until then the Provider answers for whichever root it is asked about:
:meth:`OrderVersions.released_at` says which chunks a root releases, from the
``versions`` table the co-signature wrote (:class:`~memo_py.provider.agreements.AgreementBook`).
"""

from __future__ import annotations

from collections.abc import Collection

from memo_py import native
from memo_py.chain.merkle import CommitmentTree
from memo_py.crypto.kzg import ZERO_BLOB, with_released
from memo_py.provider.agreements import Agreement, AgreementBook
from memo_py.provider.store import ChunkStore

__all__ = ["OrderVersions", "stored_commitments"]


def stored_commitments(store: ChunkStore, agreement: Agreement) -> list[bytes | None]:
    """The order's commitments in blob order as computed at ingest, None where no chunk is stored."""
    out: list[bytes | None] = [None] * agreement.blob_count
    for record in store.records(agreement.order_id):
        for k, commitment in enumerate(record.commitments):
            if record.first_blob + k < agreement.blob_count:
                out[record.first_blob + k] = commitment
    return out


class OrderVersions:
    """Reads an order as one of its roots describes it, for one Provider."""

    def __init__(self, store: ChunkStore, agreements: AgreementBook) -> None:
        self.store = store
        self.agreements = agreements

    def released_at(self, agreement: Agreement, root: bytes, blob_count: int | None = None) -> frozenset[int]:
        """The chunks (first blobs) that ``root`` releases.

        A root co-signed here is looked up. For any other root (one signed before
        releases existed, or by a Provider that lost its database) the two readings
        possible are tried against it: nothing released, or everything the Provider
        ever agreed to release; if neither hashes to ``root``, nothing is released
        and the caller's root check fails as it should.
        """
        known = self.agreements.version(agreement.order_id, root)
        if known is not None:
            return known
        every = frozenset(self.agreements.released(agreement.order_id))
        if not every:
            return frozenset()
        count = agreement.blob_count if blob_count is None else blob_count
        stored = stored_commitments(self.store, agreement)[:count]
        candidate = with_released(stored, every, agreement.chunk_blobs)
        if None not in candidate and CommitmentTree(candidate).root == bytes(root):  # type: ignore[arg-type]
            return every
        return frozenset()

    def commitments(
        self, agreement: Agreement, root: bytes, blob_count: int | None = None
    ) -> tuple[list[bytes | None], frozenset[int]]:
        """The first ``blob_count`` commitments under ``root`` (None where a blob that root
        needs is not stored) and the chunks it releases."""
        count = agreement.blob_count if blob_count is None else blob_count
        released = self.released_at(agreement, root, count)
        stored = stored_commitments(self.store, agreement)[:count]
        return with_released(stored, released, agreement.chunk_blobs), released

    def blob(self, agreement: Agreement, index: int, released: Collection[int], cache: dict[int, bytes]) -> bytes:
        """Blob ``index`` of the order, packed (4096 field elements), under a root that releases
        ``released``: the zero blob for a released chunk, else read from the store (each
        chunk once per ``cache``). Raises ChunkMissing when a blob the root needs is gone."""
        first = index - index % agreement.chunk_blobs
        if first in released:
            return ZERO_BLOB
        packed = cache.get(first)
        if packed is None:
            packed = native.pack_blobs(self.store.get(agreement.order_id, first))  # ChunkMissing if gone
            cache[first] = packed
        k = index - first
        return packed[k * native.BYTES_PER_BLOB : (k + 1) * native.BYTES_PER_BLOB]
