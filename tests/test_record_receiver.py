"""The receiver of `deskstate record` without HTTP: batches checked, stored once, in order, durably.

The expected desks come from replaying the records the snippet would send, never from the log the
receiver wrote.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from helpers import added, envelope, focused, message, visitor_updated, write_log
from hypothesis import given
from hypothesis import strategies as st

from deskstate import DeskState, UnreadableLog, read_log, replay_desks
from deskstate.generate import generate
from deskstate.record.log import CaptureLog
from deskstate.record.receiver import Receiver, Refused
from deskstate.replay import replay_steps

TOKEN = "a-token-of-the-run-0123456789"
DESK = "https://ha.iadvize.com"


def batch(session: str, first: int, records: list[Any], token: str = TOKEN) -> bytes:
    body = {"token": token, "session": session, "first": first, "records": records}
    return json.dumps(body).encode()


def desk_record(event: Mapping[str, Any], origin: str = DESK) -> dict[str, Any]:
    return envelope(event, ts=1_795_507_200_000, desk="agent-1", origin=origin)


def captures(path: Path) -> list[tuple[str, int]]:
    """The (session, number) of each record stored in the log, in file order."""
    found = []
    for line in read_log(path):
        assert line.error is None, line
        assert isinstance(line.value, dict)
        capture = line.value["capture"]
        found.append((capture["session"], capture["n"]))
    return found


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "capture.jsonl"


def test_a_batch_is_appended_in_order_with_its_place_in_the_session(log_path: Path) -> None:
    """Each accepted record is one line: the envelope as sent, plus its session and number."""
    records = [desk_record(added("c1")), desk_record(focused("c1"))]
    receiver = Receiver(CaptureLog(log_path), TOKEN)
    answer = receiver.receive(batch("s1", 1, records))
    assert answer.to_dict() == {
        "session": "s1",
        "acknowledged": 2,
        "stored": 2,
        "duplicates": 0,
        "rejected": [],
    }
    lines = [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        {**records[0], "capture": {"session": "s1", "n": 1}},
        {**records[1], "capture": {"session": "s1", "n": 2}},
    ]


def test_a_bad_record_is_rejected_with_the_reason_of_replay_and_the_rest_stored(
    log_path: Path,
) -> None:
    """The parser of replay judges each record: the good ones are stored, the bad one reported."""
    bad = desk_record({**added("c2"), "projectId": "1234"})
    records = [desk_record(added("c1")), bad, desk_record(focused("c1"))]
    answer = Receiver(CaptureLog(log_path), TOKEN).receive(batch("s1", 1, records))
    assert answer.stored == 2
    assert [rejected.to_dict() for rejected in answer.rejected] == [
        {"n": 2, "reason": "projectId must be an integer, got '1234'"}
    ]
    assert captures(log_path) == [("s1", 1), ("s1", 3)]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (added("c1"), "a captured record must be an envelope with data and origin"),
        (envelope(added("c1")), "a captured record must name its origin"),
        (
            desk_record(added("c1"), origin="https://evil.example"),
            "sent from 'https://evil.example', which is not an allowed desk origin",
        ),
        (desk_record(added("c1"), origin="https://ha.iadvize.com:8443"), "not an allowed desk"),
        ({**desk_record(added("c1")), "ts": "yesterday"}, "ts must be an ISO-8601 timestamp"),
        (desk_record({"conversationId": "c1"}), "event"),
        ("not an object", "a captured record must be an envelope"),
    ],
)
def test_records_that_are_not_desk_envelopes_are_rejected(
    log_path: Path, record: object, reason: str
) -> None:
    """Bare events, envelopes without an allowed origin, and bad envelopes are not stored."""
    answer = Receiver(CaptureLog(log_path), TOKEN).receive(batch("s1", 1, [record]))
    (rejected,) = answer.rejected
    assert reason in rejected.reason
    assert answer.stored == 0
    assert log_path.read_bytes() == b""


def test_text_is_stored_as_utf_8_and_a_lone_surrogate_escaped(log_path: Path) -> None:
    """Names stay readable in the log; a lone surrogate, which UTF-8 cannot hold, is escaped."""
    records = [
        desk_record(visitor_updated("c1", firstName="Léa")),
        desk_record(visitor_updated("c1", firstName="\ud800")),
    ]
    answer = Receiver(CaptureLog(log_path), TOKEN).receive(batch("s1", 1, records))
    assert answer.stored == 2
    first, second = log_path.read_bytes().splitlines()
    assert "Léa".encode() in first
    assert b"\\ud800" in second
    assert [line.value["data"] for line in read_log(log_path)] == [  # type: ignore[index]
        record["data"] for record in records
    ]


def test_allowed_origins_replace_the_desk_origins(log_path: Path) -> None:
    """`origins` is the whole allow-list: the default desk origins are then refused."""
    receiver = Receiver(CaptureLog(log_path), TOKEN, origins=["https://ha.iadvize.com:8443"])
    records = [
        desk_record(added("c1"), origin="https://ha.iadvize.com:8443"),
        desk_record(added("c2")),
    ]
    answer = receiver.receive(batch("s1", 1, records))
    assert answer.stored == 1
    assert [rejected.n for rejected in answer.rejected] == [2]


def test_a_record_over_the_size_limit_is_rejected_by_its_size(log_path: Path) -> None:
    """A record whose line would pass `max_record_bytes` is rejected, saying its size."""
    receiver = Receiver(CaptureLog(log_path), TOKEN, max_record_bytes=300)
    big = desk_record({**added("c1"), "note": "x" * 300})
    answer = receiver.receive(batch("s1", 1, [desk_record(added("c0")), big]))
    (rejected,) = answer.rejected
    assert rejected.n == 2
    assert "more than the limit of 300" in rejected.reason
    assert answer.stored == 1


def test_a_wrong_token_is_refused_and_nothing_is_stored(log_path: Path) -> None:
    """Without the token of the run, the batch is refused whole (403)."""
    receiver = Receiver(CaptureLog(log_path), TOKEN)
    with pytest.raises(Refused) as refused:
        receiver.receive(batch("s1", 1, [desk_record(added("c1"))], token="guess-" + "0" * 20))
    assert refused.value.status == 403
    assert "wrong token" in refused.value.reason
    assert log_path.read_bytes() == b""


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff", "the body is not UTF-8"),
        (b"{", "the body is not JSON"),
        (b"[" * 100_000, "nested too deeply"),
        (b"[]", "the body must be a JSON object"),
        (json.dumps({"session": "s", "first": 1, "records": []}).encode(), "token must be"),
        (batch("", 1, []), "session must be 1 to 64"),
        (batch("a/b", 1, []), "session must be 1 to 64"),
        (batch("s", 0, []), "first must be a whole number from 1"),
        (batch("s", True, []), "first must be a whole number from 1"),
        (json.dumps({"token": TOKEN, "session": "s", "first": 1}).encode(), "records must be"),
    ],
)
def test_a_body_that_is_not_a_batch_is_refused_saying_why(
    log_path: Path, body: bytes, reason: str
) -> None:
    """400 for a body that is not a batch, naming the member at fault."""
    with pytest.raises(Refused) as refused:
        Receiver(CaptureLog(log_path), TOKEN).receive(body)
    assert refused.value.status == 400
    assert reason in refused.value.reason


def test_a_retried_batch_is_not_stored_twice(log_path: Path) -> None:
    """A batch sent again (its answer was lost) counts as duplicates; what is new is kept."""
    receiver = Receiver(CaptureLog(log_path), TOKEN)
    records = [desk_record(added(f"c{i}")) for i in range(4)]
    receiver.receive(batch("s1", 1, records[:3]))
    again = receiver.receive(batch("s1", 1, records))  # the same start, one more record
    assert (again.stored, again.duplicates, again.acknowledged) == (1, 3, 4)
    other = receiver.receive(batch("s2", 1, records[:1]))  # another page load: its own numbers
    assert other.stored == 1
    assert captures(log_path) == [("s1", 1), ("s1", 2), ("s1", 3), ("s1", 4), ("s2", 1)]


def test_a_restarted_receiver_knows_what_the_log_holds(log_path: Path) -> None:
    """Reopened on the same log, the receiver takes a retry as a duplicate, not a new record."""
    records = [desk_record(added(f"c{i}")) for i in range(3)]
    first = CaptureLog(log_path)
    Receiver(first, TOKEN).receive(batch("s1", 1, records[:2]))
    first.close()
    again = Receiver(CaptureLog(log_path), TOKEN).receive(batch("s1", 1, records))
    assert (again.stored, again.duplicates) == (1, 2)
    assert captures(log_path) == [("s1", 1), ("s1", 2), ("s1", 3)]


def test_a_line_cut_by_a_crash_is_ended_and_reported_by_replay(log_path: Path) -> None:
    """A torn last line is ended with a newline: replay reports it, the retry is stored after it."""
    records = [desk_record(added("c1")), desk_record(message("c1", "m1"))]
    log = CaptureLog(log_path)
    Receiver(log, TOKEN).receive(batch("s1", 1, records[:1]))
    log.close()
    with log_path.open("ab") as torn:  # the second record's write, cut by a crash
        torn.write(b'{"data":{"event":"com.iadvize.desk.CONVERSATION_MESS')
    answer = Receiver(CaptureLog(log_path), TOKEN).receive(batch("s1", 2, records[1:]))
    assert answer.stored == 1
    desks = replay_desks(read_log(log_path))
    assert desks["agent-1"].state.conversations["c1"].messages[0].id == "m1"
    (torn_line,) = desks[None].anomalies
    assert (torn_line.kind, torn_line.line) == ("invalid-event", 2)


def test_records_written_by_others_are_kept_and_ignored(log_path: Path) -> None:
    """A log that already holds records without a capture member is appended to as it is."""
    write_log(log_path, desk_record(added("c0")))
    Receiver(CaptureLog(log_path), TOKEN).receive(batch("s1", 1, [desk_record(added("c1"))]))
    lines = log_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0]) == desk_record(added("c0"))


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"\x1f\x8b\x08\x00", "gzip"), (b'\n [{"event": "x"}]', "JSON array")],
)
def test_a_log_that_cannot_be_appended_to_line_by_line_is_refused(
    log_path: Path, content: bytes, reason: str
) -> None:
    """Gzip logs and JSON arrays are refused at open, naming the file."""
    log_path.write_bytes(content)
    with pytest.raises(UnreadableLog, match=reason) as refused:
        CaptureLog(log_path)
    assert str(log_path) in str(refused.value)


def test_a_log_in_a_missing_folder_is_unreadable(tmp_path: Path) -> None:
    """A log that cannot be created raises UnreadableLog naming it."""
    with pytest.raises(UnreadableLog, match="cannot open"):
        CaptureLog(tmp_path / "missing" / "log.jsonl")


# --- any batching, retries, lost answers and crashes: each record once, in order -----------------

#: One step of the snippet and the receiver: send the next N pending records (the answer arrives or
#: is lost), restart the receiver, or crash it in the middle of writing a batch.
Step = tuple[str, int]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.integers(1, 12)),
        st.tuples(st.just("lost"), st.integers(1, 12)),
        st.tuples(st.just("restart"), st.just(0)),
        st.tuples(st.just("crash"), st.integers(0, 10_000)),
    ),
    max_size=25,
)


@given(seed=st.integers(0, 1000), chaos=st.sampled_from([0.0, 0.3]), script=steps)
def test_any_mix_of_retries_and_crashes_stores_each_record_once(
    tmp_path_factory: pytest.TempPathFactory, seed: int, chaos: float, script: list[Step]
) -> None:
    """The log replays to the desks of the records sent, whatever was retried or cut short."""
    path = tmp_path_factory.mktemp("capture") / "desk.jsonl"
    records = list(generate(30, seed=seed, desks=2, chaos=chaos))
    log = CaptureLog(path)
    receiver = Receiver(log, TOKEN)
    head = 1  # the first record the snippet has not been told is settled
    for kind, amount in [*script, ("send", len(records))]:
        if kind == "restart":
            log.close()
            log = CaptureLog(path)
            receiver = Receiver(log, TOKEN)
            continue
        if kind == "crash":  # a batch written, then cut at some byte, and never answered
            before = path.stat().st_size
            receiver.receive(batch("s", head, records[head - 1 : head + 9]))
            log.close()
            with path.open("r+b") as cut:
                cut.truncate(before + amount % (path.stat().st_size - before + 1))
            log = CaptureLog(path)
            receiver = Receiver(log, TOKEN)
            continue
        sent = records[head - 1 : head - 1 + amount]
        if sent:
            answer = receiver.receive(batch("s", head, sent))
            if kind == "send":
                head = answer.acknowledged + 1
    log.close()
    applied = [step.index + 1 for step in replay_steps(records) if step.event is not None]
    assert [number for _, number in whole_captures(path)] == applied  # in order, each once
    expected = replay_desks(records)
    got = dict(replay_desks(read_log(path)))
    torn = got.pop(None, None)  # lines cut by a crash: reported, never applied
    if torn is not None:
        assert torn.state == DeskState()
        assert {anomaly.kind for anomaly in torn.anomalies} == {"invalid-event"}
    assert {desk: replay.state for desk, replay in got.items()} == {
        desk: replay.state for desk, replay in expected.items() if replay.state.version
    }


def whole_captures(path: Path) -> list[tuple[str, int]]:
    """Like `captures`, leaving out the lines a crash cut (replay reports them)."""
    return [
        (line.value["capture"]["session"], line.value["capture"]["n"])
        for line in read_log(path)
        if isinstance(line.value, dict)
    ]
