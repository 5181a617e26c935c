"""`deskstate.fleet` on a Dask cluster that loses a worker mid-run: all of the result or an error.

A log is served through a named pipe, so the test knows when a worker has started reading it (the
pipe has a reader) and which worker it is (the process holding the pipe open), and can kill that
worker before it has read a byte. Linux only (it reads /proc).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import dask
import distributed
import pytest
from fleet_helpers import RECORDS, Replays, expected_replays, local_cluster, read_parts, write_parts

from deskstate.fleet import ClusterError, replay_many

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

#: Long enough for a loaded machine; the conditions polled come true at once when all is well.
DEADLINE = 120.0


def poll(condition: Callable[[], bool], what: str, running: Future[Any]) -> None:
    """Wait until ``condition()`` holds; fail when the replay ends first or the deadline passes."""
    end = time.monotonic() + DEADLINE
    while not condition():
        if running.done():
            running.result()  # raises what stopped it
            pytest.fail(f"the replay ended before {what}")
        if time.monotonic() > end:
            pytest.fail(f"no {what} within {DEADLINE} s")
        time.sleep(0.01)  # a poll interval, not a synchronisation: the condition is what we wait on


def open_writer(pipe: Path, running: Future[Any]) -> int:
    """Open the pipe for writing once a reader has it open (a worker has started reading it)."""
    opened: list[int] = []

    def has_reader() -> bool:
        try:
            opened.append(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        except OSError as error:
            if error.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise
            return False
        return True

    poll(has_reader, "worker reading the log", running)
    os.set_blocking(opened[0], True)
    return opened[0]


def holds(pid: int, pipe: Path) -> bool:
    """Whether process ``pid`` has ``pipe`` open (not once it has died)."""
    with contextlib.suppress(OSError):  # the process is gone
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):  # that file was closed meanwhile
                if os.readlink(f"/proc/{pid}/fd/{fd}") == str(pipe):
                    return True
    return False


def reader_of(pipe: Path, running: Future[Any]) -> int:
    """The pid of the process, other than this one, that holds ``pipe`` open: the worker reading.

    Polled: a reader counts for a writer's open() a moment before its own open() returns.
    """
    found: list[int] = []

    def seen() -> bool:
        pids = (int(name) for name in os.listdir("/proc") if name.isdigit())
        found.extend(pid for pid in pids if pid != os.getpid() and holds(pid, pipe))
        return bool(found)

    poll(seen, "worker reading the log", running)
    return found[0]


@contextlib.contextmanager
def replaying(paths: list[Path], cluster: distributed.LocalCluster) -> Iterator[Future[Replays]]:
    pool = ThreadPoolExecutor(1)
    address = cluster.scheduler_address
    try:
        yield pool.submit(replay_many, paths, scheduler=address)
    finally:
        # A failed test may leave the replay waiting on the pipe: closing the cluster ends it.
        pool.shutdown(wait=False)


@pytest.fixture
def logs(tmp_path: Path) -> tuple[list[Path], bytes, Replays]:
    """Three logs, the last of them a named pipe; its content; the expected replay."""
    paths = write_parts(tmp_path, RECORDS, 3)
    expected = expected_replays(read_parts(paths))
    content = paths[-1].read_bytes()
    paths[-1].unlink()
    os.mkfifo(paths[-1])
    return paths, content, expected


def kill_the_reader(pipe: Path, running: Future[Any]) -> int:
    """Wait for a worker to read ``pipe`` and kill it; return our end of the pipe, still open.

    Our end stays open: a worker that opens the pipe to redo the work must not find it closed
    (it would read an empty log), but wait for what we write.
    """
    writer = open_writer(pipe, running)
    reader = reader_of(pipe, running)
    os.kill(reader, signal.SIGKILL)
    poll(lambda: not holds(reader, pipe), "end of the killed worker", running)
    return writer


def test_a_worker_killed_mid_run_still_gives_the_whole_result(
    logs: tuple[list[Path], bytes, Replays],
) -> None:
    """The worker reading a log is killed; Dask redoes its work elsewhere: the full result."""
    paths, content, expected = logs
    with (
        local_cluster() as cluster,
        replaying(paths, cluster) as running,
    ):
        writer = kill_the_reader(paths[-1], running)
        reader_of(paths[-1], running)  # the work is being redone, on a worker alive
        with os.fdopen(writer, "wb") as stream:
            stream.write(content)
        assert running.result(timeout=DEADLINE) == expected


def test_a_worker_lost_beyond_the_allowed_failures_is_a_clear_error(
    logs: tuple[list[Path], bytes, Replays],
) -> None:
    """With no failure allowed, losing the worker raises ClusterError, never a partial result."""
    paths, _, _ = logs
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        local_cluster() as cluster,
        replaying(paths, cluster) as running,
    ):
        os.close(kill_the_reader(paths[-1], running))
        with pytest.raises(ClusterError, match="lost workers too often"):
            running.result(timeout=DEADLINE)
