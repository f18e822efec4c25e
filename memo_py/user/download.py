"""Download: k good chunks per segment, read in runs, then decode and decrypt.

**Runs.** An object's chunk c of consecutive segments usually sits on one Provider,
at consecutive blobs of one order (the upload appends them in order). So the
client reads the object a window of segments at a time and, within a window, asks
each Provider for its whole run of chunks in one signed ranged read
(``GET /orders/{id}/blobs?from=F&chunks=N``) instead of one request per chunk. It
asks for the k data chunks of each segment first: zfec rebuilds a stripe from
them without arithmetic. The next windows are fetched while this one is decoded.
A run that fails, or is still out several times longer than the window's first
answer took (:func:`hedge_after`), is doubled by runs of the next chunks of its
segments, from other Providers: a Provider that hangs costs seconds, not its timeout.

**Which chunk is good.** AES-GCM authenticates every decoded segment under a key
only the User holds, so a segment that decrypts was rebuilt from the right bytes,
whatever chunks went into it; that check is part of the decryption the download
does anyway. Only when a segment fails it are its chunks hashed: the manifest
records the SHA-256 of every chunk as uploaded (the bytes its commitments were
batch-checked against), so the hash names the bad ones. A Provider that is down,
answers an error, or returns bytes that are not the chunk is skipped, and the
missing chunks are fetched one by one (parity next, each hash-checked) while k
good ones remain among the k+m. The MD5 of the whole object must equal the etag.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from memo_py.codec.segments import StripeLayout, decode_segment
from memo_py.crypto.aead import derive_object_key
from memo_py.errors import ChecksumMismatch, DecryptionFailed, NotEnoughChunks
from memo_py.protocol.limits import MAX_RUN_BYTES
from memo_py.user.manifest import ChunkPlacement, Manifest, Pack, PackedAt, SegmentEntry
from memo_py.user.network import ProviderPool
from memo_py.user.packing import covering_segments

__all__ = ["Downloader", "Held", "Run", "hedge_after", "plan_runs", "SEGMENTS_PER_WINDOW", "WINDOWS_AHEAD"]

log = logging.getLogger(__name__)

#: Segments read together: each Provider's run covers at most this many chunks.
SEGMENTS_PER_WINDOW = 16
#: Windows fetched ahead of the one being decoded.
WINDOWS_AHEAD = 2
#: A run still out this many times longer than the window's first answer took, and
#: at least HEDGE_MIN_SECONDS, is doubled by reads of other chunks of its segments.
HEDGE_FACTOR = 4
HEDGE_MIN_SECONDS = 2.0


def hedge_after(first_answer: float) -> float:
    """Seconds a run may be out before its segments' other chunks are asked for too."""
    return max(HEDGE_MIN_SECONDS, HEDGE_FACTOR * first_answer)


@dataclass
class Held:
    """What a window fetch got for one segment: chunks by index (unchecked), the chunk
    indices already asked for, and why the missing ones are missing."""

    segment: SegmentEntry
    chunks: dict[int, bytes | memoryview] = field(default_factory=dict)
    tried: set[int] = field(default_factory=set)
    failures: dict[str, str] = field(default_factory=dict)  # Provider address -> why, for NotEnoughChunks


@dataclass
class Run:
    """Consecutive chunks of one order on one Provider: one ranged read."""

    provider: str
    order_id: str
    first_blob: int
    items: list[tuple[int, ChunkPlacement]] = field(default_factory=list)  # (segment index, placement)


