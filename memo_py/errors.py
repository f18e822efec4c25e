"""The exception hierarchy of MEMO-py.

Every error the SDK raises on bad input is a ``MemoError``. Each subclass also
inherits the builtin that fits it, so callers that already catch ``ValueError``
or ``LookupError`` keep working.
"""

from __future__ import annotations

__all__ = [
    "MemoError",
    "InvalidLength",
    "NonCanonicalElement",
    "NativeError",
    "ZeroInverse",
    "InvalidPoint",
    "InvalidProof",
    "InvalidSignature",
    "DecryptionFailed",
    "ConfigError",
    "NotEnoughChunks",
    "IndexUnavailable",
    "RequestRejected",
    "RequestExpired",
    "RequestReplayed",
    "BadRequestSignature",
    "NotPermitted",
    "UnknownOrder",
    "UnknownEpoch",
    "AgreementConflict",
    "CapacityExceeded",
    "CommitmentMismatch",
    "ResultsMismatch",
    "InvalidBucketName",
    "InvalidObjectKey",
    "NoSuchBucket",
    "NoSuchKey",
    "BucketAlreadyExists",
    "BucketNotEmpty",
    "UploadFailed",
    "ChecksumMismatch",
    "RequestTooLarge",
    "AnswerTooLarge",
    "MalformedAnswer",
    "WrongType",
]


class MemoError(Exception):
    """Base class of every error raised by MEMO-py."""


class InvalidLength(MemoError, ValueError):
    """A byte string or array has the wrong length."""


class NonCanonicalElement(MemoError, ValueError):
    """A 32-byte field element is not below the BLS12-381 scalar modulus."""


class NativeError(MemoError, RuntimeError):
    """The native extension reported a status that no more specific error covers."""


class ZeroInverse(MemoError, ZeroDivisionError):
    """Zero was given where a field element must be inverted."""


class InvalidPoint(MemoError, ValueError):
    """Bytes that should encode a curve point do not (or not in the right subgroup)."""


class InvalidProof(MemoError, ValueError):
    """A KZG proof or commitment does not verify."""


class InvalidSignature(MemoError, ValueError):
    """A BLS signature or proof of possession does not verify."""


class DecryptionFailed(MemoError, ValueError):
    """An AES-GCM ciphertext was tampered with, or the key is wrong."""


class ConfigError(MemoError, ValueError):
    """A configuration value is missing or invalid."""


class NotEnoughChunks(MemoError, LookupError):
    """Fewer than k intact chunks of a stripe are available, so it cannot be decoded.

    ``failures`` maps each Provider (its address) that did not serve a good chunk to why:
    ``"chunk 2: wrong bytes"``, ``"chunk 0: ConnectError ..."`` (empty where no Provider is
    involved, as in :func:`memo_py.codec.erasure.decode`).
    """

    def __init__(self, message: str, *, failures: dict[str, str] | None = None):
        super().__init__(message)
        self.failures = dict(failures or {})


class IndexUnavailable(MemoError, ConnectionError):
    """The User's index cannot be read in full, so the client does not guess at it: too many
    of the Providers that hold it are unreachable, or what they return does not authenticate.
    Nothing is known to be lost; the index reads again once the Providers are back.

    ``unreachable`` maps each unreachable Provider to why; ``providers`` counts the Providers
    that hold the User's orders; ``needed`` is the k of an index record short of chunks (0 if none).
    """

    def __init__(self, message: str, *, unreachable: dict[str, str] | None = None, providers: int = 0, needed: int = 0):
        super().__init__(message)
        self.unreachable = dict(unreachable or {})
        self.providers = providers
        self.needed = needed


class RequestRejected(MemoError, PermissionError):
    """A signed request between agents failed authentication."""


class RequestExpired(RequestRejected):
    """A signed request is past its expiry, or claims an expiry too far ahead."""


class RequestReplayed(RequestRejected):
    """A signed request reuses a nonce the receiver has already accepted."""


class BadRequestSignature(RequestRejected):
    """A signed request's signature is malformed or was made by another key."""


class NotPermitted(MemoError, PermissionError):
    """An authenticated sender asked for something its role does not allow (HTTP 403)."""


class UnknownOrder(MemoError, LookupError):
    """No agreement or order is known under this id (HTTP 404)."""


class UnknownEpoch(MemoError, LookupError):
    """The epoch has no seed yet, or nothing is to be proven in it (HTTP 404)."""


class AgreementConflict(MemoError, ValueError):
    """A request contradicts an agreement already made, or state it depends on (HTTP 409)."""


class CapacityExceeded(MemoError, OSError):
    """Accepting the request would exceed the Provider's free capacity (HTTP 507)."""


class CommitmentMismatch(MemoError, ValueError):
    """A Provider's commitments for an order are missing, malformed, or do not hash to the order's on-chain root."""


class ResultsMismatch(MemoError, ValueError):
    """Proposed epoch results differ from this Keeper's own (HTTP 409): it will not sign them."""


class InvalidBucketName(MemoError, ValueError):
    """A bucket name breaks the S3 naming rules (3-63 chars of a-z, 0-9, '.', '-', ...)."""


class InvalidObjectKey(MemoError, ValueError):
    """An object key is empty, longer than 1024 bytes of UTF-8, or not text."""


class NoSuchBucket(MemoError, LookupError):
    """The bucket does not exist in the User's index."""


class NoSuchKey(MemoError, LookupError):
    """The object does not exist in the bucket."""


class BucketAlreadyExists(MemoError, ValueError):
    """A bucket of that name already exists in the User's index."""


class BucketNotEmpty(MemoError, ValueError):
    """A bucket still holds objects, so it cannot be deleted."""


class UploadFailed(MemoError, RuntimeError):
    """An upload could not place, check or settle every chunk; nothing was recorded in the index.

    ``failures`` maps each Provider (its address) and Keeper (its URL) that failed the
    upload to why; it is empty when the cause is no participant's (an order that would
    start too soon, a Provider too few for the layout).
    """

    def __init__(self, message: str, *, failures: dict[str, str] | None = None):
        super().__init__(message)
        self.failures = dict(failures or {})


class ChecksumMismatch(MemoError, ValueError):
    """A downloaded object does not match the etag (MD5) its manifest recorded."""


class RequestTooLarge(MemoError, ValueError):
    """A request body is longer than its endpoint accepts (HTTP 413); it was read no further."""


class AnswerTooLarge(MemoError, ValueError):
    """Another agent's answer is longer than the caller expects; it was read no further."""


class MalformedAnswer(MemoError, ValueError):
    """Another agent answered with a body that is not what the protocol says (not JSON, or
    wrong fields, types or values)."""


class WrongType(MemoError, TypeError):
    """An argument of the wrong type: a float or a bool for an amount, an int for bytes."""
