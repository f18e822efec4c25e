"""The Provider's chunk store: chunk files on disk plus SQLite (WAL) metadata.

A chunk is acknowledged only after its bytes and its metadata are durable:
the file is written to a temporary name, fsynced, renamed into place, the
directory is fsynced, and then the metadata row is committed with
``synchronous=FULL``. A crash at any point leaves either no trace of the
chunk or the whole chunk; files without a row are swept at start-up.

Chunks are addressed by (order id, first blob index): an order's blobs form
one sequence, the one its on-chain commitment root covers, and each chunk
occupies a contiguous range of it.

Each chunk may carry an opaque ``tag`` (0..32 bytes) chosen by its User. The
Provider stores it and lists it back (``GET /orders/{id}/chunks``); it means
nothing to the Provider. Users tag the chunks of their encrypted index with a
keyed PRF, so that their master secret alone finds the index again. Stores
created before tags existed are migrated in place (their chunks get an empty tag).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from memo_py.errors import MemoError

__all__ = ["MAX_TAG_BYTES", "ChunkRecord", "ChunkStore", "StoreFull", "ChunkConflict", "ChunkMissing"]


class StoreFull(MemoError, OSError):
    """Accepting the chunk would exceed the Provider's declared capacity."""


class ChunkConflict(MemoError, ValueError):
    """A different chunk is already stored at this (order, blob) position."""


class ChunkMissing(MemoError, LookupError):
    """No chunk is stored at this position, or its file is gone."""


@dataclass(frozen=True)
class ChunkRecord:
    """What the store knows about one chunk."""

    order_id: bytes
    first_blob: int
    blob_count: int
    size: int
    sha256: bytes
    commitments: tuple[bytes, ...]
    tag: bytes = b""


#: Longest chunk tag a User may attach.
MAX_TAG_BYTES = 32

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    order_id    BLOB NOT NULL,
    first_blob  INTEGER NOT NULL,
    blob_count  INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    sha256      BLOB NOT NULL,
    commitments BLOB NOT NULL,
    tag         BLOB NOT NULL DEFAULT x'',
    PRIMARY KEY (order_id, first_blob)
);
"""


def _migrate(db: sqlite3.Connection) -> None:
    """Bring an older ``chunks`` table up to the current schema, keeping its rows."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(chunks)")}
    if "tag" not in columns:
        db.execute("ALTER TABLE chunks ADD COLUMN tag BLOB NOT NULL DEFAULT x''")


