"""AwsChunkedDecoder on real aws-chunked bodies: botocore's own encoder (unsigned, CRC trailers),
a request botocore sent, and AWS's documented signed-chunk examples (known answers), fed in
arbitrary pieces; and each way a body can be broken."""

from __future__ import annotations

import base64
import hashlib
import io
import zlib

import pytest
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum, CrtCrc32cChecksum, CrtCrc64NvmeChecksum
from hypothesis import given
from hypothesis import strategies as st

from memo_py.gateway.auth import ChunkSigner, verify_request
from memo_py.gateway.checksums import Checksums, expected_checksums, requested_algorithms
from memo_py.gateway.chunked import MAX_LINE, AwsChunkedDecoder
from memo_py.gateway.errors import S3Error
from tests.unit.gateway.test_auth import AWS_KEY, AWS_NOW, AWS_SECRET, aws_chunked_headers, s3_client

#: The chunk signatures of AWS's examples: 64 KiB and 1 KiB of 'a', then the final chunk.
AWS_SIGNED = ("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
              "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
              "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9")
AWS_TRAILER = ("b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
               "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
               "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992")
AWS_TRAILER_SIGNATURE = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
AWS_PAYLOAD = b"a" * 66560


def aws_signer(*, trailer: bool) -> ChunkSigner:
    """The ChunkSigner verify_request makes of AWS's example request."""
    verified = verify_request("PUT", "/examplebucket/chunkObject.txt", "", aws_chunked_headers(trailer=trailer),
                              {AWS_KEY: AWS_SECRET}.get, AWS_NOW)
    assert verified.chunk_signer is not None
    return verified.chunk_signer


def aws_body(*, trailer: bool, blank_before_trailers: bool = False) -> bytes:
    """AWS's example body, byte for byte (the trailer one as the AWS SDKs frame it)."""
    signatures = AWS_TRAILER if trailer else AWS_SIGNED
    body = (b"10000;chunk-signature=%s\r\n" % signatures[0].encode() + b"a" * 65536 + b"\r\n"
            + b"400;chunk-signature=%s\r\n" % signatures[1].encode() + b"a" * 1024 + b"\r\n"
            + b"0;chunk-signature=%s\r\n" % signatures[2].encode())
    if not trailer:
        return body + b"\r\n"
    # The documentation's page draws an empty line between the final chunk and the trailers.
    return (body + (b"\r\n" if blank_before_trailers else b"") + b"x-amz-checksum-crc32c:sOO8/Q==\r\n"
            + b"x-amz-trailer-signature:%s\r\n\r\n" % AWS_TRAILER_SIGNATURE.encode())


def decode(decoder: AwsChunkedDecoder, body: bytes, cuts: list[int] | None = None,
           step: int | None = None) -> tuple[bytes, dict[str, str]]:
    """Feed ``body`` cut at ``cuts`` (or every ``step`` bytes); return (payload, trailers)."""
    if step is not None:
        cuts = list(range(step, len(body), step))
    bounds = [0, *sorted(cuts or []), len(body)]
    out = b"".join(decoder.feed(body[a:b]) for a, b in zip(bounds, bounds[1:]))
    return out, decoder.finish()


def encode_signed(signer: ChunkSigner, data: bytes, sizes: list[int], trailers: dict[str, str] | None = None) -> bytes:
    """An aws-chunked body signed per AWS's spec (checked against AWS's examples below)."""
    out, previous, pos = bytearray(), signer.seed_signature, 0
    for size in [*sizes, 0]:
        chunk = data[pos:pos + size]
        pos += size
        previous = signer.chunk_signature(previous, hashlib.sha256(chunk).hexdigest())
        out += b"%x;chunk-signature=%s\r\n" % (len(chunk), previous.encode())
        if chunk:
            out += chunk + b"\r\n"
    if trailers is None:
        return bytes(out + b"\r\n")
    canonical = "".join(f"{name}:{trailers[name]}\n" for name in sorted(trailers)).encode()
    out += "".join(f"{name}:{value}\r\n" for name, value in trailers.items()).encode()
    out += b"x-amz-trailer-signature:%s\r\n\r\n" % signer.trailer_signature(previous, canonical).encode()
    return bytes(out)


