"""transfer_ownership / accept_ownership: modules/ownable_2step.vy, as every deployable exports it.

One module guards the admin functions of all five contracts, so its behaviour is checked here
once per contract (the same events and reasons everywhere), with the real Epochs and Disputes.
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
    with ape.reverts("ownable_2step: not the owner"):
        contract.transfer_ownership(owner, sender=owner)


@pytest.mark.parametrize("name", DEPLOYABLES)
def test_transfer_ownership_by_attacker_reverts(deployables, attacker, name):
    with ape.reverts("ownable_2step: not the owner"):
        deployables[name].transfer_ownership(attacker, sender=attacker)


@pytest.mark.parametrize("name", DEPLOYABLES)
def test_accept_ownership_by_attacker_reverts(deployables, owner, keeper, attacker, name):
    contract = deployables[name]
    contract.transfer_ownership(keeper, sender=owner)
    with ape.reverts("ownable_2step: not the pending owner"):
        contract.accept_ownership(sender=attacker)


@pytest.mark.parametrize("name", DEPLOYABLES)
def test_proposing_zero_cancels(deployables, owner, keeper, name):
    contract = deployables[name]
    contract.transfer_ownership(keeper, sender=owner)
    contract.transfer_ownership(ZERO, sender=owner)
    assert contract.pending_owner() == ZERO
    with ape.reverts("ownable_2step: not the pending owner"):
        contract.accept_ownership(sender=keeper)
