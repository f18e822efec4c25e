import pytest
from eth_account import Account

from memo_py.errors import BadRequestSignature, RequestExpired, RequestRejected, RequestReplayed
from memo_py.protocol.auth import (
    HEADER_EXPIRY,
    HEADER_SIGNATURE,
    RequestVerifier,
    SqliteNonceStore,
    sign_request,
)

USER = Account.from_key(b"\x01" * 32)
ATTACKER = Account.from_key(b"\x02" * 32)
PROVIDER = Account.from_key(b"\x03" * 32)
OTHER_PROVIDER = Account.from_key(b"\x04" * 32)
NOW = 1_800_000_000.0


def verifier(audience=PROVIDER.address, nonces=None):
    return RequestVerifier(audience, nonces, clock=lambda: NOW)


def signed(body=b"chunk", **kw):
    kw.setdefault("audience", PROVIDER.address)
    return sign_request(USER.key, "PUT", "/chunks/1", body, now=NOW, **kw)


def test_a_signed_request_verifies_to_its_sender():
    assert verifier().verify("PUT", "/chunks/1", "", b"chunk", signed()) == USER.address


def test_headers_are_case_insensitive():
    headers = {k.lower(): v for k, v in signed().items()}
    assert verifier().verify("put", "/chunks/1", "", b"chunk", headers) == USER.address


@pytest.mark.parametrize(
    "method,path,query,body",
    [
        ("GET", "/chunks/1", "", b"chunk"),
        ("PUT", "/chunks/2", "", b"chunk"),
        ("PUT", "/chunks/1", "x=1", b"chunk"),
        ("PUT", "/chunks/1", "", b"chunk!"),
    ],
)
def test_any_change_to_the_request_breaks_the_signature(method, path, query, body):
    with pytest.raises(BadRequestSignature, match="does not match"):
        verifier().verify(method, path, query, body, signed())


def test_a_request_for_another_provider_is_refused():
    headers = signed(audience=OTHER_PROVIDER.address)
    with pytest.raises(BadRequestSignature):
        verifier().verify("PUT", "/chunks/1", "", b"chunk", headers)


def test_a_forged_sender_is_refused():
    headers = signed()
    headers["X-Memo-Address"] = ATTACKER.address
    with pytest.raises(BadRequestSignature, match="does not match"):
        verifier().verify("PUT", "/chunks/1", "", b"chunk", headers)


def test_unsigned_and_malformed_requests_are_refused():
    with pytest.raises(BadRequestSignature, match="not signed"):
        verifier().verify("PUT", "/chunks/1", "", b"chunk", {})
    headers = signed()
    headers[HEADER_SIGNATURE] = "0x1234"
    with pytest.raises(BadRequestSignature, match="malformed"):
        verifier().verify("PUT", "/chunks/1", "", b"chunk", headers)
    headers = signed()
    headers[HEADER_EXPIRY] = "soon"
    with pytest.raises(BadRequestSignature, match="Unix time"):
        verifier().verify("PUT", "/chunks/1", "", b"chunk", headers)


def test_expired_and_far_future_requests_are_refused():
    old = sign_request(USER.key, "PUT", "/chunks/1", b"chunk", audience=PROVIDER.address, now=NOW - 120, ttl=60)
    with pytest.raises(RequestExpired, match="expired"):
        verifier().verify("PUT", "/chunks/1", "", b"chunk", old)
    future = sign_request(USER.key, "PUT", "/chunks/1", b"chunk", audience=PROVIDER.address, now=NOW + 3600)
    with pytest.raises(RequestExpired, match="ahead"):
        verifier().verify("PUT", "/chunks/1", "", b"chunk", future)


def test_a_replay_is_refused_even_after_a_restart(tmp_path):
    headers = signed()
    store = SqliteNonceStore(tmp_path / "nonces.db")
    assert verifier(nonces=store).verify("PUT", "/chunks/1", "", b"chunk", headers) == USER.address
    store.close()
    restarted = SqliteNonceStore(tmp_path / "nonces.db")
    with pytest.raises(RequestReplayed):
        verifier(nonces=restarted).verify("PUT", "/chunks/1", "", b"chunk", headers)


def test_a_replay_in_memory_is_refused_and_all_rejections_share_a_base():
    v = verifier()
    headers = signed()
    v.verify("PUT", "/chunks/1", "", b"chunk", headers)
    with pytest.raises(RequestRejected):
        v.verify("PUT", "/chunks/1", "", b"chunk", headers)
    with pytest.raises(PermissionError):
        v.verify("PUT", "/chunks/1", "", b"chunk", headers)


def test_bad_sender_parameters_are_refused():
    with pytest.raises(ValueError, match="ttl"):
        sign_request(USER.key, "PUT", "/x", audience=PROVIDER.address, ttl=10_000)
    with pytest.raises(ValueError, match="audience"):
        RequestVerifier("not-an-address")
