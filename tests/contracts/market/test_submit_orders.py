import ape

from memo_py.chain import eip712
from tests.contracts.support import BLOB_BYTES, PROVIDER, UNIT, event_args


def new_update(user, provider, start, term=10, nonce=0, size=1000, price=10**9, blobs=4, deadline=eip712.NO_DEADLINE):
    return eip712.OrderUpdate(user.address, provider.address, nonce, 0, size, price, start, start + term, b"\x07" * 32, blobs, deadline)


def test_create_takes_escrow(market, epochs, create_user, create_provider, submit, user, provider):
    create_user(user, deposit=100 * UNIT)
    create_provider(provider)
    update = new_update(user, provider, epochs.current_epoch() + 1)
    receipt = submit([update], user, provider)
    escrow = update.rate * 10
    assert market.balance_of(user) == 100 * UNIT - escrow
    assert market.locked_of(provider) == escrow
    assert market.order_of(update.order_id) == update.order_tuple()
    assert market.order_id(user, provider, 0) == update.order_id
    (created,) = event_args(receipt, market, "OrderCreated")
    assert created["order_id"] == update.order_id and created["escrow"] == escrow and created["end_epoch"] == update.end_epoch


def test_provider_may_submit_a_batch(market, epochs, create_user, create_provider, submit, user, provider, other_user):
    create_user(user)
    create_user(other_user)
    create_provider(provider)
    start = epochs.current_epoch() + 1
    first, second = new_update(user, provider, start), new_update(user, provider, start + 2, nonce=1)
    receipt = submit([first, second], user, provider, sender=provider)
    assert [e["order_id"] for e in event_args(receipt, market, "OrderCreated")] == [first.order_id, second.order_id]


def test_update_extends_and_adds_escrow(market, epochs, create_user, create_provider, submit, advance, user, provider):
    create_user(user, deposit=100 * UNIT)
    create_provider(provider)
    update = new_update(user, provider, 3, term=10)
    submit([update], user, provider)
    advance(5)
    extended = update.next(end_epoch=20, size=2000, root=b"\x08" * 32, blob_count=8)
    receipt = submit([extended], user, provider)
    # the update applies from the next epoch: 3..5 at the old rate (already escrowed), 6..19 at the new one
    added = extended.rate * 14 - update.rate * 7
    assert market.locked_of(provider) == update.rate * 10 + added
    assert market.order_of(update.order_id) == extended.order_tuple()
    (updated,) = event_args(receipt, market, "OrderUpdated")
    assert updated["seq"] == 1 and updated["escrow_added"] == added


def test_update_shrinks_and_refunds(market, epochs, create_user, create_provider, submit, advance, user, provider):
    create_user(user, deposit=100 * UNIT)
    create_provider(provider)
    update = new_update(user, provider, 3, term=10)
    submit([update], user, provider)
    advance(5)
    balance = market.balance_of(user)
    shrunk = update.next(size=400, root=b"\x09" * 32)
    receipt = submit([shrunk], user, provider)
    # epochs 3..5 keep the old rate; 6..12 are paid at the new one, the rest comes back
    refunded = update.rate * 7 - shrunk.rate * 7
    assert refunded > 0
    assert market.balance_of(user) == balance + refunded
    assert market.locked_of(provider) == update.rate * 10 - refunded
    assert market.order_of(update.order_id) == shrunk.order_tuple()
    (updated,) = event_args(receipt, market, "OrderUpdated")
    assert (updated["escrow_added"], updated["escrow_refunded"], updated["size"]) == (0, refunded, 400)


def test_update_to_zero_rate_refunds_every_epoch_not_vested(
    market, epochs, create_user, create_provider, submit, advance, user, provider
):
    create_user(user, deposit=100 * UNIT)
    create_provider(provider)
    update = new_update(user, provider, 3, term=10)
    submit([update], user, provider)
    advance(7)
    balance = market.balance_of(user)
    emptied = update.next(size=0)
    receipt = submit([emptied], user, provider)
    # epochs 3..7 stay paid; 8..12 come back
    assert market.balance_of(user) == balance + update.rate * 5
    assert market.locked_of(provider) == update.rate * 5
    (updated,) = event_args(receipt, market, "OrderUpdated")
    assert updated["escrow_refunded"] == update.rate * 5


