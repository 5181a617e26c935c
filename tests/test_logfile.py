"""Reading log files: JSON Lines or JSON arrays, plain or gzip, reporting what cannot be read."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sys
import tracemalloc
import types
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

import pytest
from helpers import added, focused
from hypothesis import given
from hypothesis import strategies as st

from deskstate import LogLine, UnreadableLog, read_log, replay

MIB = 1024 * 1024


def lines_of(data: bytes, **options: Any) -> list[LogLine]:
    return list(read_log(io.BytesIO(data), **options))


def read(data: bytes, **options: Any) -> list[tuple[int, object, str | None]]:
    """``(line, value, error)`` of each record read from ``data``."""
    return [(r.line, r.value, r.error) for r in lines_of(data, **options)]


class Pieces(io.RawIOBase):
    """A binary stream whose bytes come from an iterator of pieces, never all in memory at once.

    Each read returns at most ``most`` bytes, as a slow pipe would.
    """

    def __init__(self, pieces: Iterator[bytes], most: int = 64 * 1024) -> None:
        super().__init__()
        self._pieces = pieces
        self._rest = b""
        self._most = most

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._rest:
            self._rest = next(self._pieces, b"")
        size = min(len(buffer), len(self._rest), self._most)
        buffer[:size] = self._rest[:size]
        self._rest = self._rest[size:]
        return size


def trickle(data: bytes, most: int) -> IO[bytes]:
    """``data`` as a stream handing out at most ``most`` bytes a read."""
    return cast(IO[bytes], Pieces(iter([data]), most))


def stdin_of(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    """Make ``data`` the process's standard input, as ``read_log("-")`` sees it."""
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))


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


def test_a_line_one_byte_over_the_limit_is_reported() -> None:
    """A line of max_line_bytes + 1 bytes (without its end) is too long, followed by LF or not."""
    line = b'{"x": "' + b"a" * 92 + b'"}'
    assert len(line) == 101
    for ending in (b"\n", b"\r\n"):
        assert read(line + ending + b'{"n": 2}\n', max_line_bytes=100) == [
            (1, None, "line is longer than 100 bytes"),
            (2, {"n": 2}, None),
        ], ending
    assert read(line, max_line_bytes=100) == [(1, None, "line is longer than 100 bytes")]


def test_a_truncated_last_line_is_reported_and_is_not_fatal() -> None:
    """A log cut while being written ends in half a record: it is reported at its line."""
    assert read(b'{"n": 1}\n{"n": 2, "na') == [
        (1, {"n": 1}, None),
        (2, None, "line is not JSON (Unterminated string starting at column 10)"),
    ]


# JSON arrays

ONE_PER_LINE = b'[\n{"n": 1},\n{"n": 2, "tags": ["a"]},\n{"n": 3}\n]\n'
PRETTY = (
    b"[\n"  # 1
    b"  {\n"  # 2: the first element starts here
    b'    "n": 1\n'
    b"  },\n"
    b"  {\n"  # 5: the second
    b'    "n": 2,\n'
    b'    "tags": [\n'
    b'      "a"\n'
    b"    ]\n"
    b"  },\n"
    b"  {\n"  # 11: the third
    b'    "n": 3\n'
    b"  }\n"
    b"]\n"
)
ONE_LINE = b'[{"n": 1}, {"n": 2, "tags": ["a"]}, {"n": 3}]'
THREE = [{"n": 1}, {"n": 2, "tags": ["a"]}, {"n": 3}]


@pytest.mark.parametrize(
    ("data", "lines"),
    [(ONE_PER_LINE, [2, 3, 4]), (PRETTY, [2, 5, 11]), (ONE_LINE, [1, 1, 1])],
    ids=["one-per-line", "pretty-printed", "one-line"],
)
def test_a_json_array_yields_each_element_at_the_line_it_starts_on(
    data: bytes, lines: list[int]
) -> None:
    """Each element of a JSON array is one record, at the physical line where it starts."""
    assert read(data) == [(line, value, None) for line, value in zip(lines, THREE, strict=True)]


