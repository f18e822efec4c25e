"""Small objects packed into shared stripes, through the write buffer; the client killed
while buffering, while placing and while settling loses nothing it acknowledged."""

from __future__ import annotations

import hashlib
import os

import pytest

from memo_py.user.buffer import WriteBuffer
from memo_py.user.upload import UploadSession

from .support import BLOB, CHUNK_BLOBS, K, M, USER


class Killed(BaseException):
    """The client process dying at this point (nothing after it runs)."""


def _stored(network) -> int:
    return sum(s.service.store.used_bytes() for s in network.providers.values())


def _put_many(client, count: int, size: int = 4096) -> dict[str, bytes]:
    objects = {f"obj-{i:03d}": os.urandom(size) for i in range(count)}
    for key, data in objects.items():
        client.put_object("bkt", key, data)
    return objects


def _reads_back(client, objects: dict[str, bytes]) -> None:
    assert sorted(o.key for o in client.list_objects("bkt")) == sorted(objects)
    for key, data in objects.items():
        assert client.get_object("bkt", key) == data


def _pack_chunks(client, key: str):
    return [c for s in client.head_manifest("bkt", key).segments for c in s.chunks]


def test_small_puts_wait_in_the_buffer_and_settle_as_one_pack(network, tmp_path):
    chain = network.chain
    with network.client(buffer_dir=tmp_path / "buffer", flush_seconds=3600) as client:
        client.create_bucket("bkt")
        submitted, stored = len(chain.submitted), _stored(network)
        objects = _put_many(client, 10)
        assert len(chain.submitted) == submitted and _stored(network) == stored  # acknowledged from the buffer
        assert client.pending_changes() == 10
        _reads_back(client, objects)  # read from the buffer
        client.flush()
        assert client.pending_changes() == 0
        # one update per order: the pack's stripe and the batch record's, in one settlement
        assert len(chain.submitted) - submitted == K + M
        assert _stored(network) - stored == 2 * (K + M) * CHUNK_BLOBS * BLOB
        packs = {client.head_manifest("bkt", key).packed.pack_id for key in objects}
        assert len(packs) == 1 and None not in packs
        _reads_back(client, objects)
    with network.client() as fresh:  # from the chain and the master secret alone
        _reads_back(fresh, objects)
        assert fresh.head_object("bkt", "obj-003").etag == hashlib.md5(objects["obj-003"]).hexdigest()


def test_without_a_buffer_directory_each_small_put_is_settled_before_it_returns(network, client):
    client.create_bucket("bkt")
    submitted = len(network.chain.submitted)
    client.put_object("bkt", "one", b"x" * 100)
    assert len(network.chain.submitted) - submitted == K + M and client.pending_changes() == 0
    assert client.head_manifest("bkt", "one").packed.pack_id is not None


def test_a_packed_object_is_deleted_alone_and_a_mostly_empty_pack_is_repacked(network, tmp_path):
    with network.client(buffer_dir=tmp_path / "buffer", flush_seconds=3600) as client:
        client.create_bucket("bkt")
        objects = _put_many(client, 4)
        client.flush()
        old_pack = _pack_chunks(client, "obj-000")
        first_pack = client.head_manifest("bkt", "obj-000").packed.pack_id

        def released(chunks) -> bool:
            return all(c.first_blob in client.orders.get(bytes.fromhex(c.order_id[2:])).released for c in chunks)

        for gone in ("obj-000", "obj-001"):  # the pack still half full: left as it is
            client.delete_object("bkt", gone)
            client.flush()
            del objects[gone]
            _reads_back(client, objects)
            assert not any(c.first_blob in client.orders.get(bytes.fromhex(c.order_id[2:])).released for c in old_pack)
            assert {client.head_manifest("bkt", k).packed.pack_id for k in objects} == {first_pack}
        client.delete_object("bkt", "obj-002")  # a quarter full: its last object moves, the old pack goes
        report = client.flush()
        del objects["obj-002"]
        moved = client.head_manifest("bkt", "obj-003").packed
        assert moved.pack_id != first_pack and moved.offset == 0
        assert released(old_pack) and report.chunks == len(old_pack)
        assert first_pack not in client.index.packs
        _reads_back(client, objects)
    with network.client() as fresh:
        _reads_back(fresh, objects)
        assert fresh.head_manifest("bkt", "obj-003").packed == moved


def test_replacing_a_buffered_object_packs_only_the_new_bytes(network, tmp_path):
    with network.client(buffer_dir=tmp_path / "buffer", flush_seconds=3600) as client:
        client.create_bucket("bkt")
        client.put_object("bkt", "k", b"old" * 1000)
        client.put_object("bkt", "k", b"new")
        client.put_object("bkt", "gone", b"soon deleted")
        client.delete_object("bkt", "gone")
        client.flush()
        manifest = client.head_manifest("bkt", "k")
        assert manifest.packed.offset == 0 and manifest.packed.length == 3 + 16  # the old bytes were never packed
        assert client.get_object("bkt", "k") == b"new"
    with network.client() as fresh:
        _reads_back(fresh, {"k": b"new"})