def test_shrink_before_start_refunds_the_whole_difference(market, create_user, create_provider, submit, user, provider):
    create_user(user, deposit=100 * UNIT)
    create_provider(provider)
    update = new_update(user, provider, 5, term=10)
    submit([update], user, provider)
    balance = market.balance_of(user)
    submit([update.next(size=250)], user, provider)
    assert market.balance_of(user) == balance + (update.rate - 250 * update.price) * 10
    assert market.locked_of(provider) == 250 * update.price * 10


def test_replayed_create_reverts(epochs, create_user, create_provider, submit, user, provider):
    create_user(user)
    create_provider(provider)
    update = new_update(user, provider, epochs.current_epoch() + 1)
    submit([update], user, provider)
    with ape.reverts("market: stale sequence"):
        submit([update], user, provider)


def test_stale_update_reverts(epochs, create_user, create_provider, submit, user, provider):
    create_user(user)
    create_provider(provider)
    update = new_update(user, provider, epochs.current_epoch() + 1)
    submit([update], user, provider)
    first = update.next(end_epoch=update.end_epoch + 1)
    submit([first], user, provider)
    with ape.reverts("market: stale sequence"):
        submit([first], user, provider)


def test_sequence_gap_reverts(epochs, create_user, create_provider, submit, user, provider):
    create_user(user)
    create_provider(provider)
    update = new_update(user, provider, epochs.current_epoch() + 1)
    submit([update], user, provider)
    with ape.reverts("market: sequence gap"):
        submit([update.next().next()], user, provider)


def test_unknown_order_update_reverts(epochs, create_user, create_provider, submit, user, provider):
    create_user(user)
    create_provider(provider)
    with ape.reverts("market: unknown order"):
        submit([new_update(user, provider, epochs.current_epoch() + 1).next()], user, provider)


def test_bad_user_signature_reverts(market, epochs, sign, create_user, create_provider, user, provider, attacker):
    create_user(user)
    create_provider(provider)
    update = new_update(user, provider, epochs.current_epoch() + 1)
    with ape.reverts("market: bad user signature"):
        market.submit_orders([update.as_tuple()], [sign(update, attacker)], [sign(update, provider)], sender=attacker)


def test_bad_provider_signature_reverts(market, epochs, sign, create_user, create_provider, user, provider, attacker):
    create_user(user)
    create_provider(provider)
    update = new_update(user, provider, epochs.current_epoch() + 1)
    with ape.reverts("market: bad provider signature"):
        market.submit_orders([update.as_tuple()], [sign(update, user)], [sign(update, attacker)], sender=user)


SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def high_s_copy(sig: bytes) -> bytes:
    """The malleable twin (r, n - s, v ^ 1) of a 65-byte r || s || v signature: same signer, other bytes."""
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v if v >= 27 else 1 - v])


def test_high_s_user_signature_reverts(market, epochs, sign, create_user, create_provider, user, provider, attacker):
    create_user(user)
    create_provider(provider)
    update = new_update(user, provider, epochs.current_epoch() + 1)
    twin = high_s_copy(sign(update, user))
    assert eip712.recover_signer(update, twin, ape.chain.chain_id, market.address) == user.address  # it is malleable
    with ape.reverts("ecdsa: invalid signature `s` value"):
        market.submit_orders([update.as_tuple()], [twin], [sign(update, provider)], sender=attacker)
    assert market.order_of(update.order_id)[0] == "0x0000000000000000000000000000000000000000"


def test_high_s_provider_signature_on_update_reverts(market, epochs, sign, submit, create_user, create_provider, user, provider, attacker):
    create_user(user)
    create_provider(provider)
    update = new_update(user, provider, epochs.current_epoch() + 1)
    submit([update], user, provider)
    extended = update.next(end_epoch=update.end_epoch + 5)
    with ape.reverts("ecdsa: invalid signature `s` value"):
        market.submit_orders(
            [extended.as_tuple()], [sign(extended, user)], [high_s_copy(sign(extended, provider))], sender=attacker
        )
    assert market.order_of(update.order_id) == update.order_tuple()


