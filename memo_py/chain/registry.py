"""Wrapper of ``Registry.vy``: roles, pledges, Provider offers, the Keeper set and Keeper fees.

Registration pulls the pledge with ``transferFrom``, so the wrapper checks the token
balance and approves the Registry first. Keeper registration takes the Keeper's blspy
secret key and builds the compressed key, its EIP-2537 encoding, the proof of
possession and the registration signature that binds the key to this chain, this
Registry and the sender's address (:mod:`memo_py.crypto.bls`).
"""

from __future__ import annotations

import enum

from eth_utils import keccak, to_checksum_address
from web3.types import TxReceipt

from memo_py.amounts import require_uint
from memo_py.chain.base import ContractWrapper
from memo_py.chain.client import ChainClient
from memo_py.chain.errors import AlreadyRegistered, ExitNotReady, NotRegistered, PledgeTooSmall
from memo_py.chain.records import KeeperSlot, RegisteredProvider
from memo_py.chain.token import Token
from memo_py.crypto import bls
from memo_py.display import format_tokens, format_utc
from memo_py.errors import InvalidPoint

__all__ = ["Role", "USER", "PROVIDER", "KEEPER", "Registry", "g1_compress_eip2537"]


class Role(enum.IntFlag):
    """The Registry's role bits."""

    USER = 1
    PROVIDER = 2
    KEEPER = 4


USER, PROVIDER, KEEPER = Role.USER, Role.PROVIDER, Role.KEEPER

_P = int(
    "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab", 16
)  # BLS12-381 base field modulus


