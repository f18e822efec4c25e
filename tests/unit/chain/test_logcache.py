"""Event logs: a polling agent reads each block from the node once, except the newest."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from memo_py.chain.client import ChainClient
from memo_py.chain.logcache import LogCache


class FakeEvent:
    """A contract event over a list of logs, counting the ranges the node is asked for."""

    address = "0x" + "ab" * 20
    event_name = "OrderCreated"

    def __init__(self, logs: list[dict]) -> None:
        self.logs = logs
        self.asked: list[tuple[int, int]] = []

    def get_logs(self, from_block: int, to_block: int, argument_filters=None):
        self.asked.append((from_block, to_block))
        wanted = (argument_filters or {}).get("provider")
        return [
            log for log in self.logs
            if from_block <= log["blockNumber"] <= to_block and wanted in (None, log["provider"])
        ]


def log(block: int, index: int = 0, provider: str = "A") -> dict:
    return {"blockNumber": block, "logIndex": index, "provider": provider}


def client(head: int, depth: int = 10) -> ChainClient:
    web3 = SimpleNamespace(eth=SimpleNamespace(block_number=head))
    return ChainClient(web3, log_chunk=100, logs=LogCache(depth))  # type: ignore[arg-type]


def test_only_blocks_not_read_before_or_near_the_head_are_read_again():
    event = FakeEvent([log(5), log(150, 1), log(150, 0), log(280)])
    chain = client(head=300)
    assert chain.get_logs(event, from_block=3) == [log(5), log(150, 0), log(150, 1), log(280)]
    assert event.asked == [(3, 102), (103, 202), (203, 300)]

    event.asked.clear()
    event.logs.append(log(305))
    chain.w3.eth.block_number = 310
    assert chain.get_logs(event, from_block=3)[-2:] == [log(280), log(305)]
    assert event.asked == [(291, 310)]  # blocks up to 300 - 10 were kept


def test_a_query_for_an_older_block_is_answered_from_what_was_kept():
    event = FakeEvent([log(5), log(150), log(280)])
    chain = client(head=300)
    chain.get_logs(event)
    event.asked.clear()
    assert chain.get_logs(event, to_block=200) == [log(5), log(150)]
    assert event.asked == []


def test_a_reorganisation_near_the_head_is_seen():
    event = FakeEvent([log(100), log(295)])
    chain = client(head=300)
    chain.get_logs(event)
    event.logs[-1] = log(296, provider="B")  # the last blocks were replaced
    assert chain.get_logs(event) == [log(100), log(296, provider="B")]


def test_filters_and_first_blocks_are_separate_queries_and_copies_share_the_cache():
    event = FakeEvent([log(10, provider="A"), log(20, provider="B")])
    chain = client(head=300)
    assert chain.get_logs(event, argument_filters={"provider": "A"}) == [log(10, provider="A")]
    assert chain.get_logs(event, argument_filters={"provider": "B"}) == [log(20, provider="B")]
    assert chain.get_logs(event, from_block=15) == [log(20, provider="B")]
    event.asked.clear()
    other = chain.with_account(b"\x01" * 32)
    assert other.logs is chain.logs
    assert other.get_logs(event, argument_filters={"provider": "B"}) == [log(20, provider="B")]
    assert event.asked == [(291, 300)]


def test_the_cache_never_keeps_less_and_rejects_a_negative_depth():
    cache = LogCache(reorg_depth=0)
    cache.store("k", 0, 50, 50, [log(10), log(40)])
    cache.store("k", 0, 30, 50, [log(10)])  # an older, shorter answer does not replace it
    assert cache.plan("k", 0, 60) == (51, [log(10), log(40)])
    cache.clear()
    assert cache.plan("k", 0, 60) == (0, [])
    with pytest.raises(ValueError, match="reorg_depth"):
        LogCache(-1)
