"""Releasing chunks: a deleted (or replaced) object stops being paid for.

For every order that holds chunks of the object, the User signs the next update
with those chunks *released* (:mod:`memo_py.user.orders`): the order's size drops by
their blobs, the root puts the zero commitment in their place, and the Market
gives the escrow of the epochs not paid yet back to the User's balance. The
Provider co-signs only a root its own commitments give (:mod:`memo_py.provider.cosign`)
and deletes the chunks once no Keeper can ask for them any more.

It is best effort, order by order: an order whose Provider is down, or that cannot
be updated (it ended, or an upload failed half-way on it), keeps its chunks paid to
the end of its term, as before the delete; :class:`ReleaseReport` says which.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from memo_py.user.chain import MAX_BATCH, SignedUpdate
from memo_py.user.manifest import ChunkPlacement
from memo_py.user.orders import OrderState
from memo_py.user.upload import UploadContext, cosign_update, load_order, settled

__all__ = ["ReleaseReport", "release_chunks"]

log = logging.getLogger(__name__)


@dataclass
class ReleaseReport:
    """What a release did: chunks released, orders updated on chain, the escrow given back."""

    chunks: int = 0
    orders: int = 0
    #: Token wei back in the User's Market balance (measured around the transactions).
    refunded: int = 0
    #: Orders left as they were, with why: their chunks stay paid until the order ends.
    kept: dict[str, str] = field(default_factory=dict)


def release_chunks(ctx: UploadContext, chunks: Iterable[ChunkPlacement]) -> ReleaseReport:
    """Release ``chunks`` in their orders' next updates, co-signed and submitted on chain."""
    report = ReleaseReport()
    by_order: dict[bytes, set[int]] = {}
    for chunk in chunks:
        by_order.setdefault(bytes.fromhex(chunk.order_id[2:]), set()).add(chunk.first_blob)
    if not by_order:
        return report
    chain = ctx.chain
    ctx.orders.sync(chain.orders_of_user(ctx.address))
    current = chain.current_epoch()
    touched: list[tuple[OrderState, set[int]]] = []
    for oid, firsts in sorted(by_order.items()):
        name = "0x" + oid.hex()
        order = ctx.orders.get(oid)
        if order is None or order.chain_seq is None:
            report.kept[name] = "not on chain"
            continue
        if current >= order.end_epoch:
            report.kept[name] = f"ended at epoch {order.end_epoch}: nothing left to refund"
            continue
        if order.commitments is None:
            try:
                load_order(ctx.providers.client(order.provider), order)
            except Exception as exc:
                report.kept[name] = f"its commitments could not be loaded: {exc}"
                continue
        new = firsts - order.released
        if new:
            touched.append((order, new))
    signed: list[SignedUpdate] = []
    for order, new in touched:
        # Released for good, even if this update fails: the object is gone, and the next
        # update of the order (the next upload to it) carries the release.
        order.released |= new
        try:
            signed.append(cosign_update(ctx, order))
        except Exception as exc:
            name = "0x" + order.order_id.hex()
            report.kept[name] = str(exc)
            log.warning("order %s keeps its chunks paid for now: %s", name, exc)
            continue
        report.chunks += len(new)
    if not signed:
        return report
    balance = chain.balance_of(ctx.address)
    by_id = {order.order_id: order for order, _ in touched}
    for k in range(0, len(signed), MAX_BATCH):
        chain.submit_orders(signed[k : k + MAX_BATCH])
        for update, _, _ in signed[k : k + MAX_BATCH]:
            settled(by_id[update.order_id], update)
    report.orders = len(signed)
    report.refunded = max(0, chain.balance_of(ctx.address) - balance)
    return report
