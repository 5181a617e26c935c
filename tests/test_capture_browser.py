"""Capturing a live desk from a real browser: Debian's chromium, the snippet, `deskstate record`.

A page served on 127.0.0.1 includes the two lines of the snippet and embeds two frames: the desk,
served over HTTPS as ``https://ha.iadvize.com`` (Chromium maps that host to 127.0.0.1; the test
makes a self-signed certificate for it), and a forger from another origin. The desk frame posts a
scripted session with every kind of event; the forger posts forged events and tries the receiver
directly. The receiver is killed in the middle of the session and started again with the same
token; the log it wrote must replay to the desk of the scripted session, without a forged event,
without a loss or a duplicate.

When this machine cannot bind port 443 (not root, or the port is taken), the desk is served on
another port, and its port-ful origin is given to the receiver (``--allow-origin``), the snippet
(``origins``) and replay alike.
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from helpers import (
    PREFIX,
    added,
    availability,
    chromium,
    clicked,
    focus_lost,
    focused,
    message,
    removed,
    visitor_updated,
)
from playwright.sync_api import Browser, Frame, Page, Route
from receivers import Receivers, RunningReceiver

from deskstate import read_log, replay
from deskstate.records import DEFAULT_ORIGINS

DESK_HOST = "ha.iadvize.com"
DESK_KEY = "agent-42"
#: Milliseconds Playwright waits for a page condition: a bound on a hang, not a pace.
DEADLINE_MS = 60_000
#: Beside helpers.CHROMIUM_ARGS: the desk's host served here, with the test's own certificate.
CHROMIUM_ARGS = ["--ignore-certificate-errors", f"--host-resolver-rules=MAP {DESK_HOST} 127.0.0.1"]

FIRST_HALF: list[dict[str, Any]] = [
    availability(("CHAT", "AVAILABLE"), ("CALL", "UNAVAILABLE")),
    added("c1", project=1234),
    visitor_updated("c1", firstName="Hugo", lastName="Martin", city="Nantes"),
    focused("c1"),
    message("c1", "m1", "Visitor"),
    message("c1", "m2", "Professional"),
    added("c2", project=1234),
    message("c2", "m3", "Visitor"),
]
SECOND_HALF: list[dict[str, Any]] = [
    message("c2", "m4", "Expert"),
    clicked("c1"),
    focus_lost("c1"),
    focused("c2"),
    {"event": PREFIX + "CONVERSATION_TAGGED", "conversationId": "c2"},  # unknown: kept
    removed("c1"),
    availability(("CHAT", "UNAVAILABLE"), ("CALL", "AVAILABLE")),
    message("c2", "m5", "Visitor"),
]
NOT_DESK_EVENTS: list[Any] = [{"type": "resize", "height": 300}, "ready", {"event": "other.x"}]
FORGED: list[dict[str, Any]] = [
    added("forged-1"),
    focused("forged-1"),
    removed("c2"),
    message("c2", "forged-m", "Visitor"),
]


# --- servers ---------------------------------------------------------------------------------


@pytest.fixture
def receivers() -> Iterator[Receivers]:
    """`deskstate record` processes, killed at the end of the test if they still run."""
    started = Receivers()
    yield started
    started.close()


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for the desk's host (and its private key), valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DESK_HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(DESK_HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "desk.pem", directory / "desk.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Site:
    """A static site on 127.0.0.1 in a thread: ``pages`` maps a path to its HTML."""

    def __init__(self, port: int, tls: tuple[Path, Path] | None = None) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = pages.get(self.path.split("?")[0])
                body = (page or "not found").encode()
                self.send_response(200 if page is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Keep the test's output quiet."""

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port: int = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def desk_site(tmp_path: Path) -> Iterator[tuple[Site, str]]:
    """The desk's site over HTTPS, and its origin: ``https://ha.iadvize.com`` when 443 is free."""
    tls = self_signed(tmp_path)
    try:
        site = Site(443, tls)
    except OSError:  # not root, or 443 taken: a port-ful origin, allowed explicitly below
        site = Site(0, tls)
    origin = f"https://{DESK_HOST}" + ("" if site.port == 443 else f":{site.port}")
    site.pages["/desk.html"] = "<!doctype html><title>iAdvize desk (simulated)</title>"
    yield site, origin
    site.close()


