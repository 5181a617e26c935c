"""Shared builders for the tests: raw desk events as the desk posts them, and a fold over them."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from deskstate import DeskState, Event, reduce

if TYPE_CHECKING:
    from playwright.sync_api import Browser

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


CHROMIUM = "/usr/bin/chromium"
#: Debian's chromium, headless in a container, without any traffic of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def chromium(*args: str) -> Iterator[Browser]:
    """Debian's chromium, headless, driven by Playwright (no browser of Playwright's own).

    ``args`` are added to :data:`CHROMIUM_ARGS`. Skips the test when it cannot run here.
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is not installed (.ci/run installs Debian's chromium as root)")
    from playwright.sync_api import Error, sync_playwright  # noqa: PLC0415 - browser tests only

    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *args]
            )
        except Error as error:
            pytest.skip(f"{CHROMIUM} cannot be launched here: {error.message.splitlines()[0]}")
        try:
            yield launched
        finally:
            launched.close()
