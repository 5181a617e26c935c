"""Anomalies: what an event did that a well-behaved desk would not have sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, TypeVar

import attrs

__all__ = ["ANOMALY_KINDS", "Anomaly", "AnomalyKind"]

_T = TypeVar("_T")

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
    ``line`` the 1-based physical line of the file it was read from (``None`` otherwise), and
    ``source`` names that file when a replay reads several (:mod:`deskstate.fleet`), else ``None``.
    """

    kind: AnomalyKind
    message: str
    conversation_id: str | None = None
    index: int | None = None
    line: int | None = None
    source: str | None = None

    def located(self, index: int | None, line: int | None) -> Anomaly:
        """Return this anomaly placed at a record ``index`` and file ``line``."""
        return attrs.evolve(self, index=index, line=line)

    def describe(self) -> str:
        """One line for a person: where it happened, its kind and what to do about it."""
        where = [] if self.source is None else [self.source]
        if self.index is not None:
            where.append(f"record {self.index}")
        if self.line is not None:
            where.append(f"line {self.line}")
        prefix = f"{', '.join(where)}: " if where else ""
        return f"{prefix}{self.kind}: {self.message}"

    def to_dict(self) -> dict[str, str | int | None]:
        """Return the JSON-safe form of this anomaly (``source`` only when it has one)."""
        data: dict[str, str | int | None] = {
            "kind": self.kind,
            "message": self.message,
            "conversation_id": self.conversation_id,
            "index": self.index,
            "line": self.line,
        }
        if self.source is not None:
            data["source"] = self.source
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Anomaly:
        """Read back what :meth:`to_dict` gives; ``ValueError`` names the member that is wrong."""
        kind = data.get("kind")
        if kind not in ANOMALY_KINDS:
            raise ValueError(f"kind must be one of {', '.join(ANOMALY_KINDS)}, got {kind!r}")
        message = _optional(data, "message", str)
        if message is None:
            raise ValueError("message must be a string, got None")
        return cls(
            kind,
            message,
            _optional(data, "conversation_id", str),
            _optional(data, "index", int),
            _optional(data, "line", int),
            _optional(data, "source", str),
        )


def _optional(data: Mapping[str, object], member: str, kind: type[_T]) -> _T | None:
    value = data.get(member)
    if value is None or (isinstance(value, kind) and not isinstance(value, bool)):
        return value
    raise ValueError(f"{member} must be {kind.__name__} or null, got {value!r}")
