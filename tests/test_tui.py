"""`deskstate watch`: the view driven headless by Textual's own pilot, its reader, and the command.

Each view test runs the app with ``app.run_test()`` (from a sync test, with ``asyncio.run``),
presses keys and reads what the widgets show: the rows of the conversation table, the text of the
panes, the lines of the event log, the status line. Waiting is for a condition, polled with
``pilot.pause`` under a bounded timeout; never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from helpers import (
    added,
    availability,
    deskstate,
    envelope,
    focused,
    message,
    visitor_updated,
    write_log,
)
from rich.style import Style
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable, RichLog, Static

from deskstate import Change, Store
from deskstate.tui import LogSource, WatchApp
from deskstate.tui.feed import Feeder, Note, Progress

#: Wide enough for every line of the event log to fit on one line of the screen.
SIZE = (400, 50)
TIMEOUT = 10.0
#: Seconds between two looks at a followed log: short, so tests run fast.
POLL = 0.01

# The bundled example's story (see deskstate/data/example.jsonl): two conversations are left open.
SHOPPER = "5b0e1f4a-7c2d-4f39-9a51-2f8e6d3c9b10"
LATECOMER = "e2a4c6f8-1b3d-4e5f-8a7b-9c0d1e2f3a4b"

Scenario = Callable[[Pilot[None]], Awaitable[None]]


def drive(app: WatchApp, scenario: Scenario) -> None:
    """Run ``app`` headless and play ``scenario`` on it."""

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await scenario(pilot)

    asyncio.run(run())


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition()`` holds; fail after TIMEOUT seconds."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.01)


def rows(app: WatchApp) -> list[list[str]]:
    table = app.query_one("#conversations", DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def ids(app: WatchApp) -> list[str]:
    return [row[-1] for row in rows(app)]


def pane(app: WatchApp, name: str) -> str:
    return str(app.query_one(f"#{name}", Static).content)


def status(app: WatchApp) -> str:
    return pane(app, "status")


def event_log(app: WatchApp) -> list[str]:
    """The lines of the event log as shown (the screen is wide enough for none to wrap)."""
    return [strip.text.rstrip() for strip in app.query_one("#events", RichLog).lines]


def log_styles(app: WatchApp, start: str) -> set[Style]:
    """The styles of the event log line that starts with ``start`` (after its indent)."""
    for strip in app.query_one("#events", RichLog).lines:
        if strip.text.strip().startswith(start):
            return {segment.style for segment in strip if segment.style and segment.text.strip()}
    raise AssertionError(f"no line starts with {start!r}")


def read_all(app: WatchApp) -> Callable[[], bool]:
    return lambda: "end of log" in status(app)


def append(path: Path, *records: object) -> None:
    with path.open("a", encoding="utf-8") as log:
        log.writelines(json.dumps(record) + "\n" for record in records)


# --- what the view shows --------------------------------------------------------------------------


def small_desk(path: Path) -> Path:
    """Three conversations, the second focused, with visitors, messages and availability."""
    return write_log(
        path,
        availability(
            ("CHAT", "AVAILABLE"),
            ("SMS", "AVAILABLE"),
            ("CALL", "UNAVAILABLE"),
            ("VIDEO", "UNAVAILABLE_FORCED"),
        ),
        added("c1"),
        added("c2", project=99),
        added("c3"),
        visitor_updated(
            "c2",
            firstName="Léa",
            lastName="Bernard",
            email="lea@example.com",
            city="Lyon",
            loyalty={"tier": "gold", "since": 2019},
        ),
        visitor_updated("c1", email="hugo@example.com"),
        message("c1", "m1"),
        message("c1", "m2"),
        message("c3", "m3", "Expert"),
        focused("c2"),
        message("c2", "m4"),
        message("c2", "m5", "Professional"),
    )


def test_rows_are_the_open_conversations_in_desk_order_with_the_focused_one_highlighted(
    tmp_path: Path,
) -> None:
    """A table row per open conversation, in desk order; the focused row carries the cursor."""
    app = WatchApp(LogSource(path=str(small_desk(tmp_path / "desk.jsonl"))))

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, read_all(app), "the end of the log")
        assert rows(app) == [
            ["1", "", " 2 ", "hugo@example.com", "2/0/0", "1234", "c1"],
            ["2", "▶", "", "Léa Bernard", "1/1/0", "99", "c2"],
            ["3", "", " 1 ", "-", "0/0/1", "1234", "c3"],
        ]
        table = app.query_one("#conversations", DataTable)
        assert table.show_cursor and table.cursor_row == 1
        assert table.border_title == "Open conversations (3)"
        badge = table.get_row_at(0)[2]
        assert isinstance(badge, Text) and badge.style == "bold white on red"

    drive(app, scenario)


def test_the_visitor_pane_shows_every_profile_field_and_the_message_counts(
    tmp_path: Path,
) -> None:
    """The focused conversation's profile, known fields first, then the others; its counts."""
    app = WatchApp(LogSource(path=str(small_desk(tmp_path / "desk.jsonl"))))

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, read_all(app), "the end of the log")
        assert pane(app, "focused") == (
            "c2\n"
            "project 99\n"
            "\n"
            "Visitor\n"
            "  firstName  Léa\n"
            "  lastName   Bernard\n"
            "  email      lea@example.com\n"
            "  city       Lyon\n"
            '  loyalty    {"since": 2019, "tier": "gold"}\n'
            "\n"
            "Messages\n"
            "  Visitor 1  Professional 1  Expert 0  (2 in all)\n"
            "  unread 0   state box clicks 0"
        )

    drive(app, scenario)


