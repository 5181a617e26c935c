"""A self-contained HTML report of desk metrics, with charts: ``deskstate report --html``.

An edge of the library: its charts are drawn by :mod:`deskstate.svg_charts` (matplotlib, the
``plots`` extra) from what :mod:`deskstate.chart_data` kept of the rows. Per desk, three charts
and the tables of ``deskstate report``:

- a timeline: one lane per conversation, a bar for each open interval, its focused intervals
  shaded darker on it, and a tick for each message, coloured by participant;
- the number of open conversations over time (a step chart of ``DeskMetrics.open_counts``);
- availability bands: one lane per channel, coloured by status.

The page opens offline: the charts are inline SVG with text drawn as paths (no font is referenced),
the style is inline, and a Content-Security-Policy forbids the page any fetch. Every string from
the log (desks, conversation ids, channels, statuses, participants) is escaped.

:func:`collect_charts` reads the rows of :func:`deskstate.metrics.metric_rows` as they stream and
keeps only what it will draw, within :class:`ChartLimits`: the first conversations of each desk by
first opening, a bounded number of intervals and ticks for each; what is left out is counted and
said on the page. Intervals with an unknown start or end cannot be placed on a time axis: they are
left out, counted, and the page says so.
"""

from __future__ import annotations

import html
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Final, TextIO

from deskstate import _report_format as cells
from deskstate.chart_data import ChartLimits, DeskCharts, Lane, ReportCharts, collect_charts
from deskstate.metrics import DeskMetrics
from deskstate.svg_charts import (
    availability_chart,
    inline_svg,
    known_counts,
    open_count_chart,
    timeline_chart,
)

__all__ = ["ChartLimits", "ReportCharts", "collect_charts", "render_html", "write_html_report"]

_STYLE: Final = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px;
  padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ccc; }
