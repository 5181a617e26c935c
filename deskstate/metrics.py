"""Desk metrics of a replay: time open and focused, first response, how busy each desk was.

What ``deskstate report`` prints: how long conversations stayed open and focused, how fast they
were answered, how many were open at once, availability per channel, time with unread messages.

Pure: :func:`collect_metrics` folds the :class:`~deskstate.replay.ReplayStep` s of a replay, and
reads what each record changed from :func:`~deskstate.facts.diff_touched` between the desk before
and after it. It keeps the latest snapshot and a few running values per desk, and one small record
per conversation; no earlier snapshot, event or message of its own. The latest snapshot keeps
every closed conversation with its messages (SPEC §4), so memory grows with the conversations and
their messages: about 8.5 KiB per conversation of the generated logs (``bench_report.py``).

Time, in short (the README's "Metrics" section has every definition):

- a change happens at its event's ``ts`` (the envelope's), or at an unknown time when it has none;
- an interval is known when both its ends have a time and no record of the desk between them
  (after its start, up to its end) went back in time, i.e. carried a ``ts`` earlier than the
  one before it on that desk; then it is never negative;
- a duration summed over intervals is ``None`` as soon as one of them is unknown: unknown is
  ``None``, never a wrong number;
- intervals still running after the last record end at the desk's last timestamp,
  :attr:`DeskMetrics.ended_at`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Final, NamedTuple, TypeAlias

import attrs
from pyrsistent import PMap, pmap

from deskstate import _metrics_form
from deskstate.events import ConversationAdded, Event
from deskstate.facts import (
    AvailabilityChanged,
    ConversationClosed,
    ConversationOpened,
    ConversationReopened,
    Fact,
    FocusMoved,
    MessageAppended,
    UnreadChanged,
    diff_touched,
)
from deskstate.query import conversation
from deskstate.records import DEFAULT_ORIGINS
from deskstate.replay import ReplayStep, replay_steps
from deskstate.state import DeskState
from deskstate.tables import (
    AnomalyRow,
    AvailabilityInterval,
    ConversationRow,
    FocusInterval,
    MessageRow,
    OpenInterval,
    Row,
)
from deskstate.timestamps import format_timestamp

__all__ = [
    "ConversationMetrics",
    "DeskMetrics",
    "collect_metrics",
    "desk_metrics",
    "metric_rows",
]

_ZERO: Final = timedelta(0)
_NO_COUNTS: Final[PMap[str, int]] = pmap()


def _seconds(duration: timedelta | None) -> float | None:
    return None if duration is None else duration.total_seconds()


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)


def _frozen_map(mapping: Mapping[str, object]) -> PMap[str, object]:
    return mapping if isinstance(mapping, PMap) else pmap(mapping)


@attrs.frozen
class ConversationMetrics:
    """What one conversation of a desk went through.

    ``time_open`` sums its open intervals (from each opening to its removal; a reopened or
    transferred-back conversation has several); ``time_focused`` sums the intervals it held the
    focus. ``answered`` tells whether a ``Professional`` message came after its first ``Visitor``
    message, and ``first_response`` is the time between the two (``None`` when not answered, or
    when either time is unknown). ``messages`` counts the messages kept per participant type;
    ``unread_peak`` is the highest ``unread`` it reached; ``implicit`` is True when it was first
    opened by another event than ``CONVERSATION_ADDED``; ``reopened`` counts its reopenings;
    ``still_open`` tells whether it was open after the last record. Durations are ``None`` when
    unknown (see the module docstring).
    """

    conversation_id: str
    time_open: timedelta | None = _ZERO
    time_focused: timedelta | None = _ZERO
    answered: bool = False
    first_response: timedelta | None = None
    messages: PMap[str, int] = attrs.field(default=_NO_COUNTS, converter=_frozen_map)
    unread_peak: int = 0
    implicit: bool = False
    reopened: int = 0
    still_open: bool = False

    def to_dict(self, *, lossless: bool = False) -> dict[str, object]:
        """A JSON-safe form: durations in seconds (``None``: unknown), tallies sorted by name.

        ``lossless`` writes durations in whole microseconds instead, which read back exactly
        whatever their length (seconds do below about 142 years; see :meth:`from_dict`).
        """
        duration = _metrics_form.microseconds if lossless else _seconds
        return {
            "conversation_id": self.conversation_id,
            "time_open": duration(self.time_open),
            "time_focused": duration(self.time_focused),
            "answered": self.answered,
            "first_response": duration(self.first_response),
            "messages": dict(sorted(self.messages.items())),
            "unread_peak": self.unread_peak,
            "implicit": self.implicit,
            "reopened": self.reopened,
            "still_open": self.still_open,
        }

    @classmethod
    def from_dict(
        cls, data: object, *, lossless: bool = False, path: str = ""
    ) -> ConversationMetrics:
        """The metrics that :meth:`to_dict` (with the same ``lossless``) wrote as ``data``.

        ``from_dict(m.to_dict(lossless=True), lossless=True) == m`` always holds; with durations
        in seconds it holds for every duration below 2**52 microseconds (about 142 years), beyond
        which a float may be a microsecond off. Raises ValueError naming the bad member (``path``
        prefixes its name: ``conversations['c1'].time_open``).
        """
        read = _metrics_form.Members(data, path)
        messages = read.mapping("messages")
        return cls(
            conversation_id=read.string("conversation_id"),
            time_open=read.duration("time_open", lossless),
            time_focused=read.duration("time_focused", lossless),
            answered=read.boolean("answered"),
            first_response=read.duration("first_response", lossless),
            messages={
                participant: _metrics_form.count(tally, f"{read.where('messages')}.{participant}")
                for participant, tally in messages.items()
            },
            unread_peak=read.count("unread_peak"),
            implicit=read.boolean("implicit"),
            reopened=read.count("reopened"),
            still_open=read.boolean("still_open"),
        )


@attrs.frozen
class DeskMetrics:
    """What one desk went through, from its first record to its last.

    ``conversations`` maps each conversation the desk's records touched to its
    :class:`ConversationMetrics`; ``handled`` counts those the desk had open at some point (all of
    them, unless a conversation closed in the initial desk got a message). ``most_open`` is the most
    conversations open at once; ``open_counts`` the open count over time, one ``(time, count)``
    pair each time it changed (``time`` is ``None`` when that record had no ``ts``).
    ``availability_time`` maps each channel to the time spent in each status it reported.
    ``unread_share`` is the share of the desk's observed time (``started_at`` to ``ended_at``)
    during which at least one open conversation had unread messages. ``started_at`` is the first
    timestamp of the desk's records, ``ended_at`` the last (``None`` when none had one).
    """

    conversations: PMap[str, ConversationMetrics] = attrs.field(factory=pmap, converter=_frozen_map)
    handled: int = 0
    most_open: int = 0
    open_counts: tuple[tuple[datetime | None, int], ...] = ()
    availability_time: PMap[str, PMap[str, timedelta | None]] = attrs.field(
        factory=pmap, converter=_frozen_map
    )
    unread_share: float | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None

    def to_dict(self, *, lossless: bool = False) -> dict[str, object]:
        """A JSON-safe form: times in ISO-8601, durations in seconds, maps sorted by key.

        ``lossless`` writes durations in whole microseconds instead (see :meth:`from_dict`).
        """
        duration = _metrics_form.microseconds if lossless else _seconds
        return {
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "handled": self.handled,
            "most_open": self.most_open,
            "open_counts": [[_iso(moment), count] for moment, count in self.open_counts],
            "availability_time": {
                channel: {status: duration(time) for status, time in sorted(statuses.items())}
                for channel, statuses in sorted(self.availability_time.items())
            },
            "unread_share": self.unread_share,
            "conversations": {
                cid: metrics.to_dict(lossless=lossless)
                for cid, metrics in sorted(self.conversations.items())
            },
        }

    @classmethod
    def from_dict(cls, data: object, *, lossless: bool = False) -> DeskMetrics:
        """The metrics that :meth:`to_dict` (with the same ``lossless``) wrote as ``data``.

        The inverse of :meth:`to_dict`: ``from_dict(m.to_dict(lossless=True), lossless=True) == m``
        always, and without ``lossless`` as long as every duration is below 2**52 microseconds
        (about 142 years; see :meth:`ConversationMetrics.from_dict`). Validates everything it reads
        and raises ValueError naming the bad member (``open_counts[3][1]``).
        """
        read = _metrics_form.Members(data, "")
        return cls(
            conversations={
                cid: ConversationMetrics.from_dict(
                    metrics, lossless=lossless, path=f"conversations[{cid!r}]"
                )
                for cid, metrics in read.mapping("conversations").items()
            },
            handled=read.count("handled"),
            most_open=read.count("most_open"),
            open_counts=tuple(
                _metrics_form.open_count(pair, f"open_counts[{number}]")
                for number, pair in enumerate(read.array("open_counts"))
            ),
            availability_time={
                channel: _metrics_form.durations(statuses, f"availability_time.{channel}", lossless)
                for channel, statuses in read.mapping("availability_time").items()
            },
            unread_share=read.share("unread_share"),
            started_at=read.moment("started_at"),
            ended_at=read.moment("ended_at"),
        )


# --- time ----------------------------------------------------------------------------------------


class _Mark(NamedTuple):
    """When a change happened: its time (``None``: unknown) and the desk clock's era then."""

    at: datetime | None
    era: int


