"""Renewal: move the end of the User's orders later, before they run out.

An order pays its Provider through epoch ``end_epoch − 1``; after that its chunks are
no longer paid for and the Provider deletes them once every paid epoch is attested.
The Market lets a co-signed update lengthen ``end_epoch`` (``seq + 1``, everything
else unchanged) while the order has at least one epoch to run after the current one,
and escrows ``size × price`` for each added epoch. The Provider agrees to a renewal at
the price of the order when its own price is not higher (``POST /agreements`` with
the later end); a Provider that raised its price refuses, the Market refuses to
lengthen an order of a Provider that requested its exit, and the data on such an
order then has to move (put the objects again) before the order ends.

:func:`due` picks the orders worth renewing: on chain, still paying for live data,
not over, and ending within ``within`` epochs. :func:`renew` renews them, each on its
own, so that one Provider that refuses holds up no other order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from memo_py.chain.errors import ChainUnavailable
from memo_py.user.orders import OrderState
from memo_py.user.upload import UploadContext, cosign_update, load_order, propose_terms, settled

__all__ = ["Renewal", "due", "renew"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Renewal:
    """One order's renewal: its new end and what it escrowed, or why it was not renewed."""

    order_id: str
    provider: str
    old_end: int
    new_end: int
    #: Token wei escrowed for the added epochs (0 when not renewed).
    escrow: int
    #: None when renewed; else what refused it.
    error: str | None = None

    @property
    def renewed(self) -> bool:
        return self.error is None


def due(orders: list[OrderState], current_epoch: int, within: int) -> list[OrderState]:
    """The orders to renew now: on chain, paying for live data, with an epoch left to run
    after the current one (the Market's rule), and ending within ``within`` epochs."""
    return [
        o
        for o in orders
        if o.chain_seq is not None
        and (o.chain_size or 0) > 0
        and current_epoch + 1 < o.end_epoch <= current_epoch + within
    ]


def renew(ctx: UploadContext, orders: list[OrderState], new_end: int) -> list[Renewal]:
    """Renew each of ``orders`` to end at ``new_end`` (orders already ending then or later
    are left alone); one :class:`Renewal` per order, in order."""
    return [_renew_one(ctx, order, new_end) for order in orders if order.end_epoch < new_end]


def _renew_one(ctx: UploadContext, order: OrderState, new_end: int) -> Renewal:
    oid = "0x" + order.order_id.hex()
    old_end = order.end_epoch
    escrow = (order.chain_size or 0) * order.price * (new_end - old_end)

    def refused(reason: str) -> Renewal:
        order.end_epoch = old_end
        log.warning("order %s not renewed: %s", oid, reason)
        return Renewal(oid, order.provider, old_end, new_end, 0, reason)

    if order.dirty:
        return refused("an unfinished upload left blobs on the order that are not on chain")
    client = ctx.providers.client(order.provider)
    try:
        if order.commitments is None or order.chunk_blobs == 0:
            load_order(client, order)  # the released chunks must be listed in the update
        order.end_epoch = new_end
        propose_terms(client, order, order.blob_count)
        signed = cosign_update(ctx, order)
        ctx.chain.submit_orders([signed])
    except ChainUnavailable:  # our node, not the Provider: every renewal would fail the same way
        raise
    except Exception as exc:  # the Provider refused or is down, or the Market reverted
        return refused(f"{type(exc).__name__}: {exc}")
    settled(order, signed[0])
    return Renewal(oid, order.provider, old_end, new_end, escrow)
