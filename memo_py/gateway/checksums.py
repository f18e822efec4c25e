"""The integrity checks S3 clients send with a body, computed as the body streams in.

Current SDKs send a CRC32 (or CRC32C, CRC64NVME, SHA-1, SHA-256) of every upload, in an
``x-amz-checksum-<algorithm>`` header or, with ``aws-chunked`` bodies, trailer; older ones a
Content-MD5; SigV4 may sign the body's SHA-256 (``x-amz-content-sha256``). A mismatch means the
bytes were damaged on the way, and the upload is refused before anything is stored. MD5 is
always computed: it is the object's ETag.

Values are S3's: the base64 of the big-endian digest. CRC32 is zlib's, CRC32C and CRC64NVME
are awscrt's (the implementations botocore itself uses).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from collections.abc import Callable, Iterable, Mapping

from awscrt import checksums as crt

from memo_py.gateway.errors import S3Error

__all__ = ["ALGORITHMS", "Checksums", "expected_checksums", "requested_algorithms"]

ALGORITHMS = ("crc32", "crc32c", "crc64nvme", "sha1", "sha256")

#: CRCs: (function of (data, running value), digest size in bytes).
_CRCS: dict[str, tuple[Callable[[bytes, int], int], int]] = {
    "crc32": (zlib.crc32, 4),
    "crc32c": (crt.crc32c, 4),
    "crc64nvme": (crt.crc64nvme, 8),
}
_PREFIX = "x-amz-checksum-"
#: x-amz-checksum-* headers that name no digest: CreateMultipartUpload's algorithm, GetObject's mode, the type.
_NOT_DIGESTS = frozenset({"algorithm", "mode", "type"})


class Checksums:
    """Streaming digests of a body: MD5 always (the ETag), plus the x-amz-checksum-* algorithms asked for."""

    def __init__(self, algorithms: Iterable[str]) -> None:
        self._crcs: dict[str, int] = {}
        self._hashes = {"md5": hashlib.md5(usedforsecurity=False)}
        for algorithm in algorithms:
            if algorithm in _CRCS:
                self._crcs[algorithm] = 0
            elif algorithm in ("sha1", "sha256"):
                self._hashes[algorithm] = hashlib.new(algorithm)
            else:
                raise ValueError(f"unknown checksum algorithm {algorithm!r}; expected one of {ALGORITHMS}")

    def update(self, data: bytes) -> None:
        for algorithm, value in self._crcs.items():
            self._crcs[algorithm] = _CRCS[algorithm][0](data, value)
        for digest in self._hashes.values():
            digest.update(data)

    @property
    def algorithms(self) -> frozenset[str]:
        """The x-amz-checksum-* algorithms computed (MD5 aside)."""
        return frozenset(self._crcs) | (frozenset(self._hashes) - {"md5"})

    def md5_hex(self) -> str:
        return self._hashes["md5"].hexdigest()

    def value(self, algorithm: str) -> str:
        """The body's ``algorithm`` checksum as S3 sends it: base64 of the big-endian digest."""
        return base64.b64encode(self._digest(algorithm)).decode("ascii")

    def verify(self, expected: Mapping[str, str], *, content_md5: str | None = None,
               content_sha256: str | None = None) -> dict[str, str]:
        """Check the body against what the client said of it; return the verified ``{algorithm: base64}``.

        ``expected`` maps algorithms to the base64 values of x-amz-checksum-* headers or trailers
        (:func:`expected_checksums`); ``content_md5`` is the Content-MD5 header (base64),
        ``content_sha256`` the signed x-amz-content-sha256 (hex; its algorithm, sha256, must have
        been computed: :func:`requested_algorithms` asks for it). A value that is not base64 of
        the right length is InvalidDigest; a mismatch BadDigest, or XAmzContentSHA256Mismatch.
        """
        if content_md5 is not None and self._decode("Content-MD5", content_md5, 16) != self._digest("md5"):
            raise S3Error("BadDigest", "The Content-MD5 you specified did not match what we received.",
                          ExpectedDigest=content_md5, CalculatedDigest=base64.b64encode(self._digest("md5")).decode())
        if content_sha256 is not None:
            if "sha256" not in self._hashes:
                raise ValueError("x-amz-content-sha256 cannot be checked: sha256 was not among the algorithms")
            calculated = self._hashes["sha256"].hexdigest()
            if content_sha256.lower() != calculated:
                raise S3Error("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match "
                              "what was computed.", ClientComputedContentSHA256=content_sha256,
                              S3ComputedContentSHA256=calculated)
        verified = {}
        for algorithm, value in expected.items():
            if algorithm not in ALGORITHMS:
                raise S3Error("InvalidRequest", f"the checksum algorithm {algorithm!r} is not supported; "
                              f"the gateway checks {', '.join(ALGORITHMS)}")
            if algorithm not in self.algorithms:
                raise S3Error("InvalidRequest", f"x-amz-checksum-{algorithm} was sent without being announced "
                              "(x-amz-sdk-checksum-algorithm, x-amz-trailer)")
            digest = self._digest(algorithm)
            if self._decode(f"x-amz-checksum-{algorithm}", value, len(digest)) != digest:
                raise S3Error("BadDigest", f"The {algorithm.upper()} you specified did not match the calculated "
                              "checksum.")
            verified[algorithm] = self.value(algorithm)
        return verified

    def _digest(self, algorithm: str) -> bytes:
        if algorithm in self._crcs:
            return self._crcs[algorithm].to_bytes(_CRCS[algorithm][1], "big")
        return self._hashes[algorithm].digest()

    @staticmethod
    def _decode(name: str, value: str, size: int) -> bytes:
        try:
            digest = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            digest = b""
        if len(digest) != size:
            raise S3Error("InvalidDigest", f"The {name} you specified is not valid: expected the base64 of "
                          f"{size} bytes, got {value[:64]!r}")
        return digest


