"""A real uvicorn server and a real httpx client, talking signed requests over loopback."""

import pytest
from eth_account import Account
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from memo_py.protocol.auth import RequestVerifier
from memo_py.protocol.http import RemoteError, SignedClient, authenticate, error_response
from tests.unit.keeper.support import serve

PROVIDER = Account.from_key(b"\x07" * 32)
USER = Account.from_key(b"\x08" * 32)


@pytest.fixture(scope="module")
def server():
    verifier = RequestVerifier(PROVIDER.address)

    async def echo(request):
        try:
            signer, body = await authenticate(request, verifier)
        except Exception as exc:
            return error_response(exc)
        return JSONResponse({"signer": signer, "size": len(body), "q": request.url.query})

    server = serve(Starlette(routes=[Route("/echo", echo, methods=["GET", "PUT"])]))
    yield server.url
    server.stop()


def test_signed_requests_reach_the_handler_with_their_signer(server):
    with SignedClient(USER.key, server, PROVIDER.address) as client:
        reply = client.request("PUT", "/echo", content=b"x" * 1000, params={"a": "1"}).json()
    assert reply == {"signer": USER.address, "size": 1000, "q": "a=1"}


def test_a_request_signed_for_someone_else_gets_401(server):
    with SignedClient(USER.key, server, USER.address) as client:
        with pytest.raises(RemoteError) as err:
            client.get_json("/echo")
    assert err.value.status == 401
    assert "does not match" in err.value.message


def test_an_unsigned_request_gets_401(server):
    import httpx

    reply = httpx.get(server + "/echo")
    assert reply.status_code == 401
    assert reply.json()["error"] == "BadRequestSignature"
