"""Recovery: the User's index from the master secret, the chain and the Providers alone.

1. The chain lists the User's orders (``OrderCreated`` / ``OrderUpdated`` events).
2. Each order's Provider lists the chunks it holds with their tags
   (``GET /orders/{id}/chunks``). Only chunks inside the order's on-chain
   ``blob_count`` count: what was never settled on chain was never committed.
3. The tags that the User's tag key recognises as index chunks say which record,
   segment and chunk each is, and the record's k and m (:mod:`memo_py.user.tags`).
4. For each record: fetch its segments' chunks, decode any k that authenticate
   (AES-GCM is the check here: the manifest with the chunk hashes is what is being
   rebuilt), read the record.
5. Replaying the records in ``record_id`` order rebuilds the index.

**Unreadable is not empty.** A Provider that does not answer (down, timing out, an
error status of 500 or more, no endpoint known) is *unreachable*; one that answers
4xx has answered that it holds nothing of the order. The index is read in full, or
:class:`~memo_py.errors.IndexUnavailable` is raised, when:

- an index record that was found has fewer than k chunks to read while some
  Provider is unreachable (``cannot read the index: 3 of 6 Providers unreachable,
  4 needed``). A record short of chunks while every Provider answered was never
  settled in full (an upload that failed half-way) and is skipped, as before;
- a record's chunks do not authenticate from any k of them;
- the unreachable Providers could hold a whole record that was never seen: they are
  all the User's Providers, or at least as many as the chunks (k + m) of the smallest
  layout seen (or of the client's default layout).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import combinations, islice

from memo_py.codec.segments import StripeLayout, decode_segment
from memo_py.crypto.aead import derive_object_key
from memo_py.errors import DecryptionFailed, IndexUnavailable, MemoError, NotEnoughChunks
from memo_py.protocol.http import RemoteError
from memo_py.user.chain import ChainOrder
from memo_py.user.manifest import IndexRecord, record_from_segments, record_object_id, record_segment_count
from memo_py.user.network import ProviderPool
from memo_py.user.tags import INDEX, TagKey

__all__ = ["IndexChunk", "IndexScan", "find_index_chunks", "read_records", "MAX_DECODE_TRIES"]

log = logging.getLogger(__name__)

#: Subsets of k chunks tried per segment before giving up on it.
MAX_DECODE_TRIES = 64


@dataclass(frozen=True)
class IndexChunk:
    """Where one chunk of an index record lives."""

    record_id: int
    segment: int
    chunk: int
    k: int
    m: int
    chunk_blobs: int
    provider: str
    order_id: bytes
    first_blob: int


@dataclass
class IndexScan:
    """What the Providers listed: the index chunks found, the Providers that hold the User's
    orders, and those that did not answer (address → why)."""

    chunks: list[IndexChunk]
    providers: frozenset[str]
    unreachable: dict[str, str] = field(default_factory=dict)


def _unreachable(exc: Exception) -> bool:
    """Whether an error means the Provider did not answer (a 4xx is an answer)."""
    return not (isinstance(exc, RemoteError) and exc.status < 500)


def find_index_chunks(
    orders: Sequence[ChainOrder], providers: ProviderPool, tag_key: TagKey, pool: ThreadPoolExecutor
) -> IndexScan:
    """Every index chunk the User's on-chain orders hold, and which Providers did not answer."""
    unreachable: dict[str, str] = {}

    def listing(order: ChainOrder) -> list[IndexChunk]:
        if order.blob_count == 0:
            return []
        try:
            answer = providers.client(order.provider).get_json(f"/orders/0x{order.order_id.hex()}/chunks")
        except Exception as exc:
            log.warning("cannot list the chunks of order 0x%s: %s", order.order_id.hex(), exc)
            if _unreachable(exc):
                unreachable[order.provider] = f"{type(exc).__name__}: {exc}"
            return []
        found = []
        for entry in answer.get("chunks", []):
            first, count, text = int(entry["first_blob"]), int(entry["blob_count"]), entry.get("tag") or "0x"
            if first + count > order.blob_count:
                continue
            try:
                tag = tag_key.read(bytes.fromhex(text[2:]))
            except ValueError:
                continue
            if tag is not None and tag.kind == INDEX:
                found.append(
                    IndexChunk(tag.ident, tag.segment, tag.chunk, tag.k, tag.m, count, order.provider, order.order_id, first)
                )
        return found

    chunks = [chunk for part in pool.map(listing, orders) for chunk in part]
    holders = frozenset(o.provider for o in orders if o.blob_count > 0)
    return IndexScan(chunks, holders, unreachable)


