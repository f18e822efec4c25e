"""verify_request against requests botocore itself signed (its client, its presigner, its signers),
the known answers of AWS's documentation, and every part of a signed request tampered with."""

from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta, timezone
from urllib.parse import quote, urlsplit

import botocore.session
import pytest
from botocore.auth import HmacV1Auth, S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials
from starlette.datastructures import Headers

from memo_py.gateway.auth import STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, Verified, verify_request
from memo_py.gateway.errors import S3Error

ACCESS_KEY = "AKIDEXAMPLE"
#: A secret with the characters that trip hand-written signers ('/', '+', '=', '~').
SECRET = "wJalr/XUtn+FEMI=K7MDENG~bPxRfiCYEXAMPLEKEY"
SECRETS = {ACCESS_KEY: SECRET}

#: Object keys that need encoding, or look like they do: spaces, unicode, '+', '~', '=', '/', and S3's "special" set.
KEYS = [
    "plain.txt",
    "a b",
    "c+d",
    "tilde~x",
    "eq=x",
    "dir/sub/leaf",
    "ünïcödé/ключ/鍵",
    "sp ace+plus=eq~til/ü",
    "!*'()$&,;:@",
    "percent%20literal",
    "trailing/",
    "//double//slash",
]

AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # the example credentials of AWS's documentation
AWS_NOW = datetime(2013, 5, 24, tzinfo=timezone.utc)
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@dataclasses.dataclass(frozen=True)
class Wire:
    """A request as the gateway receives it: the wire's path and query, headers by lower-case name."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes = b""

    def verify(self, now: datetime | None = None, secrets: dict[str, str] = SECRETS, **kw) -> Verified:
        return verify_request(self.method, self.path, self.query, self.headers, secrets.get,
                              now or self.signed_at(), **kw)

    def signed_at(self) -> datetime:
        amz_date = self.headers.get("x-amz-date") or dict(_pairs(self.query)).get("X-Amz-Date")
        if amz_date is not None:
            return datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        return datetime.now(timezone.utc)

    def with_headers(self, **changes: str | None) -> Wire:
        """A copy with headers (``x_amz_date`` for x-amz-date) set, or removed when None."""
        headers = dict(self.headers)
        for name, value in changes.items():
            if value is None:
                headers.pop(name.replace("_", "-"))
            else:
                headers[name.replace("_", "-")] = value
        return dataclasses.replace(self, headers=headers)


def _pairs(query: str) -> list[tuple[str, str]]:
    return [tuple(p.partition("=")[::2]) for p in query.split("&") if p]


def wire_of(method: str, url: str, headers: dict[str, str | bytes] | None = None, body: bytes = b"") -> Wire:
    """The request a client sending ``url`` puts on the wire (Host from the URL, as urllib3 adds it)."""
    parts = urlsplit(url)
    lower = {k.lower(): v.decode("latin-1") if isinstance(v, bytes) else v for k, v in (headers or {}).items()}
    lower.setdefault("host", parts.netloc)
    return Wire(method, parts.path, parts.query, lower, body)


class _Raw:
    def stream(self, **_):
        yield b""


#: One session (it loads S3's service model once), and one client per configuration: making one is slow.
_SESSION = botocore.session.get_session()
_CLIENTS: dict[str, tuple[object, list[Wire]]] = {}


def s3_client(endpoint: str = "http://127.0.0.1:9000", *, region: str = "us-east-1",
              **config) -> tuple[object, list[Wire]]:
    """A botocore S3 client (path-style) whose requests are captured instead of sent, and their list."""
    config.setdefault("s3", {}).setdefault("addressing_style", "path")
    key = repr((endpoint, region, sorted(config.items())))
    if key not in _CLIENTS:
        client = _SESSION.create_client("s3", region_name=region, endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                                        aws_secret_access_key=SECRET, config=Config(**config))
        sent: list[Wire] = []

        def capture(request, **_):
            body = request.body.read() if hasattr(request.body, "read") else (request.body or b"")
            sent.append(wire_of(request.method, request.url, dict(request.headers), body))
            return AWSResponse(request.url, 200, {}, _Raw())

        client.meta.events.register("before-send.s3", capture)
        _CLIENTS[key] = client, sent
    client, sent = _CLIENTS[key]
    sent.clear()
    return client, sent


def code_of(call) -> str:
    with pytest.raises(S3Error) as caught:
        call()
    assert caught.value.status >= 400
    return caught.value.code


# -- botocore's client, header-signed ----------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_a_signed_put_verifies_with_its_payload_hash(key):
    client, sent = s3_client()
    client.put_object(Bucket="bkt", Key=key, Body=b"hello world", Metadata={"note": "x  y"})
    request = sent[-1]
    assert request.path.startswith("/bkt/")
    verified = request.verify()
    assert verified == Verified(ACCESS_KEY, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9", None)


@pytest.mark.parametrize("key", KEYS)
def test_a_signed_get_with_a_range_verifies(key):
    client, sent = s3_client()
    client.get_object(Bucket="bkt", Key=key, Range="bytes=0-9")
    assert sent[-1].verify().access_key == ACCESS_KEY


def test_query_parameters_are_signed():
    client, sent = s3_client()
    client.list_objects_v2(Bucket="bkt", Prefix="a b/+ü=~", Delimiter="/", StartAfter="x&y=z", MaxKeys=7)
    assert "prefix=" in sent[-1].query
    sent[-1].verify()
    client.list_multipart_uploads(Bucket="bkt")  # ?uploads, a parameter without a value
    assert sent[-1].query.startswith("uploads")
    sent[-1].verify()


def test_unsigned_payload_over_https():
    client, sent = s3_client("https://gw.example", s3={"payload_signing_enabled": False})
    client.get_object(Bucket="bkt", Key="a b")
    assert sent[-1].verify().payload == "UNSIGNED-PAYLOAD"


def test_an_https_upload_is_streamed_with_an_unsigned_trailer():
    client, sent = s3_client("https://gw.example:8443")
    client.put_object(Bucket="bkt", Key="k", Body=b"abc")
    verified = sent[-1].verify()
    assert verified.payload == "STREAMING-UNSIGNED-PAYLOAD-TRAILER" and verified.chunk_signer is None
    assert sent[-1].headers["host"] == "gw.example:8443"


def test_a_starlette_headers_mapping_with_a_repeated_header():
    request = AWSRequest("PUT", "http://127.0.0.1:9000/bkt/k")
    request.headers["x-amz-meta-tag"] = "one"
    request.headers["x-amz-meta-tag"] = "two"  # repeated: signed as "one,two"
    S3SigV4Auth(Credentials(ACCESS_KEY, SECRET), "s3", "us-east-1").add_auth(request)
    raw = [(b"host", b"127.0.0.1:9000")] + [(k.lower().encode(), v.encode()) for k, v in request.headers.items()]
    headers = Headers(raw=raw)
    now = datetime.strptime(request.context["timestamp"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    assert verify_request("PUT", "/bkt/k", "", headers, SECRETS.get, now).payload == EMPTY_SHA256
    only_first = {k.decode(): v.decode() for k, v in reversed(raw)}  # a plain dict keeps one value
    assert code_of(lambda: verify_request("PUT", "/bkt/k", "", only_first, SECRETS.get, now)) == "SignatureDoesNotMatch"


def test_header_values_are_trimmed_and_the_date_header_may_stand_for_x_amz_date():
    request = AWSRequest("PUT", "http://127.0.0.1:9000/bkt/k", headers={
        "x-amz-meta-spaced": "  a   b  c ",
        "Date": "Mon, 01 Jan 2024 00:00:00 GMT"})
    S3SigV4Auth(Credentials(ACCESS_KEY, SECRET), "s3", "us-east-1").add_auth(request)
    assert "X-Amz-Date" not in request.headers
    wire = wire_of("PUT", request.url, dict(request.headers))
    date = datetime.strptime(request.context["timestamp"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    assert wire.verify(now=date + timedelta(minutes=14)).access_key == ACCESS_KEY
    assert code_of(lambda: wire.verify(now=date + timedelta(minutes=16))) == "RequestTimeTooSkewed"


def test_a_path_encoded_otherwise_than_botocore_does_is_canonicalized_per_the_spec():
    # A client may send '!' and '@' as they are and '%7e' for '~', but it signs the spec's encoding.
    spec_path = "/bkt/" + quote("a!b@c~d", safe="~")
    request = AWSRequest("GET", f"http://127.0.0.1:9000{spec_path}?name=a%20b")
    S3SigV4Auth(Credentials(ACCESS_KEY, SECRET), "s3", "us-east-1").add_auth(request)
    wire = wire_of("GET", request.url, dict(request.headers))
    assert dataclasses.replace(wire, path="/bkt/a!b@c%7ed", query="name=a+b").verify().access_key == ACCESS_KEY
    assert code_of(lambda: dataclasses.replace(wire, path="/bkt/a!b@c%7ed/").verify()) == "SignatureDoesNotMatch"


# -- presigned URLs --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_presigned_get_and_put_verify(key):
    client, _ = s3_client(signature_version="s3v4")
    get = client.generate_presigned_url("get_object", Params={
        "Bucket": "bkt", "Key": key, "ResponseContentDisposition": 'attachment; filename="x y+z.txt"'}, ExpiresIn=300)
    assert wire_of("GET", get).verify() == Verified(ACCESS_KEY, "UNSIGNED-PAYLOAD", None)
    put = client.generate_presigned_url("put_object", Params={"Bucket": "bkt", "Key": key}, ExpiresIn=300)
    assert wire_of("PUT", put, body=b"anything").verify().payload == "UNSIGNED-PAYLOAD"
    assert code_of(lambda: wire_of("PUT", get).verify()) == "SignatureDoesNotMatch"


def test_a_presigned_url_expires():
    client, _ = s3_client(signature_version="s3v4")
    wire = wire_of("GET", client.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=60))
    signed_at = wire.signed_at()
    assert wire.verify(now=signed_at + timedelta(seconds=60)).access_key == ACCESS_KEY
    with pytest.raises(S3Error) as caught:
        wire.verify(now=signed_at + timedelta(seconds=61))
    assert (caught.value.code, caught.value.message) == ("AccessDenied", "Request has expired")
    assert code_of(lambda: wire.verify(now=signed_at - timedelta(minutes=16))) == "AccessDenied"  # not valid yet


def test_a_presigned_url_lives_at_most_a_week():
    client, _ = s3_client(signature_version="s3v4")
    week = wire_of("GET", client.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"},
                                                        ExpiresIn=604800))
    assert week.verify().access_key == ACCESS_KEY
    longer = wire_of("GET", client.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"},
                                                          ExpiresIn=604801))
    assert code_of(longer.verify) == "AuthorizationQueryParametersError"


@pytest.mark.parametrize("change,code", [
    (lambda q: q.replace("X-Amz-Expires=300", "X-Amz-Expires=3000"), "SignatureDoesNotMatch"),
    (lambda q: q + "&extra=1", "SignatureDoesNotMatch"),
    (lambda q: q.replace("X-Amz-Signature=", "X-Amz-Signature=0"), "AuthorizationQueryParametersError"),
    (lambda q: q.replace("X-Amz-Credential=", "X-Amz-Nothing="), "AuthorizationQueryParametersError"),
    (lambda q: q.replace("X-Amz-Expires=300", "X-Amz-Expires=-1"), "AuthorizationQueryParametersError"),
    (lambda q: q.replace("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1"),
     "AuthorizationQueryParametersError"),
    (lambda q: q.replace("us-east-1", "eu-west-1"), "AuthorizationQueryParametersError"),
    (lambda q: q.replace(ACCESS_KEY, "AKIDOTHER"), "InvalidAccessKeyId"),
])
def test_a_tampered_presigned_url_is_refused(change, code):
    client, _ = s3_client(signature_version="s3v4")
    wire = wire_of("GET", client.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "a b"},
                                                        ExpiresIn=300))
    assert code_of(lambda: dataclasses.replace(wire, query=change(wire.query)).verify()) == code
    assert code_of(lambda: dataclasses.replace(wire, path="/b/a%20c").verify()) == "SignatureDoesNotMatch"


# -- tampering with a header-signed request ---------------------------------------------------------------


@pytest.fixture
def signed_put() -> Wire:
    client, sent = s3_client()
    client.put_object(Bucket="bkt", Key="dir/a b+c", Body=b"payload", ContentType="text/plain",
                      Metadata={"owner": "alice"})
    return sent[-1]


def test_each_signed_part_is_covered(signed_put):
    assert signed_put.verify().access_key == ACCESS_KEY
    signed_at = signed_put.signed_at()
    # A second away, on the same day (the credential names the day).
    shifted = signed_at + timedelta(seconds=1 if signed_at.time() < time(23, 59, 59) else -1)
    later = shifted.strftime("%Y%m%dT%H%M%SZ")
    tampered = [
        dataclasses.replace(signed_put, method="POST"),
        dataclasses.replace(signed_put, path="/bkt/dir/a%20b%2Bd"),
        dataclasses.replace(signed_put, path="/other/dir/a%20b%2Bc"),
        dataclasses.replace(signed_put, query="acl"),
        signed_put.with_headers(x_amz_meta_owner="mallory"),
        signed_put.with_headers(content_type="text/html"),
        signed_put.with_headers(host="evil.example"),
        signed_put.with_headers(x_amz_date=later),
        signed_put.with_headers(x_amz_content_sha256="0" * 64),
        signed_put.with_headers(x_amz_meta_owner=None),  # a signed header removed
    ]
    for wire in tampered:
        assert code_of(wire.verify) == "SignatureDoesNotMatch", wire
    assert code_of(lambda: signed_put.verify(secrets={ACCESS_KEY: SECRET + "x"})) == "SignatureDoesNotMatch"
    assert code_of(lambda: signed_put.verify(secrets={})) == "InvalidAccessKeyId"
    # Headers that were not signed may change, and be added.
    assert signed_put.with_headers(user_agent="other", x_amz_meta_new="1").verify().access_key == ACCESS_KEY


def test_another_access_key_or_region_is_refused(signed_put):
    # The access key only picks the secret (SigV4 does not sign the key itself): another key, another secret.
    other = signed_put.with_headers(authorization=signed_put.headers["authorization"].replace(ACCESS_KEY, "AKIDOTHER"))
    assert code_of(lambda: other.verify(secrets={**SECRETS, "AKIDOTHER": "another secret"})) == "SignatureDoesNotMatch"
    with pytest.raises(S3Error) as caught:
        signed_put.verify(region="eu-west-1")
    assert caught.value.code == "AuthorizationHeaderMalformed" and caught.value.extra == {"Region": "eu-west-1"}
    client, sent = s3_client(region="eu-west-1")
    client.get_object(Bucket="b", Key="k")
    assert sent[-1].verify(region="eu-west-1").access_key == ACCESS_KEY
    assert code_of(sent[-1].verify) == "AuthorizationHeaderMalformed"


def test_a_skewed_clock_is_refused(signed_put):
    signed_at = signed_put.signed_at()
    for skew in (timedelta(minutes=14, seconds=59), -timedelta(minutes=15)):
        assert signed_put.verify(now=signed_at + skew).access_key == ACCESS_KEY
    for skew in (timedelta(minutes=15, seconds=1), -timedelta(hours=2)):
        assert code_of(lambda: signed_put.verify(now=signed_at + skew)) == "RequestTimeTooSkewed"


@pytest.mark.parametrize("authorization,code", [
    ("AWS4-HMAC-SHA256 garbage", "AuthorizationHeaderMalformed"),
    ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/s3/aws4_request, SignedHeaders=host",
     "AuthorizationHeaderMalformed"),
    ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + "0" * 64,
     "AuthorizationHeaderMalformed"),
    ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{date}/us-east-1/sqs/aws4_request, SignedHeaders=host;"
     "x-amz-content-sha256;x-amz-date, Signature=" + "0" * 64, "AuthorizationHeaderMalformed"),
    ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/19990101/us-east-1/s3/aws4_request, SignedHeaders=host;"
     "x-amz-content-sha256;x-amz-date, Signature=" + "0" * 64, "AuthorizationHeaderMalformed"),
    ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{date}/us-east-1/s3/aws4_request, SignedHeaders=x-amz-date, "
     "Signature=" + "0" * 64, "AuthorizationHeaderMalformed"),
    ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{date}/us-east-1/s3/aws4_request, SignedHeaders=host;"
     "x-amz-content-sha256;x-amz-date, Signature=XYZ", "AuthorizationHeaderMalformed"),
    ("AWS4-HMAC-SHA256 Credential=NOBODY/{date}/us-east-1/s3/aws4_request, SignedHeaders=host;"
     "x-amz-content-sha256;x-amz-date, Signature=" + "0" * 64, "InvalidAccessKeyId"),
    ("AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/{date}/s3/aws4_request", "NotImplemented"),
    ("Bearer token", "InvalidArgument"),
])
def test_malformed_authorization_headers(signed_put, authorization, code):
    date = signed_put.headers["x-amz-date"][:8]
    assert code_of(signed_put.with_headers(authorization=authorization.format(date=date)).verify) == code


def test_no_credentials_at_all_is_access_denied():
    assert code_of(lambda: wire_of("GET", "http://127.0.0.1:9000/bkt/k").verify()) == "AccessDenied"


def test_both_a_header_and_a_presigned_query_is_refused(signed_put):
    both = dataclasses.replace(signed_put, query="X-Amz-Algorithm=AWS4-HMAC-SHA256")
    assert code_of(both.verify) == "InvalidArgument"


def test_x_amz_content_sha256_is_required_and_must_be_signed():
    # botocore's generic SigV4 signer (not S3's) neither sends nor signs x-amz-content-sha256.
    request = AWSRequest("GET", "http://127.0.0.1:9000/bkt/k")
    SigV4Auth(Credentials(ACCESS_KEY, SECRET), "s3", "us-east-1").add_auth(request)
    wire = wire_of("GET", request.url, dict(request.headers))
    assert code_of(wire.verify) == "InvalidRequest"
    with pytest.raises(S3Error) as caught:
        wire.with_headers(x_amz_content_sha256="UNSIGNED-PAYLOAD").verify()
    assert caught.value.code == "AccessDenied" and caught.value.extra == {"HeadersNotSigned": "x-amz-content-sha256"}


def test_an_unknown_payload_mode_is_refused():
    # botocore's S3 signer would replace the header with its own payload hash; the generic one signs it as it is.
    request = AWSRequest("PUT", "http://127.0.0.1:9000/bkt/k", headers={"X-Amz-Content-SHA256": "SOMETHING-ELSE"})
    SigV4Auth(Credentials(ACCESS_KEY, SECRET), "s3", "us-east-1").add_auth(request)
    assert code_of(wire_of("PUT", request.url, dict(request.headers)).verify) == "InvalidArgument"


# -- AWS's documented examples (known answers) -----------------------------------------------------------


def aws_verify(method: str, path: str, query: str, headers: dict[str, str]) -> Verified:
    return verify_request(method, path, query, headers, {AWS_KEY: AWS_SECRET}.get, AWS_NOW)


def test_aws_get_object_example():
    # docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "Example: GET Object"
    headers = {
        "host": "examplebucket.s3.amazonaws.com", "range": "bytes=0-9", "x-amz-date": "20130524T000000Z",
        "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                         "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                         "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"}
    assert aws_verify("GET", "/test.txt", "", headers).payload == headers["x-amz-content-sha256"]
    assert code_of(lambda: aws_verify("GET", "/test2.txt", "", headers)) == "SignatureDoesNotMatch"


def test_aws_presigned_url_example():
    # docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
    query = ("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3"
             "%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
             "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    headers = {"host": "examplebucket.s3.amazonaws.com"}
    assert aws_verify("GET", "/test.txt", query, headers).payload == "UNSIGNED-PAYLOAD"
    later = datetime(2013, 5, 25, 0, 0, 1, tzinfo=timezone.utc)
    assert code_of(lambda: verify_request("GET", "/test.txt", query, headers, {AWS_KEY: AWS_SECRET}.get,
                                          later)) == "AccessDenied"


AWS_CHUNKED_HEADERS = {
    "host": "s3.amazonaws.com", "x-amz-date": "20130524T000000Z", "x-amz-storage-class": "REDUCED_REDUNDANCY",
    "x-amz-content-sha256": STREAMING_SIGNED, "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": "66560", "content-length": "66824",
    "authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                     "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                     "x-amz-decoded-content-length;x-amz-storage-class,"
                     "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"}


def aws_chunked_headers(*, trailer: bool) -> dict[str, str]:
    """The headers of AWS's chunked-upload examples (sigv4-streaming.html, sigv4-streaming-trailers.html)."""
    if not trailer:
        return dict(AWS_CHUNKED_HEADERS)
    # The trailer example is sent with Transfer-Encoding: chunked, and signs x-amz-trailer instead of Content-Length.
    headers = {name: value for name, value in AWS_CHUNKED_HEADERS.items() if name != "content-length"}
    return {**headers, "x-amz-content-sha256": STREAMING_SIGNED_TRAILER, "transfer-encoding": "chunked",
            "x-amz-trailer": "x-amz-checksum-crc32c",
            "authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                             "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;"
                             "x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,"
                             "Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"}


