"""S3's XML documents: the answers the gateway writes and the request bodies it reads.

Answers are built as text (elements in the order S3 sends them; clients such as
rclone read them with strict decoders). Request bodies are parsed with the standard
library's expat (entity expansion is bounded there) after the body was read to a
small limit; anything malformed is S3's MalformedXML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import datetime, timezone
from urllib.parse import quote
from xml.sax.saxutils import escape

from memo_py.gateway.errors import S3Error

__all__ = ["NS", "check_root", "document", "element", "encode_key", "iso8601", "parse_complete", "parse_delete"]

NS = "http://s3.amazonaws.com/doc/2006-03-01/"

#: Request bodies the gateway parses are at most this long (DeleteObjects of 1,000 keys of 1 KiB fits).
MAX_XML_BYTES = 2 * 2**20


def iso8601(when: datetime) -> str:
    """S3's timestamp in listings: ``2026-12-03T18:00:00.000Z``."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def encode_key(text: str, encoding_type: str | None) -> str:
    """``text`` as a listing shows it: percent-encoded when the client asked for ``encoding-type=url``
    (what botocore asks for by default, and decodes)."""
    return quote(text, safe="/") if encoding_type == "url" else text


def element(name: str, value: object | Iterable[str] | None) -> str:
    """``<name>value</name>``: a scalar escaped, a list of already built children joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (str, int)):
        text = escape(str(value))
    else:
        text = "".join(value)  # children, built by element()
    return f"<{name}>{text}</{name}>"


def document(root: str, children: Iterable[str]) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NS}">' + "".join(children) + f"</{root}>").encode()


def _parse(body: bytes, root: str) -> ET.Element:
    if len(body) > MAX_XML_BYTES:
        raise S3Error("MalformedXML", f"the XML body is longer than {MAX_XML_BYTES} bytes")
    try:
        tree = ET.fromstring(body)
    except ET.ParseError as exc:
        raise S3Error("MalformedXML", f"the XML you provided was not well-formed: {exc}") from None
    if _local(tree.tag) != root:
        raise S3Error("MalformedXML", f"expected <{root}>, got <{_local(tree.tag)}>")
    return tree


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(node: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in node if _local(c.tag) == name]


def _text(node: ET.Element, name: str) -> str | None:
    found = _children(node, name)
    return None if not found else (found[0].text or "")


def check_root(body: bytes, root: str) -> None:
    """MalformedXML unless ``body`` is one well-formed ``<root>`` document."""
    _parse(body, root)


def parse_complete(body: bytes) -> list[tuple[int, str]]:
    """CompleteMultipartUpload's ``(part number, etag)`` list, in the order given."""
    tree = _parse(body, "CompleteMultipartUpload")
    parts = []
    for part in _children(tree, "Part"):
        number, etag = _text(part, "PartNumber"), _text(part, "ETag")
        if number is None or etag is None or not number.strip().isdigit():
            raise S3Error("MalformedXML", "each Part needs a PartNumber and an ETag")
        parts.append((int(number), etag.strip().strip('"')))
    if not parts:
        raise S3Error("MalformedXML", "CompleteMultipartUpload lists no Part")
    return parts


def parse_delete(body: bytes) -> tuple[list[str], bool]:
    """DeleteObjects' keys and its Quiet flag."""
    tree = _parse(body, "Delete")
    keys = []
    for obj in _children(tree, "Object"):
        key = _text(obj, "Key")
        if key is None:
            raise S3Error("MalformedXML", "each Object needs a Key")
        keys.append(key)
    if not keys:
        raise S3Error("MalformedXML", "Delete lists no Object")
    if len(keys) > 1000:
        raise S3Error("MalformedXML", f"Delete lists {len(keys)} objects; at most 1000")
    quiet = (_text(tree, "Quiet") or "false").strip().lower() == "true"
    return keys, quiet
