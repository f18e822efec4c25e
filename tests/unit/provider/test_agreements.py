import pytest
from eth_abi import encode
from eth_utils import keccak

from memo_py.errors import AgreementConflict, CapacityExceeded, UnknownOrder
from memo_py.native import PAYLOAD_BYTES_PER_BLOB as BLOB
from memo_py.provider.agreements import AgreementBook, Terms, order_id

PROVIDER = "0x" + "11" * 20
USER = "0x" + "22" * 20
OTHER_USER = "0x" + "33" * 20


def make_terms(nonce=1, blob_count=2, chunk_blobs=1, price=5, start=1, end=5) -> Terms:
    return Terms.from_json(
        dict(nonce=nonce, price=price, start_epoch=start, end_epoch=end, blob_count=blob_count, chunk_blobs=chunk_blobs)
    )


@pytest.fixture
def book(tmp_path):
    b = AgreementBook(tmp_path / "agreements.db", PROVIDER, capacity=4 * BLOB)
    yield b
    b.close()


def test_order_id_is_the_markets_keccak_of_the_abi_encoded_triple():
    expected = keccak(encode(["address", "address", "uint256"], [USER, PROVIDER, 7]))
    assert order_id(USER, PROVIDER, 7) == expected


def test_terms_refuse_bad_values():
    with pytest.raises(ValueError, match="end_epoch"):
        make_terms(start=5, end=5)
    with pytest.raises(ValueError, match="multiple of chunk_blobs"):
        make_terms(blob_count=3, chunk_blobs=2)
    with pytest.raises(ValueError, match="blob_count"):
        make_terms(blob_count=0)
    with pytest.raises(ValueError, match="nonce must be an integer"):
        Terms.from_json({"nonce": "1"})
    with pytest.raises(ValueError, match="uint256"):
        make_terms(price=2**256)


def test_propose_reserves_capacity_and_is_idempotent(book):
    agreement, changed = book.propose(USER, make_terms())
    assert changed and agreement.order_id == order_id(USER, PROVIDER, 1)
    assert book.reserved_bytes() == 2 * BLOB and book.free_bytes() == 2 * BLOB
    again, changed = book.propose(USER, make_terms())
    assert again == agreement and not changed
    assert book.reserved_bytes() == 2 * BLOB


def test_the_same_nonce_grows_the_reservation(book):
    book.propose(USER, make_terms(blob_count=2))
    grown, changed = book.propose(USER, make_terms(blob_count=4))
    assert changed and grown.blob_count == 4
    assert book.get(grown.order_id).blob_count == 4
    assert book.free_bytes() == 0


def test_other_terms_or_shrinking_conflict(book):
    book.propose(USER, make_terms(blob_count=2))
    with pytest.raises(AgreementConflict, match="other terms"):
        book.propose(USER, make_terms(blob_count=2, price=6))
    with pytest.raises(AgreementConflict, match="cannot shrink"):
        book.propose(USER, make_terms(blob_count=1))


def test_two_users_cannot_over_commit_the_disk(book):
    book.propose(USER, make_terms(blob_count=3))
    with pytest.raises(CapacityExceeded, match="free"):
        book.propose(OTHER_USER, make_terms(blob_count=2))
    with pytest.raises(CapacityExceeded):
        book.propose(USER, make_terms(blob_count=5))
    book.propose(OTHER_USER, make_terms(blob_count=1))
    assert book.free_bytes() == 0


def test_unknown_order_raises(book):
    with pytest.raises(UnknownOrder):
        book.get(b"\x00" * 32)