def test_an_array_is_told_by_its_first_character_after_a_bom_and_blank_lines() -> None:
    """Blank lines and a BOM may come before the '['; line numbers count those blank lines."""
    data = b'\xef\xbb\xbf\n \t\r\n  [{"n": 1},\r\n{"n": 2}]\r\n'
    assert read(data) == [(3, {"n": 1}, None), (4, {"n": 2}, None)]


@pytest.mark.parametrize("data", [b"[]", b"[ \n ]", b"\n[\n]\n\n"])
def test_an_empty_array_yields_no_records(data: bytes) -> None:
    """An empty JSON array is an empty log, not an error."""
    assert read(data) == []


def test_elements_that_are_not_objects_are_yielded_as_values() -> None:
    """read_log does not judge records: a number or a string is yielded (replay reports it)."""
    assert read(b'[1, "two", null, [3]]') == [
        (1, 1, None),
        (1, "two", None),
        (1, None, None),
        (1, [3], None),
    ]


UNCLOSED = (
    "the JSON array is not closed: the log ends without ']' "
    "(it may have been cut while being written)"
)
EXTRA_COMMA = "element is missing: found ',' where a record should start; remove the extra comma"
TRAILING_COMMA = "element is missing: found ']' right after a comma; remove the trailing comma"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            b'[\n{"n": 1},\n{"n": nope},\n{"n": 3}\n]',
            [
                (2, {"n": 1}, None),
                (3, None, "element is not JSON (Expecting value at line 3 column 7)"),
                (4, {"n": 3}, None),
            ],
            id="not-json",
        ),
        pytest.param(
            b'[{"n": 1}, {"n": nope}]',
            [
                (1, {"n": 1}, None),
                (1, None, "element is not JSON (Expecting value at line 1 column 18)"),
            ],
            id="not-json-on-one-line",
        ),
        pytest.param(
            b'[{"n": 1} {"n": 2}, {"n": 3}]',
            [
                (1, None, "element is not JSON (Extra data at line 1 column 11)"),
                (1, {"n": 3}, None),
            ],
            id="missing-comma",
        ),
        pytest.param(
            b'[{"n": 1},\n{"name": "\xff"},\n{"n": 3}]',
            [
                (1, {"n": 1}, None),
                (
                    2,
                    None,
                    "element is not valid UTF-8 (invalid start byte at byte 10 of the element)",
                ),
                (3, {"n": 3}, None),
            ],
            id="not-utf-8",
        ),
        pytest.param(
            b'[{"n": 1},\n' + b"[" * 100_000 + b"]" * 100_000 + b',\n{"n": 3}]',
            [
                (1, {"n": 1}, None),
                (2, None, "element is nested too deeply to read"),
                (3, {"n": 3}, None),
            ],
            id="too-deep",
        ),
        pytest.param(
            b'[\n{"n": 1},\n{"n": 2, "na',
            [
                (2, {"n": 1}, None),
                (
                    3,
                    None,
                    "the log ends inside this element (it may have been cut while being written): "
                    "element is not JSON (Unterminated string starting at line 3 column 10)",
                ),
            ],
            id="cut-inside-an-element",
        ),
        pytest.param(
            b'[\n{"n": 1},\n{"n": 2}\n\n',
            [(2, {"n": 1}, None), (3, {"n": 2}, None), (3, None, UNCLOSED)],
            id="not-closed",
        ),
        pytest.param(
            b'[\n{"n": 1},\n', [(2, {"n": 1}, None), (2, None, UNCLOSED)], id="cut-after-a-comma"
        ),
        pytest.param(b"[\n", [(1, None, UNCLOSED)], id="only-an-opening-bracket"),
        pytest.param(
            b'[{"n": 1}]\n\n{"n": 2}\n',
            [
                (1, {"n": 1}, None),
                (
                    3,
                    None,
                    "found data after the ']' that closes the JSON array on line 1: "
                    "it is not read (a log holds one array, or one record per line)",
                ),
            ],
            id="data-after-the-array",
        ),
        pytest.param(
            b'[{"n": 1},,\n{"n": 2},\n]',
            [
                (1, {"n": 1}, None),
                (1, None, EXTRA_COMMA),
                (2, {"n": 2}, None),
                (3, None, TRAILING_COMMA),
            ],
            id="missing-elements",
        ),
    ],
)
def test_an_array_element_that_cannot_be_read_is_reported_at_its_line(
    data: bytes, expected: list[tuple[int, object, str | None]]
) -> None:
    """Each fault of an array is reported at its line, with its reason; reading goes on."""
    assert read(data) == expected
    # The same, however the log is cut into reads: chunk boundaries change nothing.
    assert [(r.line, r.value, r.error) for r in read_log(trickle(data, 3))] == expected


