"""Following a growing log: FollowedFile, FollowedStream, follow_log and follow_stream.

A consumer thread iterates and puts what it sees in a queue: each record as (line, value, error),
WAIT each time the reader has caught up with the file (``on_wait``), the messages of
``on_reopen``, and END when the iteration is over. The tests synchronise on that queue (bounded
timeouts), never on sleeps.
"""

from __future__ import annotations

import json
import os
import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, cast

import pytest

from deskstate import UnreadableLog, read_log
from deskstate.follow import FollowedFile, follow_log, follow_stream
from deskstate.records import LogLine

TIMEOUT = 10.0
POLL = 0.01
WAIT = "wait"
END = "end"

Seen = queue.Queue[object]


def consume(iterate: Callable[[Callable[[], None], Seen], Iterator[LogLine]]) -> Seen:
    """Run ``iterate(on_wait, seen)`` in a thread, putting what it yields in ``seen``."""
    seen: Seen = queue.Queue()

    def run() -> None:
        try:
            for record in iterate(lambda: seen.put(WAIT), seen):
                seen.put((record.line, record.value, record.error))
        except Exception as error:  # noqa: BLE001 - handed to the test, which checks it
            seen.put(error)
        seen.put(END)

    threading.Thread(target=run, daemon=True).start()
    return seen


def follow(path: Path, stop: threading.Event) -> Seen:
    return consume(
        lambda on_wait, seen: follow_log(
            path, stop, interval=POLL, on_wait=on_wait, on_reopen=seen.put
        )
    )


def take(seen: Seen, count: int = 1) -> list[object]:
    return [seen.get(timeout=TIMEOUT) for _ in range(count)]


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def line(number: int) -> str:
    return json.dumps({"n": number}) + "\n"


def finish(seen: Seen, stop: threading.Event) -> None:
    """Stop, and check that the iteration ends with nothing more than waits before its end."""
    stop.set()
    rest = [seen.get(timeout=TIMEOUT)]
    while rest[-1] != END:
        rest.append(seen.get(timeout=TIMEOUT))
    assert set(rest) <= {WAIT, END}


def test_reads_what_is_there_then_waits_for_more(tmp_path: Path) -> None:
    """The records already in the file come first, in order; then the reader says it waits."""
    log = tmp_path / "desk.jsonl"
    log.write_text(line(1) + line(2), encoding="utf-8")
    stop = threading.Event()
    seen = follow(log, stop)
    assert take(seen, 3) == [(1, {"n": 1}, None), (2, {"n": 2}, None), WAIT]
    stop.set()
    assert take(seen) == [END]


def test_lines_appended_by_a_writer_thread_come_in_order(tmp_path: Path) -> None:
    """A writer appending 200 lines one by one: the reader yields each once, in order."""
    log = tmp_path / "desk.jsonl"
    log.touch()
    stop = threading.Event()
    seen = follow(log, stop)

    def write() -> None:
        for number in range(1, 201):
            append(log, line(number))

    writer = threading.Thread(target=write)
    writer.start()
    records: list[object] = []
    while len(records) < 200:
        item = seen.get(timeout=TIMEOUT)
        if item != WAIT:
            records.append(item)
    writer.join(TIMEOUT)
    assert records == [(number, {"n": number}, None) for number in range(1, 201)]
    finish(seen, stop)


def test_a_line_still_being_written_waits_for_its_end(tmp_path: Path) -> None:
    """Half a line is not reported: the reader catches up and waits; its end completes it."""
    log = tmp_path / "desk.jsonl"
    log.write_text(line(1), encoding="utf-8")
    stop = threading.Event()
    seen = follow(log, stop)
    assert take(seen, 2) == [(1, {"n": 1}, None), WAIT]
    append(log, '{"n": ')
    assert take(seen) == [WAIT]  # read the half line, reported nothing, waits again
    append(log, "2}\n")
    assert take(seen, 2) == [(2, {"n": 2}, None), WAIT]
    stop.set()
    assert take(seen) == [END]


def test_stopping_drops_a_line_left_unfinished(tmp_path: Path) -> None:
    """Stopping while a line is half written ends the iteration without reporting it."""
    log = tmp_path / "desk.jsonl"
    log.write_text(line(1) + '{"n": ', encoding="utf-8")
    stop = threading.Event()
    seen = follow(log, stop)
    assert take(seen, 2) == [(1, {"n": 1}, None), WAIT]
    stop.set()
    assert take(seen) == [END]


