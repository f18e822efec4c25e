"""S3's errors: a code, an HTTP status and a message, sent as S3's XML error body.

Every failure the gateway answers is an :class:`S3Error`; the SDK's own errors are
mapped to one in :func:`memo_py.gateway.app` (NoSuchBucket, NoSuchKey, ...), and
anything unforeseen is an InternalError, never a traceback or a partial write.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from memo_py import errors as sdk_errors

__all__ = ["S3Error", "STATUS", "error_xml", "from_sdk"]

#: The HTTP status of each S3 error code the gateway sends.
STATUS = {
    "AccessDenied": 403,
    "AuthorizationHeaderMalformed": 400,
    "AuthorizationQueryParametersError": 400,
    "BadDigest": 400,
    "BucketAlreadyOwnedByYou": 409,
    "BucketNotEmpty": 409,
    "EntityTooLarge": 400,
    "EntityTooSmall": 400,
    "IncompleteBody": 400,
    "InternalError": 500,
    "InvalidAccessKeyId": 403,
    "InvalidArgument": 400,
    "InvalidBucketName": 400,
    "InvalidChunkSizeError": 400,
    "InvalidDigest": 400,
    "InvalidPart": 400,
    "InvalidPartOrder": 400,
    "InvalidRange": 416,
    "InvalidRequest": 400,
    "KeyTooLongError": 400,
    "MalformedXML": 400,
    "MethodNotAllowed": 405,
    "MissingContentLength": 411,
    "NoSuchBucket": 404,
    "NoSuchKey": 404,
    "NoSuchUpload": 404,
    "NotImplemented": 501,
    "PreconditionFailed": 412,
    "RequestTimeTooSkewed": 403,
    "ServiceUnavailable": 503,
    "SignatureDoesNotMatch": 403,
    "XAmzContentSHA256Mismatch": 400,
}


class S3Error(Exception):
    """An S3 error answer: ``code`` (a key of :data:`STATUS`), a message, and what it is about."""

    def __init__(self, code: str, message: str, *, resource: str = "", **extra: str) -> None:
        if code not in STATUS:
            raise ValueError(f"unknown S3 error code {code!r}")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.resource = resource
        self.extra = extra

    @property
    def status(self) -> int:
        return STATUS[self.code]

    def xml(self, request_id: str = "") -> bytes:
        return error_xml(self.code, self.message, resource=self.resource, request_id=request_id, **self.extra)


def error_xml(code: str, message: str, *, resource: str = "", request_id: str = "", **extra: str) -> bytes:
    """S3's ``<Error>`` document."""
    fields = [("Code", code), ("Message", message)]
    if resource:
        fields.append(("Resource", resource))
    fields += sorted(extra.items())
    if request_id:
        fields.append(("RequestId", request_id))
    body = "".join(f"<{name}>{escape(str(value))}</{name}>" for name, value in fields)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{body}</Error>'.encode()


def from_sdk(exc: Exception) -> S3Error:
    """S3's error for an exception of the User client."""
    from memo_py.chain.errors import ChainUnavailable

    table: list[tuple[type[BaseException], str]] = [
        (sdk_errors.NoSuchBucket, "NoSuchBucket"),
        (sdk_errors.NoSuchKey, "NoSuchKey"),
        (sdk_errors.BucketNotEmpty, "BucketNotEmpty"),
        (sdk_errors.BucketAlreadyExists, "BucketAlreadyOwnedByYou"),
        (sdk_errors.InvalidBucketName, "InvalidBucketName"),
        (sdk_errors.InvalidObjectKey, "KeyTooLongError"),
        (sdk_errors.IndexUnavailable, "ServiceUnavailable"),
        (sdk_errors.NotEnoughChunks, "ServiceUnavailable"),
        (sdk_errors.UploadFailed, "ServiceUnavailable"),
        (ChainUnavailable, "ServiceUnavailable"),
    ]
    for kind, code in table:
        if isinstance(exc, kind):
            if code == "KeyTooLongError" and "bytes" not in str(exc):
                code = "InvalidArgument"
            return S3Error(code, str(exc))
    return S3Error("InternalError", "We encountered an internal error. Please try again.")