class ChunkStore:
    """Durable chunk storage with a capacity limit."""

    def __init__(self, root: str | os.PathLike[str], capacity: int) -> None:
        if capacity <= 0:
            raise ValueError(f"capacity must be positive, got {capacity}")
        self.root = Path(root)
        self.capacity = capacity
        self._chunks = self.root / "chunks"
        self._chunks.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.root / "store.db", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        _migrate(self._db)
        self._lock = threading.Lock()
        self._sweep_orphans()

    # -- writes -------------------------------------------------------------

    def put(
        self, order_id: bytes, first_blob: int, data: bytes, commitments: Sequence[bytes], tag: bytes = b""
    ) -> ChunkRecord:
        """Store a chunk durably and return its record; idempotent for identical content and tag."""
        if len(order_id) != 32:
            raise ValueError("order id must be 32 bytes")
        if first_blob < 0 or not commitments or any(len(c) != 48 for c in commitments):
            raise ValueError("need a non-negative first blob and one 48-byte commitment per blob")
        if len(tag) > MAX_TAG_BYTES:
            raise ValueError(f"a chunk tag is at most {MAX_TAG_BYTES} bytes, got {len(tag)}")
        digest = hashlib.sha256(data).digest()
        record = ChunkRecord(order_id, first_blob, len(commitments), len(data), digest, tuple(commitments), bytes(tag))
        with self._lock:
            existing = self._get_record(order_id, first_blob)
            if existing is not None:
                if (
                    existing.sha256 != digest
                    or existing.commitments != record.commitments
                    or existing.tag != record.tag
                ):
                    raise ChunkConflict(f"blob {first_blob} of order 0x{order_id.hex()} already holds other data")
                return existing
            if self.used_bytes() + len(data) > self.capacity:
                raise StoreFull(f"storing {len(data)} bytes would exceed the capacity of {self.capacity} bytes")
            path = self._path(order_id, first_blob)
            _write_durably(path, data)
            self._db.execute(
                "INSERT INTO chunks (order_id, first_blob, blob_count, size, sha256, commitments, tag)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (order_id, first_blob, record.blob_count, record.size, digest, b"".join(commitments), record.tag),
            )
        return record

    def delete_order(self, order_id: bytes) -> int:
        """Drop every chunk of an order (after it ended); returns the bytes freed."""
        with self._lock:
            rows = self._db.execute(
                "SELECT first_blob, size FROM chunks WHERE order_id = ?", (order_id,)
            ).fetchall()
            self._db.execute("DELETE FROM chunks WHERE order_id = ?", (order_id,))
            for first_blob, _ in rows:
                self._path(order_id, first_blob).unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # absent, or a leftover file: the sweep takes it
                (self._chunks / order_id.hex()).rmdir()
            return sum(size for _, size in rows)

    def delete_chunk(self, order_id: bytes, first_blob: int) -> int:
        """Drop one chunk (its User released it); returns the bytes freed (0 if it was not here)."""
        with self._lock:
            row = self._db.execute(
                "SELECT size FROM chunks WHERE order_id = ? AND first_blob = ?", (order_id, first_blob)
            ).fetchone()
            self._db.execute("DELETE FROM chunks WHERE order_id = ? AND first_blob = ?", (order_id, first_blob))
            self._path(order_id, first_blob).unlink(missing_ok=True)
            return 0 if row is None else int(row[0])

    # -- reads --------------------------------------------------------------

    def get(self, order_id: bytes, first_blob: int) -> bytes:
        """The chunk's bytes, checked against the digest recorded at write time."""
        record = self.record(order_id, first_blob)
        try:
            data = self._path(order_id, first_blob).read_bytes()
        except FileNotFoundError:
            raise ChunkMissing(f"chunk file for blob {first_blob} of order 0x{order_id.hex()} is gone") from None
        if hashlib.sha256(data).digest() != record.sha256:
            raise ChunkMissing(f"chunk at blob {first_blob} of order 0x{order_id.hex()} is corrupted")
        return data

    def read_run(self, order_id: bytes, first_blob: int, chunk_blobs: int, count: int) -> bytearray:
        """``count`` consecutive chunks of ``chunk_blobs`` blobs from ``first_blob``, concatenated.

        Unlike :meth:`get`, this does not re-hash what it reads: a ranged read serves
        whole objects to their User, who authenticates every segment (AES-GCM) and
        hashes chunks only to find a bad one. Raises ChunkMissing naming the first
        chunk of the run that is not stored (or not of the run's chunk size).
        """
        if count < 1 or chunk_blobs < 1:
            raise ValueError(f"a run needs at least one chunk of at least one blob, got {count} x {chunk_blobs}")
        end = first_blob + count * chunk_blobs
        rows = self._db.execute(
            "SELECT first_blob, blob_count, size FROM chunks WHERE order_id = ? AND first_blob >= ? AND first_blob < ?"
            " ORDER BY first_blob",
            (order_id, first_blob, end),
        ).fetchall()
        found = {int(f): (int(b), int(s)) for f, b, s in rows}
        sizes = set()
        for position in range(first_blob, end, chunk_blobs):
            blobs_size = found.get(position)
            if blobs_size is None or blobs_size[0] != chunk_blobs:
                raise ChunkMissing(f"no chunk of {chunk_blobs} blobs at blob {position} of order 0x{order_id.hex()}")
            sizes.add(blobs_size[1])
        if len(sizes) != 1:
            raise ChunkMissing(f"the chunks of blobs {first_blob}..{end - 1} of order 0x{order_id.hex()} differ in size")
        size = sizes.pop()
        out = bytearray(count * size)
        view = memoryview(out)
        for i, position in enumerate(range(first_blob, end, chunk_blobs)):
            try:
                with open(self._path(order_id, position), "rb", buffering=0) as f:
                    got = f.readinto(view[i * size : (i + 1) * size])
            except FileNotFoundError:
                got = -1
            if got != size:
                raise ChunkMissing(f"chunk file for blob {position} of order 0x{order_id.hex()} is gone or short")
        return out

    def record(self, order_id: bytes, first_blob: int) -> ChunkRecord:
        found = self._get_record(order_id, first_blob)
        if found is None:
            raise ChunkMissing(f"no chunk at blob {first_blob} of order 0x{order_id.hex()}")
        return found

    def records(self, order_id: bytes | None = None) -> Iterator[ChunkRecord]:
        """All records, or those of one order, by (order, first blob)."""
        if order_id is None:
            cursor = self._db.execute(f"SELECT {_COLUMNS} FROM chunks ORDER BY order_id, first_blob")
        else:
            cursor = self._db.execute(
                f"SELECT {_COLUMNS} FROM chunks WHERE order_id = ? ORDER BY first_blob", (order_id,)
            )
        for row in cursor.fetchall():
            yield _record(row)

    def used_bytes(self) -> int:
        (used,) = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM chunks").fetchone()
        return int(used)

    def close(self) -> None:
        self._db.close()

    # -- internals ----------------------------------------------------------

    def _get_record(self, order_id: bytes, first_blob: int) -> ChunkRecord | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM chunks WHERE order_id = ? AND first_blob = ?", (order_id, first_blob)
        ).fetchone()
        return None if row is None else _record(row)

    def _path(self, order_id: bytes, first_blob: int) -> Path:
        return self._chunks / order_id.hex() / f"{first_blob:010d}.chunk"

    def _sweep_orphans(self) -> None:
        """Remove temporary files and files whose row never committed (a crash mid-put)."""
        known = {(bytes(r[0]).hex(), int(r[1])) for r in self._db.execute("SELECT order_id, first_blob FROM chunks")}
        for order_dir in self._chunks.iterdir():
            for file in order_dir.iterdir():
                stem = file.name.split(".")[0]
                if file.suffix != ".chunk" or not stem.isdigit() or (order_dir.name, int(stem)) not in known:
                    file.unlink()


_COLUMNS = "order_id, first_blob, blob_count, size, sha256, commitments, tag"


def _record(row: tuple) -> ChunkRecord:
    order_id, first_blob, blob_count, size, digest, packed, tag = row
    packed = bytes(packed)
    commitments = tuple(packed[i : i + 48] for i in range(0, len(packed), 48))
    return ChunkRecord(
        bytes(order_id), int(first_blob), int(blob_count), int(size), bytes(digest), commitments, bytes(tag or b"")
    )


def _write_durably(path: Path, data: bytes) -> None:
    """Write, fsync, rename into place, fsync the directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