def test_an_element_over_the_limit_is_reported_and_the_next_is_read() -> None:
    """An element longer than max_line_bytes is reported at its line; the next one is read."""
    data = b'[{"n": 1},\n{"x": "' + b"a" * 200 + b'"},\n{"n": 3}]'
    expected = [
        (1, {"n": 1}, None),
        (2, None, "element is longer than 50 bytes"),
        (3, {"n": 3}, None),
    ]
    assert read(data, max_line_bytes=50) == expected
    assert [(r.line, r.value, r.error) for r in read_log(trickle(data, 7), max_line_bytes=50)] == (
        expected
    )


def test_an_element_exactly_at_the_limit_is_read_and_one_byte_more_is_not() -> None:
    """An element's length runs from its first character to the ',' or ']' after it."""
    element = b'{"x": "' + b"a" * 91 + b'"}'
    assert len(element) == 100
    assert read(b"[" + element + b"]", max_line_bytes=100) == [(1, {"x": "a" * 91}, None)]
    assert read(b"[" + element + b" ]", max_line_bytes=100) == [
        (1, None, "element is longer than 100 bytes")
    ]


def test_replay_reports_invalid_array_elements_with_their_index_and_line(tmp_path: Path) -> None:
    """Replay of an array turns each unreadable or non-object element into an invalid-event."""
    log = tmp_path / "desk.json"
    log.write_text(
        "[\n"
        + json.dumps(added("c1"))
        + ',\n"oops",\n{"event": nope},\n'
        + json.dumps(focused("c1"))
        + "\n]\n"
    )
    result = replay(read_log(log))
    assert result.count == 4
    assert [(a.index, a.line, a.kind) for a in result.anomalies] == [
        (1, 3, "invalid-event"),
        (2, 4, "invalid-event"),
    ]
    assert result.anomalies[0].message == "a record must be a JSON object, got 'oops'"
    assert result.anomalies[1].message == (
        "element is not JSON (Expecting value at line 4 column 11)"
    )
    assert result.state.focused_id == "c1"


# Compression, standard input, damage


@pytest.mark.parametrize(
    ("name", "data", "packed"),
    [
        ("desk.jsonl.gz", b'{"n": 1}\n{"n": 2}\n', True),
        ("desk.json.gz", b'[{"n": 1},\n{"n": 2}]', True),
        ("desk.log", b'{"n": 1}\n{"n": 2}\n', True),  # gzip without .gz in its name
        ("desk.jsonl.gz", b'{"n": 1}\n{"n": 2}\n', False),  # plain, named .gz all the same
    ],
    ids=["gzip-jsonl", "gzip-array", "gzip-without-gz-name", "plain-with-gz-name"],
)
def test_compression_is_told_by_content_not_by_name(
    tmp_path: Path, name: str, data: bytes, packed: bool
) -> None:
    """A gzip log is decompressed whatever its name; a plain one is read as is whatever its name."""
    log = tmp_path / name
    log.write_bytes(gzip.compress(data) if packed else data)
    expected = [{"n": 1}, {"n": 2}]
    assert [r.value for r in read_log(log)] == expected
    assert [r.value for r in read_log(io.BytesIO(log.read_bytes()))] == expected


