"""Bulk bodies over plain HTTP/1.1: a real uvicorn server, signed requests, stale connections."""

import http.client
import socket
import threading
import time

import pytest
from eth_account import Account
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from memo_py.protocol.auth import RequestVerifier
from memo_py.protocol.bulk import MAX_IDLE, BulkReader
from memo_py.protocol.http import RemoteError, SignedClient, authenticate, error_response
from memo_py.protocol.limits import NO_BODY
from tests.unit.keeper.support import free_port, serve

SERVER = Account.from_key(b"\x09" * 32)
USER = Account.from_key(b"\x0a" * 32)


def pattern(size: int) -> bytes:
    return bytes(i * 7 % 251 for i in range(size))


@pytest.fixture(scope="module")
def server():
    verifier = RequestVerifier(SERVER.address)
    seen = {"requests": 0}

    async def blob(request):
        seen["requests"] += 1
        try:
            await authenticate(request, verifier, limit=NO_BODY)
        except Exception as exc:
            return error_response(exc)
        size = int(request.query_params["size"])
        if size < 0:
            return JSONResponse({"error": "ValueError", "message": "size must be non-negative"}, status_code=400)
        return Response(pattern(size), media_type="application/octet-stream")

    async def chunked(request):
        async def pieces():
            for i in range(5):
                yield pattern(1000)[i * 200 : (i + 1) * 200]

        return StreamingResponse(pieces())

    async def text_error(request):
        return Response("plain failure", status_code=503)

    routes = [Route("/blob", blob), Route("/chunked", chunked), Route("/text-error", text_error)]
    server = serve(Starlette(routes=routes), timeout_keep_alive=1)
    yield server.url, seen
    server.stop()


def test_a_large_signed_body_arrives_whole_and_the_connection_is_reused(server):
    url, seen = server
    with SignedClient(USER.key, url, SERVER.address) as client:
        for size in (0, 1, 5 * 2**20 + 3):
            body = client.get_bytes("/blob", {"size": str(size)})
            assert isinstance(body, bytearray) and body == pattern(size)
        assert len(client._bulk._idle) == 1  # three requests, one connection


def test_error_statuses_raise_remote_error_with_the_message(server):
    url, _ = server
    with SignedClient(USER.key, url, SERVER.address) as client:
        with pytest.raises(RemoteError) as err:
            client.get_bytes("/blob", {"size": "-1"})
        assert (err.value.status, err.value.message) == (400, "size must be non-negative")
        with pytest.raises(RemoteError) as err:
            client.get_bytes("/text-error")
        assert (err.value.status, err.value.message) == (503, "plain failure")
    with SignedClient(USER.key, url, USER.address) as wrong_audience:
        with pytest.raises(RemoteError) as err:
            wrong_audience.get_bytes("/blob", {"size": "1"})
        assert err.value.status == 401


def test_a_body_without_content_length_is_read_to_its_end(server):
    url, _ = server
    with SignedClient(USER.key, url, SERVER.address) as client:
        assert client.get_bytes("/chunked") == pattern(1000)


def test_a_connection_the_server_closed_while_idle_is_replaced_and_the_request_signed_anew(server):
    url, seen = server
    with SignedClient(USER.key, url, SERVER.address) as client:
        assert client.get_bytes("/blob", {"size": "10"}) == pattern(10)
        time.sleep(1.6)  # past the server's keep-alive timeout: it closes the idle connection
        before = seen["requests"]
        assert client.get_bytes("/blob", {"size": "10"}) == pattern(10)
        assert seen["requests"] == before + 1  # the stale connection delivered nothing


def test_idle_connections_are_capped(server):
    url, _ = server
    reader = BulkReader(url, timeout=5)
    conns = [reader._take()[0] for _ in range(MAX_IDLE + 3)]
    for conn in conns:
        reader._give(conn)
    assert len(reader._idle) == MAX_IDLE
    reader.close()
    assert reader._idle == []


def test_unreachable_servers_and_bad_urls_fail_clearly():
    reader = BulkReader(f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(OSError):
        reader.get("/x", "", dict, RemoteError, 1024)
    for bad in ("ftp://host/", "http:///path", "localhost:8000"):
        with pytest.raises(ValueError, match="http"):
            BulkReader(bad, timeout=1)


def test_a_truncated_body_raises_incomplete_read():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]

        def serve_short() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 40)

        thread = threading.Thread(target=serve_short)
        thread.start()
        with pytest.raises(http.client.IncompleteRead):
            BulkReader(f"http://127.0.0.1:{port}", timeout=5).get("/", "", dict, RemoteError, 1024)
        thread.join(5)
