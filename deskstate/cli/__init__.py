"""The ``deskstate`` commands, from ``replay`` to ``record``, one module per group of them.

Exit status: 0 done, 1 anomalies found where the command checks for them (``check``, or a
``--strict`` replay that stopped) or nothing to ``explain``, 2 bad usage or unreadable input.
Anomalies go to standard error as ``FILE:LINE: KIND: MESSAGE``. Human output is drawn with rich;
``--json`` output is plain JSON.

- :mod:`deskstate.cli.parser`: the commands and their options;
- :mod:`deskstate.cli.arguments`: the argument types, and the options several commands share;
- :mod:`deskstate.cli.common`: exit statuses, usage errors, reading a log, reporting, printing;
- :mod:`deskstate.cli.replaying`: ``replay``; :mod:`deskstate.cli.counting`: ``stats``, ``report``;
- :mod:`deskstate.cli.parallel`: ``replay`` and ``stats`` on :mod:`deskstate.fleet`;
- :mod:`deskstate.cli.checking`: ``check``; :mod:`deskstate.cli.diffing`: ``diff``;
- :mod:`deskstate.cli.explaining`: ``explain``; :mod:`deskstate.cli.exporting`: ``export``;
- :mod:`deskstate.cli.generating`: ``generate``; :mod:`deskstate.cli.live`: ``watch``, ``record``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from deskstate.cli.common import EXIT_OK, EXIT_USAGE, UsageError
from deskstate.cli.parser import build_parser
from deskstate.errors import UnreadableLog

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except UsageError as error:
        print(f"deskstate: {error}", file=sys.stderr)
        return EXIT_USAGE
    except UnreadableLog as error:
        print(f"deskstate: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`deskstate generate ... | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    return status
