"""The User's HTTP side: signed clients to Providers, and the Keepers' matcher.

Every request is signed with the User's key (:mod:`memo_py.protocol.auth`) for
its receiver. Provider endpoints come from the matcher's answer or from the
chain (the Registry's ``provider_info``); Keepers are configured by URL and
their address (the audience of a signed request) is read from ``GET /health``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from eth_utils import to_checksum_address

from memo_py.errors import MalformedAnswer, MemoError, UploadFailed
from memo_py.protocol.http import SignedClient, get_public_json, parse_answer
from memo_py.protocol.limits import MAX_MESSAGE_BYTES
from memo_py.protocol.messages import KeeperHealth, MatchAnswer
from memo_py.user.chain import UserChain

__all__ = ["MatchedProvider", "ProviderPool", "Matcher"]


@dataclass(frozen=True)
class MatchedProvider:
    """A Provider the matcher offered: its address, endpoint and price."""

    address: str
    endpoint: str
    price: int


class ProviderPool:
    """One signed client per Provider, created on first use (httpx clients are thread-safe)."""

    def __init__(self, private_key: bytes | str, chain: UserChain, *, timeout: float = 60.0) -> None:
        self._key = private_key
        self._chain = chain
        self._timeout = timeout
        self._endpoints: dict[str, str] = {}
        self._clients: dict[str, SignedClient] = {}
        self._lock = threading.Lock()

    def learn(self, provider: str, endpoint: str) -> None:
        """Remember an endpoint (from the matcher); a changed endpoint replaces the client."""
        provider = to_checksum_address(provider)
        with self._lock:
            if self._endpoints.get(provider) != endpoint:
                self._endpoints[provider] = endpoint
                old = self._clients.pop(provider, None)
                if old is not None:
                    old.close()

    def client(self, provider: str) -> SignedClient:
        """The signed client of ``provider``; raises LookupError when its endpoint is unknown."""
        provider = to_checksum_address(provider)
        with self._lock:
            client = self._clients.get(provider)
            if client is not None:
                return client
            endpoint = self._endpoints.get(provider)
        if endpoint is None:
            endpoint = self._chain.provider_endpoint(provider)
            if not endpoint:
                raise LookupError(f"no endpoint is known for Provider {provider}")
        with self._lock:
            self._endpoints.setdefault(provider, endpoint)
            client = self._clients.get(provider)
            if client is None:
                client = SignedClient(self._key, self._endpoints[provider], provider, timeout=self._timeout)
                self._clients[provider] = client
            return client

    def answers(self, provider: str, timeout: float = 5.0) -> bool:
        """Whether ``provider`` answers its ``GET /health`` within ``timeout`` seconds."""
        try:
            self.client(provider)  # learns the endpoint from the chain if need be
            with self._lock:
                endpoint = self._endpoints[to_checksum_address(provider)]
            get_public_json(endpoint, "/health", timeout=timeout, limit=MAX_MESSAGE_BYTES)
        except (httpx.HTTPError, httpx.InvalidURL, LookupError, MemoError):
            return False
        return True

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()


class Matcher:
    """Asks the configured Keepers, in turn, for Providers (``GET /match``)."""

    def __init__(self, private_key: bytes | str, keeper_urls: Sequence[str], *, timeout: float = 30.0) -> None:
        if not keeper_urls:
            raise ValueError("at least one Keeper URL is needed to match Providers")
        self._key = private_key
        self._urls = [u.rstrip("/") for u in keeper_urls]
        self._timeout = timeout
        self._clients: dict[str, SignedClient] = {}
        self._lock = threading.Lock()

    def _client(self, url: str) -> SignedClient:
        with self._lock:
            client = self._clients.get(url)
        if client is None:
            data = get_public_json(url, "/health", timeout=self._timeout, limit=MAX_MESSAGE_BYTES)
            address = parse_answer(KeeperHealth, data, f"the /health of Keeper {url}").address
            client = SignedClient(self._key, url, address, timeout=self._timeout)
            with self._lock:
                client = self._clients.setdefault(url, client)
        return client

    def match(
        self, count: int, chunk_bytes: int, *, exclude: Sequence[str] = (), max_price: int | None = None
    ) -> list[MatchedProvider]:
        """``count`` distinct Providers, none in ``exclude``, each with ``chunk_bytes`` free.

        The matcher has no exclusion list, so this asks for ``count + len(exclude)`` and
        drops the excluded ones. A Keeper that is down, refuses, or answers anything but
        distinct well-formed offers (:class:`~memo_py.protocol.messages.MatchAnswer`) is
        passed over for the next one. Raises UploadFailed when no Keeper can offer enough.
        """
        excluded = {to_checksum_address(a) for a in exclude}
        params = {"count": str(count + len(excluded)), "chunk_bytes": str(chunk_bytes)}
        if max_price is not None:
            params["max_price"] = str(max_price)
        errors: dict[str, str] = {}  # Keeper URL -> why it could not match
        for url in self._urls:
            try:
                data = self._client(url).get_json("/match", params, limit=MAX_MESSAGE_BYTES)
                answer = parse_answer(MatchAnswer, data, f"the /match answer of Keeper {url}")
                if len({p.address for p in answer.providers}) != len(answer.providers):
                    raise MalformedAnswer(f"Keeper {url} offered a Provider twice")
            except (httpx.HTTPError, httpx.InvalidURL, MemoError) as exc:  # RemoteError, MalformedAnswer, ...
                errors[url] = str(exc)
                continue
            offered = [MatchedProvider(p.address, p.endpoint, p.price) for p in answer.providers]
            chosen = [p for p in offered if p.address not in excluded][:count]
            if len(chosen) == count:
                return chosen
            errors[url] = f"offered {len(chosen)} usable Providers, {count} needed"
        raise UploadFailed("no Keeper could match enough Providers: " + "; ".join(f"{u}: {why}" for u, why in errors.items()),
                           failures=errors)

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()