def test_availability_lists_the_known_channels_then_the_others_coloured_by_status(
    tmp_path: Path,
) -> None:
    """CHAT, CALL, VIDEO, THIRD_PARTY (not reported here), then SMS; each status in its colour."""
    app = WatchApp(LogSource(path=str(small_desk(tmp_path / "desk.jsonl"))))

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, read_all(app), "the end of the log")
        assert pane(app, "availability") == (
            "CHAT        AVAILABLE\n"
            "CALL        UNAVAILABLE\n"
            "VIDEO       UNAVAILABLE_FORCED\n"
            "THIRD_PARTY not reported\n"
            "SMS         AVAILABLE"
        )
        text = app.query_one("#availability", Static).content
        assert isinstance(text, Text)
        styles = {text.plain[span.start : span.end]: str(span.style) for span in text.spans}
        assert styles == {
            "AVAILABLE": "bold green",
            "UNAVAILABLE": "red",
            "UNAVAILABLE_FORCED": "yellow",
            "not reported": "dim",
        }

    drive(app, scenario)


def test_the_bundled_example_ends_as_its_story_says() -> None:
    """With no log, the example: two open, the shopper focused, two unread for the latecomer."""
    app = WatchApp()

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, read_all(app), "the end of the example")
        assert rows(app) == [
            ["1", "▶", "", "visitor v-91002", "4/2/0", "5678", SHOPPER],
            ["2", "", " 2 ", "visitor v-91544", "2/0/0", "1234", LATECOMER],
        ]
        card = pane(app, "focused")
        assert card.startswith(f"{SHOPPER}\nproject 5678\n")
        assert "  visitorId  v-91002\n  city       Bordeaux\n  country    FR\n" in card
        assert '  cart       {"currency": "EUR", "items": 3, "total": 129.9}' in card
        assert "  Visitor 4  Professional 2  Expert 0  (6 in all)" in card
        assert "state box clicks 1" in card
        assert pane(app, "availability").splitlines()[1] == "CALL        UNAVAILABLE_FORCED"
        assert status(app) == (
            "desk agent-42 · 52 records read · version 52 · clock 2026-11-24 09:10:48 · live · "
            "end of log"
        )
        log = event_log(app)
        assert log[0] == (
            "Showing desk 'agent-42', the first in the log. Records of other desks are counted "
            "in the status line, not shown: choose a desk with --desk KEY."
        )
        assert log[1].startswith("52 events (22 CONVERSATION_MESSAGE_ADDED, ")
        assert log[-1] == "End of log: 52 records read."

    drive(app, scenario)


