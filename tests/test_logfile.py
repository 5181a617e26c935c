"""Reading log files: JSON Lines, plain or gzip, line by line, reporting what cannot be read."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from helpers import added, focused

from deskstate import LogLine, UnreadableLog, read_log, replay


def lines_of(data: bytes, **options: int) -> list[LogLine]:
    return list(read_log(io.BytesIO(data), **options))


def test_each_record_keeps_its_physical_line_counting_blank_lines() -> None:
    """Line numbers are physical lines, 1-based, blank and whitespace-only lines counted."""
    data = b'{"a": 1}\n\n   \n{"b": 2}\n'
    assert [(r.line, r.value) for r in lines_of(data)] == [(1, {"a": 1}), (4, {"b": 2})]


def test_a_byte_order_mark_and_carriage_returns_are_dropped() -> None:
    """A UTF-8 BOM at the start is ignored, and a CR before LF is dropped."""
    data = b'\xef\xbb\xbf{"a": 1}\r\n{"b": "\xc3\xa9"}\r\n'
    assert [r.value for r in lines_of(data)] == [{"a": 1}, {"b": "é"}]


def test_a_last_line_without_newline_is_read() -> None:
    """The last line needs no newline."""
    assert [r.value for r in lines_of(b'{"a": 1}\n{"b": 2}')] == [{"a": 1}, {"b": 2}]


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        (b"\xff\xfe not utf-8", "not valid UTF-8"),
        (b'{"event": ', "not JSON"),  # a truncated line, as when a log is cut while written
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_an_unreadable_line_is_reported_and_the_next_lines_are_read(
    bad_line: bytes, reason: str
) -> None:
    """A line not UTF-8, not JSON or too deep is reported with its reason; reading goes on."""
    records = lines_of(b'{"a": 1}\n' + bad_line + b'\n{"b": 2}\n')
    assert [r.line for r in records] == [1, 2, 3]
    assert records[1].error is not None and reason in records[1].error
    assert records[1].value is None
    assert records[2].value == {"b": 2}


def test_a_line_over_the_limit_is_reported_without_reading_it_whole() -> None:
    """A line longer than max_line_bytes is reported (not parsed); the next line is read."""
    long_line = b'{"x": "' + b"a" * 5000 + b'"}'
    records = lines_of(b'{"a": 1}\n' + long_line + b'\n{"b": 2}\n', max_line_bytes=1000)
    assert records[1].error == "line is longer than 1000 bytes"
    assert (records[2].line, records[2].value) == (3, {"b": 2})


def test_a_line_exactly_at_the_limit_is_read() -> None:
    """A line of exactly max_line_bytes bytes (with or without CR LF) is read."""
    line = b'{"x": "' + b"a" * 91 + b'"}'
    assert len(line) == 100
    for ending in (b"\n", b"\r\n", b""):
        (record,) = lines_of(line + ending, max_line_bytes=100)
        assert record.error is None, ending


def test_replay_reports_unreadable_lines_as_invalid_events_with_their_line(tmp_path: Path) -> None:
    """Replay of a file turns each unreadable line into an invalid-event anomaly at that line."""
    log = tmp_path / "desk.jsonl"
    log.write_text(json.dumps(added("c1")) + "\nnope\n\n" + json.dumps(focused("c1")) + "\n")
    result = replay(read_log(log))
    assert result.count == 3
    ((index, line, kind),) = [(a.index, a.line, a.kind) for a in result.anomalies]
    assert (index, line, kind) == (1, 2, "invalid-event")
    assert result.state.focused_id == "c1"


def test_gzip_logs_are_decompressed(tmp_path: Path) -> None:
    """A path ending in .gz is read through gzip."""
    log = tmp_path / "desk.jsonl.gz"
    log.write_bytes(gzip.compress(b'{"a": 1}\n{"b": 2}\n'))
    assert [r.value for r in read_log(log)] == [{"a": 1}, {"b": 2}]


def test_damaged_gzip_yields_the_records_before_the_damage_then_raises(tmp_path: Path) -> None:
    """A damaged compressed log yields what it can, then raises UnreadableLog naming the file."""
    payload = "".join(json.dumps({"n": i}) + "\n" for i in range(5000)).encode()
    packed = gzip.compress(payload)
    log = tmp_path / "desk.jsonl.gz"
    log.write_bytes(packed[: len(packed) // 2])
    seen: list[LogLine] = []
    with pytest.raises(UnreadableLog) as raised:
        seen.extend(read_log(log))
    assert seen and [r.value for r in seen] == [{"n": i} for i in range(len(seen))]
    assert str(log) in str(raised.value)
    assert f"after line {seen[-1].line}" in str(raised.value)


def test_a_missing_file_raises_unreadable_log(tmp_path: Path) -> None:
    """A log that does not exist raises UnreadableLog (an OSError) naming it."""
    missing = tmp_path / "missing.jsonl"
    with pytest.raises(UnreadableLog, match=r"missing\.jsonl"):
        list(read_log(missing))
    assert issubclass(UnreadableLog, OSError)
