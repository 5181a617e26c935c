"""The argument types of the options, and the options several commands share."""

from __future__ import annotations

import argparse
import contextlib
from datetime import datetime

from deskstate.errors import InvalidEvent
from deskstate.record.protocol import check_origin
from deskstate.records import DEFAULT_ORIGINS
from deskstate.timestamps import parse_timestamp


def count(text: str) -> int:
    """A whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def positive(text: str) -> int:
    """A whole number, 1 or more."""
    value = count(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be 1 or more, got 0")
    return value


def share(text: str) -> float:
    """A number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, got {value}")
    return value


def moment(text: str) -> datetime:
    """A time of the envelope clock: ISO-8601 with an offset or ``Z``, or epoch milliseconds."""
    value: object = text
    with contextlib.suppress(ValueError):  # a number is epoch milliseconds
        value = float(text)
    try:
        return parse_timestamp(value, "the time")
    except InvalidEvent as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def origin(text: str) -> str:
    """An origin as browsers write it (``https://host[:port]``)."""
    try:
        return check_origin(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def port(text: str) -> int:
    """A port to listen on, from 0 to 65535."""
    value = count(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 0 to 65535, got {value}")
    return value


def log_options(*, many: bool = False) -> argparse.ArgumentParser:
    """The options of every command that reads a log (``many``: of those that read several)."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "log",
        nargs="*" if many else "?",
        metavar="LOG",
        help="JSON Lines or JSON array, plain or gzip, '-' for stdin "
        + ("(several: oldest first; a path or URL each) " if many else "")
        + "(default: the bundled example session)",
    )
    options.add_argument("--example", action="store_true", help="read the bundled example session")
    options.add_argument(
        "--allow-origin",
        action="append",
        metavar="ORIGIN",
        help="accept records from this page origin (repeatable; replaces the default "
        f"{', '.join(sorted(DEFAULT_ORIGINS))})",
    )
    return options


def fleet_options(command: argparse.ArgumentParser) -> None:
    """``--jobs`` and ``--scheduler``: replay each desk apart, in parallel (deskstate[fleet])."""
    where = command.add_mutually_exclusive_group()
    where.add_argument(
        "--jobs",
        type=positive,
        metavar="N",
        help="replay the desks on N local processes (deskstate[fleet])",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="replay the desks on the Dask cluster at ADDRESS, e.g. tcp://host:8786 "
        "(deskstate[fleet]; the workers must be able to read each LOG)",
    )
    command.add_argument(
        "--any-order",
        action="store_true",
        help="with several LOGs, replay even a desk whose time goes back from one LOG to the next",
    )
