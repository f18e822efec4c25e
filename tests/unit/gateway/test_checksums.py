"""Checksums against known answers and against botocore's client-side checksum classes; what
requested_algorithms reads from the headers botocore really sends; every kind of mismatch."""

from __future__ import annotations

import base64
import hashlib

import pytest
from botocore.httpchecksum import (
    Crc32Checksum,
    CrtCrc32cChecksum,
    CrtCrc32Checksum,
    CrtCrc64NvmeChecksum,
    Sha1Checksum,
    Sha256Checksum,
)
from hypothesis import given
from hypothesis import strategies as st

from memo_py.gateway.checksums import ALGORITHMS, Checksums, expected_checksums, requested_algorithms
from memo_py.gateway.errors import S3Error
from tests.unit.gateway.test_auth import s3_client

CHECK = b"123456789"  # the standard CRC check input
KNOWN = {
    "crc32": (0xCBF43926).to_bytes(4, "big"),
    "crc32c": (0xE3069283).to_bytes(4, "big"),
    "crc64nvme": (0xAE8B14860A799888).to_bytes(8, "big"),
    "sha1": bytes.fromhex("f7c3bc1d808e04732adf679965ccc34ca7ae3441"),
    "sha256": bytes.fromhex("15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"),
}
BOTOCORE = {"crc32": [Crc32Checksum, CrtCrc32Checksum], "crc32c": [CrtCrc32cChecksum],
            "crc64nvme": [CrtCrc64NvmeChecksum], "sha1": [Sha1Checksum], "sha256": [Sha256Checksum]}


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def of(data: bytes, algorithms=ALGORITHMS) -> Checksums:
    checksums = Checksums(algorithms)
    checksums.update(data)
    return checksums


def code_of(call) -> str:
    with pytest.raises(S3Error) as caught:
        call()
    return caught.value.code


def test_known_answers():
    checksums = of(CHECK)
    assert {algorithm: checksums.value(algorithm) for algorithm in ALGORITHMS} == \
        {algorithm: b64(digest) for algorithm, digest in KNOWN.items()}
    assert checksums.md5_hex() == "25f9e794323b453885f5181f1b624d0b"
    assert checksums.verify({a: b64(d) for a, d in KNOWN.items()}) == {a: b64(d) for a, d in KNOWN.items()}
    empty = of(b"")
    assert (empty.value("crc32"), empty.value("crc64nvme")) == ("AAAAAA==", "AAAAAAAAAAA=")
    assert empty.md5_hex() == hashlib.md5(b"").hexdigest()
    # the CRC32C of AWS's chunked-upload example (66560 bytes of 'a'), as its trailer says
    assert of(b"a" * 66560, ["crc32c"]).value("crc32c") == "sOO8/Q=="


@given(pieces=st.lists(st.binary(max_size=3000), max_size=6))
def test_agrees_with_botocore_whatever_the_pieces(pieces):
    checksums = Checksums(ALGORITHMS)
    for piece in pieces:
        checksums.update(piece)
    data = b"".join(pieces)
    for algorithm, classes in BOTOCORE.items():
        for cls in classes:
            theirs = cls()
            theirs.update(data)
            assert checksums.value(algorithm) == theirs.b64digest(), (algorithm, cls)
    assert checksums.md5_hex() == hashlib.md5(data).hexdigest()


def test_a_mismatch_is_bad_digest():
    checksums = of(b"payload")
    for algorithm in ALGORITHMS:
        wrong = b64(bytes(len(KNOWN[algorithm])))
        assert code_of(lambda: checksums.verify({algorithm: wrong})) == "BadDigest"
    assert code_of(lambda: checksums.verify({}, content_md5=b64(hashlib.md5(b"other").digest()))) == "BadDigest"
    assert checksums.verify({}, content_md5=b64(hashlib.md5(b"payload").digest())) == {}


