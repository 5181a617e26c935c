"""The progress bar: shown on a terminal for a long log, never in piped output."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import deskstate

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


@pytest.fixture(scope="module")
def long_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated log of a few MiB, long enough to earn a progress bar."""
    log = tmp_path_factory.mktemp("progress") / "long.jsonl"
    result = deskstate("generate", "--events", "12000", "--out", str(log))
    assert result.returncode == 0, result.stderr
    assert log.stat().st_size > 2 * 1024 * 1024
    return log


def run_with_terminal_stderr(*args: str) -> tuple[int, bytes, str]:
    """Run deskstate with standard error on a pseudo-terminal; return status, terminal, stdout."""
    script = str(Path(sys.executable).with_name("deskstate"))
    controller, terminal = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    with subprocess.Popen(
        [script, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=env,
    ) as process:
        os.close(terminal)
        shown = bytearray()
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal is gone: the child has exited
                break
            if not chunk:
                break
            shown += chunk
        assert process.stdout is not None
        out = process.stdout.read().decode()
        status = process.wait(timeout=60)
    os.close(controller)
    return status, bytes(shown), out


def test_a_long_log_shows_a_progress_bar_on_a_terminal(long_log: Path) -> None:
    """On a terminal, reading a long log draws a bar labelled "reading" with the bytes read."""
    status, shown, out = run_with_terminal_stderr("check", str(long_log), "--json")
    assert status == 0, shown
    assert b"reading" in shown
    assert b"MB" in shown  # the bytes read, out of the file's size
    assert '"anomalies": {}' in out  # stdout is untouched by the bar


def test_piped_output_shows_no_progress_bar(long_log: Path) -> None:
    """With standard error piped, the same command writes nothing to it."""
    result = deskstate("check", str(long_log), "--json")
    assert result.returncode == 0
    assert result.stderr == ""