def test_compact_64_byte_signature_reverts(market, epochs, sign, create_user, create_provider, user, provider):
    # EIP-2098 (r, vs) is a second encoding of the same signature: only the 65-byte form is accepted.
    create_user(user)
    create_provider(provider)
    update = new_update(user, provider, epochs.current_epoch() + 1)
    full = sign(update, user)
    vs = int.from_bytes(full[32:64], "big") | ((full[64] - 27) << 255)
    with ape.reverts("eip712_orders: signature is not 65 bytes"):
        market.submit_orders([update.as_tuple()], [full[:32] + vs.to_bytes(32, "big")], [sign(update, provider)], sender=user)


def test_signature_with_v_0_or_1_accepted(market, epochs, sign, create_user, create_provider, user, provider):
    create_user(user)
    create_provider(provider)
    update = new_update(user, provider, epochs.current_epoch() + 1)
    user_sig, provider_sig = sign(update, user), sign(update, provider)
    market.submit_orders(
        [update.as_tuple()], [user_sig[:64] + bytes([user_sig[64] - 27])], [provider_sig[:64] + bytes([provider_sig[64] - 27])], sender=user
    )
    assert market.order_of(update.order_id) == update.order_tuple()


def test_unrecoverable_signature_reverts(market, epochs, sign, create_user, create_provider, user, provider):
    create_user(user)
    create_provider(provider)
    update = new_update(user, provider, epochs.current_epoch() + 1)
    bad_v = sign(update, user)[:64] + bytes([29])
    with ape.reverts("ecdsa: invalid signature"):
        market.submit_orders([update.as_tuple()], [bad_v], [sign(update, provider)], sender=user)


def test_length_mismatch_reverts(market, epochs, sign, user, provider):
    update = new_update(user, provider, epochs.current_epoch() + 1)
    with ape.reverts("market: length mismatch"):
        market.submit_orders([update.as_tuple()], [sign(update, user)], [], sender=user)


def test_balance_too_low_reverts(epochs, create_user, create_provider, submit, user, provider):
    create_user(user, deposit=UNIT)
    create_provider(provider)
    with ape.reverts("market: balance too low"):
        submit([new_update(user, provider, epochs.current_epoch() + 1, price=10**18)], user, provider)


def test_start_too_soon_reverts(market, create_user, create_provider, submit, advance, user, provider):
    create_user(user)
    create_provider(provider)
    advance(4)
    # Neither a past epoch nor the current one (whose challenge may be known already).
    with ape.reverts("market: start too soon"):
        submit([new_update(user, provider, 3)], user, provider)
    with ape.reverts("market: start too soon"):
        submit([new_update(user, provider, 4)], user, provider)
    submit([new_update(user, provider, 5)], user, provider)
    assert market.order_of(new_update(user, provider, 5).order_id)[6] == 5


def test_empty_term_reverts(epochs, create_user, create_provider, submit, user, provider):
    create_user(user)
    create_provider(provider)
    with ape.reverts("market: empty term"):
        submit([new_update(user, provider, epochs.current_epoch() + 1, term=0)], user, provider)


def test_zero_rate_reverts(epochs, create_user, create_provider, submit, user, provider):
    create_user(user)
    create_provider(provider)
    with ape.reverts("market: zero rate"):
        submit([new_update(user, provider, epochs.current_epoch() + 1, price=0)], user, provider)


def test_unregistered_user_reverts(epochs, create_provider, submit, user, provider):
    create_provider(provider)
    with ape.reverts("market: user not registered"):
        submit([new_update(user, provider, epochs.current_epoch() + 1)], user, provider)


def test_exiting_provider_reverts(registry, epochs, create_user, create_provider, submit, user, provider):
    create_user(user)
    create_provider(provider)
    registry.request_exit(PROVIDER, sender=provider)
    with ape.reverts("market: provider not active"):
        submit([new_update(user, provider, epochs.current_epoch() + 1)], user, provider)


def test_update_rules(epochs, create_user, create_provider, submit, advance, user, provider):
    create_user(user)
    create_provider(provider)
    update = new_update(user, provider, epochs.current_epoch() + 1, term=10)
    submit([update], user, provider)
    with ape.reverts("market: start changed"):
        submit([update.next(start_epoch=update.start_epoch + 1)], user, provider)
    with ape.reverts("market: end would shrink"):
        submit([update.next(end_epoch=update.end_epoch - 1)], user, provider)
    # In its last epoch the order can no longer change: updates apply from the next one.
    advance(update.end_epoch - 2)
    last = update.next(size=1)
    submit([last], user, provider)
    advance(update.end_epoch - 1)
    with ape.reverts("market: order ended"):
        submit([last.next(end_epoch=update.end_epoch + 5)], user, provider)
    with ape.reverts("market: order ended"):
        submit([last.next(size=0)], user, provider)


