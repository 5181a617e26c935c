"""The HTML report (``deskstate.html_report``): hand-built sessions, their charts counted in SVG.

The charts' artists carry ids (matplotlib writes an artist's gid as its SVG element's id):
``ds-open-D-CID`` (a path per open interval), ``ds-focus-D-CID`` (a path per focused interval),
``ds-msg-D-CID`` (a marker per message), ``ds-opencount-D`` and ``ds-avail-D-CHANNEL.STATUS``
(a path per band), where D is the desk's number on the page.
"""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from helpers import added, availability, deskstate, focus_lost, focused, message, removed, write_log
from test_metrics import Raw, t, timed

from deskstate.html_report import ChartLimits, collect_charts, render_html, write_html_report
from deskstate.metrics import DeskMetrics, metric_rows
from deskstate.replay import replay_steps
from deskstate.tables import MessageRow, OpenInterval, Row

DESK = '<b>"desk"</b>'
C2 = '<img src=x onerror="alert(1)">&c2'
C2_SLUG = "_3c_img_20_src_3d_x_20_onerror_3d__22_alert_28_1_29__22__3e__26_c2"


def session() -> list[Raw]:
    """A desk's session, its rows worked out by hand.

    On desk DESK: c1 open 0-120 and 300-360, focused 10-60, messages at 20 (Visitor) and 50
    (Professional); C2 open from 70 to the end (360), a message at 80; c3 opened at an unknown
    time, a message at 330. CHAT AVAILABLE 0-180 then UNAVAILABLE; CALL UNAVAILABLE throughout.
    """
    return timed(
        (0, availability(("CHAT", "AVAILABLE"), ("CALL", "UNAVAILABLE"))),
        (0, added("c1")),
        (10, focused("c1")),
        (20, message("c1", "m1", "Visitor")),
        (50, message("c1", "m2", "Professional")),
        (60, focus_lost("c1")),
        (70, added(C2)),
        (80, message(C2, "m3", "Visitor")),
        (120, removed("c1")),
        (180, availability(("CHAT", "UNAVAILABLE"), ("CALL", "UNAVAILABLE"))),
        (300, added("c1")),
        (None, added("c3")),
        (330, message("c3", "m4", "Expert")),
        (360, removed("c1")),
        desk=DESK,
    )


def page_of(records: list[Any], limits: ChartLimits | None = None) -> str:
    """The page of ``records``, from one pass over the rows, as ``deskstate report`` makes it."""
    measured: dict[str | None, DeskMetrics] = {}
    charts = collect_charts(metric_rows(replay_steps(records), metrics=measured), limits=limits)
    return render_html(measured, charts, title="report of <test>")


class Elements(HTMLParser):
    """Counts the elements inside each element that has an id, by tag; keeps the ids in order.

    A ``shape`` is a path or a use drawn (not a definition in ``defs``): matplotlib draws the
    items of a collection either way.

    ``svgs`` lists the id of each ``svg`` element, in order.
    """

    def __init__(self, page: str) -> None:
        super().__init__()
        self.open: list[tuple[str, str | None]] = []
        self.inside: dict[str, Counter[str]] = {}
        self.ids: list[str] = []
        self.svgs: list[str | None] = []
        self.feed(page)

    def _count(self, tag: str) -> None:
        drawn = tag in {"path", "use"} and all(name != "defs" for name, _ in self.open)
        for _, ancestor in self.open:
            if ancestor is not None:
                self.inside[ancestor][tag] += 1
                if drawn:
                    self.inside[ancestor]["shape"] += 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._count(tag)
        found = dict(attrs).get("id")
        if tag == "svg":
            self.svgs.append(found)
        if found is not None:
            self.ids.append(found)
            self.inside.setdefault(found, Counter())
        if tag not in {"meta", "br", "hr", "img", "input", "link"}:
            self.open.append((tag, found))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._count(tag)
        found = dict(attrs).get("id")
        if found is not None:
            self.ids.append(found)
            self.inside.setdefault(found, Counter())

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def count(self, element_id: str, tag: str) -> int:
        return self.inside[element_id][tag] if element_id in self.inside else 0