def code_of(call) -> str:
    with pytest.raises(S3Error) as caught:
        call()
    return caught.value.code


# -- AWS's examples ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("step", [None, 1, 7, 100, 65536, 65537, 70000])
def test_aws_signed_chunks_example(step):
    decoder = AwsChunkedDecoder(aws_signer(trailer=False))
    assert decode(decoder, aws_body(trailer=False), step=step) == (AWS_PAYLOAD, {})
    assert decoder.decoded_length == 66560


@pytest.mark.parametrize("blank_before_trailers", [False, True])
@pytest.mark.parametrize("step", [None, 3, 4096])
def test_aws_signed_trailer_example(step, blank_before_trailers):
    body = aws_body(trailer=True, blank_before_trailers=blank_before_trailers)
    payload, trailers = decode(AwsChunkedDecoder(aws_signer(trailer=True)), body, step=step)
    assert (payload, trailers) == (AWS_PAYLOAD, {"x-amz-checksum-crc32c": "sOO8/Q=="})
    # and the trailer is right: the CRC32C of the payload
    checksums = Checksums(["crc32c"])
    checksums.update(payload)
    assert checksums.verify(expected_checksums({}, trailers)) == {"crc32c": "sOO8/Q=="}


def test_the_signed_trailers_final_empty_line_may_be_missing():
    body = aws_body(trailer=True)
    assert decode(AwsChunkedDecoder(aws_signer(trailer=True)), body[:-2])[1] == {"x-amz-checksum-crc32c": "sOO8/Q=="}


def test_our_test_encoder_reproduces_the_aws_examples():
    assert encode_signed(aws_signer(trailer=False), AWS_PAYLOAD, [65536, 1024]) == aws_body(trailer=False)
    assert encode_signed(aws_signer(trailer=True), AWS_PAYLOAD, [65536, 1024],
                         {"x-amz-checksum-crc32c": "sOO8/Q=="}) == aws_body(trailer=True)


def test_a_signed_chunk_is_held_until_its_signature_checks():
    decoder = AwsChunkedDecoder(aws_signer(trailer=False))
    body = aws_body(trailer=False)
    first_end = body.index(b"\r\n") + 2 + 65536
    assert decoder.feed(body[:first_end]) == b""  # all its data, but not the CRLF that ends it
    assert decoder.feed(body[first_end:first_end + 2]) == b"a" * 65536


# -- botocore's encoder (unsigned payload, checksum trailer) -------------------------------------------------


CHECKSUMS = [(Crc32Checksum, "crc32"), (CrtCrc32cChecksum, "crc32c"), (CrtCrc64NvmeChecksum, "crc64nvme")]


@given(data=st.binary(max_size=20000), chunk_size=st.integers(1, 9000),
       cuts=st.lists(st.integers(0, 30000), max_size=12), checksum=st.sampled_from(CHECKSUMS))
def test_botocore_aws_chunked_bodies_decode(data, chunk_size, cuts, checksum):
    checksum_cls, algorithm = checksum
    name = f"x-amz-checksum-{algorithm}"
    body = AwsChunkedWrapper(io.BytesIO(data), checksum_cls=checksum_cls, checksum_name=name,
                             chunk_size=chunk_size).read()
    decoder = AwsChunkedDecoder(None)
    payload, trailers = decode(decoder, body, [c for c in cuts if c <= len(body)])
    expected = checksum_cls()
    expected.update(data)
    assert (payload, trailers) == (data, {name: expected.b64digest()})
    assert decoder.decoded_length == len(data)


@pytest.mark.parametrize("size", [0, 1, 2**20 - 1, 2**20, 2**20 + 1, 3 * 2**20 + 5])
def test_botocore_default_chunks_of_a_mebibyte(size):
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    body = AwsChunkedWrapper(io.BytesIO(data), checksum_cls=Crc32Checksum).read()
    payload, trailers = decode(AwsChunkedDecoder(None), body, step=65536)
    assert payload == data
    assert trailers == {"x-amz-checksum": base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()}


