"""Housekeeping: give back the space of agreements that are over.

An agreement reserves capacity from the moment the Provider accepts it, and its
chunks fill the disk. Two kinds of agreement stop needing either:

- **never settled**: its order is not on the chain, and its start epoch is
  ``UNSETTLED_GRACE_EPOCHS`` behind. The Market refuses a new order whose start has
  come (``market: start too soon``); the User may still re-time the agreement to a
  later start (:meth:`~memo_py.provider.agreements.AgreementBook.propose`) and
  settle it, and the grace gives a submission racing the epoch change, a User's
  upload caught half-way, an operator looking into what happened, the chunks
  still there. An agreement that received a chunk in the last
  ``UPLOAD_IDLE_SECONDS`` is being filled and is kept whatever its start: a long
  upload is re-timed at its end.
- **ended**: its order's term is over (the chain's end epoch, which an extension
  moves), the chain has attested every epoch the order paid for, so no Keeper
  will ask for its commitments again and the pay is withdrawable from the
  attested roots without the data; and no dispute against it is open (disputes
  open only during the term, but one opened in the last epoch still needs its
  answer, which needs the blob).

Both lose their chunks (files and rows) first and their agreement last, so a crash
in between leaves an agreement that the next pass releases again. Anything the
chain cannot tell right now (the node is down, attestations stalled) keeps the data.

Chunks a User **released** (deleted data, :mod:`memo_py.provider.versions`) go on
their own, while the order runs on: once the order's root on chain releases them,
every epoch up to the one in which housekeeping first saw that root is attested
(the epochs under older roots, which commit to the data, are then all judged),
and no dispute against the order is open (one opened under an older root needs
the data for its answer). The file and its row go first, the mark that frees its
bytes last.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from typing import Any

from memo_py.chain.records import ChainOrder
from memo_py.provider.agreements import Agreement, AgreementBook

__all__ = [
    "ENDED_GRACE_EPOCHS",
    "UNSETTLED_GRACE_EPOCHS",
    "UPLOAD_IDLE_SECONDS",
    "ChunkRelease",
    "Release",
    "releasable",
    "releasable_chunks",
    "release",
    "release_chunks",
]

log = logging.getLogger(__name__)

#: Epochs an agreement never settled on-chain is kept past its start epoch.
UNSETTLED_GRACE_EPOCHS = 8
#: Epochs an ended order is kept past its end epoch (besides waiting for attestation).
ENDED_GRACE_EPOCHS = 1
#: Seconds since its last chunk during which an unsettled agreement counts as being filled.
UPLOAD_IDLE_SECONDS = 600.0


@dataclass(frozen=True)
class Release:
    """An agreement whose reservation and chunks can go, and why."""

    order_id: bytes
    reason: str


def releasable(
    agreements: Iterable[Agreement],
    orders: Mapping[bytes, ChainOrder],
    current: int,
    latest_attested: int | None,
    disputed: set[bytes],
    receiving: Set[bytes] = frozenset(),
) -> list[Release]:
    """The agreements that are over (see the module docstring), given the chain's view:
    its orders by id, the current epoch, the newest attested epoch and the order ids
    with an open dispute; ``receiving``: the orders being filled right now."""
    out = []
    for agreement in agreements:
        order = orders.get(agreement.order_id)
        if order is None:
            if agreement.start_epoch + UNSETTLED_GRACE_EPOCHS < current and agreement.order_id not in receiving:
                out.append(Release(agreement.order_id, f"never settled, and its start epoch {agreement.start_epoch} has passed"))
            continue
        if order.end_epoch + ENDED_GRACE_EPOCHS > current:
            continue
        if latest_attested is None or latest_attested < order.end_epoch - 1:
            continue  # the Keepers may still verify a paid epoch: keep the commitments
        if agreement.order_id in disputed:
            continue
        out.append(Release(agreement.order_id, f"ended at epoch {order.end_epoch}, every paid epoch attested"))
    return out


def release(service: Any, releases: Iterable[Release]) -> int:
    """Drop the chunks, then the agreement, of each release; returns the bytes of chunks freed.

    ``service`` is the :class:`~memo_py.provider.service.ProviderService` (its store and
    agreement book).
    """
    freed = 0
    for item in releases:
        stored = service.store.delete_order(item.order_id)
        service.agreements.remove(item.order_id)
        freed += stored
        log.info("released order 0x%s (%s): %d bytes of chunks deleted", item.order_id.hex(), item.reason, stored)
    return freed


@dataclass(frozen=True)
class ChunkRelease:
    """A released chunk whose file can go."""

    order_id: bytes
    first_blob: int


def releasable_chunks(
    book: AgreementBook,
    orders: Mapping[bytes, ChainOrder],
    current: int,
    latest_attested: int | None,
    disputed: set[bytes],
) -> list[ChunkRelease]:
    """The released chunks whose files can go (see the module docstring). Records, as a
    side effect, the epoch in which each order's current root is first seen on chain."""
    out = []
    for agreement in book.all():
        pending = [r.first_blob for r in book.released(agreement.order_id).values() if not r.deleted]
        order = orders.get(agreement.order_id)
        if not pending or order is None or agreement.order_id in disputed:
            continue
        on_chain = book.version(agreement.order_id, order.root)
        if on_chain is None:
            continue  # a root not co-signed here: it releases nothing this Provider knows of
        seen = book.seen_epoch(agreement.order_id, order.root, current)
        if seen is None or latest_attested is None or latest_attested < seen:
            continue
        out.extend(ChunkRelease(agreement.order_id, first) for first in pending if first in on_chain)
    return out


def release_chunks(service: Any, releases: Iterable[ChunkRelease]) -> int:
    """Delete each released chunk, then mark it deleted (its bytes free again); the bytes freed."""
    freed = 0
    for item in releases:
        freed += service.store.delete_chunk(item.order_id, item.first_blob)
        service.agreements.mark_deleted(item.order_id, item.first_blob)
        log.info("deleted released chunk at blob %d of order 0x%s", item.first_blob, item.order_id.hex())
    return freed
