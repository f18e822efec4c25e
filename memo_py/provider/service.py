"""The Provider daemon's HTTP service (starlette): API v1 of the network plan.

Handlers are thin: authenticate the request, check the signer's role, and hand
over to :mod:`~memo_py.provider.agreements`, :mod:`~memo_py.provider.ingest`,
:mod:`~memo_py.provider.cosign` or :mod:`~memo_py.provider.prover`. Every error
is a JSON ``{"error", "message"}`` with the status :func:`status_of` gives it.

State lives in ``config.data_dir``: ``store.db`` + ``chunks/`` (the chunk store),
``agreements.db`` and ``nonces.db`` (accepted request nonces, so a replay is
refused across restarts too). A new app on the same directory serves everything
an earlier one acknowledged.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from memo_py.errors import (
    AgreementConflict,
    CapacityExceeded,
    MemoError,
    NotPermitted,
    RequestRejected,
    RequestTooLarge,
    UnknownEpoch,
    UnknownOrder,
)
from memo_py.protocol.auth import RequestVerifier, SqliteNonceStore
from memo_py.protocol.http import authenticate, handler_for, json_body, read_body
from memo_py.protocol.limits import MAX_MESSAGE_BYTES, MAX_RUN_BYTES, NO_BODY
from memo_py.protocol.messages import ProviderHealth
from memo_py.provider.agreements import Agreement, AgreementBook, Terms, order_id
from memo_py.provider.chain import ProviderChain
from memo_py.provider.config import KeeperEndpoint, ProviderConfig
from memo_py.provider.cosign import Cosigner
from memo_py.provider.ingest import Committer, Ingest
from memo_py.provider.prover import Prover, push_proof
from memo_py.provider.store import MAX_TAG_BYTES, ChunkConflict, ChunkMissing, ChunkStore, StoreFull
from memo_py.provider.versions import OrderVersions, stored_commitments

__all__ = ["API_VERSION", "ProviderService", "create_app", "status_of"]

API_VERSION = 1

log = logging.getLogger(__name__)


def status_of(exc: BaseException) -> int:
    """The HTTP status of an error raised while serving a request."""
    if isinstance(exc, RequestRejected):
        return 401
    if isinstance(exc, NotPermitted):
        return 403
    if isinstance(exc, (UnknownOrder, UnknownEpoch, ChunkMissing)):
        return 404
    if isinstance(exc, (AgreementConflict, ChunkConflict)):
        return 409
    if isinstance(exc, RequestTooLarge):
        return 413
    if isinstance(exc, (CapacityExceeded, StoreFull)):
        return 507
    if isinstance(exc, (MemoError, ValueError)):
        return 400
    return 500


_handler = handler_for(status_of)
_json = json_body


def _bytes32(name: str, text: str) -> bytes:
    if not text.startswith(("0x", "0X")) or len(text) != 66:
        raise ValueError(f"{name} must be 0x and 32 bytes of hex, got {text!r}")
    try:
        return bytes.fromhex(text[2:])
    except ValueError:
        raise ValueError(f"{name} is not hex: {text!r}") from None


def _order_id(text: str) -> bytes:
    return _bytes32("order id", text)


def _index(name: str, text: str) -> int:
    if not text.isdigit() or len(text) > 20:
        raise ValueError(f"{name} must be a non-negative integer, got {text!r}")
    return int(text)


def _root(text: str | None) -> bytes | None:
    """The optional ``?root=0x…`` of a commitments request."""
    return None if text is None or text == "" else _bytes32("root", text)


def _blob_count(text: str | None, blob_count: int) -> int:
    """The optional ``?blob_count=n`` of a commitments request: 1..the order's blob count."""
    if text is None or text == "":
        return blob_count
    count = _index("blob_count", text)
    if not 0 < count <= blob_count:
        raise ValueError(f"blob_count must be between 1 and the order's {blob_count} blobs, got {count}")
    return count