def test_a_request_botocore_sent_decodes_and_verifies():
    client, sent = s3_client("https://gw.example")
    client.put_object(Bucket="bkt", Key="k", Body=b"hello, aws-chunked" * 1000, ChecksumAlgorithm="CRC32C")
    request = sent[-1]
    verified = request.verify()
    decoder = AwsChunkedDecoder(verified.chunk_signer)
    checksums = Checksums(requested_algorithms(request.headers))
    payload, trailers = decode(decoder, request.body, step=1000)
    checksums.update(payload)
    assert payload == b"hello, aws-chunked" * 1000
    assert int(request.headers["x-amz-decoded-content-length"]) == decoder.decoded_length
    assert set(checksums.verify(expected_checksums(request.headers, trailers))) == {"crc32c"}


def test_unsigned_data_is_passed_on_as_it_comes():
    decoder = AwsChunkedDecoder(None)
    assert decoder.feed(b"6\r\nabc") == b"abc"
    assert decoder.feed(b"def\r\n0\r\n\r\n") == b"def"
    assert decoder.finish() == {}


# -- signed bodies of any shape (our encoder, checked against AWS's examples above) --------------------------


@given(data=st.binary(max_size=5000), sizes=st.lists(st.integers(1, 2000), max_size=8),
       cuts=st.lists(st.integers(0, 6000), max_size=8), trailer=st.booleans())
def test_signed_bodies_decode_whatever_their_chunks_and_pieces(data, sizes, cuts, trailer):
    sizes = [*sizes, len(data)]
    chunks, pos = [], 0
    for size in sizes:
        if pos < len(data):
            chunks.append(min(size, len(data) - pos))
            pos += chunks[-1]
    signer = aws_signer(trailer=trailer)
    trailers = {"x-amz-checksum-sha256": base64.b64encode(hashlib.sha256(data).digest()).decode()} if trailer else None
    body = encode_signed(signer, data, chunks, trailers)
    assert decode(AwsChunkedDecoder(signer), body, [c for c in cuts if c <= len(body)]) == (data, trailers or {})


# -- broken bodies -------------------------------------------------------------------------------------------


def test_a_wrong_chunk_signature_is_refused():
    body = aws_body(trailer=False)
    wrong = body.replace(AWS_SIGNED[1].encode(), b"f" + AWS_SIGNED[1][1:].encode())
    decoder = AwsChunkedDecoder(aws_signer(trailer=False))
    assert code_of(lambda: decode(decoder, wrong)) == "SignatureDoesNotMatch"
    damaged = bytearray(body)
    damaged[200] = ord("b")  # a data byte
    assert code_of(lambda: decode(AwsChunkedDecoder(aws_signer(trailer=False)), bytes(damaged))) \
        == "SignatureDoesNotMatch"
    final = body.replace(AWS_SIGNED[2].encode(), AWS_SIGNED[1].encode())
    assert code_of(lambda: decode(AwsChunkedDecoder(aws_signer(trailer=False)), final)) == "SignatureDoesNotMatch"
    # chunks in another order: the chain breaks at once
    signer = aws_signer(trailer=False)
    chunks = encode_signed(signer, b"x" * 20, [10, 10]).split(b"\r\n")
    swapped = b"\r\n".join([chunks[2], chunks[3], chunks[0], chunks[1], *chunks[4:]])
    assert code_of(lambda: decode(AwsChunkedDecoder(signer), swapped)) == "SignatureDoesNotMatch"


def test_a_signed_body_with_an_unsigned_chunk_is_refused():
    body = aws_body(trailer=False).replace(b";chunk-signature=" + AWS_SIGNED[0].encode(), b"")
    assert code_of(lambda: decode(AwsChunkedDecoder(aws_signer(trailer=False)), body)) == "SignatureDoesNotMatch"


