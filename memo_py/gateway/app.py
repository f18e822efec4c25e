"""The S3 gateway: an ASGI app (starlette) that answers S3 requests with the User client.

It is a face over :class:`memo_py.user.MemoClient`, one client per access key of the
config (:mod:`memo_py.gateway.config`), opened on that key's first request: the gateway
holds no storage logic and never calls the contracts itself. One key's User cannot
name another's buckets: each client sees only its own account's index.

A request goes through: addressing (path style ``/bucket/key``, or virtual host
``bucket.<domain>``), authentication (:func:`memo_py.gateway.auth.verify_request`:
SigV4 in headers or a presigned query), the body (``aws-chunked`` decoded, checksums
and the signed SHA-256 verified before anything is stored), the operation, and an
answer in S3's XML. Every failure is an :class:`~memo_py.gateway.errors.S3Error` with
S3's code and status; an operation S3 has and the gateway does not is NotImplemented.

What S3 metadata MEMO keeps: the object manifest's ``metadata`` holds the
``x-amz-meta-*`` headers, Content-Encoding (without ``aws-chunked``), Cache-Control,
Content-Disposition, Content-Language, Expires, the verified ``x-amz-checksum-*``
values, and a multipart object's ETag.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, unquote

from starlette.applications import Starlette
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from memo_py import errors as memo_errors
from memo_py.gateway import s3xml
from memo_py.gateway.auth import Verified, verify_request
from memo_py.gateway.checksums import Checksums, expected_checksums, requested_algorithms
from memo_py.gateway.chunked import AwsChunkedDecoder
from memo_py.gateway.config import GatewayConfig
from memo_py.gateway import api
from memo_py.gateway.errors import S3Error, from_sdk
from memo_py.gateway.multipart import MAX_PARTS, Uploads, multipart_etag
from memo_py.gateway.s3xml import element, encode_key, iso8601
from memo_py.user.names import validate_object_key

__all__ = ["Gateway", "build_app"]

log = logging.getLogger(__name__)

#: Object headers kept in the manifest's metadata and sent back on GET and HEAD.
STORED_HEADERS = ("content-encoding", "cache-control", "content-disposition", "content-language", "expires")
#: The metadata entry that holds a multipart object's ETag (a single PUT's is the MD5 the SDK keeps).
ETAG_ENTRY = "s3-etag"
#: The header that sets a new bucket's redundancy: ``K+M`` (k data and m parity chunks).
REDUNDANCY_HEADER = "x-memo-redundancy"
#: Bucket subresources S3 has that the gateway does not serve: NotImplemented, never a wrong answer.
UNSUPPORTED_SUBRESOURCES = (
    "accelerate", "acl", "analytics", "cors", "encryption", "intelligent-tiering", "inventory", "lifecycle",
    "logging", "metrics", "notification", "object-lock", "ownershipControls", "policy", "policyStatus",
    "publicAccessBlock", "replication", "requestPayment", "restore", "retention", "legal-hold", "select",
    "tagging", "torrent", "website", "attributes",
)


class Gateway:
    """The gateway's state: its config, one User client per access key, the multipart uploads."""

    def __init__(self, config: GatewayConfig, open_client: Callable[[str], Any] | None = None) -> None:
        self.config = config
        self.uploads = Uploads(config.data_dir / "uploads")
        self._open_client = open_client or self._open_memo_client
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def client(self, access_key: str) -> Any:
        with self._lock:
            if access_key not in self._clients:
                self._clients[access_key] = self._open_client(access_key)
            return self._clients[access_key]

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    def _open_memo_client(self, access_key: str) -> Any:
        from memo_py.user import MemoClient

        user = self.config.user(access_key)
        assert user is not None  # authenticated
        return MemoClient.open(
            self.config.rpc_url, self.config.deployment, user.private_key.get_secret_value(), self.config.keepers,
            k=self.config.k, m=self.config.m, start_delay=self.config.start_delay,
            cache_dir=self.config.data_dir / "cache" / access_key,
            buffer_dir=self.config.data_dir / "buffer" / access_key,
        )


