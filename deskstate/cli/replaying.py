"""``deskstate replay``: the desk after a log, from one log or, on :mod:`deskstate.fleet`, many."""

from __future__ import annotations

import argparse
import functools
import itertools
import sys

from deskstate.anomaly import Anomaly
from deskstate.cli.common import (
    EXIT_ANOMALIES,
    EXIT_OK,
    desk_keys,
    fail,
    only_desk,
    origins,
    print_json,
    reading,
    report,
    rich_console,
)
from deskstate.cli.parallel import fleet_sources, run_fleet, with_fleet
from deskstate.clock import state_at
from deskstate.errors import ProtocolError
from deskstate.replay import Replay, replay_desks
from deskstate.serialise import to_dict
from deskstate.state import DeskState


def replay_command(args: argparse.Namespace) -> int:
    """``deskstate replay``: print the desk after a log (or after its first N records)."""
    if with_fleet(args):
        return _replay_many(args)
    args.log = args.log[0] if args.log else None  # one log, read as the other commands do
    with reading(args) as log:
        records = log.records
        if args.at is not None:
            records = itertools.islice(records, args.at)
        try:
            if args.at_time is not None:
                desks = state_at(
                    records, args.at_time, strict=args.strict, allowed_origins=origins(args)
                )
            else:
                desks = replay_desks(records, strict=args.strict, allowed_origins=origins(args))
        except ProtocolError as stop:
            stopped: Anomaly | None = stop.anomaly
        else:
            stopped = None
    if stopped is not None:
        report(log.source, [stopped])
        print(f"{log.source}: stopped at the first anomaly (--strict)", file=sys.stderr)
        return EXIT_ANOMALIES
    return _show_replays(args, log.source, desks)


def _show_replays(args: argparse.Namespace, source: str, desks: dict[str | None, Replay]) -> int:
    """Report the anomalies of the desks asked for, then print them (``--json``: one desk)."""
    chosen = only_desk(desks, args.desk) if desks else {None: Replay(DeskState(), (), 0)}
    if args.json and len(chosen) > 1:
        fail(
            f"this log interleaves {len(chosen)} desks ({desk_keys(chosen)}): "
            "choose one with --desk"
        )
    for replay in chosen.values():
        report(source, replay.anomalies)
    if args.json:
        (replay,) = chosen.values()
        print_json(to_dict(replay.state))
        return EXIT_OK
    from deskstate.render import render_desk  # noqa: PLC0415 - keeps `--json` free of rich

    console = rich_console()
    for key, replay in chosen.items():
        console.print(render_desk(replay.state, None if key is None else f"Desk {key}"))
        if replay.anomalies:
            console.print(
                f"[yellow]{len(replay.anomalies)} anomalies reported on standard error[/]"
            )
        console.print()
    return EXIT_OK


def _replay_many(args: argparse.Namespace) -> int:
    if args.at is not None:
        fail("--at counts the records of one log: give one LOG, without --jobs or --scheduler")
    if args.at_time is not None:
        fail("--at-time reads the clock of one log: give one LOG, without --jobs or --scheduler")
    from deskstate.fleet import replay_many  # noqa: PLC0415 - only this command

    with fleet_sources(args) as sources:
        try:
            desks = run_fleet(functools.partial(replay_many, strict=args.strict), sources, args)
        except ProtocolError as stop:
            report("<logs>", [stop.anomaly])
            print("deskstate: stopped at the first anomaly (--strict)", file=sys.stderr)
            return EXIT_ANOMALIES
    return _show_replays(args, "<logs>", desks)
