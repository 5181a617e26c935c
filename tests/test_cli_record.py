"""`deskstate record` through a subprocess: it listens, says what to paste, stores, and stops."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import added, deskstate, envelope, focused, message
from receivers import Receivers, RunningReceiver

from deskstate import read_log, replay_desks

PAGE = "https://crm.example.com"
RECORDS = [
    envelope(added("c1"), ts=1_795_507_200_000, desk="agent-7", origin="https://ha.iadvize.com"),
    envelope(
        message("c1", "m1"), ts=1_795_507_200_100, desk="agent-7", origin="https://ha.iadvize.com"
    ),
    envelope(focused("c1"), ts=1_795_507_200_200, desk="agent-7", origin="https://sd.iadvize.com"),
]


@pytest.fixture
def receivers() -> Iterator[Receivers]:
    """`deskstate record` processes, killed at the end of the test if they still run."""
    started = Receivers()
    yield started
    started.close()


def post(receiver: RunningReceiver, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        receiver.address + "/deskstate/records",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "text/plain;charset=UTF-8", "Origin": PAGE},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_record_stores_a_batch_and_stops_cleanly(receivers: Receivers, tmp_path: Path) -> None:
    """It prints the address, token and the two lines to paste; a batch lands in the log."""
    log = tmp_path / "desk.jsonl"
    receiver = receivers.start(log, "--port", "0", "--page-origin", PAGE)
    assert receiver.address.startswith("http://127.0.0.1:")
    status, answer = post(
        receiver, {"token": receiver.token, "session": "s1", "first": 1, "records": RECORDS}
    )
    returncode, stderr = receiver.stop()
    assert (status, answer["stored"], answer["acknowledged"]) == (200, 3, 3)
    assert returncode == 0, stderr
    assert "deskstate record: stopped" in stderr
    printed = "".join(receiver.stdout)
    assert f'<script src="{receiver.address}/deskstate/recorder.js"></script>' in printed
    assert f'deskstateRecorder.start({{ token: "{receiver.token}"' in printed
    expected = replay_desks(RECORDS)["agent-7"].state
    assert replay_desks(read_log(log))["agent-7"].state == expected


def test_a_restart_with_the_same_token_keeps_the_log_and_drops_retries(
    receivers: Receivers, tmp_path: Path
) -> None:
    """`--token` lets a restarted receiver take the page's retries: stored once, in order."""
    log = tmp_path / "desk.jsonl"
    first = receivers.start(log, "--port", "0", "--page-origin", PAGE)
    post(first, {"token": first.token, "session": "s1", "first": 1, "records": RECORDS[:2]})
    first.crash()
    token = first.token
    second = receivers.start(log, "--port", "0", "--page-origin", PAGE, "--token", token)
    status, answer = post(second, {"token": token, "session": "s1", "first": 1, "records": RECORDS})
    second.stop()
    assert (status, answer["stored"], answer["duplicates"]) == (200, 1, 2)
    stored = [line.value for line in read_log(log)]
    assert [(value["data"], value["capture"]["n"]) for value in stored] == [  # type: ignore[index]
        (record["data"], number) for number, record in enumerate(RECORDS, start=1)
    ]


def test_each_run_has_a_new_token(receivers: Receivers, tmp_path: Path) -> None:
    """Without --token, a run does not take the token of the run before."""
    log = tmp_path / "desk.jsonl"
    first = receivers.start(log, "--port", "0", "--page-origin", PAGE)
    first.stop()
    second = receivers.start(log, "--port", "0", "--page-origin", PAGE)
    status, answer = post(
        second, {"token": first.token, "session": "s1", "first": 1, "records": RECORDS}
    )
    second.stop()
    assert second.token != first.token
    assert status == 403
    assert "wrong token" in answer["error"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ([], "the following arguments are required: --page-origin"),
        (["--page-origin", "https://crm.example.com/"], "is not an origin"),
        (["--page-origin", PAGE, "--allow-origin", "ha.iadvize.com"], "is not an origin"),
        (["--page-origin", PAGE, "--token", "short"], "--token must be at least 16 letters"),
        (["--page-origin", PAGE, "--token", 'a"quote"-in-the-token'], "--token must be"),
        (["--page-origin", PAGE, "--port", "70000"], "must be a port from 0 to 65535"),
    ],
)
def test_bad_options_exit_2_saying_why(tmp_path: Path, options: list[str], message: str) -> None:
    """Options are checked before anything listens."""
    result = deskstate("record", "--out", str(tmp_path / "desk.jsonl"), *options)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_port_in_use_exits_2_naming_it(receivers: Receivers, tmp_path: Path) -> None:
    """A second receiver on a port already taken says so and exits 2."""
    running = receivers.start(tmp_path / "one.jsonl", "--port", "0", "--page-origin", PAGE)
    result = deskstate(
        "record",
        "--out",
        str(tmp_path / "two.jsonl"),
        "--port",
        running.port,
        "--page-origin",
        PAGE,
    )
    running.stop()
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{running.port}" in result.stderr


def test_a_log_that_is_a_json_array_exits_2(tmp_path: Path) -> None:
    """Record refuses to append lines to a JSON array log, naming it."""
    log = tmp_path / "desk.json"
    log.write_text("[]", encoding="utf-8")
    result = deskstate("record", "--out", str(log), "--port", "0", "--page-origin", PAGE)
    assert result.returncode == 2
    assert f"{log}: is a JSON array" in result.stderr


def test_the_command_line_loads_no_web_library_until_record_runs() -> None:
    """`deskstate.cli` (every other command, and --help) imports neither Starlette nor uvicorn."""
    code = "import sys, deskstate.cli; print(sorted({'starlette', 'uvicorn'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
