"""The exceptions deskstate raises, one class per kind of failure."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deskstate.anomaly import Anomaly

__all__ = ["DeskStateError", "InvalidEvent", "InvalidSnapshot", "ProtocolError", "UnreadableLog"]


class DeskStateError(Exception):
    """Base class of every error deskstate raises on purpose."""


class InvalidEvent(DeskStateError, ValueError):  # noqa: N818 - the name is fixed by the SPEC (§13)
    """Raised when a record cannot be parsed into an event.

    The record is not a mapping, has no string ``event`` member, is nested too deeply, or is a known
    event whose members are missing or of the wrong type. The message names the member and what was
    found, e.g. ``projectId must be an integer, got '1234'``.
    """


class ProtocolError(DeskStateError):
    """Raised in strict mode when an event raises an anomaly.

    ``anomaly`` is the :class:`~deskstate.Anomaly` that stopped the reduction or the replay; in a
    replay it carries the record index and, when read from a file, the line.
    """

    def __init__(self, anomaly: Anomaly) -> None:
        super().__init__(anomaly.describe())
        self.anomaly = anomaly


class UnreadableLog(DeskStateError, OSError):  # noqa: N818 - the name is fixed by the SPEC (§13)
    """Raised when a log cannot be read on: it is missing, or its compression is damaged.

    The records read before the damage have already been yielded; the message names the file and
    how far reading got.
    """


class InvalidSnapshot(DeskStateError, ValueError):  # noqa: N818 - named like InvalidEvent
    """Raised by ``from_dict`` when the data is not a snapshot it can read back.

    The message gives the path of the bad member (``conversations[2].messages[0].id``), what was
    expected and what was found.
    """