def _span(start: _Mark, end: _Mark) -> timedelta | None:
    """The length of the interval from ``start`` to ``end``, or ``None`` when it is unknown."""
    if start.at is None or end.at is None or start.era != end.era:
        return None
    return end.at - start.at


def _added(total: timedelta | None, span: timedelta | None) -> timedelta | None:
    return None if total is None or span is None else total + span


@attrs.define
class _Clock:
    """One desk's clock: its first and last timestamps, and its era.

    The era goes up each time a record carries a timestamp earlier than the last one seen on the
    desk, so that an interval whose ends are in two eras (it spans a jump back in time) is unknown.
    """

    started_at: datetime | None = None
    last: datetime | None = None
    era: int = 0

    def tick(self, ts: datetime | None) -> _Mark:
        if ts is not None:
            if self.last is None:
                self.started_at = ts
            elif ts < self.last:
                self.era += 1
            self.last = ts
        return _Mark(ts, self.era)

    def end(self) -> _Mark:
        return _Mark(self.last, self.era)


# --- folding one desk ----------------------------------------------------------------------------

#: Where the fold sends each row as it is known (see :func:`metric_rows`).
_Emit: TypeAlias = Callable[[Row], None]


@attrs.define
class _Conversation:
    """The running metrics of one conversation."""

    cid: str
    open_since: _Mark | None = None
    first_opened: _Mark | None = None
    last_closed: _Mark | None = None
    time_open: timedelta | None = _ZERO
    focused_since: _Mark | None = None
    time_focused: timedelta | None = _ZERO
    first_visitor: _Mark | None = None
    answered: bool = False
    first_response: timedelta | None = None
    messages: Counter[str] = attrs.Factory(Counter)
    unread_peak: int = 0
    implicit: bool = False
    reopened: int = 0

    def open(self, at: _Mark) -> None:
        self.open_since = at
        if self.first_opened is None:
            self.first_opened = at

    def close(self, at: _Mark) -> _Mark | None:
        """End its open interval at ``at``; return when that interval began (``None``: not open)."""
        start = self.open_since
        if start is not None:
            self.time_open = _added(self.time_open, _span(start, at))
            self.open_since = None
            self.last_closed = at
        return start

    def unfocus(self, at: _Mark) -> _Mark | None:
        """End its focus interval at ``at``; return when it began (``None``: not focused)."""
        start = self.focused_since
        if start is not None:
            self.time_focused = _added(self.time_focused, _span(start, at))
            self.focused_since = None
        return start

    def message(self, participant: str, at: _Mark) -> None:
        self.messages[participant] += 1
        if participant == "Visitor" and self.first_visitor is None:
            self.first_visitor = at
        elif participant == "Professional" and self.first_visitor is not None and not self.answered:
            self.answered = True
            self.first_response = _span(self.first_visitor, at)

    def freeze(self, still_open: bool) -> ConversationMetrics:
        """The metrics, once its running intervals are ended."""
        return ConversationMetrics(
            conversation_id=self.cid,
            time_open=self.time_open,
            time_focused=self.time_focused,
            answered=self.answered,
            first_response=self.first_response,
            messages=pmap(self.messages),
            unread_peak=self.unread_peak,
            implicit=self.implicit,
            reopened=self.reopened,
            still_open=still_open,
        )


