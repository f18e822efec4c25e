"""Upload: place stripes on Providers, check their commitments, co-sign, settle on chain.

One :class:`UploadSession` is one write to the User's index (an object and its
index record, or a record alone). It

1. asks a Keeper's matcher for k+m distinct Providers; chunk i of every stripe of
   the session goes to the Provider of slot i, so no two chunks of a stripe share a
   Provider;
2. per Provider, in parallel: grows the User's open order with it (or opens one:
   :mod:`memo_py.user.orders`) with ``POST /agreements``, and PUTs the chunks at
   the next blob positions (several in flight), each with its tag; the Provider
   answers with the chunk's blob commitments;
3. checks every commitment the Providers returned against the chunks the User
   sent, all at once: :func:`memo_py.crypto.kzg.batch_check` over the packed blobs
   (one native fold, one commit, one MSM for the whole round; the User never
   commits each blob itself). Only if that fails are the Providers checked one by
   one, to find the liars;
4. replaces any Provider that failed (an error, or wrong commitments) with
   another one from the matcher, and retries its chunks there, a few rounds at
   most. A failed order is retired and never grows again; a Provider that lied
   about commitments is banned for the client's lifetime;
5. at :meth:`UploadSession.commit`: signs, for each order it grew, the EIP-712
   ``OrderUpdate`` whose root is the commitment tree over *checked* commitments
   only, has the Provider co-sign it (``POST /orders/{id}/cosign``), and submits
   all co-signed updates in batches of 32 through :class:`UserChain`. New orders
   that would start within :data:`START_MARGIN` epochs are first *re-timed* with
   their Providers (a later start, the same term), so an upload of any length
   settles; a Market revert for a start that came meanwhile re-times them once more.

A new order skips nonces its Provider already holds an agreement under (an earlier
run's failed upload: this client knows orders from the chain only), and a caller's
``before_upload`` check (the User client's balance check) runs once the Providers
are matched, before any chunk is sent.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from eth_account import Account

from memo_py import native
from memo_py.chain.eip712 import OrderUpdate, deadline_after, recover_signer, sign_order_update
from memo_py.chain.merkle import CommitmentTree
from memo_py.codec.segments import StripeLayout
from memo_py.crypto import kzg
from memo_py.chain.errors import ChainRevert, ChainUnavailable
from memo_py.errors import CommitmentMismatch, MemoError, UploadFailed
from memo_py.crypto.kzg import ZERO_COMMITMENT
from memo_py.native import BYTES_PER_BLOB, PAYLOAD_BYTES_PER_BLOB
from memo_py.protocol.http import RemoteError, SignedClient
from memo_py.protocol.limits import MAX_MESSAGE_BYTES, commitments_answer_bytes
from memo_py.user.chain import MAX_BATCH, SignedUpdate, UserChain
from memo_py.user.manifest import ChunkPlacement
from memo_py.user.network import MatchedProvider, Matcher, ProviderPool
from memo_py.user.orders import OrderBook, OrderState

__all__ = ["UploadPolicy", "UploadContext", "UploadSession", "PUTS_IN_FLIGHT", "cosign_update", "load_order", "propose_terms", "settled"]

log = logging.getLogger(__name__)

#: Chunk PUTs in flight per Provider (its commit pool works on all of them at once).
PUTS_IN_FLIGHT = 4

#: Nonces a new order skips when its Provider holds an agreement under them already (left by
#: uploads that failed before settling; the Provider frees them after a grace period).
NONCES_TO_SKIP = 8

#: At commit, an order not on chain yet must start at least this many epochs after the current
#: one: the Market needs one (an order cannot start in the epoch it is created in), and one more
#: covers an epoch that begins between our reading of it and the block that mines the update.
START_MARGIN = 2


@dataclass(frozen=True)
class UploadPolicy:
    """How the client buys storage."""

    #: Epochs from the current one to a new order's start: at least 1, since the Market refuses
    #: an order that starts in the epoch its creation is mined in (at commit, an order that
    #: would start within :data:`START_MARGIN` epochs is re-timed to this delay, or the margin).
    start_delay: int = 1
    #: Term of a new order, in epochs.
    order_epochs: int = 1000
    #: An open order is grown only if it runs at least this many more epochs.
    min_remaining: int = 100
    #: Highest price per byte per epoch the User accepts (None: any).
    max_price: int | None = None
    #: Rounds of replacing failed Providers before an upload gives up.
    rounds: int = 3


@dataclass
class UploadContext:
    """What every session of a client shares."""

    private_key: bytes
    chain: UserChain
    matcher: Matcher
    providers: ProviderPool
    orders: OrderBook
    policy: UploadPolicy
    #: Providers caught returning wrong commitments: never matched again by this client.
    banned: set[str] = field(default_factory=set)
    pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(32, thread_name_prefix="memo-put"))

    @property
    def address(self) -> str:
        return Account.from_key(self.private_key).address


@dataclass
class _Item:
    """One chunk to place: stripe ``stripe``, chunk index ``chunk`` (= the slot)."""

    stripe: int
    chunk: int
    data: bytes
    tag: bytes
    #: The stripe's number in the whole session (``stripe`` counts within one place call).
    serial: int = 0


@dataclass
class _Placed:
    """A slot's chunks stored on one order, with the commitments the Provider returned."""

    provider: MatchedProvider
    order: OrderState
    first_blob: int
    items: list[_Item]
    commitments: list[list[bytes]]


