"""Download: any k good chunks per segment, fetched in parallel, then decode and decrypt.

For each segment the client asks for k chunks at once (data chunks first: zfec
rebuilds them without arithmetic) and asks for one more chunk each time one comes
back missing or wrong, until it holds k good ones; then it stops. A Provider that is
down, answers an error, or returns bytes that are not the chunk is skipped, while k
good chunks remain among the k+m.

**Which chunk is good.** The manifest records, for every chunk, its blob
commitments *and* the SHA-256 of its bytes, both taken when the User uploaded that
very chunk (the commitments were batch-checked against those bytes then). A chunk
whose SHA-256 matches is therefore byte for byte the chunk the commitments were
checked against. That check costs a hash (about 1 GB/s), where checking the blobs
against their KZG commitments again would cost a fold, a ~90 ms commit and an MSM
per segment: the hash is the cheapest sound check. AES-GCM then authenticates each
decoded segment, and the MD5 of the whole object must equal the etag.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from memo_py.codec.segments import StripeLayout, decode_segment
from memo_py.crypto.aead import derive_object_key
from memo_py.errors import ChecksumMismatch, NotEnoughChunks
from memo_py.user.manifest import ChunkPlacement, Manifest, SegmentEntry
from memo_py.user.network import ProviderPool

__all__ = ["Downloader", "SEGMENTS_IN_FLIGHT"]

log = logging.getLogger(__name__)

#: Segments fetched at the same time.
SEGMENTS_IN_FLIGHT = 8


class Downloader:
    """Reads objects back from their manifests."""

    def __init__(self, master_secret: bytes, providers: ProviderPool, pool: ThreadPoolExecutor) -> None:
        self._secret = master_secret
        self._providers = providers
        self._pool = pool

    def read(self, manifest: Manifest) -> bytes:
        """The object's plaintext; raises NotEnoughChunks, DecryptionFailed or ChecksumMismatch."""
        return b"".join(self.iter_segments(manifest))

    def iter_segments(self, manifest: Manifest) -> Iterator[bytes]:
        """The object's plaintext segment by segment (the etag is checked after the last one)."""
        layout = manifest.layout.stripe
        object_id = bytes.fromhex(manifest.object_id)
        key = derive_object_key(self._secret, object_id)
        md5 = hashlib.md5(usedforsecurity=False)
        with ThreadPoolExecutor(SEGMENTS_IN_FLIGHT, thread_name_prefix="memo-get") as segments:
            futures = [segments.submit(self._segment, layout, key, object_id, s) for s in manifest.segments]
            for future in futures:
                plaintext = future.result()
                md5.update(plaintext)
                yield plaintext
        if md5.hexdigest() != manifest.etag:
            raise ChecksumMismatch(f"{manifest.bucket}/{manifest.key}: MD5 {md5.hexdigest()} is not the etag {manifest.etag}")

    def _segment(self, layout: StripeLayout, key: bytes, object_id: bytes, segment: SegmentEntry) -> bytes:
        chunks = self.fetch_good(layout, segment)
        return decode_segment(layout, key, object_id, segment.index, chunks, segment.length)

    def fetch_good(self, layout: StripeLayout, segment: SegmentEntry) -> dict[int, bytes]:
        """The first k good chunks of a segment, by chunk index."""
        queue = iter(sorted(segment.chunks, key=lambda c: c.chunk))
        good: dict[int, bytes] = {}
        running: dict[Future[bytes | None], ChunkPlacement] = {}
        failures: list[str] = []

        def top_up() -> None:
            while len(good) + len(running) < layout.k:
                placement = next(queue, None)
                if placement is None:
                    return
                running[self._pool.submit(self._fetch, layout, placement, failures)] = placement

        top_up()
        while running and len(good) < layout.k:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                placement = running.pop(future)
                data = future.result()
                if data is not None and len(good) < layout.k:
                    good[placement.chunk] = data
            top_up()
        for future in running:  # more than k in flight only if some came back late
            future.cancel()
        if len(good) < layout.k:
            raise NotEnoughChunks(
                f"segment {segment.index}: {len(good)} good chunks of the {layout.k} needed; " + "; ".join(failures)
            )
        return good

    def _fetch(self, layout: StripeLayout, placement: ChunkPlacement, failures: list[str]) -> bytes | None:
        """The chunk if its Provider returns exactly the bytes the manifest recorded, else None."""
        try:
            client = self._providers.client(placement.provider)
            data = client.request("GET", f"/orders/{placement.order_id}/blobs/{placement.first_blob}").content
        except Exception as exc:  # down, refusing, unknown: skip it
            failures.append(f"chunk {placement.chunk} on {placement.provider}: {exc}")
            return None
        if len(data) != layout.chunk_bytes or hashlib.sha256(data).hexdigest() != placement.sha256:
            failures.append(f"chunk {placement.chunk} on {placement.provider}: wrong bytes")
            log.warning("Provider %s returned a wrong chunk %d", placement.provider, placement.chunk)
            return None
        return data