@pytest.mark.parametrize("trailer", [False, True])
def test_aws_chunked_upload_examples_seed_the_chunk_signer(trailer):
    verified = aws_verify("PUT", "/examplebucket/chunkObject.txt", "", aws_chunked_headers(trailer=trailer))
    signer = verified.chunk_signer
    assert verified.payload == (STREAMING_SIGNED_TRAILER if trailer else STREAMING_SIGNED)
    assert signer is not None and signer.signs_trailer is trailer
    assert (signer.scope, signer.amz_date) == ("20130524/us-east-1/s3/aws4_request", "20130524T000000Z")
    assert signer.seed_signature == aws_chunked_headers(trailer=trailer)["authorization"].rsplit("=", 1)[1]


# -- Signature V2 ------------------------------------------------------------------------------------------


def test_sigv2_header_from_botocore_verifies():
    client, sent = s3_client("https://gw.example", signature_version="s3")
    client.put_object(Bucket="bkt", Key="a b+c/ü", Body=b"x", ContentType="text/plain", Metadata={"k": "v"})
    wire = sent[-1]
    assert wire.headers["authorization"].startswith("AWS ")
    assert wire.verify() == Verified(ACCESS_KEY, "UNSIGNED-PAYLOAD", None)
    for tampered in (wire.with_headers(content_type="text/html"), wire.with_headers(x_amz_meta_k="w"),
                     dataclasses.replace(wire, path="/bkt/other"), dataclasses.replace(wire, method="POST")):
        assert code_of(tampered.verify) == "SignatureDoesNotMatch"
    assert code_of(lambda: wire.verify(secrets={})) == "InvalidAccessKeyId"
    now = datetime.now(timezone.utc)
    assert code_of(lambda: wire.verify(now=now + timedelta(minutes=20))) == "RequestTimeTooSkewed"
    client.get_object_acl(Bucket="bkt", Key="k")  # ?acl is a signed sub-resource
    assert sent[-1].query == "acl"
    sent[-1].verify()
    assert code_of(dataclasses.replace(sent[-1], query="").verify) == "SignatureDoesNotMatch"


