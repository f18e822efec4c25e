"""Conservation of tokens across the Registry and the Market, as a hypothesis state machine.

Rules: register (user, provider), deposit, withdraw, create/grow/shrink orders, advance the
epoch, attest (mock Epochs; Keepers earn each epoch in full, half or not at all, and may
add a penalty), withdraw_pay, sync, close_order, provider exit, flush_fees, claim_fees, a
sniping Keeper joining with 9x the weight, claiming and leaving around the flushes,
and disputes on the real Disputes contract: challenge with a bond, answer with a real
KZG opening (every order stores the same one-blob commitment tree; the opening at the
dispute's z is computed when the Provider answers), or time out (the Provider is slashed;
the challenger gets its bond back plus min(bond, slashed / 2), the order's User the rest up
to the order's full-term value over all its disputes, and the remainder is burned).

Invariants:
- the tokens each contract holds equal what it owes: Market = user balances + locked
  escrow + fee pool + compensation; Registry = pledges + keeper fees; Disputes = the
  bonds of the open disputes;
- every balance, pledge and locked amount equals an independent Python model, so
  nobody was paid more (or less) than owed: a provider is paid exactly the proven
  pay since its last withdrawal less the fee, compensation never exceeds what the
  provider lost, keepers never can claim more than the fees received;
- no token is made or lost: actors + contracts always hold the initial supply;
- fees follow weight over time: the sniper never holds more than what streamed while it
  held weight.

Profiles (HYPOTHESIS_PROFILE): ``quick`` (default, CI, well under 2 minutes) and ``deep``.
Each example starts from a chain snapshot taken after the deployment and is reverted
in teardown, so examples do not leak into each other.
"""

from __future__ import annotations

import os

import ape
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

from memo_py.chain import eip712
from memo_py.chain.merkle import CommitmentTree
from memo_py.crypto import kzg
from tests.contracts.support import (
    FEE_BPS,
    KEEPER,
    MAX_MIN_PLEDGE,
    MAX_UNBONDING_DELAY,
    MIN_KEEPER_PLEDGE,
    MIN_PROVIDER_PLEDGE,
    MIN_USER_PLEDGE,
    PROVIDER,
    UNIT,
    USER,
    keeper_key,
    results_tree,
)

PROFILES = {
    "quick": settings(max_examples=8, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)),
    "deep": settings(max_examples=200, stateful_step_count=60, deadline=None, suppress_health_check=list(HealthCheck)),
}
PROFILE = PROFILES.get(os.environ.get("HYPOTHESIS_PROFILE", "quick"), PROFILES["quick"])

PRICE_UNIT = 10**9
EARN = {"full": (1, 1), "half": (1, 2), "none": (0, 1)}
MIN_BOND = UNIT
DISPUTE_WINDOW = 3600
DISPUTE_SLASH = 30 * UNIT
BURN_ADDRESS = "0x000000000000000000000000000000000000dEaD"
SLACK = 60  # seconds around a deadline that the rules never test on (the clock ticks)
# The one blob every order stores (canonical field elements), its commitment and tree.
BLOB = b"".join(((i * 7919 + 1) % kzg.BLS_MODULUS).to_bytes(32, "big") for i in range(4096))


class Model:
    """The Python side of the books."""

    def __init__(self, users, providers):
        self.registered = {a: False for a in users + providers}
        self.pledge = {a: 0 for a in users + providers}
        self.balance = {u: 0 for u in users}
        self.orders: dict[bytes, dict] = {}
        self.locked = {p: 0 for p in providers}
        self.paid = {p: 0 for p in providers}
        self.settled = {p: 0 for p in providers}  # paid + forfeited (token amount of vested escrow settled)
        self.penalized = {p: 0 for p in providers}
        self.lost = {p: 0 for p in providers}  # forfeits + penalties taken: owed to its users
        self.compensated = {p: 0 for p in providers}
        self.cum_pay = {p: 0 for p in providers}  # the Keepers' view
        self.cum_penalty = {p: 0 for p in providers}
        self.attested: dict[int, dict] = {}
        self.keeper_epoch = -1  # last epoch the Keepers attested
        self.last_settled = {p: -1 for p in providers}
        self.fees = 0
        self.disputes: dict[int, dict] = {}  # open ones: challenger, provider, order_id, bond, deadline
        self.dispute_compensation: dict[bytes, int] = {}  # slashed tokens paid to an order's User

    def rate_at(self, provider, epoch):
        total = 0
        for order in self.orders.values():
            if order["provider"] != provider:
                continue
            for start, end, rate in order["segments"]:
                if start <= epoch < end:
                    total += rate
        return total

    def vested(self, provider, through):
        return sum(self.rate_at(provider, k) for k in range(0, through + 1))

    @staticmethod
    def order_vested(order, first, end):
        """What one order vested in epochs [first, end)."""
        return sum(rate * max(0, min(e, end) - max(s, first)) for s, e, rate in order["segments"])


