"""``deskstate generate``: write a synthetic desk log as JSON Lines, to stdout or a file."""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Iterable
from typing import IO

from deskstate.cli.common import EXIT_OK, fail
from deskstate.generate import generate


def generate_command(args: argparse.Namespace) -> int:
    """``deskstate generate``: write a realistic synthetic desk log (JSON Lines)."""
    records = generate(
        args.events, seed=args.seed, max_open=args.open, desks=args.desks, chaos=args.chaos
    )
    if args.out is None:
        _write_lines(records, sys.stdout)
        return EXIT_OK
    try:
        with _open_out(args.out) as stream:
            _write_lines(records, stream)
    except OSError as error:
        fail(f"{args.out}: cannot write: {error.strerror or error}")
    return EXIT_OK


def _open_out(path: str) -> IO[str]:
    if path.endswith(".gz"):
        return gzip.open(path, "wt", encoding="utf-8")
    return open(path, "w", encoding="utf-8")  # the caller closes it


def _write_lines(records: Iterable[object], stream: IO[str]) -> None:
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    stream.writelines(encode(record) + "\n" for record in records)