def test_anomalies_are_highlighted_in_the_event_log_with_their_line(tmp_path: Path) -> None:
    """Each anomaly gets a line of its own: its log line, kind and message, in red or yellow."""
    log = tmp_path / "desk.jsonl"
    log.write_text(
        "\n".join(
            [
                json.dumps(added("c1")),
                "not json",
                json.dumps(focused("c9")),
                json.dumps(envelope(added("c5"), origin="https://evil.example")),
                json.dumps(message("c1", "m1")),
                json.dumps(message("c1", "m1")),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    app = WatchApp(LogSource(path=str(log)))

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, read_all(app), "the end of the log")
        shown = event_log(app)
        assert "  ⚠ line 2: invalid-event: line is not JSON (Expecting value at column 1)" in shown
        assert (
            "  ⚠ line 3: unknown-conversation: CONVERSATION_FOCUSED names conversation 'c9', "
            "which the desk never added: opened it and gave it the focus "
            "(was its CONVERSATION_ADDED lost?)"
        ) in shown
        assert (
            "  ⚠ line 4: foreign-origin: sent from 'https://evil.example', which is not an "
            "allowed desk origin: not applied (allow it explicitly if that page is trusted)"
        ) in shown
        assert (
            "  ⚠ line 6: duplicate-message: message 'm1' is already in conversation 'c1': "
            "ignored the repeat"
        ) in shown
        assert Style.parse("bold red") in log_styles(app, "⚠ line 2")
        assert Style.parse("bold yellow") in log_styles(app, "⚠ line 6")
        assert ids(app) == ["c1", "c9 (implicit)"]
        assert "version 4 " in status(app)  # the bad line and the foreign record not applied

    drive(app, scenario)


def test_the_footer_lists_the_keys() -> None:
    """The footer shows every binding of the view with what it does."""
    app = WatchApp()

    def footer() -> list[str]:
        return [str(key.render()).strip() for key in app.query("FooterKey")]

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: len(footer()) == 5, "the footer's keys")
        assert footer() == [
            "← Back in history",
            "→ Forward",
            "end Live",
            "space Pause/resume",
            "q Quit",
        ]

    drive(app, scenario)


# --- keys -----------------------------------------------------------------------------------------


def test_q_quits_and_stops_the_reader(tmp_path: Path) -> None:
    """`q` ends the app, and the reader following the log stops with it."""
    log = write_log(tmp_path / "desk.jsonl", added("c1"))
    app = WatchApp(LogSource(path=str(log), follow=True), interval=POLL)

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: ids(app) == ["c1"], "the first record")
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, "the app to end")

    drive(app, scenario)
    assert app.return_code == 0
    assert app.feeder.done.wait(TIMEOUT)


def test_space_pauses_and_records_read_meanwhile_wait_for_the_resume(tmp_path: Path) -> None:
    """Paused, appended records are read but held (counted as waiting); resumed, they show."""
    log = write_log(tmp_path / "desk.jsonl", added("c1"))
    app = WatchApp(LogSource(path=str(log), follow=True), interval=POLL)

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: ids(app) == ["c1"], "the first record")
        await pilot.press("space")
        assert status(app).endswith("· live · paused")
        append(log, added("c2"), added("c3"))
        await until(pilot, lambda: "· 2 waiting" in status(app), "two records held")
        assert ids(app) == ["c1"]
        assert status(app) == ("3 records read · version 1 · clock - · live · paused · 2 waiting")
        await pilot.press("space")
        await until(pilot, lambda: ids(app) == ["c1", "c2", "c3"], "the held records")
        await until(pilot, lambda: "waiting" not in status(app), "nothing held")
        assert status(app) == "3 records read · version 3 · clock - · live · following"

    drive(app, scenario)


