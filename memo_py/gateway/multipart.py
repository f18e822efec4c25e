"""Multipart uploads, held on the gateway's disk until they complete.

Each upload is a directory ``<data_dir>/uploads/<upload id>/`` with ``upload.json``
(owner, bucket, key, content type, metadata, when it began) and, per part,
``<number>.part`` with ``<number>.json`` (its ETag, size and checksums). A part is
written to a temporary name, fsynced and renamed, so a part is either all there or
absent; uploading a part number again replaces it. Completing checks the client's
list against what is stored (S3's InvalidPart, InvalidPartOrder, EntityTooSmall),
and the caller stores the object; aborting, completing, or abandonment (older than
``max_age``) removes the directory and frees its space.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from memo_py.gateway.errors import S3Error

__all__ = ["MIN_PART_BYTES", "MAX_PARTS", "PartInfo", "UploadInfo", "Uploads", "multipart_etag"]

#: Every part but the last is at least this long (S3's rule).
MIN_PART_BYTES = 5 * 2**20
MAX_PARTS = 10_000
#: Uploads untouched for this long are abandoned and removed (seconds; S3 leaves this to lifecycle rules).
DEFAULT_MAX_AGE = 7 * 24 * 3600

#: Bytes read from a part file at a time when a completed upload is stored.
ASSEMBLE_READ_BYTES = 1 << 20


@dataclass(frozen=True)
class UploadInfo:
    upload_id: str
    owner: str
    bucket: str
    key: str
    content_type: str
    metadata: dict[str, str]
    initiated: float


@dataclass(frozen=True)
class PartInfo:
    number: int
    etag: str  # hex MD5 of the part
    size: int
    checksums: dict[str, str]
    last_modified: float


class PartWriter:
    """One part being written: to a temporary file, hashed as it goes; :meth:`commit` fsyncs it
    and puts it in place, and leaving the ``with`` block without a commit removes it (a body
    refused half-way leaves no part, and an earlier part of that number stays as it was)."""

    def __init__(self, directory: Path, number: int) -> None:
        self._directory, self._number = directory, number
        self._tmp = directory / f".{number}.{secrets.token_hex(4)}.tmp"
        self._file = open(self._tmp, "wb")
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._size = 0
        self._done = False

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self._md5.update(data)
        self._size += len(data)

    def commit(self, checksums: dict[str, str]) -> PartInfo:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        part = PartInfo(self._number, self._md5.hexdigest(), self._size, dict(checksums), time.time())
        os.replace(self._tmp, self._directory / f"{self._number}.part")
        _write_json(self._directory / f"{self._number}.json", part.__dict__)
        self._done = True
        return part

    def __enter__(self) -> PartWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._done:
            self._file.close()
            self._tmp.unlink(missing_ok=True)


class Uploads:
    """The multipart uploads in progress under ``root``."""

    def __init__(self, root: Path, *, max_age: float = DEFAULT_MAX_AGE) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_age = max_age

    # -- uploads --------------------------------------------------------------

    def create(self, owner: str, bucket: str, key: str, content_type: str, metadata: dict[str, str]) -> UploadInfo:
        info = UploadInfo(secrets.token_hex(16), owner, bucket, key, content_type, dict(metadata), time.time())
        directory = self.root / info.upload_id
        directory.mkdir()
        _write_json(directory / "upload.json", info.__dict__)
        return info

    def get(self, owner: str, upload_id: str, bucket: str, key: str) -> UploadInfo:
        """The upload, or NoSuchUpload (also for another owner's, or another object's)."""
        info = self._load(upload_id)
        if info is None or info.owner != owner or info.bucket != bucket or info.key != key:
            raise S3Error("NoSuchUpload", "the specified upload does not exist", UploadId=upload_id)
        return info

    def list(self, owner: str, bucket: str) -> list[UploadInfo]:
        found = [self._load(d.name) for d in self.root.iterdir() if d.is_dir()]
        return sorted((i for i in found if i is not None and i.owner == owner and i.bucket == bucket),
                      key=lambda i: (i.key, i.initiated))

    def remove(self, info: UploadInfo) -> None:
        shutil.rmtree(self.root / info.upload_id, ignore_errors=True)

    def expire(self, now: float | None = None) -> list[str]:
        """Remove abandoned uploads (no part written for ``max_age``); their ids."""
        now = time.time() if now is None else now
        gone = []
        for directory in self.root.iterdir():
            if directory.is_dir() and now - _last_touched(directory) > self.max_age:
                shutil.rmtree(directory, ignore_errors=True)
                gone.append(directory.name)
        return gone

    # -- parts ----------------------------------------------------------------

    def write_part(self, info: UploadInfo, number: int, data: bytes, checksums: dict[str, str]) -> PartInfo:
        """Store part ``number`` of ``data`` (a part already in memory: a copied range)."""
        with self.open_part(info, number) as part:
            part.write(data)
            return part.commit(checksums)

    def open_part(self, info: UploadInfo, number: int) -> PartWriter:
        """A new part ``number``, written as its body arrives (:class:`PartWriter`)."""
        if not 1 <= number <= MAX_PARTS:
            raise S3Error("InvalidArgument", f"part number must be an integer between 1 and {MAX_PARTS}")
        directory = self.root / info.upload_id
        if not directory.is_dir():
            raise S3Error("NoSuchUpload", "the specified upload does not exist", UploadId=info.upload_id)
        return PartWriter(directory, number)

    def parts(self, info: UploadInfo) -> list[PartInfo]:
        directory = self.root / info.upload_id
        found = []
        for meta in directory.glob("*.json"):
            if meta.name == "upload.json" or not (directory / f"{meta.stem}.part").exists():
                continue
            try:
                found.append(PartInfo(**json.loads(meta.read_text())))
            except (OSError, ValueError, TypeError):
                continue  # a part being replaced right now
        return sorted(found, key=lambda p: p.number)

    def read_part(self, info: UploadInfo, number: int) -> bytes:
        return (self.root / info.upload_id / f"{number}.part").read_bytes()

    def chosen(self, info: UploadInfo, listed: Iterable[tuple[int, str]]) -> list[PartInfo]:
        """The parts CompleteMultipartUpload names, checked against what is stored."""
        stored = {p.number: p for p in self.parts(info)}
        chosen: list[PartInfo] = []
        for number, etag in listed:
            if chosen and number <= chosen[-1].number:
                raise S3Error("InvalidPartOrder", "the list of parts was not in ascending order")
            part = stored.get(number)
            if part is None or part.etag != etag.lower():
                raise S3Error("InvalidPart", f"part {number} was not uploaded, or its ETag does not match",
                              PartNumber=str(number))
            chosen.append(part)
        for part in chosen[:-1]:
            if part.size < MIN_PART_BYTES:
                raise S3Error("EntityTooSmall", f"part {part.number} is {part.size} bytes; all but the last part "
                              f"must be at least {MIN_PART_BYTES}", PartNumber=str(part.number))
        return chosen

    def assemble(self, info: UploadInfo, parts: list[PartInfo]) -> Iterator[bytes]:
        """The object the ``parts`` make, read from their files a piece at a time (never a
        whole part, let alone the whole object, in memory)."""
        for part in parts:
            with open(self.root / info.upload_id / f"{part.number}.part", "rb") as file:
                while piece := file.read(ASSEMBLE_READ_BYTES):
                    yield piece

    def _load(self, upload_id: str) -> UploadInfo | None:
        if not upload_id.isalnum():  # never a path outside root
            return None
        try:
            return UploadInfo(**json.loads((self.root / upload_id / "upload.json").read_text()))
        except (OSError, ValueError, TypeError):
            return None


def multipart_etag(parts: list[PartInfo]) -> str:
    """S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, ``-`` the count."""
    digest = hashlib.md5(b"".join(bytes.fromhex(p.etag) for p in parts), usedforsecurity=False).hexdigest()
    return f"{digest}-{len(parts)}"


def _last_touched(directory: Path) -> float:
    try:
        return max(p.stat().st_mtime for p in [directory, *directory.iterdir()])
    except OSError:
        return 0.0


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)