h3 { margin-bottom: .3rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { padding: .15rem .6rem; border-bottom: 1px solid #e5e5e5; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td { white-space: nowrap; }
figure { margin: .5rem 0 1rem; } figcaption { color: #555; }
svg.chart { max-width: 100%; height: auto; display: block; }
.note { color: #7a4b00; background: #fff6e0; padding: .3rem .6rem; border-radius: 3px; }
.empty, .legend { color: #666; }
"""
#: The page may fetch nothing: not a script, a style, a font or an image.
_POLICY: Final = "default-src 'none'; style-src 'unsafe-inline'"
_DESK_NUMERIC: Final = frozenset(range(3, 9))
_CONVERSATION_NUMERIC: Final = frozenset(range(1, 6))


def _table(
    caption: str, columns: Sequence[str], rows: Iterable[Sequence[str]], numeric: frozenset[int]
) -> str:
    def cell(tag: str, number: int, text: str) -> str:
        kind = ' class="n"' if number in numeric else ""
        return f"<{tag}{kind}>{html.escape(text)}</{tag}>"

    head = "".join(cell("th", number, text) for number, text in enumerate(columns))
    body = "\n".join(
        "<tr>" + "".join(cell("td", number, text) for number, text in enumerate(row)) + "</tr>"
        for row in rows
    )
    return (
        f"<h3>{html.escape(caption)}</h3>\n<table>\n<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{body}\n</tbody>\n</table>"
    )


def _plural(count: int, one: str) -> str:
    return f"{count} {one if count == 1 else one + 's'}"


def _timeline_notes(desk: DeskCharts, lanes: Sequence[Lane]) -> list[str]:
    left_out: Counter[str] = Counter()
    for lane in lanes:
        left_out.update(lane.left_out)
    limits = desk.limits
    notes = []
    if desk.dropped:
        notes.append(
            f"Drawn: the first {_plural(len(lanes), 'conversation')} by first opening; left out: "
            f"{len(desk.dropped)} more (every conversation is in the table below)."
        )
    if left_out["unknown"]:
        notes.append(
            f"Not drawn: {_plural(left_out['unknown'], 'interval')} with an unknown start or end "
            "(a record without ts, or a conversation already open before the log), which cannot "
            "be placed in time."
        )
    if left_out["backwards"]:
        notes.append(
            f"Not drawn: {_plural(left_out['backwards'], 'interval')} with an end earlier than "
            "the start (a clock going back)."
        )
    if left_out["messages unknown"]:
        notes.append(
            f"No tick: {_plural(left_out['messages unknown'], 'message')} without a time (a "
            "record without ts)."
        )
    if left_out["intervals beyond the limit"]:
        notes.append(
            f"Not drawn: {_plural(left_out['intervals beyond the limit'], 'interval')} beyond "
            f"the first {limits.intervals} open and {limits.intervals} focused intervals of a "
            "conversation."
        )
    if left_out["messages beyond the limit"]:
        notes.append(
            f"No tick: {_plural(left_out['messages beyond the limit'], 'message')} beyond the "
            f"first {limits.ticks} of a conversation."
        )
    return notes


def _availability_notes(desk: DeskCharts) -> list[str]:
    left_out = desk.left_out
    notes = []
    if left_out["unknown"]:
        notes.append(
            f"Not drawn: {_plural(left_out['unknown'], 'interval')} with an unknown start or end "
            "(a record without ts, or a status reported before the log), which cannot be placed "
            "in time."
        )
    if left_out["backwards"]:
        notes.append(
            f"Not drawn: {_plural(left_out['backwards'], 'interval')} with an end earlier than "
            "the start (a clock going back)."
        )
    if left_out["other channels"]:
        notes.append(
            f"Not drawn: {_plural(left_out['other channels'], 'interval')} of channels beyond "
            f"the first {desk.limits.channels} reported."
        )
    if left_out["beyond the limit"]:
        notes.append(
            f"Not drawn: {_plural(left_out['beyond the limit'], 'interval')} beyond the first "
            f"{desk.limits.bands} of a channel."
        )
    return notes


def _notes(notes: Iterable[str]) -> str:
    return "".join(f'<p class="note">{html.escape(note)}</p>\n' for note in notes)


def _figure_html(svg: str, caption: str) -> str:
    return f"<figure>\n{svg}\n<figcaption>{html.escape(caption)}</figcaption>\n</figure>\n"


def _desk_section(number: int, key: str | None, desk: DeskMetrics, charts: DeskCharts) -> str:
    name = cells.desk_name(key)
    parts = [f'<section id="desk-{number}">\n<h2>Desk {html.escape(name)}</h2>\n']

    lanes = charts.timeline()
    parts.append("<h3>Conversations over time</h3>\n")
    parts.append(_notes(_timeline_notes(charts, lanes)))
    if any(lane.bars or lane.focus or lane.ticks for lane in lanes):
        svg = inline_svg(
            lambda: timeline_chart(lanes, number),
            f"ds-chart-{number}-timeline",
            f"timeline of {name}",
        )
        caption = (
            "A lane per conversation, by first opening: a light bar while it was open (to the "
            "desk's last timestamp when still open), darker while it held the focus, a tick per "
            "message."
        )
        parts.append(_figure_html(svg, caption))
    else:
        parts.append('<p class="empty">No conversation with a known time to draw.</p>\n')

    times, counts = known_counts(desk)
    parts.append("<h3>Open conversations</h3>\n")
    unplaced = len(desk.open_counts) - len(times)
    if unplaced:
        parts.append(
            _notes(
                [
                    f"Left out: {_plural(unplaced, 'change')} of the open count at an unknown "
                    "time (a record without ts) or earlier than the one before (a clock going "
                    "back); the line holds its value across them."
                ]
            )
        )
    if times:
        end = desk.ended_at if desk.ended_at is not None else times[-1]
        svg = inline_svg(
            lambda: open_count_chart(times, counts, end, number),
            f"ds-chart-{number}-open",
            f"open conversations of {name}",
        )
        caption = f"How many conversations were open (most at once: {desk.most_open})."
        parts.append(_figure_html(svg, caption))
    else:
        parts.append('<p class="empty">No change of the open count at a known time.</p>\n')

    parts.append("<h3>Availability</h3>\n")
    parts.append(_notes(_availability_notes(charts)))
    if any(charts.channels.values()):
        svg = inline_svg(
            lambda: availability_chart(charts.channels, number),
            f"ds-chart-{number}-availability",
            f"availability of {name}",
        )
        caption = "A lane per channel, coloured by the status the desk reported."
        parts.append(_figure_html(svg, caption))
    else:
        parts.append('<p class="empty">No availability reported at a known time.</p>\n')

    if desk.availability_time:
        parts.append(
            _table(
                "Time per availability status",
                ("channel", "status", "time"),
                (
                    (channel, status, cells.format_duration(time))
                    for channel, statuses in sorted(desk.availability_time.items())
                    for status, time in sorted(statuses.items())
                ),
                frozenset({2}),
            )
        )
    if desk.conversations:
        parts.append(
            _table(
                "Conversations",
                cells.CONVERSATION_COLUMNS,
                (
                    cells.conversation_cells(cid, conversation)
                    for cid, conversation in sorted(desk.conversations.items())
                ),
                _CONVERSATION_NUMERIC,
            )
        )
    parts.append("</section>\n")
    return "".join(parts)


def _page(
    per_desk: Mapping[str | None, DeskMetrics], charts: ReportCharts, title: str
) -> Iterator[str]:
    yield (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n"
    )
    if not per_desk:
        yield '<p class="empty">No record in this log.</p>\n'
    else:
        yield _table(
            "Desks",
            cells.DESK_COLUMNS,
            (cells.desk_cells(key, desk) for key, desk in per_desk.items()),
            _DESK_NUMERIC,
        )
        yield (
            '<p class="legend">?: unknown time (no ts, or a clock going back); -: none. '
            "Times are UTC.</p>\n"
        )
        for number, (key, desk) in enumerate(per_desk.items()):
            drawn = charts.desks.get(key) or DeskCharts(charts.limits)
            yield _desk_section(number, key, desk, drawn)
    yield "</body>\n</html>\n"


def render_html(
    per_desk: Mapping[str | None, DeskMetrics], charts: ReportCharts, *, title: str
) -> str:
    """The HTML page of ``per_desk`` (from ``metric_rows(..., metrics=...)``), with ``charts``."""
    return "".join(_page(per_desk, charts, title))


def write_html_report(
    per_desk: Mapping[str | None, DeskMetrics],
    charts: ReportCharts,
    out: str | os.PathLike[str] | TextIO,
    *,
    title: str,
) -> None:
    """Write the page of :func:`render_html` to the file ``out`` names, or the text stream."""
    if isinstance(out, str | os.PathLike):
        with open(out, "w", encoding="utf-8", newline="\n") as stream:
            _write(per_desk, charts, stream, title)
    else:
        _write(per_desk, charts, out, title)


def _write(
    per_desk: Mapping[str | None, DeskMetrics], charts: ReportCharts, out: TextIO, title: str
) -> None:
    for part in _page(per_desk, charts, title):
        out.write(part)