def notes(page: str) -> list[str]:
    return [html.unescape(note) for note in re.findall(r'<p class="note">([^<]*)</p>', page)]


# --- the charts ----------------------------------------------------------------------------------


def test_each_desk_gets_a_timeline_an_open_count_and_availability_chart() -> None:
    """One SVG per chart per desk: two desks, six charts, each id once."""
    other = timed((0, added("d1")), (0, availability(("CHAT", "AVAILABLE"))), (60, removed("d1")))
    page = page_of(session() + [{**record, "desk": "agent-2"} for record in other])
    elements = Elements(page)
    assert elements.svgs == [
        f"ds-chart-{desk}-{kind}"
        for desk in (0, 1)
        for kind in ("timeline", "open", "availability")
    ]
    assert page.count("<svg") == 6


def test_the_timeline_draws_open_bars_focus_and_message_ticks() -> None:
    """c1: two bars, one focused stretch, two ticks; C2: one bar (still open), one tick."""
    elements = Elements(page_of(session()))
    assert elements.count("ds-open-0-c1", "shape") == 2
    assert elements.count("ds-focus-0-c1", "shape") == 1
    assert elements.count("ds-msg-0-c1", "shape") == 2
    assert elements.count(f"ds-open-0-{C2_SLUG}", "shape") == 1
    assert elements.count(f"ds-focus-0-{C2_SLUG}", "shape") == 0
    assert elements.count(f"ds-msg-0-{C2_SLUG}", "shape") == 1
    # c3 opened at an unknown time: no bar can be placed, its message at 330 has its tick.
    assert "ds-open-0-c3" not in elements.ids
    assert elements.count("ds-msg-0-c3", "shape") == 1
    # Lanes in order of first opening: c1 (at 0), C2 (at 70), c3 (unknown: last).
    ticks = [element for element in elements.ids if element.startswith("ds-msg-0-")]
    assert ticks == ["ds-msg-0-c1", f"ds-msg-0-{C2_SLUG}", "ds-msg-0-c3"]


def test_intervals_and_changes_at_an_unknown_time_are_counted_on_the_page() -> None:
    """c3's open interval starts at an unknown time, as does one change of the open count."""
    said = notes(page_of(session()))
    assert any(note.startswith("Not drawn: 1 interval with an unknown start") for note in said)
    assert any(note.startswith("Left out: 1 change of the open count") for note in said)
    assert not any(note.startswith("Drawn: the first") for note in said)


def test_a_clock_going_back_and_a_message_without_ts_are_not_drawn() -> None:
    """c1 removed at 50 after being added at 100: no bar; a message without ts: no tick."""
    log = timed(
        (0, added("c0")),
        (100, added("c1")),
        (None, message("c1", "m1")),
        (50, removed("c1")),
        (60, removed("c0")),
    )
    page = page_of(log)
    elements = Elements(page)
    assert elements.count("ds-open-0-c0", "shape") == 1
    assert "ds-open-0-c1" not in elements.ids and "ds-msg-0-c1" not in elements.ids
    said = notes(page)
    assert "Not drawn: 1 interval with an end earlier than the start (a clock going back)." in said
    assert "No tick: 1 message without a time (a record without ts)." in said


def test_the_open_count_and_availability_charts() -> None:
    """A step line of the open count; CHAT one band per status, CALL one band."""
    elements = Elements(page_of(session()))
    assert elements.count("ds-opencount-0", "shape") == 1
    assert elements.count("ds-avail-0-CHAT.AVAILABLE", "shape") == 1
    assert elements.count("ds-avail-0-CHAT.UNAVAILABLE", "shape") == 1
    assert elements.count("ds-avail-0-CALL.UNAVAILABLE", "shape") == 1
    assert "ds-avail-0-CALL.AVAILABLE" not in elements.ids


