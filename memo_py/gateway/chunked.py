"""``aws-chunked`` request bodies, decoded as they arrive.

S3 clients send a body in this framing when they sign it chunk by chunk
(``STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]``) or when they send its checksum after it
(``STREAMING-UNSIGNED-PAYLOAD-TRAILER``, what botocore and the other current SDKs do over
HTTPS by default)::

    <hex size>[;chunk-signature=<64 hex>]\\r\\n<data>\\r\\n     (repeated)
    0[;chunk-signature=<64 hex>]\\r\\n                           (the final chunk)
    <name>:<value>\\r\\n                                          (trailers, if any; signed
    x-amz-trailer-signature:<64 hex>\\r\\n                        trailers end with their signature)
    \\r\\n

The decoder is fed the body piece by piece and holds at most one chunk plus a header line: an
unsigned chunk's data is passed on as it comes, a signed chunk's only once its signature has
checked (so nothing unauthenticated ever reaches storage). The signatures are those of
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
sigv4-streaming-trailers.html; :class:`memo_py.gateway.auth.ChunkSigner` computes them.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from memo_py.gateway.auth import ChunkSigner
from memo_py.gateway.errors import S3Error

__all__ = ["AwsChunkedDecoder", "MAX_LINE", "MAX_TRAILERS"]

#: The longest chunk header or trailer line (a signed header is ~90 bytes).
MAX_LINE = 4096
#: The most trailer bytes a body may end with.
MAX_TRAILERS = 16 * 1024

_SIZE = re.compile(rb"[0-9a-fA-F]{1,16}")
_SIGNATURE = re.compile(rb"chunk-signature=([0-9a-f]{64})")
_TRAILER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9a-z]+")
_TRAILER_SIGNATURE = "x-amz-trailer-signature"

# Where the decoder is in the body.
_HEADER = "chunk header"  # reading a chunk's size line
_DATA = "chunk data"  # reading a chunk's data
_DATA_END = "end of chunk data"  # expecting the CRLF after a chunk's data
_TRAILERS = "trailers"  # after the final chunk: trailer lines until an empty one
_MAYBE_END = "end of body"  # an empty line came first: the end, or (as AWS's example shows) before the trailers
_DONE = "done"


class AwsChunkedDecoder:
    """Decodes an ``aws-chunked`` body fed piece by piece, checking chunk and trailer signatures
    when ``chunk_signer`` is given (the request's :attr:`memo_py.gateway.auth.Verified.chunk_signer`).

    Errors are :class:`S3Error`: SignatureDoesNotMatch for a chunk or trailer signature that is
    wrong or missing (or trailers in a body whose signing mode covers none), InvalidChunkSizeError
    for a size that is not hex or passes ``max_chunk``, IncompleteBody for broken framing or a
    body that ends early, InvalidRequest for bytes after the end.
    """

    def __init__(self, chunk_signer: ChunkSigner | None, *, max_chunk: int = 16 * 2**20) -> None:
        self._signer = chunk_signer
        self._max_chunk = max_chunk
        self._state = _HEADER
        self._line = bytearray()  # a header/trailer line (or the CRLF after data) being assembled
        self._remaining = 0  # data bytes of the current chunk still to come
        self._chunk_signature = ""  # what the current chunk's header says its signature is
        self._previous = chunk_signer.seed_signature if chunk_signer is not None else ""
        self._held = bytearray()  # a signed chunk's data, until its signature checks
        self._digest = hashlib.sha256()
        self._trailers: dict[str, str] = {}
        self._trailer_bytes = 0
        self._trailer_signature: str | None = None
        self.decoded_length = 0  #: payload bytes decoded so far

    def feed(self, data: bytes) -> bytes:
        """The payload bytes that ``data`` (the body's next bytes) completes; may be ``b""``."""
        out = bytearray()
        view = memoryview(data)
        pos = 0
        while pos < len(view):
            if self._state == _DONE:
                raise S3Error("InvalidRequest", "the aws-chunked body goes on after its end")
            if self._state == _DATA:
                piece = view[pos:pos + self._remaining]
                pos += len(piece)
                self._remaining -= len(piece)
                if self._signer is None:
                    out += piece
                    self.decoded_length += len(piece)
                else:
                    self._digest.update(piece)
                    self._held += piece
                if self._remaining == 0:
                    self._state = _DATA_END
                continue
            end = data.find(b"\n", pos)
            take = len(view) if end < 0 else end + 1
            if len(self._line) + take - pos > MAX_LINE:
                raise S3Error("IncompleteBody", f"the aws-chunked body has a line longer than {MAX_LINE} bytes "
                              f"in its {self._state}")
            self._line += view[pos:take]
            pos = take
            if end >= 0:
                line = bytes(self._line)
                self._line.clear()
                if not line.endswith(b"\r\n"):
                    raise S3Error("IncompleteBody", f"a line of the aws-chunked body's {self._state} ends without CR")
                out += self._line_done(line[:-2])
        return bytes(out)

    def finish(self) -> dict[str, str]:
        """The trailers (lower-case names; without x-amz-trailer-signature), once the body has ended.

        Raises IncompleteBody if it ended before its final chunk and trailers did.
        """
        # The trailer signature seals the trailers: the empty line after it adds nothing to check.
        sealed = (self._state == _TRAILERS and self._trailer_signature is not None
                  and self._signer is not None and self._signer.signs_trailer)
        if not self._line and (self._state == _MAYBE_END or sealed):
            self._end()
        if self._state != _DONE:
            raise S3Error("IncompleteBody", f"the aws-chunked body ended in its {self._state}, "
                          f"after {self.decoded_length} bytes of payload")
        return dict(self._trailers)

    def _line_done(self, line: bytes) -> bytes:
        """Act on a complete line (without its CRLF); return the payload bytes it releases."""
        if self._state == _HEADER:
            self._chunk_header(line)
            return b""
        if self._state == _DATA_END:
            if line:
                raise S3Error("IncompleteBody", "a chunk of the aws-chunked body is longer than its size says")
            return self._chunk_done()
        if self._state == _MAYBE_END:
            if not line:
                raise S3Error("IncompleteBody", "the aws-chunked body has two empty lines after its final chunk")
            self._state = _TRAILERS
        if not line:
            if self._trailers or self._trailer_signature is not None:
                self._end()
            else:
                self._state = _MAYBE_END
            return b""
        self._trailer(line)
        return b""

    def _chunk_header(self, line: bytes) -> None:
        size, _, extensions = line.partition(b";")
        if not _SIZE.fullmatch(size):
            raise S3Error("InvalidChunkSizeError", f"the aws-chunked body has a chunk size that is not hex: "
                          f"{size[:32]!r}")
        self._remaining = int(size, 16)
        if self._remaining > self._max_chunk:
            raise S3Error("InvalidChunkSizeError", f"a chunk of {self._remaining} bytes is larger than the "
                          f"{self._max_chunk} bytes a chunk may have")
        if self._signer is not None:
            match = _SIGNATURE.fullmatch(extensions)
            if match is None:
                raise S3Error("SignatureDoesNotMatch", "a chunk of the signed aws-chunked body has no chunk-signature")
            self._chunk_signature = match.group(1).decode()
        if self._remaining == 0:
            # The zero-size chunk ends the payload; its signature is checked now, as nothing follows it.
            self._chunk_done()
            self._state = _TRAILERS
        else:
            self._state = _DATA

    def _chunk_done(self) -> bytes:
        """The chunk is complete: check its signature; release its data."""
        self._state = _HEADER
        if self._signer is None:
            return b""
        expected = self._signer.chunk_signature(self._previous, self._digest.hexdigest())
        if not hmac.compare_digest(expected, self._chunk_signature):
            raise S3Error("SignatureDoesNotMatch", f"the signature of the chunk after {self.decoded_length} bytes "
                          "of payload does not match")
        self._previous = expected
        self._digest = hashlib.sha256()
        released = bytes(self._held)
        self._held.clear()
        self.decoded_length += len(released)
        return released

    def _trailer(self, line: bytes) -> None:
        self._trailer_bytes += len(line) + 2
        if self._trailer_bytes > MAX_TRAILERS:
            raise S3Error("IncompleteBody", f"the aws-chunked body has more than {MAX_TRAILERS} bytes of trailers")
        name, colon, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if not colon or not _TRAILER_NAME.fullmatch(name):
            raise S3Error("IncompleteBody", f"the aws-chunked body has a malformed trailer line: {line[:64]!r}")
        if name in self._trailers or (name == _TRAILER_SIGNATURE and self._trailer_signature is not None):
            raise S3Error("IncompleteBody", f"the aws-chunked body has the trailer {name!r} twice")
        if name == _TRAILER_SIGNATURE:
            self._trailer_signature = value.strip()
        else:
            self._trailers[name] = value.strip()

    def _end(self) -> None:
        """The trailers are complete: check what signs them."""
        self._state = _DONE
        if self._signer is None:
            return  # STREAMING-UNSIGNED-PAYLOAD-TRAILER: nothing signs the trailers (their checksums guard the data)
        if not self._signer.signs_trailer:
            if self._trailers or self._trailer_signature is not None:
                raise S3Error("SignatureDoesNotMatch", "the aws-chunked body has trailers its signature does not cover")
            return
        if self._trailer_signature is None:
            raise S3Error("SignatureDoesNotMatch", "the aws-chunked body has no x-amz-trailer-signature")
        canonical = "".join(f"{name}:{self._trailers[name]}\n" for name in sorted(self._trailers))
        expected = self._signer.trailer_signature(self._previous, canonical.encode("latin-1"))
        if not hmac.compare_digest(expected.encode(), self._trailer_signature.encode("latin-1")):
            raise S3Error("SignatureDoesNotMatch", "the trailer signature of the aws-chunked body does not match")