def test_left_right_and_end_travel_through_the_history_of_the_store(tmp_path: Path) -> None:
    """Left and right show older and newer snapshots; records read meanwhile wait; end: live."""
    log = tmp_path / "desk.jsonl"
    log.touch()
    app = WatchApp(LogSource(path=str(log), follow=True), interval=POLL)

    async def scenario(pilot: Pilot[None]) -> None:
        # Written one at a time, each is a dispatch of its own: a step of history.
        append(log, added("c1"))
        await until(pilot, lambda: ids(app) == ["c1"], "c1")
        append(log, added("c2"))
        await until(pilot, lambda: ids(app) == ["c1", "c2"], "c2")
        append(log, focused("c2"))
        await until(pilot, lambda: rows(app)[1][1] == "▶", "the focus on c2")

        await pilot.press("left")
        assert [row[1] for row in rows(app)] == ["", ""]
        assert status(app) == (
            "3 records read · version 2 · clock - · viewing 3/4 of history · following"
        )
        await pilot.press("left")
        assert ids(app) == ["c1"]
        assert "viewing 2/4 of history" in status(app)
        await pilot.press("right")
        assert ids(app) == ["c1", "c2"]
        assert "viewing 3/4 of history" in status(app)

        append(log, added("c3"))  # read while travelling: held, the view stays put
        await until(pilot, lambda: "· 1 waiting" in status(app), "c3 held")
        assert ids(app) == ["c1", "c2"]

        await pilot.press("end")
        await until(pilot, lambda: ids(app) == ["c1", "c2", "c3"], "c3 after going live")
        await until(pilot, lambda: "waiting" not in status(app), "nothing held")
        assert rows(app)[1][1] == "▶"
        assert status(app) == "4 records read · version 4 · clock - · live · following"
        log_lines = event_log(app)
        assert "⏪ history 3/4: focus left c2" in log_lines
        assert "⏪ history 2/4: conversation c2 closed" in log_lines
        assert "⏩ live again: focus moved to c2" in log_lines

    drive(app, scenario)


def test_a_batch_is_one_step_of_history() -> None:
    """The example read in one batch: one step back shows the empty desk; batch=1 steps a record."""
    app = WatchApp()

    async def whole(pilot: Pilot[None]) -> None:
        await until(pilot, read_all(app), "the end of the example")
        await pilot.press("left")
        assert rows(app) == []
        assert "version 0 · clock - · viewing 1/2 of history" in status(app)
        await pilot.press("left")
        assert event_log(app)[-1] == (
            "Cannot go back: this is the oldest snapshot kept (--history 1000)."
        )

    drive(app, whole)
    stepped = WatchApp(batch=1)

    async def by_record(pilot: Pilot[None]) -> None:
        await until(pilot, read_all(stepped), "the end of the example")
        await pilot.press("left")  # before record 52: the latecomer's second message
        assert rows(stepped)[1][2] == " 1 "
        assert "version 51 · clock 2026-11-24 09:10:42 · viewing 52/53 of history" in status(
            stepped
        )
        await pilot.press("right")
        assert rows(stepped)[1][2] == " 2 "
        assert "· live ·" in status(stepped)

    drive(stepped, by_record)


def test_without_history_there_is_no_going_back() -> None:
    """With history=0 the left key says why nothing happens, and the view stays live."""
    app = WatchApp(history=0)

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, read_all(app), "the end of the example")
        await pilot.press("left")
        assert event_log(app)[-1] == "Cannot go back: no history is kept (--history 0)."
        assert "· live ·" in status(app)
        assert len(rows(app)) == 2

    drive(app, scenario)


# --- following, desks, errors ---------------------------------------------------------------------


def test_follow_shows_records_as_the_log_is_written(tmp_path: Path) -> None:
    """Appended records show; half a line waits for its end; a truncated log is said and reread."""
    log = tmp_path / "desk.jsonl"
    log.touch()
    app = WatchApp(LogSource(path=str(log), follow=True), interval=POLL)

    async def scenario(pilot: Pilot[None]) -> None:
        append(log, added("c1"))
        await until(pilot, lambda: ids(app) == ["c1"], "c1")
        caught_up = app.feeder.caught_up
        with log.open("a", encoding="utf-8") as half:
            half.write(json.dumps(added("c2"))[:20])
        await until(pilot, lambda: app.feeder.caught_up > caught_up, "the half line read")
        assert ids(app) == ["c1"]
        with log.open("a", encoding="utf-8") as rest:
            rest.write(json.dumps(added("c2"))[20:] + "\n")
        await until(pilot, lambda: ids(app) == ["c1", "c2"], "c2 once its line ended")
        assert not any("invalid-event" in line for line in event_log(app))

        write_log(log, added("c9"))  # rewritten shorter: truncated
        await until(pilot, lambda: ids(app) == ["c1", "c2", "c9"], "c9 from the new start")
        assert f"{log} was truncated: reading it again from its start" in event_log(app)
        assert status(app) == "3 records read · version 3 · clock - · live · following"

    drive(app, scenario)


