"""Deploy and wire the MEMO contracts: ``ape run deploy [--network ...] [--account ...]``.

Order: Token (unless --token names an existing ERC-20), Registry, Epochs, Market,
Disputes; then Registry.set_market and Registry.set_disputes (one-time wiring: neither can
be called again). The bounds of the admin setters (floors, ceilings, caps) are constructor
arguments, immutable once deployed. Every contract type comes
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
@click.option("--min-unbonding-delay", default=None, type=int, help="Floor of the unbonding delay, seconds (immutable). [default: min(3600, --unbonding-delay)]")
@click.option("--max-unbonding-delay", default=30 * 24 * 3600, show_default=True, help="Ceiling of the unbonding delay, seconds (immutable).")
@click.option("--max-min-pledge", default=10_000 * UNIT, show_default=True, help="Cap of every minimum pledge, token wei (immutable).")
@click.option("--min-bond-floor", default=None, type=int, help="Floor of the minimum dispute bond, token wei (immutable). [default: min(1 token, --min-bond)]")
@click.option("--dispute-window-floor", default=None, type=int, help="Floor of the dispute window, seconds (immutable). [default: min(3600, --dispute-window)]")
@click.option("--dispute-window-ceiling", default=7 * 24 * 3600, show_default=True, help="Ceiling of the dispute window, seconds (immutable).")
@click.option("--slash-amount-cap", default=100 * UNIT, show_default=True, help="Cap of the dispute slash amount, token wei (immutable).")
@click.option("--out", "out_dir", default="deployments", show_default=True, type=click.Path(file_okay=False, path_type=Path))
def cli(
    network,
    account,
    token_address,
    epoch_length,
    fee_bps,
    unbonding_delay,
    min_bond,
    dispute_window,
    slash_amount,
    min_unbonding_delay,
    max_unbonding_delay,
    max_min_pledge,
    min_bond_floor,
    dispute_window_floor,
    dispute_window_ceiling,
    slash_amount_cap,
    out_dir,
):
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
        "min_unbonding_delay": min_unbonding_delay,
        "max_unbonding_delay": max_unbonding_delay,
        "max_min_pledge": max_min_pledge,
        "min_bond_floor": min_bond_floor,
        "dispute_window_floor": dispute_window_floor,
        "dispute_window_ceiling": dispute_window_ceiling,
        "slash_amount_cap": slash_amount_cap,
    }
    deployment, contracts = deploy(account, token_address=token_address, network=network.name, **parameters)
    path = deployment.save(out_dir / f"{network.name}.json")
    for name, contract in contracts.items():
        click.echo(f"{name:<9} {contract.address}")
    click.echo(f"wrote {path}")