def fast_views(contract):
    """web3 views of an ape contract: the invariants read a lot, and web3 is much lighter than ape."""
    w3 = ape.chain.provider.web3
    abi = [item.model_dump(mode="json", by_alias=True) for item in contract.contract_type.abi]
    return w3.eth.contract(address=contract.address, abi=abi).functions


def test_conservation(project, accounts, token, epochs, chain_id, owner):
    users = [accounts[1], accounts[5]]
    providers = [accounts[2], accounts[6]]
    keeper = accounts[3]
    attacker = accounts[4]
    sniper = accounts[7]  # a Keeper that joins with 9x the weight around fee flushes, and leaves
    # Its own set: the Registry's wiring is one-time, and exits here need no unbonding delay.
    registry = project.Registry.deploy(token, 0, 0, MAX_UNBONDING_DELAY, MAX_MIN_PLEDGE, sender=owner)
    for role, amount in ((USER, MIN_USER_PLEDGE), (PROVIDER, MIN_PROVIDER_PLEDGE), (KEEPER, MIN_KEEPER_PLEDGE)):
        registry.set_min_pledge(role, amount, sender=owner)
    market = project.Market.deploy(token, registry, epochs, FEE_BPS, sender=owner)
    disputes = project.Disputes.deploy(
        token, market, epochs, registry, MIN_BOND, DISPUTE_WINDOW, DISPUTE_SLASH, MIN_BOND, DISPUTE_WINDOW, DISPUTE_WINDOW, DISPUTE_SLASH, sender=owner
    )
    registry.set_market(market, sender=owner)
    registry.set_disputes(disputes, sender=owner)
    for account in users + providers + [keeper, sniper]:
        token.approve(registry, 2**256 - 1, sender=account)
        token.approve(market, 2**256 - 1, sender=account)
    key = keeper_key(int(keeper.address, 16))
    registry.register_keeper(*key.register_args(registry, keeper, MIN_KEEPER_PLEDGE), sender=keeper)
    for account in (attacker, *users):
        token.approve(disputes, 2**256 - 1, sender=account)
    commitment = kzg.commit(BLOB)
    blob_root = CommitmentTree([commitment]).root
    supply = token.totalSupply()
    vt, vr, vm, vd = fast_views(token), fast_views(registry), fast_views(market), fast_views(disputes)
    addresses = [a.address for a in list(accounts)[:10]] + [BURN_ADDRESS]

    def sign(update, account):
        return eip712.sign_order_update(update, account.private_key, chain_id, market.address)

    class Conservation(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.snapshot = ape.chain.snapshot()
            self.model = Model([u.address for u in users], [p.address for p in providers])
            self.nonce = 0
            # The sniper's books: its pledge, since when it holds weight, the seconds it held
            # weight before, what it claimed, the highest fee rate seen, keys used.
            self.sniper_pledge = 0
            self.sniper_since = None
            self.sniper_seconds = 0
            self.sniper_took = 0
            self.max_fee_rate = 0
            self.sniper_keys = 0

        def teardown(self):
            ape.chain.restore(self.snapshot)

        # ------------------------------------------------------------------ helpers

        def current(self):
            return epochs.current_epoch()

        def order_ids(self):
            return sorted(self.model.orders)

        def open_dispute(self, oid, challenger, bond):
            receipt = disputes.challenge(oid, 0, bond, sender=challenger)
            (opened,) = [log for log in receipt.events if log.event_name == "DisputeOpened"]
            self.model.disputes[opened.dispute_id] = {
                "challenger": challenger.address,
                "provider": self.model.orders[oid]["provider"],
                "order_id": oid,
                "bond": bond,
                "deadline": opened.deadline,
                "z": opened.z,
            }

        # ------------------------------------------------------------------ rules

        @initialize(
            deposits=st.lists(st.integers(UNIT, 50 * UNIT), min_size=2, max_size=2),
            extra=st.integers(0, 50),
            terms=st.lists(st.integers(1, 8), min_size=2, max_size=2),
        )
        def register_everyone(self, deposits, extra, terms):
            """Most examples need registered actors with a balance and an order each: start from there."""
            for who, amount in zip(users, deposits):
                registry.register_user(MIN_USER_PLEDGE, sender=who)
                market.deposit(amount, sender=who)
                self.model.registered[who.address] = True
                self.model.pledge[who.address] = MIN_USER_PLEDGE
                self.model.balance[who.address] = amount
            for who in providers:
                amount = MIN_PROVIDER_PLEDGE + extra * UNIT
                registry.register_provider(amount, "http://p", 2**40, 1, sender=who)
                self.model.registered[who.address] = True
                self.model.pledge[who.address] = amount
            for who, provider, term in zip(users, providers, terms):
                self.create_order(who, provider, 1024, 1, 1, term)
            epochs.set_current_epoch(self.current() + 1, sender=owner)  # the orders start
            # And one open dispute, so that answers and timeouts come early.
            self.open_dispute(self.order_ids()[0], attacker, MIN_BOND)

        @rule(who=st.sampled_from(users), pledge=st.integers(0, 3))
        def register_user(self, who, pledge):
            if self.model.registered[who.address]:
                with ape.reverts("registry: already registered"):
                    registry.register_user(MIN_USER_PLEDGE, sender=who)
                return
            amount = MIN_USER_PLEDGE + pledge * UNIT
            registry.register_user(amount, sender=who)
            self.model.registered[who.address] = True
            self.model.pledge[who.address] = amount

        @rule(who=st.sampled_from(providers), extra=st.integers(0, 50))
        def register_provider(self, who, extra):
            if self.model.registered[who.address]:
                return
            amount = MIN_PROVIDER_PLEDGE + extra * UNIT
            registry.register_provider(amount, "http://p", 2**40, 1, sender=who)
            self.model.registered[who.address] = True
            self.model.pledge[who.address] = amount

        @rule(who=st.sampled_from(users), amount=st.integers(1, 50 * UNIT))
        def deposit(self, who, amount):
            market.deposit(amount, sender=who)
            self.model.balance[who.address] += amount

        @rule(who=st.sampled_from(users), fraction=st.integers(1, 4))
        def withdraw(self, who, fraction):
            balance = self.model.balance[who.address]
            if balance == 0:
                with ape.reverts("market: zero amount"):
                    market.withdraw(0, sender=who)
                return
            amount = balance * fraction // 4 or balance
            market.withdraw(amount, sender=who)
            self.model.balance[who.address] -= amount

        @rule(
            who=st.sampled_from(users),
            provider=st.sampled_from(providers),
            size=st.integers(1, 4096),
            price=st.integers(1, 5),
            delay=st.integers(0, 3),
            term=st.integers(1, 6),
        )
        def create_order(self, who, provider, size, price, delay, term):
            start = self.current() + delay
            update = eip712.OrderUpdate(who.address, provider.address, self.nonce, 0, size, price * PRICE_UNIT, start, start + term, blob_root, 1)
            escrow = update.rate * term
            args = ([update.as_tuple()], [sign(update, who)], [sign(update, provider)])
            if not self.model.registered[who.address]:
                with ape.reverts("market: user not registered"):
                    market.submit_orders(*args, sender=provider)
                return
            if not registry.is_active(provider, PROVIDER):
                with ape.reverts("market: provider not active"):
                    market.submit_orders(*args, sender=provider)
                return
            if delay == 0:
                with ape.reverts("market: start too soon"):
                    market.submit_orders(*args, sender=provider)
                return
            if escrow > self.model.balance[who.address]:
                with ape.reverts("market: balance too low"):
                    market.submit_orders(*args, sender=provider)
                return
            market.submit_orders(*args, sender=provider)
            self.nonce += 1
            self.model.balance[who.address] -= escrow
            self.model.locked[provider.address] += escrow
            self.model.orders[update.order_id] = {
                "update": update,
                "user": who.address,
                "provider": provider.address,
                "segments": [(start, start + term, update.rate)],
                "closed": False,
                "owed": 0,  # its share of the Provider's losses, by the rule
                "credited": 0,  # what the Market credited to its User so far
            }

        @precondition(lambda self: self.model.orders)
        @rule(data=st.data(), more=st.integers(0, 4), scale=st.sampled_from([(0, 1), (1, 3), (1, 1), (2, 1), (3, 1)]))
        def resize_order(self, data, more, scale):
            """Grow or shrink an order (a shrink is a deletion: unvested escrow goes back)."""
            oid = data.draw(st.sampled_from(self.order_ids()))
            order = self.model.orders[oid]
            old = order["update"]
            current = self.current()
            new = old.next(end_epoch=old.end_epoch + more, size=old.size * scale[0] // scale[1])
            args = ([new.as_tuple()], [sign(new, accounts[[a.address for a in accounts].index(old.user)])], [sign(new, accounts[[a.address for a in accounts].index(old.provider)])])
            if order["closed"]:
                with ape.reverts("market: order closed"):
                    market.submit_orders(*args, sender=users[0])
                return
            if current + 1 >= old.end_epoch:
                with ape.reverts("market: order ended"):
                    market.submit_orders(*args, sender=users[0])
                return
            grows = new.rate > old.rate or new.end_epoch > old.end_epoch
            if grows and not registry.is_active(old.provider, PROVIDER):
                # An exiting Provider may still shrink its orders (the User deletes data).
                with ape.reverts("market: provider not active"):
                    market.submit_orders(*args, sender=users[0])
                return
            switch = max(current + 1, old.start_epoch)
            added = new.rate * (new.end_epoch - switch) - old.rate * (old.end_epoch - switch)  # < 0: a refund
            if added > self.model.balance[old.user]:
                with ape.reverts("market: balance too low"):
                    market.submit_orders(*args, sender=users[0])
                return
            receipt = market.submit_orders(*args, sender=users[0])
            (updated,) = [log for log in receipt.events if log.event_name == "OrderUpdated"]
            assert (updated.escrow_added, updated.escrow_refunded) == (max(added, 0), max(-added, 0))
            self.model.balance[old.user] -= added
            self.model.locked[old.provider] += added
            segments = []
            for start, end, rate in order["segments"]:
                if start < switch:
                    segments.append((start, min(end, switch), rate))
            segments.append((switch, new.end_epoch, new.rate))
            order["segments"] = segments
            order["update"] = new

        @rule(steps=st.integers(1, 4))
        def advance(self, steps):
            epochs.set_current_epoch(self.current() + steps, sender=owner)

        @rule(steps=st.integers(0, 3), earn=st.sampled_from(sorted(EARN)), penalty=st.sampled_from([0, 0, 1, 10**9, 500 * UNIT]))
        def attest(self, steps, earn, penalty):
            """Advance `steps` epochs, then the Keepers attest the epoch that just ended."""
            if steps:
                epochs.set_current_epoch(self.current() + steps, sender=owner)
            epoch = self.current() - 1
            if epoch <= self.model.keeper_epoch:
                return
            num, den = EARN[earn]
            entries = []
            for p in providers:
                a = p.address
                for k in range(self.model.keeper_epoch + 1, epoch + 1):
                    self.model.cum_pay[a] += self.model.rate_at(a, k) * num // den
                self.model.cum_penalty[a] += penalty
                entries.append((a, self.model.cum_pay[a], self.model.cum_penalty[a]))
            root, proofs = results_tree(entries)
            epochs.set_results_root(epoch, root, sender=owner)
            self.model.keeper_epoch = epoch
            self.model.attested[epoch] = {e[0]: (e, proof) for e, proof in zip(entries, proofs)}

        @precondition(lambda self: self.model.attested)
        @rule(provider=st.sampled_from(providers), by_user=st.booleans())
        def withdraw_pay(self, provider, by_user):
            a = provider.address
            epoch = self.model.keeper_epoch
            (entry, proof) = self.model.attested[epoch][a]
            _, cum_pay, cum_penalty = entry
            before = token.balanceOf(provider)
            if by_user:
                receipt = market.settle(provider, epoch, cum_pay, cum_penalty, proof, sender=users[0])
            else:
                receipt = market.withdraw_pay(epoch, cum_pay, cum_penalty, proof, sender=provider)
            pay = cum_pay - self.model.paid[a]
            fee = pay * FEE_BPS // 10_000
            vested = self.model.vested(a, epoch)
            forfeited = vested - self.model.settled[a] - pay
            assert forfeited >= 0
            taken = min(cum_penalty - self.model.penalized[a], self.model.pledge[a])
            (settled,) = [log for log in receipt.events if log.event_name == "PaySettled"]
            assert (settled.paid, settled.fee, settled.forfeited, settled.penalty) == (pay - fee, fee, forfeited, taken)
            assert token.balanceOf(provider) - before == pay - fee
            # Fairness: the loss of [first, epoch + 1) goes to the orders in proportion to
            # what each vested there; with nothing vested, a penalty goes to the Keepers.
            unsettled = vested - self.model.settled[a]
            first = self.model.last_settled[a] + 1
            loss = forfeited + taken
            if loss and unsettled:
                ratio = loss * 10**36 // unsettled
                for o in self.model.orders.values():
                    if o["provider"] == a:
                        o["owed"] += self.model.order_vested(o, first, epoch + 1) * ratio // 10**36
                self.model.lost[a] += loss
            elif taken:
                pooled = [log for log in receipt.events if log.event_name == "PenaltyPooled"]
                # log["provider"], not log.provider: ape's own .provider attribute (the chain
                # connection) shadows an event argument of that name.
                assert [(log["provider"], log.amount) for log in pooled] == [(a, taken)]
                self.model.fees += taken
            self.model.paid[a] = cum_pay
            self.model.settled[a] = vested
            self.model.locked[a] -= pay + forfeited
            self.model.penalized[a] = cum_penalty
            self.model.pledge[a] -= taken
            self.model.fees += fee
            self.model.last_settled[a] = epoch

        @rule(provider=st.sampled_from(providers), count=st.integers(1, 5))
        def sync(self, provider, count):
            market.sync(provider, count, sender=attacker)

        @precondition(lambda self: self.model.orders)
        @rule(data=st.data())
        def close_order(self, data):
            oid = data.draw(st.sampled_from(self.order_ids()))
            order = self.model.orders[oid]
            end = order["update"].end_epoch
            settled_to = market.settled_to(order["provider"])
            assert settled_to >= self.model.last_settled[order["provider"]] + 1
            if order["closed"]:
                with ape.reverts("market: order closed"):
                    market.close_order(oid, sender=attacker)
            elif self.current() < end:
                with ape.reverts("market: order not ended"):
                    market.close_order(oid, sender=attacker)
            elif settled_to < end:
                # Only settlements count, never a sync by anyone.
                with ape.reverts("market: provider not settled"):
                    market.close_order(oid, sender=attacker)
            else:
                receipt = market.close_order(oid, sender=attacker)
                (closed,) = [log for log in receipt.events if log.event_name == "OrderClosed"]
                order["closed"] = True
                self._credit(order, closed.compensation)
                assert order["credited"] == order["owed"]

        @precondition(lambda self: self.model.orders)
        @rule(data=st.data(), steps=st.integers(1, 3))
        def claim_compensation(self, data, steps):
            oid = data.draw(st.sampled_from(self.order_ids()))
            order = self.model.orders[oid]
            if order["closed"]:
                with ape.reverts("market: order closed"):
                    market.claim_compensation(oid, steps, sender=attacker)
                return
            receipt = market.claim_compensation(oid, steps, sender=attacker)
            (claimed,) = [log for log in receipt.events if log.event_name == "CompensationClaimed"]
            self._credit(order, claimed.amount)

        def _credit(self, order, amount):
            self.model.balance[order["user"]] += amount
            order["credited"] += amount
            self.model.compensated[order["provider"]] += amount
            assert order["credited"] <= order["owed"]
            assert self.model.compensated[order["provider"]] <= self.model.lost[order["provider"]]

        @rule(provider=st.sampled_from(providers))
        def provider_exit(self, provider):
            a = provider.address
            if not self.model.registered[a]:
                return
            if registry.unbond_at(provider, PROVIDER) == 0:
                registry.request_exit(PROVIDER, sender=provider)
            if self.model.locked[a] > 0:
                with ape.reverts("registry: stake locked"):
                    registry.complete_exit(PROVIDER, sender=provider)
                return
            if any(d["provider"] == a for d in self.model.disputes.values()):
                with ape.reverts("registry: open disputes"):
                    registry.complete_exit(PROVIDER, sender=provider)
                return
            before = token.balanceOf(provider)
            registry.complete_exit(PROVIDER, sender=provider)
            assert token.balanceOf(provider) - before == self.model.pledge[a]
            self.model.pledge[a] = 0
            self.model.registered[a] = False

        @precondition(lambda self: self.model.orders)
        @rule(data=st.data(), challenger=st.sampled_from([attacker, *users]), extra=st.integers(0, 3))
        def challenge(self, data, challenger, extra):
            oid = data.draw(st.sampled_from(self.order_ids()))
            order = self.model.orders[oid]["update"]
            bond = MIN_BOND + extra * UNIT
            if not order.start_epoch <= self.current() < order.end_epoch:
                with ape.reverts("disputes: order not active"):
                    disputes.challenge(oid, 0, bond, sender=challenger)
                return
            self.open_dispute(oid, challenger, bond)

        @precondition(lambda self: self.model.disputes)
        @rule(data=st.data())
        def answer(self, data):
            """The Provider answers with a real KZG opening of the blob at the dispute's z."""
            dispute_id = data.draw(st.sampled_from(sorted(self.model.disputes)))
            dispute = self.model.disputes[dispute_id]
            provider = next(p for p in providers if p.address == dispute["provider"])
            opening = kzg.open_blob(BLOB, dispute["z"])
            args = (dispute_id, commitment, [], opening.y_bytes, opening.proof)
            if ape.chain.pending_timestamp > dispute["deadline"] - SLACK:
                # Near or past the deadline: make it past (the clock may tick before the block).
                ape.chain.pending_timestamp = max(ape.chain.pending_timestamp, dispute["deadline"] + 1)
                with ape.reverts("disputes: deadline passed"):
                    disputes.answer(*args, sender=provider)
                return
            before = token.balanceOf(provider)
            disputes.answer(*args, sender=provider)
            assert token.balanceOf(provider) - before == dispute["bond"]
            del self.model.disputes[dispute_id]

        @precondition(lambda self: self.model.disputes)
        @rule(data=st.data())
        def resolve_timeout(self, data):
            """Nobody answered: after the deadline the Provider is slashed; the challenger gets its bond
            back plus min(bond, slashed / 2), the order's User the rest up to the order's full-term
            value (over all the order's disputes), and what remains is burned."""
            dispute_id = data.draw(st.sampled_from(sorted(self.model.disputes)))
            dispute = self.model.disputes[dispute_id]
            if ape.chain.pending_timestamp <= dispute["deadline"] - SLACK:
                with ape.reverts("disputes: deadline not passed"):
                    disputes.resolve_timeout(dispute_id, sender=attacker)
            ape.chain.pending_timestamp = max(ape.chain.pending_timestamp, dispute["deadline"] + 1)
            challenger, oid = dispute["challenger"], dispute["order_id"]
            update = self.model.orders[oid]["update"]
            taken = min(DISPUTE_SLASH, self.model.pledge[dispute["provider"]])
            reward = min(dispute["bond"], taken // 2)
            paid = self.model.dispute_compensation.get(oid, 0)
            compensation = min(taken - reward, max(update.size * update.price * (update.end_epoch - update.start_epoch) - paid, 0))
            burned = taken - reward - compensation
            watched = [challenger, update.user, BURN_ADDRESS]
            before = {a: token.balanceOf(a) for a in watched}
            disputes.resolve_timeout(dispute_id, sender=attacker)
            expected = dict.fromkeys(watched, 0)
            expected[challenger] += dispute["bond"] + reward
            expected[update.user] += compensation
            expected[BURN_ADDRESS] += burned
            assert {a: token.balanceOf(a) - before[a] for a in watched} == expected
            assert vd.compensated_of(oid).call() == paid + compensation
            self.model.dispute_compensation[oid] = paid + compensation
            self.model.pledge[dispute["provider"]] -= taken
            del self.model.disputes[dispute_id]

        @rule()
        def flush_fees(self):
            pool = market.fee_pool()
            if pool == 0:
                with ape.reverts("market: no fees"):
                    market.flush_fees(sender=attacker)
                return
            market.flush_fees(sender=attacker)
            self.max_fee_rate = max(self.max_fee_rate, registry.fee_rate())

        @rule()
        def sniper_joins(self):
            """The fee-sniping attack: register 9x the incumbent's weight, usually right before
            or after a flush (the rules interleave at random)."""
            if self.sniper_since is not None:
                return
            pledge = 9 * MIN_KEEPER_PLEDGE
            key = keeper_key(10_000 + self.sniper_keys)  # a key is usable once, ever
            self.sniper_keys += 1
            receipt = registry.register_keeper(*key.register_args(registry, sniper, pledge), sender=sniper)
            self.sniper_pledge, self.sniper_since = pledge, receipt.timestamp
            self.max_fee_rate = max(self.max_fee_rate, registry.fee_rate())

        @rule()
        def sniper_leaves(self):
            if self.sniper_since is None:
                return
            receipt = registry.request_exit(KEEPER, sender=sniper)
            self.sniper_seconds += receipt.timestamp - self.sniper_since
            self.sniper_since = None
            self.sniper_claims()
            registry.complete_exit(KEEPER, sender=sniper)  # no unbonding delay in this set
            self.sniper_pledge = 0

        @rule()
        def sniper_claims(self):
            owed = registry.claimable_fees(sniper)
            if owed == 0:
                return
            before = token.balanceOf(sniper)
            registry.claim_fees(sender=sniper)
            self.sniper_took += token.balanceOf(sniper) - before

        @rule()
        def claim_fees(self):
            owed = registry.claimable_fees(keeper)
            if owed == 0:
                return
            before = token.balanceOf(keeper)
            receipt = registry.claim_fees(sender=keeper)
            (claimed,) = [log.amount for log in receipt.events if log.event_name == "FeesClaimed"]
            # Fees stream by the second: the claim's block may pay a little more than the view saw.
            assert token.balanceOf(keeper) - before == claimed >= owed

        # ------------------------------------------------------------------ invariants

        @invariant()
        def market_holds_what_it_owes(self):
            balances = [vm.balance_of(u.address).call() for u in users]
            locked = [vm.locked_of(p.address).call() for p in providers]
            assert balances == [self.model.balance[u.address] for u in users]
            assert locked == [self.model.locked[p.address] for p in providers]
            held = vt.balanceOf(market.address).call()
            assert held == sum(balances) + sum(locked) + vm.fee_pool().call() + vm.total_compensation().call()
            claimable = {oid: vm.compensation_of(oid).call() for oid, o in self.model.orders.items() if not o["closed"]}
            assert sum(claimable.values()) <= vm.total_compensation().call()
            for p in providers:
                assert self.model.compensated[p.address] <= self.model.lost[p.address]
            # Fairness: what every order has been credited plus what it can still claim is
            # exactly its share of the losses in the epochs it vested, never anyone else's.
            for oid, amount in claimable.items():
                order = self.model.orders[oid]
                assert order["credited"] + amount == order["owed"]

        @invariant()
        def registry_holds_what_it_owes(self):
            total = vr.total_pledged().call()
            pledges = {a.address: vr.pledge_of(a.address, USER if a in users else PROVIDER).call() for a in users + providers}
            assert pledges == self.model.pledge
            assert vr.pledge_of(sniper.address, 4).call() == self.sniper_pledge
            assert sum(pledges.values()) + vr.pledge_of(keeper.address, 4).call() + self.sniper_pledge == total
            fee_balance = vr.fee_balance().call()
            assert vt.balanceOf(registry.address).call() == total + fee_balance
            assert vr.claimable_fees(keeper.address).call() <= fee_balance
            assert vm.fee_pool().call() + fee_balance <= self.model.fees

        @invariant()
        def fees_follow_weight_over_time(self):
            """Fairness: the sniper never gets more than the fees that streamed while it held
            weight (at most the highest rate seen, times those seconds, plus rounding).
            Before fees streamed, it took 90 % of a flushed pool in the block it joined."""
            self.max_fee_rate = max(self.max_fee_rate, vr.fee_rate().call())
            held = self.sniper_seconds
            if self.sniper_since is not None:
                held += ape.chain.blocks.head.timestamp - self.sniper_since
            claimable = vr.claimable_fees(sniper.address).call()
            assert self.sniper_took + claimable <= self.max_fee_rate * held + held + 1

        @invariant()
        def disputes_hold_the_open_bonds(self):
            assert vt.balanceOf(disputes.address).call() == sum(d["bond"] for d in self.model.disputes.values())
            for p in providers:
                opened = sum(d["provider"] == p.address for d in self.model.disputes.values())
                assert vd.open_disputes(p.address).call() == opened

        @invariant()
        def no_token_made_or_lost(self):
            held = sum(vt.balanceOf(a).call() for a in addresses)
            held += sum(vt.balanceOf(c.address).call() for c in (market, registry, disputes))
            assert held == supply

    run_state_machine_as_test(Conservation, settings=PROFILE)
