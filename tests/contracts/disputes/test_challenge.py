import ape
from eth_utils import keccak

from disputes_support import BLS_MODULUS, END, MIN_BOND, NOW, WINDOW


def test_challenge_opens_a_dispute(chain, disputes, token, order_id, funded, challenger, provider, stored):
    before = token.balanceOf(challenger)
    tx = disputes.challenge(order_id, 4, 2 * MIN_BOND, sender=challenger)
    events = tx.events.filter(disputes.DisputeOpened)
    assert len(events) == 1
    ev = events[0]
    dispute_id = disputes.dispute_count()
    block = chain.provider.web3.eth.get_block(tx.block_number)
    prevrandao = bytes(block["mixHash"])
    z = int.from_bytes(keccak(prevrandao + order_id + (4).to_bytes(32, "big")), "big") % BLS_MODULUS
    assert ev.dispute_id == dispute_id
    assert ev.order_id == order_id
    assert ev.challenger == challenger
    assert ev["provider"] == provider
    assert ev.blob_index == 4
    assert ev.z == z and z < BLS_MODULUS
    assert ev.bond == 2 * MIN_BOND
    assert ev.deadline == block["timestamp"] + WINDOW
    d = disputes.disputes(dispute_id)
    assert d["provider"] == provider and d.root == stored.tree.root and d.blob_count == len(stored.blobs) and d.status == 1
    assert token.balanceOf(challenger) == before - 2 * MIN_BOND
    assert token.balanceOf(disputes) >= 2 * MIN_BOND
    assert disputes.open_disputes(provider) >= 1


def test_challenge_bond_too_small(disputes, order_id, funded, challenger):
    with ape.reverts("disputes: bond too small"):
        disputes.challenge(order_id, 0, MIN_BOND - 1, sender=challenger)


def test_challenge_unknown_order(disputes, funded, challenger):
    with ape.reverts("disputes: unknown order"):
        disputes.challenge(keccak(b"nope"), 0, MIN_BOND, sender=challenger)


def test_challenge_blob_out_of_range(disputes, order_id, funded, challenger, stored):
    with ape.reverts("disputes: blob index out of range"):
        disputes.challenge(order_id, len(stored.blobs), MIN_BOND, sender=challenger)


def test_challenge_order_not_active(disputes, epochs, market, order_id, funded, challenger, owner, user, provider, stored):
    # Not started yet: an order that starts next epoch (the mock's epoch never goes back).
    later = keccak(b"order-later")
    market.set_order(later, (user, provider, 1, 0, 2**20, 1, NOW + 1, END, stored.tree.root, len(stored.blobs)), sender=owner)
    with ape.reverts("disputes: order not active"):
        disputes.challenge(later, 0, MIN_BOND, sender=challenger)
    epochs.set_current_epoch(END - 1, sender=owner)
    disputes.challenge(order_id, 0, MIN_BOND, sender=challenger)
    epochs.set_current_epoch(END, sender=owner)
    with ape.reverts("disputes: order not active"):
        disputes.challenge(order_id, 0, MIN_BOND, sender=challenger)


def test_challenge_without_allowance(disputes, token, order_id, funded, user, owner):
    token.mint(user, MIN_BOND, sender=owner)
    with ape.reverts("mocktoken: insufficient allowance"):
        disputes.challenge(order_id, 0, MIN_BOND, sender=user)
