"""`deskstate.fleet`: each desk of many logs replayed alone, in one process, a pool or on Dask."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import attrs
import distributed
import pytest
from fleet_helpers import RECORDS, Replays, expected_replays
from helpers import added, envelope, focused, message, write_log
from hypothesis import given, settings
from hypothesis import strategies as st

from deskstate import LogLine, ProtocolError, UnreadableLog, read_log
from deskstate.fleet import OutOfOrder, replay_many, stats_many
from deskstate.replay import replay_steps
from deskstate.stats import collect_stats


def test_the_generated_log_has_desks_across_files_and_anomalies(expected: Replays) -> None:
    """The fixture is what the other tests need: many desks, split over files, with anomalies."""
    assert len(expected) == 40
    sources = {anomaly.source for replay in expected.values() for anomaly in replay.anomalies}
    assert len(sources) == 3
    assert sum(replay.count for replay in expected.values()) == len(RECORDS)


def test_in_one_process_each_desk_is_its_records_replayed_alone(
    parts: list[Path], expected: Replays
) -> None:
    """One process: equal to replay_desks on the concatenated logs, anomalies in their own file."""
    replays = replay_many(parts)
    assert replays == expected
    assert list(replays) == list(expected)  # desks in the order of their first record
    assert replay_many(parts, jobs=1) == expected


def test_a_process_pool_gives_the_same_result(parts: list[Path], expected: Replays) -> None:
    """`jobs=2`: the same desks, snapshots, anomalies, counts and desk order."""
    replays = replay_many(parts, jobs=2)
    assert replays == expected
    assert list(replays) == list(expected)


def test_a_dask_cluster_gives_the_same_result(
    parts: list[Path], expected: Replays, cluster: distributed.LocalCluster
) -> None:
    """A two-worker LocalCluster, by Client and by address: the same result as one process."""
    with distributed.Client(cluster) as client:  # type: ignore[no-untyped-call]
        assert replay_many(parts, scheduler=client) == expected
    by_address = replay_many(parts, scheduler=cluster.scheduler_address)
    assert by_address == expected
    assert list(by_address) == list(expected)


def test_stats_are_the_same_every_way(parts: list[Path], cluster: distributed.LocalCluster) -> None:
    """`stats_many` agrees with collect_stats over one replay of all the logs, every way."""
    records = [record for path in parts for record in read_log(path)]
    reference = collect_stats(replay_steps(records))
    assert stats_many(parts) == reference
    assert stats_many(parts, jobs=2) == reference
    assert stats_many(parts, scheduler=cluster.scheduler_address) == reference


#: The first records of the log, where its 40 desks open: enough for the property below.
SHORT = RECORDS[:600]


@settings(max_examples=50)
@given(st.lists(st.integers(0, len(SHORT)), max_size=4))
def test_any_split_of_a_log_replays_as_the_whole(cuts: list[int]) -> None:
    """Wherever a log is cut into sources, each desk replays as in the whole log."""
    bounds = [0, *sorted(cuts), len(SHORT)]
    sources = [(None, SHORT[start:end]) for start, end in itertools.pairwise(bounds)]
    assert replay_many([records for _, records in sources]) == expected_replays(sources)


def test_a_desk_split_over_several_files_keeps_its_order(tmp_path: Path) -> None:
    """A desk's records in three files are replayed in file order, by every way of running."""
    first = write_log(tmp_path / "09h.jsonl", envelope(added("c1"), desk="agent-1", ts=1000))
    second = write_log(
        tmp_path / "10h.jsonl",
        envelope(added("x"), desk="agent-2", ts=1500),
        envelope(message("c1", "m1"), desk="agent-1", ts=2000),
    )
    third = write_log(tmp_path / "11h.jsonl", envelope(focused("c1"), desk="agent-1", ts=3000))
    for replays in (
        replay_many([first, second, third]),
        replay_many([first, second, third], jobs=2),
    ):
        desk = replays["agent-1"]
        assert desk.anomalies == ()
        assert desk.count == 3
        assert desk.state.focused_id == "c1"
        assert [m.id for m in desk.state.conversations["c1"].messages] == ["m1"]
        assert list(replays) == ["agent-1", "agent-2"]