def build_app(gateway: Gateway) -> Starlette:
    """The ASGI app of ``gateway``: every path, every method."""

    async def handle(request: Request) -> Response:
        request_id = secrets.token_hex(8).upper()
        if api.is_api_request(request):
            return await api.handle(gateway, request)
        try:
            response = await _dispatch(gateway, request)
        except S3Error as exc:
            response = _error(exc, request, request_id)
        except Exception as exc:  # an SDK error, or a bug: S3's answer for it, never a traceback
            mapped = from_sdk(exc)
            if mapped.code == "InternalError":
                log.exception("request %s %s failed", request.method, request.url.path)
            response = _error(mapped, request, request_id)
        response.headers["x-amz-request-id"] = request_id
        return response

    methods = ["GET", "HEAD", "PUT", "POST", "DELETE"]
    routes = [Route("/", handle, methods=methods), Route("/{path:path}", handle, methods=methods)]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await run_in_threadpool(gateway.close)

    return Starlette(routes=routes, lifespan=lifespan)


# -- the request --------------------------------------------------------------------------


class S3Request:
    """What an operation needs of a request: who, which bucket and key, its query and headers."""

    def __init__(self, request: Request, verified: Verified, bucket: str, key: str) -> None:
        self.request = request
        self.verified = verified
        self.bucket = bucket
        self.key = key
        self.query = dict(parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        self.headers = request.headers

    def has(self, name: str) -> bool:
        return name in self.query

    def arg(self, name: str, default: str | None = None) -> str | None:
        return self.query.get(name, default)


def _address(config: GatewayConfig, request: Request) -> tuple[str, str]:
    """(bucket, key) of the request, by virtual host when the Host names one, else by path."""
    path = request.scope["path"]
    host = request.headers.get("host", "").split(":")[0].lower()
    if config.domain and host.endswith("." + config.domain.lower()):
        return host[: -len(config.domain) - 1], path.lstrip("/")
    bucket, _, key = path.lstrip("/").partition("/")
    return bucket, key


async def _dispatch(gateway: Gateway, request: Request) -> Response:
    raw_path = request.scope.get("raw_path", request.scope["path"].encode()).decode("latin-1")
    query_string = request.scope.get("query_string", b"").decode("latin-1")
    verified = verify_request(request.method, raw_path.split("?", 1)[0], query_string, request.headers,
                              gateway.config.secret_of, datetime.now(timezone.utc), region=gateway.config.region)
    bucket, key = _address(gateway.config, request)
    s3 = S3Request(request, verified, bucket, key)
    client = await run_in_threadpool(gateway.client, verified.access_key)
    method = request.method
    if not bucket:
        if method == "GET":
            return await _list_buckets(client)
        raise S3Error("MethodNotAllowed", f"{method} is not allowed on the service")
    if not key:
        return await _bucket_operation(gateway, client, s3, method)
    return await _object_operation(gateway, client, s3, method)


async def _bucket_operation(gateway: Gateway, client: Any, s3: S3Request, method: str) -> Response:
    for name in UNSUPPORTED_SUBRESOURCES:
        if s3.has(name):
            raise S3Error("NotImplemented", f"the gateway does not implement the bucket's {name} configuration")
    if method == "PUT":
        return await _create_bucket(gateway, client, s3)
    if method == "HEAD":
        await run_in_threadpool(client.head_bucket, s3.bucket)
        return Response(status_code=200, headers={"x-amz-bucket-region": gateway.config.region})
    if method == "DELETE":
        if s3.has("uploads"):
            raise S3Error("NotImplemented", "unknown bucket operation")
        await run_in_threadpool(client.delete_bucket, s3.bucket)
        return Response(status_code=204)
    if method == "POST" and s3.has("delete"):
        return await _delete_objects(client, s3)
    if method != "GET":
        raise S3Error("MethodNotAllowed", f"{method} is not allowed on a bucket")
    await run_in_threadpool(client.head_bucket, s3.bucket)
    if s3.has("location"):
        region = "" if gateway.config.region == "us-east-1" else gateway.config.region
        return _xml(s3xml.document("LocationConstraint", [region]))
    if s3.has("versioning"):
        return _xml(s3xml.document("VersioningConfiguration", []))
    if s3.has("uploads"):
        return _list_uploads(gateway, s3)
    if s3.has("versions"):
        return await _list_versions(client, s3)
    return await _list_objects(client, s3)


async def _object_operation(gateway: Gateway, client: Any, s3: S3Request, method: str) -> Response:
    for name in ("acl", "tagging", "retention", "legal-hold", "torrent", "restore", "select", "attributes"):
        if s3.has(name):
            raise S3Error("NotImplemented", f"the gateway does not implement the object's {name}")
    if method == "PUT":
        if s3.has("uploadId"):
            return await _upload_part(gateway, client, s3)
        if "x-amz-copy-source" in s3.headers:
            return await _copy_object(client, s3)
        return await _put_object(client, s3, gateway.config.data_dir / "spool")
    if method == "POST":
        if s3.has("uploads"):
            return await _create_upload(gateway, client, s3)
        if s3.has("uploadId"):
            return await _complete_upload(gateway, client, s3)
        raise S3Error("NotImplemented", "unknown object operation (POST)")
    if method == "DELETE":
        if s3.has("uploadId"):
            info = gateway.uploads.get(s3.verified.access_key, s3.arg("uploadId") or "", s3.bucket, s3.key)
            gateway.uploads.remove(info)
            return Response(status_code=204)
        await run_in_threadpool(client.head_bucket, s3.bucket)
        with contextlib.suppress(memo_errors.NoSuchKey):  # S3 deletes an absent key with success
            await run_in_threadpool(client.delete_object, s3.bucket, s3.key)
        return Response(status_code=204)
    if method == "GET" and s3.has("uploadId"):
        return _list_parts(gateway, s3)
    if s3.has("partNumber"):
        raise S3Error("NotImplemented", "GetObject and HeadObject by partNumber are not implemented")
    return await _get_object(client, s3, head=method == "HEAD")


# -- buckets ------------------------------------------------------------------------------


async def _list_buckets(client: Any) -> Response:
    buckets = await run_in_threadpool(client.list_buckets)
    listed = [element("Bucket", [element("Name", b.name), element("CreationDate", iso8601(b.created))]) for b in buckets]
    owner = element("Owner", [element("ID", client.address), element("DisplayName", client.address)])
    return _xml(s3xml.document("ListAllMyBucketsResult", [owner, element("Buckets", listed)]))


async def _create_bucket(gateway: Gateway, client: Any, s3: S3Request) -> Response:
    body = await _small_body(s3)
    if body.strip():
        s3xml.check_root(body, "CreateBucketConfiguration")
    k, m = gateway.config.k, gateway.config.m
    redundancy = s3.headers.get(REDUNDANCY_HEADER)
    if redundancy is not None:
        parts = redundancy.replace(" ", "").split("+")
        if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[0]) < 1:
            raise S3Error("InvalidArgument", f"{REDUNDANCY_HEADER} is K+M (k data, m parity chunks), not {redundancy!r}")
        k, m = int(parts[0]), int(parts[1])
    try:
        await run_in_threadpool(lambda: client.create_bucket(s3.bucket, k=k, m=m))
    except memo_errors.BucketAlreadyExists:
        raise S3Error("BucketAlreadyOwnedByYou", "you already own this bucket", resource=s3.bucket) from None
    return Response(status_code=200, headers={"Location": f"/{s3.bucket}"})


