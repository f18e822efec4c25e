"""The gateway's own S3 rules, without a network: ranges, stored headers, multipart part
lists, XML bodies. Each broken input gets S3's error code."""

from __future__ import annotations

import hashlib

import pytest

from memo_py.gateway import s3xml
from memo_py.gateway.app import _copy_range, _object_headers, _range, _slice
from memo_py.gateway.errors import S3Error
from memo_py.gateway.multipart import MIN_PART_BYTES, Uploads, multipart_etag


def code(call, *args) -> str:
    with pytest.raises(S3Error) as raised:
        call(*args)
    return raised.value.code


@pytest.mark.parametrize("header, span", [
    ("bytes=0-9", (0, 10)), ("bytes=5-", (5, 100)), ("bytes=-10", (90, 100)), ("bytes=90-500", (90, 100)),
    ("bytes=-500", (0, 100)), (None, None), ("items=0-1", None), ("bytes=0-1,5-6", None), ("bytes=x-y", None),
    ("bytes=9-3", None),
])
def test_ranges_as_s3_reads_them(header, span):
    assert _range(header, 100) == span


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=150-200"])
def test_a_range_past_the_end_is_invalid_range(header):
    assert code(_range, header, 100) == "InvalidRange"


def test_slice_cuts_segments_to_the_range():
    segments = [b"abcd", b"efgh", b"ij"]
    assert b"".join(_slice(iter(segments), 3, 9)) == b"defghi"
    assert b"".join(_slice(iter(segments), 0, 10)) == b"abcdefghij"


def test_copy_source_range_must_lie_in_the_source():
    assert _copy_range("bytes=0-9", 10) == (0, 10)
    for bad in ("bytes=0-10", "bytes=5-1", "0-x"):
        assert code(_copy_range, bad, 10) == "InvalidArgument"


def test_aws_chunked_is_never_the_stored_content_encoding():
    content_type, metadata = _object_headers({
        "content-type": "text/plain", "content-encoding": "aws-chunked", "x-amz-meta-Mtime": "1",
        "cache-control": "no-cache", "authorization": "secret",
    })
    assert content_type == "text/plain"
    assert metadata == {"x-amz-meta-mtime": "1", "cache-control": "no-cache"}
    assert _object_headers({"content-encoding": "gzip, aws-chunked"})[1] == {"content-encoding": "gzip"}


def test_complete_checks_parts_order_etags_and_sizes(tmp_path):
    uploads = Uploads(tmp_path)
    info = uploads.create("alice", "bkt", "key", "binary/octet-stream", {})
    big, small = b"a" * MIN_PART_BYTES, b"b" * 10
    p1 = uploads.write_part(info, 1, big, {})
    p2 = uploads.write_part(info, 2, small, {})
    assert p1.etag == hashlib.md5(big).hexdigest()
    assert [p.number for p in uploads.chosen(info, [(1, p1.etag), (2, p2.etag)])] == [1, 2]
    assert code(uploads.chosen, info, [(2, p2.etag), (1, p1.etag)]) == "InvalidPartOrder"
    assert code(uploads.chosen, info, [(1, p1.etag), (3, p2.etag)]) == "InvalidPart"
    assert code(uploads.chosen, info, [(1, "0" * 32)]) == "InvalidPart"
    assert code(uploads.chosen, info, [(2, p2.etag), (3, p2.etag)]) == "InvalidPart"
    p3 = uploads.write_part(info, 3, small, {})
    assert code(uploads.chosen, info, [(2, p2.etag), (3, p3.etag)]) == "EntityTooSmall"
    assert multipart_etag([p1, p2]) == hashlib.md5(bytes.fromhex(p1.etag) + bytes.fromhex(p2.etag)).hexdigest() + "-2"
    assert code(uploads.get, "bob", info.upload_id, "bkt", "key") == "NoSuchUpload"  # another owner's
    assert code(uploads.get, "alice", "../../etc", "bkt", "key") == "NoSuchUpload"
    assert code(uploads.write_part, info, 0, b"x", {}) == "InvalidArgument"
    uploads.remove(info)
    assert code(uploads.get, "alice", info.upload_id, "bkt", "key") == "NoSuchUpload"


def test_abandoned_uploads_expire(tmp_path):
    uploads = Uploads(tmp_path, max_age=60)
    info = uploads.create("alice", "bkt", "key", "binary/octet-stream", {})
    uploads.write_part(info, 1, b"x", {})
    import time

    assert uploads.expire(time.time()) == []
    assert uploads.expire(time.time() + 61) == [info.upload_id]
    assert not (tmp_path / info.upload_id).exists()


@pytest.mark.parametrize("body", [b"", b"<Delete>", b"<Other/>", b"<Delete></Delete>",
                                  b"<Delete><Object><Nope/></Object></Delete>",
                                  b"<Delete>" + b"<Object><Key>k</Key></Object>" * 1001 + b"</Delete>"])
def test_bad_delete_bodies_are_malformed_xml(body):
    assert code(s3xml.parse_delete, body) == "MalformedXML"


def test_delete_and_complete_bodies_as_boto3_sends_them():
    keys, quiet = s3xml.parse_delete(
        b'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a b</Key></Object>'
        b"<Object><Key>c/&lt;d&gt;</Key></Object><Quiet>true</Quiet></Delete>")
    assert keys == ["a b", "c/<d>"] and quiet
    parts = s3xml.parse_complete(
        b'<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>"abc"</ETag>'
        b"<PartNumber>1</PartNumber></Part></CompleteMultipartUpload>")
    assert parts == [(1, "abc")]
    assert code(s3xml.parse_complete, b"<CompleteMultipartUpload/>") == "MalformedXML"
    billion_laughs = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;'
                      b'&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><Delete><Object><Key>&c;</Key>'
                      b"</Object></Delete>")
    keys, _ = s3xml.parse_delete(billion_laughs)  # small expansions are XML; large ones expat refuses
    assert keys == ["a" * 1000]


def test_a_part_refused_half_way_leaves_no_trace_and_the_earlier_part_in_place(tmp_path):
    uploads = Uploads(tmp_path)
    info = uploads.create("alice", "bkt", "key", "binary/octet-stream", {})
    first = uploads.write_part(info, 1, b"a" * 10, {})
    with pytest.raises(S3Error):
        with uploads.open_part(info, 1) as writer:  # a body whose checksum turns out wrong at its end
            writer.write(b"b" * 5)
            raise S3Error("BadDigest", "the checksum does not match")
    assert uploads.parts(info) == [first] and uploads.read_part(info, 1) == b"a" * 10
    assert not [p for p in (tmp_path / info.upload_id).iterdir() if p.suffix == ".tmp"]
    with uploads.open_part(info, 2) as writer:
        for piece in (b"x" * 3, b"y" * 4):
            writer.write(piece)
        second = writer.commit({"crc32": "AAAAAA=="})
    assert second.etag == hashlib.md5(b"xxxyyyy").hexdigest() and second.size == 7
    assert uploads.parts(info) == [first, second] and uploads.read_part(info, 2) == b"xxxyyyy"
