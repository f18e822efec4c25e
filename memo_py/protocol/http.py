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
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from memo_py.errors import AnswerTooLarge, MalformedAnswer, MemoError, RequestRejected, RequestTooLarge
from memo_py.protocol.auth import RequestVerifier, sign_request
from memo_py.protocol.bulk import BulkReader, error_message
from memo_py.protocol.limits import MAX_ANSWER_BYTES, MAX_MESSAGE_BYTES, MAX_RUN_BYTES

__all__ = [
    "authenticate",
    "error_response",
    "get_public_json",
    "handler_for",
    "json_body",
    "parse_answer",
    "read_body",
    "SignedClient",
    "RemoteError",
]

M = TypeVar("M", bound=BaseModel)

#: Answers are never compressed: a compressed body could expand past any bound after it was read.
_IDENTITY = {"Accept-Encoding": "identity"}


log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]


class RemoteError(MemoError, RuntimeError):
    """Another agent answered with an error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


async def read_body(request: Request, limit: int) -> bytes:
    """The request's body, or RequestTooLarge (HTTP 413) once it is known to pass ``limit``
    bytes: from its Content-Length before a byte is read, or, for a chunked body, as soon
    as the pieces received pass it (so at most ``limit`` bytes are ever held)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ValueError(f"Content-Length is not a number: {declared!r}")
        if int(declared) > limit:
            raise RequestTooLarge(f"{request.url.path} takes at most {limit} bytes of body, got {declared}")
    body = bytearray()
    async for piece in request.stream():
        if len(body) + len(piece) > limit:
            raise RequestTooLarge(f"{request.url.path} takes at most {limit} bytes of body; more arrived")
        body += piece
    return bytes(body)


async def authenticate(request: Request, verifier: RequestVerifier, *, limit: int) -> tuple[str, bytes]:
    """Return (signer address, body) of a signed request, or raise ``RequestRejected``.

    The body is bounded by ``limit`` (:func:`read_body`) before the signature is checked:
    an unauthenticated sender cannot make the receiver hold more.
    """
    body = await read_body(request, limit)
    # Signature recovery is CPU work: keep it off the event loop.
    signer = await run_in_threadpool(
        verifier.verify, request.method, request.url.path, request.url.query, body, dict(request.headers)
    )
    return signer, body


def error_response(exc: Exception) -> JSONResponse:
    """One JSON error shape for every service: ``{"error": type, "message": text}``."""
    status = 401 if isinstance(exc, RequestRejected) else 413 if isinstance(exc, RequestTooLarge) else 400
    response = JSONResponse({"error": type(exc).__name__, "message": str(exc)}, status_code=status)
    if status == 413:  # the rest of the body is not wanted: uvicorn closes instead of draining it
        response.headers["Connection"] = "close"
    return response


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
                if status == 413:
                    response.headers["Connection"] = "close"
                return response

        return handle

    return wrap


def _read_limited(response: httpx.Response, limit: int) -> bytes:
    """The body of a streamed answer, or AnswerTooLarge once it is known to pass ``limit``
    bytes (from its Content-Length before a byte is read, else as the pieces arrive)."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding != "identity":
        raise MalformedAnswer(f"the answer is {encoding}-encoded; only identity was accepted")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise AnswerTooLarge(f"the answer declares {declared} bytes; at most {limit} were expected")
    body = bytearray()
    for piece in response.iter_raw():
        if len(body) + len(piece) > limit:
            raise AnswerTooLarge(f"the answer passes the {limit} bytes expected")
        body += piece
    return bytes(body)


def _json_answer(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedAnswer(f"the answer is not JSON: {exc}") from None


def parse_answer(model: type[M], data: Any, what: str) -> M:
    """``data`` (another agent's JSON answer) validated as ``model``, or MalformedAnswer
    naming ``what`` was answered and the fields that are wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        wrong = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise MalformedAnswer(f"{what} is malformed: {wrong}") from None


def get_public_json(url: str, path: str, *, timeout: float, limit: int = MAX_MESSAGE_BYTES) -> Any:
    """The JSON answer of an unsigned ``GET`` (``/health``) of the agent at ``url``, read no
    further than ``limit`` bytes. Raises RemoteError for an error status, AnswerTooLarge,
    MalformedAnswer, or httpx.HTTPError / httpx.InvalidURL when the connection fails."""
    with httpx.stream("GET", url.rstrip("/") + path, timeout=timeout, headers=_IDENTITY) as response:
        body = _read_limited(response, limit)
    if response.status_code >= 400:
        raise RemoteError(response.status_code, error_message(body))
    return _json_answer(body)


class SignedClient:
    """An httpx client whose every request is signed for one receiving agent.

    Every answer is read no further than a limit (AnswerTooLarge past it): a Provider or
    Keeper cannot make the caller hold more than it expects.
    """

    def __init__(self, private_key: bytes | str, base_url: str, audience: str, *, timeout: float = 30.0) -> None:
        self._key = private_key
        self.audience = audience
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, headers=_IDENTITY)
        self._bulk = BulkReader(base_url, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        content: bytes = b"",
        params: Mapping[str, str] | None = None,
        limit: int = MAX_ANSWER_BYTES,
    ) -> httpx.Response:
        """The answer (read whole, at most ``limit`` bytes); RemoteError for an error status."""
        query = str(httpx.QueryParams(params or {}))
        headers = sign_request(self._key, method, path, content, audience=self.audience, query=query)
        with self._http.stream(method, path, content=content, params=params, headers=headers) as streamed:
            body = _read_limited(streamed, limit)
        if streamed.status_code >= 400:
            raise RemoteError(streamed.status_code, error_message(body))
        return httpx.Response(streamed.status_code, headers=streamed.headers, content=body, request=streamed.request)

    def get_json(self, path: str, params: Mapping[str, str] | None = None, *, limit: int = MAX_ANSWER_BYTES) -> Any:
        """The JSON answer of a signed GET (MalformedAnswer if it is not JSON)."""
        return _json_answer(self.request("GET", path, params=params, limit=limit).content)

    def get_bytes(self, path: str, params: Mapping[str, str] | None = None, *, limit: int = MAX_RUN_BYTES) -> bytearray:
        """A signed GET whose (large) body is read straight into one buffer: for chunk runs.

        Raises AnswerTooLarge for an answer over ``limit`` bytes (before reading it),
        RemoteError for an error status, OSError or ``http.client.HTTPException`` when
        the connection fails.
        """
        query = str(httpx.QueryParams(params or {}))
        return self._bulk.get(
            path,
            query,
            lambda: sign_request(self._key, "GET", path, b"", audience=self.audience, query=query),
            RemoteError,
            limit,
        )

    def close(self) -> None:
        self._http.close()
        self._bulk.close()

    def __enter__(self) -> SignedClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