async def _list_objects(client: Any, s3: S3Request) -> Response:
    v2 = s3.arg("list-type") == "2"
    encoding = s3.arg("encoding-type")
    if encoding not in (None, "url"):
        raise S3Error("InvalidArgument", "encoding-type may only be url")
    max_keys = _max_keys(s3.arg("max-keys"))
    prefix, delimiter = s3.arg("prefix", "") or "", s3.arg("delimiter", "") or ""
    if v2:
        token = s3.arg("continuation-token")
        start_after = s3.arg("start-after", "") or ""
    else:
        token, start_after = None, s3.arg("marker", "") or ""
    page = await run_in_threadpool(lambda: client.list_objects_page(
        s3.bucket, prefix=prefix, delimiter=delimiter, start_after=start_after, max_keys=max_keys,
        continuation_token=token or None))
    contents = [element("Contents", [
        element("Key", encode_key(o.key, encoding)), element("LastModified", iso8601(o.last_modified)),
        element("ETag", f'"{_etag(o)}"'), element("Size", o.size), element("StorageClass", "STANDARD"),
    ]) for o in page.items]
    common = [element("CommonPrefixes", [element("Prefix", encode_key(p, encoding))]) for p in page.common_prefixes]
    head = [element("Name", s3.bucket), element("Prefix", encode_key(prefix, encoding))]
    if v2:
        head += [element("KeyCount", len(page.items) + len(page.common_prefixes))]
        if token:
            head.append(element("ContinuationToken", token))
        if start_after:
            head.append(element("StartAfter", encode_key(start_after, encoding)))
        if page.is_truncated:
            head.append(element("NextContinuationToken", page.next_token))
    else:
        head.append(element("Marker", encode_key(start_after, encoding)))
        if page.is_truncated and delimiter:  # without a delimiter, clients continue from the last key
            last = max([o.key for o in page.items] + list(page.common_prefixes))
            head.append(element("NextMarker", encode_key(last, encoding)))
    head += [element("MaxKeys", max_keys)]
    if delimiter:
        head.append(element("Delimiter", encode_key(delimiter, encoding)))
    if encoding:
        head.append(element("EncodingType", encoding))
    head.append(element("IsTruncated", page.is_truncated))
    return _xml(s3xml.document("ListBucketResult", [*head, *contents, *common]))


