import os

import pytest

from memo_py.provider.store import ChunkConflict, ChunkMissing, ChunkStore, StoreFull

ORDER = b"\x11" * 32
OTHER_ORDER = b"\x22" * 32
COMMITS = (b"\xc0" + b"\x00" * 47, b"\xc0" + b"\x01" * 47)


@pytest.fixture
def store(tmp_path):
    s = ChunkStore(tmp_path, capacity=10_000)
    yield s
    s.close()


def test_put_then_get_returns_the_same_bytes(store):
    data = os.urandom(1000)
    record = store.put(ORDER, 0, data, COMMITS)
    assert record.blob_count == 2 and record.size == 1000
    assert store.get(ORDER, 0) == data
    assert store.record(ORDER, 0).commitments == COMMITS
    assert store.used_bytes() == 1000


def test_put_is_idempotent_but_refuses_other_content(store):
    data = os.urandom(100)
    store.put(ORDER, 2, data, COMMITS)
    store.put(ORDER, 2, data, COMMITS)
    assert store.used_bytes() == 100
    with pytest.raises(ChunkConflict, match="already holds other data"):
        store.put(ORDER, 2, os.urandom(100), COMMITS)


def test_capacity_is_enforced_and_nothing_is_written(store, tmp_path):
    store.put(ORDER, 0, os.urandom(9_000), COMMITS)
    with pytest.raises(StoreFull, match="capacity"):
        store.put(ORDER, 2, os.urandom(2_000), COMMITS)
    assert [r.first_blob for r in store.records(ORDER)] == [0]
    with pytest.raises(OSError):  # StoreFull is also an OSError
        store.put(ORDER, 2, os.urandom(2_000), COMMITS)


def test_bad_arguments_are_rejected(store):
    with pytest.raises(ValueError, match="32 bytes"):
        store.put(b"short", 0, b"x", COMMITS)
    with pytest.raises(ValueError, match="48-byte"):
        store.put(ORDER, 0, b"x", (b"\x00" * 47,))
    with pytest.raises(ValueError, match="capacity"):
        ChunkStore(store.root / "other", capacity=0)


def test_missing_and_corrupted_chunks_are_reported(store):
    with pytest.raises(ChunkMissing, match="no chunk"):
        store.get(ORDER, 0)
    store.put(ORDER, 0, b"a" * 10, COMMITS)
    path = store.root / "chunks" / ORDER.hex() / "0000000000.chunk"
    path.write_bytes(b"b" * 10)
    with pytest.raises(ChunkMissing, match="corrupted"):
        store.get(ORDER, 0)
    path.unlink()
    with pytest.raises(ChunkMissing, match="gone"):
        store.get(ORDER, 0)


def test_a_restart_keeps_acknowledged_chunks_and_sweeps_half_written_ones(tmp_path):
    store = ChunkStore(tmp_path, capacity=10_000)
    data = os.urandom(500)
    store.put(ORDER, 0, data, COMMITS)
    store.close()
    # Simulate a crash between the file write and the metadata commit.
    orphan = tmp_path / "chunks" / ORDER.hex() / "0000000004.chunk"
    orphan.write_bytes(b"x" * 10)
    (tmp_path / "chunks" / ORDER.hex() / "0000000006.tmp").write_bytes(b"partial")
    restarted = ChunkStore(tmp_path, capacity=10_000)
    assert restarted.get(ORDER, 0) == data
    assert not orphan.exists()
    assert sorted(p.name for p in (tmp_path / "chunks" / ORDER.hex()).iterdir()) == ["0000000000.chunk"]
    restarted.close()


def test_delete_order_frees_its_space_only(store):
    store.put(ORDER, 0, b"a" * 100, COMMITS)
    store.put(ORDER, 2, b"b" * 100, COMMITS)
    store.put(OTHER_ORDER, 0, b"c" * 50, COMMITS)
    assert store.delete_order(ORDER) == 200
    assert store.used_bytes() == 50
    assert [r.order_id for r in store.records()] == [OTHER_ORDER]


