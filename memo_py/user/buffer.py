"""The User's write buffer: small puts and deletes, durable before they are settled.

A put of a small object (one that will be packed, :mod:`memo_py.user.packing`) and a
delete are *changes*: an index record, the sealed bytes of a put, and the object a
change drops (whose chunks are released once the change is settled). With a buffer
directory, :meth:`WriteBuffer.add` appends the change to the buffer file and fsyncs it
before it returns, so an acknowledged change survives a crash of the client; the
client flushes the buffer (one pack, one batch record, one settlement) when it holds
a segment's worth, after a bounded delay, on ``flush()`` and on close, and a client
started again finds the file and flushes what it holds.

**File.** Frames appended one after another: ``u32 length || nonce || AES-256-GCM(body)``
under a key derived from the master secret and bound to the chain, the Market and the
User's address, since names, metadata and keys are the User's own. ``body`` is
``u32 header length || header JSON || sealed bytes``. A frame torn by a crash (never
acknowledged: its fsync had not returned) ends the file: it and anything after it are
cut off when the buffer is opened. After a flush the file is rewritten with what is
left (to a temporary file, fsynced, renamed over it) or removed.

Without a directory the buffer lives in memory only, and the client flushes every change
before the call that made it returns.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import ValidationError

from memo_py.user.manifest import IndexRecord, Layout, Manifest

__all__ = ["Change", "WriteBuffer"]

log = logging.getLogger(__name__)

BUFFER_INFO = b"memo-py user write buffer v1"
_U32 = struct.Struct(">I")
_NONCE = 12


@dataclass(frozen=True)
class Change:
    """One buffered change of the index."""

    record: IndexRecord
    #: The layout of its bucket when it was made (its pack's layout).
    layout: Layout
    #: A put's sealed bytes (None for a delete, or an empty object).
    sealed: bytes | None = None
    #: The object it removes or replaces, released once the change is settled.
    drops: Manifest | None = None

    def header(self) -> bytes:
        return json.dumps({
            "record": self.record.model_dump(mode="json"),
            "layout": self.layout.model_dump(mode="json"),
            "drops": None if self.drops is None else self.drops.model_dump(mode="json"),
            "sealed": self.sealed is not None,
        }).encode()


class WriteBuffer:
    """The buffered changes of one User, in a file under ``directory`` (None: in memory)."""

    def __init__(self, directory: Path | None, master_secret: bytes, address: str, chain_id: int, market: str) -> None:
        self._key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=BUFFER_INFO).derive(master_secret)
        self._ad = f"memo-py write buffer|{chain_id}|{market.lower()}|{address.lower()}".encode()
        self._lock = threading.Lock()
        self._changes: list[Change] = []
        self.path: Path | None = None
        if directory is not None:
            secret_id = hashlib.sha256(self._key).hexdigest()[:16]
            self.path = Path(directory) / f"buffer-{chain_id}-{market.lower()}-{address.lower()}-{secret_id}.log"
            self._changes = self._load()

    @property
    def durable(self) -> bool:
        """Whether an added change survives a crash of the client."""
        return self.path is not None

    def changes(self) -> list[Change]:
        with self._lock:
            return list(self._changes)

    def __len__(self) -> int:
        with self._lock:
            return len(self._changes)

    def sealed_bytes(self, layout: Layout) -> int:
        """Sealed bytes of the puts waiting in pack layout ``layout``."""
        with self._lock:
            return sum(len(c.sealed) for c in self._changes if c.sealed is not None and c.layout == layout)

    def sealed_of(self, object_id: str) -> bytes | None:
        """The sealed bytes of the buffered put of object ``object_id``, if it is still here."""
        with self._lock:
            for change in self._changes:
                manifest = change.record.manifest
                if change.sealed is not None and manifest is not None and manifest.object_id == object_id:
                    return change.sealed
        return None

    def add(self, change: Change) -> None:
        """Keep ``change``; with a file, it is on disk (fsynced) when this returns."""
        with self._lock:
            if self.path is not None:
                frame = self._frame(change)
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                created = not self.path.exists()
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                try:
                    os.write(fd, frame)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                if created:
                    _fsync_dir(self.path.parent)
            self._changes.append(change)

    def remove(self, settled: list[Change]) -> None:
        """Forget ``settled`` (flushed, or taken back), on disk too."""
        gone = {id(c) for c in settled}
        with self._lock:
            self._changes = [c for c in self._changes if id(c) not in gone]
            if self.path is not None:
                self._rewrite()

    def keep_only(self, pending: list[Change]) -> None:
        """Keep only ``pending`` of the changes (the others were found settled on chain)."""
        keep = {id(c) for c in pending}
        settled = [c for c in self.changes() if id(c) not in keep]
        if settled:
            self.remove(settled)

    # -- the file ------------------------------------------------------------------------

    def _frame(self, change: Change) -> bytes:
        header = change.header()
        body = _U32.pack(len(header)) + header + (change.sealed or b"")
        nonce = os.urandom(_NONCE)
        sealed = nonce + AESGCM(self._key).encrypt(nonce, body, self._ad)
        return _U32.pack(len(sealed)) + sealed

    def _rewrite(self) -> None:
        assert self.path is not None
        if not self._changes:
            self.path.unlink(missing_ok=True)
            _fsync_dir(self.path.parent)
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, b"".join(self._frame(c) for c in self._changes))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        _fsync_dir(self.path.parent)

    def _load(self) -> list[Change]:
        assert self.path is not None
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        changes: list[Change] = []
        offset = 0
        while offset < len(data):
            try:
                changes.append(self._parse(data, offset))
            except (ValueError, KeyError, TypeError, InvalidTag, ValidationError, struct.error) as exc:
                log.warning("write buffer %s: a torn or damaged frame at byte %d and what follows are cut off (%s)",
                            self.path, offset, type(exc).__name__)
                with open(self.path, "r+b") as f:
                    f.truncate(offset)
                    os.fsync(f.fileno())
                break
            offset += _U32.size + _U32.unpack_from(data, offset)[0]
        return changes

    def _parse(self, data: bytes, offset: int) -> Change:
        (length,) = _U32.unpack_from(data, offset)
        frame = data[offset + _U32.size : offset + _U32.size + length]
        if len(frame) != length or length < _NONCE:
            raise ValueError("short frame")
        body = AESGCM(self._key).decrypt(frame[:_NONCE], frame[_NONCE:], self._ad)
        (size,) = _U32.unpack_from(body)
        header = json.loads(body[_U32.size : _U32.size + size])
        rest = body[_U32.size + size :]
        return Change(
            record=IndexRecord.model_validate(header["record"]),
            layout=Layout.model_validate(header["layout"]),
            sealed=rest if header["sealed"] else None,
            drops=None if header["drops"] is None else Manifest.model_validate(header["drops"]),
        )


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