@pytest.mark.parametrize("value", ["not base64!", "AAAA", "AAAAAAAA", "AAAAAA=", "", "A" * 1000, "ü"])
def test_garbage_is_invalid_digest(value):
    checksums = of(b"payload")
    assert code_of(lambda: checksums.verify({"crc32": value})) == "InvalidDigest"
    assert code_of(lambda: checksums.verify({}, content_md5=value)) == "InvalidDigest"


def test_the_signed_sha256_must_match():
    checksums = of(b"payload", ["sha256"])
    digest = hashlib.sha256(b"payload").hexdigest()
    assert checksums.verify({}, content_sha256=digest) == {}
    assert checksums.verify({}, content_sha256=digest.upper()) == {}
    assert code_of(lambda: checksums.verify({}, content_sha256="0" * 64)) == "XAmzContentSHA256Mismatch"
    with pytest.raises(ValueError):
        of(b"payload", []).verify({}, content_sha256=digest)


def test_a_checksum_that_was_not_announced_or_is_unknown_is_refused():
    checksums = of(b"payload", ["crc32"])
    assert code_of(lambda: checksums.verify({"sha1": b64(hashlib.sha1(b"payload").digest())})) == "InvalidRequest"
    assert code_of(lambda: checksums.verify({"xxhash64": "AAAAAAAAAAA="})) == "InvalidRequest"
    with pytest.raises(ValueError):
        Checksums(["md4"])


# -- what real requests ask for --------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"])
@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:9000", "https://gw.example"])
def test_botocore_requests_ask_for_their_algorithm(algorithm, endpoint):
    client, sent = s3_client(endpoint)
    client.put_object(Bucket="b", Key="k", Body=b"data", ChecksumAlgorithm=algorithm)
    headers = sent[-1].headers
    asked = requested_algorithms(headers)
    signed_payload = endpoint.startswith("http:")  # over HTTPS botocore streams with an unsigned trailer
    assert asked == {algorithm.lower()} | ({"sha256"} if signed_payload else set())
    if signed_payload:  # the checksum is a header; over HTTPS it is the trailer (test_chunked decodes those)
        checksums = of(sent[-1].body, asked)
        expected = expected_checksums(headers, {})
        assert checksums.verify(expected, content_sha256=headers["x-amz-content-sha256"]) == \
            {algorithm.lower(): headers[f"x-amz-checksum-{algorithm.lower()}"]}


def test_botocore_default_is_crc32():
    client, sent = s3_client()
    client.put_object(Bucket="b", Key="k", Body=b"data")
    assert requested_algorithms(sent[-1].headers) == {"crc32", "sha256"}
    client.get_object(Bucket="b", Key="k")  # x-amz-checksum-mode: ENABLED names no digest
    assert sent[-1].headers["x-amz-checksum-mode"] == "ENABLED"
    assert requested_algorithms(sent[-1].headers) == {"sha256"}
    assert expected_checksums(sent[-1].headers, {}) == {}


def test_an_unknown_algorithm_is_refused():
    for headers in ({"x-amz-checksum-xxhash64": "AAAAAAAAAAA="}, {"x-amz-sdk-checksum-algorithm": "SHA512"},
                    {"x-amz-trailer": "x-amz-checksum-crc32, x-amz-checksum-md4"}):
        assert code_of(lambda: requested_algorithms(headers)) == "InvalidRequest"
    assert requested_algorithms({"x-amz-trailer": "x-amz-checksum-crc32, x-amz-meta-other",
                                 "x-amz-checksum-algorithm": "CRC32C", "x-amz-checksum-type": "FULL_OBJECT"}) \
        == {"crc32"}


def test_expected_checksums_from_headers_and_trailers():
    headers = {"x-amz-checksum-crc32": "AAAAAA==", "x-amz-checksum-mode": "ENABLED", "content-type": "x"}
    assert expected_checksums(headers, {"x-amz-checksum-sha1": "x"}) == {"crc32": "AAAAAA==", "sha1": "x"}
    assert expected_checksums(headers, {"x-amz-checksum-crc32": "AAAAAA=="}) == {"crc32": "AAAAAA=="}
    assert code_of(lambda: expected_checksums(headers, {"x-amz-checksum-crc32": "BBBBBB=="})) == "BadDigest"