def _tag(text: str | None) -> bytes:
    """The optional ``?tag=0x…`` of a chunk PUT (signed with the request, as the whole query)."""
    if text is None or text == "":
        return b""
    if not text.startswith(("0x", "0X")):
        raise ValueError(f"tag must be 0x-prefixed hex, got {text!r}")
    try:
        tag = bytes.fromhex(text[2:])
    except ValueError:
        raise ValueError(f"tag is not hex: {text!r}") from None
    if len(tag) > MAX_TAG_BYTES:
        raise ValueError(f"a chunk tag is at most {MAX_TAG_BYTES} bytes, got {len(tag)}")
    return tag


class ProviderService:
    """The Provider's state and operations behind the HTTP handlers."""

    def __init__(
        self,
        config: ProviderConfig,
        chain: ProviderChain,
        store: ChunkStore | None = None,
        *,
        committer: Committer | None = None,
    ) -> None:
        self.config = config
        self.chain = chain
        self.address = config.address
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self._owns_store = store is None
        self.store = store if store is not None else ChunkStore(config.data_dir, config.capacity)
        self.agreements = AgreementBook(config.data_dir / "agreements.db", self.address, config.capacity)
        self.nonces = SqliteNonceStore(config.data_dir / "nonces.db")
        self.verifier = RequestVerifier(self.address, self.nonces)
        self._owns_committer = committer is None
        self.committer = committer if committer is not None else Committer(config.workers)
        self.ingest = Ingest(self.store, self.committer, self.agreements)
        self.versions = OrderVersions(self.store, self.agreements)
        key = config.private_key.get_secret_value()
        self.cosigner = Cosigner(key, self.address, self.store, self.agreements, chain.chain_id, chain.market)
        self.prover = Prover(self.address, self.versions, chain, self.committer, config.sample_size)

    def start(self) -> None:
        if self._owns_committer:
            self.committer.start()

    def close(self) -> None:
        if self._owns_committer:
            self.committer.close()
        if self._owns_store:
            self.store.close()
        self.agreements.close()
        self.nonces.close()

    async def push_epoch(self, epoch: int, keepers: Sequence[KeeperEndpoint] | None = None) -> dict[str, str]:
        """Build the epoch's proof and POST it to ``keepers`` (default: every configured
        Keeper); the outcome per Keeper URL, as :func:`~memo_py.provider.prover.push_proof`."""
        proof = await self.prover.proof_for(epoch)
        key = self.config.private_key.get_secret_value()
        targets = self.config.keepers if keepers is None else tuple(keepers)
        return await run_in_threadpool(push_proof, proof, targets, key)

    # -- role checks (chain calls may block: run them in threads) -------------

    async def require_user(self, signer: str) -> None:
        if not await run_in_threadpool(self.chain.is_user, signer):
            raise NotPermitted(f"{signer} is not a registered User")

    async def require_keeper(self, signer: str) -> None:
        if not await run_in_threadpool(self.chain.is_keeper, signer):
            raise NotPermitted(f"{signer} is not a registered Keeper")

    async def require_reader(self, signer: str, agreement: Agreement) -> None:
        """The order's User or any registered Keeper."""
        if signer != agreement.user:
            if not await run_in_threadpool(self.chain.is_keeper, signer):
                raise NotPermitted(f"{signer} is neither the order's User nor a registered Keeper")

    async def agreement(self, text: str) -> Agreement:
        return await run_in_threadpool(self.agreements.get, _order_id(text))

    # -- endpoints ------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        await read_body(request, NO_BODY)  # public, but bounded like every endpoint
        used = await run_in_threadpool(self.agreements.reserved_bytes)
        stored = await run_in_threadpool(self.store.used_bytes)
        epoch = await run_in_threadpool(self.chain.current_epoch)
        health = ProviderHealth(
            address=self.address,
            price=self.config.price,
            capacity=self.config.capacity,
            used=used,
            free=max(0, self.config.capacity - used),
            stored=stored,
            epoch=epoch,
            version=API_VERSION,
        )
        return JSONResponse(health.model_dump())

    async def create_agreement(self, request: Request) -> Response:
        signer, body = await authenticate(request, self.verifier, limit=MAX_MESSAGE_BYTES)
        terms = Terms.from_json(_json(body))
        if terms.price < self.config.price:
            raise ValueError(f"price {terms.price} is below this Provider's price {self.config.price}")
        if terms.chunk_blobs > self.config.max_chunk_blobs:
            raise ValueError(f"chunk_blobs {terms.chunk_blobs} is above this Provider's limit {self.config.max_chunk_blobs}")
        await self.require_user(signer)
        oid = order_id(signer, self.address, terms.nonce)
        existing = await run_in_threadpool(self.agreements.find, oid)
        # A later start (re-timing) is for orders the chain does not hold yet: ask it only then.
        unsettled = (
            existing is not None
            and existing.retimable(terms)
            and await run_in_threadpool(self.chain.order_of, oid) is None
        )
        agreement, _ = await run_in_threadpool(lambda: self.agreements.propose(signer, terms, unsettled=unsettled))
        # The blobs held under it already: a User that believes the order new learns that an
        # earlier run of its own filled it (and moves to another nonce) before it PUTs anything.
        stored = await run_in_threadpool(lambda: sum(r.blob_count for r in self.store.records(agreement.order_id)))
        return JSONResponse({"order_id": "0x" + agreement.order_id.hex(), "stored_blobs": stored})

    async def put_chunk(self, request: Request) -> Response:
        signer, body = await authenticate(request, self.verifier, limit=self.config.max_chunk_bytes)
        tag = _tag(request.query_params.get("tag"))
        agreement = await self.agreement(request.path_params["order_id"])
        first_blob = _index("first blob", request.path_params["first_blob"])
        commitments = await self.ingest.put(agreement, signer, first_blob, body, tag)
        return JSONResponse({"commitments": ["0x" + c.hex() for c in commitments]})

    async def list_chunks(self, request: Request) -> Response:
        signer, _ = await authenticate(request, self.verifier, limit=NO_BODY)
        agreement = await self.agreement(request.path_params["order_id"])
        await self.require_reader(signer, agreement)
        records = await run_in_threadpool(lambda: list(self.store.records(agreement.order_id)))
        return JSONResponse(
            {
                "blob_count": agreement.blob_count,
                "chunks": [
                    {"first_blob": r.first_blob, "blob_count": r.blob_count, "tag": "0x" + r.tag.hex()}
                    for r in records
                ],
            }
        )

    async def get_chunk(self, request: Request) -> Response:
        signer, _ = await authenticate(request, self.verifier, limit=NO_BODY)
        agreement = await self.agreement(request.path_params["order_id"])
        first_blob = _index("first blob", request.path_params["first_blob"])
        await self.require_reader(signer, agreement)
        Ingest.check_position(agreement, first_blob)
        data = await run_in_threadpool(self.store.get, agreement.order_id, first_blob)
        return Response(data, media_type="application/octet-stream")

    async def get_run(self, request: Request) -> Response:
        """``GET /orders/{id}/blobs?from=F&chunks=N``: N consecutive chunks in one answer.

        A User reading an object back takes the chunks one Provider holds for many
        segments at once: one signed request and one answer instead of one per chunk.
        """
        signer, _ = await authenticate(request, self.verifier, limit=NO_BODY)
        agreement = await self.agreement(request.path_params["order_id"])
        first_blob = _index("from", request.query_params.get("from", ""))
        count = _index("chunks", request.query_params.get("chunks", ""))
        most = max(1, MAX_RUN_BYTES // agreement.chunk_bytes)
        if not 1 <= count <= most:
            raise ValueError(f"chunks must be 1..{most} for this order ({MAX_RUN_BYTES} bytes at most), got {count}")
        await self.require_reader(signer, agreement)
        Ingest.check_position(agreement, first_blob)
        Ingest.check_position(agreement, first_blob + (count - 1) * agreement.chunk_blobs)
        data = await run_in_threadpool(
            self.store.read_run, agreement.order_id, first_blob, agreement.chunk_blobs, count
        )
        return Response(memoryview(data), media_type="application/octet-stream")

    async def commitments(self, request: Request) -> Response:
        """``GET /orders/{id}/commitments[?root=0x…][&blob_count=n]``: the order's commitments
        as ``root`` describes it (the zero commitment for the chunks it releases), or, without
        a root, as the chunks were stored; only the first ``blob_count`` when it is given.

        A Keeper judging an epoch asks for the order as it was frozen then, and an order
        that grew since has more blobs than its answer may hold; so it names the count."""
        signer, _ = await authenticate(request, self.verifier, limit=NO_BODY)
        agreement = await self.agreement(request.path_params["order_id"])
        await self.require_reader(signer, agreement)
        root = _root(request.query_params.get("root"))
        count = _blob_count(request.query_params.get("blob_count"), agreement.blob_count)
        if root is None:
            found = (await run_in_threadpool(stored_commitments, self.store, agreement))[:count]
            released: frozenset[int] = frozenset()
        else:
            found, released = await run_in_threadpool(self.versions.commitments, agreement, root, count)
        return JSONResponse(
            {
                "blob_count": count,
                "chunk_blobs": agreement.chunk_blobs,
                "stored": sum(c is not None for c in found),
                "released": sorted(released),
                "commitments": [None if c is None else "0x" + c.hex() for c in found],
            }
        )

    async def cosign(self, request: Request) -> Response:
        signer, body = await authenticate(request, self.verifier, limit=MAX_MESSAGE_BYTES)
        agreement = await self.agreement(request.path_params["order_id"])
        payload = _json(body)
        current = await run_in_threadpool(self.chain.current_epoch)
        signed = await run_in_threadpool(self.cosigner.cosign, agreement, signer, payload, current)
        update = signed.update
        fields = {k: ("0x" + v.hex() if isinstance(v, bytes) else v) for k, v in update.as_message().items()}
        # Durable before the signature leaves: a root this Provider signed is one it can serve.
        await run_in_threadpool(
            lambda: self.agreements.record_cosigned(
                agreement.order_id,
                update.seq,
                fields,
                signed.user_signature,
                signed.provider_signature,
                root=update.root,
                released=signed.released,
            )
        )
        return JSONResponse({"provider_signature": "0x" + signed.provider_signature.hex()})

    async def proof(self, request: Request) -> Response:
        signer, _ = await authenticate(request, self.verifier, limit=NO_BODY)
        epoch = _index("epoch", request.path_params["epoch"])
        await self.require_keeper(signer)
        proof = await self.prover.proof_for(epoch)
        return JSONResponse(proof.to_json())


def create_app(
    config: ProviderConfig,
    chain: ProviderChain,
    store: ChunkStore | None = None,
    *,
    committer: Committer | None = None,
) -> Starlette:
    """The Provider's ASGI app. ``app.state.service`` is its :class:`ProviderService`.

    A ``store`` or ``committer`` passed in stays the caller's to close; those the app
    makes itself (from ``config``) are opened at start-up and closed at shutdown.
    """
    service = ProviderService(config, chain, store, committer=committer)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # On the server's own thread, not a pool thread: the commit workers forked here
        # die with the thread that forked them (memo_py.children), and a pool thread may
        # exit while the server runs. Nothing is served before start-up ends.
        service.start()
        try:
            yield
        finally:
            await run_in_threadpool(service.close)

    routes = [
        Route("/health", _handler(service.health), methods=["GET"]),
        Route("/agreements", _handler(service.create_agreement), methods=["POST"]),
        Route("/orders/{order_id}/blobs/{first_blob}", _handler(service.put_chunk), methods=["PUT"]),
        Route("/orders/{order_id}/blobs/{first_blob}", _handler(service.get_chunk), methods=["GET"]),
        Route("/orders/{order_id}/blobs", _handler(service.get_run), methods=["GET"]),
        Route("/orders/{order_id}/commitments", _handler(service.commitments), methods=["GET"]),
        Route("/orders/{order_id}/chunks", _handler(service.list_chunks), methods=["GET"]),
        Route("/orders/{order_id}/cosign", _handler(service.cosign), methods=["POST"]),
        Route("/proofs/{epoch}", _handler(service.proof), methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.service = service
    return app