@pytest.fixture
def page_site() -> Iterator[Site]:
    """The integrator's site, on plain HTTP: the page beside the desk, and the forger's frame."""
    site = Site(0)
    site.pages["/forger.html"] = "<!doctype html><title>another page</title>"
    yield site
    site.close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, driven by Playwright (no browser of Playwright's own)."""
    with chromium(*CHROMIUM_ARGS) as launched:
        yield launched


# --- the test --------------------------------------------------------------------------------


def host_page(
    receiver: RunningReceiver, desk_origin: str, forger_origin: str, retry_ms: int = 50
) -> str:
    """The page beside the desk: the snippet's two lines, a counter of messages, two frames."""
    origins = "" if desk_origin in DEFAULT_ORIGINS else f", origins: [{desk_origin!r}]"
    return f"""<!doctype html>
<meta charset="utf-8"><title>CRM beside the desk</title>
<script>
  window.seen = {{ desk: 0, forger: 0 }};
  addEventListener("message", (event) => {{
    if (event.origin === {desk_origin!r}) seen.desk += 1;
    if (event.origin === {forger_origin!r}) seen.forger += 1;
  }});
</script>
<script src="{receiver.address}/deskstate/recorder.js"></script>
<script>deskstateRecorder.start({{ token: "{receiver.token}", desk: "{DESK_KEY}",
  maxBatch: 3, retryMs: {retry_ms}, maxRetryMs: {retry_ms * 8}{origins} }});</script>
<iframe name="desk" src="{desk_origin}/desk.html"></iframe>
<iframe name="forger" src="{forger_origin}/forger.html"></iframe>
"""


def receiver_options(page_origin: str, desk_origin: str) -> list[str]:
    """The receiver's origins: the test page's, and the desk frame's unless it is a default one."""
    options = ["--page-origin", page_origin]
    if desk_origin not in DEFAULT_ORIGINS:
        options += ["--allow-origin", desk_origin]
    return options


def post_from(frame: Frame, messages: list[Any]) -> None:
    """Post ``messages`` to the top page from ``frame``, as the desk does."""
    frame.evaluate(
        "(messages) => { for (const m of messages) parent.postMessage(m, '*'); }", messages
    )


def wait_for(page: Page, condition: str) -> None:
    page.wait_for_function(condition, timeout=DEADLINE_MS)


def without_ts(record: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key != "ts"}


def test_a_desk_in_a_browser_is_captured_whole_through_a_receiver_restart(
    receivers: Receivers,
    tmp_path: Path,
    browser: Browser,
    desk_site: tuple[Site, str],
    page_site: Site,
) -> None:
    """The log replays to the scripted desk: no forged event, nothing lost, nothing twice."""
    _, desk_origin = desk_site
    page_origin = f"http://127.0.0.1:{page_site.port}"
    forger_origin = f"http://localhost:{page_site.port}"
    log = tmp_path / "desk.jsonl"
    options = receiver_options(page_origin, desk_origin)
    receiver = receivers.start(log, "--port", "0", *options)
    page_site.pages["/index.html"] = host_page(receiver, desk_origin, forger_origin)

    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    started = int(time.time() * 1000)
    page.goto(f"{page_origin}/index.html")
    desk_frame, forger_frame = page.frame(name="desk"), page.frame(name="forger")
    assert desk_frame is not None and forger_frame is not None
    assert page.evaluate("deskstateRecorder.status().captured") == 0

    post_from(desk_frame, [*FIRST_HALF[:4], *NOT_DESK_EVENTS, *FIRST_HALF[4:]])
    post_from(forger_frame, FORGED)
    tried = forger_frame.evaluate(
        """(address) => fetch(address + "/deskstate/records", {
             method: "POST",
             body: JSON.stringify({ token: "a-guess-" + "0".repeat(20), session: "evil", first: 1,
               records: [{ data: { event: "com.iadvize.desk.CONVERSATION_ADDED",
                 conversationId: "forged-2", projectId: 1 }, origin: "https://ha.iadvize.com" }] })
           }).then((response) => response.status, () => "blocked")""",
        receiver.address,
    )
    seen = len(FIRST_HALF) + len(NOT_DESK_EVENTS)
    wait_for(page, f"seen.desk === {seen} && seen.forger === {len(FORGED)}")
    wait_for(page, f"deskstateRecorder.status().acknowledged === {len(FIRST_HALF)}")

    # The next batch reaches the receiver, which stores it, but the answer is lost: the receiver
    # dies as it answers. The snippet must send it again, to a receiver started anew.
    lost: list[dict[str, Any]] = []

    def lose_the_answer(route: Route) -> None:
        lost.append(route.fetch().json())
        receiver.crash()
        route.abort()

    records_url = f"{receiver.address}/deskstate/records"
    page.route(records_url, lose_the_answer, times=1)
    post_from(desk_frame, SECOND_HALF)
    wait_for(page, "deskstateRecorder.status().retries >= 1")
    restarted = receivers.start(log, "--port", receiver.port, "--token", receiver.token, *options)
    wait_for(
        page,
        f"deskstateRecorder.status().acknowledged === {len(FIRST_HALF + SECOND_HALF)}"
        " && deskstateRecorder.status().pending === 0",
    )
    status = page.evaluate("deskstateRecorder.status()")
    context.close()
    returncode, stderr = restarted.stop()
    finished = int(time.time() * 1000)

    assert tried == "blocked"  # the forger's page origin gets a 403 without CORS
    assert lost[0]["stored"] >= 1  # stored, never acknowledged to the page, and sent again
    assert status["duplicates"] >= lost[0]["stored"]
    assert returncode == 0, stderr
    assert (status["rejected"], status["dropped"], status["failed"], status["errors"]) == (0,) * 4
    refused = f"refused a request (403): page origin {forger_origin!r} is not allowed"
    assert any(refused in line for line in receiver.stderr if line)
    lines = list(read_log(log))
    assert [line.error for line in lines] == [None] * len(lines)
    records = [line.value for line in lines if isinstance(line.value, dict)]
    # Exactly the desk's events, in the order it posted them: nothing forged, lost or repeated.
    assert [record["data"] for record in records] == FIRST_HALF + SECOND_HALF
    for record in records:
        assert record["origin"] == desk_origin
        assert record["desk"] == DESK_KEY
        assert started <= record["ts"] <= finished
    allowed = {desk_origin}
    expected = replay(FIRST_HALF + SECOND_HALF, allowed_origins=allowed)
    got = replay([without_ts(record) for record in records], allowed_origins=allowed)
    assert got.state == expected.state
    assert [anomaly.kind for anomaly in got.anomalies] == ["unknown-event"]


def test_what_is_pending_when_the_page_goes_away_is_sent_as_it_goes(
    receivers: Receivers,
    tmp_path: Path,
    browser: Browser,
    desk_site: tuple[Site, str],
    page_site: Site,
) -> None:
    """Records the receiver could not take yet are sent by a beacon when the page is left."""
    _, desk_origin = desk_site
    page_origin = f"http://127.0.0.1:{page_site.port}"
    log = tmp_path / "desk.jsonl"
    options = receiver_options(page_origin, desk_origin)
    receiver = receivers.start(log, "--port", "0", *options)
    page_site.pages["/index.html"] = host_page(
        receiver, desk_origin, f"http://localhost:{page_site.port}", retry_ms=600_000
    )
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    page.goto(f"{page_origin}/index.html")
    desk_frame = page.frame(name="desk")
    assert desk_frame is not None
    receiver.crash()  # down when the desk speaks: the next try is ten minutes away
    post_from(desk_frame, FIRST_HALF)
    wait_for(page, f"deskstateRecorder.status().captured === {len(FIRST_HALF)}")
    wait_for(page, "deskstateRecorder.status().retries >= 1")
    restarted = receivers.start(log, "--port", receiver.port, "--token", receiver.token, *options)

    page.goto("about:blank")  # pagehide: the snippet sends what is pending with sendBeacon
    deadline = time.monotonic() + DEADLINE_MS / 1000
    while len(log.read_bytes().splitlines()) < len(FIRST_HALF) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling the log for the beacon's records, within the deadline
    context.close()
    returncode, stderr = restarted.stop()

    assert returncode == 0, stderr
    records = [line.value for line in read_log(log) if isinstance(line.value, dict)]
    assert [record["data"] for record in records] == FIRST_HALF


def test_the_snippet_never_throws_into_the_page(
    receivers: Receivers,
    tmp_path: Path,
    browser: Browser,
    desk_site: tuple[Site, str],
    page_site: Site,
) -> None:
    """Bad calls and messages it cannot encode are caught, counted and warned about, not thrown."""
    _, desk_origin = desk_site
    page_origin = f"http://127.0.0.1:{page_site.port}"
    options = receiver_options(page_origin, desk_origin)
    receiver = receivers.start(tmp_path / "desk.jsonl", "--port", "0", *options)
    page_site.pages["/index.html"] = host_page(
        receiver, desk_origin, f"http://localhost:{page_site.port}"
    )
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    thrown: list[object] = []
    warnings: list[str] = []
    page.on("pageerror", lambda error: thrown.append(error))  # noqa: PLW0108 - not a builtin
    page.on("console", lambda message: warnings.append(message.text))
    page.goto(f"{page_origin}/index.html")
    desk_frame = page.frame(name="desk")
    assert desk_frame is not None

    started = page.evaluate("[deskstateRecorder.start(), deskstateRecorder.start({ token: 42 })]")
    desk_frame.evaluate(
        """() => {
             const loop = { event: "com.iadvize.desk.CONVERSATION_ADDED" };
             loop.self = loop;  // JSON cannot hold it
             parent.postMessage(loop, "*");
             parent.postMessage({ event: "com.iadvize.desk.CONVERSATION_ADDED", n: 10n }, "*");
             parent.postMessage({ event: "com.iadvize.desk.CONVERSATION_FOCUSED",
                                  conversationId: "c1" }, "*");
           }"""
    )
    wait_for(page, "deskstateRecorder.status().acknowledged === 1")
    status = page.evaluate("deskstateRecorder.status()")
    context.close()
    receiver.stop()

    assert started == [False, False]  # refused, and the recorder started by the page kept going
    assert status["errors"] == 2
    assert thrown == []
    assert sum("deskstate recorder: internal error" in text for text in warnings) == 2
    assert any("start needs the token" in text for text in warnings)
