import ape

from disputes_support import MIN_BOND, SLASH, WINDOW


def test_resolve_timeout_slashes(chain, disputes, registry, token, open_dispute, provider, challenger, attacker):
    dispute_id, _, _ = open_dispute(bond=3 * MIN_BOND)
    pledge = registry.pledge_of(provider)
    balance = token.balanceOf(challenger)
    open_before = disputes.open_disputes(provider)
    chain.pending_timestamp += WINDOW + 1
    tx = disputes.resolve_timeout(dispute_id, sender=attacker)  # anyone may resolve
    ev = tx.events.filter(disputes.DisputeTimedOut)
    assert len(ev) == 1
    assert ev[0].dispute_id == dispute_id and ev[0]["provider"] == provider and ev[0].challenger == challenger
    assert ev[0].slashed == SLASH and ev[0].bond == 3 * MIN_BOND
    slashed = tx.events.filter(registry.Slashed)
    assert len(slashed) == 1 and slashed[0]["provider"] == provider and slashed[0].recipient == challenger
    assert registry.last_slash_caller() == disputes.address
    assert registry.pledge_of(provider) == pledge - SLASH
    assert token.balanceOf(challenger) == balance + SLASH + 3 * MIN_BOND
    assert disputes.open_disputes(provider) == open_before - 1
    assert disputes.disputes(dispute_id).status == 3
    with ape.reverts("disputes: not open"):
        disputes.resolve_timeout(dispute_id, sender=attacker)


def test_resolve_timeout_caps_at_pledge(chain, disputes, registry, open_dispute, owner, provider):
    dispute_id, _, _ = open_dispute()
    chain.pending_timestamp += WINDOW + 1
    pledge = registry.pledge_of(provider)
    disputes.set_slash_amount(pledge + 1, sender=owner)
    tx = disputes.resolve_timeout(dispute_id, sender=owner)
    assert tx.events.filter(disputes.DisputeTimedOut)[0].slashed == pledge
    assert registry.pledge_of(provider) == 0


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
