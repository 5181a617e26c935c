"""``deskstate watch`` and ``deskstate record``: a live desk, in the terminal or from a browser.

Each imports its extra (Textual; Starlette and uvicorn) only when it runs, and says which to
install when it is missing.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Final

from deskstate.cli.common import fail, origins

#: A ``record --token``: long enough not to be guessed, and safe to print inside a JS string.
_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{16,}")


def watch_command(args: argparse.Namespace) -> int:
    """``deskstate watch``: a live terminal view of a desk (``deskstate[tui]``)."""
    if args.log is not None and args.example:
        fail("give a LOG or --example, not both")
    if args.follow and args.log is None:
        fail("--follow needs a LOG to follow: the bundled example does not grow")
    if args.log == "-" and sys.stdin.isatty():
        fail("watch -: standard input is the terminal: pipe a log into it, or give a LOG")
    try:
        from deskstate.tui import run_watch  # noqa: PLC0415 - only `watch` pays for Textual
    except ImportError as error:
        if (error.name or "").partition(".")[0] not in ("textual", "rich"):
            raise
        fail(f"watch needs Textual ({error}): pip install 'deskstate[tui]'")
    try:
        return run_watch(
            args.log,
            follow=args.follow,
            desk=args.desk,
            history=args.history,
            batch=args.batch,
            allowed_origins=origins(args),
            until=args.at_time,
        )
    except OSError as error:  # no terminal for the keys (watch -)
        fail(str(error))


def record_command(args: argparse.Namespace) -> int:
    """``deskstate record``: receive a live desk's events from a browser (``deskstate[record]``)."""
    if args.token is not None and not _TOKEN.fullmatch(args.token):
        fail("--token must be at least 16 letters, digits, '-' or '_': a secret no page can guess")
    try:
        from deskstate.record.command import new_token, run_record  # noqa: PLC0415
    except ImportError as error:
        if (error.name or "").partition(".")[0] not in ("starlette", "uvicorn"):
            raise
        fail(f"record needs Starlette and uvicorn ({error}): pip install 'deskstate[record]'")
    try:
        return run_record(
            out=args.out,
            host=args.host,
            port=args.port,
            page_origins=args.page_origin,
            desk_origins=origins(args),
            token=args.token or new_token(),
            max_body_bytes=args.max_body,
            max_record_bytes=args.max_record,
        )
    except OSError as error:  # the log cannot be appended to, or the port cannot be listened on
        fail(str(error))
