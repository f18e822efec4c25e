"""Helpers shared by the MARKET contract tests (no fixtures: those are in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_account.messages import encode_typed_data

from memo_py.chain.merkle import ResultsTree
from memo_py.chain.token import permit_typed_data

UNIT = 10**18
MIN_USER_PLEDGE = 1 * UNIT
MIN_PROVIDER_PLEDGE = 100 * UNIT
MIN_KEEPER_PLEDGE = 50 * UNIT
UNBONDING_DELAY = 7 * 24 * 3600
# The Registry's immutable bounds in these tests.
MIN_UNBONDING_DELAY = 3600
MAX_UNBONDING_DELAY = 30 * 24 * 3600
MAX_MIN_PLEDGE = 10_000 * UNIT
FEE_BPS = 500
#: Payload bytes of one blob (Market.BLOB_BYTES): an order of size s needs ceil(s / BLOB_BYTES) blobs.
BLOB_BYTES = 126_976
USER, PROVIDER, KEEPER = 1, 2, 4


# ----------------------------------------------------------------------------- results tree


def results_tree(entries: list[tuple[str, int, int]]) -> tuple[bytes, list[list[bytes]]]:
    """Root of the Keepers' results tree over the entries (memo_py.chain.merkle.ResultsTree,
    which the Keeper service uses too) and one proof per entry, in the entries' order."""
    tree = ResultsTree(entries)
    return tree.root, [tree.proof(provider) for provider, _, _ in entries]


@dataclass
class KeeperKey:
    secret: bytes
    pubkey: bytes
    pubkey_xy: bytes
    pop: bytes

    def registration(self, registry, keeper, chain_id: int | None = None) -> bytes:
        """The key's registration signature (EIP-2537 G2) for `keeper` at `registry`."""
        from memo_py.crypto import bls

        if chain_id is None:
            import ape

            chain_id = ape.chain.chain_id
        registry, keeper = getattr(registry, "address", registry), getattr(keeper, "address", keeper)
        return bls.g2_to_eip2537(bls.sign_keeper_registration(self.secret, chain_id, registry, keeper))

    def register_args(self, registry, keeper, pledge: int) -> tuple:
        """The arguments of `registry.register_keeper` for `keeper`."""
        return (pledge, self.pubkey, self.pubkey_xy, self.pop, self.registration(registry, keeper))


def keeper_key(seed: int) -> KeeperKey:
    from memo_py.crypto import bls

    secret = bls.key_from_seed(seed.to_bytes(32, "big"))
    pubkey = bls.public_key(secret)
    return KeeperKey(secret, pubkey, bls.g1_to_eip2537(pubkey), bls.g2_to_eip2537(bls.pop_prove(secret)))


FEE_STREAM_SECONDS = 86400  # Registry.FEE_STREAM_SECONDS
FEE_PRECISION = 10**27


def streamed_fees(amount: int, weight: int, total_weight: int) -> int:
    """What a Keeper of `weight` (out of `total_weight`, unchanged throughout) can claim once
    a fresh `add_fees(amount)` has streamed out in full: the Registry's own roundings
    (rate floored per second, index floored per weight, share floored)."""
    streamed = amount * FEE_PRECISION // FEE_STREAM_SECONDS * FEE_STREAM_SECONDS
    return weight * (streamed // total_weight) // FEE_PRECISION


def let_fees_stream():
    """Move the chain past a whole fee stream (mines a block)."""
    import ape

    ape.chain.pending_timestamp += FEE_STREAM_SECONDS
    ape.chain.mine()


def event_args(receipt, contract, name):
    """The decoded args of every `name` event that `contract` emitted in `receipt`."""
    return [log.event_arguments for log in receipt.events if log.event_name == name and log.contract_address == contract.address]


def sign_permit(token, owner_account, spender, value, deadline, nonce=None, chain_id=None):
    """EIP-2612 permit signature (v, r, s) of `owner_account` for `token`."""
    if chain_id is None:
        import ape

        chain_id = ape.chain.chain_id
    nonce = token.nonces(owner_account) if nonce is None else nonce
    _fields, name, version, _chain, _contract, _salt, _ext = token.eip712Domain()
    data = permit_typed_data(name, chain_id, token.address, owner_account.address, str(spender), value, nonce, deadline, version)
    signed = Account.sign_message(encode_typed_data(full_message=data), owner_account.private_key)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")
