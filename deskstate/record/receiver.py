"""A batch of the recorder snippet received: token checked, records checked, stored once, answered.

No HTTP here: :mod:`deskstate.record.server` hands each request body to :meth:`Receiver.receive`
and sends back what it returns, or the status of the :class:`Refused` it raises.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable

import attrs

from deskstate.errors import InvalidEvent
from deskstate.record.log import CaptureLog
from deskstate.record.protocol import (
    DEFAULT_MAX_RECORD_BYTES,
    BatchError,
    encode_record,
    parse_batch,
)
from deskstate.records import DEFAULT_ORIGINS

__all__ = ["Answer", "Receiver", "Refused", "Rejected"]


class Refused(Exception):  # noqa: N818 - an answer of the receiver, named like it
    """A request the receiver refuses whole: ``status`` is the HTTP status, the message why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@attrs.frozen
class Rejected:
    """A record that was not stored: its number in its session, and why (as replay would say)."""

    n: int
    reason: str

    def to_dict(self) -> dict[str, object]:
        """The JSON form sent back to the snippet."""
        return {"n": self.n, "reason": self.reason}


@attrs.frozen
class Answer:
    """What became of a batch.

    ``acknowledged`` is the number of the last record of the batch: every record up to it is
    settled (stored now or before, or rejected), and the snippet may forget it. ``stored`` counts
    the records appended now, ``duplicates`` those the log already held (a retry), and
    ``rejected`` lists the others with their reasons.
    """

    session: str
    acknowledged: int
    stored: int
    duplicates: int
    rejected: tuple[Rejected, ...]

    def to_dict(self) -> dict[str, object]:
        """The JSON form sent back to the snippet."""
        return {
            "session": self.session,
            "acknowledged": self.acknowledged,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "rejected": [rejected.to_dict() for rejected in self.rejected],
        }


class Receiver:
    """Checks batches against the token and the desk origins, and appends them to ``log``.

    Every record goes through :func:`deskstate.records.open_record`, the parser of replay, and the
    origin allow-list (``origins``, by default the desk's origins of SPEC §2). Batches are handled
    one at a time, from any thread.
    """

    def __init__(
        self,
        log: CaptureLog,
        token: str,
        *,
        origins: Iterable[str] = DEFAULT_ORIGINS,
        max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    ) -> None:
        if isinstance(origins, str):
            raise TypeError(f"origins must be a collection of origins, not one string: {origins!r}")
        self.log = log
        self.origins = frozenset(origins)
        self.max_record_bytes = max_record_bytes
        self._token = token.encode()
        self._lock = threading.Lock()

    def receive(self, body: bytes) -> Answer:
        """Store the new records of the batch in ``body``; raise :class:`Refused` for a bad request.

        403 for a wrong token; 400 for a body that is not a batch. A record numbered at or below
        the last one stored for its session is a retry: counted, not stored again.
        """
        try:
            batch = parse_batch(body)
        except BatchError as error:
            raise Refused(400, str(error)) from None
        if not secrets.compare_digest(batch.token.encode(), self._token):
            raise Refused(403, "wrong token: use the one deskstate record printed at its start")
        with self._lock:
            last = self.log.last(batch.session)
            lines: list[tuple[int, bytes]] = []
            rejected: list[Rejected] = []
            duplicates = 0
            for number, record in enumerate(batch.records, start=batch.first):
                if number <= last:
                    duplicates += 1
                    continue
                try:
                    line = encode_record(
                        record,
                        batch.session,
                        number,
                        origins=self.origins,
                        max_bytes=self.max_record_bytes,
                    )
                except InvalidEvent as error:
                    rejected.append(Rejected(number, str(error)))
                else:
                    lines.append((number, line))
            self.log.append(batch.session, lines)
        return Answer(
            batch.session,
            batch.first + len(batch.records) - 1,
            len(lines),
            duplicates,
            tuple(rejected),
        )
