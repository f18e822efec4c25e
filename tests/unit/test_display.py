"""What a person reads: token amounts exact to the wei, times as UTC dates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from memo_py.display import format_tokens, format_utc


@pytest.mark.parametrize(
    "wei, text",
    [(0, "0"), (1, "0.000000000000000001"), (10**18, "1"), (10_500_000_000_000_000_000, "10.5"),
     (10**24, "1000000"), (2**256 - 1, "115792089237316195423570985008687907853269984665640564039457.584007913129639935"),
     (-5 * 10**17, "-0.5")],
)
def test_tokens_are_exact(wei, text):
    assert format_tokens(wei) == text


def test_times_are_utc_dates():
    assert format_utc(1796224327) == "2026-12-02 15:12:07 UTC"
    moment = datetime(2026, 12, 3, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert format_utc(moment) == "2026-12-03 10:00:00 UTC"
