"""A self-contained HTML report of desk metrics, with charts: ``deskstate report --html``.

An edge of the library: it imports matplotlib (the ``plots`` extra) and draws with
:class:`~matplotlib.figure.Figure` objects and the SVG backend, never pyplot, so no global figure
state is kept. Per desk, three charts and the tables of ``deskstate report``:

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

import heapq
import html
import io
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Final, TextIO

import attrs
import matplotlib as mpl
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from deskstate import _report_format as cells
from deskstate.metrics import DeskMetrics
from deskstate.tables import AvailabilityInterval, FocusInterval, MessageRow, OpenInterval, Row

__all__ = ["ChartLimits", "ReportCharts", "collect_charts", "render_html", "write_html_report"]

_OPEN_COLOUR: Final = "#c8ccd2"
_FOCUS_COLOUR: Final = "#5b6470"
_PARTICIPANT_COLOURS: Final = {"Visitor": "#1f77b4", "Professional": "#d62728", "Expert": "#2ca02c"}
_STATUS_COLOURS: Final = {
    "AVAILABLE": "#2ca02c",
    "UNAVAILABLE": "#b0b0b0",
    "UNAVAILABLE_FORCED": "#d62728",
}
#: Colours of the values outside the known ones, in the order they come.
_OTHER_COLOURS: Final = ("#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")
_LABEL_LENGTH: Final = 28
_WIDTH_INCHES: Final = 11.0
_SAFE: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")


@attrs.frozen
class ChartLimits:
    """How much of a desk is drawn, at most: past these, rows are counted, not kept.

    ``conversations``: lanes of the timeline (the first conversations by first opening);
    ``intervals``: open intervals and focused intervals drawn per conversation (each);
    ``ticks``: message ticks per conversation; ``channels``: lanes of the availability chart (the
    first channels reported); ``bands``: availability intervals drawn per channel.
    """

    conversations: int = 200
    intervals: int = 50
    ticks: int = 100
    channels: int = 16
    bands: int = 1000


# --- collecting what to draw ---------------------------------------------------------------------

_Span = tuple[datetime, datetime]


def _placed(start: datetime | None, end: datetime | None, left_out: Counter[str]) -> _Span | None:
    """The span to draw, or None (counted in ``left_out``) when it cannot be placed."""
    if start is None or end is None:
        left_out["unknown"] += 1
        return None
    if end < start:
        left_out["backwards"] += 1
        return None
    return start, end


class _Lane:
    """What the timeline draws of one conversation, within the limits."""

    def __init__(self, cid: str) -> None:
        self.cid = cid
        self.rank: tuple[float, int] | None = None  # set once its first open interval came
        self.bars: list[_Span] = []
        self.focus: list[_Span] = []
        self.ticks: list[tuple[datetime, str]] = []
        self.left_out: Counter[str] = Counter()

    def add_span(self, spans: list[_Span], row: OpenInterval | FocusInterval, cap: int) -> None:
        span = _placed(row.start, row.end, self.left_out)
        if span is None:
            return
        if len(spans) < cap:
            spans.append(span)
        else:
            self.left_out["intervals beyond the limit"] += 1

    def add_tick(self, row: MessageRow, cap: int) -> None:
        if row.at is None:
            self.left_out["messages unknown"] += 1
        elif len(self.ticks) < cap:
            self.ticks.append((row.at, row.participant))
        else:
            self.left_out["messages beyond the limit"] += 1


class _DeskCharts:
    """The rows of one desk, kept within the limits as they stream."""

    def __init__(self, limits: ChartLimits) -> None:
        self.limits = limits
        self.lanes: dict[str, _Lane] = {}
        # The lanes ranked so far, worst first: (-first opening, -rank order, id).
        self.ranked: list[tuple[float, int, str]] = []
        self.dropped: set[str] = set()
        self.channels: dict[str, list[tuple[_Span, str]]] = {}
        self.left_out: Counter[str] = Counter()  # availability intervals not drawn, and why

    def _lane(self, cid: str) -> _Lane | None:
        if cid in self.dropped:
            return None
        lane = self.lanes.get(cid)
        if lane is None:
            lane = self.lanes[cid] = _Lane(cid)
        return lane

    def _rank(self, lane: _Lane, first_opened: datetime | None) -> None:
        """Rank ``lane`` by its first opening; drop the last lane when there are too many."""
        moment = math.inf if first_opened is None else first_opened.timestamp()
        lane.rank = (moment, len(self.dropped) + len(self.ranked))
        heapq.heappush(self.ranked, (-moment, -lane.rank[1], lane.cid))
        if len(self.ranked) > self.limits.conversations:
            _, _, worst = heapq.heappop(self.ranked)
            del self.lanes[worst]
            self.dropped.add(worst)

    def add(self, row: Row) -> None:
        if isinstance(row, OpenInterval):
            lane = self._lane(row.conversation_id)
            if lane is not None and lane.rank is None:
                # Its first open interval: the first one a conversation ends, so its start is
                # the conversation's first opening. It is ranked now, for good.
                self._rank(lane, row.start)
                lane = self.lanes.get(row.conversation_id)
            if lane is not None:
                lane.add_span(lane.bars, row, self.limits.intervals)
        elif isinstance(row, FocusInterval):
            lane = self._lane(row.conversation_id)
            if lane is not None:
                lane.add_span(lane.focus, row, self.limits.intervals)
        elif isinstance(row, MessageRow):
            lane = self._lane(row.conversation_id)
            if lane is not None:
                lane.add_tick(row, self.limits.ticks)
        elif isinstance(row, AvailabilityInterval):
            self._add_band(row)

    def _add_band(self, row: AvailabilityInterval) -> None:
        bands = self.channels.get(row.channel)
        if bands is None:
            if len(self.channels) >= self.limits.channels:
                self.left_out["other channels"] += 1
                return
            bands = self.channels[row.channel] = []
        span = _placed(row.start, row.end, self.left_out)
        if span is None:
            return
        if len(bands) < self.limits.bands:
            bands.append((span, row.status))
        else:
            self.left_out["beyond the limit"] += 1

    def timeline(self) -> list[_Lane]:
        """The lanes drawn, by first opening (those never opened in the log come last)."""
        for lane in list(self.lanes.values()):
            if lane.rank is None:  # only messages, to a conversation closed before the log
                self._rank(lane, None)
        return sorted(self.lanes.values(), key=lambda lane: lane.rank or (math.inf, 0))


@attrs.define
class ReportCharts:
    """What :func:`collect_charts` kept of the rows of each desk, to draw."""

    limits: ChartLimits
    desks: dict[str | None, _DeskCharts]

    def add(self, row: Row) -> None:
        """Keep what is drawn of ``row`` (anomaly and conversation rows are not drawn)."""
        desk = self.desks.get(row.desk)
        if desk is None:
            desk = self.desks[row.desk] = _DeskCharts(self.limits)
        desk.add(row)


def collect_charts(rows: Iterable[Row], *, limits: ChartLimits | None = None) -> ReportCharts:
    """Read ``rows`` (from :func:`~deskstate.metrics.metric_rows`) and keep what is drawn.

    Memory stays within ``limits`` per desk, beside one id per conversation left out of the
    timeline (the metrics keep as much per conversation). A conversation is ranked by its first
    opening as soon as its first open interval ends; until then (while it is open for the first
    time) its ticks are kept, no more than the desk's own snapshot holds.
    """
    charts = ReportCharts(limits or ChartLimits(), {})
    for row in rows:
        charts.add(row)
    return charts


# --- drawing -------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    """``text`` made safe for an element id, one-to-one: other characters as ``_hex_``."""
    return "".join(char if char in _SAFE else f"_{ord(char):x}_" for char in text)


def _label(text: str) -> str:
    return text if len(text) <= _LABEL_LENGTH else text[: _LABEL_LENGTH - 1] + "…"


def _colours(known: Mapping[str, str], values: Iterable[str]) -> dict[str, str]:
    """A colour for each of ``values``: the known ones', then the others' in turn."""
    found: dict[str, str] = {}
    others = 0
    for value in values:
        if value in found:
            continue
        if value in known:
            found[value] = known[value]
        else:
            found[value] = _OTHER_COLOURS[others % len(_OTHER_COLOURS)]
            others += 1
    return found


def _x(moment: datetime) -> float:
    return float(mdates.date2num(moment))  # type: ignore[no-untyped-call]  # untyped in 3.11


def _bars(spans: Iterable[_Span]) -> list[tuple[float, float]]:
    return [(_x(start), _x(end) - _x(start)) for start, end in spans]


def _time_axis(axes: Axes) -> None:
    locator = mdates.AutoDateLocator(tz=UTC)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator, tz=UTC)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_formatter(formatter)
    axes.set_xlabel("time (UTC)")
    axes.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    axes.set_axisbelow(True)


def _figure(lanes: int) -> Figure:
    return Figure(figsize=(_WIDTH_INCHES, 1.3 + 0.24 * max(lanes, 1)), layout="constrained")


def _timeline(lanes: Sequence[_Lane], number: int) -> Figure:
    figure = _figure(len(lanes))
    axes = figure.add_subplot()
    participants = _colours(
        _PARTICIPANT_COLOURS,
        [*_PARTICIPANT_COLOURS, *(who for lane in lanes for _, who in lane.ticks)],
    )
    for row, lane in enumerate(lanes):
        slug = _slug(lane.cid)
        if lane.bars:
            axes.broken_barh(
                _bars(lane.bars),
                (row - 0.35, 0.7),
                color=_OPEN_COLOUR,
                gid=f"ds-open-{number}-{slug}",
            )
        if lane.focus:
            axes.broken_barh(
                _bars(lane.focus),
                (row - 0.35, 0.7),
                color=_FOCUS_COLOUR,
                gid=f"ds-focus-{number}-{slug}",
            )
        if lane.ticks:
            axes.scatter(
                [_x(at) for at, _ in lane.ticks],
                [row] * len(lane.ticks),
                c=[participants[who] for _, who in lane.ticks],
                marker="|",
                s=110,
                linewidths=1.4,
                gid=f"ds-msg-{number}-{slug}",
            )
    axes.set_yticks(range(len(lanes)), labels=[_label(lane.cid) for lane in lanes])
    axes.set_ylim(len(lanes) - 0.5, -0.5)
    axes.set_ylabel("conversation")
    _time_axis(axes)
    seen = {who for lane in lanes for _, who in lane.ticks}
    handles = [
        Patch(color=_OPEN_COLOUR, label="open"),
        Patch(color=_FOCUS_COLOUR, label="focused"),
        *(
            Line2D(
                [],
                [],
                color=colour,
                marker="|",
                markersize=10,
                linestyle="none",
                label=f"{who} message",
            )
            for who, colour in participants.items()
            if who in seen or who in _PARTICIPANT_COLOURS
        ),
    ]
    axes.legend(
        handles=handles,
        labels=[_label(str(handle.get_label())) for handle in handles],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
    )
    return figure


def _known_counts(desk: DeskMetrics) -> tuple[list[datetime], list[int]]:
    """The open counts that can be placed: a known time, not before the one drawn before it."""
    times: list[datetime] = []
    counts: list[int] = []
    for moment, count in desk.open_counts:
        if moment is not None and (not times or moment >= times[-1]):
            times.append(moment)
            counts.append(count)
    return times, counts


def _open_counts(times: list[datetime], counts: list[int], end: datetime, number: int) -> Figure:
    figure = Figure(figsize=(_WIDTH_INCHES, 2.6), layout="constrained")
    axes = figure.add_subplot()
    xs = [_x(moment) for moment in times]
    if end >= times[-1]:
        xs.append(_x(end))
        counts = [*counts, counts[-1]]
    axes.step(
        xs, counts, where="post", color="#1f77b4", linewidth=1.6, gid=f"ds-opencount-{number}"
    )
    axes.set_ylim(bottom=0, top=max(counts) + 1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("open conversations")
    _time_axis(axes)
    return figure


def _availability(channels: Mapping[str, list[tuple[_Span, str]]], number: int) -> Figure:
    names = sorted(channels)
    figure = _figure(len(names))
    axes = figure.add_subplot()
    statuses = _colours(_STATUS_COLOURS, [status for name in names for _, status in channels[name]])
    for row, name in enumerate(names):
        for status, colour in statuses.items():
            spans = [span for span, said in channels[name] if said == status]
            if spans:
                axes.broken_barh(
                    _bars(spans),
                    (row - 0.35, 0.7),
                    color=colour,
                    gid=f"ds-avail-{number}-{_slug(name)}.{_slug(status)}",
                )
    axes.set_yticks(range(len(names)), labels=[_label(name) for name in names])
    axes.set_ylim(len(names) - 0.5, -0.5)
    axes.set_ylabel("channel")
    _time_axis(axes)
    handles = [Patch(color=colour, label=status) for status, colour in statuses.items()]
    axes.legend(
        handles=handles,
        labels=[_label(status) for status in statuses],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        title="status",
        frameon=False,
    )
    return figure


_PROLOG: Final = re.compile(r"\A.*?(?=<svg)", re.DOTALL)
_NAMESPACES: Final = re.compile(r'\s+xmlns(?::xlink)?="[^"]*"')
_COMMENT: Final = re.compile(r"<!--.*?-->", re.DOTALL)
_ID: Final = re.compile(r'\bid="(?!ds-)([^"]*)"')
_REFERENCE: Final = re.compile(r'(href="#|url\(#)(?!ds-)')


def _svg(draw: Callable[[], Figure], chart_id: str, label: str) -> str:
    """The figure ``draw`` makes, as an SVG element to inline in HTML, with ids unique on a page."""
    buffer = io.StringIO()
    # Text as paths (no font to fetch), ids salted per chart, and no mathtext: a "$" from the log
    # is a dollar sign (read when the text is made, so the figure is made in this context too).
    with mpl.rc_context(
        {"svg.fonttype": "path", "svg.hashsalt": chart_id, "text.parse_math": False}
    ):
        draw().savefig(
            buffer,
            format="svg",
            metadata={"Creator": None, "Date": None, "Format": None, "Type": None},
        )
    svg = _PROLOG.sub("", buffer.getvalue(), count=1)
    svg = _NAMESPACES.sub("", svg)  # the HTML parser knows SVG; the namespace URIs are not needed
    svg = _COMMENT.sub("", svg)  # matplotlib writes each text as a comment beside its paths
    svg = _ID.sub(lambda found: f'id="{chart_id}-{found.group(1)}"', svg)
    svg = _REFERENCE.sub(lambda found: f"{found.group(1)}{chart_id}-", svg)
    opening = f'<svg id="{chart_id}" class="chart" role="img" aria-label="{html.escape(label)}" '
    return svg.replace("<svg ", opening, 1)


# --- the page ------------------------------------------------------------------------------------

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


def _timeline_notes(desk: _DeskCharts, lanes: Sequence[_Lane]) -> list[str]:
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


def _availability_notes(desk: _DeskCharts) -> list[str]:
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


def _desk_section(number: int, key: str | None, desk: DeskMetrics, charts: _DeskCharts) -> str:
    name = cells.desk_name(key)
    parts = [f'<section id="desk-{number}">\n<h2>Desk {html.escape(name)}</h2>\n']

    lanes = charts.timeline()
    parts.append("<h3>Conversations over time</h3>\n")
    parts.append(_notes(_timeline_notes(charts, lanes)))
    if any(lane.bars or lane.focus or lane.ticks for lane in lanes):
        svg = _svg(
            lambda: _timeline(lanes, number), f"ds-chart-{number}-timeline", f"timeline of {name}"
        )
        caption = (
            "A lane per conversation, by first opening: a light bar while it was open (to the "
            "desk's last timestamp when still open), darker while it held the focus, a tick per "
            "message."
        )
        parts.append(_figure_html(svg, caption))
    else:
        parts.append('<p class="empty">No conversation with a known time to draw.</p>\n')

    times, counts = _known_counts(desk)
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
        svg = _svg(
            lambda: _open_counts(times, counts, end, number),
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
        svg = _svg(
            lambda: _availability(charts.channels, number),
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
            drawn = charts.desks.get(key) or _DeskCharts(charts.limits)
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
