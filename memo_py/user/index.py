"""The User's index: buckets and object manifests, rebuilt by replaying index records.

Records apply in ``record_id`` order (a nanosecond clock, kept increasing), and
each applies to the state the earlier ones left, so replaying the journal after a
recovery gives the same index as the live client had. A batch record (a flush of
the write buffer) is replayed as the changes it holds, each at its own id: a
change buffered before a record written at once applies before it, as it did live.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
import time

from memo_py.errors import BucketAlreadyExists, BucketNotEmpty, NoSuchBucket, NoSuchKey
from collections.abc import Iterable

from memo_py.user.manifest import BucketInfo, IndexRecord, Manifest, Pack

__all__ = ["Index"]


class Index:
    """Buckets and their objects' manifests (thread-safe)."""

    def __init__(self) -> None:
        self.buckets: dict[str, BucketInfo] = {}
        self.objects: dict[str, dict[str, Manifest]] = {}
        #: Packs by id (those some object still lies in, after a replay).
        self.packs: dict[str, Pack] = {}
        self.last_record = 0
        self._lock = threading.RLock()

    def next_record_id(self) -> int:
        """A record id above every one seen, from the nanosecond clock when it is ahead."""
        with self._lock:
            self.last_record = max(time.time_ns(), self.last_record + 1)
            return self.last_record

    # -- reads --------------------------------------------------------------------

    def bucket(self, name: str) -> BucketInfo:
        with self._lock:
            found = self.buckets.get(name)
        if found is None:
            raise NoSuchBucket(f"no bucket {name!r}")
        return found

    def manifest(self, bucket: str, key: str) -> Manifest:
        self.bucket(bucket)
        with self._lock:
            found = self.objects.get(bucket, {}).get(key)
        if found is None:
            raise NoSuchKey(f"no object {key!r} in bucket {bucket!r}")
        return found

    def check_new_bucket(self, name: str) -> None:
        with self._lock:
            if name in self.buckets:
                raise BucketAlreadyExists(f"bucket {name!r} already exists")

    def check_empty(self, name: str) -> None:
        self.bucket(name)
        with self._lock:
            if self.objects.get(name):
                raise BucketNotEmpty(f"bucket {name!r} still holds {len(self.objects[name])} objects")

    def pack_refs(self, pack_id: str) -> list[Manifest]:
        """The objects that lie in pack ``pack_id``."""
        with self._lock:
            return [
                m for objects in self.objects.values() for m in objects.values()
                if m.packed is not None and m.packed.pack_id == pack_id
            ]

    def placement(self, manifest: Manifest) -> Manifest:
        """``manifest`` with the segments its bytes lie in: its own, or its pack's."""
        if manifest.packed is None or manifest.packed.pack_id is None:
            return manifest
        with self._lock:
            pack = self.packs.get(manifest.packed.pack_id)
        return manifest if pack is None else manifest.model_copy(update={"segments": pack.segments})

    # -- changes --------------------------------------------------------------------

    def replay(self, records: Iterable[IndexRecord]) -> None:
        """Apply a journal: every single change in ``record_id`` order, then drop the packs
        no object lies in any more."""
        leaves: list[IndexRecord] = []
        with self._lock:
            for record in records:
                self.last_record = max(self.last_record, record.record_id)
                self.packs.update((p.pack_id, p) for p in record.packs)
                leaves += record.leaves()
            for leaf in sorted(leaves, key=lambda r: r.record_id):
                self.apply(leaf)
            live = {m.packed.pack_id for o in self.objects.values() for m in o.values() if m.packed is not None}
            self.packs = {pid: p for pid, p in self.packs.items() if pid in live}

    def settle_flushed(self, batch: IndexRecord) -> None:
        """After a flush: its packs are known, and each object it packed that the index still
        holds (not deleted or replaced since) now points at its pack."""
        with self._lock:
            self.last_record = max(self.last_record, batch.record_id)
            self.packs.update((p.pack_id, p) for p in batch.packs)
            for leaf in batch.leaves():
                if leaf.op != "put_object" or leaf.manifest is None:
                    continue
                objects = self.objects.get(leaf.bucket, {})
                current = objects.get(leaf.manifest.key)
                if current is not None and current.object_id == leaf.manifest.object_id:
                    objects[leaf.manifest.key] = leaf.manifest

    def apply(self, record: IndexRecord) -> None:
        """Apply one record (a record that no longer fits, e.g. a put into a deleted bucket, is
        ignored; a batch through :meth:`replay`)."""
        if record.op == "batch":
            self.replay([record])
            return
        with self._lock:
            self.last_record = max(self.last_record, record.record_id)
            if record.op == "create_bucket" and record.layout is not None:
                if record.bucket not in self.buckets:
                    self.buckets[record.bucket] = BucketInfo(
                        name=record.bucket, layout=record.layout, created=datetime.fromtimestamp(record.time, timezone.utc)
                    )
                    self.objects[record.bucket] = {}
            elif record.op == "delete_bucket":
                self.buckets.pop(record.bucket, None)
                self.objects.pop(record.bucket, None)
            elif record.op == "put_object" and record.manifest is not None:
                if record.bucket in self.buckets:
                    self.objects[record.bucket][record.manifest.key] = record.manifest
            elif record.op == "delete_object" and record.key is not None:
                self.objects.get(record.bucket, {}).pop(record.key, None)
