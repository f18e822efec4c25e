"""The User's index: buckets and object manifests, rebuilt by replaying index records.

Records apply in ``record_id`` order (a nanosecond clock, kept increasing), and
each applies to the state the earlier ones left, so replaying the journal after a
recovery gives the same index as the live client had.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
import time

from memo_py.errors import BucketAlreadyExists, BucketNotEmpty, NoSuchBucket, NoSuchKey
from memo_py.user.manifest import BucketInfo, IndexRecord, Manifest

__all__ = ["Index"]


class Index:
    """Buckets and their objects' manifests (thread-safe)."""

    def __init__(self) -> None:
        self.buckets: dict[str, BucketInfo] = {}
        self.objects: dict[str, dict[str, Manifest]] = {}
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

    # -- changes --------------------------------------------------------------------

    def apply(self, record: IndexRecord) -> None:
        """Apply one record (a record that no longer fits, e.g. a put into a deleted bucket, is ignored)."""
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
