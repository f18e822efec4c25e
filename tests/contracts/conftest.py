"""Shared fixtures of the MARKET contract tests (Token, Registry, Market).

Deploy fixtures are session-scoped; ape snapshots the chain around every test,
so each test starts from the freshly deployed set. The ``create_*`` factories
build the usual actors and orders.
"""

from __future__ import annotations

import ape
import pytest

from memo_py.chain import eip712
from tests.contracts.support import (
    BLOB_BYTES,
    FEE_BPS,
    KEEPER,
    MAX_MIN_PLEDGE,
    MAX_UNBONDING_DELAY,
    MIN_KEEPER_PLEDGE,
    MIN_PROVIDER_PLEDGE,
    MIN_UNBONDING_DELAY,
    MIN_USER_PLEDGE,
    PROVIDER,
    UNBONDING_DELAY,
    UNIT,
    USER,
    keeper_key,
    results_tree,
)

# ----------------------------------------------------------------------------- actors


@pytest.fixture(scope="session")
def owner(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def user(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def provider(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def keeper(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def attacker(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def other_user(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def other_provider(accounts):
    return accounts[6]


# ----------------------------------------------------------------------------- deployments


@pytest.fixture(scope="session")
def token(project, owner, accounts):
    token = project.Token.deploy("MEMO Token", "MEMO", 18, sender=owner)
    for account in list(accounts)[:10]:
        token.mint(account, 1_000_000 * UNIT, sender=owner)
    return token


@pytest.fixture(scope="session")
def epochs(project, owner):
    return project.MockEpochs.deploy(sender=owner)


@pytest.fixture(scope="session")
def disputes(project, owner):
    return project.MockDisputes.deploy(sender=owner)


@pytest.fixture(scope="session")
def create_registry(project, owner):
    """Deploy a Registry (not wired: `set_market` / `set_disputes` are one-time) with the test minimum pledges."""

    def create(token, unbonding_delay: int = UNBONDING_DELAY):
        registry = project.Registry.deploy(
            token, unbonding_delay, MIN_UNBONDING_DELAY, MAX_UNBONDING_DELAY, MAX_MIN_PLEDGE, sender=owner
        )
        registry.set_min_pledge(USER, MIN_USER_PLEDGE, sender=owner)
        registry.set_min_pledge(PROVIDER, MIN_PROVIDER_PLEDGE, sender=owner)
        registry.set_min_pledge(KEEPER, MIN_KEEPER_PLEDGE, sender=owner)
        return registry

    return create


@pytest.fixture(scope="session")
def registry(create_registry, token):
    return create_registry(token)


@pytest.fixture(scope="session")
def market(project, owner, token, registry, epochs, disputes):
    market = project.Market.deploy(token, registry, epochs, FEE_BPS, sender=owner)
    registry.set_market(market, sender=owner)
    registry.set_disputes(disputes, sender=owner)
    return market


@pytest.fixture(scope="session")
def contracts(token, registry, market, epochs, disputes):
    """All of them, wired (use when a test touches more than one)."""
    return {"token": token, "registry": registry, "market": market, "epochs": epochs, "disputes": disputes}


# ----------------------------------------------------------------------------- factories


@pytest.fixture(scope="session")
def create_user(token, registry, market, contracts):
    def create(account, deposit: int = 1_000 * UNIT, pledge: int = MIN_USER_PLEDGE):
        token.approve(registry, 2**256 - 1, sender=account)
        token.approve(market, 2**256 - 1, sender=account)
        registry.register_user(pledge, sender=account)
        if deposit:
            market.deposit(deposit, sender=account)
        return account

    return create


@pytest.fixture(scope="session")
def create_provider(token, registry, contracts):
    def create(account, pledge: int = MIN_PROVIDER_PLEDGE, endpoint: str = "http://provider.test", capacity=2**40, price=1):
        token.approve(registry, 2**256 - 1, sender=account)
        registry.register_provider(pledge, endpoint, capacity, price, sender=account)
        return account

    return create


@pytest.fixture(scope="session")
def create_keeper(token, registry, contracts):
    def create(account, pledge: int = MIN_KEEPER_PLEDGE, seed: int | None = None):
        key = keeper_key(seed if seed is not None else int(account.address, 16))
        token.approve(registry, 2**256 - 1, sender=account)
        registry.register_keeper(*key.register_args(registry, account, pledge), sender=account)
        return key

    return create


@pytest.fixture(scope="session")
def chain_id():
    return ape.chain.chain_id


@pytest.fixture(scope="session")
def sign(market, chain_id):
    def sign_update(update: eip712.OrderUpdate, account) -> bytes:
        return eip712.sign_order_update(update, account.private_key, chain_id, market.address)

    return sign_update


@pytest.fixture(scope="session")
def submit(market, sign):
    """Sign `updates` by their user and provider accounts and submit them."""

    def submit_updates(updates, user_account, provider_account, sender=None):
        updates = list(updates)
        return market.submit_orders(
            [u.as_tuple() for u in updates],
            [sign(u, user_account) for u in updates],
            [sign(u, provider_account) for u in updates],
            sender=sender or user_account,
        )

    return submit_updates


@pytest.fixture(scope="session")
def create_order(epochs, submit):
    """Create an order (seq 0) and return its update; defaults: 1 MiB at 1 wei/B/epoch for 10
    epochs from the next epoch, in as many blobs as the size needs."""

    def create(user_account, provider_account, nonce=0, size=2**20, price=1, start=None, term=10, root=b"\x01" * 32, blobs=None):
        start = eip712.first_start(epochs.current_epoch()) if start is None else start
        blobs = max(1, -(-size // BLOB_BYTES)) if blobs is None else blobs
        update = eip712.OrderUpdate(
            user=user_account.address,
            provider=provider_account.address,
            nonce=nonce,
            seq=0,
            size=size,
            price=price,
            start_epoch=start,
            end_epoch=start + term,
            root=root,
            blob_count=blobs,
        )
        submit([update], user_account, provider_account)
        return update

    return create


@pytest.fixture(scope="session")
def attest(epochs):
    """Attest `entries` [(provider, cum_pay, cum_penalty)] for `epoch` (advancing the
    current epoch past it if needed); returns the proofs, one per entry."""

    def attest_epoch(epoch: int, entries):
        entries = [(getattr(p, "address", p), pay, pen) for p, pay, pen in entries]
        if epochs.current_epoch() <= epoch:
            epochs.set_current_epoch(epoch + 1, sender=ape.accounts.test_accounts[0])
        root, proofs = results_tree(entries)
        epochs.set_results_root(epoch, root, sender=ape.accounts.test_accounts[0])
        return proofs

    return attest_epoch


@pytest.fixture(scope="session")
def advance(epochs, owner):
    def to_epoch(epoch: int):
        epochs.set_current_epoch(epoch, sender=owner)

    return to_epoch