def test_a_pipe_is_read_as_it_comes(tmp_path: Path) -> None:
    """A log on a pipe (what `watch -` reads) shows each record as it is written."""
    read_end, write_end = os.pipe()
    with open(read_end, "rb", buffering=0) as stream, open(write_end, "wb", buffering=0) as pipe:
        app = WatchApp(LogSource(stream=stream), interval=POLL)

        async def scenario(pilot: Pilot[None]) -> None:
            assert app.sub_title == "<stdin>"
            pipe.write((json.dumps(added("c1")) + "\n").encode())
            await until(pilot, lambda: ids(app) == ["c1"], "c1")
            pipe.write((json.dumps(added("c2")) + "\n").encode())
            pipe.close()
            await until(pilot, lambda: "pipe closed" in status(app), "the end of the pipe")
            assert ids(app) == ["c1", "c2"]
            assert event_log(app)[-1] == "Pipe closed: 2 records read."

        drive(app, scenario)


def desks_log(path: Path) -> Path:
    return write_log(
        path,
        envelope(added("a1"), desk="alpha"),
        envelope(added("b1"), desk="beta"),
        envelope(added("a2"), desk="alpha"),
        envelope(added("b2"), desk="beta"),
        added("x1"),
    )


def test_several_desks_show_the_first_and_count_the_others(tmp_path: Path) -> None:
    """The first desk read is shown; the others are counted and named with how to watch them."""
    app = WatchApp(LogSource(path=str(desks_log(tmp_path / "desks.jsonl"))))

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, read_all(app), "the end of the log")
        assert ids(app) == ["a1", "a2"]
        assert status(app) == (
            "desk alpha · 5 records read · version 2 · clock - · live · end of log · "
            "3 records of other desks"
        )
        assert event_log(app) == [  # notes as records are read, then the batch dispatched
            "Showing desk 'alpha', the first in the log. Records of other desks are counted in "
            "the status line, not shown: choose a desk with --desk KEY.",
            "Not shown: records of desk 'beta' (this view shows desk 'alpha'): run deskstate "
            "watch --desk beta to see them.",
            "Not shown: records that name no desk (this view shows desk 'alpha').",
            "2 events (2 CONVERSATION_ADDED) · conversation a1 opened; conversation a2 opened",
            "End of log: 5 records read.",
        ]

    drive(app, scenario)


def test_desk_chooses_the_desk_shown(tmp_path: Path) -> None:
    """With desk="beta" only beta's records are dispatched."""
    app = WatchApp(LogSource(path=str(desks_log(tmp_path / "desks.jsonl"))), desk="beta")

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, read_all(app), "the end of the log")
        assert ids(app) == ["b1", "b2"]
        assert event_log(app)[0] == "Showing desk 'beta' (--desk)."
        assert status(app).startswith("desk beta · 5 records read · version 2 ")
        assert status(app).endswith("· 3 records of other desks")

    drive(app, scenario)


def test_a_missing_log_is_reported_in_the_view_not_raised(tmp_path: Path) -> None:
    """A log that cannot be opened: said in the event log and the status line; q still quits."""
    missing = tmp_path / "missing.jsonl"
    app = WatchApp(LogSource(path=str(missing)))

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: "failed" in status(app), "the failure")
        message = f"{missing}: cannot open: No such file or directory"
        assert event_log(app) == [f"Cannot read the log: {message}"]
        assert status(app) == f"0 records read · version 0 · clock - · live · failed · {message}"
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, "the app to end")

    drive(app, scenario)


def test_a_damaged_compressed_log_shows_what_came_before_the_damage(tmp_path: Path) -> None:
    """The records before the damage are shown, then the error, in the log and the status."""
    records = "".join(json.dumps(added(f"c{n}")) + "\n" for n in range(1, 4))
    damaged = tmp_path / "desk.jsonl.gz"
    damaged.write_bytes(gzip.compress(records.encode())[:-8])  # its end (CRC, size) cut off
    app = WatchApp(LogSource(path=str(damaged)))

    async def scenario(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: "failed" in status(app), "the failure")
        assert ids(app) == ["c1", "c2", "c3"]
        assert event_log(app)[-1].startswith(
            f"Cannot read the log: {damaged}: damaged compression after line 3"
        )
        assert "· failed · " in status(app) and "damaged compression" in status(app)

    drive(app, scenario)


