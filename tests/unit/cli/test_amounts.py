"""Token amounts, prices and sizes on the command line are parsed strictly."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memo_py.cli.common import InvalidAmount, format_amount, parse_amount, parse_size, parse_wei


@pytest.mark.parametrize(
    "text, wei",
    [
        ("10", 10 * 10**18),
        ("10.5", 10_500_000_000_000_000_000),
        ("0.000000000000000001", 1),
        ("007", 7 * 10**18),
        (" 2.25 ", 2_250_000_000_000_000_000),
    ],
)
def test_amounts_are_token_units_with_18_decimals(text, wei):
    assert parse_amount(text) == wei


@pytest.mark.parametrize(
    "text",
    ["", "-1", "+1", "1e3", "1,000", "1_000", "1.", ".5", "0x10", "ten", "1.0000000000000000001", "1 2", "١٢", "nan", "inf"],
)
def test_malformed_amounts_are_refused(text):
    with pytest.raises(InvalidAmount):
        parse_amount(text)


def test_zero_and_huge_amounts_are_refused():
    with pytest.raises(InvalidAmount, match="more than zero"):
        parse_amount("0.000")
    assert parse_amount("0", allow_zero=True) == 0
    with pytest.raises(InvalidAmount, match="too large"):
        parse_amount("9" * 80)


@given(st.integers(min_value=1, max_value=2**200))
def test_format_then_parse_is_the_identity(wei):
    assert parse_amount(format_amount(wei)) == wei


def test_format_drops_trailing_zeros():
    assert format_amount(10 * 10**18) == "10"
    assert format_amount(10_500_000_000_000_000_000) == "10.5"
    assert format_amount(0) == "0"


def test_sizes_and_wei():
    assert parse_size("1000") == 1000
    assert parse_size("500MB") == 500 * 10**6
    assert parse_size("10GiB") == 10 * 2**30
    assert parse_size("2 TiB") == 2 * 2**40
    assert parse_size("3k") == 3000
    for bad in ("", "0", "-5", "1.5GB", "10XB", "GB"):
        with pytest.raises(InvalidAmount):
            parse_size(bad)
    assert parse_wei("1000000") == 10**6
    for bad in ("1.5", "-1", "1e6", ""):
        with pytest.raises(InvalidAmount):
            parse_wei(bad)


def test_a_person_reads_tokens_and_dates_and_json_keeps_the_numbers(capsys):
    from memo_py.cli.common import amount_fields, emit

    record = {"address": "0xabc", **amount_fields("pledge", 10_500_000_000_000_000_000), "unbond_at": 1796224327,
              "latest_attested": None}
    emit(record, False, title="provider")
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "provider:",
        "  address          0xabc",
        "  pledge           10.5",
        "  unbond_at        2026-12-02 15:12:07 UTC",
        "  latest_attested  -",
    ]
    emit(record, True)
    assert json.loads(capsys.readouterr().out) == record  # wei and Unix seconds for machines
