"""The Keeper daemon's HTTP service (starlette) and the state behind it.

Endpoints (all signed with :mod:`memo_py.protocol.auth`, audience = the Keeper's
address, except ``GET /health`` and ``GET /status``):

- ``GET /health`` → {"address", "slot", "epoch", "last_epoch", "version"}
- ``POST /proofs`` (a Provider, for itself) body = the proof of ``GET /proofs/{epoch}``
  → {"accepted": true}. Refused: a sender that is not a registered Provider or not
  the proof's Provider (403), an epoch without a seed (404) or already judged (409).
- ``GET /match?count=&chunk_bytes=&max_price=`` (a registered User) → {"providers":
  [{"address", "endpoint", "price", "free"}, ...]} from
  :func:`~memo_py.keeper.matcher.select_providers` over the active registered
  Providers, live = answered ``/health`` within ``liveness`` seconds. Too few: 409.
- ``POST /attestations/{epoch}/sign`` (an active Keeper) body {"root", "results"} →
  {"epoch", "root", "slot", "signature"}; 409 if this Keeper's root differs, 404
  while it has not judged the epoch.
- ``GET /results/{epoch}`` → {"epoch", "root", "attested", "results": [[provider, cum_pay, cum_penalty]]}
- ``GET /results/{epoch}/{provider}`` → {"epoch", "provider", "cum_pay", "cum_penalty",
  "root", "attested", "proof": ["0x…32B", …]}: the arguments of ``Market.withdraw_pay``.
- ``GET /status`` → the Keeper's view: epochs, verdicts of the last judged epoch.

Amounts are decimal strings (uint256). Errors are JSON {"error", "message"}: 400 bad
input, 401 bad auth, 403 wrong role, 404 unknown, 409 conflict, 413 body too long (bounded
before it is read: :mod:`memo_py.protocol.limits`).

State lives in ``config.data_dir``: ``ledger.db`` (verdicts, totals, proofs received)
and ``nonces.db``. A new service on the same directory resumes where the last stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
from eth_utils import is_address, to_checksum_address
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from memo_py.errors import (
    AnswerTooLarge,
    MalformedAnswer,
    MemoError,
    NotPermitted,
    RequestRejected,
    RequestTooLarge,
    ResultsMismatch,
    UnknownEpoch,
)
from memo_py.keeper.attest import Attestor
from memo_py.keeper.chain import KeeperChain, RegisteredProvider
from memo_py.keeper.config import KeeperConfig
from memo_py.keeper.ledger import Ledger, PayPolicy
from memo_py.keeper.loop import EpochLoop, TickReport
from memo_py.keeper.matcher import NotEnoughProviders, ProviderInfo, select_providers
from memo_py.keeper.rafi import RiskTracker
from memo_py.keeper.verify import ProofMessage, Verifier
from memo_py.protocol.auth import RequestVerifier, SqliteNonceStore
from memo_py.protocol.http import (
    RemoteError,
    authenticate,
    get_public_json,
    handler_for,
    json_body,
    parse_answer,
    read_body,
)
from memo_py.protocol.messages import KeeperHealth, ProviderHealth
from memo_py.protocol.limits import MAX_MESSAGE_BYTES, MAX_RESULTS_BYTES, NO_BODY

__all__ = ["API_VERSION", "KeeperService", "create_app", "status_of"]

API_VERSION = 1

log = logging.getLogger(__name__)


def status_of(exc: BaseException) -> int:
    """The HTTP status of an error raised while serving a request."""
    if isinstance(exc, RequestRejected):
        return 401
    if isinstance(exc, NotPermitted):
        return 403
    if isinstance(exc, UnknownEpoch):
        return 404
    if isinstance(exc, (ResultsMismatch, NotEnoughProviders)):
        return 409
    if isinstance(exc, RequestTooLarge):
        return 413
    if isinstance(exc, (MemoError, ValueError)):
        return 400
    return 500


_handler = handler_for(status_of)
_json = json_body




def _uint(name: str, text: str | None, *, default: int | None = None) -> int:
    if text is None or text == "":
        if default is None:
            raise ValueError(f"{name} is required")
        return default
    if not text.isdigit() or len(text) > 78:
        raise ValueError(f"{name} must be a non-negative integer, got {text!r}")
    return int(text)




class KeeperService:
    """The Keeper's state and operations behind the HTTP handlers and the epoch loop."""

    def __init__(self, config: KeeperConfig, chain: KeeperChain) -> None:
        self.config = config
        self.chain = chain
        self.address = config.address
        config.data_dir.mkdir(parents=True, exist_ok=True)
        key = config.private_key.get_secret_value()
        self.ledger = Ledger(config.data_dir / "ledger.db", PayPolicy(config.penalty_bps))
        self.nonces = SqliteNonceStore(config.data_dir / "nonces.db")
        self.verifier_http = RequestVerifier(self.address, self.nonces)
        self.verifier = Verifier(key, chain, config.sample_size, timeout=config.request_timeout)
        peers = {p.address: p.url for p in config.peers}
        self.attestor = Attestor(
            self.address, key, config.bls_secret, chain, self.ledger, peers, timeout=config.request_timeout
        )
        self.risk = RiskTracker()
        self.loop = EpochLoop(
            chain,
            self.ledger,
            self.verifier,
            self.attestor,
            self.risk,
            proof_grace=config.proof_grace,
            quiet_seconds=config.quiet_seconds,
            aggregator_timeout=config.aggregator_timeout,
            first_epoch=config.first_epoch,
        )
        self._tick_lock = threading.Lock()
        self._seen: dict[str, tuple[float, ProviderHealth]] = {}

    def close(self) -> None:
        self.ledger.close()
        self.nonces.close()

    def tick(self, now: float | None = None) -> TickReport:
        """One step of the epoch cycle (serialised: the daemon and tests may both call it)."""
        with self._tick_lock:
            return self.loop.tick(time.time() if now is None else now)

    # -- helpers ----------------------------------------------------------------

    def _provider(self, address: str) -> RegisteredProvider | None:
        address = to_checksum_address(address)
        return next((p for p in self.chain.providers() if to_checksum_address(p.address) == address), None)

    def _probe(self, provider: RegisteredProvider) -> None:
        """Record the Provider's ``/health`` answer when it is well-formed and its own.

        A Provider that is down, answers an error, something malformed, too long or
        another Provider's health is forgotten at once, however recently it answered: a
        User matched with it would only fail on it (and a dead Provider kept for the
        ``liveness`` window blocked every write that needs all Providers). Only that
        Provider is skipped: ``/match`` serves every User from the others.
        """
        timeout = min(self.config.request_timeout, 3.0)
        try:
            data = get_public_json(provider.endpoint, "/health", timeout=timeout, limit=MAX_MESSAGE_BYTES)
            health = parse_answer(ProviderHealth, data, f"the /health of Provider {provider.address}")
        except (httpx.HTTPError, httpx.InvalidURL, RemoteError) as exc:
            log.debug("provider %s did not answer /health: %s", provider.address, exc)
            self._seen.pop(provider.address, None)
            return
        except (AnswerTooLarge, MalformedAnswer) as exc:
            log.info("provider %s is skipped: %s", provider.address, exc)
            self._seen.pop(provider.address, None)
            return
        if health.address != to_checksum_address(provider.address):
            log.info("provider %s answers /health as %s: skipped", provider.address, health.address)
            self._seen.pop(provider.address, None)
            return
        self._seen[provider.address] = (time.time(), health)

    async def live_providers(self) -> list[ProviderInfo]:
        """Active registered Providers with their last well-formed /health answer (probed now)."""
        registered = [p for p in await run_in_threadpool(self.chain.providers) if p.active]
        await asyncio.gather(*(run_in_threadpool(self._probe, p) for p in registered))
        out = []
        for p in registered:
            seen, health = self._seen.get(p.address, (0.0, None))
            out.append(
                ProviderInfo(
                    address=p.address,
                    endpoint=p.endpoint,
                    price=p.price if health is None else max(p.price, health.price),
                    capacity=p.capacity if health is None else health.capacity,
                    used=0 if health is None else health.used,
                    last_seen=seen,
                )
            )
        return out

    # -- endpoints ----------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        await read_body(request, NO_BODY)  # public, but bounded like every endpoint
        epoch = await run_in_threadpool(self.chain.current_epoch)
        me = await run_in_threadpool(self.attestor.my_slot)
        health = KeeperHealth(
            address=self.address,
            slot=None if me is None else me.slot,
            epoch=epoch,
            last_epoch=await run_in_threadpool(self.ledger.last_epoch),
            version=API_VERSION,
        )
        return JSONResponse(health.model_dump())

    async def post_proof(self, request: Request) -> Response:
        signer, body = await authenticate(request, self.verifier_http, limit=MAX_MESSAGE_BYTES)
        proof = ProofMessage.from_json(_json(body))
        if to_checksum_address(proof.provider) != signer:
            raise NotPermitted(f"{signer} may not post the proof of {proof.provider}")
        if await run_in_threadpool(self._provider, signer) is None:
            raise NotPermitted(f"{signer} is not a registered Provider")
        if await run_in_threadpool(self.chain.seed_of, proof.epoch) is None:
            raise UnknownEpoch(f"epoch {proof.epoch} has no seed")
        if await run_in_threadpool(self.ledger.is_recorded, proof.epoch):
            raise ResultsMismatch(f"epoch {proof.epoch} is already judged")
        await run_in_threadpool(self.ledger.record_proof, proof)
        return JSONResponse({"accepted": True})

    async def match(self, request: Request) -> Response:
        signer, _ = await authenticate(request, self.verifier_http, limit=NO_BODY)
        params = request.query_params
        count = _uint("count", params.get("count"))
        chunk_bytes = _uint("chunk_bytes", params.get("chunk_bytes"))
        max_price = params.get("max_price")
        if count < 1 or count > 256:
            raise ValueError(f"count must be in 1..256, got {count}")
        if not await run_in_threadpool(self.chain.is_user, signer):
            raise NotPermitted(f"{signer} is not a registered User")
        pool = await self.live_providers()
        chosen = select_providers(
            pool,
            count,
            chunk_bytes,
            time.time(),
            max_price=None if max_price is None else _uint("max_price", max_price),
            liveness=self.config.liveness,
        )
        return JSONResponse(
            {"providers": [{"address": p.address, "endpoint": p.endpoint, "price": p.price, "free": p.free} for p in chosen]}
        )

    async def sign(self, request: Request) -> Response:
        signer, body = await authenticate(request, self.verifier_http, limit=MAX_RESULTS_BYTES)
        epoch = _uint("epoch", request.path_params["epoch"])
        answer = await run_in_threadpool(self.attestor.answer_sign_request, signer, epoch, _json(body))
        return JSONResponse(answer)

    async def results(self, request: Request) -> Response:
        await authenticate(request, self.verifier_http, limit=NO_BODY)
        epoch = _uint("epoch", request.path_params["epoch"])
        results = await run_in_threadpool(self.ledger.results, epoch)
        attested = await run_in_threadpool(self.ledger.attested_root, epoch)
        return JSONResponse({**results.to_json(), "attested": attested == results.root})

    async def provider_results(self, request: Request) -> Response:
        await authenticate(request, self.verifier_http, limit=NO_BODY)
        epoch = _uint("epoch", request.path_params["epoch"])
        text = request.path_params["provider"]
        if not is_address(text):
            raise ValueError(f"not an address: {text!r}")
        results = await run_in_threadpool(self.ledger.results, epoch)
        entry = results.entry(text)
        if entry is None:
            raise UnknownEpoch(f"provider {text} has no results in epoch {epoch}")
        tree = results.tree
        attested = await run_in_threadpool(self.ledger.attested_root, epoch)
        return JSONResponse(
            {
                "epoch": epoch,
                "provider": entry[0],
                "cum_pay": str(entry[1]),
                "cum_penalty": str(entry[2]),
                "root": "0x" + tree.root.hex(),
                "attested": attested == tree.root,
                "proof": ["0x" + s.hex() for s in tree.proof(entry[0])],
            }
        )

    async def status(self, request: Request) -> Response:
        await read_body(request, NO_BODY)
        def view() -> dict[str, Any]:
            last = self.ledger.last_epoch()
            me = self.attestor.my_slot()
            return {
                "address": self.address,
                "slot": None if me is None else me.slot,
                "epoch": self.chain.current_epoch(),
                "last_epoch": last,
                "latest_attested": self.chain.latest_attested(),
                "root": None if last is None else "0x" + self.ledger.results(last).root.hex(),
                "verdicts": [] if last is None else self.ledger.verdicts(last),
                "repairs": len(self.risk.repair_queue(time.time())),
            }

        return JSONResponse(await run_in_threadpool(view))




def create_app(config: KeeperConfig, chain: KeeperChain) -> Starlette:
    """The Keeper's ASGI app. ``app.state.service`` is its :class:`KeeperService`.

    The app serves requests only; the daemon drives ``service.tick()`` (the epoch
    cycle) on its own schedule.
    """
    service = KeeperService(config, chain)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await run_in_threadpool(service.close)

    routes = [
        Route("/health", _handler(service.health), methods=["GET"]),
        Route("/status", _handler(service.status), methods=["GET"]),
        Route("/proofs", _handler(service.post_proof), methods=["POST"]),
        Route("/match", _handler(service.match), methods=["GET"]),
        Route("/attestations/{epoch}/sign", _handler(service.sign), methods=["POST"]),
        Route("/results/{epoch}", _handler(service.results), methods=["GET"]),
        Route("/results/{epoch}/{provider}", _handler(service.provider_results), methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.service = service
    return app
