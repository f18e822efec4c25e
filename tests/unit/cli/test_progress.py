"""The CLI's progress bar: steps, then a byte-accurate transfer with throughput and time left."""

from __future__ import annotations

import io
import re
import time

from rich.console import Console

from memo_py.cli.user import Steps, _detail_column


def _terminal() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=120)


def test_a_transfer_shows_bytes_moved_throughput_and_time_left():
    steps = Steps(["starting", "connecting", "uploading"], True, console=_terminal())
    with steps:
        steps.step("connecting")
        moved = steps.transfer("uploading", 3_000_000)
        moved(1_000_000, 3_000_000)
        time.sleep(0.2)
        moved(2_000_000, 3_000_000)
        (task,) = [t for t in steps._progress.tasks if t.fields.get("bytes")]
        assert (task.completed, task.total) == (2_000_000, 3_000_000)
        text = _detail_column().render(task).plain
        assert text.startswith("2.0 MB/3.0 MB  ")
        speed, eta = re.fullmatch(r"2\.0 MB/3\.0 MB  ([\d.]+ [kM]B)/s  ETA (\d+:\d\d)", text).groups()
        assert eta.startswith("0:")  # 1 MB left at several MB/s
        moved(3_000_000, 3_300_000)  # the SDK's total counts parity: the bar follows it
        assert (task.completed, task.total) == (3_000_000, 3_300_000)
        steps.done("stored")
    steps_task = steps._progress.tasks[0]
    assert steps_task.visible and steps_task.completed == 3 and not task.visible


def test_a_task_of_steps_counts_steps():
    steps = Steps(["a", "b", "c"], True, console=_terminal())
    with steps:
        steps.step("b")
        assert _detail_column().render(steps._progress.tasks[0]).plain == "1/3"


def test_no_terminal_no_bar():
    console = Console(file=io.StringIO(), force_terminal=False)
    steps = Steps(["a"], True, console=console)
    with steps:
        steps.transfer("uploading", 10)(10, 10)
    assert console.file.getvalue() == ""