def g1_compress_eip2537(xy: bytes) -> bytes:
    """EIP-2537 G1 encoding (128 B) back to the compressed form blspy uses (48 B).

    Only re-encodes (x with the compression, infinity and sign flags); the result is
    checked by decoding it again, so a point off the curve raises :class:`InvalidPoint`.
    """
    if len(xy) != 128:
        raise InvalidPoint(f"an EIP-2537 G1 point is 128 bytes, got {len(xy)}")
    if not any(xy):
        return bytes([0xC0]) + bytes(47)
    if any(xy[0:16]) or any(xy[64:80]):
        raise InvalidPoint("EIP-2537 G1 coordinates must have 16 zero bytes of padding")
    x, y = xy[16:64], int.from_bytes(xy[80:128], "big")
    flags = 0x80 | (0x20 if y > (_P - 1) // 2 else 0)
    compressed = bytes([x[0] | flags]) + x[1:]
    if bls.g1_to_eip2537(compressed) != bytes(xy):
        raise InvalidPoint("EIP-2537 G1 point does not round-trip (not on the curve)")
    return compressed


def _role(role: int | str | Role) -> Role:
    if isinstance(role, str):
        try:
            return Role[role.upper()]
        except KeyError:
            raise ValueError(f"unknown role {role!r}: user, provider or keeper") from None
    role = Role(int(role))
    if role not in (USER, PROVIDER, KEEPER):
        raise ValueError(f"one role at a time, got {role!r}")
    return role


class Registry(ContractWrapper):
    NAME = "Registry"

    def __init__(self, client: ChainClient, address: str, *, token: Token | None = None, from_block: int = 0) -> None:
        super().__init__(client, address, from_block=from_block)
        self._token = token

    @property
    def token(self) -> Token:
        if self._token is None:
            self._token = Token(self.client, self._call("token"), from_block=self.from_block)
        return self._token

    # ------------------------------------------------------------------ roles

    def min_pledge(self, role: int | str) -> int:
        return int(self._call("min_pledge", int(_role(role))))

    def roles_of(self, address: str | None = None, block: int | str | None = None) -> Role:
        return Role(int(self._call("roles_of", self._me(address), block=block)))

    def pledge_of(self, address: str | None, role: int | str) -> int:
        return int(self._call("pledge_of", self._me(address), int(_role(role))))

    def unbond_at(self, address: str | None, role: int | str) -> int:
        return int(self._call("unbond_at", self._me(address), int(_role(role))))

    def is_active(self, address: str | None, role: int | str, block: int | str | None = None) -> bool:
        return bool(self._call("is_active", self._me(address), int(_role(role)), block=block))

    def is_user(self, address: str | None = None) -> bool:
        return self.is_active(address, USER)

    def is_provider(self, address: str | None = None) -> bool:
        return self.is_active(address, PROVIDER)

    def is_keeper(self, address: str | None = None) -> bool:
        return self.is_active(address, KEEPER)

    def _prepare_pledge(self, role: Role, pledge: int | None) -> int:
        """Check the role is free and the pledge enough and funded; approve the Registry."""
        if pledge is not None:
            pledge = require_uint(pledge, f"a {role.name.lower()} pledge")
        me = self.client.require_signer()
        if self.roles_of(me) & role:
            raise AlreadyRegistered(f"{me} is already registered as {role.name.lower()}")
        minimum = self.min_pledge(role)
        pledge = minimum if pledge is None else pledge
        if pledge < minimum:
            raise PledgeTooSmall(
                f"the {role.name.lower()} pledge is at least {format_tokens(minimum)} tokens, got {format_tokens(pledge)}"
            )
        if pledge > 0:
            self.token.require_balance(pledge, f"a {role.name.lower()} pledge")
            self.token.ensure_allowance(self.address, pledge)
        return pledge

    def register_user(self, pledge: int | None = None) -> TxReceipt:
        """Register the signer as a User (pledge: the minimum unless given)."""
        pledge = self._prepare_pledge(USER, pledge)
        return self._send("register_user", pledge)

    def register_provider(self, endpoint: str, capacity: int, price: int, pledge: int | None = None) -> TxReceipt:
        """Register the signer as a Provider offering ``capacity`` bytes at ``price`` per byte per epoch."""
        if len(endpoint.encode()) > 256:
            raise ValueError("a provider endpoint is at most 256 bytes")
        capacity, price = require_uint(capacity, "capacity"), require_uint(price, "price")
        pledge = self._prepare_pledge(PROVIDER, pledge)
        return self._send("register_provider", pledge, endpoint, capacity, price)

    def update_provider(self, endpoint: str, capacity: int, price: int) -> TxReceipt:
        capacity, price = require_uint(capacity, "capacity"), require_uint(price, "price")
        me = self.client.require_signer()
        if not self.roles_of(me) & PROVIDER:
            raise NotRegistered(f"{me} is not a provider")
        return self._send("update_provider", endpoint, capacity, price)

    def register_keeper(self, bls_secret_key: bytes, pledge: int | None = None) -> TxReceipt:
        """Register the signer as a Keeper with the BLS key ``bls_secret_key`` (32 B, blspy).

        Sends the compressed public key, its EIP-2537 encoding, the EIP-2537-encoded
        proof of possession and the key's signature of the registration message for the
        signer's address (:func:`memo_py.crypto.bls.keeper_registration_message`), which
        the Registry verifies on-chain. A key is registered at most once, ever.
        """
        me = self.client.require_signer()
        if pledge is not None:
            pledge = require_uint(pledge, "a keeper pledge")
        pubkey = bls.public_key(bls_secret_key)
        if self.key_in_use(pubkey):
            raise AlreadyRegistered(f"BLS key 0x{pubkey.hex()[:16]}… was already registered (a key is usable once)")
        pledge = self._prepare_pledge(KEEPER, pledge)
        pubkey_xy = bls.g1_to_eip2537(pubkey)
        pop = bls.g2_to_eip2537(bls.pop_prove(bls_secret_key))
        signature = bls.g2_to_eip2537(bls.sign_keeper_registration(bls_secret_key, self.client.chain_id, self.address, me))
        return self._send("register_keeper", pledge, pubkey, pubkey_xy, pop, signature)

    def key_in_use(self, pubkey: bytes) -> bool:
        return bool(self._call("key_in_use", keccak(pubkey)))

    def top_up(self, role: int | str, amount: int) -> TxReceipt:
        role = _role(role)
        amount = require_uint(amount, "a top-up", positive=True)
        me = self.client.require_signer()
        if not self.roles_of(me) & role:
            raise NotRegistered(f"{me} does not hold the {role.name.lower()} role")
        self.token.require_balance(amount, "this top-up")
        self.token.ensure_allowance(self.address, amount)
        return self._send("top_up", int(role), amount)

    def request_exit(self, role: int | str) -> TxReceipt:
        role = _role(role)
        me = self.client.require_signer()
        if not self.roles_of(me) & role:
            raise NotRegistered(f"{me} does not hold the {role.name.lower()} role")
        if self.unbond_at(me, role):
            raise ExitNotReady(f"{me} is already leaving the {role.name.lower()} role")
        return self._send("request_exit", int(role))

    def complete_exit(self, role: int | str) -> TxReceipt:
        """Take the pledge back after the unbonding delay (see ``Exited`` in the receipt)."""
        role = _role(role)
        me = self.client.require_signer()
        if not self.roles_of(me) & role:
            raise NotRegistered(f"{me} does not hold the {role.name.lower()} role")
        unbond_at = self.unbond_at(me, role)
        if unbond_at == 0:
            raise ExitNotReady(f"{me} has not requested to leave the {role.name.lower()} role")
        now = int(self.client.get_block("latest")["timestamp"])
        if now < unbond_at:
            raise ExitNotReady(
                f"the {role.name.lower()} pledge unbonds at {format_utc(unbond_at)} ({unbond_at - now} s from now)"
            )
        return self._send("complete_exit", int(role))

    # ------------------------------------------------------------------ providers

    def provider_info(self, address: str, block: int | str | None = None) -> RegisteredProvider:
        address = to_checksum_address(address)
        endpoint, capacity, price = self._call("provider_info", address, block=block)
        return RegisteredProvider(address, endpoint, int(capacity), int(price), self.is_active(address, PROVIDER, block))

    def providers(self, *, active_only: bool = False, block: int | str | None = None) -> list[RegisteredProvider]:
        """Every account holding the Provider role (from ``Registered`` events), with its offer."""
        to_block = block if block is not None else "latest"
        seen: dict[str, None] = {}
        for log in self._logs("Registered", to_block=to_block, role=int(PROVIDER)):
            seen.setdefault(to_checksum_address(log["args"]["account"]), None)
        result = []
        for address in seen:
            if not self.roles_of(address, block) & PROVIDER:
                continue  # exited since
            info = self.provider_info(address, block)
            if info.active or not active_only:
                result.append(info)
        return result

    # ------------------------------------------------------------------ keepers

    def keeper_bitmap(self, block: int | str | None = None) -> int:
        return int(self._call("keeper_bitmap", block=block))

    def total_keeper_weight(self) -> int:
        return int(self._call("total_keeper_weight"))

    def keeper_slot(self, address: str | None = None) -> int | None:
        """The signer's (or ``address``'s) attestation slot, or None if not an active Keeper."""
        address = self._me(address)
        if not self.is_active(address, KEEPER):
            return None
        return int(self._call("keeper_slot", address))

    def keepers(self, block: int | str | None = None) -> list[KeeperSlot]:
        """The active Keeper set by slot: address, compressed BLS key and weight."""
        bitmap = self.keeper_bitmap(block)
        slots = []
        slot = 0
        while bitmap >> slot:
            if bitmap >> slot & 1:
                address = to_checksum_address(self._call("slot_keeper", slot, block=block))
                pubkey = g1_compress_eip2537(bytes(self._call("keeper_pubkey", slot, block=block)))
                weight = int(self._call("keeper_weight", slot, block=block))
                slots.append(KeeperSlot(slot, address, pubkey, weight))
            slot += 1
        return slots

    def claimable_fees(self, keeper: str | None = None) -> int:
        return int(self._call("claimable_fees", self._me(keeper)))

    def claim_fees(self) -> TxReceipt:
        me = self.client.require_signer()
        if self.claimable_fees(me) == 0:
            raise ValueError(f"{me} has no keeper fees to claim")
        return self._send("claim_fees")