def test_killed_while_buffering_a_restarted_client_settles_what_was_acknowledged(network, tmp_path):
    buffer = tmp_path / "buffer"
    dead = network.client(buffer_dir=buffer, flush_seconds=3600)
    dead.create_bucket("bkt")
    objects = _put_many(dead, 6)
    submitted = len(network.chain.submitted)
    # the process dies here: no close, no flush (the timer would not fire for an hour)
    with network.client(buffer_dir=buffer, flush_seconds=3600) as restarted:
        assert restarted.pending_changes() == 6
        _reads_back(restarted, objects)
    assert len(network.chain.submitted) - submitted == K + M  # close settled them, once
    with network.client() as fresh:
        _reads_back(fresh, objects)


def test_killed_while_placing_nothing_acknowledged_is_lost(network, tmp_path, monkeypatch):
    buffer = tmp_path / "buffer"
    dead = network.client(buffer_dir=buffer, flush_seconds=3600)
    dead.create_bucket("bkt")
    objects = _put_many(dead, 6)
    submitted = len(network.chain.submitted)
    honest_commit = UploadSession.commit

    def die(self):
        raise Killed  # every chunk is on its Provider; nothing is settled

    monkeypatch.setattr(UploadSession, "commit", die)
    with pytest.raises(Killed):
        dead.flush()
    monkeypatch.setattr(UploadSession, "commit", honest_commit)
    assert len(network.chain.submitted) == submitted
    with network.client(buffer_dir=buffer, flush_seconds=3600) as restarted:
        _reads_back(restarted, objects)
        restarted.flush()
        assert restarted.pending_changes() == 0
    with network.client() as fresh:
        _reads_back(fresh, objects)


def test_killed_while_settling_the_restarted_client_settles_nothing_twice(network, tmp_path, monkeypatch):
    buffer = tmp_path / "buffer"
    dead = network.client(buffer_dir=buffer, flush_seconds=3600)
    dead.create_bucket("bkt")
    objects = _put_many(dead, 6)
    honest_remove = WriteBuffer.remove

    def die(self, settled):
        raise Killed  # the batch is on chain, the buffer file still holds its changes

    monkeypatch.setattr(WriteBuffer, "remove", die)
    with pytest.raises(Killed):
        dead.flush()
    monkeypatch.setattr(WriteBuffer, "remove", honest_remove)
    submitted = len(network.chain.submitted)
    with network.client(buffer_dir=buffer, flush_seconds=3600) as restarted:
        assert restarted.pending_changes() == 6  # read from the file, not yet checked
        _reads_back(restarted, objects)  # the recovery finds them settled on chain
        assert restarted.pending_changes() == 0
    assert len(network.chain.submitted) == submitted  # nothing submitted again
    assert not list(buffer.iterdir())


def test_a_torn_last_frame_is_cut_off_and_the_frames_before_it_kept(network, tmp_path):
    buffer = tmp_path / "buffer"
    dead = network.client(buffer_dir=buffer, flush_seconds=3600)
    dead.create_bucket("bkt")
    objects = _put_many(dead, 3)
    (path,) = buffer.iterdir()
    with open(path, "ab") as f:
        f.write(b"\x00\x00\x10\x00" + os.urandom(100))  # a frame whose write the crash cut short
    with network.client(buffer_dir=buffer, flush_seconds=3600) as restarted:
        assert restarted.pending_changes() == 3
        _reads_back(restarted, objects)
    with network.client() as fresh:
        _reads_back(fresh, objects)


def test_a_buffer_file_of_another_user_is_not_read(network, tmp_path):
    buffer = tmp_path / "buffer"
    dead = network.client(buffer_dir=buffer, flush_seconds=3600)
    dead.create_bucket("bkt")
    _put_many(dead, 2)
    other = WriteBuffer(buffer, b"\x77" * 32, USER.address, 1, "0x" + "00" * 20)
    assert len(other) == 0 and other.path != next(buffer.iterdir())


def test_the_buffer_flushes_by_itself_before_a_pack_would_pass_its_segments(network, tmp_path):
    from memo_py.user.client import PACK_SEGMENTS

    with network.client(buffer_dir=tmp_path / "buffer", flush_seconds=3600) as client:
        client.create_bucket("bkt")
        segment = client.head_bucket("bkt").layout.stripe.segment_bytes
        size = (PACK_SEGMENTS * segment) // 10 - 16  # ten sealed objects fill the pack exactly
        submitted = len(network.chain.submitted)
        objects = _put_many(client, 10, size)
        assert len(network.chain.submitted) == submitted and client.pending_changes() == 10
        client.put_object("bkt", "eleventh", b"e" * size)
        objects["eleventh"] = b"e" * size
        assert client.pending_changes() == 1 and len(network.chain.submitted) - submitted == K + M
        packed = client.head_manifest("bkt", "obj-009")
        end = packed.packed.offset + packed.packed.length  # the pack's last byte: no eleventh object in it
        assert len(packed.segments) == PACK_SEGMENTS and PACK_SEGMENTS * segment - 16 < end <= PACK_SEGMENTS * segment
        _reads_back(client, objects)