def test_a_truncated_file_is_said_and_read_again_from_its_start(tmp_path: Path) -> None:
    """Truncation is told to on_reopen; the new contents are read from line 1."""
    log = tmp_path / "desk.jsonl"
    log.write_text(line(1) + line(2) + line(3), encoding="utf-8")
    stop = threading.Event()
    seen = follow(log, stop)
    assert take(seen, 4)[-1] == WAIT
    log.write_text(line(7), encoding="utf-8")  # opened for writing: truncated, then shorter
    assert take(seen, 3) == [
        f"{log} was truncated: reading it again from its start",
        (1, {"n": 7}, None),
        WAIT,
    ]
    stop.set()
    assert take(seen) == [END]


def test_a_replaced_file_is_said_and_the_new_one_followed(tmp_path: Path) -> None:
    """A new file moved to the path (log rotation): told to on_reopen, then read from line 1."""
    log = tmp_path / "desk.jsonl"
    log.write_text(line(1), encoding="utf-8")
    stop = threading.Event()
    seen = follow(log, stop)
    assert take(seen, 2) == [(1, {"n": 1}, None), WAIT]
    append(log, line(9))
    assert take(seen, 2) == [(2, {"n": 9}, None), WAIT]
    successor = tmp_path / "desk.jsonl.new"
    successor.write_text(line(2) + line(3), encoding="utf-8")
    os.replace(successor, log)
    assert take(seen, 4) == [
        f"{log} was replaced: reading it again from its start",
        (1, {"n": 2}, None),
        (2, {"n": 3}, None),
        WAIT,
    ]
    stop.set()
    assert take(seen) == [END]


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    """Following a file that is not there raises UnreadableLog naming it, as read_log does."""
    stop = threading.Event()
    seen = follow(tmp_path / "missing.jsonl", stop)
    (error, end) = take(seen, 2)
    assert isinstance(error, UnreadableLog)
    assert str(error).startswith(f"{tmp_path / 'missing.jsonl'}: cannot open:")
    assert end == END


def test_a_followed_file_is_a_file_for_read_log(tmp_path: Path) -> None:
    """`read_log(FollowedFile(path, stop))` streams records, named after the path, until stopped."""
    log = tmp_path / "desk.jsonl"
    log.write_text(line(1), encoding="utf-8")
    stop = threading.Event()

    def iterate(on_wait: Callable[[], None], seen: Seen) -> Iterator[LogLine]:
        followed = FollowedFile(log, stop, interval=POLL, on_wait=on_wait)
        assert followed.name == str(log)
        for record in read_log(cast(IO[bytes], followed)):
            assert record.source == str(log)
            yield record
        seen.put(followed.ended)

    seen = consume(iterate)
    assert take(seen, 2) == [(1, {"n": 1}, None), WAIT]
    append(log, line(2))
    assert take(seen, 2) == [(2, {"n": 2}, None), WAIT]
    stop.set()
    assert take(seen, 2) == ["stopped", END]


def test_a_pipe_is_read_as_it_comes_until_it_closes() -> None:
    """follow_stream yields each line written to a pipe; closing it reports a cut last line."""
    read_end, write_end = os.pipe()
    stop = threading.Event()
    with open(read_end, "rb", buffering=0) as stream, open(write_end, "wb", buffering=0) as pipe:
        seen = consume(
            lambda on_wait, _: follow_stream(stream, stop, interval=POLL, on_wait=on_wait)
        )
        assert take(seen) == [WAIT]  # nothing written yet
        pipe.write(line(1).encode())
        assert take(seen, 2) == [(1, {"n": 1}, None), WAIT]
        pipe.write(b'{"n": ')
        assert take(seen) == [WAIT]  # half a line waits for its end
        pipe.write(b"2}\n" + b'{"n": 3')
        assert take(seen, 2) == [(2, {"n": 2}, None), WAIT]
        pipe.close()  # the writer goes away: the last line will never end
        (cut, end) = take(seen, 2)
        assert isinstance(cut, tuple) and cut[0] == 3 and cut[1] is None
        assert str(cut[2]).startswith("line is not JSON")
        assert end == END


def test_stop_ends_a_pipe_that_stays_silent() -> None:
    """A pipe whose writer says nothing does not keep the reader: stop ends it."""
    read_end, write_end = os.pipe()
    stop = threading.Event()
    with open(read_end, "rb", buffering=0) as stream, open(write_end, "wb", buffering=0):
        seen = consume(
            lambda on_wait, _: follow_stream(stream, stop, interval=POLL, on_wait=on_wait)
        )
        assert take(seen) == [WAIT]
        stop.set()
        assert take(seen) == [END]


def test_the_poll_interval_must_be_positive(tmp_path: Path) -> None:
    """An interval of 0 would busy-wait: it is refused with the value received."""
    log = tmp_path / "desk.jsonl"
    log.touch()
    with pytest.raises(ValueError, match="interval must be a number of seconds above 0, got 0"):
        FollowedFile(log, threading.Event(), interval=0)
