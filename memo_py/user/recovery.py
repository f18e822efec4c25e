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
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import combinations, islice

from memo_py.codec.segments import StripeLayout, decode_segment
from memo_py.crypto.aead import derive_object_key
from memo_py.errors import DecryptionFailed, MemoError, NotEnoughChunks
from memo_py.user.chain import ChainOrder
from memo_py.user.manifest import IndexRecord, record_from_segments, record_object_id, record_segment_count
from memo_py.user.network import ProviderPool
from memo_py.user.tags import INDEX, TagKey

__all__ = ["IndexChunk", "find_index_chunks", "read_records", "MAX_DECODE_TRIES"]

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


def find_index_chunks(
    orders: Sequence[ChainOrder], providers: ProviderPool, tag_key: TagKey, pool: ThreadPoolExecutor
) -> list[IndexChunk]:
    """Every index chunk the User's on-chain orders hold (unreachable Providers are skipped)."""

    def listing(order: ChainOrder) -> list[IndexChunk]:
        try:
            answer = providers.client(order.provider).get_json(f"/orders/0x{order.order_id.hex()}/chunks")
        except Exception as exc:
            log.warning("cannot list the chunks of order 0x%s: %s", order.order_id.hex(), exc)
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

    return [chunk for part in pool.map(listing, orders) for chunk in part]


def read_records(
    chunks: Sequence[IndexChunk], master_secret: bytes, providers: ProviderPool, pool: ThreadPoolExecutor
) -> list[IndexRecord]:
    """Decode every record the chunks belong to (unreadable ones are skipped), by record id."""
    by_record: dict[int, list[IndexChunk]] = defaultdict(list)
    for chunk in chunks:
        by_record[chunk.record_id].append(chunk)
    records = []
    for record_id, parts in sorted(by_record.items()):
        try:
            records.append(_read_record(record_id, parts, master_secret, providers, pool))
        except (MemoError, ValueError) as exc:
            log.warning("index record %d cannot be read: %s", record_id, exc)
    return records


def _read_record(
    record_id: int, parts: list[IndexChunk], secret: bytes, providers: ProviderPool, pool: ThreadPoolExecutor
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
        fetched = dict(zip([p.chunk for p in located], pool.map(lambda p: _fetch(providers, p, layout), located)))
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


def _fetch(providers: ProviderPool, part: IndexChunk, layout: StripeLayout) -> bytes | None:
    try:
        path = f"/orders/0x{part.order_id.hex()}/blobs/{part.first_blob}"
        data = providers.client(part.provider).request("GET", path, limit=layout.chunk_bytes).content
    except Exception as exc:
        log.warning("index chunk %d/%d on %s unavailable: %s", part.segment, part.chunk, part.provider, exc)
        return None
    return data if len(data) == layout.chunk_bytes else None
