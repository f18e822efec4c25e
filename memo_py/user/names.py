"""Bucket names and object keys, validated the way S3 validates them.

Buckets (S3 general-purpose bucket rules): 3 to 63 characters of lowercase
letters, digits, dots and hyphens; starting and ending with a letter or digit;
no two adjacent dots; not formatted as an IPv4 address; not starting with
``xn--``, ``sthree-`` or ``amzn-s3-demo-``; not ending with ``-s3alias``,
``--ol-s3``, ``.mrap`` or ``--x-s3``.

Keys: 1 to 1024 bytes of UTF-8 (any Unicode text S3 accepts; lone surrogates
cannot be encoded and are refused).
"""

from __future__ import annotations

import re

from memo_py.errors import InvalidBucketName, InvalidObjectKey

__all__ = ["MAX_KEY_BYTES", "validate_bucket_name", "validate_object_key"]

MAX_KEY_BYTES = 1024

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]")
_IPV4 = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3")


def validate_bucket_name(name: object) -> str:
    """Return ``name`` if it is a valid bucket name; raise :class:`InvalidBucketName` naming the rule."""
    if not isinstance(name, str):
        raise InvalidBucketName(f"a bucket name is a string, not {type(name).__name__}")
    if not 3 <= len(name) <= 63:
        raise InvalidBucketName(f"bucket name {name!r} must be 3 to 63 characters long, not {len(name)}")
    if not _BUCKET.fullmatch(name):
        raise InvalidBucketName(
            f"bucket name {name!r} may hold only lowercase letters, digits, dots and hyphens,"
            " and must start and end with a letter or digit"
        )
    if ".." in name:
        raise InvalidBucketName(f"bucket name {name!r} must not contain two adjacent dots")
    if _IPV4.fullmatch(name):
        raise InvalidBucketName(f"bucket name {name!r} must not be formatted as an IP address")
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            raise InvalidBucketName(f"bucket name {name!r} must not start with {prefix!r}")
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            raise InvalidBucketName(f"bucket name {name!r} must not end with {suffix!r}")
    return name


def validate_object_key(key: object) -> str:
    """Return ``key`` if it is a valid object key; raise :class:`InvalidObjectKey`."""
    if not isinstance(key, str):
        raise InvalidObjectKey(f"an object key is a string, not {type(key).__name__}")
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidObjectKey(f"object key {key!r} is not valid Unicode text") from None
    if not 1 <= size <= MAX_KEY_BYTES:
        raise InvalidObjectKey(f"an object key is 1 to {MAX_KEY_BYTES} bytes of UTF-8, got {size}")
    return key
