"""What storage costs and how long it is paid for: put quotes and the account's status.

**Units.** The Market prices storage in token wei per payload byte per epoch (an
order's ``price``) and escrows ``size × price`` per epoch of the order's term. A
person thinks in tokens per GB-month: :func:`wei_per_gb_month` converts, with
1 GB = 10⁹ payload bytes and a month of 30 days, at the epoch duration the chain
runs now (:meth:`UserChain.epoch_seconds`: the epoch length in blocks times the
mean block interval of the last blocks). Every amount the SDK returns is an ``int``
of token wei; the CLI prints tokens.

**What a put escrows.** Every stripe of an object puts one chunk (``chunk_blobs``
blobs, each paying for :data:`~memo_py.native.PAYLOAD_BYTES_PER_BLOB` bytes) on each
of its k+m Providers, and so does every stripe of the index record written with it.
Each Provider's blobs go to the User's open order with it (escrow for the epochs
that order has left, from the next epoch on) or to a new one (escrow for the whole
term). :meth:`MemoClient.quote_put` computes exactly that from the Providers a
Keeper matches now and their prices; the put escrows the same unless the match, a
price or the epoch changes in between. Replacing an object also releases the old
one's chunks afterwards, which refunds their unpaid epochs: the quote leaves that out.

**Paid through.** An object is paid for through the last epoch of the earliest-ending
order holding one of its chunks (``end_epoch − 1``); after that the Providers are no
longer paid for those chunks and delete them once every paid epoch is attested
(:mod:`memo_py.provider.housekeeping`). Renewing (:mod:`memo_py.user.renewal`) moves
the end of an order later before it is reached.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from memo_py.codec.segments import StripeLayout
from memo_py.native import BYTES_PER_BLOB, PAYLOAD_BYTES_PER_BLOB
from memo_py.user.manifest import ChunkPlacement, IndexRecord, Layout, Manifest, SegmentEntry, record_segments
from memo_py.user.network import MatchedProvider
from memo_py.user.orders import OrderBook, OrderState
from memo_py.user.upload import UploadPolicy

__all__ = [
    "GB",
    "MONTH_SECONDS",
    "AccountStatus",
    "ObjectStatus",
    "PutQuote",
    "SlotCost",
    "epoch_date",
    "monthly_wei",
    "object_status",
    "placeholder_manifest",
    "plan_slots",
    "record_stripes",
    "price_for_gb_month",
    "wei_per_gb_month",
]

#: Payload bytes in a GB, as prices are quoted.
GB = 10**9
#: Seconds in the month prices are quoted for (30 days).
MONTH_SECONDS = 30 * 86_400


def wei_per_gb_month(price: int, epoch_seconds: float) -> int:
    """Token wei a GB of payload costs per month at ``price`` wei per byte per epoch."""
    return monthly_wei(price, GB, epoch_seconds)


def monthly_wei(price: int, payload_bytes: int, epoch_seconds: float) -> int:
    """Token wei ``payload_bytes`` cost per month at ``price`` wei per byte per epoch."""
    return round(price * payload_bytes * MONTH_SECONDS / epoch_seconds)


def price_for_gb_month(wei: int, epoch_seconds: float) -> int:
    """The highest price per byte per epoch that costs at most ``wei`` per GB-month
    (the inverse of :func:`wei_per_gb_month`, rounded down)."""
    return int(wei * epoch_seconds) // (GB * MONTH_SECONDS)


def epoch_date(epoch: int, current_epoch: int, epoch_seconds: float, now: datetime | None = None) -> datetime:
    """When ``epoch`` starts, assuming the chain keeps its current pace (the start of the
    current epoch is taken as now: the estimate is early by up to one epoch)."""
    now = now if now is not None else datetime.now(timezone.utc)
    return now + timedelta(seconds=(epoch - current_epoch) * epoch_seconds)


@dataclass(frozen=True)
class SlotCost:
    """What one Provider of a put is paid."""

    provider: str
    #: Wei per payload byte per epoch.
    price: int
    #: Blobs the put adds to the order (its chunks and the index record's).
    blobs: int
    #: Epochs those blobs are escrowed for.
    epochs: int
    #: Whether the put opens a new order with the Provider (else it grows the open one).
    new_order: bool
    #: The order's last paid epoch.
    paid_through: int

    @property
    def escrow(self) -> int:
        return self.blobs * PAYLOAD_BYTES_PER_BLOB * self.price * self.epochs


@dataclass(frozen=True)
class PutQuote:
    """What a put of ``size`` bytes into ``bucket`` escrows (:meth:`MemoClient.quote_put`)."""

    bucket: str
    size: int
    #: Stripes of the object and of its index record.
    stripes: int
    record_stripes: int
    slots: tuple[SlotCost, ...]
    current_epoch: int
    epoch_seconds: float
    balance: int

    @property
    def escrow(self) -> int:
        """Token wei taken from the Market balance."""
        return sum(s.escrow for s in self.slots)

    @property
    def stored_bytes(self) -> int:
        """Bytes the Providers keep for it, parity and the index record included."""
        return sum(s.blobs for s in self.slots) * BYTES_PER_BLOB

    @property
    def paid_through(self) -> int:
        """The last epoch every chunk of the object is paid for."""
        return min(s.paid_through for s in self.slots)

    @property
    def monthly(self) -> int:
        """Token wei per month the stored chunks cost at their prices."""
        return sum(monthly_wei(s.price, s.blobs * PAYLOAD_BYTES_PER_BLOB, self.epoch_seconds) for s in self.slots)

    @property
    def affordable(self) -> bool:
        return self.escrow <= self.balance


@dataclass(frozen=True)
class ObjectStatus:
    """One object: where it is, how healthy, how long it is paid for, what it costs."""

    bucket: str
    key: str
    size: int
    #: Bytes the Providers keep for it (all k+m chunks of every stripe).
    stored_bytes: int
    providers: tuple[str, ...]
    #: Fewest chunks of any stripe on a Provider that answered; ``k`` are needed to read it.
    weakest_stripe: int
    k: int
    m: int
    #: Last epoch every chunk is paid for, and its estimated date.
    paid_through: int
    paid_through_date: datetime
    #: Token wei per month its chunks cost.
    monthly: int

    @property
    def health(self) -> str:
        """``healthy`` (every chunk reachable), ``degraded`` (readable, some chunks not), or
        ``unreadable`` (some stripe has fewer than k reachable chunks)."""
        if self.weakest_stripe >= self.k + self.m:
            return "healthy"
        return "degraded" if self.weakest_stripe >= self.k else "unreadable"


@dataclass(frozen=True)
class AccountStatus:
    """The account: balance, objects, and what ends soon (:meth:`MemoClient.status`)."""

    address: str
    balance: int
    current_epoch: int
    epoch_seconds: float
    objects: tuple[ObjectStatus, ...]
    #: Providers that did not answer a health check.
    unreachable: tuple[str, ...]
    #: Objects whose paid term ends within this many epochs are listed in ``expiring``.
    warn_within: int

    @property
    def expiring(self) -> tuple[ObjectStatus, ...]:
        return tuple(o for o in self.objects if o.paid_through - self.current_epoch < self.warn_within)

    @property
    def monthly(self) -> int:
        return sum(o.monthly for o in self.objects)

    @property
    def stored_bytes(self) -> int:
        return sum(o.stored_bytes for o in self.objects)


def plan_slots(
    orders: OrderBook,
    providers: Sequence[MatchedProvider],
    blobs: int,
    chunk_blobs: int,
    current_epoch: int,
    policy: UploadPolicy,
) -> tuple[SlotCost, ...]:
    """What each of ``providers`` is paid for ``blobs`` more blobs, choosing the order the
    way :class:`~memo_py.user.upload.UploadSession` does: the open order with it if it runs
    long enough and its price still holds, else a new one of the policy's term."""
    slots = []
    for provider in providers:
        order = orders.pick(provider.address, chunk_blobs, current_epoch, policy.min_remaining)
        if order is not None and order.price < provider.price:
            order = None  # the Provider asks more now: the session opens a new order
        if order is None:
            start = current_epoch + policy.start_delay
            slots.append(SlotCost(provider.address, provider.price, blobs, policy.order_epochs, True,
                                  start + policy.order_epochs - 1))
        else:
            epochs = order.end_epoch - max(current_epoch + 1, order.start_epoch)
            slots.append(SlotCost(provider.address, order.price, blobs, epochs, False, order.end_epoch - 1))
    return tuple(slots)