def test_a_wrong_or_missing_trailer_signature_is_refused():
    body = aws_body(trailer=True)
    cases = [
        body.replace(b"sOO8/Q==", b"AAAAAA=="),  # the trailer changed
        body.replace(AWS_TRAILER_SIGNATURE.encode(), b"0" * 64),
        body.replace(b"x-amz-trailer-signature:" + AWS_TRAILER_SIGNATURE.encode() + b"\r\n", b""),
        body.replace(b"\r\n\r\n", b"\r\nx-amz-meta-extra:1\r\n\r\n"),  # a trailer added after the signature
    ]
    for case in cases:
        assert code_of(lambda: decode(AwsChunkedDecoder(aws_signer(trailer=True)), case)) == "SignatureDoesNotMatch"
    # trailers a body signed without them cannot carry
    unsigned_trailer = aws_body(trailer=False)[:-2] + b"x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n"
    assert code_of(lambda: decode(AwsChunkedDecoder(aws_signer(trailer=False)), unsigned_trailer)) \
        == "SignatureDoesNotMatch"


@pytest.mark.parametrize("signed", [False, True])
def test_a_truncated_body_is_incomplete(signed):
    body = aws_body(trailer=True) if signed else AwsChunkedWrapper(
        io.BytesIO(b"z" * 3000), checksum_cls=Crc32Checksum, chunk_size=1000).read()
    for end in sorted({0, 1, 5, 90, 500, len(body) // 2, len(body) - 40, len(body) - 3, len(body) - 1}):
        if signed and end == len(body) - 2:
            continue  # the one allowed ending: after the trailer signature
        decoder = AwsChunkedDecoder(aws_signer(trailer=True) if signed else None)
        decoder.feed(body[:end])
        assert code_of(decoder.finish) == "IncompleteBody", end


@pytest.mark.parametrize("body,code", [
    (b"zz\r\nab\r\n0\r\n\r\n", "InvalidChunkSizeError"),
    (b"0x2\r\nab\r\n0\r\n\r\n", "InvalidChunkSizeError"),
    (b"+2\r\nab\r\n0\r\n\r\n", "InvalidChunkSizeError"),
    (b" 2\r\nab\r\n0\r\n\r\n", "InvalidChunkSizeError"),
    (b"\r\nab\r\n0\r\n\r\n", "InvalidChunkSizeError"),
    (b"11111111111111111\r\n", "InvalidChunkSizeError"),
    (b"2\nab\r\n0\r\n\r\n", "IncompleteBody"),  # LF without CR
    (b"2\r\nabc\r\n0\r\n\r\n", "IncompleteBody"),  # more data than the size says
    (b"2\r\nab\r\n0\r\nnot a trailer\r\n\r\n", "IncompleteBody"),
    (b"2\r\nab\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", "IncompleteBody"),
    (b"2\r\nab\r\n0\r\n\r\n\r\n", "IncompleteBody"),
    (b"2\r\nab\r\n0\r\n\r\nmore", "IncompleteBody"),  # a trailer line cut short
    (b"2\r\nab\r\n0\r\nx:1\r\n\r\nmore", "InvalidRequest"),  # after the trailers' end, nothing
    (b"1" * (MAX_LINE + 1), "IncompleteBody"),
])
def test_malformed_framing(body, code):
    assert code_of(lambda: decode(AwsChunkedDecoder(None), body)) == code


def test_a_chunk_larger_than_the_limit_is_refused():
    body = AwsChunkedWrapper(io.BytesIO(b"q" * 5000), chunk_size=4096).read()
    assert decode(AwsChunkedDecoder(None, max_chunk=4096), body)[0] == b"q" * 5000
    assert code_of(lambda: decode(AwsChunkedDecoder(None, max_chunk=4095), body)) == "InvalidChunkSizeError"
    signed = aws_body(trailer=False)
    assert code_of(lambda: AwsChunkedDecoder(aws_signer(trailer=False), max_chunk=65535).feed(signed[:100])) \
        == "InvalidChunkSizeError"