async def _list_versions(client: Any, s3: S3Request) -> Response:
    """ListObjectVersions of an unversioned bucket: each object once, as the null version."""
    encoding = s3.arg("encoding-type")
    max_keys = _max_keys(s3.arg("max-keys"))
    prefix, delimiter = s3.arg("prefix", "") or "", s3.arg("delimiter", "") or ""
    marker = s3.arg("key-marker", "") or ""
    page = await run_in_threadpool(lambda: client.list_objects_page(
        s3.bucket, prefix=prefix, delimiter=delimiter, start_after=marker, max_keys=max_keys))
    versions = [element("Version", [
        element("Key", encode_key(o.key, encoding)), element("VersionId", "null"), element("IsLatest", True),
        element("LastModified", iso8601(o.last_modified)), element("ETag", f'"{_etag(o)}"'),
        element("Size", o.size), element("StorageClass", "STANDARD"),
    ]) for o in page.items]
    common = [element("CommonPrefixes", [element("Prefix", encode_key(p, encoding))]) for p in page.common_prefixes]
    head = [element("Name", s3.bucket), element("Prefix", encode_key(prefix, encoding)),
            element("KeyMarker", encode_key(marker, encoding)), element("VersionIdMarker", "")]
    if page.is_truncated:
        last = max([o.key for o in page.items] + list(page.common_prefixes))
        head += [element("NextKeyMarker", encode_key(last, encoding)), element("NextVersionIdMarker", "null")]
    head += [element("MaxKeys", max_keys)]
    if delimiter:
        head.append(element("Delimiter", encode_key(delimiter, encoding)))
    head.append(element("IsTruncated", page.is_truncated))
    return _xml(s3xml.document("ListVersionsResult", [*head, *versions, *common]))


async def _delete_objects(client: Any, s3: S3Request) -> Response:
    body = await _small_body(s3)
    keys, quiet = s3xml.parse_delete(body)
    await run_in_threadpool(client.head_bucket, s3.bucket)

    def delete_all() -> list[str]:
        results = []
        for key in keys:
            try:
                with contextlib.suppress(memo_errors.NoSuchKey):  # deleted, as far as S3 is concerned
                    client.delete_object(s3.bucket, key)
            except memo_errors.InvalidObjectKey as exc:
                results.append(element("Error", [element("Key", key), element("Code", "InvalidArgument"),
                                                 element("Message", str(exc))]))
                continue
            except Exception as exc:  # one key's failure is reported, the others go on
                log.warning("DeleteObjects: %s/%s: %s", s3.bucket, key, exc)
                results.append(element("Error", [element("Key", key), element("Code", "InternalError"),
                                                 element("Message", str(exc))]))
                continue
            if not quiet:
                results.append(element("Deleted", [element("Key", key)]))
        return results

    return _xml(s3xml.document("DeleteResult", await run_in_threadpool(delete_all)))


# -- objects ------------------------------------------------------------------------------


async def _put_object(client: Any, s3: S3Request, spool_dir: Path) -> Response:
    data, checksums = await _spool_payload(s3, spool_dir)
    with data:
        return await _store_spooled(client, s3, data, checksums)


async def _store_spooled(client: Any, s3: S3Request, data: BinaryIO, checksums: dict[str, str]) -> Response:
    content_type, metadata = _object_headers(s3.headers)
    metadata.update({f"x-amz-checksum-{a}": v for a, v in checksums.items()})
    if s3.headers.get("if-none-match", "").strip() == "*":
        if await _exists(client, s3.bucket, s3.key):
            raise S3Error("PreconditionFailed", "an object of this key exists (If-None-Match: *)", resource=s3.key)
    elif "if-match" in s3.headers:
        raise S3Error("NotImplemented", "PutObject with If-Match is not implemented")
    info = await run_in_threadpool(lambda: client.put_object(
        s3.bucket, s3.key, data, content_type=content_type, metadata=metadata))
    headers = {"ETag": f'"{info.etag}"', **{f"x-amz-checksum-{a}": v for a, v in checksums.items()}}
    return Response(status_code=200, headers=headers)


