"""`deskstate report LOG... --jobs N | --scheduler ADDR`: desk metrics on deskstate.fleet."""

from __future__ import annotations

import json
import re
from pathlib import Path

import distributed
import pytest
from fleet_helpers import hourly_logs, write_parts
from helpers import deskstate, write_log

from deskstate.generate import generate


@pytest.fixture
def logs(tmp_path: Path) -> list[str]:
    return hourly_logs(tmp_path)


def metrics(*args: str) -> dict[str, object]:
    result = deskstate("report", *args, "--json")
    assert result.returncode == 0, result.stderr
    value: dict[str, object] = json.loads(result.stdout)
    return value


def test_a_desk_is_measured_across_logs(logs: list[str]) -> None:
    """d1's conversation runs across both logs: its times are worked out by hand."""
    report = metrics(*logs)
    assert report["logs"] == logs
    d1 = report["desks"]["d1"]  # type: ignore[index]
    assert (d1["started_at"], d1["ended_at"]) == (
        "1970-01-01T00:00:01Z",
        "1970-01-01T00:00:02.500000Z",
    )
    a1 = d1["conversations"]["a1"]
    assert a1["time_open"] == 1.5  # from 1 s to the desk's last record at 2.5 s
    assert a1["time_focused"] == 0.5  # focused at 2 s
    assert a1["first_response"] == 1.3  # visitor at 1.2 s, professional at 2.5 s
    assert a1["messages"] == {"Professional": 1, "Visitor": 1}


def test_anomalies_are_reported_at_their_file_and_line(logs: list[str]) -> None:
    """Each anomaly on standard error as FILE:LINE: KIND: MESSAGE, with or without --jobs."""
    for extra in ([], ["--jobs", "2"]):
        result = deskstate("report", *logs, *extra)
        assert result.returncode == 0, result.stderr
        assert result.stderr.startswith(f"{logs[1]}:2: unknown-conversation: ")
        assert len(result.stderr.splitlines()) == 1
        assert "1 anomalies reported on standard error" in result.stdout


def parts_and_whole(directory: Path) -> tuple[list[Path], Path]:
    """A generated log of 12 desks with anomalies, whole and cut in three parts."""
    records = list(generate(3000, seed=11, desks=12, chaos=0.03))
    whole = write_log(directory / "whole.jsonl", *records)
    return write_parts(directory, records, 3), whole


def in_whole(stderr: str, parts: list[Path], whole: Path) -> list[str]:
    """The anomaly lines of ``stderr``, each part's FILE:LINE made the whole log's, sorted."""
    starts: dict[str, int] = {}
    offset = 0
    for part in parts:
        starts[str(part)] = offset
        offset += len(part.read_text(encoding="utf-8").splitlines())
    lines = []
    for line in stderr.splitlines():
        found = re.match(r"^(.*?):(\d+): (.*)$", line)
        assert found is not None, line
        name, number, rest = found.groups()
        lines.append(f"{whole}:{starts[name] + int(number)}: {rest}")
    return sorted(lines)


def test_the_same_report_with_and_without_jobs(tmp_path: Path) -> None:
    """Several logs: the same output with --jobs 2 as without, and the metrics of the whole log.

    The anomalies are those of the whole log, each at its line in its part.
    """
    parts, whole = parts_and_whole(tmp_path)
    logs = [str(part) for part in parts]
    outputs = {}
    for extra in (["--json"], []):
        alone = deskstate("report", *logs, *extra)
        pooled = deskstate("report", *logs, *extra, "--jobs", "2")
        assert alone.returncode == pooled.returncode == 0, pooled.stderr
        assert pooled.stdout == alone.stdout
        assert pooled.stderr == alone.stderr
        outputs[bool(extra)] = pooled
    one_log = deskstate("report", str(whole), "--json")
    assert one_log.returncode == 0, one_log.stderr
    assert json.loads(outputs[True].stdout)["desks"] == json.loads(one_log.stdout)["desks"]
    assert len(json.loads(one_log.stdout)["desks"]) == 12
    assert one_log.stderr
    assert in_whole(outputs[True].stderr, parts, whole) == sorted(one_log.stderr.splitlines())


def test_one_desk_and_its_anomalies_only(logs: list[str]) -> None:
    """`--desk` keeps that desk and its anomalies; a desk not in the logs exits 2."""
    d1 = deskstate("report", *logs, "--desk", "d1", "--jobs", "2", "--json")
    assert d1.returncode == 0, d1.stderr
    assert list(json.loads(d1.stdout)["desks"]) == ["d1"]
    assert d1.stderr == ""
    d2 = deskstate("report", *logs, "--desk", "d2", "--json")
    assert list(json.loads(d2.stdout)["desks"]) == ["d2"]
    assert d2.stderr.startswith(f"{logs[1]}:2: unknown-conversation: ")
    missing = deskstate("report", *logs, "--desk", "d9", "--jobs", "2")
    assert missing.returncode == 2
    assert "no desk 'd9'" in missing.stderr


def test_report_on_a_dask_scheduler(logs: list[str], cluster: distributed.LocalCluster) -> None:
    """`--scheduler ADDRESS`: the same metrics as in one process."""
    assert metrics(*logs, "--scheduler", cluster.scheduler_address) == metrics(*logs)


def test_one_log_with_jobs_is_measured_the_same(logs: list[str]) -> None:
    """One LOG with --jobs: the same desks as the one-log report (only the header differs)."""
    pooled = metrics(logs[0], "--jobs", "2")
    assert pooled["logs"] == [logs[0]]
    assert pooled["desks"] == metrics(logs[0])["desks"]


def test_logs_out_of_order_are_refused_unless_any_order(logs: list[str]) -> None:
    """Newest first: exit 2 naming the desk going back in time; `--any-order` measures anyway."""
    backwards = deskstate("report", logs[1], logs[0], "--jobs", "2")
    assert backwards.returncode == 2
    assert f"deskstate: {logs[0]}, line 1: desk 'd1' goes back in time" in backwards.stderr
    assert deskstate("report", logs[1], logs[0], "--any-order").returncode == 0
