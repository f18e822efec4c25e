"""Listing a bucket a page at a time, as S3's ``ListObjectsV2`` does.

Keys are listed in ascending order of their UTF-8 bytes (for ``str`` that is the
order of code points, so plain sorting gives it). With a ``delimiter``, the keys
under ``prefix`` whose rest holds the delimiter are rolled up into one *common
prefix* (``prefix`` + the rest up to and including the first delimiter); each
common prefix takes one place of the page's ``max_keys``, as in S3.

A page that stops early carries a ``next_token``: opaque to the caller (URL-safe
base64), it says where the next page starts, after the last key or past every key
under the last common prefix. A token that does not decode is an error, never a
silent restart from the top.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from memo_py.errors import MemoError

__all__ = ["MAX_KEYS", "InvalidListing", "Page", "list_page"]

#: The most entries (keys and common prefixes) one page holds, as in S3.
MAX_KEYS = 1000

T = TypeVar("T")
U = TypeVar("U")


class InvalidListing(MemoError, ValueError):
    """A listing argument that cannot be honoured (a malformed token, ``max_keys`` out of range)."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing."""

    #: The entries listed, by key.
    items: tuple[T, ...]
    #: The common prefixes (with a delimiter), in order.
    common_prefixes: tuple[str, ...]
    #: Whether more entries follow; then ``next_token`` starts the next page.
    is_truncated: bool
    next_token: str | None

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        """The same page with every item converted."""
        return Page(tuple(convert(i) for i in self.items), self.common_prefixes, self.is_truncated, self.next_token)


def _token(kind: str, value: str) -> str:
    return base64.urlsafe_b64encode((kind + value).encode()).decode()


def _read_token(token: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidListing("the continuation token is malformed") from None
    if not raw or raw[0] not in "kp":
        raise InvalidListing("the continuation token is malformed")
    return raw[0], raw[1:]


def list_page(
    entries: Iterable[tuple[str, T]],
    *,
    prefix: str = "",
    delimiter: str = "",
    start_after: str = "",
    max_keys: int = MAX_KEYS,
    token: str | None = None,
) -> Page[T]:
    """One page of ``entries`` (``(key, item)`` pairs, any order). ``token`` (from an earlier
    page) takes precedence over ``start_after``, as in S3."""
    if isinstance(max_keys, bool) or not isinstance(max_keys, int) or not 0 <= max_keys <= MAX_KEYS:
        raise InvalidListing(f"max_keys must be an integer from 0 to {MAX_KEYS}, got {max_keys!r}")
    after, past = start_after, None  # list keys > after, and none under the prefix ``past``
    if token is not None:
        kind, value = _read_token(token)
        after = value
        past = value if kind == "p" else None
    items: list[T] = []
    prefixes: list[str] = []
    last: tuple[str, str] | None = None
    count = 0
    truncated = False
    for key, item in sorted(entries, key=lambda e: e[0]):
        if not key.startswith(prefix) or key <= after or (past is not None and key.startswith(past)):
            continue
        rest = key[len(prefix):]
        cut = rest.find(delimiter) if delimiter else -1
        if cut >= 0:
            common = prefix + rest[: cut + len(delimiter)]
            if prefixes and prefixes[-1] == common:
                continue  # one more key under the prefix just listed
            if count == max_keys:
                truncated = True
                break
            prefixes.append(common)
            last = ("p", common)
        else:
            if count == max_keys:
                truncated = True
                break
            items.append(item)
            last = ("k", key)
        count += 1
    next_token = _token(*last) if truncated and last is not None else None
    return Page(tuple(items), tuple(prefixes), truncated and last is not None, next_token)