def test_sigv2_presigned_url_from_botocore_verifies():
    client, _ = s3_client("https://gw.example", signature_version="s3")
    url = client.generate_presigned_url("get_object", Params={"Bucket": "bkt", "Key": "a b+c"}, ExpiresIn=60)
    wire = wire_of("GET", url)
    assert "AWSAccessKeyId=" in wire.query
    now = datetime.now(timezone.utc)
    assert wire.verify(now=now).access_key == ACCESS_KEY
    with pytest.raises(S3Error) as caught:
        wire.verify(now=now + timedelta(seconds=120))
    assert (caught.value.code, caught.value.message) == ("AccessDenied", "Request has expired")
    assert code_of(lambda: dataclasses.replace(wire, path="/bkt/a").verify(now=now)) == "SignatureDoesNotMatch"
    assert code_of(lambda: dataclasses.replace(wire, method="PUT").verify(now=now)) == "SignatureDoesNotMatch"
    put = client.generate_presigned_url("put_object", Params={"Bucket": "bkt", "Key": "k", "Metadata": {"a": "b"}})
    assert "x-amz-meta-a=b" in put  # botocore moves x-amz-* headers into the query; they are signed
    assert wire_of("PUT", put).verify(now=now).access_key == ACCESS_KEY


def test_sigv2_examples_of_the_aws_documentation():
    # docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html (path-style here)
    headers = {"host": "s3.amazonaws.com", "date": "Tue, 27 Mar 2007 19:36:42 +0000",
               "authorization": "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU="}
    then = datetime(2007, 3, 27, 19, 36, 42, tzinfo=timezone.utc)
    secrets = {AWS_KEY: AWS_SECRET}.get
    assert verify_request("GET", "/johnsmith/photos/puppy.jpg", "", headers, secrets, then).access_key == AWS_KEY
    query = "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D"
    assert verify_request("GET", "/johnsmith/photos/puppy.jpg", query, {"host": "s3.amazonaws.com"}, secrets,
                          then).access_key == AWS_KEY
    # s3cmd signs with x-amz-date and leaves the Date line empty
    amz_date = "Tue, 27 Mar 2007 19:36:42 +0000"
    string_to_sign = f"GET\n\n\n\nx-amz-date:{amz_date}\n/johnsmith/photos/puppy.jpg"
    signature = HmacV1Auth(Credentials(AWS_KEY, AWS_SECRET)).sign_string(string_to_sign)
    s3cmd = {"host": "s3.amazonaws.com", "x-amz-date": amz_date, "authorization": f"AWS {AWS_KEY}:{signature}"}
    assert verify_request("GET", "/johnsmith/photos/puppy.jpg", "", s3cmd, secrets, then).access_key == AWS_KEY
