import pytest

from memo_py.keeper.rafi import ChunkState, RiskTracker

H = 3600.0
T0 = 1_000_000.0


def tracker_with(stripes):
    t = RiskTracker()
    for sid, (k, m) in stripes.items():
        t.track(sid, k, m, [f"{sid}-p{i}" for i in range(k + m)], T0)
    return t


def test_fresh_chunks_are_ok_and_nothing_needs_repair():
    t = tracker_with({"s": (4, 4)})
    assert t.health("s", T0 + 60).states == (ChunkState.OK,) * 8
    assert t.repair_queue(T0 + 60) == []


def test_a_silent_chunk_becomes_suspect_after_ten_minutes_not_before():
    t = tracker_with({"s": (4, 4)})
    for i in range(1, 8):
        t.seen("s", i, T0 + 599)
    assert t.health("s", T0 + 599).states[0] == ChunkState.OK
    assert t.health("s", T0 + 600).states[0] == ChunkState.SUSPECT


def test_one_suspect_in_a_healthy_stripe_waits_sixteen_hours():
    t = tracker_with({"s": (4, 8)})  # 1 of 8 missing = m/8, not above it
    for i in range(1, 12):
        t.seen("s", i, T0 + 20 * H)
    assert t.health("s", T0 + 600 + 16 * H - 1).states[0] == ChunkState.SUSPECT
    assert t.health("s", T0 + 600 + 16 * H).states[0] == ChunkState.FAILED


@pytest.mark.parametrize("missing,grace", [(1, 4 * H), (2, 3600.0), (3, 0.0)])
def test_grace_shrinks_as_the_stripe_nears_loss(missing, grace):
    t = tracker_with({"s": (2, 4)})
    for i in range(missing, 6):
        t.seen("s", i, T0 + 100 * H)
    at = T0 + 600 + grace
    if grace:
        assert t.health("s", at - 1).states[0] == ChunkState.SUSPECT
    assert t.health("s", at).states[0] == ChunkState.FAILED


def test_explicit_failure_is_immediate_and_a_proof_clears_it():
    t = tracker_with({"s": (2, 2)})
    t.failed("s", 1, T0 + 5)
    assert t.health("s", T0 + 5).states[1] == ChunkState.FAILED
    t.seen_provider("s-p1", T0 + 6)
    assert t.health("s", T0 + 6).states[1] == ChunkState.OK


def test_repairs_come_riskiest_first():
    t = tracker_with({"calm": (2, 4), "danger": (2, 2), "older": (2, 4)})
    t.failed("calm", 0, T0 + 30)
    t.failed("older", 0, T0 + 10)
    t.failed("danger", 0, T0 + 50)
    t.failed("danger", 1, T0 + 60)
    queue = t.repair_queue(T0 + 100)
    assert [task.stripe_id for task in queue] == ["danger", "older", "calm"]
    assert queue[0].margin == 0 and queue[0].chunks == (0, 1)


def test_a_replaced_chunk_is_healthy_on_its_new_provider():
    t = tracker_with({"s": (2, 2)})
    t.failed("s", 3, T0)
    t.replaced("s", 3, "new-provider", T0 + 10)
    assert t.health("s", T0 + 10).states == (ChunkState.OK,) * 4
    assert t.repair_queue(T0 + 10) == []


def test_bad_input_is_refused():
    t = RiskTracker()
    with pytest.raises(ValueError, match="needs k \\+ m = 3"):
        t.track("s", 2, 1, ["a", "b"], T0)
    with pytest.raises(KeyError, match="no chunk 5"):
        t.seen("nope", 5, T0)
