"""Shared builders for the tests: raw desk events as the desk posts them, and a fold over them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from deskstate import DeskState, Event, reduce

PREFIX = "com.iadvize.desk."


def added(cid: str, project: int = 1234) -> dict[str, Any]:
    return {"event": PREFIX + "CONVERSATION_ADDED", "conversationId": cid, "projectId": project}


def focused(cid: str) -> dict[str, Any]:
    return {"event": PREFIX + "CONVERSATION_FOCUSED", "conversationId": cid}


def focus_lost(cid: str) -> dict[str, Any]:
    return {"event": PREFIX + "CONVERSATION_FOCUS_LOST", "conversationId": cid}


def clicked(cid: str) -> dict[str, Any]:
    return {"event": PREFIX + "CONVERSATION_STATE_BOX_CLICKED", "conversationId": cid}


def removed(cid: str) -> dict[str, Any]:
    return {"event": PREFIX + "CONVERSATION_REMOVED", "conversationId": cid}


def visitor_updated(cid: str, **visitor: Any) -> dict[str, Any]:
    return {
        "event": PREFIX + "CONVERSATION_VISITOR_UPDATED",
        "conversationId": cid,
        "visitor": visitor,
    }


def message(
    cid: str, mid: str, participant: str = "Visitor", project: int = 1234
) -> dict[str, Any]:
    return {
        "event": PREFIX + "CONVERSATION_MESSAGE_ADDED",
        "conversationId": cid,
        "messageId": mid,
        "projectId": project,
        "conversationParticipantType": participant,
    }


def availability(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {
        "event": PREFIX + "AVAILABILITY_UPDATED",
        "availabilities": [{"channel": channel, "status": status} for channel, status in pairs],
    }


def envelope(event: Mapping[str, Any], **members: Any) -> dict[str, Any]:
    """Wrap ``event`` as a browser listener would log it (``ts``, ``desk``, ``origin``...)."""
    return {"data": dict(event), **members}


def fold(*events: Mapping[str, Any] | Event, start: DeskState | None = None) -> DeskState:
    """Reduce ``events`` in turn (leniently) from ``start`` or the empty desk."""
    state = start if start is not None else DeskState()
    for event in events:
        state = reduce(state, event)
    return state


def deskstate(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``deskstate`` script, with its output piped (not a terminal)."""
    script = Path(sys.executable).with_name("deskstate")
    return subprocess.run(
        [str(script), *args], input=stdin, capture_output=True, text=True, check=False, timeout=60
    )


def write_log(path: Path, *records: object) -> Path:
    """Write ``records`` to ``path`` as JSON Lines."""
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path