async def _copy_object(client: Any, s3: S3Request) -> Response:
    source_bucket, source_key = _copy_source(s3.headers["x-amz-copy-source"])
    source = await run_in_threadpool(client.head_object, source_bucket, source_key)
    _check_copy_conditions(s3.headers, source)
    directive = s3.headers.get("x-amz-metadata-directive", "COPY").upper()
    if directive not in ("COPY", "REPLACE"):
        raise S3Error("InvalidArgument", "x-amz-metadata-directive is COPY or REPLACE")
    if directive == "COPY":
        if (source_bucket, source_key) == (s3.bucket, s3.key):
            raise S3Error("InvalidRequest", "this copy request is illegal because it is trying to copy an object to "
                          "itself without changing the object's metadata")
        content_type, metadata = source.content_type, dict(source.metadata)
    else:
        content_type, metadata = _object_headers(s3.headers)
        metadata.update({k: v for k, v in source.metadata.items() if k.startswith("x-amz-checksum-") or k == ETAG_ENTRY})
    data = await run_in_threadpool(client.get_object, source_bucket, source_key)
    info = await run_in_threadpool(lambda: client.put_object(
        s3.bucket, s3.key, data, content_type=content_type, metadata=metadata))
    result = [element("LastModified", iso8601(info.last_modified)), element("ETag", f'"{_etag(info)}"')]
    return _xml(s3xml.document("CopyObjectResult", result))


