"""The SDK's chain layer: typed data and (later) one wrapper per MEMO contract.

- :mod:`memo_py.chain.eip712`: EIP-712 ``OrderUpdate`` messages, signed with eth-account.
"""

from __future__ import annotations

from memo_py.chain.eip712 import OrderUpdate, digest, order_id, recover_signer, sign_order_update

__all__ = ["OrderUpdate", "digest", "order_id", "recover_signer", "sign_order_update"]
