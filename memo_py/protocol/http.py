"""HTTP glue for signed requests: the server-side check and a signing client.

All agents serve HTTP with starlette and call each other with httpx. This
module is the only place that maps between the signed-request headers of
:mod:`memo_py.protocol.auth` and those two libraries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from memo_py.errors import MemoError, RequestRejected
from memo_py.protocol.auth import RequestVerifier, sign_request

__all__ = ["authenticate", "error_response", "SignedClient", "RemoteError"]


class RemoteError(MemoError, RuntimeError):
    """Another agent answered with an error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


async def authenticate(request: Request, verifier: RequestVerifier) -> tuple[str, bytes]:
    """Return (signer address, body) of a signed request, or raise ``RequestRejected``."""
    body = await request.body()
    # Signature recovery is CPU work: keep it off the event loop.
    signer = await run_in_threadpool(
        verifier.verify, request.method, request.url.path, request.url.query, body, dict(request.headers)
    )
    return signer, body


def error_response(exc: Exception) -> JSONResponse:
    """One JSON error shape for every service: ``{"error": type, "message": text}``."""
    status = 401 if isinstance(exc, RequestRejected) else 400
    return JSONResponse({"error": type(exc).__name__, "message": str(exc)}, status_code=status)


class SignedClient:
    """An httpx client whose every request is signed for one receiving agent."""

    def __init__(self, private_key: bytes | str, base_url: str, audience: str, *, timeout: float = 30.0) -> None:
        self._key = private_key
        self.audience = audience
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)

    def request(
        self, method: str, path: str, *, content: bytes = b"", params: Mapping[str, str] | None = None
    ) -> httpx.Response:
        query = str(httpx.QueryParams(params or {}))
        headers = sign_request(self._key, method, path, content, audience=self.audience, query=query)
        response = self._http.request(method, path, content=content, params=params, headers=headers)
        if response.status_code >= 400:
            try:
                message = response.json().get("message", response.text)
            except ValueError:
                message = response.text
            raise RemoteError(response.status_code, message)
        return response

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self.request("GET", path, params=params).json()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SignedClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
