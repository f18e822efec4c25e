"""Wrapper of ``Token.vy`` (any ERC-20 for reads and approvals; mint and permit need MEMO's Token)."""

from __future__ import annotations

from eth_account.messages import encode_typed_data
from eth_utils import to_checksum_address
from web3.types import TxReceipt

from memo_py.amounts import require_uint
from memo_py.chain.base import ContractWrapper
from memo_py.chain.errors import InsufficientFunds, NoSigner
from memo_py.display import format_tokens
from memo_py.errors import NotPermitted

__all__ = ["Token", "permit_typed_data"]


def permit_typed_data(
    name: str,
    chain_id: int,
    token: str,
    owner: str,
    spender: str,
    amount: int,
    nonce: int,
    deadline: int,
    version: str = "1",
) -> dict:
    """The EIP-712 typed data of an EIP-2612 permit on ``token``, in the domain ``(name, version, chain_id, token)``.

    MEMO's Token signs in the domain (token name, "1"); :meth:`Token.eip712_domain` reads it from the contract.
    """
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {"name": name, "version": version, "chainId": int(chain_id), "verifyingContract": to_checksum_address(token)},
        "message": {
            "owner": to_checksum_address(owner),
            "spender": to_checksum_address(spender),
            "value": int(amount),
            "nonce": int(nonce),
            "deadline": int(deadline),
        },
    }


class Token(ContractWrapper):
    NAME = "Token"

    # ------------------------------------------------------------------ reads

    def name(self) -> str:
        return str(self._call("name"))

    def symbol(self) -> str:
        return str(self._call("symbol"))

    def decimals(self) -> int:
        return int(self._call("decimals"))

    def total_supply(self) -> int:
        return int(self._call("totalSupply"))

    def balance_of(self, address: str | None = None) -> int:
        return int(self._call("balanceOf", self._me(address)))

    def allowance(self, owner: str, spender: str) -> int:
        return int(self._call("allowance", to_checksum_address(owner), to_checksum_address(spender)))

    def nonces(self, owner: str) -> int:
        return int(self._call("nonces", to_checksum_address(owner)))

    def owner(self) -> str:
        return to_checksum_address(self._call("owner"))

    def eip712_domain(self) -> tuple[str, str]:
        """The ``(name, version)`` of the token's EIP-712 domain, from its EIP-5267 ``eip712Domain``."""
        _fields, name, version, _chain_id, _contract, _salt, _extensions = self._call("eip712Domain")
        return str(name), str(version)

    # ------------------------------------------------------------------ writes

    def transfer(self, to: str, amount: int) -> TxReceipt:
        amount = require_uint(amount, "a transfer")
        self.require_balance(amount)
        return self._send("transfer", to_checksum_address(to), int(amount))

    def approve(self, spender: str, amount: int) -> TxReceipt:
        amount = require_uint(amount, "an allowance")
        return self._send("approve", to_checksum_address(spender), amount)

    def ensure_allowance(self, spender: str, amount: int) -> TxReceipt | None:
        """Approve ``spender`` for ``amount`` unless the allowance already covers it."""
        amount = require_uint(amount, "an allowance")
        me = self.client.require_signer()
        if self.allowance(me, spender) >= amount:
            return None
        return self.approve(spender, amount)

    def require_balance(self, amount: int, what: str = "this") -> None:
        """Raise :class:`InsufficientFunds` unless the signer holds ``amount`` tokens."""
        amount = require_uint(amount, f"{what} amount")
        me = self.client.require_signer()
        held = self.balance_of(me)
        if held < amount:
            raise InsufficientFunds(f"{what} needs {format_tokens(amount)} tokens; {me} holds {format_tokens(held)}")

    def mint(self, to: str, amount: int) -> TxReceipt:
        """Create tokens (the Token's owner only: the devnet faucet)."""
        amount = require_uint(amount, "a mint")
        me = self.client.require_signer()
        owner = self.owner()
        if owner != me:
            raise NotPermitted(f"only the token owner {owner} may mint; this client signs as {me}")
        return self._send("mint", to_checksum_address(to), int(amount))

    # ------------------------------------------------------------------ EIP-2612

    def permit_typed_data(self, owner: str, spender: str, amount: int, deadline: int, nonce: int | None = None) -> dict:
        amount = require_uint(amount, "a permit")
        nonce = self.nonces(owner) if nonce is None else int(nonce)
        name, version = self.eip712_domain()
        return permit_typed_data(name, self.client.chain_id, self.address, owner, spender, amount, nonce, deadline, version)

    def sign_permit(self, spender: str, amount: int, deadline: int | None = None) -> tuple[int, bytes, bytes, int]:
        """The signer's EIP-2612 permit for ``spender``: ``(v, r, s, deadline)``.

        The default deadline is one hour after the latest block's timestamp (chain time, not wall time).
        """
        amount = require_uint(amount, "a permit")
        account = self.client.account
        if account is None or not hasattr(account, "sign_message"):
            raise NoSigner("signing a permit needs a local account (eth-account)")
        if deadline is None:
            deadline = int(self.client.get_block("latest")["timestamp"]) + 3600
        data = self.permit_typed_data(account.address, spender, amount, deadline)
        signed = account.sign_message(encode_typed_data(full_message=data))
        return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big"), deadline

    def permit(self, owner: str, spender: str, amount: int, deadline: int, v: int, r: bytes, s: bytes) -> TxReceipt:
        amount = require_uint(amount, "a permit")
        return self._send("permit", to_checksum_address(owner), to_checksum_address(spender), amount, int(deadline), v, r, s)
