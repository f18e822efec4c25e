"""The devnet's node: a real anvil process with the Prague precompiles."""

import json
import urllib.request
from pathlib import Path

import pytest

from memo_py.devnet.anvil import find_anvil, start_anvil
from memo_py.errors import ConfigError


def rpc(url, method, params):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


def test_anvil_starts_with_prague_precompiles_and_stops(tmp_path):
    log = tmp_path / "anvil.log"
    with start_anvil(log_path=log) as node:
        assert node.chain_id == 31337
        # BLS12_G1ADD (EIP-2537, 0x0b): infinity + infinity = infinity, 128 zero bytes.
        reply = rpc(node.url, "eth_call", [{"to": "0x" + "0" * 38 + "0b", "data": "0x" + "00" * 256}, "latest"])
        assert reply["result"] == "0x" + "00" * 128
    assert node.process.poll() is not None
    assert "Listening on" in log.read_text()


def test_a_missing_binary_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("MEMO_ANVIL", "/nonexistent/anvil")
    monkeypatch.setattr("memo_py.devnet.anvil._NPM_BINARY", Path("/nonexistent/x"))
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ConfigError, match="make setup"):
        find_anvil()