def test_files_without_desks_are_desks_named_after_them(tmp_path: Path) -> None:
    """Bare events are filed under their file's name up to its first dot; parts of a name chain."""
    seven = write_log(tmp_path / "agent-7.jsonl", added("c7"))
    eight = tmp_path / "agent-8.jsonl.gz"
    eight.write_bytes(gzip.compress((json.dumps(added("c8")) + "\n").encode()))
    nine_a = write_log(tmp_path / "agent-9.1.jsonl", added("c9"))
    nine_b = write_log(tmp_path / "agent-9.2.jsonl", message("c9", "m1"))
    replays = replay_many([seven, eight, nine_a, nine_b])
    assert list(replays) == ["agent-7", "agent-8", "agent-9"]
    assert list(replays["agent-8"].state.conversations) == ["c8"]
    assert replays["agent-9"].count == 2
    assert replays["agent-9"].state.conversations["c9"].messages[0].id == "m1"
    assert replay_many([seven, eight, nine_a, nine_b], jobs=2) == replays


def test_records_from_iterables_without_desks_are_under_none() -> None:
    """From an iterable of records, a record that names no desk goes under None, as replay_desks."""
    replays = replay_many([[added("c1")], [envelope(message("c1", "m1"), desk="d")]])
    assert set(replays) == {None, "d"}
    assert replays[None].count == 1


def test_anomalies_keep_their_file_index_and_line(tmp_path: Path) -> None:
    """An anomaly names its file, its line there and its record index there."""
    first = write_log(tmp_path / "a.jsonl", envelope(added("c1"), desk="d"))
    second = tmp_path / "b.jsonl"
    second.write_text(
        json.dumps(envelope(added("c2"), desk="d"))
        + "\n\n"
        + json.dumps(envelope(focused("nope"), desk="d"))
        + "\n",
        encoding="utf-8",
    )
    (anomaly,) = replay_many([first, second])["d"].anomalies
    assert (anomaly.kind, anomaly.source, anomaly.line, anomaly.index) == (
        "unknown-conversation",
        str(second),
        3,
        1,
    )
    assert replay_many([first, second], jobs=2)["d"].anomalies == (anomaly,)


def out_of_order(tmp_path: Path) -> list[Path]:
    """Two logs given newest first: desk d goes back from ts 5000 to ts 1000."""
    newer = write_log(
        tmp_path / "newer.jsonl",
        envelope(added("c1"), desk="d", ts=5000),
        envelope(added("e1"), desk="e", ts=5000),
    )
    older = write_log(
        tmp_path / "older.jsonl",
        envelope(added("e2"), desk="e", ts=6000),
        envelope(added("c0"), desk="d", ts=1000),
    )
    return [newer, older]


def test_a_desk_going_back_in_time_across_files_is_refused(tmp_path: Path) -> None:
    """Logs out of order: OutOfOrder names the desk, both places and both times, every way."""
    paths = out_of_order(tmp_path)
    with pytest.raises(OutOfOrder) as stopped:
        replay_many(paths)
    message_ = str(stopped.value)
    assert f"{paths[1]}, line 2: desk 'd' goes back in time" in message_
    assert f"from 1970-01-01T00:00:05Z at {paths[0]}, line 1" in message_
    with pytest.raises(OutOfOrder) as in_pool:
        replay_many(paths, jobs=2)
    assert str(in_pool.value) == message_


def test_check_order_false_replays_out_of_order_logs_as_given(tmp_path: Path) -> None:
    """`check_order=False` replays the records in the order given, without complaint."""
    replays = replay_many(out_of_order(tmp_path), check_order=False)
    assert list(replays["d"].state.order) == ["c1", "c0"]


def test_time_going_back_within_one_file_is_applied(tmp_path: Path) -> None:
    """Within one log a clock may drift back (SPEC §4): no error."""
    log = write_log(
        tmp_path / "one.jsonl",
        envelope(added("c1"), desk="d", ts=5000),
        envelope(added("c2"), desk="d", ts=1000),
    )
    assert replay_many([log])["d"].count == 2