@attrs.define
class _Desk:
    """The running metrics of one desk, and its latest snapshot.

    With ``emit``, each interval is sent as a row when it ends, and each kept message when it is
    appended (:mod:`deskstate.tables`).
    """

    key: str | None
    state: DeskState
    emit: _Emit | None = None
    clock: _Clock = attrs.Factory(_Clock)
    conversations: dict[str, _Conversation] = attrs.Factory(dict)
    most_open: int = 0
    open_counts: list[tuple[datetime | None, int]] = attrs.Factory(list)
    #: channel -> (status, since when)
    statuses: dict[str, tuple[str, _Mark]] = attrs.Factory(dict)
    availability_time: dict[str, dict[str, timedelta | None]] = attrs.Factory(dict)
    unread_since: _Mark | None = None
    unread_time: timedelta | None = _ZERO

    @classmethod
    def starting(cls, key: str | None, state: DeskState, emit: _Emit | None) -> _Desk:
        """A desk that starts from ``state``, where everything began at an unknown time."""
        desk = cls(key, state, emit, most_open=len(state.conversations))
        before = _Mark(None, 0)
        for cid, opened in state.conversations.items():
            tally = desk._conversation(cid)
            tally.open(before)
            tally.unread_peak = opened.unread
        if state.focused_id is not None:
            desk._conversation(state.focused_id).focused_since = before
        for channel, status in state.availability.items():
            desk.statuses[channel] = (status, before)
        if state.unread_total > 0:
            desk.unread_since = before
        return desk

    def _conversation(self, cid: str) -> _Conversation:
        tally = self.conversations.get(cid)
        if tally is None:
            tally = self.conversations[cid] = _Conversation(cid)
        return tally

    def add(self, step: ReplayStep, event: Event) -> None:
        at = self.clock.tick(event.ts)
        old, state = self.state, step.state
        self.state = state
        touched = getattr(event, "conversation_id", None)
        for fact in diff_touched(old, state, () if touched is None else (touched,)):
            self._apply(fact, event, at, step)
        count = len(state.conversations)
        if count != len(old.conversations):
            self.open_counts.append((at.at, count))
            self.most_open = max(self.most_open, count)
        if (state.unread_total > 0) != (old.unread_total > 0):
            if self.unread_since is None:
                self.unread_since = at
            else:
                self.unread_time = _added(self.unread_time, _span(self.unread_since, at))
                self.unread_since = None

    def _apply(self, fact: Fact, event: Event, at: _Mark, step: ReplayStep) -> None:
        if isinstance(fact, ConversationOpened | ConversationReopened):
            tally = self._conversation(fact.conversation_id)
            tally.open(at)
            if isinstance(fact, ConversationReopened):
                tally.reopened += 1
            else:
                tally.implicit = not isinstance(event, ConversationAdded)
        elif isinstance(fact, ConversationClosed):
            self._close(self._conversation(fact.conversation_id), at)
        elif isinstance(fact, MessageAppended):
            self._conversation(fact.conversation_id).message(fact.participant, at)
            if self.emit is not None:
                self.emit(
                    MessageRow(
                        self.key,
                        fact.conversation_id,
                        fact.message_id,
                        fact.participant,
                        at.at,
                        step.index,
                        step.line,
                    )
                )
        elif isinstance(fact, UnreadChanged):
            tally = self._conversation(fact.conversation_id)
            tally.unread_peak = max(tally.unread_peak, fact.new)
        elif isinstance(fact, FocusMoved):
            if fact.old_id is not None:
                self._unfocus(self._conversation(fact.old_id), at)
            if fact.new_id is not None:
                self._conversation(fact.new_id).focused_since = at
        elif isinstance(fact, AvailabilityChanged):
            self._end_status(fact.channel, at)
            if fact.new is not None:
                self.statuses[fact.channel] = (fact.new, at)

    def _close(self, tally: _Conversation, at: _Mark, running: bool = False) -> None:
        start = tally.close(at)
        if start is not None and self.emit is not None:
            duration = _span(start, at)
            self.emit(OpenInterval(self.key, tally.cid, start.at, at.at, duration, running))

    def _unfocus(self, tally: _Conversation, at: _Mark, running: bool = False) -> None:
        start = tally.unfocus(at)
        if start is not None and self.emit is not None:
            duration = _span(start, at)
            self.emit(FocusInterval(self.key, tally.cid, start.at, at.at, duration, running))

    def _end_status(self, channel: str, at: _Mark, running: bool = False) -> None:
        current = self.statuses.pop(channel, None)
        if current is not None:
            status, since = current
            duration = _span(since, at)
            times = self.availability_time.setdefault(channel, {})
            times[status] = _added(times.get(status, _ZERO), duration)
            if self.emit is not None:
                self.emit(
                    AvailabilityInterval(
                        self.key, channel, status, since.at, at.at, duration, running
                    )
                )

    def freeze(self) -> DeskMetrics:
        """The metrics, once every running interval is ended at the desk's end (call it once)."""
        end = self.clock.end()
        for channel in list(self.statuses):
            self._end_status(channel, end, running=True)
        unread_time = self.unread_time
        if self.unread_since is not None:
            unread_time = _added(unread_time, _span(self.unread_since, end))
        observed = _span(_Mark(self.clock.started_at, 0), end)
        unread_share = None
        if unread_time is not None and observed:
            unread_share = unread_time / observed
        conversations = {}
        for cid, tally in self.conversations.items():
            still_open = tally.open_since is not None
            self._unfocus(tally, end, running=True)
            self._close(tally, end, running=True)
            conversations[cid] = tally.freeze(still_open)
        return DeskMetrics(
            conversations=pmap(conversations),
            handled=sum(tally.first_opened is not None for tally in self.conversations.values()),
            most_open=self.most_open,
            open_counts=tuple(self.open_counts),
            availability_time=pmap(
                {channel: pmap(times) for channel, times in self.availability_time.items()}
            ),
            unread_share=unread_share,
            started_at=self.clock.started_at,
            ended_at=self.clock.last,
        )

    def conversation_rows(self, metrics: DeskMetrics) -> Iterator[ConversationRow]:
        """The rows of the conversations table, once :meth:`freeze` gave ``metrics``."""
        for cid, tally in self.conversations.items():
            measured = metrics.conversations[cid]
            known = conversation(self.state, cid)
            counts = measured.messages
            other = sum(n for kind, n in counts.items() if kind not in _TABLED_PARTICIPANTS)
            yield ConversationRow(
                self.key,
                cid,
                None if known is None else known.project_id,
                None if tally.first_opened is None else tally.first_opened.at,
                None if tally.last_closed is None or measured.still_open else tally.last_closed.at,
                measured.time_open,
                measured.time_focused,
                measured.answered,
                measured.first_response,
                counts.get("Visitor", 0),
                counts.get("Professional", 0),
                counts.get("Expert", 0),
                other,
                measured.unread_peak,
                measured.implicit,
                measured.reopened,
                measured.still_open,
            )


