"""Downloads read each Provider's chunks in runs, and fall back chunk by chunk."""

from __future__ import annotations

import os
import socket
import time

import pytest

from memo_py.errors import AnswerTooLarge
from memo_py.protocol.http import SignedClient
from memo_py.user import download
from memo_py.user.download import Downloader, plan_runs
from memo_py.user.manifest import ChunkPlacement

from .support import K, SEGMENT, tamper

FIVE_SEGMENTS = 4 * SEGMENT + 999


def placement(chunk: int, provider: str, order: str, first_blob: int) -> ChunkPlacement:
    return ChunkPlacement(chunk=chunk, provider=provider, order_id=order, first_blob=first_blob, sha256="00", commitments=())


def test_plan_runs_groups_consecutive_chunks_of_one_order():
    a = [(s, placement(0, "A", "0x01", 2 * s)) for s in range(5)]  # chunks of 2 blobs, back to back
    b = [(0, placement(1, "B", "0x02", 0)), (1, placement(1, "B", "0x02", 4)), (2, placement(1, "B", "0x03", 6))]
    runs = plan_runs(list(reversed(a)) + b, chunk_blobs=2, max_chunks=3)
    assert [(r.provider, r.order_id, r.first_blob, [s for s, _ in r.items]) for r in runs] == [
        ("A", "0x01", 0, [0, 1, 2]),  # cut at max_chunks
        ("A", "0x01", 6, [3, 4]),
        ("B", "0x02", 0, [0]),  # a gap (blob 2 is not ours) ends a run
        ("B", "0x02", 4, [1]),
        ("B", "0x03", 6, [2]),  # another order is another run
    ]
    with pytest.raises(ValueError, match="at least one chunk"):
        plan_runs(a, chunk_blobs=2, max_chunks=0)


@pytest.fixture
def calls(monkeypatch):
    """Counts of ranged reads and single-chunk reads the Downloader makes."""
    counts = {"runs": 0, "single": 0}
    run, single = Downloader._fetch_run, Downloader._fetch

    def counted_run(self, *a):
        counts["runs"] += 1
        return run(self, *a)

    def counted_single(self, *a):
        counts["single"] += 1
        return single(self, *a)

    monkeypatch.setattr(Downloader, "_fetch_run", counted_run)
    monkeypatch.setattr(Downloader, "_fetch", counted_single)
    return counts


def test_an_object_is_read_with_one_ranged_read_per_data_provider(client, calls):
    client.create_bucket("bkt")
    data = os.urandom(FIVE_SEGMENTS)
    client.put_object("bkt", "obj", data)
    calls.update(runs=0, single=0)
    assert client.get_object("bkt", "obj") == data
    assert calls == {"runs": K, "single": 0}


def test_windows_split_the_runs_and_are_fetched_ahead(client, calls, monkeypatch):
    monkeypatch.setattr(download, "SEGMENTS_PER_WINDOW", 2)
    client.create_bucket("bkt")
    data = os.urandom(FIVE_SEGMENTS)
    client.put_object("bkt", "obj", data)
    calls.update(runs=0, single=0)
    assert client.get_object("bkt", "obj") == data
    assert calls == {"runs": 3 * K, "single": 0}  # windows of 2, 2 and 1 segments


def test_a_provider_down_is_replaced_by_ranged_reads_of_parity(network, client, calls):
    client.create_bucket("bkt")
    data = os.urandom(FIVE_SEGMENTS)
    client.put_object("bkt", "obj", data)
    first = client.head_manifest("bkt", "obj").segments[0]
    network.stop_provider(next(c.provider for c in first.chunks if c.chunk == 0))
    calls.update(runs=0, single=0)
    assert client.get_object("bkt", "obj") == data
    assert calls == {"runs": K + 1, "single": 0}  # the failed run, then one run of parity chunk K


def test_a_wrong_chunk_inside_a_run_is_found_by_its_hash_and_replaced(network, client, calls):
    client.create_bucket("bkt")
    data = os.urandom(FIVE_SEGMENTS)
    client.put_object("bkt", "obj", data)
    bad = next(c for c in client.head_manifest("bkt", "obj").segments[2].chunks if c.chunk == 1)
    tamper(network.providers[bad.provider], bytes.fromhex(bad.order_id[2:]), bad.first_blob)
    calls.update(runs=0, single=0)
    assert client.get_object("bkt", "obj") == data
    assert calls == {"runs": K, "single": 1}  # segment 2 failed AES-GCM; one parity chunk replaced chunk 1


def test_a_provider_that_answers_more_than_asked_is_refused_unread_and_replaced(network, client, calls, monkeypatch):
    client.create_bucket("bkt")
    data = os.urandom(FIVE_SEGMENTS)
    client.put_object("bkt", "obj", data)
    first = client.head_manifest("bkt", "obj").segments[0]
    hostile = network.providers[next(c.provider for c in first.chunks if c.chunk == 0)].service.store
    honest = hostile.read_run
    monkeypatch.setattr(hostile, "read_run", lambda *a: bytes(honest(*a)) * 50)  # ~25 MB for a run of 5
    refused = []
    get_bytes = SignedClient.get_bytes

    def spied(self, *a, **kw):
        try:
            return get_bytes(self, *a, **kw)
        except AnswerTooLarge as exc:
            refused.append(exc)
            raise

    monkeypatch.setattr(SignedClient, "get_bytes", spied)
    calls.update(runs=0, single=0)
    assert client.get_object("bkt", "obj") == data
    assert len(refused) == 1  # refused from its Content-Length, before a byte of it was held
    assert calls == {"runs": K + 1, "single": 0}  # the refused run, then one run of parity chunk K


def test_a_provider_that_hangs_is_hedged_with_parity_not_waited_for(network, client, calls):
    client.create_bucket("bkt")
    data = os.urandom(FIVE_SEGMENTS)
    client.put_object("bkt", "obj", data)
    first = client.head_manifest("bkt", "obj").segments[0]
    address = next(c.provider for c in first.chunks if c.chunk == 0)
    port = network.providers[address].port
    network.stop_provider(address)
    with socket.socket() as blackhole:  # accepts connections, reads requests, never answers
        blackhole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blackhole.bind(("127.0.0.1", port))
        blackhole.listen(16)
        calls.update(runs=0, single=0)
        started = time.monotonic()
        assert client.get_object("bkt", "obj") == data
        took = time.monotonic() - started
    assert took < download.HEDGE_MIN_SECONDS + 10 < 60  # 60 s: the client's timeout per request
    assert calls == {"runs": K + 1, "single": 0}  # the hung run, then one run of parity chunk K


def test_hedging_waits_several_times_the_first_answer_and_at_least_a_floor():
    assert download.hedge_after(0.001) == download.HEDGE_MIN_SECONDS
    assert download.hedge_after(10.0) == download.HEDGE_FACTOR * 10.0
