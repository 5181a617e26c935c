"""`ConversationMetrics.from_dict` and `DeskMetrics.from_dict`: the inverse of their `to_dict`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from helpers import envelope
from hypothesis import given
from hypothesis import strategies as st

from deskstate.metrics import ConversationMetrics, DeskMetrics, desk_metrics
from deskstate.testing import chaotic_streams


@st.composite
def timed_logs(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A chaotic session on three desks, with microsecond times, some missing or going back."""
    events = draw(chaotic_streams(max_events=40))
    moment = datetime(2026, 11, 25, 10, tzinfo=UTC)
    records: list[dict[str, Any]] = []
    for event in events:
        moment += timedelta(microseconds=draw(st.sampled_from([0, 1, 250_001, 61_000_007, -5_003])))
        members: dict[str, object] = {"desk": draw(st.sampled_from(["a", "b", "c"]))}
        if draw(st.integers(0, 9)) > 0:
            members["ts"] = moment.isoformat()
        records.append(envelope(event, **members))
    return records


@given(timed_logs())
def test_the_metrics_of_any_log_read_back_equal(records: list[dict[str, Any]]) -> None:
    """Seconds, seconds through JSON text, microseconds: each form reads back to equal metrics."""
    for metrics in desk_metrics(records).values():
        assert DeskMetrics.from_dict(metrics.to_dict()) == metrics
        assert DeskMetrics.from_dict(json.loads(json.dumps(metrics.to_dict()))) == metrics
        assert DeskMetrics.from_dict(metrics.to_dict(lossless=True), lossless=True) == metrics
        for conversation in metrics.conversations.values():
            assert ConversationMetrics.from_dict(conversation.to_dict()) == conversation


def built() -> DeskMetrics:
    """Metrics built by hand, with every member set, unknown times included."""
    start = datetime(2026, 1, 2, 3, 4, 5, 678_901, tzinfo=UTC)
    return DeskMetrics(
        conversations={
            "c1": ConversationMetrics(
                "c1",
                time_open=timedelta(seconds=90, microseconds=7),
                time_focused=None,
                answered=True,
                first_response=timedelta(microseconds=1),
                messages={"Visitor": 2, "Professional": 1},
                unread_peak=3,
                implicit=True,
                reopened=2,
                still_open=True,
            ),
            "c2": ConversationMetrics("c2"),
        },
        handled=2,
        most_open=2,
        open_counts=((start, 1), (None, 2), (start + timedelta(seconds=1), 1)),
        availability_time={"CHAT": {"AVAILABLE": timedelta(minutes=3), "BUSY": None}},
        unread_share=0.25,
        started_at=start,
        ended_at=start + timedelta(hours=2),
    )


def test_hand_built_metrics_read_back_in_both_forms() -> None:
    """Every member, unknown durations and times included, comes back from each form."""
    metrics = built()
    assert DeskMetrics.from_dict(metrics.to_dict()) == metrics
    assert DeskMetrics.from_dict(metrics.to_dict(lossless=True), lossless=True) == metrics
    form = metrics.to_dict(lossless=True)
    assert form["conversations"]["c1"]["time_open"] == 90_000_007  # type: ignore[index]
    assert form["availability_time"] == {"CHAT": {"AVAILABLE": 180_000_000, "BUSY": None}}


def test_microseconds_read_back_exactly_whatever_the_length() -> None:
    """A duration of 300 years and a microsecond: exact in whole microseconds."""
    long = timedelta(days=300 * 365, microseconds=1)
    metrics = ConversationMetrics("c1", time_open=long)
    back = ConversationMetrics.from_dict(metrics.to_dict(lossless=True), lossless=True)
    assert back.time_open == long
    assert metrics.to_dict(lossless=True)["time_open"] == (300 * 365 * 86_400) * 10**6 + 1


def test_seconds_read_back_exactly_up_to_a_century() -> None:
    """Below 2**52 microseconds (about 142 years), float seconds keep every microsecond."""
    for duration in (timedelta(days=100 * 365, microseconds=999_999), timedelta(microseconds=1)):
        metrics = ConversationMetrics("c1", first_response=duration)
        assert ConversationMetrics.from_dict(metrics.to_dict()).first_response == duration


def broken(change: str) -> dict[str, Any]:
    """The dict form of :func:`built`, with one member broken as ``change`` says."""
    form: dict[str, Any] = built().to_dict()
    if change == "no handled":
        del form["handled"]
    elif change == "negative most_open":
        form["most_open"] = -1
    elif change == "text duration":
        form["conversations"]["c1"]["time_open"] = "90"
    elif change == "boolean answered":
        form["conversations"]["c2"]["answered"] = "yes"
    elif change == "bad message count":
        form["conversations"]["c1"]["messages"]["Visitor"] = 1.5
    elif change == "local time":
        form["started_at"] = "2026-01-02T03:04:05"
    elif change == "short pair":
        form["open_counts"][1] = [None]
    elif change == "bad count in pair":
        form["open_counts"][2][1] = True
    elif change == "bad status time":
        form["availability_time"]["CHAT"]["BUSY"] = [1]
    elif change == "share as text":
        form["unread_share"] = "0.25"
    elif change == "conversation as list":
        form["conversations"]["c2"] = []
    return form


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("no handled", "handled is missing"),
        ("negative most_open", "most_open must be a whole number, 0 or more, got -1"),
        ("text duration", "conversations['c1'].time_open must be a duration in seconds"),
        ("boolean answered", "conversations['c2'].answered must be true or false, got 'yes'"),
        ("bad message count", "conversations['c1'].messages.Visitor must be a whole number"),
        ("local time", "started_at must be an ISO-8601 time with an offset or Z"),
        ("short pair", "open_counts[1] must be a [time, count] pair, got [None]"),
        ("bad count in pair", "open_counts[2][1] must be a whole number, 0 or more, got True"),
        ("bad status time", "availability_time.CHAT.BUSY must be a duration in seconds"),
        ("share as text", "unread_share must be a number or null, got '0.25'"),
        ("conversation as list", "conversations['c2'] must be a JSON object, got []"),
    ],
)
def test_a_bad_member_is_named_in_the_error(change: str, words: str) -> None:
    """Each bad member raises ValueError with its path, what was expected and what was found."""
    with pytest.raises(ValueError, match="^" + re.escape(words)):
        DeskMetrics.from_dict(broken(change))


def test_each_form_refuses_the_other() -> None:
    """Seconds are not whole microseconds: the form must be named, never guessed."""
    with pytest.raises(ValueError, match=r"time_open must be a duration in whole microseconds"):
        DeskMetrics.from_dict(built().to_dict(), lossless=True)
    with pytest.raises(ValueError, match=r"^the metrics must be a JSON object, got None"):
        DeskMetrics.from_dict(None)