_TABLED_PARTICIPANTS: Final = frozenset({"Visitor", "Professional", "Expert"})


# --- the public face -----------------------------------------------------------------------------


def _fold(
    steps: Iterable[ReplayStep],
    initial: DeskState | None,
    desks: dict[str | None, _Desk],
    emit: _Emit | None,
) -> Iterator[None]:
    """Fold ``steps`` into ``desks``, desk by desk, yielding after each step."""
    start = initial if initial is not None else DeskState()
    for step in steps:
        desk = desks.get(step.desk)
        if desk is None:
            desk = desks[step.desk] = _Desk.starting(step.desk, start, emit)
        if emit is not None:
            for anomaly in step.anomalies:
                emit(AnomalyRow.of(step.desk, anomaly))
        if step.event is not None:
            desk.add(step, step.event)
        yield


def collect_metrics(
    steps: Iterable[ReplayStep], *, initial: DeskState | None = None
) -> dict[str | None, DeskMetrics]:
    """The metrics of each desk of a replay (see :func:`~deskstate.replay.replay_steps`).

    ``initial`` is the snapshot the replay started each desk from (the empty desk by default):
    give the same as to ``replay_steps``. What is open, focused or reported in it started at an
    unknown time, so its durations are unknown. Records not applied (reported as anomalies) change
    nothing and are not counted.
    """
    desks: dict[str | None, _Desk] = {}
    for _ in _fold(steps, initial, desks, None):
        pass
    return {key: desk.freeze() for key, desk in desks.items()}


