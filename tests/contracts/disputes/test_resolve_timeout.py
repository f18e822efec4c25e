"""resolve_timeout: the slash is split between the challenger (bond back + reward of at most
min(bond, slashed / 2)), the order's User (up to the order's full-term value, over all its
disputes) and the burn address (the rest)."""

import ape

from disputes_support import BURN_ADDRESS, END, MIN_BOND, ORDER_PRICE, ORDER_SIZE, SLASH, START, WINDOW

ORDER_VALUE = ORDER_SIZE * ORDER_PRICE * (END - START)


def timed_out(chain, disputes, dispute_id, sender):
    chain.pending_timestamp += WINDOW + 1
    return disputes.resolve_timeout(dispute_id, sender=sender)


def test_resolve_timeout_splits_the_slash(chain, disputes, registry, token, open_dispute, provider, user, challenger, attacker):
    dispute_id, _, _ = open_dispute(bond=3 * MIN_BOND)
    pledge = registry.pledge_of(provider)
    balances = {who: token.balanceOf(who) for who in (challenger, user, BURN_ADDRESS)}
    open_before = disputes.open_disputes(provider)
    tx = timed_out(chain, disputes, dispute_id, attacker)  # anyone may resolve
    reward = SLASH // 2  # below the bond
    compensation = ORDER_VALUE  # the order is worth less than the rest of the slash
    burned = SLASH - reward - compensation
    ev = tx.events.filter(disputes.DisputeTimedOut)
    assert len(ev) == 1
    assert ev[0].dispute_id == dispute_id and ev[0]["provider"] == provider and ev[0].challenger == challenger
    assert ev[0].slashed == SLASH and ev[0].bond == 3 * MIN_BOND and ev[0].reward == reward
    assert ev[0].user == user and ev[0].compensation == compensation and ev[0].burned == burned
    slashed = tx.events.filter(registry.Slashed)
    assert len(slashed) == 1 and slashed[0]["provider"] == provider and slashed[0].recipient == disputes.address
    assert registry.last_slash_caller() == disputes.address
    assert registry.pledge_of(provider) == pledge - SLASH
    assert token.balanceOf(challenger) == balances[challenger] + 3 * MIN_BOND + reward
    assert token.balanceOf(user) == balances[user] + compensation
    assert token.balanceOf(BURN_ADDRESS) == balances[BURN_ADDRESS] + burned
    assert token.balanceOf(disputes) == 0
    assert disputes.compensated_of(disputes.disputes(dispute_id).order_id) == compensation
    assert disputes.open_disputes(provider) == open_before - 1
    assert disputes.disputes(dispute_id).status == 3
    with ape.reverts("disputes: not open"):
        disputes.resolve_timeout(dispute_id, sender=attacker)


def test_reward_is_at_most_the_bond(chain, disputes, token, open_dispute, challenger, attacker):
    dispute_id, _, _ = open_dispute(bond=MIN_BOND)  # bond 1 < slash / 2 = 2.5
    before = token.balanceOf(challenger)
    tx = timed_out(chain, disputes, dispute_id, attacker)
    assert tx.events.filter(disputes.DisputeTimedOut)[0].reward == MIN_BOND
    assert token.balanceOf(challenger) == before + 2 * MIN_BOND


def test_user_compensation_is_capped_over_all_disputes_of_the_order(chain, disputes, token, open_dispute, order_id, user, attacker):
    first, _, _ = open_dispute()
    second, _, _ = open_dispute(blob_index=1)
    before = token.balanceOf(user)
    chain.pending_timestamp += WINDOW + 1
    a = disputes.resolve_timeout(first, sender=attacker).events.filter(disputes.DisputeTimedOut)[0]
    b = disputes.resolve_timeout(second, sender=attacker).events.filter(disputes.DisputeTimedOut)[0]
    assert a.compensation == ORDER_VALUE and b.compensation == 0
    assert b.burned == SLASH - MIN_BOND
    assert token.balanceOf(user) == before + ORDER_VALUE
    assert disputes.compensated_of(order_id) == ORDER_VALUE


def test_resolve_timeout_caps_at_pledge(chain, disputes, registry, token, open_dispute, owner, provider, challenger):
    dispute_id, _, _ = open_dispute(bond=100 * MIN_BOND)
    chain.pending_timestamp += WINDOW + 1
    pledge = registry.pledge_of(provider)
    disputes.set_slash_amount(pledge + 1, sender=owner)
    before = token.balanceOf(challenger)
    tx = disputes.resolve_timeout(dispute_id, sender=owner)
    ev = tx.events.filter(disputes.DisputeTimedOut)[0]
    assert ev.slashed == pledge and ev.reward == pledge // 2
    assert registry.pledge_of(provider) == 0
    assert token.balanceOf(challenger) == before + 100 * MIN_BOND + pledge // 2


def test_resolve_timeout_before_deadline(chain, disputes, open_dispute, attacker):
    dispute_id, _, _ = open_dispute()
    chain.pending_timestamp += WINDOW - 5
    with ape.reverts("disputes: deadline not passed"):
        disputes.resolve_timeout(dispute_id, sender=attacker)


def test_resolve_timeout_answered(chain, disputes, open_dispute, stored, provider, attacker):
    dispute_id, z, index = open_dispute()
    y, proof = stored.opening(index, z)
    disputes.answer(dispute_id, stored.commitments[index], stored.tree.proof(index), y, proof, sender=provider)
    chain.pending_timestamp += WINDOW + 1
    with ape.reverts("disputes: not open"):
        disputes.resolve_timeout(dispute_id, sender=attacker)