def record_stripes(manifest: Manifest, layout: StripeLayout, record_id: int) -> int:
    """Stripes of index record ``record_id`` storing ``manifest`` (its size depends on the
    number of placements, hardly on their values, so a placeholder manifest counts right)."""
    record = IndexRecord(record_id=record_id, op="put_object", bucket=manifest.bucket, time=manifest.created,
                         key=manifest.key, manifest=manifest)
    return len(record_segments(record, layout))


def placeholder_manifest(bucket: str, key: str, size: int, layout: Layout, content_type: str,
                         metadata: Mapping[str, str] | None) -> Manifest:
    """A manifest of the shape a put of ``size`` bytes writes (placements are placeholders)."""
    stripe = layout.stripe
    chunk = ChunkPlacement(chunk=0, provider="0x" + "ab" * 20, order_id="0x" + "ab" * 32, first_blob=10**9,
                           sha256="ab" * 32, commitments=("0x" + "ab" * 48,) * stripe.chunk_blobs)
    return Manifest(
        bucket=bucket, key=key, object_id="ab" * 16, size=size, etag="ab" * 16, content_type=content_type,
        metadata=dict(metadata or {}), created=time.time(), layout=layout,
        segments=tuple(
            SegmentEntry(index=i, length=stripe.segment_length(size, i),
                         chunks=tuple(chunk.model_copy(update={"chunk": c}) for c in range(stripe.k + stripe.m)))
            for i in range(stripe.segment_count(size))
        ),
    )