def metric_rows(
    steps: Iterable[ReplayStep],
    *,
    initial: DeskState | None = None,
    metrics: dict[str | None, DeskMetrics] | None = None,
) -> Iterator[Row]:
    """The rows of the tables of :mod:`deskstate.tables`, streamed as the replay goes.

    Messages and anomalies come as their records are folded, intervals as they end; after the
    last step, the intervals still running (``running=True``), then one
    :class:`~deskstate.tables.ConversationRow` per conversation, desk after desk. The figures are
    those of :func:`collect_metrics` over the same steps (``initial`` as there): the durations of
    a conversation's intervals add up to its ``time_open`` and ``time_focused``, and a channel's
    to its ``availability_time``. Give a dict as ``metrics`` to have it filled with what
    :func:`collect_metrics` would return, once the last row is read: one pass gives both.
    """
    pending: list[Row] = []
    desks: dict[str | None, _Desk] = {}
    for _ in _fold(steps, initial, desks, pending.append):
        yield from pending
        pending.clear()
    for key, desk in desks.items():
        measured = desk.freeze()
        if metrics is not None:
            metrics[key] = measured
        yield from pending
        pending.clear()
        yield from desk.conversation_rows(measured)


def desk_metrics(
    records: Iterable[object],
    *,
    initial: DeskState | None = None,
    strict: bool = False,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
    by_desk: bool = True,
) -> dict[str | None, DeskMetrics]:
    """Replay ``records`` and return the metrics of each desk (options as for ``replay_steps``)."""
    steps = replay_steps(
        records,
        initial=initial,
        strict=strict,
        allowed_origins=allowed_origins,
        by_desk=by_desk,
    )
    return collect_metrics(steps, initial=initial)
