import ape
from eth_utils import keccak

ROOT = keccak(b"results-root")


def test_set_quorum(three, owner, keeper):
    d = three
    assert d.epochs.quorum() == (2, 3)
    tx = d.epochs.set_quorum(1, 1, sender=owner)
    ev = tx.events.filter(d.epochs.QuorumUpdated)
    assert len(ev) == 1 and ev[0].numerator == 1 and ev[0].denominator == 1
    assert d.epochs.quorum() == (1, 1)
    epoch = d.finished_epoch(keeper)
    with ape.reverts("epochs: below quorum"):
        d.epochs.attest(epoch, ROOT, 0b011, d.signature([0, 1], epoch, ROOT), sender=keeper)
    d.epochs.attest(epoch, ROOT, 0b111, d.signature([0, 1, 2], epoch, ROOT), sender=keeper)


def test_set_quorum_not_owner(three, attacker):
    with ape.reverts("ownable: caller is not the owner"):
        three.epochs.set_quorum(3, 4, sender=attacker)


def test_set_quorum_below_two_thirds(three, owner):
    with ape.reverts("epochs: quorum below two thirds"):
        three.epochs.set_quorum(6666, 10000, sender=owner)


def test_set_quorum_bad_fraction(three, owner):
    for num, den in [(1, 0), (4, 3), (2**128, 2**128)]:
        with ape.reverts("epochs: bad quorum"):
            three.epochs.set_quorum(num, den, sender=owner)