JSONL_LOG = b'{"n": 1}\n\n{"n": 2}\n'
ARRAY_LOG = b'[\n{"n": 1},\n\n{"n": 2}\n]\n'


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (JSONL_LOG, [1, 3]),
        (ARRAY_LOG, [2, 4]),
        (gzip.compress(JSONL_LOG), [1, 3]),
        (gzip.compress(ARRAY_LOG), [2, 4]),
    ],
    ids=["jsonl", "array", "gzip-jsonl", "gzip-array"],
)
def test_dash_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, data: bytes, lines: list[int]
) -> None:
    """'-' reads standard input, in either format, compressed or not, as the source <stdin>."""
    stdin_of(monkeypatch, data)
    assert [(r.line, r.value, r.source) for r in read_log("-")] == [
        (lines[0], {"n": 1}, "<stdin>"),
        (lines[1], {"n": 2}, "<stdin>"),
    ]


def damaged_gzip() -> bytes:
    """A gzip log of 5000 records cut in the middle of its compressed stream."""
    payload = "".join(json.dumps({"n": i}) + "\n" for i in range(5000)).encode()
    packed = gzip.compress(payload)
    return packed[: len(packed) // 2]


@pytest.mark.parametrize("given", ["path", "file object", "stdin"])
def test_damaged_gzip_from_any_source_raises_after_the_records_before_the_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    """A path, a file object or stdin: the records before the damage, then UnreadableLog."""
    log = tmp_path / "desk.log"
    log.write_bytes(damaged_gzip())
    source: str | Path | IO[bytes] = log
    name = str(log)
    if given == "file object":
        source, name = io.BytesIO(log.read_bytes()), "<stream>"
    elif given == "stdin":
        stdin_of(monkeypatch, log.read_bytes())
        source, name = "-", "<stdin>"
    seen: list[LogLine] = []
    with pytest.raises(UnreadableLog) as raised:
        seen.extend(read_log(source))
    assert len(seen) > 100
    assert [r.value for r in seen] == [{"n": i} for i in range(len(seen))]
    assert str(raised.value).startswith(f"{name}: damaged compression after line {seen[-1].line}:")


def test_gzip_damaged_at_its_start_raises_before_any_record() -> None:
    """A log with the gzip magic bytes but no gzip stream after them is unreadable at once."""
    with pytest.raises(UnreadableLog, match=r"^<stream>: damaged compression before its first"):
        list(read_log(io.BytesIO(b"\x1f\x8b this is not gzip")))


# Progress


def progress_of(source: Path) -> tuple[int, list[int]]:
    """Read ``source`` through, returning the records read and the calls of its progress hook."""
    calls: list[int] = []
    count = sum(1 for _ in read_log(source, progress=calls.append))
    return count, calls


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_progress_reports_growing_byte_counts_ending_at_the_file_size(
    tmp_path: Path, packed: bool
) -> None:
    """The progress hook sees the bytes of the file read so far, never less, last the whole."""
    payload = "".join(  # digests, so that even compressed the file spans many 256 KiB
        json.dumps({"n": i, "digest": hashlib.sha256(b"%d" % i).hexdigest()}) + "\n"
        for i in range(30_000)
    ).encode()
    log = tmp_path / "desk.jsonl"
    log.write_bytes(gzip.compress(payload) if packed else payload)
    count, calls = progress_of(log)
    assert count == 30_000
    assert calls == sorted(calls)
    assert calls[-1] == log.stat().st_size
    assert log.stat().st_size > 4 * 256 * 1024
    assert len(calls) >= 4  # about every 256 KiB of the file


# Memory


def huge(head: bytes, filler: bytes, tail: bytes, size: int) -> Iterator[bytes]:
    """``head``, then ``size`` bytes of ``filler`` repeated, then ``tail``: made piece by piece."""
    yield head
    piece = filler * (64 * 1024 // len(filler))
    for _ in range(size // len(piece)):
        yield piece
    yield tail


@pytest.mark.parametrize(
    ("head", "tail", "expected"),
    [
        (
            b'[{"x": "',
            b'"},\n{"n": 2}]',
            [(1, None, f"element is longer than {MIB} bytes"), (2, {"n": 2}, None)],
        ),
        (
            b'{"x": "',
            b'"}\n{"n": 2}\n',
            [(1, None, f"line is longer than {MIB} bytes"), (2, {"n": 2}, None)],
        ),
    ],
    ids=["array-element", "jsonl-line"],
)
def test_a_huge_record_is_skipped_without_being_held_in_memory(
    head: bytes, tail: bytes, expected: list[tuple[int, object, str | None]]
) -> None:
    """A 50 MB record is reported as too long while memory stays far below its size."""
    stream = cast(IO[bytes], Pieces(huge(head, b"abcd", tail, 50 * MIB)))
    tracemalloc.start()
    try:
        records = [(r.line, r.value, r.error) for r in read_log(stream)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert records == expected
    assert peak < 8 * MIB


# Properties

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=10,
)
json_objects = st.dictionaries(st.text(max_size=10), json_values, max_size=5)
spaces = st.sampled_from(["", " ", "\n", "\t", "\r\n", "\n\n  ", " \n "])


@given(records=st.lists(json_objects, max_size=12), data=st.data())
def test_a_json_array_reads_back_its_elements_at_the_lines_they_start_on(
    records: list[dict[str, Any]], data: st.DataObject
) -> None:
    """Any JSON objects, however laid out in an array and however cut into reads, read back."""
    text = data.draw(spaces) + "["
    lines = []
    for i, record in enumerate(records):
        text += data.draw(spaces) + ("," if i else "") + data.draw(spaces)
        lines.append(text.count("\n") + 1)
        indent = data.draw(st.sampled_from([None, 1]))
        text += json.dumps(record, indent=indent, ensure_ascii=data.draw(st.booleans()))
    text += data.draw(spaces) + "]" + data.draw(spaces)
    stream = trickle(text.encode(), data.draw(st.integers(1, 100)))
    assert [(r.line, r.value, r.error) for r in read_log(stream)] == [
        (line, record, None) for line, record in zip(lines, records, strict=True)
    ]


@given(records=st.lists(json_objects, max_size=12), data=st.data())
def test_json_lines_read_back_the_same_records_as_the_array(
    records: list[dict[str, Any]], data: st.DataObject
) -> None:
    """The same objects as JSON Lines, with blank lines and CRLF here and there, read back."""
    text = ""
    lines = []
    for record in records:
        text += data.draw(st.sampled_from(["", "\n", " \n", "\r\n\n"]))
        lines.append(text.count("\n") + 1)
        text += json.dumps(record, ensure_ascii=data.draw(st.booleans()))
        text += data.draw(st.sampled_from(["\n", "\r\n"]))
    stream = trickle(text.encode(), data.draw(st.integers(1, 100)))
    assert [(r.line, r.value, r.error) for r in read_log(stream)] == [
        (line, record, None) for line, record in zip(lines, records, strict=True)
    ]


# Arguments


def test_a_text_file_or_a_bad_limit_is_refused_at_the_call(tmp_path: Path) -> None:
    """read_log wants a binary file and a positive limit, and says so before reading anything."""
    log = tmp_path / "desk.jsonl"
    log.write_text('{"n": 1}\n')
    with log.open(encoding="utf-8") as text, pytest.raises(TypeError, match="mode 'rb'"):
        read_log(cast(IO[bytes], text))
    with pytest.raises(ValueError, match="max_line_bytes must be at least 1, got 0"):
        read_log(log, max_line_bytes=0)
