"""The HTTP face of `deskstate record`, through Starlette's test client (no browser, no socket)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import added, envelope, focused
from starlette.testclient import TestClient

from deskstate.record.log import CaptureLog
from deskstate.record.receiver import Receiver
from deskstate.record.server import RECORDS_PATH, SCRIPT_PATH, create_app

TOKEN = "the-token-of-this-run-0123456789"
PAGE = "https://crm.example.com"
RECORDS = [
    envelope(added("c1"), ts=1_795_507_200_000, origin="https://ha.iadvize.com"),
    envelope(focused("c1"), ts=1_795_507_200_100, origin="https://ha.iadvize.com"),
]


def body(records: list[Any] = RECORDS, token: str = TOKEN, first: int = 1) -> str:
    return json.dumps({"token": token, "session": "s1", "first": first, "records": records})


class Server:
    def __init__(self, path: Path, max_body_bytes: int) -> None:
        self.path = path
        self.reports: list[str] = []
        self.log = CaptureLog(path)
        app = create_app(
            Receiver(self.log, TOKEN),
            page_origins=[PAGE],
            max_body_bytes=max_body_bytes,
            report=self.reports.append,
        )
        self.client = TestClient(app)

    def post(self, content: str | bytes, origin: str | None = PAGE) -> Any:
        headers = {"content-type": "text/plain;charset=UTF-8"}
        if origin is not None:
            headers["origin"] = origin
        return self.client.post(RECORDS_PATH, content=content, headers=headers)

    def lines(self) -> list[dict[str, Any]]:
        text = self.path.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    made = Server(tmp_path / "desk.jsonl", max_body_bytes=4096)
    yield made
    made.log.close()


def test_a_batch_from_the_page_is_stored_and_answered_with_cors(server: Server) -> None:
    """An allowed page gets the answer, readable by it (CORS for its origin only)."""
    response = server.post(body())
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PAGE
    assert response.json() == {
        "session": "s1",
        "acknowledged": 2,
        "stored": 2,
        "duplicates": 0,
        "rejected": [],
    }
    assert [line["data"] for line in server.lines()] == [added("c1"), focused("c1")]


def test_a_retry_is_answered_as_duplicates(server: Server) -> None:
    """The same batch twice is stored once."""
    server.post(body())
    again = server.post(body())
    assert again.json()["duplicates"] == 2
    assert len(server.lines()) == 2


def test_another_page_origin_is_refused_without_cors_even_with_the_token(server: Server) -> None:
    """A page outside --page-origin gets 403 and no CORS header; nothing is stored."""
    response = server.post(body(), origin="https://evil.example")
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    assert "page origin 'https://evil.example' is not allowed" in response.json()["error"]
    assert server.lines() == []
    assert server.reports == [
        "refused a request (403): page origin 'https://evil.example' is not allowed (--page-origin)"
    ]


def test_a_preflight_is_answered_for_the_page_only(server: Server) -> None:
    """CORS preflights succeed for the allowed page, with private network access, and fail else."""
    asked = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
        "access-control-request-private-network": "true",
    }
    allowed = server.client.options(RECORDS_PATH, headers={"origin": PAGE, **asked})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == PAGE
    assert allowed.headers["access-control-allow-private-network"] == "true"
    other = server.client.options(RECORDS_PATH, headers={"origin": "https://evil.example", **asked})
    assert other.status_code == 400
    assert "access-control-allow-origin" not in other.headers


def test_a_wrong_token_is_refused(server: Server) -> None:
    """403 with the reason, and nothing stored."""
    response = server.post(body(token="not-the-token-0123456789"))
    assert response.status_code == 403
    assert "wrong token" in response.json()["error"]
    assert server.lines() == []


def test_a_body_over_the_limit_is_refused_with_413(server: Server) -> None:
    """A body larger than --max-body is refused (413) before it is parsed."""
    records = [envelope({**added("c1"), "pad": "x" * 5000}, origin="https://ha.iadvize.com")]
    response = server.post(body(records))
    assert response.status_code == 413
    assert response.json() == {"error": "the body is larger than the limit of 4096 bytes"}
    assert server.lines() == []


def test_a_streamed_body_over_the_limit_is_refused_with_413(server: Server) -> None:
    """Without a Content-Length (chunked), the limit holds as the body is read."""

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b" " * 1000

    response = server.client.post(RECORDS_PATH, content=chunks(), headers={"origin": PAGE})
    assert response.status_code == 413


def test_a_request_without_origin_is_served(server: Server) -> None:
    """A request not from a browser page (no Origin: curl, a script) needs the token only."""
    response = server.post(body(), origin=None)
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_a_bad_record_is_reported_in_the_answer_and_to_the_user(server: Server) -> None:
    """The answer lists the rejected record and why; the receiver tells its user too."""
    bad = envelope({**added("c2"), "projectId": True}, origin="https://ha.iadvize.com")
    response = server.post(body([RECORDS[0], bad]))
    assert response.json()["rejected"] == [
        {"n": 2, "reason": "projectId must be an integer, got True"}
    ]
    assert server.reports == [
        "session s1 record 2 rejected: projectId must be an integer, got True"
    ]
    assert len(server.lines()) == 1


def test_a_malformed_body_is_refused_with_400(server: Server) -> None:
    """400 names what is wrong with the body."""
    response = server.post("{not json")
    assert response.status_code == 400
    assert response.json()["error"].startswith("the body is not JSON")


def test_the_snippet_is_served_at_its_stable_path(server: Server) -> None:
    """GET /deskstate/recorder.js gives the snippet shipped in the package, as JavaScript."""
    response = server.client.get(SCRIPT_PATH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "window.deskstateRecorder" in response.text


def test_other_paths_and_methods_are_not_served(server: Server) -> None:
    """Only the two routes exist."""
    assert server.client.get("/").status_code == 404
    assert server.client.get(RECORDS_PATH).status_code == 405
