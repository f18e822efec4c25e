"""A real uvicorn server and a real httpx client, talking signed requests over loopback."""

import gzip

import httpx
import pytest
from eth_account import Account
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from memo_py.errors import AnswerTooLarge, MalformedAnswer
from memo_py.protocol.auth import RequestVerifier, sign_request
from memo_py.protocol.http import RemoteError, SignedClient, authenticate, error_response
from tests.unit.keeper.support import send_unbounded, serve

PROVIDER = Account.from_key(b"\x07" * 32)
USER = Account.from_key(b"\x08" * 32)
ATTACKER = Account.from_key(b"\x05" * 32)

#: The echo endpoint's body limit.
LIMIT = 1000
FLOOD = 4 * 2**20


@pytest.fixture(scope="module")
def server():
    verifier = RequestVerifier(PROVIDER.address)
    handled = []

    async def echo(request):
        try:
            signer, body = await authenticate(request, verifier, limit=LIMIT)
        except Exception as exc:
            return error_response(exc)
        handled.append(body)
        return JSONResponse({"signer": signer, "size": len(body), "q": request.url.query})

    # A hostile Provider's answers.
    async def flood(request):  # chunked, no Content-Length, far more than asked for
        async def pieces():
            for _ in range(FLOOD // 2**16):
                yield b"\xaa" * 2**16

        return StreamingResponse(pieces(), media_type="application/octet-stream")

    async def big(request):
        return JSONResponse({"padding": "x" * 2 * LIMIT})

    async def list_error(request):
        return JSONResponse(["not", "an", "error", "object"], status_code=400)

    async def not_json(request):
        return Response(b"<html>hello</html>", media_type="text/html")

    async def gzipped(request):
        return Response(gzip.compress(b"{}" + b" " * 10**6), headers={"Content-Encoding": "gzip"})

    routes = [
        Route("/echo", echo, methods=["GET", "PUT"]),
        Route("/flood", flood),
        Route("/big", big),
        Route("/list-error", list_error),
        Route("/not-json", not_json),
        Route("/gzipped", gzipped),
    ]
    server = serve(Starlette(routes=routes))
    yield server.url, handled
    server.stop()


def test_signed_requests_reach_the_handler_with_their_signer(server):
    url, _ = server
    with SignedClient(USER.key, url, PROVIDER.address) as client:
        reply = client.request("PUT", "/echo", content=b"x" * 1000, params={"a": "1"}).json()
    assert reply == {"signer": USER.address, "size": 1000, "q": "a=1"}


def test_a_chunked_body_within_the_limit_is_accepted(server):
    url, _ = server
    body = b"y" * LIMIT
    headers = sign_request(USER.key, "PUT", "/echo", body, audience=PROVIDER.address)
    reply = httpx.put(url + "/echo", content=iter([body[:400], body[400:]]), headers=headers)
    assert reply.status_code == 200 and reply.json()["size"] == LIMIT


def test_a_request_signed_for_someone_else_gets_401(server):
    url, _ = server
    with SignedClient(USER.key, url, USER.address) as client:
        with pytest.raises(RemoteError) as err:
            client.get_json("/echo")
    assert err.value.status == 401
    assert "does not match" in err.value.message


def test_an_unsigned_request_gets_401(server):
    url, _ = server
    reply = httpx.get(url + "/echo")
    assert reply.status_code == 401
    assert reply.json()["error"] == "BadRequestSignature"


# ----------------------------------------------------------------------------- hostile senders


def test_a_declared_body_over_the_limit_gets_413_before_it_is_sent_or_its_signature_checked(server):
    url, handled = server
    before = len(handled)
    # An attacker announces a gigabyte, sends none of it, and signs nothing.
    status, answer = send_unbounded(url, "PUT", "/echo", [], declared=10**9)
    assert (status, answer["error"]) == (413, "RequestTooLarge")
    assert len(handled) == before


def test_a_chunked_body_over_the_limit_gets_413_as_soon_as_it_passes(server):
    url, handled = server
    before = len(handled)
    headers = sign_request(ATTACKER.key, "PUT", "/echo", b"", audience=PROVIDER.address)
    # More than the limit, in pieces, without Content-Length and never finished.
    status, answer = send_unbounded(url, "PUT", "/echo", [b"z" * 600, b"z" * 600], headers=headers)
    assert (status, answer["error"]) == (413, "RequestTooLarge")
    assert len(handled) == before


# ----------------------------------------------------------------------------- hostile answers


def test_an_answer_over_the_expected_size_is_refused_not_buffered(server):
    url, _ = server
    with SignedClient(USER.key, url, PROVIDER.address) as client:
        with pytest.raises(AnswerTooLarge):
            client.request("GET", "/flood", limit=2**20)  # chunked
        with pytest.raises(AnswerTooLarge):
            client.get_json("/big", limit=LIMIT)  # declared
        with pytest.raises(AnswerTooLarge):
            client.get_bytes("/flood", limit=2**20)  # chunked, bulk reader
        with pytest.raises(AnswerTooLarge):
            client.get_bytes("/big", limit=LIMIT)  # declared, bulk reader: nothing allocated
        assert len(client.get_bytes("/flood", limit=FLOOD)) == FLOOD  # up to the limit, all of it


def test_malformed_answers_are_typed_errors(server):
    url, _ = server
    with SignedClient(USER.key, url, PROVIDER.address) as client:
        with pytest.raises(RemoteError) as err:
            client.get_json("/list-error")
        assert err.value.status == 400
        with pytest.raises(MalformedAnswer):
            client.get_json("/not-json")
        with pytest.raises(MalformedAnswer):  # would expand past any bound once read
            client.get_json("/gzipped")
