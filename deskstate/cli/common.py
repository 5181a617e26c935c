"""What the commands share: exit statuses, usage errors, reading a log, reporting, printing."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from typing import TYPE_CHECKING, Final, NamedTuple, NoReturn, TypeVar

from deskstate.anomaly import Anomaly
from deskstate.logfile import read_log
from deskstate.records import DEFAULT_ORIGINS

if TYPE_CHECKING:
    from rich.console import Console

_T = TypeVar("_T")

EXIT_OK: Final = 0
EXIT_ANOMALIES: Final = 1
EXIT_USAGE: Final = 2

EXAMPLE: Final = "example.jsonl"
#: Logs smaller than this read in a blink: no progress bar for them.
_PROGRESS_MIN_BYTES: Final = 1024 * 1024


class UsageError(Exception):
    """Bad usage or unreadable input, reported on standard error with exit status 2."""


def fail(message: str) -> NoReturn:
    """Stop the command with ``message``: bad usage or unreadable input (exit status 2)."""
    raise UsageError(message)


# --- reading a log --------------------------------------------------------------------------------


class _Log(NamedTuple):
    """A log being read: the name its reports give, and its records."""

    source: str
    records: Iterable[object]


@contextlib.contextmanager
def _progress_bar(path: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on standard error for a long log, when it is a terminal; else nothing."""
    try:
        total = os.path.getsize(path)
    except OSError:
        total = 0  # not a regular file we can measure: reading will say what is wrong
    if path == "-" or total < _PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console  # noqa: PLC0415 - only a terminal pays for rich here
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("reading"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(path, total=total)
        progress.refresh()
        yield lambda done: progress.update(task, completed=done)


@contextlib.contextmanager
def reading(args: argparse.Namespace) -> Iterator[_Log]:
    """Open the log the arguments name (the bundled example by default), with a progress bar."""
    if args.log is not None and args.example:
        fail("give a LOG or --example, not both")
    if args.log is None:
        example = resources.files("deskstate").joinpath("data", EXAMPLE)
        with example.open("rb") as stream:
            yield _Log(f"<example {EXAMPLE}>", read_log(stream))
        return
    with _progress_bar(args.log) as progress:
        yield _Log(args.log, read_log(args.log, progress=progress))


def origins(args: argparse.Namespace) -> frozenset[str]:
    """The page origins whose records are accepted: ``--allow-origin``, or the default ones."""
    return DEFAULT_ORIGINS if args.allow_origin is None else frozenset(args.allow_origin)


# --- reporting and printing -----------------------------------------------------------------------


def _where(source: str, anomaly: Anomaly) -> str:
    source = anomaly.source or source  # the file it came from, when a replay read several
    if anomaly.line is not None:
        return f"{source}:{anomaly.line}"
    if anomaly.index is not None:
        return f"{source}: record {anomaly.index}"
    return source


def report(source: str, anomalies: Iterable[Anomaly]) -> None:
    """Print each anomaly on standard error as ``FILE:LINE: KIND: MESSAGE``."""
    for anomaly in anomalies:
        print(f"{_where(source, anomaly)}: {anomaly.kind}: {anomaly.message}", file=sys.stderr)


def desk_keys(desks: Iterable[str | None]) -> str:
    """The keys of ``desks``, sorted and quoted, for a message (``none`` when there is none)."""
    return ", ".join(sorted(repr(key) for key in desks if key is not None)) or "none"


def only_desk(found: dict[str | None, _T], desk: str | None) -> dict[str | None, _T]:
    """``found`` narrowed to ``desk`` when one is asked for (exit 2 when the log lacks it)."""
    if desk is None:
        return found
    if desk not in found:
        fail(f"no desk {desk!r} in this log (desks: {desk_keys(found)})")
    return {desk: found[desk]}


def print_json(value: object) -> None:
    """Print ``value`` as indented JSON on standard output."""
    print(json.dumps(value, indent=2, ensure_ascii=False))


def rich_console() -> Console:
    """A rich console on standard output, imported only now (``--json`` stays free of rich)."""
    from rich.console import Console  # noqa: PLC0415 - keeps `--json` free of rich

    class PipedConsole(Console):
        def on_broken_pipe(self) -> None:
            # rich exits with status 1 here, which means "anomalies" to us: let main() end quietly.
            self.quiet = True
            raise BrokenPipeError

    # Piped output goes to files and tools, not to a narrow window: give the tables room.
    return PipedConsole(width=None if sys.stdout.isatty() else 120)
