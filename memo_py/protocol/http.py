"""HTTP glue for signed requests: the server-side check and a signing client.

All agents serve HTTP with starlette and call each other with httpx (bulk
bodies: :mod:`memo_py.protocol.bulk`). This module is the only place that maps
between the signed-request headers of :mod:`memo_py.protocol.auth` and those
libraries.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from memo_py.errors import MemoError, RequestRejected
from memo_py.protocol.auth import RequestVerifier, sign_request
from memo_py.protocol.bulk import BulkReader

__all__ = ["authenticate", "error_response", "handler_for", "json_body", "SignedClient", "RemoteError"]


log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]


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


def json_body(body: bytes) -> Any:
    """A request body parsed as JSON, or a ValueError (HTTP 400) that says why not."""
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"the body is not JSON: {exc}") from None


def handler_for(status_of: Callable[[BaseException], int]) -> Callable[[Handler], Handler]:
    """Wrap a service's handlers so every exception becomes the JSON error of its status.

    ``status_of`` maps an exception to the role's status code; 500 means a bug, which is
    logged with its traceback and answered without details.
    """

    def wrap(method: Handler) -> Handler:
        async def handle(request: Request) -> Response:
            try:
                return await method(request)
            except Exception as exc:
                status = status_of(exc)
                if status == 500:
                    log.exception("internal error", exc_info=exc)
                    return JSONResponse({"error": "InternalError", "message": "internal error"}, status_code=500)
                response = error_response(exc)
                response.status_code = status
                return response

        return handle

    return wrap


class SignedClient:
    """An httpx client whose every request is signed for one receiving agent."""

    def __init__(self, private_key: bytes | str, base_url: str, audience: str, *, timeout: float = 30.0) -> None:
        self._key = private_key
        self.audience = audience
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self._bulk = BulkReader(base_url, timeout=timeout)

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

    def get_bytes(self, path: str, params: Mapping[str, str] | None = None) -> bytearray:
        """A signed GET whose (large) body is read straight into one buffer: for chunk runs.

        Raises RemoteError for an error status, OSError or ``http.client.HTTPException``
        when the connection fails.
        """
        query = str(httpx.QueryParams(params or {}))
        return self._bulk.get(
            path,
            query,
            lambda: sign_request(self._key, "GET", path, b"", audience=self.audience, query=query),
            RemoteError,
        )

    def close(self) -> None:
        self._http.close()
        self._bulk.close()

    def __enter__(self) -> SignedClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
