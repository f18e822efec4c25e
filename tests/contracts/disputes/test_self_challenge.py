"""The self-challenge attack, on the real Token, Registry, Market and Disputes (MockEpochs for the clock).

Before: a timed-out dispute paid the whole slash to the challenger, so a Provider that
challenged its own order from a second account twice and let both time out had its whole
pledge back within one window, with no exit queue, and stayed active with a zero pledge.
Now the challenger gets its bond back plus at most min(bond, slashed / 2), the order's User
at most the order's value, and the rest is burned: the Provider's two accounts lose money,
and a Provider below the minimum pledge takes no new orders.
"""

from dataclasses import replace

import ape
import pytest

from memo_py.chain import eip712

UNIT = 10**18
PLEDGE = 100 * UNIT
SLASH = 50 * UNIT
BOND = 10 * UNIT
WINDOW = 3600
EPOCH = 10
SIZE, PRICE, TERM = 2**20, 10**10, 10
ORDER_VALUE = SIZE * PRICE * TERM
BURN = "0x000000000000000000000000000000000000dEaD"
USER, PROVIDER = 1, 2


@pytest.fixture(scope="module")
def deployed(project, accounts):
    owner = accounts[0]
    token = project.Token.deploy("MEMO Token", "MEMO", 18, sender=owner)
    for account in list(accounts)[:6]:
        token.mint(account, 1_000 * UNIT, sender=owner)
    registry = project.Registry.deploy(token, WINDOW, WINDOW, 30 * 86400, 10_000 * UNIT, sender=owner)
    registry.set_min_pledge(USER, UNIT, sender=owner)
    registry.set_min_pledge(PROVIDER, PLEDGE, sender=owner)
    epochs = project.MockEpochs.deploy(sender=owner)
    epochs.set_current_epoch(EPOCH - 1, sender=owner)  # orders are signed the epoch before they start
    market = project.Market.deploy(token, registry, epochs, 500, sender=owner)
    disputes = project.Disputes.deploy(
        token, market, epochs, registry, BOND, WINDOW, SLASH, UNIT, WINDOW, 7 * 86400, PLEDGE, sender=owner
    )
    registry.set_market(market, sender=owner)
    registry.set_disputes(disputes, sender=owner)
    for account in list(accounts)[1:6]:
        for spender in (registry, market, disputes):
            token.approve(spender, 2**256 - 1, sender=account)
    return token, registry, market, disputes


BLOBS = -(-SIZE // 126_976)  # the Market needs size <= blob_count * 126,976


def order(user, provider, nonce):
    return eip712.OrderUpdate(user.address, provider.address, nonce, 0, SIZE, PRICE, EPOCH, EPOCH + TERM, b"\x01" * 32, BLOBS)


def submit(market, update, user, provider):
    """Submit in the epoch before the order's start, then let its first epoch begin."""
    epochs = ape.project.MockEpochs.at(market.epochs())
    owner = ape.accounts.test_accounts[0]
    epochs.set_current_epoch(update.start_epoch - 1, sender=owner)
    chain_id = ape.chain.chain_id
    sigs = [eip712.sign_order_update(update, a.private_key, chain_id, market.address) for a in (user, provider)]
    receipt = market.submit_orders([update.as_tuple()], [sigs[0]], [sigs[1]], sender=provider)
    epochs.set_current_epoch(update.start_epoch, sender=owner)
    return receipt


def test_self_challenge_leaves_the_provider_poorer(deployed, accounts):
    token, registry, market, disputes = deployed
    user, provider, sock = accounts[1], accounts[2], accounts[4]  # sock: the Provider's second account
    registry.register_user(UNIT, sender=user)
    market.deposit(10 * UNIT, sender=user)
    registry.register_provider(PLEDGE, "http://p", 2**40, PRICE, sender=provider)
    update = order(user, provider, 0)
    submit(market, update, user, provider)
    watched = {"provider": provider, "sock": sock, "user": user, "burn": BURN, "disputes": disputes, "registry": registry}
    before = {name: token.balanceOf(who) for name, who in watched.items()}

    # The attack: challenge its own order twice from the sock, answer neither, resolve both.
    ids = [disputes.challenge(update.order_id, i, BOND, sender=sock).return_value for i in (0, 1)]
    ape.chain.pending_timestamp += WINDOW + 1
    events = [disputes.resolve_timeout(i, sender=sock).events.filter(disputes.DisputeTimedOut)[0] for i in ids]

    # First: 50 slashed, 10 reward (the bond), the order's whole value to the User, the rest burned.
    assert (events[0].slashed, events[0].reward, events[0].compensation) == (SLASH, BOND, ORDER_VALUE)
    assert events[0].burned == SLASH - BOND - ORDER_VALUE
    # Second: the User already has the order's value, so all but the reward is burned.
    assert (events[1].slashed, events[1].reward, events[1].compensation, events[1].burned) == (SLASH, BOND, 0, SLASH - BOND)
    after = {name: token.balanceOf(who) for name, who in watched.items()}
    assert after["provider"] == before["provider"]
    assert after["sock"] == before["sock"] + 2 * BOND  # bonds back, plus one bond of reward each
    assert after["user"] == before["user"] + ORDER_VALUE
    assert after["burn"] == before["burn"] + 2 * SLASH - 2 * BOND - ORDER_VALUE
    assert after["disputes"] == before["disputes"] == 0
    assert after["registry"] == before["registry"] - 2 * SLASH
    assert registry.pledge_of(provider, PROVIDER) == 0
    # The Provider and its sock together (tokens + pledge): 100 of pledge gone, 20 back.
    # Before the fix the sock received both slashes: all 100 back, a free exit.
    wealth_before = before["provider"] + before["sock"] + PLEDGE
    wealth_after = after["provider"] + after["sock"] + registry.pledge_of(provider, PROVIDER)
    assert wealth_after - wealth_before == 2 * BOND - 2 * SLASH < 0
    # And with no pledge it takes no new orders.
    assert not registry.is_active(provider, PROVIDER)
    later = replace(order(user, provider, 1), start_epoch=EPOCH + 1, end_epoch=EPOCH + 1 + TERM)
    with ape.reverts("market: provider not active"):
        submit(market, later, user, provider)


def test_reward_never_exceeds_half_the_slash(deployed, accounts):
    """A sock posting a bond as large as the slash still gets at most half of it: the bond
    cannot be used to pull the whole slash back."""
    token, registry, market, disputes = deployed
    user, provider, sock = accounts[1], accounts[2], accounts[4]
    registry.register_user(UNIT, sender=user)
    market.deposit(10 * UNIT, sender=user)
    registry.register_provider(PLEDGE, "http://p", 2**40, PRICE, sender=provider)
    update = order(user, provider, 0)
    submit(market, update, user, provider)
    before = token.balanceOf(sock)
    dispute_id = disputes.challenge(update.order_id, 0, SLASH, sender=sock).return_value
    ape.chain.pending_timestamp += WINDOW + 1
    event = disputes.resolve_timeout(dispute_id, sender=sock).events.filter(disputes.DisputeTimedOut)[0]
    assert event.reward == SLASH // 2
    assert token.balanceOf(sock) == before + SLASH // 2
    assert registry.pledge_of(provider, PROVIDER) == PLEDGE - SLASH