def test_the_tables_of_deskstate_report_are_on_the_page() -> None:
    """The desks and conversations tables, with the terminal's figures (worked out by hand)."""
    page = page_of(session())
    rows = [
        [html.unescape(cell) for cell in re.findall(r"<td[^>]*>([^<]*)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", page)
    ]
    # c1: open 120 s + 60 s, focused 50 s, answered 30 s after the visitor, reopened once.
    assert ["c1", "3m00s", "50.0s", "30.0s", "1/1/0", "0", "reopened 1x"] in rows
    assert [C2, "4m50s", "0.0s", "-", "1/0/0", "1", "open"] in rows
    assert ["c3", "?", "0.0s", "-", "0/0/1", "1", "open"] in rows
    assert ["CHAT", "AVAILABLE", "3m00s"] in rows


# --- safety --------------------------------------------------------------------------------------


def test_strings_from_the_log_are_escaped() -> None:
    """Desk and conversation ids with markup appear escaped, never as markup."""
    page = page_of(session())
    assert DESK not in page and C2 not in page
    assert html.escape(DESK) in page
    assert html.escape(C2) in page
    assert "<img" not in page and "<b>" not in page


def test_the_page_fetches_nothing() -> None:
    """No script, link, external url() or address: references are to the page's own ids only."""
    page = page_of(session())
    for forbidden in ("http://", "https://", "<script", "<link", "@import", "<iframe"):
        assert forbidden not in page.lower()
    assert re.findall(r"<[^>]*\ssrc=", page) == []
    assert re.findall(r"url\((?!#)", page) == []
    assert "default-src 'none'" in page  # and the browser is told to refuse any fetch
    referenced = set(re.findall(r'(?:href="#|url\(#)([^")]+)', page))
    assert referenced  # glyphs and clip paths, defined on the page
    assert referenced <= set(Elements(page).ids)


def test_ids_are_unique_on_the_page() -> None:
    """Each chart's own ids (glyphs, clip paths) are prefixed: no id is defined twice."""
    ids = Elements(page_of(session())).ids
    assert [name for name, count in Counter(ids).items() if count > 1] == []


def test_a_dollar_in_an_id_is_a_dollar_not_mathtext() -> None:
    """Text with ``$...$`` is not read as mathtext (a bad one would fail): it is plain text."""
    log = timed((0, added(r"a$\frac{$b")), (10, removed(r"a$\frac{$b")))
    page = page_of(log)
    assert html.escape(r"a$\frac{$b") in page


# --- limits --------------------------------------------------------------------------------------


def crowded() -> list[Raw]:
    """c1 open from 0 to the end, silent; c2 opened at 10 and 50 (three messages); c3 at 20.

    c1's open interval comes last of all rows: the ranking by first opening must wait for it.
    """
    return timed(
        (0, added("c1")),
        (10, added("c2")),
        (11, message("c2", "m1")),
        (12, message("c2", "m2")),
        (13, message("c2", "m3")),
        (20, added("c3")),
        (21, message("c3", "m4")),
        (30, removed("c2")),
        (40, removed("c3")),
        (50, added("c2")),
        (60, removed("c2")),
    )


def test_the_timeline_keeps_the_first_conversations_by_first_opening() -> None:
    """With room for two lanes, one interval and one tick each: c1 and c2 drawn, c3 left out."""
    page = page_of(crowded(), ChartLimits(conversations=2, intervals=1, ticks=1))
    elements = Elements(page)
    assert elements.count("ds-open-0-c1", "shape") == 1
    assert elements.count("ds-open-0-c2", "shape") == 1  # of two
    assert elements.count("ds-msg-0-c2", "shape") == 1  # of three
    assert not [element for element in elements.ids if element.endswith("-c3")]
    assert notes(page) == [
        "Drawn: the first 2 conversations by first opening; left out: 1 more (every "
        "conversation is in the table below).",
        "Not drawn: 1 interval beyond the first 1 open and 1 focused intervals of a conversation.",
        "No tick: 2 messages beyond the first 1 of a conversation.",
    ]
    assert "c3" in page  # in the table, which has every conversation


def many_rows(conversations: int, messages: int) -> Iterator[Row]:
    """Rows of ``conversations`` conversations opened one second apart, latest first."""
    for number in reversed(range(conversations)):
        cid = f"c{number}"
        for message_no in range(messages):
            yield MessageRow(None, cid, f"m{message_no}", "Visitor", t(number), 0, None)
        yield OpenInterval(None, cid, t(number), t(number + 1), timedelta(seconds=1), False)


def test_what_is_kept_stays_within_the_limits() -> None:
    """However many rows stream in, a desk keeps the limits' lanes, intervals and ticks."""
    limits = ChartLimits(conversations=5, intervals=2, ticks=3)
    charts = collect_charts(many_rows(300, 10), limits=limits)
    desk = charts.desks[None]
    assert len(desk.lanes) == 5
    assert sum(len(lane.ticks) for lane in desk.lanes.values()) == 5 * 3
    lanes = desk.timeline()
    assert [lane.cid for lane in lanes] == ["c0", "c1", "c2", "c3", "c4"]  # the first opened
    assert len(desk.dropped) == 295


def test_a_desk_without_times_says_so_instead_of_drawing() -> None:
    """A log without any ts has nothing to place on a time axis: no chart, a word for each."""
    page = page_of(timed((None, added("c1")), (None, message("c1", "m1"))))
    assert "<svg" not in page
    assert "No conversation with a known time to draw." in page
    assert "No change of the open count at a known time." in page
    assert "No availability reported at a known time." in page


def test_an_empty_log_gives_a_page_that_says_so() -> None:
    """No desk: a page with a word, no table, no chart."""
    page = page_of([])
    assert "No record in this log." in page and "<svg" not in page


def test_write_html_report_writes_to_a_path_or_a_stream(tmp_path: Path) -> None:
    """The same page to a file by name and to a text stream."""
    measured: dict[str | None, DeskMetrics] = {}
    charts = collect_charts(metric_rows(replay_steps(session()), metrics=measured))
    stream = io.StringIO()
    write_html_report(measured, charts, stream, title="t")
    write_html_report(measured, charts, tmp_path / "r.html", title="t")
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == stream.getvalue()
    assert stream.getvalue() == render_html(measured, charts, title="t")


# --- the command ---------------------------------------------------------------------------------


def test_report_html_writes_the_page_and_still_prints_the_tables(tmp_path: Path) -> None:
    """`report LOG --html OUT` prints what `report LOG` prints, and writes the page."""
    log = str(write_log(tmp_path / "desk.jsonl", *session()))
    out = tmp_path / "out.html"
    plain = deskstate("report", log)
    drawn = deskstate("report", log, "--html", str(out))
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout == plain.stdout
    assert f"HTML report written to {out}" in drawn.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "ds-chart-0-timeline" in page and html.escape(C2) in page
    as_json = deskstate("report", log, "--json", "--html", str(tmp_path / "again.html"))
    assert json.loads(as_json.stdout)["desks"][DESK]["handled"] == 3
    assert (tmp_path / "again.html").exists()


def test_report_html_refuses_what_it_cannot_draw(tmp_path: Path) -> None:
    """Several logs or --jobs, standard output, an unknown desk: exit 2 and no file."""
    log = str(write_log(tmp_path / "desk.jsonl", *session()))
    out = tmp_path / "out.html"
    for options in (["--jobs", "2"], [log], ["--desk", "nobody"]):
        result = deskstate("report", log, *options, "--html", str(out))
        assert result.returncode == 2, options
        assert not out.exists()
    assert "--jobs" in deskstate("report", log, "--jobs", "2", "--html", str(out)).stderr
    to_stdout = deskstate("report", log, "--html", "-")
    assert to_stdout.returncode == 2 and "file name" in to_stdout.stderr
    unwritable = deskstate("report", log, "--html", str(tmp_path / "no" / "such" / "dir.html"))
    assert unwritable.returncode == 2 and "cannot write" in unwritable.stderr


@pytest.mark.parametrize("hidden", ["matplotlib"])
def test_report_html_without_matplotlib_says_what_to_install(tmp_path: Path, hidden: str) -> None:
    """Without the plots extra: exit 2 with the pip command, and no file."""
    log = str(write_log(tmp_path / "desk.jsonl", *session()))
    out = tmp_path / "out.html"
    code = (
        f"import sys; sys.modules[{hidden!r}] = None; from deskstate.cli import main;"
        f"sys.exit(main(['report', {log!r}, '--html', {str(out)!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 2
    assert "pip install 'deskstate[plots]'" in result.stderr
    assert not out.exists()
