"""Which agreements are over, and what releasing one frees."""

from __future__ import annotations

import os

import pytest

from memo_py.chain.records import ChainOrder
from memo_py.provider.agreements import Agreement, AgreementBook, Terms
from memo_py.provider.housekeeping import ENDED_GRACE_EPOCHS, UNSETTLED_GRACE_EPOCHS, Release, releasable, release
from memo_py.provider.store import ChunkStore

PROVIDER = "0x" + "22" * 20
USER = "0x" + "11" * 20
C = b"\xc0" + b"\x00" * 47


def agreement(n: int, start: int = 5, end: int = 10) -> Agreement:
    return Agreement(bytes([n]) * 32, USER, PROVIDER, n, 1, start, end, 2, 1)


def order(a: Agreement, end: int | None = None) -> ChainOrder:
    return ChainOrder(a.order_id, USER, PROVIDER, a.nonce, 1, 0, 1, a.start_epoch, end or a.end_epoch, b"\x00" * 32, 2)


def ids(releases):
    return [r.order_id[0] for r in releases]


def test_an_agreement_never_settled_goes_once_its_start_has_passed_with_grace():
    a = agreement(1, start=5)
    assert releasable([a], {}, 5 + UNSETTLED_GRACE_EPOCHS, None, set()) == []  # kept through the grace
    [found] = releasable([a], {}, 6 + UNSETTLED_GRACE_EPOCHS, None, set())
    assert found.order_id == a.order_id and "never settled" in found.reason
    assert releasable([a], {a.order_id: order(a)}, 50, None, set()) == []  # settled: the other rule


def test_an_unsettled_agreement_still_being_filled_is_kept_past_its_grace():
    """A long upload outlasts its order's start and grace; it is re-timed at its end, so the
    chunks it sent must still be there then."""
    a = agreement(1, start=5)
    late = 6 + UNSETTLED_GRACE_EPOCHS
    assert releasable([a], {}, late, None, set(), receiving={a.order_id}) == []
    assert ids(releasable([a], {}, late, None, set(), receiving={b"\x09" * 32})) == [1]


@pytest.mark.parametrize(
    "current, attested, disputed, released",
    [
        (10, 9, False, False),  # the term just ended: grace
        (10 + ENDED_GRACE_EPOCHS, 9, False, True),  # ended, last paid epoch (9) attested
        (10 + ENDED_GRACE_EPOCHS, 8, False, False),  # epoch 9 not attested yet: Keepers may still ask
        (10 + ENDED_GRACE_EPOCHS, None, False, False),  # nothing attested at all
        (10 + ENDED_GRACE_EPOCHS, 12, True, False),  # a dispute is open on it: its answer needs the blob
        (5, 12, False, False),  # still running
    ],
)
def test_an_ended_order_goes_only_when_attested_and_undisputed(current, attested, disputed, released):
    a = agreement(2, start=5, end=10)
    found = releasable([a], {a.order_id: order(a)}, current, attested, {a.order_id} if disputed else set())
    assert ids(found) == ([2] if released else [])


def test_the_chain_end_epoch_counts_after_an_extension():
    a = agreement(3, start=5, end=10)
    extended = {a.order_id: order(a, end=30)}
    assert releasable([a], extended, 20, 19, set()) == []
    assert ids(releasable([a], extended, 30 + ENDED_GRACE_EPOCHS, 29, set())) == [3]


def test_release_deletes_the_chunks_then_frees_the_reservation(tmp_path):
    store = ChunkStore(tmp_path, capacity=10_000)
    book = AgreementBook(tmp_path / "agreements.db", PROVIDER, capacity=10 * 126_976)
    try:
        gone, kept = (book.propose(USER, Terms(n, 1, 5, 10, 2, 1))[0] for n in (1, 2))
        for a in (gone, kept):
            store.put(a.order_id, 0, os.urandom(100), (C,))
            store.put(a.order_id, 1, os.urandom(50), (C,))
        book.record_cosigned(gone.order_id, 1, {"seq": 1}, b"u", b"p", root=bytes(32), released={0: 1})
        before = book.reserved_bytes()

        class Service:
            pass

        service = Service()
        service.store, service.agreements = store, book
        assert release(service, [Release(gone.order_id, "test")]) == 150
        assert book.find(gone.order_id) is None and book.cosigned(gone.order_id) == []
        assert book.released(gone.order_id) == {} and book.version(gone.order_id, bytes(32)) is None
        assert book.reserved_bytes() == before - gone.size
        assert [r.first_blob for r in store.records(gone.order_id)] == []
        assert not (tmp_path / "chunks" / gone.order_id.hex()).exists()
        assert [r.first_blob for r in store.records(kept.order_id)] == [0, 1]  # the other order is untouched
        assert release(service, [Release(gone.order_id, "again")]) == 0  # idempotent
        assert book.remove(gone.order_id) is False
    finally:
        store.close()
        book.close()