# --- the feeder on its own ------------------------------------------------------------------------


def test_the_feeder_holds_records_while_paused_and_dispatches_them_in_order_in_batches(
    tmp_path: Path,
) -> None:
    """Paused, nothing reaches the store; drained, the records come in order, `batch` at a time."""
    log = write_log(tmp_path / "desk.jsonl", *(added(f"c{n}") for n in range(1, 6)))
    store = Store(history=10)
    changes: list[Change] = []
    store.subscribe(changes.append)
    reports: list[Note | Progress] = []
    feeder = Feeder(store, LogSource(path=str(log)), reports.append, batch=2)
    feeder.pause()
    feeder.run()
    assert store.state.version == 0 and not changes
    assert feeder.progress() == Progress(5, 5, 0, None, "end of log", None)
    feeder.resume()
    feeder.drain()
    assert list(store.state.order) == ["c1", "c2", "c3", "c4", "c5"]
    assert [len(change.event) for change in changes if isinstance(change.event, tuple)] == [2, 2, 1]
    assert feeder.progress().waiting == 0
    assert reports[-1] == Progress(5, 0, 0, None, "end of log", None)


def test_the_feeder_stops_reading_when_too_much_is_held(tmp_path: Path) -> None:
    """Past hold_limit records held, reading waits; draining lets it finish, nothing lost."""
    log = write_log(tmp_path / "desk.jsonl", *(added(f"c{n}") for n in range(1, 6)))
    store = Store()
    feeder = Feeder(store, LogSource(path=str(log)), lambda _: None, batch=1, hold_limit=2)
    feeder.pause()
    reader = threading.Thread(target=feeder.run, daemon=True)
    reader.start()
    deadline = time.monotonic() + TIMEOUT
    while feeder.progress().waiting < 2:
        assert time.monotonic() < deadline, "the reader never held two records"
        feeder.done.wait(0.01)
    assert not feeder.done.is_set()
    assert feeder.progress().read == 2
    feeder.resume()
    while not feeder.done.is_set():
        assert time.monotonic() < deadline, "the reader never finished"
        feeder.drain()
        feeder.done.wait(0.01)
    feeder.drain()
    reader.join(TIMEOUT)
    assert list(store.state.order) == ["c1", "c2", "c3", "c4", "c5"]


# --- the command ----------------------------------------------------------------------------------


def test_watch_help_works() -> None:
    """`deskstate watch --help` describes the command and its options."""
    result = deskstate("watch", "--help")
    assert result.returncode == 0, result.stderr
    for option in ("--follow", "--desk KEY", "--history N", "--allow-origin ORIGIN", "LOG"):
        assert option in result.stdout


def test_watch_refuses_to_follow_the_bundled_example() -> None:
    """`--follow` without a LOG is bad usage: exit 2 and why."""
    result = deskstate("watch", "--follow")
    assert result.returncode == 2
    assert "--follow needs a LOG to follow" in result.stderr


def test_watch_of_stdin_needs_a_terminal_for_the_keys() -> None:
    """`watch -` reads keys from the terminal: without one, exit 2 and say so, no traceback."""
    script = Path(sys.executable).with_name("deskstate")
    result = subprocess.run(
        [str(script), "watch", "-"],
        input=json.dumps(added("c1")) + "\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        start_new_session=True,  # no controlling terminal
    )
    assert result.returncode == 2
    assert result.stderr.startswith("deskstate: cannot watch standard input: the keys are read")
    assert "Traceback" not in result.stderr


def test_other_commands_do_not_import_textual() -> None:
    """Only `watch` pays for Textual: `check` runs without importing it or the view."""
    code = (
        "import sys\n"
        "from deskstate.cli import main\n"
        "status = main(['check', '--example'])\n"
        "print(status, sorted({m.split('.')[0] for m in sys.modules} & {'textual'}),"
        " 'deskstate.tui' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "0 [] False", result.stderr
