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

from pathlib import Path

import click
from ape import accounts, project
from ape.cli import ConnectedProviderCommand, account_option

from memo_py.chain.ape_adapter import deploy_all as deploy_with_sdk
from memo_py.chain.deploy import DEFAULT_EPOCH_LENGTH, UNIT
from memo_py.chain.deployment import Deployment

DEPLOYABLES = ("Token", "Registry", "Epochs", "Market", "Disputes")


def contract_type(name: str):
    """The compiled contract type `name`; a missing contract is an error, not a silent skip."""
    if name not in project.contracts:
        raise click.ClickException(f"contract {name} is not in this project (contracts/{name}.vy); cannot deploy the set")
    return getattr(project, name)


def deploy(deployer, *, token_address: str | None = None, **parameters) -> tuple[Deployment, dict]:
    """Deploy and wire the set through the SDK (memo_py.chain.deploy holds the one copy of the wiring).

    The SDK deploys the artifacts shipped in memo_py/data/abi, which
    tests/contracts/test_artifacts.py keeps equal to this tree's compiled contracts.
    Returns the deployment record and {name: ape contract}, for ape users and the gas bench.
    """
    for name in DEPLOYABLES:
        contract_type(name)
    deployment = deploy_with_sdk(deployer, token_address=token_address, **parameters)
    addresses = {
        "Token": deployment.token,
        "Registry": deployment.registry,
        "Epochs": deployment.epochs,
        "Market": deployment.market,
        "Disputes": deployment.disputes,
    }
    return deployment, {name: contract_type(name).at(address) for name, address in addresses.items()}


def deploy_all(deployer, **parameters) -> dict:
    """{name: ape contract} of a freshly deployed and wired set (tests and benches)."""
    return deploy(deployer, **parameters)[1]


@click.command(cls=ConnectedProviderCommand)
@account_option(prompt=False)
@click.option("--token", "token_address", default=None, help="Use this existing ERC-20 instead of deploying Token.")
@click.option("--epoch-length", default=DEFAULT_EPOCH_LENGTH, show_default=True, help="Blocks per epoch, fixed for the life of the deployment.")
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
    deployment, contracts = deploy(account, token_address=token_address, network=network.name, **parameters)
    path = deployment.save(out_dir / f"{network.name}.json")
    for name, contract in contracts.items():
        click.echo(f"{name:<9} {contract.address}")
    click.echo(f"wrote {path}")