def requested_algorithms(headers: Mapping[str, str]) -> set[str]:
    """The algorithms a request asks to be checked (``headers`` maps lower-case names to values):
    its x-amz-checksum-<alg> headers, x-amz-sdk-checksum-algorithm, the x-amz-checksum-* names in
    x-amz-trailer, and sha256 when x-amz-content-sha256 is a digest. An algorithm the gateway
    does not know is InvalidRequest: it would otherwise go unchecked."""
    names = []
    for name in headers.keys():
        name = name.lower()
        if name.startswith(_PREFIX) and name[len(_PREFIX):] not in _NOT_DIGESTS:
            names.append(name[len(_PREFIX):])
    sdk = headers.get("x-amz-sdk-checksum-algorithm")
    if sdk:
        names.append(sdk.strip().lower())
    for trailer in (headers.get("x-amz-trailer") or "").split(","):
        trailer = trailer.strip().lower()
        if trailer.startswith(_PREFIX):
            names.append(trailer[len(_PREFIX):])
    unknown = sorted(set(names) - set(ALGORITHMS))
    if unknown:
        raise S3Error("InvalidRequest", f"the checksum algorithm {unknown[0]!r} is not supported; "
                      f"the gateway checks {', '.join(ALGORITHMS)}")
    content_sha256 = headers.get("x-amz-content-sha256") or ""
    if len(content_sha256) == 64 and all(c in "0123456789abcdefABCDEF" for c in content_sha256):
        names.append("sha256")
    return set(names)


def expected_checksums(headers: Mapping[str, str], trailers: Mapping[str, str]) -> dict[str, str]:
    """``{algorithm: base64}`` of the x-amz-checksum-* headers and trailers, for :meth:`Checksums.verify`
    (headers that name no digest, such as x-amz-checksum-mode, left out). A value sent both ways
    must agree: otherwise one of them is wrong, BadDigest."""
    expected: dict[str, str] = {}
    for source in (headers, trailers):
        for name in source.keys():
            lower = name.lower()
            if lower.startswith(_PREFIX) and lower[len(_PREFIX):] not in _NOT_DIGESTS:
                algorithm, value = lower[len(_PREFIX):], source[name].strip()
                if expected.setdefault(algorithm, value) != value:
                    raise S3Error("BadDigest", f"x-amz-checksum-{algorithm} was sent twice, with different values")
    return expected