def plan_runs(wanted: Sequence[tuple[int, ChunkPlacement]], chunk_blobs: int, max_chunks: int) -> list[Run]:
    """Group (segment index, placement) pairs into runs of consecutive chunks of one order.

    A run is as long as the placements stay consecutive (each chunk ``chunk_blobs``
    after the previous one) and at most ``max_chunks`` long.
    """
    if max_chunks < 1:
        raise ValueError(f"a run holds at least one chunk, got max_chunks={max_chunks}")
    ordered = sorted(wanted, key=lambda item: (item[1].provider, item[1].order_id, item[1].first_blob))
    runs: list[Run] = []
    for segment, placement in ordered:
        last = runs[-1] if runs else None
        if (
            last is not None
            and last.provider == placement.provider
            and last.order_id == placement.order_id
            and placement.first_blob == last.first_blob + len(last.items) * chunk_blobs
            and len(last.items) < max_chunks
        ):
            last.items.append((segment, placement))
        else:
            runs.append(Run(placement.provider, placement.order_id, placement.first_blob, [(segment, placement)]))
    return runs


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
        segments = manifest.segments
        windows = iter([segments[i : i + SEGMENTS_PER_WINDOW] for i in range(0, len(segments), SEGMENTS_PER_WINDOW)])
        # MD5 is the slowest step per byte (~750 MB/s, and one object is one hash): it runs in
        # a thread of its own (hashlib releases the GIL), in segment order, beside the rest.
        with ThreadPoolExecutor(WINDOWS_AHEAD, thread_name_prefix="memo-get") as fetchers, \
                ThreadPoolExecutor(1, thread_name_prefix="memo-md5") as hasher:
            ahead: deque[Future[list[bytes]]] = deque()

            def read_window(window: Sequence[SegmentEntry]) -> list[bytes]:
                # AES-GCM and zfec release the GIL: windows decode in parallel too
                return [self._decode(layout, key, object_id, held) for held in self.fetch_window(layout, window)]

            def read_next() -> None:
                window = next(windows, None)
                if window is not None:
                    ahead.append(fetchers.submit(read_window, window))

            for _ in range(WINDOWS_AHEAD):
                read_next()
            while ahead:
                plaintexts = ahead.popleft().result()
                read_next()
                for plaintext in plaintexts:
                    hashed = hasher.submit(md5.update, plaintext)
                    yield plaintext
            if segments:
                hashed.result()
        if md5.hexdigest() != manifest.etag:
            raise ChecksumMismatch(f"{manifest.bucket}/{manifest.key}: MD5 {md5.hexdigest()} is not the etag {manifest.etag}")

    def read_sealed(self, pack: Pack, at: PackedAt) -> bytes:
        """The sealed bytes of a packed object: the pack segments that hold them, decoded and
        authenticated under the pack's key, then sliced (:mod:`memo_py.user.packing`)."""
        layout = pack.layout.stripe
        pack_id = bytes.fromhex(pack.pack_id)
        key = derive_object_key(self._secret, pack_id)
        wanted = [pack.segments[i] for i in covering_segments(at, layout.segment_bytes)]
        plaintext = b"".join(self._decode(layout, key, pack_id, held) for held in self.fetch_window(layout, wanted))
        start = at.offset - wanted[0].index * layout.segment_bytes
        return plaintext[start : start + at.length]

    def fetch_window(self, layout: StripeLayout, segments: Sequence[SegmentEntry]) -> list[Held]:
        """Chunks of every segment, read in runs: the k data chunks first. A segment short
        of k gets its next chunks asked for as well, when a run of its chunks failed or has
        been out much longer than the window's first answer took (:func:`hedge_after`): a
        Provider that hangs costs a few seconds, not its timeout. Whichever copy answers
        first counts, and a slow run is not waited for once its segments hold k chunks.
        The chunks are not checked yet (:meth:`_decode` does)."""
        held = {s.index: Held(s) for s in segments}
        ordered = {s.index: sorted(s.chunks, key=lambda c: c.chunk) for s in segments}
        max_chunks = max(1, MAX_RUN_BYTES // layout.chunk_bytes)
        pending: dict[Future[tuple[bytearray | None, str]], tuple[Run, float]] = {}
        counted: dict[int, set[int]] = {index: set() for index in held}  # in flight, still expected
        first_answer: float | None = None
        began = time.monotonic()

        def ask() -> None:
            wanted = []
            for index, h in held.items():
                short = layout.k - len(h.chunks) - len(counted[index])
                fresh = [c for c in ordered[index] if c.chunk not in h.tried][: max(0, short)]
                wanted += [(index, c) for c in fresh]
                h.tried.update(c.chunk for c in fresh)
                counted[index].update(c.chunk for c in fresh)
            for run in plan_runs(wanted, layout.chunk_blobs, max_chunks) if wanted else []:
                pending[self._pool.submit(self._fetch_run, layout, run)] = (run, time.monotonic())

        ask()
        while pending and any(len(h.chunks) < layout.k for h in held.values()):
            patience = None if first_answer is None else hedge_after(first_answer)
            done, _ = wait(pending, timeout=patience or HEDGE_MIN_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                run, _ = pending.pop(future)
                data, error = future.result()
                if data is not None and first_answer is None:
                    first_answer = time.monotonic() - began
                view = None if data is None else memoryview(data)  # chunks are views: no copy of the run
                for i, (index, placement) in enumerate(run.items):
                    counted[index].discard(placement.chunk)
                    if view is None:
                        _failed(held[index].failures, placement, error)
                    else:
                        held[index].chunks[placement.chunk] = view[i * layout.chunk_bytes : (i + 1) * layout.chunk_bytes]
            if first_answer is not None:
                now, patience = time.monotonic(), hedge_after(first_answer)
                for run, sent in pending.values():
                    if now - sent >= patience:  # slow: its chunks are no longer counted on
                        for index, placement in run.items:
                            counted[index].discard(placement.chunk)
            ask()
        return list(held.values())

    def _fetch_run(self, layout: StripeLayout, run: Run) -> tuple[bytearray | None, str]:
        """(the run's bytes, "") or (None, why) when its Provider cannot serve all of it."""
        params = {"from": str(run.first_blob), "chunks": str(len(run.items))}
        try:
            client = self._providers.client(run.provider)
            data = client.get_bytes(
                f"/orders/{run.order_id}/blobs", params=params, limit=len(run.items) * layout.chunk_bytes
            )
        except Exception as exc:  # down, refusing, unknown, too long: these chunks come from elsewhere
            log.info("ranged read of %d chunks from %s failed: %s", len(run.items), run.provider, exc)
            return None, str(exc)
        if len(data) != len(run.items) * layout.chunk_bytes:
            log.warning("Provider %s answered a ranged read with %d bytes, not %d",
                        run.provider, len(data), len(run.items) * layout.chunk_bytes)
            return None, f"answered {len(data)} bytes for {len(run.items)} chunks"
        return data, ""

    def _decode(self, layout: StripeLayout, key: bytes, object_id: bytes, held: Held) -> bytes:
        """Decode and authenticate one segment; on a failure, drop the chunks whose hash is
        wrong, fetch untried ones one by one, and try again."""
        segment, chunks = held.segment, held.chunks
        placements = {c.chunk: c for c in segment.chunks}
        while True:
            if len(chunks) < layout.k:
                chunks = self.fetch_good(layout, segment, have=chunks, skip=held.tried, failures=held.failures)
                held.tried.update(chunks)
            try:
                return decode_segment(layout, key, object_id, segment.index, chunks, segment.length)
            except DecryptionFailed:
                bad = [c for c, data in chunks.items() if hashlib.sha256(data).hexdigest() != placements[c].sha256]
                if not bad:
                    raise
                for c in bad:
                    log.warning("Provider %s returned a wrong chunk %d", placements[c].provider, c)
                    _failed(held.failures, placements[c], "wrong bytes")
                    del chunks[c]

    def fetch_good(
        self,
        layout: StripeLayout,
        segment: SegmentEntry,
        *,
        have: dict[int, bytes] | None = None,
        skip: set[int] = frozenset(),  # type: ignore[assignment]
        failures: dict[str, str] | None = None,
    ) -> dict[int, bytes]:
        """``have`` topped up to k chunks of a segment, fetched one by one (data first) and
        each checked against its SHA-256; chunks in ``skip`` are not asked for again."""
        good = dict(have or {})
        failures = {} if failures is None else failures
        queue = iter(c for c in sorted(segment.chunks, key=lambda c: c.chunk) if c.chunk not in skip and c.chunk not in good)
        running: dict[Future[bytes | None], ChunkPlacement] = {}

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
                f"segment {segment.index}: {len(good)} good chunks of the {layout.k} needed; "
                + "; ".join(f"{provider}: {why}" for provider, why in failures.items()),
                failures=failures,
            )
        return good

    def _fetch(self, layout: StripeLayout, placement: ChunkPlacement, failures: dict[str, str]) -> bytes | None:
        """The chunk if its Provider returns exactly the bytes the manifest recorded, else None."""
        try:
            client = self._providers.client(placement.provider)
            path = f"/orders/{placement.order_id}/blobs/{placement.first_blob}"
            data = client.request("GET", path, limit=layout.chunk_bytes).content
        except Exception as exc:  # down, refusing, unknown: skip it
            _failed(failures, placement, str(exc))
            return None
        if len(data) != layout.chunk_bytes or hashlib.sha256(data).hexdigest() != placement.sha256:
            _failed(failures, placement, "wrong bytes")
            log.warning("Provider %s returned a wrong chunk %d", placement.provider, placement.chunk)
            return None
        return data


_failures_lock = threading.Lock()  # fetches of one segment note their failures from pool threads


def _failed(failures: dict[str, str], placement: ChunkPlacement, why: str) -> None:
    """Note that ``placement``'s Provider did not serve its chunk, and why (one entry per
    Provider: ``chunk 2: wrong bytes; chunk 5: wrong bytes``)."""
    line = f"chunk {placement.chunk}: {why}"
    with _failures_lock:
        earlier = failures.get(placement.provider)
        failures[placement.provider] = line if earlier is None else f"{earlier}; {line}"
