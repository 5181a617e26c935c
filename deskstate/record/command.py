"""``deskstate record``: open the log, bind the socket, tell the user what to paste, and serve.

The command line (:mod:`deskstate.cli`) parses the options and imports this module only for
``record``, so that no other command pays for the web libraries.
"""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
import signal
import socket
import sys
from collections.abc import Iterable
from types import FrameType
from typing import IO

from deskstate.record.log import CaptureLog
from deskstate.record.receiver import Receiver
from deskstate.record.server import SCRIPT_PATH, bind, create_app, serve

__all__ = ["new_token", "run_record"]


def new_token() -> str:
    """A fresh secret for one run of the receiver (URL-safe, 32 bytes of randomness)."""
    return secrets.token_urlsafe(32)


def run_record(
    *,
    out: str,
    host: str,
    port: int,
    page_origins: Iterable[str],
    desk_origins: Iterable[str],
    token: str,
    max_body_bytes: int,
    max_record_bytes: int,
    stdout: IO[str] = sys.stdout,
    stderr: IO[str] = sys.stderr,
) -> int:
    """Receive batches into the log at ``out`` until SIGINT or SIGTERM; return the exit status 0.

    Raises :class:`~deskstate.UnreadableLog` when the log cannot be appended to, and OSError when
    ``host`` and ``port`` cannot be listened on.
    """
    pages = sorted(set(page_origins))

    def report(line: str) -> None:
        print(f"deskstate record: {line}", file=stderr, flush=True)

    log = CaptureLog(out)
    try:
        try:
            sock = bind(host, port)
        except OSError as error:
            raise OSError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
        receiver = Receiver(log, token, origins=desk_origins, max_record_bytes=max_record_bytes)
        app = create_app(receiver, page_origins=pages, max_body_bytes=max_body_bytes, report=report)
        address = _address(sock)
        if not _is_loopback(host):
            report(f"warning: {host} is not a loopback address: other machines can reach this")
        print(
            f"deskstate record: appending the desk events received to {out}\n"
            f"listening on {address} for pages from {', '.join(pages)}\n"
            f"token: {token}\n"
            "Add these two lines to the page beside the desk:\n"
            f'  <script src="{address}{SCRIPT_PATH}"></script>\n'
            f'  <script>deskstateRecorder.start({{ token: "{token}", desk: "DESK-KEY" }});'
            "</script>\n"
            f"Follow the desk live: deskstate watch {out} --follow",
            file=stdout,
            flush=True,
        )
        signal.signal(signal.SIGTERM, _interrupt)  # uvicorn raises it again once it has stopped
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C, or SIGTERM: a normal stop
            serve(app, sock)
    finally:
        log.close()
    report("stopped")
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
