import ape
from tests.contracts.support import UNIT, event_args, results_tree


def test_flow(market, registry, token, epochs, create_user, create_provider, create_keeper, create_order, attest, advance, user, provider, keeper, submit):
    create_user(user)
    create_provider(provider)
    k = create_keeper(keeper)
    print("keeper slot", registry.keeper_slot(keeper), registry.total_keeper_weight())
    advance(5)
    upd = create_order(user, provider, size=1000, price=10**12, term=10)
    rate = 1000 * 10**12
    assert market.locked_of(provider) == rate * 10
    proofs = attest(5, [(provider, rate, 0), (user, 0, 0)])
    tx = market.withdraw_pay(5, rate, 0, proofs[0], sender=provider)
    print("withdraw gas first", tx.gas_used)
    proofs = attest(6, [(provider, 2 * rate, 0), (user, 0, 0), (keeper, 1, 1)])
    tx = market.withdraw_pay(6, 2 * rate, 0, proofs[0], sender=provider)
    print("withdraw gas", tx.gas_used, tx.events)
    ext = upd.next(end_epoch=upd.end_epoch + 5)
    tx = submit([ext], user, provider)
    print("extend gas", tx.gas_used)
    proofs = attest(7, [(provider, 2 * rate, 10)])
    tx = market.withdraw_pay(7, 2 * rate, 10, proofs[0], sender=provider)
    print("forfeit+penalty gas", tx.gas_used, market.total_compensation())
    advance(30)
    proofs = attest(20, [(provider, 10 * rate, 10)])
    market.withdraw_pay(20, 10 * rate, 10, proofs[0], sender=provider)
    assert market.locked_of(provider) == 0
    tx = market.close_order(upd.order_id, sender=user)
    print(event_args(tx, market, "OrderClosed"))
    market.flush_fees(sender=user)
    print(registry.claimable_fees(keeper))
    registry.claim_fees(sender=keeper)