class UploadAborted(Exception):
    """The caller's thread was interrupted: the upload threads stop sending chunks."""


class _OtherSize(Exception):
    """A recovered order holds chunks of another size than the session's."""


class UploadSession:
    """One write: place stripes (any number of :meth:`place` calls), then :meth:`commit`."""

    def __init__(
        self,
        ctx: UploadContext,
        layout: StripeLayout,
        on_chunk: Callable[[int], None] | None = None,
        before_upload: Callable[[list[MatchedProvider]], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.layout = layout
        #: Called once with the Providers first matched (by slot) before any byte is sent, so
        #: the caller can refuse a put it cannot pay for (it raises) before it uploads anything.
        self.before_upload = before_upload
        #: Called with a chunk's size the first time a Provider stores that chunk (from the
        #: upload threads; a chunk placed again after its Provider failed is not counted twice).
        self.on_chunk = on_chunk
        self._stored: set[tuple[int, int]] = set()
        self._stripes_placed = 0
        self._stored_lock = threading.Lock()
        #: Set when the caller's thread is interrupted (Ctrl-C) or fails: the upload threads
        #: send no further chunk, so the interrupt takes effect after the PUTs in flight.
        self._abort = threading.Event()
        self.slots: dict[int, MatchedProvider] = {}
        self.used: set[str] = set()
        self.touched: dict[bytes, OrderState] = {}
        self.current_epoch = ctx.chain.current_epoch()

    # -- placing --------------------------------------------------------------

    def place(self, stripes: Sequence[Sequence[bytes]], tags: Sequence[Sequence[bytes]]) -> list[list[ChunkPlacement]]:
        """Store every chunk of ``stripes`` (k+m chunks each) and return their placements.

        Raises UploadFailed when some chunk found no Provider within the policy's rounds.
        """
        n = self.layout.k + self.layout.m
        pending: dict[int, list[_Item]] = {slot: [] for slot in range(n)}
        base, self._stripes_placed = self._stripes_placed, self._stripes_placed + len(stripes)
        for s, (chunks, chunk_tags) in enumerate(zip(stripes, tags, strict=True)):
            if len(chunks) != n or len(chunk_tags) != n:
                raise ValueError(f"a stripe has {n} chunks and {n} tags")
            for c in range(n):
                pending[c].append(_Item(s, c, chunks[c], chunk_tags[c], base + s))
        placements: list[list[ChunkPlacement | None]] = [[None] * n for _ in stripes]
        if not stripes:
            return []
        errors: list[tuple[str, str]] = []  # (Provider address, Keeper URL or "" for no one, why), oldest first
        for _ in range(self.ctx.policy.rounds):
            if not pending:
                break
            try:
                self._assign(sorted(pending), len(stripes))
            except UploadFailed as exc:  # no Provider left to replace the failed ones
                errors += list(exc.failures.items()) or [("", str(exc))]
                break
            if self.before_upload is not None:
                check, self.before_upload = self.before_upload, None
                check([self.slots[slot] for slot in sorted(self.slots)])
            futures = {
                slot: self.ctx.pool.submit(self._place_slot, self.slots[slot], items) for slot, items in pending.items()
            }
            placed: dict[int, _Placed] = {}
            try:
                for slot, future in futures.items():
                    try:
                        placed[slot] = future.result()
                    except UploadAborted:
                        raise
                    except ChainUnavailable:  # our node, not the Provider: say it once, blame no one
                        raise
                    except Exception as exc:  # any failure of a Provider: replace it
                        errors.append((self.slots[slot].address, str(exc)))
                        log.warning("placing on %s failed: %s", self.slots[slot].address, exc)
                        self.slots.pop(slot)
                if len(placed) < len(futures):
                    # Providers check what we send against the chain: when our own node is down
                    # too, that is the cause, said once (ChainUnavailable), not once per Provider.
                    self.ctx.chain.current_epoch()
            except BaseException:  # KeyboardInterrupt and the like: stop the upload threads
                self._abort.set()
                for future in futures.values():
                    future.cancel()
                raise
            for slot in self._check(placed):
                bad = placed.pop(slot)
                errors.append((bad.provider.address, "returned commitments that do not match the chunks"))
                self.ctx.banned.add(bad.provider.address)
                bad.order.retired = True
                self.slots.pop(slot)
            for slot, done in placed.items():
                self._accept(done)
                for offset, item in enumerate(done.items):
                    placements[item.stripe][item.chunk] = ChunkPlacement(
                        chunk=item.chunk,
                        provider=done.provider.address,
                        order_id="0x" + done.order.order_id.hex(),
                        first_blob=done.first_blob + offset * self.layout.chunk_blobs,
                        sha256=hashlib.sha256(item.data).hexdigest(),
                        commitments=tuple("0x" + c.hex() for c in done.commitments[offset]),
                    )
                del pending[slot]
        if pending:
            raise UploadFailed(
                f"{sum(len(v) for v in pending.values())} chunks found no Provider: "
                + "; ".join(f"{who}: {why}" if who else why for who, why in errors[-6:]),
                failures={who: why for who, why in errors if who},
            )
        return [[p for p in row if p is not None] for row in placements]

    def _assign(self, slots: list[int], stripe_count: int) -> None:
        """Give every slot without a Provider one from the matcher (none used before)."""
        missing = [s for s in slots if s not in self.slots]
        if not missing:
            return
        exclude = sorted(self.used | self.ctx.banned)
        chosen = self.ctx.matcher.match(
            len(missing),
            stripe_count * self.layout.chunk_bytes,
            exclude=exclude,
            max_price=self.ctx.policy.max_price,
        )
        for slot, provider in zip(missing, chosen, strict=True):
            self.ctx.providers.learn(provider.address, provider.endpoint)
            self.slots[slot] = provider
            self.used.add(provider.address)

    def _place_slot(self, provider: MatchedProvider, items: list[_Item]) -> _Placed:
        """Grow (or open) the order with ``provider`` and PUT ``items`` there."""
        blobs = len(items) * self.layout.chunk_blobs
        client = self.ctx.providers.client(provider.address)
        order = self._order_for(provider)
        if order is not None:
            try:
                propose_terms(client, order, order.blob_count + blobs)
            except RemoteError as exc:
                order.retired = True
                if exc.status not in (400, 409):
                    raise
                order = None  # it cannot grow (a new price, or a half-finished earlier upload)
        if order is None:
            order = self._fresh_order(provider, blobs)
        first = order.blob_count
        oid = "0x" + order.order_id.hex()
        # From here on a failure leaves blobs reserved but unfilled: the order may not grow again.
        try:
            def put(offset: int) -> list[bytes]:
                if self._abort.is_set():
                    raise UploadAborted("the upload was interrupted")
                item = items[offset]
                position = first + offset * self.layout.chunk_blobs
                answer = client.request(
                    "PUT",
                    f"/orders/{oid}/blobs/{position}",
                    content=item.data,
                    params={"tag": "0x" + item.tag.hex()},
                    limit=MAX_MESSAGE_BYTES,
                ).json()
                commitments = [_hex(c, 48) for c in answer["commitments"]]
                if len(commitments) != self.layout.chunk_blobs:
                    raise CommitmentMismatch(f"{len(commitments)} commitments for a chunk of {self.layout.chunk_blobs} blobs")
                self._stored_chunk(item)
                return commitments

            with ThreadPoolExecutor(min(PUTS_IN_FLIGHT, len(items))) as puts:
                commitments = list(puts.map(put, range(len(items))))
        except Exception:
            order.retired = True
            raise
        return _Placed(provider, order, first, items, commitments)

    def _stored_chunk(self, item: _Item) -> None:
        if self.on_chunk is None:
            return
        with self._stored_lock:
            first = (item.serial, item.chunk) not in self._stored
            self._stored.add((item.serial, item.chunk))
        if first:
            self.on_chunk(len(item.data))

    def _order_for(self, provider: MatchedProvider) -> OrderState | None:
        """The open order to grow with ``provider`` (loaded if recovered), or None for a new one."""
        order = self.ctx.orders.pick(
            provider.address, self.layout.chunk_blobs, self.current_epoch, self.ctx.policy.min_remaining
        )
        if order is not None and order.price < provider.price:
            order.retired = True  # the Provider asks more now: its agreement cannot grow at the old price
            order = None
        if order is not None and (order.commitments is None or order.chunk_blobs == 0):
            try:
                self._load(order)
            except _OtherSize:  # fine for another bucket's chunks; this one needs its own order
                order = None
            except Exception as exc:
                log.warning("order 0x%s cannot be resumed: %s", order.order_id.hex(), exc)
                order.retired = True
                order = None
        return order

    def _fresh_order(self, provider: MatchedProvider, blobs: int) -> OrderState:
        """A new order with ``provider``, agreed for ``blobs`` blobs, under which it holds nothing.

        The next nonce may be taken: an upload of an earlier run that never reached the chain
        left an agreement there (this client knows orders from the chain only). Such nonces
        are skipped, :data:`NONCES_TO_SKIP` at most."""
        client = self.ctx.providers.client(provider.address)
        for attempt in range(NONCES_TO_SKIP + 1):
            order = self._new_order(provider)
            try:
                held = propose_terms(client, order, blobs)
            except RemoteError as exc:
                order.retired = True
                if exc.status != 409 or attempt == NONCES_TO_SKIP:
                    raise
                continue
            if not held:
                return order
            order.retired = True
        raise UploadFailed(f"{provider.address} holds blobs under each of the next {NONCES_TO_SKIP + 1} nonces")

    def _new_order(self, provider: MatchedProvider) -> OrderState:
        start = self.current_epoch + self.ctx.policy.start_delay
        return self.ctx.orders.open(
            provider.address, provider.price, start, start + self.ctx.policy.order_epochs, self.layout.chunk_blobs
        )

    def _load(self, order: OrderState) -> None:
        """Resume a recovered order: its Provider's commitments under the on-chain root,
        checked against that root, and the chunks it releases, checked against its size."""
        load_order(self.ctx.providers.client(order.provider), order)
        if order.chunk_blobs != self.layout.chunk_blobs:
            raise _OtherSize(f"the order holds chunks of {order.chunk_blobs} blobs")

    def _check(self, placed: dict[int, _Placed]) -> list[int]:
        """Slots whose returned commitments do not match the chunks sent (batch check)."""
        if not placed:
            return []
        packed = {slot: [native.pack_blobs(item.data) for item in p.items] for slot, p in placed.items()}

        def blobs_of(slot: int) -> list[bytes]:
            return [b[i : i + BYTES_PER_BLOB] for b in packed[slot] for i in range(0, len(b), BYTES_PER_BLOB)]

        def commitments_of(slot: int) -> list[bytes]:
            return [c for chunk in placed[slot].commitments for c in chunk]

        def sound(slots: list[int]) -> bool:
            try:
                return kzg.batch_check(
                    [b for s in slots for b in blobs_of(s)], [c for s in slots for c in commitments_of(s)]
                )
            except MemoError:  # a commitment that is not even a curve point
                return False

        slots = sorted(placed)
        if sound(slots):
            return []
        return [slot for slot in slots if not sound([slot])]

    def _accept(self, done: _Placed) -> None:
        order = done.order
        assert order.commitments is not None
        order.commitments.extend(c for chunk in done.commitments for c in chunk)
        order.blob_count = done.first_blob + len(done.items) * self.layout.chunk_blobs
        self.touched[order.order_id] = order

    # -- settling -------------------------------------------------------------

    def commit(self) -> list[SignedUpdate]:
        """Co-sign the grown orders with their Providers and submit the updates on chain."""
        if not self.touched:
            return []
        chain = self.ctx.chain
        self.ctx.orders.sync(chain.orders_of_user(self.ctx.address))
        pending = list(self.touched.values())
        signed: list[SignedUpdate] = []
        for attempt in range(2):
            self._retime(pending)
            batch = list(self.ctx.pool.map(lambda order: cosign_update(self.ctx, order), pending))
            try:
                for k in range(0, len(batch), MAX_BATCH):
                    chain.submit_orders(batch[k : k + MAX_BATCH])
                    for item in batch[k : k + MAX_BATCH]:
                        settled(self.touched[item[0].order_id], item[0])
                        signed.append(item)
                break
            except ChainRevert as exc:
                # An epoch began between our reading of it and the mined block: re-time once more.
                if exc.reason != "market: start too soon" or attempt:
                    raise
                done = {update.order_id for update, _, _ in signed}
                pending = [order for order in pending if order.order_id not in done]
        self.touched.clear()
        return signed

    def _retime(self, orders: list[OrderState]) -> None:
        """Move the start of every order not on chain yet that would start within
        :data:`START_MARGIN` epochs to ``start_delay`` epochs from now (at least the margin),
        with its Provider's agreement (``POST /agreements`` with the later start, same term).

        An upload may take longer than the epochs between its orders' opening and their start;
        re-timed, it still settles, and the next put is not left with orders that cannot."""
        current = self.ctx.chain.current_epoch()
        late = [o for o in orders if o.chain_seq is None and o.start_epoch < current + START_MARGIN]
        if not late:
            return
        start = current + max(self.ctx.policy.start_delay, START_MARGIN)

        def retime(order: OrderState) -> None:
            term = order.end_epoch - order.start_epoch
            order.start_epoch, order.end_epoch = start, start + term
            try:
                propose_terms(self.ctx.providers.client(order.provider), order, order.blob_count)
            except Exception as exc:
                order.retired = True
                raise UploadFailed(f"{order.provider} did not move order 0x{order.order_id.hex()} to start at epoch {start}: {exc}",
                                   failures={order.provider: f"did not re-time its order: {exc}"}) from exc

        list(self.ctx.pool.map(retime, late))


def propose_terms(client: SignedClient, order: OrderState, blob_count: int) -> int:
    """``POST /agreements``: have the Provider agree to ``order``'s terms grown to
    ``blob_count`` (a RemoteError when it refuses: another price, a smaller order, no room);
    the blobs it holds under the order already."""
    answer = client.request("POST", "/agreements", content=_json(order.terms(blob_count)), limit=MAX_MESSAGE_BYTES).json()
    held = answer.get("stored_blobs", 0) if isinstance(answer, dict) else 0
    return held if isinstance(held, int) and not isinstance(held, bool) and held >= 0 else 0


def cosign_update(ctx: UploadContext, order: OrderState) -> SignedUpdate:
    """Sign the order's next update and have its Provider co-sign it (UploadFailed if it does not)."""
    chain = ctx.chain
    update = order.update(deadline_after(chain.current_epoch()))
    user_sig = sign_order_update(update, ctx.private_key, chain.chain_id, chain.market)
    body = {
        "update": {k: ("0x" + v.hex() if isinstance(v, bytes) else v) for k, v in update.as_message().items()},
        "user_signature": "0x" + user_sig.hex(),
        "released": sorted(order.released),
    }
    try:
        answer = ctx.providers.client(order.provider).request(
            "POST", f"/orders/0x{order.order_id.hex()}/cosign", content=_json(body), limit=MAX_MESSAGE_BYTES
        ).json()
        provider_sig = _hex(answer["provider_signature"], 65)
    except Exception as exc:
        raise UploadFailed(f"{order.provider} did not co-sign order 0x{order.order_id.hex()}: {exc}",
                           failures={order.provider: f"did not co-sign: {exc}"}) from exc
    if recover_signer(update, provider_sig, chain.chain_id, chain.market) != order.provider:
        raise UploadFailed(f"{order.provider} co-signed order 0x{order.order_id.hex()} with another key",
                           failures={order.provider: "co-signed with another key"})
    return update, user_sig, provider_sig


def settled(order: OrderState, update: OrderUpdate) -> None:
    """Record on ``order`` that ``update`` is on chain."""
    order.chain_seq = update.seq
    order.chain_blob_count = update.blob_count
    order.chain_root = update.root
    order.chain_size = update.size


def load_order(client: SignedClient, order: OrderState) -> None:
    """Fill in an order known from the chain only (after a recovery): its commitments under
    the on-chain root (the Provider lists the chunks that root releases, and the zero
    commitment for their blobs), its chunk size and its released chunks.

    The commitments must hash to the root, and the released chunks must account for the
    on-chain size exactly (CommitmentMismatch otherwise): a Provider cannot make the User
    sign away, or keep paying for, blobs the chain does not say."""
    oid = "0x" + order.order_id.hex()
    answer = client.get_json(
        f"/orders/{oid}/commitments",
        {"root": "0x" + order.chain_root.hex()},
        limit=commitments_answer_bytes(order.chain_blob_count),
    )
    if answer["blob_count"] != order.chain_blob_count:
        raise CommitmentMismatch(f"the Provider has {answer['blob_count']} blobs, the chain {order.chain_blob_count}")
    listed = answer["commitments"][: order.chain_blob_count]
    if any(c is None for c in listed) or len(listed) != order.chain_blob_count:
        raise CommitmentMismatch(f"the Provider holds {answer['stored']} of the order's {order.chain_blob_count} blobs")
    commitments = [_hex(c, 48) for c in listed]
    if CommitmentTree(commitments).root != order.chain_root:
        raise CommitmentMismatch("the Provider's commitments do not hash to the order's on-chain root")
    chunk_blobs = answer.get("chunk_blobs")
    if not isinstance(chunk_blobs, int) or isinstance(chunk_blobs, bool) or chunk_blobs < 1:
        raise CommitmentMismatch(f"the Provider names no chunk size for the order (chunk_blobs {chunk_blobs!r})")
    released = {int(f) for f in answer.get("released", [])}
    if any(f % chunk_blobs or f + chunk_blobs > order.chain_blob_count for f in released):
        raise CommitmentMismatch(f"the Provider lists released chunks that are not chunks of {chunk_blobs} blobs")
    if any(c != ZERO_COMMITMENT for f in released for c in commitments[f : f + chunk_blobs]):
        raise CommitmentMismatch("the Provider lists as released a chunk the on-chain root still commits to")
    order.chunk_blobs = chunk_blobs
    order.commitments = commitments
    order.blob_count = order.chain_blob_count
    order.released = released
    if order.chain_size is not None and order.live_blobs * PAYLOAD_BYTES_PER_BLOB != order.chain_size:
        raise CommitmentMismatch(
            f"{len(released)} released chunks do not account for the order's on-chain size {order.chain_size}"
        )


def _json(value: object) -> bytes:
    import json

    return json.dumps(value).encode()


def _hex(text: object, size: int) -> bytes:
    if not isinstance(text, str) or not text.startswith("0x"):
        raise CommitmentMismatch(f"expected 0x-hex, got {text!r}")
    raw = bytes.fromhex(text[2:])
    if len(raw) != size:
        raise CommitmentMismatch(f"expected {size} bytes, got {len(raw)}")
    return raw

