"""What the HTML report draws of a replay, kept within limits as its rows stream.

:func:`collect_charts` reads the rows of :func:`deskstate.metrics.metric_rows` and keeps only what
:mod:`deskstate.html_report` will draw, within :class:`ChartLimits`: the first conversations of
each desk by first opening, a bounded number of intervals and ticks for each; what is left out is
counted, so that the page can say it. Intervals with an unknown start or end cannot be placed on a
time axis: they are left out and counted too. Pure: no I/O, no plotting library.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

import attrs

from deskstate.tables import AvailabilityInterval, FocusInterval, MessageRow, OpenInterval, Row

__all__ = ["ChartLimits", "DeskCharts", "Lane", "ReportCharts", "Span", "collect_charts"]


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

Span = tuple[datetime, datetime]


def _placed(start: datetime | None, end: datetime | None, left_out: Counter[str]) -> Span | None:
    """The span to draw, or None (counted in ``left_out``) when it cannot be placed."""
    if start is None or end is None:
        left_out["unknown"] += 1
        return None
    if end < start:
        left_out["backwards"] += 1
        return None
    return start, end


class Lane:
    """What the timeline draws of one conversation, within the limits."""

    def __init__(self, cid: str) -> None:
        self.cid = cid
        self.rank: tuple[float, int] | None = None  # set once its first open interval came
        self.bars: list[Span] = []
        self.focus: list[Span] = []
        self.ticks: list[tuple[datetime, str]] = []
        self.left_out: Counter[str] = Counter()

    def add_span(self, spans: list[Span], row: OpenInterval | FocusInterval, cap: int) -> None:
        """Keep ``row`` in ``spans`` (its bars or focus) when it can be placed, up to ``cap``."""
        span = _placed(row.start, row.end, self.left_out)
        if span is None:
            return
        if len(spans) < cap:
            spans.append(span)
        else:
            self.left_out["intervals beyond the limit"] += 1

    def add_tick(self, row: MessageRow, cap: int) -> None:
        """Keep the tick of ``row`` when its time is known, up to ``cap``."""
        if row.at is None:
            self.left_out["messages unknown"] += 1
        elif len(self.ticks) < cap:
            self.ticks.append((row.at, row.participant))
        else:
            self.left_out["messages beyond the limit"] += 1


class DeskCharts:
    """The rows of one desk, kept within the limits as they stream."""

    def __init__(self, limits: ChartLimits) -> None:
        self.limits = limits
        self.lanes: dict[str, Lane] = {}
        # The lanes ranked so far, worst first: (-first opening, -rank order, id).
        self.ranked: list[tuple[float, int, str]] = []
        self.dropped: set[str] = set()
        self.channels: dict[str, list[tuple[Span, str]]] = {}
        self.left_out: Counter[str] = Counter()  # availability intervals not drawn, and why

    def _lane(self, cid: str) -> Lane | None:
        if cid in self.dropped:
            return None
        lane = self.lanes.get(cid)
        if lane is None:
            lane = self.lanes[cid] = Lane(cid)
        return lane

    def _rank(self, lane: Lane, first_opened: datetime | None) -> None:
        """Rank ``lane`` by its first opening; drop the last lane when there are too many."""
        moment = math.inf if first_opened is None else first_opened.timestamp()
        lane.rank = (moment, len(self.dropped) + len(self.ranked))
        heapq.heappush(self.ranked, (-moment, -lane.rank[1], lane.cid))
        if len(self.ranked) > self.limits.conversations:
            _, _, worst = heapq.heappop(self.ranked)
            del self.lanes[worst]
            self.dropped.add(worst)

    def add(self, row: Row) -> None:
        """Keep what is drawn of ``row``, one of this desk's rows."""
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

    def timeline(self) -> list[Lane]:
        """The lanes drawn, by first opening (those never opened in the log come last)."""
        for lane in list(self.lanes.values()):
            if lane.rank is None:  # only messages, to a conversation closed before the log
                self._rank(lane, None)
        return sorted(self.lanes.values(), key=lambda lane: lane.rank or (math.inf, 0))


@attrs.define
class ReportCharts:
    """What :func:`collect_charts` kept of the rows of each desk, to draw."""

    limits: ChartLimits
    desks: dict[str | None, DeskCharts]

    def add(self, row: Row) -> None:
        """Keep what is drawn of ``row`` (anomaly and conversation rows are not drawn)."""
        desk = self.desks.get(row.desk)
        if desk is None:
            desk = self.desks[row.desk] = DeskCharts(self.limits)
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