async def _get_object(client: Any, s3: S3Request, *, head: bool) -> Response:
    manifest = await run_in_threadpool(client.head_manifest, s3.bucket, s3.key)
    info = manifest.info
    headers = _info_headers(info, checksums=s3.headers.get("x-amz-checksum-mode", "").upper() == "ENABLED")
    not_modified = _check_get_conditions(s3.headers, info)
    if not_modified:
        return Response(status_code=304, headers={k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")})
    span = _range(s3.headers.get("range"), info.size)
    status = 200
    if span is not None:
        start, end = span
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{info.size}"
        headers = {k: v for k, v in headers.items() if not k.startswith("x-amz-checksum-")}  # of the whole object
    else:
        start, end = 0, info.size
    headers["Content-Length"] = str(end - start)
    if head:
        return Response(status_code=status, headers=headers)
    segments = _slice(client.iter_object(s3.bucket, s3.key), start, end)
    return StreamingResponse(iterate_in_threadpool(segments), status_code=status, headers=headers,
                             media_type=info.content_type)


def _slice(segments: Iterator[bytes], start: int, end: int) -> Iterator[bytes]:
    """The bytes ``[start, end)`` of an object given as its segments."""
    offset = 0
    for segment in segments:
        lo, hi = max(start - offset, 0), min(end - offset, len(segment))
        if lo < hi:
            yield segment[lo:hi]
        offset += len(segment)
        if offset >= end:
            return


# -- multipart ----------------------------------------------------------------------------


async def _create_upload(gateway: Gateway, client: Any, s3: S3Request) -> Response:
    await run_in_threadpool(client.head_bucket, s3.bucket)
    validate_object_key(s3.key)
    content_type, metadata = _object_headers(s3.headers)
    info = gateway.uploads.create(s3.verified.access_key, s3.bucket, s3.key, content_type, metadata)
    result = [element("Bucket", s3.bucket), element("Key", s3.key), element("UploadId", info.upload_id)]
    return _xml(s3xml.document("InitiateMultipartUploadResult", result))


async def _upload_part(gateway: Gateway, client: Any, s3: S3Request) -> Response:
    info = gateway.uploads.get(s3.verified.access_key, s3.arg("uploadId") or "", s3.bucket, s3.key)
    number = _part_number(s3.arg("partNumber"))
    if "x-amz-copy-source" in s3.headers:
        source_bucket, source_key = _copy_source(s3.headers["x-amz-copy-source"])
        source = await run_in_threadpool(client.head_object, source_bucket, source_key)
        _check_copy_conditions(s3.headers, source)
        span = _copy_range(s3.headers.get("x-amz-copy-source-range"), source.size)
        start, end = span if span is not None else (0, source.size)
        data = b"".join(await run_in_threadpool(
            lambda: list(_slice(client.iter_object(source_bucket, source_key), start, end))))
        part = await run_in_threadpool(gateway.uploads.write_part, info, number, data, {})
        result = [element("ETag", f'"{part.etag}"'), element("LastModified", iso8601(_utc(part.last_modified)))]
        return _xml(s3xml.document("CopyPartResult", result))
    with gateway.uploads.open_part(info, number) as writer:  # stored as it arrives, never whole in memory
        checksums = await _take_payload(s3, writer.write, MAX_PAYLOAD_BYTES)
        part = await run_in_threadpool(writer.commit, checksums)
    return Response(status_code=200, headers={"ETag": f'"{part.etag}"',
                                              **{f"x-amz-checksum-{a}": v for a, v in checksums.items()}})


async def _complete_upload(gateway: Gateway, client: Any, s3: S3Request) -> Response:
    info = gateway.uploads.get(s3.verified.access_key, s3.arg("uploadId") or "", s3.bucket, s3.key)
    listed = s3xml.parse_complete(await _small_body(s3))
    parts = gateway.uploads.chosen(info, listed)
    etag = multipart_etag(parts)
    metadata = {**info.metadata, ETAG_ENTRY: etag}
    # Streamed from the part files: the SDK holds a window of the object, not all of it.
    await run_in_threadpool(lambda: client.put_object(
        s3.bucket, s3.key, gateway.uploads.assemble(info, parts), content_type=info.content_type, metadata=metadata))
    gateway.uploads.remove(info)
    result = [element("Location", f"/{s3.bucket}/{s3.key}"), element("Bucket", s3.bucket),
              element("Key", s3.key), element("ETag", f'"{etag}"')]
    return _xml(s3xml.document("CompleteMultipartUploadResult", result))


def _list_parts(gateway: Gateway, s3: S3Request) -> Response:
    info = gateway.uploads.get(s3.verified.access_key, s3.arg("uploadId") or "", s3.bucket, s3.key)
    marker = _part_number(s3.arg("part-number-marker", "0"), allow_zero=True)
    max_parts = _max_keys(s3.arg("max-parts"))
    after = [p for p in gateway.uploads.parts(info) if p.number > marker]
    shown, truncated = after[:max_parts], len(after) > max_parts
    parts = [element("Part", [element("PartNumber", p.number), element("LastModified", iso8601(_utc(p.last_modified))),
                              element("ETag", f'"{p.etag}"'), element("Size", p.size)]) for p in shown]
    head = [element("Bucket", s3.bucket), element("Key", s3.key), element("UploadId", info.upload_id),
            element("PartNumberMarker", marker), element("MaxParts", max_parts), element("IsTruncated", truncated)]
    if truncated:
        head.append(element("NextPartNumberMarker", shown[-1].number))
    return _xml(s3xml.document("ListPartsResult", [*head, element("StorageClass", "STANDARD"), *parts]))


def _list_uploads(gateway: Gateway, s3: S3Request) -> Response:
    prefix = s3.arg("prefix", "") or ""
    uploads = [u for u in gateway.uploads.list(s3.verified.access_key, s3.bucket) if u.key.startswith(prefix)]
    listed = [element("Upload", [element("Key", u.key), element("UploadId", u.upload_id),
                                 element("Initiated", iso8601(_utc(u.initiated))),
                                 element("StorageClass", "STANDARD")]) for u in uploads]
    head = [element("Bucket", s3.bucket), element("KeyMarker", ""), element("UploadIdMarker", ""),
            element("Prefix", prefix), element("MaxUploads", 1000), element("IsTruncated", False)]
    return _xml(s3xml.document("ListMultipartUploadsResult", [*head, *listed]))


# -- bodies -------------------------------------------------------------------------------


async def _small_body(s3: S3Request) -> bytes:
    """An XML request body (bounded), checked like any payload."""
    data, _ = await _read_payload(s3, limit=s3xml.MAX_XML_BYTES)
    return data


async def _read_payload(s3: S3Request, *, limit: int | None = None) -> tuple[bytes, dict[str, str]]:
    """The request's payload, decoded and verified: ``(bytes, {algorithm: base64 checksum})``
    (see :func:`_take_payload`)."""
    body = bytearray()
    checksums = await _take_payload(s3, body.extend, MAX_PAYLOAD_BYTES if limit is None else limit)
    return bytes(body), checksums


async def _spool_payload(s3: S3Request, directory: Path) -> tuple[BinaryIO, dict[str, str]]:
    """Like :func:`_read_payload`, but into a temporary file (in memory up to
    :data:`SPOOL_MEMORY_BYTES`, then in ``directory``), positioned at its start: a large
    PutObject is never held whole in memory. The caller closes it (which deletes it)."""
    directory.mkdir(parents=True, exist_ok=True)
    spool = tempfile.SpooledTemporaryFile(SPOOL_MEMORY_BYTES, dir=directory)
    try:
        checksums = await _take_payload(s3, spool.write, MAX_PAYLOAD_BYTES)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, checksums  # type: ignore[return-value]


async def _take_payload(s3: S3Request, sink: Callable[[bytes], Any], limit: int) -> dict[str, str]:
    """Hand the request's decoded payload to ``sink`` as it arrives, then verify it; its
    ``{algorithm: base64 checksum}``.

    ``aws-chunked`` bodies are decoded (signed chunks checked one by one); the signed
    SHA-256, Content-MD5 and every ``x-amz-checksum-*`` (header or trailer) must match,
    or nothing is stored (BadDigest, XAmzContentSHA256Mismatch, ...).
    """
    payload = s3.verified.payload
    streaming = payload.startswith("STREAMING-")
    declared = s3.headers.get("x-amz-decoded-content-length" if streaming else "content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise S3Error("EntityTooLarge" if declared.isdigit() else "InvalidArgument",
                      f"the body is longer than the {limit} bytes this request takes")
    digests = Checksums(requested_algorithms(s3.headers))
    decoder = AwsChunkedDecoder(s3.verified.chunk_signer) if streaming else None
    length = 0
    async for piece in _stream(s3.request):
        decoded = decoder.feed(piece) if decoder is not None else piece
        if decoded:
            length += len(decoded)
            if length > limit:
                raise S3Error("EntityTooLarge", f"the body is longer than the {limit} bytes this request takes")
            sink(decoded)
            digests.update(decoded)
    trailers = decoder.finish() if decoder is not None else {}
    if streaming and declared is not None and int(declared) != length:
        raise S3Error("IncompleteBody", f"x-amz-decoded-content-length says {declared} bytes, the body has {length}")
    announced = {t.strip().lower() for t in s3.headers.get("x-amz-trailer", "").split(",") if t.strip()}
    missing = sorted(announced - set(trailers))
    if missing:
        raise S3Error("IncompleteBody", f"the body ended without the trailer(s) it announced: {', '.join(missing)}")
    expected = expected_checksums(s3.headers, trailers)
    content_sha256 = payload if len(payload) == 64 else None
    return digests.verify(expected, content_md5=s3.headers.get("content-md5"), content_sha256=content_sha256)


async def _stream(request: Request) -> AsyncIterator[bytes]:
    try:
        async for piece in request.stream():
            if piece:
                yield piece
    except Exception as exc:  # the client went away half-way
        raise S3Error("IncompleteBody", f"the body ended early: {type(exc).__name__}") from None


#: The largest single payload (PutObject, UploadPart) the gateway takes (5 GiB is S3's).
MAX_PAYLOAD_BYTES = 1 * 2**30
#: A PutObject body is kept in memory up to this size, and spooled to disk beyond it.
SPOOL_MEMORY_BYTES = 8 * 2**20


# -- headers ------------------------------------------------------------------------------


def _object_headers(headers: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The content type and the metadata to keep of a PutObject's (or CreateMultipartUpload's) headers."""
    content_type = headers.get("content-type") or "binary/octet-stream"
    metadata: dict[str, str] = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower.startswith("x-amz-meta-"):
            metadata[lower] = value
        elif lower in STORED_HEADERS:
            if lower == "content-encoding":  # the transfer's framing, not the object's encoding
                value = ",".join(v.strip() for v in value.split(",") if v.strip() and v.strip() != "aws-chunked")
                if not value:
                    continue
            metadata[lower] = value
    return content_type, metadata


def _info_headers(info: Any, *, checksums: bool) -> dict[str, str]:
    headers = {
        "ETag": f'"{_etag(info)}"',
        "Last-Modified": format_datetime(info.last_modified.astimezone(timezone.utc), usegmt=True),
        "Accept-Ranges": "bytes",
        "Content-Type": info.content_type,
    }
    for name, value in info.metadata.items():
        if name.startswith("x-amz-meta-") or name in STORED_HEADERS:
            headers[name] = value
        elif checksums and name.startswith("x-amz-checksum-"):
            headers[name] = value
    return headers


def _etag(info: Any) -> str:
    return info.metadata.get(ETAG_ENTRY, info.etag)


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, timezone.utc)


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # S3 ignores a date it cannot read
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _etag_matches(header: str, etag: str) -> bool:
    wanted = [t.strip().removeprefix("W/").strip('"') for t in header.split(",")]
    return "*" in wanted or etag in wanted


def _check_get_conditions(headers: Mapping[str, str], info: Any) -> bool:
    """S3's conditional GET: raise PreconditionFailed, or True for 304 Not Modified."""
    etag = _etag(info)
    modified = info.last_modified.replace(microsecond=0)
    if_match, if_none = headers.get("if-match"), headers.get("if-none-match")
    unmodified_since, modified_since = _http_date(headers.get("if-unmodified-since")), _http_date(
        headers.get("if-modified-since"))
    if if_match is not None:
        if not _etag_matches(if_match, etag):
            raise S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                          Condition="If-Match")
    elif unmodified_since is not None and modified > unmodified_since:
        raise S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                      Condition="If-Unmodified-Since")
    if if_none is not None:
        return _etag_matches(if_none, etag)
    return modified_since is not None and modified <= modified_since


