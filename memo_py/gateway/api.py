"""The gateway's JSON/HTTP API, for apps that do not speak S3.

Under :data:`PREFIX` (``/_api/v1``: no S3 bucket name starts with ``_``, so no S3 path is
taken), with the same access keys as S3, sent as HTTP Basic credentials (the access key
as user name, its secret as password; use HTTPS off loopback). The same User client
serves both faces, so an object put through one is read through the other.

============================================  =========================================
``GET /_api/v1/status``                       the account: balance, objects, bytes, cost
``GET /_api/v1/buckets``                      the buckets
``PUT /_api/v1/buckets/{bucket}``             create one (``?k=&m=`` its redundancy)
``DELETE /_api/v1/buckets/{bucket}``          delete an empty one
``GET /_api/v1/buckets/{bucket}/objects``     one page of objects (``prefix``, ``delimiter``,
                                              ``max_keys``, ``token``)
``PUT .../objects/{key}``                     upload: the body is the object
``GET .../objects/{key}``                     download (streamed); ``HEAD`` its headers
``DELETE .../objects/{key}``                  delete (an absent key is 404)
============================================  =========================================

Errors are ``{"error": {"code": ..., "message": ...}}`` with the status of the same S3
code (NoSuchKey 404, BucketNotEmpty 409, ...), InsufficientFunds 402 and Unauthorized
401. The OpenAPI 3.1 document (:func:`openapi_document`) is served at ``/openapi.json``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import unquote

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from memo_py.chain.errors import InsufficientFunds
from memo_py.gateway.errors import S3Error, from_sdk

__all__ = ["PREFIX", "OPENAPI_PATH", "is_api_request", "handle", "openapi_document"]

PREFIX = "/_api/v1"
OPENAPI_PATH = "/openapi.json"
#: The largest upload the API takes (the S3 face's PutObject limit).
MAX_UPLOAD_BYTES = 1 * 2**30
#: An upload is kept in memory up to this size, and spooled to disk beyond it.
SPOOL_MEMORY_BYTES = 8 * 2**20
#: Header prefix of user metadata on upload and download.
META = "x-memo-meta-"

_BUCKET = re.compile(r"^/buckets/([^/]+)$")
_OBJECTS = re.compile(r"^/buckets/([^/]+)/objects$")
_OBJECT = re.compile(r"^/buckets/([^/]+)/objects/(.+)$")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def is_api_request(request: Request) -> bool:
    path = request.scope["path"]
    if path == OPENAPI_PATH:  # a bucket may be named "openapi.json": only an unsigned, plain GET is the document
        return request.method == "GET" and "authorization" not in request.headers and not request.scope.get("query_string")
    return path == PREFIX or path.startswith(PREFIX + "/")


async def handle(gateway: Any, request: Request) -> Response:
    """Answer one API request (never raises: every failure is a JSON error)."""
    try:
        if request.scope["path"] == OPENAPI_PATH:
            return JSONResponse(openapi_document())
        access_key = _authenticate(gateway, request)
        client = await run_in_threadpool(gateway.client, access_key)
        return await _route(gateway, client, request)
    except ApiError as exc:
        return _error(exc)
    except S3Error as exc:
        return _error(ApiError(exc.status, exc.code, exc.message))
    except InsufficientFunds as exc:
        return _error(ApiError(402, "InsufficientFunds", str(exc)))
    except Exception as exc:
        mapped = from_sdk(exc)
        return _error(ApiError(mapped.status, mapped.code, mapped.message))


def _error(exc: ApiError) -> Response:
    return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status,
                        headers=exc.headers)


def _authenticate(gateway: Any, request: Request) -> str:
    """The access key of HTTP Basic credentials whose secret matches (Unauthorized otherwise)."""
    challenge = {"WWW-Authenticate": 'Basic realm="memo-gateway"'}
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise ApiError(401, "Unauthorized", "send the access key and its secret as HTTP Basic credentials", challenge)
    try:
        access_key, sep, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise ApiError(401, "Unauthorized", "malformed Basic credentials", challenge) from None
    expected = gateway.config.secret_of(access_key) if sep else None
    if expected is None or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise ApiError(401, "Unauthorized", "unknown access key or wrong secret", challenge)
    return access_key


async def _route(gateway: Any, client: Any, request: Request) -> Response:
    # the raw path, each part unquoted once (the decoded one would unquote a key's "%" twice)
    raw = request.scope.get("raw_path", request.scope["path"].encode()).decode("latin-1").split("?", 1)[0]
    path = raw[len(PREFIX):] or "/"
    method = request.method
    query = request.query_params
    if path == "/status":
        if method == "GET":
            return JSONResponse(await run_in_threadpool(_status, client))
    elif path == "/buckets":
        if method == "GET":
            buckets = await run_in_threadpool(client.list_buckets)
            return JSONResponse({"buckets": [_bucket(b) for b in buckets]})
    elif match := _BUCKET.match(path):
        bucket = unquote(match[1])
        if method == "PUT":
            k, m = _int(query, "k"), _int(query, "m")
            info = await run_in_threadpool(lambda: client.create_bucket(bucket, k=k, m=m))
            return JSONResponse(_bucket(info), status_code=201)
        if method == "DELETE":
            await run_in_threadpool(client.delete_bucket, bucket)
            return Response(status_code=204)
        if method == "GET":
            return JSONResponse(_bucket(await run_in_threadpool(client.head_bucket, bucket)))
    elif match := _OBJECTS.match(path):
        if method == "GET":
            return JSONResponse(await run_in_threadpool(_list, client, unquote(match[1]), query))
    elif match := _OBJECT.match(path):
        bucket, key = unquote(match[1]), unquote(match[2])
        if method == "PUT":
            return await _upload(gateway, client, request, bucket, key)
        if method in ("GET", "HEAD"):
            return await _download(client, bucket, key, head=method == "HEAD")
        if method == "DELETE":
            await run_in_threadpool(client.delete_object, bucket, key)
            return Response(status_code=204)
    else:
        raise ApiError(404, "NotFound", f"no API resource {path}")
    raise ApiError(405, "MethodNotAllowed", f"{method} is not allowed on {path}")


def _int(query: Any, name: str) -> int | None:
    value = query.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise ApiError(400, "InvalidArgument", f"{name} must be a whole number, not {value!r}")
    return int(value)


def _bucket(info: Any) -> dict[str, Any]:
    return {"name": info.name, "k": info.layout.k, "m": info.layout.m, "created": info.created.isoformat()}


def _object(info: Any) -> dict[str, Any]:
    return {"key": info.key, "size": info.size, "etag": info.etag, "content_type": info.content_type,
            "metadata": dict(info.metadata), "last_modified": info.last_modified.isoformat()}


def _status(client: Any) -> dict[str, Any]:
    status = client.status(check_health=False)
    return {
        "address": status.address, "balance_wei": str(status.balance), "current_epoch": status.current_epoch,
        "buckets": len(client.list_buckets()), "objects": len(status.objects), "stored_bytes": status.stored_bytes,
        "monthly_wei": str(status.monthly), "expiring": len(status.expiring),
        "pending_changes": client.pending_changes(),
    }


def _list(client: Any, bucket: str, query: Any) -> dict[str, Any]:
    max_keys = _int(query, "max_keys")
    page = client.list_objects_page(
        bucket, prefix=query.get("prefix", ""), delimiter=query.get("delimiter", ""),
        max_keys=1000 if max_keys is None else max_keys, continuation_token=query.get("token"),
    )
    return {"objects": [_object(i) for i in page.items], "prefixes": list(page.common_prefixes),
            "truncated": page.is_truncated, "next_token": page.next_token}


async def _upload(gateway: Any, client: Any, request: Request, bucket: str, key: str) -> Response:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_UPLOAD_BYTES):
        raise ApiError(413, "EntityTooLarge", f"an upload is at most {MAX_UPLOAD_BYTES} bytes")
    directory = gateway.config.data_dir / "spool"
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.SpooledTemporaryFile(SPOOL_MEMORY_BYTES, dir=directory) as spool:
        length = 0
        try:
            async for piece in request.stream():
                length += len(piece)
                if length > MAX_UPLOAD_BYTES:
                    raise ApiError(413, "EntityTooLarge", f"an upload is at most {MAX_UPLOAD_BYTES} bytes")
                spool.write(piece)
        except ApiError:
            raise
        except Exception as exc:  # the client went away half-way: nothing is stored
            raise ApiError(400, "IncompleteBody", f"the body ended early: {type(exc).__name__}") from None
        if declared is not None and length != int(declared):
            raise ApiError(400, "IncompleteBody", f"the body has {length} bytes, Content-Length says {declared}")
        spool.seek(0)
        metadata = {k[len(META):]: v for k, v in request.headers.items() if k.lower().startswith(META)}
        content_type = request.headers.get("content-type", "application/octet-stream")
        info = await run_in_threadpool(
            lambda: client.put_object(bucket, key, spool, content_type=content_type, metadata=metadata))
    return JSONResponse(_object(info), status_code=201)


async def _download(client: Any, bucket: str, key: str, *, head: bool) -> Response:
    info = await run_in_threadpool(client.head_object, bucket, key)
    headers = {"ETag": f'"{info.etag}"', "Content-Length": str(info.size),
               "Last-Modified": info.last_modified.strftime("%a, %d %b %Y %H:%M:%S GMT"),
               **{META + k: v for k, v in info.metadata.items()}}
    if head:
        return Response(status_code=200, headers=headers, media_type=info.content_type)
    segments: Iterator[bytes] = await run_in_threadpool(client.iter_object, bucket, key)

    async def body() -> AsyncIterator[bytes]:
        async for segment in iterate_in_threadpool(segments):
            yield segment

    return StreamingResponse(body(), headers=headers, media_type=info.content_type)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of this API."""
    error = {"description": "an error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    bucket = {"name": "bucket", "in": "path", "required": True, "schema": {"type": "string"}}
    key = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"},
           "description": "the object's key, URL-encoded (slashes may stay as they are)"}

    def ok(schema: str, description: str, status: str = "200") -> dict[str, Any]:
        return {status: {"description": description,
                         "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}},
                "default": error}

    objects_path = f"{PREFIX}/buckets/{{bucket}}/objects"
    return {
        "openapi": "3.1.0",
        "info": {"title": "MEMO gateway HTTP API", "version": "1",
                 "description": "Buckets and objects of a MEMO User, with the gateway's S3 access keys as HTTP Basic "
                                "credentials."},
        "security": [{"basic": []}],
        "paths": {
            f"{PREFIX}/status": {"get": {"operationId": "status", "summary": "the account",
                                         "responses": ok("Status", "balance, objects, stored bytes, monthly cost")}},
            f"{PREFIX}/buckets": {"get": {"operationId": "listBuckets", "summary": "the buckets",
                                          "responses": ok("BucketList", "the buckets, by name")}},
            f"{PREFIX}/buckets/{{bucket}}": {
                "parameters": [bucket],
                "get": {"operationId": "headBucket", "summary": "one bucket", "responses": ok("Bucket", "the bucket")},
                "put": {"operationId": "createBucket", "summary": "create a bucket",
                        "parameters": [{"name": n, "in": "query", "required": False, "schema": {"type": "integer"},
                                        "description": d} for n, d in (("k", "data chunks"), ("m", "parity chunks"))],
                        "responses": ok("Bucket", "created", "201")},
                "delete": {"operationId": "deleteBucket", "summary": "delete an empty bucket",
                           "responses": {"204": {"description": "deleted"}, "default": error}},
            },
            objects_path: {"parameters": [bucket], "get": {
                "operationId": "listObjects", "summary": "one page of the bucket's objects, by key",
                "parameters": [
                    {"name": "prefix", "in": "query", "required": False, "schema": {"type": "string"}},
                    {"name": "delimiter", "in": "query", "required": False, "schema": {"type": "string"}},
                    {"name": "max_keys", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 0, "maximum": 1000}},
                    {"name": "token", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "next_token of the page before"},
                ],
                "responses": ok("ObjectPage", "a page of objects")}},
            f"{objects_path}/{{key}}": {
                "parameters": [bucket, key],
                "put": {"operationId": "upload", "summary": "store the body as the object (replacing one of that key)",
                        "parameters": [{"name": "Content-Type", "in": "header", "required": False,
                                        "schema": {"type": "string"}}],
                        "requestBody": {"required": True, "content": {"*/*": {"schema": {"type": "string",
                                                                                         "format": "binary"}}}},
                        "responses": ok("Object", "stored", "201")},
                "get": {"operationId": "download", "summary": "the object's bytes",
                        "responses": {"200": {"description": "the object", "content": {
                            "*/*": {"schema": {"type": "string", "format": "binary"}}}}, "default": error}},
                "head": {"operationId": "headObject", "summary": "the object's headers",
                         "responses": {"200": {"description": "ETag, Content-Length, Content-Type, x-memo-meta-*"},
                                       "default": error}},
                "delete": {"operationId": "deleteObject", "summary": "delete the object",
                           "responses": {"204": {"description": "deleted"}, "default": error}},
            },
        },
        "components": {
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic",
                                          "description": "the S3 access key as user name, its secret as password"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
                "Bucket": {"type": "object", "required": ["name", "k", "m", "created"], "properties": {
                    "name": {"type": "string"}, "k": {"type": "integer"}, "m": {"type": "integer"},
                    "created": {"type": "string", "format": "date-time"}}},
                "BucketList": {"type": "object", "required": ["buckets"], "properties": {
                    "buckets": {"type": "array", "items": {"$ref": "#/components/schemas/Bucket"}}}},
                "Object": {"type": "object", "required": ["key", "size", "etag", "content_type", "metadata",
                                                          "last_modified"], "properties": {
                    "key": {"type": "string"}, "size": {"type": "integer"}, "etag": {"type": "string"},
                    "content_type": {"type": "string"},
                    "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                    "last_modified": {"type": "string", "format": "date-time"}}},
                "ObjectPage": {"type": "object", "required": ["objects", "prefixes", "truncated", "next_token"],
                               "properties": {
                                   "objects": {"type": "array", "items": {"$ref": "#/components/schemas/Object"}},
                                   "prefixes": {"type": "array", "items": {"type": "string"}},
                                   "truncated": {"type": "boolean"},
                                   "next_token": {"type": ["string", "null"]}}},
                "Status": {"type": "object", "properties": {
                    "address": {"type": "string"}, "balance_wei": {"type": "string"},
                    "current_epoch": {"type": "integer"}, "buckets": {"type": "integer"},
                    "objects": {"type": "integer"}, "stored_bytes": {"type": "integer"},
                    "monthly_wei": {"type": "string"}, "expiring": {"type": "integer"},
                    "pending_changes": {"type": "integer"}}},
            },
        },
    }