def test_agreements_and_cosigned_updates_survive_reopening(tmp_path):
    path = tmp_path / "a.db"
    book = AgreementBook(path, PROVIDER, capacity=4 * BLOB)
    agreement, _ = book.propose(USER, make_terms(nonce=2**255, price=2**200))
    book.record_cosigned(agreement.order_id, 0, {"seq": 0, "root": "0x00"}, b"u" * 65, b"p" * 65, root=bytes(32))
    book.close()
    reopened = AgreementBook(path, PROVIDER, capacity=4 * BLOB)
    assert reopened.get(agreement.order_id) == agreement
    assert reopened.cosigned(agreement.order_id) == [({"seq": 0, "root": "0x00"}, b"u" * 65, b"p" * 65)]
    assert reopened.reserved_bytes() == 2 * BLOB
    reopened.close()


def test_a_later_end_at_the_same_price_renews_the_agreement(book):
    first, _ = book.propose(USER, make_terms(blob_count=2, end=5))
    renewed, changed = book.propose(USER, make_terms(blob_count=2, end=9))
    assert changed and renewed.end_epoch == 9 and renewed.blob_count == 2
    assert book.get(first.order_id).end_epoch == 9
    assert book.reserved_bytes() == 2 * BLOB  # a longer term reserves no more space
    grown, _ = book.propose(USER, make_terms(blob_count=4, end=12))  # grown and renewed at once
    assert (grown.blob_count, grown.end_epoch) == (4, 12)


def test_an_unsettled_agreement_may_start_later_for_the_same_term(book):
    first, _ = book.propose(USER, make_terms(blob_count=2, start=3, end=7))
    retimed, changed = book.propose(USER, make_terms(blob_count=2, start=6, end=10), unsettled=True)
    assert changed and (retimed.start_epoch, retimed.end_epoch, retimed.blob_count) == (6, 10, 2)
    assert book.get(first.order_id) == retimed
    assert book.reserved_bytes() == 2 * BLOB  # the same blobs: no more space
    grown, _ = book.propose(USER, make_terms(blob_count=4, start=9, end=14), unsettled=True)  # re-timed, grown, longer
    assert (grown.start_epoch, grown.end_epoch, grown.blob_count) == (9, 14, 4)


@pytest.mark.parametrize(
    "change",
    [dict(start=2, end=6), dict(start=6, end=9), dict(start=6, end=10, price=6), dict(start=6, end=10, chunk_blobs=2)],
    ids=["earlier start", "shorter term", "other price", "other chunk size"],
)
def test_re_timing_moves_only_the_start_later(book, change):
    """A later start for no shorter a term at the same price and chunk size: nothing else."""
    book.propose(USER, make_terms(blob_count=2, start=3, end=7))
    with pytest.raises(AgreementConflict, match="exists with other terms"):
        book.propose(USER, make_terms(**{"blob_count": 2, **change}), unsettled=True)
    assert (book.get(order_id(USER, PROVIDER, 1)).start_epoch, book.get(order_id(USER, PROVIDER, 1)).end_epoch) == (3, 7)


def test_a_settled_agreement_keeps_its_start(book):
    """Without ``unsettled`` (the chain holds the order) a later start is another order's terms."""
    book.propose(USER, make_terms(blob_count=2, start=3, end=7))
    with pytest.raises(AgreementConflict, match="exists with other terms"):
        book.propose(USER, make_terms(blob_count=2, start=6, end=10))
    with pytest.raises(AgreementConflict, match="cannot shrink"):
        book.propose(USER, make_terms(blob_count=1, start=6, end=10), unsettled=True)
    assert book.get(order_id(USER, PROVIDER, 1)).start_epoch == 3


@pytest.mark.parametrize(
    "change", [dict(end=4), dict(price=6, end=9), dict(start=2, end=9), dict(chunk_blobs=2, end=9)],
    ids=["earlier end", "other price", "other start", "other chunk size"],
)
def test_a_renewal_keeps_every_other_term(book, change):
    book.propose(USER, make_terms(blob_count=2, end=5))
    with pytest.raises(AgreementConflict, match="exists with other terms"):
        book.propose(USER, make_terms(**{"blob_count": 2, **change}))
    assert book.get(order_id(USER, PROVIDER, 1)).end_epoch == 5
