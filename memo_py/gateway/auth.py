"""AWS request authentication, server side: Signature V4 (Authorization header and presigned
URLs) and the legacy Signature V2 (``AWS key:signature`` and ``s3cmd signurl`` style URLs).

The expected signature is computed with botocore's own signers (:class:`botocore.auth.S3SigV4Auth`,
:class:`~botocore.auth.S3SigV4QueryAuth`, :class:`~botocore.auth.HmacV1Auth`) fed with exactly
what the client signed: the method, the path as it came on the wire, the query, and only the
headers named in ``SignedHeaders``. Reusing the client's code rather than a second SigV4
implementation means both sides canonicalize the same way by construction.

Two canonical forms of the path and query are tried (at most two HMACs): the wire form as it is
(what botocore, the AWS CLI and s3cmd sign: they send exactly their canonical encoding), and the
wire form decoded and encoded again per the SigV4 spec (what a client signs that sends ``!`` or
``@`` as they are, or ``%7E`` for ``~``; MinIO canonicalizes this way). The second decodes as the
app does (``+`` in a query is a space, as starlette reads it), so a signature never covers two
requests the app would read differently.

A request using ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`` carries a :class:`ChunkSigner`:
its body's chunk signatures are chained from this request's signature
(:class:`memo_py.gateway.chunked.AwsChunkedDecoder` checks them).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import SplitResult, parse_qsl, quote, unquote_to_bytes

from botocore.auth import SIGV4_TIMESTAMP, HmacV1Auth, S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from memo_py.gateway.errors import S3Error

__all__ = [
    "ChunkSigner",
    "MAX_PRESIGNED_EXPIRY",
    "MAX_SKEW",
    "STREAMING_SIGNED",
    "STREAMING_SIGNED_TRAILER",
    "STREAMING_UNSIGNED_TRAILER",
    "UNSIGNED_PAYLOAD",
    "Verified",
    "verify_request",
]

UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
_PAYLOAD_MODES = (UNSIGNED_PAYLOAD, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER)

#: How far a header-signed request's date may be from the server's clock (S3's own limit).
MAX_SKEW = timedelta(minutes=15)
#: The longest a presigned URL may live (S3's limit: seven days).
MAX_PRESIGNED_EXPIRY = 604800

_ALGORITHM = "AWS4-HMAC-SHA256"
_SERVICE = "s3"
_TERMINATOR = "aws4_request"
_SIGNATURE = re.compile(r"[0-9a-f]{64}")
_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")
_QUERY_V4 = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
             "X-Amz-Signature")
_QUERY_V2 = ("AWSAccessKeyId", "Signature", "Expires")
#: The characters a wire path or query may hold for botocore's ``urlsplit`` to keep it intact
#: (it would cut at ``#`` and drop tabs and newlines, so such a form is never signed as is).
_URL_SAFE = frozenset(chr(c) for c in range(0x21, 0x7F)) - {"#"}


@dataclass(frozen=True)
class ChunkSigner:
    """What checks the chunk signatures of an ``aws-chunked`` body signed with SigV4.

    Each chunk's signature is chained from the previous one, starting at the request's own
    signature (``seed_signature``); with ``signs_trailer`` (``...-PAYLOAD-TRAILER``) the trailers
    are signed too, chained from the final chunk's signature.
    """

    signing_key: bytes = field(repr=False)
    scope: str  # "20130524/us-east-1/s3/aws4_request"
    amz_date: str  # "20130524T000000Z", the request's X-Amz-Date
    seed_signature: str
    signs_trailer: bool

    def chunk_signature(self, previous: str, data_sha256: str) -> str:
        """The signature of a chunk whose data has the hex SHA-256 ``data_sha256``."""
        empty = hashlib.sha256(b"").hexdigest()  # the spec signs an empty string here (event streams put headers)
        return self._sign(f"AWS4-HMAC-SHA256-PAYLOAD\n{self.amz_date}\n{self.scope}\n{previous}\n{empty}\n"
                          f"{data_sha256}")

    def trailer_signature(self, previous: str, canonical_trailers: bytes) -> str:
        """The signature of the trailers, ``canonical_trailers`` being ``name:value\\n`` per trailer, sorted."""
        digest = hashlib.sha256(canonical_trailers).hexdigest()
        return self._sign(f"AWS4-HMAC-SHA256-TRAILER\n{self.amz_date}\n{self.scope}\n{previous}\n{digest}")

    def _sign(self, string_to_sign: str) -> str:
        return hmac.new(self.signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verified:
    """An authenticated request: who sent it and what its signature says of the body."""

    access_key: str
    #: The x-amz-content-sha256 value as signed: UNSIGNED-PAYLOAD, a 64-hex SHA-256 the app must
    #: check the body against, or one of the STREAMING-* aws-chunked modes. Presigned URLs and
    #: SigV2 requests do not sign the body: UNSIGNED-PAYLOAD (unless a presigned URL signed the header).
    payload: str
    #: Set for STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]: what verifies each chunk's signature.
    chunk_signer: ChunkSigner | None = None


def verify_request(method: str, raw_path: str, query_string: str, headers: Mapping[str, str],
                   secret_of: Callable[[str], str | None], now: datetime, *, region: str = "us-east-1") -> Verified:
    """Authenticate a request, or raise the :class:`S3Error` S3 would answer.

    ``raw_path`` is the path exactly as sent (percent-encoded, without the query; from the ASGI
    scope's ``raw_path`` decoded as latin-1), ``query_string`` the raw query string. ``headers``
    maps lower-case names to values (starlette's case-insensitive ``Headers`` does; a repeated
    header's values are all signed when the mapping has ``getlist``). ``secret_of`` gives the secret
    of an access key, or None for an unknown one. ``now`` is the server's clock (UTC if naive).

    SigV4 is checked in the Authorization header or in a presigned query; SigV2 likewise
    (path-style requests only: its string-to-sign names the bucket, which a virtual host hides).
    """
    if not raw_path.startswith("/"):
        raise S3Error("InvalidRequest", f"the request path must start with '/', not {raw_path[:40]!r}")
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    query = parse_qsl(query_string, keep_blank_values=True)
    names = {name for name, _ in query}
    authorization = headers.get("authorization")
    in_query = [name for name in ("X-Amz-Algorithm", "AWSAccessKeyId", "Signature") if name in names]
    if authorization is not None and in_query:
        raise S3Error("InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                      "Signature query string parameter or the Authorization header should be specified")
    if authorization is not None:
        if authorization.startswith(_ALGORITHM + " "):
            return _verify_v4_header(method, raw_path, query_string, headers, authorization, secret_of, now, region)
        if authorization.startswith("AWS "):
            return _verify_v2_header(method, raw_path, query_string, headers, authorization, secret_of, now)
        if authorization.startswith("AWS4-ECDSA-P256-SHA256"):
            raise S3Error("NotImplemented", "Signature V4a (AWS4-ECDSA-P256-SHA256) is not supported; sign with SigV4")
        raise S3Error("InvalidArgument", "Unsupported Authorization Type")
    if "X-Amz-Algorithm" in names:
        return _verify_v4_query(method, raw_path, query_string, query, headers, secret_of, now, region)
    if "AWSAccessKeyId" in names or "Signature" in names:
        return _verify_v2_query(method, raw_path, query_string, query, headers, secret_of, now)
    raise S3Error("AccessDenied", "Anonymous access is not allowed: the request carries no credentials")


# -- SigV4 ----------------------------------------------------------------------------------------


class _ExactHeaders:
    """Sign exactly the headers the request carries: they are the client's SignedHeaders.

    botocore's client side leaves some headers out (User-Agent, Expect, ...) and adds Host from
    the URL; a server must take the client's list as it is, whatever the client's own rules were.
    """

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        signed = HTTPHeaders()
        for name, value in request.headers.items():
            signed[name.lower()] = value
        return signed


class _HeaderSigner(_ExactHeaders, S3SigV4Auth):
    pass


class _QuerySigner(_ExactHeaders, S3SigV4QueryAuth):
    pass


def _verify_v4_header(method: str, raw_path: str, query_string: str, headers: Mapping[str, str], authorization: str,
                      secret_of: Callable[[str], str | None], now: datetime, region: str) -> Verified:
    fields = _authorization_fields(authorization[len(_ALGORITHM):])
    signed_names = _signed_header_names(fields["SignedHeaders"], "AuthorizationHeaderMalformed")
    timestamp = _header_timestamp(headers)
    access_key, scope = _credential(fields["Credential"], timestamp, region, "AuthorizationHeaderMalformed")
    secret = _secret(secret_of, access_key)
    _check_skew(datetime.strptime(timestamp, SIGV4_TIMESTAMP).replace(tzinfo=timezone.utc), now)
    payload = headers.get("x-amz-content-sha256")
    if payload is None:
        raise S3Error("InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
    if "x-amz-content-sha256" not in signed_names:
        raise S3Error("AccessDenied", "There were headers present in the request which were not signed",
                      HeadersNotSigned="x-amz-content-sha256")
    _check_payload(payload)
    signature = fields["Signature"]
    _check_signature(_HeaderSigner, method, raw_path, query_string, _signed_headers(headers, signed_names),
                     access_key, secret, timestamp, region, signature, presigned=False)
    return _verified(access_key, payload, secret, timestamp, scope, region, signature)


def _verify_v4_query(method: str, raw_path: str, query_string: str, query: list[tuple[str, str]],
                     headers: Mapping[str, str], secret_of: Callable[[str], str | None], now: datetime,
                     region: str) -> Verified:
    params = _auth_params(query, _QUERY_V4, "AuthorizationQueryParametersError")
    if params["X-Amz-Algorithm"] != _ALGORITHM:
        raise S3Error("AuthorizationQueryParametersError", f"X-Amz-Algorithm only supports {_ALGORITHM!r}")
    timestamp = params["X-Amz-Date"]
    if not _AMZ_DATE.fullmatch(timestamp):
        raise S3Error("AuthorizationQueryParametersError",
                      f"X-Amz-Date must be in the ISO8601 Long Format, not {timestamp!r}")
    expires = params["X-Amz-Expires"]
    if not expires.isdigit() or not expires.isascii():
        raise S3Error("AuthorizationQueryParametersError", "X-Amz-Expires should be a number of seconds")
    if int(expires) > MAX_PRESIGNED_EXPIRY:
        raise S3Error("AuthorizationQueryParametersError",
                      f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_PRESIGNED_EXPIRY}")
    signed_names = _signed_header_names(params["X-Amz-SignedHeaders"], "AuthorizationQueryParametersError")
    access_key, scope = _credential(params["X-Amz-Credential"], timestamp, region, "AuthorizationQueryParametersError")
    secret = _secret(secret_of, access_key)
    signed_at = datetime.strptime(timestamp, SIGV4_TIMESTAMP).replace(tzinfo=timezone.utc)
    if now > signed_at + timedelta(seconds=int(expires)):
        raise S3Error("AccessDenied", "Request has expired", **{
            "X-Amz-Expires": expires, "Expires": _iso(signed_at + timedelta(seconds=int(expires))),
            "ServerTime": _iso(now)})
    if signed_at - now > MAX_SKEW:
        raise S3Error("AccessDenied", "Request is not valid yet", RequestTime=timestamp, ServerTime=_iso(now))
    signed = _signed_headers(headers, signed_names)
    # A presigned URL does not sign the body unless it signed this header (then it says how).
    payload = dict(signed).get("x-amz-content-sha256", UNSIGNED_PAYLOAD)
    _check_payload(payload)
    signature = params["X-Amz-Signature"]
    _check_signature(_QuerySigner, method, raw_path, query_string, signed, access_key, secret, timestamp, region,
                     signature, presigned=True)
    return _verified(access_key, payload, secret, timestamp, scope, region, signature)


def _check_signature(signer_class: type[_HeaderSigner] | type[_QuerySigner], method: str, raw_path: str,
                     query_string: str, signed: list[tuple[str, str]], access_key: str, secret: str, timestamp: str,
                     region: str, signature: str, *, presigned: bool) -> None:
    """Raise SignatureDoesNotMatch unless botocore, signing what the client signed, gets ``signature``."""
    if not _SIGNATURE.fullmatch(signature):
        raise S3Error("AuthorizationQueryParametersError" if presigned else "AuthorizationHeaderMalformed",
                      "the signature must be 64 lower-case hex digits")
    signer = signer_class(Credentials(access_key, secret), _SERVICE, region)
    for path, query in _canonical_forms(raw_path, query_string, presigned=presigned):
        request = AWSRequest(method=method, url=f"http://s3{path}" + (f"?{query}" if query else ""))
        for name, value in signed:
            request.headers[name] = value
        request.context["timestamp"] = timestamp
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if hmac.compare_digest(expected, signature):
            return
    raise S3Error("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you "
                  "provided. Check your key and signing method.", AWSAccessKeyId=access_key)


def _canonical_forms(raw_path: str, query_string: str, *, presigned: bool) -> list[tuple[str, str]]:
    """The (path, query) forms a client may have signed: the wire form, and the wire form decoded and
    encoded again per the SigV4 spec. A presigned query loses its X-Amz-Signature (it is not signed)."""
    pieces = [piece for piece in query_string.split("&") if piece]
    raw_query = "&".join(p for p in pieces if not (presigned and p.partition("=")[0] == "X-Amz-Signature"))
    spec_pairs = []
    for piece in pieces:
        name, _, value = piece.partition("=")
        name, value = _spec_encode(name, safe="", plus_is_space=True), _spec_encode(value, safe="", plus_is_space=True)
        if not (presigned and name == "X-Amz-Signature"):
            spec_pairs.append(f"{name}={value}")
    spec = (_spec_encode(raw_path, safe="/", plus_is_space=False), "&".join(spec_pairs))
    forms = [spec]
    if set(raw_path + raw_query) <= _URL_SAFE and (raw_path, raw_query) != spec:
        forms.insert(0, (raw_path, raw_query))
    return forms


def _spec_encode(text: str, *, safe: str, plus_is_space: bool) -> str:
    """``text`` percent-decoded, then percent-encoded the SigV4 way: unreserved characters as they
    are, every other byte (but ``safe``) as upper-case %XX."""
    if plus_is_space:
        text = text.replace("+", "%20")
    try:
        data = text.encode("latin-1")  # the wire's bytes, one character each
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    return quote(unquote_to_bytes(data), safe=safe)


def _signed_headers(headers: Mapping[str, str], names: list[str]) -> list[tuple[str, str]]:
    """(name, value) of each signed header, as the client signed it; a missing one cannot match."""
    signed = []
    for name in names:
        values = _values(headers, name)
        if not values:
            raise S3Error("SignatureDoesNotMatch", f"the signed header {name!r} is not in the request")
        signed += [(name, _as_signed(value)) for value in values]
    return signed


def _as_signed(value: str) -> str:
    """A header value as the client signed it. Starlette decodes header bytes as latin-1 while
    clients sign UTF-8: bytes that are valid UTF-8 are read as such, anything else stays latin-1."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _authorization_fields(rest: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, eq, value = part.strip().partition("=")
        if not eq or name in fields:
            raise S3Error("AuthorizationHeaderMalformed", f"the authorization header is malformed: {part.strip()!r}")
        fields[name] = value.strip()
    missing = [name for name in ("Credential", "SignedHeaders", "Signature") if name not in fields]
    if missing:
        raise S3Error("AuthorizationHeaderMalformed", f"the authorization header is malformed: no {', '.join(missing)}")
    return fields


def _auth_params(query: list[tuple[str, str]], names: tuple[str, ...], code: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in query:
        if name in names:
            if name in params:
                raise S3Error(code, f"the query has {name} twice")
            params[name] = value
    missing = [name for name in names if name not in params]
    if missing:
        raise S3Error(code, f"Query-string authentication requires the {', '.join(missing)} parameters")
    return params


def _signed_header_names(value: str, code: str) -> list[str]:
    names = value.split(";")
    if any(not name or name != name.strip().lower() for name in names):
        raise S3Error(code, f"SignedHeaders must be lower-case names separated by ';', not {value!r}")
    if "host" not in names:
        raise S3Error(code, "SignedHeaders must include host")
    return names


def _header_timestamp(headers: Mapping[str, str]) -> str:
    """The request's signing time in SigV4's form: X-Amz-Date, else the Date header."""
    amz_date = headers.get("x-amz-date")
    if amz_date is not None:
        if not _AMZ_DATE.fullmatch(amz_date):
            raise S3Error("AccessDenied", f"X-Amz-Date must be in the ISO8601 Long Format, not {amz_date!r}")
        return amz_date
    return _http_date(headers.get("date")).astimezone(timezone.utc).strftime(SIGV4_TIMESTAMP)


def _credential(value: str, timestamp: str, region: str, code: str) -> tuple[str, str]:
    """(access key, scope) of ``<key>/<date>/<region>/s3/aws4_request``, checked against the request."""
    parts = value.rsplit("/", 4)
    if len(parts) != 5 or not parts[0]:
        raise S3Error(code, f"the credential is malformed: expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/"
                      f"aws4_request\", not {value!r}")
    access_key, date, their_region, service, terminator = parts
    if date != timestamp[:8]:
        raise S3Error(code, f"Invalid credential date {date!r}: it is not the date of the request, {timestamp[:8]!r}")
    if their_region != region:
        raise S3Error(code, f"the region {their_region!r} is wrong; expecting {region!r}", Region=region)
    if service != _SERVICE:
        raise S3Error(code, f"the credential names the service {service!r}; expecting 's3'")
    if terminator != _TERMINATOR:
        raise S3Error(code, f"the credential must end in {_TERMINATOR!r}, not {terminator!r}")
    return access_key, f"{date}/{region}/{_SERVICE}/{_TERMINATOR}"


def _check_payload(payload: str) -> None:
    if payload in _PAYLOAD_MODES or _HEX_SHA256.fullmatch(payload):
        return
    if payload.startswith("STREAMING-AWS4-ECDSA-P256-SHA256"):
        raise S3Error("NotImplemented", "Signature V4a (AWS4-ECDSA-P256-SHA256) streaming is not supported")
    raise S3Error("InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* mode, or a valid "
                  f"sha256 value, not {payload!r}")


def _verified(access_key: str, payload: str, secret: str, timestamp: str, scope: str, region: str,
              signature: str) -> Verified:
    if payload not in (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER):
        return Verified(access_key, payload)
    key = f"AWS4{secret}".encode()
    for part in (timestamp[:8], region, _SERVICE, _TERMINATOR):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signer = ChunkSigner(key, scope, timestamp, signature, signs_trailer=payload == STREAMING_SIGNED_TRAILER)
    return Verified(access_key, payload, signer)


# -- SigV2 ----------------------------------------------------------------------------------------


class _V2Signer(HmacV1Auth):
    """botocore's SigV2 string-to-sign, with the date the request carries rather than the clock's."""

    def __init__(self, credentials: Credentials, date: str) -> None:
        super().__init__(credentials)
        self._date = date

    def _get_date(self) -> str:
        return self._date


def _verify_v2_header(method: str, raw_path: str, query_string: str, headers: Mapping[str, str], authorization: str,
                      secret_of: Callable[[str], str | None], now: datetime) -> Verified:
    access_key, colon, signature = authorization[len("AWS "):].strip().partition(":")
    if not colon or not access_key or not signature:
        raise S3Error("AuthorizationHeaderMalformed", "a SigV2 Authorization header reads 'AWS <key>:<signature>'")
    secret = _secret(secret_of, access_key)
    amz_date = headers.get("x-amz-date")
    _check_skew(_http_date(amz_date if amz_date is not None else headers.get("date")), now)
    # With x-amz-date the Date line is empty: the date is signed among the x-amz-* headers.
    date_line = "" if amz_date is not None else headers.get("date") or ""
    amz = {name: _values(headers, name) for name in _names(headers) if name.startswith("x-amz-")}
    _check_v2(method, raw_path, query_string, headers, amz, date_line, access_key, secret, signature)
    return Verified(access_key, UNSIGNED_PAYLOAD)


def _verify_v2_query(method: str, raw_path: str, query_string: str, query: list[tuple[str, str]],
                     headers: Mapping[str, str], secret_of: Callable[[str], str | None], now: datetime) -> Verified:
    params = _auth_params(query, _QUERY_V2, "AuthorizationQueryParametersError")
    access_key, expires = params["AWSAccessKeyId"], params["Expires"]
    # Base64 has no spaces: a '+' sent unencoded was read as one.
    signature = params["Signature"].replace(" ", "+")
    if not expires.isdigit() or not expires.isascii():
        raise S3Error("AuthorizationQueryParametersError", "Expires must be a number of seconds since the epoch")
    secret = _secret(secret_of, access_key)
    if now > datetime.fromtimestamp(int(expires), timezone.utc):
        raise S3Error("AccessDenied", "Request has expired", Expires=_iso(datetime.fromtimestamp(int(expires),
                      timezone.utc)), ServerTime=_iso(now))
    # botocore's presigner moves x-amz-* headers into the query; they are signed as headers.
    amz = {name: _values(headers, name) for name in _names(headers) if name.startswith("x-amz-")}
    for name, value in query:
        if name.lower().startswith("x-amz-"):
            amz.setdefault(name.lower(), []).append(value)
    _check_v2(method, raw_path, query_string, headers, amz, expires, access_key, secret, signature)
    return Verified(access_key, UNSIGNED_PAYLOAD)


def _check_v2(method: str, raw_path: str, query_string: str, headers: Mapping[str, str], amz: dict[str, list[str]],
              date_line: str, access_key: str, secret: str, signature: str) -> None:
    """Raise SignatureDoesNotMatch unless botocore's SigV2 signature of the request is ``signature``."""
    signed = HTTPHeaders()
    for name in ("content-md5", "content-type"):
        for value in _values(headers, name):
            signed[name] = value
    for name, values in amz.items():
        for value in values:
            signed[name] = value
    signer = _V2Signer(Credentials(access_key, secret), date_line)
    split = SplitResult("http", "s3", raw_path, query_string, "")
    expected = signer.sign_string(signer.canonical_string(method, split, signed))
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise S3Error("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you "
                      "provided. Check your key and signing method.", AWSAccessKeyId=access_key)


# -- both -----------------------------------------------------------------------------------------


def _secret(secret_of: Callable[[str], str | None], access_key: str) -> str:
    secret = secret_of(access_key)
    if secret is None:
        raise S3Error("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
                      AWSAccessKeyId=access_key)
    return secret


def _check_skew(request_time: datetime, now: datetime) -> None:
    if abs(request_time - now) > MAX_SKEW:
        raise S3Error("RequestTimeTooSkewed", "The difference between the request time and the current time is too "
                      "large.", RequestTime=_iso(request_time), ServerTime=_iso(now),
                      MaxAllowedSkewMilliseconds=str(int(MAX_SKEW.total_seconds() * 1000)))


def _http_date(value: str | None) -> datetime:
    """An RFC 1123 Date header, as an aware datetime."""
    try:
        parsed = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        parsed = None
    if parsed is None:
        raise S3Error("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _values(headers: Mapping[str, str], name: str) -> list[str]:
    """Every value of a header, when the mapping keeps repeated ones (starlette's ``getlist``)."""
    getlist = getattr(headers, "getlist", None)
    if getlist is not None:
        return list(getlist(name))
    value = headers.get(name)
    return [] if value is None else [value]


def _names(headers: Mapping[str, str]) -> list[str]:
    return sorted({name.lower() for name in headers.keys()})
