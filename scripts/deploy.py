"""Deploy and wire the MEMO contracts: ``ape run deploy [--network ...] [--account ...]``.

Order: Token (unless --token names an existing ERC-20), Registry, Epochs, Market,
Disputes; then Registry.set_market and Registry.set_disputes. Every contract type comes
from the compiled project; a missing one is an error, never skipped. The addresses
(and the parameters used) go to ``deployments/<network>.json``, which the SDK reads.

Examples::

    ape run deploy                                   # local anvil (ape-config's foundry), test account 0
    ape run deploy --network ethereum:sepolia:node --account deployer --token 0x...
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from ape import accounts, chain, project
from ape.cli import ConnectedProviderCommand, account_option

UNIT = 10**18
USER, PROVIDER, KEEPER = 1, 2, 4
DEPLOYABLES = ("Token", "Registry", "Epochs", "Market", "Disputes")


def contract_type(name: str):
    """The compiled contract type `name`; a missing contract is an error, not a silent skip."""
    if name not in project.contracts:
        raise click.ClickException(f"contract {name} is not in this project (contracts/{name}.vy); cannot deploy the set")
    return getattr(project, name)


def deploy_all(
    deployer,
    *,
    token_address: str | None = None,
    token_name: str = "MEMO Token",
    token_symbol: str = "MEMO",
    epoch_length: int = 10,
    fee_bps: int = 500,
    unbonding_delay: int = 3600,
    min_pledges: tuple[int, int, int] = (UNIT, 100 * UNIT, 50 * UNIT),
    min_bond: int = 10 * UNIT,
    dispute_window: int = 3600,
    slash_amount: int = 50 * UNIT,
) -> dict:
    """Deploy and wire the set; returns {name: contract} (usable from tests and the devnet too)."""
    types = {name: contract_type(name) for name in DEPLOYABLES if name != "Token" or token_address is None}
    if token_address is None:
        token = types["Token"].deploy(token_name, token_symbol, 18, sender=deployer)
    else:
        token = chain.contracts.instance_at(token_address)
    registry = types["Registry"].deploy(token, unbonding_delay, sender=deployer)
    epochs = types["Epochs"].deploy(registry, epoch_length, sender=deployer)
    market = types["Market"].deploy(token, registry, epochs, fee_bps, sender=deployer)
    disputes = types["Disputes"].deploy(token, market, epochs, registry, min_bond, dispute_window, slash_amount, sender=deployer)
    registry.set_market(market, sender=deployer)
    registry.set_disputes(disputes, sender=deployer)
    for role, amount in zip((USER, PROVIDER, KEEPER), min_pledges):
        registry.set_min_pledge(role, amount, sender=deployer)
    return {"Token": token, "Registry": registry, "Epochs": epochs, "Market": market, "Disputes": disputes}


def write_deployment(contracts: dict, network_name: str, out_dir: Path, parameters: dict) -> Path:
    """Write deployments/<network>.json: chain id, block, addresses and parameters."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{network_name}.json"
    record = {
        "chain_id": chain.chain_id,
        "network": network_name,
        "block": chain.blocks.head.number,
        "contracts": {name: contract.address for name, contract in contracts.items()},
        "parameters": parameters,
    }
    path.write_text(json.dumps(record, indent=2) + "\n")
    return path


@click.command(cls=ConnectedProviderCommand)
@account_option(prompt=False)
@click.option("--token", "token_address", default=None, help="Use this existing ERC-20 instead of deploying Token.")
@click.option("--epoch-length", default=10, show_default=True, help="Blocks per epoch.")
@click.option("--fee-bps", default=500, show_default=True, help="Keepers' share of Provider pay, basis points.")
@click.option("--unbonding-delay", default=3600, show_default=True, help="Exit queue delay, seconds.")
@click.option("--min-bond", default=10 * UNIT, show_default=True, help="Minimum dispute bond, token wei.")
@click.option("--dispute-window", default=3600, show_default=True, help="Seconds a Provider has to answer a dispute.")
@click.option("--slash-amount", default=50 * UNIT, show_default=True, help="Slash for an unanswered dispute, token wei.")
@click.option("--out", "out_dir", default="deployments", show_default=True, type=click.Path(file_okay=False, path_type=Path))
def cli(network, account, token_address, epoch_length, fee_bps, unbonding_delay, min_bond, dispute_window, slash_amount, out_dir):
    """Deploy Token (optional), Registry, Epochs, Market and Disputes, wire them, record the addresses."""
    if account is None:
        if network.name != "local":
            raise click.ClickException("--account is required off the local network")
        account = accounts.test_accounts[0]
    parameters = {
        "epoch_length": epoch_length,
        "fee_bps": fee_bps,
        "unbonding_delay": unbonding_delay,
        "min_bond": min_bond,
        "dispute_window": dispute_window,
        "slash_amount": slash_amount,
    }
    contracts = deploy_all(account, token_address=token_address, **parameters)
    path = write_deployment(contracts, network.name, out_dir, parameters)
    for name, contract in contracts.items():
        click.echo(f"{name:<9} {contract.address}")
    click.echo(f"wrote {path}")