def test_tags_are_stored_listed_and_part_of_identity(store):
    tag = b"\x5a" * 32
    store.put(ORDER, 0, b"a" * 10, COMMITS, tag)
    store.put(ORDER, 0, b"a" * 10, COMMITS, tag)  # the same chunk and tag again: idempotent
    assert store.record(ORDER, 0).tag == tag
    assert [r.tag for r in store.records(ORDER)] == [tag]
    with pytest.raises(ChunkConflict):
        store.put(ORDER, 0, b"a" * 10, COMMITS, b"\x00" * 16)
    with pytest.raises(ValueError, match="at most 32"):
        store.put(ORDER, 2, b"b" * 10, COMMITS, b"\x00" * 33)


def test_a_store_without_tags_is_migrated_and_keeps_its_chunks(tmp_path):
    import hashlib
    import sqlite3

    # A store written by the schema before tags: one chunk row and its file.
    db = sqlite3.connect(tmp_path / "store.db")
    db.execute(
        "CREATE TABLE chunks (order_id BLOB NOT NULL, first_blob INTEGER NOT NULL, blob_count INTEGER NOT NULL,"
        " size INTEGER NOT NULL, sha256 BLOB NOT NULL, commitments BLOB NOT NULL, PRIMARY KEY (order_id, first_blob))"
    )
    data = b"old chunk"
    db.execute(
        "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?)",
        (ORDER, 0, 2, len(data), hashlib.sha256(data).digest(), b"".join(COMMITS)),
    )
    db.commit()
    db.close()
    (tmp_path / "chunks" / ORDER.hex()).mkdir(parents=True)
    (tmp_path / "chunks" / ORDER.hex() / f"{0:010d}.chunk").write_bytes(data)

    store = ChunkStore(tmp_path, capacity=10_000)
    try:
        assert store.get(ORDER, 0) == data
        assert store.record(ORDER, 0).tag == b""
        store.put(ORDER, 2, b"new", COMMITS, b"\x01" * 16)
        assert [(r.first_blob, r.tag) for r in store.records(ORDER)] == [(0, b""), (2, b"\x01" * 16)]
    finally:
        store.close()


def test_read_run_returns_consecutive_chunks_in_order(store):
    chunks = [os.urandom(100) for _ in range(4)]
    for i, data in enumerate(chunks):
        store.put(ORDER, 2 * i, data, COMMITS)  # chunks of 2 blobs at 0, 2, 4, 6
    store.put(OTHER_ORDER, 0, os.urandom(100), COMMITS)
    assert store.read_run(ORDER, 0, 2, 4) == b"".join(chunks)
    assert store.read_run(ORDER, 2, 2, 2) == chunks[1] + chunks[2]
    assert store.read_run(ORDER, 6, 2, 1) == chunks[3]


def test_read_run_names_the_first_chunk_it_cannot_serve(store):
    store.put(ORDER, 0, os.urandom(100), COMMITS)
    store.put(ORDER, 4, os.urandom(100), COMMITS)
    with pytest.raises(ChunkMissing, match="at blob 2 of order"):
        store.read_run(ORDER, 0, 2, 3)
    with pytest.raises(ChunkMissing, match="no chunk of 1 blobs at blob 0"):  # stored chunks hold 2 blobs
        store.read_run(ORDER, 0, 1, 1)
    (store.root / "chunks" / ORDER.hex() / "0000000004.chunk").write_bytes(b"short")
    with pytest.raises(ChunkMissing, match="blob 4 .* gone or short"):
        store.read_run(ORDER, 4, 2, 1)
    (store.root / "chunks" / ORDER.hex() / "0000000004.chunk").unlink()
    with pytest.raises(ChunkMissing, match="blob 4 .* gone or short"):
        store.read_run(ORDER, 4, 2, 1)
    with pytest.raises(ValueError, match="at least one chunk"):
        store.read_run(ORDER, 0, 2, 0)


def test_read_run_refuses_chunks_of_unequal_size(store):
    store.put(ORDER, 0, os.urandom(100), COMMITS)
    store.put(ORDER, 2, os.urandom(90), COMMITS)
    with pytest.raises(ChunkMissing, match="differ in size"):
        store.read_run(ORDER, 0, 2, 2)
