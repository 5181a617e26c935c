"""The HTML report's charts, drawn by matplotlib as SVG to inline in a page.

An edge of the library: it imports matplotlib (the ``plots`` extra) and draws with
:class:`~matplotlib.figure.Figure` objects, never pyplot, so no global figure state is kept. Text
is drawn as paths (no font is referenced), and the ids in each chart are salted so that none
repeats on a page. Used by :mod:`deskstate.html_report`.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Final

import matplotlib as mpl
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from deskstate.chart_data import Lane, Span
from deskstate.metrics import DeskMetrics

__all__ = [
    "availability_chart",
    "inline_svg",
    "known_counts",
    "open_count_chart",
    "timeline_chart",
]

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


def _bars(spans: Iterable[Span]) -> list[tuple[float, float]]:
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


def timeline_chart(lanes: Sequence[Lane], number: int) -> Figure:
    """A lane per conversation: open bars, focus shaded on them, message ticks (desk ``number``)."""
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


def known_counts(desk: DeskMetrics) -> tuple[list[datetime], list[int]]:
    """The open counts that can be placed: a known time, not before the one drawn before it."""
    times: list[datetime] = []
    counts: list[int] = []
    for moment, count in desk.open_counts:
        if moment is not None and (not times or moment >= times[-1]):
            times.append(moment)
            counts.append(count)
    return times, counts


def open_count_chart(
    times: list[datetime], counts: list[int], end: datetime, number: int
) -> Figure:
    """The open count as a step chart, from its changes at ``times`` to the desk's ``end``."""
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


def availability_chart(channels: Mapping[str, list[tuple[Span, str]]], number: int) -> Figure:
    """A lane per channel, a band per status interval, coloured by status."""
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


def inline_svg(draw: Callable[[], Figure], chart_id: str, label: str) -> str:
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
