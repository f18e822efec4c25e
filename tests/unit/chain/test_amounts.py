"""Amount arguments of the SDK: an int (never a bool, a float or a string) in uint256 range,
refused before anything reaches the node.

The client below points at a port where no node listens: a check that is missing shows up
as ChainUnavailable (the call went out) instead of the WrongType or ValueError expected.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from eth_account import Account

from memo_py.amounts import require_uint
from memo_py.chain.contracts import MemoContracts
from memo_py.chain.deployment import Deployment
from memo_py.chain.client import ChainClient
from memo_py.chain.user import UserRoleChain
from memo_py.crypto import bls
from memo_py.devnet.anvil import free_port
from memo_py.errors import MemoError, WrongType

USER = Account.from_key(b"\x44" * 32)
OTHER = "0x" + "22" * 20
ENDPOINT = "http://127.0.0.1:8700"
BLS_KEY = bls.key_from_seed(b"\x45" * 32)

WRONG_TYPES = [1.5, 1.0, True, False, "5", Decimal(5), [5], b"\x05"]  # None means "the minimum" where it is allowed
OUT_OF_RANGE = [-1, 2**256]


@pytest.fixture(scope="module")
def memo() -> MemoContracts:
    deployment = Deployment(
        chain_id=31337, token="0x" + "a1" * 20, registry="0x" + "a2" * 20, epochs="0x" + "a3" * 20,
        market="0x" + "a4" * 20, disputes="0x" + "a5" * 20,
    )
    client = ChainClient.connect(f"http://127.0.0.1:{free_port()}", USER.key, retries=0, request_timeout=2)
    return MemoContracts(client, deployment)


def calls(memo: MemoContracts) -> dict[str, object]:
    """Every SDK call that takes an amount, as a function of that amount."""
    market, token, registry, disputes = memo.market, memo.token, memo.registry, memo.disputes
    user = UserRoleChain(memo)
    return {
        "Market.deposit": market.deposit,
        "Market.deposit_with_permit": market.deposit_with_permit,
        "Market.withdraw": market.withdraw,
        "Market.withdraw_pay(cum_pay)": lambda x: market.withdraw_pay(1, x, 0, []),
        "Market.withdraw_pay(cum_penalty)": lambda x: market.withdraw_pay(1, 0, x, []),
        "Market.settle(cum_pay)": lambda x: market.settle(OTHER, 1, x, 0, []),
        "Market.settle(cum_penalty)": lambda x: market.settle(OTHER, 1, 0, x, []),
        "Token.transfer": lambda x: token.transfer(OTHER, x),
        "Token.approve": lambda x: token.approve(OTHER, x),
        "Token.ensure_allowance": lambda x: token.ensure_allowance(OTHER, x),
        "Token.require_balance": token.require_balance,
        "Token.mint": lambda x: token.mint(OTHER, x),
        "Token.sign_permit": lambda x: token.sign_permit(OTHER, x, 10**10),
        "Token.permit": lambda x: token.permit(USER.address, OTHER, x, 10**10, 27, bytes(32), bytes(32)),
        "Registry.register_user": registry.register_user,
        "Registry.register_provider(pledge)": lambda x: registry.register_provider(ENDPOINT, 1, 1, x),
        "Registry.register_provider(capacity)": lambda x: registry.register_provider(ENDPOINT, x, 1, 1),
        "Registry.register_provider(price)": lambda x: registry.register_provider(ENDPOINT, 1, x, 1),
        "Registry.update_provider(capacity)": lambda x: registry.update_provider(ENDPOINT, x, 1),
        "Registry.update_provider(price)": lambda x: registry.update_provider(ENDPOINT, 1, x),
        "Registry.register_keeper": lambda x: registry.register_keeper(BLS_KEY, x),
        "Registry.top_up": lambda x: registry.top_up("user", x),
        "Disputes.challenge": lambda x: disputes.challenge(b"\x01" * 32, 0, x),
        "UserRoleChain.deposit": user.deposit,
        "UserRoleChain.withdraw": user.withdraw,
        "UserRoleChain.register_user": user.register_user,
    }


def _names() -> list[str]:
    deployment = Deployment(
        chain_id=1, token="0x" + "a1" * 20, registry="0x" + "a2" * 20, epochs="0x" + "a3" * 20,
        market="0x" + "a4" * 20, disputes="0x" + "a5" * 20,
    )
    client = ChainClient.connect("http://127.0.0.1:9", USER.key, retries=0)
    return list(calls(MemoContracts(client, deployment)))


@pytest.mark.parametrize("name", _names())
@pytest.mark.parametrize("wrong", WRONG_TYPES, ids=repr)
def test_an_amount_of_another_type_is_a_type_error_before_any_call(memo, name, wrong):
    with pytest.raises(WrongType) as info:
        calls(memo)[name](wrong)
    assert isinstance(info.value, TypeError) and isinstance(info.value, MemoError)
    assert type(wrong).__name__ in str(info.value)


@pytest.mark.parametrize("name", _names())
@pytest.mark.parametrize("bad", OUT_OF_RANGE)
def test_an_amount_outside_uint256_is_a_value_error_before_any_call(memo, name, bad):
    with pytest.raises(ValueError):  # not ChainUnavailable: nothing was sent
        calls(memo)[name](bad)


def test_require_uint_returns_the_int_and_names_what_is_wrong():
    assert require_uint(5, "deposit") == 5
    assert require_uint(0, "price") == 0
    with pytest.raises(WrongType, match="deposit must be an int amount, not float"):
        require_uint(1.5, "deposit")
    with pytest.raises(WrongType, match="not bool"):
        require_uint(True, "deposit")
    with pytest.raises(ValueError, match="deposit must be positive"):
        require_uint(0, "deposit", positive=True)
    with pytest.raises(ValueError, match="uint256"):
        require_uint(2**256, "deposit")
