"""Replaying on :mod:`deskstate.fleet`: when to, which logs, and its errors as usage errors."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from importlib import resources
from typing import TypeVar

from deskstate.cli.common import EXAMPLE, fail, origins

_T = TypeVar("_T")


def with_fleet(args: argparse.Namespace) -> bool:
    """Whether to use deskstate.fleet: several logs, a URL, ``--jobs`` or ``--scheduler``."""
    several = len(args.log) > 1 or any("://" in log for log in args.log)
    return several or args.jobs is not None or args.scheduler is not None


@contextlib.contextmanager
def fleet_sources(args: argparse.Namespace) -> Iterator[list[str]]:
    """The logs the arguments name (the bundled example, as a file, by default)."""
    if args.log and args.example:
        fail("give LOGs or --example, not both")
    if args.log:
        yield args.log
        return
    with resources.as_file(resources.files("deskstate").joinpath("data", EXAMPLE)) as path:
        yield [str(path)]


def run_fleet(run: Callable[..., _T], sources: list[str], args: argparse.Namespace) -> _T:
    """Run a function of :mod:`deskstate.fleet` (``replay_many``...) as the arguments say.

    Its errors of order, of the cluster and of a missing extra exit 2.
    """
    from deskstate.fleet import ClusterError, OutOfOrder  # noqa: PLC0415 - only these commands

    try:
        return run(
            sources,
            jobs=args.jobs,
            scheduler=args.scheduler,
            allowed_origins=origins(args),
            check_order=not args.any_order,
        )
    except ImportError as error:
        fail(str(error))
    except (OutOfOrder, ClusterError) as error:
        fail(str(error))