def _check_copy_conditions(headers: Mapping[str, str], source: Any) -> None:
    mapped = {
        "if-match": headers.get("x-amz-copy-source-if-match"),
        "if-none-match": headers.get("x-amz-copy-source-if-none-match"),
        "if-modified-since": headers.get("x-amz-copy-source-if-modified-since"),
        "if-unmodified-since": headers.get("x-amz-copy-source-if-unmodified-since"),
    }
    if _check_get_conditions({k: v for k, v in mapped.items() if v is not None}, source):
        raise S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold")


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    """``[start, end)`` of a ``Range: bytes=...`` header; None for the whole object (no header,
    or one S3 ignores); InvalidRange when it starts past the end."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes="):].strip().partition("-")
    try:
        if first == "":
            suffix = int(last)
            if suffix <= 0:
                raise ValueError
            return (max(size - suffix, 0), size) if size else _unsatisfiable(size)
        start = int(first)
        end = size if last == "" else min(int(last) + 1, size)
    except ValueError:
        return None
    if start >= size:
        _unsatisfiable(size)
    if end <= start:
        return None
    return start, end


def _unsatisfiable(size: int) -> tuple[int, int]:
    raise S3Error("InvalidRange", "The requested range is not satisfiable", ActualObjectSize=str(size))


def _copy_range(header: str | None, size: int) -> tuple[int, int] | None:
    if header is None:
        return None
    first, _, last = header.removeprefix("bytes=").partition("-")
    if not (first.isdigit() and last.isdigit()) or int(first) > int(last) or int(last) >= size:
        raise S3Error("InvalidArgument", f"x-amz-copy-source-range {header!r} is not bytes=first-last within the "
                      f"source's {size} bytes")
    return int(first), int(last) + 1


def _copy_source(header: str) -> tuple[str, str]:
    source = unquote(header.split("?", 1)[0]).lstrip("/")
    if "?versionId=" in header and not header.endswith("versionId=null"):
        raise S3Error("NotImplemented", "copying a version other than the null version")
    bucket, _, key = source.partition("/")
    if not bucket or not key:
        raise S3Error("InvalidArgument", "x-amz-copy-source is bucket/key")
    return bucket, key


def _max_keys(value: str | None) -> int:
    if value is None or value == "":
        return 1000
    if not value.isdigit():
        raise S3Error("InvalidArgument", f"max-keys must be a non-negative integer, not {value!r}")
    return min(int(value), 1000)


def _part_number(value: str | None, *, allow_zero: bool = False) -> int:
    if value is None or not value.isdigit() or not (0 if allow_zero else 1) <= int(value) <= MAX_PARTS:
        raise S3Error("InvalidArgument", f"part number must be an integer between 1 and {MAX_PARTS}")
    return int(value)


async def _exists(client: Any, bucket: str, key: str) -> bool:
    try:
        await run_in_threadpool(client.head_object, bucket, key)
    except memo_errors.NoSuchKey:
        return False
    return True


# -- answers ------------------------------------------------------------------------------


def _xml(body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="application/xml")


def _error(exc: S3Error, request: Request, request_id: str) -> Response:
    if request.method == "HEAD":  # a HEAD answer has no body; the status says it
        return Response(status_code=exc.status, headers={"x-amz-error-code": exc.code})
    return Response(exc.xml(request_id), status_code=exc.status, media_type="application/xml")


