"""The common part of the contract wrappers: a web3 contract bound to a :class:`ChainClient`."""

from __future__ import annotations

from typing import Any, ClassVar

from eth_utils import to_checksum_address
from web3.types import TxReceipt

from memo_py.chain.client import ChainClient

__all__ = ["ContractWrapper"]


class ContractWrapper:
    """One deployed contract: reads through ``eth_call``, writes through the client's signer."""

    NAME: ClassVar[str]

    def __init__(self, client: ChainClient, address: str, *, from_block: int = 0) -> None:
        self.client = client
        self.address = to_checksum_address(address)
        self.contract = client.contract(self.NAME, self.address)
        #: First block worth scanning for this contract's events (the deployment block).
        self.from_block = from_block

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.address})"

    def _call(self, function: str, *args: Any, block: int | str | None = None) -> Any:
        return self.client.call(getattr(self.contract.functions, function)(*args), block)

    def _send(self, function: str, *args: Any, value: int = 0) -> TxReceipt:
        return self.client.send(getattr(self.contract.functions, function)(*args), value=value)

    def _logs(self, event: str, *, from_block: int | None = None, to_block: int | str = "latest", **filters: Any) -> list[Any]:
        return self.client.get_logs(
            getattr(self.contract.events, event),
            from_block=self.from_block if from_block is None else from_block,
            to_block=to_block,
            argument_filters=filters or None,
        )

    def _events(self, receipt: TxReceipt, event: str) -> list[Any]:
        return list(self.client.events_in(receipt, getattr(self.contract.events, event)))

    def _me(self, address: str | None) -> str:
        return to_checksum_address(address) if address is not None else self.client.require_signer()