def _stored_bytes(manifest: Manifest) -> int:
    """Bytes the object takes on its Providers: its stripes, or for a packed object its share
    of its pack's (in proportion to its sealed bytes; 0 while it is only in the write buffer)."""
    stripe = manifest.layout.stripe
    per_segment = (stripe.k + stripe.m) * stripe.chunk_blobs * BYTES_PER_BLOB
    if manifest.packed is None:
        return len(manifest.segments) * per_segment
    if manifest.packed.pack_id is None:
        return 0
    return -(-manifest.packed.length * per_segment // stripe.segment_bytes)


def object_status(
    manifest: Manifest,
    orders: Mapping[str, OrderState],
    reachable: set[str],
    current_epoch: int,
    epoch_seconds: float,
) -> ObjectStatus:
    """The status of one object from its manifest, the User's orders (by ``0x`` id) and the
    Providers that answered."""
    stripe = manifest.layout.stripe
    providers: set[str] = set()
    ends: list[int] = []
    monthly = 0
    weakest = stripe.k + stripe.m
    for segment in manifest.segments:
        weakest = min(weakest, sum(c.provider in reachable for c in segment.chunks))
        for chunk in segment.chunks:
            providers.add(chunk.provider)
            order = orders.get(chunk.order_id)
            if order is None:  # not on chain (any more): nothing pays for this chunk
                ends.append(current_epoch)
                continue
            ends.append(order.end_epoch - 1)
            monthly += monthly_wei(order.price, stripe.chunk_blobs * PAYLOAD_BYTES_PER_BLOB, epoch_seconds)
    through = min(ends, default=current_epoch)
    if manifest.packed is not None and manifest.segments:  # its share of its pack's stripes
        monthly = monthly * manifest.packed.length // (len(manifest.segments) * stripe.segment_bytes)
    return ObjectStatus(
        bucket=manifest.bucket,
        key=manifest.key,
        size=manifest.size,
        stored_bytes=_stored_bytes(manifest),
        providers=tuple(sorted(providers)),
        weakest_stripe=weakest if manifest.segments else stripe.k + stripe.m,
        k=stripe.k,
        m=stripe.m,
        paid_through=through,
        paid_through_date=epoch_date(through + 1, current_epoch, epoch_seconds),
        monthly=monthly,
    )