def test_strict_stops_at_the_earliest_anomaly_every_way(tmp_path: Path) -> None:
    """Strict: the anomaly of the earliest record (by file, then record) stops every way alike."""
    first = write_log(
        tmp_path / "a.jsonl",
        envelope(added("c1"), desk="d1"),
        envelope(focused("ghost"), desk="d2"),
    )
    second = write_log(tmp_path / "b.jsonl", envelope(focused("ghost"), desk="d1"))
    errors = []
    for jobs in (None, 2):
        with pytest.raises(ProtocolError) as stopped:
            replay_many([first, second], strict=True, jobs=jobs)
        errors.append(stopped.value.anomaly)
    assert errors[0] == errors[1]
    assert (errors[0].source, errors[0].line) == (str(first), 2)


def test_a_missing_log_is_unreadable_every_way(tmp_path: Path) -> None:
    """A log that does not exist raises UnreadableLog naming it, in one process or in a pool."""
    missing = tmp_path / "missing.jsonl"
    for jobs in (None, 2):
        with pytest.raises(UnreadableLog, match=r"missing\.jsonl: cannot open"):
            replay_many([missing], jobs=jobs)


def test_standard_input_and_iterables_are_read_here_for_a_pool() -> None:
    """Iterables of records (even LogLines) are read by the caller and replayed by the pool."""
    records = [LogLine(1, envelope(added("c1"), desk="d")), LogLine(2, None, "not JSON")]
    replays = replay_many([records], jobs=2)
    assert replays == replay_many([records])
    assert replays[None].anomalies[0].line == 2


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ({"sources": "log.jsonl"}, TypeError, "not one: write"),
        ({"sources": [], "jobs": 0}, ValueError, "jobs must be"),
        ({"sources": [], "jobs": True}, ValueError, "jobs must be"),
        ({"sources": [], "jobs": 2, "scheduler": "tcp://x:1"}, ValueError, "not both"),
        ({"sources": [], "scheduler": 7}, TypeError, "scheduler must be"),
    ],
)
def test_bad_arguments_are_refused_at_the_call(
    arguments: dict[str, object], error: type[Exception], words: str
) -> None:
    """Arguments are checked before anything runs, with a message naming the argument."""
    with pytest.raises(error, match=words):
        replay_many(**arguments)  # type: ignore[arg-type]


def test_no_sources_no_desks() -> None:
    """Nothing to read gives no desk, every way."""
    assert replay_many([]) == {}
    assert replay_many([], jobs=2) == {}


def test_urls_are_read_with_fsspec(parts: list[Path], expected: Replays) -> None:
    """`file://` URLs (any fsspec URL) read as the paths do; anomalies name the URL."""
    urls = [path.as_uri() for path in parts]
    by_url = {str(path): url for path, url in zip(parts, urls, strict=True)}
    renamed = {
        desk: attrs.evolve(
            replay,
            anomalies=tuple(
                attrs.evolve(anomaly, source=by_url[anomaly.source or ""])
                for anomaly in replay.anomalies
            ),
        )
        for desk, replay in expected.items()
    }
    assert replay_many(urls) == renamed
    assert replay_many(urls, jobs=2) == renamed


def test_an_url_that_cannot_be_opened_is_unreadable(tmp_path: Path) -> None:
    """A missing file or an unknown protocol: UnreadableLog naming the URL."""
    with pytest.raises(UnreadableLog, match=r"nope://x/a\.jsonl: cannot open: Protocol not known"):
        replay_many(["nope://x/a.jsonl"])
    missing = (tmp_path / "missing.jsonl").as_uri()
    with pytest.raises(UnreadableLog, match="cannot open"):
        replay_many([missing])


def test_an_order_error_in_an_url_stays_an_order_error(tmp_path: Path) -> None:
    """An error raised while a URL's records are replayed is not taken for one opening it."""
    with pytest.raises(OutOfOrder):
        replay_many([path.as_uri() for path in out_of_order(tmp_path)])
