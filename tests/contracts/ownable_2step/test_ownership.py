"""transfer_ownership / accept_ownership: snekmate.auth.ownable_2step, as every deployable exports it.

One module (snekmate's ownable_2step on top of snekmate's ownable) guards the admin functions of
all five contracts, so its behaviour is checked here once per contract (the same events and
reasons everywhere), with the real Epochs and Disputes.
"""

import ape
import pytest

from tests.contracts.support import event_args

ZERO = "0x0000000000000000000000000000000000000000"
DEPLOYABLES = ("Token", "Registry", "Market", "Epochs", "Disputes")


@pytest.fixture(scope="session")
def deployables(project, owner, token, registry, market):
    epochs = project.Epochs.deploy(registry, 5, sender=owner)
    disputes = project.Disputes.deploy(token, market, epochs, registry, 1, 3600, 1, 1, 3600, 3600, 1, sender=owner)
    return {"Token": token, "Registry": registry, "Market": market, "Epochs": epochs, "Disputes": disputes}


@pytest.mark.parametrize("name", DEPLOYABLES)
def test_deployer_is_the_owner(deployables, owner, name):
    contract = deployables[name]
    assert contract.owner() == owner.address
    assert contract.pending_owner() == ZERO


@pytest.mark.parametrize("name", DEPLOYABLES)
def test_two_step_transfer(deployables, owner, keeper, name):
    contract = deployables[name]
    receipt = contract.transfer_ownership(keeper, sender=owner)
    assert (contract.owner(), contract.pending_owner()) == (owner.address, keeper.address)
    assert event_args(receipt, contract, "OwnershipTransferStarted") == [{"previous_owner": owner.address, "new_owner": keeper.address}]
    receipt = contract.accept_ownership(sender=keeper)
    assert (contract.owner(), contract.pending_owner()) == (keeper.address, ZERO)
    assert event_args(receipt, contract, "OwnershipTransferred") == [{"previous_owner": owner.address, "new_owner": keeper.address}]
    with ape.reverts("ownable: caller is not the owner"):
        contract.transfer_ownership(owner, sender=owner)


@pytest.mark.parametrize("name", DEPLOYABLES)
def test_transfer_ownership_by_attacker_reverts(deployables, attacker, name):
    with ape.reverts("ownable: caller is not the owner"):
        deployables[name].transfer_ownership(attacker, sender=attacker)


@pytest.mark.parametrize("name", DEPLOYABLES)
def test_accept_ownership_by_attacker_reverts(deployables, owner, keeper, attacker, name):
    contract = deployables[name]
    contract.transfer_ownership(keeper, sender=owner)
    with ape.reverts("ownable_2step: caller is not the new owner"):
        contract.accept_ownership(sender=attacker)


@pytest.mark.parametrize("name", DEPLOYABLES)
def test_proposing_zero_cancels(deployables, owner, keeper, name):
    contract = deployables[name]
    contract.transfer_ownership(keeper, sender=owner)
    contract.transfer_ownership(ZERO, sender=owner)
    assert contract.pending_owner() == ZERO
    with ape.reverts("ownable_2step: caller is not the new owner"):
        contract.accept_ownership(sender=keeper)


@pytest.mark.parametrize("name", DEPLOYABLES)
def test_no_renounce_or_one_step_transfer(deployables, name):
    # snekmate's renounce_ownership (and erc20's one-step transfer_ownership) are not exported:
    # the setters and the Registry wiring must never lose their owner.
    abi_names = {item.name for item in deployables[name].contract_type.abi if item.type == "function"}
    assert "renounce_ownership" not in abi_names
    assert {"owner", "pending_owner", "transfer_ownership", "accept_ownership"} <= abi_names
