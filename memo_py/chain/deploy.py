"""Deploy and wire the whole MEMO set with web3.py, from the shipped artifacts.

The one copy of the deployment order, constructor arguments and wiring (``ape run deploy``
reaches it through :func:`memo_py.chain.ape_adapter.deploy_all`)::

    Token(name, symbol, 18)            unless token_address names an existing ERC-20
                                       (snekmate's erc20: name <= 25, symbol <= 5 bytes;
                                       the name is also the permit domain's, version "1")
    Registry(token, unbonding_delay, min_unbonding_delay, max_unbonding_delay, max_min_pledge)
    Epochs(registry, epoch_length)
    Market(token, registry, epochs, fee_bps)
    Disputes(token, market, epochs, registry, min_bond, dispute_window, slash_amount,
             min_bond_floor, dispute_window_floor, dispute_window_ceiling, slash_amount_cap)
    Registry.set_market(market); Registry.set_disputes(disputes)   (once each: one-time wiring)
    Registry.set_min_pledge(USER | PROVIDER | KEEPER, …)

The ``*_floor``, ``*_ceiling``, ``*_cap`` and ``max_*`` arguments are the bounds of the owner's
setters, immutables fixed at deployment (see docs/contracts.md, "What each admin can still do").

The devnet, the tests and ``scripts/deploy.py`` all use it.
"""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address

from memo_py.amounts import require_uint
from memo_py.chain.client import ChainClient
from memo_py.chain.deployment import Deployment
from memo_py.chain.registry import KEEPER, PROVIDER, USER

__all__ = ["UNIT", "DEFAULT_PARAMETERS", "deploy_all"]

UNIT = 10**18

#: Longest name and symbol Token.vy takes (snekmate's erc20 stores them as String[25] / String[5]).
TOKEN_NAME_MAX = 25
TOKEN_SYMBOL_MAX = 5

#: The parameters ``scripts/deploy.py`` defaults to.
DEFAULT_PARAMETERS: dict[str, Any] = {
    "epoch_length": 10,
    "fee_bps": 500,
    "unbonding_delay": 3600,
    "min_bond": 10 * UNIT,
    "dispute_window": 3600,
    "slash_amount": 50 * UNIT,
    "min_unbonding_delay": 3600,
    "max_unbonding_delay": 30 * 24 * 3600,
    "max_min_pledge": 10_000 * UNIT,
    "min_bond_floor": UNIT,
    "dispute_window_floor": 3600,
    "dispute_window_ceiling": 7 * 24 * 3600,
    "slash_amount_cap": 100 * UNIT,
}


#: Blocks per epoch, shipped default: 20 minutes at 12 s blocks, 72 epochs a day, the
#: length docs/proofs.md's soundness bound assumes with DEFAULT_SAMPLE_SIZE samples.
DEFAULT_EPOCH_LENGTH = 100

def deploy_all(
    client: ChainClient,
    *,
    token_address: str | None = None,
    token_name: str = "MEMO Token",
    token_symbol: str = "MEMO",
    epoch_length: int = DEFAULT_EPOCH_LENGTH,
    fee_bps: int = 500,
    unbonding_delay: int = 3600,
    min_pledges: tuple[int, int, int] = (UNIT, 100 * UNIT, 50 * UNIT),
    min_bond: int = 10 * UNIT,
    dispute_window: int = 3600,
    slash_amount: int = 50 * UNIT,
    min_unbonding_delay: int | None = None,
    max_unbonding_delay: int = 30 * 24 * 3600,
    max_min_pledge: int = 10_000 * UNIT,
    min_bond_floor: int | None = None,
    dispute_window_floor: int | None = None,
    dispute_window_ceiling: int = 7 * 24 * 3600,
    slash_amount_cap: int = 100 * UNIT,
    network: str = "local",
) -> Deployment:
    """Deploy the set from ``client``'s account (which becomes every contract's owner).

    A floor left as None is the smaller of its default (1 hour, 1 token) and the initial
    value, so a devnet or a bench that deploys with a short delay or window gets bounds
    that admit it; a real deployment passes its bounds explicitly.
    """
    for what, amount in (("min_bond", min_bond), ("slash_amount", slash_amount), *(("a min pledge", a) for a in min_pledges)):
        require_uint(amount, what)
    client.require_signer()
    if min_unbonding_delay is None:
        min_unbonding_delay = min(3600, unbonding_delay)
    if min_bond_floor is None:
        min_bond_floor = max(1, min(UNIT, min_bond))
    if dispute_window_floor is None:
        dispute_window_floor = max(1, min(3600, dispute_window))
    if token_address is None:
        if len(token_name.encode()) > TOKEN_NAME_MAX or len(token_symbol.encode()) > TOKEN_SYMBOL_MAX:
            raise ValueError(
                f"Token takes a name of at most {TOKEN_NAME_MAX} bytes and a symbol of at most "
                f"{TOKEN_SYMBOL_MAX}; got {token_name!r}, {token_symbol!r}"
            )
        token, _ = client.deploy("Token", token_name, token_symbol, 18)
    else:
        token = to_checksum_address(token_address)
        if not client.has_code(token):
            raise ValueError(f"no contract at token address {token}")
    registry, _ = client.deploy(
        "Registry", token, unbonding_delay, min_unbonding_delay, max_unbonding_delay, max_min_pledge
    )
    epochs, _ = client.deploy("Epochs", registry, epoch_length)
    market, _ = client.deploy("Market", token, registry, epochs, fee_bps)
    disputes, _ = client.deploy(
        "Disputes",
        token,
        market,
        epochs,
        registry,
        min_bond,
        dispute_window,
        slash_amount,
        min_bond_floor,
        dispute_window_floor,
        dispute_window_ceiling,
        slash_amount_cap,
    )
    wiring = client.contract("Registry", registry).functions
    client.send(wiring.set_market(market))
    client.send(wiring.set_disputes(disputes))
    for role, amount in zip((USER, PROVIDER, KEEPER), min_pledges):
        client.send(wiring.set_min_pledge(int(role), int(amount)))
    parameters = {
        "epoch_length": epoch_length,
        "fee_bps": fee_bps,
        "unbonding_delay": unbonding_delay,
        "min_bond": min_bond,
        "dispute_window": dispute_window,
        "slash_amount": slash_amount,
        "min_unbonding_delay": min_unbonding_delay,
        "max_unbonding_delay": max_unbonding_delay,
        "max_min_pledge": max_min_pledge,
        "min_bond_floor": min_bond_floor,
        "dispute_window_floor": dispute_window_floor,
        "dispute_window_ceiling": dispute_window_ceiling,
        "slash_amount_cap": slash_amount_cap,
    }
    return Deployment(
        chain_id=client.chain_id,
        token=token,
        registry=registry,
        epochs=epochs,
        market=market,
        disputes=disputes,
        block=client.block_number(),  # the head after wiring, as scripts/deploy.py records it
        network=network,
        parameters=parameters,
    )
