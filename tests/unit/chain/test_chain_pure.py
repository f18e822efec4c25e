"""Pure parts of the chain layer: artifacts, revert decoding, deployment records, encodings, replay."""

from __future__ import annotations

import json

import pytest
from eth_abi import encode
from web3.exceptions import ContractLogicError

from memo_py.chain import artifacts
from memo_py.chain.client import ChainClient, decode_revert, retry_configuration, revert_from
from memo_py.chain.deployment import Deployment
from memo_py.chain.errors import ArtifactMissing, ChainRevert, ChainUnavailable, NoSigner
from memo_py.chain.market import replay_orders
from memo_py.chain.records import ChainOrder, blob_universe
from memo_py.chain.registry import Role, _role, g1_compress_eip2537
from memo_py.crypto import bls
from memo_py.devnet.anvil import free_port
from memo_py.errors import ConfigError, InvalidPoint, MemoError

ADDR = ["0x" + f"{i:02x}" * 20 for i in range(1, 6)]


# ----------------------------------------------------------------------------- artifacts


@pytest.mark.parametrize("name", artifacts.CONTRACTS)
def test_every_deployable_ships_abi_and_bytecode(name):
    art = artifacts.load(name)
    assert art.abi and art.bytecode and art.bytecode.startswith("0x") and len(art.bytecode) > 100
    assert any(item["type"] == "constructor" for item in art.abi)


def test_artifacts_carry_what_the_wrappers_call():
    assert {"submit_orders", "order_of", "withdraw_pay", "close_order", "deposit", "withdraw"} <= artifacts.load("Market").function_names()
    assert {"register_keeper", "keeper_bitmap", "keeper_pubkey", "slot_keeper", "provider_info"} <= artifacts.load("Registry").function_names()
    assert {"attest", "open_epoch", "seed_of", "end_block_of", "results_root"} <= artifacts.load("Epochs").function_names()
    assert {"challenge", "answer", "resolve_timeout", "disputes"} <= artifacts.load("Disputes").function_names()
    assert {"permit", "mint", "nonces", "eip712Domain"} <= artifacts.load("Token").function_names()


def test_missing_artifact_is_typed():
    with pytest.raises(ArtifactMissing):
        artifacts.load("NoSuchContract")


# ----------------------------------------------------------------------------- reverts


def test_decode_error_string():
    data = bytes.fromhex("08c379a0") + encode(["string"], ["market: stale sequence"])
    assert decode_revert(data) == "market: stale sequence"


def test_decode_panic_and_unknown():
    assert decode_revert(bytes.fromhex("4e487b71") + (0x11).to_bytes(32, "big")) == "panic 0x11"
    assert decode_revert(b"") is None
    assert decode_revert(b"\xde\xad\xbe\xef") is None


def test_revert_from_web3_error_keeps_the_exact_reason():
    data = "0x08c379a0" + encode(["string"], ["registry: stake locked"]).hex()
    revert = revert_from(ContractLogicError("execution reverted: registry: stake locked", data=data), "complete_exit")
    assert isinstance(revert, ChainRevert) and isinstance(revert, MemoError) and isinstance(revert, RuntimeError)
    assert revert.reason == str(revert) == "registry: stake locked"
    assert revert.function == "complete_exit"
    # Without decodable data the message is used, minus web3's prefix.
    assert revert_from(ContractLogicError("execution reverted: epochs: not the owner", data=None)).reason == "epochs: not the owner"
    assert revert_from(ContractLogicError("execution reverted", data=None)).reason is None


# ----------------------------------------------------------------------------- client without a node


def test_read_only_client_refuses_to_send():
    client = ChainClient.connect(f"http://127.0.0.1:{free_port()}", retries=0)
    assert client.address is None
    with pytest.raises(NoSigner):
        client.require_signer()


def test_unreachable_node_is_typed_and_named_once():
    url = f"http://127.0.0.1:{free_port()}"
    client = ChainClient.connect(url, retries=0, request_timeout=2)
    with pytest.raises(ChainUnavailable) as raised:
        client.block_number()
    assert str(raised.value) == f"no answer from the chain node at {url}"  # no "Max retries exceeded ..."


def test_retry_configuration_is_webs():
    config = retry_configuration(retries=3)
    assert config.retries == 3 and "eth_call" in config.method_allowlist


# ----------------------------------------------------------------------------- deployment records


def record() -> dict:
    """What scripts/deploy.py writes."""
    return {
        "chain_id": 31337,
        "network": "local",
        "block": 14,
        "contracts": dict(zip(artifacts.CONTRACTS, ADDR)),
        "parameters": {"epoch_length": 10, "fee_bps": 500},
    }


