"""`deskstate replay` and `stats` over several logs, with `--jobs` and `--scheduler`."""

from __future__ import annotations

import json
from pathlib import Path

import distributed
import pytest
from helpers import added, deskstate, envelope, focused, message, write_log


@pytest.fixture
def logs(tmp_path: Path) -> list[str]:
    """Two hourly logs of two desks; desk d1 spans both; the second has an anomaly at line 2."""
    first = write_log(
        tmp_path / "09h.jsonl",
        envelope(added("a1"), desk="d1", ts=1000),
        envelope(added("b1"), desk="d2", ts=1100),
        envelope(message("a1", "m1"), desk="d1", ts=1200),
    )
    second = write_log(
        tmp_path / "10h.jsonl",
        envelope(focused("a1"), desk="d1", ts=2000),
        envelope(focused("ghost"), desk="d2", ts=2100),
    )
    return [str(first), str(second)]


def snapshot(*args: str) -> dict[str, object]:
    result = deskstate("replay", *args, "--json")
    assert result.returncode == 0, result.stderr
    value: dict[str, object] = json.loads(result.stdout)
    return value


def test_replay_of_several_logs_follows_a_desk_across_them(logs: list[str]) -> None:
    """A desk's records in two logs are replayed in order: the message, then the focus."""
    desk = snapshot(*logs, "--desk", "d1")
    assert desk["focused_id"] == "a1"
    assert snapshot(*logs, "--desk", "d1", "--jobs", "2") == desk


def test_replay_with_jobs_reports_anomalies_at_their_file_and_line(logs: list[str]) -> None:
    """`FILE:LINE: kind: message` names the log each anomaly came from, on a pool as in one."""
    for extra in ([], ["--jobs", "2"]):
        result = deskstate("replay", *logs, *extra)
        assert result.returncode == 0, result.stderr
        assert result.stderr.startswith(f"{logs[1]}:2: unknown-conversation: ")
        assert "Desk d1" in result.stdout
        assert "Desk d2" in result.stdout


def test_one_log_with_jobs_is_the_same_desk(logs: list[str]) -> None:
    """`--jobs 2` on one log gives the desk the plain replay gives."""
    assert snapshot(logs[0], "--desk", "d1", "--jobs", "2") == snapshot(logs[0], "--desk", "d1")


def test_replay_on_a_dask_scheduler(logs: list[str], cluster: distributed.LocalCluster) -> None:
    """`--scheduler ADDRESS` replays on the cluster there: the same desk."""
    on_cluster = snapshot(*logs, "--desk", "d1", "--scheduler", cluster.scheduler_address)
    assert on_cluster == snapshot(*logs, "--desk", "d1")


def test_stats_across_desks_and_logs(logs: list[str], cluster: distributed.LocalCluster) -> None:
    """`stats LOG... --jobs 2` counts per desk over every log; the cluster counts the same."""
    result = deskstate("stats", *logs, "--jobs", "2", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["logs"] == logs
    assert stats["desks"]["d1"]["records"] == 3
    assert stats["desks"]["d2"]["anomalies"] == {"unknown-conversation": 1}
    assert stats["total"]["records"] == 5
    on_cluster = deskstate("stats", *logs, "--scheduler", cluster.scheduler_address, "--json")
    assert json.loads(on_cluster.stdout) == stats
    table = deskstate("stats", *logs)
    assert table.returncode == 0, table.stderr
    assert "d1" in table.stdout


def test_strict_over_several_logs_stops_at_the_first_anomaly(logs: list[str]) -> None:
    """`--strict` exits 1 and names the anomaly that stopped it, with its file and line."""
    result = deskstate("replay", *logs, "--strict", "--jobs", "2")
    assert result.returncode == 1
    assert result.stderr.startswith(f"{logs[1]}:2: unknown-conversation: ")
    assert "stopped at the first anomaly" in result.stderr


def test_logs_out_of_order_are_refused_unless_any_order(logs: list[str]) -> None:
    """Newest first: exit 2 naming the desk going back in time; `--any-order` replays anyway."""
    backwards = deskstate("replay", logs[1], logs[0])
    assert backwards.returncode == 2
    assert f"deskstate: {logs[0]}, line 1: desk 'd1' goes back in time" in backwards.stderr
    assert deskstate("replay", logs[1], logs[0], "--any-order").returncode == 0


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--at", "2", "--jobs", "2"], "--at counts the records of one log"),
        (["--jobs", "0"], "must be 1 or more"),
        (["--jobs", "2", "--scheduler", "tcp://127.0.0.1:1"], "not allowed with argument"),
    ],
)
def test_bad_fleet_options_exit_2(logs: list[str], arguments: list[str], words: str) -> None:
    """Options that cannot go together, or with several logs, are bad usage."""
    result = deskstate("replay", *logs, *arguments)
    assert result.returncode == 2
    assert words in result.stderr


def test_several_logs_and_example_are_refused(logs: list[str]) -> None:
    """LOGs and --example together are bad usage, as for one log."""
    result = deskstate("replay", *logs, "--example")
    assert result.returncode == 2
    assert "not both" in result.stderr


def test_a_missing_log_among_several_exits_2(logs: list[str], tmp_path: Path) -> None:
    """An unreadable log among several: exit 2, naming it."""
    missing = str(tmp_path / "missing.jsonl")
    result = deskstate("replay", logs[0], missing, "--jobs", "2")
    assert result.returncode == 2
    assert f"{missing}: cannot open" in result.stderr


def test_a_scheduler_that_cannot_be_reached_exits_2_naming_it(
    logs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listens there: exit 2 once Dask's connect timeout (shortened here) runs out."""
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "1s")
    result = deskstate("stats", *logs, "--scheduler", "tcp://127.0.0.1:9")
    assert result.returncode == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr


def test_the_example_replays_on_a_pool() -> None:
    """With no LOG, `--jobs 2` replays the bundled example, as the plain replay does."""
    assert snapshot("--jobs", "2") == snapshot()


def test_a_log_given_as_an_url_is_read_with_fsspec(logs: list[str]) -> None:
    """One LOG given as a URL (here `file://`) replays as the path does, anomalies named by URL."""
    url = Path(logs[1]).as_uri()
    result = deskstate("replay", url, "--desk", "d2", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == snapshot(logs[1], "--desk", "d2")
    assert result.stderr.startswith(f"{url}:2: unknown-conversation: ")
