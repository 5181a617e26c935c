"""What the recorder snippet sends to the receiver, and how each record in it is checked.

A request is a JSON object (sent as ``text/plain``, so that a browser sends it without a CORS
preflight, and ``navigator.sendBeacon`` can send it as a page is hidden)::

    {"token": "...", "session": "3f9c...", "first": 41, "records": [ENVELOPE, ...]}

- ``token``: the receiver's per-run secret;
- ``session``: the snippet's id for one page load (1 to 64 letters, digits, ``-`` or ``_``);
- ``first``: the number of the first record of ``records`` in that session (records are numbered
  1, 2, 3... in the order the desk posted them); the others follow without gaps;
- ``records``: envelopes of SPEC §2 (``data``, ``ts``, ``desk``, ``origin``).

The snippet always sends its unacknowledged records from the oldest one on, so every request of a
session starts where the receiver's acknowledgement left off: a record numbered at or below the
last one stored for its session is a retry, and is counted as a duplicate, not stored again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Final
from urllib.parse import urlsplit

import attrs

from deskstate._json import found
from deskstate.errors import InvalidEvent
from deskstate.records import open_record

__all__ = [
    "CAPTURE_MEMBER",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_RECORD_BYTES",
    "Batch",
    "BatchError",
    "check_origin",
    "encode_record",
    "parse_batch",
]

#: A request body longer than this, in bytes, is refused (413).
DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
#: A record whose log line would be longer than this, in bytes, is rejected.
DEFAULT_MAX_RECORD_BYTES: Final = 256 * 1024
#: The envelope member the receiver adds to each stored record: ``{"session": S, "n": N}``.
#: Replay ignores it (SPEC §2 ignores unknown envelope members); the receiver reads it back when
#: it starts again on the same log, to know which records it already holds.
CAPTURE_MEMBER: Final = "capture"

_SESSION: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ENCODE: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ENCODE_ASCII: Final = json.JSONEncoder(separators=(",", ":")).encode


class BatchError(ValueError):
    """Raised when a request is not a batch the receiver can read; the message says why."""


@attrs.frozen
class Batch:
    """A request of the snippet: the token, the page session, and its records from ``first`` on."""

    token: str
    session: str
    first: int
    records: tuple[object, ...]


def parse_batch(body: bytes) -> Batch:
    """Read a request body as a :class:`Batch`, or raise :class:`BatchError` naming the member."""
    try:
        value = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise BatchError(f"the body is not UTF-8 ({error.reason} at byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise BatchError(f"the body is not JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:
        raise BatchError("the body is nested too deeply to read") from None
    if not isinstance(value, Mapping):
        raise BatchError(f"the body must be a JSON object, got {found(value)}")
    token = value.get("token")
    if not isinstance(token, str):
        raise BatchError(f"token must be a string, got {found(token)}")
    session = value.get("session")
    if not isinstance(session, str) or not _SESSION.fullmatch(session):
        raise BatchError(
            f"session must be 1 to 64 letters, digits, '-' or '_', got {found(session)}"
        )
    first = value.get("first")
    if isinstance(first, bool) or not isinstance(first, int) or first < 1:
        raise BatchError(f"first must be a whole number from 1, got {found(first)}")
    records = value.get("records")
    if not isinstance(records, list):
        raise BatchError(f"records must be a list, got {found(records)}")
    return Batch(token, session, first, tuple(records))


def encode_record(
    record: object, session: str, number: int, *, origins: Iterable[str], max_bytes: int
) -> bytes:
    r"""The log line (ending in ``\n``) that stores ``record``, numbered ``number`` in ``session``.

    Raises :class:`~deskstate.InvalidEvent` with the reason when the record is not stored: it is
    not an envelope naming its ``origin``, :func:`deskstate.records.open_record` (the parser of
    replay) refuses it, its origin is not among ``origins``, or its line would be longer than
    ``max_bytes``.
    """
    if not isinstance(record, Mapping) or "event" in record or "data" not in record:
        raise InvalidEvent(
            f"a captured record must be an envelope with data and origin, got {found(record)}"
        )
    origin = open_record(record).origin
    if origin is None:
        raise InvalidEvent("a captured record must name its origin (the page that sent it)")
    if origin not in origins:
        raise InvalidEvent(f"sent from {origin!r}, which is not an allowed desk origin")
    stored = {**record, CAPTURE_MEMBER: {"session": session, "n": number}}
    try:
        line = (_ENCODE(stored) + "\n").encode()
    except UnicodeEncodeError:  # a lone surrogate, which JSON can only write escaped
        line = (_ENCODE_ASCII(stored) + "\n").encode()
    if len(line) > max_bytes:
        raise InvalidEvent(f"the record is {len(line)} bytes, more than the limit of {max_bytes}")
    return line


def check_origin(text: str) -> str:
    """``text`` when it is an origin as browsers write it (``https://host[:port]``).

    Raises ValueError saying how to write it otherwise.
    """
    parts = urlsplit(text)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.path
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
        or text != f"{parts.scheme}://{parts.netloc}"
    ):
        raise ValueError(
            f"{text!r} is not an origin: write scheme://host[:port], "
            "with no path and no trailing slash (https://ha.iadvize.com)"
        )
    return text
