"""`deskstate record` as a user runs it: a subprocess, its address and token read from stdout."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Final

#: Seconds to wait for the receiver to start or stop: a bound on a hang, not a pace.
DEADLINE: Final = 60.0


class RunningReceiver:
    """A `deskstate record` process; threads read its standard output and error line by line."""

    def __init__(self, out: Path, *options: str) -> None:
        script = Path(sys.executable).with_name("deskstate")
        self.process = subprocess.Popen(
            [str(script), "record", "--out", str(out), *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str | None] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [
            threading.Thread(
                target=self._read, args=(self.process.stdout, self.lines.put), daemon=True
            ),
            threading.Thread(
                target=self._read, args=(self.process.stderr, self.stderr.append), daemon=True
            ),
        ]
        for reader in self._readers:
            reader.start()
        self.address = self._expect(r"listening on (\S+)")
        self.token = self._expect(r"token: (\S+)")

    @staticmethod
    def _read(stream: IO[str], put: Callable[[str | None], object]) -> None:
        for line in stream:
            put(line)
        put(None)

    def _expect(self, pattern: str) -> str:
        """The first group of the next line of stdout that matches ``pattern``."""
        while True:
            try:
                line = self.lines.get(timeout=DEADLINE)
            except queue.Empty:
                self.process.kill()
                raise AssertionError(f"deskstate record printed no {pattern!r}") from None
            if line is None:
                self._finish()
                raise AssertionError(f"deskstate record ended before {pattern!r}: {self.stderr}")
            self.stdout.append(line)
            found = re.match(pattern, line)
            if found:
                return found.group(1)

    @property
    def port(self) -> str:
        return self.address.rsplit(":", 1)[1]

    def stop(self) -> tuple[int, str]:
        """Stop it as Ctrl-C or a service manager would (SIGTERM): its status and stderr."""
        self.process.terminate()
        return self._finish(), "".join(line for line in self.stderr if line)

    def crash(self) -> None:
        """Kill it where it stands (SIGKILL), as a crash would."""
        self.process.kill()
        self._finish()

    def close(self) -> None:
        """Kill it if it still runs (a test that failed half-way)."""
        if self.process.poll() is None:
            self.crash()

    def _finish(self) -> int:
        status = self.process.wait(timeout=DEADLINE)
        for reader in self._readers:
            reader.join(timeout=DEADLINE)
        while (line := self.lines.get_nowait() if not self.lines.empty() else None) is not None:
            self.stdout.append(line)
        return status


class Receivers:
    """Starts receivers for one test, and kills those still running when it ends."""

    def __init__(self) -> None:
        self.started: list[RunningReceiver] = []

    def start(self, out: Path, *options: str) -> RunningReceiver:
        receiver = RunningReceiver(out, *options)
        self.started.append(receiver)
        return receiver

    def close(self) -> None:
        for receiver in self.started:
            receiver.close()
