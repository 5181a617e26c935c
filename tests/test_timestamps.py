"""Tests for ``deskstate.timestamps``: the envelope timestamps of SPEC §2."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskstate import InvalidEvent
from deskstate.timestamps import format_timestamp, parse_timestamp

#: 2026-11-24T09:30:00.125Z, the instant of SPEC §2's example envelope.
SPEC_INSTANT = datetime(2026, 11, 24, 9, 30, 0, 125000, tzinfo=UTC)


def _is_utc(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-24T09:30:00.125Z",
        "2026-11-24T09:30:00.125+00:00",
        "2026-11-24T11:30:00.125+02:00",
        "2026-11-24T04:00:00.125-05:30",
        "2026-11-25T00:30:00.125+15:00",
        "2026-11-24T10:30:00.125000+01:00",
    ],
)
def test_iso_timestamps_with_z_or_an_offset_give_the_same_utc_instant(text: str) -> None:
    """An ISO-8601 string with ``Z`` or an offset gives an aware UTC datetime of that instant."""
    moment = parse_timestamp(text)
    assert moment == SPEC_INSTANT
    assert _is_utc(moment)


def test_iso_timestamps_keep_millisecond_precision() -> None:
    """The milliseconds of an ISO timestamp are kept, not rounded away."""
    moment = parse_timestamp("2026-11-24T09:30:00.999Z")
    assert moment.microsecond == 999000
    assert moment.second == 0


def test_iso_timestamps_keep_the_wall_clock_in_utc() -> None:
    """An offset timestamp reads back as the UTC wall clock: 11:30+02:00 is 09:30 UTC."""
    moment = parse_timestamp("2026-11-24T11:30:00+02:00")
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute) == (
        2026,
        11,
        24,
        9,
        30,
    )
    assert _is_utc(moment)


@pytest.mark.parametrize(
    ("millis", "expected"),
    [
        (1764000000125, datetime(2025, 11, 24, 16, 0, 0, 125000, tzinfo=UTC)),
        (1795512600125, SPEC_INSTANT),
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
        (1, datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=UTC)),
        (-1000, datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_epoch_milliseconds_give_the_exact_instant(millis: int, expected: datetime) -> None:
    """An integer number of milliseconds since the epoch gives that exact UTC instant."""
    moment = parse_timestamp(millis)
    assert moment == expected
    assert moment.microsecond == expected.microsecond
    assert _is_utc(moment)


@pytest.mark.parametrize(
    ("millis", "expected"),
    [
        (1764000000125.0, datetime(2025, 11, 24, 16, 0, 0, 125000, tzinfo=UTC)),
        (1764000000125.5, datetime(2025, 11, 24, 16, 0, 0, 125500, tzinfo=UTC)),
        (0.0, datetime(1970, 1, 1, tzinfo=UTC)),
    ],
)
def test_float_epoch_milliseconds_are_read(millis: float, expected: datetime) -> None:
    """A float number of epoch milliseconds (as JavaScript's ``Date.now()`` may log) is read."""
    moment = parse_timestamp(millis)
    assert moment == expected
    assert _is_utc(moment)


@pytest.mark.parametrize(
    "text",
    ["2026-11-24T09:30:00.125", "2026-11-24T09:30:00", "2026-11-24", "2026-11-24 09:30"],
)
def test_local_times_without_an_offset_are_refused(text: str) -> None:
    """A timestamp with no offset is a local time, ambiguous across desks: InvalidEvent."""
    with pytest.raises(InvalidEvent, match="ts"):
        parse_timestamp(text)


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        None,
        "",
        "yesterday",
        "now",
        "2026-13-01T00:00:00Z",
        "2026-11-31T00:00:00Z",
        "2026-11-24T25:00:00Z",
        "2026-11-24T09:30:00+25:00",
        "1764000000125",
        "Tue, 24 Nov 2026 09:30:00 GMT",
        float("nan"),
        float("inf"),
        float("-inf"),
        [2026, 11, 24],
        {"ts": 0},
        b"2026-11-24T09:30:00Z",
    ],
    ids=repr,
)
def test_values_that_are_not_timestamps_are_refused(value: object) -> None:
    """Booleans, null, garbage strings, non-finite numbers and containers give InvalidEvent."""
    with pytest.raises(InvalidEvent, match="ts"):
        parse_timestamp(value)


@pytest.mark.parametrize(
    "value",
    [
        10**30,
        -(10**30),
        10**400,
        -(10**400),
        1e300,
        -1e300,
        8.64e18,
        "9999-12-31T23:59:59-01:00",
        "0001-01-01T00:00:00+01:00",
        "99999-01-01T00:00:00Z",
    ],
    ids=[
        "1e30-int",
        "-1e30-int",
        "1e400-int",
        "-1e400-int",
        "1e300-float",
        "-1e300-float",
        "8.64e18-float",
        "year-9999-west-of-utc",
        "year-1-east-of-utc",
        "year-99999",
    ],
)
def test_out_of_range_timestamps_raise_invalid_event_not_overflow_error(value: object) -> None:
    """A timestamp outside the datetime range gives InvalidEvent, never OverflowError."""
    with pytest.raises(InvalidEvent):
        parse_timestamp(value)


def test_the_message_names_the_member_it_was_given() -> None:
    """The error message names the member being read, so a caller can point at it."""
    with pytest.raises(InvalidEvent, match="sentAt"):
        parse_timestamp("yesterday", "sentAt")


@pytest.mark.parametrize(
    "moment",
    [
        SPEC_INSTANT,
        datetime(2026, 11, 24, 11, 30, 0, 125000, tzinfo=timezone(timedelta(hours=2))),
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
    ],
)
def test_format_timestamp_round_trips_through_parse_timestamp(moment: datetime) -> None:
    """format_timestamp writes a string that parse_timestamp reads back to the same instant."""
    text = format_timestamp(moment)
    assert isinstance(text, str)
    back = parse_timestamp(text)
    assert back == moment
    assert _is_utc(back)


def test_format_timestamp_writes_utc_with_z() -> None:
    """format_timestamp writes the instant in UTC, ending with ``Z`` (as desks log it)."""
    text = format_timestamp(datetime(2026, 11, 24, 11, 30, tzinfo=timezone(timedelta(hours=2))))
    assert text.endswith("Z")
    assert text.startswith("2026-11-24T09:30:00")


offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@settings(max_examples=200)
@given(
    st.datetimes(
        min_value=datetime(1900, 1, 2),
        max_value=datetime(2200, 12, 30),
        timezones=offsets,
    )
)
def test_any_aware_datetime_round_trips(moment: datetime) -> None:
    """For any aware datetime, ``parse_timestamp(format_timestamp(d)) == d``, in UTC."""
    back = parse_timestamp(format_timestamp(moment))
    assert back == moment
    assert _is_utc(back)


@settings(max_examples=200)
@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(),
        st.datetimes(timezones=offsets).map(datetime.isoformat),
    )
)
def test_parse_timestamp_returns_a_utc_datetime_or_raises_invalid_event(value: object) -> None:
    """For any scalar, parse_timestamp returns an aware UTC datetime or raises InvalidEvent."""
    try:
        moment = parse_timestamp(value)
    except InvalidEvent:
        return
    assert _is_utc(moment)
