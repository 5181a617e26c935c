"""Anomalies: what an event did that a well-behaved desk would not have sent."""

from __future__ import annotations

from typing import Final, Literal

import attrs

__all__ = ["ANOMALY_KINDS", "Anomaly", "AnomalyKind"]

AnomalyKind = Literal[
    "unknown-conversation",
    "closed-conversation",
    "duplicate-message",
    "duplicate-channel",
    "unknown-value",
    "unknown-event",
    "invalid-event",
    "foreign-origin",
]

#: Every anomaly code, in the order the SPEC lists them.
ANOMALY_KINDS: Final[tuple[AnomalyKind, ...]] = (
    "unknown-conversation",
    "closed-conversation",
    "duplicate-message",
    "duplicate-channel",
    "unknown-value",
    "unknown-event",
    "invalid-event",
    "foreign-origin",
)


@attrs.frozen
class Anomaly:
    """Something an event did that a well-behaved desk would not have sent.

    Reduction goes on (lenient mode) or stops with :class:`~deskstate.ProtocolError` (strict mode).
    ``index`` is the 0-based record index in a replay (``None`` from :func:`~deskstate.step`),
    ``line`` the 1-based physical line of the file it was read from (``None`` otherwise).
    """

    kind: AnomalyKind
    message: str
    conversation_id: str | None = None
    index: int | None = None
    line: int | None = None

    def located(self, index: int | None, line: int | None) -> Anomaly:
        """Return this anomaly placed at a record ``index`` and file ``line``."""
        return attrs.evolve(self, index=index, line=line)

    def describe(self) -> str:
        """One line for a person: where it happened, its kind and what to do about it."""
        where = []
        if self.index is not None:
            where.append(f"record {self.index}")
        if self.line is not None:
            where.append(f"line {self.line}")
        prefix = f"{', '.join(where)}: " if where else ""
        return f"{prefix}{self.kind}: {self.message}"

    def to_dict(self) -> dict[str, str | int | None]:
        """Return the JSON-safe form of this anomaly."""
        return {
            "kind": self.kind,
            "message": self.message,
            "conversation_id": self.conversation_id,
            "index": self.index,
            "line": self.line,
        }