def test_deployment_reads_and_writes_the_deploy_script_format(tmp_path):
    path = tmp_path / "local.json"
    path.write_text(json.dumps(record()))
    d = Deployment.load(path)
    assert (d.chain_id, d.block, d.network, d.parameters["epoch_length"]) == (31337, 14, "local", 10)
    assert d.market.lower() == ADDR[3]
    assert d.addresses["Disputes"].lower() == ADDR[4]
    out = d.save(tmp_path / "again" / "local.json")
    assert json.loads(out.read_text()) == {**record(), "contracts": d.addresses}
    assert Deployment.load(out) == d


def test_malformed_deployments_are_config_errors(tmp_path):
    broken = record()
    del broken["contracts"]["Market"]
    with pytest.raises(ConfigError, match="Market"):
        Deployment.from_json(broken)
    bad = record()
    bad["contracts"]["Token"] = "0x1234"
    with pytest.raises(ConfigError, match="token"):
        Deployment.from_json(bad)
    with pytest.raises(ConfigError, match="no deployment file"):
        Deployment.load(tmp_path / "missing.json")


# ----------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("seed", [1, 2, 3, 200])
def test_g1_compress_inverts_eip2537(seed):
    pk = bls.public_key(bls.key_from_seed(bytes([seed]) * 32))
    assert g1_compress_eip2537(bls.g1_to_eip2537(pk)) == pk


def test_g1_compress_refuses_garbage():
    with pytest.raises(InvalidPoint):
        g1_compress_eip2537(b"\x01" * 128)
    with pytest.raises(InvalidPoint):
        g1_compress_eip2537(b"\x00" * 127)
    assert g1_compress_eip2537(bytes(128))[0] == 0xC0


def test_roles():
    assert _role("provider") is Role.PROVIDER and _role(4) is Role.KEEPER
    with pytest.raises(ValueError):
        _role(3)
    with pytest.raises(ValueError):
        _role("admin")


# ----------------------------------------------------------------------------- orders


def log(event, block, index, **args):
    return {"event": event, "blockNumber": block, "logIndex": index, "args": args}


def test_replay_orders_applies_updates_in_chain_order():
    oid = b"\x01" * 32
    created = log("OrderCreated", 5, 0, order_id=oid, user=ADDR[0], provider=ADDR[1], nonce=3, size=10, price=2,
                  start_epoch=1, end_epoch=4, root=b"\x02" * 32, blob_count=1, escrow=60)
    first = log("OrderUpdated", 7, 1, order_id=oid, user=ADDR[0], provider=ADDR[1], seq=1, size=20, price=2,
                end_epoch=5, root=b"\x03" * 32, blob_count=2, escrow_added=1)
    second = log("OrderUpdated", 9, 0, order_id=oid, user=ADDR[0], provider=ADDR[1], seq=2, size=30, price=2,
                 end_epoch=6, root=b"\x04" * 32, blob_count=3, escrow_added=1)
    orders = replay_orders([created], [second, first])
    order = orders[oid]
    assert (order.seq, order.size, order.end_epoch, order.root, order.blob_count) == (2, 30, 6, b"\x04" * 32, 3)
    assert (order.start_epoch, order.nonce) == (1, 3)
    assert replay_orders([created], [])[oid].seq == 0


def test_records_are_shared_with_the_roles():
    from memo_py.keeper import chain as keeper_chain
    from memo_py.provider import chain as provider_chain
    from memo_py.provider import prover
    from memo_py.chain import records

    assert provider_chain.ChainOrder is keeper_chain.ChainOrder is records.ChainOrder
    assert keeper_chain.KeeperSlot is records.KeeperSlot and keeper_chain.RegisteredProvider is records.RegisteredProvider
    assert prover.blob_universe is records.blob_universe


def test_blob_universe_orders_by_id_and_filters_inactive():
    def order(first: int, start: int, end: int, blobs: int = 2) -> ChainOrder:
        return ChainOrder(bytes([first]) * 32, ADDR[0], ADDR[1], 0, 0, 1, 1, start, end, bytes(32), blobs)

    orders = [order(3, 0, 9), order(1, 0, 9), order(2, 5, 9), order(4, 0, 9, blobs=0)]
    assert [o.order_id[0] for o in blob_universe(orders, 4)] == [1, 3]


# ----------------------------------------------------------------------------- permit typed data


def test_permit_typed_data_domain_takes_the_version():
    from memo_py.chain.token import permit_typed_data

    default = permit_typed_data("MEMO Token", 31337, ADDR[0], ADDR[1], ADDR[2], 5, 0, 99)
    other = permit_typed_data("MEMO Token", 31337, ADDR[0], ADDR[1], ADDR[2], 5, 0, 99, "2")
    assert (default["domain"]["name"], default["domain"]["version"]) == ("MEMO Token", "1")
    assert other["domain"]["version"] == "2"
    assert other["message"] == default["message"]
