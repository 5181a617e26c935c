"""`watch --at-time`: the view starts paused at the desk as it was when its clock first passed T."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helpers import added, deskstate, envelope, message, write_log
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from deskstate import Store, state_at
from deskstate.tui import LogSource, WatchApp
from deskstate.tui.feed import Feeder, Note, Progress

ORIGIN = "https://ha.iadvize.com"
CUT = datetime(2026, 11, 24, 10, 35, tzinfo=UTC)
TIMEOUT = 10.0


def stamped(event: dict[str, Any], hhmm: str | None, desk: str = "a") -> dict[str, Any]:
    if hhmm is None:
        return envelope(event, desk=desk, origin=ORIGIN)
    return envelope(event, ts=f"2026-11-24T{hhmm}:00Z", desk=desk, origin=ORIGIN)


RECORDS = [
    stamped(added("a1"), "10:00"),
    stamped(added("b1"), "10:50", desk="b"),  # another desk: its clock does not count
    stamped(message("a1", "m1"), "10:30"),
    stamped(added("a2"), None),  # no ts, before the cut: shown
    stamped(added("a3"), "10:40"),  # the clock passes 10:35: the cut
    stamped(added("a4"), "10:20"),  # the clock went back: still after the cut
]


def test_the_feeder_pauses_before_the_first_record_stamped_after_until(tmp_path: Path) -> None:
    log = write_log(tmp_path / "desks.jsonl", *RECORDS)
    store = Store(history=10)
    reports: list[Note | Progress] = []
    feeder = Feeder(store, LogSource(path=str(log)), reports.append, batch=2, until=CUT)
    feeder.run()
    assert feeder.paused
    assert list(store.state.order) == ["a1", "a2"]
    assert store.state == state_at(RECORDS, CUT)["a"].state
    assert feeder.progress().waiting == 2  # a3 and a4, held
    notes = [report.text for report in reports if isinstance(report, Note)]
    assert (
        "Paused where the clock first passed 2026-11-24T10:35:00Z (--at-time): space resumes."
        in notes
    )
    feeder.resume()
    feeder.drain()
    assert list(store.state.order) == ["a1", "a2", "a3", "a4"]


def test_the_feeder_says_when_the_clock_never_passed_until(tmp_path: Path) -> None:
    log = write_log(tmp_path / "desk.jsonl", *RECORDS[:4])
    store = Store()
    reports: list[Note | Progress] = []
    late = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    feeder = Feeder(store, LogSource(path=str(log)), reports.append, until=late)
    feeder.run()
    assert not feeder.paused
    assert list(store.state.order) == ["a1", "a2"]
    notes = [report.text for report in reports if isinstance(report, Note)]
    assert "The clock never passed 2026-11-24T23:00:00Z." in notes


def test_watch_at_time_starts_the_view_paused_at_that_desk(tmp_path: Path) -> None:
    log = write_log(tmp_path / "desks.jsonl", *RECORDS)
    app = WatchApp(LogSource(path=str(log)), until=CUT)

    async def run() -> None:
        async with app.run_test(size=(400, 50)) as pilot:
            await wait_for(pilot, app.feeder.done.is_set, "the end of the log")
            await wait_for(pilot, lambda: "paused" in status(app).lower(), "the paused status")
            # a3 is held back while paused: the rows can only ever reach a1, a2.
            await wait_for(pilot, lambda: ids(app) == ["a1", "a2"], "the desk at 10:35")
            assert app.feeder.paused
            assert app.store.state == state_at(RECORDS, CUT)["a"].state

    asyncio.run(run())


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.01)


def ids(app: WatchApp) -> list[str]:
    table = app.query_one("#conversations", DataTable)
    return [str(table.get_row_at(index)[-1]) for index in range(table.row_count)]


def status(app: WatchApp) -> str:
    return str(app.query_one("#status", Static).content)


def test_watch_at_time_refuses_a_bad_time_naming_the_option() -> None:
    result = deskstate("watch", "--at-time", "half past ten")
    assert result.returncode == 2
    assert "--at-time" in result.stderr
    assert "'half past ten'" in result.stderr