def test_digest_matches_python(market, chain_id, user, provider):
    update = new_update(user, provider, 1)
    assert market.order_update_digest(update.as_tuple()) == eip712.digest(update, chain_id, market.address)
    assert market.domain_separator() == eip712._signable(update, chain_id, market.address).header


def test_size_beyond_blobs_reverts(create_user, create_provider, submit, epochs, user, provider):
    create_user(user)
    create_provider(provider)
    start = epochs.current_epoch() + 1
    with ape.reverts("market: size exceeds blobs"):
        submit([new_update(user, provider, start, size=2 * BLOB_BYTES + 1, price=1, blobs=2)], user, provider)
    update = new_update(user, provider, start, size=2 * BLOB_BYTES, price=1, blobs=2)
    submit([update], user, provider)
    with ape.reverts("market: size exceeds blobs"):
        submit([update.next(size=3 * BLOB_BYTES)], user, provider)
    submit([update.next(size=3 * BLOB_BYTES, blob_count=3)], user, provider)


def test_too_many_blobs_reverts(create_user, create_provider, submit, epochs, user, provider):
    create_user(user)
    create_provider(provider)
    start = epochs.current_epoch() + 1
    with ape.reverts("market: too many blobs"):
        submit([new_update(user, provider, start, blobs=2**40 + 1)], user, provider)
    update = new_update(user, provider, start, blobs=2**40)
    submit([update], user, provider)
    with ape.reverts("market: too many blobs"):
        submit([update.next(blob_count=2**40 + 1)], user, provider)


def test_expired_update_reverts(market, create_user, create_provider, submit, advance, user, provider):
    """Attack: a co-signed update kept back and submitted much later. It carries a deadline
    epoch and is refused after it."""
    create_user(user)
    create_provider(provider)
    advance(3)
    update = new_update(user, provider, 20, deadline=eip712.deadline_after(3))
    assert update.deadline == 3 + eip712.UPDATE_TTL_EPOCHS == 11
    order = new_update(user, provider, 20, nonce=1)
    submit([order], user, provider)
    stale = order.next(size=10, deadline=11)
    advance(11)  # the last epoch in which they are valid
    submit([new_update(user, provider, 20, nonce=2, deadline=11)], user, provider)
    advance(12)
    with ape.reverts("market: update expired"):
        submit([update], user, provider)
    # The same for an update of an existing order.
    with ape.reverts("market: update expired"):
        submit([stale], user, provider)
    assert market.order_of(order.order_id)[4] == order.size


def test_exiting_provider_may_shrink_but_not_grow(market, registry, create_user, create_provider, submit, advance, user, provider):
    """Attack: once its Provider requests exit, the User could not release data and kept
    paying for deleted chunks. Shrinking (down to a zero rate) still works; growth does not."""
    create_user(user, deposit=100 * UNIT)
    create_provider(provider)
    update = new_update(user, provider, 1, term=10)  # epochs 1..10
    submit([update], user, provider)
    advance(3)
    registry.request_exit(PROVIDER, sender=provider)
    with ape.reverts("market: provider not active"):
        submit([update.next(size=2000, blob_count=8)], user, provider)
    with ape.reverts("market: provider not active"):
        submit([update.next(end_epoch=update.end_epoch + 1)], user, provider)
    balance = market.balance_of(user)
    shrunk = update.next(size=400)
    receipt = submit([shrunk], user, provider)
    # epochs 1..3 keep the old rate, 4..10 are paid at the new one
    assert market.balance_of(user) == balance + (update.rate - shrunk.rate) * 7
    advance(5)
    emptied = shrunk.next(size=0)
    submit([emptied], user, provider)
    assert market.balance_of(user) == balance + (update.rate - shrunk.rate) * 7 + shrunk.rate * 5
    assert market.locked_of(provider) == update.rate * 3 + shrunk.rate * 2
    assert event_args(receipt, market, "OrderUpdated")[0]["escrow_refunded"] == (update.rate - shrunk.rate) * 7
