"""``MemoClient``: buckets and objects on MEMO, the SDK's front door.

>>> client = MemoClient.open("http://127.0.0.1:8545", "deployment.json", private_key, ["http://…"])
>>> client.create_bucket("photos")
>>> client.put_object("photos", "cat.jpg", data, content_type="image/jpeg")
>>> client.get_object("photos", "cat.jpg") == data
True

The client keeps its index (buckets, manifests) and its orders in memory. All of
it is rebuilt from the master secret, the chain and the Providers
(:meth:`MemoClient.recover_index`), on the first call that needs it: a fresh client
sees the account as it is, and its first write goes on in the orders it already has.
With ``UserConfig.cache_dir`` the records read are kept in a local cache, and a
later client lists only the orders changed on chain since (:mod:`memo_py.user.cache`).
When the index cannot be read in full (too many Providers unreachable), that call
raises :class:`~memo_py.errors.IndexUnavailable` rather than show an empty or partial
account (:mod:`memo_py.user.recovery`). Writes (bucket and object changes) are
serialised within one client; two clients writing with the same key at the same
time would race on order sequence numbers.

**Delete.** Deleting an object appends a delete record to the index and then
releases its chunks (:mod:`memo_py.user.release`): each order that held them is
updated, co-signed by its Provider, to a smaller size with the zero commitment in
place of those chunks, and the Market gives the escrow of the epochs not yet paid
back to the User's balance. Storing an object under a key that exists releases
the old object's chunks the same way. Releasing is best effort per order: an
order whose Provider does not answer keeps those chunks paid to the end of its
term, and the next update of that order (the next upload to it) releases them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, BinaryIO
from concurrent.futures import ThreadPoolExecutor

from eth_account import Account
from eth_utils import to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from memo_py.amounts import require_uint
from memo_py.codec.segments import StripeLayout, encode_segment
from memo_py.crypto.aead import MIN_MASTER_SECRET_BYTES, derive_object_key
from memo_py.chain.errors import InsufficientFunds
from memo_py.display import format_tokens
from memo_py.errors import ChecksumMismatch, ConfigError, NoSuchKey
from memo_py.user.cache import CachedIndex, IndexCache, order_states
from memo_py.user.chain import UserChain
from memo_py.user.source import ObjectSource
from memo_py.user.costs import AccountStatus, PutQuote, object_status, placeholder_manifest, plan_slots, record_stripes
from memo_py.user.download import Downloader
from memo_py.user.listing import MAX_KEYS, Page, list_page
from memo_py.user.index import Index
from memo_py.user.buffer import Change, WriteBuffer
from memo_py.user.packing import REPACK_BELOW, live_bytes, plan_pack, seal, sealed_size, unseal
from memo_py.user.manifest import (
    ChunkPlacement,
    Pack,
    PackedAt,
    BucketInfo,
    IndexRecord,
    Layout,
    Manifest,
    ObjectInfo,
    SegmentEntry,
    record_object_id,
    record_segments,
)
from memo_py.user.names import validate_bucket_name, validate_object_key
from memo_py.user.network import MatchedProvider, Matcher, ProviderPool
from memo_py.user.orders import OrderBook
from memo_py.user.recovery import find_index_chunks, read_records
from memo_py.user.release import ReleaseReport, release_chunks
from memo_py.user.renewal import Renewal, due
from memo_py.user.renewal import renew as renew_orders
from memo_py.user.tags import DATA, INDEX, ChunkTag, TagKey
from memo_py.user.upload import UploadContext, UploadPolicy, UploadSession

log = logging.getLogger(__name__)

__all__ = ["UserConfig", "MemoClient", "RecoveryReport", "master_secret_from_key"]

#: HKDF inputs of the master secret derived from a wallet key (changing them loses access to
#: stored data: they are what the CLI has always used).
MASTER_SALT = b"memo-py/cli"
MASTER_INFO = b"memo-py user master secret v1"

#: Segments of sealed small objects the write buffer gathers into one pack before it is
#: flushed by itself: a flush costs its pack's stripes plus one stripe of batch record,
#: so the record's share of the stored bytes is about 1 / (PACK_SEGMENTS + 1).
PACK_SEGMENTS = 8

#: Segments of a streamed put (a file or an iterable) encoded and placed at a time: with the
#: default layout (4+2 chunks of 2 blobs) about 16 MiB of the object, 24 MiB encoded, and
#: the next window being encoded beside it.
WINDOW_SEGMENTS = 16


def master_secret_from_key(private_key: bytes | str) -> bytes:
    """The account's 32-byte master secret, derived from its Ethereum private key (HKDF-SHA256).

    One account, one identity: the CLI, :meth:`MemoClient.open`, a :class:`UserConfig`
    without ``master_secret`` and the devnet's ``user_client`` all use this secret, so
    they all see the same index. The wallet key alone, with the chain, finds the data again.
    """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = _unhex(private_key) if isinstance(private_key, str) else bytes(private_key)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=MASTER_SALT, info=MASTER_INFO).derive(key)


def _hex_secret(value: SecretStr, name: str, minimum: int) -> SecretStr:
    text = value.get_secret_value()
    try:
        raw = bytes.fromhex(text[2:] if text[:2] in ("0x", "0X") else text)
    except ValueError:
        raise ValueError(f"{name} must be hex") from None
    if len(raw) < minimum:
        raise ValueError(f"{name} must be at least {minimum} bytes, got {len(raw)}")
    return value


def _unhex(text: str) -> bytes:
    return bytes.fromhex(text[2:] if text[:2] in ("0x", "0X") else text)


class UserConfig(BaseModel):
    """Everything a User client needs besides its chain access."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Hex, at least 32 bytes: every object key and chunk tag derives from it. Left out, it is
    #: derived from ``private_key`` (:func:`master_secret_from_key`), as the CLI does: give one
    #: only for data stored under another secret. With the chain, it finds the data again.
    master_secret: SecretStr
    #: The User's Ethereum key (hex): signs requests and order updates.
    private_key: SecretStr
    #: Keeper base URLs (the matcher is asked in this order).
    keepers: tuple[str, ...] = Field(min_length=1)
    #: Default layout of new buckets (fits a 6-Provider devnet).
    k: int = Field(default=4, ge=1, le=255)
    m: int = Field(default=2, ge=0, le=255)
    chunk_blobs: int = Field(default=2, ge=1, le=64)
    #: Epochs between a new order's proposal and its start. The Market refuses an order that
    #: starts in the epoch it lands in or earlier; an upload that took longer is re-timed at
    #: commit to start this many (at least 2) epochs after it (:mod:`memo_py.user.upload`).
    start_delay: int = Field(default=2, ge=1)
    order_epochs: int = Field(default=1000, ge=1)
    min_remaining: int = Field(default=100, ge=0)
    max_price: int | None = Field(default=None, ge=0, lt=2**256, strict=True)
    rounds: int = Field(default=3, ge=1)
    timeout: float = Field(default=60.0, gt=0)
    #: On first use, orders holding live data that end within this many epochs are renewed
    #: to run ``order_epochs`` from now (:mod:`memo_py.user.renewal`); 0: never by itself.
    renew_within: int = Field(default=100, ge=0)
    #: :meth:`MemoClient.status` lists as expiring the objects paid for fewer epochs than this.
    warn_within: int = Field(default=200, ge=0)
    #: Where to keep the local index cache (:mod:`memo_py.user.cache`); None: no cache, every
    #: new client reads the whole index from the Providers. The CLI uses ``<home>/cache``.
    cache_dir: Path | None = None
    #: Objects smaller than one segment of their bucket's layout share stripes (packs) with
    #: others (:mod:`memo_py.user.packing`), and their puts and deletes go through the write
    #: buffer; False: every object fills stripes of its own, every change is settled at once.
    pack_objects: bool = True
    #: Where the write buffer is kept (:mod:`memo_py.user.buffer`): a small put or a delete
    #: returns once it is fsynced there, and is settled (packed, recorded, paid) when the
    #: buffer holds a segment's worth, ``flush_seconds`` later, on ``flush()`` or on close.
    #: None: no buffer on disk, each change is settled before its call returns.
    buffer_dir: Path | None = None
    flush_seconds: float = Field(default=10.0, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _derived_secret(cls, values: Any) -> Any:
        if isinstance(values, dict) and values.get("master_secret") is None and values.get("private_key") is not None:
            key = values["private_key"]
            key = key.get_secret_value() if isinstance(key, SecretStr) else key
            try:
                secret = master_secret_from_key(key)
            except (TypeError, ValueError):
                return values  # the private_key check below says what is wrong
            values = {**values, "master_secret": "0x" + secret.hex()}
        return values

    @field_validator("master_secret")
    @classmethod
    def _valid_secret(cls, value: SecretStr) -> SecretStr:
        return _hex_secret(value, "master_secret", MIN_MASTER_SECRET_BYTES)

    @field_validator("private_key")
    @classmethod
    def _valid_key(cls, value: SecretStr) -> SecretStr:
        try:
            Account.from_key(value.get_secret_value())
        except Exception as exc:
            raise ValueError(f"private_key is not an Ethereum private key: {type(exc).__name__}") from None
        return value

    @property
    def address(self) -> str:
        return Account.from_key(self.private_key.get_secret_value()).address

    @property
    def policy(self) -> UploadPolicy:
        return UploadPolicy(self.start_delay, self.order_epochs, self.min_remaining, self.max_price, self.rounds)


class RecoveryReport(BaseModel):
    """What :meth:`MemoClient.recover_index` found."""

    orders: int
    index_chunks: int
    records: int
    buckets: int
    objects: int
    #: Providers that did not answer, though the index could still be read in full.
    unreachable: list[str] = []
    #: Records taken from the local cache, and orders whose chunks were listed (all of them
    #: without a cache; only those changed on chain since the cache was saved with one).
    cached: int = 0
    listed_orders: int = 0


class MemoClient:
    """Buckets and objects stored on MEMO Providers, settled on chain."""

    def __init__(self, config: UserConfig, chain: UserChain) -> None:
        self.config = config
        self.chain = chain
        self.address = config.address
        if to_checksum_address(chain.address) != self.address:
            raise ConfigError(f"the chain account {chain.address} is not the User's key {self.address}")
        self._secret = _unhex(config.master_secret.get_secret_value())
        key = _unhex(config.private_key.get_secret_value())
        self._tags = TagKey(self._secret)
        self._index: Index | None = None  # read on first use (see :attr:`index`)
        self._records: list[IndexRecord] = []  # every record applied, for the cache
        self._states: dict[str, tuple[int, int]] | None = None  # the order states they were read against
        self._cache = (
            IndexCache(config.cache_dir, self._secret, self.address, chain.chain_id, chain.market)
            if config.cache_dir is not None
            else None
        )
        self._buffer = WriteBuffer(config.buffer_dir, self._secret, self.address, chain.chain_id, chain.market)
        self._timer: threading.Timer | None = None
        self._closed = False
        self.orders = OrderBook(self.address)
        self._pool = ThreadPoolExecutor(32, thread_name_prefix="memo-user")
        self.providers = ProviderPool(key, chain, timeout=config.timeout)
        self.matcher = Matcher(key, config.keepers, timeout=config.timeout)
        self._ctx = UploadContext(key, chain, self.matcher, self.providers, self.orders, config.policy, pool=self._pool)
        self._downloader = Downloader(self._secret, self.providers, self._pool)
        self._write = threading.RLock()  # reentrant: the first write reads the index under it
        #: What the automatic renewal of the first use did (``UserConfig.renew_within``).
        self.renewals: list[Renewal] = []

    @classmethod
    def open(
        cls,
        rpc_url: str,
        deployment: object,
        private_key: bytes | str,
        keepers: Sequence[str],
        *,
        chain_options: Mapping[str, Any] | None = None,
        **config: Any,
    ) -> MemoClient:
        """A client of the account of ``private_key`` on the chain at ``rpc_url``, seeing what
        the CLI sees for that wallet (the same master secret, :func:`master_secret_from_key`).

        ``deployment`` is a deployment record or its JSON file (what ``memo config set
        deployment`` names); ``keepers`` the Keeper URLs; ``config`` other
        :class:`UserConfig` fields (``k``, ``m``, ``start_delay``, or ``master_secret`` for
        data stored under another secret); ``chain_options`` go to the chain connection.
        A wallet the CLI made opens with ``WalletStore(home / "wallets").unlock(name, password)``.
        """
        from memo_py.chain.user import UserRoleChain

        key = private_key if isinstance(private_key, str) else "0x" + bytes(private_key).hex()
        settings = UserConfig(private_key=key, keepers=tuple(keepers), **config)
        chain = UserRoleChain.connect(rpc_url, deployment, key, **dict(chain_options or {}))
        return cls(settings, chain)

    @property
    def index(self) -> Index:
        """The buckets and manifests, recovered from the chain and the Providers on first use
        (IndexUnavailable when they cannot be read in full; the next use tries again)."""
        if self._index is None:
            with self._write:
                if self._index is None:
                    self.recover_index()
                    if self.config.renew_within:
                        try:
                            self.renewals = self.renew(within=self.config.renew_within)
                        except Exception as exc:  # a side duty: the call that needed the index goes on
                            log.warning("automatic renewal failed: %s", exc)
        assert self._index is not None
        return self._index

    def close(self) -> None:
        """Settle the write buffer (a failure is logged: the buffer on disk keeps the changes
        for the next client) and let go of the connections."""
        with self._write:
            if self._timer is not None:
                self._timer.cancel()
            if len(self._buffer) and self._index is not None:
                try:
                    self._flush()
                except Exception as exc:
                    log.warning("%d changes stay in the write buffer, not settled: %s", len(self._buffer), exc)
            self._closed = True
        self._pool.shutdown(wait=True)
        self.providers.close()
        self.matcher.close()

    def __enter__(self) -> MemoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- money ----------------------------------------------------------------------

    def balance(self) -> int:
        """Token wei in the User's Market balance (free to escrow for new storage)."""
        return self.chain.balance_of(self.address)

    def deposit(self, amount: int) -> bytes:
        """Move ``amount`` tokens (an int: WrongType otherwise) into the User's Market balance; the tx hash."""
        return self.chain.deposit(require_uint(amount, "a deposit", positive=True))

    def withdraw(self, amount: int) -> bytes:
        """Take ``amount`` tokens (an int: WrongType otherwise) back from the Market balance; the tx hash."""
        return self.chain.withdraw(require_uint(amount, "a withdrawal", positive=True))

    # -- buckets ----------------------------------------------------------------------

    def create_bucket(
        self, name: str, *, k: int | None = None, m: int | None = None, chunk_blobs: int | None = None
    ) -> BucketInfo:
        """Create a bucket whose objects use k data + m parity chunks of ``chunk_blobs`` blobs."""
        validate_bucket_name(name)
        layout = Layout(
            k=self.config.k if k is None else k,
            m=self.config.m if m is None else m,
            chunk_blobs=self.config.chunk_blobs if chunk_blobs is None else chunk_blobs,
        )
        layout.stripe  # raises on k + m > 256
        with self._write:
            self.index.check_new_bucket(name)
            record = IndexRecord(
                record_id=self.index.next_record_id(), op="create_bucket", bucket=name, time=time.time(), layout=layout
            )
            self._write_record(record, layout.stripe)
        return self.index.bucket(name)

    def list_buckets(self) -> list[BucketInfo]:
        return sorted(self.index.buckets.values(), key=lambda b: b.name)

    def head_bucket(self, name: str) -> BucketInfo:
        validate_bucket_name(name)
        return self.index.bucket(name)

    def delete_bucket(self, name: str) -> None:
        """Delete an empty bucket (BucketNotEmpty otherwise)."""
        validate_bucket_name(name)
        with self._write:
            self.index.check_empty(name)
            layout = self.index.bucket(name).layout
            record = IndexRecord(record_id=self.index.next_record_id(), op="delete_bucket", bucket=name, time=time.time())
            self._write_record(record, layout.stripe)

    # -- objects ----------------------------------------------------------------------

    def put_object(
        self,
        bucket: str,
        key: str,
        data: bytes | BinaryIO | Iterable[bytes],
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ObjectInfo:
        """Store ``data`` as ``bucket/key`` (replacing any object of that key); its info.

        ``data`` is bytes-like, a binary file (read from where it is positioned to its end)
        or an iterable of bytes (WrongType otherwise). A file or an iterable is read, encoded
        and placed :data:`WINDOW_SEGMENTS` segments at a time, the next window encoded
        while the current one is uploaded, so memory stays bounded whatever the size; a
        Provider that fails once its first window is stored then fails the put (retry it).
        A put whose size is known (bytes, a regular file) is priced for the Providers
        matched before anything is sent, and refused (InsufficientFunds) if the Market
        balance cannot pay; a stream of unknown size is checked by the Market at the end.

        ``progress(stored, total)`` is called as the Providers store the object's chunks:
        bytes of encoded chunks stored so far, of ``total`` (all k+m chunks of every
        stripe, so about (k+m)/k times the object's size; 0 while the size is unknown),
        from the upload threads; it reaches ``total`` before the order updates and the
        index record are written."""
        source = ObjectSource(data)
        validate_bucket_name(bucket)
        validate_object_key(key)
        layout = self.index.bucket(bucket).layout
        stripe = layout.stripe
        if self.config.pack_objects and source.size is not None and sealed_size(source.size) < stripe.segment_bytes:
            return self._put_packed(bucket, key, source, layout, content_type, metadata)
        object_id = os.urandom(16)
        object_key = derive_object_key(self._secret, object_id)
        n = stripe.k + stripe.m

        def windows() -> Iterator[tuple[list[list[bytes]], list[list[bytes]], list[int]]]:
            """(stripes, tags, plaintext lengths) of successive windows of segments."""
            window: tuple[list[list[bytes]], list[list[bytes]], list[int]] = ([], [], [])
            for i, plaintext in enumerate(source.segments(stripe.segment_bytes)):
                window[0].append(encode_segment(stripe, object_key, object_id, i, plaintext))
                window[1].append(self._data_tags(stripe, object_id, i))
                window[2].append(len(plaintext))
                if not source.in_memory and len(window[0]) == WINDOW_SEGMENTS:
                    yield window
                    window = ([], [], [])
            if window[0]:
                yield window

        # An object already in memory is encoded whole before the write lock, as one window.
        encoded = list(windows()) if source.in_memory else None
        total = 0 if source.size is None else stripe.segment_count(source.size) * n * stripe.chunk_bytes
        with self._write:
            self.index.bucket(bucket)
            replaced = self.index.objects.get(bucket, {}).get(key)

            def affordable(chosen: list[MatchedProvider]) -> None:
                if source.size is not None:  # a stream of unknown size: the Market checks the balance at commit
                    stripes = sum(self._put_stripes(bucket, key, source.size, layout, content_type, metadata))
                    self._check_affordable(session, chosen, stripes)

            session = UploadSession(
                self._ctx, stripe, on_chunk=_progress_counter(progress, total), before_upload=affordable
            )
            placements: list[list[ChunkPlacement]] = []
            lengths: list[int] = []
            with ThreadPoolExecutor(1, thread_name_prefix="memo-encode") as encoder:
                pending = iter(encoded) if encoded is not None else windows()
                upcoming = encoder.submit(next, pending, None)
                while (window := upcoming.result()) is not None:
                    upcoming = encoder.submit(next, pending, None)  # encoded while this one uploads
                    placements += session.place(window[0], window[1])
                    lengths += window[2]
            session.on_chunk = None  # the index record's chunks are not the object's progress
            manifest = Manifest(
                bucket=bucket,
                key=key,
                object_id=object_id.hex(),
                size=source.read,
                etag=source.md5.hexdigest(),
                content_type=content_type,
                metadata=dict(metadata or {}),
                created=time.time(),
                layout=layout,
                segments=tuple(
                    SegmentEntry(index=i, length=length, chunks=tuple(placements[i]))
                    for i, length in enumerate(lengths)
                ),
            )
            record = IndexRecord(
                record_id=self.index.next_record_id(),
                op="put_object",
                bucket=bucket,
                time=manifest.created,
                key=key,
                manifest=manifest,
            )
            self._write_record(record, stripe, session)
            if replaced is not None:
                self._drop([replaced])
        return manifest.info

    def _check_affordable(self, session: UploadSession, chosen: list[MatchedProvider], stripes: int) -> None:
        """Refuse, before the first byte leaves, ``stripes`` more stripes on the Providers
        ``chosen`` that the Market balance cannot escrow."""
        stripe = session.layout
        slots = plan_slots(self.orders, chosen, stripes * stripe.chunk_blobs, stripe.chunk_blobs,
                           session.current_epoch, self.config.policy)
        need, have = sum(slot.escrow for slot in slots), self.balance()
        if need > have:
            raise InsufficientFunds(
                f"this put escrows {format_tokens(need)} tokens and the Market balance holds "
                f"{format_tokens(have)}: deposit {format_tokens(need - have)} more (memo user deposit)"
            )

    def _put_packed(
        self, bucket: str, key: str, source: ObjectSource, layout: Layout, content_type: str,
        metadata: Mapping[str, str] | None,
    ) -> ObjectInfo:
        """A put of an object smaller than a segment: sealed into the write buffer, to be
        packed with others at the next flush (:mod:`memo_py.user.packing`)."""
        data = b"".join(source.segments(layout.stripe.segment_bytes))  # one piece at most
        object_id = os.urandom(16)
        sealed = seal(self._secret, object_id, data) if data else None
        with self._write:
            self.index.bucket(bucket)
            manifest = Manifest(
                bucket=bucket, key=key, object_id=object_id.hex(), size=len(data), etag=source.md5.hexdigest(),
                content_type=content_type, metadata=dict(metadata or {}), created=time.time(), layout=layout,
                packed=None if sealed is None else PackedAt(pack_id=None, offset=0, length=len(sealed)),
            )
            record = IndexRecord(record_id=self.index.next_record_id(), op="put_object", bucket=bucket,
                                 time=manifest.created, key=key, manifest=manifest)
            self._buffer_change(Change(record, layout, sealed, self.index.objects.get(bucket, {}).get(key)))
        return manifest.info

    def get_object(self, bucket: str, key: str, *, progress: Callable[[int, int], None] | None = None) -> bytes:
        """The object's bytes (verified chunk by chunk, decrypted, etag checked).
        ``progress(read, size)`` is called after each decoded segment."""
        return b"".join(self.iter_object(bucket, key, progress=progress))

    def iter_object(
        self, bucket: str, key: str, *, progress: Callable[[int, int], None] | None = None
    ) -> Iterator[bytes]:
        """The object's bytes in segments, as they are decoded, for objects too large to hold.

        Each segment is authenticated (AES-GCM) before it is yielded, but the etag is
        checked only after the last one: the iteration then raises ChecksumMismatch.
        Write to a temporary place and keep it only once the iteration has ended.
        ``progress(read, size)`` is called with the plaintext bytes decoded so far
        before each segment is yielded.
        """
        manifest = self.head_manifest(bucket, key)
        if manifest.packed is not None:
            segments = iter([self._read_packed(manifest)])
        else:
            segments = self._downloader.iter_segments(manifest)
        if progress is None:
            return segments
        return _reporting(segments, progress, manifest.size)

    def _read_packed(self, manifest: Manifest) -> bytes:
        """A packed object's plaintext: its sealed bytes from the write buffer or its pack,
        opened under its own key, the etag checked."""
        at = manifest.packed
        assert at is not None
        sealed = None
        if at.pack_id is None:
            sealed = self._buffer.sealed_of(manifest.object_id)
            if sealed is None:  # flushed since the manifest was read: it is in a pack now
                now = self.index.manifest(manifest.bucket, manifest.key)
                if now.packed is None or now.packed.pack_id is None:
                    raise NoSuchKey(f"{manifest.bucket}/{manifest.key} was replaced while it was read")
                return self._read_packed(now)
        else:
            pack = self.index.packs.get(at.pack_id)
            if pack is None:
                raise NoSuchKey(f"{manifest.bucket}/{manifest.key} was removed while it was read")
            sealed = self._downloader.read_sealed(pack, at)
        plaintext = unseal(self._secret, bytes.fromhex(manifest.object_id), sealed)
        digest = hashlib.md5(plaintext, usedforsecurity=False).hexdigest()
        if digest != manifest.etag:
            raise ChecksumMismatch(f"{manifest.bucket}/{manifest.key}: MD5 {digest} is not the etag {manifest.etag}")
        return plaintext

    def head_object(self, bucket: str, key: str) -> ObjectInfo:
        return self.head_manifest(bucket, key).info

    def head_manifest(self, bucket: str, key: str) -> Manifest:
        """The object's whole manifest (placements, commitments). A packed object's
        ``segments`` are those of its pack (``packed`` says where in them its bytes lie);
        none while it is only in the write buffer."""
        validate_bucket_name(bucket)
        validate_object_key(key)
        return self.index.placement(self.index.manifest(bucket, key))

    def list_objects(self, bucket: str, prefix: str = "") -> list[ObjectInfo]:
        """The bucket's objects whose key starts with ``prefix``, by key."""
        validate_bucket_name(bucket)
        self.index.bucket(bucket)
        manifests = list(self.index.objects.get(bucket, {}).values())
        return [m.info for m in sorted(manifests, key=lambda m: m.key) if m.key.startswith(prefix)]

    def list_objects_page(
        self,
        bucket: str,
        *,
        prefix: str = "",
        delimiter: str = "",
        start_after: str = "",
        max_keys: int = MAX_KEYS,
        continuation_token: str | None = None,
    ) -> Page[ObjectInfo]:
        """One page of the bucket's objects, as S3's ListObjectsV2 lists them (keys by UTF-8
        order, ``delimiter`` rolling keys up into common prefixes, at most ``max_keys``
        entries; :mod:`memo_py.user.listing`). Pass the page's ``next_token`` as
        ``continuation_token`` for the next one."""
        validate_bucket_name(bucket)
        self.index.bucket(bucket)
        objects = self.index.objects.get(bucket, {})
        return list_page(
            ((key, manifest) for key, manifest in objects.items()),
            prefix=prefix, delimiter=delimiter, start_after=start_after, max_keys=max_keys, token=continuation_token,
        ).map(lambda manifest: manifest.info)

    def delete_object(self, bucket: str, key: str) -> ReleaseReport:
        """Remove the object from the index, then stop paying for its chunks (see the module
        docstring): what was released and refunded, and which orders kept their chunks paid."""
        with self._write:
            manifest = self.head_manifest(bucket, key)
            layout = self.index.bucket(bucket).layout
            record = IndexRecord(
                record_id=self.index.next_record_id(), op="delete_object", bucket=bucket, time=time.time(), key=key
            )
            if not self.config.pack_objects:
                self._write_record(record, layout.stripe)
                return self._drop([manifest])
            return self._buffer_change(Change(record, layout, None, manifest))

    # -- the write buffer ----------------------------------------------------------------

    def flush(self) -> ReleaseReport:
        """Settle the write buffer now (:mod:`memo_py.user.buffer`): the buffered small
        objects go into one pack per layout, their index changes into one batch record, in
        one settlement; then the chunks the changes drop are released. What was released."""
        with self._write:
            return self._flush()

    def pending_changes(self) -> int:
        """Changes written to the buffer and not settled on chain yet."""
        return len(self._buffer)

    def _buffer_change(self, change: Change) -> ReleaseReport:
        """Keep a change in the write buffer and apply it. Without a buffer directory it is
        flushed at once; with one, the buffer is flushed first when this change's bytes would
        take its pack past :data:`PACK_SEGMENTS` segments (so packs are whole segments, but
        for the last one of a flush)."""
        sealed = len(change.sealed or b"")
        full = PACK_SEGMENTS * change.layout.stripe.segment_bytes
        if self._buffer.durable and sealed and self._buffer.sealed_bytes(change.layout) + sealed > full:
            self._flush()
        self._buffer.add(change)
        objects = self.index.objects.get(change.record.bucket, {})
        self.index.apply(change.record)
        if self._buffer.durable:
            self._arm_flush()
            return ReleaseReport()
        try:
            return self._flush()
        except Exception:
            if not self._buffer.durable:  # not kept anywhere: take it back, as if never made
                self._buffer.remove([change])
                key = change.record.key if change.record.key is not None else change.record.manifest.key  # type: ignore[union-attr]
                if change.drops is not None:
                    objects[key] = change.drops
                else:
                    objects.pop(key, None)
            raise

    def _arm_flush(self) -> None:
        """Flush by itself ``UserConfig.flush_seconds`` from now, unless a flush is due already."""
        if self._timer is not None and self._timer.is_alive():
            return
        self._timer = threading.Timer(self.config.flush_seconds, self._timed_flush)
        self._timer.daemon = True
        self._timer.start()

    def _timed_flush(self) -> None:
        with self._write:
            self._timer = None
            if self._closed or not len(self._buffer):
                return
            try:
                self._flush()
            except Exception as exc:  # kept in the buffer, durable: tried again later
                log.warning("the write buffer holds %d changes, not settled yet: %s", len(self._buffer), exc)
                self._arm_flush()

    def _flush(self) -> ReleaseReport:
        changes = self._buffer.changes()
        if not changes:
            return ReleaseReport()
        groups: dict[Layout, list[Change]] = {}
        for change in changes:
            groups.setdefault(change.layout, []).append(change)
        report = ReleaseReport()
        for layout, group in groups.items():
            dropped = self._flush_group(layout, group)
            self._buffer.remove(group)
            _merge(report, self._drop(dropped))
        return report

    def _flush_group(self, layout: Layout, group: list[Change]) -> list[Manifest]:
        """Settle one layout's changes: one pack of the live sealed objects (and of those moved
        out of packs now mostly holes), one batch record. The manifests to release."""
        stripe = layout.stripe
        index = self.index
        current = [c for c in group if c.record.op == "put_object" and _is_current(index, c.record.manifest)]
        kept = {id(c) for c in current}
        dropped = [c.drops for c in group if c.drops is not None]
        moved = self._repack(dropped, layout)
        sealed = [c.sealed for c in current if c.sealed is not None] + [s for _, s in moved]

        def affordable(chosen: list[MatchedProvider]) -> None:
            pack = placeholder_manifest("", "", sum(map(len, sealed)), layout, "", None)
            batch = IndexRecord(record_id=index.next_record_id(), op="batch", bucket="", time=time.time(),
                                records=tuple(c.record for c in group), packs=(Pack(
                                    pack_id="ab" * 16, size=max(1, pack.size), layout=layout, segments=pack.segments),))
            self._check_affordable(session, chosen, len(pack.segments) + len(record_segments(batch, stripe)))

        session = UploadSession(self._ctx, stripe, before_upload=affordable)
        packs: tuple[Pack, ...] = ()
        places: dict[str, PackedAt] = {}
        if sealed:
            plan = plan_pack(sealed)
            pack_id = os.urandom(16)
            pack_key = derive_object_key(self._secret, pack_id)
            segments = [plan.plaintext[i : i + stripe.segment_bytes] for i in range(0, len(plan.plaintext), stripe.segment_bytes)]
            placements = session.place(
                [encode_segment(stripe, pack_key, pack_id, i, s) for i, s in enumerate(segments)],
                [self._data_tags(stripe, pack_id, i) for i in range(len(segments))],
            )
            packs = (Pack(pack_id=pack_id.hex(), size=len(plan.plaintext), layout=layout, segments=tuple(
                SegmentEntry(index=i, length=len(s), chunks=tuple(placements[i])) for i, s in enumerate(segments)
            )),)
            owners = [c.record.manifest.object_id for c in current if c.sealed is not None] + [m.object_id for m, _ in moved]  # type: ignore[union-attr]
            places = {oid: PackedAt(pack_id=pack_id.hex(), offset=o, length=n) for oid, (o, n) in zip(owners, plan.places, strict=True)}
        records: list[IndexRecord] = []
        for change in group:
            record = change.record
            if record.op == "put_object":
                if id(change) not in kept:
                    continue  # replaced or deleted before it was settled: nothing of it to keep
                if change.sealed is not None:
                    record = _repointed(record, places)
            records.append(record)
        for manifest, _ in moved:  # the same object, in the new pack
            records.append(IndexRecord(record_id=index.next_record_id(), op="put_object", bucket=manifest.bucket,
                                       time=time.time(), key=manifest.key,
                                       manifest=manifest.model_copy(update={"packed": places[manifest.object_id]})))
        if records or packs:
            batch = IndexRecord(record_id=index.next_record_id(), op="batch", bucket="", time=time.time(),
                                records=tuple(records), packs=packs)
            self._write_record(batch, stripe, session)
        return dropped + [m for m, _ in moved]

    def _repack(self, dropped: list[Manifest], layout: Layout) -> list[tuple[Manifest, bytes]]:
        """The live objects (and their sealed bytes) of packs that ``dropped`` leave mostly
        holes, to be moved into the flush's pack (a pack that cannot be read stays as it is)."""
        moved: list[tuple[Manifest, bytes]] = []
        for pack_id in sorted({m.packed.pack_id for m in dropped if m.packed is not None and m.packed.pack_id}):
            pack = self.index.packs.get(pack_id)
            if pack is None or pack.layout != layout:
                continue
            refs = self.index.pack_refs(pack_id)
            if not refs or live_bytes(pack, [m.packed for m in refs if m.packed is not None]) >= REPACK_BELOW:
                continue
            try:
                moved += [(m, self._downloader.read_sealed(pack, m.packed)) for m in refs if m.packed is not None]
            except Exception as exc:
                log.warning("pack %s stays as it is (its live objects could not be read): %s", pack_id, exc)
                moved = [(m, s) for m, s in moved if m.packed is not None and m.packed.pack_id != pack_id]
        return moved

    def _drop(self, manifests: list[Manifest]) -> ReleaseReport:
        """Release what objects no longer in the index (settled so) held: a stored object's
        own chunks, and the chunks of every pack no object lies in any more."""
        chunks: list[ChunkPlacement] = []
        names = []
        for manifest in manifests:
            names.append(f"{manifest.bucket}/{manifest.key}")
            if manifest.packed is None:
                chunks += [c for segment in manifest.segments for c in segment.chunks]
                continue
            pack_id = manifest.packed.pack_id
            if pack_id is None or pack_id not in self.index.packs or self.index.pack_refs(pack_id):
                continue  # only in the buffer, or its pack still holds live objects
            chunks += [c for segment in self.index.packs.pop(pack_id).segments for c in segment.chunks]
        return self._release(chunks, ", ".join(names))

    # -- cost and term -----------------------------------------------------------------

    def quote_put(
        self,
        bucket: str,
        key: str,
        size: int,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
    ) -> PutQuote:
        """What ``put_object(bucket, key, <size bytes>)`` would escrow now, with the Providers
        a Keeper matches now (:mod:`memo_py.user.costs`); stores nothing, pays nothing."""
        validate_bucket_name(bucket)
        validate_object_key(key)
        size = require_uint(size, "an object size")
        layout = self.index.bucket(bucket).layout
        stripe = layout.stripe
        stripes, extra = self._put_stripes(bucket, key, size, layout, content_type, metadata)
        policy = self.config.policy
        chosen = self.matcher.match(
            stripe.k + stripe.m, (stripes + extra) * stripe.chunk_bytes,
            exclude=sorted(self._ctx.banned), max_price=policy.max_price,
        )
        current = self.chain.current_epoch()
        slots = plan_slots(self.orders, chosen, (stripes + extra) * stripe.chunk_blobs, stripe.chunk_blobs, current, policy)
        return PutQuote(bucket, size, stripes, extra, slots, current, self.chain.epoch_seconds(), self.balance())

    def _put_stripes(
        self, bucket: str, key: str, size: int, layout: Layout, content_type: str, metadata: Mapping[str, str] | None
    ) -> tuple[int, int]:
        """(stripes of the object, stripes of its index record) that a put of ``size`` bytes writes."""
        manifest = placeholder_manifest(bucket, key, size, layout, content_type, metadata)
        return len(manifest.segments), record_stripes(manifest, layout.stripe, self.index.next_record_id())

    def renew(self, epochs: int | None = None, *, within: int | None = None) -> list[Renewal]:
        """Renew the orders holding live data so that they run ``epochs`` (default
        ``UserConfig.order_epochs``) from now; with ``within``, only those ending within that
        many epochs. One :class:`~memo_py.user.renewal.Renewal` per order tried; an order whose
        Provider refuses (a higher price now, exiting, down) is reported, not raised."""
        epochs = self.config.order_epochs if epochs is None else require_uint(epochs, "a term", positive=True)
        with self._write:
            self.index  # noqa: B018  (the orders are known once the index is read)
            self.orders.sync(self.chain.orders_of_user(self.address))
            current = self.chain.current_epoch()
            horizon = current + epochs
            orders = due(self.orders.all(), current, horizon - current if within is None else within)
            return renew_orders(self._ctx, sorted(orders, key=lambda o: o.order_id), horizon)

    def status(self, *, check_health: bool = True) -> AccountStatus:
        """Every object's stored bytes, Providers, stripe health (from the Providers that
        answer ``/health``; with ``check_health=False`` every Provider counts as up), paid-through
        epoch and date, and monthly cost (:mod:`memo_py.user.costs`)."""
        index = self.index
        self.orders.sync(self.chain.orders_of_user(self.address))
        orders = {"0x" + o.order_id.hex(): o for o in self.orders.all()}
        manifests = [index.placement(m) for bucket in sorted(index.objects) for _, m in sorted(index.objects[bucket].items())]
        providers = sorted({c.provider for m in manifests for s in m.segments for c in s.chunks})
        if check_health:
            answered = list(self._pool.map(self.providers.answers, providers))
            reachable = {p for p, up in zip(providers, answered, strict=True) if up}
        else:
            reachable = set(providers)
        current, pace = self.chain.current_epoch(), self.chain.epoch_seconds()
        return AccountStatus(
            address=self.address,
            balance=self.balance(),
            current_epoch=current,
            epoch_seconds=pace,
            objects=tuple(object_status(m, orders, reachable, current, pace) for m in manifests),
            unreachable=tuple(p for p in providers if p not in reachable),
            warn_within=self.config.warn_within,
        )

    # -- recovery ----------------------------------------------------------------------

    def recover_index(self, *, use_cache: bool = True) -> RecoveryReport:
        """Rebuild the index and the order book from the chain and the Providers.

        With a cache (``UserConfig.cache_dir``) and ``use_cache``, only the orders changed on
        chain since the cache was saved are listed, and only records it lacks are read
        (:mod:`memo_py.user.cache`); ``use_cache=False`` reads everything from the Providers.
        Raises :class:`~memo_py.errors.IndexUnavailable` when the index cannot be read in
        full (the index the client had, if any, is kept).
        """
        with self._write:
            chain_orders = list(self.chain.orders_of_user(self.address))
            self.orders.sync(chain_orders)
            states = order_states(chain_orders)
            cached = self._cache.load() if self._cache is not None and use_cache else None
            known: dict[int, IndexRecord] = {}
            changed = chain_orders
            if cached is not None and cached.records and not _same_history(cached.orders, states):
                log.info("the index cache was made against orders the chain does not hold: reading all")
                cached = None
            if cached is not None:
                known = {r.record_id: r for r in cached.records}
                changed = [o for o in chain_orders if cached.orders.get("0x" + o.order_id.hex()) != (o.seq, o.blob_count)]
            scan = find_index_chunks(changed, self.providers, self._tags, self._pool)
            found = len(scan.chunks)
            scan.chunks = [c for c in scan.chunks if c.record_id not in known]
            default = (self.config.k, self.config.m)
            new = read_records(scan, self._secret, self.providers, self._pool, default)
            records = sorted({**known, **{r.record_id: r for r in new}}.values(), key=lambda r: r.record_id)
            # changes still in the write buffer (a client that stopped before settling them), but
            # for those the chain holds already (it stopped after settling, before forgetting them)
            settled = {leaf.record_id for record in records for leaf in record.leaves()}
            pending = [c for c in self._buffer.changes() if c.record.record_id not in settled]
            self._buffer.keep_only(pending)
            index = Index()
            index.replay([*records, *(c.record for c in pending)])
            self._index, self._records, self._states = index, records, states
            if pending:
                self._arm_flush()
            self._save_cache()
            return RecoveryReport(
                orders=len(chain_orders),
                index_chunks=found,
                records=len(records),
                buckets=len(index.buckets),
                objects=sum(len(v) for v in index.objects.values()),
                unreachable=sorted(scan.unreachable),
                cached=len(known),
                listed_orders=len(changed),
            )

    def _save_cache(self) -> None:
        if self._cache is not None and self._states is not None:
            # The orders this client settled since it read the index hold exactly the records
            # read then plus its own (another client's write to one of them would have failed
            # on the sequence number), so their states move on with them.
            for order in self.orders.all():
                oid = "0x" + order.order_id.hex()
                if order.chain_seq is not None and order.chain_seq > self._states.get(oid, (-1, 0))[0]:
                    self._states[oid] = (order.chain_seq, order.chain_blob_count)
            self._cache.save(CachedIndex(self._states, list(self._records)))

    # -- internals ----------------------------------------------------------------------

    def _release(self, chunks: list[ChunkPlacement], what: str) -> ReleaseReport:
        """Release chunks no object in the index needs (best effort, logged)."""
        if not chunks:
            return ReleaseReport()
        try:
            report = release_chunks(self._ctx, chunks)
        except Exception as exc:  # the chain refused or is down: the chunks stay paid for now
            log.warning("the chunks of %s stay paid for now: %s", what, exc)
            return ReleaseReport(kept={"*": f"{type(exc).__name__}: {exc}"})
        for order, why in report.kept.items():
            log.info("order %s keeps chunks of %s paid: %s", order, what, why)
        return report

    def _data_tags(self, stripe: StripeLayout, object_id: bytes, index: int) -> list[bytes]:
        """The tags of segment ``index`` of object (or pack) ``object_id``'s chunks."""
        ident = int.from_bytes(object_id[:8], "big")
        return [
            self._tags.make(ChunkTag(DATA, ident ^ (index >> 16), index & 0xFFFF, c, stripe.k, stripe.m))
            for c in range(stripe.k + stripe.m)
        ]

    def _write_record(self, record: IndexRecord, layout: StripeLayout, session: UploadSession | None = None) -> None:
        """Store an index record (in ``session``, or a session of its own), settle, apply it."""
        session = session if session is not None else UploadSession(self._ctx, layout)
        object_id = record_object_id(record.record_id)
        key = derive_object_key(self._secret, object_id)
        n = layout.k + layout.m
        segments = record_segments(record, layout)
        if len(segments) > 0xFFFF:
            raise ValueError(f"index record of {len(segments)} segments is too large")
        stripes = [encode_segment(layout, key, object_id, i, s) for i, s in enumerate(segments)]
        tags = [
            [self._tags.make(ChunkTag(INDEX, record.record_id, i, c, layout.k, layout.m)) for c in range(n)]
            for i in range(len(segments))
        ]
        session.place(stripes, tags)
        session.commit()
        if record.op == "batch":
            self.index.settle_flushed(record)
        else:
            self.index.apply(record)
        self._records.append(record)
        self._save_cache()  # against the order states of the last recovery: the next one lists these orders again


def _is_current(index: Index, manifest: Manifest | None) -> bool:
    """Whether the index still holds ``manifest``'s object under its key."""
    if manifest is None:
        return False
    current = index.objects.get(manifest.bucket, {}).get(manifest.key)
    return current is not None and current.object_id == manifest.object_id


def _repointed(record: IndexRecord, places: Mapping[str, PackedAt]) -> IndexRecord:
    """A buffered put's record with its object's place in the flush's pack."""
    assert record.manifest is not None
    return record.model_copy(update={"manifest": record.manifest.model_copy(
        update={"packed": places[record.manifest.object_id]})})


def _merge(report: ReleaseReport, more: ReleaseReport) -> None:
    report.chunks += more.chunks
    report.orders += more.orders
    report.refunded += more.refunded
    report.kept.update(more.kept)


def _progress_counter(progress: Callable[[int, int], None] | None, total: int) -> Callable[[int], None] | None:
    """An ``on_chunk`` for :class:`UploadSession` that reports cumulative bytes of ``total``
    (0: not known) to ``progress``."""
    if progress is None:
        return None
    lock = threading.Lock()
    stored = 0

    def on_chunk(size: int) -> None:
        nonlocal stored
        with lock:  # one call at a time, in increasing order
            stored += size
            progress(stored, total)

    return on_chunk


def _reporting(segments: Iterator[bytes], progress: Callable[[int, int], None], size: int) -> Iterator[bytes]:
    read = 0
    for segment in segments:
        read += len(segment)
        progress(read, size)
        yield segment


def _same_history(cached: dict[str, tuple[int, int]], chain: dict[str, tuple[int, int]]) -> bool:
    """Whether the chain can have grown from the cached order states: every cached order is
    still there, at the cached sequence number or a later one. A devnet started again (same
    chain id and contract addresses, fresh state) fails this, so its cache is not believed."""
    if not cached:
        return False  # records, but no order they were read from: nothing to check them by
    return all(oid in chain and chain[oid][0] >= seq for oid, (seq, _) in cached.items())