def read_records(
    scan: IndexScan,
    master_secret: bytes,
    providers: ProviderPool,
    pool: ThreadPoolExecutor,
    default_layout: tuple[int, int],
) -> list[IndexRecord]:
    """Decode every record the scan found, by record id; IndexUnavailable when the index
    cannot be read in full (see the module docstring). ``default_layout`` is the (k, m)
    of the client's new buckets, for the check that no whole record hides on the
    unreachable Providers."""
    by_record: dict[int, list[IndexChunk]] = defaultdict(list)
    for chunk in scan.chunks:
        by_record[chunk.record_id].append(chunk)
    unreachable = scan.unreachable  # chunk fetches that fail add to it
    records, short, forged = [], [], []
    for record_id, parts in sorted(by_record.items()):
        try:
            records.append(_read_record(record_id, parts, master_secret, providers, pool, unreachable))
        except NotEnoughChunks as exc:
            k = Counter(p.k for p in parts).most_common(1)[0][0]
            if unreachable:
                short.append(k)
            else:  # every Provider answered: the record was never settled in full
                log.warning("index record %d was never stored in full (skipped): %s", record_id, exc)
        except (MemoError, ValueError) as exc:
            log.warning("index record %d cannot be read: %s", record_id, exc)
            forged.append(record_id)
    total = len(scan.providers | set(unreachable))
    down = ", ".join(sorted(unreachable))
    if short:
        needed = max(short)
        raise IndexUnavailable(
            f"cannot read the index: {len(unreachable)} of {total} Providers unreachable, {needed} needed"
            f" (unreachable: {down})",
            unreachable=unreachable, providers=total, needed=needed,
        )
    if forged:
        raise IndexUnavailable(
            f"cannot read the index: {len(forged)} index record(s) do not authenticate from any k of their"
            f" chunks (first: {forged[0]})",
            unreachable=unreachable, providers=total,
        )
    if unreachable:
        k, m = min({(p.k, p.m) for p in scan.chunks} | {default_layout}, key=sum)
        if len(unreachable) >= min(k + m, total):
            raise IndexUnavailable(
                f"cannot read the index: {len(unreachable)} of {total} Providers unreachable, and an index"
                f" record of {k}+{m} chunks could lie on them alone (unreachable: {down})",
                unreachable=unreachable, providers=total, needed=k,
            )
        log.warning("%d of %d Providers unreachable; the index is still read in full", len(unreachable), total)
    return records


def _read_record(
    record_id: int,
    parts: list[IndexChunk],
    secret: bytes,
    providers: ProviderPool,
    pool: ThreadPoolExecutor,
    unreachable: dict[str, str],
) -> IndexRecord:
    # A record has one layout; should a stray chunk disagree, the majority wins.
    (k, m, chunk_blobs), _ = Counter((p.k, p.m, p.chunk_blobs) for p in parts).most_common(1)[0]
    layout = StripeLayout(k, m, chunk_blobs)
    object_id = record_object_id(record_id)
    key = derive_object_key(secret, object_id)
    segments: dict[int, dict[int, IndexChunk]] = defaultdict(dict)
    for p in parts:
        if (p.k, p.m, p.chunk_blobs) == (k, m, chunk_blobs):
            segments[p.segment].setdefault(p.chunk, p)

    def segment(index: int) -> bytes:
        located = list(segments.get(index, {}).values())
        fetched = dict(zip([p.chunk for p in located], pool.map(lambda p: _fetch(providers, p, layout, unreachable), located)))
        available = sorted(c for c, data in fetched.items() if data is not None)
        if len(available) < k:
            raise NotEnoughChunks(f"segment {index} of index record {record_id}: {len(available)} of {k} chunks")
        for chosen in islice(combinations(available, k), MAX_DECODE_TRIES):
            try:
                return decode_segment(layout, key, object_id, index, {c: fetched[c] for c in chosen}, layout.segment_bytes)  # type: ignore[misc]
            except DecryptionFailed:
                continue
        raise DecryptionFailed(f"no {k} chunks of segment {index} of index record {record_id} authenticate")

    first = segment(0)
    rest = [segment(i) for i in range(1, record_segment_count(first))]
    record = record_from_segments([first, *rest])
    if record.record_id != record_id:
        raise DecryptionFailed(f"index record {record_id} holds record {record.record_id}")
    return record


def _fetch(providers: ProviderPool, part: IndexChunk, layout: StripeLayout, unreachable: dict[str, str]) -> bytes | None:
    try:
        path = f"/orders/0x{part.order_id.hex()}/blobs/{part.first_blob}"
        data = providers.client(part.provider).request("GET", path, limit=layout.chunk_bytes).content
    except Exception as exc:
        log.warning("index chunk %d/%d on %s unavailable: %s", part.segment, part.chunk, part.provider, exc)
        if _unreachable(exc):
            unreachable.setdefault(part.provider, f"{type(exc).__name__}: {exc}")
        return None
    return data if len(data) == layout.chunk_bytes else None
