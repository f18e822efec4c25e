import ape

from tests.contracts.support import KEEPER, PROVIDER, UNBONDING_DELAY, event_args


def test_request_exit_provider(registry, create_provider, provider):
    create_provider(provider)
    receipt = registry.request_exit(PROVIDER, sender=provider)
    unbond_at = registry.unbond_at(provider, PROVIDER)
    assert unbond_at == ape.chain.blocks.head.timestamp + UNBONDING_DELAY
    assert not registry.is_active(provider, PROVIDER)
    assert event_args(receipt, registry, "ExitRequested") == [{"account": provider.address, "role": PROVIDER, "unbond_at": unbond_at}]


def test_request_exit_keeper_leaves_quorum_at_once(registry, create_keeper, keeper, accounts):
    create_keeper(keeper, seed=1)
    second = create_keeper(accounts[7], seed=2)
    receipt = registry.request_exit(KEEPER, sender=keeper)
    assert registry.keeper_bitmap() == 0b10
    assert registry.agg_pubkey() == second.pubkey_xy
    assert registry.total_keeper_weight() == registry.keeper_weight(1)
    assert registry.keeper_weight(0) == 0 and registry.keeper_pubkey(0) == b""
    assert event_args(receipt, registry, "KeeperRemoved") == [{"keeper": keeper.address, "slot": 0}]
    with ape.reverts("registry: not an active keeper"):
        registry.keeper_slot(keeper)


def test_exited_keeper_slot_is_reused(registry, create_keeper, keeper, accounts):
    create_keeper(keeper, seed=1)
    registry.request_exit(KEEPER, sender=keeper)
    create_keeper(accounts[7], seed=2)
    assert registry.keeper_slot(accounts[7]) == 0
    assert registry.keeper_count() == 1


def test_request_exit_twice_reverts(registry, create_provider, provider):
    create_provider(provider)
    registry.request_exit(PROVIDER, sender=provider)
    with ape.reverts("registry: already exiting"):
        registry.request_exit(PROVIDER, sender=provider)


def test_request_exit_role_not_held_reverts(registry, attacker):
    with ape.reverts("registry: role not held"):
        registry.request_exit(KEEPER, sender=attacker)
