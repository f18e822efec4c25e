"""Attacks on where the Market sends money (issue 9, section 2), played on anvil.

Each test plays the attack as it was reproduced against the earlier Market and asserts the
exact balances (or the exact revert) the rules give now.
"""

import ape

from tests.contracts.support import FEE_BPS, MIN_PROVIDER_PLEDGE, PROVIDER, UNIT, event_args

R = 1000 * 10**12  # the victim's rate: 1000 bytes at 1e12 wei/B/epoch
PRICE = 10**12
P = 10**36  # Market.LOSS_PRECISION


def fee(amount):
    return amount * FEE_BPS // 10_000


def share(vested_by_order, loss, vested_total):
    """What an order gets of one loss checkpoint: vested * floor(loss * 1e36 / vested_total) / 1e36."""
    return vested_by_order * (loss * P // vested_total) // P


def test_stale_rate_after_exact_settlement_cannot_drain_the_next_order(
    market, token, create_user, create_provider, create_order, attest, advance, user, provider, attacker
):
    """Stale vesting rate. The Provider's sock User buys one epoch at 9 R; the Provider settles
    exactly through its last epoch, then once more while idle (the jump used to skip the
    pending -9 R delta, so 9 R kept vesting). The victim's 10 R order then over-vested: the
    first settlement forfeited 9 R of the victim's escrow, 8.1 R of it to the sock. Now the
    delta is spent, the victim's escrow vests at R and the Provider earns exactly 10 R."""
    create_user(user, deposit=10 * UNIT)
    create_user(attacker, deposit=10 * UNIT)  # the sock User
    create_provider(provider)
    advance(5)
    sock = create_order(attacker, provider, size=9000, price=PRICE, term=1)  # epoch 6 only
    proofs = attest(6, [(provider, 9 * R, 0)])
    market.withdraw_pay(6, 9 * R, 0, proofs[0], sender=provider)  # settled exactly through 6
    proofs = attest(7, [(provider, 9 * R, 0)])
    market.withdraw_pay(7, 9 * R, 0, proofs[0], sender=provider)  # idle: the books jump
    assert market.providers(provider).rate == 0
    victim = create_order(user, provider, size=1000, price=PRICE, term=10)  # epochs 9..18
    assert market.locked_of(provider) == 10 * R

    proofs = attest(8, [(provider, 9 * R, 0)])
    receipt = market.withdraw_pay(8, 9 * R, 0, proofs[0], sender=provider)
    assert event_args(receipt, market, "PaySettled")[0]["forfeited"] == 0
    assert market.locked_of(provider) == 10 * R
    assert market.total_compensation() == 0

    before = token.balanceOf(provider)
    proofs = attest(18, [(provider, 19 * R, 0)])
    market.withdraw_pay(18, 19 * R, 0, proofs[0], sender=provider)
    assert token.balanceOf(provider) - before == 10 * R - fee(10 * R)
    assert market.locked_of(provider) == 0
    assert market.close_order(victim.order_id, sender=user).return_value == 0
    assert market.close_order(sock.order_id, sender=attacker).return_value == 0
    assert market.balance_of(user) == 10 * UNIT - 10 * R
    assert market.balance_of(attacker) == 10 * UNIT - 9 * R
    assert market.fee_pool() == fee(9 * R) + fee(10 * R)


def test_stale_rate_after_zero_rate_release(market, create_user, create_provider, create_order, submit, attest, advance, user, other_user, provider):
    """The same with a zero-rate release instead of an order that ran out: the released
    order's -rate delta at the switch is spent by the idle jump, and the next order vests
    at its own rate only."""
    create_user(user)
    create_user(other_user)
    create_provider(provider)
    advance(4)
    first = create_order(user, provider, size=1000, price=PRICE, term=10)  # epochs 5..14
    advance(6)
    submit([first.next(size=0)], user, provider)  # epochs 5..6 stay paid
    proofs = attest(6, [(provider, 2 * R, 0)])
    market.withdraw_pay(6, 2 * R, 0, proofs[0], sender=provider)
    assert market.locked_of(provider) == 0
    proofs = attest(9, [(provider, 2 * R, 0)])
    market.withdraw_pay(9, 2 * R, 0, proofs[0], sender=provider)  # the idle jump
    create_order(other_user, provider, size=3000, price=PRICE, term=2)  # epochs 11..12
    proofs = attest(12, [(provider, 8 * R, 0)])
    receipt = market.withdraw_pay(12, 8 * R, 0, proofs[0], sender=provider)
    assert event_args(receipt, market, "PaySettled")[0]["forfeited"] == 0
    assert market.locked_of(provider) == 0
    # Settled exactly through its last epoch: the -3 R delta waits at 13, and the next
    # idle settlement spends it.
    assert market.rate_delta(provider, 13) == -3 * R
    proofs = attest(15, [(provider, 8 * R, 0)])
    market.withdraw_pay(15, 8 * R, 0, proofs[0], sender=provider)
    assert market.providers(provider).rate == 0 and market.rate_delta(provider, 13) == 0


def test_sock_order_cannot_capture_compensation(market, token, create_user, create_provider, create_order, submit, attest, advance, user, provider, attacker):
    """Compensation capture. The victim's order lost 6 R (2 R forfeited, a 4 R penalty) over
    epochs 5..7. Before that settlement, a sock order starting next epoch at 99 R was signed
    in (it counted in the old weight) and then refunded in full by a zero-rate update before
    its start: it took 99 % of the 6 R. Now the loss follows what each order vested in
    5..7: the victim gets all 6 R, the sock nothing, and the sock's escrow comes back whole."""
    create_user(user, deposit=10 * UNIT)
    create_user(attacker, deposit=10 * UNIT)
    create_provider(provider)
    advance(4)
    victim = create_order(user, provider, size=1000, price=PRICE, term=10)  # epochs 5..14
    proofs = attest(7, [(provider, R, 4 * R)])  # current epoch 8
    sock = create_order(attacker, provider, nonce=0, size=99_000, price=PRICE, term=10)  # epochs 9..18
    receipt = market.withdraw_pay(7, R, 4 * R, proofs[0], sender=provider)
    assert event_args(receipt, market, "CompensationAdded") == [
        {"provider": provider.address, "checkpoint": 0, "amount": 6 * R, "first_epoch": 4, "end_epoch": 8, "vested": 3 * R}
    ]
    submit([sock.next(size=0)], attacker, provider)
    assert market.balance_of(attacker) == 10 * UNIT  # refunded in full
    assert market.compensation_of(sock.order_id) == 0
    assert market.claim_compensation(sock.order_id, 10, sender=attacker).return_value == 0
    assert market.compensation_of(victim.order_id) == 6 * R

    proofs = attest(18, [(provider, 8 * R, 4 * R)])
    market.withdraw_pay(18, 8 * R, 4 * R, proofs[0], sender=provider)
    receipt = market.close_order(victim.order_id, sender=attacker)
    assert event_args(receipt, market, "OrderClosed")[0]["compensation"] == 6 * R
    assert market.close_order(sock.order_id, sender=attacker).return_value == 0
    assert market.balance_of(user) == 10 * UNIT - 10 * R + 6 * R
    assert market.balance_of(attacker) == 10 * UNIT
    assert market.total_compensation() == 0


def test_active_sock_gets_only_what_its_own_escrow_lost(market, create_user, create_provider, create_order, attest, advance, user, provider, attacker):
    """A sock order that really runs during the lossy epochs takes a share in proportion
    to what it vested there, and nothing of the epochs before it started."""
    create_user(user)
    create_user(attacker)
    create_provider(provider)
    advance(4)
    victim = create_order(user, provider, size=1000, price=PRICE, term=10)  # epochs 5..14
    proofs = attest(7, [(provider, R, 0)])  # epochs 4..7: 3 R vested, 2 R lost
    market.withdraw_pay(7, R, 0, proofs[0], sender=provider)
    sock = create_order(attacker, provider, size=3000, price=PRICE, term=2)  # epochs 9..10
    proofs = attest(11, [(provider, 2 * R, 0)])  # epochs 8..11: victim 4 R, sock 6 R; 9 R lost
    market.withdraw_pay(11, 2 * R, 0, proofs[0], sender=provider)
    sock_share = share(6 * R, 9 * R, 10 * R)
    first = share(3 * R, 2 * R, 3 * R)  # 2 R less the floor's wei
    victim_share = first + share(4 * R, 9 * R, 10 * R)
    assert market.compensation_of(sock.order_id) == sock_share
    assert market.compensation_of(victim.order_id) == victim_share
    before = market.balance_of(attacker)
    market.close_order(sock.order_id, sender=attacker)
    assert market.balance_of(attacker) - before == sock_share == 54 * R // 10
    # The walk can be done in steps too.
    assert market.claim_compensation(victim.order_id, 1, sender=user).return_value == first
    assert market.claim_compensation(victim.order_id, 5, sender=user).return_value == victim_share - first


def test_compensation_of_a_released_order_reaches_its_user(market, registry, create_user, create_provider, create_order, submit, attest, advance, user, other_user, provider):
    """Compensation that arrived while the Provider had no open weight used to wait in
    comp_pending for whatever order came next. A User who released everything (zero rate)
    before the settlement of its unproven epochs now gets that loss itself."""
    create_user(user)
    create_user(other_user)
    create_provider(provider)
    advance(4)
    order = create_order(user, provider, size=1000, price=PRICE, term=10)  # epochs 5..14
    advance(8)
    submit([order.next(size=0)], user, provider)  # epochs 5..8 stay paid
    proofs = attest(8, [(provider, 0, 0)])
    market.withdraw_pay(8, 0, 0, proofs[0], sender=provider)  # 4 R vested, none proven
    # A later order, of someone else, gets none of it.
    later = create_order(other_user, provider, size=1000, price=PRICE, term=2)
    assert market.compensation_of(later.order_id) == 0
    before = market.balance_of(user)
    market.claim_compensation(order.order_id, 4, sender=other_user)
    assert market.balance_of(user) - before == 4 * R
    assert market.total_compensation() == 0


def test_penalty_when_nothing_vested_goes_to_the_keepers(market, registry, create_provider, attest, provider):
    """A penalty settled over epochs in which none of the Provider's orders vested belongs
    to no User: it goes to the Keepers' fee pool, not to a future order."""
    create_provider(provider)
    proofs = attest(3, [(provider, 0, 7)])
    receipt = market.withdraw_pay(3, 0, 7, proofs[0], sender=provider)
    assert event_args(receipt, market, "PenaltyPooled") == [{"provider": provider.address, "amount": 7}]
    assert market.fee_pool() == 7
    assert market.total_compensation() == 0
    assert registry.pledge_of(provider, PROVIDER) == MIN_PROVIDER_PLEDGE - 7


def test_public_sync_does_not_block_close(market, create_user, create_provider, create_order, attest, advance, user, other_user, provider, attacker):
    """A public sync() vested a newer attested epoch, so `unsettled` > 0 and close_order
    refused ("provider not settled") until someone settled that root. Close now follows
    the settlements only."""
    create_user(user)
    create_user(other_user)
    create_provider(provider)
    advance(4)
    short = create_order(user, provider, size=1000, price=PRICE, term=2)  # epochs 5..6
    create_order(other_user, provider, nonce=0, size=1000, price=PRICE, term=20)  # epochs 5..24
    proofs = attest(6, [(provider, 4 * R, 0)])
    market.withdraw_pay(6, 4 * R, 0, proofs[0], sender=provider)
    attest(9, [(provider, 10 * R, 0)])
    market.sync(provider, 1024, sender=attacker)
    assert market.providers(provider).unsettled > 0
    assert market.settled_to(provider) == 7
    receipt = market.close_order(short.order_id, sender=user)
    assert event_args(receipt, market, "OrderClosed")[0]["compensation"] == 0


def test_close_needs_the_settlement_not_a_sync(market, create_user, create_provider, create_order, attest, advance, user, provider, attacker):
    create_user(user)
    create_provider(provider)
    advance(4)
    order = create_order(user, provider, size=1000, price=PRICE, term=2)  # epochs 5..6
    attest(8, [(provider, 2 * R, 0)])
    market.sync(provider, 1024, sender=attacker)
    assert market.providers(provider).synced == 8
    with ape.reverts("market: provider not settled"):
        market.close_order(order.order_id, sender=user)


def test_claim_rules(market, create_user, create_provider, create_order, user, provider):
    create_user(user)
    create_provider(provider)
    order = create_order(user, provider)
    with ape.reverts("market: bad step count"):
        market.claim_compensation(order.order_id, 0, sender=user)
    with ape.reverts("market: bad step count"):
        market.claim_compensation(order.order_id, 1025, sender=user)
    with ape.reverts("market: unknown order"):
        market.claim_compensation(b"\x11" * 32, 1, sender=user)


def test_compensation_follows_the_rate_history(market, create_user, create_provider, create_order, submit, attest, advance, user, other_user, provider):
    """An order whose rate changed inside a lossy range is counted segment by segment."""
    create_user(user)
    create_user(other_user)
    create_provider(provider)
    advance(4)
    grown = create_order(user, provider, size=1000, price=PRICE, term=10)  # epochs 5..14
    flat = create_order(other_user, provider, size=2000, price=PRICE, term=10)
    advance(6)
    grown = grown.next(size=3000)
    submit([grown], user, provider)  # 3 R from epoch 7
    advance(8)
    submit([grown.next(size=0)], user, provider)  # 0 from epoch 9
    proofs = attest(10, [(provider, 0, 0)])  # epochs 4..10: nothing proven
    market.withdraw_pay(10, 0, 0, proofs[0], sender=provider)
    grown_vested = 2 * R + 2 * 3 * R  # 5..6 at R, 7..8 at 3 R
    flat_vested = 6 * 2 * R  # 5..10 at 2 R
    loss = grown_vested + flat_vested
    assert market.compensation_of(grown.order_id) == share(grown_vested, loss, loss)
    assert market.compensation_of(flat.order_id) == share(flat_vested, loss, loss)
    # One step per segment and per checkpoint: three segments, one checkpoint.
    assert market.claim_compensation(grown.order_id, 2, sender=user).return_value == 0
    assert market.books(grown.order_id).seg_cursor == 2
    assert market.claim_compensation(grown.order_id, 1, sender=user).return_value == share(grown_vested, loss, loss)
